package io.counterfact.systemtests;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads estimation-service's database (the command side) and query-service's, for assertions. */
public final class EstimationDb {

    /**
     * One estimation as the estimation DB holds it; {@code commandPartition}: the command topic's partition its
     * command was last taken from (null until a worker started it), which tells which worker held it.
     */
    public record Estimation(String id, String status, int attempts, JsonNode result, String error,
                             Integer commandPartition) {
    }

    private final Suite suite;

    public EstimationDb(Suite suite) {
        this.suite = suite;
    }

    public Map<String, Estimation> estimations(Collection<String> ids) {
        Map<String, Estimation> out = new LinkedHashMap<>();
        try (Connection c = suite.connect("estimation");
             PreparedStatement s = c.prepareStatement(
                     "SELECT id, status, attempts, result::text, error, command_partition FROM estimation WHERE id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String result = rs.getString(4);
                    out.put(rs.getString(1), new Estimation(rs.getString(1), rs.getString(2), rs.getInt(3),
                            result == null ? null : Api.JSON.readTree(result), rs.getString(5),
                            (Integer) rs.getObject(6)));
                }
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("could not read the estimation DB", e);
        }
        return out;
    }

    /** A line for the test output: attempts histogram, run time of the last attempt (p50/max), span queued → last done. */
    public String summary(Collection<String> ids) {
        try (Connection c = suite.connect("estimation");
             PreparedStatement s = c.prepareStatement("SELECT "
                     + "(SELECT json_object_agg(attempts, n) FROM (SELECT attempts, count(*) n FROM estimation WHERE id = ANY (?) GROUP BY attempts) a), "
                     + "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)), "
                     + "max(extract(epoch FROM finished_at - started_at)), "
                     + "extract(epoch FROM max(finished_at) - min(created_at)) FROM estimation WHERE id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            s.setArray(2, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return String.format(java.util.Locale.ROOT, "attempts %s, last attempt p50 %.2f s max %.2f s, queued to all done %.1f s",
                        rs.getString(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4));
            }
        } catch (SQLException e) {
            return "(no summary: " + e + ")";
        }
    }

    /** status → how many of {@code ids} have it. */
    public Map<String, Integer> statusCounts(Collection<String> ids) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        estimations(ids).values().forEach(e -> counts.merge(e.status(), 1, Integer::sum));
        return counts;
    }

    /** estimation id → number of outbox rows of {@code eventType} keyed by it (absent: none). */
    public Map<String, Integer> outboxCounts(Collection<String> ids, String eventType) {
        return countBy("estimation", "SELECT record_key, count(*) FROM outbox WHERE event_type = ? AND record_key = ANY (?) "
                + "GROUP BY record_key", eventType, ids);
    }

    /** estimation id → outbox rows of {@code eventType} not yet published. */
    public int unpublished(Collection<String> ids, String eventType) {
        return countBy("estimation", "SELECT record_key, count(*) FROM outbox WHERE event_type = ? AND record_key = ANY (?) "
                + "AND published_at IS NULL GROUP BY record_key", eventType, ids).values().stream().mapToInt(i -> i).sum();
    }

    /** One row of query-service's {@code estimation_view}. */
    public record View(String id, String status, JsonNode result, String error) {
    }

    /** query DB: the estimation views of {@code ids} (absent: no event applied yet). */
    public Map<String, View> views(Collection<String> ids) {
        Map<String, View> out = new LinkedHashMap<>();
        try (Connection c = suite.connect("query");
             PreparedStatement s = c.prepareStatement(
                     "SELECT id, status, result::text, error FROM estimation_view WHERE id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String result = rs.getString(3);
                    out.put(rs.getString(1), new View(rs.getString(1), rs.getString(2),
                            result == null ? null : Api.JSON.readTree(result), rs.getString(4)));
                }
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("could not read the query DB", e);
        }
        return out;
    }

    /** query DB: estimation id → inbox rows of {@code eventType} with that subject. */
    public Map<String, Integer> queryInboxCounts(Collection<String> ids, String eventType) {
        return countBy("query", "SELECT subject, count(*) FROM inbox WHERE event_type = ? AND subject = ANY (?) "
                + "GROUP BY subject", eventType, ids);
    }

    private Map<String, Integer> countBy(String db, String sql, String eventType, Collection<String> ids) {
        Map<String, Integer> out = new LinkedHashMap<>();
        try (Connection c = suite.connect(db); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, eventType);
            s.setArray(2, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getInt(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the " + db + " DB", e);
        }
        return out;
    }
}

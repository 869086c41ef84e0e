package io.counterfact.estimation.replica;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.postgresql.PGStatement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** SQL of the replica (V1__replica.sql); always on the caller's connection and transaction, bound parameters only. */
@ApplicationScoped
public class ReplicaRepository {

    /** Row groups fetched per round trip when streaming: at most this many encoded row groups (~512 KB) in memory. */
    static final int FETCH_ROW_GROUPS = 2;
    /** Namespace of the per-dataset advisory locks (first argument of the two-key form). */
    private static final int LOCK_NAMESPACE = 0x43465250; // "CFRP"

    @Inject
    ObjectMapper json;

    /** A version row with what completing it needs beyond {@link ReplicaVersion}. */
    public record VersionRow(ReplicaVersion view, String eventId) {
    }

    /** A pending version whose count of present row groups has just moved. */
    public record Progress(String datasetId, int version, int present, int expected) {
    }

    /** Facts of the stored row groups of a set of batches (one per distinct combination). */
    public record RowGroupFacts(String datasetId, String columnTypes) {
    }

    /** A batch's digest as recomputed from its stored row groups. */
    public record BatchDigest(long rows, byte[] digest) {
    }

    @FunctionalInterface
    public interface PayloadConsumer {
        void accept(int rows, byte[] payload) throws Exception;
    }

    /**
     * Serialises the transactions that touch one dataset (its chunks and its commits travel on different topics and
     * may be applied at the same moment), so that a landing chunk and a landing commit always see each other.
     */
    public void lockDataset(Connection c, String datasetId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            s.setInt(1, LOCK_NAMESPACE);
            s.setString(2, datasetId);
            s.executeQuery().close();
        }
    }

    /** Records that a dataset exists (registered, or a version of it committed); a second record changes nothing. */
    public void recordDataset(Connection c, String datasetId, String eventId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO replica_dataset (dataset_id, event_id) VALUES (?, ?) "
                + "ON CONFLICT (dataset_id) DO NOTHING")) {
            s.setString(1, datasetId);
            s.setString(2, eventId);
            s.executeUpdate();
        }
    }

    /** Whether the replica has seen the dataset registered or a version of it committed. */
    public boolean datasetKnown(Connection c, String datasetId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM replica_dataset WHERE dataset_id = ?")) {
            s.setString(1, datasetId);
            try (var rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** @return false if the event was applied before (a redelivery): then the caller changes nothing */
    public boolean recordInbox(Connection c, String eventId, String topic, String type) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO inbox (event_id, topic, event_type) VALUES (?, ?, ?) ON CONFLICT (event_id) DO NOTHING")) {
            s.setString(1, eventId);
            s.setString(2, topic);
            s.setString(3, type);
            return s.executeUpdate() == 1;
        }
    }

    /** @return false if this row group was stored before (under another event id): the first copy stays */
    public boolean insertRowGroup(Connection c, String datasetId, UUID batch, int index, RowGroupLayout layout,
                                  byte[] payload) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO replica_row_group (batch_id, idx, dataset_id, rows, "
                + "column_types, payload) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (batch_id, idx) DO NOTHING")) {
            s.setObject(1, batch);
            s.setInt(2, index);
            s.setString(3, datasetId);
            s.setInt(4, layout.rows());
            s.setString(5, layout.columnTypes());
            s.setBytes(6, payload);
            return s.executeUpdate() == 1;
        }
    }

    /**
     * Counts a newly stored row group in every PENDING version that lists its batch (through the batch index: no
     * scan), and answers their new counts.
     */
    public List<Progress> countLanded(Connection c, UUID batch, int index) throws SQLException {
        List<Progress> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("UPDATE replica_version v "
                + "SET row_groups_present = v.row_groups_present + 1 "
                + "FROM replica_version_batch vb "
                + "WHERE vb.batch_id = ? AND vb.row_groups > ? AND v.dataset_id = vb.dataset_id "
                + "AND v.version = vb.version AND v.status = 'PENDING' "
                + "RETURNING v.dataset_id, v.version, v.row_groups_present, v.row_groups_expected")) {
            s.setObject(1, batch);
            s.setInt(2, index);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new Progress(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getInt(4)));
                }
            }
        }
        return out;
    }

    public Optional<VersionRow> findVersion(Connection c, String datasetId, int version, boolean forUpdate)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT status, rows, checksum, row_groups_expected, "
                + "row_groups_present, columns, reason, event_id FROM replica_version WHERE dataset_id = ? AND version = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            s.setString(1, datasetId);
            s.setInt(2, version);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new VersionRow(new ReplicaVersion(datasetId, version,
                        ReplicaVersion.Status.valueOf(rs.getString(1)), rs.getLong(2), rs.getString(3), rs.getInt(4),
                        rs.getInt(5), columns(rs.getString(6)), rs.getString(7)), rs.getString(8)));
            }
        }
    }

    public void insertVersion(Connection c, CommitEvent e, ReplicaVersion.Status status, String reason, int expected)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO replica_version (dataset_id, version, name, columns, "
                + "rows, checksum, committed_at, event_id, status, reason, row_groups_expected, row_groups_present, "
                + "completed_at) VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, 0, ?)")) {
            s.setString(1, e.datasetId());
            s.setInt(2, e.version());
            s.setString(3, e.name());
            s.setString(4, toJson(e.columns()));
            s.setLong(5, e.rows());
            s.setString(6, e.checksum());
            s.setTimestamp(7, Timestamp.from(e.committedAt()));
            s.setString(8, e.eventId());
            s.setString(9, status.name());
            s.setString(10, reason);
            s.setInt(11, expected);
            s.setTimestamp(12, status == ReplicaVersion.Status.PENDING ? null : new Timestamp(System.currentTimeMillis()));
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO replica_version_batch (dataset_id, version, seq, "
                + "batch_id, rows, row_groups, digest) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            int seq = 0;
            for (CommitEvent.BatchRef b : e.batches()) {
                s.setString(1, e.datasetId());
                s.setInt(2, e.version());
                s.setInt(3, seq++);
                s.setObject(4, b.batchId());
                s.setLong(5, b.rows());
                s.setInt(6, b.rowGroups());
                s.setBytes(7, b.digest());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** Every batch of a version in row order. */
    public List<CommitEvent.BatchRef> versionBatches(Connection c, String datasetId, int version) throws SQLException {
        List<CommitEvent.BatchRef> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT batch_id, rows, row_groups, digest FROM replica_version_batch "
                + "WHERE dataset_id = ? AND version = ? ORDER BY seq")) {
            s.setString(1, datasetId);
            s.setInt(2, version);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new CommitEvent.BatchRef((UUID) rs.getObject(1), rs.getLong(2), rs.getInt(3), rs.getBytes(4)));
                }
            }
        }
        return out;
    }

    /** Row groups of the version present (an index-only count per batch: the payloads are not read). */
    public int countPresent(Connection c, String datasetId, int version) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM replica_version_batch vb "
                + "JOIN replica_row_group rg ON rg.batch_id = vb.batch_id AND rg.idx < vb.row_groups "
                + "WHERE vb.dataset_id = ? AND vb.version = ?")) {
            s.setString(1, datasetId);
            s.setInt(2, version);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    public void updateProgress(Connection c, String datasetId, int version, int present, String reason)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE replica_version SET row_groups_present = ?, reason = ? "
                + "WHERE dataset_id = ? AND version = ?")) {
            s.setInt(1, present);
            s.setString(2, reason);
            s.setString(3, datasetId);
            s.setInt(4, version);
            s.executeUpdate();
        }
    }

    public void complete(Connection c, String datasetId, int version, ReplicaVersion.Status status, int present,
                         String reason) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE replica_version SET status = ?, row_groups_present = ?, "
                + "reason = ?, completed_at = now() WHERE dataset_id = ? AND version = ?")) {
            s.setString(1, status.name());
            s.setInt(2, present);
            s.setString(3, reason);
            s.setString(4, datasetId);
            s.setInt(5, version);
            s.executeUpdate();
        }
    }

    /**
     * The distinct levels of each categorical column of a version ({@code V6__levels_and_cost.sql}), or empty if they
     * have not been counted (a version completed before the column existed, or not READY).
     */
    public Optional<Map<String, Integer>> levels(Connection c, String datasetId, int version) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT levels::text FROM replica_version WHERE dataset_id = ? AND version = ?")) {
            s.setString(1, datasetId);
            s.setInt(2, version);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return Optional.empty();
                }
                return Optional.of(json.readValue(rs.getString(1), new TypeReference<java.util.LinkedHashMap<String, Integer>>() {
                }));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("corrupt level counts in the database", e);
            }
        }
    }

    public void saveLevels(Connection c, String datasetId, int version, Map<String, Integer> levels) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE replica_version SET levels = ?::jsonb WHERE dataset_id = ? AND version = ?")) {
            s.setString(1, json.valueToTree(levels).toString());
            s.setString(2, datasetId);
            s.setInt(3, version);
            s.executeUpdate();
        }
    }

    /** The distinct (dataset, column types) of the stored row groups a version uses. */
    public List<RowGroupFacts> rowGroupFacts(Connection c, String datasetId, int version) throws SQLException {
        List<RowGroupFacts> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT rg.dataset_id, rg.column_types "
                + "FROM replica_version_batch vb "
                + "JOIN replica_row_group rg ON rg.batch_id = vb.batch_id AND rg.idx < vb.row_groups "
                + "WHERE vb.dataset_id = ? AND vb.version = ?")) {
            s.setString(1, datasetId);
            s.setInt(2, version);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new RowGroupFacts(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }

    public Optional<BatchDigest> batchDigest(Connection c, UUID batch, int rowGroups) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT rows, digest FROM replica_batch_digest WHERE batch_id = ? AND row_groups = ?")) {
            s.setObject(1, batch);
            s.setInt(2, rowGroups);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new BatchDigest(rs.getLong(1), rs.getBytes(2))) : Optional.empty();
            }
        }
    }

    public void saveBatchDigest(Connection c, UUID batch, int rowGroups, BatchDigest digest) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO replica_batch_digest (batch_id, row_groups, rows, digest) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT (batch_id) DO UPDATE SET row_groups = excluded.row_groups, "
                + "rows = excluded.rows, digest = excluded.digest, computed_at = now()")) {
            s.setObject(1, batch);
            s.setInt(2, rowGroups);
            s.setLong(3, digest.rows());
            s.setBytes(4, digest.digest());
            s.executeUpdate();
        }
    }

    /**
     * Streams row groups 0..rowGroups-1 of a batch in order through a cursor ({@value #FETCH_ROW_GROUPS} per round
     * trip, binary transfer), so a batch of any size passes through a bounded amount of memory. Needs a transaction.
     *
     * @return how many row groups were streamed
     */
    public int streamRowGroups(Connection c, UUID batch, int rowGroups, PayloadConsumer consumer) throws Exception {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT rows, payload FROM replica_row_group WHERE batch_id = ? AND idx < ? ORDER BY idx")) {
            if (s.isWrapperFor(PGStatement.class)) {
                s.unwrap(PGStatement.class).setPrepareThreshold(-1); // bytea in binary, not as hex text
            }
            s.setFetchSize(FETCH_ROW_GROUPS);
            s.setObject(1, batch);
            s.setInt(2, rowGroups);
            int n = 0;
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    consumer.accept(rs.getInt(1), rs.getBytes(2));
                    n++;
                }
            }
            return n;
        }
    }

    public List<String[]> pendingVersions(Connection c) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT dataset_id, version FROM replica_version WHERE status = 'PENDING' ORDER BY received_at")) {
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[]{rs.getString(1), Integer.toString(rs.getInt(2))});
                }
            }
        }
        return out;
    }

    public Map<ReplicaVersion.Status, Long> countByStatus(Connection c) throws SQLException {
        Map<ReplicaVersion.Status, Long> out = new EnumMap<>(ReplicaVersion.Status.class);
        for (ReplicaVersion.Status status : ReplicaVersion.Status.values()) {
            out.put(status, 0L);
        }
        try (PreparedStatement s = c.prepareStatement("SELECT status, count(*) FROM replica_version GROUP BY status")) {
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.put(ReplicaVersion.Status.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
        }
        return out;
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<ReplicaVersion.ColumnInfo> columns(String text) {
        try {
            return json.readValue(text, new TypeReference<>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt column schema in the database", e);
        }
    }
}

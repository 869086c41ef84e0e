package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@code estimation} table. Status moves QUEUED → RUNNING → SUCCEEDED | FAILED, or from QUEUED or RUNNING to
 * CANCELLED (DELETE), and every transition out of a non-terminal state is a conditional UPDATE: a terminal row never
 * changes again, whoever else holds the command. A run handed back on shutdown goes from RUNNING back to QUEUED.
 */
@ApplicationScoped
public class EstimationRepository {

    public enum Status {
        QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

        public boolean terminal() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED;
        }
    }

    /** A cancellation: the row as stored, and the status it had before (equal to its status if it was terminal). */
    public record Cancel(Row row, Status previous) {
    }

    public record Row(String id, String idempotencyKey, String datasetId, int version, JsonNode request, Status status,
                      JsonNode result, String error, int attempts, String traceparent, Instant createdAt,
                      Instant startedAt, Instant finishedAt, Double estimatedSeconds) {

        /** The same row, its events to carry another trace context (the worker's span). */
        public Row withTraceparent(String traceparent) {
            return new Row(id, idempotencyKey, datasetId, version, request, status, result, error, attempts,
                    traceparent, createdAt, startedAt, finishedAt, estimatedSeconds);
        }
    }

    private static final String COLUMNS = "id, idempotency_key, dataset_id, version, request, status, result, error, "
            + "attempts, traceparent, created_at, started_at, finished_at, estimated_seconds";
    private static final String NON_TERMINAL = "status IN ('QUEUED', 'RUNNING')";

    @Inject
    ObjectMapper json;

    /** @return the inserted row, or empty if {@code idempotencyKey} is taken (nothing inserted) */
    public Optional<Row> insert(Connection c, String id, String idempotencyKey, String datasetId, int version,
                                JsonNode request, String traceparent, Double estimatedSeconds) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO estimation (id, idempotency_key, dataset_id, version, "
                + "request, status, traceparent, estimated_seconds) VALUES (?, ?, ?, ?, ?::jsonb, 'QUEUED', ?, ?) "
                + "ON CONFLICT (idempotency_key) DO NOTHING RETURNING " + COLUMNS)) {
            s.setString(1, id);
            s.setString(2, idempotencyKey);
            s.setString(3, datasetId);
            s.setInt(4, version);
            s.setString(5, request.toString());
            s.setString(6, traceparent);
            s.setObject(7, estimatedSeconds, java.sql.Types.DOUBLE);
            return one(s);
        }
    }

    /**
     * The estimated seconds of a command still to run (QUEUED or RUNNING), if it has an estimate: what the worker
     * classifies a command by (heavy or light, issue 24). Empty for a terminal or unknown one: a redelivered command
     * that will do nothing never waits for a heavy slot.
     */
    public Optional<Double> estimatedSecondsToRun(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT estimated_seconds FROM estimation WHERE id = ? AND "
                + NON_TERMINAL)) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getObject(1, Double.class)) : Optional.empty();
            }
        }
    }

    public Optional<Row> find(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM estimation WHERE id = ?")) {
            s.setString(1, id);
            return one(s);
        }
    }

    public Optional<Row> findByIdempotencyKey(Connection c, String key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM estimation WHERE idempotency_key = ?")) {
            s.setString(1, key);
            return one(s);
        }
    }

    /**
     * QUEUED or RUNNING (a previous holder died) → RUNNING, one more attempt, taken from {@code commandPartition} of
     * the command topic. @return empty if terminal or unknown
     */
    public Optional<Row> start(Connection c, String id, int commandPartition) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE estimation SET status = 'RUNNING', attempts = attempts + 1, "
                + "started_at = now(), command_partition = ? WHERE id = ? AND " + NON_TERMINAL + " RETURNING " + COLUMNS)) {
            s.setInt(1, commandPartition);
            s.setString(2, id);
            return one(s);
        }
    }

    /** Stores the result if the estimation is not terminal yet. @return the row as stored, or empty if it was */
    public Optional<Row> succeed(Connection c, String id, JsonNode result) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE estimation SET status = 'SUCCEEDED', result = ?::jsonb, "
                + "error = NULL, finished_at = now() WHERE id = ? AND " + NON_TERMINAL + " RETURNING " + COLUMNS)) {
            s.setString(1, result.toString());
            s.setString(2, id);
            return one(s);
        }
    }

    /** Stores the failure if the estimation is not terminal yet. @return the row as stored, or empty if it was */
    public Optional<Row> fail(Connection c, String id, String reason) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE estimation SET status = 'FAILED', error = ?, "
                + "finished_at = now() WHERE id = ? AND " + NON_TERMINAL + " RETURNING " + COLUMNS)) {
            s.setString(1, reason);
            s.setString(2, id);
            return one(s);
        }
    }

    /**
     * QUEUED or RUNNING → CANCELLED. @return the row as it is after the call and its status before (a terminal row
     * is returned unchanged), or empty if unknown
     */
    public Optional<Cancel> cancel(Connection c, String id) throws SQLException {
        Optional<Row> before;
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM estimation WHERE id = ? FOR UPDATE")) {
            s.setString(1, id);
            before = one(s);
        }
        if (before.isEmpty() || before.get().status().terminal()) {
            return before.map(r -> new Cancel(r, r.status()));
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE estimation SET status = 'CANCELLED', finished_at = now() "
                + "WHERE id = ? AND " + NON_TERMINAL + " RETURNING " + COLUMNS)) {
            s.setString(1, id);
            return Optional.of(new Cancel(one(s).orElseThrow(), before.get().status()));
        }
    }

    /** @return those of {@code ids} that are CANCELLED (one indexed look-up per id; what a worker polls) */
    public java.util.Set<String> cancelled(Connection c, java.util.Collection<String> ids) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM estimation WHERE id = ANY (?) AND status = 'CANCELLED'")) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * A run handed back (its service stopping): RUNNING → QUEUED, if it is still the run of that {@code attempt} (a
     * worker that took the command over meanwhile keeps it). @return whether the row was changed
     */
    public boolean requeue(Connection c, String id, int attempt) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE estimation SET status = 'QUEUED' "
                + "WHERE id = ? AND status = 'RUNNING' AND attempts = ?")) {
            s.setString(1, id);
            s.setInt(2, attempt);
            return s.executeUpdate() == 1;
        }
    }

    private Optional<Row> one(PreparedStatement s) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            try {
                String result = rs.getString("result");
                return Optional.of(new Row(rs.getString("id"), rs.getString("idempotency_key"), rs.getString("dataset_id"),
                        rs.getInt("version"), json.readTree(rs.getString("request")), Status.valueOf(rs.getString("status")),
                        result == null ? null : json.readTree(result), rs.getString("error"), rs.getInt("attempts"),
                        rs.getString("traceparent"), instant(rs.getTimestamp("created_at")),
                        instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("finished_at")),
                        rs.getObject("estimated_seconds", Double.class)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("stored JSON unreadable", e);
            }
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}

package io.counterfact.ingestion.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL of the dataset aggregate (datasets, batches, row groups, versions); always on the caller's connection. */
@ApplicationScoped
public class DatasetRepository {

    @Inject
    ObjectMapper json;

    /** A batch as sealing needs it. */
    public record Batch(UUID id, long rows, int rowGroups, byte[] digest) {
    }

    public void insertDataset(Connection c, String id, String name, List<ColumnSpec> columns) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO dataset (id, name, columns) VALUES (?, ?, ?::jsonb)")) {
            s.setString(1, id);
            s.setString(2, name);
            s.setString(3, toJson(columns));
            s.executeUpdate();
        }
    }

    /** @param forUpdate lock the dataset row (serialises seals of one dataset) */
    public Optional<DatasetView> find(Connection c, String id, boolean forUpdate) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT name, columns, created_at FROM dataset WHERE id = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new DatasetView(id, rs.getString(1), columns(rs.getString(2)), versions(c, id),
                        pendingRows(c, id), rs.getTimestamp(3).toInstant()));
            }
        }
    }

    public List<DatasetView> list(Connection c, int limit, String after) throws SQLException {
        List<DatasetView> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id FROM dataset WHERE id > ? ORDER BY id LIMIT ?")) {
            s.setString(1, after == null ? "" : after);
            s.setInt(2, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    find(c, rs.getString(1), false).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    public Optional<Long> rowsForIdempotencyKey(Connection c, String datasetId, String key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT rows FROM batch WHERE dataset_id = ? AND idempotency_key = ? AND digest IS NOT NULL")) {
            s.setString(1, datasetId);
            s.setString(2, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    public void insertBatch(Connection c, UUID id, String datasetId, String idempotencyKey) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO batch (id, dataset_id, rows, row_groups, idempotency_key) VALUES (?, ?, 0, 0, ?)")) {
            s.setObject(1, id);
            s.setString(2, datasetId);
            s.setString(3, idempotencyKey);
            s.executeUpdate();
        }
    }

    public void completeBatch(Connection c, UUID id, long rows, int rowGroups, byte[] digest) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE batch SET rows = ?, row_groups = ?, digest = ? WHERE id = ?")) {
            s.setLong(1, rows);
            s.setInt(2, rowGroups);
            s.setBytes(3, digest);
            s.setObject(4, id);
            s.executeUpdate();
        }
    }

    public void insertRowGroup(Connection c, UUID batch, int index, int rows, byte[] payload) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO row_group (batch_id, idx, rows, payload) VALUES (?, ?, ?, ?)")) {
            s.setObject(1, batch);
            s.setInt(2, index);
            s.setInt(3, rows);
            s.setBytes(4, payload);
            s.executeUpdate();
        }
    }

    /** Batches appended since the last seal, in append order. */
    public List<Batch> unsealedBatches(Connection c, String datasetId) throws SQLException {
        List<Batch> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT id, rows, row_groups, digest FROM batch "
                + "WHERE dataset_id = ? AND version IS NULL AND digest IS NOT NULL ORDER BY seq")) {
            s.setString(1, datasetId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new Batch((UUID) rs.getObject(1), rs.getLong(2), rs.getInt(3), rs.getBytes(4)));
                }
            }
        }
        return out;
    }

    /** Every batch of a version, in the order its rows take (the replica needs the whole list). */
    public List<Batch> batchesUpTo(Connection c, String datasetId, int version) throws SQLException {
        List<Batch> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT id, rows, row_groups, digest FROM batch "
                + "WHERE dataset_id = ? AND version <= ? ORDER BY seq")) {
            s.setString(1, datasetId);
            s.setInt(2, version);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new Batch((UUID) rs.getObject(1), rs.getLong(2), rs.getInt(3), rs.getBytes(4)));
                }
            }
        }
        return out;
    }

    public void sealBatches(Connection c, List<UUID> batches, int version) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE batch SET version = ? WHERE id = ANY (?)")) {
            s.setInt(1, version);
            s.setArray(2, c.createArrayOf("uuid", batches.toArray()));
            s.executeUpdate();
        }
    }

    public void insertVersion(Connection c, String datasetId, int version, long rows, String checksum) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO dataset_version (dataset_id, version, rows, checksum) VALUES (?, ?, ?, ?)")) {
            s.setString(1, datasetId);
            s.setInt(2, version);
            s.setLong(3, rows);
            s.setString(4, checksum);
            s.executeUpdate();
        }
    }

    private List<DatasetView.VersionView> versions(Connection c, String id) throws SQLException {
        List<DatasetView.VersionView> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT version, rows, checksum, created_at FROM dataset_version WHERE dataset_id = ? ORDER BY version")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new DatasetView.VersionView(rs.getInt(1), rs.getLong(2), rs.getString(3),
                            rs.getTimestamp(4).toInstant()));
                }
            }
        }
        return out;
    }

    private long pendingRows(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT coalesce(sum(rows), 0) FROM batch "
                + "WHERE dataset_id = ? AND version IS NULL AND digest IS NOT NULL")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<ColumnSpec> columns(String text) {
        try {
            return json.readValue(text, new TypeReference<>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt column schema in the database", e);
        }
    }
}

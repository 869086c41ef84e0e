package io.counterfact.query.estimation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the estimation views, from the query database only. */
@ApplicationScoped
public class EstimationViews {

    private static final String SELECT = "SELECT id, status, request::text AS request, estimated_seconds, result::text AS result, error, "
            + "error_field, poison, dataset_id, version, method, attempt, fraction, stage, accepted_at, started_at, "
            + "finished_at, updated_at FROM estimation_view ";

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    public Optional<EstimationView> find(String id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(SELECT + "WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(view(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read estimation " + id, e);
        }
    }

    /** A dataset's estimations, the most recently accepted first; {@code status} null for any. */
    public List<EstimationView> ofDataset(String datasetId, String status, int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(SELECT + "WHERE dataset_id = ? AND (?::text IS NULL OR status = ?) "
                     + "ORDER BY accepted_at DESC NULLS LAST, id LIMIT ?")) {
            s.setString(1, datasetId);
            s.setString(2, status);
            s.setString(3, status);
            s.setInt(4, limit);
            List<EstimationView> views = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    views.add(view(rs));
                }
            }
            return views;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the estimations of dataset " + datasetId, e);
        }
    }

    private EstimationView view(ResultSet rs) throws SQLException {
        int attempt = rs.getInt("attempt");
        boolean started = !rs.wasNull();
        double fraction = rs.getDouble("fraction");
        EstimationView.Progress progress = started
                ? new EstimationView.Progress(attempt, rs.wasNull() ? 0 : fraction, rs.getString("stage")) : null;
        int version = rs.getInt("version");
        Integer datasetVersion = rs.wasNull() ? null : version;
        double estimated = rs.getDouble("estimated_seconds");
        Double estimatedSeconds = rs.wasNull() ? null : estimated;
        return new EstimationView(rs.getString("id"), rs.getString("status"), tree(rs.getString("request")),
                estimatedSeconds, tree(rs.getString("result")), rs.getString("error"), rs.getString("error_field"),
                rs.getBoolean("poison"), rs.getString("dataset_id"), datasetVersion, rs.getString("method"), progress,
                instant(rs, "accepted_at"), instant(rs, "started_at"), instant(rs, "finished_at"),
                instant(rs, "updated_at"));
    }

    private JsonNode tree(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable JSON in the views", e);
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}

package io.counterfact.query.estimation;

import com.fasterxml.jackson.databind.JsonNode;
import io.counterfact.common.events.EventTypes;
import io.counterfact.query.consumer.Event;
import io.counterfact.query.consumer.EventHandler;
import io.counterfact.query.consumer.Instants;
import io.counterfact.query.stream.ViewChanges;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/**
 * EstimationFailed v1 → FAILED with the reason (and the field at fault, and whether the command itself was poison).
 * As for a success, the first terminal event wins.
 */
@ApplicationScoped
public class EstimationFailedHandler implements EventHandler {

    @Override
    public String type() {
        return EventTypes.ESTIMATION_FAILED;
    }

    @Override
    public int schemaVersion() {
        return 1;
    }

    @Override
    public void apply(Connection c, Event event) throws SQLException {
        String id = event.requireSubject("estimationId");
        JsonNode data = event.data();
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO estimation_view AS v (id, dataset_id, version, status, status_rank, error, error_field,
                                                  poison, attempt, finished_at, updated_at)
                VALUES (?, ?, ?, 'FAILED', 2, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    dataset_id = COALESCE(EXCLUDED.dataset_id, v.dataset_id),
                    version = COALESCE(EXCLUDED.version, v.version),
                    status = 'FAILED',
                    status_rank = 2,
                    error = EXCLUDED.error,
                    error_field = EXCLUDED.error_field,
                    poison = EXCLUDED.poison,
                    attempt = GREATEST(v.attempt, EXCLUDED.attempt),
                    finished_at = EXCLUDED.finished_at,
                    updated_at = GREATEST(v.updated_at, EXCLUDED.updated_at),
                    events_applied = v.events_applied + 1
                WHERE v.status_rank < 2""")) {
            s.setString(1, id);
            s.setString(2, data.hasNonNull("datasetId") ? data.get("datasetId").asText() : null);
            if (data.hasNonNull("version")) {
                s.setInt(3, data.get("version").asInt());
            } else {
                s.setNull(3, Types.INTEGER);
            }
            s.setString(4, event.text("reason"));
            s.setString(5, data.hasNonNull("field") ? data.get("field").asText() : null);
            s.setBoolean(6, data.path("poison").asBoolean(false));
            s.setInt(7, data.path("attempt").asInt(0));
            s.setObject(8, Instants.utc(event.instant("failedAt")));
            s.setObject(9, Instants.utc(event.time()));
            if (s.executeUpdate() == 1) {
                ViewChanges.estimation(c, id);
            }
        }
    }
}

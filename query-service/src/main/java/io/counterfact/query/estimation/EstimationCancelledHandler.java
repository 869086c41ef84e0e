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
 * EstimationCancelled v1 → CANCELLED (terminal). As for a success or a failure, the first terminal event wins: a
 * cancellation that lost the race to a result (the command side refuses it then, so this is a replay's corner) does
 * not overwrite it, and a progress event of the stopped run that arrives after it does not move the view back.
 */
@ApplicationScoped
public class EstimationCancelledHandler implements EventHandler {

    @Override
    public String type() {
        return EventTypes.ESTIMATION_CANCELLED;
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
                INSERT INTO estimation_view AS v (id, dataset_id, version, status, status_rank, attempt, finished_at,
                                                  updated_at)
                VALUES (?, ?, ?, 'CANCELLED', 2, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    dataset_id = COALESCE(EXCLUDED.dataset_id, v.dataset_id),
                    version = COALESCE(EXCLUDED.version, v.version),
                    status = 'CANCELLED',
                    status_rank = 2,
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
            int attempt = data.path("attempt").asInt(0);
            if (attempt > 0) {
                s.setInt(4, attempt);
            } else {
                s.setNull(4, Types.INTEGER); // cancelled while QUEUED: no worker's attempt to show
            }
            s.setObject(5, Instants.utc(event.instant("cancelledAt")));
            s.setObject(6, Instants.utc(event.time()));
            if (s.executeUpdate() == 1) {
                ViewChanges.estimation(c, id);
            }
        }
    }
}

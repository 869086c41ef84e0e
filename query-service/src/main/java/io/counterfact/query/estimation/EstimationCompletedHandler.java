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
import java.time.OffsetDateTime;

/**
 * EstimationCompleted v1 → SUCCEEDED with the full result, and the dataset overview's latest estimate for the
 * result's method. estimation-service publishes one terminal event per estimation; should a second one ever arrive
 * (it would contradict the first), the first stays: a terminal view never changes.
 */
@ApplicationScoped
public class EstimationCompletedHandler implements EventHandler {

    @Override
    public String type() {
        return EventTypes.ESTIMATION_COMPLETED;
    }

    @Override
    public int schemaVersion() {
        return 1;
    }

    @Override
    public void apply(Connection c, Event event) throws SQLException {
        String id = event.requireSubject("estimationId");
        JsonNode data = event.data();
        JsonNode result = data.get("result");
        String datasetId = event.text("datasetId");
        int version = data.get("version").asInt();
        OffsetDateTime completedAt = Instants.utc(event.instant("completedAt"));
        OffsetDateTime startedAt = data.hasNonNull("startedAt") ? Instants.utc(event.instant("startedAt")) : null;
        int applied;
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO estimation_view AS v (id, dataset_id, version, method, status, status_rank, result,
                                                  attempt, fraction, stage, started_at, finished_at, updated_at)
                VALUES (?, ?, ?, ?, 'SUCCEEDED', 2, ?::jsonb, ?, 1, 'done', ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    dataset_id = EXCLUDED.dataset_id,
                    version = EXCLUDED.version,
                    method = COALESCE(v.method, EXCLUDED.method),
                    status = 'SUCCEEDED',
                    status_rank = 2,
                    result = EXCLUDED.result,
                    attempt = EXCLUDED.attempt,
                    fraction = 1,
                    stage = 'done',
                    started_at = COALESCE(EXCLUDED.started_at, v.started_at),
                    finished_at = EXCLUDED.finished_at,
                    updated_at = GREATEST(v.updated_at, EXCLUDED.updated_at),
                    events_applied = v.events_applied + 1
                WHERE v.status_rank < 2""")) {
            s.setString(1, id);
            s.setString(2, datasetId);
            s.setInt(3, version);
            s.setString(4, result.path("method").asText(null));
            s.setString(5, result.toString());
            s.setInt(6, data.get("attempt").asInt());
            s.setObject(7, startedAt);
            s.setObject(8, completedAt);
            s.setObject(9, Instants.utc(event.time()));
            applied = s.executeUpdate();
        }
        if (applied == 0) {
            return; // already terminal: neither the view nor the overview takes a second verdict
        }
        // The overview's forest plot: per (dataset, method) the estimate completed last, ties broken by id, so that
        // the outcome does not depend on the order the events are applied in.
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO estimate_view AS e (dataset_id, method, estimation_id, version, estimand, result,
                                                completed_at)
                VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)
                ON CONFLICT (dataset_id, method) DO UPDATE SET
                    estimation_id = EXCLUDED.estimation_id,
                    version = EXCLUDED.version,
                    estimand = EXCLUDED.estimand,
                    result = EXCLUDED.result,
                    completed_at = EXCLUDED.completed_at
                WHERE (EXCLUDED.completed_at, EXCLUDED.estimation_id) > (e.completed_at, e.estimation_id)""")) {
            s.setString(1, datasetId);
            s.setString(2, result.path("method").asText());
            s.setString(3, id);
            s.setInt(4, version);
            s.setString(5, result.path("estimand").asText(null));
            s.setString(6, result.toString());
            s.setObject(7, completedAt);
            s.executeUpdate();
        }
        ViewChanges.estimation(c, id);
        ViewChanges.dataset(c, datasetId);
    }
}

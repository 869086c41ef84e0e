package io.counterfact.query.estimation;

import io.counterfact.common.events.EventTypes;
import io.counterfact.query.consumer.Event;
import io.counterfact.query.consumer.EventHandler;
import io.counterfact.query.consumer.Instants;
import io.counterfact.query.stream.ViewChanges;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * EstimationAccepted v1 → a QUEUED estimation with its request and its estimated seconds (optional). Seen after a later event (a replay, a redelivery), it
 * only fills in the request and the acceptance time: the status never moves back.
 */
@ApplicationScoped
public class EstimationAcceptedHandler implements EventHandler {

    @Override
    public String type() {
        return EventTypes.ESTIMATION_ACCEPTED;
    }

    @Override
    public int schemaVersion() {
        return 1;
    }

    @Override
    public void apply(Connection c, Event event) throws SQLException {
        String id = event.requireSubject("estimationId");
        String datasetId = event.text("datasetId");
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO estimation_view AS v (id, dataset_id, version, method, status, status_rank, request,
                                                  accepted_at, updated_at, estimated_seconds)
                VALUES (?, ?, ?, ?, 'QUEUED', 0, ?::jsonb, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    dataset_id = EXCLUDED.dataset_id,
                    version = EXCLUDED.version,
                    method = EXCLUDED.method,
                    request = EXCLUDED.request,
                    accepted_at = EXCLUDED.accepted_at,
                    estimated_seconds = EXCLUDED.estimated_seconds,
                    updated_at = GREATEST(v.updated_at, EXCLUDED.updated_at),
                    events_applied = v.events_applied + 1""")) {
            s.setString(1, id);
            s.setString(2, datasetId);
            s.setInt(3, event.data().get("version").asInt());
            s.setString(4, event.data().get("request").path("method").asText(null));
            s.setString(5, event.data().get("request").toString());
            s.setObject(6, Instants.utc(event.instant("acceptedAt")));
            s.setObject(7, Instants.utc(event.time()));
            // optional (issue 24): absent from events published before the cost was estimated
            com.fasterxml.jackson.databind.JsonNode estimated = event.data().get("estimatedSeconds");
            s.setObject(8, estimated == null || !estimated.isNumber() ? null : estimated.asDouble(), java.sql.Types.DOUBLE);
            s.executeUpdate();
        }
        ViewChanges.estimation(c, id);
    }
}

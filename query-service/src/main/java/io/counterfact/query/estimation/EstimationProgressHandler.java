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
 * EstimationProgress v1 → RUNNING, with the attempt's fraction and stage. A progress event moves the view only
 * forward: never out of a terminal status, never to an earlier attempt, never to a smaller fraction of the same
 * attempt. A new attempt (another worker took the command over after the first died) starts again from its own
 * fraction and start time.
 */
@ApplicationScoped
public class EstimationProgressHandler implements EventHandler {

    @Override
    public String type() {
        return EventTypes.ESTIMATION_PROGRESS;
    }

    @Override
    public int schemaVersion() {
        return 1;
    }

    @Override
    public void apply(Connection c, Event event) throws SQLException {
        String id = event.requireSubject("estimationId");
        // "ahead": this event is of the view's attempt or a later one, and not behind it within the attempt
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO estimation_view AS v (id, status, status_rank, attempt, fraction, stage, started_at,
                                                  updated_at)
                VALUES (?, 'RUNNING', 1, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    status = CASE WHEN v.status_rank <= 1 THEN 'RUNNING' ELSE v.status END,
                    status_rank = GREATEST(v.status_rank, 1),
                    fraction = CASE WHEN v.status_rank <= 1 AND (EXCLUDED.attempt, EXCLUDED.fraction)
                                         >= (COALESCE(v.attempt, 0), COALESCE(v.fraction, 0))
                                    THEN EXCLUDED.fraction ELSE v.fraction END,
                    stage = CASE WHEN v.status_rank <= 1 AND (EXCLUDED.attempt, EXCLUDED.fraction)
                                      >= (COALESCE(v.attempt, 0), COALESCE(v.fraction, 0))
                                 THEN EXCLUDED.stage ELSE v.stage END,
                    started_at = CASE WHEN v.status_rank = 2 THEN v.started_at
                                      WHEN v.attempt IS NULL OR EXCLUDED.attempt > v.attempt THEN EXCLUDED.started_at
                                      WHEN EXCLUDED.attempt = v.attempt THEN LEAST(v.started_at, EXCLUDED.started_at)
                                      ELSE v.started_at END,
                    attempt = CASE WHEN v.status_rank <= 1 THEN GREATEST(v.attempt, EXCLUDED.attempt)
                                   ELSE v.attempt END,
                    updated_at = GREATEST(v.updated_at, EXCLUDED.updated_at),
                    events_applied = v.events_applied + 1""")) {
            s.setString(1, id);
            s.setInt(2, event.data().get("attempt").asInt());
            s.setDouble(3, event.data().get("fraction").asDouble());
            s.setString(4, event.text("stage"));
            s.setObject(5, Instants.utc(event.instant("at")));
            s.setObject(6, Instants.utc(event.time()));
            s.executeUpdate();
        }
        ViewChanges.estimation(c, id);
    }
}

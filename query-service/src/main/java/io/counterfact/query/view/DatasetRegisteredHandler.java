package io.counterfact.query.view;

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
 * DatasetRegistered v1 → a catalog entry without versions. If a version of the dataset was seen first (events of
 * one aggregate may be replayed or redelivered out of order), only the registration time is taken: the entry keeps
 * its latest version, and the name and columns that version carried.
 */
@ApplicationScoped
public class DatasetRegisteredHandler implements EventHandler {

    @Override
    public String type() {
        return EventTypes.DATASET_REGISTERED;
    }

    @Override
    public int schemaVersion() {
        return 1;
    }

    @Override
    public void apply(Connection c, Event event) throws SQLException {
        event.requireSubject("datasetId");
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO dataset_view AS d (id, name, columns, created_at, updated_at)
                VALUES (?, ?, ?::jsonb, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    name = CASE WHEN d.latest_version IS NULL THEN EXCLUDED.name ELSE d.name END,
                    columns = CASE WHEN d.latest_version IS NULL THEN EXCLUDED.columns ELSE d.columns END,
                    created_at = LEAST(d.created_at, EXCLUDED.created_at),
                    updated_at = GREATEST(d.updated_at, EXCLUDED.updated_at),
                    events_applied = d.events_applied + 1""")) {
            s.setString(1, event.subject());
            s.setString(2, event.text("name"));
            s.setString(3, event.data().get("columns").toString());
            s.setObject(4, Instants.utc(event.instant("createdAt")));
            s.setObject(5, Instants.utc(event.time()));
            s.executeUpdate();
        }
        ViewChanges.dataset(c, event.subject());
    }
}

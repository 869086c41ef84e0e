package io.counterfact.query.view;

import io.counterfact.common.events.EventTypes;
import io.counterfact.query.consumer.Event;
import io.counterfact.query.consumer.EventHandler;
import io.counterfact.query.consumer.Instants;
import io.counterfact.query.consumer.PoisonEventException;
import io.counterfact.query.stream.ViewChanges;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * DatasetVersionCommitted v1 → the version in the dataset's overview, and the catalog entry's latest version if it
 * is the highest seen. The event carries the dataset's name and columns, so it creates the catalog entry if the
 * registration was never seen; an older version arriving late (a replay, a redelivery) adds itself to the versions
 * but never lowers {@code latest_version}. Versions are immutable: the same version with another checksum or row
 * count contradicts what the views hold and is dead-lettered.
 */
@ApplicationScoped
public class DatasetVersionCommittedHandler implements EventHandler {

    @Override
    public String type() {
        return EventTypes.DATASET_VERSION_COMMITTED;
    }

    @Override
    public int schemaVersion() {
        return 1;
    }

    @Override
    public void apply(Connection c, Event event) throws SQLException {
        event.requireSubject("datasetId");
        int version = event.data().get("version").asInt();
        long rows = event.data().get("rows").asLong();
        String checksum = event.text("checksum");
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO dataset_view AS d (id, name, columns, latest_version, rows, checksum, updated_at)
                VALUES (?, ?, ?::jsonb, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    name = CASE WHEN d.latest_version IS NULL OR EXCLUDED.latest_version > d.latest_version
                                THEN EXCLUDED.name ELSE d.name END,
                    columns = CASE WHEN d.latest_version IS NULL OR EXCLUDED.latest_version > d.latest_version
                                   THEN EXCLUDED.columns ELSE d.columns END,
                    rows = CASE WHEN d.latest_version IS NULL OR EXCLUDED.latest_version > d.latest_version
                                THEN EXCLUDED.rows ELSE d.rows END,
                    checksum = CASE WHEN d.latest_version IS NULL OR EXCLUDED.latest_version > d.latest_version
                                    THEN EXCLUDED.checksum ELSE d.checksum END,
                    latest_version = GREATEST(d.latest_version, EXCLUDED.latest_version),
                    updated_at = GREATEST(d.updated_at, EXCLUDED.updated_at),
                    events_applied = d.events_applied + 1""")) {
            s.setString(1, event.subject());
            s.setString(2, event.text("name"));
            s.setString(3, event.data().get("columns").toString());
            s.setInt(4, version);
            s.setLong(5, rows);
            s.setString(6, checksum);
            s.setObject(7, Instants.utc(event.time()));
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO dataset_version_view (dataset_id, version, rows, checksum, committed_at)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT (dataset_id, version) DO NOTHING""")) {
            s.setString(1, event.subject());
            s.setInt(2, version);
            s.setLong(3, rows);
            s.setString(4, checksum);
            s.setObject(5, Instants.utc(event.instant("committedAt")));
            if (s.executeUpdate() == 1) {
                ViewChanges.dataset(c, event.subject()); // last: see ViewChanges
                return;
            }
        }
        try (PreparedStatement s = c.prepareStatement(
                "SELECT rows, checksum FROM dataset_version_view WHERE dataset_id = ? AND version = ?")) {
            s.setString(1, event.subject());
            s.setInt(2, version);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                if (rs.getLong(1) != rows || !rs.getString(2).equals(checksum)) {
                    throw new PoisonEventException("version " + version + " of dataset " + event.subject()
                            + " is already known with " + rs.getLong(1) + " rows and checksum " + rs.getString(2)
                            + "; event " + event.id() + " says " + rows + " rows and checksum " + checksum);
                }
            }
        }
        ViewChanges.dataset(c, event.subject());
    }
}

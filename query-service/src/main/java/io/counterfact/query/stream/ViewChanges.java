package io.counterfact.query.stream;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Announces a view change with PostgreSQL's {@code NOTIFY}, inside the transaction that made it: PostgreSQL delivers
 * the notification only if, and once, that transaction commits, to every query-service pod listening
 * ({@link ViewChangeListener}). So a pod streams the changes that any pod applied, never one that was rolled back,
 * and a client that reads the view on hearing of a change finds it there. The payload is small (PostgreSQL caps it
 * at 8000 bytes): what changed and its new status; the view itself is one GET away.
 */
public final class ViewChanges {

    public static final String CHANNEL = "counterfact_views";

    private ViewChanges() {
    }

    /** The estimation view {@code id} changed: its status and progress as they now are. */
    public static void estimation(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                SELECT pg_notify(?, json_build_object('kind', 'estimation', 'id', id, 'datasetId', dataset_id,
                                                      'status', status, 'fraction', fraction)::text)
                FROM estimation_view WHERE id = ?""")) {
            s.setString(1, CHANNEL);
            s.setString(2, id);
            s.execute();
        }
    }

    /** The dataset's catalog entry or overview changed (a version, or a latest estimate). */
    public static void dataset(Connection c, String datasetId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT pg_notify(?, json_build_object('kind', 'dataset', 'id', ?::text, 'datasetId', ?::text)::text)")) {
            s.setString(1, CHANNEL);
            s.setString(2, datasetId);
            s.setString(3, datasetId);
            s.execute();
        }
    }
}

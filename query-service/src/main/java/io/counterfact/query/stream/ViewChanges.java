package io.counterfact.query.stream;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Records a view change inside the transaction that made it: a row of {@code view_change} (its {@code seq} is the
 * event id clients resume from) and a PostgreSQL {@code NOTIFY}, which PostgreSQL delivers only if, and once, that
 * transaction commits, to every query-service pod listening ({@link ViewChangeListener}). So a pod streams the
 * changes that any pod applied, never one that was rolled back, and a client that reads the view on hearing of a
 * change finds it there. The payload is small (PostgreSQL caps it at 8000 bytes): what changed and its new status;
 * the view itself is one GET away.
 *
 * <p>Call these last in a transaction: the advisory lock they take (so that {@code seq} order is commit order, see
 * V3__view_changes.sql) is held until commit, and holding it while waiting for a row lock could deadlock.
 */
public final class ViewChanges {

    public static final String CHANNEL = "counterfact_views";

    /** The advisory lock key that orders view changes (any constant that no other code uses). */
    private static final long ORDER_LOCK = 0x636f756e74657266L;

    private static final String NOTIFY = """
            SELECT pg_notify(?, json_build_object('seq', seq, 'kind', kind, 'id', id, 'datasetId', dataset_id,
                                                  'status', status, 'fraction', fraction)::text)
            FROM change""";

    private ViewChanges() {
    }

    /** The estimation view {@code id} changed: its status and progress as they now are. */
    public static void estimation(Connection c, String id) throws SQLException {
        lockOrder(c);
        try (PreparedStatement s = c.prepareStatement("""
                WITH change AS (
                    INSERT INTO view_change (kind, id, dataset_id, status, fraction)
                    SELECT 'estimation', id, dataset_id, status, fraction FROM estimation_view WHERE id = ?
                    RETURNING seq, kind, id, dataset_id, status, fraction)
                """ + NOTIFY)) {
            s.setString(1, id);
            s.setString(2, CHANNEL);
            s.execute();
        }
    }

    /** The dataset's catalog entry or overview changed (a version, or a latest estimate). */
    public static void dataset(Connection c, String datasetId) throws SQLException {
        lockOrder(c);
        try (PreparedStatement s = c.prepareStatement("""
                WITH change AS (
                    INSERT INTO view_change (kind, id, dataset_id) VALUES ('dataset', ?, ?)
                    RETURNING seq, kind, id, dataset_id, status, fraction)
                """ + NOTIFY)) {
            s.setString(1, datasetId);
            s.setString(2, datasetId);
            s.setString(3, CHANNEL);
            s.execute();
        }
    }

    private static void lockOrder(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            s.setLong(1, ORDER_LOCK);
            s.execute();
        }
    }
}

package io.counterfact.query.stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Reads and prunes {@code view_change}: the recorded changes streams resume from (see V3__view_changes.sql). */
@ApplicationScoped
public class ViewChangeLog {

    @Inject
    DataSource dataSource;

    /** Up to {@code limit} changes after {@code seq}, oldest first. */
    public List<ViewChange> after(long seq, int limit) throws SQLException {
        return read("SELECT seq, kind, id, dataset_id, status, fraction FROM view_change WHERE seq > ? ORDER BY seq "
                + "LIMIT ?", seq, limit);
    }

    /** The newest {@code limit} changes, oldest first. */
    public List<ViewChange> tail(int limit) throws SQLException {
        List<ViewChange> newestFirst = read("SELECT seq, kind, id, dataset_id, status, fraction FROM view_change "
                + "WHERE seq > ? ORDER BY seq DESC LIMIT ?", 0, limit);
        List<ViewChange> oldestFirst = new ArrayList<>(newestFirst.size());
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            oldestFirst.add(newestFirst.get(i));
        }
        return oldestFirst;
    }

    /** The seq of the oldest change still kept, if any. */
    public OptionalLong oldest() throws SQLException {
        return seq("SELECT min(seq) FROM view_change");
    }

    /** The seq of the newest change kept, if any. */
    public OptionalLong newest() throws SQLException {
        return seq("SELECT max(seq) FROM view_change");
    }

    private OptionalLong seq(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(sql);
             ResultSet rs = s.executeQuery()) {
            rs.next();
            long seq = rs.getLong(1);
            return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(seq);
        }
    }

    /** Deletes the changes older than {@code retention}; returns how many. */
    public int prune(Duration retention) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "DELETE FROM view_change WHERE changed_at < now() - make_interval(secs => ?)")) {
            s.setDouble(1, retention.toMillis() / 1000.0);
            return s.executeUpdate();
        }
    }

    private List<ViewChange> read(String sql, long seq, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, seq);
            s.setInt(2, limit);
            List<ViewChange> changes = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    double fraction = rs.getDouble(6);
                    Double maybeFraction = rs.wasNull() ? null : fraction;
                    changes.add(new ViewChange(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), maybeFraction));
                }
            }
            return changes;
        }
    }

}

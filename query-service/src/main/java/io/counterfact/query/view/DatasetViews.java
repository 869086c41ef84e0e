package io.counterfact.query.view;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the views, from the query database only. */
@ApplicationScoped
public class DatasetViews {

    private static final TypeReference<List<Column>> COLUMNS = new TypeReference<>() {
    };
    private static final String ITEM = "SELECT id, name, latest_version, rows, checksum, columns::text AS columns, "
            + "created_at, updated_at FROM dataset_view ";

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    /**
     * Keyset paging in id order (byte-wise): stable while entries are added.
     *
     * @param after the last id of the previous page, or null for the first page
     */
    public CatalogPage catalog(String after, int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(ITEM + "WHERE id > ? ORDER BY id LIMIT ?")) {
            s.setString(1, after == null ? "" : after);
            s.setInt(2, limit + 1);
            List<CatalogItem> items = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    items.add(item(rs));
                }
            }
            if (items.size() <= limit) {
                return new CatalogPage(items, null);
            }
            List<CatalogItem> page = List.copyOf(items.subList(0, limit));
            return new CatalogPage(page, page.get(limit - 1).id());
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the catalog", e);
        }
    }

    public Optional<DatasetOverview> overview(String id) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (var s = c.createStatement()) { // one snapshot for the three reads
                    s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                CatalogItem item;
                try (PreparedStatement s = c.prepareStatement(ITEM + "WHERE id = ?")) {
                    s.setString(1, id);
                    try (ResultSet rs = s.executeQuery()) {
                        if (!rs.next()) {
                            return Optional.empty();
                        }
                        item = item(rs);
                    }
                }
                DatasetOverview overview = new DatasetOverview(item.id(), item.name(), item.latestVersion(),
                        item.rows(), item.checksum(), item.columns(), item.createdAt(), item.updatedAt(),
                        versions(c, id), latestEstimates(c, id));
                return Optional.of(overview);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the overview of " + id, e);
        }
    }

    private static List<VersionItem> versions(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT version, rows, checksum, committed_at "
                + "FROM dataset_version_view WHERE dataset_id = ? ORDER BY version")) {
            s.setString(1, id);
            List<VersionItem> versions = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    versions.add(new VersionItem(rs.getInt(1), rs.getLong(2), rs.getString(3), instant(rs, 4)));
                }
            }
            return versions;
        }
    }

    /** The latest succeeded estimate per method (estimate_view, from the estimation events). */
    private List<LatestEstimate> latestEstimates(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT method, estimation_id, version, estimand, completed_at, "
                + "result::text FROM estimate_view WHERE dataset_id = ? ORDER BY method")) {
            s.setString(1, id);
            List<LatestEstimate> estimates = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    estimates.add(new LatestEstimate(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                            instant(rs, 5), parse(rs.getString(6), JsonNode.class)));
                }
            }
            return estimates;
        }
    }

    private CatalogItem item(ResultSet rs) throws SQLException {
        int latest = rs.getInt("latest_version");
        Integer latestVersion = rs.wasNull() ? null : latest;
        return new CatalogItem(rs.getString("id"), rs.getString("name"), latestVersion,
                rs.getLong("rows"), rs.getString("checksum"), parse(rs.getString("columns"), COLUMNS),
                instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private <T> T parse(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable JSON in the views", e);
        }
    }

    private <T> T parse(String text, TypeReference<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable JSON in the views", e);
        }
    }
}

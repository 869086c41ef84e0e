package io.counterfact.query.view;

import java.time.Instant;
import java.util.List;

/**
 * One dataset in the catalog. {@code latestVersion} is null and {@code rows} 0 until a version is committed;
 * {@code rows} and {@code checksum} are those of the latest version; {@code createdAt} is null until the
 * registration event is seen; {@code updatedAt} is the time of the newest event applied.
 */
public record CatalogItem(String id, String name, Integer latestVersion, long rows, String checksum,
                          List<Column> columns, Instant createdAt, Instant updatedAt) {
}

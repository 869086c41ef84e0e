package io.counterfact.query.view;

import java.time.Instant;
import java.util.List;

/**
 * A dataset's overview: the catalog fields, every version (ascending), and the latest estimate per method
 * ({@code latestEstimates}: the estimate completed last, per method).
 */
public record DatasetOverview(String id, String name, Integer latestVersion, long rows, String checksum,
                              List<Column> columns, Instant createdAt, Instant updatedAt, List<VersionItem> versions,
                              List<LatestEstimate> latestEstimates) {
}

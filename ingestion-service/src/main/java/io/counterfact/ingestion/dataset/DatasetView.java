package io.counterfact.ingestion.dataset;

import java.time.Instant;
import java.util.List;

/** A dataset as {@code GET /api/datasets/{id}} answers it. */
public record DatasetView(String id, String name, List<ColumnSpec> columns, List<VersionView> versions,
                          long pendingRows, Instant createdAt) {

    /** A sealed, immutable version. */
    public record VersionView(int version, long rows, String checksum, Instant createdAt) {
    }
}

package io.counterfact.query.view;

import java.time.Instant;

/** A committed (sealed, immutable) version of a dataset. */
public record VersionItem(int version, long rows, String checksum, Instant committedAt) {
}

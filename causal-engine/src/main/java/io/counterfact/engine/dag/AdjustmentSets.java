package io.counterfact.engine.dag;

import java.util.List;

/**
 * Backdoor adjustment sets over the observed nodes, each sorted by name; lists sorted by size,
 * then by name. {@code minimal} empty: no adjustment set exists; {@code [[]]}: the empty set
 * suffices. {@code all} stops at the limit (1,000 in an analysis) or at the analysis's time budget,
 * with {@code allTruncated} set and {@code truncatedBy} ({@code "count"} or {@code "time"}) saying
 * which; {@code minimalTruncatedBy} is non-null in the rare case that the minimal sets could not all
 * be listed (more than 1,000, or the time budget; one set is always listed when any exists).
 */
public record AdjustmentSets(List<List<String>> minimal, List<List<String>> all, boolean allTruncated,
                             String truncatedBy, String minimalTruncatedBy) {

    public AdjustmentSets {
        minimal = List.copyOf(minimal);
        all = List.copyOf(all);
    }

    public AdjustmentSets(List<List<String>> minimal, List<List<String>> all, boolean allTruncated) {
        this(minimal, all, allTruncated, allTruncated ? "count" : null, null);
    }
}

package io.counterfact.engine.dag;

import java.util.List;

/**
 * Backdoor adjustment sets over the observed nodes, each sorted by name; lists sorted by size,
 * then by name. {@code minimal} empty: no adjustment set exists; {@code [[]]}: the empty set
 * suffices. {@code all} stops at the limit (1,000 in an analysis), with {@code allTruncated} set.
 */
public record AdjustmentSets(List<List<String>> minimal, List<List<String>> all, boolean allTruncated) {

    public AdjustmentSets {
        minimal = List.copyOf(minimal);
        all = List.copyOf(all);
    }
}

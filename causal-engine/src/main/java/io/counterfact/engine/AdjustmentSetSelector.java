package io.counterfact.engine;

import java.util.List;
import java.util.Set;

/**
 * Picks the adjustment set of an estimation from its {@code dag}: the seam through which the DAG
 * analysis joins {@link CausalEngine}. Needs no data, so the engine calls it at validation time too.
 */
@FunctionalInterface
public interface AdjustmentSetSelector {

    /**
     * A minimal backdoor adjustment set for treatment → outcome, made of observed columns.
     *
     * @param dag      the request's {@code dag} text (dagitty or JSON)
     * @param columns  the dataset's columns (the observed nodes)
     * @throws InvalidSpecException naming {@code dag} when the DAG is invalid or no adjustment set exists
     */
    List<String> select(String dag, String treatment, String outcome, Set<String> columns);
}

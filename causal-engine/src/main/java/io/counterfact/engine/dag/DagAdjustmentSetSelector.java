package io.counterfact.engine.dag;

import io.counterfact.engine.AdjustmentSetSelector;
import io.counterfact.engine.InvalidSpecException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Picks an estimation's covariates from its {@code dag}: the smallest minimal backdoor adjustment
 * set (ties broken by name), where a node that is not a column of the dataset counts as
 * unobserved, so it is never chosen and, when it confounds, makes other sets necessary or
 * identification impossible. Errors name the {@code dag} field.
 */
public final class DagAdjustmentSetSelector implements AdjustmentSetSelector {

    @Override
    public List<String> select(String dag, String treatment, String outcome, Set<String> columns) {
        Dag parsed = DagParser.parse(dag);
        for (String[] role : new String[][]{{"treatment", treatment}, {"outcome", outcome}}) {
            if (!parsed.contains(role[1])) {
                throw new InvalidSpecException("dag", "The " + role[0] + " column '" + role[1]
                        + "' is not a node of the dag; name the dag's nodes after the dataset's columns");
            }
            if (parsed.isLatent(role[1])) {
                throw new InvalidSpecException("dag", "The " + role[0] + " '" + role[1] + "' is marked latent in the dag");
            }
        }
        List<String> unobserved = new ArrayList<>();
        for (String v : parsed.observedNodes()) {
            if (!columns.contains(v)) {
                unobserved.add(v);
            }
        }
        Dag observedAsData = parsed.withLatent(unobserved);
        Optional<List<String>> set = DagAnalyzer.smallestAdjustmentSet(observedAsData, treatment, outcome);
        if (set.isEmpty()) {
            throw new InvalidSpecException("dag", "The dag admits no backdoor adjustment set for " + treatment + " -> "
                    + outcome + " among the dataset's columns"
                    + (unobserved.isEmpty() ? "" : " (not in the dataset: " + String.join(", ", unobserved) + ")")
                    + "; an instrument (wald, 2sls) or a front-door analysis may identify the effect");
        }
        return set.get();
    }
}

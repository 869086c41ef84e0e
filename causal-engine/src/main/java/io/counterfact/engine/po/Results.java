package io.counterfact.engine.po;

import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationResult.Coefficient;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.Intervals;
import io.counterfact.engine.Options;
import io.counterfact.engine.data.DesignMatrix;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Assembles a result with a normal-theory CI (every potential-outcomes method but regression). */
final class Results {

    final Map<String, Object> diagnostics = new LinkedHashMap<>();
    final List<String> warnings = new ArrayList<>();
    List<Coefficient> coefficients = List.of();

    EstimationResult normal(EstimationSpec spec, Options options, DesignMatrix dm, int n, double estimate, double se) {
        double level = options.confidenceLevel();
        double[] ci = Intervals.normal(estimate, se, level);
        return build(spec, dm, n, estimate, se, ci, level);
    }

    EstimationResult build(EstimationSpec spec, DesignMatrix dm, int n, double estimate, double se, double[] ci,
                           double level) {
        return new EstimationResult(spec.method(), spec.estimand(), estimate, se, ci[0], ci[1], level, n,
                dm.nDropped(), dm.covariateNames(), coefficients, diagnostics, warnings);
    }
}

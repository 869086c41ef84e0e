package io.counterfact.engine.po;

import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.Options;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.data.DesignMatrix;

/**
 * The first step every propensity-based estimator (ipw, aipw, matching) takes: the design with a binary treatment,
 * the fitted propensity score, and which rows the {@code trim} option keeps ({@code null}: all of them).
 */
record PropensityStep(DesignMatrix dm, Propensity ps, boolean[] keep) {

    /**
     * @param fractionDone the progress to report once the score is fitted (the rest of the estimator's work follows)
     */
    static PropensityStep fit(DataFrame data, EstimationSpec spec, Options options, ProgressListener progress,
                              double fractionDone, String method) {
        // the propensity fit reports collinear covariates itself (naming them), before any other model
        DesignMatrix dm = DesignMatrix.builder(data).treatment(spec.treatment(), true, method)
                .outcome(spec.outcome()).covariates(spec.covariates()).rankCheckedByModels().build();
        Propensity ps = Propensity.estimate(dm);
        progress.onProgress(fractionDone, "propensity");
        double epsilon = options.number(PoOptions.TRIM);
        boolean[] keep = epsilon > 0 ? Overlap.keep(ps.scores(), dm.treatment(), epsilon) : null;
        return new PropensityStep(dm, ps, keep);
    }
}

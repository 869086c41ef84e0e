package io.counterfact.engine.po;

import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.Estimator;
import io.counterfact.engine.OptionSpec;
import io.counterfact.engine.Options;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.data.DesignMatrix;

import java.util.List;
import java.util.Map;

/**
 * Inverse probability weighting with a logistic propensity: normalised (Hajek) or Horvitz-Thompson
 * weights, ATE/ATT/ATC, the SE by M-estimation (accounting for the estimated propensity) or with
 * the propensity taken as known, and optional trimming. See {@link IpwCalculation} for the formulas.
 */
public final class InverseProbabilityWeighting implements Estimator {

    public static final String METHOD = "ipw";

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public List<String> estimands() {
        return List.of("ATE", "ATT", "ATC");
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.choice("se", "m-estimation", "known-propensity"),
                OptionSpec.choice("weights", "normalized", "horvitz-thompson"),
                PoOptions.trim());
    }

    @Override
    public void validate(Map<String, ColumnType> schema, EstimationSpec spec, Options options) {
        PoValidation.noIvFields(spec);
    }

    @Override
    public EstimationResult estimate(DataFrame data, EstimationSpec spec, Options options, ProgressListener progress) {
        PropensityStep step = PropensityStep.fit(data, spec, options, progress, 0.6, METHOD);
        DesignMatrix dm = step.dm();
        Propensity ps = step.ps();
        double[] e = ps.scores();
        double[] t = dm.treatment();
        boolean[] keep = step.keep();
        boolean hajek = "normalized".equals(options.string("weights"));
        IpwCalculation.Estimate est = IpwCalculation.compute(dm.outcome(), t, e, keep, ps.x,
                ps.fit.centering().shift(), ps.fit.information(), spec.estimand(), hajek);
        boolean mest = "m-estimation".equals(options.string("se"));
        double se = mest ? est.seMEstimation() : est.seKnownPropensity();
        Results r = new Results();
        r.diagnostics.put("propensity", Overlap.diagnostics(e, t, keep, spec.estimand(), r.warnings));
        r.diagnostics.put("propensityModel", ps.modelDiagnostics());
        r.diagnostics.put("weights", options.string("weights"));
        r.diagnostics.put("se", options.string("se"));
        r.diagnostics.put("mu1", est.mu1());
        r.diagnostics.put("mu0", est.mu0());
        r.diagnostics.put("seKnownPropensity", est.seKnownPropensity());
        r.diagnostics.put("seMEstimation", est.seMEstimation());
        int n = keep == null ? dm.n() : Overlap.count(keep);
        progress.onProgress(1.0, "estimate");
        return r.normal(spec, options, dm, n, est.estimate(), se);
    }
}

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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Inverse probability weighting with a logistic propensity: normalised (Hajek) or Horvitz-Thompson
 * weights, ATE/ATT/ATC, the SE by M-estimation (accounting for the estimated propensity) or with
 * the propensity taken as known, and optional trimming. See {@link IpwCalculation} for the formulas.
 */
public final class InverseProbabilityWeighting implements Estimator {

    public static final String METHOD = "ipw";

    /**
     * An IPW estimate with the propensity taken as known: μ̂1, μ̂0, their difference and its SE by the
     * influence function with e fixed.
     */
    public record GivenPropensity(String estimand, double estimate, double mu1, double mu0, double stdError) {
    }

    /**
     * IPW on all units with a propensity the caller gives (known by design, or fitted elsewhere), for
     * each of the {@code estimands} (ATE, ATT, ATC): one parallel pass over (y, t, e) serves them all
     * with normalised weights (Horvitz-Thompson adds a second). The SE is the known-propensity one (the M-estimation SE needs the propensity model).
     *
     * @param normalized Hajek (normalised) weights, else Horvitz-Thompson
     * @throws IllegalArgumentException on arrays of different lengths, a treatment value other than
     *                                  0 or 1, a propensity outside (0, 1), an empty arm or an unknown estimand
     */
    public static List<GivenPropensity> givenPropensity(double[] y, double[] t, double[] e, boolean normalized,
                                                        String... estimands) {
        if (t.length != y.length || e.length != y.length) {
            throw new IllegalArgumentException("y, t and e have " + y.length + ", " + t.length + " and " + e.length
                    + " rows");
        }
        for (String estimand : estimands) {
            if (!List.of("ATE", "ATT", "ATC").contains(estimand)) {
                throw new IllegalArgumentException("unknown estimand " + estimand + "; one of ATE, ATT, ATC");
            }
        }
        List<IpwCalculation.Estimate> est = IpwCalculation.knownPropensity(y, t, e, null, List.of(estimands),
                normalized, true);
        List<GivenPropensity> out = new ArrayList<>();
        for (int q = 0; q < estimands.length; q++) {
            IpwCalculation.Estimate eq = est.get(q);
            out.add(new GivenPropensity(estimands[q], eq.estimate(), eq.mu1(), eq.mu0(), eq.seKnownPropensity()));
        }
        return List.copyOf(out);
    }

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
    public boolean needsBinaryTreatment() {
        return true;
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
        boolean mest = "m-estimation".equals(options.string("se"));
        IpwCalculation.Estimate est = calculation(step, spec, options);
        double se = mest ? est.seMEstimation() : est.seKnownPropensity();
        Results r = new Results();
        r.diagnostics.put("propensity", Overlap.diagnostics(e, t, keep, spec.estimand(), r.warnings));
        r.diagnostics.put("propensityModel", ps.modelDiagnostics());
        r.diagnostics.put("weights", options.string("weights"));
        r.diagnostics.put("se", options.string("se"));
        r.diagnostics.put("mu1", est.mu1());
        r.diagnostics.put("mu0", est.mu0());
        r.diagnostics.put("seKnownPropensity", est.seKnownPropensity());
        if (mest) {
            r.diagnostics.put("seMEstimation", est.seMEstimation());
        }
        int n = keep == null ? dm.n() : Overlap.count(keep);
        progress.onProgress(1.0, "estimate");
        return r.normal(spec, options, dm, n, est.estimate(), se);
    }

    /** The bootstrap's refit: the weighted means without the overlap and propensity-model diagnostics. */
    @Override
    public double pointEstimate(DataFrame data, EstimationSpec spec, Options options) {
        return calculation(PropensityStep.fit(data, spec, options, ProgressListener.NONE, 0.6, METHOD), spec, options)
                .estimate();
    }

    private static IpwCalculation.Estimate calculation(PropensityStep step, EstimationSpec spec, Options options) {
        DesignMatrix dm = step.dm();
        Propensity ps = step.ps();
        boolean hajek = "normalized".equals(options.string("weights"));
        // the M-estimation SE costs two passes over the propensity model's columns: only when asked for
        return "m-estimation".equals(options.string("se"))
                ? IpwCalculation.compute(dm.outcome(), dm.treatment(), ps.scores(), step.keep(), ps.x,
                        ps.fit.centering().shift(), ps.fit.information(), spec.estimand(), hajek)
                : IpwCalculation.knownPropensity(dm.outcome(), dm.treatment(), ps.scores(), step.keep(),
                        List.of(spec.estimand()), hajek).get(0);
    }
}

package io.counterfact.engine.po;

import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.Estimator;
import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.OptionSpec;
import io.counterfact.engine.Options;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.data.DesignMatrix;

import java.util.List;
import java.util.Map;

/**
 * Ȳ1 − Ȳ0 with the Welch or the pooled-variance standard error. Ignores covariates (with a
 * warning): it is the estimator for a randomised experiment.
 */
public final class DifferenceInMeans implements Estimator {

    public static final String METHOD = "difference-in-means";

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public List<String> estimands() {
        return List.of("ATE");
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.choice("se", "welch", "pooled"));
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
        DesignMatrix dm = DesignMatrix.builder(data).treatment(spec.treatment(), true, METHOD)
                .outcome(spec.outcome()).build();
        double[] y = dm.outcome();
        double[] t = dm.treatment();
        int n = y.length;
        double s1 = 0;
        double s0 = 0;
        int n1 = 0;
        for (int i = 0; i < n; i++) {
            if (t[i] == 1.0) {
                s1 += y[i];
                n1++;
            } else {
                s0 += y[i];
            }
        }
        int n0 = n - n1;
        if (n1 < 2 || n0 < 2) {
            throw new InvalidSpecException("treatment", "Treatment '" + spec.treatment() + "' has " + Math.min(n1, n0)
                    + " unit(s) in its " + (n1 < n0 ? "treated" : "control") + " arm: a standard error needs at least 2 per arm");
        }
        double mean1 = s1 / n1;
        double mean0 = s0 / n0;
        double ss1 = 0;
        double ss0 = 0;
        for (int i = 0; i < n; i++) {
            if (t[i] == 1.0) {
                ss1 += (y[i] - mean1) * (y[i] - mean1);
            } else {
                ss0 += (y[i] - mean0) * (y[i] - mean0);
            }
        }
        double var1 = ss1 / (n1 - 1);
        double var0 = ss0 / (n0 - 1);
        double se = "pooled".equals(options.string("se"))
                ? Math.sqrt((ss1 + ss0) / (n - 2) * (1.0 / n1 + 1.0 / n0))
                : Math.sqrt(var1 / n1 + var0 / n0);
        Results r = new Results();
        if (!spec.covariates().isEmpty()) {
            r.warnings.add("difference-in-means ignores the covariates (" + String.join(", ", spec.covariates())
                    + "); use regression, ipw, aipw or matching to adjust for them");
        }
        r.diagnostics.put("meanTreated", mean1);
        r.diagnostics.put("meanControl", mean0);
        r.diagnostics.put("nTreated", n1);
        r.diagnostics.put("nControl", n0);
        r.diagnostics.put("se", options.string("se"));
        progress.onProgress(1.0, "estimate");
        return r.normal(spec, options, dm, n, mean1 - mean0, se);
    }
}

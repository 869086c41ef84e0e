package io.counterfact.engine.po;

import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationResult.Coefficient;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.Estimator;
import io.counterfact.engine.Intervals;
import io.counterfact.engine.OptionSpec;
import io.counterfact.engine.Options;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.data.DesignMatrix.Term;
import io.counterfact.engine.linalg.CovarianceType;
import io.counterfact.engine.linalg.Ols;
import io.counterfact.engine.linalg.OlsFit;
import io.counterfact.engine.linalg.RankDeficientException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * OLS of Y on [1, T, covariates]; the estimate is T's coefficient (a numeric treatment is allowed:
 * its slope), the SE classical or HC0–HC3 (default HC1), the CI from the t distribution on the
 * residual degrees of freedom, as R's confint.
 */
public final class RegressionAdjustment implements Estimator {

    public static final String METHOD = "regression";

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
        return List.of(OptionSpec.choice("se", "HC1", "classical", "HC0", "HC2", "HC3"));
    }

    @Override
    public void validate(Map<String, ColumnType> schema, EstimationSpec spec, Options options) {
        PoValidation.noIvFields(spec);
    }

    @Override
    public EstimationResult estimate(DataFrame data, EstimationSpec spec, Options options, ProgressListener progress) {
        // Ols.fit on [1, t, covariates] reports a collinear column itself, named below
        DesignMatrix dm = DesignMatrix.builder(data).treatment(spec.treatment(), false, METHOD)
                .outcome(spec.outcome()).covariates(spec.covariates()).rankCheckedByModels().build();
        double[][] x = dm.columns(true, true);
        List<Term> terms = dm.terms(true, true);
        if (dm.n() <= x.length) {
            throw new io.counterfact.engine.InvalidSpecException("covariates", "Only " + dm.n()
                    + " complete rows for " + x.length + " coefficients: regression needs more rows than coefficients");
        }
        OlsFit fit;
        try {
            fit = Ols.fit(x, dm.outcome());
        } catch (RankDeficientException e) {
            throw DesignMatrix.collinearity(e, x, terms, "");
        }
        progress.onProgress(0.5, "fit");
        CovarianceType type = CovarianceType.parse(options.string("se"));
        double[] b = fit.coefficients();
        double[] se = fit.standardErrors(type);
        Results r = new Results();
        List<Coefficient> coefs = new ArrayList<>();
        for (int j = 0; j < b.length; j++) {
            coefs.add(new Coefficient(terms.get(j).name(), b[j], se[j]));
        }
        r.coefficients = coefs;
        r.diagnostics.put("se", type.apiName());
        r.diagnostics.put("rSquared", fit.rSquared());
        r.diagnostics.put("sigma", fit.sigma());
        r.diagnostics.put("dfResidual", fit.dfResidual());
        double level = options.confidenceLevel();
        double[] ci = Intervals.student(b[1], se[1], level, fit.dfResidual());
        progress.onProgress(1.0, "estimate");
        return r.build(spec, dm, dm.n(), b[1], se[1], ci, level);
    }
}

package io.counterfact.engine.iv;

import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.Estimator;
import io.counterfact.engine.OptionSpec;
import io.counterfact.engine.Options;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.linalg.CovarianceType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API's {@code 2sls} method: {@link TwoStageLeastSquares} on the request's columns.
 *
 * <p>{@code treatment} is the endogenous regressor whose coefficient is the estimate (the LATE for
 * a binary treatment and instrument under monotonicity; a numeric treatment's slope otherwise),
 * {@code endogenous} further endogenous regressors, {@code instruments} the excluded instruments
 * (at least one per endogenous regressor) and {@code covariates} the exogenous controls; an
 * intercept is always added. Categorical columns enter one-hot; rows missing any of them are
 * dropped and counted.
 *
 * <p>Option {@code se}: {@code HC1} (default; sandwich::vcovHC on an ivreg fit), {@code classical},
 * {@code HC0}, {@code HC2}, {@code HC3}; it drives the standard errors, the robust first-stage F and
 * the Anderson-Rubin set. The interval is normal. {@code diagnostics}: {@code firstStage},
 * {@code wuHausman}, {@code sargan} and {@code hansenJ} (over-identified only), {@code andersonRubin}
 * (one endogenous regressor only), {@code se}, {@code sigma}, {@code dfResidual}; weak first stages
 * (F or robust F below 10) are warnings naming the regressor and the instruments, and so is a
 * Wu-Hausman test with fewer degrees of freedom than endogenous regressors (or none: omitted) because
 * the instruments and covariates reproduce a combination of them exactly.
 */
public final class TwoStageLeastSquaresMethod implements Estimator {

    public static final String METHOD = "2sls";

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public List<String> estimands() {
        return List.of("LATE");
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.choice("se", "HC1", "classical", "HC0", "HC2", "HC3"));
    }

    @Override
    public boolean acceptsDag() {
        return false;
    }

    @Override
    public void validate(Map<String, ColumnType> schema, EstimationSpec spec, Options options) {
        IvDesign.requireInstruments(spec);
        IvDesign.requireOrderCondition(schema, spec);
    }

    @Override
    public EstimationResult estimate(DataFrame data, EstimationSpec spec, Options options, ProgressListener progress) {
        // the fit checks [1, treatment, covariates, endogenous] for collinearity on its own cross-products
        // (the design matrix's check would be one more Gram pass over the whole design)
        DesignMatrix dm = IvDesign.buildRankCheckedByFit(data, spec, METHOD);
        IvOptions ivOptions = new IvOptions(CovarianceType.parse(options.string("se")), options.confidenceLevel(),
                true);
        IvFit fit = TwoStageLeastSquares.fit(dm.outcome(), IvDesign.endogenous(dm), IvDesign.exogenous(dm),
                IvDesign.instruments(dm), ivOptions, true, IvDesign.collinearityCheck(dm));
        List<EstimationResult.Coefficient> coefficients = new ArrayList<>();
        for (IvFit.Coefficient c : fit.coefficientTable()) {
            coefficients.add(new EstimationResult.Coefficient(c.term(), c.estimate(), c.stdError()));
        }
        Map<String, Object> diagnostics = new LinkedHashMap<>(fit.diagnostics());
        diagnostics.put("sigma", fit.sigma());
        diagnostics.put("dfResidual", fit.dfResidual());
        double[] ci = fit.confidenceInterval();
        progress.onProgress(1.0, "estimate");
        return new EstimationResult(METHOD, spec.estimand(), fit.estimate(), fit.stdError(), ci[0], ci[1],
                options.confidenceLevel(), dm.n(), dm.nDropped(), dm.covariateNames(), coefficients, diagnostics,
                fit.warnings());
    }
}

package io.counterfact.engine.iv;

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
import io.counterfact.engine.linalg.CovarianceType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API's {@code wald} method: {@link WaldEstimator}, the ratio of the outcome's to the
 * treatment's difference between the arms of one binary instrument, with its delta-method
 * (per-arm, heteroskedasticity-robust) standard error and a normal interval. No covariates and no
 * further endogenous regressors: with either, the ratio is no longer the estimator, and
 * {@code 2sls} is the method to use; the refusals say so.
 *
 * <p>{@code diagnostics}: {@code firstStage} (classical F, robust F, partial R², weak),
 * {@code reducedForm} and {@code firstStageDifference} (each {estimate, stdError}), {@code arms},
 * and from the equivalent just-identified 2SLS fit the Wu-Hausman test and the Anderson-Rubin set.
 * That fit uses the HC2 covariance because with one binary instrument HC2 is exactly the per-arm
 * (Welch) variance the Wald standard error and robust F are built from, so the set inverts the
 * same test whose Wald form gives the interval. A weak instrument (F below 10) is a warning.
 */
public final class WaldMethod implements Estimator {

    public static final String METHOD = "wald";

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
        return List.of();
    }

    @Override
    public boolean acceptsDag() {
        return false;
    }

    @Override
    public void validate(Map<String, ColumnType> schema, EstimationSpec spec, Options options) {
        IvDesign.requireInstruments(spec);
        if (spec.instruments().size() > 1) {
            throw new InvalidSpecException(IvDesign.INSTRUMENTS, "Method 'wald' takes exactly one binary instrument; got "
                    + spec.instruments().size() + " (" + String.join(", ", spec.instruments())
                    + "): use 2sls for several instruments");
        }
        if (!spec.covariates().isEmpty()) {
            throw new InvalidSpecException("covariates", "Method 'wald' takes no covariates (got '"
                    + spec.covariates().get(0) + "'): use 2sls, which takes them as exogenous controls");
        }
        if (!spec.endogenous().isEmpty()) {
            throw new InvalidSpecException(IvDesign.ENDOGENOUS, "Method 'wald' takes no further endogenous regressors "
                    + "(got '" + spec.endogenous().get(0) + "'): use 2sls with one instrument per endogenous regressor");
        }
        String z = spec.instruments().get(0);
        if (schema.get(z) == ColumnType.CATEGORICAL) {
            throw new InvalidSpecException("instruments[0]", "Instrument '" + z + "' is categorical; wald needs a "
                    + "binary (0/1) instrument: use 2sls, which takes a categorical instrument one-hot");
        }
    }

    @Override
    public EstimationResult estimate(DataFrame data, EstimationSpec spec, Options options, ProgressListener progress) {
        DesignMatrix dm = IvDesign.build(data, spec, METHOD);
        double[] y = dm.outcome();
        double[] d = dm.treatment();
        double[] z = dm.group(IvDesign.INSTRUMENTS)[0];
        String instrument = spec.instruments().get(0);
        double level = options.confidenceLevel();
        WaldEstimator.Fit fit = WaldEstimator.estimate(y, d, z, instrument, level);
        Map<String, Object> diagnostics = new LinkedHashMap<>(fit.diagnostics(spec.treatment()));
        List<String> warnings = new ArrayList<>(fit.warnings());
        try {
            IvFit equivalent = TwoStageLeastSquares.fit(y, Regressors.of(spec.treatment(), d), Regressors.none(),
                    Regressors.of(instrument, z), new IvOptions(CovarianceType.HC2, level, true));
            equivalent.wuHausman().ifPresent(s -> diagnostics.put("wuHausman", s.toMap()));
            equivalent.andersonRubin().ifPresent(s -> diagnostics.put("andersonRubin", s.toMap()));
        } catch (InvalidSpecException e) {
            // the ratio is defined (its denominator is not zero) but the regression form finds the
            // first stage indistinguishable from rounding: the ratio stands, without the set
            warnings.add("The Anderson-Rubin set could not be computed: " + e.getMessage());
        }
        diagnostics.put("se", "delta-method");
        progress.onProgress(1.0, "estimate");
        return new EstimationResult(METHOD, spec.estimand(), fit.estimate(), fit.stdError(), fit.ciLower(),
                fit.ciUpper(), level, dm.n(), dm.nDropped(), List.of(), List.of(), diagnostics, warnings);
    }
}

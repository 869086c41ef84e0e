package io.counterfact.engine.iv;

import io.counterfact.engine.linalg.CovarianceType;

import java.util.Objects;

/**
 * Options of an IV fit.
 *
 * @param se              the covariance of the reported standard errors, of the robust first-stage
 *                        F and of the Anderson-Rubin set (the API's default is HC1)
 * @param confidenceLevel of the confidence intervals and the Anderson-Rubin set
 * @param intercept       whether to add an intercept to the regressors and the instruments
 * @param diagnostics     whether to compute the diagnostics that cost passes over the data: the
 *                        robust first-stage F and standard errors, Wu-Hausman, Sargan, Hansen's J
 *                        with two-step GMM, and the Anderson-Rubin set (default true: the API's
 *                        result). Without them the fit has the coefficients, every covariance type,
 *                        and per first stage its coefficients, classical standard errors, F,
 *                        partial R² and R² (free by-products of the fit) with {@code fRobust} and
 *                        {@code seRobust} NaN; the weak-instrument warning then rests on F alone.
 */
public record IvOptions(CovarianceType se, double confidenceLevel, boolean intercept, boolean diagnostics) {

    public IvOptions {
        Objects.requireNonNull(se, "se");
        if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
            throw new IllegalArgumentException("confidenceLevel must be in (0, 1), got " + confidenceLevel);
        }
    }

    /** With every diagnostic (the API's result). */
    public IvOptions(CovarianceType se, double confidenceLevel, boolean intercept) {
        this(se, confidenceLevel, intercept, true);
    }

    /** HC1, 95%, with an intercept and every diagnostic: the API's defaults. */
    public static IvOptions defaults() {
        return new IvOptions(CovarianceType.HC1, 0.95, true, true);
    }

    public IvOptions withSe(CovarianceType type) {
        return new IvOptions(type, confidenceLevel, intercept, diagnostics);
    }

    public IvOptions withConfidenceLevel(double level) {
        return new IvOptions(se, level, intercept, diagnostics);
    }

    public IvOptions withIntercept(boolean withIntercept) {
        return new IvOptions(se, confidenceLevel, withIntercept, diagnostics);
    }

    /** These options with the pass-costing diagnostics on or off (see the class). */
    public IvOptions withDiagnostics(boolean withDiagnostics) {
        return new IvOptions(se, confidenceLevel, intercept, withDiagnostics);
    }
}

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
 */
public record IvOptions(CovarianceType se, double confidenceLevel, boolean intercept) {

    public IvOptions {
        Objects.requireNonNull(se, "se");
        if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
            throw new IllegalArgumentException("confidenceLevel must be in (0, 1), got " + confidenceLevel);
        }
    }

    /** HC1, 95%, with an intercept: the API's defaults. */
    public static IvOptions defaults() {
        return new IvOptions(CovarianceType.HC1, 0.95, true);
    }

    public IvOptions withSe(CovarianceType type) {
        return new IvOptions(type, confidenceLevel, intercept);
    }

    public IvOptions withConfidenceLevel(double level) {
        return new IvOptions(se, level, intercept);
    }

    public IvOptions withIntercept(boolean withIntercept) {
        return new IvOptions(se, confidenceLevel, withIntercept);
    }
}

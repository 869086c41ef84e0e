package io.counterfact.engine.po;

/** Lets tests in other packages time the package-private propensity fit. */
public final class LogisticRegressionAccess {

    private LogisticRegressionAccess() {
    }

    public static double[] fit(double[][] x, double[] t) {
        return LogisticRegression.fit(x, t).coefficients();
    }
}

package io.counterfact.engine;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;

/** Two-sided confidence intervals. */
public final class Intervals {

    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1,
            NormalDistribution.DEFAULT_INVERSE_ABSOLUTE_ACCURACY);

    private Intervals() {
    }

    /** The standard normal quantile. */
    public static double normalQuantile(double p) {
        return NORMAL.inverseCumulativeProbability(p);
    }

    /** The standard normal distribution function. */
    public static double normalCdf(double x) {
        return NORMAL.cumulativeProbability(x);
    }

    /** estimate ∓ z·se with z the normal quantile of (1 + level)/2. */
    public static double[] normal(double estimate, double se, double level) {
        double z = normalQuantile(0.5 + level / 2);
        return new double[]{estimate - z * se, estimate + z * se};
    }

    /** estimate ∓ t·se with the t quantile on {@code df} degrees of freedom (as R's confint for lm). */
    public static double[] student(double estimate, double se, double level, double df) {
        // the default solver accuracy (1e-9 absolute) would cost digits against R's qt
        TDistribution t = new TDistribution(null, df, 1e-14);
        double q = t.inverseCumulativeProbability(0.5 + level / 2);
        return new double[]{estimate - q * se, estimate + q * se};
    }
}

package io.counterfact.engine.iv;

import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;

/**
 * Upper-tail probabilities computed directly, not as 1 − cdf: a first-stage F of 245 has a p-value
 * near 1e-24, which 1 − cdf rounds to 0.
 */
final class Tails {

    private Tails() {
    }

    /** P(F(d1, d2) > f) = I_{d2/(d2 + d1 f)}(d2/2, d1/2). */
    static double f(double f, double d1, double d2) {
        if (!(f > 0)) {
            return 1.0;
        }
        return Beta.regularizedBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
    }

    /** P(χ²(df) > x) = Q(df/2, x/2). */
    static double chiSquared(double x, double df) {
        if (!(x > 0)) {
            return 1.0;
        }
        return Gamma.regularizedGammaQ(df / 2, x / 2);
    }
}

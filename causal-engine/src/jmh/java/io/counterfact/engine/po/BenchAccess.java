package io.counterfact.engine.po;

import io.counterfact.engine.data.DesignMatrix.Term;

import java.util.ArrayList;
import java.util.List;

/**
 * Lets the benchmarks (package {@code io.counterfact.engine.bench}) call the package-private
 * potential-outcomes kernels with a propensity that is given, as time_py.py's {@code np_ipw} and
 * {@code np_aipw} do. Only the engine's own code runs, except the last step of {@link #aipwAte},
 * which repeats the ATE branch of {@link AugmentedIpw#estimate} line for line: that loop is inline
 * in {@code estimate}, which always fits the propensity itself.
 */
public final class BenchAccess {

    private BenchAccess() {
    }

    /**
     * The engine's {@code aipw} ATE given e, without cross-fitting or trimming: the arm-wise outcome
     * models of {@link AugmentedIpw#outcomePredictions} and the influence-function SE (1/n variance):
     * {ate, se_if}.
     */
    public static double[] aipwAte(double[] y, double[] t, double[] e, double[][] x, List<Term> terms) {
        double[][] m = AugmentedIpw.outcomePredictions(x, t, y, x, false, terms, "t", "");
        double[] m1 = m[0];
        double[] m0 = m[1];
        int n = y.length;
        // from here as AugmentedIpw.estimate's ATE branch
        double[] phi = new double[n];
        double mu1 = 0;
        double mu0 = 0;
        for (int i = 0; i < n; i++) {
            double a1 = m1[i] + t[i] * (y[i] - m1[i]) / e[i];
            double a0 = m0[i] + (1 - t[i]) * (y[i] - m0[i]) / (1 - e[i]);
            phi[i] = a1 - a0;
            mu1 += a1;
            mu0 += a0;
        }
        double s = 0;
        for (double d : phi) {
            s += d;
        }
        double estimate = s / n;
        double ss = 0;
        for (double f : phi) {
            ss += (f - estimate) * (f - estimate);
        }
        return new double[]{estimate, Math.sqrt(ss) / n, mu1 / n, mu0 / n};
    }

    /** [intercept, x1..x_p] terms, as the design of a propensity or arm-wise outcome model names them. */
    public static List<Term> interceptAndCovariateTerms(List<String> covariates) {
        List<Term> terms = new ArrayList<>();
        terms.add(Term.INTERCEPT);
        for (int j = 0; j < covariates.size(); j++) {
            terms.add(new Term(covariates.get(j), "covariates[" + j + "]", covariates.get(j), null));
        }
        return terms;
    }
}

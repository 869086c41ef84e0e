package io.counterfact.engine.po;

import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.testing.Dense;
import io.counterfact.engine.testing.Frames;
import io.counterfact.engine.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static io.counterfact.engine.testing.Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The M-estimation SE of every variant (Hajek and Horvitz-Thompson, ATE/ATT/ATC, with and without
 * trimming) against the sandwich built from a numerically differentiated A, the README's check,
 * generalised beyond the two variants the references cover.
 */
class IpwCalculationTest {

    @ParameterizedTest(name = "{0} hajek={1} trim={2}")
    @CsvSource({"ATE, true, 0", "ATT, true, 0", "ATC, true, 0", "ATE, false, 0", "ATT, false, 0", "ATC, false, 0",
            "ATE, true, 0.3", "ATT, false, 0.3", "ATC, true, 0.3"})
    void mEstimationSeMatchesANumericalSandwich(String estimand, boolean hajek, double trim) {
        DesignMatrix dm = DesignMatrix.builder(Frames.nsw()).treatment("treat", true, "ipw").outcome("re78")
                .covariates(Arrays.asList(Reference.NSW_COVARIATES)).build();
        double[][] x = dm.interceptAndCovariates();
        double[] t = dm.treatment();
        double[] y = dm.outcome();
        LogisticRegression.Fit fit = LogisticRegression.fit(x, t);
        double[] e = fit.fitted();
        boolean[] keep = trim > 0 ? Overlap.keep(e, t, trim) : null;
        IpwCalculation.Estimate analytic = IpwCalculation.compute(y, t, e, keep, x, fit.centering().shift(),
                fit.information(), estimand, hajek);

        int p = x.length;
        int n = y.length;
        double[] theta = new double[p + 2];
        System.arraycopy(fit.coefficients(), 0, theta, 0, p);
        theta[p] = analytic.mu1();
        theta[p + 1] = analytic.mu0();
        double[] se = fit.standardErrors();
        double[][] a = new double[p + 2][p + 2];
        for (int k = 0; k < p + 2; k++) {
            double h = 1e-4 * (k < p ? se[k] : Math.abs(theta[k]));
            double[] plus = theta.clone();
            double[] minus = theta.clone();
            plus[k] += h;
            minus[k] -= h;
            double[] fp = meanPsi(plus, x, t, y, keep, estimand, hajek);
            double[] fm = meanPsi(minus, x, t, y, keep, estimand, hajek);
            for (int r = 0; r < p + 2; r++) {
                a[r][k] = (fp[r] - fm[r]) / (2 * h);
            }
        }
        double[][] b = new double[p + 2][p + 2];
        for (int i = 0; i < n; i++) {
            double[] psi = psi(i, theta, x, t, y, keep, estimand, hajek);
            for (int r = 0; r < p + 2; r++) {
                for (int c = 0; c < p + 2; c++) {
                    b[r][c] += psi[r] * psi[c] / n;
                }
            }
        }
        double[][] ainv = Dense.inverse(a);
        double[][] v = Dense.multiply(Dense.multiply(ainv, b), Dense.transpose(ainv));
        double var = (v[p][p] + v[p + 1][p + 1] - 2 * v[p][p + 1]) / n;
        assertClose(Math.sqrt(var), analytic.seMEstimation(), 1e-6, "m-estimation se");
        // and the estimate solves its own estimating equations
        double[] atHat = meanPsi(theta, x, t, y, keep, estimand, hajek);
        assertEquals(0.0, atHat[p] / Math.abs(analytic.mu1()), 1e-12, "ψ_μ1 = 0");
        assertEquals(0.0, atHat[p + 1] / Math.abs(analytic.mu0()), 1e-12, "ψ_μ0 = 0");
    }

    @ParameterizedTest(name = "hajek={0}")
    @CsvSource({"true", "false"})
    void givenPropensityAgreesWithThePerEstimandCalculation(boolean hajek) {
        DesignMatrix dm = DesignMatrix.builder(Frames.nsw()).treatment("treat", true, "ipw").outcome("re78")
                .covariates(Arrays.asList(Reference.NSW_COVARIATES)).build();
        double[][] x = dm.interceptAndCovariates();
        double[] t = dm.treatment();
        double[] y = dm.outcome();
        LogisticRegression.Fit fit = LogisticRegression.fit(x, t);
        List<InverseProbabilityWeighting.GivenPropensity> all = InverseProbabilityWeighting.givenPropensity(y, t,
                fit.fitted(), hajek, "ATE", "ATT", "ATC");
        for (InverseProbabilityWeighting.GivenPropensity g : all) {
            IpwCalculation.Estimate one = IpwCalculation.compute(y, t, fit.fitted(), null, x, fit.centering().shift(),
                    fit.information(), g.estimand(), hajek);
            assertClose(one.estimate(), g.estimate(), 1e-12, g.estimand());
            assertClose(one.mu1(), g.mu1(), 1e-12, g.estimand() + " mu1");
            assertClose(one.mu0(), g.mu0(), 1e-12, g.estimand() + " mu0");
            assertClose(one.seKnownPropensity(), g.stdError(), 1e-12, g.estimand() + " se");
        }
        // the known-propensity SE written out from the influence function
        double[] e = fit.fitted();
        int n = y.length;
        double s1 = 0;
        double s0 = 0;
        double n1 = 0;
        double n0 = 0;
        for (int i = 0; i < n; i++) {
            double a1 = t[i] / e[i];
            double a0 = (1 - t[i]) / (1 - e[i]);
            s1 += a1 * y[i];
            s0 += a0 * y[i];
            n1 += hajek ? a1 : 1;
            n0 += hajek ? a0 : 1;
        }
        double mu1 = s1 / n1;
        double mu0 = s0 / n0;
        double ss = 0;
        for (int i = 0; i < n; i++) {
            double a1 = t[i] / e[i];
            double a0 = (1 - t[i]) / (1 - e[i]);
            double f = (a1 * y[i] - (hajek ? a1 : 1) * mu1) / (n1 / n) - (a0 * y[i] - (hajek ? a0 : 1) * mu0) / (n0 / n);
            ss += f * f;
        }
        assertClose(mu1 - mu0, all.get(0).estimate(), 1e-12, "ATE");
        assertClose(Math.sqrt(ss) / n, all.get(0).stdError(), 1e-12, "ATE se");
    }

    @Test
    void givenPropensityRefusesInvalidInput() {
        double[] y = {1, 2, 3, 4};
        double[] e = {0.5, 0.5, 0.5, 0.5};
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> InverseProbabilityWeighting.givenPropensity(y, new double[]{0, 1, 0.5, 1}, e, true, "ATE"));
        assertTrue(bad.getMessage().contains("row 2"), bad.getMessage());
        bad = assertThrows(IllegalArgumentException.class, () -> InverseProbabilityWeighting.givenPropensity(y,
                new double[]{0, 1, 0, 1}, new double[]{0.5, 1.0, 0.5, 0.5}, true, "ATT"));
        assertTrue(bad.getMessage().contains("row 1"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InverseProbabilityWeighting.givenPropensity(y,
                new double[]{0, 0, 0, 0}, e, true, "ATE"));
        assertThrows(IllegalArgumentException.class, () -> InverseProbabilityWeighting.givenPropensity(y,
                new double[]{0, 1, 0, 1}, e, true, "LATE"));
    }

    private static double[] meanPsi(double[] theta, double[][] x, double[] t, double[] y, boolean[] keep,
                                    String estimand, boolean hajek) {
        int n = y.length;
        double[] m = new double[theta.length];
        for (int i = 0; i < n; i++) {
            double[] psi = psi(i, theta, x, t, y, keep, estimand, hajek);
            for (int r = 0; r < m.length; r++) {
                m[r] += psi[r] / n;
            }
        }
        return m;
    }

    /** ψ_i(β, μ1, μ0) written directly from the definitions. */
    private static double[] psi(int i, double[] theta, double[][] x, double[] t, double[] y, boolean[] keep,
                                String estimand, boolean hajek) {
        int p = x.length;
        double eta = 0;
        for (int j = 0; j < p; j++) {
            eta += theta[j] * x[j][i];
        }
        double e = 1 / (1 + Math.exp(-eta));
        double[] out = new double[p + 2];
        for (int j = 0; j < p; j++) {
            out[j] = x[j][i] * (t[i] - e);
        }
        if (keep != null && !keep[i]) {
            return out;
        }
        double a1;
        double a0;
        double d;
        switch (estimand) {
            case "ATT" -> {
                a1 = t[i];
                a0 = (1 - t[i]) * e / (1 - e);
                d = t[i];
            }
            case "ATC" -> {
                a1 = t[i] * (1 - e) / e;
                a0 = 1 - t[i];
                d = 1 - t[i];
            }
            default -> {
                a1 = t[i] / e;
                a0 = (1 - t[i]) / (1 - e);
                d = 1;
            }
        }
        out[p] = a1 * y[i] - (hajek ? a1 : d) * theta[p];
        out[p + 1] = a0 * y[i] - (hajek ? a0 : d) * theta[p + 1];
        return out;
    }
}

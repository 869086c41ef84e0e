package io.counterfact.engine.po;

import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.testing.Dense;
import io.counterfact.engine.testing.Frames;
import io.counterfact.engine.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;

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

    /**
     * The one pass (sums of squares expanded around a sampled shift per arm) against a straightforward
     * two-pass calculation (μ first, then Σ f² around it), on an outcome whose mean is 10⁹ times its spread
     * (where Σ y² − n·ȳ² would lose every digit), rows sorted by the outcome, propensities from 0.002 to 0.998.
     */
    @ParameterizedTest(name = "hajek={0} trim={1}")
    @CsvSource({"true, false", "true, true", "false, false", "false, true"})
    void onePassAgreesWithATwoPassReferenceOnAwkwardData(boolean hajek, boolean trim) {
        Awkward d = Awkward.of(50_001, 1e9);
        boolean[] keep = trim ? Overlap.keep(d.e, d.t, 0.01) : null;
        List<String> estimands = List.of("ATE", "ATT", "ATC");
        List<IpwCalculation.Estimate> got = IpwCalculation.knownPropensity(d.y, d.t, d.e, keep, estimands, hajek);
        for (int q = 0; q < estimands.size(); q++) {
            double[] ref = twoPass(d.y, d.t, d.e, keep, estimands.get(q), hajek);
            IpwCalculation.Estimate g = got.get(q);
            assertClose(ref[0], g.mu1(), 1e-14, estimands.get(q) + " mu1");
            assertClose(ref[1], g.mu0(), 1e-14, estimands.get(q) + " mu0");
            // Horvitz-Thompson's μ1 − μ0 cancels the outcome's mean (its weights do not sum to n): relative to μ
            double scale = hajek ? Math.abs(ref[0] - ref[1]) : Math.max(Math.abs(ref[0]), Math.abs(ref[1]));
            assertEquals(ref[0] - ref[1], g.estimate(), 1e-12 * scale, estimands.get(q) + " estimate");
            assertClose(ref[2], g.seKnownPropensity(), 1e-12, estimands.get(q) + " se");
        }
    }

    /**
     * A shift 10⁴ outcome standard deviations from the arms' means would cost the expanded sums of squares
     * 6 digits (relative error 1.5e-10 here without the check): the bound on the loss catches it and the pass runs again around
     * the first pass's μ̂, which gives μ̂ and the SE to rounding.
     */
    @Test
    void aShiftFarFromTheMeanRepeatsThePassAroundTheEstimate() {
        Awkward d = Awkward.of(20_000, 0);
        IpwCalculation.Weighting[] all = IpwCalculation.Weighting.values();
        IpwCalculation.Known[] far = IpwCalculation.known(d.y, d.t, d.e, null, all, true, true,
                new double[]{-1e4, 1e4});
        IpwCalculation.Known[] near = IpwCalculation.known(d.y, d.t, d.e, null, all, true, true,
                IpwCalculation.armShifts(d.y, d.t, null));
        for (int q = 0; q < all.length; q++) {
            double[] ref = twoPass(d.y, d.t, d.e, null, all[q].name(), true);
            assertClose(ref[2], far[q].se(), 1e-12, all[q] + " se, far shift");
            assertClose(ref[2], near[q].se(), 1e-12, all[q] + " se, sampled shift");
            assertClose(ref[0] - ref[1], far[q].mu1() - far[q].mu0(), 1e-12, all[q] + " estimate, far shift");
            assertClose(ref[0] - ref[1], near[q].mu1() - near[q].mu0(), 1e-12, all[q] + " estimate, sampled shift");
        }
    }

    /** Blocks are reduced in block order: the same bits with one, two or three worker threads. */
    @Test
    void theResultDoesNotDependOnTheNumberOfThreads() throws Exception {
        Awkward d = Awkward.of(100_003, 50);
        boolean[] keep = Overlap.keep(d.e, d.t, 0.02);
        Callable<List<IpwCalculation.Estimate>> run = () -> {
            List<IpwCalculation.Estimate> out = new ArrayList<>();
            for (boolean hajek : new boolean[]{true, false}) {
                out.addAll(IpwCalculation.knownPropensity(d.y, d.t, d.e, keep, List.of("ATE", "ATT", "ATC"), hajek));
            }
            return out;
        };
        List<IpwCalculation.Estimate> common = run.call();
        for (int threads = 1; threads <= 3; threads++) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                List<IpwCalculation.Estimate> other = pool.submit(run).get();
                // records compare their doubles bit for bit
                assertEquals(common, other, threads + " threads");
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void theTestJvmRunsTheVectorPass() {
        assertTrue(IpwCalculation.vectorKernel() != null, "the tests run with --add-modules=jdk.incubator.vector");
        assertTrue(IpwCalculation.kernel().startsWith("vector-"), IpwCalculation.kernel());
        assertEquals(IpwCalculation.kernel(), io.counterfact.engine.linalg.Gram.kernel(), "one switch for the engine");
    }

    /**
     * The Vector API pass against the scalar one, each run explicitly: the same estimates and SEs to rounding
     * (the same sums in another order) on row counts that are not multiples of the vector width or the block
     * (a block shorter than one vector included), an outcome mean 10⁹ times its spread, propensities of 10⁻⁷
     * and 1 − 10⁻⁷ (weights of 10⁷), trimming, and a shift far from the means (the bound's second pass).
     */
    @ParameterizedTest(name = "n={0} offset={1} extreme={2} hajek={3} trim={4}")
    @CsvSource({"50001, 1e9, false, true, false", "50001, 1e9, true, true, true", "50001, 0, true, false, false",
            "2053, 1e9, true, true, false", "2053, 50, false, false, true", "7, 1e9, false, true, false",
            "7, 0, true, false, false", "100003, 1e6, true, true, true"})
    void vectorAndScalarPassesAgree(int n, double offset, boolean extreme, boolean hajek, boolean trim) {
        Awkward d = Awkward.of(n, offset);
        if (extreme) {
            for (int i = 0; i < n; i += 97) {
                d.e[i] = d.t[i] == 1 ? 1e-7 : 1 - 1e-7;
            }
        }
        boolean[] keep = trim ? Overlap.keep(d.e, d.t, 0.01) : null;
        IpwKernel vector = IpwCalculation.vectorKernel();
        IpwKernel scalar = ScalarIpwKernel.INSTANCE;
        IpwCalculation.Weighting[] all = IpwCalculation.Weighting.values();
        double spread = 3;
        // the far shift for Hajek only, where the bound catches it; Horvitz-Thompson's μ = (Σ w·y' + c·Σ w)/Σ d
        // has no such check and around a far shift cancels in both kernels alike (with weights of 10⁷ the two
        // differed by 2e-12 relative there)
        double[][] shifts = hajek ? new double[][]{IpwCalculation.armShifts(d.y, d.t, keep), {offset - 1e4, offset + 1e4}}
                : new double[][]{IpwCalculation.armShifts(d.y, d.t, keep)};
        for (double[] shift : shifts) {
            IpwCalculation.Known[] v = IpwCalculation.known(d.y, d.t, d.e, keep, all, hajek, true, shift.clone(), vector);
            IpwCalculation.Known[] s = IpwCalculation.known(d.y, d.t, d.e, keep, all, hajek, true, shift.clone(), scalar);
            for (int q = 0; q < all.length; q++) {
                String what = all[q] + (shift[0] == offset - 1e4 ? ", far shift" : "");
                // μ relative to its size or the outcome's spread (a μ near 0 has no digits of its own to lose)
                assertEquals(s[q].mu1(), v[q].mu1(), 1e-12 * Math.max(Math.abs(s[q].mu1()), spread), what + " mu1");
                assertEquals(s[q].mu0(), v[q].mu0(), 1e-12 * Math.max(Math.abs(s[q].mu0()), spread), what + " mu0");
                assertClose(s[q].m1(), v[q].m1(), 1e-12, what + " m1");
                assertClose(s[q].m0(), v[q].m0(), 1e-12, what + " m0");
                assertClose(s[q].se(), v[q].se(), 1e-12, what + " se");
            }
        }
    }

    /** Each kernel gives the same bits with one and two worker threads (blocks reduced in block order). */
    @Test
    void eachKernelIsIndependentOfTheNumberOfThreads() throws Exception {
        Awkward d = Awkward.of(100_003, 1e9);
        boolean[] keep = Overlap.keep(d.e, d.t, 0.02);
        IpwCalculation.Weighting[] all = IpwCalculation.Weighting.values();
        for (IpwKernel kernel : new IpwKernel[]{IpwCalculation.vectorKernel(), ScalarIpwKernel.INSTANCE}) {
            Callable<List<IpwCalculation.Known>> run = () -> {
                List<IpwCalculation.Known> out = new ArrayList<>();
                for (boolean hajek : new boolean[]{true, false}) {
                    for (boolean[] k : new boolean[][]{null, keep}) {
                        out.addAll(List.of(IpwCalculation.known(d.y, d.t, d.e, k, all, hajek, false,
                                IpwCalculation.armShifts(d.y, d.t, k), kernel)));
                    }
                }
                return out;
            };
            List<List<IpwCalculation.Known>> byThreads = new ArrayList<>();
            for (int threads = 1; threads <= 2; threads++) {
                ForkJoinPool pool = new ForkJoinPool(threads);
                try {
                    byThreads.add(pool.submit(run).get());
                } finally {
                    pool.shutdown();
                }
            }
            // records compare their doubles bit for bit
            assertEquals(byThreads.get(0), byThreads.get(1), kernel.name());
        }
    }

    /** y, t, e of a confounded design: y = offset + 2t + 3x + noise, e = expit(2.5x), rows sorted by y. */
    private record Awkward(double[] y, double[] t, double[] e) {
        static Awkward of(int n, double offset) {
            Random rnd = new Random(20261125L + n);
            double[][] rows = new double[n][3];
            for (int i = 0; i < n; i++) {
                double x = Math.max(-2.5, Math.min(2.5, rnd.nextGaussian()));
                double e = 1 / (1 + Math.exp(-2.5 * x));
                double t = rnd.nextDouble() < e ? 1 : 0;
                rows[i] = new double[]{offset + 2 * t + 3 * x + rnd.nextGaussian(), t, e};
            }
            Arrays.sort(rows, (a, b) -> Double.compare(a[0], b[0]));
            Awkward d = new Awkward(new double[n], new double[n], new double[n]);
            for (int i = 0; i < n; i++) {
                d.y[i] = rows[i][0];
                d.t[i] = rows[i][1];
                d.e[i] = rows[i][2];
            }
            return d;
        }
    }

    /**
     * {μ1, μ0, known-propensity SE} as the README writes them, in two passes with compensated (Neumaier)
     * sums: μ from the weighted sums (Hajek: refined by the mean of the weighted residuals around it), then
     * Σ f² around μ.
     */
    private static double[] twoPass(double[] y, double[] t, double[] e, boolean[] keep, String estimand,
                                    boolean hajek) {
        int n = y.length;
        double[] sa1y = new double[2];
        double[] sa0y = new double[2];
        double[] sb1 = new double[2];
        double[] sb0 = new double[2];
        for (int i = 0; i < n; i++) {
            if (keep != null && !keep[i]) {
                continue;
            }
            double[] w = weights(t[i], e[i], estimand);
            add(sa1y, w[0] * y[i]);
            add(sa0y, w[1] * y[i]);
            add(sb1, hajek ? w[0] : w[2]);
            add(sb0, hajek ? w[1] : w[2]);
        }
        double mu1 = (sa1y[0] + sa1y[1]) / (sb1[0] + sb1[1]);
        double mu0 = (sa0y[0] + sa0y[1]) / (sb0[0] + sb0[1]);
        double lo1 = 0;
        double lo0 = 0;
        if (hajek) {
            double[] r1 = new double[2];
            double[] r0 = new double[2];
            for (int i = 0; i < n; i++) {
                if (keep == null || keep[i]) {
                    double[] w = weights(t[i], e[i], estimand);
                    add(r1, w[0] * (y[i] - mu1));
                    add(r0, w[1] * (y[i] - mu0));
                }
            }
            // μ = mu + lo, kept apart: a double near 10⁹ is 10⁻⁷ coarse, 10⁻⁸ of the outcome's spread here
            lo1 = (r1[0] + r1[1]) / (sb1[0] + sb1[1]);
            lo0 = (r0[0] + r0[1]) / (sb0[0] + sb0[1]);
        }
        double m1 = (sb1[0] + sb1[1]) / n;
        double m0 = (sb0[0] + sb0[1]) / n;
        double[] ss = new double[2];
        for (int i = 0; i < n; i++) {
            if (keep != null && !keep[i]) {
                continue;
            }
            double[] w = weights(t[i], e[i], estimand);
            double psi1 = hajek ? w[0] * ((y[i] - mu1) - lo1) : w[0] * y[i] - w[2] * mu1;
            double psi0 = hajek ? w[1] * ((y[i] - mu0) - lo0) : w[1] * y[i] - w[2] * mu0;
            double f = psi1 / m1 - psi0 / m0;
            add(ss, f * f);
        }
        return new double[]{mu1 + lo1, mu0 + lo0, Math.sqrt(ss[0] + ss[1]) / n};
    }

    /** Neumaier's compensated sum: {sum, compensation}. */
    private static void add(double[] acc, double v) {
        double s = acc[0] + v;
        acc[1] += Math.abs(acc[0]) >= Math.abs(v) ? (acc[0] - s) + v : (v - s) + acc[0];
        acc[0] = s;
    }

    /** {a1, a0, d} of one unit. */
    private static double[] weights(double t, double e, String estimand) {
        return switch (estimand) {
            case "ATT" -> new double[]{t, (1 - t) * e / (1 - e), t};
            case "ATC" -> new double[]{t * (1 - e) / e, 1 - t, 1 - t};
            default -> new double[]{t / e, (1 - t) / (1 - e), 1};
        };
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

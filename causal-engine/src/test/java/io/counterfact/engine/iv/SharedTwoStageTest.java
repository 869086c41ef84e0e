package io.counterfact.engine.iv;

import io.counterfact.engine.linalg.CovarianceType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-Gram path ({@link SharedTwoStage}) against the regression-by-regression path it replaces
 * for CLASSICAL, HC0 and HC1: every number of the fit, to 1e-9 relative.
 */
class SharedTwoStageTest {

    private static final double TOL = 1e-9;

    @Test
    void justIdentifiedWithControlsMatchesTheRegressionByRegressionPath() {
        SyntheticIv data = SyntheticIv.generate(5_000, 17);
        for (CovarianceType se : List.of(CovarianceType.CLASSICAL, CovarianceType.HC0, CovarianceType.HC1)) {
            IvOptions options = IvOptions.defaults().withSe(se);
            compare(data.y, Regressors.of("d", data.d), data.controls(), Regressors.of("z", data.z), options);
        }
    }

    @Test
    void overIdentifiedWithTwoEndogenousRegressorsMatches() {
        Random rng = new Random(5);
        int n = 3_000;
        double[] y = new double[n];
        double[][] d = new double[2][n];
        double[][] z = new double[3][n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            double u = rng.nextGaussian();
            for (int j = 0; j < 3; j++) {
                z[j][i] = rng.nextGaussian() + 3;
            }
            w[i] = 1e4 + 100 * rng.nextGaussian();
            d[0][i] = z[0][i] + 0.5 * z[2][i] + 0.005 * w[i] + u + rng.nextGaussian();
            d[1][i] = z[1][i] - 0.5 * z[2][i] + u + rng.nextGaussian();
            y[i] = 1 + 2 * d[0][i] - d[1][i] + 0.003 * w[i] + 2 * u + rng.nextGaussian() * (1 + Math.abs(z[0][i]));
        }
        for (CovarianceType se : List.of(CovarianceType.CLASSICAL, CovarianceType.HC1)) {
            compare(y, Regressors.of(List.of("d1", "d2"), d), Regressors.of("w", w),
                    Regressors.of(List.of("z1", "z2", "z3"), z), IvOptions.defaults().withSe(se));
            compare(y, Regressors.of(List.of("d1", "d2"), d), Regressors.none(),
                    Regressors.of(List.of("z1", "z2", "z3"), z), IvOptions.defaults().withSe(se));
        }
        // one endogenous regressor, two instruments: Anderson-Rubin on a grid (robust) and Sargan
        for (CovarianceType se : List.of(CovarianceType.CLASSICAL, CovarianceType.HC1)) {
            compare(y, Regressors.of("d1", d[0]), Regressors.of("w", w),
                    Regressors.of(List.of("z1", "z3"), new double[][]{z[0], z[2]}), IvOptions.defaults().withSe(se));
        }
    }

    @Test
    void withoutAnInterceptMatches() {
        SyntheticIv data = SyntheticIv.generate(2_000, 3);
        compare(data.y, Regressors.of("d", data.d), data.controls(), Regressors.of("z", data.z),
                IvOptions.defaults().withIntercept(false));
    }

    @Test
    void withoutDiagnosticsTheEstimatesAndStandardErrorsAreTheSame() {
        SyntheticIv data = SyntheticIv.generate(4_000, 8);
        IvFit full = TwoStageLeastSquares.fit(data.y, Regressors.of("d", data.d), data.controls(),
                Regressors.of("z", data.z), IvOptions.defaults());
        IvFit lean = TwoStageLeastSquares.fit(data.y, Regressors.of("d", data.d), data.controls(),
                Regressors.of("z", data.z), IvOptions.defaults().withDiagnostics(false));
        assertClose(full.coefficients(), lean.coefficients(), "coefficients");
        assertClose(full.standardErrors(), lean.standardErrors(), "se");
        assertClose(full.standardErrors(CovarianceType.CLASSICAL), lean.standardErrors(CovarianceType.CLASSICAL), "se");
        assertEquals(full.firstStages().get(0).f(), lean.firstStages().get(0).f(), TOL * full.firstStages().get(0).f());
        assertTrue(Double.isNaN(lean.firstStages().get(0).fRobust()));
        assertTrue(lean.wuHausman().isEmpty() && lean.andersonRubin().isEmpty() && lean.sargan().isEmpty());
    }

    @Test
    void resultsAreTheSameBitForBitWhateverTheThreadCount() throws Exception {
        // more rows than one block so that the blocks are spread over the threads
        SyntheticIv data = SyntheticIv.generate(50_000, 21);
        java.util.function.Supplier<IvFit> fit = () -> TwoStageLeastSquares.fit(data.y, Regressors.of("d", data.d),
                data.controls(), Regressors.of("z", data.z), IvOptions.defaults());
        double[][] reference = summary(fit.get());
        for (int threads : new int[]{1, 3}) {
            java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
            try {
                double[][] other = summary(pool.submit(fit::get).get());
                for (int i = 0; i < reference.length; i++) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(reference[i], other[i], threads + " threads, " + i);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    private static double[][] summary(IvFit f) {
        FirstStage fs = f.firstStages().get(0);
        return new double[][]{f.coefficients(), f.standardErrors(), f.standardErrors(CovarianceType.CLASSICAL),
                fs.coefficients(), fs.seRobust(), {fs.f(), fs.fRobust(), f.wuHausman().orElseThrow().statistic(),
                f.andersonRubinStatistic(0.5)}};
    }

    private static void compare(double[] y, Regressors endogenous, Regressors exogenous, Regressors instruments,
                                IvOptions options) {
        IvFit shared = TwoStageLeastSquares.fit(y, endogenous, exogenous, instruments, options, true);
        IvFit legacy = TwoStageLeastSquares.fit(y, endogenous, exogenous, instruments, options, false);
        String what = options.toString();
        assertEquals(legacy.terms(), shared.terms());
        assertClose(legacy.coefficients(), shared.coefficients(), what + " coefficients");
        for (CovarianceType type : CovarianceType.values()) {
            assertClose(legacy.standardErrors(type), shared.standardErrors(type), what + " se " + type);
        }
        assertClose(legacy.residuals(), shared.residuals(), what + " residuals");
        for (int j = 0; j < legacy.firstStages().size(); j++) {
            FirstStage a = legacy.firstStages().get(j);
            FirstStage b = shared.firstStages().get(j);
            assertClose(a.coefficients(), b.coefficients(), what + " first stage coefficients");
            assertClose(a.seClassical(), b.seClassical(), what + " first stage se");
            assertClose(a.seRobust(), b.seRobust(), what + " first stage robust se");
            assertClose(new double[]{a.f(), a.fRobust(), a.partialR2(), a.rSquared(), a.pValue()},
                    new double[]{b.f(), b.fRobust(), b.partialR2(), b.rSquared(), b.pValue()}, what + " first stage F");
        }
        assertEquals(legacy.wuHausman().isPresent(), shared.wuHausman().isPresent());
        legacy.wuHausman().ifPresent(a -> assertClose(new double[]{a.statistic(), a.pValue()},
                new double[]{shared.wuHausman().get().statistic(), shared.wuHausman().get().pValue()}, what + " Wu-Hausman"));
        assertEquals(legacy.sargan().isPresent(), shared.sargan().isPresent());
        legacy.sargan().ifPresent(a -> assertClose(new double[]{a.statistic()},
                new double[]{shared.sargan().get().statistic()}, what + " Sargan"));
        legacy.hansenJ().ifPresent(a -> assertClose(new double[]{a.statistic()},
                new double[]{shared.hansenJ().get().statistic()}, what + " Hansen"));
        assertEquals(legacy.andersonRubin().isPresent(), shared.andersonRubin().isPresent());
        if (legacy.andersonRubin().isPresent()) {
            // (not at the estimate, where the statistic is 0 up to rounding)
            for (double beta : new double[]{-3, 0, 1.5, 4}) {
                assertClose(new double[]{legacy.andersonRubinStatistic(beta)},
                        new double[]{shared.andersonRubinStatistic(beta)}, what + " AR statistic at " + beta);
            }
            ConfidenceSet a = legacy.andersonRubin().get();
            ConfidenceSet b = shared.andersonRubin().get();
            assertEquals(a.shape(), b.shape(), what);
        }
        assertEquals(legacy.warnings(), shared.warnings());
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                assertEquals(e, a, what + " [" + i + "]");
                continue;
            }
            assertEquals(e, a, TOL * Math.max(Math.abs(e), 1e-6 * scale), what + " [" + i + "]");
        }
    }
}

package io.counterfact.engine.iv;

import io.counterfact.engine.linalg.CovarianceType;
import io.counterfact.engine.linalg.Ols;
import io.counterfact.engine.linalg.OlsFit;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 2SLS on the gen_synth.py IV design: recovery, OLS's bias, and the coverage of its interval. */
class IvSimulationTest {

    private static IvFit fit(SyntheticIv s) {
        return TwoStageLeastSquares.fit(s.y, Regressors.of("d", s.d), s.controls(), Regressors.of("z", s.z),
                IvOptions.defaults());
    }

    @Test
    void twoStageLeastSquaresRecoversTheEffectWhereOlsIsBiasedUpward() {
        SyntheticIv s = SyntheticIv.generate(20_000, 20240601);
        IvFit iv = fit(s);
        double[][] cols = new double[SyntheticIv.P + 2][];
        cols[0] = new double[s.y.length];
        Arrays.fill(cols[0], 1.0);
        cols[1] = s.d;
        System.arraycopy(s.x, 0, cols, 2, SyntheticIv.P);
        OlsFit ols = Ols.fit(cols, s.y);
        double olsEffect = ols.coefficients()[1];
        double olsSe = ols.standardErrors(CovarianceType.HC1)[1];
        System.out.printf("n = 20,000: 2SLS %.4f (se %.4f), OLS %.4f (se %.4f), true %.1f%n", iv.estimate(),
                iv.stdError(), olsEffect, olsSe, SyntheticIv.EFFECT);
        assertTrue(Math.abs(iv.estimate() - SyntheticIv.EFFECT) < 3 * iv.stdError(), "2SLS " + iv.estimate());
        assertTrue(olsEffect - SyntheticIv.EFFECT > 10 * olsSe, "OLS not biased upward: " + olsEffect);
        // the confounding the instrument removes shows in the exogeneity test
        assertTrue(iv.wuHausman().orElseThrow().pValue() < 1e-6, "Wu-Hausman p " + iv.wuHausman().orElseThrow().pValue());
        assertFalse(iv.firstStages().get(0).weak());
        assertTrue(iv.warnings().isEmpty());
        ConfidenceSet ar = iv.andersonRubin().orElseThrow();
        assertTrue(ar.bounded() && ar.contains(iv.estimate()));
    }

    @Test
    void intervalCoversTheEffectAtItsLevelOver200Replications() {
        int reps = 200;
        int covered = 0;
        int arCovered = 0;
        long start = System.nanoTime();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        for (int r = 0; r < reps; r++) {
            IvFit iv = fit(SyntheticIv.generate(2_000, 1000 + r));
            double[] ci = iv.confidenceInterval();
            if (ci[0] <= SyntheticIv.EFFECT && SyntheticIv.EFFECT <= ci[1]) {
                covered++;
            }
            if (iv.andersonRubin().orElseThrow().contains(SyntheticIv.EFFECT)) {
                arCovered++;
            }
        }
        double coverage = (double) covered / reps;
        double arCoverage = (double) arCovered / reps;
        System.out.printf("coverage over %d replications at n = 2,000: HC1 Wald %.3f, Anderson-Rubin %.3f "
                        + "(%.1f s wall, %.1f s CPU of this thread)%n", reps, coverage, arCoverage,
                (System.nanoTime() - start) / 1e9, (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9);
        assertTrue(coverage >= 0.92 && coverage <= 0.98, "coverage " + coverage);
        assertTrue(arCoverage >= 0.92 && arCoverage <= 0.98, "Anderson-Rubin coverage " + arCoverage);
    }
}

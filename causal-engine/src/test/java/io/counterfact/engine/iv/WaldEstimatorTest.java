package io.counterfact.engine.iv;

import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.linalg.CovarianceType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WaldEstimatorTest {

    /** Welch standard error of a difference in means of v between the arms of z. */
    private static double welch(double[] v, double[] z) {
        double[] sum = new double[2];
        double[] sq = new double[2];
        int[] count = new int[2];
        for (int i = 0; i < v.length; i++) {
            int g = (int) z[i];
            sum[g] += v[i];
            sq[g] += v[i] * v[i];
            count[g]++;
        }
        double var = 0;
        for (int g = 0; g < 2; g++) {
            double mean = sum[g] / count[g];
            var += (sq[g] - count[g] * mean * mean) / (count[g] - 1) / count[g];
        }
        return Math.sqrt(var);
    }

    @Test
    void equalsJustIdentifiedTwoStageLeastSquaresWithTheDeltaMethodError() {
        SyntheticIv s = SyntheticIv.generate(5_000, 42);
        WaldEstimator.Fit wald = WaldEstimator.estimate(s.y, s.d, s.z, "z", 0.95);
        IvFit tsls = TwoStageLeastSquares.fit(s.y, Regressors.of("d", s.d), Regressors.none(), Regressors.of("z", s.z),
                IvOptions.defaults().withSe(CovarianceType.HC0));
        assertEquals(tsls.estimate(), wald.estimate(), 1e-10 * Math.abs(wald.estimate()));
        // the delta method's linearisation: β̂ − β ≈ (ρ̂ − βπ̂)/π, a difference in means of y − βd
        double[] w = new double[s.y.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = s.y[i] - wald.estimate() * s.d[i];
        }
        assertEquals(welch(w, s.z) / Math.abs(wald.firstStage()), wald.stdError(), 1e-10 * wald.stdError());
        // the same linearisation with 1/n_g variances is 2SLS's HC0
        int n1 = wald.n1();
        int n0 = wald.n0();
        double hc0 = wald.stdError() * Math.sqrt(
                (variance(w, s.z, 1) * (n1 - 1) / n1 / n1 + variance(w, s.z, 0) * (n0 - 1) / n0 / n0)
                        / (variance(w, s.z, 1) / n1 + variance(w, s.z, 0) / n0));
        assertEquals(tsls.stdError(), hc0, 1e-9 * hc0);
        assertEquals(welch(s.d, s.z), wald.firstStageSe(), 1e-12);
        assertEquals(wald.reducedForm() / wald.firstStage(), wald.estimate(), 1e-12);
        // the classical first-stage F is that of OLS of d on [1, z], as in 2SLS
        IvFit classical = TwoStageLeastSquares.fit(s.y, Regressors.of("d", s.d), Regressors.none(), Regressors.of("z", s.z),
                IvOptions.defaults().withSe(CovarianceType.CLASSICAL));
        assertEquals(classical.firstStages().get(0).f(), wald.firstStageF(), 1e-9 * wald.firstStageF());
        assertEquals(classical.firstStages().get(0).partialR2(), wald.partialR2(), 1e-9);
        assertFalse(wald.weak());
        assertTrue(wald.ciLower() < 2.0 && 2.0 < wald.ciUpper());
    }

    private static double variance(double[] v, double[] z, int arm) {
        double sum = 0;
        double sq = 0;
        int c = 0;
        for (int i = 0; i < v.length; i++) {
            if (z[i] == arm) {
                sum += v[i];
                sq += v[i] * v[i];
                c++;
            }
        }
        double mean = sum / c;
        return (sq - c * mean * mean) / (c - 1);
    }

    @Test
    void intervalCoversTheEffect() {
        int covered = 0;
        int reps = 200;
        for (int r = 0; r < reps; r++) {
            SyntheticIv s = SyntheticIv.generate(1_000, 5000 + r);
            WaldEstimator.Fit f = WaldEstimator.estimate(s.y, s.d, s.z, "z", 0.95);
            if (f.ciLower() <= SyntheticIv.EFFECT && SyntheticIv.EFFECT <= f.ciUpper()) {
                covered++;
            }
        }
        double coverage = (double) covered / reps;
        assertTrue(coverage >= 0.92 && coverage <= 0.98, "coverage " + coverage);
    }

    @Test
    void refusesANonBinaryInstrumentOrOneThatDoesNotMoveTheTreatment() {
        double[] y = {1, 2, 3, 4, 5, 6};
        double[] d = {0, 1, 0, 1, 1, 0};
        InvalidSpecException notBinary = assertThrows(InvalidSpecException.class,
                () -> WaldEstimator.estimate(y, d, new double[]{0, 1, 2, 1, 0, 1}, "distance", 0.95));
        assertEquals("instruments[0]", notBinary.field());
        assertTrue(notBinary.getMessage().contains("'distance'") && notBinary.getMessage().contains("row 3"),
                notBinary.getMessage());
        InvalidSpecException flat = assertThrows(InvalidSpecException.class,
                () -> WaldEstimator.estimate(y, d, new double[]{1, 1, 0, 0, 0, 0}, "lottery", 0.95));
        assertTrue(flat.getMessage().contains("'lottery' does not move the treatment"), flat.getMessage());
        assertThrows(InvalidSpecException.class,
                () -> WaldEstimator.estimate(y, d, new double[]{0, 0, 0, 0, 0, 1}, "lottery", 0.95));
    }

    @Test
    void aWeakInstrumentWarnsNamingIt() {
        Random rng = new Random(3);
        int n = 400;
        double[] y = new double[n];
        double[] d = new double[n];
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = rng.nextInt(2);
            double u = rng.nextGaussian();
            d[i] = 0.05 * z[i] + u + rng.nextGaussian();
            y[i] = d[i] + u + rng.nextGaussian();
        }
        WaldEstimator.Fit f = WaldEstimator.estimate(y, d, z, "coin", 0.95);
        assertTrue(f.weak());
        assertEquals(1, f.warnings().size());
        assertTrue(f.warnings().get(0).contains("'coin'"), f.warnings().get(0));
        Map<String, Object> diagnostics = f.diagnostics("d");
        Map<?, ?> first = ((List<Map<?, ?>>) diagnostics.get("firstStage")).get(0);
        assertEquals(true, first.get("weak"));
        assertEquals("d", first.get("regressor"));
    }
}

package io.counterfact.engine.po;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.counterfact.engine.testing.Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warm start (Newton on a sample of row blocks, then on all the data) against the cold start, on
 * data large enough for the sample to be used: the same estimate, and the covariance within the bound
 * of the light final step.
 */
class LogisticRegressionTest {

    /** Enough rows for the sample (every 8th block of 2048 rows, at least 16 blocks). */
    private static final int N = LogisticRegression.SUBSAMPLE_STRIDE * LogisticRegression.MIN_SUBSAMPLE_BLOCKS
            * 2048 + 12_345;

    @Test
    void warmStartReachesTheColdStartsEstimate() {
        double[][] x = design(N, 7);
        double[] t = treatment(x, 11);
        assertSameFit(LogisticRegression.fit(x, t, false), LogisticRegression.fit(x, t));
    }

    /**
     * A dummy that is 1 for a few units, all treated inside the sample's blocks, one a control outside:
     * the sample is quasi-separated, the full data are not. The sample's estimate runs off along the
     * dummy, and the steps on all the data must still reach the maximum.
     */
    @Test
    void aQuasiSeparatedSampleStillReachesTheEstimate() {
        double[][] x = design(N, 3);
        double[] t = treatment(x, 5);
        double[] flag = x[2];
        java.util.Arrays.fill(flag, 0.0);
        int sampleBlock = LogisticRegression.SUBSAMPLE_STRIDE * 2048;
        for (int k = 0; k < 6; k++) {
            int i = 100 + k * sampleBlock;
            flag[i] = 1;
            t[i] = 1;
        }
        // outside every sampled block
        flag[2048 + 17] = 1;
        t[2048 + 17] = 0;
        LogisticRegression.Fit warm = LogisticRegression.fit(x, t);
        assertSameFit(LogisticRegression.fit(x, t, false), warm);
        assertTrue(Math.abs(warm.coefficients()[2]) < 10, "finite flag coefficient " + warm.coefficients()[2]);
    }

    /**
     * A covariate that separates the treated from the controls completely inside the sample's blocks
     * (the sample's fit fails with a separation) but not outside: the fit must start cold instead of
     * reporting the sample's separation.
     */
    @Test
    void aSeparatedSampleFallsBackToTheColdStart() {
        double[][] x = design(N, 13);
        double[] t = treatment(x, 17);
        int block = 2048;
        for (int i = 0; i < N; i++) {
            if ((i / block) % LogisticRegression.SUBSAMPLE_STRIDE == 0) {
                x[4][i] = t[i] == 1 ? 1 + Math.abs(x[4][i]) : -1 - Math.abs(x[4][i]);
            }
        }
        LogisticRegression.Fit warm = LogisticRegression.fit(x, t);
        assertSameFit(LogisticRegression.fit(x, t, false), warm);
    }

    /** Separated full data still fail with the separation error, naming the covariate. */
    @Test
    void separatedDataAreStillRefused() {
        double[][] x = design(N, 4);
        double[] t = treatment(x, 9);
        for (int i = 0; i < N; i++) {
            // the third column separates: positive exactly for the treated
            x[2][i] = t[i] == 1 ? 0.5 + Math.abs(x[2][i]) : -0.5 - Math.abs(x[2][i]);
        }
        SeparationException ex = assertThrows(SeparationException.class, () -> LogisticRegression.fit(x, t));
        assertTrue(ex.getMessage().contains("column 2"), ex.getMessage());
    }

    private static void assertSameFit(LogisticRegression.Fit cold, LogisticRegression.Fit warm) {
        double[] bc = cold.coefficients();
        double[] bw = warm.coefficients();
        double[] sc = cold.standardErrors();
        double[] sw = warm.standardErrors();
        for (int j = 0; j < bc.length; j++) {
            // both at the maximum to far below its sampling error: compare on the standard error's scale
            assertTrue(Math.abs(bw[j] - bc[j]) <= 1e-7 * sc[j], "coefficient " + j + ": " + bw[j] + " vs " + bc[j]);
            assertClose(sc[j], sw[j], 1e-7, "standard error " + j);
        }
        assertClose(cold.logLik(), warm.logLik(), 1e-13, "log-likelihood");
        double[] ec = cold.fitted();
        double[] ew = warm.fitted();
        for (int i = 0; i < ec.length; i += 997) {
            assertClose(ec[i], ew[i], 1e-9, "fitted " + i);
        }
    }

    /** Intercept and covariates: normal, a dummy, a uniform one with an offset. */
    private static double[][] design(int n, long seed) {
        Random rnd = new Random(seed);
        double[][] x = new double[5][n];
        for (int i = 0; i < n; i++) {
            x[0][i] = 1;
            x[1][i] = rnd.nextGaussian();
            x[2][i] = rnd.nextDouble() < 0.3 ? 1 : 0;
            x[3][i] = 100 + 2 * rnd.nextDouble();
            x[4][i] = rnd.nextGaussian() + 0.5 * x[1][i];
        }
        return x;
    }

    private static double[] treatment(double[][] x, long seed) {
        Random rnd = new Random(seed);
        int n = x[0].length;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            double eta = -0.3 + 0.8 * x[1][i] - 0.5 * x[2][i] + 0.7 * (x[3][i] - 101) - 0.6 * x[4][i];
            t[i] = rnd.nextDouble() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
        }
        return t;
    }
}

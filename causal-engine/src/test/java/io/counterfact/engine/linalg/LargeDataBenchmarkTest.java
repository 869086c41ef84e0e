package io.counterfact.engine.linalg;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wall-clock timing at the benchmark's size (n = 1,000,000, 20 covariates, plus intercept and
 * treatment). Off by default: {@code ./mvnw -o -pl causal-engine test -Dtest=LargeDataBenchmarkTest -Dbenchmark=true}.
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class LargeDataBenchmarkTest {

    @Test
    void singleThreadCpuTimeOfTheKernels() throws Exception {
        int n = 1_000_000;
        int p = 22;
        SplittableRandom rng = new SplittableRandom(2);
        double[][] x = new double[p][n];
        double[] w = new double[n];
        for (int j = 0; j < p; j++) {
            for (int i = 0; i < n; i++) {
                x[j][i] = j == 0 ? 1 : rng.nextGaussian();
            }
        }
        for (int i = 0; i < n; i++) {
            w[i] = rng.nextDouble();
        }
        double[] y = x[5].clone();
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            double eta = -0.2 + 0.25 * x[1][i] - 0.25 * x[2][i] + 0.05 * x[3][i];
            t[i] = rng.nextDouble() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
        }
        java.util.concurrent.ForkJoinPool single = new java.util.concurrent.ForkJoinPool(1);
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        try {
            for (int rep = 0; rep < 5; rep++) {
                String line = single.submit(() -> {
                    long c0 = mx.getCurrentThreadCpuTime();
                    Gram.of(x, null, null);
                    long c1 = mx.getCurrentThreadCpuTime();
                    Gram.of(x, w, null);
                    long c2 = mx.getCurrentThreadCpuTime();
                    OlsFit fit = Ols.fit(x, y);
                    fit.standardErrors(CovarianceType.HC1);
                    long c3 = mx.getCurrentThreadCpuTime();
                    io.counterfact.engine.po.LogisticRegressionAccess.fit(x, t);
                    long c4 = mx.getCurrentThreadCpuTime();
                    return String.format("BENCH cpu gram %.0f ms, weighted gram %.0f ms, ols+HC1 %.0f ms, logit %.0f ms",
                            (c1 - c0) / 1e6, (c2 - c1) / 1e6, (c3 - c2) / 1e6, (c4 - c3) / 1e6);
                }).get();
                System.out.println(line);
            }
        } finally {
            single.shutdown();
        }
    }

    @Test
    void olsWithHc1AtOneMillionRows() {
        int n = 1_000_000;
        int p = 20;
        SplittableRandom rng = new SplittableRandom(1);
        double[][] x = new double[p + 2][n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[0][i] = 1;
            double eta = -0.2;
            double mu = 1;
            for (int j = 0; j < p; j++) {
                double v = rng.nextGaussian();
                x[j + 2][i] = v;
                eta += (j < 10 ? (j % 2 == 0 ? 0.25 : -0.25) : 0.05) * v;
                mu += (1.0 - 0.95 * j / (p - 1)) * v;
            }
            x[1][i] = rng.nextDouble() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
            y[i] = mu + 2 * x[1][i] + rng.nextGaussian();
        }
        double[] t = x[1];
        double[][] xc = new double[p + 1][];
        xc[0] = x[0];
        System.arraycopy(x, 2, xc, 1, p);
        for (int rep = 0; rep < 4; rep++) {
            long t0 = System.nanoTime();
            OlsFit fit = Ols.fit(x, y);
            double[] se = fit.standardErrors(CovarianceType.HC1);
            long t1 = System.nanoTime();
            double[] se3 = fit.standardErrors(CovarianceType.HC3);
            long t2 = System.nanoTime();
            io.counterfact.engine.po.LogisticRegressionAccess.fit(xc, t);
            long t3 = System.nanoTime();
            System.out.printf("BENCH ols+HC1 %.0f ms (treat %.4f se %.5f), HC3 extra %.0f ms, logit %.0f ms, threads %d%n",
                    (t1 - t0) / 1e6, fit.coefficients()[1], se[1], (t2 - t1) / 1e6, (t3 - t2) / 1e6,
                    Parallel.parallelism());
            assertTrue(Math.abs(fit.coefficients()[1] - 2) < 5 * se[1] && se3[1] > 0);
        }
    }
}

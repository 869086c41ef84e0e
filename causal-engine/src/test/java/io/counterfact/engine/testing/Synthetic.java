package io.counterfact.engine.testing;

import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.DataFrame;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The observational design of the shared {@code gen_synth.py}, generated in Java with a fixed seed
 * (not numpy's stream: the same distribution, not the same numbers):
 * X_ij ~ N(0,1), e = expit(−0.2 + Xγ) with γ_j = 0.25(−1)^(j+1) for j ≤ 10 and 0.05 beyond,
 * T ~ Bernoulli(e), Y = 1 + 2T + Xβ + ε with β = linspace(1, 0.05, p) and ε ~ N(0,1):
 * the true ATE (= ATT = ATC) is 2.0.
 */
public final class Synthetic {

    public static final double TRUE_EFFECT = 2.0;

    private Synthetic() {
    }

    /** Names x1..xp. */
    public static List<String> covariates(int p) {
        List<String> names = new ArrayList<>();
        for (int j = 1; j <= p; j++) {
            names.add("x" + j);
        }
        return names;
    }

    /** The observational design: columns y, t, x1..xp. */
    public static DataFrame observational(int n, int p, long seed) {
        return generate(n, p, seed, false);
    }

    /** The same outcome model with a randomised treatment (e = 0.5 for everyone). */
    public static DataFrame randomised(int n, int p, long seed) {
        return generate(n, p, seed, true);
    }

    private static DataFrame generate(int n, int p, long seed, boolean randomised) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] x = new double[p][n];
        double[] t = new double[n];
        double[] y = new double[n];
        double[] gamma = new double[p];
        double[] beta = new double[p];
        for (int j = 0; j < p; j++) {
            int j1 = j + 1;
            gamma[j] = j1 <= 10 ? 0.25 * (j1 % 2 == 1 ? 1 : -1) : 0.05;
            beta[j] = p == 1 ? 1.0 : 1.0 - 0.95 * j / (p - 1);
        }
        for (int i = 0; i < n; i++) {
            double eta = -0.2;
            double mu = 1.0;
            for (int j = 0; j < p; j++) {
                double v = rng.nextGaussian();
                x[j][i] = v;
                eta += gamma[j] * v;
                mu += beta[j] * v;
            }
            double e = randomised ? 0.5 : 1.0 / (1.0 + Math.exp(-eta));
            t[i] = rng.nextDouble() < e ? 1.0 : 0.0;
            y[i] = mu + TRUE_EFFECT * t[i] + rng.nextGaussian();
        }
        List<Column> cols = new ArrayList<>();
        cols.add(Column.numeric("y", y));
        cols.add(Column.binary("t", t));
        for (int j = 0; j < p; j++) {
            cols.add(Column.numeric("x" + (j + 1), x[j]));
        }
        return DataFrame.of(cols);
    }
}

package io.counterfact.engine.iv;

import java.util.Random;

/**
 * The IV design of the shared datasets' gen_synth.py, generated in Java (its own seed, any n):
 * X_ij ~ N(0,1), j = 1..20; Z ~ Bernoulli(0.5); U ~ N(0,1) unobserved; v, ε ~ N(0,1);
 * D = 1{−0.3 + Z + Xπ + 0.8U + v > 0} with π_j = 0.1(−1)^(j+1);
 * Y = 1 + 2D + Xβ + U + ε with β = linspace(1.0, 0.05, 20). The effect is 2.0; U raises both D and
 * Y, so OLS of Y on D and X is biased upward.
 */
final class SyntheticIv {

    static final int P = 20;
    static final double EFFECT = 2.0;

    final double[] y;
    final double[] d;
    final double[] z;
    final double[][] x;

    private SyntheticIv(double[] y, double[] d, double[] z, double[][] x) {
        this.y = y;
        this.d = d;
        this.z = z;
        this.x = x;
    }

    static SyntheticIv generate(int n, long seed) {
        Random rng = new Random(seed);
        double[][] x = new double[P][n];
        double[] y = new double[n];
        double[] d = new double[n];
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            double xPi = 0;
            double xBeta = 0;
            for (int j = 0; j < P; j++) {
                double v = rng.nextGaussian();
                x[j][i] = v;
                xPi += 0.1 * (j % 2 == 0 ? 1 : -1) * v;
                xBeta += (1.0 - 0.95 * j / (P - 1)) * v;
            }
            z[i] = rng.nextDouble() < 0.5 ? 1 : 0;
            double u = rng.nextGaussian();
            double v = rng.nextGaussian();
            double eps = rng.nextGaussian();
            d[i] = -0.3 + z[i] + xPi + 0.8 * u + v > 0 ? 1 : 0;
            y[i] = 1 + EFFECT * d[i] + xBeta + u + eps;
        }
        return new SyntheticIv(y, d, z, x);
    }

    Regressors controls() {
        String[] names = new String[P];
        for (int j = 0; j < P; j++) {
            names[j] = "x" + (j + 1);
        }
        return Regressors.of(java.util.List.of(names), x);
    }
}

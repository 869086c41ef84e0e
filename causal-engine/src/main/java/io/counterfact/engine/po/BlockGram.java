package io.counterfact.engine.po;

import io.counterfact.engine.linalg.Gram;

import java.util.Arrays;

/**
 * The cross-product kernels of the fused passes in this package ({@link LogisticRegression}'s Newton
 * evaluation, {@link ArmModels}' per-arm normal equations): Σᵢ x_ij x_ik over the rows of one block
 * already copied (centred, weighted) into scratch, so that the pass that prepared the block can
 * also reduce it while it is in cache. {@code linalg.Gram} does the same from the original columns.
 */
final class BlockGram {

    private BlockGram() {
    }

    /**
     * Writes the upper triangle of Σ_{i<len} rows[j][i]·rows[k][i] (k ≥ j) into
     * {@code out[at + j·p + k]} (p = rows.length); elements left of the diagonal may be written
     * too, and must be ignored. The kernel is {@code linalg.Gram}'s, on a zeroed region.
     */
    static void upperTriangle(double[][] rows, int len, double[] out, int at) {
        int p = rows.length;
        Arrays.fill(out, at, at + p * p, 0.0);
        Gram.accumulate(rows, len, null, 0, out, at, null);
    }

    /** Σᵢ rows[j][i]·v[i] for every j into {@code out[at + j]}, four columns per sweep (independent sums). */
    static void crossProduct(double[][] rows, double[] v, int len, double[] out, int at) {
        int p = rows.length;
        int j = 0;
        for (; j + 3 < p; j += 4) {
            double[] x0 = rows[j];
            double[] x1 = rows[j + 1];
            double[] x2 = rows[j + 2];
            double[] x3 = rows[j + 3];
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int i = 0; i < len; i++) {
                double vi = v[i];
                s0 += x0[i] * vi;
                s1 += x1[i] * vi;
                s2 += x2[i] * vi;
                s3 += x3[i] * vi;
            }
            out[at + j] = s0;
            out[at + j + 1] = s1;
            out[at + j + 2] = s2;
            out[at + j + 3] = s3;
        }
        for (; j < p; j++) {
            double[] xj = rows[j];
            double s = 0;
            for (int i = 0; i < len; i++) {
                s += xj[i] * v[i];
            }
            out[at + j] = s;
        }
    }
}

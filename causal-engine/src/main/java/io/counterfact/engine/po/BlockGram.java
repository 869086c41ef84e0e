package io.counterfact.engine.po;

/**
 * The cross-product kernel of the fused passes in this package ({@link LogisticRegression}'s Newton
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
     * too, and must be ignored.
     */
    static void upperTriangle(double[][] rows, int len, double[] out, int at) {
        int p = rows.length;
        int j = 0;
        // two rows of G per sweep and four columns per tile: each pair of loads of the row vectors
        // feeds eight independent sums, which keeps the FP units busy without spilling. When p − j
        // is not a multiple of 4 the last tile is moved left to end at column p − 1: it recomputes
        // a few elements (bit for bit the same sums) or some left of the diagonal (ignored), which
        // is cheaper than a tail loop of two dependent sums.
        for (; j + 1 < p; j += 2) {
            if (p < 4) {
                for (int k = j; k < p; k++) {
                    pair(rows, j, k, len, out, at + j * p + k, at + (j + 1) * p + k);
                }
                continue;
            }
            for (int k = j; k < p; k += 4) {
                tile(rows, j, Math.min(k, p - 4), len, out, at, p);
            }
        }
        if (j < p) {
            double[] a = rows[j];
            double s = 0;
            for (int i = 0; i < len; i++) {
                s += a[i] * a[i];
            }
            out[at + j * p + j] = s;
        }
    }

    /** Rows j, j + 1 of G at columns k..k+3. */
    private static void tile(double[][] rows, int j, int k, int len, double[] out, int at, int p) {
        double[] a0 = rows[j];
        double[] a1 = rows[j + 1];
        double[] x0 = rows[k];
        double[] x1 = rows[k + 1];
        double[] x2 = rows[k + 2];
        double[] x3 = rows[k + 3];
        double s00 = 0;
        double s01 = 0;
        double s02 = 0;
        double s03 = 0;
        double s10 = 0;
        double s11 = 0;
        double s12 = 0;
        double s13 = 0;
        for (int i = 0; i < len; i++) {
            double u = a0[i];
            double v = a1[i];
            double y0 = x0[i];
            double y1 = x1[i];
            double y2 = x2[i];
            double y3 = x3[i];
            s00 += u * y0;
            s01 += u * y1;
            s02 += u * y2;
            s03 += u * y3;
            s10 += v * y0;
            s11 += v * y1;
            s12 += v * y2;
            s13 += v * y3;
        }
        int r0 = at + j * p + k;
        int r1 = at + (j + 1) * p + k;
        out[r0] = s00;
        out[r0 + 1] = s01;
        out[r0 + 2] = s02;
        out[r0 + 3] = s03;
        out[r1] = s10;
        out[r1 + 1] = s11;
        out[r1 + 2] = s12;
        out[r1 + 3] = s13;
    }

    /** G[j][k] and G[j + 1][k]. */
    private static void pair(double[][] rows, int j, int k, int len, double[] out, int r0, int r1) {
        double[] a0 = rows[j];
        double[] a1 = rows[j + 1];
        double[] xk = rows[k];
        double s0 = 0;
        double s1 = 0;
        for (int i = 0; i < len; i++) {
            s0 += a0[i] * xk[i];
            s1 += a1[i] * xk[i];
        }
        out[r0] = s0;
        out[r1] = s1;
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

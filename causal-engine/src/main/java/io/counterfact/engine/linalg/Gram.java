package io.counterfact.engine.linalg;

/**
 * Cross-products of column-major data: G = Σᵢ wᵢ (xᵢ − c)(xᵢ − c)' and X̃'W v.
 *
 * <p>Rows are cut into fixed blocks of {@link #BLOCK} rows; each block's partial sum is computed on
 * the {@link Parallel} pool and the partials are added in block order, so the result is the same
 * bit for bit whatever the number of threads.
 */
public final class Gram {

    /** Rows per block: p such columns of scratch stay in a core's L2 cache for p around 20. */
    public static final int BLOCK = 4096;

    private Gram() {
    }

    /** Number of rows of column-major data (all columns must have it). */
    public static int rows(double[][] columns) {
        if (columns.length == 0) {
            throw new IllegalArgumentException("no columns");
        }
        int n = columns[0].length;
        for (double[] c : columns) {
            if (c.length != n) {
                throw new IllegalArgumentException("columns of different lengths: " + n + " and " + c.length);
            }
        }
        return n;
    }

    /** X'X. */
    public static double[][] of(double[][] columns) {
        return of(columns, null, null);
    }

    /**
     * Σᵢ wᵢ (xᵢ − c)(xᵢ − c)' for columns x_j, with {@code weights} w (null: all 1) and per-column
     * {@code shift} c (null: none). Returns the full symmetric p×p matrix.
     */
    public static double[][] of(double[][] columns, double[] weights, double[] shift) {
        int p = columns.length;
        int n = rows(columns);
        if (weights != null && weights.length != n) {
            throw new IllegalArgumentException("weights have " + weights.length + " rows, columns " + n);
        }
        double[] c = shift == null ? new double[p] : shift;
        int blocks = Math.max(1, (n + BLOCK - 1) / BLOCK);
        double[][] partial = new double[blocks][];
        Parallel.forRanges(blocks, (from, to) -> {
            // small data (bootstrap replicates, arms) need no full block of scratch
            int len = Math.min(BLOCK, n);
            double[][] scratch = new double[p][len];
            double[] weighted = new double[len];
            for (int b = from; b < to; b++) {
                int lo = b * BLOCK;
                int hi = Math.min(n, lo + BLOCK);
                partial[b] = blockGram(columns, weights, c, lo, hi, scratch, weighted);
            }
        });
        double[] sum = new double[p * p];
        for (double[] part : partial) {
            for (int k = 0; k < sum.length; k++) {
                sum[k] += part[k];
            }
        }
        double[][] g = new double[p][p];
        for (int j = 0; j < p; j++) {
            for (int k = j; k < p; k++) {
                g[j][k] = sum[j * p + k];
                g[k][j] = sum[j * p + k];
            }
        }
        return g;
    }

    /** Upper triangle (row-major, p×p) of one block's weighted cross-products. */
    private static double[] blockGram(double[][] columns, double[] weights, double[] c, int lo, int hi,
                                      double[][] scratch, double[] weighted) {
        int p = columns.length;
        int len = hi - lo;
        for (int j = 0; j < p; j++) {
            double[] src = columns[j];
            double[] dst = scratch[j];
            double cj = c[j];
            for (int i = 0; i < len; i++) {
                dst[i] = src[lo + i] - cj;
            }
        }
        double[] g = new double[p * p];
        for (int j = 0; j < p; j++) {
            double[] a;
            if (weights == null) {
                a = scratch[j];
            } else {
                double[] xj = scratch[j];
                for (int i = 0; i < len; i++) {
                    weighted[i] = weights[lo + i] * xj[i];
                }
                a = weighted;
            }
            int k = j;
            // four columns per sweep: one load of a[i] feeds four independent sums
            for (; k + 3 < p; k += 4) {
                double[] x0 = scratch[k];
                double[] x1 = scratch[k + 1];
                double[] x2 = scratch[k + 2];
                double[] x3 = scratch[k + 3];
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                for (int i = 0; i < len; i++) {
                    double ai = a[i];
                    s0 += ai * x0[i];
                    s1 += ai * x1[i];
                    s2 += ai * x2[i];
                    s3 += ai * x3[i];
                }
                g[j * p + k] = s0;
                g[j * p + k + 1] = s1;
                g[j * p + k + 2] = s2;
                g[j * p + k + 3] = s3;
            }
            for (; k < p; k++) {
                double[] xk = scratch[k];
                double s0 = 0;
                double s1 = 0;
                int i = 0;
                for (; i + 1 < len; i += 2) {
                    s0 += a[i] * xk[i];
                    s1 += a[i + 1] * xk[i + 1];
                }
                if (i < len) {
                    s0 += a[i] * xk[i];
                }
                g[j * p + k] = s0 + s1;
            }
        }
        return g;
    }

    /** Σᵢ wᵢ (xᵢ − c) vᵢ: X̃'W v, with the same null conventions as {@link #of(double[][], double[], double[])}. */
    public static double[] crossProduct(double[][] columns, double[] weights, double[] shift, double[] v) {
        int p = columns.length;
        int n = rows(columns);
        if (v.length != n) {
            throw new IllegalArgumentException("vector has " + v.length + " rows, columns " + n);
        }
        int blocks = Math.max(1, (n + BLOCK - 1) / BLOCK);
        double[][] partial = new double[blocks][p];
        Parallel.forRanges(blocks, (from, to) -> {
            for (int b = from; b < to; b++) {
                int lo = b * BLOCK;
                int hi = Math.min(n, lo + BLOCK);
                double[] part = partial[b];
                for (int j = 0; j < p; j++) {
                    double[] xj = columns[j];
                    double cj = shift == null ? 0.0 : shift[j];
                    double s = 0;
                    if (weights == null) {
                        for (int i = lo; i < hi; i++) {
                            s += (xj[i] - cj) * v[i];
                        }
                    } else {
                        for (int i = lo; i < hi; i++) {
                            s += weights[i] * (xj[i] - cj) * v[i];
                        }
                    }
                    part[j] = s;
                }
            }
        });
        double[] sum = new double[p];
        for (double[] part : partial) {
            for (int j = 0; j < p; j++) {
                sum[j] += part[j];
            }
        }
        return sum;
    }

    /** Σ_j b_j (x_j − c_j) for every row (c null: no shift), over row blocks in parallel. */
    public static double[] combine(double[][] columns, double[] shift, double[] coef) {
        int p = columns.length;
        int n = rows(columns);
        double[] out = new double[n];
        int blocks = Math.max(1, (n + BLOCK - 1) / BLOCK);
        Parallel.forRanges(blocks, (from, to) -> {
            int lo = from * BLOCK;
            int hi = Math.min(n, to * BLOCK);
            for (int j = 0; j < p; j++) {
                double[] xj = columns[j];
                double bj = coef[j];
                double cj = shift == null ? 0.0 : shift[j];
                for (int i = lo; i < hi; i++) {
                    out[i] += bj * (xj[i] - cj);
                }
            }
        });
        return out;
    }
}

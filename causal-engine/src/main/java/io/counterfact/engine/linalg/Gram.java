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
    public static final int BLOCK = 2048;

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
            double[][] weighted = new double[2][len];
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
        // the sweeps fill the upper triangle (row j+1 also gets its element left of the diagonal)
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
                                      double[][] scratch, double[][] weighted) {
        int p = columns.length;
        int len = hi - lo;
        for (int j = 0; j < p; j++) {
            // copy, then shift in place: C2 (JDK 17) vectorises the same-index loop, not dst[i] = src[lo + i] − c
            System.arraycopy(columns[j], lo, scratch[j], 0, len);
            shiftInPlace(scratch[j], len, c[j]);
        }
        double[] g = new double[p * p];
        accumulate(scratch, len, weights, lo, g, weighted);
        return g;
    }

    private static void shiftInPlace(double[] x, int len, double c) {
        if (c != 0.0) {
            for (int i = 0; i < len; i++) {
                x[i] -= c;
            }
        }
    }

    /**
     * Adds the upper triangle (row-major p×p, row j+1 also gets its element left of the diagonal)
     * of Σᵢ wᵢ xᵢxᵢ' over the first {@code len} rows of the column-major block {@code scratch} to
     * {@code g}; {@code weights} (null: all 1) is read from {@code weightsFrom}. For callers that
     * build their own block (centred columns, residuals) and need several cross-products of it
     * while it is in cache. {@code buffer}: two arrays of at least {@code len}.
     */
    public static void accumulate(double[][] scratch, int len, double[] weights, int weightsFrom, double[] g,
                                  double[][] buffer) {
        accumulate(scratch, len, weights, weightsFrom, g, 0, buffer);
    }

    /**
     * As {@link #accumulate(double[][], int, double[], int, double[], double[][])}, the p×p triangle starting at
     * {@code g[at]} (callers that keep one block's partial sums beside others in a flat array); {@code buffer} may be
     * null when {@code weights} is.
     */
    public static void accumulate(double[][] scratch, int len, double[] weights, int weightsFrom, double[] g, int at,
                                  double[][] buffer) {
        int p = scratch.length;
        int lo = weightsFrom;
        double[] weighted0 = weights == null ? null : buffer[0];
        double[] weighted1 = weights == null ? null : buffer[1];
        int j = 0;
        // two rows of G per sweep and four columns per inner loop: each pair of loads of the
        // row vectors feeds eight independent sums, which keeps the FP units busy without spilling
        for (; j + 1 < p; j += 2) {
            double[] a0 = rowVector(scratch[j], weights, lo, len, weighted0);
            double[] a1 = rowVector(scratch[j + 1], weights, lo, len, weighted1);
            int k = j;
            for (; k + 3 < p; k += 4) {
                double[] x0 = scratch[k];
                double[] x1 = scratch[k + 1];
                double[] x2 = scratch[k + 2];
                double[] x3 = scratch[k + 3];
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
                g[r0] += s00;
                g[r0 + 1] += s01;
                g[r0 + 2] += s02;
                g[r0 + 3] += s03;
                g[r1] += s10;
                g[r1 + 1] += s11;
                g[r1 + 2] += s12;
                g[r1 + 3] += s13;
            }
            if (k + 1 < p) {
                // two columns left (p − j ≡ 2 mod 4, every other row pair for an even p): one 2×2
                // sweep instead of two 2×1 ones, loads shared the same way as in the 2×4 sweep
                double[] x0 = scratch[k];
                double[] x1 = scratch[k + 1];
                double s00 = 0;
                double s01 = 0;
                double s10 = 0;
                double s11 = 0;
                for (int i = 0; i < len; i++) {
                    double u = a0[i];
                    double v = a1[i];
                    double y0 = x0[i];
                    double y1 = x1[i];
                    s00 += u * y0;
                    s01 += u * y1;
                    s10 += v * y0;
                    s11 += v * y1;
                }
                g[at + j * p + k] += s00;
                g[at + j * p + k + 1] += s01;
                g[at + (j + 1) * p + k] += s10;
                g[at + (j + 1) * p + k + 1] += s11;
                k += 2;
            }
            for (; k < p; k++) {
                double[] xk = scratch[k];
                double s0 = 0;
                double s1 = 0;
                for (int i = 0; i < len; i++) {
                    s0 += a0[i] * xk[i];
                    s1 += a1[i] * xk[i];
                }
                g[at + j * p + k] += s0;
                g[at + (j + 1) * p + k] += s1;
            }
        }
        if (j < p) {
            double[] a = rowVector(scratch[j], weights, lo, len, weighted0);
            double s = 0;
            for (int i = 0; i < len; i++) {
                s += a[i] * scratch[j][i];
            }
            g[at + j * p + j] += s;
        }
    }

    /** The row's column, times the weights when there are any (into {@code buffer}). */
    private static double[] rowVector(double[] x, double[] weights, int lo, int len, double[] buffer) {
        if (weights == null) {
            return x;
        }
        for (int i = 0; i < len; i++) {
            buffer[i] = weights[lo + i] * x[i];
        }
        return buffer;
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
            double[] wv = weights == null ? null : new double[Math.min(BLOCK, n)];
            for (int b = from; b < to; b++) {
                int lo = b * BLOCK;
                int hi = Math.min(n, lo + BLOCK);
                double[] vb = v;
                int vFrom = lo;
                if (weights != null) {
                    for (int i = lo; i < hi; i++) {
                        wv[i - lo] = weights[i] * v[i];
                    }
                    vb = wv;
                    vFrom = 0;
                }
                crossBlock(columns, shift, vb, vFrom, lo, hi, partial[b]);
            }
        });
        return sumInOrder(partial, p);
    }

    /**
     * Writes Σᵢ (x_j[i] − c_j) v[vFrom + i − lo] over rows [lo, hi) into {@code out[j]}: four columns
     * per sweep, so each load of v feeds four independent sums (C2 does not vectorise the ordered
     * double reductions; independent sums are what keeps the FP units busy).
     */
    static void crossBlock(double[][] columns, double[] shift, double[] v, int vFrom, int lo, int hi, double[] out) {
        int p = columns.length;
        int off = vFrom - lo;
        int j = 0;
        for (; j + 3 < p; j += 4) {
            double[] x0 = columns[j];
            double[] x1 = columns[j + 1];
            double[] x2 = columns[j + 2];
            double[] x3 = columns[j + 3];
            double c0 = shiftOf(shift, j);
            double c1 = shiftOf(shift, j + 1);
            double c2 = shiftOf(shift, j + 2);
            double c3 = shiftOf(shift, j + 3);
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            // the shift is subtracted row by row (not as c·Σv at the end, which would cancel
            // catastrophically for columns with a large offset, the reason for centring at all)
            for (int i = lo; i < hi; i++) {
                double vi = v[i + off];
                s0 += (x0[i] - c0) * vi;
                s1 += (x1[i] - c1) * vi;
                s2 += (x2[i] - c2) * vi;
                s3 += (x3[i] - c3) * vi;
            }
            out[j] = s0;
            out[j + 1] = s1;
            out[j + 2] = s2;
            out[j + 3] = s3;
        }
        for (; j < p; j++) {
            double[] xj = columns[j];
            double cj = shiftOf(shift, j);
            double s = 0;
            for (int i = lo; i < hi; i++) {
                s += (xj[i] - cj) * v[i + off];
            }
            out[j] = s;
        }
    }

    private static double shiftOf(double[] shift, int j) {
        return shift == null ? 0.0 : shift[j];
    }

    /** Σ over the rows of {@code partial} in index order (the fixed order that makes results thread-count free). */
    static double[] sumInOrder(double[][] partial, int p) {
        double[] sum = new double[p];
        for (double[] part : partial) {
            for (int j = 0; j < p; j++) {
                sum[j] += part[j];
            }
        }
        return sum;
    }

    /** Σᵢ x_j[i] for every column, over row blocks in parallel (block partials added in block order). */
    public static double[] sums(double[][] columns) {
        int p = columns.length;
        int n = rows(columns);
        int blocks = Math.max(1, (n + BLOCK - 1) / BLOCK);
        double[][] partial = new double[blocks][p];
        Parallel.forRanges(blocks, (from, to) -> {
            for (int b = from; b < to; b++) {
                int lo = b * BLOCK;
                int hi = Math.min(n, lo + BLOCK);
                for (int j = 0; j < p; j++) {
                    double[] x = columns[j];
                    // four independent sums: an ordered double sum is one add per FP latency
                    double s0 = 0;
                    double s1 = 0;
                    double s2 = 0;
                    double s3 = 0;
                    int i = lo;
                    for (; i + 3 < hi; i += 4) {
                        s0 += x[i];
                        s1 += x[i + 1];
                        s2 += x[i + 2];
                        s3 += x[i + 3];
                    }
                    for (; i < hi; i++) {
                        s0 += x[i];
                    }
                    partial[b][j] = (s0 + s1) + (s2 + s3);
                }
            }
        });
        return sumInOrder(partial, p);
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

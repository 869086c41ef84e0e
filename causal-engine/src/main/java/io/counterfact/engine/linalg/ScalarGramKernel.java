package io.counterfact.engine.linalg;

/**
 * The plain-Java {@link GramKernel}: two rows of G per sweep and four columns per inner loop, each
 * pair of loads of the row vectors feeding eight independent scalar sums (C2 on JDK 17 does not
 * vectorise ordered double reductions; independent sums are what keeps the FP units busy without
 * spilling). Runs on any JVM.
 */
final class ScalarGramKernel implements GramKernel {

    static final ScalarGramKernel INSTANCE = new ScalarGramKernel();

    private ScalarGramKernel() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void centredCopy(double[] src, int from, int rows, double shift, double[] dst) {
        // copy, then shift in place: C2 (JDK 17) vectorises the same-index loop, not dst[i] = src[from + i] − c
        System.arraycopy(src, from, dst, 0, rows);
        if (shift != 0.0) {
            for (int i = 0; i < rows; i++) {
                dst[i] -= shift;
            }
        }
    }

    @Override
    public Sum newSum(int p) {
        return new Sum() {
            private final double[] sum = new double[p * p];

            @Override
            public void add(double[][] x, int from, int to, double[] weights, int weightsOffset, double[][] buffer) {
                accumulate(x, from, to, weights, weightsOffset, sum, 0, buffer);
            }

            @Override
            public void drainTo(double[] g, int at) {
                for (int e = 0; e < sum.length; e++) {
                    g[at + e] += sum[e];
                    sum[e] = 0.0;
                }
            }
        };
    }

    /** Adds rows [from, to) (weights from weightsOffset + from) to the upper triangle of g at {@code at}. */
    static void accumulate(double[][] scratch, int from, int to, double[] weights, int weightsOffset, double[] g,
                           int at, double[][] buffer) {
        int p = scratch.length;
        double[] weighted0 = weights == null ? null : buffer[0];
        double[] weighted1 = weights == null ? null : buffer[1];
        int j = 0;
        // two rows of G per sweep and four columns per inner loop: each pair of loads of the
        // row vectors feeds eight independent sums, which keeps the FP units busy without spilling
        for (; j + 1 < p; j += 2) {
            double[] a0 = rowVector(scratch[j], weights, weightsOffset, from, to, weighted0);
            double[] a1 = rowVector(scratch[j + 1], weights, weightsOffset, from, to, weighted1);
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
                for (int i = from; i < to; i++) {
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
                for (int i = from; i < to; i++) {
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
                for (int i = from; i < to; i++) {
                    s0 += a0[i] * xk[i];
                    s1 += a1[i] * xk[i];
                }
                g[at + j * p + k] += s0;
                g[at + (j + 1) * p + k] += s1;
            }
        }
        if (j < p) {
            double[] a = rowVector(scratch[j], weights, weightsOffset, from, to, weighted0);
            double s = 0;
            for (int i = from; i < to; i++) {
                s += a[i] * scratch[j][i];
            }
            g[at + j * p + j] += s;
        }
    }

    /** Rows [from, to) of the column, times the weights when there are any (into the same rows of {@code buffer}). */
    private static double[] rowVector(double[] x, double[] weights, int weightsOffset, int from, int to,
                                      double[] buffer) {
        if (weights == null) {
            return x;
        }
        for (int i = from; i < to; i++) {
            buffer[i] = weights[weightsOffset + i] * x[i];
        }
        return buffer;
    }
}

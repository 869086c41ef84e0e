package io.counterfact.engine.linalg;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link GramKernel} on the incubating Vector API ({@code jdk.incubator.vector}): the same 2×4
 * register blocking as {@link ScalarGramKernel}, each of the eight sums a vector of lanes
 * ({@link DoubleVector#SPECIES_PREFERRED}: 8 doubles with AVX-512) updated by one FMA per row group.
 *
 * <p>Only {@link Gram} loads this class, and only when the module is in the boot layer: a JVM
 * started without {@code --add-modules jdk.incubator.vector} never resolves these imports.
 *
 * <p>Callers add rows a tile ({@link Gram#TILE} rows) at a time: every sweep of a tile re-reads the same
 * few columns, which then stay in L1 (sweeping whole 2048-row blocks streams them from L2 and was about
 * three times slower; see {@link Gram#TILE}). The lane sums are carried from tile to tile
 * ({@link LaneSum}), not reduced per tile (eight horizontal reductions per sweep would cost about as much
 * as a tile's worth of FMAs), and reduced once per block, in a fixed order; rows beyond the last whole
 * vector of a tile are added one by one. So a block's result is a fixed function of its inputs, whichever
 * thread runs it.
 */
final class VectorGramKernel implements GramKernel {

    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    /** Null when the platform's preferred vector holds a single double (nothing to gain over the scalar kernel). */
    static final VectorGramKernel INSTANCE = LANES >= 2 ? new VectorGramKernel() : null;

    private VectorGramKernel() {
    }

    @Override
    public String name() {
        return "vector-" + SPECIES.vectorBitSize();
    }

    /**
     * One vector load, subtract and store per lane group: the scalar kernel's copy-then-shift makes two
     * passes (C2 does not vectorise the shifted-index loop), and 24 columns of 1M rows in 512-row tiles
     * took 25–38 ms that way against 14–28 ms here (one thread, data in memory).
     */
    @Override
    public void centredCopy(double[] src, int from, int rows, double shift, double[] dst) {
        DoubleVector c = DoubleVector.broadcast(SPECIES, shift);
        int end = SPECIES.loopBound(rows);
        int i = 0;
        for (; i < end; i += LANES) {
            DoubleVector.fromArray(SPECIES, src, from + i).sub(c).intoArray(dst, i);
        }
        for (; i < rows; i++) {
            dst[i] = src[from + i] - shift;
        }
    }

    @Override
    public Sum newSum(int p) {
        return new LaneSum(p);
    }

    /**
     * Eight lanes (with AVX-512) per entry of the p×p sum, carried from call to call, plus the entries'
     * sums over the rows left after the last whole vector of a call (added one row at a time).
     */
    private static final class LaneSum implements Sum {
        private final int p;
        private final double[] lanes;
        private final double[] rest;

        LaneSum(int p) {
            this.p = p;
            this.lanes = new double[p * p * LANES];
            this.rest = new double[p * p];
        }

        @Override
        public void add(double[][] x, int from, int to, double[] weights, int weightsOffset, double[][] buffer) {
            double[] w0 = weights == null ? null : buffer[0];
            double[] w1 = weights == null ? null : buffer[1];
            int vectorEnd = from + SPECIES.loopBound(to - from);
            int j = 0;
            for (; j + 1 < p; j += 2) {
                double[] a0 = row(x[j], weights, weightsOffset, from, vectorEnd, w0);
                double[] a1 = row(x[j + 1], weights, weightsOffset, from, vectorEnd, w1);
                int r0 = j * p;
                int r1 = (j + 1) * p;
                int k = j;
                for (; k + 3 < p; k += 4) {
                    sweep2x4(a0, a1, x[k], x[k + 1], x[k + 2], x[k + 3], from, vectorEnd, lanes, (r0 + k) * LANES,
                            (r1 + k) * LANES);
                }
                if (k + 1 < p) {
                    sweep2x2(a0, a1, x[k], x[k + 1], from, vectorEnd, lanes, (r0 + k) * LANES, (r1 + k) * LANES);
                    k += 2;
                }
                if (k < p) {
                    sweep2x1(a0, a1, x[k], from, vectorEnd, lanes, (r0 + k) * LANES, (r1 + k) * LANES);
                }
            }
            if (j < p) {
                // the odd last row: its one (diagonal) entry, written twice with the same value
                double[] a = row(x[j], weights, weightsOffset, from, vectorEnd, w0);
                sweep2x1(a, a, x[j], from, vectorEnd, lanes, (j * p + j) * LANES, (j * p + j) * LANES);
            }
            for (int i = vectorEnd; i < to; i++) {
                double wi = weights == null ? 1.0 : weights[weightsOffset + i];
                for (int a = 0; a < p; a++) {
                    double xa = wi * x[a][i];
                    for (int b = a; b < p; b++) {
                        rest[a * p + b] += xa * x[b][i];
                    }
                }
            }
        }

        @Override
        public void drainTo(double[] g, int at) {
            // only the entries the sweeps write: row a from column a rounded down to even (a row pair's
            // sweeps start at its first row's diagonal); two partial sums per entry, in lane order, so the
            // reduction is short and the same on every call
            for (int a = 0; a < p; a++) {
                for (int b = a & ~1; b < p; b++) {
                    int e = a * p + b;
                    int o = e * LANES;
                    double even = 0;
                    double odd = 0;
                    int lane = 0;
                    for (; lane + 1 < LANES; lane += 2) {
                        even += lanes[o + lane];
                        odd += lanes[o + lane + 1];
                        lanes[o + lane] = 0.0;
                        lanes[o + lane + 1] = 0.0;
                    }
                    if (lane < LANES) {
                        even += lanes[o + lane];
                        lanes[o + lane] = 0.0;
                    }
                    g[at + e] += (even + odd) + rest[e];
                    rest[e] = 0.0;
                }
            }
        }
    }

    /** Rows [from, to) of column x, times the weights when there are any (into the same rows of buffer). */
    private static double[] row(double[] x, double[] weights, int weightsFrom, int from, int to, double[] buffer) {
        if (weights == null) {
            return x;
        }
        for (int i = from; i < to; i += LANES) {
            DoubleVector.fromArray(SPECIES, weights, weightsFrom + i).mul(DoubleVector.fromArray(SPECIES, x, i))
                    .intoArray(buffer, i);
        }
        return buffer;
    }

    /** Lane sums of a0·x0..x3 (at r0, r0 + LANES, ...) and a1·x0..x3 (at r1, ...) over rows [from, to). */
    private static void sweep2x4(double[] a0, double[] a1, double[] x0, double[] x1, double[] x2, double[] x3,
                                 int from, int to, double[] lanes, int r0, int r1) {
        DoubleVector s00 = DoubleVector.fromArray(SPECIES, lanes, r0);
        DoubleVector s01 = DoubleVector.fromArray(SPECIES, lanes, r0 + LANES);
        DoubleVector s02 = DoubleVector.fromArray(SPECIES, lanes, r0 + 2 * LANES);
        DoubleVector s03 = DoubleVector.fromArray(SPECIES, lanes, r0 + 3 * LANES);
        DoubleVector s10 = DoubleVector.fromArray(SPECIES, lanes, r1);
        DoubleVector s11 = DoubleVector.fromArray(SPECIES, lanes, r1 + LANES);
        DoubleVector s12 = DoubleVector.fromArray(SPECIES, lanes, r1 + 2 * LANES);
        DoubleVector s13 = DoubleVector.fromArray(SPECIES, lanes, r1 + 3 * LANES);
        for (int i = from; i < to; i += LANES) {
            DoubleVector u = DoubleVector.fromArray(SPECIES, a0, i);
            DoubleVector v = DoubleVector.fromArray(SPECIES, a1, i);
            DoubleVector y0 = DoubleVector.fromArray(SPECIES, x0, i);
            DoubleVector y1 = DoubleVector.fromArray(SPECIES, x1, i);
            DoubleVector y2 = DoubleVector.fromArray(SPECIES, x2, i);
            DoubleVector y3 = DoubleVector.fromArray(SPECIES, x3, i);
            s00 = u.fma(y0, s00);
            s01 = u.fma(y1, s01);
            s02 = u.fma(y2, s02);
            s03 = u.fma(y3, s03);
            s10 = v.fma(y0, s10);
            s11 = v.fma(y1, s11);
            s12 = v.fma(y2, s12);
            s13 = v.fma(y3, s13);
        }
        s00.intoArray(lanes, r0);
        s01.intoArray(lanes, r0 + LANES);
        s02.intoArray(lanes, r0 + 2 * LANES);
        s03.intoArray(lanes, r0 + 3 * LANES);
        s10.intoArray(lanes, r1);
        s11.intoArray(lanes, r1 + LANES);
        s12.intoArray(lanes, r1 + 2 * LANES);
        s13.intoArray(lanes, r1 + 3 * LANES);
    }

    /** As {@link #sweep2x4} for two columns (p − j ≡ 2 mod 4). */
    private static void sweep2x2(double[] a0, double[] a1, double[] x0, double[] x1, int from, int to,
                                 double[] lanes, int r0, int r1) {
        DoubleVector s00 = DoubleVector.fromArray(SPECIES, lanes, r0);
        DoubleVector s01 = DoubleVector.fromArray(SPECIES, lanes, r0 + LANES);
        DoubleVector s10 = DoubleVector.fromArray(SPECIES, lanes, r1);
        DoubleVector s11 = DoubleVector.fromArray(SPECIES, lanes, r1 + LANES);
        for (int i = from; i < to; i += LANES) {
            DoubleVector u = DoubleVector.fromArray(SPECIES, a0, i);
            DoubleVector v = DoubleVector.fromArray(SPECIES, a1, i);
            DoubleVector y0 = DoubleVector.fromArray(SPECIES, x0, i);
            DoubleVector y1 = DoubleVector.fromArray(SPECIES, x1, i);
            s00 = u.fma(y0, s00);
            s01 = u.fma(y1, s01);
            s10 = v.fma(y0, s10);
            s11 = v.fma(y1, s11);
        }
        s00.intoArray(lanes, r0);
        s01.intoArray(lanes, r0 + LANES);
        s10.intoArray(lanes, r1);
        s11.intoArray(lanes, r1 + LANES);
    }

    /** As {@link #sweep2x4} for one column; with a0 == a1 and r0 == r1, the odd last row's diagonal. */
    private static void sweep2x1(double[] a0, double[] a1, double[] x0, int from, int to, double[] lanes, int r0,
                                 int r1) {
        DoubleVector s0 = DoubleVector.fromArray(SPECIES, lanes, r0);
        DoubleVector s1 = DoubleVector.fromArray(SPECIES, lanes, r1);
        for (int i = from; i < to; i += LANES) {
            DoubleVector y = DoubleVector.fromArray(SPECIES, x0, i);
            s0 = DoubleVector.fromArray(SPECIES, a0, i).fma(y, s0);
            s1 = DoubleVector.fromArray(SPECIES, a1, i).fma(y, s1);
        }
        s0.intoArray(lanes, r0);
        s1.intoArray(lanes, r1);
    }
}

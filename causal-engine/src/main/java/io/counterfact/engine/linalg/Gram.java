package io.counterfact.engine.linalg;

/**
 * Cross-products of column-major data: G = Σᵢ wᵢ (xᵢ − c)(xᵢ − c)' and X̃'W v.
 *
 * <p>Rows are cut into fixed blocks of {@link #BLOCK} rows; each block's partial sum is computed on
 * the {@link Parallel} pool and the partials are added in block order, so the result is the same
 * bit for bit whatever the number of threads.
 */
public final class Gram {

    /**
     * Rows per block, the unit of work and of the fixed-order reduction: small enough for a good
     * balance between threads, large enough that a block's p×p partial sum is cheap beside it.
     */
    public static final int BLOCK = 2048;

    /**
     * Rows per tile within a block: passes that copy (centre) rows into scratch and then form several
     * products of them do it a tile at a time, so that the kernel's repeated sweeps over a tile's columns
     * stay in cache: a sweep reads six columns (24 KB, L1), a tile of p = 24 columns is 96 KB (L2). On the
     * vector kernel (AVX-512, 24 columns, data in cache) 1M rows took 52 ms in tiles of 128 rows, 26 ms
     * in 256, 17 ms in 512, 38 ms in 1024 and 53 ms in 2048: short tiles pay the sweeps' entry and exit,
     * long ones stream the columns from L2.
     */
    public static final int TILE = 512;

    /** Per thread, one reusable running sum per column count (for {@link #accumulate}'s callers). */
    private static final ThreadLocal<GramKernel.Sum[]> SUMS = ThreadLocal.withInitial(() -> new GramKernel.Sum[0]);

    /**
     * System property that forces the scalar kernel ({@code -Dcounterfact.engine.gram-kernel=scalar}) in a JVM
     * that has the Vector API, to compare the two.
     */
    public static final String KERNEL_PROPERTY = "counterfact.engine.gram-kernel";

    private static final GramKernel KERNEL = selectKernel();

    private Gram() {
    }

    /**
     * Which kernel computes the cross-products: {@code "vector-<bits>"} (the Vector API, when the JVM
     * was started with {@code --add-modules jdk.incubator.vector} and runs C2) or {@code "scalar"}. For
     * reports; the engine logs nothing itself.
     */
    public static String kernel() {
        return KERNEL.name();
    }

    /**
     * Whether this JVM runs the engine's Vector API kernels: the one decision for the whole engine (the
     * incubator module in the boot layer, C2, and {@link #KERNEL_PROPERTY} not asking for the scalar
     * kernel), taken here for the Gram kernel. Other packages' vector kernels follow it rather than detect
     * the module again, and may load their {@code jdk.incubator.vector} classes only when it is true.
     */
    public static boolean vectorApi() {
        return KERNEL != ScalarGramKernel.INSTANCE;
    }

    /**
     * The vector kernel when the incubator module is in the boot layer (a JVM without it must never
     * load {@link VectorGramKernel}, whose imports would not resolve), the JVM runs the optimising
     * compiler and the property does not ask for the scalar kernel; otherwise, or if the vector kernel
     * cannot start, the scalar kernel.
     */
    private static GramKernel selectKernel() {
        if ("scalar".equals(System.getProperty(KERNEL_PROPERTY)) || !optimisingCompiler()) {
            return ScalarGramKernel.INSTANCE;
        }
        GramKernel vector = vectorKernel();
        return vector != null ? vector : ScalarGramKernel.INSTANCE;
    }

    /**
     * Whether C2 compiles hot code: only C2 turns the Vector API into vector instructions. Under C1 alone
     * ({@code -XX:TieredStopAtLevel=1}, as some launchers start services for a fast start-up) or the
     * interpreter, every vector operation is a Java object and the vector kernel was 15x slower than the
     * scalar one (a 24-column Gram of 1M rows: 1.0 s against 68 ms). Read from the VM's options; if they
     * cannot be read, true (the JVM was started with the module on purpose).
     */
    static boolean optimisingCompiler() {
        if (System.getProperty("java.vm.info", "").contains("interpreted mode")) {
            return false;
        }
        String tiered = VmOptions.value("TieredCompilation");
        if (tiered == null || !Boolean.parseBoolean(tiered)) {
            return true;  // cannot tell, or not tiered: C2 alone
        }
        String level = VmOptions.value("TieredStopAtLevel");
        try {
            return level == null || Integer.parseInt(level) >= 4;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /** The scalar kernel (tests compare the kernels). */
    static GramKernel scalarKernel() {
        return ScalarGramKernel.INSTANCE;
    }

    /** The vector kernel, or null when this JVM has no {@code jdk.incubator.vector}. */
    static GramKernel vectorKernel() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            return (GramKernel) Class.forName("io.counterfact.engine.linalg.VectorGramKernel")
                    .getDeclaredField("INSTANCE").get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
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
            // small data (bootstrap replicates, arms) need no full tile of scratch
            int len = Math.min(TILE, n);
            double[][] scratch = new double[p][len];
            double[][] weighted = weights == null ? null : new double[2][len];
            GramKernel.Sum sum = KERNEL.newSum(p);
            for (int b = from; b < to; b++) {
                int lo = b * BLOCK;
                int hi = Math.min(n, lo + BLOCK);
                // tile by tile: the centred copy of a tile is still in L1 when the kernel sweeps it
                for (int t = lo; t < hi; t += TILE) {
                    int rows = Math.min(TILE, hi - t);
                    for (int j = 0; j < p; j++) {
                        KERNEL.centredCopy(columns[j], t, rows, c[j], scratch[j]);
                    }
                    sum.add(scratch, 0, rows, weights, t, weighted);
                }
                partial[b] = new double[p * p];
                sum.drainTo(partial[b], 0);
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
        GramKernel.Sum[] sums = SUMS.get();
        if (sums.length <= p) {
            sums = java.util.Arrays.copyOf(sums, p + 1);
            SUMS.set(sums);
        }
        if (sums[p] == null) {
            sums[p] = KERNEL.newSum(p);
        }
        GramKernel.Sum sum = sums[p];
        for (int t = 0; t < len; t += TILE) {
            sum.add(scratch, t, Math.min(len, t + TILE), weights, weightsFrom, buffer);
        }
        sum.drainTo(g, at);
    }

    /** dst[i] = src[from + i] − shift for i &lt; rows, on this JVM's kernel (see {@link GramKernel#centredCopy}). */
    public static void centredCopy(double[] src, int from, int rows, double shift, double[] dst) {
        KERNEL.centredCopy(src, from, rows, shift, dst);
    }

    /**
     * A running Σ wᵢ xᵢxᵢ' over p columns on this JVM's kernel, for passes that prepare their rows tile by
     * tile ({@link #TILE}) and reduce them while they are in cache; one per thread, drained once per block.
     */
    public static GramKernel.Sum newSum(int p) {
        return KERNEL.newSum(p);
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

package io.counterfact.engine.linalg;

/**
 * The inner loop of every Gram matrix in the engine: Σᵢ wᵢ xᵢxᵢ' over rows of column-major scratch.
 * Two implementations: {@link ScalarGramKernel} (plain Java, always there) and {@link VectorGramKernel}
 * (the incubating Vector API, used when the JVM was started with {@code --add-modules jdk.incubator.vector});
 * {@link Gram#kernel()} says which one runs.
 *
 * <p>Both are deterministic for given inputs (the vector kernel for a given vector width): a result never
 * depends on which thread computed it. They differ from each other in rounding only (the same sums in
 * another order).
 */
public interface GramKernel {

    /** Short name for reports ("scalar", "vector-512" ...). */
    String name();

    /**
     * A running sum Σ wᵢ xᵢxᵢ' over p columns, for one thread: a pass that prepares its rows tile by tile
     * (centred, residuals) adds each tile while it is in cache and drains the sum once per block. The
     * vector kernel keeps its sums in vector lanes between tiles and reduces them only when drained.
     */
    Sum newSum(int p);

    /**
     * dst[i] = src[from + i] − shift for i &lt; rows: the centred copy of one column's tile, the one step of
     * a pass that reads the data from memory.
     */
    void centredCopy(double[] src, int from, int rows, double shift, double[] dst);

    /** See {@link #newSum(int)}. Not thread-safe; reusable after {@link #drainTo}. */
    interface Sum {

        /**
         * Adds rows [from, to) of the columns {@code x} (p of them), row i weighted by
         * {@code weights[weightsOffset + i]} (weights null: all 1); {@code buffer}: two arrays of at
         * least {@code to} rows, may be null when {@code weights} is.
         */
        void add(double[][] x, int from, int to, double[] weights, int weightsOffset, double[][] buffer);

        /**
         * Adds the sum's upper triangle (row-major p×p at {@code g[at]}; elements left of the diagonal
         * may be written too and must be ignored) to {@code g}, and clears the sum.
         */
        void drainTo(double[] g, int at);
    }
}

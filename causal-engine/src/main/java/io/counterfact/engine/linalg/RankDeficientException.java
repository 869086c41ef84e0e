package io.counterfact.engine.linalg;

/**
 * A column of a Gram matrix is (numerically) a linear combination of the columns before it.
 * Carries the column's index and the combination, so a caller can name the columns involved.
 */
public final class RankDeficientException extends ArithmeticException {

    private final int column;
    private final double[] combination;

    public RankDeficientException(int column, double[] combination) {
        super("column " + column + " is a linear combination of the columns before it");
        this.column = column;
        this.combination = combination.clone();
    }

    /** Index of the first column found to depend on earlier ones. */
    public int column() {
        return column;
    }

    /**
     * Coefficients {@code c} (length {@link #column()}) with column ≈ Σ c_k column_k, in the
     * units of the matrix that was factorised; all zero when the column itself is zero.
     */
    public double[] combination() {
        return combination.clone();
    }
}

package io.counterfact.engine.po;

/**
 * The logistic likelihood has no maximum: the treatment is (quasi-)perfectly predicted by the
 * regressors, so fitted propensities run to 0 or 1.
 */
public final class SeparationException extends ArithmeticException {

    private final int column;
    private final int extremeUnits;

    SeparationException(int column, int extremeUnits) {
        super("perfect separation; column " + column + " diverges");
        this.column = column;
        this.extremeUnits = extremeUnits;
    }

    /** Index of the regressor whose standardised coefficient diverged the most. */
    public int column() {
        return column;
    }

    /** Units whose fitted probability is within 1e-10 of 0 or 1. */
    public int extremeUnits() {
        return extremeUnits;
    }
}

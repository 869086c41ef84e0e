package io.counterfact.engine.linalg;

/**
 * Reparametrisation of a linear predictor with an intercept: every other column is centred on its
 * mean (x̃_j = x_j − c_j), which leaves the fitted values unchanged, makes the Gram matrix well
 * conditioned whatever the columns' offsets, and maps back exactly: b = M b̃ and V = M Ṽ M' with
 * M = I − e_k c' (k the intercept's index). Without an intercept nothing is shifted.
 */
public final class Centering {

    private final int intercept;
    private final double[] shift;

    private Centering(int intercept, double[] shift) {
        this.intercept = intercept;
        this.shift = shift;
    }

    /** Detects an all-ones column and takes the other columns' means as the shift. */
    public static Centering of(double[][] x) {
        return of(x, Ols.interceptIndex(x));
    }

    /**
     * Centring on the means of the columns other than {@code intercept}, which the caller knows to be
     * all ones (−1: no intercept, nothing is shifted). The means come from one parallel pass over
     * the rows (block partials added in a fixed order, so they do not depend on the thread count).
     */
    public static Centering of(double[][] x, int intercept) {
        if (intercept < 0) {
            return new Centering(-1, null);
        }
        // any shift is undone exactly; it only needs to be near the mean to condition the Gram matrix
        double[] c = Gram.sums(x);
        int n = Gram.rows(x);
        for (int j = 0; j < x.length; j++) {
            c[j] = j == intercept ? 0.0 : c[j] / n;
        }
        return new Centering(intercept, c);
    }

    /** Rows read by {@link #sampled}: enough for a shift within ~1.6% of a standard deviation of the mean. */
    static final int SAMPLE = 4096;

    /**
     * Centring on the means of an evenly strided sample of rows (all rows when there are at most
     * {@value #SAMPLE}): no pass over the data. A shift need only be near the mean, |c − x̄| ≪ sd,
     * for the centred Gram matrix to be well conditioned, and it is undone exactly; the stride
     * (not the first rows) keeps it near the mean for sorted data too. For callers that form the
     * centred Gram matrix with the intercept column in it (its off-diagonal entries are then
     * n(x̄_j − c_j), small, not zero).
     */
    public static Centering sampled(double[][] x, int intercept) {
        if (intercept < 0) {
            return new Centering(-1, null);
        }
        int n = Gram.rows(x);
        int s = Math.min(n, SAMPLE);
        double[] c = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            if (j != intercept) {
                double[] col = x[j];
                double sum = 0;
                for (int t = 0; t < s; t++) {
                    sum += col[(int) ((long) t * n / s)];
                }
                c[j] = sum / s;
            }
        }
        return new Centering(intercept, c);
    }

    /**
     * A given shift (0 at {@code intercept}): for columns built from others whose offset is known,
     * e.g. fitted values Σ b̃_j x̃_j + b̃₀ shifted by b̃₀.
     */
    public static Centering withShift(int intercept, double[] shift) {
        if (intercept < 0 || shift == null) {
            return new Centering(-1, null);
        }
        return new Centering(intercept, shift.clone());
    }

    /** Index of the intercept column, or −1. */
    public int intercept() {
        return intercept;
    }

    /** The per-column shift c (0 at the intercept), or null when there is no intercept (pass it to {@link Gram}). */
    public double[] shift() {
        return shift == null ? null : shift.clone();
    }

    /** c_j, 0 when nothing is shifted. */
    public double shift(int j) {
        return shift == null ? 0.0 : shift[j];
    }

    /** b = M b̃. */
    public double[] toOriginal(double[] coefTilde) {
        double[] b = coefTilde.clone();
        if (intercept >= 0) {
            double s = coefTilde[intercept];
            for (int j = 0; j < b.length; j++) {
                if (j != intercept) {
                    s -= shift[j] * coefTilde[j];
                }
            }
            b[intercept] = s;
        }
        return b;
    }

    /** V = M Ṽ M' (a new matrix). */
    public double[][] toOriginal(double[][] tilde) {
        int p = tilde.length;
        double[][] v = new double[p][];
        for (int i = 0; i < p; i++) {
            v[i] = tilde[i].clone();
        }
        if (intercept < 0) {
            return v;
        }
        int k = intercept;
        double[] rowK = v[k];
        for (int j = 0; j < p; j++) {
            if (j != k) {
                for (int m = 0; m < p; m++) {
                    rowK[m] -= shift[j] * v[j][m];
                }
            }
        }
        for (int i = 0; i < p; i++) {
            double s = v[i][k];
            for (int j = 0; j < p; j++) {
                if (j != k) {
                    s -= shift[j] * v[i][j];
                }
            }
            v[i][k] = s;
        }
        return Matrices.symmetrize(v);
    }
}

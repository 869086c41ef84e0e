package io.counterfact.engine.linalg;

/**
 * Ordinary least squares over column-major data.
 *
 * <p>Method: if one column is all ones (an intercept), the other columns are centred on their means
 * before the Gram matrix is formed, which removes the ill-conditioning that uncentred columns like
 * earnings (~1e4) cause; the centred Gram matrix is factorised by a scaled {@link Cholesky}; the
 * solution then gets one step of iterative refinement with residuals computed from the raw data
 * (corrected semi-normal equations), which brings it to the accuracy of a QR solve. Every pass over
 * the rows runs on the {@link Parallel} pool in fixed row blocks.
 */
public final class Ols {

    private Ols() {
    }

    /**
     * Fits y on the columns of x (each of length n, one per coefficient; include a column of ones
     * for an intercept).
     *
     * @throws RankDeficientException if a column is a linear combination of earlier ones
     *                                (its index is the column's position in {@code x})
     * @throws IllegalArgumentException if there are no more rows than columns
     */
    public static OlsFit fit(double[][] x, double[] y) {
        int p = x.length;
        int n = Gram.rows(x);
        if (y.length != n) {
            throw new IllegalArgumentException("y has " + y.length + " rows, x " + n);
        }
        if (n <= p) {
            throw new IllegalArgumentException("need more rows (" + n + ") than coefficients (" + p + ")");
        }
        // the shift from a sample of rows, not from a pass of its own: the Gram matrix below
        // includes the intercept column, so any shift near the means conditions it (see Centering)
        Centering centering = Centering.sampled(x, interceptIndex(x));
        double[] shift = centering.shift();
        // y as one more column of the same block pass gives X̃'y with X̃'X̃ (one pass over X, not two)
        double[][] xy = java.util.Arrays.copyOf(x, p + 1);
        xy[p] = y;
        double[] shiftXy = new double[p + 1];
        if (shift != null) {
            System.arraycopy(shift, 0, shiftXy, 0, p);
        }
        double[][] gramXy = Gram.of(xy, null, shiftXy);
        double[][] gram = new double[p][];
        double[] xty = new double[p];
        for (int j = 0; j < p; j++) {
            gram[j] = java.util.Arrays.copyOf(gramXy[j], p);
            xty[j] = gramXy[j][p];
        }
        Cholesky chol = Cholesky.of(gram);
        double[] coefTilde = chol.solve(xty);
        // one step of refinement against the residuals of the raw data
        double[] r = new double[n];
        double[] delta = chol.solve(residualsAndCrossProduct(x, shift, coefTilde, y, r));
        for (int j = 0; j < p; j++) {
            coefTilde[j] += delta[j];
        }
        r = residuals(x, shift, coefTilde, y);
        return new OlsFit(x, y, centering, chol, coefTilde, r);
    }

    /** Index of a column whose every value is exactly 1, or −1. */
    public static int interceptIndex(double[][] x) {
        for (int j = 0; j < x.length; j++) {
            double[] c = x[j];
            boolean ones = true;
            for (double v : c) {
                if (v != 1.0) {
                    ones = false;
                    break;
                }
            }
            if (ones) {
                return j;
            }
        }
        return -1;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        double m = s / v.length;
        // a second pass corrects the rounding of the first sum
        double c = 0;
        for (double d : v) {
            c += d - m;
        }
        return m + c / v.length;
    }

    /**
     * Writes r = y − X̃b into {@code r} and returns X̃'r, in one pass over each row block (the block's
     * columns are still in cache when they are read the second time).
     */
    static double[] residualsAndCrossProduct(double[][] x, double[] shift, double[] coef, double[] y, double[] r) {
        int n = y.length;
        int p = x.length;
        int blocks = Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
        double[][] partial = new double[blocks][p];
        Parallel.forRanges(blocks, (from, to) -> {
            for (int b = from; b < to; b++) {
                int lo = b * Gram.BLOCK;
                int hi = Math.min(n, lo + Gram.BLOCK);
                System.arraycopy(y, lo, r, lo, hi - lo);
                for (int j = 0; j < p; j++) {
                    double[] xj = x[j];
                    double bj = coef[j];
                    double cj = shift == null ? 0.0 : shift[j];
                    for (int i = lo; i < hi; i++) {
                        r[i] -= bj * (xj[i] - cj);
                    }
                }
                Gram.crossBlock(x, shift, r, lo, lo, hi, partial[b]);
            }
        });
        return Gram.sumInOrder(partial, p);
    }

    /** y − Σ_j b_j (x_j − c_j), over row blocks in parallel. */
    static double[] residuals(double[][] x, double[] shift, double[] coef, double[] y) {
        int n = y.length;
        int p = x.length;
        double[] r = new double[n];
        int blocks = Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
        Parallel.forRanges(blocks, (from, to) -> {
            int lo = from * Gram.BLOCK;
            int hi = Math.min(n, to * Gram.BLOCK);
            System.arraycopy(y, lo, r, lo, hi - lo);
            for (int j = 0; j < p; j++) {
                double[] xj = x[j];
                double bj = coef[j];
                double cj = shift == null ? 0.0 : shift[j];
                for (int i = lo; i < hi; i++) {
                    r[i] -= bj * (xj[i] - cj);
                }
            }
        });
        return r;
    }
}

package io.counterfact.engine.linalg;

/**
 * A least-squares fit from {@link Ols#fit(double[][], double[])}: coefficients, residuals and the
 * classical or HC0–HC3 coefficient covariance. Internally the fit lives in centred coordinates
 * (see {@link Ols}); every public value is in the caller's original coordinates.
 */
public final class OlsFit {

    private final double[][] x;
    private final double[] y;
    private final Centering centering;
    private final double[] shift;
    private final Cholesky chol;
    private final double[] coef;
    private final double[] residuals;
    private final int n;
    private final int p;
    private double[][] breadTilde;
    private double[] leverage;

    OlsFit(double[][] x, double[] y, Centering centering, Cholesky chol, double[] coefTilde, double[] residuals) {
        this.x = x;
        this.y = y;
        this.centering = centering;
        this.shift = centering.shift();
        this.chol = chol;
        this.residuals = residuals;
        this.n = y.length;
        this.p = x.length;
        this.coef = centering.toOriginal(coefTilde);
    }

    /** Coefficients, one per column of x. */
    public double[] coefficients() {
        return coef.clone();
    }

    /** y − Xb. */
    public double[] residuals() {
        return residuals.clone();
    }

    /** Rows. */
    public int n() {
        return n;
    }

    /** Coefficients (columns of x). */
    public int p() {
        return p;
    }

    /** n − p. */
    public int dfResidual() {
        return n - p;
    }

    /** Residual sum of squares. */
    public double rss() {
        double s = 0;
        for (double r : residuals) {
            s += r * r;
        }
        return s;
    }

    /** σ̂ = sqrt(RSS/(n − p)). */
    public double sigma() {
        return Math.sqrt(rss() / dfResidual());
    }

    /** R²: centred when the model has an intercept, uncentred otherwise (as R's summary.lm). */
    public double rSquared() {
        double tss = 0;
        if (centering.intercept() >= 0) {
            double m = Ols.mean(y);
            for (double v : y) {
                tss += (v - m) * (v - m);
            }
        } else {
            for (double v : y) {
                tss += v * v;
            }
        }
        return 1.0 - rss() / tss;
    }

    /** Xb for new data given as columns in the same order as the fit's x. */
    public double[] predict(double[][] newX) {
        int m = Gram.rows(newX);
        double[] out = new double[m];
        for (int j = 0; j < p; j++) {
            double[] xj = newX[j];
            double bj = coef[j];
            for (int i = 0; i < m; i++) {
                out[i] += bj * xj[i];
            }
        }
        return out;
    }

    /** Fitted values y − r. */
    public double[] fitted() {
        double[] f = new double[n];
        for (int i = 0; i < n; i++) {
            f[i] = y[i] - residuals[i];
        }
        return f;
    }

    /** (X'X)⁻¹. */
    public double[][] xtxInverse() {
        return toOriginal(bread());
    }

    /** Coefficient covariance of the given type. */
    public double[][] covariance(CovarianceType type) {
        double[][] tilde;
        if (type == CovarianceType.CLASSICAL) {
            tilde = Matrices.scale(copy(bread()), rss() / dfResidual());
        } else {
            double[] w = new double[n];
            double[] h = type == CovarianceType.HC2 || type == CovarianceType.HC3 ? leverage() : null;
            for (int i = 0; i < n; i++) {
                double r2 = residuals[i] * residuals[i];
                if (type == CovarianceType.HC2) {
                    r2 /= 1.0 - h[i];
                } else if (type == CovarianceType.HC3) {
                    r2 /= (1.0 - h[i]) * (1.0 - h[i]);
                }
                w[i] = r2;
            }
            double[][] meat = Gram.of(x, w, shift);
            tilde = Matrices.sandwich(bread(), meat);
            if (type == CovarianceType.HC1) {
                Matrices.scale(tilde, (double) n / (n - p));
            }
        }
        return toOriginal(tilde);
    }

    /** Square roots of the covariance's diagonal. */
    public double[] standardErrors(CovarianceType type) {
        return Matrices.sqrtDiagonal(covariance(type));
    }

    /** Hat values hᵢ = xᵢ'(X'X)⁻¹xᵢ. */
    public double[] leverage() {
        if (leverage == null) {
            double[] h = new double[n];
            int blocks = Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
            Parallel.forRanges(blocks, (from, to) -> {
                int len0 = Math.min(n, Gram.BLOCK);
                double[][] xb = new double[p][len0];
                double[][] z = new double[p][len0];
                for (int b = from; b < to; b++) {
                    int lo = b * Gram.BLOCK;
                    int len = Math.min(n, lo + Gram.BLOCK) - lo;
                    for (int j = 0; j < p; j++) {
                        double cj = shift == null ? 0.0 : shift[j];
                        for (int i = 0; i < len; i++) {
                            xb[j][i] = x[j][lo + i] - cj;
                        }
                    }
                    chol.whiten(xb, len, z);
                    for (int i = 0; i < len; i++) {
                        double s = 0;
                        for (int j = 0; j < p; j++) {
                            s += z[j][i] * z[j][i];
                        }
                        h[lo + i] = s;
                    }
                }
            });
            leverage = h;
        }
        return leverage.clone();
    }

    private double[][] bread() {
        if (breadTilde == null) {
            breadTilde = chol.inverse();
        }
        return breadTilde;
    }

    private double[][] toOriginal(double[][] tilde) {
        return centering.toOriginal(tilde);
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}

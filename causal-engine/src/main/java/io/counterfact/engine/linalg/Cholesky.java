package io.counterfact.engine.linalg;

/**
 * Cholesky factorisation of a symmetric positive-definite matrix A, taken after symmetric
 * diagonal scaling S = D⁻¹AD⁻¹ (D = sqrt diag A). The scaling makes the factorisation
 * independent of the columns' units (earnings in 1e4 beside 0/1 dummies), and the pivots of S are
 * the squared sines between each column and the span of the earlier ones, which gives a
 * unit-free collinearity test.
 */
public final class Cholesky {

    /**
     * Pivot of the scaled matrix below which a column counts as a linear combination of the earlier
     * ones: a sine of 1e-5.5 between the column and their span. Exact collinearity leaves pivots
     * of order 1e-15 after rounding; genuine covariates have pivots far above this.
     */
    public static final double DEFAULT_TOLERANCE = 1e-11;

    private final int p;
    private final double[][] a;
    private final double[] d;
    private final double[][] l;

    private Cholesky(double[][] a, double[] d, double[][] l) {
        this.p = a.length;
        this.a = a;
        this.d = d;
        this.l = l;
    }

    /** Factorises {@code a} (p×p, symmetric; only its lower triangle is read) with the default tolerance. */
    public static Cholesky of(double[][] a) {
        return of(a, DEFAULT_TOLERANCE);
    }

    /**
     * Factorises {@code a}.
     *
     * @throws RankDeficientException naming the first column whose scaled pivot is at most {@code tolerance}
     */
    public static Cholesky of(double[][] a, double tolerance) {
        int p = a.length;
        double[][] copy = new double[p][];
        for (int i = 0; i < p; i++) {
            copy[i] = a[i].clone();
        }
        double[] d = new double[p];
        double[][] l = new double[p][p];
        for (int j = 0; j < p; j++) {
            double ajj = copy[j][j];
            if (!(ajj > 0) || Double.isInfinite(ajj)) {
                // a zero column depends on nothing: report it with an all-zero combination
                throw new RankDeficientException(j, new double[j]);
            }
            d[j] = Math.sqrt(ajj);
        }
        for (int j = 0; j < p; j++) {
            double[] lj = l[j];
            double pivot = 1.0;
            for (int k = 0; k < j; k++) {
                pivot -= lj[k] * lj[k];
            }
            if (!(pivot > tolerance)) {
                throw new RankDeficientException(j, combination(copy, d, l, j));
            }
            double ljj = Math.sqrt(pivot);
            lj[j] = ljj;
            for (int i = j + 1; i < p; i++) {
                double[] li = l[i];
                double s = copy[i][j] / (d[i] * d[j]);
                for (int k = 0; k < j; k++) {
                    s -= li[k] * lj[k];
                }
                li[j] = s / ljj;
            }
        }
        return new Cholesky(copy, d, l);
    }

    /** Least-squares coefficients of column j on columns 0..j-1, from the leading factor already computed. */
    private static double[] combination(double[][] a, double[] d, double[][] l, int j) {
        double[] z = new double[j];
        for (int i = 0; i < j; i++) {
            double s = a[j][i] / (d[i] * d[j]);
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * z[k];
            }
            z[i] = s / l[i][i];
        }
        for (int i = j - 1; i >= 0; i--) {
            double s = z[i];
            for (int k = i + 1; k < j; k++) {
                s -= l[k][i] * z[k];
            }
            z[i] = s / l[i][i];
        }
        for (int i = 0; i < j; i++) {
            z[i] *= d[j] / d[i];
        }
        return z;
    }

    /** Dimension of the matrix. */
    public int dimension() {
        return p;
    }

    /** Solves A x = b. */
    public double[] solve(double[] b) {
        double[] z = new double[p];
        for (int i = 0; i < p; i++) {
            double s = b[i] / d[i];
            double[] li = l[i];
            for (int k = 0; k < i; k++) {
                s -= li[k] * z[k];
            }
            z[i] = s / li[i];
        }
        for (int i = p - 1; i >= 0; i--) {
            double s = z[i];
            for (int k = i + 1; k < p; k++) {
                s -= l[k][i] * z[k];
            }
            z[i] = s / l[i][i];
        }
        for (int i = 0; i < p; i++) {
            z[i] /= d[i];
        }
        return z;
    }

    /** Solves A x = b followed by one step of iterative refinement against A. */
    public double[] solveRefined(double[] b) {
        double[] x = solve(b);
        double[] r = new double[p];
        for (int i = 0; i < p; i++) {
            double s = b[i];
            for (int k = 0; k < p; k++) {
                s -= a[Math.max(i, k)][Math.min(i, k)] * x[k];
            }
            r[i] = s;
        }
        double[] dx = solve(r);
        for (int i = 0; i < p; i++) {
            x[i] += dx[i];
        }
        return x;
    }

    /** A⁻¹, exactly symmetric. */
    public double[][] inverse() {
        // S⁻¹ = L⁻ᵀL⁻¹ from the triangular inverse, then A⁻¹ = D⁻¹S⁻¹D⁻¹
        double[][] li = new double[p][p];
        for (int j = 0; j < p; j++) {
            li[j][j] = 1.0 / l[j][j];
            for (int i = j + 1; i < p; i++) {
                double s = 0;
                for (int k = j; k < i; k++) {
                    s -= l[i][k] * li[k][j];
                }
                li[i][j] = s / l[i][i];
            }
        }
        double[][] inv = new double[p][p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = i; k < p; k++) {
                    s += li[k][i] * li[k][j];
                }
                s /= d[i] * d[j];
                inv[i][j] = s;
                inv[j][i] = s;
            }
        }
        return inv;
    }

    /**
     * Row i of the whitened design: writes z = L⁻¹D⁻¹x for each of {@code len} rows held
     * column-major in {@code x} (x[j][i]) into {@code z}, so that x'A⁻¹x = |z|².
     */
    void whiten(double[][] x, int len, double[][] z) {
        for (int j = 0; j < p; j++) {
            double[] zj = z[j];
            double[] xj = x[j];
            double scale = 1.0 / d[j];
            for (int i = 0; i < len; i++) {
                zj[i] = xj[i] * scale;
            }
            double[] lj = l[j];
            for (int k = 0; k < j; k++) {
                double c = lj[k];
                double[] zk = z[k];
                for (int i = 0; i < len; i++) {
                    zj[i] -= c * zk[i];
                }
            }
            double inv = 1.0 / lj[j];
            for (int i = 0; i < len; i++) {
                zj[i] *= inv;
            }
        }
    }
}

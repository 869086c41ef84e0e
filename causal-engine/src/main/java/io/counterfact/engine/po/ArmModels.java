package io.counterfact.engine.po;

import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.data.DesignMatrix.Term;
import io.counterfact.engine.linalg.Cholesky;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Ols;
import io.counterfact.engine.linalg.Parallel;
import io.counterfact.engine.linalg.RankDeficientException;

import java.util.List;

/**
 * The arm-wise outcome models of AIPW: y on the regressors x by least squares, once among the
 * treated units and once among the controls, fitted on the full columns with the treatment as a 0/1
 * row selector (no copy of either arm's rows) and predicted for every unit.
 *
 * <p>Method, as {@link Ols}: normal equations in shifted coordinates (x̃ = x − c, the intercept
 * column left alone) factorised by a scaled {@link Cholesky}, then one step of iterative refinement
 * against the residuals of the raw data. One blocked pass gives both arms' X̃'X̃, X̃'y (y rides
 * along as one more column of the block), a second the refinement's X̃'r, a third the predictions.
 * Blocks are fixed and their partial sums added in block order, so the result does not depend on
 * the number of threads.
 */
final class ArmModels {

    /** Coefficients of the treated arm's model ({@code [1]}) and the control arm's ({@code [0]}), in x's coordinates. */
    final double[][] coefficients;
    private final double[][] tilde;
    private final double[] shift;
    private final int intercept;

    private ArmModels(double[][] tilde, double[] shift, int intercept) {
        this.tilde = tilde;
        this.shift = shift;
        this.intercept = intercept;
        this.coefficients = new double[2][];
        for (int arm = 0; arm < 2; arm++) {
            double[] b = tilde[arm].clone();
            if (intercept >= 0) {
                double s = b[intercept];
                for (int j = 0; j < b.length; j++) {
                    if (j != intercept) {
                        s -= shift[j] * tilde[arm][j];
                    }
                }
                b[intercept] = s;
            }
            coefficients[arm] = b;
        }
    }

    /**
     * Fits both arms on the rows with {@code keep} (null: all).
     *
     * @param shift   conditioning shift of x's columns (0 at the intercept), e.g. the propensity
     *                model's centring; null: the means of the first block of rows, which condition the
     *                normal equations as well for any data that is not sorted (the solution does not
     *                depend on the shift beyond rounding). Ignored without an intercept column.
     * @param terms   names of x's columns, for the error messages
     * @param context which rows, for the messages (e.g. "" or " outside cross-fitting fold 2")
     * @throws InvalidSpecException naming the column when an arm's design is collinear, or when an
     *                              arm has no more units than coefficients
     */
    static ArmModels fit(double[][] x, double[] t, double[] y, boolean[] keep, double[] shift, List<Term> terms,
                         String context) {
        int p = x.length;
        int n = y.length;
        int intercept = Ols.interceptIndex(x);
        // a shift is undone exactly through the intercept; without one nothing may be shifted
        double[] c = intercept < 0 ? new double[p] : shift != null ? shift.clone() : firstBlockMeans(x, intercept);
        if (intercept >= 0) {
            c[intercept] = 0;
        }
        int q = p + 1;
        int blocks = blocks(n);
        // per block and arm: the unit count, then the upper triangle of [x̃, y]'[x̃, y] (q×q, row-major)
        int width = 1 + q * q;
        double[] partial = new double[blocks * 2 * width];
        Parallel.forRanges(blocks, (from, to) -> {
            BlockScratch scratch = BlockScratch.of(Math.min(n, Gram.BLOCK));
            double[][][] rows = {scratch.columns(0, q), scratch.columns(q, q)};
            int[][] units = {scratch.firstInts(), scratch.secondInts()};
            int[] count = new int[2];
            for (int b = from; b < to; b++) {
                int lo = b * Gram.BLOCK;
                int hi = Math.min(n, lo + Gram.BLOCK);
                count[0] = 0;
                count[1] = 0;
                for (int i = lo; i < hi; i++) {
                    if (keep == null || keep[i]) {
                        int arm = t[i] == 1.0 ? 1 : 0;
                        units[arm][count[arm]++] = i;
                    }
                }
                // each unit's row goes to its arm's scratch (column by column, from the block's
                // stretch of each column): both arms' Grams together cost one
                for (int arm = 0; arm < 2; arm++) {
                    int[] u = units[arm];
                    int m = count[arm];
                    double[][] r = rows[arm];
                    for (int j = 0; j < p; j++) {
                        double[] xj = x[j];
                        double[] rj = r[j];
                        double cj = c[j];
                        for (int k = 0; k < m; k++) {
                            rj[k] = xj[u[k]] - cj;
                        }
                    }
                    double[] ry = r[p];
                    for (int k = 0; k < m; k++) {
                        ry[k] = y[u[k]];
                    }
                }
                for (int arm = 0; arm < 2; arm++) {
                    int at = (b * 2 + arm) * width;
                    partial[at] = count[arm];
                    BlockGram.upperTriangle(rows[arm], count[arm], partial, at + 1);
                }
            }
        });
        double[][] tilde = new double[2][];
        Cholesky[] chol = new Cholesky[2];
        for (int arm = 1; arm >= 0; arm--) {
            double units = 0;
            double[] g = new double[q * q];
            for (int b = 0; b < blocks; b++) {
                int at = (b * 2 + arm) * width;
                units += partial[at];
                for (int k = 0; k < g.length; k++) {
                    g[k] += partial[at + 1 + k];
                }
            }
            String armName = arm == 1 ? "treated" : "control";
            if (units <= p) {
                throw new InvalidSpecException("options." + AugmentedIpw.OUTCOME_MODEL, "Only " + (long) units + " "
                        + armName + " units" + context + " for the " + p + " coefficients of the arm-wise outcome "
                        + "model; use outcomeModel \"pooled\" or fewer covariates");
            }
            double[][] xtx = new double[p][p];
            double[] xty = new double[p];
            for (int j = 0; j < p; j++) {
                for (int k = j; k < p; k++) {
                    xtx[j][k] = g[j * q + k];
                    xtx[k][j] = g[j * q + k];
                }
                xty[j] = g[j * q + p];
            }
            try {
                chol[arm] = Cholesky.of(xtx);
            } catch (RankDeficientException e) {
                throw collinearity(e, x, t, keep, arm, terms, "among the " + armName + " units" + context);
            }
            tilde[arm] = chol[arm].solve(xty);
        }
        // one step of refinement against the residuals of the raw data, as Ols.fit
        double[][] correction = refinementCrossProducts(x, t, y, keep, c, tilde);
        for (int arm = 0; arm < 2; arm++) {
            double[] delta = chol[arm].solve(correction[arm]);
            for (int j = 0; j < p; j++) {
                tilde[arm][j] += delta[j];
            }
        }
        return new ArmModels(tilde, c, intercept);
    }

    /** {X̃'r of the treated arm, X̃'r of the controls} with r = y − X̃b̃ of the unit's arm. */
    private static double[][] refinementCrossProducts(double[][] x, double[] t, double[] y, boolean[] keep,
                                                      double[] c, double[][] tilde) {
        int p = x.length;
        int n = y.length;
        int blocks = blocks(n);
        double[] partial = new double[blocks * 2 * p];
        Parallel.forRanges(blocks, (from, to) -> {
            BlockScratch scratch = BlockScratch.of(Math.min(n, Gram.BLOCK));
            double[][] rows = scratch.columns(0, p);
            double[] r1 = scratch.first();
            double[] r0 = scratch.second();
            for (int b = from; b < to; b++) {
                int lo = b * Gram.BLOCK;
                int m = Math.min(n, lo + Gram.BLOCK) - lo;
                System.arraycopy(y, lo, r1, 0, m);
                System.arraycopy(y, lo, r0, 0, m);
                for (int j = 0; j < p; j++) {
                    double[] xj = x[j];
                    double[] rj = rows[j];
                    double cj = c[j];
                    double b1 = tilde[1][j];
                    double b0 = tilde[0][j];
                    for (int i = 0; i < m; i++) {
                        double v = xj[lo + i] - cj;
                        rj[i] = v;
                        r1[i] -= b1 * v;
                        r0[i] -= b0 * v;
                    }
                }
                // a unit's residual counts in its own arm only
                for (int i = 0; i < m; i++) {
                    double in = keep == null || keep[lo + i] ? 1.0 : 0.0;
                    double ti = t[lo + i] == 1.0 ? 1.0 : 0.0;
                    r1[i] *= in * ti;
                    r0[i] *= in * (1 - ti);
                }
                BlockGram.crossProduct(rows, r1, m, partial, (b * 2 + 1) * p);
                BlockGram.crossProduct(rows, r0, m, partial, (b * 2) * p);
            }
        });
        double[][] sum = new double[2][p];
        for (int b = 0; b < blocks; b++) {
            for (int arm = 0; arm < 2; arm++) {
                for (int j = 0; j < p; j++) {
                    sum[arm][j] += partial[(b * 2 + arm) * p + j];
                }
            }
        }
        return sum;
    }

    /** {m̂1, m̂0}: both models' predictions at every row of {@code target} (columns as x's), in one parallel pass. */
    double[][] predict(double[][] target) {
        int p = target.length;
        int n = target[0].length;
        double[] m1 = new double[n];
        double[] m0 = new double[n];
        double[] b1 = tilde[1];
        double[] b0 = tilde[0];
        int blocks = blocks(n);
        Parallel.forRanges(blocks, (from, to) -> {
            int lo = from * Gram.BLOCK;
            int hi = Math.min(n, to * Gram.BLOCK);
            for (int j = 0; j < p; j++) {
                double[] xj = target[j];
                double cj = shift[j];
                double u = b1[j];
                double v = b0[j];
                for (int i = lo; i < hi; i++) {
                    double d = xj[i] - cj;
                    m1[i] += u * d;
                    m0[i] += v * d;
                }
            }
        });
        return new double[][]{m1, m0};
    }

    /** The failing arm's rows are copied only to word the error (the same message as a fit on the arm alone). */
    private static InvalidSpecException collinearity(RankDeficientException e, double[][] x, double[] t,
                                                     boolean[] keep, int arm, List<Term> terms, String context) {
        int count = 0;
        for (int i = 0; i < t.length; i++) {
            if ((keep == null || keep[i]) && (t[i] == 1.0 ? 1 : 0) == arm) {
                count++;
            }
        }
        int[] rows = new int[count];
        int k = 0;
        for (int i = 0; i < t.length; i++) {
            if ((keep == null || keep[i]) && (t[i] == 1.0 ? 1 : 0) == arm) {
                rows[k++] = i;
            }
        }
        return DesignMatrix.collinearity(e, Overlap.take(x, rows), terms, context);
    }

    private static double[] firstBlockMeans(double[][] x, int intercept) {
        int m = Math.min(x[0].length, Gram.BLOCK);
        double[] c = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            if (j == intercept) {
                continue;
            }
            double s = 0;
            for (int i = 0; i < m; i++) {
                s += x[j][i];
            }
            c[j] = s / m;
        }
        return c;
    }

    private static int blocks(int n) {
        return Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
    }
}

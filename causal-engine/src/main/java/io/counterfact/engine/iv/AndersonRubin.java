package io.counterfact.engine.iv;

import io.counterfact.engine.linalg.Cholesky;
import io.counterfact.engine.linalg.CovarianceType;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Matrices;
import io.counterfact.engine.linalg.Ols;
import io.counterfact.engine.linalg.OlsFit;
import io.counterfact.engine.linalg.RankDeficientException;
import org.apache.commons.math3.distribution.FDistribution;

import java.util.ArrayList;
import java.util.List;

/**
 * The Anderson-Rubin test of H0: β = β0 for the one endogenous regressor d, and the confidence set
 * that inverts it. Under H0 the excluded instruments Z2 have no coefficient in the regression of
 * y − β0·d on Z = [W, Z2] (W the intercept and controls), whatever the instruments' strength, so
 * the set keeps its level with weak instruments, where the Wald interval does not.
 *
 * <p>The statistic is the Wald F of those coefficients, γ(β0)'V(β0)⁻¹γ(β0)/m, with V of the fit's
 * covariance type (classical: exactly the F test), referred to F(m, n − L). Both γ(β0) = γy − β0γd
 * and V(β0) = Vyy − 2β0Vyd + β0²Vdd are polynomials in β0, with γ and V's pieces from the
 * regressions of y and d on Z. The acceptance region {stat ≤ F crit} is therefore a quadratic
 * inequality, solved exactly, when m = 1 or the covariance is classical (V proportional to the
 * residual sum of squares); with a robust covariance and m > 1 it is found on a grid that covers the
 * whole line (β = β̂ + s·tan θ), each crossing refined by bisection, the tails decided by the
 * statistic's limit γd'Vdd⁻¹γd/m.
 */
final class AndersonRubin {

    private static final int GRID = 4000;

    private final int n;
    private final int m;
    private final int dfResidual;
    private final CovarianceType type;
    private final double[] gammaY;
    private final double[] gammaD;
    private final double[][] vyy;
    private final double[][] vyd;
    private final double[][] vdd;
    /** Residual cross products on W alone and on Z, for the classical exact set. */
    private final double syy;
    private final double syd;
    private final double sdd;
    private final double uyy;
    private final double uyd;
    private final double udd;

    /**
     * @param z          the instrument set, W's columns first and the m excluded instruments last
     * @param w          W's columns (may be empty)
     * @param fd         the first stage, d on z
     * @param dOnW       residuals of d on W (d itself when W is empty)
     */
    AndersonRubin(double[] y, double[] d, double[][] z, double[][] w, int m, CovarianceType type, OlsFit fd,
                  double[] dOnW) {
        this.n = y.length;
        this.m = m;
        this.type = type;
        int l = z.length;
        this.dfResidual = n - l;
        OlsFit fy = Ols.fit(z, y);
        double[] by = fy.coefficients();
        double[] bd = fd.coefficients();
        gammaY = new double[m];
        gammaD = new double[m];
        for (int j = 0; j < m; j++) {
            gammaY[j] = by[l - m + j];
            gammaD[j] = bd[l - m + j];
        }
        double[] ry = fy.residuals();
        double[] rd = fd.residuals();
        uyy = dot(ry, ry);
        uyd = dot(ry, rd);
        udd = dot(rd, rd);
        double[] sy = w.length == 0 ? y : Ols.fit(w, y).residuals();
        syy = dot(sy, sy);
        syd = dot(sy, dOnW);
        sdd = dot(dOnW, dOnW);
        double[][] bread = block(fy.xtxInverse(), l - m, m);
        if (type == CovarianceType.CLASSICAL) {
            vyy = Matrices.scale(copy(bread), uyy / dfResidual);
            vyd = Matrices.scale(copy(bread), uyd / dfResidual);
            vdd = Matrices.scale(copy(bread), udd / dfResidual);
        } else {
            double[] h = type == CovarianceType.HC2 || type == CovarianceType.HC3 ? fy.leverage() : null;
            double[][] full = fy.xtxInverse();
            vyy = robust(z, full, ry, ry, h, l);
            vyd = robust(z, full, ry, rd, h, l);
            vdd = robust(z, full, rd, rd, h, l);
        }
    }

    /**
     * From pieces computed elsewhere (one shared cross-product matrix and one pass over the rows,
     * see {@link SharedTwoStage}): the instruments' coefficients in the regressions of y and d on
     * Z, their covariance blocks, and the residual cross products on Z (u..) and on W (s..).
     */
    AndersonRubin(int n, int m, int l, CovarianceType type, double[] gammaY, double[] gammaD, double[][] vyy,
                  double[][] vyd, double[][] vdd, double syy, double syd, double sdd, double uyy, double uyd,
                  double udd) {
        this.n = n;
        this.m = m;
        this.type = type;
        this.dfResidual = n - l;
        this.gammaY = gammaY;
        this.gammaD = gammaD;
        this.vyy = vyy;
        this.vyd = vyd;
        this.vdd = vdd;
        this.syy = syy;
        this.syd = syd;
        this.sdd = sdd;
        this.uyy = uyy;
        this.uyd = uyd;
        this.udd = udd;
    }

    /** The F-form statistic at β0. */
    double statistic(double beta0) {
        double[] g = new double[m];
        for (int j = 0; j < m; j++) {
            g[j] = gammaY[j] - beta0 * gammaD[j];
        }
        double[][] v = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                v[i][j] = vyy[i][j] - 2 * beta0 * vyd[i][j] + beta0 * beta0 * vdd[i][j];
            }
        }
        return Matrices.quadraticForm(inverse(v), g) / m;
    }

    double pValue(double beta0) {
        return Tails.f(statistic(beta0), m, dfResidual);
    }

    double critical(double level) {
        return new FDistribution(m, dfResidual).inverseCumulativeProbability(level);
    }

    /** The confidence set at {@code level}; {@code center} and {@code scale} place the grid when one is needed. */
    ConfidenceSet confidenceSet(double level, double center, double scale) {
        double crit = critical(level);
        if (m == 1) {
            // (γy − βγd)² ≤ crit·(Vyy − 2βVyd + β²Vdd)
            double a = gammaD[0] * gammaD[0] - crit * vdd[0][0];
            double b = -2 * gammaY[0] * gammaD[0] + 2 * crit * vyd[0][0];
            double c = gammaY[0] * gammaY[0] - crit * vyy[0][0];
            return ConfidenceSet.fromQuadratic(a, b, c, level);
        }
        if (type == CovarianceType.CLASSICAL) {
            // (RSS_W(β) − RSS_Z(β))/m ≤ crit·RSS_Z(β)/(n − L)  ⇔  RSS_W(β) − (1 + k)·RSS_Z(β) ≤ 0
            double k = crit * m / dfResidual;
            double a = sdd - (1 + k) * udd;
            double b = -2 * (syd - (1 + k) * uyd);
            double c = syy - (1 + k) * uyy;
            return ConfidenceSet.fromQuadratic(a, b, c, level);
        }
        return byGrid(level, center, scale > 0 && Double.isFinite(scale) ? scale : 1.0);
    }

    /** The set inverted over a grid covering the whole line; used for robust covariances with m > 1. */
    ConfidenceSet byGrid(double level, double center, double scale) {
        double crit = critical(level);
        double tail;
        try {
            tail = Matrices.quadraticForm(inverse(vdd), gammaD) / m;
        } catch (RankDeficientException e) {
            // no first-stage error (the instruments reproduce d): the statistic grows without bound
            // away from β̂, so the tails are outside the set
            tail = Double.POSITIVE_INFINITY;
        }
        boolean tailsIn = tail <= crit;
        double[] beta = new double[GRID];
        boolean[] in = new boolean[GRID];
        for (int i = 0; i < GRID; i++) {
            double theta = -Math.PI / 2 + (i + 0.5) * Math.PI / GRID;
            beta[i] = center + scale * Math.tan(theta);
            in[i] = statistic(beta[i]) <= crit;
        }
        List<ConfidenceSet.Interval> out = new ArrayList<>();
        double start = Double.NaN;
        for (int i = 0; i < GRID; i++) {
            if (in[i] && (i == 0 || !in[i - 1])) {
                start = i == 0 ? (tailsIn ? Double.NEGATIVE_INFINITY : beta[0]) : crossing(beta[i - 1], beta[i], crit);
            }
            if (in[i] && (i == GRID - 1 || !in[i + 1])) {
                double end = i == GRID - 1 ? (tailsIn ? Double.POSITIVE_INFINITY : beta[i]) : crossing(beta[i], beta[i + 1], crit);
                out.add(new ConfidenceSet.Interval(start, end));
            }
        }
        return new ConfidenceSet(out, level, "grid");
    }

    /** The β between a and b where the statistic crosses crit (one end accepted, the other not). */
    private double crossing(double a, double b, double crit) {
        boolean aIn = statistic(a) <= crit;
        for (int it = 0; it < 200 && Math.abs(b - a) > 1e-13 * Math.max(1, Math.abs(a) + Math.abs(b)); it++) {
            double mid = 0.5 * (a + b);
            if ((statistic(mid) <= crit) == aIn) {
                a = mid;
            } else {
                b = mid;
            }
        }
        return 0.5 * (a + b);
    }

    /** The excluded instruments' block of the HC sandwich (Z'Z)⁻¹ Σ wᵢ zᵢzᵢ' (Z'Z)⁻¹, wᵢ = r_aᵢ r_bᵢ with the type's leverage correction. */
    private double[][] robust(double[][] z, double[][] bread, double[] ra, double[] rb, double[] h, int l) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            double wi = ra[i] * rb[i];
            if (type == CovarianceType.HC2) {
                wi /= 1 - h[i];
            } else if (type == CovarianceType.HC3) {
                wi /= (1 - h[i]) * (1 - h[i]);
            }
            w[i] = wi;
        }
        double[][] v = Matrices.sandwich(bread, Gram.of(z, w, null));
        if (type == CovarianceType.HC1) {
            Matrices.scale(v, (double) n / (n - l));
        }
        return block(v, l - m, m);
    }

    private static double[][] block(double[][] a, int from, int size) {
        double[][] b = new double[size][size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                b[i][j] = a[from + i][from + j];
            }
        }
        return b;
    }

    private static double[][] inverse(double[][] v) {
        if (v.length == 1) {
            return new double[][]{{1.0 / v[0][0]}};
        }
        return Cholesky.of(v, 0.0).inverse();
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}

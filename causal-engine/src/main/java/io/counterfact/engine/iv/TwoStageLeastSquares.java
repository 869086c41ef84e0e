package io.counterfact.engine.iv;

import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.linalg.Cholesky;
import io.counterfact.engine.linalg.CovarianceType;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Matrices;
import io.counterfact.engine.linalg.Ols;
import io.counterfact.engine.linalg.OlsFit;
import io.counterfact.engine.linalg.RankDeficientException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Two-stage least squares with any number of endogenous regressors, exogenous controls (plus an
 * intercept) and excluded instruments, with the diagnostics of AER's {@code summary(ivreg,
 * diagnostics = TRUE)} and more.
 *
 * <p>With X = [1, endogenous, exogenous] (k columns) and Z = [1, exogenous, instruments] (L
 * columns, m excluded): X̂ = Z(Z'Z)⁻¹Z'X, b = (X̂'X̂)⁻¹X̂'y, u = y − Xb (structural residuals, with the
 * actual X). The classical covariance is σ̂²(X̂'X̂)⁻¹ with σ̂² = u'u/(n − k); HC0–HC3 are sandwiches
 * (X̂'X̂)⁻¹X̂'diag(ωᵢ)X̂(X̂'X̂)⁻¹ with ωᵢ = uᵢ² (HC0), times n/(n − k) (HC1, sandwich::vcovHC on an
 * ivreg fit), uᵢ²/(1 − hᵢ) and uᵢ²/(1 − hᵢ)² (HC2, HC3), hᵢ the diagonal of the 2SLS hat matrix
 * X(X̂'X̂)⁻¹X̂'. With classical, HC0 or HC1 standard errors the fit and every diagnostic come from
 * one centred cross-product matrix of [W, instruments, endogenous, y] and one residual pass
 * ({@link SharedTwoStage}); HC2 and HC3, which need two hat matrices' leverages, run each regression
 * as an {@link Ols} fit (centred, scaled Cholesky, refined). {@link IvOptions#diagnostics()} off skips
 * the diagnostics that cost passes over the data.
 *
 * <p>Only what identification needs is required of the columns: Z = [1, exogenous, instruments]
 * of full column rank and Z'X of rank k (X then has full rank too). X and Z taken together may be
 * collinear: potential experience = age − education − 6 with education and experience endogenous
 * and age an instrument is identified and estimated (as R's ivreg and linearmodels do); every
 * standard error, first stage, Sargan and Hansen J is then as usual, and Wu-Hausman, whose
 * augmented regression [X, first-stage residuals] is the one place such collinearity shows, tests
 * only the directions the instruments do not reproduce (its df the rank, as R counts it), with a
 * warning that says which combination it leaves out.
 *
 * <p>Errors ({@link InvalidSpecException}, field in the API's spelling: {@code treatment},
 * {@code endogenous[i]}, {@code covariates[i]}, {@code instruments[i]}): fewer instruments than
 * endogenous regressors; instruments or controls that are collinear (named with the columns they
 * depend on); an endogenous regressor that is an exact combination of the controls or of the other
 * regressors (named with them); instruments that carry no information on an endogenous regressor
 * once the controls are accounted for (the model is not identified; named). Instruments that are
 * merely weak (first stage F below 10) give a warning naming them, and the Anderson-Rubin set, valid
 * however weak they are, is the interval to read.
 */
public final class TwoStageLeastSquares {

    /** The intercept's term name, as in the rest of the engine. */
    public static final String INTERCEPT = "intercept";

    private TwoStageLeastSquares() {
    }

    /**
     * Fits y on [intercept, endogenous, exogenous] instrumented by [intercept, exogenous, instruments].
     *
     * @param y            the outcome
     * @param endogenous   the endogenous regressors, the treatment first (its coefficient is the
     *                     fit's {@link IvFit#estimate()})
     * @param exogenous    exogenous controls (may be {@link Regressors#none()})
     * @param instruments  the excluded instruments, at least as many as endogenous regressors
     * @throws InvalidSpecException as described on the class
     */
    public static IvFit fit(double[] y, Regressors endogenous, Regressors exogenous, Regressors instruments,
                            IvOptions options) {
        return fit(y, endogenous, exogenous, instruments, options, true);
    }

    /**
     * A check of the regressors X in the facade's design order [intercept, treatment, exogenous, further
     * endogenous] for exact collinearity, given their centred Gram matrix: the facade's
     * {@link TwoStageLeastSquaresMethod} names the columns as the design matrix's own check does, on the
     * cross-products the shared fit forms anyway instead of a Gram pass of its own.
     */
    @FunctionalInterface
    interface DesignCheck {
        void check(double[][] gram);
    }

    /**
     * {@code shared}: whether the one-Gram path ({@link SharedTwoStage}) may compute the fit; false
     * forces the regression-by-regression path (tests compare the two).
     */
    static IvFit fit(double[] y, Regressors endogenous, Regressors exogenous, Regressors instruments,
                     IvOptions options, boolean shared) {
        return fit(y, endogenous, exogenous, instruments, options, shared, null);
    }

    /**
     * As {@link #fit(double[], Regressors, Regressors, Regressors, IvOptions)}, with {@code designCheck}
     * (null: none) run before any other check of the columns: on the shared path's Gram matrix, else on
     * one of its own (HC2/HC3).
     */
    static IvFit fit(double[] y, Regressors endogenous, Regressors exogenous, Regressors instruments,
                     IvOptions options, boolean shared, DesignCheck designCheck) {
        int n = y.length;
        int p = endogenous.size();
        int m = instruments.size();
        if (p == 0) {
            throw new InvalidSpecException("treatment", "2SLS needs an endogenous regressor (the treatment)");
        }
        if (m < p) {
            throw new InvalidSpecException("instruments", "The model is not identified: " + m + " instrument"
                    + (m == 1 ? "" : "s") + " (" + String.join(", ", instruments.names()) + ") for " + p
                    + " endogenous regressor" + (p == 1 ? "" : "s") + " (" + String.join(", ", endogenous.names())
                    + "); give at least one instrument per endogenous regressor");
        }
        checkShapes(y, endogenous, exogenous, instruments);

        // W = [1, exogenous], Z = [W, instruments]; X in output order = [1, endogenous, exogenous]
        List<String> wNames = new ArrayList<>();
        List<double[]> wCols = new ArrayList<>();
        List<String> wFields = new ArrayList<>();
        if (options.intercept()) {
            wNames.add(INTERCEPT);
            double[] ones = new double[n];
            java.util.Arrays.fill(ones, 1.0);
            wCols.add(ones);
            wFields.add(null);
        }
        for (int j = 0; j < exogenous.size(); j++) {
            wNames.add(exogenous.names().get(j));
            wCols.add(exogenous.columns()[j]);
            wFields.add(exogenous.field(j, "covariates"));
        }
        int pw = wCols.size();
        List<String> zNames = new ArrayList<>(wNames);
        List<double[]> zCols = new ArrayList<>(wCols);
        List<String> zFields = new ArrayList<>(wFields);
        for (int j = 0; j < m; j++) {
            zNames.add(instruments.names().get(j));
            zCols.add(instruments.columns()[j]);
            zFields.add(instruments.field(j, "instruments"));
        }
        double[][] w = wCols.toArray(new double[0][]);
        double[][] z = zCols.toArray(new double[0][]);
        int l = z.length;
        int k = pw + p;
        if (n <= Math.max(l, k)) {
            throw new InvalidSpecException("instruments", "Only " + n + " complete rows for " + Math.max(l, k)
                    + " coefficients; the model needs more rows than coefficients");
        }

        if (shared && SharedTwoStage.applies(options, w, z, endogenous)) {
            return SharedTwoStage.fit(y, endogenous, exogenous, instruments, options, w, z, zNames, zFields,
                    designCheck);
        }
        if (designCheck != null) {
            designCheck.check(designGram(endogenous, exogenous, options.intercept()));
        }

        // HC2/HC3 (leverages of two hat matrices): regression by regression
        // first stages: each endogenous regressor on Z, and on W alone for the F and partial R²
        List<FirstStage> firstStages = new ArrayList<>();
        double[][] fitted = new double[p][];
        double[][] firstResiduals = new double[p][];
        OlsFit[] firstFits = new OlsFit[p];
        double[][] onWs = new double[p][];
        for (int j = 0; j < p; j++) {
            double[] d = endogenous.columns()[j];
            OlsFit full = fitInstruments(z, d, zNames, zFields);
            fitted[j] = full.fitted();
            firstResiduals[j] = full.residuals();
            double rssU = full.rss();
            double[] onW = w.length == 0 ? d : Ols.fit(w, d).residuals();
            double rssR = dot(onW, onW);
            firstFits[j] = full;
            onWs[j] = onW;
            double[] dependence = null;
            if (w.length > 0) {
                double[][] wd = java.util.Arrays.copyOf(w, pw + 1);
                wd[pw] = d;
                dependence = dependence(Gram.of(wd, null, null));
            }
            if (!(rssR > 0) || dependence != null) {
                throw noVariation(j, endogenous, exogenous, wNames, dependence);
            }
            double[] gamma = full.coefficients();
            double[][] vRobust = options.diagnostics() || options.se() == CovarianceType.CLASSICAL
                    ? full.covariance(options.se()) : null;
            double f;
            double fRobust;
            if (rssU <= IDENTIFICATION_TOLERANCE * rssR) {
                // the instruments reproduce the regressor (full compliance: the instrument is the
                // treatment): no first-stage error is left, both F statistics are infinite, and the
                // robust covariance is zero, which a Wald form cannot invert
                f = Double.POSITIVE_INFINITY;
                fRobust = vRobust == null ? Double.NaN : Double.POSITIVE_INFINITY;
            } else {
                f = ((rssR - rssU) / m) / (rssU / (n - l));
                fRobust = vRobust == null ? Double.NaN : wald(gamma, vRobust, l - m, m) / m;
            }
            boolean weak = f < FirstStage.WEAK_F || fRobust < FirstStage.WEAK_F;
            firstStages.add(new FirstStage(endogenous.names().get(j), zNames, gamma,
                    full.standardErrors(CovarianceType.CLASSICAL),
                    vRobust == null ? nanVector(l) : Matrices.sqrtDiagonal(vRobust), f, fRobust,
                    m, n - l, Tails.f(f, m, n - l), (rssR - rssU) / rssR, full.rSquared(), weak));
        }

        try {
            requireIdentified(endogenous, exogenous, instruments, firstFits, onWs);
        } catch (InvalidSpecException e) {
            // the regressors themselves collinear (the facade's design check, when it runs, says so first)
            double[][] wd = java.util.Arrays.copyOf(w, k);
            System.arraycopy(endogenous.columns(), 0, wd, pw, p);
            InvalidSpecException collinear = collinearRegressors(Gram.of(wd, null, null), wNames, endogenous, exogenous);
            throw collinear != null ? collinear : e;
        }

        // second stage on X̂ ordered [W, d̂]
        double[][] xhatSolve = new double[k][];
        for (int j = 0; j < pw; j++) {
            xhatSolve[j] = w[j];
        }
        for (int j = 0; j < p; j++) {
            xhatSolve[pw + j] = fitted[j];
        }
        OlsFit second = Ols.fit(xhatSolve, y);
        // output order [1, endogenous, exogenous]; position of each output term in the solve order
        List<String> terms = new ArrayList<>();
        int[] solvePos = new int[k];
        int t = 0;
        if (options.intercept()) {
            terms.add(INTERCEPT);
            solvePos[t++] = 0;
        }
        for (int j = 0; j < p; j++) {
            terms.add(endogenous.names().get(j));
            solvePos[t++] = pw + j;
        }
        for (int j = 0; j < exogenous.size(); j++) {
            terms.add(exogenous.names().get(j));
            solvePos[t++] = (options.intercept() ? 1 : 0) + j;
        }
        double[] bSolve = second.coefficients();
        double[][] breadSolve = second.xtxInverse();
        double[] b = new double[k];
        double[][] bread = new double[k][k];
        double[][] x = new double[k][];
        double[][] xhat = new double[k][];
        for (int i = 0; i < k; i++) {
            b[i] = bSolve[solvePos[i]];
            xhat[i] = xhatSolve[solvePos[i]];
            for (int j2 = 0; j2 < k; j2++) {
                bread[i][j2] = breadSolve[solvePos[i]][solvePos[j2]];
            }
        }
        for (int i = 0; i < k; i++) {
            int s = solvePos[i];
            x[i] = s >= pw ? endogenous.columns()[s - pw] : w[s];
        }
        double[] u = y.clone();
        for (int i = 0; i < k; i++) {
            double bi = b[i];
            double[] xi = x[i];
            for (int r = 0; r < n; r++) {
                u[r] -= bi * xi[r];
            }
        }

        Endogeneity endogeneity = options.diagnostics()
                ? wuHausman(y, x, firstResiduals, onWs, endogenous.names()) : null;
        TestStatistic wuHausman = endogeneity == null ? null : endogeneity.test();
        TestStatistic sargan = null;
        TestStatistic hansen = null;
        IvFit.Gmm gmm = null;
        if (m > p && options.diagnostics()) {
            int df = m - p;
            double nR2 = n * Ols.fit(z, u).rSquared();
            sargan = new TestStatistic(nR2, df, 0, Tails.chiSquared(nR2, df));
            gmm = twoStepGmm(y, x, z, u);
            hansen = new TestStatistic(gmm.j(), df, 0, Tails.chiSquared(gmm.j(), df));
        }

        List<String> warnings = weakInstrumentWarnings(firstStages, instruments);
        if (endogeneity != null && endogeneity.warning() != null) {
            warnings.add(endogeneity.warning());
        }
        AndersonRubin ar = p == 1 && options.diagnostics() ? new AndersonRubin(y, endogenous.columns()[0], z, w, m, options.se(),
                firstFits[0], onWs[0]) : null;
        return new IvFit(terms, b, x, xhat, u, bread, options, firstStages, wuHausman, sargan, hansen, gmm, ar,
                warnings);
    }

    /**
     * Below this share of an endogenous regressor's variation (after the controls and the other
     * endogenous regressors' instrumented parts) the instruments explain, it is not identified:
     * what is left is rounding, not information.
     */
    static final double IDENTIFICATION_TOLERANCE = 1e-10;

    /**
     * The part of each endogenous regressor the excluded instruments explain beyond the controls is
     * fⱼ = resid_W(dⱼ) − resid_Z(dⱼ). Identification needs these p vectors to be linearly
     * independent, measured against each regressor's own variation beyond the controls (not against
     * fⱼ's, which would make any non-zero first stage, however tiny, look fine): a Cholesky of
     * fᵢ'fⱼ/(|resid_W(dᵢ)| |resid_W(dⱼ)|) whose j-th pivot is the share of dⱼ's variation explained
     * by the instruments beyond the earlier regressors'.
     */
    private static void requireIdentified(Regressors endogenous, Regressors exogenous, Regressors instruments,
                                          OlsFit[] firstFits, double[][] onWs) {
        int p = firstFits.length;
        double[][] f = new double[p][];
        double[] scale = new double[p];
        for (int j = 0; j < p; j++) {
            double[] r = firstFits[j].residuals();
            f[j] = new double[r.length];
            for (int i = 0; i < r.length; i++) {
                f[j][i] = onWs[j][i] - r[i];
            }
            scale[j] = Math.sqrt(dot(onWs[j], onWs[j]));
        }
        double[][] ff = new double[p][p];
        for (int j = 0; j < p; j++) {
            for (int i = 0; i <= j; i++) {
                ff[j][i] = dot(f[j], f[i]);
            }
        }
        requireIdentified(endogenous, exogenous, instruments, ff, scale);
    }

    /**
     * The identification check of the Gram matrix {@code ff} of the fⱼ (lower triangle read) and the
     * regressors' variation beyond the controls, {@code scale}ⱼ = |resid_W(dⱼ)|.
     */
    static void requireIdentified(Regressors endogenous, Regressors exogenous, Regressors instruments,
                                  double[][] ff, double[] scale) {
        int p = ff.length;
        double[][] l = new double[p][p];
        for (int j = 0; j < p; j++) {
            for (int i = 0; i <= j; i++) {
                double g = ff[j][i] / (scale[j] * scale[i]);
                for (int q = 0; q < i; q++) {
                    g -= l[j][q] * l[i][q];
                }
                if (i < j) {
                    l[j][i] = g / l[i][i];
                } else if (g <= IDENTIFICATION_TOLERANCE) {
                    throw new InvalidSpecException(endogenousField(j), "The instruments (" + String.join(", ", instruments.names())
                            + ") carry no information on " + endogenous.names().get(j)
                            + (j > 0 ? " beyond what they say about " + String.join(", ", endogenous.names().subList(0, j)) : "")
                            + (exogenous.size() > 0 ? " once the covariates are accounted for" : "")
                            + String.format(Locale.ROOT, " (they explain a share %.1e of its variation)", Math.max(g, 0))
                            + ", so its effect is not identified; use instruments correlated with it");
                } else {
                    l[j][j] = Math.sqrt(g);
                }
            }
        }
    }

    /**
     * The Gram matrix of [1, treatment, exogenous, further endogenous], the columns centred on their
     * means (the design matrix's own check: variation around the mean, not around zero).
     */
    private static double[][] designGram(Regressors endogenous, Regressors exogenous, boolean intercept) {
        List<double[]> cols = new ArrayList<>();
        double[][] d = endogenous.columns();
        int n = d[0].length;
        if (intercept) {
            double[] ones = new double[n];
            java.util.Arrays.fill(ones, 1.0);
            cols.add(ones);
        }
        cols.add(d[0]);
        cols.addAll(java.util.Arrays.asList(exogenous.columns()));
        cols.addAll(java.util.Arrays.asList(d).subList(1, d.length));
        double[][] x = cols.toArray(new double[0][]);
        double[] shift = null;
        if (intercept) {
            shift = Gram.sums(x);
            for (int j = 0; j < x.length; j++) {
                shift[j] = j == 0 ? 0.0 : shift[j] / n;
            }
        }
        return Gram.of(x, null, shift);
    }

    /**
     * The combination of the earlier columns that the last column of {@code gram} (a Gram matrix of
     * [W, d]) is, W itself having full rank; null when it is not one.
     */
    static double[] dependence(double[][] gram) {
        try {
            Cholesky.of(gram);
            return null;
        } catch (RankDeficientException e) {
            return e.column() == gram.length - 1 ? e.combination() : null;
        }
    }

    /**
     * When the regressors X = [W, D] are collinear, given their Gram matrix (W's columns, then the
     * endogenous regressors'): the error naming the first endogenous regressor that is an exact
     * combination of the columns before it; null when X has full rank.
     */
    static InvalidSpecException collinearRegressors(double[][] gram, List<String> wNames, Regressors endogenous,
                                                    Regressors exogenous) {
        try {
            Cholesky.of(gram);
            return null;
        } catch (RankDeficientException e) {
            int pw = wNames.size();
            if (e.column() < pw) {
                return null;
            }
            List<String> earlier = new ArrayList<>(wNames);
            earlier.addAll(endogenous.names().subList(0, e.column() - pw));
            return noVariation(e.column() - pw, endogenous, exogenous, earlier, e.combination());
        }
    }

    /**
     * The error for endogenous regressor j that has no variation of its own beyond the controls W
     * (or beyond W and the endogenous regressors before it): constant, or an exact linear combination
     * ({@code combination} over the columns named {@code wNames}, null when not known) of them.
     */
    static InvalidSpecException noVariation(int j, Regressors endogenous, Regressors exogenous, List<String> wNames,
                                            double[] combination) {
        String name = endogenous.names().get(j);
        List<String> parts = new ArrayList<>();
        if (combination != null) {
            double largest = 0;
            for (double c : combination) {
                largest = Math.max(largest, Math.abs(c));
            }
            for (int i = 0; i < combination.length; i++) {
                if (Math.abs(combination[i]) > 1e-8 * largest && !INTERCEPT.equals(wNames.get(i))) {
                    parts.add("'" + wNames.get(i) + "'");
                }
            }
        }
        String message = parts.isEmpty()
                ? "Endogenous regressor '" + name + "' does not vary"
                + (exogenous.size() > 0 ? " once the covariates are accounted for" : "")
                + ", so its effect cannot be estimated"
                : "Endogenous regressor '" + name + "' is an exact linear combination of "
                + String.join(", ", parts)
                + (wNames.contains(INTERCEPT) ? " (and the intercept)" : "") + " in these rows, so its effect cannot be told apart from "
                + (parts.size() == 1 ? "that column's" : "theirs") + ": drop one of them";
        return new InvalidSpecException(endogenousField(j), message);
    }

    /** First stage on Z, naming the columns when Z is rank deficient. */
    private static OlsFit fitInstruments(double[][] z, double[] d, List<String> zNames, List<String> zFields) {
        try {
            return Ols.fit(z, d);
        } catch (RankDeficientException e) {
            throw collinear(e, zNames, zFields);
        }
    }

    static InvalidSpecException collinear(RankDeficientException e, List<String> names, List<String> fields) {
        int col = e.column();
        double[] comb = e.combination();
        List<String> parts = new ArrayList<>();
        double largest = 0;
        for (double c : comb) {
            largest = Math.max(largest, Math.abs(c));
        }
        for (int i = 0; i < comb.length; i++) {
            if (Math.abs(comb[i]) > 1e-8 * largest) {
                parts.add(names.get(i));
            }
        }
        String field = fields.get(col) == null ? "instruments" : fields.get(col);
        String what = field.startsWith("instruments") ? "Instrument" : "Covariate";
        String message = parts.isEmpty()
                ? what + " '" + names.get(col) + "' is zero in every row, so it carries no information"
                : what + " '" + names.get(col) + "' is an exact linear combination of " + String.join(", ", parts)
                + "; the instruments and covariates must be linearly independent: drop one of them";
        return new InvalidSpecException(field, message, e);
    }

    /**
     * AER's Wu-Hausman test: F test that the first-stage residuals have zero coefficients when added
     * to the OLS regression of y on X; df (r, n − k − r), r the rank of the first-stage residuals
     * beyond X (see {@link #wuHausman(double[][], double[], double, double[], int, int, List)}).
     */
    private static Endogeneity wuHausman(double[] y, double[][] x, double[][] firstResiduals, double[][] onWs,
                                         List<String> names) {
        int n = y.length;
        int k = x.length;
        int p = firstResiduals.length;
        // M_X v̂ⱼ and M_X y: X has full column rank here (requireIdentified has passed)
        double[][] mv = new double[p][];
        for (int j = 0; j < p; j++) {
            mv[j] = Ols.fit(x, firstResiduals[j]).residuals();
        }
        double[] my = Ols.fit(x, y).residuals();
        double[][] svv = new double[p][p];
        double[] svy = new double[p];
        double[] scale = new double[p];
        for (int j = 0; j < p; j++) {
            for (int i = 0; i <= j; i++) {
                svv[j][i] = dot(mv[j], mv[i]);
                svv[i][j] = svv[j][i];
            }
            svy[j] = dot(mv[j], my);
            scale[j] = dot(onWs[j], onWs[j]);
        }
        return wuHausman(svv, svy, dot(my, my), scale, n, k, names);
    }

    /** A Wu-Hausman test (null: omitted) and, when it tests fewer directions than regressors or none, why, in words. */
    record Endogeneity(TestStatistic test, String warning) {
    }

    /**
     * AER's Wu-Hausman F from the cross products after X: {@code svv} = V'M_X V (V = [v̂₁ … v̂ₚ] the
     * first-stage residuals), {@code svy} = V'M_X y, {@code syy} = y'M_X y. The numerator is the part
     * of y the v̂ explain beyond X, c'S⁻¹c, formed directly (no difference of two residual sums).
     *
     * <p>Only the v̂ⱼ that are linearly independent beyond X and the earlier ones enter, as R's
     * {@code lm} drops aliased columns of [X, V] and its anova counts the rank: when a combination of
     * the endogenous regressors is reproduced exactly by the instruments and covariates (experience =
     * age − education − 6 with age an instrument, or an instrument equal to the regressor), its
     * first-stage residual is zero, the combination is exogenous by construction and has nothing to
     * test. The test then has r &lt; p degrees of freedom (df2 = n − k − r), said in the warning;
     * with r = 0 it is omitted. A v̂ⱼ counts as dependent when what is left of it is at most
     * {@link #IDENTIFICATION_TOLERANCE} of {@code scale}ⱼ, dⱼ's own variation beyond the controls.
     */
    static Endogeneity wuHausman(double[][] svv, double[] svy, double syy, double[] scale, int n, int k,
                                 List<String> names) {
        int p = svv.length;
        List<Integer> kept = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (int j = 0; j < p; j++) {
            double left = svv[j][j];
            double[] comb = new double[kept.size()];
            if (!kept.isEmpty()) {
                double[] col = new double[kept.size()];
                for (int a = 0; a < col.length; a++) {
                    col[a] = svv[kept.get(a)][j];
                }
                comb = Cholesky.of(sub(svv, kept), 0.0).solve(col);
                left -= dot(col, comb);
            }
            if (left > IDENTIFICATION_TOLERANCE * scale[j]) {
                kept.add(j);
                continue;
            }
            // v̂ⱼ − Σ cₐ v̂ₐ = 0: the instruments and covariates reproduce dⱼ − Σ cₐ dₐ exactly
            StringBuilder combination = new StringBuilder(names.get(j));
            double largest = 0;
            for (double c : comb) {
                largest = Math.max(largest, Math.abs(c));
            }
            for (int a = 0; a < comb.length; a++) {
                double c = -comb[a];
                if (Math.abs(c) > 1e-8 * largest && largest > 1e-8) {
                    combination.append(c < 0 ? " − " : " + ");
                    if (Math.abs(Math.abs(c) - 1) > 1e-6) {
                        combination.append(String.format(Locale.ROOT, "%.4g × ", Math.abs(c)));
                    }
                    combination.append(names.get(kept.get(a)));
                }
            }
            reasons.add(combination.toString());
        }
        int r = kept.size();
        String why = "the instruments and covariates reproduce " + String.join(" and ", reasons) + " exactly ("
                + (reasons.size() == 1 ? "its first-stage residual is zero), so it is" : "their first-stage residuals"
                + " are zero), so they are") + " exogenous by construction";
        if (r == 0) {
            return new Endogeneity(null, "Wu-Hausman test omitted: " + why + " and there is no endogeneity left to test");
        }
        double[] c = new double[r];
        for (int a = 0; a < r; a++) {
            c[a] = svy[kept.get(a)];
        }
        double explained = dot(c, Cholesky.of(sub(svv, kept), 0.0).solve(c));
        double rssU = syy - explained;
        int df2 = n - k - r;
        double f = (explained / r) / (rssU / df2);
        TestStatistic test = new TestStatistic(f, r, df2, Tails.f(f, r, df2));
        if (r == p) {
            return new Endogeneity(test, null);
        }
        return new Endogeneity(test, "Wu-Hausman test has " + r + " degree" + (r == 1 ? "" : "s") + " of freedom, not "
                + p + ": " + why + ", and only the rest is tested for endogeneity (as R's ivreg diagnostics count it)");
    }

    /** Rows and columns {@code index} of a. */
    private static double[][] sub(double[][] a, List<Integer> index) {
        double[][] b = new double[index.size()][index.size()];
        for (int i = 0; i < b.length; i++) {
            for (int j = 0; j < b.length; j++) {
                b[i][j] = a[index.get(i)][index.get(j)];
            }
        }
        return b;
    }

    /**
     * Two-step efficient GMM with the 2SLS residuals' weight: S = (1/n)Σuᵢ²zᵢzᵢ',
     * b = (X'Z S⁻¹ Z'X)⁻¹ X'Z S⁻¹ Z'y, Hansen's J = n ḡ'S⁻¹ḡ with ḡ = Z'(y − Xb)/n, and
     * Var(b) = ((X'Z/n) S⁻¹ (Z'X/n))⁻¹/n.
     */

    /** One warning per endogenous regressor whose first stage is weak (shared by both 2SLS paths). */
    static List<String> weakInstrumentWarnings(List<FirstStage> firstStages, Regressors instruments) {
        List<String> warnings = new ArrayList<>();
        for (FirstStage fs : firstStages) {
            if (fs.weak()) {
                warnings.add(String.format(Locale.ROOT, "Weak instruments for %s: first-stage F = %.3g (robust %.3g) is "
                                + "below %.0f for %s; the 2SLS estimate and its standard error are unreliable, "
                                + "read the Anderson-Rubin confidence set instead",
                        fs.regressor(), fs.f(), fs.fRobust(), FirstStage.WEAK_F, String.join(", ", instruments.names())));
            }
        }
        return warnings;
    }
    static IvFit.Gmm twoStepGmm(double[] y, double[][] x, double[][] z, double[] u) {
        int n = y.length;
        int k = x.length;
        int l = z.length;
        double[] u2 = new double[n];
        for (int i = 0; i < n; i++) {
            u2[i] = u[i] * u[i] / n;
        }
        Cholesky s = Cholesky.of(Gram.of(z, u2, null), 0.0);
        double[][] zx = new double[k][];
        for (int j = 0; j < k; j++) {
            zx[j] = Gram.crossProduct(z, null, null, x[j]);
        }
        double[] zy = Gram.crossProduct(z, null, null, y);
        double[][] sInvZx = new double[k][];
        for (int j = 0; j < k; j++) {
            sInvZx[j] = s.solve(zx[j]);
        }
        double[][] a = new double[k][k];
        double[] rhs = new double[k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                a[i][j] = dot(zx[i], sInvZx[j]);
            }
            rhs[i] = dot(sInvZx[i], zy);
        }
        Matrices.symmetrize(a);
        Cholesky ac = Cholesky.of(a, 0.0);
        double[] b = ac.solveRefined(rhs);
        double[] r = y.clone();
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < n; i++) {
                r[i] -= b[j] * x[j][i];
            }
        }
        double[] g = Gram.crossProduct(z, null, null, r);
        for (int j = 0; j < l; j++) {
            g[j] /= n;
        }
        double j = n * dot(g, s.solve(g));
        double[][] v = Matrices.scale(ac.inverse(), n);
        return new IvFit.Gmm(b, Matrices.sqrtDiagonal(v), j);
    }

    /** (Rγ)'(R V R')⁻¹(Rγ) for the {@code size} coefficients from {@code from}. */
    static double wald(double[] gamma, double[][] v, int from, int size) {
        double[] g = new double[size];
        double[][] block = new double[size][size];
        for (int i = 0; i < size; i++) {
            g[i] = gamma[from + i];
            for (int j = 0; j < size; j++) {
                block[i][j] = v[from + i][from + j];
            }
        }
        return dot(g, Cholesky.of(block, 0.0).solve(g));
    }

    static String endogenousField(int j) {
        return j == 0 ? "treatment" : "endogenous[" + (j - 1) + "]";
    }

    private static void checkShapes(double[] y, Regressors endogenous, Regressors exogenous, Regressors instruments) {
        int n = y.length;
        Set<String> seen = new HashSet<>();
        for (Regressors r : List.of(endogenous, exogenous, instruments)) {
            for (int j = 0; j < r.size(); j++) {
                String name = r.names().get(j);
                if (!seen.add(name)) {
                    throw new InvalidSpecException("instruments", "Column '" + name + "' is named twice in the model");
                }
                if (r.columns()[j].length != n) {
                    throw new IllegalArgumentException("column " + name + " has " + r.columns()[j].length
                            + " rows, the outcome " + n);
                }
            }
        }
        for (double v : y) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("the outcome has a missing or non-finite value");
            }
        }
    }

    private static double[] nanVector(int size) {
        double[] v = new double[size];
        java.util.Arrays.fill(v, Double.NaN);
        return v;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}

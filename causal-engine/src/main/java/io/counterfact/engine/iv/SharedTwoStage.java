package io.counterfact.engine.iv;

import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.linalg.Centering;
import io.counterfact.engine.linalg.Cholesky;
import io.counterfact.engine.linalg.CovarianceType;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.GramKernel;
import io.counterfact.engine.linalg.Matrices;
import io.counterfact.engine.linalg.Ols;
import io.counterfact.engine.linalg.Parallel;
import io.counterfact.engine.linalg.RankDeficientException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link TwoStageLeastSquares} on one shared cross-product matrix: the same estimates and diagnostics
 * in three passes over the rows instead of about twenty.
 *
 * <p>Every regression of the fit (the first stages on Z and on W, the second stage on X̂, Wu-Hausman's
 * two, Anderson-Rubin's y on Z and on W, Sargan's u on Z) has regressors and target in the span of
 * U = [W, Z₂, D, y] (W = intercept and controls, Z₂ the excluded instruments, D the endogenous
 * regressors). So one centred Gram matrix G = Ũ'Ũ (columns shifted by their means, the intercept
 * kept as ones, exactly what {@link Ols} builds for each fit) gives them all: a regressor set given as
 * combinations T of U's columns has Gram matrix T'GT and cross-product T'G t with a target t. Sums of
 * squares that a test differences (RSS_W − RSS_Z for F, the partial R², Wu-Hausman's numerator) are
 * formed directly as the explained part of a Schur complement, never as a difference of two residual
 * sums of squares, so no digits cancel. The residual sums of squares themselves, and everything
 * robust, come from a second pass in which each row block computes the residuals (first stage,
 * structural, Anderson-Rubin's) and accumulates, while the block is in cache, the weighted Gram
 * matrices the HC covariances need (first stage's, the 2SLS meat) and Anderson-Rubin's m×m blocks.
 *
 * <p>Passes: the columns' means, G, and the residual pass; over-identified fits add two-step GMM's.
 * Blocks are fixed ({@link Gram#BLOCK} rows) and their partial sums added in block order, so results
 * do not depend on the number of threads. HC2 and HC3 need the leverages of two different hat
 * matrices and stay on {@link TwoStageLeastSquares}'s regression-by-regression path.
 */
final class SharedTwoStage {

    private SharedTwoStage() {
    }

    /**
     * Whether this path computes the fit: HC2/HC3 need per-row leverages (not here); the intercept,
     * when there is one, must be a column of W, the only way every regression of the fit contains it
     * (so that centring the other columns leaves each regression's span unchanged).
     */
    static boolean applies(IvOptions options, double[][] w, double[][] z, Regressors endogenous) {
        CovarianceType se = options.se();
        if (se == CovarianceType.HC2 || se == CovarianceType.HC3) {
            return false;
        }
        if (options.intercept()) {
            return true;  // W's and so Z's first column, the ones TwoStageLeastSquares added
        }
        int k0 = Ols.interceptIndex(w);
        return Ols.interceptIndex(z) == k0 && (k0 >= 0 || Ols.interceptIndex(endogenous.columns()) < 0);
    }

    /**
     * The intercept's column in W: the first when the options ask for one (TwoStageLeastSquares puts its
     * column of ones there; no pass over it to find it again), else a column of W that is all ones, or −1.
     */
    private static int interceptIndex(IvOptions options, double[][] w) {
        return options.intercept() ? 0 : Ols.interceptIndex(w);
    }

    static IvFit fit(double[] y, Regressors endogenous, Regressors exogenous, Regressors instruments,
                     IvOptions options, double[][] w, double[][] z, List<String> zNames, List<String> zFields,
                     TwoStageLeastSquares.DesignCheck designCheck) {
        int n = y.length;
        int p = endogenous.size();
        int m = instruments.size();
        int pw = w.length;
        int l = z.length;
        int k = pw + p;
        int iy = l + p;
        int nu = l + p + 1;
        int k0 = interceptIndex(options, w);
        CovarianceType se = options.se();
        boolean robust = se != CovarianceType.CLASSICAL;
        boolean diagnostics = options.diagnostics();

        // U = [W, Z₂, D, y]: Z is U's first l columns
        double[][] u = new double[nu][];
        System.arraycopy(z, 0, u, 0, l);
        System.arraycopy(endogenous.columns(), 0, u, l, p);
        u[iy] = y;
        // shifts near the means from a sample of rows (no pass of their own); G's intercept row then
        // holds Σ(x_j − c_j) = n(x̄_j − c_j), and every formula below is in these coordinates
        Centering centring = Centering.sampled(u, k0);
        double[] c = k0 >= 0 ? centring.shift() : new double[nu];
        double[][] g = Gram.of(u, null, c);
        if (designCheck != null) {
            designCheck.check(designBlock(g, k0, pw, l, p));
        }

        // --- regressions from G alone --------------------------------------------------------------
        Cholesky cholZ;
        try {
            cholZ = Cholesky.of(block(g, 0, l));
        } catch (RankDeficientException e) {
            throw TwoStageLeastSquares.collinear(e, zNames, zFields);
        }
        // S₂₂ = Z₂'M_W Z₂: what the instruments add beyond the controls
        double[][] s22 = schur(g, pw, l);
        double[][] gamma = new double[p][];       // first stages, tilde coordinates (on Ũ's Z columns)
        double[] rssW = new double[p];            // RSS of dⱼ on W
        double[][] gamma2 = new double[p][];
        for (int j = 0; j < p; j++) {
            gamma[j] = cholZ.solve(column(g, 0, l, l + j));
            toTargetUnits(gamma[j], k0, c[l + j]);
            gamma2[j] = Arrays.copyOfRange(gamma[j], pw, l);
            rssW[j] = residualOnW(g, pw, l + j);
            int[] onW = new int[pw + 1];
            for (int q = 0; q < pw; q++) {
                onW[q] = q;
            }
            onW[pw] = l + j;
            double[] dependence = TwoStageLeastSquares.dependence(rows(g, onW));
            if (!(rssW[j] > 0) || dependence != null) {
                throw TwoStageLeastSquares.noVariation(j, endogenous, exogenous, zNames.subList(0, pw), dependence);
            }
        }
        // fᵢ'fⱼ with fⱼ = resid_W(dⱼ) − resid_Z(dⱼ) = M_W Z₂ γ₂ⱼ
        double[][] ff = new double[p][p];
        double[] scale = new double[p];
        for (int j = 0; j < p; j++) {
            scale[j] = Math.sqrt(rssW[j]);
            for (int i = 0; i <= j; i++) {
                ff[j][i] = bilinear(s22, gamma2[j], gamma2[i]);
            }
        }
        try {
            TwoStageLeastSquares.requireIdentified(endogenous, exogenous, instruments, ff, scale);
        } catch (InvalidSpecException e) {
            // the regressors themselves collinear (the facade's design check, when it runs, says so first)
            int[] x = new int[k];
            for (int j = 0; j < k; j++) {
                x[j] = j < pw ? j : l + j - pw;
            }
            InvalidSpecException collinear = TwoStageLeastSquares.collinearRegressors(rows(g, x), zNames.subList(0, pw),
                    endogenous, exogenous);
            throw collinear != null ? collinear : e;
        }

        // second stage on X̂ = [W, d̂]: d̂ⱼ's centred form is Σ γ̃ⱼ z̃ without the intercept's term
        double[][] t = new double[k][nu];
        for (int j = 0; j < pw; j++) {
            t[j][j] = 1.0;
        }
        for (int j = 0; j < p; j++) {
            System.arraycopy(gamma[j], 0, t[pw + j], 0, l);
            if (k0 >= 0) {
                t[pw + j][k0] = 0.0;
            }
        }
        double[][] a = congruence(g, t);
        double[] ty = new double[k];
        for (int r = 0; r < k; r++) {
            ty[r] = dotRow(g[iy], t[r]);
        }
        Cholesky cholX = Cholesky.of(a);
        // the solve's tilde coordinates: W's columns shifted by their means, d̂ⱼ by γ̃ⱼ's intercept
        double[] shiftX = new double[k];
        if (k0 >= 0) {
            System.arraycopy(c, 0, shiftX, 0, pw);
            for (int j = 0; j < p; j++) {
                shiftX[pw + j] = gamma[j][k0];
            }
        }
        Centering centringX = Centering.withShift(k0, shiftX);
        double[] bTilde = cholX.solve(ty);
        toTargetUnits(bTilde, k0, c[iy]);
        double[] bSolve = centringX.toOriginal(bTilde);
        double[][] breadSolve = centringX.toOriginal(cholX.inverse());

        // output order [1, endogenous, exogenous]
        List<String> terms = new ArrayList<>();
        int[] solvePos = new int[k];
        int pos = 0;
        if (options.intercept()) {
            terms.add(TwoStageLeastSquares.INTERCEPT);
            solvePos[pos++] = 0;
        }
        for (int j = 0; j < p; j++) {
            terms.add(endogenous.names().get(j));
            solvePos[pos++] = pw + j;
        }
        for (int j = 0; j < exogenous.size(); j++) {
            terms.add(exogenous.names().get(j));
            solvePos[pos++] = (options.intercept() ? 1 : 0) + j;
        }
        double[] b = new double[k];
        double[][] bread = new double[k][k];
        for (int i = 0; i < k; i++) {
            b[i] = bSolve[solvePos[i]];
            for (int j2 = 0; j2 < k; j2++) {
                bread[i][j2] = breadSolve[solvePos[i]][solvePos[j2]];
            }
        }

        // the structural residual u = y − Xb in centred columns: ỹ − Σ b_w w̃ − Σ b_d d̃ − κ with
        // κ = b₀ + Σ b_w c_w + Σ b_d c_d − c_y (≈ 0), so no large offsets cancel row by row
        double[] bu = new double[nu];
        double kappa = -c[iy];
        for (int j = 0; j < pw; j++) {
            if (j == k0) {
                kappa += bSolve[j];
            } else {
                bu[j] = bSolve[j];
                kappa += bSolve[j] * c[j];
            }
        }
        for (int j = 0; j < p; j++) {
            bu[l + j] = bSolve[pw + j];
            kappa += bSolve[pw + j] * c[l + j];
        }

        // Anderson-Rubin (one endogenous regressor): y on Z, and the instruments' rows of (Z̃'Z̃)⁻¹
        boolean ar = diagnostics && p == 1;
        double[] pi = ar ? cholZ.solve(column(g, 0, l, iy)) : null;
        if (pi != null) {
            toTargetUnits(pi, k0, c[iy]);
        }
        double[][] zInv = cholZ.inverse();
        double[][] bz = ar && robust ? Arrays.copyOfRange(zInv, l - m, l) : null;
        boolean sargan = diagnostics && m > p;
        boolean firstRobust = diagnostics && robust;

        // --- the residual pass ---------------------------------------------------------------------------
        Pass pass = new Pass(u, c, k0, l, p, m, gamma, bu, kappa, pi, bz, robust, firstRobust, sargan);
        pass.run(n);

        // --- first stages -----------------------------------------------------------------------------
        Centering centringZ = Centering.withShift(k0, k0 >= 0 ? Arrays.copyOf(c, l) : null);
        double[][] zInvOriginal = centringZ.toOriginal(zInv);
        List<FirstStage> firstStages = new ArrayList<>();
        double[] partialR2 = new double[p];
        for (int j = 0; j < p; j++) {
            double rssU = pass.rssFirst[j];
            double explained = ff[j][j];
            double rssR = rssU + explained;
            double[] gammaOriginal = centringZ.toOriginal(gamma[j]);
            double[][] vClassical = Matrices.scale(copy(zInvOriginal), rssU / (n - l));
            double[][] vRobust;
            if (!robust) {
                vRobust = vClassical;
            } else if (firstRobust) {
                vRobust = centringZ.toOriginal(Matrices.sandwich(zInv, pass.meatFirst(j)));
                if (se == CovarianceType.HC1) {
                    Matrices.scale(vRobust, (double) n / (n - l));
                }
            } else {
                vRobust = null;
            }
            double f;
            double fRobust;
            if (rssU <= TwoStageLeastSquares.IDENTIFICATION_TOLERANCE * rssR) {
                // the instruments reproduce the regressor (see TwoStageLeastSquares)
                f = Double.POSITIVE_INFINITY;
                fRobust = vRobust == null ? Double.NaN : Double.POSITIVE_INFINITY;
            } else {
                f = (explained / m) / (rssU / (n - l));
                fRobust = vRobust == null ? Double.NaN : TwoStageLeastSquares.wald(gammaOriginal, vRobust, l - m, m) / m;
            }
            boolean weak = f < FirstStage.WEAK_F || fRobust < FirstStage.WEAK_F;
            double[] seRobust = vRobust == null ? nan(l) : Matrices.sqrtDiagonal(vRobust);
            // R² of the first stage, centred with an intercept as Ols reports it:
            // Σ(d − d̄)² = Σ(d − c)² − (Σ(d − c))²/n, from G's diagonal and intercept row
            double tss = g[l + j][l + j] - (k0 >= 0 ? g[k0][l + j] * g[k0][l + j] / n : 0.0);
            partialR2[j] = explained / rssR;
            firstStages.add(new FirstStage(endogenous.names().get(j), zNames, gammaOriginal,
                    Matrices.sqrtDiagonal(vClassical), seRobust, f, fRobust, m, n - l, Tails.f(f, m, n - l),
                    partialR2[j], 1.0 - rssU / tss, weak));
        }

        double[][] x = new double[k][];
        double[][] xhat = new double[k][];
        for (int i = 0; i < k; i++) {
            int s = solvePos[i];
            x[i] = s >= pw ? endogenous.columns()[s - pw] : w[s];
            xhat[i] = s >= pw ? pass.fitted[s - pw] : w[s];
        }

        TwoStageLeastSquares.Endogeneity endogeneity = diagnostics
                ? wuHausman(g, gamma, pw, l, p, n, k0, rssW, endogenous.names()) : null;
        TestStatistic wuHausman = endogeneity == null ? null : endogeneity.test();
        TestStatistic sarganTest = null;
        TestStatistic hansen = null;
        IvFit.Gmm gmm = null;
        if (sargan) {
            int df = m - p;
            double ess = dotRow(pass.zu, cholZ.solve(pass.zu));
            // R² of u on Z as Ols reports it: centred with an intercept
            double centre = k0 >= 0 ? pass.sumU * pass.sumU / n : 0.0;
            double nR2 = n * (ess - centre) / (pass.uu - centre);
            sarganTest = new TestStatistic(nR2, df, 0, Tails.chiSquared(nR2, df));
            gmm = TwoStageLeastSquares.twoStepGmm(y, x, z, pass.residuals);
            hansen = new TestStatistic(gmm.j(), df, 0, Tails.chiSquared(gmm.j(), df));
        }

        List<String> warnings = TwoStageLeastSquares.weakInstrumentWarnings(firstStages, instruments);
        if (endogeneity != null && endogeneity.warning() != null) {
            warnings.add(endogeneity.warning());
        }

        AndersonRubin andersonRubin = null;
        if (ar) {
            double[] gammaY = Arrays.copyOfRange(pi, l - m, l);
            double[] gammaD = gamma2[0];
            double[] pi2 = Arrays.copyOfRange(pi, pw, l);
            double uyy = pass.ryy;
            double uyd = pass.ryd;
            double udd = pass.rssFirst[0];
            double syy = uyy + Matrices.quadraticForm(s22, pi2);
            double syd = uyd + bilinear(s22, pi2, gammaD);
            double sdd = udd + ff[0][0];
            double[][] vyy;
            double[][] vyd;
            double[][] vdd;
            if (!robust) {
                double[][] breadZ2 = block(zInv, l - m, l);
                vyy = Matrices.scale(copy(breadZ2), uyy / (n - l));
                vyd = Matrices.scale(copy(breadZ2), uyd / (n - l));
                vdd = Matrices.scale(copy(breadZ2), udd / (n - l));
            } else {
                double f = se == CovarianceType.HC1 ? (double) n / (n - l) : 1.0;
                vyy = Matrices.scale(pass.arBlock(0), f);
                vyd = Matrices.scale(pass.arBlock(1), f);
                vdd = Matrices.scale(pass.arBlock(2), f);
            }
            andersonRubin = new AndersonRubin(n, m, l, se, gammaY, gammaD, vyy, vyd, vdd, syy, syd, sdd, uyy, uyd,
                    udd);
        }

        // the HC0/HC1 meat Σ uᵢ² x̂ᵢx̂ᵢ' of the fit's own covariance, from Σ uᵢ² z̃ᵢz̃ᵢ' (x̂ = Π'z̃)
        double[][] meat = null;
        if (robust) {
            double[][] piT = new double[k][l];
            for (int j = 0; j < pw; j++) {
                piT[j][j] = 1.0;
                if (k0 >= 0 && j != k0) {
                    piT[j][k0] = c[j];
                }
            }
            for (int j = 0; j < p; j++) {
                piT[pw + j] = gamma[j].clone();
            }
            double[][] meatSolve = congruence(pass.meatU(), piT);
            meat = new double[k][k];
            for (int i = 0; i < k; i++) {
                for (int j2 = 0; j2 < k; j2++) {
                    meat[i][j2] = meatSolve[solvePos[i]][solvePos[j2]];
                }
            }
        }
        return new IvFit(terms, b, x, xhat, pass.residuals, bread, options, firstStages, wuHausman, sarganTest,
                hansen, gmm, andersonRubin, warnings, meat);
    }

    /**
     * AER's Wu-Hausman F from G: y on X = [W, D] against y on [X, v̂] with v̂ⱼ = dⱼ − d̂ⱼ, from the
     * Schur complement of X in the Gram matrix of [X, v̂, y] (see
     * {@link TwoStageLeastSquares#wuHausman(double[][], double[], double, double[], int, int, List)}:
     * first-stage residuals that are exact combinations of the others beyond X do not count).
     */
    private static TwoStageLeastSquares.Endogeneity wuHausman(double[][] g, double[][] gamma, int pw, int l, int p,
                                                              int n, int k0, double[] rssW, List<String> names) {
        int nu = g.length;
        int k = pw + p;
        // rows of T: X's columns, then the v̂ⱼ, then y
        double[][] t = new double[k + p + 1][nu];
        for (int j = 0; j < pw; j++) {
            t[j][j] = 1.0;
        }
        for (int j = 0; j < p; j++) {
            t[pw + j][l + j] = 1.0;
            double[] v = t[k + j];
            v[l + j] = 1.0;
            for (int q = 0; q < l; q++) {
                v[q] -= gamma[j][q];
            }
            if (k0 >= 0) {
                v[k0] = 0.0;  // X has the intercept: only the centred part of v̂ matters
            }
        }
        t[k + p][nu - 1] = 1.0;
        double[][] s = schur(congruence(g, t), k, k + p + 1);
        double[][] svv = block(s, 0, p);
        double[] svy = new double[p];
        for (int j = 0; j < p; j++) {
            svy[j] = s[j][p];
        }
        return TwoStageLeastSquares.wuHausman(svv, svy, s[p][p], rssW, n, k, names);
    }

    /**
     * The residual pass. Per block of rows: the columns of U centred into scratch (the intercept
     * as ones), the first-stage fitted values d̂ⱼ (kept: they are X̂'s columns) and residuals, the
     * structural residuals u (kept), Anderson-Rubin's residuals of y on Z; then, while the block is
     * in cache, their sums of squares and the weighted Gram matrices the robust covariances need.
     */
    private static final class Pass {
        final double[][] u;
        final double[] c;
        final int k0;
        final int l;
        final int p;
        final int m;
        final double[][] gamma;
        final double[] bu;
        final double kappa;
        final double[] pi;
        final double[][] bz;
        final boolean meatU;
        final boolean meatFirst;
        final boolean wantZu;
        // outputs
        final double[][] fitted;
        final double[] residuals;
        double[] rssFirst;
        double uu;
        double sumU;
        double ryy;
        double ryd;
        private double[] sums;
        // layout of one block's partial sums
        private final int offScalars;
        private final int offZu;
        private final int offMeatU;
        private final int offMeatFirst;
        private final int offAr;
        private final int size;
        double[] zu;

        Pass(double[][] u, double[] c, int k0, int l, int p, int m, double[][] gamma, double[] bu, double kappa,
             double[] pi, double[][] bz, boolean meatU, boolean meatFirst, boolean zu) {
            this.u = u;
            this.c = c;
            this.k0 = k0;
            this.l = l;
            this.p = p;
            this.m = m;
            this.gamma = gamma;
            this.bu = bu;
            this.kappa = kappa;
            this.pi = pi;
            this.bz = bz;
            this.meatU = meatU;
            this.meatFirst = meatFirst;
            this.wantZu = zu;
            int n = u[0].length;
            this.fitted = new double[p][n];
            this.residuals = new double[n];
            // scalars: Σu², Σu, Σ ryᵢ², Σ ryᵢ rdᵢ, then Σ rdⱼ² per endogenous regressor
            offScalars = 0;
            offZu = offScalars + 4 + p;
            offMeatU = offZu + (zu ? l : 0);
            offMeatFirst = offMeatU + (meatU ? l * l : 0);
            offAr = offMeatFirst + (meatFirst ? p * l * l : 0);
            size = offAr + (bz != null ? 3 * m * m : 0);
        }

        void run(int n) {
            int nu = u.length;
            int blocks = Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
            double[][] partial = new double[blocks][];
            Parallel.forRanges(blocks, (from, to) -> {
                // everything below works on one tile of a block at a time (Gram.TILE rows): the centred
                // columns, residuals and weights of a tile stay in L1 while the kernel sweeps them
                int cap = Math.min(Gram.TILE, n);
                double[][] scratch = new double[nu][cap];
                double[][] zs = Arrays.copyOf(scratch, l);
                double[] ub = new double[cap];
                double[][] rd = new double[p][cap];
                double[] ry = pi != null ? new double[cap] : null;
                double[] weight = new double[cap];
                double[][] buffer = new double[2][cap];
                double[][] q = bz != null ? new double[m][cap] : null;
                double[] zuTile = wantZu ? new double[l] : null;
                // the weighted Gram matrices' running sums, drained into the block's partial sums
                GramKernel.Sum meatUSum = meatU ? Gram.newSum(l) : null;
                GramKernel.Sum[] meatFirstSums = new GramKernel.Sum[meatFirst ? p : 0];
                for (int j = 0; j < meatFirstSums.length; j++) {
                    meatFirstSums[j] = Gram.newSum(l);
                }
                GramKernel.Sum[] arSums = new GramKernel.Sum[q != null ? 3 : 0];
                for (int v = 0; v < arSums.length; v++) {
                    arSums[v] = Gram.newSum(m);
                }
                for (int b = from; b < to; b++) {
                    int blockEnd = Math.min(n, (b + 1) * Gram.BLOCK);
                    double[] part = new double[size];
                    partial[b] = part;
                    for (int lo = b * Gram.BLOCK; lo < blockEnd; lo += Gram.TILE) {
                        tile(lo, Math.min(Gram.TILE, blockEnd - lo), part, scratch, zs, ub, rd, ry, weight, buffer, q,
                                zuTile, meatUSum, meatFirstSums, arSums);
                    }
                    if (meatUSum != null) {
                        meatUSum.drainTo(part, offMeatU);
                    }
                    for (int j = 0; j < meatFirstSums.length; j++) {
                        meatFirstSums[j].drainTo(part, offMeatFirst + j * l * l);
                    }
                    for (int v = 0; v < arSums.length; v++) {
                        arSums[v].drainTo(part, offAr + v * m * m);
                    }
                }
            });
            double[] total = new double[size];
            for (double[] part : partial) {
                for (int i = 0; i < size; i++) {
                    total[i] += part[i];
                }
            }
            sums = total;
            uu = total[offScalars];
            sumU = total[offScalars + 1];
            ryy = total[offScalars + 2];
            ryd = total[offScalars + 3];
            rssFirst = Arrays.copyOfRange(total, offScalars + 4, offScalars + 4 + p);
            if (wantZu) {
                this.zu = Arrays.copyOfRange(total, offZu, offZu + l);
            }
        }

        /**
         * Rows [lo, lo + len) of one block: the centred copy, the residuals, their sums into {@code part}, and
         * the weighted Gram matrices into the running sums.
         */
        private void tile(int lo, int len, double[] part, double[][] scratch, double[][] zs, double[] ub, double[][] rd,
                          double[] ry, double[] weight, double[][] buffer, double[][] q, double[] zuTile,
                          GramKernel.Sum meatUSum, GramKernel.Sum[] meatFirstSums, GramKernel.Sum[] arSums) {
            int nu = u.length;
            for (int j = 0; j < nu; j++) {
                Gram.centredCopy(u[j], lo, len, c[j], scratch[j]);
            }
            double[] yb = scratch[nu - 1];
            // first stages: e = Σ_{z ≠ 1} γ̃ z̃; d̂ = e + γ̃₀, rd = d̃ − e − (γ̃₀ − c_d)
            for (int j = 0; j < p; j++) {
                double[] e = rd[j];
                combination(zs, gamma[j], k0, len, e);
                double g0 = k0 >= 0 ? gamma[j][k0] : 0.0;
                double off = g0 - c[l + j];
                double[] dj = scratch[l + j];
                double[] fit = fitted[j];
                double ss = 0;
                for (int i = 0; i < len; i++) {
                    double ei = e[i];
                    fit[lo + i] = ei + g0;
                    double r = dj[i] - ei - off;
                    e[i] = r;
                    ss += r * r;
                }
                part[offScalars + 4 + j] += ss;
            }
            // structural residuals
            combination(scratch, bu, -1, len, ub);
            double uu = 0;
            double su = 0;
            for (int i = 0; i < len; i++) {
                double r = yb[i] - ub[i] - kappa;
                residuals[lo + i] = r;
                ub[i] = r;
                uu += r * r;
                su += r;
            }
            part[offScalars] += uu;
            part[offScalars + 1] += su;
            if (zuTile != null) {
                crossProducts(zs, ub, len, zuTile);
                for (int j = 0; j < l; j++) {
                    part[offZu + j] += zuTile[j];
                }
            }
            if (meatUSum != null) {
                for (int i = 0; i < len; i++) {
                    weight[i] = ub[i] * ub[i];
                }
                meatUSum.add(zs, 0, len, weight, 0, buffer);
            }
            for (int j = 0; j < meatFirstSums.length; j++) {
                double[] r = rd[j];
                for (int i = 0; i < len; i++) {
                    weight[i] = r[i] * r[i];
                }
                meatFirstSums[j].add(zs, 0, len, weight, 0, buffer);
            }
            if (ry != null) {
                combination(zs, pi, k0, len, ry);
                double off = (k0 >= 0 ? pi[k0] : 0.0) - c[nu - 1];
                double[] r0 = rd[0];
                double syy = 0;
                double syd = 0;
                for (int i = 0; i < len; i++) {
                    double r = yb[i] - ry[i] - off;
                    ry[i] = r;
                    syy += r * r;
                    syd += r * r0[i];
                }
                part[offScalars + 2] += syy;
                part[offScalars + 3] += syd;
                if (q != null) {
                    // Anderson-Rubin's robust blocks need only the instruments' rows of the
                    // sandwich: Σ wᵢ qᵢqᵢ' with qᵢ = B z̃ᵢ (m values a row), three weights
                    for (int a = 0; a < m; a++) {
                        combination(zs, bz[a], -1, len, q[a]);
                    }
                    for (int v = 0; v < 3; v++) {
                        for (int i = 0; i < len; i++) {
                            weight[i] = v == 0 ? ry[i] * ry[i] : v == 1 ? ry[i] * r0[i] : r0[i] * r0[i];
                        }
                        arSums[v].add(q, 0, len, weight, 0, buffer);
                    }
                }
            }
        }

        double[][] meatU() {
            return square(sums, offMeatU, l);
        }

        double[][] meatFirst(int j) {
            return square(sums, offMeatFirst + j * l * l, l);
        }

        double[][] arBlock(int v) {
            return square(sums, offAr + v * m * m, m);
        }
    }

    /**
     * G's rows and columns of the regressors in the facade's design order: [intercept, treatment,
     * exogenous, further endogenous] (W = [intercept, exogenous] is U's first pw columns, D starts at l).
     */
    private static double[][] designBlock(double[][] g, int k0, int pw, int l, int p) {
        int[] index = new int[pw + p];
        int at = 0;
        if (k0 >= 0) {
            index[at++] = k0;
        }
        index[at++] = l;
        for (int j = 0; j < pw; j++) {
            if (j != k0) {
                index[at++] = j;
            }
        }
        for (int j = 1; j < p; j++) {
            index[at++] = l + j;
        }
        double[][] block = new double[index.length][index.length];
        for (int a = 0; a < index.length; a++) {
            for (int b = 0; b < index.length; b++) {
                block[a][b] = g[index[a]][index[b]];
            }
        }
        return block;
    }

    /**
     * G's target columns are centred too (so its entries are sums of squares about the mean): a
     * regression of t − c_t has the intercept of t's regression less c_t; this puts c_t back.
     */
    private static void toTargetUnits(double[] coefTilde, int k0, double shift) {
        if (k0 >= 0) {
            coefTilde[k0] += shift;
        }
    }

    /** out = Σ_j coef_j x_j over the tile's first len rows, skipping column {@code skip} (−1: none). */
    private static void combination(double[][] x, double[] coef, int skip, int len, double[] out) {
        // the columns with a coefficient, four per sweep over out: a quarter of the loads and stores of out
        // that one axpy per column would make (C2 vectorises these same-index loops)
        int[] used = new int[x.length];
        int count = 0;
        for (int j = 0; j < x.length; j++) {
            if (j != skip && coef[j] != 0.0) {
                used[count++] = j;
            }
        }
        java.util.Arrays.fill(out, 0, len, 0.0);
        int u = 0;
        for (; u + 3 < count; u += 4) {
            double[] x0 = x[used[u]];
            double[] x1 = x[used[u + 1]];
            double[] x2 = x[used[u + 2]];
            double[] x3 = x[used[u + 3]];
            double b0 = coef[used[u]];
            double b1 = coef[used[u + 1]];
            double b2 = coef[used[u + 2]];
            double b3 = coef[used[u + 3]];
            for (int i = 0; i < len; i++) {
                out[i] += b0 * x0[i] + b1 * x1[i] + b2 * x2[i] + b3 * x3[i];
            }
        }
        for (; u < count; u++) {
            double[] xj = x[used[u]];
            double bj = coef[used[u]];
            for (int i = 0; i < len; i++) {
                out[i] += bj * xj[i];
            }
        }
    }

    /** out_j = Σᵢ x_j[i] v[i] over the first len rows. */
    private static void crossProducts(double[][] x, double[] v, int len, double[] out) {
        for (int j = 0; j < x.length; j++) {
            double[] xj = x[j];
            double s = 0;
            for (int i = 0; i < len; i++) {
                s += xj[i] * v[i];
            }
            out[j] = s;
        }
    }

    /** The full symmetric matrix from the upper triangle that {@link Gram#accumulate} fills. */
    private static double[][] square(double[] flat, int offset, int p) {
        double[][] a = new double[p][p];
        for (int j = 0; j < p; j++) {
            for (int k = j; k < p; k++) {
                a[j][k] = flat[offset + j * p + k];
                a[k][j] = flat[offset + j * p + k];
            }
        }
        return a;
    }

    /** RSS of column {@code target} on W: the Schur complement G_dd − G_dW G_WW⁻¹ G_Wd (W empty: G_dd). */
    private static double residualOnW(double[][] g, int pw, int target) {
        if (pw == 0) {
            return g[target][target];
        }
        return schur(g, pw, target, target);
    }

    /** A_QQ − A_QP A_PP⁻¹ A_PQ for P = [0, q1) and Q = [q1, q2). */
    static double[][] schur(double[][] a, int q1, int q2) {
        int nq = q2 - q1;
        double[][] s = new double[nq][nq];
        if (q1 == 0) {
            return block(a, 0, q2);
        }
        Cholesky chol = Cholesky.of(block(a, 0, q1));
        double[][] solved = new double[nq][];
        for (int j = 0; j < nq; j++) {
            solved[j] = chol.solve(column(a, 0, q1, q1 + j));
        }
        for (int i = 0; i < nq; i++) {
            for (int j = 0; j < nq; j++) {
                double v = a[q1 + i][q1 + j];
                for (int r = 0; r < q1; r++) {
                    v -= a[q1 + i][r] * solved[j][r];
                }
                s[i][j] = v;
            }
        }
        return Matrices.symmetrize(s);
    }

    /** The single entry of the Schur complement of [0, q1) in {row, col}. */
    private static double schur(double[][] a, int q1, int row, int col) {
        double[] solved = Cholesky.of(block(a, 0, q1)).solve(column(a, 0, q1, col));
        double v = a[row][col];
        for (int r = 0; r < q1; r++) {
            v -= a[row][r] * solved[r];
        }
        return v;
    }

    /** T G T' for T given as rows (each a combination of G's columns). */
    static double[][] congruence(double[][] g, double[][] t) {
        int k = t.length;
        int nu = g.length;
        double[][] gt = new double[k][nu];
        for (int a = 0; a < k; a++) {
            for (int r = 0; r < nu; r++) {
                gt[a][r] = dotRow(g[r], t[a]);
            }
        }
        double[][] out = new double[k][k];
        for (int a = 0; a < k; a++) {
            for (int b2 = 0; b2 <= a; b2++) {
                double v = dotRow(gt[a], t[b2]);
                out[a][b2] = v;
                out[b2][a] = v;
            }
        }
        return out;
    }

    /** Σ_r a[r] b[r] over b's length (a may be longer). */
    private static double dotRow(double[] a, double[] b) {
        double s = 0;
        for (int r = 0; r < b.length; r++) {
            s += a[r] * b[r];
        }
        return s;
    }

    private static double bilinear(double[][] a, double[] u, double[] v) {
        double s = 0;
        for (int i = 0; i < u.length; i++) {
            s += u[i] * dotRow(a[i], v);
        }
        return s;
    }

    /** Rows/columns [from, to) of a, or [0, size) when called with from = 0. */
    private static double[][] block(double[][] a, int from, int to) {
        int size = to - from;
        double[][] b = new double[size][size];
        for (int i = 0; i < size; i++) {
            System.arraycopy(a[from + i], from, b[i], 0, size);
        }
        return b;
    }

    /** Rows and columns {@code index} of a. */
    private static double[][] rows(double[][] a, int[] index) {
        double[][] b = new double[index.length][index.length];
        for (int i = 0; i < index.length; i++) {
            for (int j = 0; j < index.length; j++) {
                b[i][j] = a[index[i]][index[j]];
            }
        }
        return b;
    }

    /** Entries [from, to) of column col of a. */
    private static double[] column(double[][] a, int from, int to, int col) {
        double[] v = new double[to - from];
        for (int i = from; i < to; i++) {
            v[i - from] = a[i][col];
        }
        return v;
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    private static double[] nan(int size) {
        double[] v = new double[size];
        Arrays.fill(v, Double.NaN);
        return v;
    }
}

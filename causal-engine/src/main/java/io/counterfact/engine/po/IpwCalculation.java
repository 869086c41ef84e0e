package io.counterfact.engine.po;

import io.counterfact.engine.linalg.Cholesky;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Parallel;

import java.util.Arrays;
import java.util.List;

/**
 * The IPW point estimate and its two standard errors, given fitted propensities.
 *
 * <p>With unit weights (a1, a0) of the estimand — ATE (T/e, (1−T)/(1−e)), ATT (T, (1−T)e/(1−e)),
 * ATC (T(1−e)/e, 1−T) — and normalisers (b1, b0): the weights themselves for Hajek, and
 * (1, 1), (T, T), (1−T, 1−T) for Horvitz-Thompson, μ̂a solves Σ S(a_a Y − b_a μ_a) = 0 over the
 * kept units S. The known-propensity SE takes the influence function
 * ψ1/mean(b1) − ψ0/mean(b0); the M-estimation SE stacks the logit's score X(T − e) (all units) with
 * ψ1, ψ0 and takes the sandwich A⁻¹BA⁻ᵀ/n along c = (0,…,0,1,−1), as the reference README
 * specifies; ATC follows by symmetry (∂a/∂β = da·X with da as in {@link Weighting#derivative1}).
 *
 * <p>Every pass runs over fixed row blocks of {@link Gram#BLOCK} on the {@link Parallel} pool and
 * adds the blocks' partial sums in block order, so results do not depend on the number of threads;
 * no pass allocates per-row arrays. The point estimates and the known-propensity SE take two passes
 * over (y, t, e) whatever the number of estimands (the SE's sum of squares needs μ̂ first: summing
 * it directly, rather than expanding it into raw moments, keeps it exact for outcomes with a large
 * mean); the M-estimation SE adds two passes over the propensity model's columns.
 */
final class IpwCalculation {

    /** The result; {@code seMEstimation} is NaN when it was not asked for. */
    record Estimate(double estimate, double mu1, double mu0, double seKnownPropensity, double seMEstimation) {
    }

    /**
     * The estimand's weights, written so that one division per unit serves both arms: with
     * h = c0 + c1·e (1 for the ATE, e for the ATT, 1 − e for the ATC), a1 = T·h/e and
     * a0 = (1−T)·h/(1−e); the Horvitz-Thompson normaliser is d = c0 + c1·T (1, T, 1 − T).
     */
    enum Weighting {
        ATE(1, 0), ATT(0, 1), ATC(1, -1);

        final double c0;
        final double c1;

        Weighting(double c0, double c1) {
            this.c0 = c0;
            this.c1 = c1;
        }

        static Weighting of(String estimand) {
            return switch (estimand) {
                case "ATT" -> ATT;
                case "ATC" -> ATC;
                default -> ATE;
            };
        }

        /** da1 with ∂a1/∂β = da1·x (through ∂e/∂β = e(1−e)·x). */
        double derivative1(double a1, double e) {
            return switch (this) {
                case ATE -> -a1 * (1 - e);
                case ATT -> 0.0;
                case ATC -> -a1;
            };
        }

        /** da0 with ∂a0/∂β = da0·x. */
        double derivative0(double a0, double e) {
            return switch (this) {
                case ATE -> a0 * e;
                case ATT -> a0;
                case ATC -> 0.0;
            };
        }
    }

    /**
     * Pass 1's sums, the same for every estimand: with inv = 1/e for a treated unit and 1/(1 − e)
     * for a control (the one division a unit needs), Σ over kept units of T·inv·y, T·e·inv·y,
     * (1−T)·inv·y, (1−T)·e·inv·y, T·inv, T·e·inv, (1−T)·inv, (1−T)·e·inv, 1 and T. Since
     * a1 = c0·T·inv + c1·T·e·inv (and so on), every estimand's Σ a·y, Σ a and Σ d are combinations of them.
     * Then two checks over all units: Σ |T(1 − T)| (0 iff every T is 0 or 1) and the number of e
     * outside (0, 1).
     */
    private static final int BASE_SUMS = 12;

    private IpwCalculation() {
    }

    /**
     * The estimate with both standard errors (the M-estimation one included).
     *
     * @param y        outcome, all n units of the propensity fit
     * @param t        0/1 treatment
     * @param e        fitted propensity
     * @param keep     units in the estimate (null: all)
     * @param x        regressor columns of the propensity model
     * @param shift    the centring of x used by {@code information} (null: none)
     * @param information Cholesky of X̃'diag(e(1−e))X̃ (same centring)
     * @param estimand ATE, ATT or ATC
     * @param hajek    normalised weights (else Horvitz-Thompson)
     */
    static Estimate compute(double[] y, double[] t, double[] e, boolean[] keep, double[][] x, double[] shift,
                            Cholesky information, String estimand, boolean hajek) {
        Known known = known(y, t, e, keep, new Weighting[]{Weighting.of(estimand)}, hajek, false)[0];
        double mest = mEstimationSe(y, t, e, keep, x, shift, information, Weighting.of(estimand), hajek, known);
        return new Estimate(known.mu1 - known.mu0, known.mu1, known.mu0, known.se, mest);
    }

    /** μ̂1, μ̂0, the normalisers' means m1, m0 and the known-propensity SE of one estimand. */
    private record Known(double mu1, double mu0, double m1, double m0, double se) {
    }

    /**
     * The estimates and known-propensity SEs of several estimands at once (their seMEstimation is
     * NaN): one pass over (y, t, e) for all the point estimates, and one per estimand for the SE.
     */
    static List<Estimate> knownPropensity(double[] y, double[] t, double[] e, boolean[] keep, List<String> estimands,
                                          boolean hajek) {
        return knownPropensity(y, t, e, keep, estimands, hajek, false);
    }

    /**
     * As {@link #knownPropensity(double[], double[], double[], boolean[], List, boolean)}; with {@code validate}, the
     * first pass also checks that t is 0/1 and e lies in (0, 1), for propensities that come from the caller.
     *
     * @throws IllegalArgumentException naming the first offending row, or on an empty arm
     */
    static List<Estimate> knownPropensity(double[] y, double[] t, double[] e, boolean[] keep, List<String> estimands,
                                          boolean hajek, boolean validate) {
        Weighting[] w = new Weighting[estimands.size()];
        for (int q = 0; q < w.length; q++) {
            w[q] = Weighting.of(estimands.get(q));
        }
        Known[] known = known(y, t, e, keep, w, hajek, validate);
        Estimate[] out = new Estimate[w.length];
        for (int q = 0; q < w.length; q++) {
            Known kq = known[q];
            out[q] = new Estimate(kq.mu1 - kq.mu0, kq.mu1, kq.mu0, kq.se, Double.NaN);
        }
        return List.of(out);
    }

    private static Known[] known(double[] y, double[] t, double[] e, boolean[] keep, Weighting[] w, boolean hajek,
                                 boolean validate) {
        int n = y.length;
        int blocks = blocks(n);

        // pass 1: the base sums, and the units' checks
        double[] partial = new double[blocks * BASE_SUMS];
        Parallel.forRanges(blocks, (from, to) -> {
            for (int b = from; b < to; b++) {
                int lo = b * Gram.BLOCK;
                int hi = Math.min(n, lo + Gram.BLOCK);
                baseSums(y, t, e, keep, lo, hi, partial, b * BASE_SUMS);
            }
        });
        double[] total = new double[BASE_SUMS];
        for (int b = 0; b < blocks; b++) {
            // the units' checks ride along in the pass: |t(1 − t)| summed, and the count of e outside (0, 1)
            if (validate && (!(partial[b * BASE_SUMS + 10] == 0) || partial[b * BASE_SUMS + 11] > 0)) {
                throw invalidRow(t, e, b);
            }
            for (int s = 0; s < BASE_SUMS; s++) {
                total[s] += partial[b * BASE_SUMS + s];
            }
        }
        double treated = total[9];
        if (validate && (treated == 0 || treated == total[8])) {
            throw new IllegalArgumentException("no " + (treated == 0 ? "treated" : "control") + " units");
        }

        // pass 2: Σ f² with f = ψ1/m1 − ψ0/m0, ψa = a·y − b·μa, once the μ's are known (summing f² itself,
        // not raw moments expanded around 0, keeps it exact for an outcome with a large mean); the pass serves
        // the three estimands at once, one running sum each
        double[][] mu = new double[2][Weighting.values().length];
        double[][] m = new double[2][Weighting.values().length];
        for (Weighting v : Weighting.values()) {
            double sa1y = v.c0 * total[0] + v.c1 * total[1];
            double sa0y = v.c0 * total[2] + v.c1 * total[3];
            double sd = v.c0 * total[8] + v.c1 * total[9];
            double sb1 = hajek ? v.c0 * total[4] + v.c1 * total[5] : sd;
            double sb0 = hajek ? v.c0 * total[6] + v.c1 * total[7] : sd;
            mu[1][v.ordinal()] = sa1y / sb1;
            mu[0][v.ordinal()] = sa0y / sb0;
            m[1][v.ordinal()] = sb1 / n;
            m[0][v.ordinal()] = sb0 / n;
        }
        double[] squares = new double[blocks * 3];
        Parallel.forRanges(blocks, (from, to) -> {
            for (int b = from; b < to; b++) {
                int lo = b * Gram.BLOCK;
                sumsOfSquares(hajek, y, t, e, keep, lo, Math.min(n, lo + Gram.BLOCK), mu, m, squares, b * 3);
            }
        });
        Known[] out = new Known[w.length];
        for (int q = 0; q < w.length; q++) {
            int o = w[q].ordinal();
            double ss = 0;
            for (int b = 0; b < blocks; b++) {
                ss += squares[b * 3 + o];
            }
            out[q] = new Known(mu[1][o], mu[0][o], m[1][o], m[0][o], Math.sqrt(ss) / n);
        }
        return out;
    }

    private static IllegalArgumentException invalidRow(double[] t, double[] e, int block) {
        int lo = block * Gram.BLOCK;
        for (int i = lo; i < Math.min(t.length, lo + Gram.BLOCK); i++) {
            if ((t[i] != 0.0 && t[i] != 1.0) || !(e[i] > 0.0 && e[i] < 1.0)) {
                return new IllegalArgumentException("row " + i + " has treatment " + t[i] + " and propensity " + e[i]
                        + ": the treatment must be 0 or 1 and the propensity strictly between 0 and 1");
            }
        }
        throw new IllegalStateException("no invalid row in block " + block);
    }

    /** Pass 1 over rows [lo, hi): the {@link #BASE_SUMS} into {@code out[at..)}. */
    private static void baseSums(double[] y, double[] t, double[] e, boolean[] keep, int lo, int hi, double[] out,
                                 int at) {
        double ty0 = 0;
        double ty1 = 0;
        double cy0 = 0;
        double cy1 = 0;
        double tw0 = 0;
        double tw1 = 0;
        double cw0 = 0;
        double cw1 = 0;
        double units = 0;
        double treated = 0;
        double tBad = 0;
        double eBad = 0;
        for (int i = lo; i < hi; i++) {
            double ti = t[i];
            double ei = e[i];
            // no branch on the (unpredictable) treatment; the one on e is always taken the same way
            tBad += Math.abs(ti * (1 - ti));
            if (!(ei * (1 - ei) > 0)) {
                eBad++;
            }
            // for a 0/1 treatment exactly 1/e or 1/(1 − e)
            double inv = 1 / (ti * ei + (1 - ti) * (1 - ei));
            if (keep != null && !keep[i]) {
                continue;
            }
            double a = ti * inv;
            double c = (1 - ti) * inv;
            double yi = y[i];
            ty0 += a * yi;
            ty1 += a * ei * yi;
            cy0 += c * yi;
            cy1 += c * ei * yi;
            tw0 += a;
            tw1 += a * ei;
            cw0 += c;
            cw1 += c * ei;
            units += 1;
            treated += ti;
        }
        out[at] = ty0;
        out[at + 1] = ty1;
        out[at + 2] = cy0;
        out[at + 3] = cy1;
        out[at + 4] = tw0;
        out[at + 5] = tw1;
        out[at + 6] = cw0;
        out[at + 7] = cw1;
        out[at + 8] = units;
        out[at + 9] = treated;
        out[at + 10] = tBad;
        out[at + 11] = eBad;
    }

    /**
     * Pass 2 over rows [lo, hi): Σ (ψ1/m1 − ψ0/m0)² of the ATE, ATT and ATC into {@code out[at..at+3)}
     * ({@code mu[arm][estimand]}, {@code m[arm][estimand]}, estimands in {@link Weighting} order).
     */
    private static void sumsOfSquares(boolean hajek, double[] y, double[] t, double[] e, boolean[] keep, int lo,
                                      int hi, double[][] mu, double[][] m, double[] out, int at) {
        double[] mu1 = mu[1];
        double[] mu0 = mu[0];
        double[] p1 = {1 / m[1][0], 1 / m[1][1], 1 / m[1][2]};
        double[] p0 = {1 / m[0][0], 1 / m[0][1], 1 / m[0][2]};
        double sAte = 0;
        double sAtt = 0;
        double sAtc = 0;
        for (int i = lo; i < hi; i++) {
            if (keep != null && !keep[i]) {
                continue;
            }
            double ti = t[i];
            double ei = e[i];
            double yi = y[i];
            double inv = 1 / (ti * ei + (1 - ti) * (1 - ei));
            // a1 = T·h·inv, a0 = (1−T)·h·inv with h = 1, e, 1 − e
            double a = ti * inv;
            double c = (1 - ti) * inv;
            double ae = a * ei;
            double ce = c * ei;
            double fAte;
            double fAtt;
            double fAtc;
            if (hajek) {
                // ψ = a·(y − μ): exact for an outcome with a large mean
                fAte = a * (yi - mu1[0]) * p1[0] - c * (yi - mu0[0]) * p0[0];
                fAtt = ae * (yi - mu1[1]) * p1[1] - ce * (yi - mu0[1]) * p0[1];
                fAtc = (a - ae) * (yi - mu1[2]) * p1[2] - (c - ce) * (yi - mu0[2]) * p0[2];
            } else {
                // ψ = a·y − d·μ with the Horvitz-Thompson normaliser d = 1, T, 1 − T
                fAte = (a * yi - mu1[0]) * p1[0] - (c * yi - mu0[0]) * p0[0];
                fAtt = (ae * yi - ti * mu1[1]) * p1[1] - (ce * yi - ti * mu0[1]) * p0[1];
                fAtc = ((a - ae) * yi - (1 - ti) * mu1[2]) * p1[2] - ((c - ce) * yi - (1 - ti) * mu0[2]) * p0[2];
            }
            sAte += fAte * fAte;
            sAtt += fAtt * fAtt;
            sAtc += fAtc * fAtc;
        }
        out[at] = sAte;
        out[at + 1] = sAtt;
        out[at + 2] = sAtc;
    }

    /**
     * The M-estimation SE: c'A⁻¹ = u' with u_μ1 = −1/m1, u_μ0 = 1/m0 and
     * u_β = −A_ββ⁻¹(A_μ1β' u_μ1 + A_μ0β' u_μ0) = n H⁻¹ g, then sqrt(Σ (u_β'x̃·(t − e) + u1ψ1 + u0ψ0)²)/n.
     * Two blocked passes over x: one for g, one for the sum of squares.
     */
    private static double mEstimationSe(double[] y, double[] t, double[] e, boolean[] keep, double[][] x,
                                        double[] shift, Cholesky information, Weighting w, boolean hajek,
                                        Known known) {
        int n = y.length;
        int p = x.length;
        double mu1 = known.mu1;
        double mu0 = known.mu0;
        double u1 = -1 / known.m1;
        double u0 = 1 / known.m0;
        double[] c = shift == null ? new double[p] : shift;
        int blocks = blocks(n);
        int len = Math.min(n, Gram.BLOCK);

        // g = Σ (u1·da1·r1 + u0·da0·r0) x̃ / n, with r = y − μ (Hajek) or y (Horvitz-Thompson)
        double[] gPartial = new double[blocks * p];
        Parallel.forRanges(blocks, (from, to) -> {
            double[] factor = new double[len];
            for (int b = from; b < to; b++) {
                int lo = b * Gram.BLOCK;
                int hi = Math.min(n, lo + Gram.BLOCK);
                for (int i = lo; i < hi; i++) {
                    double f = 0;
                    if (keep == null || keep[i]) {
                        double ti = t[i];
                        double ei = e[i];
                        double h = (w.c0 + w.c1 * ei) / (ti * ei + (1 - ti) * (1 - ei));
                        double r1 = hajek ? y[i] - mu1 : y[i];
                        double r0 = hajek ? y[i] - mu0 : y[i];
                        f = u1 * w.derivative1(ti * h, ei) * r1 + u0 * w.derivative0((1 - ti) * h, ei) * r0;
                    }
                    factor[i - lo] = f;
                }
                for (int j = 0; j < p; j++) {
                    double[] xj = x[j];
                    double cj = c[j];
                    double s = 0;
                    for (int i = lo; i < hi; i++) {
                        s += factor[i - lo] * (xj[i] - cj);
                    }
                    gPartial[b * p + j] = s;
                }
            }
        });
        double[] g = new double[p];
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < p; j++) {
                g[j] += gPartial[b * p + j];
            }
        }
        for (int j = 0; j < p; j++) {
            g[j] /= n;
        }
        double[] ub = information.solve(g);
        for (int j = 0; j < p; j++) {
            ub[j] *= n;
        }

        double[] squares = new double[blocks];
        Parallel.forRanges(blocks, (from, to) -> {
            double[] score = new double[len];
            for (int b = from; b < to; b++) {
                int lo = b * Gram.BLOCK;
                int hi = Math.min(n, lo + Gram.BLOCK);
                Arrays.fill(score, 0.0);
                for (int j = 0; j < p; j++) {
                    double[] xj = x[j];
                    double bj = ub[j];
                    double cj = c[j];
                    for (int i = lo; i < hi; i++) {
                        score[i - lo] += bj * (xj[i] - cj);
                    }
                }
                double s = 0;
                for (int i = lo; i < hi; i++) {
                    double psi = 0;
                    if (keep == null || keep[i]) {
                        double ti = t[i];
                        double ei = e[i];
                        double h = (w.c0 + w.c1 * ei) / (ti * ei + (1 - ti) * (1 - ei));
                        double a1 = ti * h;
                        double a0 = (1 - ti) * h;
                        double d = w.c0 + w.c1 * ti;
                        double psi1 = a1 * y[i] - (hajek ? a1 : d) * mu1;
                        double psi0 = a0 * y[i] - (hajek ? a0 : d) * mu0;
                        psi = u1 * psi1 + u0 * psi0;
                    }
                    double f = score[i - lo] * (t[i] - e[i]) + psi;
                    s += f * f;
                }
                squares[b] = s;
            }
        });
        double mest = 0;
        for (double s : squares) {
            mest += s;
        }
        return Math.sqrt(mest) / n;
    }

    private static int blocks(int n) {
        return Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
    }
}

package io.counterfact.engine.po;

import io.counterfact.engine.linalg.Cholesky;

/**
 * The IPW point estimate and its two standard errors, given fitted propensities.
 *
 * <p>With unit weights (a1, a0) of the estimand — ATE (T/e, (1−T)/(1−e)), ATT (T, (1−T)e/(1−e)),
 * ATC (T(1−e)/e, 1−T) — and normalisers (b1, b0): the weights themselves for Hajek, and
 * (1, 1), (T, T), (1−T, 1−T) for Horvitz-Thompson, μ̂a solves Σ S(a_a Y − b_a μ_a) = 0 over the
 * kept units S. The known-propensity SE takes the influence function
 * ψ1/mean(b1) − ψ0/mean(b0); the M-estimation SE stacks the logit's score X(T − e) (all units) with
 * ψ1, ψ0 and takes the sandwich A⁻¹BA⁻ᵀ/n along c = (0,…,0,1,−1), as the reference README
 * specifies; ATC follows by symmetry (∂a/∂β = da·X with da as in {@link #compute}).
 */
final class IpwCalculation {

    /** The result. */
    record Estimate(double estimate, double mu1, double mu0, double seKnownPropensity, double seMEstimation) {
    }

    private IpwCalculation() {
    }

    /**
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
        int n = y.length;
        double[] a1 = new double[n];
        double[] a0 = new double[n];
        double[] b1 = new double[n];
        double[] b0 = new double[n];
        // ∂a/∂β = da·x
        double[] da1 = new double[n];
        double[] da0 = new double[n];
        for (int i = 0; i < n; i++) {
            if (keep != null && !keep[i]) {
                continue;
            }
            double ti = t[i];
            double ei = e[i];
            double d1;
            double d0;
            switch (estimand) {
                case "ATT" -> {
                    a1[i] = ti;
                    a0[i] = (1 - ti) * ei / (1 - ei);
                    da0[i] = a0[i];
                    d1 = ti;
                    d0 = ti;
                }
                case "ATC" -> {
                    a1[i] = ti * (1 - ei) / ei;
                    a0[i] = 1 - ti;
                    da1[i] = -a1[i];
                    d1 = 1 - ti;
                    d0 = 1 - ti;
                }
                default -> {
                    a1[i] = ti / ei;
                    a0[i] = (1 - ti) / (1 - ei);
                    da1[i] = -a1[i] * (1 - ei);
                    da0[i] = a0[i] * ei;
                    d1 = 1;
                    d0 = 1;
                }
            }
            b1[i] = hajek ? a1[i] : d1;
            b0[i] = hajek ? a0[i] : d0;
        }
        double sa1y = 0;
        double sa0y = 0;
        double sb1 = 0;
        double sb0 = 0;
        for (int i = 0; i < n; i++) {
            sa1y += a1[i] * y[i];
            sa0y += a0[i] * y[i];
            sb1 += b1[i];
            sb0 += b0[i];
        }
        double mu1 = sa1y / sb1;
        double mu0 = sa0y / sb0;
        double m1 = sb1 / n;
        double m0 = sb0 / n;
        double[] psi1 = new double[n];
        double[] psi0 = new double[n];
        double known = 0;
        for (int i = 0; i < n; i++) {
            psi1[i] = a1[i] * y[i] - b1[i] * mu1;
            psi0[i] = a0[i] * y[i] - b0[i] * mu0;
            double f = psi1[i] / m1 - psi0[i] / m0;
            known += f * f;
        }
        double seKnown = Math.sqrt(known) / n;

        // c'A⁻¹ = u' with u_μ1 = −1/m1, u_μ0 = 1/m0, u_β = −A_ββ⁻¹(A_μ1β' u_μ1 + A_μ0β' u_μ0) = n H⁻¹ g
        double u1 = -1 / m1;
        double u0 = 1 / m0;
        int p = x.length;
        double[] g = new double[p];
        for (int j = 0; j < p; j++) {
            double[] xj = x[j];
            double cj = shift == null ? 0.0 : shift[j];
            double s = 0;
            for (int i = 0; i < n; i++) {
                double r1 = hajek ? y[i] - mu1 : y[i];
                double r0 = hajek ? y[i] - mu0 : y[i];
                s += (u1 * da1[i] * r1 + u0 * da0[i] * r0) * (xj[i] - cj);
            }
            g[j] = s / n;
        }
        double[] ub = information.solve(g);
        for (int j = 0; j < p; j++) {
            ub[j] *= n;
        }
        double mest = 0;
        for (int i = 0; i < n; i++) {
            double score = 0;
            for (int j = 0; j < p; j++) {
                double cj = shift == null ? 0.0 : shift[j];
                score += ub[j] * (x[j][i] - cj);
            }
            double f = score * (t[i] - e[i]) + u1 * psi1[i] + u0 * psi0[i];
            mest += f * f;
        }
        return new Estimate(mu1 - mu0, mu1, mu0, seKnown, Math.sqrt(mest) / n);
    }
}

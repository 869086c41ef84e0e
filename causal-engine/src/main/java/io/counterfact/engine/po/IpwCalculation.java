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
 * no pass allocates per-row arrays. With Hajek weights the point estimates and the known-propensity
 * SEs of all the estimands asked for take one pass over (y, t, e): its sums of squares are taken
 * around a shift near each arm's mean, not around 0, so a large outcome mean does not cancel, and the
 * loss of precision is bounded after the pass (see {@link #known(double[], double[], double[], boolean[],
 * Weighting[], boolean, boolean, double[])}); Horvitz-Thompson weights, or a bound exceeded, add a
 * second pass that sums the influence function's squares around μ̂. The M-estimation SE adds two
 * passes over the propensity model's columns.
 *
 * <p>The one pass's inner loop is an {@link IpwKernel}: on the Vector API when the engine runs its vector
 * kernels ({@link Gram#vectorApi()}), else plain Java; the other passes are plain Java (they run only for
 * Horvitz-Thompson weights, a bound exceeded, or the M-estimation SE).
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
     * Per block of the one pass: units kept, treated kept, then two checks over all units (Σ |T(1 − T)|,
     * 0 iff every T is 0 or 1, and the number of e outside (0, 1)), then {@link #ARM_SUMS} sums per arm
     * (treated, control) for each estimand in {@link Weighting} order (zero for estimands not asked for).
     */
    static final int COUNTS = 4;
    /**
     * Per arm and estimand, with the arm's weights w (a1 or a0) and y' = y − c (c the arm's shift):
     * Σ w, Σ w·y', Σ w², Σ w²·y', Σ w²·y'².
     */
    static final int ARM_SUMS = 5;
    static final int SUMS = COUNTS + 2 * ARM_SUMS * 3;
    /** Rows of y read, evenly spaced, to choose the arms' shifts. */
    static final int SHIFT_SAMPLE = 256;
    /**
     * Largest accepted amplification of rounding errors in a Hajek sum of squares expanded around the
     * arm's shift: (|Σw²y'²| + 2|δ·Σw²y'| + δ²·Σw²) / Σw²(y' − δ)², δ = μ − c. At most 4 bits of 53
     * are lost; beyond it the pass is repeated around μ̂ (see {@link #known(double[], double[], double[],
     * boolean[], Weighting[], boolean, boolean, double[])}).
     */
    static final double MAX_AMPLIFICATION = 16;

    /** The one pass's inner loop on this JVM: see {@link #selectKernel()}. */
    private static final IpwKernel KERNEL = selectKernel();

    private IpwCalculation() {
    }

    /**
     * The Vector API kernel when the engine runs its Vector API kernels ({@link Gram#vectorApi()}: the one
     * switch, so {@code -Dcounterfact.engine.gram-kernel=scalar} and a JVM without the module or without C2
     * get the scalar pass here too), else, or if it cannot start, the scalar one. {@link VectorIpwKernel} is
     * loaded by name, and only then, so that a JVM without {@code jdk.incubator.vector} never resolves it.
     */
    private static IpwKernel selectKernel() {
        IpwKernel vector = Gram.vectorApi() ? vectorKernel() : null;
        return vector != null ? vector : ScalarIpwKernel.INSTANCE;
    }

    /** The vector kernel, or null when this JVM has no {@code jdk.incubator.vector} (tests compare the kernels). */
    static IpwKernel vectorKernel() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            return (IpwKernel) Class.forName("io.counterfact.engine.po.VectorIpwKernel").getDeclaredField("INSTANCE")
                    .get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** The kernel of the one pass in this JVM ("vector-512", "scalar"), for reports. */
    static String kernel() {
        return KERNEL.name();
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
    record Known(double mu1, double mu0, double m1, double m0, double se) {
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
        return known(y, t, e, keep, w, hajek, validate, armShifts(y, t, keep));
    }

    /**
     * As above around the given arm shifts {@code {c0, c1}} (package-private so that tests can force a poor
     * shift and with it the second pass). One parallel pass over (y, t, e) takes, per block and for every
     * estimand asked for, each arm's Σ w, Σ w·y', Σ w², Σ w²·y' and Σ w²·y'² with y' = y − c_arm; the blocks'
     * sums are added in block order, so the result does not depend on the number of threads.
     *
     * <p>Hajek: μ = c + δ with δ = Σ w·y' / Σ w, and since a treated unit has a0 = 0 and a control a1 = 0, the
     * influence function's sum of squares splits by arm: Σ f² = n²·(S1/(Σ a1)² + S0/(Σ a0)²) with
     * S = Σ w²(y' − δ)² = Σ w²y'² − 2δ·Σ w²y' + δ²·Σ w². With c within a few standard deviations of μ (every
     * term then of the order of S) this loses a few bits at most, whatever the outcome's mean; the loss is
     * bounded by the ratio of the terms' magnitudes to S ({@link #MAX_AMPLIFICATION}), and an estimand whose
     * bound is exceeded (a shift far from μ: very skewed weights or outcomes) takes the pass again around
     * its μ̂ (which also refines μ̂), then, if still exceeded, the sum of f² directly around μ̂ in another
     * pass, as every Horvitz-Thompson estimand does (its ψ1 and ψ0 overlap).
     */
    static Known[] known(double[] y, double[] t, double[] e, boolean[] keep, Weighting[] w, boolean hajek,
                         boolean validate, double[] shift) {
        return known(y, t, e, keep, w, hajek, validate, shift, KERNEL);
    }

    /** As above on the given kernel of the one pass (tests compare the kernels). */
    static Known[] known(double[] y, double[] t, double[] e, boolean[] keep, Weighting[] w, boolean hajek,
                         boolean validate, double[] shift, IpwKernel kernel) {
        int n = y.length;
        int blocks = blocks(n);
        boolean[] asked = new boolean[Weighting.values().length];
        for (Weighting v : w) {
            asked[v.ordinal()] = true;
        }
        double[] total = armSums(kernel, y, t, e, keep, asked, shift, validate);
        double units = total[0];
        double treated = total[1];
        if (validate && (treated == 0 || treated == units)) {
            throw new IllegalArgumentException("no " + (treated == 0 ? "treated" : "control") + " units");
        }

        int estimands = Weighting.values().length;
        // μ[arm][estimand], m[arm][estimand] (the normalisers' means; 1 for estimands not asked for)
        double[][] mu = new double[2][estimands];
        double[][] m = {{1, 1, 1}, {1, 1, 1}};
        double[] se = new double[estimands];
        boolean[] direct = new boolean[estimands];
        for (Weighting v : w) {
            int o = v.ordinal();
            if (hajek) {
                direct[o] = !hajekFromSums(total, shift, o, n, mu, m, se);
            } else {
                // Σ d with the Horvitz-Thompson normaliser d = 1, T, 1 − T; Σ a·y = Σ a·y' + c·Σ a
                int at1 = COUNTS + 2 * ARM_SUMS * o;
                int at0 = at1 + ARM_SUMS;
                double sd = v.c0 * units + v.c1 * treated;
                mu[1][o] = (total[at1 + 1] + shift[1] * total[at1]) / sd;
                mu[0][o] = (total[at0 + 1] + shift[0] * total[at0]) / sd;
                m[1][o] = sd / n;
                m[0][o] = sd / n;
                direct[o] = true;
            }
        }
        if (hajek) {
            // a shift far from an arm's mean: the pass again around the first such estimand's μ̂ (within
            // rounding of μ, and of the others' within their spread), which also refines μ̂ itself
            boolean[] again = direct.clone();
            for (int o = 0; o < estimands; o++) {
                if (again[o]) {
                    double[] refined = {mu[0][o], mu[1][o]};
                    double[] retotal = armSums(kernel, y, t, e, keep, again, refined, false);
                    for (int r = o; r < estimands; r++) {
                        if (again[r]) {
                            direct[r] = !hajekFromSums(retotal, refined, r, n, mu, m, se);
                        }
                    }
                    break;
                }
            }
        }
        boolean secondPass = false;
        for (boolean d : direct) {
            secondPass |= d;
        }
        if (secondPass) {
            double[] squares = new double[blocks * 3];
            Parallel.forRanges(blocks, (from, to) -> {
                for (int b = from; b < to; b++) {
                    int lo = b * Gram.BLOCK;
                    sumsOfSquares(hajek, y, t, e, keep, lo, Math.min(n, lo + Gram.BLOCK), mu, m, squares, b * 3);
                }
            });
            for (int o = 0; o < estimands; o++) {
                if (direct[o]) {
                    double ss = 0;
                    for (int b = 0; b < blocks; b++) {
                        ss += squares[b * 3 + o];
                    }
                    se[o] = Math.sqrt(ss) / n;
                }
            }
        }
        Known[] out = new Known[w.length];
        for (int q = 0; q < w.length; q++) {
            int o = w[q].ordinal();
            out[q] = new Known(mu[1][o], mu[0][o], m[1][o], m[0][o], se[o]);
        }
        return out;
    }

    /**
     * The one parallel pass: the {@link #SUMS} of every block, added in block order (so the result does not
     * depend on the number of threads). With {@code validate}, the first block with an invalid unit is reported.
     */
    private static double[] armSums(IpwKernel kernel, double[] y, double[] t, double[] e, boolean[] keep,
                                    boolean[] asked, double[] shift, boolean validate) {
        // the treated arm's shift as the kernel forms it, c0 + (c1 − c0), so that μ1 = c1 + δ1 uses that one
        shift[1] = shift[0] + (shift[1] - shift[0]);
        int n = y.length;
        int blocks = blocks(n);
        double[] partial = new double[blocks * SUMS];
        Parallel.forRanges(blocks, (from, to) -> {
            for (int b = from; b < to; b++) {
                int lo = b * Gram.BLOCK;
                kernel.armSums(y, t, e, keep, shift[0], shift[1], asked, lo, Math.min(n, lo + Gram.BLOCK), partial,
                        b * SUMS);
            }
        });
        double[] total = new double[SUMS];
        for (int b = 0; b < blocks; b++) {
            // the units' checks ride along in the pass: |t(1 − t)| summed, and the count of e outside (0, 1)
            if (validate && (!(partial[b * SUMS + 2] == 0) || partial[b * SUMS + 3] > 0)) {
                throw invalidRow(t, e, b);
            }
            for (int s = 0; s < SUMS; s++) {
                total[s] += partial[b * SUMS + s];
            }
        }
        return total;
    }

    /**
     * Estimand {@code o}'s Hajek μ̂, m and known-propensity SE from the pass's sums around {@code shift};
     * false if the SE's expansion may have lost more than {@link #MAX_AMPLIFICATION} allows (its value is
     * then to be replaced).
     */
    private static boolean hajekFromSums(double[] total, double[] shift, int o, int n, double[][] mu, double[][] m,
                                         double[] se) {
        int at1 = COUNTS + 2 * ARM_SUMS * o;
        int at0 = at1 + ARM_SUMS;
        double w1 = total[at1];
        double w0 = total[at0];
        double delta1 = total[at1 + 1] / w1;
        double delta0 = total[at0 + 1] / w0;
        mu[1][o] = shift[1] + delta1;
        mu[0][o] = shift[0] + delta0;
        m[1][o] = w1 / n;
        m[0][o] = w0 / n;
        double s1 = centredSquares(total, at1, delta1);
        double s0 = centredSquares(total, at0, delta0);
        se[o] = Math.sqrt(s1 / (w1 * w1) + s0 / (w0 * w0));
        return amplification(total, at1, delta1, s1) <= MAX_AMPLIFICATION
                && amplification(total, at0, delta0, s0) <= MAX_AMPLIFICATION;
    }

    /** Σ w²(y' − δ)² from an arm's sums at {@code at}: Σ w²y'² − 2δ·Σ w²y' + δ²·Σ w². */
    private static double centredSquares(double[] sums, int at, double delta) {
        return sums[at + 4] - 2 * delta * sums[at + 3] + delta * delta * sums[at + 2];
    }

    /**
     * The factor by which rounding errors of the terms can grow in {@link #centredSquares}: 1 when every term
     * is 0 (nothing to lose), NaN when the result is not positive but the terms are.
     */
    private static double amplification(double[] sums, int at, double delta, double centred) {
        double magnitude = Math.abs(sums[at + 4]) + 2 * Math.abs(delta * sums[at + 3]) + delta * delta * sums[at + 2];
        if (magnitude == 0) {
            return 1;
        }
        return centred > 0 ? magnitude / centred : Double.NaN;
    }

    /**
     * Each arm's mean of y over {@link #SHIFT_SAMPLE} evenly spaced kept rows, {@code {c0, c1}} (the other
     * arm's, or 0, when the sample has none): a point near the arm's weighted mean, whatever the order of the
     * rows, around which the one pass's sums of squares do not cancel. Its quality only decides whether the
     * second pass is needed; the pass checks it.
     */
    static double[] armShifts(double[] y, double[] t, boolean[] keep) {
        int n = y.length;
        int k = Math.min(n, SHIFT_SAMPLE);
        double[] sum = new double[2];
        double[] count = new double[2];
        for (int s = 0; s < k; s++) {
            int i = (int) ((long) s * n / k);
            if ((keep != null && !keep[i]) || !Double.isFinite(y[i])) {
                continue;
            }
            int arm = t[i] == 1.0 ? 1 : 0;
            sum[arm] += y[i];
            count[arm]++;
        }
        double all = count[0] + count[1] > 0 ? (sum[0] + sum[1]) / (count[0] + count[1]) : 0;
        double[] shift = new double[2];
        for (int arm = 0; arm < 2; arm++) {
            double c = count[arm] > 0 ? sum[arm] / count[arm] : all;
            shift[arm] = Double.isFinite(c) ? c : 0;
        }
        return shift;
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

    /**
     * The second pass, when needed, over rows [lo, hi): Σ (ψ1/m1 − ψ0/m0)² of the ATE, ATT and ATC into {@code out[at..at+3)}
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

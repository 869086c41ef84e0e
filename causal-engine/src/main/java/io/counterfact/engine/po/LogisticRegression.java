package io.counterfact.engine.po;

import io.counterfact.engine.Cancellation;
import io.counterfact.engine.linalg.Centering;
import io.counterfact.engine.linalg.Cholesky;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Matrices;
import io.counterfact.engine.linalg.Ols;
import io.counterfact.engine.linalg.Parallel;
import io.counterfact.engine.linalg.RankDeficientException;

import java.util.Arrays;

/**
 * Maximum-likelihood logistic regression P(t = 1 | x) = expit(x'β) by Newton-Raphson (IRLS),
 * in centred coordinates (see {@link Centering}) with step halving.
 *
 * <p>Stops when the Newton decrement g'H⁻¹g falls below {@link #DECREMENT_TOLERANCE}: the step
 * taken then leaves an error of the order of its square, far below R's glm. Separation shows as
 * a likelihood that keeps rising while coefficients run off: reported as a {@link SeparationException}.
 */
public final class LogisticRegression {

    /** Newton decrement (in squared standard-error units of the coefficients) at which the next step is final. */
    static final double DECREMENT_TOLERANCE = 1e-10;
    /** Largest final step of a coefficient times its column's standard deviation. */
    static final double STANDARDISED_STEP_TOLERANCE = 1e-4;
    /** Iterations before declaring that the maximum does not exist. */
    static final int MAX_ITERATIONS = 60;
    /** |x'β| beyond which a fitted probability is within 1e-13 of 0 or 1: no overlap left. */
    static final double EXTREME_LINEAR_PREDICTOR = 30;
    /** |x'β| beyond which a unit counts as separated in the message (a probability within 1e-10 of 0 or 1). */
    static final double SEPARATED_LINEAR_PREDICTOR = 23;
    /**
     * The warm start's sample: every SUBSAMPLE_STRIDE-th block of {@link Gram#BLOCK} rows (whole blocks:
     * contiguous reads, and spread over all the data whatever its order). Its estimate is within ~√stride
     * standard errors of the full one, from where two or three Newton steps on all the data converge.
     */
    static final int SUBSAMPLE_STRIDE = 8;
    /**
     * Newton decrement (in the sample's log-likelihood) and largest standardised step below which the
     * sample's next step is its last: from there the step lands within ~decrement² of the sample's
     * maximum, while the sample's maximum is itself ~stride·p decrement units from the full data's.
     */
    static final double SUBSAMPLE_DECREMENT_TOLERANCE = 1;
    static final double SUBSAMPLE_STANDARDISED_STEP_TOLERANCE = 0.1;
    /** Newton steps on all the data allowed from the warm start (3 are typical) before starting cold instead. */
    static final int WARM_MAX_ITERATIONS = 20;
    /** Fewest blocks in the sample for the warm start to be worth it (smaller data start cold). */
    static final int MIN_SUBSAMPLE_BLOCKS = 16;
    /** Newton steps allowed on the sample before giving up on the warm start (a separated sample runs off). */
    static final int SUBSAMPLE_MAX_ITERATIONS = 25;
    /**
     * Largest |Δη| = |x̃'δ| over the units in the final step δ for the information matrix of the step's
     * start to stand for the one at the estimate. Each weight e(1−e) changes by a factor within
     * exp(±|Δη|) (|d log w/dη| = |1 − 2e| < 1), so every variance a'Va of the covariance is the one at the
     * estimate within a relative 1e-7 (exp(1e-7) − 1), a tenth of the 1e-6 the references are matched to
     * (and the actual change, an average of the weights' changes, is far smaller than this bound); a
     * larger final step is evaluated fully. At n = 10⁶, p = 21 the final step's max |Δη| is ~2e-8.
     */
    static final double FINAL_STEP_ETA_TOLERANCE = 1e-7;

    private LogisticRegression() {
    }

    /**
     * log(1 + a) for a in (0, 1], as a term of the log-likelihood. Math.log1p is a native call on Java 17 (StrictMath's
     * fdlibm, ~a tenth of a 10,000-row AIPW's time in profiles); Math.log is an intrinsic. For a in (0, 1] the sum
     * 1 + a is rounded by at most 2⁻⁵³ and log's slope there is at most 1, so the term is off by ~1e-16 in absolute
     * terms, as log1p's: the log-likelihood (a sum of n such terms, compared only with its own previous value in
     * step halving, and reported as the deviance) is as exact either way. (log1p's edge, relative accuracy for
     * tiny a, buys nothing in an absolute sum.)
     */
    static double log1pUnit(double a) {
        return Math.log(1 + a);
    }

    /** A fitted model. */
    public static final class Fit {
        private final double[] coefficients;
        private final double[][] covariance;
        private final double[] fitted;
        private final double logLik;
        private final double nullDeviance;
        private final int iterations;
        private final Centering centering;
        private final Cholesky information;
        private final int p;

        Fit(double[] coefficients, double[][] covariance, double[] fitted, double logLik, double nullDeviance,
            int iterations, Centering centering, Cholesky information) {
            this.coefficients = coefficients;
            this.covariance = covariance;
            this.fitted = fitted;
            this.logLik = logLik;
            this.nullDeviance = nullDeviance;
            this.iterations = iterations;
            this.centering = centering;
            this.information = information;
            this.p = coefficients.length;
        }

        public double[] coefficients() {
            return coefficients.clone();
        }

        /** sqrt diag (X' diag(e(1−e)) X)⁻¹. */
        public double[] standardErrors() {
            return Matrices.sqrtDiagonal(covariance);
        }

        /** Fitted probabilities e = expit(Xβ̂) (shared: do not modify). */
        public double[] fitted() {
            return fitted;
        }

        public double logLik() {
            return logLik;
        }

        /** −2·logLik. */
        public double deviance() {
            return -2 * logLik;
        }

        public double nullDeviance() {
            return nullDeviance;
        }

        /** deviance + 2p. */
        public double aic() {
            return deviance() + 2 * p;
        }

        /** Newton steps on all the data (after the warm start's steps on a sample, if it was used). */
        public int iterations() {
            return iterations;
        }

        /** The centring the model was fitted in: the information matrix below is in its coordinates. */
        public Centering centering() {
            return centering;
        }

        /** Cholesky factor of X̃' diag(e(1−e)) X̃ in centred coordinates, at the estimate. */
        public Cholesky information() {
            return information;
        }
    }

    /**
     * Fits t on the columns of x (include a column of ones for the intercept).
     *
     * <p>Each evaluation of the fit at a β is one blocked pass over x (see {@link State#at}) that
     * yields the likelihood, the gradient and the information matrix together, so a Newton step
     * costs one pass. On large data Newton first runs on a systematic sample of the row blocks
     * ({@link #SUBSAMPLE_STRIDE}), whose estimate is within sampling error of the full one, so that a few
     * steps on all the data reach the estimate from there (quadratic convergence); if the sample's fit
     * fails (separation or collinearity in the sample, which the full data need not have), or the steps
     * from its estimate do, the full fit starts cold, as on small data, and only its errors are reported.
     * The step that the convergence criterion declares final is checked by a light pass (η, probabilities,
     * likelihood; no Gram) instead of a full evaluation: see {@link #FINAL_STEP_ETA_TOLERANCE}.
     *
     * @throws SeparationException  if the maximum likelihood estimate does not exist
     * @throws RankDeficientException if the columns are collinear
     */
    public static Fit fit(double[][] x, double[] t) {
        return fit(x, t, true);
    }

    /** As {@link #fit(double[][], double[])}; without {@code warmStart} always from the cold start (for tests). */
    static Fit fit(double[][] x, double[] t, boolean warmStart) {
        int p = x.length;
        int n = t.length;
        // a shift near the means conditions the information matrix as well as the exact means, which cost a pass
        Centering centering = Centering.sampled(x, Ols.interceptIndex(x));
        double mean = 0;
        for (double v : t) {
            mean += v;
        }
        mean /= n;
        double[] start = new double[p];
        if (centering.intercept() >= 0) {
            start[centering.intercept()] = Math.log(mean / (1 - mean));
        }
        double nullDeviance = -2 * n * (mean * Math.log(mean) + (1 - mean) * Math.log(1 - mean));
        int blocks = Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
        Newton sample = null;
        if (warmStart && blocks >= SUBSAMPLE_STRIDE * MIN_SUBSAMPLE_BLOCKS) {
            try {
                sample = newton(x, centering, start, t, SUBSAMPLE_STRIDE, null, SUBSAMPLE_MAX_ITERATIONS);
            } catch (SeparationException | RankDeficientException ex) {
                // the sample may be separated or collinear where the full data are not: start cold
            }
        }
        if (sample != null) {
            try {
                return finish(newton(x, centering, sample.estimate, t, 1, sample.sd, WARM_MAX_ITERATIONS), centering,
                        nullDeviance);
            } catch (SeparationException | RankDeficientException ex) {
                // a sample that nearly separates can leave its estimate far out along that direction, where the
                // steps on all the data may stall or find a degenerate information matrix: only the cold start's
                // verdict is reported, so a warm start never turns valid data into an error
            }
        }
        return finish(newton(x, centering, start, t, 1, null, MAX_ITERATIONS), centering, nullDeviance);
    }

    /**
     * Where Newton stopped: the last full evaluation, the estimate (its β, or one step beyond it), and on
     * all the data the estimate's light evaluation when it was not evaluated fully.
     */
    private static final class Newton {
        final State state;
        final double[] estimate;
        final Light last;
        final double[] sd;
        final int iterations;

        Newton(State state, double[] estimate, Light last, double[] sd, int iterations) {
            this.state = state;
            this.estimate = estimate;
            this.last = last;
            this.sd = sd;
            this.iterations = iterations;
        }
    }

    /**
     * Newton-Raphson with step halving from {@code beta0} on every {@code stride}-th row block. Stops when
     * the Newton decrement g'H⁻¹g of a step is below {@link #DECREMENT_TOLERANCE} and its largest
     * standardised change below {@link #STANDARDISED_STEP_TOLERANCE}: that step is taken and is the last.
     * On a sample (stride > 1) it stops as soon as the decrement is below {@link
     * #SUBSAMPLE_DECREMENT_TOLERANCE}, the sample's maximum being needed only to within its sampling error.
     * {@code sd}: the columns' spreads (null: from the first evaluation, which must then be at the
     * intercept-only start).
     */
    private static Newton newton(double[][] x, Centering centering, double[] beta0, double[] t, int stride,
                                 double[] sd, int maxIterations) {
        int p = x.length;
        double[] shift = centering.shift();
        State state = State.at(x, shift, beta0, t, stride);
        double[] spreads = sd != null ? sd : spreads(x, centering, state);
        int iterations = 0;
        while (true) {
            if (iterations >= maxIterations) {
                throw separation(spreads, state);
            }
            Cancellation.checkpoint(); // each iteration is a pass over every row
            iterations++;
            Cholesky h;
            try {
                h = Cholesky.of(state.information);
            } catch (RankDeficientException ex) {
                if (state.maxAbsEta > EXTREME_LINEAR_PREDICTOR) {
                    // weights of units fitted at 0 or 1 vanish: the information matrix degenerates
                    throw separation(spreads, state);
                }
                throw ex;
            }
            double[] grad = state.gradient;
            double[] delta = h.solve(grad);
            double decrement = 0;
            double fullStdStep = 0;
            for (int j = 0; j < p; j++) {
                decrement += grad[j] * delta[j];
                fullStdStep = Math.max(fullStdStep, Math.abs(delta[j]) * spreads[j]);
            }
            if (stride > 1 && decrement < SUBSAMPLE_DECREMENT_TOLERANCE
                    && fullStdStep < SUBSAMPLE_STANDARDISED_STEP_TOLERANCE) {
                // the sample's estimate: this step brings it within rounding of the sample's maximum, far
                // closer than the sampling error that the steps on all the data remove; no need to evaluate it
                double[] b = new double[p];
                for (int j = 0; j < p; j++) {
                    b[j] = state.beta[j] + delta[j];
                }
                return new Newton(state, b, null, spreads, iterations);
            }
            boolean last = decrement < DECREMENT_TOLERANCE && fullStdStep < STANDARDISED_STEP_TOLERANCE;
            if (last && stride == 1) {
                // the final step: a light pass gives the likelihood and probabilities at the estimate and
                // bounds the change of every weight, so that the information just factored serves there
                double[] b = new double[p];
                for (int j = 0; j < p; j++) {
                    b[j] = state.beta[j] + delta[j];
                }
                Light light = Light.at(x, shift, b, delta, t);
                if (light.maxAbsEtaChange <= FINAL_STEP_ETA_TOLERANCE
                        && light.logLik >= state.logLik - 1e-12 * Math.abs(state.logLik)) {
                    return new Newton(state, light.beta, light, spreads, iterations);
                }
            }
            State candidate = null;
            double step = 1.0;
            for (int halving = 0; halving < 30; halving++) {
                double[] b = new double[p];
                for (int j = 0; j < p; j++) {
                    b[j] = state.beta[j] + step * delta[j];
                }
                candidate = State.at(x, shift, b, t, stride);
                // near the optimum rounding can make the likelihood wobble by an ulp: accept it
                if (candidate.logLik >= state.logLik - 1e-12 * Math.abs(state.logLik)) {
                    break;
                }
                step /= 2;
            }
            state = candidate;
            // under separation the decrement also vanishes (the likelihood flattens towards its
            // supremum) but the steps do not: a coefficient keeps moving by O(1) per iteration
            double stdStep = 0;
            for (int j = 0; j < p; j++) {
                stdStep = Math.max(stdStep, Math.abs(step * delta[j]) * spreads[j]);
            }
            if (decrement < DECREMENT_TOLERANCE && stdStep < STANDARDISED_STEP_TOLERANCE) {
                return new Newton(state, state.beta, null, spreads, iterations);
            }
        }
    }

    /** The fit where Newton stopped on all the data, or the separation found there. */
    private static Fit finish(Newton newton, Centering centering, double nullDeviance) {
        State state = newton.state;
        Light last = newton.last;
        double maxAbsEta = last != null ? last.maxAbsEta : state.maxAbsEta;
        if (maxAbsEta > EXTREME_LINEAR_PREDICTOR) {
            throw last != null ? separation(newton.sd, last.beta, last.extremeUnits) : separation(newton.sd, state);
        }
        // the information of the last full evaluation: at the estimate, or (after a light final step) at a
        // point whose weights differ from the estimate's by a factor within exp(±FINAL_STEP_ETA_TOLERANCE)
        Cholesky info = Cholesky.of(state.information);
        double[][] covariance = centering.toOriginal(info.inverse());
        double[] beta = newton.estimate;
        double[] e = last != null ? last.e : state.e;
        double logLik = last != null ? last.logLik : state.logLik;
        return new Fit(centering.toOriginal(beta), covariance, e, logLik, nullDeviance, newton.iterations, centering,
                info);
    }

    /**
     * The fit at one β: probabilities e, log-likelihood, gradient X̃'(t − e), information matrix
     * X̃' diag(e(1−e)) X̃, and the largest |x'β| with the number of units beyond {@link #SEPARATED_LINEAR_PREDICTOR}
     * (for the separation checks).
     */
    private static final class State {
        final double[] beta;
        final double[] e;
        final double logLik;
        final double[] gradient;
        final double[][] information;
        final double maxAbsEta;
        final int extremeUnits;
        /** Rows evaluated (all, or those of the sample). */
        final int rows;

        private State(double[] beta, double[] e, double logLik, double[] gradient, double[][] information,
                      double maxAbsEta, int extremeUnits, int rows) {
            this.beta = beta;
            this.e = e;
            this.logLik = logLik;
            this.gradient = gradient;
            this.information = information;
            this.maxAbsEta = maxAbsEta;
            this.extremeUnits = extremeUnits;
            this.rows = rows;
        }

        /**
         * One parallel pass over fixed row blocks. Each block's centred rows are copied once into
         * scratch, where they serve η, the gradient and (scaled by √w) the information matrix while
         * in cache; the blocks' partial sums are added in block order, so the result does not depend
         * on the number of threads. With {@code stride} > 1 only every stride-th block is evaluated (the
         * warm start's sample) and the probabilities are not kept.
         */
        static State at(double[][] x, double[] shift, double[] beta, double[] t, int stride) {
            int p = x.length;
            int n = t.length;
            double[] c = shift == null ? new double[p] : shift;
            double[] e = stride == 1 ? new double[n] : null;
            int blocks = (Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK) + stride - 1) / stride;
            // per block: log-likelihood, max |η|, extreme units, then the gradient, then the Gram's upper triangle
            int width = 3 + p + p * p;
            double[] partial = new double[blocks * width];
            Parallel.forRanges(blocks, (from, to) -> {
                BlockScratch scratch = BlockScratch.of(Math.min(n, Gram.BLOCK));
                double[][] rows = scratch.columns(0, p);
                double[] eta = scratch.first();
                double[] rootW = scratch.second();
                for (int b = from; b < to; b++) {
                    int lo = b * stride * Gram.BLOCK;
                    int m = Math.min(n, lo + Gram.BLOCK) - lo;
                    int at = b * width;
                    for (int j = 0; j < p; j++) {
                        double[] src = x[j];
                        double[] dst = rows[j];
                        double cj = c[j];
                        double bj = beta[j];
                        if (j == 0) {
                            for (int i = 0; i < m; i++) {
                                double v = src[lo + i] - cj;
                                dst[i] = v;
                                eta[i] = bj * v;
                            }
                            continue;
                        }
                        for (int i = 0; i < m; i++) {
                            double v = src[lo + i] - cj;
                            dst[i] = v;
                            eta[i] += bj * v;
                        }
                    }
                    double ll = 0;
                    double maxAbs = 0;
                    int extreme = 0;
                    for (int i = 0; i < m; i++) {
                        double h = eta[i];
                        // one exponential serves both the probability and log(1 + e^η)
                        double a = Math.exp(-Math.abs(h));
                        double prob = h >= 0 ? 1 / (1 + a) : a / (1 + a);
                        if (e != null) {
                            e[lo + i] = prob;
                        }
                        rootW[i] = Math.sqrt(prob * (1 - prob));
                        // the residual t − e, kept in eta's place for the gradient
                        eta[i] = t[lo + i] - prob;
                        ll += t[lo + i] * h - (Math.max(h, 0) + log1pUnit(a));
                        maxAbs = Math.max(maxAbs, Math.abs(h));
                        if (Math.abs(h) > SEPARATED_LINEAR_PREDICTOR) {
                            extreme++;
                        }
                    }
                    partial[at] = ll;
                    partial[at + 1] = maxAbs;
                    partial[at + 2] = extreme;
                    BlockGram.crossProduct(rows, eta, m, partial, at + 3);
                    // from here on the rows hold √w·x̃: Σ (√w x̃_j)(√w x̃_k) = Σ w x̃_j x̃_k
                    for (double[] xj : rows) {
                        for (int i = 0; i < m; i++) {
                            xj[i] *= rootW[i];
                        }
                    }
                    BlockGram.upperTriangle(rows, m, partial, at + 3 + p);
                }
            });
            double logLik = 0;
            double maxAbsEta = 0;
            int extremeUnits = 0;
            double[] sum = new double[p + p * p];
            for (int b = 0; b < blocks; b++) {
                int at = b * width;
                logLik += partial[at];
                maxAbsEta = Math.max(maxAbsEta, partial[at + 1]);
                extremeUnits += (int) partial[at + 2];
                for (int k = 0; k < sum.length; k++) {
                    sum[k] += partial[at + 3 + k];
                }
            }
            double[] gradient = Arrays.copyOf(sum, p);
            double[][] information = new double[p][p];
            for (int j = 0; j < p; j++) {
                for (int k = j; k < p; k++) {
                    information[j][k] = sum[p + j * p + k];
                    information[k][j] = sum[p + j * p + k];
                }
            }
            int rows = 0;
            for (int b = 0; b < blocks; b++) {
                rows += Math.min(n, (b * stride + 1) * Gram.BLOCK) - b * stride * Gram.BLOCK;
            }
            return new State(beta, e, logLik, gradient, information, maxAbsEta, extremeUnits, rows);
        }
    }

    /**
     * The fit at the final β, without the Gram: probabilities, log-likelihood, the separation checks'
     * figures, and the largest |x̃'δ| over the units for the final step δ. One parallel pass over fixed
     * row blocks, the blocks' partials combined in block order.
     */
    private static final class Light {
        final double[] beta;
        final double[] e;
        final double logLik;
        final double maxAbsEta;
        final int extremeUnits;
        final double maxAbsEtaChange;

        private Light(double[] beta, double[] e, double logLik, double maxAbsEta, int extremeUnits,
                      double maxAbsEtaChange) {
            this.beta = beta;
            this.e = e;
            this.logLik = logLik;
            this.maxAbsEta = maxAbsEta;
            this.extremeUnits = extremeUnits;
            this.maxAbsEtaChange = maxAbsEtaChange;
        }

        static Light at(double[][] x, double[] shift, double[] beta, double[] delta, double[] t) {
            int p = x.length;
            int n = t.length;
            double[] c = shift == null ? new double[p] : shift;
            double[] e = new double[n];
            int blocks = Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
            // per block: log-likelihood, max |η|, extreme units, max |Δη|
            double[] partial = new double[blocks * 4];
            Parallel.forRanges(blocks, (from, to) -> {
                BlockScratch scratch = BlockScratch.of(Math.min(n, Gram.BLOCK));
                double[] eta = scratch.first();
                double[] change = scratch.second();
                for (int b = from; b < to; b++) {
                    int lo = b * Gram.BLOCK;
                    int m = Math.min(n, lo + Gram.BLOCK) - lo;
                    Arrays.fill(eta, 0, m, 0.0);
                    Arrays.fill(change, 0, m, 0.0);
                    for (int j = 0; j < p; j++) {
                        double[] src = x[j];
                        double cj = c[j];
                        double bj = beta[j];
                        double dj = delta[j];
                        for (int i = 0; i < m; i++) {
                            double v = src[lo + i] - cj;
                            eta[i] += bj * v;
                            change[i] += dj * v;
                        }
                    }
                    double ll = 0;
                    double maxAbs = 0;
                    double maxChange = 0;
                    int extreme = 0;
                    for (int i = 0; i < m; i++) {
                        double h = eta[i];
                        double a = Math.exp(-Math.abs(h));
                        e[lo + i] = h >= 0 ? 1 / (1 + a) : a / (1 + a);
                        ll += t[lo + i] * h - (Math.max(h, 0) + log1pUnit(a));
                        maxAbs = Math.max(maxAbs, Math.abs(h));
                        maxChange = Math.max(maxChange, Math.abs(change[i]));
                        if (Math.abs(h) > SEPARATED_LINEAR_PREDICTOR) {
                            extreme++;
                        }
                    }
                    partial[b * 4] = ll;
                    partial[b * 4 + 1] = maxAbs;
                    partial[b * 4 + 2] = extreme;
                    partial[b * 4 + 3] = maxChange;
                }
            });
            double logLik = 0;
            double maxAbsEta = 0;
            int extremeUnits = 0;
            double maxChange = 0;
            for (int b = 0; b < blocks; b++) {
                logLik += partial[b * 4];
                maxAbsEta = Math.max(maxAbsEta, partial[b * 4 + 1]);
                extremeUnits += (int) partial[b * 4 + 2];
                maxChange = Math.max(maxChange, partial[b * 4 + 3]);
            }
            return new Light(beta, e, logLik, maxAbsEta, extremeUnits, maxChange);
        }
    }

    private static SeparationException separation(double[] sd, State state) {
        return separation(sd, state.beta, state.extremeUnits);
    }

    private static SeparationException separation(double[] sd, double[] beta, int extremeUnits) {
        int worst = -1;
        double worstSize = -1;
        for (int j = 0; j < beta.length; j++) {
            if (sd[j] == 0) {
                // the intercept: its coefficient is not a covariate's effect
                continue;
            }
            double size = Math.abs(beta[j]) * sd[j];
            if (size > worstSize) {
                worstSize = size;
                worst = j;
            }
        }
        return new SeparationException(worst, extremeUnits);
    }

    /**
     * Standard deviation of each column around its mean (0 for the intercept), the scale of the
     * convergence and separation checks. With an intercept they come free from the start: every unit
     * has the same weight w there (only the intercept is non-zero), so the information matrix's diagonal
     * is w·Σ(x − mean)² in the centred coordinates (over the rows evaluated: on the warm start's sample,
     * the sample's spreads, as good a scale).
     */
    private static double[] spreads(double[][] x, Centering centering, State start) {
        int k = centering.intercept();
        double[] sd = new double[x.length];
        if (k >= 0) {
            double e0 = expit(start.beta[k]);
            double w = e0 * (1 - e0);
            for (int j = 0; j < x.length; j++) {
                sd[j] = j == k ? 0.0 : Math.sqrt(start.information[j][j] / (w * start.rows));
            }
            return sd;
        }
        for (int j = 0; j < x.length; j++) {
            double m = 0;
            for (double v : x[j]) {
                m += v;
            }
            m /= x[j].length;
            double s = 0;
            for (double v : x[j]) {
                s += (v - m) * (v - m);
            }
            sd[j] = Math.sqrt(s / x[j].length);
        }
        return sd;
    }

    static double expit(double eta) {
        return eta >= 0 ? 1.0 / (1.0 + Math.exp(-eta)) : Math.exp(eta) / (1.0 + Math.exp(eta));
    }
}

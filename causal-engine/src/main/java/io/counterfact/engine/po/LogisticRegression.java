package io.counterfact.engine.po;

import io.counterfact.engine.linalg.Centering;
import io.counterfact.engine.linalg.Cholesky;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Matrices;
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

    private LogisticRegression() {
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
     * costs one pass, and the information at the estimate, which gives the covariance, comes with
     * the last step's evaluation.
     *
     * @throws SeparationException  if the maximum likelihood estimate does not exist
     * @throws RankDeficientException if the columns are collinear
     */
    public static Fit fit(double[][] x, double[] t) {
        int p = x.length;
        int n = t.length;
        Centering centering = Centering.of(x);
        double[] shift = centering.shift();
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
        State state = State.at(x, shift, start, t);
        double[] sd = spreads(x, centering, state);
        int iterations = 0;
        boolean converged = false;
        while (!converged) {
            if (iterations >= MAX_ITERATIONS) {
                throw separation(sd, state);
            }
            iterations++;
            Cholesky h;
            try {
                h = Cholesky.of(state.information);
            } catch (RankDeficientException ex) {
                if (state.maxAbsEta > EXTREME_LINEAR_PREDICTOR) {
                    // weights of units fitted at 0 or 1 vanish: the information matrix degenerates
                    throw separation(sd, state);
                }
                throw ex;
            }
            double[] grad = state.gradient;
            double[] delta = h.solve(grad);
            double decrement = 0;
            for (int j = 0; j < p; j++) {
                decrement += grad[j] * delta[j];
            }
            State candidate = null;
            double step = 1.0;
            for (int halving = 0; halving < 30; halving++) {
                double[] b = new double[p];
                for (int j = 0; j < p; j++) {
                    b[j] = state.beta[j] + step * delta[j];
                }
                candidate = State.at(x, shift, b, t);
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
                stdStep = Math.max(stdStep, Math.abs(step * delta[j]) * sd[j]);
            }
            converged = decrement < DECREMENT_TOLERANCE && stdStep < STANDARDISED_STEP_TOLERANCE;
        }
        if (state.maxAbsEta > EXTREME_LINEAR_PREDICTOR) {
            throw separation(sd, state);
        }
        // the last evaluation's information matrix is the one at the estimate
        Cholesky info = Cholesky.of(state.information);
        double[][] covariance = centering.toOriginal(info.inverse());
        return new Fit(centering.toOriginal(state.beta), covariance, state.e, state.logLik, nullDeviance, iterations,
                centering, info);
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

        private State(double[] beta, double[] e, double logLik, double[] gradient, double[][] information,
                      double maxAbsEta, int extremeUnits) {
            this.beta = beta;
            this.e = e;
            this.logLik = logLik;
            this.gradient = gradient;
            this.information = information;
            this.maxAbsEta = maxAbsEta;
            this.extremeUnits = extremeUnits;
        }

        /**
         * One parallel pass over fixed row blocks. Each block's centred rows are copied once into
         * scratch, where they serve η, the gradient and (scaled by √w) the information matrix while
         * in cache; the blocks' partial sums are added in block order, so the result does not depend
         * on the number of threads.
         */
        static State at(double[][] x, double[] shift, double[] beta, double[] t) {
            int p = x.length;
            int n = t.length;
            double[] c = shift == null ? new double[p] : shift;
            double[] e = new double[n];
            int blocks = Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
            // per block: log-likelihood, max |η|, extreme units, then the gradient, then the Gram's upper triangle
            int width = 3 + p + p * p;
            double[] partial = new double[blocks * width];
            Parallel.forRanges(blocks, (from, to) -> {
                int len = Math.min(n, Gram.BLOCK);
                double[][] rows = new double[p][len];
                double[] eta = new double[len];
                double[] rootW = new double[len];
                for (int b = from; b < to; b++) {
                    int lo = b * Gram.BLOCK;
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
                        e[lo + i] = prob;
                        rootW[i] = Math.sqrt(prob * (1 - prob));
                        // the residual t − e, kept in eta's place for the gradient
                        eta[i] = t[lo + i] - prob;
                        ll += t[lo + i] * h - (Math.max(h, 0) + Math.log1p(a));
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
            return new State(beta, e, logLik, gradient, information, maxAbsEta, extremeUnits);
        }
    }

    private static SeparationException separation(double[] sd, State state) {
        double[] beta = state.beta;
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
        return new SeparationException(worst, state.extremeUnits);
    }

    /**
     * Standard deviation of each column around its mean (0 for the intercept). With an intercept
     * they come free from the start: every unit has the same weight w there (only the intercept is
     * non-zero), so the information matrix's diagonal is w·Σ(x − mean)² in the centred coordinates.
     */
    private static double[] spreads(double[][] x, Centering centering, State start) {
        int k = centering.intercept();
        double[] sd = new double[x.length];
        if (k >= 0) {
            double w = start.e[0] * (1 - start.e[0]);
            int n = start.e.length;
            for (int j = 0; j < x.length; j++) {
                sd[j] = j == k ? 0.0 : Math.sqrt(start.information[j][j] / (w * n));
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

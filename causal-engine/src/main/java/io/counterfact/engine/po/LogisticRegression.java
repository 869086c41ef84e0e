package io.counterfact.engine.po;

import io.counterfact.engine.linalg.Centering;
import io.counterfact.engine.linalg.Cholesky;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Matrices;
import io.counterfact.engine.linalg.Parallel;
import io.counterfact.engine.linalg.RankDeficientException;

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
        double[] sd = spreads(x);
        State state = State.at(x, shift, start, t);
        int iterations = 0;
        boolean converged = false;
        while (!converged) {
            if (iterations >= MAX_ITERATIONS) {
                throw separation(sd, state.beta, state.eta);
            }
            iterations++;
            Cholesky h;
            try {
                h = Cholesky.of(Gram.of(x, state.w, shift));
            } catch (RankDeficientException ex) {
                if (maxAbs(state.eta) > EXTREME_LINEAR_PREDICTOR) {
                    // weights of units fitted at 0 or 1 vanish: the information matrix degenerates
                    throw separation(sd, state.beta, state.eta);
                }
                throw ex;
            }
            double[] grad = Gram.crossProduct(x, null, shift, state.r);
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
        if (maxAbs(state.eta) > EXTREME_LINEAR_PREDICTOR) {
            throw separation(sd, state.beta, state.eta);
        }
        Cholesky info = Cholesky.of(Gram.of(x, state.w, shift));
        double[][] covariance = centering.toOriginal(info.inverse());
        return new Fit(centering.toOriginal(state.beta), covariance, state.e, state.logLik, nullDeviance, iterations,
                centering, info);
    }

    /** The fit at one β: linear predictor, probabilities, IRLS weights, residuals t − e, log-likelihood. */
    private static final class State {
        final double[] beta;
        final double[] eta;
        final double[] e;
        final double[] w;
        final double[] r;
        final double logLik;

        private State(double[] beta, double[] eta, double[] e, double[] w, double[] r, double logLik) {
            this.beta = beta;
            this.eta = eta;
            this.e = e;
            this.w = w;
            this.r = r;
            this.logLik = logLik;
        }

        /** One parallel pass over row blocks; block partial likelihoods are added in order. */
        static State at(double[][] x, double[] shift, double[] beta, double[] t) {
            double[] eta = Gram.combine(x, shift, beta);
            int n = t.length;
            double[] e = new double[n];
            double[] w = new double[n];
            double[] r = new double[n];
            int blocks = Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
            double[] partial = new double[blocks];
            Parallel.forRanges(blocks, (from, to) -> {
                for (int b = from; b < to; b++) {
                    int lo = b * Gram.BLOCK;
                    int hi = Math.min(n, lo + Gram.BLOCK);
                    double ll = 0;
                    for (int i = lo; i < hi; i++) {
                        double h = eta[i];
                        // one exponential serves both the probability and log(1 + e^η)
                        double a = Math.exp(-Math.abs(h));
                        double p = h >= 0 ? 1 / (1 + a) : a / (1 + a);
                        e[i] = p;
                        w[i] = p * (1 - p);
                        r[i] = t[i] - p;
                        ll += t[i] * h - (Math.max(h, 0) + Math.log1p(a));
                    }
                    partial[b] = ll;
                }
            });
            double logLik = 0;
            for (double v : partial) {
                logLik += v;
            }
            return new State(beta, eta, e, w, r, logLik);
        }
    }

    private static SeparationException separation(double[] sd, double[] beta, double[] eta) {
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
        int extreme = 0;
        for (double v : eta) {
            if (Math.abs(v) > 23) {
                extreme++;
            }
        }
        return new SeparationException(worst, extreme);
    }

    /** Standard deviation of each column around its mean (0 for the intercept). */
    private static double[] spreads(double[][] x) {
        double[] sd = new double[x.length];
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

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) {
            m = Math.max(m, Math.abs(d));
        }
        return m;
    }
}

package io.counterfact.engine.cost;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an estimation command will cost before it runs: its wall time and the peak heap it needs, from what it will
 * do (rows, design columns after one-hot coding, method, cross-fitting folds, bootstrap, jackknife and refutation
 * replicates, the engine's threads). An honest order of magnitude (within a factor of about 2 to 3 of a measured
 * run on an otherwise idle machine), not a promise: it is what {@code POST /api/estimations} answers as
 * {@code estimatedSeconds} and what the service's limits are checked against.
 *
 * <h2>The model</h2>
 * One fit of a method on {@code n} rows and {@code p} design columns takes
 * {@code fixed + perCell·n·p + perGramCell·(n·p² + p³)} seconds: reading and writing the design (n·p), its
 * cross-products (n·p², the Gram; the logistic fit's IRLS repeats it each iteration, which its coefficient absorbs)
 * and the solve (p³). The whole command is one point fit, then the bootstrap's replicates (and BCa's jackknife)
 * and the refuters' re-estimations, each a whole fit, shared by the engine's threads; cross-fitting refits every
 * nuisance model once per fold.
 *
 * <p>The peak heap of a fit is its column-major design ({@code 8·n·p} bytes), a handful of row vectors (outcome,
 * treatment, residuals, weights, propensity, leverage: {@code 8·n·}{@value #ROW_VECTORS}) and a few p×p matrices
 * (Gram with the outcome, its copy, factor and inverse, the sandwich's meat and the covariance:
 * {@code 8·p²·}{@value #GRAM_MATRICES}); one-hot columns count twice (built, then laid out for the fit), while numeric
 * columns share the data's arrays (counted once: an overestimate when no row is dropped). Replicates run on the
 * engine's threads, each with a resampled copy of the used columns and a fit's worth of its own.
 *
 * <h2>Calibration</h2>
 * The coefficients below were fitted to runs of the engine on synthetic data (normal covariates, a categorical one
 * for the one-hot sizes, a logistic treatment), one engine thread, by {@code scripts/calibrate-cost.sh} (the
 * {@code CostCalibration} main of the {@code bench} profile: the median CPU time of 3 runs after a warm-up, least
 * squares on the relative error), 2026-12-07, on the 2-core machine shared with other builds (load average 10 to 20,
 * which is why CPU time and not wall time was measured: wall time was 1 to 10x the CPU time). The figures are in
 * {@code causal-engine/BENCHMARKS.md#cost-model-calibration}.
 */
public final class CommandCost {

    /** Row vectors of doubles a fit holds beside its design. */
    static final int ROW_VECTORS = 8;
    /** p×p matrices of doubles a fit holds. */
    static final int GRAM_MATRICES = 6;

    /**
     * One method's time coefficients: {@code fixed} seconds, seconds per design cell ({@code n·p}) and per Gram cell
     * ({@code n·p² + p³}).
     */
    public record Coefficients(double fixed, double perCell, double perGramCell) {
        double seconds(double n, double p) {
            return fixed + perCell * n * p + perGramCell * (n * p * p + p * p * p);
        }
    }

    /**
     * Fitted by scripts/calibrate-cost.sh (see the class comment) to the CPU seconds of one engine thread, i.e. the
     * wall time on an otherwise idle machine; the fixed terms of difference-in-means and matching rounded from the fit.
     */
    static final Map<String, Coefficients> CALIBRATED = Map.of(
            "difference-in-means", new Coefficients(1.0e-4, 2.9e-8, 0),
            "regression", new Coefficients(3.2e-4, 3.3e-9, 9.2e-11),
            "ipw", new Coefficients(1.0e-2, 1.3e-8, 2.5e-10),
            "aipw", new Coefficients(2.4e-3, 1.7e-8, 3.2e-10),
            "matching", new Coefficients(1.1e-2, 5.0e-9, 3.4e-10),
            "wald", new Coefficients(3.0e-4, 4.8e-8, 0),
            "2sls", new Coefficients(1.7e-3, 2.5e-9, 1.6e-10));

    /** A method the table does not know (a new one) is costed as the dearest known method, never as free. */
    static final Coefficients UNKNOWN = new Coefficients(1.1e-2, 4.8e-8, 3.4e-10);

    /**
     * A categorical column entering the design one-hot, for the messages that name it.
     *
     * @param field   the request field it comes from, e.g. {@code covariates[2]}
     * @param column  the dataset column
     * @param levels  its distinct levels in the version
     */
    public record Categorical(String field, String column, int levels) {
        /** Design columns it adds: one per level but the reference. */
        public int designColumns() {
            return Math.max(0, levels - 1);
        }
    }

    /**
     * What a command will do.
     *
     * @param method             the API's method name
     * @param rows               rows of the version (an upper bound of the complete rows it will use)
     * @param designColumns      the model's regressor columns after one-hot coding: intercept, treatment,
     *                           covariates (and, for 2sls and wald, the excluded instruments)
     * @param usedColumns        dataset columns the command reads (what a bootstrap resamples)
     * @param crossFitFolds      0 for none
     * @param bootstrapReplicates 0 for none
     * @param jackknifeFits      BCa's jackknife fits (0 for percentile)
     * @param refuteReplicates   the refuters' re-estimations
     * @param threads            the engine's worker threads
     * @param categoricals       the categorical columns in the design, for messages
     */
    public record Workload(String method, long rows, int designColumns, int usedColumns, int crossFitFolds,
                           int bootstrapReplicates, int jackknifeFits, int refuteReplicates, int threads,
                           List<Categorical> categoricals) {
        public Workload {
            Objects.requireNonNull(method, "method");
            categoricals = List.copyOf(categoricals);
            if (rows < 0 || designColumns < 1 || threads < 1) {
                throw new IllegalArgumentException("rows >= 0, designColumns >= 1 and threads >= 1");
            }
        }

        public Workload withBootstrapReplicates(int replicates) {
            return new Workload(method, rows, designColumns, usedColumns, crossFitFolds, replicates, jackknifeFits,
                    refuteReplicates, threads, categoricals);
        }

        public Workload withRefuteReplicates(int replicates) {
            return new Workload(method, rows, designColumns, usedColumns, crossFitFolds, bootstrapReplicates,
                    jackknifeFits, replicates, threads, categoricals);
        }
    }

    /**
     * The estimate.
     *
     * @param seconds     the command's wall time
     * @param peakBytes   the heap it needs at its peak (beyond the cached data of the version)
     * @param designBytes one design matrix (8·n·p)
     * @param fitSeconds  one fit
     */
    public record Cost(double seconds, long peakBytes, long designBytes, double fitSeconds) {
    }

    private CommandCost() {
    }

    /** Bytes of a column-major design of {@code rows} × {@code columns} doubles. */
    public static long designBytes(long rows, long columns) {
        return 8L * rows * columns;
    }

    public static Cost estimate(Workload w) {
        double n = w.rows();
        double p = effectiveColumns(w);
        Coefficients c = CALIBRATED.getOrDefault(w.method(), UNKNOWN);
        double fit = c.seconds(n, p);
        double point = fit;
        if (w.crossFitFolds() > 0) {
            // each fold fits every nuisance model on the other folds ((K-1)/K of the rows) and scores its own
            point = fit * w.crossFitFolds() * (w.crossFitFolds() - 1.0) / w.crossFitFolds() + fit * 0.25;
        }
        double resample = 2e-9 * n * Math.max(1, w.usedColumns()); // drawing a replicate's rows and copying them
        long replicates = (long) w.bootstrapReplicates() + w.jackknifeFits() + w.refuteReplicates();
        double seconds = point + replicates * (point + resample) / w.threads();

        long design = designBytes(w.rows(), (long) Math.ceil(p));
        long oneHot = "difference-in-means".equals(w.method()) ? 0
                : w.categoricals().stream().mapToLong(Categorical::designColumns).sum();
        // one-hot columns are built, then laid out for the fit: counted twice (numeric columns share the data's arrays)
        long fitBytes = fitBytes(w.rows(), (long) Math.ceil(p)) + designBytes(w.rows(), oneHot);
        if (w.crossFitFolds() > 0) {
            fitBytes += fitBytes / 2; // the folds' training copies and out-of-fold predictions
        }
        long peak = fitBytes;
        if (replicates > 0) {
            long columns = 8L * w.rows() * Math.max(1, w.usedColumns()) + 4L * w.rows(); // values + row indices
            int parallel = (int) Math.min(w.threads(), replicates);
            peak += columns + parallel * (columns + fitBytes); // the complete rows once, each thread's sample and fit
        }
        return new Cost(seconds, peak, design, fit);
    }

    /** Bytes of one fit on {@code rows} × {@code columns}: design, row vectors, p×p matrices. */
    static long fitBytes(long rows, long columns) {
        return designBytes(rows, columns) + 8L * rows * ROW_VECTORS + 8L * columns * columns * GRAM_MATRICES;
    }

    /** The p a method's fits work on: difference in means ignores covariates. */
    static double effectiveColumns(Workload w) {
        return "difference-in-means".equals(w.method()) ? 1 : w.designColumns();
    }
}

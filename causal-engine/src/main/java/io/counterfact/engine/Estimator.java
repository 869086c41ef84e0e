package io.counterfact.engine;

import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;

import java.util.List;
import java.util.Map;

/**
 * One estimation method, registered in {@link CausalEngine} under {@link #method()}. This is the
 * seam through which further methods (e.g. {@code wald}, {@code 2sls}, {@code cate}) join the engine.
 *
 * <p>The engine does the checks every method shares before calling an estimator: the method and
 * estimand are known, every option is known and valid, the treatment, outcome, covariates,
 * instruments and endogenous columns exist, none is named twice, and neither the treatment nor the
 * outcome is categorical. It also runs the {@code bootstrap} and {@code refute} options around
 * {@link #estimate} (re-running it on altered data) and adds {@code diagnostics.eValue}.
 */
public interface Estimator {

    /** The API's method name, e.g. {@code "ipw"}. */
    String method();

    /** Estimands accepted; the first is the default. */
    List<String> estimands();

    /** Method-specific options; {@code confidenceLevel}, {@code bootstrap} and {@code refute} are common to all and need not be listed. */
    List<OptionSpec> options();

    /**
     * Method-specific checks that need no data (e.g. a binary treatment, instruments given).
     *
     * @throws InvalidSpecException naming the field at fault
     */
    default void validate(Map<String, ColumnType> schema, EstimationSpec spec, Options options) {
    }

    /**
     * Whether a request's {@code dag} may supply this method's covariates. True where the covariates
     * are a backdoor adjustment set; false for the IV methods, whose covariates are exogenous
     * controls of the instruments, which a backdoor set is not (the engine then refuses a {@code dag}).
     */
    default boolean acceptsDag() {
        return true;
    }

    /**
     * Whether the treatment must be binary (0/1): true for the methods that compare two arms or model a
     * propensity. The engine then refuses, at validation against the dataset's declared column types, a treatment
     * column not declared {@code binary}, so that a numeric one is a 400 at submission rather than a failed run.
     */
    default boolean needsBinaryTreatment() {
        return false;
    }

    /**
     * Estimates on {@code data}. {@code spec.estimand()} is resolved (never null) and {@code options}
     * are parsed with defaults filled in.
     *
     * @throws InvalidSpecException when the data make the estimate undefined (named field and column)
     */
    EstimationResult estimate(DataFrame data, EstimationSpec spec, Options options, ProgressListener progress);

    /**
     * The point estimate alone, as {@code estimate(data, spec, options, NONE).estimate()} would give it: what the
     * bootstrap's and the jackknife's refits need. An estimator may skip here what only a full result shows (its
     * diagnostics, standard error and interval); a refit of a 40-replicate bootstrap runs this 40 times.
     *
     * @throws InvalidSpecException as {@link #estimate} would on the same data
     */
    default double pointEstimate(DataFrame data, EstimationSpec spec, Options options) {
        return estimate(data, spec, options, ProgressListener.NONE).estimate();
    }
}

package io.counterfact.engine;

import io.counterfact.engine.bootstrap.BootstrapRunner;
import io.counterfact.engine.cost.CommandCost;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.dag.DagAdjustmentSetSelector;
import io.counterfact.engine.dag.DagAnalyzer;
import io.counterfact.engine.dag.DagParser;
import io.counterfact.engine.iv.TwoStageLeastSquaresMethod;
import io.counterfact.engine.iv.WaldMethod;
import io.counterfact.engine.linalg.RankDeficientException;
import io.counterfact.engine.robustness.EValues;
import io.counterfact.engine.robustness.Refutations;
import io.counterfact.engine.po.AugmentedIpw;
import io.counterfact.engine.po.DifferenceInMeans;
import io.counterfact.engine.po.InverseProbabilityWeighting;
import io.counterfact.engine.po.PropensityScoreMatching;
import io.counterfact.engine.po.RegressionAdjustment;
import io.counterfact.engine.po.SeparationException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The causal engine's entry point: validates estimation requests and runs them.
 *
 * <p>Methods are looked up in a registry of {@link Estimator}s built by {@link Builder}; a method
 * of the API that is not registered (e.g. {@code cate} before its estimator is added) is
 * refused by name, never approximated. A {@code dag} in a request needs an
 * {@link AdjustmentSetSelector}; without one it is refused the same way.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CausalEngine {

    /** Every method the public API names, registered or not. */
    public static final List<String> API_METHODS = List.of("difference-in-means", "regression", "ipw", "aipw",
            "matching", "wald", "2sls", "cate");

    private final Map<String, Estimator> registry;
    private final AdjustmentSetSelector adjustmentSets;

    private CausalEngine(Map<String, Estimator> registry, AdjustmentSetSelector adjustmentSets) {
        this.registry = Map.copyOf(registry);
        this.adjustmentSets = adjustmentSets;
    }

    /**
     * The engine the service runs: the potential-outcomes methods, {@code wald} and {@code 2sls},
     * and covariates chosen from a request's {@code dag} by {@link DagAdjustmentSetSelector} (the
     * smallest minimal backdoor set among the dataset's columns; a DAG that admits none is refused
     * at validation, on field {@code dag}).
     */
    public static CausalEngine standard() {
        return builder().withPotentialOutcomes().withInstrumentalVariables()
                .adjustmentSets(new DagAdjustmentSetSelector()).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds an engine from its estimators and, optionally, a DAG adjustment-set selector. */
    public static final class Builder {
        private final Map<String, Estimator> registry = new LinkedHashMap<>();
        private AdjustmentSetSelector adjustmentSets;

        private Builder() {
        }

        /** Adds difference-in-means, regression, ipw, aipw and matching. */
        public Builder withPotentialOutcomes() {
            register(new DifferenceInMeans());
            register(new RegressionAdjustment());
            register(new InverseProbabilityWeighting());
            register(new AugmentedIpw());
            return register(new PropensityScoreMatching());
        }

        /** Adds wald and 2sls. */
        public Builder withInstrumentalVariables() {
            register(new WaldMethod());
            return register(new TwoStageLeastSquaresMethod());
        }

        /** Adds an estimator under its method name. @throws IllegalArgumentException if the name is taken */
        public Builder register(Estimator estimator) {
            if (registry.putIfAbsent(estimator.method(), estimator) != null) {
                throw new IllegalArgumentException("method '" + estimator.method() + "' registered twice");
            }
            return this;
        }

        /** Lets requests name a {@code dag} instead of covariates. */
        public Builder adjustmentSets(AdjustmentSetSelector selector) {
            this.adjustmentSets = Objects.requireNonNull(selector);
            return this;
        }

        public CausalEngine build() {
            return new CausalEngine(registry, adjustmentSets);
        }
    }

    /** Registered method names. */
    public Set<String> methods() {
        return registry.keySet();
    }

    /**
     * Checks everything that needs no data: the method is known, the estimand fits it, every option
     * is known with a valid value, the named columns exist with types the method accepts, the DAG
     * (if any) yields an adjustment set.
     *
     * @param schema the dataset's column name → type
     * @throws InvalidSpecException naming the field at fault
     */
    public void validate(Map<String, ColumnType> schema, EstimationSpec spec) {
        Resolved r = resolve(schema, spec);
        requireDeclaredBinaryTreatment(schema, r.estimator(), r.spec());
    }

    /**
     * What a valid request will do, for its {@link CommandCost cost}: the design's columns after one-hot coding
     * (covariates chosen from a {@code dag} included), the replicates and folds its options ask for. Validates the
     * request first, as {@link #validate}.
     *
     * @param schema   the dataset's column name → type
     * @param levels   each categorical column's number of distinct levels in the version (a column missing here is
     *                 taken as two levels: one design column)
     * @param rows     the version's rows
     * @param threads  the threads replicates share (the engine's pool: {@link io.counterfact.engine.linalg.Parallel})
     * @throws InvalidSpecException naming the field at fault
     */
    public CommandCost.Workload workload(Map<String, ColumnType> schema, Map<String, Integer> levels, long rows,
                                         EstimationSpec spec, int threads) {
        Resolved r = resolve(schema, spec);
        requireDeclaredBinaryTreatment(schema, r.estimator(), r.spec());
        EstimationSpec s = r.spec();
        List<CommandCost.Categorical> categoricals = new ArrayList<>();
        int columns = 2; // the intercept and the treatment
        columns += terms(schema, levels, "covariates", s.covariates(), categoricals);
        columns += terms(schema, levels, "endogenous", s.endogenous(), categoricals);
        columns += terms(schema, levels, "instruments", s.instruments(), categoricals);
        int used = 2 + s.covariates().size() + s.endogenous().size() + s.instruments().size();
        Options o = r.options();
        int folds = o.has("crossFitFolds") ? o.integer("crossFitFolds") : 0;
        int replicates = o.bootstrap().replicates();
        int jackknife = replicates > 0 && "bca".equals(o.bootstrap().type())
                ? (int) Math.min(rows, BootstrapRunner.JACKKNIFE_GROUPS) : 0;
        return new CommandCost.Workload(r.estimator().method(), rows, columns, used, folds, replicates, jackknife,
                o.refute().totalReplicates(), threads, categoricals);
    }

    private static int terms(Map<String, ColumnType> schema, Map<String, Integer> levels, String field,
                             List<String> names, List<CommandCost.Categorical> categoricals) {
        int columns = 0;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (schema.get(name) == ColumnType.CATEGORICAL) {
                CommandCost.Categorical c = new CommandCost.Categorical(field + "[" + i + "]", name,
                        Math.max(1, levels.getOrDefault(name, 2)));
                categoricals.add(c);
                columns += c.designColumns();
            } else {
                columns++;
            }
        }
        return columns;
    }

    /**
     * At submission the dataset's declared types are all there is: a method that needs a 0/1 treatment refuses one
     * not declared binary. {@link #estimate} does not repeat this on data (there a numeric column holding only 0 and
     * 1 passes, its values checked row by row), so the engine's callers with data in hand keep that leniency, while a
     * request that names a numeric treatment is refused before it is queued instead of failing when it runs.
     */
    private static void requireDeclaredBinaryTreatment(Map<String, ColumnType> schema, Estimator estimator,
                                                       EstimationSpec spec) {
        ColumnType type = schema.get(spec.treatment());
        if (estimator.needsBinaryTreatment() && type != ColumnType.BINARY) {
            throw new InvalidSpecException("treatment", "Treatment '" + spec.treatment() + "' is a " + type.apiName()
                    + " column; method '" + estimator.method() + "' needs a binary (0/1) treatment. Name a binary "
                    + "column, or use regression, wald or 2sls, which accept a numeric treatment");
        }
    }

    /**
     * Runs an estimation on {@code data} (validating it first, as {@link #validate}), then what the
     * options ask for around it: the {@code bootstrap} ({@code diagnostics.bootstrap}) and the
     * {@code refute} checks ({@code diagnostics.refutations}, see {@link Refutations}). Where it
     * applies (a binary treatment, not an IV method) the result also carries
     * {@code diagnostics.eValue}, see {@link EValues}. Replicates run on the engine's pool and are
     * the same whatever its size.
     *
     * @throws InvalidSpecException when the request or the data make the estimate undefined
     */
    public EstimationResult estimate(DataFrame data, EstimationSpec spec, ProgressListener progress) {
        return estimate(data, spec, progress, Cancellation.NONE);
    }

    /**
     * As {@link #estimate(DataFrame, EstimationSpec, ProgressListener)}, checking {@code cancellation} at the
     * engine's checkpoints (see {@link Cancellation}): before and after the point estimate, at every bootstrap and
     * refutation replicate, cross-fitting fold, Newton iteration and range of pool work.
     *
     * @throws CancelledException as soon as a checkpoint finds {@code cancellation} says stop
     * @throws InvalidSpecException when the request or the data make the estimate undefined
     */
    public EstimationResult estimate(DataFrame data, EstimationSpec spec, ProgressListener progress,
                                     Cancellation cancellation) {
        Cancellation c = cancellation == null ? Cancellation.NONE : cancellation;
        return Cancellation.runWith(c, () -> {
            c.check();
            return estimateChecked(data, spec, progress);
        });
    }

    private EstimationResult estimateChecked(DataFrame data, EstimationSpec spec, ProgressListener progress) {
        ProgressListener listener = progress == null ? ProgressListener.NONE : monotone(progress);
        Resolved r = resolve(data.schema(), spec);
        listener.onProgress(0.0, "validated");
        boolean bootstrap = r.options.bootstrap().enabled();
        Options.Refute refute = r.options.refute();
        // the point estimate takes the first part of the progress bar when replicates follow; the
        // rest is shared in proportion to the re-estimations each part runs
        double bootstrapFits = bootstrap ? r.options.bootstrap().replicates() : 0;
        double refuteFits = refute.totalReplicates();
        double share = bootstrapFits + refuteFits > 0 ? 0.2 : 1.0;
        double bootstrapEnd = share + (1 - share) * bootstrapFits / Math.max(1, bootstrapFits + refuteFits);
        EstimationResult result;
        try {
            result = r.estimator.estimate(data, r.spec, r.options, (f, stage) -> listener.onProgress(f * share, stage));
        } catch (RankDeficientException | SeparationException e) {
            throw forAnalyst(e, r.spec);
        }
        if (r.fromDag) {
            result = result.withDiagnostic("adjustmentSet", Map.of("source", "dag", "covariates", r.spec.covariates()));
        }
        Cancellation.checkpoint();
        if (bootstrap) {
            BootstrapRunner.Outcome b = BootstrapRunner.run(r.estimator, data, r.spec, r.options, result,
                    (f, stage) -> listener.onProgress(share + f * (bootstrapEnd - share), stage));
            result = result.withDiagnostic(CommonOptions.BOOTSTRAP, b.diagnostics()).withWarnings(b.warnings());
        }
        Cancellation.checkpoint();
        if (refute.enabled()) {
            Refutations.Outcome o = Refutations.run(r.estimator, data, r.spec, r.options, result,
                    (f, stage) -> listener.onProgress(bootstrapEnd + f * (1 - bootstrapEnd), stage));
            result = result.withDiagnostic("refutations", o.refutations()).withWarnings(o.warnings());
        }
        Optional<Map<String, Object>> eValue = EValues.forResult(data, r.spec, result);
        if (eValue.isPresent()) {
            result = result.withDiagnostic("eValue", eValue.get());
        }
        listener.onProgress(1.0, "done");
        return result;
    }

    /**
     * The answer of {@code POST /api/dags/analyze}: node and edge counts, backdoor adjustment sets
     * (minimal and all), front-door sets, instruments and testable implications, as JSON-ready maps
     * and lists in the API's key order. Needs no data and no registered selector.
     *
     * @param dag       dagitty text, the JSON form as text, or the JSON form parsed into a Map
     * @param treatment the exposure node; null or blank falls back to dagitty's {@code [exposure]} mark
     * @param outcome   the outcome node; null or blank falls back to dagitty's {@code [outcome]} mark
     * @throws InvalidSpecException (a {@link io.counterfact.engine.dag.DagException}) naming the
     *                              syntax error's position, the cycle's edge or the unknown node,
     *                              on field {@code dag}, {@code treatment} or {@code outcome}
     */
    public Map<String, Object> analyzeDag(Object dag, String treatment, String outcome) {
        return analyzeDag(dag, treatment, outcome, DagAnalyzer.DEFAULT_BUDGET);
    }

    /**
     * As {@link #analyzeDag(Object, String, String)} within a time budget (null or zero: none):
     * listings still running when it is spent stop, flagged {@code "truncatedBy": "time"}; the
     * answer always holds a minimal adjustment set when one exists.
     */
    public Map<String, Object> analyzeDag(Object dag, String treatment, String outcome, java.time.Duration budget) {
        return DagAnalyzer.analyze(DagParser.parse(dag), treatment, outcome, budget).toMap();
    }

    private record Resolved(Estimator estimator, EstimationSpec spec, Options options, boolean fromDag) {
    }

    private Resolved resolve(Map<String, ColumnType> schema, EstimationSpec spec) {
        Objects.requireNonNull(spec, "spec");
        Estimator estimator = estimator(spec.method());
        String estimand = estimand(estimator, spec.estimand());
        Options options = parseOptions(estimator, spec.options());
        requireColumn(schema, "treatment", spec.treatment());
        requireColumn(schema, "outcome", spec.outcome());
        if (spec.treatment().equals(spec.outcome())) {
            throw new InvalidSpecException("outcome", "Column '" + spec.outcome() + "' is both the treatment and the outcome");
        }
        if (schema.get(spec.treatment()) == ColumnType.CATEGORICAL) {
            throw new InvalidSpecException("treatment", "Treatment '" + spec.treatment()
                    + "' is categorical; the treatment must be a binary or numeric column");
        }
        if (schema.get(spec.outcome()) == ColumnType.CATEGORICAL) {
            throw new InvalidSpecException("outcome", "Outcome '" + spec.outcome()
                    + "' is categorical; the outcome must be a numeric or binary column");
        }
        Map<String, String> seen = new HashMap<>();
        seen.put(spec.treatment(), "treatment");
        seen.put(spec.outcome(), "outcome");
        checkList(schema, "covariates", spec.covariates(), spec, seen);
        checkList(schema, "instruments", spec.instruments(), spec, seen);
        checkList(schema, "endogenous", spec.endogenous(), spec, seen);
        EstimationSpec resolved = spec.withEstimand(estimand);
        boolean fromDag = false;
        if (spec.dag() != null && !spec.dag().isBlank()) {
            if (!estimator.acceptsDag()) {
                throw new InvalidSpecException("dag", "Method '" + estimator.method() + "' does not take a dag: its "
                        + "covariates are exogenous controls of the instruments, not a backdoor adjustment set; "
                        + "name them in covariates");
            }
            if (adjustmentSets == null) {
                throw new InvalidSpecException("dag", "Choosing covariates from a DAG is not available in this build; "
                        + "name the covariates instead");
            }
            if (!spec.covariates().isEmpty()) {
                throw new InvalidSpecException("dag", "Give covariates or a dag, not both");
            }
            List<String> chosen = adjustmentSets.select(spec.dag(), spec.treatment(), spec.outcome(), schema.keySet());
            for (String c : chosen) {
                if (!schema.containsKey(c)) {
                    throw new InvalidSpecException("dag", "The adjustment set chosen from the DAG needs column '" + c
                            + "', which the dataset does not have");
                }
            }
            resolved = resolved.withCovariates(chosen);
            fromDag = true;
        }
        estimator.validate(schema, resolved, options);
        if (options.refute().randomCommonCauseReplicates() > 0) {
            requireCovariateRoom(schema, resolved, estimator, options);
        }
        return new Resolved(estimator, resolved, options, fromDag);
    }

    /** The random-common-cause refuter adds a covariate: refuse it now for a method that takes none. */
    private static void requireCovariateRoom(Map<String, ColumnType> schema, EstimationSpec spec, Estimator estimator,
                                             Options options) {
        String name = Refutations.randomColumnName(schema.keySet());
        Map<String, ColumnType> withCause = new LinkedHashMap<>(schema);
        withCause.put(name, ColumnType.NUMERIC);
        List<String> covariates = new ArrayList<>(spec.covariates());
        covariates.add(name);
        try {
            estimator.validate(withCause, spec.withCovariates(covariates), options);
        } catch (InvalidSpecException e) {
            throw new InvalidSpecException("options." + CommonOptions.REFUTE + ".randomCommonCause",
                    "The random common cause refuter adds a covariate, which method '" + estimator.method()
                            + "' does not take (" + e.getMessage() + "); use placebo or subsets", e);
        }
    }

    private Estimator estimator(String method) {
        if (method == null || method.isBlank()) {
            throw new InvalidSpecException("method", "No method given; one of " + String.join(", ", registeredInOrder()));
        }
        Estimator e = registry.get(method.trim());
        if (e == null) {
            if (API_METHODS.contains(method.trim())) {
                throw new InvalidSpecException("method", "Method '" + method + "' is not available in this build; "
                        + "available: " + String.join(", ", registeredInOrder()));
            }
            throw new InvalidSpecException("method", "Unknown method '" + method + "'; one of "
                    + String.join(", ", registeredInOrder()));
        }
        return e;
    }

    private List<String> registeredInOrder() {
        List<String> names = new ArrayList<>();
        for (String m : API_METHODS) {
            if (registry.containsKey(m)) {
                names.add(m);
            }
        }
        registry.keySet().stream().filter(m -> !API_METHODS.contains(m)).sorted().forEach(names::add);
        return names;
    }

    private static String estimand(Estimator estimator, String requested) {
        List<String> allowed = estimator.estimands();
        if (requested == null || requested.isBlank()) {
            return allowed.get(0);
        }
        String e = requested.trim().toUpperCase(Locale.ROOT);
        if (!allowed.contains(e)) {
            throw new InvalidSpecException("estimand", "Estimand '" + requested + "' is not available for method '"
                    + estimator.method() + "'; it estimates " + String.join(" or ", allowed));
        }
        return e;
    }

    private static Options parseOptions(Estimator estimator, Map<String, Object> raw) {
        Map<String, OptionSpec> known = new LinkedHashMap<>();
        for (OptionSpec o : CommonOptions.all()) {
            known.put(o.name(), o);
        }
        for (OptionSpec o : estimator.options()) {
            known.put(o.name(), o);
        }
        for (String key : raw.keySet()) {
            if (!known.containsKey(key)) {
                throw new InvalidSpecException("options." + key, "Unknown option '" + key + "' for method '"
                        + estimator.method() + "'; known: " + String.join(", ", known.keySet()));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (OptionSpec o : known.values()) {
            Object v = raw.get(o.name());
            values.put(o.name(), v == null ? o.defaultValue() : o.parser().parse(v, "options." + o.name()));
        }
        return new Options(values);
    }

    private static void requireColumn(Map<String, ColumnType> schema, String field, String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidSpecException(field, "No " + field + " column given");
        }
        if (!schema.containsKey(name)) {
            throw new InvalidSpecException(field, "Column '" + name + "' (" + field + ") does not exist in the dataset");
        }
    }

    private static void checkList(Map<String, ColumnType> schema, String field, List<String> names,
                                  EstimationSpec spec, Map<String, String> seen) {
        for (int i = 0; i < names.size(); i++) {
            String f = field + "[" + i + "]";
            String name = names.get(i);
            requireColumn(schema, f, name);
            if (name.equals(spec.treatment())) {
                throw new InvalidSpecException(f, "Column '" + name + "' is the treatment; it cannot also be in " + field);
            }
            if (name.equals(spec.outcome())) {
                throw new InvalidSpecException(f, "Column '" + name + "' is the outcome; it cannot also be in " + field);
            }
            String earlier = seen.putIfAbsent(name, f);
            if (earlier != null) {
                // an instrument that is also a control is no excluded instrument: say which two roles clash
                throw new InvalidSpecException(f, "Column '" + name + "' is named twice, as " + earlier + " and as " + f
                        + "; each column takes one role");
            }
        }
    }

    /**
     * The estimators name the columns of a collinear or separated fit themselves (through
     * {@link io.counterfact.engine.data.DesignMatrix#collinearity}); a numerical failure that still escapes one of
     * them only knows a matrix index, which means nothing to an analyst. It becomes a request error that names the
     * columns the model was built from and says what to do, never the index or the exception.
     */
    static InvalidSpecException forAnalyst(ArithmeticException e, EstimationSpec spec) {
        List<String> columns = new ArrayList<>();
        columns.add("treatment '" + spec.treatment() + "'");
        for (String c : spec.covariates()) {
            columns.add("'" + c + "'");
        }
        for (String c : spec.instruments()) {
            columns.add("instrument '" + c + "'");
        }
        for (String c : spec.endogenous()) {
            columns.add("endogenous '" + c + "'");
        }
        String among = String.join(", ", columns);
        if (e instanceof SeparationException) {
            return new InvalidSpecException(spec.covariates().isEmpty() ? "treatment" : "covariates",
                    "No overlap: treatment '" + spec.treatment() + "' is (almost) perfectly predicted by the covariates ("
                            + among + "), so the propensity score is 0 or 1 for some units and the logistic fit has no "
                            + "maximum; drop or coarsen the covariate that separates the treated from the controls", e);
        }
        return new InvalidSpecException(spec.covariates().isEmpty() ? "treatment" : "covariates",
                "The model's columns (" + among + ") are collinear in the rows used: one of them is an exact linear "
                        + "combination of others and the intercept, so their effects cannot be separated; drop the "
                        + "redundant column (a covariate that is a sum or multiple of others, or constant)", e);
    }

    /** Never lets the reported fraction go backwards, whatever the stages report. */
    private static ProgressListener monotone(ProgressListener target) {
        double[] last = {0};
        return (f, stage) -> {
            synchronized (last) {
                double v = Math.max(last[0], Math.min(1.0, f));
                last[0] = v;
                target.onProgress(v, stage);
            }
        };
    }
}

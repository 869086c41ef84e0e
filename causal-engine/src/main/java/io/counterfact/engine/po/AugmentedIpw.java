package io.counterfact.engine.po;

import io.counterfact.engine.Cancellation;
import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.Estimator;
import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.OptionSpec;
import io.counterfact.engine.Options;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.data.DesignMatrix.Term;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Ols;
import io.counterfact.engine.linalg.OlsFit;
import io.counterfact.engine.linalg.Parallel;
import io.counterfact.engine.linalg.RankDeficientException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Augmented IPW (doubly robust): a logistic propensity and linear outcome models, arm-wise (one OLS
 * per arm on [1, covariates]) or pooled (one OLS with the treatment), combined in the efficient
 * influence function; the SE is sd(ψ)/√n with the 1/n variance. Optional K-fold cross-fitting:
 * the nuisance models of each fold are fitted on the other folds; folds are stratified by arm and
 * drawn from {@code seed}, so the result does not depend on the number of threads.
 *
 * <p>With {@code trim}, units whose full-sample propensity lies outside [ε, 1 − ε] are dropped and
 * the outcome models (and, when cross-fitting, every nuisance model) are fitted on the rest.
 */
public final class AugmentedIpw implements Estimator {

    public static final String METHOD = "aipw";
    static final String OUTCOME_MODEL = "outcomeModel";
    static final String CROSS_FIT_FOLDS = "crossFitFolds";
    static final String SEED = "seed";

    /** Most folds accepted: each fold refits every nuisance model. */
    static final int MAX_FOLDS = 100;

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public List<String> estimands() {
        return List.of("ATE", "ATT", "ATC");
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(PoOptions.trim(),
                OptionSpec.choice(OUTCOME_MODEL, "arm-wise", "pooled"),
                OptionSpec.integer(CROSS_FIT_FOLDS, 0, k -> k == 0 || (k >= 2 && k <= MAX_FOLDS),
                        "0 (no cross-fitting) or an integer K from 2 to " + MAX_FOLDS),
                OptionSpec.integer(SEED, 1, s -> true, "an integer (seeds the cross-fitting folds)"));
    }

    /** Nuisance predictions for the analysis rows. */
    private record Nuisance(double[] e, double[] m1, double[] m0) {
    }

    @Override
    public boolean needsBinaryTreatment() {
        return true;
    }

    @Override
    public void validate(Map<String, ColumnType> schema, EstimationSpec spec, Options options) {
        PoValidation.noIvFields(spec);
    }

    @Override
    public EstimationResult estimate(DataFrame data, EstimationSpec spec, Options options, ProgressListener progress) {
        PropensityStep step = PropensityStep.fit(data, spec, options, progress, 0.2, METHOD);
        Effect effect = effect(step, spec, options, progress);
        Propensity ps = step.ps();
        int folds = options.integer(CROSS_FIT_FOLDS);
        Results r = new Results();
        if ("ATE".equals(spec.estimand())) {
            r.diagnostics.put("mu1", effect.mu1());
            r.diagnostics.put("mu0", effect.mu0());
        }
        r.diagnostics.put("propensity", Overlap.diagnostics(ps.scores(), step.dm().treatment(), step.keep(),
                spec.estimand(), r.warnings));
        r.diagnostics.put("propensityModel", ps.modelDiagnostics());
        r.diagnostics.put(OUTCOME_MODEL, options.string(OUTCOME_MODEL));
        r.diagnostics.put(CROSS_FIT_FOLDS, folds);
        if (folds > 0) {
            r.diagnostics.put(SEED, options.longValue(SEED));
        }
        progress.onProgress(1.0, "estimate");
        return r.normal(spec, options, step.dm(), effect.units(), effect.estimate(), effect.se());
    }

    /** The bootstrap's refit: the effect without the overlap and propensity-model diagnostics. */
    @Override
    public double pointEstimate(DataFrame data, EstimationSpec spec, Options options) {
        PropensityStep step = PropensityStep.fit(data, spec, options, ProgressListener.NONE, 0.2, METHOD);
        return effect(step, spec, options, ProgressListener.NONE).estimate();
    }

    /** The nuisance models (propensity given, outcome models fitted here) and the effect from them. */
    private Effect effect(PropensityStep step, EstimationSpec spec, Options options, ProgressListener progress) {
        DesignMatrix dm = step.dm();
        Propensity ps = step.ps();
        double[] eAll = ps.scores();
        double[] tAll = dm.treatment();
        double[] yAll = dm.outcome();
        boolean[] keep = step.keep();
        // the propensity model's regressors are [1, covariates]: the outcome models' too
        double[][] xAll = ps.x;
        List<Term> terms = dm.terms(true, false);
        boolean pooled = "pooled".equals(options.string(OUTCOME_MODEL));
        int folds = options.integer(CROSS_FIT_FOLDS);
        String treatment = spec.treatment();

        if (folds == 0 && !pooled) {
            // the arm models select their rows themselves: no copy of the data, trimmed or not
            ArmModels arms = ArmModels.fit(xAll, tAll, yAll, keep, ps.fit.centering().shift(), terms, "");
            double[][] m = arms.predict(xAll);
            progress.onProgress(0.8, "outcome models");
            return Effect.of(spec.estimand(), yAll, tAll, eAll, m[0], m[1], keep);
        }
        int[] idx = keep == null ? null : Overlap.indices(keep);
        double[][] x = idx == null ? xAll : Overlap.take(xAll, idx);
        double[] y = idx == null ? yAll : Overlap.take(yAll, idx);
        double[] t = idx == null ? tAll : Overlap.take(tAll, idx);
        Nuisance nu;
        if (folds == 0) {
            double[][] m = outcomePredictions(x, t, y, x, true, terms, treatment, "");
            nu = new Nuisance(idx == null ? eAll : Overlap.take(eAll, idx), m[0], m[1]);
        } else {
            nu = crossFit(x, t, y, terms, treatment, pooled, folds, options.longValue(SEED));
        }
        progress.onProgress(0.8, folds == 0 ? "outcome models" : "cross-fitting");
        return Effect.of(spec.estimand(), y, t, nu.e, nu.m1, nu.m0, null);
    }

    /** An AIPW estimate: the effect, its SE (sd(ψ)/√n with the 1/n variance), the arms' means (ATE) and the units used. */
    public record Effect(double estimate, double se, double mu1, double mu0, int units) {

        /**
         * From the nuisance predictions at each unit, over the units with {@code keep} (null: all):
         * two blocked parallel passes, the sums of the estimate, then the influence function's sum
         * of squares around it (exact, where expanding raw moments would cancel).
         */
        static Effect of(String estimand, double[] y, double[] t, double[] e, double[] m1, double[] m0,
                         boolean[] keep) {
            int n = y.length;
            int blocks = Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
            int kind = switch (estimand) {
                case "ATT" -> 1;
                case "ATC" -> 2;
                default -> 0;
            };
            // per block: units, Σ a1, Σ a0 (ATE) or Σ v and the arm's count (ATT, ATC)
            double[] partial = new double[blocks * 4];
            Parallel.forRanges(blocks, (from, to) -> {
                for (int b = from; b < to; b++) {
                    int lo = b * Gram.BLOCK;
                    int hi = Math.min(n, lo + Gram.BLOCK);
                    double units = 0;
                    double s1 = 0;
                    double s0 = 0;
                    double arm = 0;
                    for (int i = lo; i < hi; i++) {
                        if (keep != null && !keep[i]) {
                            continue;
                        }
                        units++;
                        double ti = t[i];
                        switch (kind) {
                            case 1 -> {
                                double res = y[i] - m0[i];
                                s1 += ti * res - (1 - ti) * (e[i] / (1 - e[i])) * res;
                                arm += ti;
                            }
                            case 2 -> {
                                double res = y[i] - m1[i];
                                s1 += -(1 - ti) * res + ti * ((1 - e[i]) / e[i]) * res;
                                arm += 1 - ti;
                            }
                            default -> {
                                s1 += m1[i] + ti * (y[i] - m1[i]) / e[i];
                                s0 += m0[i] + (1 - ti) * (y[i] - m0[i]) / (1 - e[i]);
                            }
                        }
                    }
                    partial[b * 4] = units;
                    partial[b * 4 + 1] = s1;
                    partial[b * 4 + 2] = s0;
                    partial[b * 4 + 3] = arm;
                }
            });
            double units = 0;
            double s1 = 0;
            double s0 = 0;
            double armUnits = 0;
            for (int b = 0; b < blocks; b++) {
                units += partial[b * 4];
                s1 += partial[b * 4 + 1];
                s0 += partial[b * 4 + 2];
                armUnits += partial[b * 4 + 3];
            }
            double mu1 = s1 / units;
            double mu0 = s0 / units;
            double estimate = kind == 0 ? mu1 - mu0 : s1 / armUnits;
            double share = armUnits / units;
            double[] squares = new double[blocks];
            Parallel.forRanges(blocks, (from, to) -> {
                for (int b = from; b < to; b++) {
                    int lo = b * Gram.BLOCK;
                    int hi = Math.min(n, lo + Gram.BLOCK);
                    double ss = 0;
                    for (int i = lo; i < hi; i++) {
                        if (keep != null && !keep[i]) {
                            continue;
                        }
                        double ti = t[i];
                        double f;
                        switch (kind) {
                            case 1 -> {
                                double res = y[i] - m0[i];
                                double v = ti * res - (1 - ti) * (e[i] / (1 - e[i])) * res;
                                f = (v - ti * estimate) / share;
                            }
                            case 2 -> {
                                double res = y[i] - m1[i];
                                double v = -(1 - ti) * res + ti * ((1 - e[i]) / e[i]) * res;
                                f = (v - (1 - ti) * estimate) / share;
                            }
                            default -> {
                                double a1 = m1[i] + ti * (y[i] - m1[i]) / e[i];
                                double a0 = m0[i] + (1 - ti) * (y[i] - m0[i]) / (1 - e[i]);
                                f = a1 - a0 - estimate;
                            }
                        }
                        ss += f * f;
                    }
                    squares[b] = ss;
                }
            });
            double ss = 0;
            for (double v : squares) {
                ss += v;
            }
            return new Effect(estimate, Math.sqrt(ss) / units, mu1, mu0, (int) units);
        }
    }

    /**
     * AIPW with a propensity the caller gives (known by design, or fitted elsewhere) and arm-wise
     * linear outcome models on {@code x}, all units, no cross-fitting: the engine's {@code aipw}
     * after its propensity step.
     *
     * @param x regressor columns of the outcome models (include a column of ones for an intercept)
     * @throws IllegalArgumentException on arrays of different lengths, a treatment value other than
     *                                  0 or 1, or a propensity outside (0, 1)
     * @throws InvalidSpecException     when an arm's design is collinear or too small
     */
    public static Effect givenPropensity(double[][] x, double[] t, double[] y, double[] e, String estimand) {
        int n = y.length;
        if (t.length != n || e.length != n || Gram.rows(x) != n) {
            throw new IllegalArgumentException("x, t, y and e must have the same rows");
        }
        PoValidation.requireTreatmentAndPropensity(t, e);
        List<Term> terms = new ArrayList<>();
        int intercept = Ols.interceptIndex(x);
        for (int j = 0; j < x.length; j++) {
            terms.add(j == intercept ? Term.INTERCEPT : new Term("x" + j, "x[" + j + "]", "x" + j, null));
        }
        ArmModels arms = ArmModels.fit(x, t, y, null, null, terms, "");
        double[][] m = arms.predict(x);
        return Effect.of(estimand, y, t, e, m[0], m[1], null);
    }

    /**
     * {m̂1, m̂0} at the rows {@code target} from outcome models fitted on (x, t, y).
     */
    static double[][] outcomePredictions(double[][] x, double[] t, double[] y, double[][] target, boolean pooled,
                                         List<Term> terms, String treatment, String context) {
        int m = target[0].length;
        if (pooled) {
            double[][] xt = new double[x.length + 1][];
            System.arraycopy(x, 0, xt, 0, x.length);
            xt[x.length] = t;
            List<Term> tTerms = new ArrayList<>(terms);
            tTerms.add(new Term(treatment, "treatment", treatment, null));
            OlsFit fit = fitOls(xt, y, tTerms, "in the pooled outcome model" + context);
            double[] b = fit.coefficients();
            double[] base = linear(target, b, m);
            double[] m1 = new double[m];
            double[] m0 = base.clone();
            for (int i = 0; i < m; i++) {
                m1[i] = base[i] + b[x.length];
            }
            return new double[][]{m1, m0};
        }
        return ArmModels.fit(x, t, y, null, null, terms, context).predict(target);
    }

    /** The coefficients of the arm-wise outcome models {treated, control} (for tests and diagnostics). */
    static double[][] armCoefficients(double[][] x, double[] t, double[] y, List<Term> terms) {
        ArmModels arms = ArmModels.fit(x, t, y, null, null, terms, "");
        return new double[][]{arms.coefficients[1], arms.coefficients[0]};
    }

    private static OlsFit fitOls(double[][] x, double[] y, List<Term> terms, String context) {
        try {
            return Ols.fit(x, y);
        } catch (RankDeficientException e) {
            throw DesignMatrix.collinearity(e, x, terms, context);
        }
    }

    private static double[] linear(double[][] x, double[] b, int m) {
        return Gram.combine(x, null, b);
    }

    private Nuisance crossFit(double[][] x, double[] t, double[] y, List<Term> terms, String treatment,
                              boolean pooled, int folds, long seed) {
        int n = y.length;
        if (folds > n / 2) {
            throw new InvalidSpecException("options." + CROSS_FIT_FOLDS, "crossFitFolds = " + folds
                    + " is too many for " + n + " rows: each fold needs at least 2");
        }
        int treated = 0;
        for (double v : t) {
            treated += (int) v;
        }
        if (Math.min(treated, n - treated) < 2) {
            // with fewer, some training set would lack an arm entirely
            throw new InvalidSpecException("options." + CROSS_FIT_FOLDS, "Cross-fitting needs at least 2 treated and 2 "
                    + "control units; there are " + treated + " and " + (n - treated));
        }
        int[] fold = assignFolds(t, folds, seed);
        double[] e = new double[n];
        double[] m1 = new double[n];
        double[] m0 = new double[n];
        Parallel.forRanges(folds, (from, to) -> {
            for (int k = from; k < to; k++) {
                Cancellation.checkpoint(); // each fold refits every nuisance model
                int[] test = rowsWhere(fold, k, true);
                int[] train = rowsWhere(fold, k, false);
                String context = " outside cross-fitting fold " + (k + 1);
                double[][] xTrain = Overlap.take(x, train);
                double[] tTrain = Overlap.take(t, train);
                double[][] xTest = Overlap.take(x, test);
                Propensity ps = Propensity.estimate(xTrain, tTrain, terms, treatment, context);
                double[] eta = linear(xTest, ps.fit.coefficients(), test.length);
                double[][] m = outcomePredictions(xTrain, tTrain, Overlap.take(y, train), xTest, pooled, terms,
                        treatment, context);
                for (int i = 0; i < test.length; i++) {
                    e[test[i]] = LogisticRegression.expit(eta[i]);
                    m1[test[i]] = m[0][i];
                    m0[test[i]] = m[1][i];
                }
            }
        });
        return new Nuisance(e, m1, m0);
    }

    /**
     * Fold of each row: rows of each arm shuffled by a generator seeded with {@code seed} and dealt
     * round-robin, so every fold gets its share of both arms.
     */
    static int[] assignFolds(double[] t, int folds, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] fold = new int[t.length];
        int dealt = 0;
        for (int arm = 1; arm >= 0; arm--) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < t.length; i++) {
                if (t[i] == arm) {
                    rows.add(i);
                }
            }
            int[] r = rows.stream().mapToInt(Integer::intValue).toArray();
            for (int i = r.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int tmp = r[i];
                r[i] = r[j];
                r[j] = tmp;
            }
            for (int row : r) {
                fold[row] = dealt++ % folds;
            }
        }
        return fold;
    }

    private static int[] rowsWhere(int[] fold, int k, boolean inFold) {
        int c = 0;
        for (int f : fold) {
            if ((f == k) == inFold) {
                c++;
            }
        }
        int[] rows = new int[c];
        int j = 0;
        for (int i = 0; i < fold.length; i++) {
            if ((fold[i] == k) == inFold) {
                rows[j++] = i;
            }
        }
        return rows;
    }
}

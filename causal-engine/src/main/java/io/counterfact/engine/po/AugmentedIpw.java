package io.counterfact.engine.po;

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
    public void validate(Map<String, ColumnType> schema, EstimationSpec spec, Options options) {
        PoValidation.noIvFields(spec);
    }

    @Override
    public EstimationResult estimate(DataFrame data, EstimationSpec spec, Options options, ProgressListener progress) {
        PropensityStep step = PropensityStep.fit(data, spec, options, progress, 0.2, METHOD);
        DesignMatrix dm = step.dm();
        Propensity ps = step.ps();
        double[] eAll = ps.scores();
        double[] tAll = dm.treatment();
        boolean[] keep = step.keep();
        int[] idx = keep == null ? identity(dm.n()) : Overlap.indices(keep);
        double[][] x = Overlap.take(dm.interceptAndCovariates(), idx);
        double[] y = Overlap.take(dm.outcome(), idx);
        double[] t = Overlap.take(tAll, idx);
        List<Term> terms = dm.terms(true, false);
        boolean pooled = "pooled".equals(options.string(OUTCOME_MODEL));
        int folds = options.integer(CROSS_FIT_FOLDS);
        String treatment = spec.treatment();

        Nuisance nu;
        if (folds == 0) {
            double[] e = Overlap.take(eAll, idx);
            double[][] m = outcomePredictions(x, t, y, x, pooled, terms, treatment, "");
            nu = new Nuisance(e, m[0], m[1]);
        } else {
            nu = crossFit(x, t, y, terms, treatment, pooled, folds, options.longValue(SEED));
        }
        progress.onProgress(0.8, folds == 0 ? "outcome models" : "cross-fitting");

        int n = y.length;
        double estimate;
        double se;
        Results r = new Results();
        switch (spec.estimand()) {
            case "ATT" -> {
                double[] v = new double[n];
                int n1 = 0;
                for (int i = 0; i < n; i++) {
                    double w = nu.e[i] / (1 - nu.e[i]);
                    double res = y[i] - nu.m0[i];
                    v[i] = t[i] * res - (1 - t[i]) * w * res;
                    n1 += (int) t[i];
                }
                estimate = sum(v) / n1;
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    double f = (v[i] - t[i] * estimate) / ((double) n1 / n);
                    ss += f * f;
                }
                se = Math.sqrt(ss) / n;
            }
            case "ATC" -> {
                double[] v = new double[n];
                int n0 = 0;
                for (int i = 0; i < n; i++) {
                    double w = (1 - nu.e[i]) / nu.e[i];
                    double res = y[i] - nu.m1[i];
                    v[i] = -(1 - t[i]) * res + t[i] * w * res;
                    n0 += 1 - (int) t[i];
                }
                estimate = sum(v) / n0;
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    double f = (v[i] - (1 - t[i]) * estimate) / ((double) n0 / n);
                    ss += f * f;
                }
                se = Math.sqrt(ss) / n;
            }
            default -> {
                double[] phi = new double[n];
                double mu1 = 0;
                double mu0 = 0;
                for (int i = 0; i < n; i++) {
                    double a1 = nu.m1[i] + t[i] * (y[i] - nu.m1[i]) / nu.e[i];
                    double a0 = nu.m0[i] + (1 - t[i]) * (y[i] - nu.m0[i]) / (1 - nu.e[i]);
                    phi[i] = a1 - a0;
                    mu1 += a1;
                    mu0 += a0;
                }
                estimate = sum(phi) / n;
                double ss = 0;
                for (double f : phi) {
                    ss += (f - estimate) * (f - estimate);
                }
                se = Math.sqrt(ss) / n;
                r.diagnostics.put("mu1", mu1 / n);
                r.diagnostics.put("mu0", mu0 / n);
            }
        }
        r.diagnostics.put("propensity", Overlap.diagnostics(eAll, tAll, keep, spec.estimand(), r.warnings));
        r.diagnostics.put("propensityModel", ps.modelDiagnostics());
        r.diagnostics.put(OUTCOME_MODEL, options.string(OUTCOME_MODEL));
        r.diagnostics.put(CROSS_FIT_FOLDS, folds);
        if (folds > 0) {
            r.diagnostics.put(SEED, options.longValue(SEED));
        }
        progress.onProgress(1.0, "estimate");
        return r.normal(spec, options, dm, n, estimate, se);
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
        double[][] out = new double[2][];
        for (int arm = 1; arm >= 0; arm--) {
            int count = 0;
            for (double v : t) {
                if (v == arm) {
                    count++;
                }
            }
            String armName = arm == 1 ? "treated" : "control";
            if (count <= x.length) {
                throw new InvalidSpecException("options." + OUTCOME_MODEL, "Only " + count + " " + armName
                        + " units" + context + " for the " + x.length + " coefficients of the arm-wise outcome model; "
                        + "use outcomeModel \"pooled\" or fewer covariates");
            }
            int[] rows = new int[count];
            int k = 0;
            for (int i = 0; i < t.length; i++) {
                if (t[i] == arm) {
                    rows[k++] = i;
                }
            }
            OlsFit fit = fitOls(Overlap.take(x, rows), Overlap.take(y, rows), terms,
                    "among the " + armName + " units" + context);
            out[1 - arm] = linear(target, fit.coefficients(), m);
        }
        return out;
    }

    /** The coefficients of the arm-wise outcome models {treated, control} (for tests and diagnostics). */
    static double[][] armCoefficients(double[][] x, double[] t, double[] y, List<Term> terms) {
        double[][] out = new double[2][];
        for (int arm = 1; arm >= 0; arm--) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < t.length; i++) {
                if (t[i] == arm) {
                    rows.add(i);
                }
            }
            int[] r = rows.stream().mapToInt(Integer::intValue).toArray();
            out[1 - arm] = fitOls(Overlap.take(x, r), Overlap.take(y, r), terms, "").coefficients();
        }
        return out;
    }

    private static OlsFit fitOls(double[][] x, double[] y, List<Term> terms, String context) {
        try {
            return Ols.fit(x, y);
        } catch (RankDeficientException e) {
            throw DesignMatrix.collinearity(e, x, terms, context);
        }
    }

    private static double[] linear(double[][] x, double[] b, int m) {
        double[] out = new double[m];
        for (int j = 0; j < x.length; j++) {
            double[] xj = x[j];
            for (int i = 0; i < m; i++) {
                out[i] += b[j] * xj[i];
            }
        }
        return out;
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

    private static int[] identity(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s;
    }
}

package io.counterfact.engine.robustness;

import io.counterfact.engine.Cancellation;
import io.counterfact.engine.CommonOptions;
import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.Estimator;
import io.counterfact.engine.Intervals;
import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.Options;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.linalg.Parallel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code refute} option's robustness checks. Each re-runs the whole estimation (every nuisance
 * model included) on altered copies of the complete rows, and reports
 * {@code {"name", "estimate", "pValue", ...}} in {@code diagnostics.refutations}. They follow DoWhy's
 * refuters:
 *
 * <ul>
 *   <li>{@code placeboTreatment} (DoWhy's placebo_treatment_refuter with placebo_type="permute"):
 *       the treatment is permuted across rows, severing its link to the outcome, so the estimates
 *       should centre on 0. For the IV methods the instruments and further endogenous regressors
 *       are permuted with the same permutation, as DoWhy permutes the instrument with the
 *       treatment: the first stage stays intact and only the path to the outcome is cut. {@code
 *       estimate} is the placebo estimates' mean; {@code pValue} tests whether 0 is a draw from
 *       their distribution (DoWhy's choice: large is good). Beside it, {@code effectPValue} is the
 *       permutation test of the actual estimate, (1 + #{|placebo| ≥ |estimate|})/(1 + replicates):
 *       small when the data hold an effect.</li>
 *   <li>{@code randomCommonCause} (DoWhy's random_common_cause): an independent standard normal
 *       column is added to the covariates; the estimate should not move. {@code estimate} is the
 *       mean of the new estimates, {@code pValue} tests whether the original estimate is a draw
 *       from their distribution, {@code maxAbsChange} is the largest move. Refused (at validation)
 *       for a method that takes no covariates.</li>
 *   <li>{@code dataSubsets} (DoWhy's data_subset_refuter): the estimation is re-run on random
 *       subsets of {@code fraction} of the rows drawn without replacement; {@code estimate} is
 *       their mean, {@code stdDev} their spread (about se·√((1 − f)/f) for a well-behaved
 *       estimator), {@code pValue} as for the random common cause.</li>
 * </ul>
 *
 * <p>p-values are DoWhy's {@code test_significance} with {@code test_type="auto"}: with at least 100
 * successful replicates, the two-sided percentile of the reference value among them; with fewer, a
 * two-sided normal test of (value − mean)/sd (sd with the 1/n variance, as numpy's default).
 * A p-value below 0.05 adds a warning. Replicates whose data make the estimate undefined are
 * counted as failed and left out, as in the bootstrap.
 *
 * <p>Each refuter draws from its own generator split from one seeded root in a fixed order, and
 * each replicate from its own generator split from that, so the results depend on the seed and
 * the refuter's own settings only: not on the thread count nor on which other refuters run.
 * Replicates run on the engine's {@link Parallel} pool.
 */
public final class Refutations {

    /** DoWhy's significance level: below it a refutation adds a warning. */
    public static final double SIGNIFICANCE = 0.05;

    /** From this many successful replicates the p-value is empirical rather than normal (DoWhy's rule). */
    public static final int EMPIRICAL_TEST_MINIMUM = 100;

    /** Share of failed replicates above which a refutation is flagged. */
    private static final double FAILURE_WARNING = 0.05;

    private static final String RANDOM_COLUMN = "randomCommonCause";

    private Refutations() {
    }

    /** diagnostics.refutations and any warnings. */
    public record Outcome(List<Map<String, Object>> refutations, List<String> warnings) {
    }

    /** A column name for the random common cause that the dataset does not use. */
    public static String randomColumnName(Collection<String> taken) {
        String name = RANDOM_COLUMN;
        for (int k = 2; taken.contains(name); k++) {
            name = RANDOM_COLUMN + "_" + k;
        }
        return name;
    }

    /**
     * Runs the refuters {@code options.refute()} asks for.
     *
     * @param point the estimation's own result, the reference of the random-common-cause and subset tests
     */
    public static Outcome run(Estimator estimator, DataFrame data, EstimationSpec spec, Options options,
                              EstimationResult point, ProgressListener progress) {
        Options.Refute settings = options.refute();
        Options inner = options.with(CommonOptions.BOOTSTRAP, Options.Bootstrap.OFF)
                .with(CommonOptions.REFUTE, Options.Refute.OFF);
        List<String> used = usedColumns(spec);
        DataFrame base = data.take(DesignMatrix.completeRows(data, used), used);
        SplittableRandom root = new SplittableRandom(settings.seed());
        // always split in this order, so each refuter's draws do not depend on which others run
        SplittableRandom placeboRoot = root.split();
        SplittableRandom randomCauseRoot = root.split();
        SplittableRandom subsetRoot = root.split();
        Progress counter = new Progress(settings.totalReplicates(), progress);
        List<Map<String, Object>> out = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (settings.placeboReplicates() > 0) {
            out.add(placebo(estimator, base, spec, inner, point, settings.placeboReplicates(), placeboRoot, counter,
                    warnings));
        }
        if (settings.randomCommonCauseReplicates() > 0) {
            out.add(randomCommonCause(estimator, base, spec, inner, point, settings.randomCommonCauseReplicates(),
                    randomCauseRoot, counter, warnings));
        }
        if (settings.subsetReplicates() > 0) {
            out.add(subsets(estimator, base, spec, inner, point, settings.subsetReplicates(),
                    settings.subsetFraction(), subsetRoot, counter, warnings));
        }
        return new Outcome(out, warnings);
    }

    private static Map<String, Object> placebo(Estimator estimator, DataFrame base, EstimationSpec spec, Options inner,
                                               EstimationResult point, int replicates, SplittableRandom root,
                                               Progress counter, List<String> warnings) {
        Set<String> permuted = new HashSet<>();
        permuted.add(spec.treatment());
        permuted.addAll(spec.instruments());
        permuted.addAll(spec.endogenous());
        int n = base.rowCount();
        double[] estimates = replicate(replicates, root, counter, "refute: placebo treatment", rng -> {
            int[] order = permutation(n, rng);
            List<Column> cols = new ArrayList<>();
            for (String name : base.names()) {
                Column c = base.column(name);
                cols.add(permuted.contains(name) ? c.take(order) : c);
            }
            return estimateOrNaN(estimator, DataFrame.of(cols), spec, inner);
        });
        double[] ok = finite(estimates);
        Map<String, Object> m = entry("placeboTreatment", replicates, ok);
        List<String> columns = new ArrayList<>();
        for (String name : base.names()) {
            if (permuted.contains(name)) {
                columns.add(name);
            }
        }
        m.put("permuted", columns);
        if (ok.length >= 2) {
            double p = significance(0.0, ok);
            m.put("pValue", p);
            int asExtreme = 0;
            for (double v : ok) {
                if (Math.abs(v) >= Math.abs(point.estimate())) {
                    asExtreme++;
                }
            }
            m.put("effectPValue", (1.0 + asExtreme) / (1.0 + ok.length));
            if (p < SIGNIFICANCE) {
                warnings.add(String.format(Locale.ROOT, "Placebo treatment: with %s permuted, the estimates average "
                        + "%.4g and 0 is outside their distribution (p = %.3g); the method finds an effect where "
                        + "there is none by construction, so its estimate on the real treatment is suspect",
                        String.join(", ", columns), (Double) m.get("estimate"), p));
            }
        }
        failures("placebo treatment", replicates, ok.length, warnings);
        return m;
    }

    private static Map<String, Object> randomCommonCause(Estimator estimator, DataFrame base, EstimationSpec spec,
                                                         Options inner, EstimationResult point, int replicates,
                                                         SplittableRandom root, Progress counter,
                                                         List<String> warnings) {
        String name = randomColumnName(base.names());
        List<String> covariates = new ArrayList<>(spec.covariates());
        covariates.add(name);
        EstimationSpec withCause = spec.withCovariates(covariates);
        int n = base.rowCount();
        double[] estimates = replicate(replicates, root, counter, "refute: random common cause", rng -> {
            double[] noise = new double[n];
            for (int i = 0; i < n; i++) {
                noise[i] = rng.nextGaussian();
            }
            List<Column> cols = new ArrayList<>();
            for (String c : base.names()) {
                cols.add(base.column(c));
            }
            cols.add(Column.numeric(name, noise));
            return estimateOrNaN(estimator, DataFrame.of(cols), withCause, inner);
        });
        double[] ok = finite(estimates);
        Map<String, Object> m = entry("randomCommonCause", replicates, ok);
        if (ok.length >= 2) {
            double p = significance(point.estimate(), ok);
            m.put("pValue", p);
            double largest = 0;
            for (double v : ok) {
                largest = Math.max(largest, Math.abs(v - point.estimate()));
            }
            m.put("maxAbsChange", largest);
            if (p < SIGNIFICANCE) {
                warnings.add(String.format(Locale.ROOT, "Random common cause: adding an independent random covariate "
                        + "moved the estimate from %.4g to %.4g on average (p = %.3g); an estimate that an irrelevant "
                        + "covariate moves is fragile", point.estimate(), (Double) m.get("estimate"), p));
            }
        }
        failures("random common cause", replicates, ok.length, warnings);
        return m;
    }

    private static Map<String, Object> subsets(Estimator estimator, DataFrame base, EstimationSpec spec, Options inner,
                                               EstimationResult point, int replicates, double fraction,
                                               SplittableRandom root, Progress counter, List<String> warnings) {
        int n = base.rowCount();
        // DoWhy's data.sample(frac=f) takes round(f·n) rows
        int size = (int) Math.max(1, Math.min(n, Math.round(fraction * n)));
        double[] estimates = replicate(replicates, root, counter, "refute: data subsets", rng -> {
            int[] order = permutation(n, rng);
            int[] rows = Arrays.copyOf(order, size);
            // the rows' original order, so an order-sensitive step (a fold split) sees the data as given
            Arrays.sort(rows);
            return estimateOrNaN(estimator, base.take(rows), spec, inner);
        });
        double[] ok = finite(estimates);
        Map<String, Object> m = entry("dataSubsets", replicates, ok);
        m.put("fraction", fraction);
        m.put("rows", size);
        if (ok.length >= 2) {
            double p = significance(point.estimate(), ok);
            m.put("pValue", p);
            if (p < SIGNIFICANCE) {
                warnings.add(String.format(Locale.ROOT, "Data subsets: on random %.0f%% subsets the estimate averages "
                        + "%.4g (sd %.3g), and the full-data estimate %.4g is outside their distribution (p = %.3g); "
                        + "the estimate rests on a few rows", 100 * fraction, (Double) m.get("estimate"),
                        (Double) m.get("stdDev"), point.estimate(), p));
            }
        }
        failures("data subsets", replicates, ok.length, warnings);
        return m;
    }

    /** The common part of an entry; estimate, stdDev and pValue are null when fewer than two replicates succeeded. */
    private static Map<String, Object> entry(String name, int replicates, double[] ok) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("estimate", ok.length >= 1 ? mean(ok) : null);
        m.put("pValue", null);
        m.put("stdDev", ok.length >= 2 ? sd(ok) : null);
        m.put("replicates", replicates);
        m.put("succeeded", ok.length);
        m.put("test", ok.length >= EMPIRICAL_TEST_MINIMUM ? "empirical" : "normal");
        return m;
    }

    private static void failures(String what, int replicates, int succeeded, List<String> warnings) {
        if (succeeded < 2) {
            warnings.add("The " + what + " refutation failed: only " + succeeded + " of " + replicates
                    + " re-estimations succeeded, so it gives no p-value");
        } else if (replicates - succeeded > FAILURE_WARNING * replicates) {
            warnings.add(String.format(Locale.ROOT, "%d of %d %s re-estimations failed and are left out",
                    replicates - succeeded, replicates, what));
        }
    }

    /**
     * DoWhy's two-sided p-value of {@code value} against the {@code simulations}: empirical with at
     * least {@link #EMPIRICAL_TEST_MINIMUM} of them (twice the share beyond it on the side away from
     * the median), a normal approximation otherwise. Capped at 1.
     */
    public static double significance(double value, double[] simulations) {
        double[] s = simulations.clone();
        Arrays.sort(s);
        int n = s.length;
        double tail;
        if (n >= EMPIRICAL_TEST_MINIMUM) {
            double median = s[n / 2];
            if (value > median) {
                int below = 0;
                while (below < n && s[below] < value) {
                    below++;
                }
                tail = 1.0 - (double) below / n;
            } else {
                int atOrBelow = 0;
                while (atOrBelow < n && s[atOrBelow] <= value) {
                    atOrBelow++;
                }
                tail = (double) atOrBelow / n;
            }
        } else {
            double mean = mean(s);
            double ss = 0;
            for (double v : s) {
                ss += (v - mean) * (v - mean);
            }
            double sd = Math.sqrt(ss / n);
            if (sd == 0) {
                return value == mean ? 1.0 : 0.0;
            }
            tail = Intervals.normalCdf(-Math.abs(value - mean) / sd);
        }
        return Math.min(1.0, 2 * tail);
    }

    private interface Replicate {
        double estimate(SplittableRandom rng);
    }

    private static double[] replicate(int count, SplittableRandom root, Progress counter, String stage, Replicate body) {
        SplittableRandom[] streams = new SplittableRandom[count];
        for (int k = 0; k < count; k++) {
            streams[k] = root.split();
        }
        double[] out = new double[count];
        Parallel.forRanges(count, (from, to) -> {
            for (int k = from; k < to; k++) {
                Cancellation.checkpoint(); // each replicate is a whole estimation
                out[k] = body.estimate(streams[k]);
                counter.step(stage);
            }
        });
        return out;
    }

    /** A uniformly random permutation of 0..n−1 (Fisher-Yates). */
    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static double estimateOrNaN(Estimator estimator, DataFrame sample, EstimationSpec spec, Options options) {
        try {
            double v = estimator.estimate(sample, spec, options, ProgressListener.NONE).estimate();
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (InvalidSpecException | ArithmeticException e) {
            return Double.NaN;
        }
    }

    static List<String> usedColumns(EstimationSpec spec) {
        List<String> used = new ArrayList<>();
        used.add(spec.treatment());
        used.add(spec.outcome());
        used.addAll(spec.covariates());
        used.addAll(spec.instruments());
        used.addAll(spec.endogenous());
        return used;
    }

    private static double[] finite(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).toArray();
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }

    private static double sd(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double d : v) {
            s += (d - m) * (d - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    /** Counts finished re-estimations over all refuters for the progress bar. */
    private static final class Progress {
        private final int total;
        private final ProgressListener listener;
        private final AtomicInteger done = new AtomicInteger();

        Progress(int total, ProgressListener listener) {
            this.total = total;
            this.listener = listener;
        }

        void step(String stage) {
            listener.onProgress((double) done.incrementAndGet() / total, stage);
        }
    }
}

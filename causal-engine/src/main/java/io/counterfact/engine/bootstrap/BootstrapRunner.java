package io.counterfact.engine.bootstrap;

import io.counterfact.engine.Cancellation;
import io.counterfact.engine.CommonOptions;
import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.Estimator;
import io.counterfact.engine.Intervals;
import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.Options;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.linalg.Parallel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Nonparametric bootstrap of any estimator: the complete rows are resampled with replacement and
 * the whole estimation (every nuisance model included) is rerun on each replicate.
 *
 * <p>Replicate k draws from its own generator, split in order from one seeded root, so the
 * replicates and the interval are the same whatever the number of threads. Replicates whose data
 * make the estimate undefined (e.g. a resample with one arm empty) are counted as failed and left out.
 *
 * <p>Percentile intervals use the quantiles of R's default type 7. BCa corrects them for bias
 * (z0 from the share of replicates below the estimate) and skewness (the acceleration from a
 * jackknife: leave-one-out up to {@link #JACKKNIFE_GROUPS} rows, beyond that a grouped jackknife
 * of that many deterministic groups, an approximation that keeps its cost bounded).
 */
public final class BootstrapRunner {

    /** Largest number of jackknife fits for the BCa acceleration. */
    public static final int JACKKNIFE_GROUPS = 200;

    /** Share of failed replicates above which the interval is flagged. */
    private static final double FAILURE_WARNING = 0.05;

    private BootstrapRunner() {
    }

    /** diagnostics.bootstrap and any warnings. */
    public record Outcome(Map<String, Object> diagnostics, List<String> warnings) {
    }

    public static Outcome run(Estimator estimator, DataFrame data, EstimationSpec spec, Options options,
                              EstimationResult point, ProgressListener progress) {
        Options.Bootstrap b = options.bootstrap();
        Options inner = options.with(CommonOptions.BOOTSTRAP, Options.Bootstrap.OFF);
        List<String> used = new ArrayList<>();
        used.add(spec.treatment());
        used.add(spec.outcome());
        used.addAll(spec.covariates());
        used.addAll(spec.instruments());
        used.addAll(spec.endogenous());
        DataFrame base = data.take(DesignMatrix.completeRows(data, used), used);
        int n = base.rowCount();
        int replicates = b.replicates();
        boolean bca = "bca".equals(b.type());
        int jackknife = bca ? Math.min(n, JACKKNIFE_GROUPS) : 0;
        int totalFits = replicates + jackknife;

        SplittableRandom root = new SplittableRandom(b.seed());
        SplittableRandom[] streams = new SplittableRandom[replicates];
        for (int k = 0; k < replicates; k++) {
            streams[k] = root.split();
        }
        double[] estimates = new double[replicates];
        AtomicInteger done = new AtomicInteger();
        Parallel.forRanges(replicates, (from, to) -> {
            // one sample's arrays per range, overwritten by each replicate: a replicate's estimate is a number, nothing
            // of its sample outlives it (fresh arrays were a fifth of what an AIPW bootstrap allocated)
            int[] rows = new int[n];
            DataFrame sample = null;
            for (int k = from; k < to; k++) {
                Cancellation.checkpoint(); // each replicate is a whole estimation
                SplittableRandom rng = streams[k];
                for (int i = 0; i < n; i++) {
                    rows[i] = rng.nextInt(n);
                }
                sample = base.takeReusing(rows, sample);
                estimates[k] = estimateOrNaN(estimator, sample, spec, inner);
                progress.onProgress((double) done.incrementAndGet() / totalFits, "bootstrap");
            }
        });
        double[] ok = Arrays.stream(estimates).filter(Double::isFinite).sorted().toArray();
        int failed = replicates - ok.length;
        List<String> warnings = new ArrayList<>();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("replicates", replicates);
        d.put("succeeded", ok.length);
        d.put("failed", failed);
        d.put("type", b.type());
        d.put("seed", b.seed());
        if (ok.length < 2) {
            warnings.add("The bootstrap failed: only " + ok.length + " of " + replicates
                    + " replicates could be estimated, so it gives no interval");
            return new Outcome(d, warnings);
        }
        if (failed > FAILURE_WARNING * replicates) {
            warnings.add(String.format(Locale.ROOT, "%d of %d bootstrap replicates could not be estimated and are "
                    + "left out; the bootstrap interval may be too narrow", failed, replicates));
        }
        double level = options.confidenceLevel();
        double alpha = 1 - level;
        double lowerP = alpha / 2;
        double upperP = 1 - alpha / 2;
        if (bca) {
            double theta = point.estimate();
            double below = 0;
            for (double v : ok) {
                if (v < theta) {
                    below++;
                } else if (v == theta) {
                    below += 0.5;
                }
            }
            double z0 = Intervals.normalQuantile(clamp(below / ok.length, ok.length));
            double a = acceleration(estimator, base, spec, inner, jackknife, replicates, totalFits, done, progress);
            if (Double.isFinite(z0) && Double.isFinite(a)) {
                lowerP = bcaLevel(z0, a, Intervals.normalQuantile(alpha / 2));
                upperP = bcaLevel(z0, a, Intervals.normalQuantile(1 - alpha / 2));
                d.put("biasCorrection", z0);
                d.put("acceleration", a);
            } else {
                warnings.add("The BCa correction could not be computed; the bootstrap interval is the percentile one");
            }
        }
        d.put("ciLower", quantile(ok, lowerP));
        d.put("ciUpper", quantile(ok, upperP));
        d.put("stdError", sd(ok));
        return new Outcome(d, warnings);
    }

    private static double estimateOrNaN(Estimator estimator, DataFrame sample, EstimationSpec spec, Options options) {
        try {
            double v = estimator.pointEstimate(sample, spec, options);
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (InvalidSpecException | ArithmeticException e) {
            return Double.NaN;
        }
    }

    /** a = Σ(θ̄ − θ₋g)³ / (6 (Σ(θ̄ − θ₋g)²)^{3/2}) over the jackknife fits. */
    private static double acceleration(Estimator estimator, DataFrame base, EstimationSpec spec, Options inner,
                                       int groups, int replicates, int totalFits, AtomicInteger done,
                                       ProgressListener progress) {
        int n = base.rowCount();
        double[] jack = new double[groups];
        Parallel.forRanges(groups, (from, to) -> {
            for (int g = from; g < to; g++) {
                Cancellation.checkpoint();
                int[] rows = new int[n - countInGroup(n, groups, g)];
                int k = 0;
                for (int i = 0; i < n; i++) {
                    if (i % groups != g) {
                        rows[k++] = i;
                    }
                }
                jack[g] = estimateOrNaN(estimator, base.take(rows), spec, inner);
                progress.onProgress((double) done.incrementAndGet() / totalFits, "bootstrap (jackknife)");
            }
        });
        double[] ok = Arrays.stream(jack).filter(Double::isFinite).toArray();
        if (ok.length < 3) {
            return Double.NaN;
        }
        double mean = Arrays.stream(ok).average().orElse(Double.NaN);
        double s2 = 0;
        double s3 = 0;
        for (double v : ok) {
            double d = mean - v;
            s2 += d * d;
            s3 += d * d * d;
        }
        return s2 == 0 ? 0 : s3 / (6 * Math.pow(s2, 1.5));
    }

    private static int countInGroup(int n, int groups, int g) {
        return n / groups + (g < n % groups ? 1 : 0);
    }

    private static double bcaLevel(double z0, double a, double z) {
        double s = z0 + z;
        return Intervals.normalCdf(z0 + s / (1 - a * s));
    }

    /** Keeps a proportion off 0 and 1, where the normal quantile is infinite. */
    private static double clamp(double p, int count) {
        double eps = 0.5 / count;
        return Math.min(1 - eps, Math.max(eps, p));
    }

    /** R's quantile type 7 of sorted values. */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double sd(double[] v) {
        double m = Arrays.stream(v).average().orElse(0);
        double s = 0;
        for (double d : v) {
            s += (d - m) * (d - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}

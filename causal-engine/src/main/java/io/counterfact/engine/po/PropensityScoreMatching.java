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

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Nearest-neighbour matching on the estimated propensity score, with replacement, following the
 * logic of R's {@code Matching::Match(Tr, X = ps, M, replace = TRUE, ties = TRUE)}:
 * <ul>
 *   <li>each unit of the target arm (treated for ATT, controls for ATC, both for ATE) is matched to
 *       its M nearest units of the other arm; units as close as the M-th (within Match's
 *       distance tolerance of 1e-5 on the squared standardised distance) are all kept, weighted
 *       1/#matches;</li>
 *   <li>a caliper (in standard deviations of the score, as Match) discards farther matches, and a
 *       unit left without one is not part of the estimate (counted in diagnostics);</li>
 *   <li>the standard error is Abadie and Imbens' (2006) for the population estimand with a
 *       homoskedastic conditional variance (Match's default {@code Var.calc = 0}). It treats the
 *       propensity score as known: it does not include Abadie and Imbens' (2016) correction for
 *       the score having been estimated.</li>
 * </ul>
 */
public final class PropensityScoreMatching implements Estimator {

    public static final String METHOD = "matching";
    static final String CALIPER = "caliper";
    static final String NEIGHBORS = "neighbors";

    /** Match's {@code distance.tolerance}: squared standardised distances this close count as ties. */
    static final double DISTANCE_TOLERANCE = 1e-5;

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public List<String> estimands() {
        return List.of("ATT", "ATE", "ATC");
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(PoOptions.trim(),
                OptionSpec.number(CALIPER, 0.0, v -> v >= 0, "a number >= 0: the largest distance of a match in "
                        + "standard deviations of the propensity score (0: no caliper)"),
                OptionSpec.integer(NEIGHBORS, 1, m -> m >= 1 && m <= 100, "an integer M from 1 to 100"));
    }

    /** The outcome of matching. */
    record Matched(double estimate, double stdError, int matchedUnits, int unmatchedUnits, int distinctMatches,
                   double meanMatchesPerUnit) {
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
        PropensityStep step = PropensityStep.fit(data, spec, options, progress, 0.5, METHOD);
        DesignMatrix dm = step.dm();
        Propensity ps = step.ps();
        double[] eAll = ps.scores();
        double[] tAll = dm.treatment();
        boolean[] keep = step.keep();
        double[] e = eAll;
        double[] t = tAll;
        double[] y = dm.outcome();
        if (keep != null) {
            int[] idx = Overlap.indices(keep);
            e = Overlap.take(eAll, idx);
            t = Overlap.take(tAll, idx);
            y = Overlap.take(y, idx);
        }
        double caliper = options.number(CALIPER);
        Matched m = match(e, t, y, spec.estimand(), options.integer(NEIGHBORS), caliper);
        if (m.matchedUnits() < 2) {
            throw new InvalidSpecException(caliper > 0 ? "options.caliper" : "treatment", String.format(Locale.ROOT,
                    "No overlap: only %d unit(s) found a match%s", m.matchedUnits(),
                    caliper > 0 ? " within the caliper of " + caliper + " standard deviations" : ""));
        }
        Results r = new Results();
        r.diagnostics.put("propensity", Overlap.diagnostics(eAll, tAll, keep, spec.estimand(), r.warnings));
        r.diagnostics.put("propensityModel", ps.modelDiagnostics());
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("neighbors", options.integer(NEIGHBORS));
        md.put("caliper", caliper);
        md.put("matchedUnits", m.matchedUnits());
        md.put("unmatchedUnits", m.unmatchedUnits());
        md.put("distinctMatches", m.distinctMatches());
        md.put("meanMatchesPerUnit", m.meanMatchesPerUnit());
        md.put("se", "abadie-imbens (propensity treated as known)");
        r.diagnostics.put("matching", md);
        if (m.unmatchedUnits() > 0) {
            r.warnings.add(m.unmatchedUnits() + " unit(s) had no match within the caliper and are left out: the estimate "
                    + "is for the matched units only");
        }
        progress.onProgress(1.0, "estimate");
        return r.normal(spec, options, dm, m.matchedUnits() + countPool(t, spec.estimand()), m.estimate(), m.stdError());
    }

    /** Units of the pool arm (for n: the units the estimate rests on, matched targets plus their pool). */
    private static int countPool(double[] t, String estimand) {
        if ("ATE".equals(estimand)) {
            return 0;
        }
        int c = 0;
        for (double v : t) {
            if ((v == 1.0) == "ATC".equals(estimand)) {
                c++;
            }
        }
        return c;
    }

    /**
     * Matches on the score {@code ps}; see the class comment.
     *
     * @param caliper in standard deviations of the score; 0 for none
     */
    static Matched match(double[] ps, double[] t, double[] y, String estimand, int neighbors, double caliper) {
        int n = ps.length;
        double mean = 0;
        for (double v : ps) {
            mean += v;
        }
        mean /= n;
        double ss = 0;
        for (double v : ps) {
            ss += (v - mean) * (v - mean);
        }
        double sdSample = Math.sqrt(ss / (n - 1));
        // Match scales the caliper by the population standard deviation
        double maxDistance = caliper > 0 ? caliper * Math.sqrt(ss / n) : Double.POSITIVE_INFINITY;
        double tieSlack = DISTANCE_TOLERANCE * sdSample * sdSample;

        int[][] sortedArm = new int[2][];
        double[][] sortedPs = new double[2][];
        for (int arm = 0; arm < 2; arm++) {
            final int a = arm;
            sortedArm[arm] = java.util.stream.IntStream.range(0, n).filter(i -> t[i] == a).boxed()
                    .sorted((i, j) -> Double.compare(ps[i], ps[j])).mapToInt(Integer::intValue).toArray();
            sortedPs[arm] = new double[sortedArm[arm].length];
            for (int k = 0; k < sortedArm[arm].length; k++) {
                sortedPs[arm][k] = ps[sortedArm[arm][k]];
            }
        }
        int nTreated = sortedArm[1].length;
        int nControl = sortedArm[0].length;
        int m = "ATE".equals(estimand) ? Math.min(neighbors, Math.min(nTreated, nControl))
                : Math.min(neighbors, "ATT".equals(estimand) ? nControl : nTreated);

        double[] kCount = new double[n];
        double[] kkCount = new double[n];
        double[] yCaus = new double[n];
        boolean[] matched = new boolean[n];
        // per matched pair: the treated-minus-control difference and its weight 1/#matches
        double[] pairTau = new double[16];
        double[] pairW = new double[16];
        int pairs = 0;
        int matchedUnits = 0;
        int unmatched = 0;
        boolean[] used = new boolean[n];
        long totalMatches = 0;
        for (int i = 0; i < n; i++) {
            if ((i & 1023) == 0) {
                Cancellation.checkpoint(); // a unit's matches cost little, but a ties-heavy pool can make n of them slow
            }
            boolean target = switch (estimand) {
                case "ATT" -> t[i] == 1.0;
                case "ATC" -> t[i] == 0.0;
                default -> true;
            };
            if (!target) {
                continue;
            }
            int other = t[i] == 1.0 ? 0 : 1;
            double[] pool = sortedPs[other];
            double p = ps[i];
            // the M-th smallest distance, by merging outwards from the insertion point
            int hi = lowerBound(pool, p);
            int lo = hi - 1;
            double dM = 0;
            int l = lo;
            int h = hi;
            for (int k = 0; k < m; k++) {
                double dl = l >= 0 ? p - pool[l] : Double.POSITIVE_INFINITY;
                double dh = h < pool.length ? pool[h] - p : Double.POSITIVE_INFINITY;
                if (dl <= dh) {
                    dM = dl;
                    l--;
                } else {
                    dM = dh;
                    h++;
                }
            }
            double radius2 = dM * dM + tieSlack;
            int from = hi;
            while (from - 1 >= 0 && sq(p - pool[from - 1]) <= radius2) {
                from--;
            }
            int to = hi;
            while (to < pool.length && sq(pool[to] - p) <= radius2) {
                to++;
            }
            int count = 0;
            double ySum = 0;
            for (int k = from; k < to; k++) {
                if (Math.abs(pool[k] - p) <= maxDistance) {
                    count++;
                    ySum += y[sortedArm[other][k]];
                }
            }
            if (count == 0) {
                unmatched++;
                continue;
            }
            matched[i] = true;
            matchedUnits++;
            totalMatches += count;
            double w = 1.0 / count;
            double yHat = ySum / count;
            yCaus[i] = t[i] == 1.0 ? y[i] - yHat : yHat - y[i];
            for (int k = from; k < to; k++) {
                if (Math.abs(pool[k] - p) > maxDistance) {
                    continue;
                }
                int j = sortedArm[other][k];
                kCount[j] += w;
                kkCount[j] += w * w;
                used[j] = true;
                if (pairs == pairTau.length) {
                    pairTau = Arrays.copyOf(pairTau, pairs * 2);
                    pairW = Arrays.copyOf(pairW, pairs * 2);
                }
                pairTau[pairs] = t[i] == 1.0 ? y[i] - y[j] : y[j] - y[i];
                pairW[pairs] = w;
                pairs++;
            }
        }
        if (matchedUnits == 0) {
            return new Matched(Double.NaN, Double.NaN, 0, unmatched, 0, 0);
        }
        double est = 0;
        for (int i = 0; i < n; i++) {
            if (matched[i]) {
                est += yCaus[i];
            }
        }
        est /= matchedUnits;
        // Match's homoskedastic conditional variance: half the weighted mean squared deviation of the pairs
        double sw = 0;
        double swDev = 0;
        for (int k = 0; k < pairs; k++) {
            sw += pairW[k];
            swDev += pairW[k] * sq(pairTau[k] - est);
        }
        double sigma2 = 0.5 * swDev / sw;
        double sn2 = (double) matchedUnits * matchedUnits;
        double var = 0;
        boolean ate = "ATE".equals(estimand);
        for (int j = 0; j < n; j++) {
            double kc = kCount[j];
            var += sigma2 * (kc * kc + (ate ? 2 * kc : 0) - kkCount[j]) / sn2;
            if (matched[j]) {
                var += sq(yCaus[j] - est) / sn2;
            }
        }
        int distinct = 0;
        for (boolean u : used) {
            if (u) {
                distinct++;
            }
        }
        return new Matched(est, Math.sqrt(var), matchedUnits, unmatched, distinct,
                (double) totalMatches / matchedUnits);
    }

    /** First index whose value is >= p. */
    private static int lowerBound(double[] sorted, double p) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < p) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static double sq(double v) {
        return v * v;
    }
}

package io.counterfact.engine.po;

import io.counterfact.engine.InvalidSpecException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Trimming on the propensity score and the overlap diagnostics. */
final class Overlap {

    /** Below this Kish effective size an arm's weighted mean rests on a handful of units. */
    private static final double SMALL_EFFECTIVE_SIZE = 10;

    private Overlap() {
    }

    /**
     * Units whose propensity lies in [ε, 1 − ε] (all when ε = 0).
     *
     * @throws InvalidSpecException naming {@code options.trim} when an arm is left empty
     */
    static boolean[] keep(double[] e, double[] t, double epsilon) {
        boolean[] keep = new boolean[e.length];
        int treated = 0;
        int control = 0;
        for (int i = 0; i < e.length; i++) {
            keep[i] = epsilon == 0 || (e[i] >= epsilon && e[i] <= 1 - epsilon);
            if (keep[i]) {
                if (t[i] == 1.0) {
                    treated++;
                } else {
                    control++;
                }
            }
        }
        if (treated == 0 || control == 0) {
            throw new InvalidSpecException("options.trim", String.format(Locale.ROOT,
                    "No overlap: trimming at %s keeps no %s units (propensities of the rest lie outside [%s, %s])",
                    epsilon, treated == 0 ? "treated" : "control", epsilon, 1 - epsilon));
        }
        return keep;
    }

    static int count(boolean[] keep) {
        int k = 0;
        for (boolean b : keep) {
            if (b) {
                k++;
            }
        }
        return k;
    }

    /** Indices of the kept units. */
    static int[] indices(boolean[] keep) {
        int[] idx = new int[count(keep)];
        int k = 0;
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                idx[k++] = i;
            }
        }
        return idx;
    }

    static double[] take(double[] v, int[] idx) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = v[idx[i]];
        }
        return out;
    }

    static double[][] take(double[][] cols, int[] idx) {
        double[][] out = new double[cols.length][];
        for (int j = 0; j < cols.length; j++) {
            out[j] = take(cols[j], idx);
        }
        return out;
    }

    /** Balancing weights of the estimand for each unit: ATE 1/e | 1/(1−e), ATT 1 | e/(1−e), ATC (1−e)/e | 1. */
    static double weight(String estimand, double t, double e) {
        return switch (estimand) {
            case "ATT" -> t == 1.0 ? 1.0 : e / (1 - e);
            case "ATC" -> t == 1.0 ? (1 - e) / e : 1.0;
            default -> t == 1.0 ? 1 / e : 1 / (1 - e);
        };
    }

    /**
     * diagnostics.propensity: min and max of the propensity over the units used, the number trimmed,
     * and the effective sample size: the sum over both arms of Kish's (Σw)²/Σw² of the estimand's weights.
     */
    static Map<String, Object> diagnostics(double[] e, double[] t, boolean[] keep, String estimand,
                                           List<String> warnings) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double[] sw = new double[2];
        double[] sw2 = new double[2];
        double[] sumE = new double[2];
        int[] count = new int[2];
        int trimmed = 0;
        for (int i = 0; i < e.length; i++) {
            if (keep != null && !keep[i]) {
                trimmed++;
                continue;
            }
            min = Math.min(min, e[i]);
            max = Math.max(max, e[i]);
            int arm = t[i] == 1.0 ? 1 : 0;
            double w = weight(estimand, t[i], e[i]);
            sw[arm] += w;
            sw2[arm] += w * w;
            sumE[arm] += e[i];
            count[arm]++;
        }
        double essTreated = sw[1] * sw[1] / sw2[1];
        double essControl = sw[0] * sw[0] / sw2[0];
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("min", min);
        d.put("max", max);
        d.put("trimmed", trimmed);
        d.put("effectiveSampleSize", essTreated + essControl);
        d.put("effectiveSampleSizeTreated", essTreated);
        d.put("effectiveSampleSizeControl", essControl);
        d.put("meanTreated", sumE[1] / count[1]);
        d.put("meanControl", sumE[0] / count[0]);
        if (Math.min(essTreated, essControl) < SMALL_EFFECTIVE_SIZE) {
            warnings.add(String.format(Locale.ROOT, "Poor overlap: the weighted %s arm is worth only %.1f units "
                    + "(effective sample size); consider the trim option", essTreated < essControl ? "treated" : "control",
                    Math.min(essTreated, essControl)));
        }
        if (min < 0.01 || max > 0.99) {
            warnings.add(String.format(Locale.ROOT, "Extreme propensity scores (range %.3g to %.3g): the weights of a few "
                    + "units dominate; consider the trim option", min, max));
        }
        return d;
    }
}

package io.counterfact.engine.po;

import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Parallel;

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
        int n = e.length;
        int blocks = Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
        // the estimand resolved once, not per unit as weight() does
        boolean att = "ATT".equals(estimand);
        boolean atc = "ATC".equals(estimand);
        // per block: min, max, trimmed, then per arm Σw, Σw², Σe, count
        int width = 3 + 2 * 4;
        double[] partial = new double[blocks * width];
        Parallel.forRanges(blocks, (from, to) -> {
            for (int b = from; b < to; b++) {
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                double trimmed = 0;
                double[] arms = new double[8];
                for (int i = b * Gram.BLOCK; i < Math.min(n, (b + 1) * Gram.BLOCK); i++) {
                    if (keep != null && !keep[i]) {
                        trimmed++;
                        continue;
                    }
                    double ei = e[i];
                    min = Math.min(min, ei);
                    max = Math.max(max, ei);
                    int arm = t[i] == 1.0 ? 1 : 0;
                    // as weight(estimand, t, e)
                    double w;
                    if (arm == 1) {
                        w = att ? 1.0 : atc ? (1 - ei) / ei : 1 / ei;
                    } else {
                        w = att ? ei / (1 - ei) : atc ? 1.0 : 1 / (1 - ei);
                    }
                    arms[arm * 4] += w;
                    arms[arm * 4 + 1] += w * w;
                    arms[arm * 4 + 2] += ei;
                    arms[arm * 4 + 3]++;
                }
                int at = b * width;
                partial[at] = min;
                partial[at + 1] = max;
                partial[at + 2] = trimmed;
                System.arraycopy(arms, 0, partial, at + 3, 8);
            }
        });
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double[] sw = new double[2];
        double[] sw2 = new double[2];
        double[] sumE = new double[2];
        int[] count = new int[2];
        int trimmed = 0;
        for (int b = 0; b < blocks; b++) {
            int at = b * width;
            min = Math.min(min, partial[at]);
            max = Math.max(max, partial[at + 1]);
            trimmed += (int) partial[at + 2];
            for (int arm = 0; arm < 2; arm++) {
                sw[arm] += partial[at + 3 + arm * 4];
                sw2[arm] += partial[at + 3 + arm * 4 + 1];
                sumE[arm] += partial[at + 3 + arm * 4 + 2];
                count[arm] += (int) partial[at + 3 + arm * 4 + 3];
            }
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

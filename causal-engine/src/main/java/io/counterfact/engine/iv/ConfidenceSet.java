package io.counterfact.engine.iv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A confidence set that need not be an interval: the Anderson-Rubin set of a weakly identified
 * coefficient can be a bounded interval, the union of two rays, the whole line, or (when the
 * over-identifying restrictions are rejected) empty.
 *
 * @param intervals disjoint closed intervals in increasing order; infinite ends are ±∞
 * @param level     the confidence level
 * @param method    {@code exact} (roots of the quadratic acceptance region) or {@code grid}
 *                  (inverted over a grid covering the whole line, the crossings refined by bisection)
 */
public record ConfidenceSet(List<Interval> intervals, double level, String method) {

    /** A closed interval, possibly with infinite ends. */
    public record Interval(double lower, double upper) {
    }

    public ConfidenceSet {
        intervals = List.copyOf(intervals);
    }

    /** {@code interval}, {@code union-of-rays}, {@code whole-line}, {@code empty}, or {@code union} (other unions). */
    public String shape() {
        if (intervals.isEmpty()) {
            return "empty";
        }
        if (intervals.size() == 1) {
            Interval i = intervals.get(0);
            if (i.lower() == Double.NEGATIVE_INFINITY && i.upper() == Double.POSITIVE_INFINITY) {
                return "whole-line";
            }
            return "interval";
        }
        if (intervals.size() == 2 && intervals.get(0).lower() == Double.NEGATIVE_INFINITY
                && intervals.get(1).upper() == Double.POSITIVE_INFINITY) {
            return "union-of-rays";
        }
        return "union";
    }

    /** True when the set has no infinite end (an empty set is bounded). */
    public boolean bounded() {
        return intervals.isEmpty() || (Double.isFinite(lower()) && Double.isFinite(upper()));
    }

    /** The infimum: −∞ when unbounded below, NaN when empty. */
    public double lower() {
        return intervals.isEmpty() ? Double.NaN : intervals.get(0).lower();
    }

    /** The supremum: +∞ when unbounded above, NaN when empty. */
    public double upper() {
        return intervals.isEmpty() ? Double.NaN : intervals.get(intervals.size() - 1).upper();
    }

    public boolean contains(double value) {
        for (Interval i : intervals) {
            if (value >= i.lower() && value <= i.upper()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The API's {@code andersonRubin} entry: {@code ciLower}, {@code ciUpper} (null where the set is
     * unbounded or empty), {@code bounded}, and the set itself as {@code shape} and
     * {@code intervals} (null for an infinite end), since a union of rays has no single interval.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ciLower", finiteOrNull(lower()));
        m.put("ciUpper", finiteOrNull(upper()));
        m.put("bounded", bounded());
        m.put("shape", shape());
        List<List<Double>> list = new ArrayList<>();
        for (Interval i : intervals) {
            List<Double> pair = new ArrayList<>();
            pair.add(finiteOrNull(i.lower()));
            pair.add(finiteOrNull(i.upper()));
            list.add(pair);
        }
        m.put("intervals", list);
        m.put("level", level);
        m.put("method", method);
        return m;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /**
     * {β : aβ² + bβ + c ≤ 0}. A leading coefficient that is zero up to rounding (relative to the
     * others) is treated as zero, so a set on the edge of boundedness comes out as a ray.
     */
    static ConfidenceSet fromQuadratic(double a, double b, double c, double level) {
        List<Interval> out = new ArrayList<>();
        double scale = Math.max(Math.abs(b), Math.abs(c));
        if (Math.abs(a) <= 1e-13 * scale) {
            if (b > 0) {
                out.add(new Interval(Double.NEGATIVE_INFINITY, -c / b));
            } else if (b < 0) {
                out.add(new Interval(-c / b, Double.POSITIVE_INFINITY));
            } else if (c <= 0) {
                out.add(new Interval(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY));
            }
            return new ConfidenceSet(out, level, "exact");
        }
        double disc = b * b - 4 * a * c;
        if (a > 0) {
            if (disc >= 0) {
                double[] r = roots(a, b, c, disc);
                out.add(new Interval(r[0], r[1]));
            }
        } else if (disc <= 0) {
            out.add(new Interval(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY));
        } else {
            double[] r = roots(a, b, c, disc);
            out.add(new Interval(Double.NEGATIVE_INFINITY, r[0]));
            out.add(new Interval(r[1], Double.POSITIVE_INFINITY));
        }
        return new ConfidenceSet(out, level, "exact");
    }

    /** Both roots in increasing order, by the cancellation-free formula. */
    private static double[] roots(double a, double b, double c, double disc) {
        double q = -0.5 * (b + Math.copySign(Math.sqrt(disc), b));
        double r1 = q / a;
        double r2 = q == 0 ? -r1 : c / q;
        return new double[]{Math.min(r1, r2), Math.max(r1, r2)};
    }
}

package io.counterfact.engine.data;

import java.util.List;
import java.util.Objects;

/**
 * One column of a {@link DataFrame}. Numeric and binary columns hold {@code double} values with NaN
 * for missing; a categorical column holds int codes into {@link #levels()} with −1 for missing.
 * The arrays are shared, not copied: a column is immutable by convention.
 */
public final class Column {

    /** Code of a missing categorical value. */
    public static final int MISSING_CODE = -1;

    private final String name;
    private final ColumnType type;
    private final double[] values;
    private final int[] codes;
    private final List<String> levels;
    /** Whether every value is present (and, numeric, finite), once computed: the arrays never change. */
    private volatile Boolean complete;

    private Column(String name, ColumnType type, double[] values, int[] codes, List<String> levels) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = type;
        this.values = values;
        this.codes = codes;
        this.levels = levels;
    }

    /** A numeric column; NaN marks a missing value. */
    public static Column numeric(String name, double[] values) {
        return new Column(name, ColumnType.NUMERIC, Objects.requireNonNull(values, "values"), null, null);
    }

    /**
     * A binary column; every value must be 0, 1 or NaN (missing).
     *
     * @throws IllegalArgumentException naming the first offending row
     */
    public static Column binary(String name, double[] values) {
        Objects.requireNonNull(values, "values");
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v != 0.0 && v != 1.0 && !Double.isNaN(v)) {
                throw new IllegalArgumentException("binary column '" + name + "' has value " + v + " in row " + i);
            }
        }
        return new Column(name, ColumnType.BINARY, values, null, null);
    }

    /**
     * A categorical column: {@code codes[i]} indexes {@code levels}, −1 is missing.
     *
     * @throws IllegalArgumentException on a code outside the levels or duplicate levels
     */
    public static Column categorical(String name, int[] codes, List<String> levels) {
        Objects.requireNonNull(codes, "codes");
        List<String> lv = List.copyOf(levels);
        if (lv.stream().distinct().count() != lv.size()) {
            throw new IllegalArgumentException("categorical column '" + name + "' has duplicate levels");
        }
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] < MISSING_CODE || codes[i] >= lv.size()) {
                throw new IllegalArgumentException("categorical column '" + name + "' has code " + codes[i]
                        + " in row " + i + " but " + lv.size() + " levels");
            }
        }
        return new Column(name, ColumnType.CATEGORICAL, null, codes, lv);
    }

    public String name() {
        return name;
    }

    public ColumnType type() {
        return type;
    }

    /** Rows. */
    public int size() {
        return values != null ? values.length : codes.length;
    }

    /** Values of a numeric or binary column (shared array: do not modify). */
    public double[] values() {
        if (values == null) {
            throw new IllegalStateException("column '" + name + "' is categorical");
        }
        return values;
    }

    /** Codes of a categorical column (shared array: do not modify). */
    public int[] codes() {
        if (codes == null) {
            throw new IllegalStateException("column '" + name + "' is " + type.apiName());
        }
        return codes;
    }

    /** Levels of a categorical column. */
    public List<String> levels() {
        if (levels == null) {
            throw new IllegalStateException("column '" + name + "' is " + type.apiName());
        }
        return levels;
    }

    /**
     * Whether no value is missing and, for a numeric or binary column, none is infinite: one scan
     * of the column's array, done once (designs and diagnostics of every request ask again).
     */
    public boolean complete() {
        Boolean c = complete;
        if (c == null) {
            c = values != null ? allFinite(values) : noMissingCode(codes);
            complete = c;
        }
        return c;
    }

    /** x·0 is 0 for a finite x and NaN otherwise: four independent sums of them, no branch per value. */
    private static boolean allFinite(double[] v) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < v.length; i += 4) {
            s0 += v[i] * 0.0;
            s1 += v[i + 1] * 0.0;
            s2 += v[i + 2] * 0.0;
            s3 += v[i + 3] * 0.0;
        }
        for (; i < v.length; i++) {
            s0 += v[i] * 0.0;
        }
        return s0 + s1 + s2 + s3 == 0.0;
    }

    private static boolean noMissingCode(int[] codes) {
        int min = 0;
        for (int code : codes) {
            min = Math.min(min, code);
        }
        return min != MISSING_CODE;
    }

    /** Whether row i is missing. */
    public boolean isMissing(int i) {
        return values != null ? Double.isNaN(values[i]) : codes[i] == MISSING_CODE;
    }

    /**
     * {@link #take(int[])} written into the arrays of {@code reuse}, an earlier take of this column of as many rows
     * that nobody uses any more (it is overwritten); a plain take when {@code reuse} is null or of another length.
     */
    public Column takeReusing(int[] rows, Column reuse) {
        if (reuse == null || reuse.size() != rows.length || reuse.type != type || !reuse.name.equals(name)) {
            return take(rows);
        }
        return takeInto(rows, reuse.values, reuse.codes);
    }

    /** This column restricted to the given rows, in their order (rows may repeat). */
    public Column take(int[] rows) {
        return values != null ? takeInto(rows, new double[rows.length], null) : takeInto(rows, null, new int[rows.length]);
    }

    /** The given rows, gathered into {@code into} (numeric, binary) or {@code intoCodes} (categorical). */
    private Column takeInto(int[] rows, double[] into, int[] intoCodes) {
        if (values != null) {
            for (int i = 0; i < rows.length; i++) {
                into[i] = values[rows[i]];
            }
            return new Column(name, type, into, null, null);
        }
        for (int i = 0; i < rows.length; i++) {
            intoCodes[i] = codes[rows[i]];
        }
        return new Column(name, type, null, intoCodes, levels);
    }
}

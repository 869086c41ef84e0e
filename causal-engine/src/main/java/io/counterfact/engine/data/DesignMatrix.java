package io.counterfact.engine.data;

import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.linalg.Cholesky;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Parallel;
import io.counterfact.engine.linalg.RankDeficientException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The numeric design of an estimation: the complete rows of the columns it uses, its outcome, its
 * treatment and its regressor terms (an intercept, numeric and binary columns as they are, a
 * categorical column one-hot with its first level in sort order as the reference, as R does).
 *
 * <p>Building it checks what the data must satisfy, each failure an {@link InvalidSpecException}
 * naming the request field and the column: unknown columns, a categorical treatment or outcome, a
 * constant treatment, a non-binary treatment where one is needed, no complete rows, constant or
 * exactly collinear regressors.
 */
public final class DesignMatrix {

    /**
     * One regressor column of the design.
     *
     * @param name   display name: the column's name, or {@code column[level]} for a dummy
     * @param field  the request field it comes from, e.g. {@code covariates[2]}; null for the intercept
     * @param column the dataset column, null for the intercept
     * @param level  the level of a categorical dummy, else null
     */
    public record Term(String name, String field, String column, String level) {
        /** The intercept's term. */
        public static final Term INTERCEPT = new Term("intercept", null, null, null);
    }

    private final int[] rows;
    private final int nDropped;
    private final double[] outcome;
    private final double[] treatment;
    private final Term treatmentTerm;
    private final Map<String, double[][]> groupColumns;
    private final Map<String, List<Term>> groupTerms;
    private final Map<String, List<String>> groupNames;
    /** The column of ones, once asked for (a benign race at worst makes it twice). */
    private volatile double[] onesColumn;

    private DesignMatrix(int[] rows, int nDropped, double[] outcome, double[] treatment, Term treatmentTerm,
                         Map<String, double[][]> groupColumns, Map<String, List<Term>> groupTerms,
                         Map<String, List<String>> groupNames) {
        this.rows = rows;
        this.nDropped = nDropped;
        this.outcome = outcome;
        this.treatment = treatment;
        this.treatmentTerm = treatmentTerm;
        this.groupColumns = groupColumns;
        this.groupTerms = groupTerms;
        this.groupNames = groupNames;
    }

    public static Builder builder(DataFrame data) {
        return new Builder(data);
    }

    /** Rows used. */
    public int n() {
        return rows.length;
    }

    /** Rows dropped for a missing value in a used column. */
    public int nDropped() {
        return nDropped;
    }

    /** Indices of the rows used, into the data frame. */
    public int[] rows() {
        return rows.clone();
    }

    /** Outcome values of the rows used (shared: do not modify), or null if none was asked for. */
    public double[] outcome() {
        return outcome;
    }

    /** Treatment values of the rows used (shared: do not modify), or null if none was asked for. */
    public double[] treatment() {
        return treatment;
    }

    /** Expanded columns of the covariates. */
    public double[][] covariates() {
        return group(Builder.COVARIATES);
    }

    /** Terms of the covariates. */
    public List<Term> covariateTerms() {
        return groupTerms(Builder.COVARIATES);
    }

    /** Covariate column names as requested (not expanded). */
    public List<String> covariateNames() {
        return groupNames.getOrDefault(Builder.COVARIATES, List.of());
    }

    /** Expanded columns of a group added with {@link Builder#group(String, List)}. */
    public double[][] group(String field) {
        return groupColumns.getOrDefault(field, new double[0][]).clone();
    }

    /** Terms of a group. */
    public List<Term> groupTerms(String field) {
        return groupTerms.getOrDefault(field, List.of());
    }

    /** [1, covariates]: the regressors of a propensity or arm-wise outcome model. */
    public double[][] interceptAndCovariates() {
        return columns(true, false);
    }

    /** [1?, treatment?, covariates] as columns. */
    public double[][] columns(boolean intercept, boolean withTreatment) {
        List<double[]> cols = new ArrayList<>();
        if (intercept) {
            cols.add(ones());
        }
        if (withTreatment) {
            cols.add(treatment);
        }
        cols.addAll(Arrays.asList(covariates()));
        return cols.toArray(new double[0][]);
    }

    /** The intercept's column, made once per design (shared like the others: do not modify). */
    private double[] ones() {
        double[] one = onesColumn;
        if (one == null) {
            one = new double[rows.length];
            Arrays.fill(one, 1.0);
            onesColumn = one;
        }
        return one;
    }

    /** The terms of {@link #columns(boolean, boolean)}. */
    public List<Term> terms(boolean intercept, boolean withTreatment) {
        List<Term> t = new ArrayList<>();
        if (intercept) {
            t.add(Term.INTERCEPT);
        }
        if (withTreatment) {
            t.add(treatmentTerm);
        }
        t.addAll(covariateTerms());
        return t;
    }

    /** Term of the treatment. */
    public Term treatmentTerm() {
        return treatmentTerm;
    }

    /**
     * Turns a rank deficiency found while fitting {@code columns} (with these {@code terms}) into
     * a request error naming the column; {@code context} says which fit, e.g. "among the treated units".
     */
    public static InvalidSpecException collinearity(RankDeficientException e, double[][] columns, List<Term> terms,
                                                    String context) {
        Term bad = terms.get(e.column());
        double[] comb = e.combination();
        List<String> partners = new ArrayList<>();
        double[] col = columns[e.column()];
        double size = spread(col);
        for (int k = 0; k < comb.length; k++) {
            Term t = terms.get(k);
            if (t == Term.INTERCEPT) {
                continue;
            }
            // a partner matters if its share of the combination is visible beside the column itself
            if (Math.abs(comb[k]) * spread(columns[k]) > 1e-6 * Math.max(size, 1e-300)) {
                partners.add(describe(t));
            }
        }
        String where = context == null || context.isEmpty() ? "" : " " + context;
        boolean hasIntercept = terms.contains(Term.INTERCEPT);
        String message;
        if (partners.isEmpty() || size == 0) {
            message = capitalised(describe(bad)) + " is constant" + where
                    + (hasIntercept ? ", so its effect cannot be separated from the intercept; drop it" : "; drop it");
        } else {
            message = capitalised(describe(bad)) + " is collinear with " + String.join(", ", partners) + where
                    + ": it is an exact linear combination of them" + (hasIntercept ? " and the intercept" : "")
                    + ", so their effects cannot be separated; drop one of them";
        }
        return new InvalidSpecException(bad.field() == null ? "covariates" : bad.field(), message, e);
    }

    private static String describe(Term t) {
        if (t == Term.INTERCEPT) {
            return "the intercept";
        }
        String kind = t.field() != null && t.field().startsWith("treatment") ? "treatment" : "covariate";
        if (t.field() != null && !t.field().startsWith("treatment") && !t.field().startsWith("covariates")) {
            kind = "column";
        }
        return t.level() == null ? kind + " '" + t.column() + "'"
                : kind + " '" + t.column() + "' (level '" + t.level() + "')";
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static double spread(double[] v) {
        double m = 0;
        for (double d : v) {
            m += d;
        }
        m /= v.length;
        double s = 0;
        for (double d : v) {
            s += (d - m) * (d - m);
        }
        return Math.sqrt(s / v.length);
    }

    /**
     * Indices of the rows with no missing value in any of the named columns (which must exist).
     */
    public static int[] completeRows(DataFrame data, List<String> columns) {
        return completeRows(data, columns, finiteColumns(data, columns));
    }

    /** With {@code finite[k]}: whether column k has only finite values (so no missing one). */
    private static int[] completeRows(DataFrame data, List<String> columns, boolean[] finite) {
        int n = data.rowCount();
        boolean[] missing = null;
        for (int k = 0; k < columns.size(); k++) {
            Column c = data.column(columns.get(k));
            if (finite[k] || !hasMissing(c)) {
                continue;
            }
            if (missing == null) {
                missing = new boolean[n];
            }
            // one scan of the column's own array, not a call per row and column
            if (c.type() == ColumnType.CATEGORICAL) {
                int[] codes = c.codes();
                for (int i = 0; i < n; i++) {
                    missing[i] |= codes[i] == Column.MISSING_CODE;
                }
            } else {
                double[] v = c.values();
                for (int i = 0; i < n; i++) {
                    missing[i] |= Double.isNaN(v[i]);
                }
            }
        }
        if (missing == null) {
            return allRows(n);
        }
        int kept = 0;
        for (boolean m : missing) {
            if (!m) {
                kept++;
            }
        }
        int[] rows = new int[kept];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!missing[i]) {
                rows[k++] = i;
            }
        }
        return rows;
    }

    private static int[] allRows(int n) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        return rows;
    }

    /**
     * For each named column whether it is {@link Column#complete() complete} (no missing value, no
     * infinity), the columns not yet known shared among the engine's threads.
     */
    private static boolean[] finiteColumns(DataFrame data, List<String> columns) {
        boolean[] finite = new boolean[columns.size()];
        Parallel.forRanges(columns.size(), (from, to) -> {
            for (int k = from; k < to; k++) {
                finite[k] = data.column(columns.get(k)).complete();
            }
        });
        return finite;
    }

    /** Whether a column that is not all finite has a missing value (NaN, or the categorical missing code). */
    private static boolean hasMissing(Column c) {
        return c.type() == ColumnType.CATEGORICAL || hasNaN(c.values());
    }

    private static boolean hasNaN(double[] v) {
        for (double d : v) {
            if (Double.isNaN(d)) {
                return true;
            }
        }
        return false;
    }

    /** Builds a {@link DesignMatrix}; see the class comment for the checks. */
    public static final class Builder {

        static final String COVARIATES = "covariates";

        private final DataFrame data;
        private String treatment;
        private boolean binaryTreatment;
        private String method;
        private String outcome;
        private boolean intercept = true;
        private final Map<String, List<String>> groups = new LinkedHashMap<>();
        private final Set<String> outsideRankCheck = new HashSet<>();
        private boolean rankCheckedByModels;
        /** The used columns found all finite while looking for missing values: no need to look for infinities. */
        private final Set<String> finiteColumns = new HashSet<>();

        private Builder(DataFrame data) {
            this.data = data;
        }

        /**
         * The treatment column (request field {@code treatment}); when {@code requireBinary}, every
         * used value must be 0 or 1 ({@code method} names who needs it in the message).
         */
        public Builder treatment(String name, boolean requireBinary, String method) {
            this.treatment = name;
            this.binaryTreatment = requireBinary;
            this.method = method;
            return this;
        }

        /** The outcome column (request field {@code outcome}). */
        public Builder outcome(String name) {
            this.outcome = name;
            return this;
        }

        /** The covariates (request field {@code covariates[i]}). */
        public Builder covariates(List<String> names) {
            return group(COVARIATES, names);
        }

        /** Further regressors from request field {@code field} (e.g. {@code instruments}), expanded like covariates. */
        public Builder group(String field, List<String> names) {
            groups.put(field, List.copyOf(names));
            return this;
        }

        /**
         * A group expanded like covariates (its missing rows dropped too) but left out of the joint
         * rank check: for excluded instruments, which may legitimately reproduce the treatment
         * (full compliance makes the instrument equal to it); the IV fit checks the instrument set
         * [1, controls, instruments] itself.
         */
        public Builder groupOutsideRankCheck(String field, List<String> names) {
            outsideRankCheck.add(field);
            return group(field, names);
        }

        /**
         * Leaves the joint rank check of the regressors to the estimator, whose model fits report
         * a collinear column themselves, naming it (through {@link DesignMatrix#collinearity}): the
         * check would otherwise cost one more pass of the Gram kernel over the whole design.
         */
        public Builder rankCheckedByModels() {
            this.rankCheckedByModels = true;
            return this;
        }

        /** Whether the collinearity check includes an intercept (default true). */
        public Builder intercept(boolean intercept) {
            this.intercept = intercept;
            return this;
        }

        public DesignMatrix build() {
            List<String> used = new ArrayList<>();
            if (treatment != null) {
                requireColumn("treatment", treatment);
                if (data.column(treatment).type() == ColumnType.CATEGORICAL) {
                    throw new InvalidSpecException("treatment", "Treatment '" + treatment
                            + "' is categorical; the treatment must be a binary or numeric column");
                }
                used.add(treatment);
            }
            if (outcome != null) {
                requireColumn("outcome", outcome);
                if (data.column(outcome).type() == ColumnType.CATEGORICAL) {
                    throw new InvalidSpecException("outcome", "Outcome '" + outcome
                            + "' is categorical; the outcome must be a numeric or binary column");
                }
                used.add(outcome);
            }
            for (Map.Entry<String, List<String>> g : groups.entrySet()) {
                List<String> names = g.getValue();
                for (int i = 0; i < names.size(); i++) {
                    requireColumn(g.getKey() + "[" + i + "]", names.get(i));
                    used.add(names.get(i));
                }
            }
            boolean[] finite = finiteColumns(data, used);
            finiteColumns.clear();
            for (int k = 0; k < used.size(); k++) {
                if (finite[k]) {
                    finiteColumns.add(used.get(k));
                }
            }
            int[] rows = completeRows(data, used, finite);
            int nDropped = data.rowCount() - rows.length;
            // with every row complete the design shares the frame's arrays instead of copying them
            boolean allRows = nDropped == 0;
            if (rows.length == 0) {
                throw new InvalidSpecException(fieldOfMostMissing(used), "No row has a value in every column used ("
                        + String.join(", ", used) + "): nothing to estimate from");
            }
            double[] y = outcome == null ? null : pick(data.column(outcome).values(), rows, allRows);
            double[] t = treatment == null ? null : pick(data.column(treatment).values(), rows, allRows);
            if (y != null) {
                requireFinite("outcome", "outcome", outcome, y);
            }
            if (t != null) {
                requireFinite("treatment", "treatment", treatment, t);
                checkTreatment(t, rows);
            }
            Map<String, double[][]> groupColumns = new LinkedHashMap<>();
            Map<String, List<Term>> groupTerms = new LinkedHashMap<>();
            Map<String, List<String>> groupNames = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> g : groups.entrySet()) {
                List<double[]> cols = new ArrayList<>();
                List<Term> terms = new ArrayList<>();
                List<String> names = g.getValue();
                for (int i = 0; i < names.size(); i++) {
                    expand(g.getKey() + "[" + i + "]", names.get(i), rows, allRows, cols, terms);
                }
                groupColumns.put(g.getKey(), cols.toArray(new double[0][]));
                groupTerms.put(g.getKey(), List.copyOf(terms));
                groupNames.put(g.getKey(), names);
            }
            Term treatmentTerm = treatment == null ? null : new Term(treatment, "treatment", treatment, null);
            DesignMatrix dm = new DesignMatrix(rows, nDropped, y, t, treatmentTerm, groupColumns, groupTerms,
                    groupNames);
            if (!rankCheckedByModels) {
                checkCollinearity(dm, groupColumns, groupTerms, treatmentTerm);
            }
            return dm;
        }

        private void requireColumn(String field, String name) {
            if (name == null || name.isBlank()) {
                throw new InvalidSpecException(field, "No column named for " + field);
            }
            if (!data.has(name)) {
                throw new InvalidSpecException(field, "Column '" + name + "' (" + field + ") does not exist in the dataset");
            }
        }

        private String fieldOfMostMissing(List<String> used) {
            String best = used.isEmpty() ? "covariates" : used.get(0);
            int worst = -1;
            for (String name : used) {
                Column c = data.column(name);
                int m = 0;
                for (int i = 0; i < data.rowCount(); i++) {
                    if (c.isMissing(i)) {
                        m++;
                    }
                }
                if (m > worst) {
                    worst = m;
                    best = name;
                }
            }
            if (best.equals(treatment)) {
                return "treatment";
            }
            if (best.equals(outcome)) {
                return "outcome";
            }
            for (Map.Entry<String, List<String>> g : groups.entrySet()) {
                int i = g.getValue().indexOf(best);
                if (i >= 0) {
                    return g.getKey() + "[" + i + "]";
                }
            }
            return "covariates";
        }

        private void requireFinite(String field, String kind, String name, double[] v) {
            if (finiteColumns.contains(name)) {
                return;
            }
            for (double d : v) {
                if (Double.isInfinite(d)) {
                    throw new InvalidSpecException(field, capitalised(kind) + " '" + name + "' has an infinite value");
                }
            }
        }

        private void checkTreatment(double[] t, int[] rows) {
            double first = t[0];
            boolean constant = true;
            for (double v : t) {
                if (v != first) {
                    constant = false;
                    break;
                }
            }
            if (constant) {
                throw new InvalidSpecException("treatment", "Treatment '" + treatment + "' is constant (" + fmt(first)
                        + " in all " + t.length + " rows used): there is no contrast to estimate");
            }
            if (binaryTreatment) {
                for (int i = 0; i < t.length; i++) {
                    if (t[i] != 0.0 && t[i] != 1.0) {
                        throw new InvalidSpecException("treatment", "Treatment '" + treatment + "' is not binary (value "
                                + fmt(t[i]) + " in row " + rows[i] + "); " + method + " needs a 0/1 treatment");
                    }
                }
            }
        }

        private void expand(String field, String name, int[] rows, boolean allRows, List<double[]> cols,
                            List<Term> terms) {
            Column c = data.column(name);
            if (c.type() != ColumnType.CATEGORICAL) {
                double[] v = pick(c.values(), rows, allRows);
                requireFinite(field, "covariate", name, v);
                cols.add(v);
                terms.add(new Term(name, field, name, null));
                return;
            }
            int[] codes = c.codes();
            List<String> levels = c.levels();
            // levels absent from the rows used get no dummy: an all-zero column would be aliased
            TreeSet<String> present = new TreeSet<>();
            boolean[] seen = new boolean[levels.size()];
            for (int r : rows) {
                seen[codes[r]] = true;
            }
            for (int l = 0; l < levels.size(); l++) {
                if (seen[l]) {
                    present.add(levels.get(l));
                }
            }
            if (present.size() < 2) {
                throw new InvalidSpecException(field, (field.startsWith(COVARIATES) ? "Covariate '" : "Column '")
                        + name + "' has a single level ('"
                        + present.first() + "') in the " + rows.length + " rows used, so its effect cannot be "
                        + "separated from the intercept; drop it");
            }
            List<String> dummies = new ArrayList<>(present);
            dummies.remove(0);
            for (String level : dummies) {
                int code = levels.indexOf(level);
                double[] v = new double[rows.length];
                for (int i = 0; i < rows.length; i++) {
                    v[i] = codes[rows[i]] == code ? 1.0 : 0.0;
                }
                cols.add(v);
                terms.add(new Term(name + "[" + level + "]", field, name, level));
            }
        }

        private void checkCollinearity(DesignMatrix dm, Map<String, double[][]> groupColumns,
                                       Map<String, List<Term>> groupTerms, Term treatmentTerm) {
            List<double[]> cols = new ArrayList<>();
            List<Term> terms = new ArrayList<>();
            if (intercept) {
                double[] one = new double[dm.n()];
                Arrays.fill(one, 1.0);
                cols.add(one);
                terms.add(Term.INTERCEPT);
            }
            if (dm.treatment() != null) {
                cols.add(dm.treatment());
                terms.add(treatmentTerm);
            }
            for (String g : groupColumns.keySet()) {
                if (outsideRankCheck.contains(g)) {
                    continue;
                }
                cols.addAll(Arrays.asList(groupColumns.get(g)));
                terms.addAll(groupTerms.get(g));
            }
            if (cols.isEmpty()) {
                return;
            }
            double[][] x = cols.toArray(new double[0][]);
            double[] shift = null;
            if (intercept) {
                // centring makes the test see variation around the mean, not around zero
                shift = new double[x.length];
                for (int j = 1; j < x.length; j++) {
                    double s = 0;
                    for (double v : x[j]) {
                        s += v;
                    }
                    shift[j] = s / x[j].length;
                }
            }
            try {
                Cholesky.of(Gram.of(x, null, shift));
            } catch (RankDeficientException e) {
                throw collinearity(e, x, terms, "in the " + dm.n() + " rows used");
            }
        }

        /** The values at the rows used: the column's own array (shared) when every row is used. */
        private static double[] pick(double[] values, int[] rows, boolean allRows) {
            if (allRows) {
                return values;
            }
            double[] v = new double[rows.length];
            for (int i = 0; i < rows.length; i++) {
                v[i] = values[rows[i]];
            }
            return v;
        }

        private static String fmt(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
    }
}

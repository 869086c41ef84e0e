package io.counterfact.engine.iv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Named columns of one role in an IV model (endogenous regressors, exogenous controls or excluded
 * instruments), column-major: {@code columns[j]} holds every row of the column named
 * {@code names.get(j)}. {@code fields} optionally names the API request field each column comes
 * from (e.g. {@code covariates[2]}) for error messages; when null the role's field is used.
 */
public record Regressors(List<String> names, double[][] columns, List<String> fields) {

    public Regressors {
        names = List.copyOf(names);
        if (names.size() != columns.length) {
            throw new IllegalArgumentException(names.size() + " names for " + columns.length + " columns");
        }
        if (fields != null) {
            fields = new ArrayList<>(fields);
            if (fields.size() != names.size()) {
                throw new IllegalArgumentException(fields.size() + " fields for " + names.size() + " columns");
            }
            fields = List.copyOf(fields);
        }
    }

    /** Columns with names only. */
    public static Regressors of(List<String> names, double[][] columns) {
        return new Regressors(names, columns, null);
    }

    /** One column. */
    public static Regressors of(String name, double[] column) {
        return new Regressors(List.of(name), new double[][]{column}, null);
    }

    /** No columns. */
    public static Regressors none() {
        return new Regressors(List.of(), new double[0][], null);
    }

    /** These columns and one more. */
    public Regressors and(String name, double[] column) {
        List<String> n = new ArrayList<>(names);
        n.add(name);
        double[][] c = Arrays.copyOf(columns, columns.length + 1);
        c[columns.length] = column;
        List<String> f = null;
        if (fields != null) {
            f = new ArrayList<>(fields);
            f.add(null);
        }
        return new Regressors(n, c, f);
    }

    public int size() {
        return names.size();
    }

    /** The request field of column j: the given one, or {@code role[j]}. */
    String field(int j, String role) {
        String f = fields == null ? null : fields.get(j);
        return f != null ? f : role + "[" + j + "]";
    }
}

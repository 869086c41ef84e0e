package io.counterfact.engine.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Columns of equal length by name, in insertion order. */
public final class DataFrame {

    private final Map<String, Column> columns;
    private final int rows;

    private DataFrame(Map<String, Column> columns, int rows) {
        this.columns = Collections.unmodifiableMap(columns);
        this.rows = rows;
    }

    /**
     * A frame of the given columns.
     *
     * @throws IllegalArgumentException on duplicate names or unequal lengths
     */
    public static DataFrame of(List<Column> columns) {
        Map<String, Column> map = new LinkedHashMap<>();
        int rows = -1;
        for (Column c : columns) {
            if (map.put(c.name(), c) != null) {
                throw new IllegalArgumentException("duplicate column '" + c.name() + "'");
            }
            if (rows >= 0 && c.size() != rows) {
                throw new IllegalArgumentException("column '" + c.name() + "' has " + c.size() + " rows, others " + rows);
            }
            rows = c.size();
        }
        return new DataFrame(map, Math.max(rows, 0));
    }

    public static DataFrame of(Column... columns) {
        return of(List.of(columns));
    }

    public int rowCount() {
        return rows;
    }

    public boolean has(String name) {
        return columns.containsKey(name);
    }

    /**
     * The named column.
     *
     * @throws IllegalArgumentException if there is none
     */
    public Column column(String name) {
        Column c = columns.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no column '" + name + "'");
        }
        return c;
    }

    /** Column names in order. */
    public List<String> names() {
        return new ArrayList<>(columns.keySet());
    }

    /** Name → type of every column. */
    public Map<String, ColumnType> schema() {
        Map<String, ColumnType> s = new LinkedHashMap<>();
        columns.forEach((k, v) -> s.put(k, v.type()));
        return s;
    }

    /** The given rows (which may repeat, as in a bootstrap sample) of the named columns. */
    public DataFrame take(int[] rowIndices, List<String> names) {
        List<Column> cols = new ArrayList<>();
        for (String n : names) {
            cols.add(column(n).take(rowIndices));
        }
        return of(cols);
    }

    /** The given rows of every column. */
    public DataFrame take(int[] rowIndices) {
        return take(rowIndices, names());
    }

    /**
     * The given rows of every column, written into the arrays of {@code reuse}: a frame an earlier call returned from
     * this frame with as many rows, that nobody uses any more (it is overwritten). A bootstrap draws dozens of samples
     * of one frame and needs each only while it is estimated: one set of arrays per thread instead of a new frame per
     * replicate. With {@code reuse} null, a plain {@link #take(int[])}.
     */
    public DataFrame takeReusing(int[] rowIndices, DataFrame reuse) {
        if (reuse == null) {
            return take(rowIndices);
        }
        List<Column> cols = new ArrayList<>();
        for (Map.Entry<String, Column> c : columns.entrySet()) {
            cols.add(c.getValue().takeReusing(rowIndices, reuse.columns.get(c.getKey())));
        }
        return of(cols);
    }
}

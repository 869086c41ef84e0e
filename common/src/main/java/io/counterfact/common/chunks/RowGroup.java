package io.counterfact.common.chunks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A decoded row group (see {@link RowGroupBuilder} for the encoding). Numeric and binary columns decode to
 * {@code double[]} (binary as 0/1, missing as NaN) because that is what the causal engine consumes; categorical
 * columns to codes into this group's own level list.
 */
public final class RowGroup {

    private final int rows;
    private final ColumnType[] types;
    private final double[][] values;
    private final int[][] codes;
    private final String[][] levels;

    private RowGroup(int rows, ColumnType[] types, double[][] values, int[][] codes, String[][] levels) {
        this.rows = rows;
        this.types = types;
        this.values = values;
        this.codes = codes;
        this.levels = levels;
    }

    public static RowGroup decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt() != RowGroupBuilder.MAGIC) {
            throw new IllegalArgumentException("not a counterfact row group (bad magic)");
        }
        int rows = in.getInt();
        int columns = in.getInt();
        ColumnType[] types = new ColumnType[columns];
        double[][] values = new double[columns][];
        int[][] codes = new int[columns][];
        String[][] levels = new String[columns][];
        for (int c = 0; c < columns; c++) {
            types[c] = ColumnType.values()[in.get()];
            switch (types[c]) {
                case NUMERIC -> {
                    values[c] = new double[rows];
                    in.asDoubleBuffer().get(values[c]);
                    in.position(in.position() + 8 * rows);
                }
                case BINARY -> {
                    double[] v = new double[rows];
                    for (int r = 0; r < rows; r++) {
                        byte b = in.get();
                        v[r] = b < 0 ? Double.NaN : b;
                    }
                    values[c] = v;
                }
                case CATEGORICAL -> {
                    String[] l = new String[in.getInt()];
                    for (int i = 0; i < l.length; i++) {
                        byte[] utf8 = new byte[in.getInt()];
                        in.get(utf8);
                        l[i] = new String(utf8, StandardCharsets.UTF_8);
                    }
                    levels[c] = l;
                    codes[c] = new int[rows];
                    in.asIntBuffer().get(codes[c]);
                    in.position(in.position() + 4 * rows);
                }
            }
        }
        return new RowGroup(rows, types, values, codes, levels);
    }

    public int rows() {
        return rows;
    }

    public int columns() {
        return types.length;
    }

    public ColumnType type(int column) {
        return types[column];
    }

    /** Numeric or binary column values; NaN marks a missing value. */
    public double[] values(int column) {
        return values[column];
    }

    /** Categorical codes into {@link #levels(int)}; -1 marks a missing value. */
    public int[] codes(int column) {
        return codes[column];
    }

    public String[] levels(int column) {
        return levels[column];
    }
}

package io.counterfact.common.chunks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects validated rows column by column and encodes them as one row group: the unit in which rows are stored,
 * published on {@code counterfact.dataset-chunks} and replicated. Reused across row groups ({@link #reset()}), so an
 * upload of any size holds only one row group in memory.
 *
 * <p>Encoding (little-endian), documented in common/EVENTS.md:
 * <pre>
 * int magic 'CFC1', int rowCount, int columnCount, then per column in schema order:
 *   byte type (0 numeric, 1 binary, 2 categorical)
 *   numeric:     rowCount x float64, NaN = missing
 *   binary:      rowCount x int8 (0, 1; -1 = missing)
 *   categorical: int levelCount, levelCount x (int byteLength, UTF-8 bytes), rowCount x int32 code (-1 = missing)
 * </pre>
 */
public final class RowGroupBuilder {

    public static final int MAGIC = 0x31434643; // "CFC1" read as little-endian bytes
    /** Row groups stay well below Kafka's default 1 MB message size whatever the column count. */
    public static final int TARGET_BYTES = 512 * 1024;

    private final ColumnType[] types;
    private final int capacity;
    private final double[][] numeric;
    private final byte[][] binary;
    private final int[][] codes;
    private final List<Map<String, Integer>> levelIndex;
    private final List<List<String>> levels;
    private int rows;

    public RowGroupBuilder(List<ColumnType> columnTypes) {
        this(columnTypes, rowsPerGroup(columnTypes.size()));
    }

    public RowGroupBuilder(List<ColumnType> columnTypes, int capacity) {
        this.types = columnTypes.toArray(ColumnType[]::new);
        this.capacity = capacity;
        this.numeric = new double[types.length][];
        this.binary = new byte[types.length][];
        this.codes = new int[types.length][];
        this.levelIndex = new ArrayList<>();
        this.levels = new ArrayList<>();
        for (int c = 0; c < types.length; c++) {
            switch (types[c]) {
                case NUMERIC -> numeric[c] = new double[capacity];
                case BINARY -> binary[c] = new byte[capacity];
                case CATEGORICAL -> codes[c] = new int[capacity];
            }
            levelIndex.add(types[c] == ColumnType.CATEGORICAL ? new HashMap<>() : null);
            levels.add(types[c] == ColumnType.CATEGORICAL ? new ArrayList<>() : null);
        }
    }

    /** Rows per group so that a group of 8-byte columns stays near {@link #TARGET_BYTES}. */
    public static int rowsPerGroup(int columnCount) {
        return Math.max(1024, TARGET_BYTES / (8 * Math.max(1, columnCount)));
    }

    public void setNumeric(int column, double value) {
        numeric[column][rows] = value;
    }

    /** @param value 0, 1, or -1 for missing */
    public void setBinary(int column, int value) {
        binary[column][rows] = (byte) value;
    }

    /** @param value the level, or {@code null} for missing */
    public void setCategorical(int column, String value) {
        if (value == null) {
            codes[column][rows] = -1;
            return;
        }
        Map<String, Integer> index = levelIndex.get(column);
        Integer code = index.get(value);
        if (code == null) {
            code = index.size();
            index.put(value, code);
            levels.get(column).add(value);
        }
        codes[column][rows] = code;
    }

    /** Completes the current row. */
    public void endRow() {
        rows++;
    }

    public int rows() {
        return rows;
    }

    public boolean isFull() {
        return rows == capacity;
    }

    public boolean isEmpty() {
        return rows == 0;
    }

    public byte[] encode() {
        int size = 12;
        List<byte[][]> encodedLevels = new ArrayList<>();
        for (int c = 0; c < types.length; c++) {
            size += 1;
            switch (types[c]) {
                case NUMERIC -> size += 8 * rows;
                case BINARY -> size += rows;
                case CATEGORICAL -> {
                    byte[][] utf8 = levels.get(c).stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
                    size += 4 + 4 * rows;
                    for (byte[] b : utf8) {
                        size += 4 + b.length;
                    }
                    encodedLevels.add(utf8);
                }
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putInt(rows).putInt(types.length);
        int categorical = 0;
        for (int c = 0; c < types.length; c++) {
            out.put((byte) types[c].ordinal());
            switch (types[c]) {
                case NUMERIC -> out.asDoubleBuffer().put(numeric[c], 0, rows);
                case BINARY -> out.put(binary[c], 0, rows);
                case CATEGORICAL -> {
                    byte[][] utf8 = encodedLevels.get(categorical++);
                    out.putInt(utf8.length);
                    for (byte[] b : utf8) {
                        out.putInt(b.length).put(b);
                    }
                    out.asIntBuffer().put(codes[c], 0, rows);
                }
            }
            if (types[c] == ColumnType.NUMERIC) {
                out.position(out.position() + 8 * rows);
            } else if (types[c] == ColumnType.CATEGORICAL) {
                out.position(out.position() + 4 * rows);
            }
        }
        return out.array();
    }

    /** Empties the builder for the next row group. */
    public void reset() {
        rows = 0;
        for (int c = 0; c < types.length; c++) {
            if (types[c] == ColumnType.CATEGORICAL) {
                levelIndex.get(c).clear();
                levels.get(c).clear();
                Arrays.fill(codes[c], 0);
            }
        }
    }
}

package io.counterfact.estimation.replica;

import io.counterfact.common.chunks.RowGroupBuilder;
import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.DataFrame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the engine's {@link DataFrame} of a version from its encoded row groups, appended in row order: each row
 * group is decoded straight into the version-long column arrays (allocated once, at their final size), so neither the
 * encoded bytes nor a second copy of the values are held. Categorical levels, per row group in the encoding, are
 * mapped to one dictionary per column; {@link #build()} sorts it (the first level in sort order is the reference, as
 * in R) and rewrites the codes.
 */
final class FrameBuilder {

    private final List<ReplicaVersion.ColumnInfo> columns;
    private final byte[] types;
    private final int rows;
    private final double[][] values;
    private final int[][] codes;
    private final List<Map<String, Integer>> dictionaryIndex = new ArrayList<>();
    private final List<List<String>> dictionary = new ArrayList<>();
    private int filled;

    FrameBuilder(List<ReplicaVersion.ColumnInfo> columns, long rows) {
        if (rows < 0 || rows > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a version of " + rows + " rows does not fit one DataFrame");
        }
        this.columns = List.copyOf(columns);
        this.rows = (int) rows;
        this.types = new byte[columns.size()];
        this.values = new double[columns.size()][];
        this.codes = new int[columns.size()][];
        for (int c = 0; c < columns.size(); c++) {
            String type = columns.get(c).type();
            switch (type) {
                case "numeric" -> types[c] = 0;
                case "binary" -> types[c] = 1;
                case "categorical" -> types[c] = 2;
                default -> throw new IllegalStateException("column '" + columns.get(c).name() + "' has unknown type " + type);
            }
            if (types[c] == 2) {
                codes[c] = new int[this.rows];
            } else {
                values[c] = new double[this.rows];
            }
            dictionaryIndex.add(types[c] == 2 ? new HashMap<>() : null);
            dictionary.add(types[c] == 2 ? new ArrayList<>() : null);
        }
    }

    /** Decodes one row group into the next rows. */
    void append(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt() != RowGroupBuilder.MAGIC) {
            throw new IllegalStateException("stored row group is not a counterfact row group (bad magic)");
        }
        int n = in.getInt();
        int columnCount = in.getInt();
        if (columnCount != types.length) {
            throw new IllegalStateException("stored row group has " + columnCount + " columns, the version " + types.length);
        }
        if (n < 0 || (long) filled + n > rows) {
            throw new IllegalStateException("stored row groups hold more rows than the version's " + rows);
        }
        for (int c = 0; c < types.length; c++) {
            byte type = in.get();
            if (type != types[c]) {
                throw new IllegalStateException("stored row group has type " + type + " for column '"
                        + columns.get(c).name() + "' (" + columns.get(c).type() + ")");
            }
            switch (type) {
                case 0 -> {
                    in.asDoubleBuffer().get(values[c], filled, n);
                    in.position(in.position() + 8 * n);
                }
                case 1 -> {
                    double[] v = values[c];
                    for (int r = 0; r < n; r++) {
                        byte b = in.get();
                        v[filled + r] = b < 0 ? Double.NaN : b;
                    }
                }
                default -> {
                    int levelCount = in.getInt();
                    int[] toGlobal = new int[levelCount];
                    Map<String, Integer> index = dictionaryIndex.get(c);
                    List<String> levels = dictionary.get(c);
                    for (int l = 0; l < levelCount; l++) {
                        byte[] utf8 = new byte[in.getInt()];
                        in.get(utf8);
                        String level = new String(utf8, StandardCharsets.UTF_8);
                        Integer code = index.get(level);
                        if (code == null) {
                            code = levels.size();
                            index.put(level, code);
                            levels.add(level);
                        }
                        toGlobal[l] = code;
                    }
                    int[] out = codes[c];
                    var ints = in.asIntBuffer();
                    for (int r = 0; r < n; r++) {
                        int local = ints.get();
                        out[filled + r] = local < 0 ? Column.MISSING_CODE : toGlobal[local];
                    }
                    in.position(in.position() + 4 * n);
                }
            }
        }
        filled += n;
    }

    int rowsFilled() {
        return filled;
    }

    DataFrame build() {
        if (filled != rows) {
            throw new IllegalStateException("stored row groups hold " + filled + " rows, the version " + rows);
        }
        List<Column> out = new ArrayList<>(types.length);
        for (int c = 0; c < types.length; c++) {
            String name = columns.get(c).name();
            switch (types[c]) {
                case 0 -> out.add(Column.numeric(name, values[c]));
                case 1 -> out.add(Column.binary(name, values[c]));
                default -> out.add(Column.categorical(name, sortLevels(codes[c], dictionary.get(c)), sorted(dictionary.get(c))));
            }
        }
        return DataFrame.of(out);
    }

    /** Levels in sort order ({@link String#compareTo}: the C locale's order of R's {@code sort(method = "radix")}). */
    private static List<String> sorted(List<String> firstSeen) {
        List<String> s = new ArrayList<>(firstSeen);
        s.sort(null);
        return s;
    }

    /** Rewrites first-seen codes into codes of the sorted levels, in place. */
    private static int[] sortLevels(int[] codes, List<String> firstSeen) {
        Integer[] order = new Integer[firstSeen.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> firstSeen.get(a).compareTo(firstSeen.get(b)));
        int[] remap = new int[order.length];
        boolean identity = true;
        for (int sortedIndex = 0; sortedIndex < order.length; sortedIndex++) {
            remap[order[sortedIndex]] = sortedIndex;
            identity &= order[sortedIndex] == sortedIndex;
        }
        if (!identity) {
            for (int r = 0; r < codes.length; r++) {
                if (codes[r] >= 0) {
                    codes[r] = remap[codes[r]];
                }
            }
        }
        return codes;
    }

    /** Approximate heap bytes of a frame (its arrays and levels), what the cache is bounded by. */
    static long sizeOf(DataFrame frame) {
        long bytes = 64;
        for (String name : frame.names()) {
            Column c = frame.column(name);
            bytes += 64 + 16;
            if (c.type() == io.counterfact.engine.data.ColumnType.CATEGORICAL) {
                bytes += 4L * c.size();
                for (String level : c.levels()) {
                    bytes += 56 + level.length();
                }
            } else {
                bytes += 8L * c.size();
            }
        }
        return bytes;
    }
}

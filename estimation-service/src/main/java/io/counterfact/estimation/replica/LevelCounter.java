package io.counterfact.estimation.replica;

import io.counterfact.common.chunks.RowGroupBuilder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counts the distinct levels of each categorical column of a version from its encoded row groups (levels are per row
 * group in the encoding: the version's are their union), reading only the dictionaries and skipping the values. What
 * the cost model needs to know a categorical's one-hot width at POST without loading the version.
 *
 * <p>A column is counted up to {@link #CAP} levels (the set of level strings is what this holds in memory): a
 * covariate with that many levels would need a one-hot design of at least {@code 8·CAP²} bytes (320 GB), refused
 * whatever its exact count, so the cap is stored as its count.
 */
final class LevelCounter {

    /** Most levels counted exactly per column. */
    static final int CAP = 200_000;

    private final List<ReplicaVersion.ColumnInfo> columns;
    private final List<Set<String>> seen = new ArrayList<>();

    LevelCounter(List<ReplicaVersion.ColumnInfo> columns) {
        this.columns = List.copyOf(columns);
        for (ReplicaVersion.ColumnInfo c : columns) {
            seen.add("categorical".equals(c.type()) ? new HashSet<>() : null);
        }
    }

    static boolean hasCategorical(List<ReplicaVersion.ColumnInfo> columns) {
        return columns.stream().anyMatch(c -> "categorical".equals(c.type()));
    }

    /** Adds one encoded row group's levels. */
    void append(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt() != RowGroupBuilder.MAGIC) {
            throw new IllegalStateException("stored row group is not a counterfact row group (bad magic)");
        }
        int n = in.getInt();
        int columnCount = in.getInt();
        if (columnCount != columns.size()) {
            throw new IllegalStateException("stored row group has " + columnCount + " columns, the version " + columns.size());
        }
        for (int c = 0; c < columnCount; c++) {
            byte type = in.get();
            switch (type) {
                case 0 -> in.position(in.position() + 8 * n);
                case 1 -> in.position(in.position() + n);
                case 2 -> {
                    int levelCount = in.getInt();
                    Set<String> levels = seen.get(c);
                    for (int l = 0; l < levelCount; l++) {
                        int length = in.getInt();
                        if (levels != null && levels.size() < CAP) {
                            levels.add(new String(payload, in.position(), length, StandardCharsets.UTF_8));
                        }
                        in.position(in.position() + length);
                    }
                    in.position(in.position() + 4 * n);
                }
                default -> throw new IllegalStateException("stored row group has unknown column type " + type);
            }
        }
    }

    /** Each categorical column's number of distinct levels, in schema order. */
    Map<String, Integer> counts() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
            if (seen.get(c) != null) {
                out.put(columns.get(c).name(), seen.get(c).size());
            }
        }
        return out;
    }
}

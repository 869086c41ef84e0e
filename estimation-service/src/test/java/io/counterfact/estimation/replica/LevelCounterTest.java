package io.counterfact.estimation.replica;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The level counts the cost model reads at POST: the union of the row groups' dictionaries, per categorical column. */
class LevelCounterTest {

    @Test
    void theCountsAreTheDistinctLevelsOverEveryRowGroupAsTheLoadedFrameHasThem() {
        List<Fixtures.Col> columns = Fixtures.columns();
        Fixtures.Table table = Fixtures.random(7, 3000, columns);
        Fixtures.Batch batch = Fixtures.batch(table, 97); // many row groups, each with its own first-seen dictionary
        List<ReplicaVersion.ColumnInfo> infos = columns.stream()
                .map(c -> new ReplicaVersion.ColumnInfo(c.name(), c.type().name().toLowerCase(java.util.Locale.ROOT))).toList();
        LevelCounter counter = new LevelCounter(infos);
        FrameBuilder frame = new FrameBuilder(infos, table.rows());
        for (byte[] group : batch.rowGroups()) {
            counter.append(group);
            frame.append(group);
        }
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
            if (table.levels()[c] != null) {
                Set<String> distinct = new HashSet<>(java.util.Arrays.stream(table.levels()[c]).filter(Objects::nonNull).toList());
                expected.put(columns.get(c).name(), distinct.size());
            }
        }
        assertEquals(List.of("region", "segment"), List.copyOf(expected.keySet()));
        assertTrue(expected.values().stream().allMatch(n -> n > 1), expected.toString());
        assertEquals(expected, counter.counts());
        var built = frame.build();
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            assertEquals(e.getValue(), built.column(e.getKey()).levels().size(), e.getKey());
        }
        assertEquals(Map.of(), new LevelCounter(List.of(new ReplicaVersion.ColumnInfo("x", "numeric"))).counts());
    }
}

package io.counterfact.estimation.replica;

import io.counterfact.common.chunks.ColumnType;
import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.DataFrame;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameBuilderTest {

    static final List<ReplicaVersion.ColumnInfo> COLUMNS = Fixtures.columns().stream()
            .map(c -> new ReplicaVersion.ColumnInfo(c.name(), c.type().apiName())).toList();

    @Test
    void rowGroupsWithTheirOwnLevelOrdersMakeOneSortedDictionaryPerColumn() {
        Fixtures.Table table = Fixtures.random(11, 1_000, Fixtures.columns());
        Fixtures.Batch batch = Fixtures.batch(table, 90); // 12 row groups, each with its own first-seen level order
        FrameBuilder builder = new FrameBuilder(COLUMNS, table.rows());
        batch.rowGroups().forEach(builder::append);
        DataFrame frame = builder.build();
        Fixtures.assertFrameEquals(table, frame);
        assertTrue(FrameBuilder.sizeOf(frame) >= 3L * 8 * 1_000 + 2L * 4 * 1_000);
    }

    @Test
    void missingValuesStayMissing() {
        Fixtures.Table table = new Fixtures.Table(List.of(new Fixtures.Col("x", ColumnType.NUMERIC),
                new Fixtures.Col("t", ColumnType.BINARY), new Fixtures.Col("g", ColumnType.CATEGORICAL)), 3,
                new double[][]{{Double.NaN, 1, 2}, {1, Double.NaN, 0}, null},
                new String[][]{null, null, {"b", null, "a"}});
        FrameBuilder builder = new FrameBuilder(List.of(new ReplicaVersion.ColumnInfo("x", "numeric"),
                new ReplicaVersion.ColumnInfo("t", "binary"), new ReplicaVersion.ColumnInfo("g", "categorical")), 3);
        Fixtures.batch(table, 2).rowGroups().forEach(builder::append);
        DataFrame frame = builder.build();
        assertTrue(frame.column("x").isMissing(0));
        assertTrue(frame.column("t").isMissing(1));
        assertEquals(List.of("a", "b"), frame.column("g").levels());
        assertEquals(Column.MISSING_CODE, frame.column("g").codes()[1]);
        assertEquals(1, frame.column("g").codes()[0]);
        assertEquals(0, frame.column("g").codes()[2]);
    }

    @Test
    void rowGroupsThatDisagreeWithTheVersionAreRefused() {
        Fixtures.Table table = Fixtures.random(12, 100, Fixtures.columns());
        byte[] group = Fixtures.batch(table, 100).rowGroups().get(0);
        FrameBuilder fewer = new FrameBuilder(COLUMNS, 50);
        assertThrows(IllegalStateException.class, () -> fewer.append(group));
        FrameBuilder more = new FrameBuilder(COLUMNS, 150);
        more.append(group);
        assertThrows(IllegalStateException.class, more::build);
        FrameBuilder otherTypes = new FrameBuilder(new java.util.ArrayList<>(COLUMNS) {{ java.util.Collections.reverse(this); }}, 100);
        assertThrows(IllegalStateException.class, () -> otherTypes.append(group));
    }
}

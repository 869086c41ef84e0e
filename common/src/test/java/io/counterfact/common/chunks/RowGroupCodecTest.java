package io.counterfact.common.chunks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowGroupCodecTest {

    private static final List<ColumnType> TYPES = List.of(ColumnType.NUMERIC, ColumnType.BINARY, ColumnType.CATEGORICAL);

    @Test
    void roundTripKeepsValuesMissingMarkersAndLevels() {
        RowGroupBuilder builder = new RowGroupBuilder(TYPES, 4);
        row(builder, 1.5, 1, "b");
        row(builder, Double.NaN, -1, null);
        row(builder, -2e300, 0, "é");
        row(builder, 0.0, 1, "b");
        assertTrue(builder.isFull());

        RowGroup group = RowGroup.decode(builder.encode());

        assertEquals(4, group.rows());
        assertEquals(3, group.columns());
        assertArrayEquals(new double[] {1.5, Double.NaN, -2e300, 0.0}, group.values(0));
        assertArrayEquals(new double[] {1, Double.NaN, 0, 1}, group.values(1));
        assertArrayEquals(new String[] {"b", "é"}, group.levels(2));
        assertArrayEquals(new int[] {0, -1, 1, 0}, group.codes(2));
    }

    @Test
    void resetStartsAFreshGroupWithItsOwnLevels() {
        RowGroupBuilder builder = new RowGroupBuilder(TYPES, 4);
        row(builder, 1, 1, "x");
        builder.encode();
        builder.reset();
        row(builder, 2, 0, "y");
        RowGroup group = RowGroup.decode(builder.encode());
        assertEquals(1, group.rows());
        assertArrayEquals(new String[] {"y"}, group.levels(2));
        assertArrayEquals(new double[] {2}, group.values(0));
    }

    @Test
    void rowGroupsStayBelowAKafkaMessage() {
        for (int columns : new int[] {1, 22, 300}) {
            int rows = RowGroupBuilder.rowsPerGroup(columns);
            assertTrue((long) rows * columns * 8 <= 1_000_000 || rows == 1024, "columns=" + columns);
        }
    }

    @Test
    void rejectsBytesThatAreNotARowGroup() {
        assertThrows(IllegalArgumentException.class, () -> RowGroup.decode(new byte[] {1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0}));
    }

    @Test
    void versionChecksumsChainAndDependOnEveryBatch() {
        byte[] a = Checksums.sha256().digest(new byte[] {1});
        byte[] b = Checksums.sha256().digest(new byte[] {2});
        String v1 = Checksums.versionChecksum(null, List.of(a));
        String v2 = Checksums.versionChecksum(v1, List.of(b));
        assertTrue(v1.startsWith("sha256:"));
        assertEquals(v2, Checksums.versionChecksum(v1, List.of(b)));
        assertNotEquals(v2, Checksums.versionChecksum(null, List.of(a, b)));
        assertNotEquals(Checksums.versionChecksum(null, List.of(a, b)), Checksums.versionChecksum(null, List.of(b, a)));
    }

    private static void row(RowGroupBuilder builder, double x, int flag, String level) {
        builder.setNumeric(0, x);
        builder.setBinary(1, flag);
        builder.setCategorical(2, level);
        builder.endRow();
    }
}

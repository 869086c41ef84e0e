package io.counterfact.estimation.replica;

import io.counterfact.common.chunks.ColumnType;
import io.counterfact.common.chunks.RowGroupBuilder;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowGroupLayoutTest {

    private static byte[] sample() {
        RowGroupBuilder b = new RowGroupBuilder(List.of(ColumnType.NUMERIC, ColumnType.BINARY, ColumnType.CATEGORICAL), 10);
        b.setNumeric(0, 1.5);
        b.setBinary(1, 1);
        b.setCategorical(2, "north");
        b.endRow();
        b.setNumeric(0, Double.NaN);
        b.setBinary(1, -1);
        b.setCategorical(2, null);
        b.endRow();
        return b.encode();
    }

    @Test
    void aWellFormedRowGroupGivesItsRowsAndColumnTypes() {
        RowGroupLayout layout = RowGroupLayout.read(sample());
        assertEquals(2, layout.rows());
        assertEquals("nbc", layout.columnTypes());
        assertEquals("nbc", RowGroupLayout.signature(List.of(new ReplicaVersion.ColumnInfo("y", "numeric"),
                new ReplicaVersion.ColumnInfo("t", "binary"), new ReplicaVersion.ColumnInfo("r", "categorical"))));
    }

    @Test
    void malformedRowGroupsArePoisonNamingTheFault() {
        byte[] ok = sample();
        assertPoison(new byte[]{1, 2, 3}, "shorter than its 12-byte header");
        byte[] magic = ok.clone();
        magic[0] = 'X';
        assertPoison(magic, "bad magic");
        assertPoison(Arrays.copyOf(ok, ok.length - 1), "ends inside column 2");
        assertPoison(Arrays.copyOf(ok, ok.length + 3), "3 bytes follow the last column");
        byte[] binary = ok.clone();
        binary[12 + 1 + 16 + 1] = 7; // first binary value
        assertPoison(binary, "binary column 1 has value 7 in row 0");
        byte[] code = ok.clone();
        code[ok.length - 8] = 5; // first categorical code, one level only
        assertPoison(code, "categorical column 2 has code 5 in row 0 but 1 levels");
        byte[] type = ok.clone();
        type[12] = 9;
        assertPoison(type, "column 0 has unknown type 9");
    }

    private static void assertPoison(byte[] payload, String expected) {
        PoisonRecordException e = assertThrows(PoisonRecordException.class, () -> RowGroupLayout.read(payload));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}

package io.counterfact.engine.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class DataFrameTest {

    private static final DataFrame FRAME = DataFrame.of(
            Column.numeric("y", new double[]{1.5, 2.5, 3.5, 4.5}),
            Column.binary("t", new double[]{0, 1, 1, 0}),
            Column.categorical("g", new int[]{2, 0, 1, 2}, List.of("a", "b", "c")));

    @Test
    void takingIntoAnEarlierSampleGivesTheSameRowsInItsArrays() {
        DataFrame first = FRAME.take(new int[]{0, 0, 3, 1});
        int[] rows = {2, 1, 1, 3};
        DataFrame fresh = FRAME.take(rows);
        DataFrame reused = FRAME.takeReusing(rows, first);

        assertEquals(FRAME.names(), reused.names());
        assertEquals(FRAME.schema(), reused.schema());
        assertArrayEquals(new double[]{3.5, 2.5, 2.5, 4.5}, reused.column("y").values());
        assertArrayEquals(fresh.column("t").values(), reused.column("t").values());
        assertArrayEquals(new int[]{1, 0, 0, 2}, reused.column("g").codes());
        assertEquals(List.of("a", "b", "c"), reused.column("g").levels());
        // written into the earlier sample's arrays, not new ones
        assertSame(first.column("y").values(), reused.column("y").values());
        assertSame(first.column("t").values(), reused.column("t").values());
        assertSame(first.column("g").codes(), reused.column("g").codes());
        // the original frame is untouched
        assertArrayEquals(new double[]{1.5, 2.5, 3.5, 4.5}, FRAME.column("y").values());
    }

    @Test
    void withNothingToReuseOrAnotherLengthItTakesIntoNewArrays() {
        DataFrame none = FRAME.takeReusing(new int[]{3, 2}, null);
        assertArrayEquals(new double[]{4.5, 3.5}, none.column("y").values());

        DataFrame shorter = FRAME.take(new int[]{1});
        DataFrame longer = FRAME.takeReusing(new int[]{0, 1, 2}, shorter);
        assertArrayEquals(new double[]{1.5, 2.5, 3.5}, longer.column("y").values());
        assertNotSame(shorter.column("y").values(), longer.column("y").values());
        assertArrayEquals(new double[]{2.5}, shorter.column("y").values());
    }
}

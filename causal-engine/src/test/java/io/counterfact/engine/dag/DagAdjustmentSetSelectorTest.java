package io.counterfact.engine.dag;

import io.counterfact.engine.InvalidSpecException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DagAdjustmentSetSelectorTest {

    private final DagAdjustmentSetSelector selector = new DagAdjustmentSetSelector();

    // Primer fig. 3.8: minimal sets for X -> Y are {A,Z}, {B,Z}, {C,Z}, {D,Z}
    private static final String FIG_38 = "dag{ A -> X; B -> {A Z}; C -> {D Z}; D -> Y; W -> Y; X -> W; Z -> {X Y} }";

    @Test
    void choosesTheFirstSmallestMinimalSetAmongTheColumns() {
        Set<String> all = Set.of("A", "B", "C", "D", "W", "X", "Y", "Z");
        assertEquals(List.of("A", "Z"), selector.select(FIG_38, "X", "Y", all));
        // without A in the data the next one is chosen
        assertEquals(List.of("B", "Z"), selector.select(FIG_38, "X", "Y", Set.of("B", "C", "D", "W", "X", "Y", "Z")));
        // the JSON form as text
        String json = "{\"nodes\": [\"U\", \"X\", \"Y\"], \"edges\": [[\"U\", \"X\"], [\"U\", \"Y\"], [\"X\", \"Y\"]]}";
        assertEquals(List.of("U"), selector.select(json, "X", "Y", Set.of("U", "X", "Y")));
    }

    @Test
    void aConfounderMissingFromTheDataLeavesNoSetAndSaysWhich() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> selector.select(FIG_38, "X", "Y", Set.of("A", "B", "C", "D", "W", "X", "Y")));
        assertEquals("dag", e.field());
        assertTrue(e.getMessage().contains("not in the dataset: Z"), e.getMessage());
    }

    @Test
    void theTreatmentMustBeANode() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> selector.select("dag { T -> Y }", "treat", "Y", Set.of("treat", "Y")));
        assertEquals("dag", e.field());
        assertTrue(e.getMessage().contains("'treat'"), e.getMessage());
        InvalidSpecException cycle = assertThrows(InvalidSpecException.class,
                () -> selector.select("dag { T -> Y -> T }", "T", "Y", Set.of("T", "Y")));
        assertEquals("dag", cycle.field());
    }
}

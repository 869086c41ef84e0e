package io.counterfact.engine.dag;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DagParserTest {

    private static Map<?, ?> json(String text) throws Exception {
        return new ObjectMapper().readValue(text, Map.class);
    }

    @Test
    void readsTheArchitectureExampleWithEveryStatementForm() {
        Dag dag = DagParser.parseText("""
                dag {
                  bb="0,0,1,1"
                  A -> B; B <- C; A <-> D
                  E
                  "smoking status" [exposure, pos="0.1,0.2"] -> F -> G [beta=.3]
                  { H I } -> J
                  U [latent]
                  U -> J
                }""");
        assertEquals(List.of("A", "B", "C", "D", "E", "smoking status", "F", "G", "H", "I", "J", "U"), dag.nodes());
        assertEquals(List.of(new Edge("A", "B"), new Edge("C", "B"), new Edge("smoking status", "F"),
                new Edge("F", "G"), new Edge("H", "J"), new Edge("I", "J"), new Edge("U", "J")), dag.edges());
        assertEquals(List.of(new Edge("A", "D")), dag.bidirectedEdges());
        assertEquals(List.of("U"), dag.latentNodes());
        assertEquals("smoking status", dag.exposure().orElseThrow());
        assertTrue(dag.outcome().isEmpty());
        assertEquals(8, dag.edgeCount());
        assertEquals(List.of("A", "C"), dag.parents("B"));
    }

    @Test
    void readsBareStatementsWithoutHeaderAsDagittyDoes() {
        // dagitty's own test (r/tests/testthat/testInstruments.R) writes graphs without "dag { }"
        Dag dag = DagParser.parseText("{y[o]}<-w->i->{x[e]}->y<->x");
        assertEquals(List.of("y", "w", "i", "x"), dag.nodes());
        assertEquals(List.of(new Edge("w", "y"), new Edge("w", "i"), new Edge("i", "x"), new Edge("x", "y")), dag.edges());
        assertEquals(List.of(new Edge("y", "x")), dag.bidirectedEdges());
        assertEquals("x", dag.exposure().orElseThrow());
        assertEquals("y", dag.outcome().orElseThrow());
    }

    @Test
    void textAndJsonFormsGiveTheSameGraph() throws Exception {
        Dag text = DagParser.parse("dag { A -> B; B -> C; A <-> C; D }");
        Dag fromJson = DagParser.parse(json("""
                {"nodes": ["A", "B", "C", "D"], "edges": [["A", "B"], ["B", "C"]], "bidirected": [["A", "C"]]}"""));
        assertEquals(text.nodes(), fromJson.nodes());
        assertEquals(text.edges(), fromJson.edges());
        assertEquals(text.bidirectedEdges(), fromJson.bidirectedEdges());
        assertEquals(text.toString(), fromJson.toString());
        // the printed form reads back to the same graph
        assertEquals(text.toString(), DagParser.parseText(text.toString()).toString());
    }

    @Test
    void theJsonFormAlsoReadsFromText() throws Exception {
        String text = "{\"nodes\": [\"A\", \"B\", \"C\"], \"edges\": [[\"A\", \"B\"]], \"bidirected\": [[\"B\", \"C\"]]}";
        Dag fromText = DagParser.parse(text);
        Dag fromMap = DagParser.parse(json(text));
        assertEquals(fromMap.toString(), fromText.toString());
        // dagitty text with quoted names is not mistaken for JSON
        assertEquals(List.of(new Edge("A", "B")), DagParser.parse("{\"A\" -> \"B\"}").edges());
    }

    @Test
    void jsonLatentListMarksNodesUnobserved() throws Exception {
        Dag dag = DagParser.parse(json("""
                {"nodes": ["U", "X", "Y"], "edges": [["U", "X"], ["U", "Y"], ["X", "Y"]], "latent": ["U"]}"""));
        assertEquals(List.of("X", "Y"), dag.observedNodes());
    }

    @Test
    void aCycleIsRejectedNamingTheEdgeThatClosesIt() {
        DagException e = assertThrows(DagException.class,
                () -> DagParser.parseText("dag { A -> B; B -> C; D -> A; C -> A }"));
        assertEquals(DagException.Kind.CYCLE, e.kind());
        assertEquals("dag", e.field());
        assertEquals(new Edge("C", "A"), e.edge());
        assertTrue(e.getMessage().contains("A -> B -> C -> A"), e.getMessage());
        assertTrue(e.getMessage().contains("edge C -> A closes it"), e.getMessage());
    }

    @Test
    void aCycleInJsonAndASelfLoopAreRejected() throws Exception {
        DagException e = assertThrows(DagException.class, () -> DagParser.parse(json("""
                {"nodes": ["X", "Y"], "edges": [["X", "Y"], ["Y", "X"]]}""")));
        assertEquals(new Edge("Y", "X"), e.edge());
        DagException loop = assertThrows(DagException.class, () -> DagParser.parseText("dag { X -> X }"));
        assertEquals(DagException.Kind.CYCLE, loop.kind());
        assertTrue(loop.getMessage().contains("X -> X"), loop.getMessage());
    }

    @Test
    void anEdgeToAnUnlistedNodeIsRejectedNamingIt() throws Exception {
        DagException e = assertThrows(DagException.class, () -> DagParser.parse(json("""
                {"nodes": ["A", "B"], "edges": [["A", "B"], ["B", "Q"]]}""")));
        assertEquals(DagException.Kind.UNKNOWN_NODE, e.kind());
        assertEquals("Q", e.node());
        assertTrue(e.getMessage().contains("Q"), e.getMessage());
        DagException bidirected = assertThrows(DagException.class, () -> DagParser.parse(json("""
                {"nodes": ["A"], "bidirected": [["A", "Z9"]]}""")));
        assertEquals("Z9", bidirected.node());
    }

    @Test
    void syntaxErrorsNameLineAndColumn() {
        DagException e = assertThrows(DagException.class,
                () -> DagParser.parseText("dag {\n  A -> B\n  B -> -> C\n}"));
        assertEquals(DagException.Kind.SYNTAX, e.kind());
        assertEquals(3, e.line());
        assertEquals(8, e.column());
        assertTrue(e.getMessage().contains("line 3, column 8"), e.getMessage());

        DagException open = assertThrows(DagException.class, () -> DagParser.parseText("dag { A -> B"));
        assertTrue(open.getMessage().contains("expected '}'"), open.getMessage());

        DagException undirected = assertThrows(DagException.class, () -> DagParser.parseText("dag { A -- B }"));
        assertEquals(9, undirected.column());
        assertTrue(undirected.getMessage().contains("'--'"), undirected.getMessage());

        DagException stray = assertThrows(DagException.class, () -> DagParser.parseText("dag { A -> B } C"));
        assertTrue(stray.getMessage().contains("'C'"), stray.getMessage());

        assertThrows(DagException.class, () -> DagParser.parseText("pdag { A -> B }"));
        assertThrows(DagException.class, () -> DagParser.parseText("dag { A -> B ! }"));
    }

    @Test
    void wrongJsonShapesAreRejectedNamingTheKey() throws Exception {
        assertTrue(assertThrows(DagException.class, () -> DagParser.parse(json("{\"edges\": []}")))
                .getMessage().contains("nodes"));
        assertTrue(assertThrows(DagException.class, () -> DagParser.parse(json("{\"nodes\": [\"A\"], \"arcs\": []}")))
                .getMessage().contains("arcs"));
        assertTrue(assertThrows(DagException.class, () -> DagParser.parse(json("{\"nodes\": [\"A\"], \"edges\": [[\"A\"]]}")))
                .getMessage().contains("edges[0]"));
        assertTrue(assertThrows(DagException.class, () -> DagParser.parse(json("{\"nodes\": [\"A\", \"A\"]}")))
                .getMessage().contains("twice"));
        DagException badJson = assertThrows(DagException.class,
                () -> DagParser.parse("{\"nodes\": [\"A\"],\n \"edges\": [[\"A\" \"B\"]]}"));
        assertEquals(DagException.Kind.SYNTAX, badJson.kind());
        assertEquals(2, badJson.line());
        assertTrue(badJson.getMessage().contains("invalid JSON"), badJson.getMessage());
        DagException missing = assertThrows(DagException.class, () -> DagParser.parse(null));
        assertEquals("dag", missing.field());
        assertNull(missing.node());
    }
}

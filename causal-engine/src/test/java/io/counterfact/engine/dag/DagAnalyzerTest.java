package io.counterfact.engine.dag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Textbook graphs with known answers. Where a graph comes from dagitty's documentation or tests, or
 * from Behrman's dagitty (0.3-2) solutions to Pearl, Glymour and Jewell's "Causal Inference in
 * Statistics: A Primer" (github.com/behrman/cis, solutions_dagitty.md), the expected answer is
 * dagitty's output quoted there.
 */
class DagAnalyzerTest {

    private static List<List<String>> sets(String... sets) {
        return java.util.Arrays.stream(sets)
                .map(s -> s.isEmpty() ? List.<String>of() : List.of(s.split(",")))
                .collect(Collectors.toList());
    }

    private static List<String> statements(ImpliedIndependences ci) {
        return ci.items().stream().map(ConditionalIndependence::toString).toList();
    }

    @Test
    void confoundingTriangleNeedsTheConfounder() {
        DagAnalysis a = DagAnalyzer.analyze(DagParser.parseText("dag { Z -> X; Z -> Y; X -> Y }"), "X", "Y");
        assertEquals(sets("Z"), a.adjustmentSets().minimal());
        assertEquals(sets("Z"), a.adjustmentSets().all());
        assertFalse(a.adjustmentSets().allTruncated());
        assertEquals(List.of(), a.frontDoor());
        assertEquals(List.of(), a.instruments());
        assertEquals(List.of(), a.impliedIndependences());
        assertEquals(3, a.nodes());
        assertEquals(3, a.edges());
    }

    @Test
    void mBiasEmptySetSufficesAndTheColliderAloneBreaksIt() {
        // dagitty r/tests/testthat/testAdjustments.R ("M bias graph")
        Dag dag = DagParser.parseText("dag {X [exposure] Y [outcome] { A B } -> Z  A -> X B -> Y }");
        AdjustmentSets s = DagAnalyzer.adjustmentSets(dag, null, null);
        assertEquals(sets(""), s.minimal());
        assertEquals(sets("", "A", "B", "A,B", "A,Z", "B,Z", "A,B,Z"), s.all());
        assertFalse(DagAnalyzer.isAdjustmentSet(dag, "X", "Y", List.of("Z")));
        assertTrue(DagAnalyzer.isAdjustmentSet(dag, "X", "Y", List.of("A", "Z")));
        assertTrue(DagAnalyzer.isAdjustmentSet(dag, "X", "Y", List.of()));
        // the same structure with latent causes, dagitty's adjustmentSets() help example: "empty set"
        Dag latent = DagParser.parseText("dag{ x -> y ; x <-> m <-> y }");
        assertEquals(sets(""), DagAnalyzer.adjustmentSets(latent, "x", "y").minimal());
        assertEquals(sets(""), DagAnalyzer.adjustmentSets(latent, "x", "y").all());
        assertFalse(DagAnalyzer.isAdjustmentSet(latent, "x", "y", List.of("m")));
    }

    @Test
    void butterflyNeedsTheBridgeAndOneOfItsParents() {
        // M is a confounder and a collider of A and B: adjusting for M alone opens X <- A -> M <- B -> Y
        Dag dag = DagParser.parseText("dag { A -> X; A -> M; B -> M; B -> Y; M -> X; M -> Y; X -> Y }");
        AdjustmentSets s = DagAnalyzer.adjustmentSets(dag, "X", "Y");
        assertEquals(sets("A,M", "B,M"), s.minimal());
        assertEquals(sets("A,M", "B,M", "A,B,M"), s.all());
        assertFalse(DagAnalyzer.isAdjustmentSet(dag, "X", "Y", List.of("M")));
    }

    @Test
    void primerFigure38BackdoorSetsMatchDagitty() {
        // Primer fig. 3.8, study question 3.3.1 (a)-(c), dagitty adjustmentSets() without sets holding
        // descendants of the exposure
        Dag dag = DagParser.parseText("""
                dag{ A -> X; B -> {A Z}; C -> {D Z}; D -> Y; W -> Y; X -> W; Z -> {X Y} }""");
        AdjustmentSets xy = DagAnalyzer.adjustmentSets(dag, "X", "Y");
        assertEquals(sets("A,Z", "B,Z", "C,Z", "D,Z"), xy.minimal());
        assertEquals(sets("A,Z", "B,Z", "C,Z", "D,Z", "A,B,Z", "A,C,Z", "A,D,Z", "B,C,Z", "B,D,Z", "C,D,Z",
                "A,B,C,Z", "A,B,D,Z", "A,C,D,Z", "B,C,D,Z", "A,B,C,D,Z"), xy.all());
        assertEquals(sets("C", "A,Z", "B,Z", "W,Z", "X,Z"), DagAnalyzer.adjustmentSets(dag, "D", "Y").minimal());
        assertEquals(List.of("C"), DagAnalyzer.smallestAdjustmentSet(dag, "D", "Y").orElseThrow());
    }

    @Test
    void adjustingForAMediatorIsNotAllowed() {
        // dagitty testAdjustments.R ("mediation"): the empty set is valid, {m} is not
        Dag dag = DagParser.parseText("dag{ {x[e]}->m->{y[o]}->S }");
        assertTrue(DagAnalyzer.isAdjustmentSet(dag, null, null, List.of()));
        assertFalse(DagAnalyzer.isAdjustmentSet(dag, null, null, List.of("m")));
        assertEquals(sets(""), DagAnalyzer.adjustmentSets(dag, null, null).all());
    }

    @Test
    void frontDoorThroughTarWhenSmokingAndCancerShareALatentCause() {
        for (String text : List.of("dag { Smoking -> Tar -> Cancer; Smoking <-> Cancer }",
                "dag { Genotype [latent]; Genotype -> Smoking; Genotype -> Cancer; Smoking -> Tar -> Cancer }")) {
            DagAnalysis a = DagAnalyzer.analyze(DagParser.parseText(text), "Smoking", "Cancer");
            assertEquals(List.of(), a.adjustmentSets().minimal(), text);
            assertEquals(List.of(), a.adjustmentSets().all(), text);
            assertEquals(sets("Tar"), a.frontDoor(), text);
            assertEquals(List.of(), a.instruments(), text);
        }
        // tar sharing a latent cause with smoking (condition ii) or with cancer (iii) breaks it
        assertEquals(List.of(), DagAnalyzer.frontDoorSets(
                DagParser.parseText("dag { S -> T -> C; S <-> C; S <-> T }"), "S", "C"));
        assertEquals(List.of(), DagAnalyzer.frontDoorSets(
                DagParser.parseText("dag { S -> T -> C; S <-> C; T <-> C }"), "S", "C"));
        // two parallel mediators must be taken together
        Dag parallel = DagParser.parseText("dag { X -> M1 -> Y; X -> M2 -> Y; X <-> Y }");
        assertEquals(sets("M1,M2"), DagAnalyzer.frontDoorSets(parallel, "X", "Y"));
        assertFalse(DagAnalyzer.isFrontDoorSet(parallel, "X", "Y", List.of("M1")));
        // no directed path: no effect for a front door to carry
        assertEquals(List.of(), DagAnalyzer.frontDoorSets(DagParser.parseText("dag { X <- M -> Y }"), "X", "Y"));
    }

    @Test
    void instrumentsMatchDagittysExamples() {
        // dagitty instrumentalVariables() help: the classic IV model, and a conditional instrument
        assertEquals(List.of(new Instrument("i", List.of())),
                DagAnalyzer.instruments(DagParser.parseText("dag{ i->x->y; x<->y }"), "x", "y"));
        assertEquals(List.of(new Instrument("i", List.of("z"))),
                DagAnalyzer.instruments(DagParser.parseText("dag{ i->x->y; x<->y ; y<-z->i }"), "x", "y"));
        // dagitty r/tests/testthat/testInstruments.R ("conditional instrument"): one, i given w
        assertEquals(List.of(new Instrument("i", List.of("w"))),
                DagAnalyzer.instruments(DagParser.parseText("{y[o]}<-w->i->{x[e]}->y<->x"), null, null));
        // Primer fig. 3.18 with W_2, Z_2 latent, study question 3.8.1 (g): dagitty prints "Z_1 | W_1"
        Dag fig318 = DagParser.parseText("""
                dag{ W_1 -> X; W_2 -> Y; W_3 -> Y; X -> W_3; Z_1 -> {W_1 Z_3}; Z_2 -> {W_2 Z_3}; Z_3 -> {X Y}
                     W_2 [latent]; Z_2 [latent] }""");
        assertEquals(List.of(new Instrument("Z_1", List.of("W_1"))), DagAnalyzer.instruments(fig318, "Z_3", "Y"));
    }

    @Test
    void impliedIndependencesFollowTheLocalMarkovBasis() {
        // Primer fig. 2.9, study question 2.5.1 (g): dagitty's basis.set is
        //   W _||_ Z_1, Z_2, Z_3 | X;  X _||_ Z_2 | Z_1, Z_3;  Y _||_ X, Z_1 | W, Z_2, Z_3;  Z_1 _||_ Z_2
        // which, one statement per missing edge, reads:
        Dag fig29 = DagParser.parseText("dag{ W -> Y; X -> W; Z_1 -> {X Z_3}; Z_2 -> {Y Z_3}; Z_3 -> {X Y} }");
        ImpliedIndependences ci = DagAnalyzer.impliedIndependences(fig29);
        assertEquals(List.of("W _||_ Z_1 | X", "W _||_ Z_2 | X", "W _||_ Z_3 | X", "X _||_ Y | W, Z_2, Z_3",
                "X _||_ Z_2 | Z_1, Z_3", "Y _||_ Z_1 | W, Z_2, Z_3", "Z_1 _||_ Z_2"), statements(ci));
        assertFalse(ci.truncated());
        // (f) with X latent dagitty lists exactly these three
        Dag hiddenX = DagParser.parseText("dag{ W -> Y; X -> W; Z_1 -> {X Z_3}; Z_2 -> {Y Z_3}; Z_3 -> {X Y}; X [latent] }");
        assertEquals(List.of("W _||_ Z_2 | Z_1, Z_3", "Y _||_ Z_1 | W, Z_2, Z_3", "Z_1 _||_ Z_2"),
                statements(DagAnalyzer.impliedIndependences(hiddenX)));
        // fig. 3.18 observing only X, Y, W_3, Z_3 (3.8.1 (b)): "W_3 _||_ Z_3 | X"
        Dag fig318 = DagParser.parseText("""
                dag{ W_1 -> X; W_2 -> Y; W_3 -> Y; X -> W_3; Z_1 -> {W_1 Z_3}; Z_2 -> {W_2 Z_3}; Z_3 -> {X Y}
                     {W_1 W_2 Z_1 Z_2} [latent] }""");
        assertEquals(List.of("W_3 _||_ Z_3 | X"), statements(DagAnalyzer.impliedIndependences(fig318)));
        // dagitty impliedConditionalIndependencies() help: one for x -> m -> y, none once m is latent
        assertEquals(List.of("x _||_ y | m"),
                statements(DagAnalyzer.impliedIndependences(DagParser.parseText("dag{ x -> m -> y }"))));
        assertEquals(List.of(),
                statements(DagAnalyzer.impliedIndependences(DagParser.parseText("dag{ x -> m -> y; m [latent] }"))));
    }

    @Test
    void impliedIndependencesStopAtTheLimit() {
        // 60 isolated nodes: every one of the 1,770 pairs is marginally independent
        StringBuilder text = new StringBuilder("dag {");
        for (int i = 0; i < 60; i++) {
            text.append(" v").append(i);
        }
        Dag dag = DagParser.parseText(text.append(" }").toString());
        ImpliedIndependences capped = DagAnalyzer.impliedIndependences(dag);
        assertEquals(DagAnalyzer.LIMIT, capped.items().size());
        assertTrue(capped.truncated());
        assertEquals(1770, DagAnalyzer.impliedIndependences(dag, 5000).items().size());
        assertFalse(DagAnalyzer.impliedIndependences(dag, 1770).truncated());
    }

    @Test
    void allAdjustmentSetsStopAtTheLimit() {
        // X -> Y and 12 unrelated nodes: every one of the 4,096 subsets is a valid backdoor set
        StringBuilder text = new StringBuilder("dag { X -> Y;");
        for (int i = 0; i < 12; i++) {
            text.append(" u").append(i);
        }
        AdjustmentSets s = DagAnalyzer.adjustmentSets(DagParser.parseText(text.append(" }").toString()), "X", "Y");
        assertEquals(sets(""), s.minimal());
        assertEquals(DagAnalyzer.LIMIT, s.all().size());
        assertTrue(s.allTruncated());
        assertEquals(List.of(), s.all().get(0));
    }

    @Test
    void rolesAreValidatedNamingTheField() {
        Dag dag = DagParser.parseText("dag { U [latent]; U -> X; X -> Y }");
        DagException unknown = assertThrows(DagException.class, () -> DagAnalyzer.analyze(dag, "Q", "Y"));
        assertEquals("treatment", unknown.field());
        assertEquals("Q", unknown.node());
        assertEquals(DagException.Kind.UNKNOWN_NODE, unknown.kind());
        assertEquals("outcome", assertThrows(DagException.class, () -> DagAnalyzer.analyze(dag, "X", "Nope")).field());
        assertTrue(assertThrows(DagException.class, () -> DagAnalyzer.analyze(dag, "U", "Y"))
                .getMessage().contains("latent"));
        assertEquals("outcome", assertThrows(DagException.class, () -> DagAnalyzer.analyze(dag, "X", "X")).field());
        assertEquals("treatment", assertThrows(DagException.class, () -> DagAnalyzer.analyze(dag, null, "Y")).field());
    }

    @Test
    void serialisesToTheApiShape() throws Exception {
        DagAnalysis a = DagAnalyzer.analyze(
                DagParser.parseText("dag { Z -> X -> M -> Y; Z -> Y; W -> Y; I -> X }"), "X", "Y");
        ObjectMapper mapper = new ObjectMapper();
        // the API's shape is toMap()'s (the service answers it); the record also carries the
        // ...TruncatedBy components, which toMap() writes only when a listing was cut short
        JsonNode tree = mapper.valueToTree(a.toMap());
        assertEquals(List.of("nodes", "edges", "adjustmentSets", "frontDoor", "instruments", "impliedIndependences",
                "impliedIndependencesTruncated"), iterable(tree.fieldNames()));
        assertEquals(List.of("minimal", "all", "allTruncated"), iterable(tree.get("adjustmentSets").fieldNames()));
        assertEquals(List.of("instrument", "given"), iterable(tree.get("instruments").get(0).fieldNames()));
        assertEquals(List.of("x", "y", "given"), iterable(tree.get("impliedIndependences").get(0).fieldNames()));
        assertEquals(6, tree.get("nodes").asInt());
        assertEquals(6, tree.get("edges").asInt());
        assertEquals("[[\"Z\"]]", tree.get("adjustmentSets").get("minimal").toString());
        assertEquals("[[\"M\"]]", tree.get("frontDoor").toString());
        assertEquals("[{\"instrument\":\"I\",\"given\":[]}]", tree.get("instruments").toString());
        Map<?, ?> plain = a.toMap();
        assertEquals(false, plain.get("impliedIndependencesTruncated"));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}

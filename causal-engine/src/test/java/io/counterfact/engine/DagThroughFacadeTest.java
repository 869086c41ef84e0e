package io.counterfact.engine;

import io.counterfact.engine.dag.DagAnalyzer;
import io.counterfact.engine.dag.DagParser;
import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A request's dag choosing the adjustment set in {@link CausalEngine#standard()}, and the analyze entry point. */
class DagThroughFacadeTest {

    private static final CausalEngine ENGINE = CausalEngine.standard();
    private static final double EFFECT = 2.0;

    /**
     * C confounds T and Y; Z only causes T; R only causes Y; K is a collider of T and Y (adjusting
     * for it would open a biasing path). The only minimal backdoor set is {C}.
     */
    private static final String GRAPH = "dag { C -> T; C -> Y; Z -> T; T -> Y; R -> Y; T -> K; Y -> K }";

    private static DataFrame confounded(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] c = new double[n];
        double[] z = new double[n];
        double[] r = new double[n];
        double[] t = new double[n];
        double[] y = new double[n];
        double[] k = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = rng.nextGaussian();
            z[i] = rng.nextGaussian();
            r[i] = rng.nextGaussian();
            t[i] = 0.9 * c[i] + 0.7 * z[i] + rng.nextGaussian() > 0 ? 1 : 0;
            y[i] = 1 + EFFECT * t[i] + 1.5 * c[i] + r[i] + rng.nextGaussian();
            k[i] = t[i] + 0.5 * y[i] + rng.nextGaussian();
        }
        return DataFrame.of(Column.numeric("C", c), Column.numeric("Z", z), Column.numeric("R", r),
                Column.binary("T", t), Column.numeric("Y", y), Column.numeric("K", k));
    }

    private static EstimationSpec withDag(String method, String dag) {
        return new EstimationSpec(method, null, "T", "Y", List.of(), List.of(), List.of(), dag, Map.of());
    }

    @Test
    void theDagPicksTheConfounderAndTheEstimateRecoversTheTruth() {
        DataFrame d = confounded(5_000, 99);
        for (String method : List.of("regression", "aipw")) {
            EstimationResult r = ENGINE.estimate(d, withDag(method, GRAPH), ProgressListener.NONE);
            assertEquals(List.of("C"), r.covariatesUsed(), method);
            assertEquals(Map.of("source", "dag", "covariates", List.of("C")), r.diagnostics().get("adjustmentSet"));
            assertTrue(Math.abs(r.estimate() - EFFECT) < 4 * r.stdError(),
                    method + " " + r.estimate() + " se " + r.stdError());
        }
        // without the set, and with the collider, the estimate is far off: the choice mattered
        EstimationResult naive = ENGINE.estimate(d, EstimationSpec.of("regression", null, "T", "Y", List.of(), Map.of()),
                ProgressListener.NONE);
        assertTrue(naive.estimate() - EFFECT > 10 * naive.stdError(), "naive " + naive.estimate());
        EstimationResult collider = ENGINE.estimate(d, EstimationSpec.of("regression", null, "T", "Y",
                List.of("C", "K"), Map.of()), ProgressListener.NONE);
        assertTrue(Math.abs(collider.estimate() - EFFECT) > 10 * collider.stdError(), "collider " + collider.estimate());
    }

    @Test
    void aConfounderMissingFromTheDataIsLatentAndAnObservedMediatorOfItsPathIsChosen() {
        // U -> A -> T and U -> Y: without U in the data, A blocks the backdoor path
        int n = 5_000;
        SplittableRandom rng = new SplittableRandom(5);
        double[] a = new double[n];
        double[] t = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double u = rng.nextGaussian();
            a[i] = u + rng.nextGaussian();
            t[i] = a[i] + rng.nextGaussian() > 0 ? 1 : 0;
            y[i] = EFFECT * t[i] + u + rng.nextGaussian();
        }
        DataFrame d = DataFrame.of(Column.numeric("A", a), Column.binary("T", t), Column.numeric("Y", y));
        EstimationResult r = ENGINE.estimate(d, withDag("regression", "dag { U -> A; A -> T; U -> Y; T -> Y }"),
                ProgressListener.NONE);
        assertEquals(List.of("A"), r.covariatesUsed());
        assertTrue(Math.abs(r.estimate() - EFFECT) < 4 * r.stdError(), r.estimate() + " se " + r.stdError());
    }

    @Test
    void aDagThatDoesNotIdentifyTheEffectIsRefusedAtValidation() {
        Map<String, ColumnType> schema = new LinkedHashMap<>();
        schema.put("T", ColumnType.BINARY);
        schema.put("Y", ColumnType.NUMERIC);
        schema.put("X", ColumnType.NUMERIC);
        // U is not a column, so it is unobserved and its backdoor path cannot be blocked
        InvalidSpecException missing = assertThrows(InvalidSpecException.class, () -> ENGINE.validate(schema,
                withDag("regression", "dag { U -> T; U -> Y; X -> T; T -> Y }")));
        assertEquals("dag", missing.field());
        assertTrue(missing.getMessage().contains("no backdoor adjustment set") && missing.getMessage().contains("U"),
                missing.getMessage());
        InvalidSpecException bidirected = assertThrows(InvalidSpecException.class, () -> ENGINE.validate(schema,
                withDag("aipw", "dag { T -> Y; T <-> Y }")));
        assertEquals("dag", bidirected.field());
        // the identifying version of the same graph passes, and names no covariate it does not need
        ENGINE.validate(schema, withDag("regression", "dag { X -> T; X -> Y; T -> Y }"));
        assertEquals("dag", assertThrows(InvalidSpecException.class, () -> ENGINE.validate(schema,
                withDag("regression", "dag { T -> Y; Y -> T }"))).field());
        assertEquals("dag", assertThrows(InvalidSpecException.class, () -> ENGINE.validate(schema,
                new EstimationSpec("regression", null, "T", "Y", List.of("X"), List.of(), List.of(),
                        "dag { X -> T; X -> Y; T -> Y }", Map.of()))).field());
    }

    @Test
    @SuppressWarnings("unchecked")
    void analyzeDagAnswersTheApiShapeAndNamesWhatIsWrong() {
        Map<String, Object> a = ENGINE.analyzeDag(GRAPH, "T", "Y");
        assertEquals(List.of("nodes", "edges", "adjustmentSets", "frontDoor", "instruments", "impliedIndependences",
                "impliedIndependencesTruncated"), List.copyOf(a.keySet()));
        assertEquals(6, a.get("nodes"));
        assertEquals(7, a.get("edges"));
        Map<String, Object> sets = (Map<String, Object>) a.get("adjustmentSets");
        assertEquals(List.of(List.of("C")), sets.get("minimal"));
        // Z causes T only and is independent of C: an instrument
        assertTrue(((List<Map<String, Object>>) a.get("instruments")).stream()
                .anyMatch(iv -> "Z".equals(iv.get("instrument"))), a.get("instruments").toString());
        assertEquals(DagAnalyzer.analyze(DagParser.parse(GRAPH), "T", "Y").toMap(), a);
        // the JSON form, parsed, is the same graph
        Map<String, Object> json = Map.of("nodes", List.of("C", "Z", "R", "T", "Y", "K"), "edges", List.of(
                List.of("C", "T"), List.of("C", "Y"), List.of("Z", "T"), List.of("T", "Y"), List.of("R", "Y"),
                List.of("T", "K"), List.of("Y", "K")));
        assertEquals(a, ENGINE.analyzeDag(json, "T", "Y"));

        InvalidSpecException cycle = assertThrows(InvalidSpecException.class,
                () -> ENGINE.analyzeDag("dag { A -> B; B -> C; C -> A }", "A", "C"));
        assertEquals("dag", cycle.field());
        assertTrue(cycle.getMessage().contains("C -> A"), cycle.getMessage());
        InvalidSpecException unknown = assertThrows(InvalidSpecException.class,
                () -> ENGINE.analyzeDag(GRAPH, "Q", "Y"));
        assertEquals("treatment", unknown.field());
        assertTrue(unknown.getMessage().contains("'Q'") || unknown.getMessage().contains("Q"), unknown.getMessage());
    }
}

package io.counterfact.engine.dag;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Graphs the size of real systems (issue 23): every analysis answers, within its time budget, on
 * a thread with a small stack (so nothing recurses with the graph's size), and what it answers is
 * right. Before the change the 40,000-node random graph threw StackOverflowError in the listing of
 * all adjustment sets, the 10,000-node chain ran for minutes in the front-door search, and the
 * 100,000-node chain ran out of a 1 GiB heap. No test asserts a timing (see BENCHMARKS.md).
 */
class DagScaleTest {

    /** The random sparse DAG: node i gets 0-2 parents among the 50 nodes before it. */
    static Dag sparse(int n, long seed) {
        return ranked(n, seed, 2, 50, false);
    }

    /**
     * Node i gets {@code parents} parents (0..parents uniformly when not {@code exact}) drawn among
     * the {@code window} nodes before it.
     */
    static Dag ranked(int n, long seed, int parents, int window, boolean exact) {
        Random rng = new Random(seed);
        List<String> names = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("v" + i);
            int k = Math.min(i, exact ? parents : rng.nextInt(parents + 1));
            Set<Integer> chosen = new HashSet<>();
            while (chosen.size() < k) {
                chosen.add(i - 1 - rng.nextInt(Math.min(window, i)));
            }
            for (int p : chosen) {
                edges.add(new Edge("v" + p, "v" + i));
            }
        }
        return Dag.of(names, edges, List.of(), List.of());
    }

    static String chainText(int n) {
        StringBuilder sb = new StringBuilder("dag {\n");
        for (int i = 1; i < n; i++) {
            sb.append('v').append(i - 1).append(" -> v").append(i).append('\n');
        }
        return sb.append('}').toString();
    }

    /** Runs the work on a thread with a 256 KiB stack: a recursion per node would overflow it. */
    static <T> T onSmallStack(Supplier<T> work) throws InterruptedException {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(work.get());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "small-stack", 256 * 1024);
        t.start();
        t.join();
        if (failure.get() instanceof RuntimeException e) {
            throw e;
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        return result.get();
    }

    private static void assertMinimalSetsValid(Dag dag, String x, String y, List<List<String>> minimal) {
        for (List<String> z : minimal) {
            assertTrue(DagAnalyzer.isAdjustmentSet(dag, x, y, z), z.toString());
            for (String drop : z) {
                List<String> smaller = new ArrayList<>(z);
                smaller.remove(drop);
                assertFalse(DagAnalyzer.isAdjustmentSet(dag, x, y, smaller), z + " without " + drop);
            }
        }
    }

    @Test
    void aChainOfTenThousandNodesIsAnswered() throws Exception {
        Dag chain = DagParser.parseText(chainText(10_000));
        DagAnalysis a = onSmallStack(() -> DagAnalyzer.analyze(chain, "v5000", "v5030"));
        assertEquals(List.of(List.of()), a.adjustmentSets().minimal());
        assertEquals(DagAnalyzer.LIMIT, a.adjustmentSets().all().size());
        // the mediators v5001..v5029 are each a front-door set (the search no longer walks their supersets)
        assertTrue(a.frontDoor().size() == 29 || a.frontDoorTruncatedBy() != null, a.frontDoor().toString());
        for (List<String> m : a.frontDoor()) {
            assertTrue(DagAnalyzer.isFrontDoorSet(chain, "v5000", "v5030", m), m.toString());
        }
        Map<String, Object> shape = a.toMap();
        assertEquals(true, shape.get("impliedIndependencesTruncated"));
        assertTrue(List.of("count", "time").contains(shape.get("truncatedBy")), shape.keySet().toString());
    }

    @Test
    void aRandomGraphOfFortyThousandNodesIsAnswered() throws Exception {
        Dag dag = sparse(40_000, 40);
        DagAnalysis a = onSmallStack(() -> DagAnalyzer.analyze(dag, "v20000", "v20030"));
        assertFalse(a.adjustmentSets().minimal().isEmpty());
        assertMinimalSetsValid(dag, "v20000", "v20030", a.adjustmentSets().minimal());
        for (List<String> z : a.adjustmentSets().all().subList(0, Math.min(50, a.adjustmentSets().all().size()))) {
            assertTrue(DagAnalyzer.isAdjustmentSet(dag, "v20000", "v20030", z), z.toString());
        }
        assertEquals(40_000, a.nodes());
    }

    @Test
    void aChainOfOneHundredThousandNodesParsesAndIsAnswered() throws Exception {
        String text = chainText(100_000);
        assertTrue(text.length() > 1_500_000);
        DagAnalysis a = onSmallStack(() -> DagAnalyzer.analyze(DagParser.parse(text), "v50000", "v50030",
                Duration.ofSeconds(2)));
        assertEquals(List.of(List.of()), a.adjustmentSets().minimal());
        assertEquals(100_000, a.nodes());
    }

    @Test
    void oneMinimalSetInLinearTimeIsValidAndMinimal() throws Exception {
        for (int n : new int[]{1_000, 10_000, 100_000}) {
            Dag dag = sparse(n, n);
            String x = "v" + n / 2;
            String y = "v" + (n / 2 + 30);
            List<String> z = onSmallStack(() -> DagAnalyzer.minimalAdjustmentSet(dag, x, y)).orElseThrow();
            assertMinimalSetsValid(dag, x, y, List.of(z));
        }
        // none exists: a latent confounder
        Dag confounded = DagParser.parseText("dag { X -> Y; X <-> Y }");
        assertTrue(DagAnalyzer.minimalAdjustmentSet(confounded, "X", "Y").isEmpty());
        assertEquals(List.of("Z"), DagAnalyzer.minimalAdjustmentSet(
                DagParser.parseText("dag { Z -> X -> Y; Z -> Y }"), "X", "Y").orElseThrow());
    }

    /**
     * 1,000 nodes with 10 parents each: treatment and outcome share most of their ancestors, so
     * there are more than 1,000 minimal sets and most branches of the listing find none (the x-side
     * is most of the graph; the listing updates its neighbourhood instead of walking it). Without a
     * budget the listing stops at the count, each set distinct, valid and minimal.
     */
    @Test
    void theMinimalSetsOfADenseGraphAreListedToTheLimitEachValidAndMinimal() throws Exception {
        Dag dense = ranked(1_000, 10, 10, 50, true);
        AdjustmentSets sets = onSmallStack(() -> DagAnalyzer.adjustmentSets(dense, "v500", "v530", DagAnalyzer.LIMIT,
                Duration.ZERO));
        assertEquals(DagAnalyzer.LIMIT, sets.minimal().size());
        assertEquals("count", sets.minimalTruncatedBy());
        assertEquals(sets.minimal().size(), new HashSet<>(sets.minimal()).size());
        List<List<String>> sample = new ArrayList<>();
        for (int i = 0; i < sets.minimal().size(); i += 50) {
            sample.add(sets.minimal().get(i));
        }
        assertMinimalSetsValid(dense, "v500", "v530", sample);
    }

    @Test
    void aSpentBudgetTruncatesByTimeButStillNamesAMinimalSet() {
        Dag dense = ranked(1_000, 10, 10, 50, true);
        DagAnalysis a = DagAnalyzer.analyze(dense, "v500", "v530", Duration.ofNanos(1));
        assertFalse(a.adjustmentSets().minimal().isEmpty());
        assertMinimalSetsValid(dense, "v500", "v530", a.adjustmentSets().minimal());
        assertTrue(a.adjustmentSets().allTruncated());
        assertEquals("time", a.adjustmentSets().truncatedBy());
        assertTrue(a.impliedIndependencesTruncated());
        assertEquals("time", a.truncatedBy());
        Map<String, Object> shape = a.toMap();
        assertEquals("time", ((Map<?, ?>) shape.get("adjustmentSets")).get("truncatedBy"));
        assertEquals("time", shape.get("truncatedBy"));
    }

    @Test
    void aCompleteAnswerHasExactlyTheKeysItAlwaysHad() {
        DagAnalysis a = DagAnalyzer.analyze(DagParser.parseText("dag { Z -> X -> M -> Y; Z -> Y }"), "X", "Y");
        assertEquals(List.of("nodes", "edges", "adjustmentSets", "frontDoor", "instruments", "impliedIndependences",
                "impliedIndependencesTruncated"), List.copyOf(a.toMap().keySet()));
        assertEquals(List.of("minimal", "all", "allTruncated"),
                List.copyOf(((Map<?, ?>) a.toMap().get("adjustmentSets")).keySet()));
        DagAnalysis capped = DagAnalyzer.analyze(sparse(2_000, 3), "v1000", "v1030");
        assertEquals("count", capped.adjustmentSets().truncatedBy());
        assertEquals("count", capped.truncatedBy());
    }

    @Test
    void deepNestingIsASyntaxErrorNotAStackOverflow() throws Exception {
        String braces = "dag { " + "{".repeat(200_000) + " A " + "}".repeat(200_000) + " }";
        DagException e = assertThrows(DagException.class, () -> onSmallStack(() -> DagParser.parse(braces)));
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
        String arrays = "{\"nodes\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}";
        DagException json = assertThrows(DagException.class, () -> onSmallStack(() -> DagParser.parse(arrays)));
        assertTrue(json.getMessage().contains("nested"), json.getMessage());
        // a few levels stay fine
        assertNotNull(DagParser.parse("dag { {A {B C}} -> D }"));
    }

    @Test
    void aCycleClosedByTheLastEdgeOfALongChainIsNamed() throws Exception {
        String text = chainText(100_000).replace("}", "v99999 -> v0\n}");
        DagException e = assertThrows(DagException.class, () -> onSmallStack(() -> DagParser.parse(text)));
        assertEquals(DagException.Kind.CYCLE, e.kind());
        assertTrue(e.getMessage().contains("edge v99999 -> v0 closes it"), e.getMessage().substring(0, 80));
        // the first closing edge in declaration order is named, as before
        DagException early = assertThrows(DagException.class,
                () -> DagParser.parseText("dag { A -> B; B -> C; C -> A; B -> A }"));
        assertTrue(early.getMessage().endsWith("edge C -> A closes it"), early.getMessage());
    }
}

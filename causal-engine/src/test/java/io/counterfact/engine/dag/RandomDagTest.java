package io.counterfact.engine.dag;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The analyser against brute force on random small graphs (with latent nodes and bidirected edges),
 * using {@link Oracle}'s independent d-separation; and a 50-node graph for scale.
 */
class RandomDagTest {

    /** A random DAG over v0..v(n−1): edges follow a random order, so it is acyclic by construction. */
    static Dag randomDag(Random rng, int n, double edgeProbability, double bidirectedProbability, int latent) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("v" + i);
        }
        List<String> order = new ArrayList<>(names);
        Collections.shuffle(order, rng);
        List<Edge> edges = new ArrayList<>();
        List<Edge> bidirected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (rng.nextDouble() < edgeProbability) {
                    edges.add(new Edge(order.get(i), order.get(j)));
                }
                if (rng.nextDouble() < bidirectedProbability) {
                    bidirected.add(new Edge(order.get(i), order.get(j)));
                }
            }
        }
        List<String> hidden = new ArrayList<>(names.subList(0, latent));
        return Dag.of(names, edges, bidirected, hidden);
    }

    private static List<List<String>> sorted(List<List<String>> sets) {
        List<List<String>> out = new ArrayList<>(sets);
        out.sort((a, b) -> a.size() != b.size() ? Integer.compare(a.size(), b.size()) : String.join(",", a).compareTo(String.join(",", b)));
        return out;
    }

    @Test
    void adjustmentSetsEqualBruteForceOverEverySubset() {
        Random rng = new Random(11);
        int checked = 0;
        for (int trial = 0; trial < 150; trial++) {
            Dag dag = randomDag(rng, 8, 0.3, 0.06, trial % 3);
            List<String> obs = dag.observedNodes();
            String x = obs.get(rng.nextInt(obs.size()));
            String y = obs.get(rng.nextInt(obs.size()));
            if (x.equals(y)) {
                continue;
            }
            Oracle o = new Oracle(dag);
            Set<String> deX = o.descendants(x);
            List<String> candidates = obs.stream().filter(v -> !v.equals(y) && !deX.contains(v)).toList();
            Oracle backdoor = o.without((from, to) -> from.equals(x));
            List<List<String>> valid = new ArrayList<>();
            for (List<String> z : Oracle.subsets(candidates)) {
                if (backdoor.dsep(List.of(x), List.of(y), z)) {
                    valid.add(z);
                }
            }
            AdjustmentSets got = DagAnalyzer.adjustmentSets(dag, x, y);
            String where = dag + " " + x + " -> " + y;
            assertEquals(sorted(valid), got.all(), where);
            assertEquals(sorted(Oracle.minimal(valid)), got.minimal(), where);
            assertFalse(got.allTruncated());
            for (List<String> z : valid) {
                assertTrue(DagAnalyzer.isAdjustmentSet(dag, x, y, z), where);
            }
            checked++;
        }
        assertTrue(checked > 100);
    }

    @Test
    void frontDoorSetsEqualBruteForce() {
        Random rng = new Random(5);
        int withFrontDoor = 0;
        for (int trial = 0; trial < 300; trial++) {
            Dag dag = randomDag(rng, 7, 0.35, 0.08, trial % 2);
            List<String> obs = dag.observedNodes();
            String x = obs.get(0);
            String y = obs.get(obs.size() - 1);
            Oracle o = new Oracle(dag);
            if (!o.descendants(x).contains(y)) {
                assertEquals(List.of(), DagAnalyzer.frontDoorSets(dag, x, y));
                continue;
            }
            Oracle gx = o.without((from, to) -> from.equals(x));
            List<String> others = obs.stream().filter(v -> !v.equals(x) && !v.equals(y)).toList();
            List<List<String>> valid = new ArrayList<>();
            for (List<String> m : Oracle.subsets(others)) {
                if (m.isEmpty() || o.directedPathAvoiding(x, y, m) || !gx.dsep(List.of(x), m, List.of())) {
                    continue;
                }
                Oracle gm = o.without((from, to) -> m.contains(from));
                if (gm.dsep(m, List.of(y), List.of(x))) {
                    valid.add(m);
                }
            }
            List<List<String>> expected = sorted(Oracle.minimal(valid));
            assertEquals(expected, DagAnalyzer.frontDoorSets(dag, x, y), dag + " " + x + " -> " + y);
            for (List<String> m : valid) {
                assertTrue(DagAnalyzer.isFrontDoorSet(dag, x, y, m));
            }
            withFrontDoor += expected.isEmpty() ? 0 : 1;
        }
        assertTrue(withFrontDoor > 10, "too few graphs with a front door: " + withFrontDoor);
    }

    @Test
    void instrumentsSatisfyTheDefinitionAndNoneIsMissed() {
        // ancestral instruments (van der Zander, Textor and Liskiewicz, IJCAI 2015), which dagitty lists:
        // W of observed ancestors of y or z that are neither descendants of y nor mediators; W
        // separates z from y once the first edges of causal paths leave x, and does not separate z
        // from x there. Their theorem: if any such W exists, the separator nearest y is one.
        Random rng = new Random(23);
        int found = 0;
        for (int trial = 0; trial < 200; trial++) {
            Dag dag = randomDag(rng, 7, 0.3, 0.1, trial % 2);
            List<String> obs = dag.observedNodes();
            String x = obs.get(obs.size() / 2);
            String y = obs.get(obs.size() - 1);
            Oracle o = new Oracle(dag);
            Set<String> anY = o.ancestors(List.of(y));
            Set<String> mediators = new HashSet<>(o.descendants(x));
            mediators.retainAll(anY);
            mediators.remove(x);
            mediators.remove(y);
            Oracle bd = o.without((from, to) -> from.equals(x) && anY.contains(to));
            Set<String> deY = bd.descendants(y);
            List<Instrument> got = DagAnalyzer.instruments(dag, x, y);
            for (String z : obs) {
                if (z.equals(x) || z.equals(y)) {
                    continue;
                }
                Set<String> anYZ = bd.ancestors(List.of(y, z));
                List<String> pool = obs.stream().filter(v -> !v.equals(x) && !v.equals(y) && !v.equals(z)
                        && !mediators.contains(v) && !deY.contains(v) && anYZ.contains(v)).toList();
                boolean exists = false;
                for (List<String> w : Oracle.subsets(pool)) {
                    if (bd.dsep(List.of(z), List.of(y), w) && !bd.dsep(List.of(z), List.of(x), w)) {
                        exists = true;
                        break;
                    }
                }
                Instrument reported = got.stream().filter(i -> i.instrument().equals(z)).findFirst().orElse(null);
                String where = dag + " " + x + " -> " + y + " z=" + z;
                assertEquals(exists, reported != null, where);
                if (reported != null) {
                    List<String> w = reported.given();
                    assertTrue(pool.containsAll(w), where);
                    assertTrue(bd.dsep(List.of(z), List.of(y), w), where);
                    assertFalse(bd.dsep(List.of(z), List.of(x), w), where);
                    found++;
                }
            }
        }
        assertTrue(found > 20, "too few instruments: " + found);
    }

    @Test
    void everyImpliedIndependenceHoldsAndEverySeparablePairHasOne() {
        Random rng = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            Dag dag = randomDag(rng, 7, 0.3, 0.08, trial % 3);
            Oracle o = new Oracle(dag);
            List<ConditionalIndependence> got = DagAnalyzer.impliedIndependences(dag).items();
            Set<String> pairs = new HashSet<>();
            for (ConditionalIndependence ci : got) {
                assertTrue(o.dsep(List.of(ci.x()), List.of(ci.y()), ci.given()), dag + " " + ci);
                assertTrue(ci.x().compareTo(ci.y()) < 0);
                assertTrue(pairs.add(ci.x() + "|" + ci.y()), "one statement per pair");
            }
            List<String> obs = dag.observedNodes();
            for (String a : obs) {
                for (String b : obs) {
                    if (a.compareTo(b) >= 0) {
                        continue;
                    }
                    List<String> rest = obs.stream().filter(v -> !v.equals(a) && !v.equals(b)).toList();
                    boolean separable = Oracle.subsets(rest).stream().anyMatch(z -> o.dsep(List.of(a), List.of(b), z));
                    assertEquals(separable, pairs.contains(a + "|" + b), dag + " " + a + ", " + b);
                }
            }
        }
    }

    @Test
    void fiftyNodeGraphIsAnalysedQuickly() {
        Random rng = new Random(50);
        Dag dag = randomDag(rng, 50, 0.08, 0.01, 3);
        List<String> obs = dag.observedNodes();
        Oracle o = new Oracle(dag);
        // a treatment with a causal path to the outcome, so every part of the analysis has work to do
        String x = null;
        String y = null;
        for (String a : obs) {
            for (String b : obs) {
                if (!a.equals(b) && o.descendants(a).contains(b) && o.ancestors(List.of(a)).size() > 5) {
                    x = a;
                    y = b;
                }
            }
        }
        String treatment = x;
        String outcome = y;
        // warm up once so the measurement is of the algorithms, not of class loading and the JIT
        DagAnalyzer.analyze(dag, treatment, outcome);
        long start = System.nanoTime();
        DagAnalysis a = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> DagAnalyzer.analyze(dag, treatment, outcome));
        double ms = (System.nanoTime() - start) / 1e6;
        System.out.printf("50-node DAG (%d edges), %s -> %s: %.1f ms; minimal sets %d, all %d%s, front door %d, "
                        + "instruments %d, implied independences %d%s%n", a.edges(), treatment, outcome, ms,
                a.adjustmentSets().minimal().size(), a.adjustmentSets().all().size(),
                a.adjustmentSets().allTruncated() ? " (truncated)" : "", a.frontDoor().size(), a.instruments().size(),
                a.impliedIndependences().size(), a.impliedIndependencesTruncated() ? " (truncated)" : "");
        Oracle backdoor = o.without((from, to) -> from.equals(treatment));
        for (List<String> z : a.adjustmentSets().minimal()) {
            assertTrue(backdoor.dsep(List.of(treatment), List.of(outcome), z));
        }
        for (ConditionalIndependence ci : a.impliedIndependences().subList(0, Math.min(200, a.impliedIndependences().size()))) {
            assertTrue(o.dsep(List.of(ci.x()), List.of(ci.y()), ci.given()), ci.toString());
        }
    }
}

package io.counterfact.engine.dag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The random DAGs of the networkx reference (causal-engine/src/test/resources/dag-scale/): drawn
 * with SplitMix64 so that {@code networkx_reference.py} draws the very same graphs, and the engine's
 * answers on them as that script checks them. {@code main} prints those answers as JSON lines (the
 * script runs it, checks every set with networkx and stores answers and verdicts).
 */
final class ScaleGraphs {

    /** One case: a graph (by its parameters) and a treatment-outcome pair. */
    record Case(String name, int n, long seed, int bidirectedOneIn, int maxParents, int window) {
        Dag dag() {
            return generate(n, seed, bidirectedOneIn, maxParents, window);
        }

        String x() {
            return "v" + n / 2;
        }

        String y() {
            return "v" + (n / 2 + Math.min(30, window));
        }
    }

    /**
     * The sparse graphs (0-2 parents among the 50 nodes before) and denser ones (0-4 among
     * the 10 before), where treatment and outcome share many ancestors and so have many minimal sets.
     */
    static final List<Case> CASES = List.of(
            new Case("sparse-1000", 1_000, 1, 0, 2, 50),
            new Case("sparse-1000-bidirected", 1_000, 2, 10, 2, 50),
            new Case("sparse-2000", 2_000, 3, 0, 2, 50),
            new Case("sparse-5000-bidirected", 5_000, 6, 20, 2, 50),
            new Case("sparse-10000", 10_000, 7, 0, 2, 50),
            new Case("sparse-10000-bidirected", 10_000, 8, 20, 2, 50),
            new Case("dense-1000", 1_000, 11, 0, 4, 10),
            new Case("dense-1000-bidirected", 1_000, 12, 10, 4, 10));

    /** How many of each listing the reference keeps (the head of each, in the engine's order). */
    static final int ALL_KEPT = 50;
    static final int MINIMAL_KEPT = 100;
    static final int IMPLIED_KEPT = 100;

    private ScaleGraphs() {
    }

    /** SplitMix64 (Steele, Lea and Flood 2014), as in the Python script. */
    static final class SplitMix {
        private long state;

        SplitMix(long seed) {
            state = seed;
        }

        long next() {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        int nextInt(int bound) {
            return (int) ((next() >>> 33) % bound);
        }
    }

    /**
     * Node i gets 0..maxParents parents (uniformly) among the window nodes before it; with
     * {@code bidirectedOneIn} > 0, one node in that many also gets a bidirected edge to one of them.
     */
    static Dag generate(int n, long seed, int bidirectedOneIn, int maxParents, int windowSize) {
        SplitMix rng = new SplitMix(seed);
        List<String> names = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        List<Edge> bidirected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("v" + i);
            if (i == 0) {
                continue;
            }
            int window = Math.min(windowSize, i);
            int k = Math.min(i, rng.nextInt(maxParents + 1));
            Set<Integer> chosen = new LinkedHashSet<>();
            while (chosen.size() < k) {
                chosen.add(i - 1 - rng.nextInt(window));
            }
            for (int p : chosen) {
                edges.add(new Edge("v" + p, "v" + i));
            }
            if (bidirectedOneIn > 0 && rng.nextInt(bidirectedOneIn) == 0) {
                bidirected.add(new Edge("v" + (i - 1 - rng.nextInt(window)), "v" + i));
            }
        }
        return Dag.of(names, edges, bidirected, List.of());
    }

    /** The engine's answers on a case, without a time budget (so they depend on the graph alone). */
    static Map<String, Object> answers(Case c) {
        Dag dag = c.dag();
        AdjustmentSets sets = DagAnalyzer.adjustmentSets(dag, c.x(), c.y(), DagAnalyzer.LIMIT, Duration.ZERO);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("case", c.name());
        out.put("x", c.x());
        out.put("y", c.y());
        out.put("minimalCount", sets.minimal().size());
        out.put("minimal", sets.minimal().subList(0, Math.min(MINIMAL_KEPT, sets.minimal().size())));
        out.put("minimalTruncated", sets.minimalTruncatedBy() != null);
        out.put("one", DagAnalyzer.minimalAdjustmentSet(dag, c.x(), c.y()).orElse(null));
        out.put("all", sets.all().subList(0, Math.min(ALL_KEPT, sets.all().size())));
        List<List<Object>> implied = new ArrayList<>();
        for (ConditionalIndependence ci : DagAnalyzer.impliedIndependences(dag, IMPLIED_KEPT, Duration.ZERO).items()) {
            implied.add(List.of(ci.x(), ci.y(), ci.given()));
        }
        out.put("implied", implied);
        return out;
    }

    public static void main(String[] args) {
        for (Case c : CASES) {
            System.out.println(json(answers(c)));
        }
    }

    /** JSON of maps, lists, strings (node names, nothing to escape), booleans and null. */
    static String json(Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        if (o instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(json(e.getKey())).append(": ").append(json(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (o instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (Object v : l) {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(json(v));
            }
            return sb.append(']').toString();
        }
        return String.valueOf(o);
    }
}

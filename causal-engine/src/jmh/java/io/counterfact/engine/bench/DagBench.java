package io.counterfact.engine.bench;

import io.counterfact.engine.dag.Dag;
import io.counterfact.engine.dag.DagAnalysis;
import io.counterfact.engine.dag.DagAnalyzer;
import io.counterfact.engine.dag.Edge;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * DAG analysis at scale (issue 23), beside networkx on the same graphs ({@code scripts/bench-dag.sh}
 * runs {@code scripts/bench_dag_peer.py} and this in one go). The graphs: node i gets 0-2 parents
 * among the 50 nodes before it, drawn with SplitMix64 (seed n) exactly as the python peer draws
 * them; treatment v(n/2), outcome v(n/2+30).
 *
 * <ul>
 *   <li>{@code minimalBackdoorSet}: one minimal backdoor set, O(n + m), including building the
 *       backdoor graph; the peer times {@code nx.find_minimal_d_separator} on a backdoor graph it
 *       built beforehand.</li>
 *   <li>{@code analyze}: the whole answer of {@code POST /api/dags/analyze} (2 s budget).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Xss512k"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DagBench {

    @Param({"1000", "4000", "10000", "100000"})
    public int n;

    private Dag dag;
    private String x;
    private String y;

    @Setup
    public void setup() {
        dag = sparse(n, n);
        x = "v" + n / 2;
        y = "v" + (n / 2 + 30);
    }

    @Benchmark
    public Optional<List<String>> minimalBackdoorSet() {
        return DagAnalyzer.minimalAdjustmentSet(dag, x, y);
    }

    @Benchmark
    public DagAnalysis analyze() {
        return DagAnalyzer.analyze(dag, x, y);
    }

    /** As scripts/bench_dag_peer.py's graph(). */
    static Dag sparse(int n, long seed) {
        long[] state = {seed};
        List<String> names = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("v" + i);
            if (i == 0) {
                continue;
            }
            int window = Math.min(50, i);
            int k = Math.min(i, nextInt(state, 3));
            Set<Integer> chosen = new LinkedHashSet<>();
            while (chosen.size() < k) {
                chosen.add(i - 1 - nextInt(state, window));
            }
            for (int p : chosen) {
                edges.add(new Edge("v" + p, "v" + i));
            }
        }
        return Dag.of(names, edges, List.of(), List.of());
    }

    /** SplitMix64's next value, reduced as the peer reduces it. */
    private static int nextInt(long[] state, int bound) {
        state[0] += 0x9E3779B97F4A7C15L;
        long z = state[0];
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (int) ((z >>> 33) % bound);
    }
}

package io.counterfact.engine.dag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A causal DAG: declared nodes, directed edges, bidirected edges ({@code A <-> B}, a latent common
 * cause of A and B) and nodes declared latent (unobserved). Immutable; build one with
 * {@link DagParser} (dagitty text or the JSON form) or {@link #of}.
 *
 * <p>Internally each bidirected edge becomes a hidden parent of its two ends, so every algorithm
 * runs on a plain DAG in which the hidden parents and the latent nodes are simply never observed
 * (never in a conditioning set).
 */
public final class Dag {

    private final List<String> names;
    private final Map<String, Integer> index;
    private final BitSet observed;
    private final List<Edge> edges;
    private final List<Edge> bidirected;
    private final List<String> exposures;
    private final List<String> outcomes;
    private final Graph graph;

    private Dag(List<String> names, Set<String> latent, List<Edge> edges, List<Edge> bidirected,
                List<String> exposures, List<String> outcomes) {
        this.names = List.copyOf(names);
        this.index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        this.observed = new BitSet();
        for (int i = 0; i < names.size(); i++) {
            if (!latent.contains(names.get(i))) {
                observed.set(i);
            }
        }
        this.edges = List.copyOf(edges);
        this.bidirected = List.copyOf(bidirected);
        this.exposures = List.copyOf(exposures);
        this.outcomes = List.copyOf(outcomes);
        List<int[]> directed = new ArrayList<>();
        for (Edge e : edges) {
            directed.add(new int[]{index.get(e.from()), index.get(e.to())});
        }
        int hidden = names.size();
        for (Edge e : bidirected) {
            directed.add(new int[]{hidden, index.get(e.from())});
            directed.add(new int[]{hidden, index.get(e.to())});
            hidden++;
        }
        this.graph = Graph.of(hidden, directed);
    }

    /**
     * A DAG from its parts. Every edge must name declared nodes; the directed edges must not form a
     * cycle (the error names the first edge, in the given order, that closes one).
     *
     * @throws DagException naming the unknown node, the self-loop or the cycle
     */
    public static Dag of(List<String> nodes, List<Edge> edges, List<Edge> bidirected, Collection<String> latent) {
        return build(nodes, edges, bidirected, latent, List.of(), List.of());
    }

    static Dag build(List<String> nodes, List<Edge> edges, List<Edge> bidirected, Collection<String> latent,
                     List<String> exposures, List<String> outcomes) {
        Set<String> declared = new LinkedHashSet<>();
        for (String v : nodes) {
            if (v == null || v.isEmpty()) {
                throw DagException.invalid("dag", "a node name is empty", v);
            }
            if (!declared.add(v)) {
                throw DagException.invalid("dag", "node " + v + " is declared twice", v);
            }
        }
        for (String v : latent) {
            requireDeclared(declared, v, "latent node " + v);
        }
        Set<Edge> directed = new LinkedHashSet<>();
        for (Edge e : edges) {
            requireDeclared(declared, e.from(), "edge " + e);
            requireDeclared(declared, e.to(), "edge " + e);
            if (e.from().equals(e.to())) {
                throw DagException.cycle("edge " + e + " is a self-loop (a cycle)", e);
            }
            directed.add(e);
        }
        Set<Set<String>> seenPairs = new java.util.HashSet<>();
        List<Edge> spouses = new ArrayList<>();
        for (Edge e : bidirected) {
            requireDeclared(declared, e.from(), "edge " + e.toBidirectedString());
            requireDeclared(declared, e.to(), "edge " + e.toBidirectedString());
            if (e.from().equals(e.to())) {
                throw DagException.invalid("dag", "edge " + e.toBidirectedString() + " joins a node to itself", e.from());
            }
            if (seenPairs.add(Set.of(e.from(), e.to()))) {
                spouses.add(e);
            }
        }
        List<Edge> directedList = new ArrayList<>(directed);
        checkAcyclic(new ArrayList<>(declared), directedList);
        return new Dag(new ArrayList<>(declared), new LinkedHashSet<>(latent), directedList, spouses, exposures, outcomes);
    }

    private static void requireDeclared(Set<String> declared, String v, String where) {
        if (!declared.contains(v)) {
            throw DagException.unknownNode("dag", where + " names node " + v + ", which is not among the nodes", v);
        }
    }

    /**
     * Rejects a cycle, naming the first edge (in declaration order) whose target already reaches
     * its source, and the cycle it closes. A linear check runs first so acyclic graphs pay no more.
     */
    private static void checkAcyclic(List<String> nodes, List<Edge> edges) {
        Map<String, Integer> idx = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            idx.put(nodes.get(i), i);
        }
        List<int[]> all = new ArrayList<>();
        for (Edge e : edges) {
            all.add(new int[]{idx.get(e.from()), idx.get(e.to())});
        }
        if (isAcyclic(nodes.size(), all)) {
            return;
        }
        // the first edge that closes a cycle ends the shortest cyclic prefix of the edge list: found
        // by bisection, O((n + m) log m), where testing edge by edge costs O(m (n + m))
        int lo = 0;
        int hi = all.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (isAcyclic(nodes.size(), all.subList(0, mid + 1))) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        List<List<Integer>> children = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            children.add(new ArrayList<>());
        }
        for (int[] e : all.subList(0, lo)) {
            children.get(e[0]).add(e[1]);
        }
        int u = all.get(lo)[0];
        int v = all.get(lo)[1];
        List<Integer> path = path(children, v, u);
        if (path == null) {
            throw new IllegalStateException("cycle not located");
        }
        StringBuilder cycle = new StringBuilder();
        for (int w : path) {
            cycle.append(nodes.get(w)).append(" -> ");
        }
        cycle.append(nodes.get(v));
        Edge closing = edges.get(lo);
        throw DagException.cycle("the graph has a cycle " + cycle + "; edge " + closing + " closes it", closing);
    }

    private static boolean isAcyclic(int n, List<int[]> edges) {
        int[] indegree = new int[n];
        List<List<Integer>> children = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            children.add(new ArrayList<>());
        }
        for (int[] e : edges) {
            children.get(e[0]).add(e[1]);
            indegree[e[1]]++;
        }
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            if (indegree[i] == 0) {
                queue.add(i);
            }
        }
        int done = 0;
        while (!queue.isEmpty()) {
            int v = queue.poll();
            done++;
            for (int c : children.get(v)) {
                if (--indegree[c] == 0) {
                    queue.add(c);
                }
            }
        }
        return done == n;
    }

    /** A directed path from → ... → to, or null. */
    private static List<Integer> path(List<List<Integer>> children, int from, int to) {
        Map<Integer, Integer> previous = new HashMap<>();
        previous.put(from, -1);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(from);
        while (!queue.isEmpty()) {
            int v = queue.poll();
            if (v == to) {
                List<Integer> p = new ArrayList<>();
                for (int w = to; w != -1; w = previous.get(w)) {
                    p.add(w);
                }
                java.util.Collections.reverse(p);
                return p;
            }
            for (int c : children.get(v)) {
                if (!previous.containsKey(c)) {
                    previous.put(c, v);
                    queue.add(c);
                }
            }
        }
        return null;
    }

    /** This graph with more nodes treated as latent (unobserved), e.g. those the data lack. */
    public Dag withLatent(Collection<String> more) {
        Set<String> latent = new LinkedHashSet<>(latentNodes());
        for (String v : more) {
            require(v);
            latent.add(v);
        }
        return new Dag(names, latent, edges, bidirected, exposures, outcomes);
    }

    /** Declared nodes, in declaration order (latent ones included). */
    public List<String> nodes() {
        return names;
    }

    /** Declared nodes that are not latent, in declaration order. */
    public List<String> observedNodes() {
        List<String> out = new ArrayList<>();
        observed.stream().forEach(i -> out.add(names.get(i)));
        return out;
    }

    /** Nodes declared latent (unobserved), in declaration order. */
    public List<String> latentNodes() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (!observed.get(i)) {
                out.add(names.get(i));
            }
        }
        return out;
    }

    /** Directed edges, in declaration order, without duplicates. */
    public List<Edge> edges() {
        return edges;
    }

    /** Bidirected edges (latent common causes), in declaration order, without duplicates. */
    public List<Edge> bidirectedEdges() {
        return bidirected;
    }

    /** Directed plus bidirected edges. */
    public int edgeCount() {
        return edges.size() + bidirected.size();
    }

    public boolean contains(String node) {
        return index.containsKey(node);
    }

    public boolean isLatent(String node) {
        return !observed.get(require(node));
    }

    /** Nodes marked {@code [exposure]} in dagitty text. */
    public List<String> exposures() {
        return exposures;
    }

    /** Nodes marked {@code [outcome]} in dagitty text. */
    public List<String> outcomes() {
        return outcomes;
    }

    /** The single node marked as exposure, if exactly one is. */
    public Optional<String> exposure() {
        return exposures.size() == 1 ? Optional.of(exposures.get(0)) : Optional.empty();
    }

    /** The single node marked as outcome, if exactly one is. */
    public Optional<String> outcome() {
        return outcomes.size() == 1 ? Optional.of(outcomes.get(0)) : Optional.empty();
    }

    /** Declared parents, sorted (hidden common causes of bidirected edges are not listed). */
    public List<String> parents(String node) {
        return declaredNames(Graph.set(graph.parents[require(node)]));
    }

    /** Children, sorted. */
    public List<String> children(String node) {
        return declaredNames(Graph.set(graph.children[require(node)]));
    }

    /** Proper ancestors among the declared nodes, sorted. */
    public List<String> ancestors(String node) {
        int v = require(node);
        BitSet a = graph.ancestors(Graph.set(v));
        a.clear(v);
        return declaredNames(a);
    }

    /** Proper descendants, sorted. */
    public List<String> descendants(String node) {
        int v = require(node);
        BitSet d = graph.descendants(Graph.set(v));
        d.clear(v);
        return declaredNames(d);
    }

    /**
     * True when the given set d-separates every node of x from every node of y (latent common
     * causes of bidirected edges are never conditioned on). The three sets must be disjoint.
     *
     * @throws IllegalArgumentException for an unknown node or overlapping sets
     */
    public boolean isDSeparated(Collection<String> x, Collection<String> y, Collection<String> given) {
        BitSet xs = indices(x);
        BitSet ys = indices(y);
        BitSet zs = indices(given);
        if (xs.intersects(ys) || xs.intersects(zs) || ys.intersects(zs)) {
            throw new IllegalArgumentException("x, y and the conditioning set must be disjoint");
        }
        return graph.dSeparated(xs, ys, zs);
    }

    // ---- package-private access for the analyser

    Graph graph() {
        return graph;
    }

    /** Observed declared nodes as indices. */
    BitSet observed() {
        return (BitSet) observed.clone();
    }

    boolean isObserved(int i) {
        return i < names.size() && observed.get(i);
    }

    int indexOf(String node) {
        Integer i = index.get(node);
        return i == null ? -1 : i;
    }

    String name(int i) {
        return names.get(i);
    }

    int declaredCount() {
        return names.size();
    }

    int require(String node) {
        Integer i = index.get(node);
        if (i == null) {
            throw new IllegalArgumentException("node " + node + " is not in the dag");
        }
        return i;
    }

    BitSet indices(Collection<String> nodes) {
        BitSet b = new BitSet();
        for (String v : nodes) {
            b.set(require(v));
        }
        return b;
    }

    /** Names of the declared nodes in s, sorted; hidden nodes are dropped. */
    List<String> declaredNames(BitSet s) {
        TreeSet<String> out = new TreeSet<>();
        for (int i = s.nextSetBit(0); i >= 0 && i < names.size(); i = s.nextSetBit(i + 1)) {
            out.add(names.get(i));
        }
        return Collections.unmodifiableList(new ArrayList<>(out));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("dag {");
        for (String v : names) {
            sb.append(' ').append(quote(v));
            if (!observed.get(index.get(v))) {
                sb.append(" [latent]");
            }
            sb.append(';');
        }
        for (Edge e : edges) {
            sb.append(' ').append(quote(e.from())).append(" -> ").append(quote(e.to())).append(';');
        }
        for (Edge e : bidirected) {
            sb.append(' ').append(quote(e.from())).append(" <-> ").append(quote(e.to())).append(';');
        }
        return sb.append(" }").toString();
    }

    private static String quote(String name) {
        return name.matches("[0-9A-Za-z_.]+") ? name : '"' + name.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}

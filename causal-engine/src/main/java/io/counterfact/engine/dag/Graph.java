package io.counterfact.engine.dag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A directed acyclic graph over node indices 0..n−1, immutable. The algorithms the analyser needs
 * (ancestors, Bayes-ball d-separation, moral graphs of ancestral sets) work on index sets
 * ({@link BitSet}) so that a 50-node analysis stays in the milliseconds.
 */
final class Graph {

    final int n;
    final int[][] parents;
    final int[][] children;

    private Graph(int n, int[][] parents, int[][] children) {
        this.n = n;
        this.parents = parents;
        this.children = children;
    }

    /** From directed edges {from, to}. */
    static Graph of(int n, List<int[]> edges) {
        List<List<Integer>> pa = new ArrayList<>();
        List<List<Integer>> ch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pa.add(new ArrayList<>());
            ch.add(new ArrayList<>());
        }
        for (int[] e : edges) {
            if (!ch.get(e[0]).contains(e[1])) {
                ch.get(e[0]).add(e[1]);
                pa.get(e[1]).add(e[0]);
            }
        }
        return new Graph(n, toArrays(pa), toArrays(ch));
    }

    private static int[][] toArrays(List<List<Integer>> lists) {
        int[][] a = new int[lists.size()][];
        for (int i = 0; i < a.length; i++) {
            a[i] = lists.get(i).stream().mapToInt(Integer::intValue).sorted().toArray();
        }
        return a;
    }

    /** Every edge {from, to}. */
    List<int[]> edges() {
        List<int[]> out = new ArrayList<>();
        for (int u = 0; u < n; u++) {
            for (int v : children[u]) {
                out.add(new int[]{u, v});
            }
        }
        return out;
    }

    /** The graph without the edges leaving the given nodes (Pearl's G with those nodes "underlined"). */
    Graph withoutEdgesOutOf(BitSet from) {
        return without((u, v) -> from.get(u));
    }

    interface EdgeFilter {
        boolean drop(int from, int to);
    }

    Graph without(EdgeFilter filter) {
        List<int[]> kept = new ArrayList<>();
        for (int[] e : edges()) {
            if (!filter.drop(e[0], e[1])) {
                kept.add(e);
            }
        }
        return of(n, kept);
    }

    /** The nodes of s and all their ancestors. */
    BitSet ancestors(BitSet s) {
        return closure(s, parents);
    }

    /** The nodes of s and all their descendants. */
    BitSet descendants(BitSet s) {
        return closure(s, children);
    }

    private BitSet closure(BitSet s, int[][] next) {
        BitSet seen = (BitSet) s.clone();
        int[] stack = new int[n];
        int top = 0;
        for (int v = s.nextSetBit(0); v >= 0; v = s.nextSetBit(v + 1)) {
            stack[top++] = v;
        }
        while (top > 0) {
            int v = stack[--top];
            for (int w : next[v]) {
                if (!seen.get(w)) {
                    seen.set(w);
                    stack[top++] = w;
                }
            }
        }
        return seen;
    }

    /**
     * Nodes d-connected to x given z (Shachter's Bayes-ball, as the "reachable" procedure of Koller
     * and Friedman, Algorithm 3.1): a walk that may pass a non-collider outside z and a collider
     * that is z or has a descendant in z. Includes x; never includes nodes of z.
     */
    BitSet reachable(BitSet x, BitSet z) {
        BitSet ancestorsOfZ = ancestors(z);
        // a state is node * 2 + (1 when the walk arrives from a child, i.e. travels up); each state
        // is pushed at most once, so 2n slots suffice
        boolean[] visited = new boolean[2 * n];
        int[] stack = new int[2 * n];
        int top = 0;
        BitSet reached = new BitSet(n);
        for (int v = x.nextSetBit(0); v >= 0; v = x.nextSetBit(v + 1)) {
            visited[v * 2 + 1] = true;
            stack[top++] = v * 2 + 1;
        }
        while (top > 0) {
            int state = stack[--top];
            int v = state >> 1;
            boolean up = (state & 1) == 1;
            boolean conditioned = z.get(v);
            if (!conditioned) {
                reached.set(v);
            }
            if (up) {
                if (!conditioned) {
                    for (int p : parents[v]) {
                        if (!visited[p * 2 + 1]) {
                            visited[p * 2 + 1] = true;
                            stack[top++] = p * 2 + 1;
                        }
                    }
                    for (int c : children[v]) {
                        if (!visited[c * 2]) {
                            visited[c * 2] = true;
                            stack[top++] = c * 2;
                        }
                    }
                }
            } else {
                if (!conditioned) {
                    for (int c : children[v]) {
                        if (!visited[c * 2]) {
                            visited[c * 2] = true;
                            stack[top++] = c * 2;
                        }
                    }
                }
                if (ancestorsOfZ.get(v)) {
                    // an opened collider: the walk turns back up
                    for (int p : parents[v]) {
                        if (!visited[p * 2 + 1]) {
                            visited[p * 2 + 1] = true;
                            stack[top++] = p * 2 + 1;
                        }
                    }
                }
            }
        }
        return reached;
    }

    /** True when every path between x and y is blocked by z (x, y, z disjoint). */
    boolean dSeparated(BitSet x, BitSet y, BitSet z) {
        return !reachable(x, z).intersects(y);
    }

    /**
     * The moral graph of the subgraph induced by an ancestral set: parent–child edges made
     * undirected, and the parents of each node married. Nodes outside the set have no neighbours.
     */
    BitSet[] moral(BitSet ancestral) {
        BitSet[] adj = new BitSet[n];
        for (int i = 0; i < n; i++) {
            adj[i] = new BitSet(n);
        }
        for (int v = ancestral.nextSetBit(0); v >= 0; v = ancestral.nextSetBit(v + 1)) {
            int[] pa = parents[v];
            for (int i = 0; i < pa.length; i++) {
                adj[v].set(pa[i]);
                adj[pa[i]].set(v);
                for (int j = i + 1; j < pa.length; j++) {
                    adj[pa[i]].set(pa[j]);
                    adj[pa[j]].set(pa[i]);
                }
            }
        }
        return adj;
    }

    /** True when a directed path leads from a node of x to a node of y without entering a node of avoid. */
    boolean directedPath(BitSet x, BitSet y, BitSet avoid) {
        BitSet seen = new BitSet(n);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        x.stream().forEach(v -> {
            seen.set(v);
            queue.add(v);
        });
        while (!queue.isEmpty()) {
            int v = queue.poll();
            for (int c : children[v]) {
                if (y.get(c)) {
                    return true;
                }
                if (!seen.get(c) && !avoid.get(c)) {
                    seen.set(c);
                    queue.add(c);
                }
            }
        }
        return false;
    }

    static BitSet set(int... nodes) {
        BitSet b = new BitSet();
        for (int v : nodes) {
            b.set(v);
        }
        return b;
    }
}

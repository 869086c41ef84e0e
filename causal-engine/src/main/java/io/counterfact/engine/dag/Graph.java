package io.counterfact.engine.dag;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * A directed acyclic graph over node indices 0..n−1, immutable, as sorted parent and child arrays.
 * Every algorithm here runs in time linear in the part of the graph it visits, with explicit work
 * lists (never recursion), and keeps O(n) state per call, so graphs of 100,000 nodes cost
 * milliseconds and no stack depth.
 *
 * <p>Node sets are {@link BitSet}s. Moral graphs are never built: {@link #moralComponent} and
 * {@link #moralNeighbours} walk the moral graph of an ancestral set implicitly (a married pair of
 * parents is reached through their common child, each child expanded once), which keeps them
 * linear where an explicit moral graph costs the sum of squared in-degrees and O(n²) memory.
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

    /** From directed edges {from, to}; duplicates are dropped. Linear (plus sorting each adjacency). */
    static Graph of(int n, List<int[]> edges) {
        int[] outDegree = new int[n];
        for (int[] e : edges) {
            outDegree[e[0]]++;
        }
        int[][] ch = new int[n][];
        for (int u = 0; u < n; u++) {
            ch[u] = new int[outDegree[u]];
        }
        int[] fill = new int[n];
        for (int[] e : edges) {
            ch[e[0]][fill[e[0]]++] = e[1];
        }
        for (int u = 0; u < n; u++) {
            ch[u] = sortedDistinct(ch[u]);
        }
        return fromChildren(n, ch);
    }

    private static Graph fromChildren(int n, int[][] ch) {
        int[] inDegree = new int[n];
        for (int u = 0; u < n; u++) {
            for (int v : ch[u]) {
                inDegree[v]++;
            }
        }
        int[][] pa = new int[n][];
        for (int v = 0; v < n; v++) {
            pa[v] = new int[inDegree[v]];
        }
        int[] fill = new int[n];
        for (int u = 0; u < n; u++) {
            for (int v : ch[u]) {
                pa[v][fill[v]++] = u; // u ascending: parents come out sorted
            }
        }
        return new Graph(n, pa, ch);
    }

    private static int[] sortedDistinct(int[] a) {
        if (a.length < 2) {
            return a;
        }
        Arrays.sort(a);
        int k = 1;
        for (int i = 1; i < a.length; i++) {
            if (a[i] != a[k - 1]) {
                a[k++] = a[i];
            }
        }
        return k == a.length ? a : Arrays.copyOf(a, k);
    }

    /** Number of edges. */
    int edgeCount() {
        int m = 0;
        for (int[] c : children) {
            m += c.length;
        }
        return m;
    }

    /** The graph without the edges leaving the given nodes (Pearl's G with those nodes "underlined"). */
    Graph withoutEdgesOutOf(BitSet from) {
        return without((u, v) -> from.get(u));
    }

    interface EdgeFilter {
        boolean drop(int from, int to);
    }

    Graph without(EdgeFilter filter) {
        int[][] ch = new int[n][];
        for (int u = 0; u < n; u++) {
            int[] c = children[u];
            int k = 0;
            int[] kept = new int[c.length];
            for (int v : c) {
                if (!filter.drop(u, v)) {
                    kept[k++] = v;
                }
            }
            ch[u] = k == c.length ? c : Arrays.copyOf(kept, k);
        }
        return fromChildren(n, ch);
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
        return closure(s, next, null);
    }

    /** s and every node reached from it along next, not passing through the nodes of cut (null: none). */
    private BitSet closure(BitSet s, int[][] next, BitSet cut) {
        BitSet seen = (BitSet) s.clone();
        IntStack stack = new IntStack();
        for (int v = s.nextSetBit(0); v >= 0; v = s.nextSetBit(v + 1)) {
            stack.push(v);
        }
        while (!stack.isEmpty()) {
            int v = stack.pop();
            for (int w : next[v]) {
                if (!seen.get(w) && (cut == null || !cut.get(w))) {
                    seen.set(w);
                    stack.push(w);
                }
            }
        }
        return seen;
    }

    /**
     * Nodes d-connected to x given z (Shachter's Bayes-ball, as the "reachable" procedure of Koller
     * and Friedman, Algorithm 3.1): a walk that may pass a non-collider outside z and a collider
     * that is z or has a descendant in z. Includes x; never includes nodes of z. O(n + m).
     */
    BitSet reachable(BitSet x, BitSet z) {
        return reachable(x, z, null);
    }

    /**
     * As {@link #reachable(BitSet, BitSet)}, inside an ancestral set {@code within} that holds x and
     * z (null: the whole graph). D-connection between nodes of an ancestral set that holds the
     * conditioning set is decided in the subgraph it induces, so the walk never leaves it and costs
     * only the edges inside.
     */
    BitSet reachable(BitSet x, BitSet z, BitSet within) {
        return reachable(x, z, within, null);
    }

    /**
     * As {@link #reachable(BitSet, BitSet, BitSet)} in the graph without the edges leaving the
     * nodes of {@code cut} (null: none), without building that graph.
     */
    BitSet reachable(BitSet x, BitSet z, BitSet within, BitSet cut) {
        BitSet ancestorsOfZ = cut == null ? ancestors(z) : ancestorsWithout(z, cut);
        // a state is node * 2 + (1 when the walk arrives from a child, i.e. travels up); each state
        // is pushed at most once
        BitSet visited = new BitSet();
        IntStack stack = new IntStack();
        BitSet reached = new BitSet();
        for (int v = x.nextSetBit(0); v >= 0; v = x.nextSetBit(v + 1)) {
            visited.set(v * 2 + 1);
            stack.push(v * 2 + 1);
        }
        while (!stack.isEmpty()) {
            int state = stack.pop();
            int v = state >> 1;
            boolean up = (state & 1) == 1;
            boolean conditioned = z.get(v);
            boolean down = cut == null || !cut.get(v); // v keeps its outgoing edges
            if (!conditioned) {
                reached.set(v);
            }
            if (up) {
                if (!conditioned) {
                    for (int p : parents[v]) {
                        if (!visited.get(p * 2 + 1) && (cut == null || !cut.get(p))) {
                            visited.set(p * 2 + 1);
                            stack.push(p * 2 + 1);
                        }
                    }
                    if (down) {
                        for (int c : children[v]) {
                            if (!visited.get(c * 2) && (within == null || within.get(c))) {
                                visited.set(c * 2);
                                stack.push(c * 2);
                            }
                        }
                    }
                }
            } else {
                if (!conditioned && down) {
                    for (int c : children[v]) {
                        if (!visited.get(c * 2) && (within == null || within.get(c))) {
                            visited.set(c * 2);
                            stack.push(c * 2);
                        }
                    }
                }
                if (ancestorsOfZ.get(v)) {
                    // an opened collider: the walk turns back up
                    for (int p : parents[v]) {
                        if (!visited.get(p * 2 + 1) && (cut == null || !cut.get(p))) {
                            visited.set(p * 2 + 1);
                            stack.push(p * 2 + 1);
                        }
                    }
                }
            }
        }
        return reached;
    }

    /** Ancestors of s (s included) in the graph without the edges leaving the nodes of cut. */
    BitSet ancestorsWithout(BitSet s, BitSet cut) {
        return closure(s, parents, cut);
    }

    /** True when every path between x and y is blocked by z (x, y, z disjoint). Linear time. */
    boolean dSeparated(BitSet x, BitSet y, BitSet z) {
        BitSet seeds = (BitSet) x.clone();
        seeds.or(y);
        seeds.or(z);
        return !reachable(x, z, ancestors(seeds)).intersects(y);
    }

    /**
     * The component of {@code start} in the moral graph of the ancestral set {@code ancestral} once
     * the {@code stop} vertices are removed; the stop vertices met on its border are added to
     * {@code border} when it is not null. O(n + m) inside the ancestral set: the moral graph is
     * walked implicitly (parents and children inside the set, and the co-parents of each child, a
     * child in {@code stop} expanded once).
     */
    BitSet moralComponent(BitSet ancestral, int start, BitSet stop, BitSet border) {
        BitSet seen = new BitSet();
        seen.set(start);
        IntStack stack = new IntStack();
        stack.push(start);
        moralWalk(ancestral, stack, seen, stop, border);
        return seen;
    }

    /**
     * Grows {@code part}, a connected part of a component of the moral graph of {@code ancestral}
     * without {@code stop} whose neighbours outside stop are {@code seeds}, into that whole
     * component: only the seeds and what lies beyond them are walked, never the part's own edges.
     */
    void moralGrow(BitSet ancestral, BitSet part, BitSet seeds, BitSet stop) {
        IntStack stack = new IntStack();
        for (int v = seeds.nextSetBit(0); v >= 0; v = seeds.nextSetBit(v + 1)) {
            if (!part.get(v) && !stop.get(v)) {
                part.set(v);
                stack.push(v);
            }
        }
        moralWalk(ancestral, stack, part, stop, null);
    }

    /** Expands the stacked nodes (already in seen) through the moral graph, not entering stop. */
    private void moralWalk(BitSet ancestral, IntStack stack, BitSet seen, BitSet stop, BitSet border) {
        BitSet expanded = new BitSet();
        while (!stack.isEmpty()) {
            int v = stack.pop();
            for (int p : parents[v]) {
                visit(p, stop, border, seen, stack);
            }
            for (int c : children[v]) {
                if (!ancestral.get(c)) {
                    continue;
                }
                if (stop.get(c)) {
                    if (border != null) {
                        border.set(c);
                    }
                    if (!expanded.get(c)) {
                        expanded.set(c);
                        for (int p : parents[c]) {
                            visit(p, stop, border, seen, stack);
                        }
                    }
                } else {
                    // its other parents are reached when c itself is visited
                    visit(c, stop, border, seen, stack);
                }
            }
        }
    }

    private static void visit(int w, BitSet stop, BitSet border, BitSet seen, IntStack stack) {
        if (stop.get(w)) {
            if (border != null) {
                border.set(w);
            }
        } else if (!seen.get(w)) {
            seen.set(w);
            stack.push(w);
        }
    }

    /** A growable stack of ints: the work list of every walk here. */
    static final class IntStack {
        private int[] a = new int[64];
        private int size;

        void push(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }

        int pop() {
            return a[--size];
        }

        boolean isEmpty() {
            return size == 0;
        }
    }

    /** Vertices adjacent to s and not in s in the moral graph of the ancestral set (s inside it). */
    BitSet moralNeighbours(BitSet ancestral, BitSet s) {
        BitSet nb = new BitSet();
        BitSet expanded = new BitSet();
        for (int v = s.nextSetBit(0); v >= 0; v = s.nextSetBit(v + 1)) {
            for (int p : parents[v]) {
                nb.set(p);
            }
            for (int c : children[v]) {
                if (ancestral.get(c)) {
                    nb.set(c);
                    if (!expanded.get(c)) {
                        expanded.set(c);
                        for (int p : parents[c]) {
                            nb.set(p);
                        }
                    }
                }
            }
        }
        nb.andNot(s);
        return nb;
    }

    /** True when a directed path leads from a node of x to a node of y without entering a node of avoid. */
    boolean directedPath(BitSet x, BitSet y, BitSet avoid) {
        BitSet seen = (BitSet) x.clone();
        IntStack stack = new IntStack();
        for (int v = x.nextSetBit(0); v >= 0; v = x.nextSetBit(v + 1)) {
            stack.push(v);
        }
        while (!stack.isEmpty()) {
            int v = stack.pop();
            for (int c : children[v]) {
                if (y.get(c)) {
                    return true;
                }
                if (!seen.get(c) && !avoid.get(c)) {
                    seen.set(c);
                    stack.push(c);
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

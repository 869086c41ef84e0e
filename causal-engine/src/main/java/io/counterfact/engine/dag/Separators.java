package io.counterfact.engine.dag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Vertex separators between two vertices of an undirected graph (a moral graph), where only the
 * {@code allowed} vertices may be removed. By Lauritzen's moralisation theorem, a set inside the
 * ancestral set An(x ∪ y) d-separates x and y exactly when it separates them in the moral graph of
 * that ancestral set, and every minimal d-separator lies inside it; so minimal d-separators are
 * the minimal vertex separators listed here.
 */
final class Separators {

    private Separators() {
    }

    /**
     * The minimal separator nearest to {@code from}: the allowed vertices bordering from's part of
     * the graph once every allowed vertex is removed, trimmed to those that also border to's part.
     * Null when no set of allowed vertices separates the two.
     */
    static BitSet nearest(BitSet[] adj, int from, int to, BitSet allowed) {
        BitSet border = new BitSet();
        BitSet fromSide = component(adj, from, allowed, border);
        if (fromSide.get(to)) {
            return null;
        }
        BitSet trimmed = new BitSet();
        component(adj, to, border, trimmed);
        return trimmed;
    }

    /**
     * Every inclusion-minimal separator of x and y made of allowed vertices, up to {@code limit}
     * of them (a listing of {@code limit} means there may be more).
     *
     * <p>Method: Takata's backtracking over the x-side (Disc. Appl. Math. 158, 2010), as dagitty
     * extends it with vertices that must not be removed. For a connected x-side A, the separator
     * closest to A is S = N(C), C the component of y once N(A) is removed; a vertex of S that may
     * not be removed must end up on x's side, so it joins A and S is recomputed. Every other
     * minimal separator whose x-side contains A puts some vertex of S on its x-side: branch i moves
     * the i-th vertex of S to the x-side and keeps the earlier ones in the separator, so each
     * separator is listed once and every branch yields at least one separator or stops at once.
     */
    static List<BitSet> listMinimal(BitSet[] adj, int x, int y, BitSet allowed, int limit) {
        List<BitSet> out = new ArrayList<>();
        if (limit > 0) {
            list(adj, x, y, allowed, Graph.set(x), new BitSet(), limit, out);
        }
        return out;
    }

    private static void list(BitSet[] adj, int x, int y, BitSet allowed, BitSet side, BitSet mustKeep,
                             int limit, List<BitSet> out) {
        if (out.size() >= limit) {
            return;
        }
        BitSet a = (BitSet) side.clone();
        BitSet separator;
        while (true) {
            BitSet around = neighbours(adj, a);
            if (around.get(y)) {
                return;
            }
            BitSet ySide = component(adj, y, around, null);
            separator = neighbours(adj, ySide);
            BitSet blocked = (BitSet) separator.clone();
            blocked.andNot(allowed);
            if (blocked.isEmpty()) {
                break;
            }
            a.or(blocked);
        }
        BitSet missing = (BitSet) mustKeep.clone();
        missing.andNot(separator);
        if (!missing.isEmpty()) {
            return;
        }
        out.add(separator);
        BitSet xSide = component(adj, x, separator, null);
        BitSet keep = (BitSet) mustKeep.clone();
        for (int v = separator.nextSetBit(0); v >= 0; v = separator.nextSetBit(v + 1)) {
            if (mustKeep.get(v)) {
                continue;
            }
            BitSet next = (BitSet) xSide.clone();
            next.set(v);
            list(adj, x, y, allowed, next, (BitSet) keep.clone(), limit, out);
            if (out.size() >= limit) {
                return;
            }
            keep.set(v);
        }
    }

    /** Vertices adjacent to s and not in s. */
    static BitSet neighbours(BitSet[] adj, BitSet s) {
        BitSet nb = new BitSet();
        for (int v = s.nextSetBit(0); v >= 0; v = s.nextSetBit(v + 1)) {
            nb.or(adj[v]);
        }
        nb.andNot(s);
        return nb;
    }

    /**
     * The component of start in the graph without the {@code stop} vertices; the stop vertices
     * met on its border are added to {@code border} when it is not null.
     */
    static BitSet component(BitSet[] adj, int start, BitSet stop, BitSet border) {
        BitSet seen = new BitSet();
        seen.set(start);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(start);
        while (!queue.isEmpty()) {
            int v = queue.poll();
            BitSet nb = adj[v];
            for (int w = nb.nextSetBit(0); w >= 0; w = nb.nextSetBit(w + 1)) {
                if (stop.get(w)) {
                    if (border != null) {
                        border.set(w);
                    }
                } else if (!seen.get(w)) {
                    seen.set(w);
                    queue.add(w);
                }
            }
        }
        return seen;
    }

    /** True when x and y are disconnected once the vertices of removed are taken out. */
    static boolean separates(BitSet[] adj, int x, int y, BitSet removed) {
        return !component(adj, x, removed, null).get(y);
    }
}

package io.counterfact.engine.dag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;

/**
 * Vertex separators between two vertices of the moral graph of an ancestral set, where only the
 * {@code allowed} vertices may be removed. By Lauritzen's moralisation theorem, a set inside the
 * ancestral set An(x ∪ y) d-separates x and y exactly when it separates them in the moral graph of
 * that ancestral set, and every minimal d-separator lies inside it; so minimal d-separators are
 * the minimal vertex separators found here. The moral graph is walked implicitly
 * ({@link Graph#moralComponent}), so each step is O(n + m) and nothing is O(n²).
 */
final class Separators {

    private Separators() {
    }

    /**
     * The minimal separator nearest to {@code from}: the allowed vertices bordering from's part of
     * the graph once every allowed vertex is removed, trimmed to those that also border to's part
     * (van der Zander, Liśkiewicz and Textor 2019, FindMinSep; Takata 2010). Null when no set of
     * allowed vertices separates the two. O(n + m): two walks of the moral graph.
     */
    static BitSet nearest(Graph g, BitSet ancestral, int from, int to, BitSet allowed) {
        BitSet border = new BitSet();
        BitSet fromSide = g.moralComponent(ancestral, from, allowed, border);
        if (fromSide.get(to)) {
            return null;
        }
        BitSet trimmed = new BitSet();
        g.moralComponent(ancestral, to, border, trimmed);
        return trimmed;
    }

    /**
     * Every inclusion-minimal separator of x and y made of allowed vertices, in the order of a
     * depth-first search, stopped after {@code limit} (truncatedBy "count" when there are more) or
     * when the budget runs out ("time").
     *
     * <p>Method: Takata's backtracking over the x-side (Disc. Appl. Math. 158, 2010), as dagitty
     * extends it with vertices that must not be removed. For a connected x-side A, the separator
     * closest to A is S = N(C), C the component of y once N(A) is removed; a vertex of S that may
     * not be removed must end up on x's side, so it joins A and S is recomputed. Every other
     * minimal separator whose x-side contains A puts some vertex of S on its x-side: branch i moves
     * the i-th vertex of S to the x-side and keeps the earlier ones in the separator, so each
     * separator is listed once and every branch yields at least one separator or stops at once.
     * The search keeps an explicit stack with one frame per listed separator (the separator itself
     * and the vertices it must keep; the x-side is recomputed per branch), so its depth costs no
     * call stack and its memory is bounded by the listing.
     */
    static Listing<BitSet> listMinimal(Graph g, BitSet ancestral, int x, int y, BitSet allowed, int limit,
                                       Budget budget) {
        List<BitSet> out = new ArrayList<>();
        if (limit <= 0) {
            return new Listing<>(out, null);
        }
        Closest closest = new Closest(g, ancestral, y, allowed, budget);
        Deque<Frame> stack = new ArrayDeque<>();
        BitSet first = closest.separator(Graph.set(x), new BitSet());
        if (first != null) {
            out.add(first);
            stack.push(new Frame(first, new BitSet()));
        }
        while (!stack.isEmpty() && out.size() <= limit && !closest.outOfTime) {
            if (budget.expired()) {
                closest.outOfTime = true;
                break;
            }
            Frame f = stack.peek();
            int v = f.separator.nextSetBit(f.cursor);
            while (v >= 0 && f.mustKeep.get(v)) {
                v = f.separator.nextSetBit(v + 1);
            }
            if (v < 0) {
                stack.pop();
                continue;
            }
            f.cursor = v + 1;
            BitSet keep = f.separator.get(0, v);
            keep.or(f.mustKeep);
            BitSet xSide = g.moralComponent(ancestral, x, f.separator, null);
            xSide.set(v);
            BitSet s = closest.separator(xSide, keep);
            if (s != null) {
                out.add(s);
                stack.push(new Frame(s, keep));
            }
        }
        if (out.size() > limit) {
            out.subList(limit, out.size()).clear();
            return new Listing<>(out, Listing.COUNT);
        }
        return new Listing<>(out, closest.outOfTime ? Listing.TIME : null);
    }

    private static final class Frame {
        final BitSet separator;
        final BitSet mustKeep;
        int cursor;

        Frame(BitSet separator, BitSet mustKeep) {
            this.separator = separator;
            this.mustKeep = mustKeep;
        }
    }

    /** The separator closest to a given x-side, made of allowed vertices and holding mustKeep. */
    private static final class Closest {
        final Graph g;
        final BitSet ancestral;
        final int y;
        final BitSet allowed;
        final Budget budget;
        boolean outOfTime;

        Closest(Graph g, BitSet ancestral, int y, BitSet allowed, Budget budget) {
            this.g = g;
            this.ancestral = ancestral;
            this.y = y;
            this.allowed = allowed;
            this.budget = budget;
        }

        BitSet separator(BitSet side, BitSet mustKeep) {
            BitSet a = (BitSet) side.clone();
            BitSet separator;
            while (true) {
                if (budget.expired()) {
                    outOfTime = true;
                    return null;
                }
                BitSet around = g.moralNeighbours(ancestral, a);
                if (around.get(y)) {
                    return null;
                }
                BitSet ySide = g.moralComponent(ancestral, y, around, null);
                separator = g.moralNeighbours(ancestral, ySide);
                BitSet blocked = (BitSet) separator.clone();
                blocked.andNot(allowed);
                if (blocked.isEmpty()) {
                    break;
                }
                a.or(blocked);
            }
            BitSet missing = (BitSet) mustKeep.clone();
            missing.andNot(separator);
            return missing.isEmpty() ? separator : null;
        }
    }
}

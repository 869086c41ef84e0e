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
     * and the vertices it must keep), so its depth costs no call stack and its memory is bounded by
     * the listing.
     *
     * <p>Cost. A listed separator S is minimal with x's full component C_x behind it, so N(C_x) = S
     * and the neighbourhood of the branch's x-side C_x ∪ {v} is (S ∪ N(v)) minus that side: it is
     * updated from v's (and each absorbed vertex's) moral neighbourhood instead of walking the
     * whole x-side, and the separator is the border met by the one walk of y's component. A branch
     * therefore costs a walk of y's side plus the neighbourhoods of the vertices moved, not a walk
     * of the ancestral set (on dense graphs most branches end without a separator, and the x-side
     * is most of the graph). Each frame holds its C_x, grown from the x-side its separator was
     * found for through the neighbours left outside the separator (the part of C_x not yet known),
     * so the stack holds one node set per listed separator on it, as the listing does.
     */
    static Listing<BitSet> listMinimal(Graph g, BitSet ancestral, int x, int y, BitSet allowed, int limit,
                                       Budget budget) {
        List<BitSet> out = new ArrayList<>();
        if (limit <= 0) {
            return new Listing<>(out, null);
        }
        Closest closest = new Closest(g, ancestral, y, allowed, budget);
        Deque<Frame> stack = new ArrayDeque<>();
        BitSet start = Graph.set(x);
        BitSet around = g.moralNeighbours(ancestral, start);
        BitSet first = closest.separator(start, around, new BitSet());
        if (first != null) {
            out.add(first);
            stack.push(new Frame(first, new BitSet(), xSide(g, ancestral, start, around, first)));
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
            BitSet side = (BitSet) f.xSide.clone();
            side.set(v);
            around = g.moralNeighbours(ancestral, Graph.set(v));
            around.or(f.separator);
            around.andNot(side);
            BitSet s = closest.separator(side, around, keep);
            if (s != null) {
                out.add(s);
                stack.push(new Frame(s, keep, xSide(g, ancestral, side, around, s)));
            }
        }
        if (out.size() > limit) {
            out.subList(limit, out.size()).clear();
            return new Listing<>(out, Listing.COUNT);
        }
        return new Listing<>(out, closest.outOfTime ? Listing.TIME : null);
    }

    /**
     * x's component behind the separator s found for the x-side {@code side} with neighbourhood
     * {@code around}: side grown through the neighbours that s left out (changes side).
     */
    private static BitSet xSide(Graph g, BitSet ancestral, BitSet side, BitSet around, BitSet s) {
        BitSet seeds = (BitSet) around.clone();
        seeds.andNot(s);
        g.moralGrow(ancestral, side, seeds, s);
        return side;
    }

    private static final class Frame {
        final BitSet separator;
        final BitSet mustKeep;
        final BitSet xSide; // x's component behind the separator, whose neighbours are the separator
        int cursor;

        Frame(BitSet separator, BitSet mustKeep, BitSet xSide) {
            this.separator = separator;
            this.mustKeep = mustKeep;
            this.xSide = xSide;
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

        /**
         * The closest separator to the connected x-side {@code side} (changed in place) whose moral
         * neighbourhood is {@code around} (changed in place), or null when there is none holding
         * mustKeep. Each round walks y's component once; its border is the separator.
         */
        BitSet separator(BitSet side, BitSet around, BitSet mustKeep) {
            BitSet separator;
            while (true) {
                if (budget.expired()) {
                    outOfTime = true;
                    return null;
                }
                if (around.get(y)) {
                    return null;
                }
                // y's component is a component of the graph without N(side): its neighbours all lie
                // in N(side), and they are the border the walk meets
                separator = new BitSet();
                g.moralComponent(ancestral, y, around, separator);
                // y's component only shrinks from round to round and a vertex to keep never leaves
                // N(side), so one that does not border it now never will: no separator holds it
                if (!contains(separator, mustKeep)) {
                    return null;
                }
                BitSet blocked = (BitSet) separator.clone();
                blocked.andNot(allowed);
                if (blocked.isEmpty()) {
                    break;
                }
                // N(side ∪ blocked) = (N(side) ∪ N(blocked)) minus side ∪ blocked
                side.or(blocked);
                around.or(g.moralNeighbours(ancestral, blocked));
                around.andNot(side);
            }
            return separator;
        }
    }

    private static boolean contains(BitSet set, BitSet subset) {
        for (int v = subset.nextSetBit(0); v >= 0; v = subset.nextSetBit(v + 1)) {
            if (!set.get(v)) {
                return false;
            }
        }
        return true;
    }
}

package io.counterfact.engine.dag;

import java.util.BitSet;

/**
 * The components of x and of y in the moral graph of a fixed ancestral set A once the nodes of
 * Z ⊆ A are removed, kept up to date while Z shrinks one node at a time. With A = An(x ∪ y ∪ Z) the
 * moral graph of A is the one of Lauritzen's criterion, so "x and y are in different components"
 * is "Z d-separates x and y"; taking v out of Z keeps them apart exactly when v does not touch both
 * components, which is checked on v's moral neighbourhood alone, and the components only grow. A
 * run of removals therefore costs O(|A| + edges inside A) in all, where a d-separation test per
 * removal costs that much each (the long "leave the node out" descents of the ListSep search).
 */
final class MoralCut {

    private final Graph g;
    private final BitSet ancestral;
    private final BitSet z;
    private final BitSet xSide;
    private final BitSet ySide;
    private final BitSet xExpanded = new BitSet();
    private final BitSet yExpanded = new BitSet();

    /** Components of x and y in the moral graph of ancestral minus z (z inside ancestral; x, y separated). */
    MoralCut(Graph g, BitSet ancestral, BitSet z, int x, int y) {
        this.g = g;
        this.ancestral = ancestral;
        this.z = (BitSet) z.clone();
        this.xSide = new BitSet();
        this.ySide = new BitSet();
        grow(xSide, xExpanded, x);
        grow(ySide, yExpanded, y);
    }

    /** False when x and y are connected (z does not separate them). */
    boolean separated() {
        return !xSide.intersects(ySide);
    }

    /**
     * Takes v (a node of z) out of z if x and y stay separated without it, and says whether it did.
     */
    boolean tryRemove(int v) {
        boolean touchesX = touches(v, xSide);
        boolean touchesY = touches(v, ySide);
        if (touchesX && touchesY) {
            return false;
        }
        z.clear(v);
        if (touchesX) {
            grow(xSide, xExpanded, v);
        } else if (touchesY) {
            grow(ySide, yExpanded, v);
        }
        return true;
    }

    /** True when v is adjacent to a node of side in the moral graph of the ancestral set. */
    private boolean touches(int v, BitSet side) {
        for (int p : g.parents[v]) {
            if (side.get(p)) {
                return true;
            }
        }
        for (int c : g.children[v]) {
            if (!ancestral.get(c)) {
                continue;
            }
            if (side.get(c)) {
                return true;
            }
            for (int p : g.parents[c]) {
                if (p != v && side.get(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Adds start and everything it reaches without crossing z to side (a walk like Graph.moralComponent). */
    private void grow(BitSet side, BitSet expanded, int start) {
        if (side.get(start)) {
            return;
        }
        side.set(start);
        Graph.IntStack stack = new Graph.IntStack();
        stack.push(start);
        while (!stack.isEmpty()) {
            int v = stack.pop();
            for (int p : g.parents[v]) {
                visit(p, side, stack);
            }
            for (int c : g.children[v]) {
                if (!ancestral.get(c)) {
                    continue;
                }
                if (z.get(c)) {
                    if (!expanded.get(c)) {
                        expanded.set(c);
                        for (int p : g.parents[c]) {
                            visit(p, side, stack);
                        }
                    }
                } else {
                    visit(c, side, stack);
                }
            }
        }
    }

    private void visit(int w, BitSet side, Graph.IntStack stack) {
        if (!z.get(w) && !side.get(w)) {
            side.set(w);
            stack.push(w);
        }
    }
}

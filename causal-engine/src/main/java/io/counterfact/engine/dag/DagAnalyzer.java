package io.counterfact.engine.dag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Identification from a DAG: backdoor adjustment sets, front-door sets, instruments and testable
 * implications, for one treatment and one outcome. Sets are over observed nodes only (latent nodes
 * and the latent causes behind bidirected edges can never be adjusted for); every set is sorted by
 * name and every list of sets by size, then by name, so answers are deterministic.
 *
 * <p>Adjustment sets follow Pearl's backdoor criterion. Minimal sets are the same as dagitty's
 * {@code adjustmentSets} (which uses the more general adjustment criterion of van der Zander et
 * al.): a minimal set never holds a descendant of the treatment. Listings of all sets differ only
 * in that dagitty also admits descendants of the treatment that lie off every causal path (e.g. a
 * pure side effect of the treatment); the backdoor criterion, as the Primer states it, does not.
 *
 * <p><b>Scale.</b> Nothing here recurses: every search keeps an explicit work list, and its memory
 * is O(n + m) plus the listed answer. One minimal set costs O(n + m) ({@link #minimalAdjustmentSet});
 * listings proceed with polynomial delay, each step a linear walk of the part of the graph that
 * matters (the ancestors of treatment, outcome and the set). Listings stop at {@link #LIMIT}
 * entries ({@code truncatedBy "count"}) or when the analysis's time budget ({@link #DEFAULT_BUDGET}
 * unless given) runs out ({@code truncatedBy "time"}); the budget is split into phases so that
 * each part of the answer gets its share (minimal sets by 25% of it, all sets by 50%, front door by
 * 60%, instruments by 80%, implied independences by 100%; time a phase leaves unused passes on).
 * When the listing of minimal sets is cut by time before it found one, the answer still holds the
 * one minimal set found in linear time, so {@code minimal: []} always means that no set exists.
 */
public final class DagAnalyzer {

    /** Where listings of all adjustment sets and of implied independences stop. */
    public static final int LIMIT = 1000;

    /** The time an analysis may take unless its caller gives another budget. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(2);

    /**
     * Candidate sets the front-door search may examine: enough for every set of up to four
     * mediators among twenty candidates, small enough to answer a 50-node graph in well under a
     * second.
     */
    static final int FRONT_DOOR_BUDGET = 20_000;

    private static final Comparator<List<String>> BY_SIZE_THEN_NAMES = (a, b) -> {
        if (a.size() != b.size()) {
            return Integer.compare(a.size(), b.size());
        }
        for (int i = 0; i < a.size(); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    private DagAnalyzer() {
    }

    /**
     * The full analysis for {@code POST /api/dags/analyze}, within {@link #DEFAULT_BUDGET}. A null or
     * blank treatment (outcome) falls back to the node marked {@code [exposure]} ({@code [outcome]})
     * in dagitty text.
     *
     * @throws DagException (field {@code treatment} or {@code outcome}) when a role is missing,
     *                      names no node of the dag, names a latent node, or both name the same node
     */
    public static DagAnalysis analyze(Dag dag, String treatment, String outcome) {
        return analyze(dag, treatment, outcome, DEFAULT_BUDGET);
    }

    /**
     * The full analysis within a time budget (null or zero: none): listings still running when
     * their share of it is spent stop with {@code truncatedBy "time"}.
     */
    public static DagAnalysis analyze(Dag dag, String treatment, String outcome, Duration budget) {
        Budget b = Budget.of(budget);
        Roles r = roles(dag, treatment, outcome);
        AdjustmentSets adjustment = adjustmentSets(r, LIMIT, b.until(0.25), b.until(0.5));
        Listing<List<String>> frontDoor = frontDoorSets(r, b.until(0.6));
        Listing<Instrument> instruments = instruments(r, b.until(0.8));
        ImpliedIndependences implied = impliedIndependences(dag, LIMIT, b);
        return new DagAnalysis(dag.declaredCount(), dag.edgeCount(), adjustment, frontDoor.items(),
                instruments.items(), implied.items(), implied.truncated(), implied.truncatedBy(),
                frontDoor.truncatedBy(), instruments.truncatedBy());
    }

    // ------------------------------------------------------------------ backdoor adjustment

    /** Minimal and all backdoor adjustment sets, the latter stopped at {@link #LIMIT}. */
    public static AdjustmentSets adjustmentSets(Dag dag, String treatment, String outcome) {
        return adjustmentSets(dag, treatment, outcome, LIMIT);
    }

    /** Minimal and all backdoor adjustment sets, the latter stopped at {@code limit}. */
    public static AdjustmentSets adjustmentSets(Dag dag, String treatment, String outcome, int limit) {
        return adjustmentSets(dag, treatment, outcome, limit, DEFAULT_BUDGET);
    }

    /**
     * Minimal and all backdoor adjustment sets, the latter stopped at {@code limit}, within a time
     * budget (null or zero: none, so the answer depends on the graph alone).
     */
    public static AdjustmentSets adjustmentSets(Dag dag, String treatment, String outcome, int limit, Duration budget) {
        Budget b = Budget.of(budget);
        return adjustmentSets(roles(dag, treatment, outcome), limit, b.until(0.5), b);
    }

    /**
     * The adjustment set an estimation uses when it names a DAG instead of covariates: the smallest
     * minimal set (ties broken by name), or empty when no backdoor set exists. On a graph whose
     * minimal sets cannot all be listed within {@link #DEFAULT_BUDGET}, the smallest of those listed.
     */
    public static Optional<List<String>> smallestAdjustmentSet(Dag dag, String treatment, String outcome) {
        Listing<List<String>> minimal = minimalSets(roles(dag, treatment, outcome), LIMIT, Budget.of(DEFAULT_BUDGET));
        return minimal.items().isEmpty() ? Optional.empty() : Optional.of(minimal.items().get(0));
    }

    /**
     * One minimal backdoor adjustment set in O(n + m), or empty when none exists: the minimal
     * separator of treatment and outcome nearest the treatment in the moral graph of their ancestors
     * in the backdoor graph, among the observed non-descendants of the treatment (van der Zander,
     * Liśkiewicz and Textor, "Separators and adjustment sets in causal graphs", 2019, FindMinSep;
     * the moral graph walked implicitly, never built).
     */
    public static Optional<List<String>> minimalAdjustmentSet(Dag dag, String treatment, String outcome) {
        BitSet s = minimalSet(roles(dag, treatment, outcome));
        return s == null ? Optional.empty() : Optional.of(dag.declaredNames(s));
    }

    private static BitSet minimalSet(Roles r) {
        Graph bd = r.backdoor();
        BitSet ancestral = bd.ancestors(Graph.set(r.x, r.y));
        BitSet allowed = r.candidates();
        allowed.and(ancestral);
        return Separators.nearest(bd, ancestral, r.x, r.y, allowed);
    }

    /**
     * Pearl's backdoor criterion: z holds no descendant of the treatment and blocks every path
     * between treatment and outcome that starts with an arrow into the treatment. Latent nodes are
     * not allowed in z. Linear time.
     */
    public static boolean isAdjustmentSet(Dag dag, String treatment, String outcome, Collection<String> z) {
        Roles r = roles(dag, treatment, outcome);
        BitSet zs = dag.indices(z);
        BitSet allowed = r.candidates();
        BitSet outside = (BitSet) zs.clone();
        outside.andNot(allowed);
        return outside.isEmpty() && r.backdoor().dSeparated(Graph.set(r.x), Graph.set(r.y), zs);
    }

    private static AdjustmentSets adjustmentSets(Roles r, int limit, Budget minimalBudget, Budget allBudget) {
        Listing<List<String>> minimal = minimalSets(r, LIMIT, minimalBudget);
        BitSet candidates = r.candidates();
        Graph bd = r.backdoor();
        Listing<BitSet> all;
        if (minimal.items().isEmpty()) {
            // no minimal set, so no set at all (a listing cut by time still holds the linear one)
            all = new Listing<>(List.of(), null);
        } else {
            all = listAll(bd, r.x, r.y, candidates, byName(r.dag, candidates), limit, allBudget);
        }
        List<List<String>> allNames = new ArrayList<>();
        for (BitSet s : all.items()) {
            allNames.add(r.dag.declaredNames(s));
        }
        allNames.sort(BY_SIZE_THEN_NAMES);
        return new AdjustmentSets(minimal.items(), allNames, all.truncated(), all.truncatedBy(),
                minimal.truncatedBy());
    }

    /**
     * Minimal backdoor sets are the minimal separators of treatment and outcome in the moral graph
     * of An(treatment ∪ outcome) in the backdoor graph (treatment's outgoing edges removed), made of
     * observed non-descendants of the treatment.
     */
    private static Listing<List<String>> minimalSets(Roles r, int limit, Budget budget) {
        Graph bd = r.backdoor();
        BitSet ancestral = bd.ancestors(Graph.set(r.x, r.y));
        BitSet allowed = r.candidates();
        allowed.and(ancestral);
        Listing<BitSet> listed = Separators.listMinimal(bd, ancestral, r.x, r.y, allowed, limit, budget);
        List<List<String>> out = new ArrayList<>();
        for (BitSet s : listed.items()) {
            out.add(r.dag.declaredNames(s));
        }
        if (out.isEmpty() && listed.truncated()) {
            BitSet one = Separators.nearest(bd, ancestral, r.x, r.y, allowed);
            if (one != null) {
                out.add(r.dag.declaredNames(one));
            }
        }
        out.sort(BY_SIZE_THEN_NAMES);
        return new Listing<>(out, listed.truncatedBy());
    }

    /**
     * Lists every separator Z with include ⊆ Z ⊆ range (van der Zander, Liśkiewicz and Textor's
     * ListSep): such a Z exists iff range ∩ An(x ∪ y ∪ include) separates, so each branch is
     * entered only when it holds at least one set. Nodes are decided in name order, leaving a node
     * out before putting it in so that smaller sets come first when the listing is cut short.
     *
     * <p>A depth-first search over the decisions with an explicit stack: {@code state[d]} says which
     * branch of decision d is being explored, and include and range are changed in place on the way
     * down and restored on the way up, so memory is O(n) whatever the depth. No test is needed when
     * its answer is known: leaving out a node outside An(x ∪ y ∪ include), or putting in a node
     * inside it, leaves the candidate separator as it was. Putting in another node costs one linear
     * d-separation test inside An(x ∪ y ∪ include ∪ v). Leaving out a node inside it is decided by
     * {@link MoralCut} on the node's moral neighbourhood; along a run of such decisions (the long
     * first descent, where every node is left out in turn) the cut is kept and only grows, so the
     * run costs one walk of the ancestral set in all. Precondition: range ∩ An(x ∪ y) separates x
     * and y.
     */
    private static Listing<BitSet> listAll(Graph bd, int x, int y, BitSet candidates, int[] order, int limit,
                                           Budget budget) {
        List<BitSet> out = new ArrayList<>();
        BitSet include = new BitSet();
        BitSet range = (BitSet) candidates.clone();
        byte[] state = new byte[order.length + 1];
        BitSet relevant = null; // An(x ∪ y ∪ include), recomputed when include changes
        MoralCut cut = null; // x's and y's sides for the current include and range, while valid
        String truncatedBy = null;
        int depth = 0;
        while (depth >= 0) {
            if (out.size() > limit) {
                break;
            }
            if (budget.expired()) {
                truncatedBy = Listing.TIME;
                break;
            }
            if (depth == order.length) {
                out.add((BitSet) include.clone());
                depth--;
                cut = null;
                continue;
            }
            int v = order[depth];
            if (state[depth] == 0) {
                // leave v out
                state[depth] = 1;
                if (relevant == null) {
                    relevant = relevant(bd, x, y, include);
                }
                if (relevant.get(v)) {
                    if (cut == null) {
                        BitSet z = (BitSet) relevant.clone();
                        z.and(range);
                        cut = new MoralCut(bd, relevant, z, x, y);
                    }
                    if (!cut.tryRemove(v)) {
                        continue;
                    }
                }
                range.clear(v);
                depth++;
                state[depth] = 0;
                continue;
            }
            if (state[depth] == 1) {
                // put v in
                if (!range.get(v)) {
                    range.set(v);
                    cut = null;
                }
                state[depth] = 2;
                if (relevant == null) {
                    relevant = relevant(bd, x, y, include);
                }
                include.set(v);
                if (relevant.get(v)) {
                    depth++;
                    state[depth] = 0;
                    continue;
                }
                BitSet seeds = (BitSet) relevant.clone();
                seeds.set(v);
                BitSet widened = bd.ancestors(seeds);
                cut = null;
                if (separates(bd, x, y, widened, range)) {
                    relevant = widened;
                    depth++;
                    state[depth] = 0;
                } else {
                    include.clear(v);
                }
                continue;
            }
            // both branches of v are done: undo and go up
            cut = null;
            if (include.get(v)) {
                include.clear(v);
                relevant = null;
            }
            state[depth] = 0;
            depth--;
        }
        if (out.size() > limit) {
            out.subList(limit, out.size()).clear();
            truncatedBy = Listing.COUNT;
        }
        return new Listing<>(out, truncatedBy);
    }

    private static BitSet relevant(Graph bd, int x, int y, BitSet include) {
        BitSet seeds = (BitSet) include.clone();
        seeds.set(x);
        seeds.set(y);
        return bd.ancestors(seeds);
    }

    /** True when relevant ∩ range d-separates x and y, relevant an ancestral set holding x, y and the set. */
    private static boolean separates(Graph bd, int x, int y, BitSet relevant, BitSet range) {
        BitSet z = (BitSet) relevant.clone();
        z.and(range);
        return !bd.reachable(Graph.set(x), z, relevant).get(y);
    }

    // ------------------------------------------------------------------ front door

    /**
     * Minimal front-door sets M (Pearl's criterion, in the form of Jeong, Tian and Bareinboim,
     * 2022): (i) M intercepts every directed path from treatment to outcome; (ii) no path from the
     * treatment into M starts with an arrow into the treatment and is open given nothing;
     * (iii) every path from M to the outcome that starts with an arrow into M is blocked by the
     * treatment. Empty when the treatment has no directed path to the outcome (there is no effect to
     * carry) or no front-door set exists.
     *
     * <p>(ii) holds node by node and (iii) only gets harder for a smaller set, so every front-door
     * set lies inside the largest set meeting (ii) and (iii), found by peeling off nodes that break
     * (iii); if that set does not meet (i), none does. Minimal sets also lie among its ancestors of
     * the outcome, which are searched by increasing size up to {@link #FRONT_DOOR_BUDGET} candidates
     * and {@link #LIMIT} sets; a node that alone is a front-door set leaves the search after the
     * first size, as every larger set holding it is not minimal.
     */
    public static List<List<String>> frontDoorSets(Dag dag, String treatment, String outcome) {
        return frontDoorSets(roles(dag, treatment, outcome), Budget.of(DEFAULT_BUDGET)).items();
    }

    /** Pearl's front-door criterion for a non-empty set m (see {@link #frontDoorSets}). */
    public static boolean isFrontDoorSet(Dag dag, String treatment, String outcome, Collection<String> m) {
        Roles r = roles(dag, treatment, outcome);
        BitSet ms = dag.indices(m);
        if (ms.isEmpty() || ms.get(r.x) || ms.get(r.y)) {
            return false;
        }
        BitSet observed = dag.observed();
        BitSet hidden = (BitSet) ms.clone();
        hidden.andNot(observed);
        if (!hidden.isEmpty()) {
            return false;
        }
        Graph g = dag.graph();
        BitSet fromX = g.reachable(Graph.set(r.x), new BitSet(), null, Graph.set(r.x));
        return !fromX.intersects(ms) && interceptsAndShields(r, ms);
    }

    private static boolean interceptsAndShields(Roles r, BitSet m) {
        Graph g = r.dag.graph();
        if (g.directedPath(Graph.set(r.x), Graph.set(r.y), m)) {
            return false;
        }
        // (iii): m and y d-separated by x once the edges out of m are removed
        BitSet xs = Graph.set(r.x);
        return !g.reachable(m, xs, null, m).get(r.y);
    }

    private static Listing<List<String>> frontDoorSets(Roles r, Budget time) {
        Graph g = r.dag.graph();
        BitSet x = Graph.set(r.x);
        BitSet y = Graph.set(r.y);
        if (!g.directedPath(x, y, new BitSet())) {
            return new Listing<>(List.of(), null);
        }
        BitSet z = r.dag.observed();
        z.clear(r.x);
        z.clear(r.y);
        z.andNot(g.reachable(x, new BitSet(), null, x));
        peel(g, r.x, r.y, z);
        if (g.directedPath(x, y, z)) {
            return new Listing<>(List.of(), null);
        }
        z.and(g.ancestors(y));
        int[] pool = byName(r.dag, z);
        List<BitSet> found = new ArrayList<>();
        int budget = FRONT_DOOR_BUDGET;
        String truncatedBy = null;
        search:
        for (int size = 1; size <= pool.length && budget > 0 && found.size() < LIMIT; size++) {
            if (size == 2) {
                // a node that alone is a front-door set is in no other minimal one
                BitSet singles = new BitSet();
                for (BitSet f : found) {
                    singles.or(f);
                }
                pool = Arrays.stream(pool).filter(v -> !singles.get(v)).toArray();
                if (size > pool.length) {
                    break;
                }
            }
            int[] pick = new int[size];
            for (int i = 0; i < size; i++) {
                pick[i] = i;
            }
            do {
                if (time.expired()) {
                    truncatedBy = Listing.TIME;
                    break search;
                }
                BitSet m = new BitSet();
                for (int i : pick) {
                    m.set(pool[i]);
                }
                if (found.stream().noneMatch(f -> contains(m, f))) {
                    budget--;
                    if (interceptsAndShields(r, m)) {
                        found.add(m);
                    }
                }
            } while (budget > 0 && found.size() < LIMIT && nextCombination(pick, pool.length));
        }
        if (truncatedBy == null && found.size() >= LIMIT) {
            truncatedBy = Listing.COUNT;
        }
        List<List<String>> out = new ArrayList<>();
        for (BitSet m : found) {
            out.add(r.dag.declaredNames(m));
        }
        out.sort(BY_SIZE_THEN_NAMES);
        return new Listing<>(out, truncatedBy);
    }

    /**
     * Removes from z, until none is left, every node that the outcome reaches given the treatment
     * in the graph without the edges out of z's nodes (the nodes that break condition (iii)). As
     * one walk (Bayes-ball) in which a node of z, once reached, leaves z at once and gets its
     * outgoing edges back (a child that already turned up towards its parents then turns up into
     * it too): O(n + m), where peeling round by round costs a walk per round. The nodes of z are no
     * ancestors of the treatment, so the colliders the walk may pass are fixed.
     */
    private static void peel(Graph g, int x, int y, BitSet z) {
        BitSet ancestorsOfX = g.ancestors(Graph.set(x));
        BitSet visited = new BitSet(); // node * 2 + 1: arrived from a child (going up); node * 2: from a parent
        Graph.IntStack stack = new Graph.IntStack();
        visited.set(y * 2 + 1);
        stack.push(y * 2 + 1);
        while (!stack.isEmpty()) {
            int state = stack.pop();
            int v = state >> 1;
            boolean up = (state & 1) == 1;
            if (z.get(v)) {
                z.clear(v);
                for (int c : g.children[v]) {
                    boolean turnsUp = (visited.get(c * 2 + 1) && c != x) || (visited.get(c * 2) && ancestorsOfX.get(c));
                    if (turnsUp && !visited.get(v * 2 + 1)) {
                        visited.set(v * 2 + 1);
                        stack.push(v * 2 + 1);
                    }
                }
            }
            boolean conditioned = v == x;
            if (!conditioned) {
                if (up) {
                    for (int p : g.parents[v]) {
                        if (!z.get(p) && !visited.get(p * 2 + 1)) {
                            visited.set(p * 2 + 1);
                            stack.push(p * 2 + 1);
                        }
                    }
                }
                for (int c : g.children[v]) {
                    if (!visited.get(c * 2)) {
                        visited.set(c * 2);
                        stack.push(c * 2);
                    }
                }
            }
            if (!up && ancestorsOfX.get(v)) {
                for (int p : g.parents[v]) {
                    if (!z.get(p) && !visited.get(p * 2 + 1)) {
                        visited.set(p * 2 + 1);
                        stack.push(p * 2 + 1);
                    }
                }
            }
        }
    }

    private static boolean contains(BitSet set, BitSet subset) {
        BitSet rest = (BitSet) subset.clone();
        rest.andNot(set);
        return rest.isEmpty();
    }

    /** Advances a k-subset of {0..n−1} (ascending indices) in lexicographic order; false after the last. */
    private static boolean nextCombination(int[] pick, int n) {
        int k = pick.length;
        int i = k - 1;
        while (i >= 0 && pick[i] == n - k + i) {
            i--;
        }
        if (i < 0) {
            return false;
        }
        pick[i]++;
        for (int j = i + 1; j < k; j++) {
            pick[j] = pick[j - 1] + 1;
        }
        return true;
    }

    // ------------------------------------------------------------------ instruments

    /**
     * Instruments implied by the graph, as dagitty's {@code instrumentalVariables} (van der Zander,
     * Textor and Liśkiewicz, IJCAI 2015): z is an instrument given W when W, made of observed
     * non-descendants of the outcome that are not mediators, d-separates z from the outcome once the
     * first edge of every causal path from the treatment is removed, and does not d-separate z from
     * the treatment. For each z, W is the minimal separator nearest the outcome, which is the one
     * most likely to leave z connected to the treatment. Sorted by instrument name. Each candidate
     * costs O(n + m).
     */
    public static List<Instrument> instruments(Dag dag, String treatment, String outcome) {
        return instruments(roles(dag, treatment, outcome), Budget.of(DEFAULT_BUDGET)).items();
    }

    private static Listing<Instrument> instruments(Roles r, Budget time) {
        Graph g = r.dag.graph();
        BitSet towardY = g.ancestors(Graph.set(r.y));
        BitSet mediators = g.descendants(Graph.set(r.x));
        mediators.and(towardY);
        mediators.clear(r.x);
        mediators.clear(r.y);
        Graph bd = g.without((from, to) -> from == r.x && towardY.get(to));
        BitSet afterY = bd.descendants(Graph.set(r.y));
        BitSet blockable = r.dag.observed();
        blockable.andNot(mediators);
        blockable.clear(r.y);
        BitSet ancestorsOfY = bd.ancestors(Graph.set(r.y));
        BitSet ancestorsOfX = bd.ancestors(Graph.set(r.x));
        BitSet xs = Graph.set(r.x);
        List<Instrument> out = new ArrayList<>();
        BitSet candidates = r.dag.observed();
        candidates.clear(r.x);
        candidates.clear(r.y);
        // a descendant of the outcome is joined to it by a directed path that only nodes after the
        // outcome could block, which W may not hold: none is an instrument
        candidates.andNot(afterY);
        for (int z : byName(r.dag, candidates)) {
            if (time.expired()) {
                return new Listing<>(out, Listing.TIME);
            }
            if (out.size() == LIMIT) {
                return new Listing<>(out, Listing.COUNT);
            }
            // An(z ∪ y): the ancestors of y when z is one of them (most candidates), not walked again
            BitSet ancestral = ancestorsOfY;
            if (!ancestorsOfY.get(z)) {
                ancestral = bd.ancestors(Graph.set(z));
                ancestral.or(ancestorsOfY);
            }
            // W may hold the blockable nodes but z; the walks of the separator never leave the
            // ancestral set, so the nodes outside it need not be taken out (no copy per candidate)
            boolean zBlockable = blockable.get(z);
            blockable.clear(z);
            BitSet w = Separators.nearest(bd, ancestral, r.y, z, blockable);
            if (zBlockable) {
                blockable.set(z);
            }
            if (w == null || w.intersects(afterY) || w.get(r.x)) {
                continue;
            }
            // x and z d-connected given w, decided inside An(z ∪ y) ∪ An(x): an ancestral set that
            // holds x, z and w (w lies in An(z ∪ y)), so no closure of x ∪ z ∪ w is walked
            BitSet within = (BitSet) ancestral.clone();
            within.or(ancestorsOfX);
            if (bd.reachable(xs, w, within).get(z)) {
                out.add(new Instrument(r.dag.name(z), r.dag.declaredNames(w)));
            }
        }
        return new Listing<>(out, null);
    }

    // ------------------------------------------------------------------ testable implications

    /** The graph's testable implications, stopped at {@link #LIMIT} or {@link #DEFAULT_BUDGET}. */
    public static ImpliedIndependences impliedIndependences(Dag dag) {
        return impliedIndependences(dag, LIMIT);
    }

    /**
     * One conditional independence per pair of non-adjacent observed nodes that some set of observed
     * nodes separates, pairs in name order, stopped at {@code limit} (or at {@link #DEFAULT_BUDGET}).
     *
     * <p>The conditioning set comes from the local Markov property: a node is independent of its
     * non-descendants given its parents, so for a pair (a, b) the parents of a serve when b is not a
     * descendant of a, and the parents of b when a is not a descendant of b; of the two, the smaller
     * (then the first by name) is used, a lower-dimensional test. Without latent variables this is
     * dagitty's {@code basis.set} split into pairs, one statement per missing edge, and it always
     * exists. With latent nodes or bidirected edges the observed parents may not separate; the
     * minimal separator nearest a in the moral graph of An(a ∪ b) is used then, and a pair that no
     * observed set separates implies nothing.
     *
     * <p>Emitted lazily: nothing is computed for pairs past the limit, and the state kept is the
     * ancestors and descendants of the current first node of the pair, O(n).
     */
    public static ImpliedIndependences impliedIndependences(Dag dag, int limit) {
        return impliedIndependences(dag, limit, DEFAULT_BUDGET);
    }

    /** As {@link #impliedIndependences(Dag, int)} within a time budget (null or zero: none). */
    public static ImpliedIndependences impliedIndependences(Dag dag, int limit, Duration budget) {
        return impliedIndependences(dag, limit, Budget.of(budget));
    }

    private static ImpliedIndependences impliedIndependences(Dag dag, int limit, Budget time) {
        Graph g = dag.graph();
        BitSet observed = dag.observed();
        int[] nodes = byName(dag, observed);
        // two ends of a bidirected edge share a hidden parent: adjacent in the graph's own terms
        Set<Long> spouses = new HashSet<>();
        for (Edge e : dag.bidirectedEdges()) {
            int a = dag.indexOf(e.from());
            int b = dag.indexOf(e.to());
            spouses.add(pair(a, b));
        }
        List<ConditionalIndependence> out = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            int a = nodes[i];
            BitSet descendantsOfA = null;
            BitSet ancestorsOfA = null;
            for (int j = i + 1; j < nodes.length; j++) {
                int b = nodes[j];
                if (adjacent(g, a, b) || spouses.contains(pair(a, b))) {
                    continue;
                }
                if (time.expired()) {
                    return new ImpliedIndependences(out, true, Listing.TIME);
                }
                if (descendantsOfA == null) {
                    descendantsOfA = g.descendants(Graph.set(a));
                    ancestorsOfA = g.ancestors(Graph.set(a));
                }
                BitSet given = separatingSet(dag, a, b, descendantsOfA.get(b), ancestorsOfA.get(b), observed);
                if (given == null) {
                    continue;
                }
                if (out.size() == limit) {
                    return new ImpliedIndependences(out, true, Listing.COUNT);
                }
                out.add(new ConditionalIndependence(dag.name(a), dag.name(b), dag.declaredNames(given)));
            }
        }
        return new ImpliedIndependences(out, false, null);
    }

    private static long pair(int a, int b) {
        return ((long) Math.min(a, b) << 32) | Math.max(a, b);
    }

    private static boolean adjacent(Graph g, int a, int b) {
        return Arrays.binarySearch(g.parents[a], b) >= 0 || Arrays.binarySearch(g.children[a], b) >= 0;
    }

    private static BitSet separatingSet(Dag dag, int a, int b, boolean bBelowA, boolean aBelowB, BitSet observed) {
        Graph g = dag.graph();
        BitSet best = null;
        for (int k = 0; k < 2; k++) {
            int node = k == 0 ? a : b;
            int other = k == 0 ? b : a;
            if (k == 0 ? bBelowA : aBelowB) {
                continue;
            }
            BitSet parents = Graph.set(g.parents[node]);
            parents.and(observed);
            if (g.dSeparated(Graph.set(node), Graph.set(other), parents)
                    && (best == null || BY_SIZE_THEN_NAMES.compare(
                    dag.declaredNames(parents), dag.declaredNames(best)) < 0)) {
                best = parents;
            }
        }
        if (best != null) {
            return best;
        }
        BitSet ancestral = g.ancestors(Graph.set(a, b));
        BitSet allowed = (BitSet) observed.clone();
        allowed.and(ancestral);
        allowed.clear(a);
        allowed.clear(b);
        return Separators.nearest(g, ancestral, a, b, allowed);
    }

    // ------------------------------------------------------------------ roles

    /** Treatment x and outcome y of one question, with the graphs the criteria use (built once). */
    private static final class Roles {
        final Dag dag;
        final int x;
        final int y;
        private Graph backdoor;
        private BitSet candidates;

        Roles(Dag dag, int x, int y) {
            this.dag = dag;
            this.x = x;
            this.y = y;
        }

        /** The graph without the treatment's outgoing edges: its paths to y are the backdoor paths. */
        Graph backdoor() {
            if (backdoor == null) {
                backdoor = dag.graph().withoutEdgesOutOf(Graph.set(x));
            }
            return backdoor;
        }

        /** Observed nodes other than x and y that are not descendants of x (a fresh copy). */
        BitSet candidates() {
            if (candidates == null) {
                BitSet c = dag.observed();
                c.andNot(dag.graph().descendants(Graph.set(x)));
                c.clear(y);
                candidates = c;
            }
            return (BitSet) candidates.clone();
        }
    }

    private static Roles roles(Dag dag, String treatment, String outcome) {
        int x = role(dag, treatment, dag.exposure(), "treatment", "[exposure]");
        int y = role(dag, outcome, dag.outcome(), "outcome", "[outcome]");
        if (x == y) {
            throw DagException.invalid("outcome", "outcome " + dag.name(y) + " is also the treatment", dag.name(y));
        }
        return new Roles(dag, x, y);
    }

    private static int role(Dag dag, String name, Optional<String> marked, String field, String mark) {
        String node = name == null || name.isBlank() ? marked.orElse(null) : name;
        if (node == null) {
            throw DagException.invalid(field, field + " is required (or mark one node " + mark + " in the dag)", null);
        }
        int i = dag.indexOf(node);
        if (i < 0) {
            throw DagException.unknownNode(field, "node " + node + " is not in the dag", node);
        }
        if (!dag.isObserved(i)) {
            throw DagException.invalid(field, "node " + node + " is latent (unobserved)", node);
        }
        return i;
    }

    /** The nodes of s as indices, in name order. */
    private static int[] byName(Dag dag, BitSet s) {
        return s.stream().boxed().sorted(Comparator.comparing(dag::name)).mapToInt(Integer::intValue).toArray();
    }
}

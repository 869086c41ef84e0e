package io.counterfact.engine.dag;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

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
 * The listing of all sets and of minimal sets stops at {@link #LIMIT} (only the former is flagged,
 * as the API has no flag for the latter; more than 1,000 minimal sets takes a contrived graph).
 */
public final class DagAnalyzer {

    /** Where listings of all adjustment sets and of implied independences stop. */
    public static final int LIMIT = 1000;

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
     * The full analysis for {@code POST /api/dags/analyze}. A null or blank treatment (outcome)
     * falls back to the node marked {@code [exposure]} ({@code [outcome]}) in dagitty text.
     *
     * @throws DagException (field {@code treatment} or {@code outcome}) when a role is missing,
     *                      names no node of the dag, names a latent node, or both name the same node
     */
    public static DagAnalysis analyze(Dag dag, String treatment, String outcome) {
        Roles r = roles(dag, treatment, outcome);
        AdjustmentSets adjustment = adjustmentSets(r, LIMIT);
        ImpliedIndependences implied = impliedIndependences(dag, LIMIT);
        return new DagAnalysis(dag.declaredCount(), dag.edgeCount(), adjustment, frontDoorSets(r),
                instruments(r), implied.items(), implied.truncated());
    }

    // ------------------------------------------------------------------ backdoor adjustment

    /** Minimal and all backdoor adjustment sets, the latter stopped at {@link #LIMIT}. */
    public static AdjustmentSets adjustmentSets(Dag dag, String treatment, String outcome) {
        return adjustmentSets(roles(dag, treatment, outcome), LIMIT);
    }

    /** Minimal and all backdoor adjustment sets, the latter stopped at {@code limit}. */
    public static AdjustmentSets adjustmentSets(Dag dag, String treatment, String outcome, int limit) {
        return adjustmentSets(roles(dag, treatment, outcome), limit);
    }

    /**
     * The adjustment set an estimation uses when it names a DAG instead of covariates: the smallest
     * minimal set (ties broken by name), or empty when no backdoor set exists.
     */
    public static Optional<List<String>> smallestAdjustmentSet(Dag dag, String treatment, String outcome) {
        List<List<String>> minimal = minimalSets(roles(dag, treatment, outcome), LIMIT);
        return minimal.isEmpty() ? Optional.empty() : Optional.of(minimal.get(0));
    }

    /**
     * Pearl's backdoor criterion: z holds no descendant of the treatment and blocks every path
     * between treatment and outcome that starts with an arrow into the treatment. Latent nodes are
     * not allowed in z.
     */
    public static boolean isAdjustmentSet(Dag dag, String treatment, String outcome, Collection<String> z) {
        Roles r = roles(dag, treatment, outcome);
        BitSet zs = dag.indices(z);
        BitSet allowed = r.candidates();
        BitSet outside = (BitSet) zs.clone();
        outside.andNot(allowed);
        return outside.isEmpty() && r.backdoor().dSeparated(Graph.set(r.x), Graph.set(r.y), zs);
    }

    private static AdjustmentSets adjustmentSets(Roles r, int limit) {
        List<List<String>> minimal = minimalSets(r, LIMIT);
        List<BitSet> all = new ArrayList<>();
        BitSet candidates = r.candidates();
        int[] order = byName(r.dag, candidates);
        Graph bd = r.backdoor();
        if (separatorBetween(bd, r.x, r.y, new BitSet(), candidates)) {
            listAll(bd, r.x, r.y, new BitSet(), candidates, order, 0, limit + 1, all);
        }
        boolean truncated = all.size() > limit;
        List<List<String>> allNames = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, all.size()); i++) {
            allNames.add(r.dag.declaredNames(all.get(i)));
        }
        allNames.sort(BY_SIZE_THEN_NAMES);
        return new AdjustmentSets(minimal, allNames, truncated);
    }

    /**
     * Minimal backdoor sets are the minimal separators of treatment and outcome in the moral graph
     * of An(treatment ∪ outcome) in the backdoor graph (treatment's outgoing edges removed), made of
     * observed non-descendants of the treatment.
     */
    private static List<List<String>> minimalSets(Roles r, int limit) {
        Graph bd = r.backdoor();
        BitSet ancestral = bd.ancestors(Graph.set(r.x, r.y));
        BitSet allowed = r.candidates();
        allowed.and(ancestral);
        List<List<String>> out = new ArrayList<>();
        for (BitSet s : Separators.listMinimal(bd.moral(ancestral), r.x, r.y, allowed, limit)) {
            out.add(r.dag.declaredNames(s));
        }
        out.sort(BY_SIZE_THEN_NAMES);
        return out;
    }

    /**
     * Lists every separator Z with include ⊆ Z ⊆ range (van der Zander, Liśkiewicz and Textor's
     * ListSep): such a Z exists iff range ∩ An(x ∪ y ∪ include) separates, so each branch is
     * entered only when it holds at least one set. Nodes are decided in name order, leaving a node
     * out before putting it in so that smaller sets come first when the listing is cut short.
     */
    private static void listAll(Graph bd, int x, int y, BitSet include, BitSet range, int[] order, int depth,
                                int limit, List<BitSet> out) {
        if (out.size() >= limit) {
            return;
        }
        if (depth == order.length) {
            out.add((BitSet) include.clone());
            return;
        }
        int v = order[depth];
        BitSet without = (BitSet) range.clone();
        without.clear(v);
        // leaving out a node that is not an ancestor of x, y or the included nodes does not change
        // the candidate separator, so the test already passed for this branch
        if (!relevant(bd, x, y, include).get(v) || separatorBetween(bd, x, y, include, without)) {
            listAll(bd, x, y, include, without, order, depth + 1, limit, out);
        }
        BitSet with = (BitSet) include.clone();
        with.set(v);
        if (separatorBetween(bd, x, y, with, range)) {
            listAll(bd, x, y, with, range, order, depth + 1, limit, out);
        }
    }

    private static BitSet relevant(Graph bd, int x, int y, BitSet include) {
        BitSet seeds = (BitSet) include.clone();
        seeds.set(x);
        seeds.set(y);
        return bd.ancestors(seeds);
    }

    private static boolean separatorBetween(Graph bd, int x, int y, BitSet include, BitSet range) {
        BitSet z = relevant(bd, x, y, include);
        z.and(range);
        return bd.dSeparated(Graph.set(x), Graph.set(y), z);
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
     * the outcome, which are searched by increasing size up to {@link #FRONT_DOOR_BUDGET} candidates.
     */
    public static List<List<String>> frontDoorSets(Dag dag, String treatment, String outcome) {
        return frontDoorSets(roles(dag, treatment, outcome));
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
        BitSet fromX = g.withoutEdgesOutOf(Graph.set(r.x)).reachable(Graph.set(r.x), new BitSet());
        return !fromX.intersects(ms) && interceptsAndShields(r, ms);
    }

    private static boolean interceptsAndShields(Roles r, BitSet m) {
        Graph g = r.dag.graph();
        if (g.directedPath(Graph.set(r.x), Graph.set(r.y), m)) {
            return false;
        }
        return g.withoutEdgesOutOf(m).dSeparated(m, Graph.set(r.y), Graph.set(r.x));
    }

    private static List<List<String>> frontDoorSets(Roles r) {
        Graph g = r.dag.graph();
        BitSet x = Graph.set(r.x);
        BitSet y = Graph.set(r.y);
        if (!g.directedPath(x, y, new BitSet())) {
            return List.of();
        }
        BitSet z = r.dag.observed();
        z.clear(r.x);
        z.clear(r.y);
        z.andNot(g.withoutEdgesOutOf(x).reachable(x, new BitSet()));
        while (true) {
            BitSet broken = g.withoutEdgesOutOf(z).reachable(y, x);
            broken.and(z);
            if (broken.isEmpty()) {
                break;
            }
            z.andNot(broken);
        }
        if (g.directedPath(x, y, z)) {
            return List.of();
        }
        z.and(g.ancestors(y));
        int[] pool = byName(r.dag, z);
        List<BitSet> found = new ArrayList<>();
        int budget = FRONT_DOOR_BUDGET;
        for (int size = 1; size <= pool.length && budget > 0 && found.size() < LIMIT; size++) {
            int[] pick = new int[size];
            for (int i = 0; i < size; i++) {
                pick[i] = i;
            }
            do {
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
        List<List<String>> out = new ArrayList<>();
        for (BitSet m : found) {
            out.add(r.dag.declaredNames(m));
        }
        out.sort(BY_SIZE_THEN_NAMES);
        return out;
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
     * most likely to leave z connected to the treatment. Sorted by instrument name.
     */
    public static List<Instrument> instruments(Dag dag, String treatment, String outcome) {
        return instruments(roles(dag, treatment, outcome));
    }

    private static List<Instrument> instruments(Roles r) {
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
        List<Instrument> out = new ArrayList<>();
        BitSet candidates = r.dag.observed();
        candidates.clear(r.x);
        candidates.clear(r.y);
        for (int z : byName(r.dag, candidates)) {
            BitSet ancestral = bd.ancestors(Graph.set(r.y, z));
            BitSet allowed = (BitSet) blockable.clone();
            allowed.and(ancestral);
            allowed.clear(r.y);
            allowed.clear(z);
            BitSet w = Separators.nearest(bd.moral(ancestral), r.y, z, allowed);
            if (w == null || w.intersects(afterY) || w.get(r.x)) {
                continue;
            }
            if (!bd.dSeparated(Graph.set(r.x), Graph.set(z), w)) {
                out.add(new Instrument(r.dag.name(z), r.dag.declaredNames(w)));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ testable implications

    /** The graph's testable implications, stopped at {@link #LIMIT}. */
    public static ImpliedIndependences impliedIndependences(Dag dag) {
        return impliedIndependences(dag, LIMIT);
    }

    /**
     * One conditional independence per pair of non-adjacent observed nodes that some set of observed
     * nodes separates, pairs in name order, stopped at {@code limit}.
     *
     * <p>The conditioning set comes from the local Markov property: a node is independent of its
     * non-descendants given its parents, so for a pair (a, b) the parents of a serve when b is not a
     * descendant of a, and the parents of b when a is not a descendant of b; of the two, the smaller
     * (then the first by name) is used, a lower-dimensional test. Without latent variables this is
     * dagitty's {@code basis.set} split into pairs, one statement per missing edge, and it always
     * exists. With latent nodes or bidirected edges the observed parents may not separate; the
     * minimal separator nearest a in the moral graph of An(a ∪ b) is used then, and a pair that no
     * observed set separates implies nothing.
     */
    public static ImpliedIndependences impliedIndependences(Dag dag, int limit) {
        Graph g = dag.graph();
        BitSet observed = dag.observed();
        int[] nodes = byName(dag, observed);
        BitSet[] descendants = new BitSet[g.n];
        BitSet[] adjacent = new BitSet[g.n];
        for (int v : nodes) {
            descendants[v] = g.descendants(Graph.set(v));
            adjacent[v] = new BitSet();
            for (int p : g.parents[v]) {
                adjacent[v].set(p);
            }
            for (int c : g.children[v]) {
                adjacent[v].set(c);
            }
        }
        // two ends of a bidirected edge share a hidden parent: adjacent in the graph's own terms
        for (Edge e : dag.bidirectedEdges()) {
            int a = dag.indexOf(e.from());
            int b = dag.indexOf(e.to());
            if (observed.get(a) && observed.get(b)) {
                adjacent[a].set(b);
                adjacent[b].set(a);
            }
        }
        List<ConditionalIndependence> out = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            for (int j = i + 1; j < nodes.length; j++) {
                int a = nodes[i];
                int b = nodes[j];
                if (adjacent[a].get(b)) {
                    continue;
                }
                BitSet given = separatingSet(dag, a, b, descendants, observed);
                if (given == null) {
                    continue;
                }
                if (out.size() == limit) {
                    return new ImpliedIndependences(out, true);
                }
                out.add(new ConditionalIndependence(dag.name(a), dag.name(b), dag.declaredNames(given)));
            }
        }
        return new ImpliedIndependences(out, false);
    }

    private static BitSet separatingSet(Dag dag, int a, int b, BitSet[] descendants, BitSet observed) {
        Graph g = dag.graph();
        BitSet best = null;
        for (int[] pair : new int[][]{{a, b}, {b, a}}) {
            int node = pair[0];
            int other = pair[1];
            if (descendants[node].get(other)) {
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
        return Separators.nearest(g.moral(ancestral), a, b, allowed);
    }

    // ------------------------------------------------------------------ roles

    /** Treatment x and outcome y of one question, with the graphs the criteria use. */
    private record Roles(Dag dag, int x, int y) {

        /** The graph without the treatment's outgoing edges: its paths to y are the backdoor paths. */
        Graph backdoor() {
            return dag.graph().withoutEdgesOutOf(Graph.set(x));
        }

        /** Observed nodes other than x and y that are not descendants of x. */
        BitSet candidates() {
            BitSet c = dag.observed();
            c.andNot(dag.graph().descendants(Graph.set(x)));
            c.clear(y);
            return c;
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
        if (!dag.observed().get(i)) {
            throw DagException.invalid(field, "node " + node + " is latent (unobserved)", node);
        }
        return i;
    }

    /** The nodes of s as indices, in name order. */
    private static int[] byName(Dag dag, BitSet s) {
        return s.stream().boxed().sorted(Comparator.comparing(dag::name)).mapToInt(Integer::intValue).toArray();
    }
}

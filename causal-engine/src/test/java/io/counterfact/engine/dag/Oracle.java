package io.counterfact.engine.dag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * An independent, slow reference for the analyser's answers: d-separation by Lauritzen's criterion
 * (moralise the ancestral graph, delete the conditioning set, look for a path) on a graph built
 * from the Dag's public parts, with every bidirected edge spelled out as a named latent parent, and
 * brute force over subsets for the set-valued questions.
 */
final class Oracle {

    final List<String> observed;
    final Set<String> all = new LinkedHashSet<>();
    final Map<String, Set<String>> parents = new HashMap<>();

    Oracle(Dag dag) {
        this.observed = dag.observedNodes();
        for (String v : dag.nodes()) {
            add(v);
        }
        for (Edge e : dag.edges()) {
            parents.get(e.to()).add(e.from());
        }
        int k = 0;
        for (Edge e : dag.bidirectedEdges()) {
            String u = "__latent" + (k++);
            add(u);
            parents.get(e.from()).add(u);
            parents.get(e.to()).add(u);
        }
    }

    private Oracle(List<String> observed, Set<String> all, Map<String, Set<String>> parents) {
        this.observed = observed;
        this.all.addAll(all);
        parents.forEach((k, v) -> this.parents.put(k, new HashSet<>(v)));
    }

    private void add(String v) {
        all.add(v);
        parents.put(v, new HashSet<>());
    }

    /** The same graph without the edges for which drop(from, to) holds. */
    Oracle without(BiPredicate<String, String> drop) {
        Oracle o = new Oracle(observed, all, parents);
        for (String v : all) {
            o.parents.get(v).removeIf(p -> drop.test(p, v));
        }
        return o;
    }

    Set<String> ancestors(Collection<String> s) {
        Set<String> out = new HashSet<>(s);
        ArrayDeque<String> q = new ArrayDeque<>(s);
        while (!q.isEmpty()) {
            for (String p : parents.get(q.poll())) {
                if (out.add(p)) {
                    q.add(p);
                }
            }
        }
        return out;
    }

    Set<String> descendants(String v) {
        Set<String> out = new HashSet<>();
        out.add(v);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (String w : all) {
                if (!out.contains(w) && parents.get(w).stream().anyMatch(out::contains)) {
                    out.add(w);
                    grew = true;
                }
            }
        }
        return out;
    }

    boolean dsep(Collection<String> x, Collection<String> y, Collection<String> z) {
        Set<String> seeds = new HashSet<>(x);
        seeds.addAll(y);
        seeds.addAll(z);
        Set<String> an = ancestors(seeds);
        Map<String, Set<String>> adj = new HashMap<>();
        for (String v : an) {
            adj.computeIfAbsent(v, k -> new HashSet<>());
            List<String> pa = new ArrayList<>(parents.get(v));
            for (String p : pa) {
                adj.get(v).add(p);
                adj.computeIfAbsent(p, k -> new HashSet<>()).add(v);
            }
            for (String p : pa) {
                for (String q : pa) {
                    if (!p.equals(q)) {
                        adj.computeIfAbsent(p, k -> new HashSet<>()).add(q);
                    }
                }
            }
        }
        Set<String> seen = new HashSet<>(x);
        ArrayDeque<String> queue = new ArrayDeque<>(x);
        while (!queue.isEmpty()) {
            String v = queue.poll();
            if (y.contains(v)) {
                return false;
            }
            for (String w : adj.getOrDefault(v, Set.of())) {
                if (!z.contains(w) && seen.add(w)) {
                    queue.add(w);
                }
            }
        }
        return true;
    }

    boolean directedPathAvoiding(String x, String y, Collection<String> avoid) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> q = new ArrayDeque<>();
        q.add(x);
        while (!q.isEmpty()) {
            String v = q.poll();
            for (String w : all) {
                if (parents.get(w).contains(v)) {
                    if (w.equals(y)) {
                        return true;
                    }
                    if (!avoid.contains(w) && seen.add(w)) {
                        q.add(w);
                    }
                }
            }
        }
        return false;
    }

    /** Every subset of the given nodes, each sorted by name. */
    static List<List<String>> subsets(List<String> nodes) {
        List<String> sorted = nodes.stream().sorted().toList();
        List<List<String>> out = new ArrayList<>();
        for (int mask = 0; mask < (1 << sorted.size()); mask++) {
            List<String> s = new ArrayList<>();
            for (int i = 0; i < sorted.size(); i++) {
                if ((mask & (1 << i)) != 0) {
                    s.add(sorted.get(i));
                }
            }
            out.add(s);
        }
        return out;
    }

    /** Sets of the family with no proper subset in the family. */
    static List<List<String>> minimal(List<List<String>> family) {
        List<List<String>> out = new ArrayList<>();
        for (List<String> s : family) {
            boolean min = family.stream().noneMatch(t -> t.size() < s.size() && s.containsAll(t));
            if (min) {
                out.add(s);
            }
        }
        return out;
    }
}

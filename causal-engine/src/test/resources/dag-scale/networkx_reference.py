#!/usr/bin/env python3
"""Correctness at scale (issue 23): the engine's backdoor sets on random DAGs of 1,000-10,000 nodes,
with and without bidirected edges, checked with networkx.

The graphs (the issue's sparse ones, 0-2 parents among the 50 nodes before each, and denser ones,
0-4 among the 10 before, where treatment and outcome share many ancestors) are drawn here and in ScaleGraphs.java with the same SplitMix64 generator, so both sides
see the very same graphs. The script runs ScaleGraphs.main (the engine's answers, no time budget),
then checks with networkx on the backdoor graph (the treatment's outgoing edges removed, each
bidirected edge a latent parent of its two ends):

  - every minimal set (the first 100 in the engine's order) and the one set found in linear time: inside the allowed nodes (observed, not
    descendants of the treatment), a d-separator (nx.is_d_separator) and a minimal one
    (nx.is_minimal_d_separator with restricted = the allowed nodes);
  - "no minimal set" exactly when nx.find_minimal_d_separator finds none, and networkx's own
    minimal set is among the engine's (when the engine's listing is complete);
  - the first 50 of "all": d-separators inside the allowed nodes;
  - the first 100 implied independences: d-separations in the graph itself.

d-separation is decided by Lauritzen's criterion with networkx's moral_graph and has_path (networkx
3.6.1's is_d_separator takes 8-18 s per call on the dense cases' sets); is_d_separator itself also
checks the first three minimal sets and the linear-time set on the graphs of up to 2,000 nodes
without bidirected edges.

It writes networkx-reference.json beside itself: the engine's answers, networkx's answer and every
verdict. DagNetworkxReferenceTest recomputes the engine's answers and requires them equal to the
stored ones, and every stored verdict true.

Run from the repository root (needs networkx 3.3+, `pip install networkx`):

  ./mvnw -q -o -pl causal-engine test-compile
  python3 causal-engine/src/test/resources/dag-scale/networkx_reference.py
"""
import json
import os
import subprocess
import sys
import time

import networkx as nx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", "..", ".."))
MASK = (1 << 64) - 1

# name, n, seed, bidirectedOneIn, maxParents, window: as ScaleGraphs.CASES
CASES = [
    ("sparse-1000", 1000, 1, 0, 2, 50),
    ("sparse-1000-bidirected", 1000, 2, 10, 2, 50),
    ("sparse-2000", 2000, 3, 0, 2, 50),
    ("sparse-5000-bidirected", 5000, 6, 20, 2, 50),
    ("sparse-10000", 10000, 7, 0, 2, 50),
    ("sparse-10000-bidirected", 10000, 8, 20, 2, 50),
    ("dense-1000", 1000, 11, 0, 4, 10),
    ("dense-1000-bidirected", 1000, 12, 10, 4, 10),
]


class SplitMix:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def next_int(self, bound):
        return (self.next() >> 33) % bound


def generate(n, seed, bidirected_one_in, max_parents, window_size):
    """Directed edges and bidirected pairs, drawn exactly as ScaleGraphs.generate."""
    rng = SplitMix(seed)
    edges, bidirected = [], []
    for i in range(1, n):
        window = min(window_size, i)
        k = min(i, rng.next_int(max_parents + 1))
        chosen = []
        while len(chosen) < k:
            p = i - 1 - rng.next_int(window)
            if p not in chosen:
                chosen.append(p)
        edges += [(f"v{p}", f"v{i}") for p in chosen]
        if bidirected_one_in > 0 and rng.next_int(bidirected_one_in) == 0:
            bidirected.append((f"v{i - 1 - rng.next_int(window)}", f"v{i}"))
    return edges, bidirected


def graph(n, edges, bidirected):
    g = nx.DiGraph()
    g.add_nodes_from(f"v{i}" for i in range(n))
    g.add_edges_from(edges)
    for k, (a, b) in enumerate(bidirected):
        u = f"__latent{k}"
        g.add_edge(u, a)
        g.add_edge(u, b)
    return g


def dsep(g, u, v, z):
    """u and v d-separated by z: Lauritzen's criterion with networkx (nx.moral_graph of the ancestral
    subgraph of u, v and z, z removed, nx.has_path). Equivalent to nx.is_d_separator, which networkx
    3.6.1 takes 8-18 s per call for on the dense cases' listings; is_d_separator itself still checks
    every minimal set on the small cases (SPOT_CHECK_NODES)."""
    keep = {u, v, *z}
    for w in list(keep):
        keep |= nx.ancestors(g, w)
    m = nx.moral_graph(g.subgraph(keep))
    m.remove_nodes_from(z)
    return not nx.has_path(m, u, v)


# is_d_separator as well, on the minimal sets of graphs this small (it is slow on large ones)
SPOT_CHECK_NODES = 2000


def engine_answers():
    cp = os.environ.get("ENGINE_CLASSPATH") or os.pathsep.join([
        os.path.join(ROOT, "causal-engine", "target", "classes"),
        os.path.join(ROOT, "causal-engine", "target", "test-classes")])
    out = subprocess.run(["java", "-Xss256k", "-cp", cp, "io.counterfact.engine.dag.ScaleGraphs"],
                         check=True, capture_output=True, text=True).stdout
    return {a["case"]: a for a in map(json.loads, out.splitlines())}


def main():
    answers = engine_answers()
    results = []
    failures = 0
    for name, n, seed, one_in, max_parents, window in CASES:
        a = answers[name]
        edges, bidirected = generate(n, seed, one_in, max_parents, window)
        g = graph(n, edges, bidirected)
        x, y = a["x"], a["y"]
        bd = g.copy()
        bd.remove_edges_from(list(g.out_edges(x)))
        observed = {f"v{i}" for i in range(n)}
        allowed = observed - nx.descendants(g, x) - {x, y}
        started = t0 = time.perf_counter()
        nx_min = nx.find_minimal_d_separator(bd, {x}, {y}, restricted=allowed)
        nx_seconds = time.perf_counter() - t0
        checks = []

        def check(what, z, ok):
            checks.append({"what": what, "set": sorted(z) if z is not None else None, "ok": bool(ok)})

        # minimal separators of x and y lie inside An(x, y), where d-separation by subsets of them is
        # decided: networkx's minimality check runs in that subgraph of the backdoor graph
        anc = {x, y} | nx.ancestors(bd, x) | nx.ancestors(bd, y)
        bd_anc = bd.subgraph(anc)
        sets = [("minimal", z) for z in a["minimal"]] + ([("one", a["one"])] if a["one"] is not None else [])
        for what, z in sets:
            zs = set(z)
            check(what + " is a minimal backdoor set", z,
                  zs <= allowed and dsep(bd, x, y, zs)
                  and (n > SPOT_CHECK_NODES or one_in > 0 or what == "minimal" and len(checks) >= 3
                       or nx.is_d_separator(bd, {x}, {y}, zs))
                  and zs <= anc and nx.is_minimal_d_separator(bd_anc, {x}, {y}, zs, restricted=allowed & anc))
        check("no minimal set exactly when networkx finds none", nx_min,
              (nx_min is None) == (len(a["minimal"]) == 0) and (nx_min is None) == (a["one"] is None))
        if nx_min is not None and not a["minimalTruncated"] and a["minimalCount"] == len(a["minimal"]):
            check("networkx's minimal set is among the engine's", nx_min,
                  sorted(nx_min) in [sorted(z) for z in a["minimal"]])
        for z in a["all"]:
            check("all: a backdoor set", z, set(z) <= allowed and dsep(bd, x, y, z))
        for u, v, given in a["implied"]:
            check(f"implied: {u} _||_ {v}", given, dsep(g, u, v, given))
        bad = [c for c in checks if not c["ok"]]
        seconds = time.perf_counter() - started
        failures += len(bad)
        print(f"{name}: {len(g)} nodes ({len(bidirected)} bidirected), {a['minimalCount']} minimal sets, "
              f"{len(checks)} checks, {len(bad)} failed ({seconds:.0f} s); networkx find_minimal_d_separator {nx_seconds * 1e3:.1f} ms",
              file=sys.stderr)
        results.append({"case": name, "n": n, "seed": seed, "bidirectedOneIn": one_in, "maxParents": max_parents,
                        "window": window, "x": x, "y": y,
                        "engine": {k: a[k] for k in ("minimalCount", "minimal", "minimalTruncated", "one", "all",
                                                     "implied")},
                        "networkx": {"version": nx.__version__,
                                     "minimalSeparator": sorted(nx_min) if nx_min is not None else None},
                        "checks": checks})
    with open(os.path.join(HERE, "networkx-reference.json"), "w") as f:
        json.dump({"generatedBy": "causal-engine/src/test/resources/dag-scale/networkx_reference.py",
                   "cases": results}, f, indent=1)
        f.write("\n")
    print(f"{failures} failed checks", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The peer of causal-engine's DagBench: networkx's find_minimal_d_separator (van der Zander,
Liskiewicz and Textor's linear-time algorithm) for one minimal backdoor set, on the same graphs
(SplitMix64, seed n: node i gets 0-2 parents among the 50 nodes before it; treatment v(n/2),
outcome v(n/2+30)). Prints one JSON line per size: median and all run times in ms, the set's size.

  python3 scripts/bench_dag_peer.py [--runs 7] 1000 4000 10000 100000
"""
import argparse
import json
import statistics
import time

import networkx as nx

MASK = (1 << 64) - 1


def sparse(n, seed):
    state = seed & MASK
    g = nx.DiGraph()
    g.add_nodes_from(f"v{i}" for i in range(n))

    def next_int(bound):
        nonlocal state
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        return (z >> 33) % bound

    for i in range(1, n):
        window = min(50, i)
        k = min(i, next_int(3))
        chosen = []
        while len(chosen) < k:
            p = i - 1 - next_int(window)
            if p not in chosen:
                chosen.append(p)
        g.add_edges_from((f"v{p}", f"v{i}") for p in chosen)
    return g


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 4000, 10000, 100000])
    args = ap.parse_args()
    for n in args.sizes:
        g = sparse(n, n)
        x, y = f"v{n // 2}", f"v{n // 2 + 30}"
        bd = g.copy()
        bd.remove_edges_from(list(g.out_edges(x)))
        allowed = set(g) - nx.descendants(g, x) - {x, y}
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            z = nx.find_minimal_d_separator(bd, {x}, {y}, restricted=allowed)
            times.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps({"n": n, "edges": g.number_of_edges(), "networkx": nx.__version__,
                          "median_ms": statistics.median(times), "runs_ms": [round(t, 3) for t in times],
                          "set_size": None if z is None else len(z), "set": None if z is None else sorted(z)}))


if __name__ == "__main__":
    main()

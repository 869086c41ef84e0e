#!/usr/bin/env python3
"""Times POST /api/dags/analyze through the gateway on the graphs of issue 23 (driven by
scripts/bench-dag-gateway.sh, which starts and stops the suite). Standard library only.

The graphs, as dagitty text in the route's body {"dag", "treatment", "outcome"} (each node on a line
of its own, then the edges into it, as the issue measured them):

  sparse-N   node i gets 0-2 parents drawn uniformly among the 50 nodes before it (SplitMix64, seed N,
             the very graphs of scripts/bench_dag_peer.py and the engine's JMH DagBench); treatment
             v(N/2), outcome v(N/2+30)
  chain-N    v0 -> v1 -> ... -> v(N-1); treatment v(N/2), outcome v(N/2+30)
  ten-parents-1000   node i gets min(i, 10) distinct parents among the 50 nodes before it (seed 1000)

Each graph: --warmup untimed calls (2), then --runs timed calls (5) (status, wall time of the whole exchange,
answer size, which listings are truncated and by what); a graph whose expected status is 413 is sent
once per run as well, and after it a small DAG must still answer 200. With --cpu-pids, the CPU time
(user + system, all threads: JIT and GC included) that those processes spent during the timed calls,
per call: on a shared machine the wall times grow with the load, the CPU times much less. Prints a
markdown table and writes one JSON line per graph to --out.

  python3 scripts/bench_dag_gateway.py --url http://localhost:8080 --token dev-token --runs 5
  python3 scripts/bench_dag_gateway.py --write-bodies DIR   # only write the request bodies
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse

MASK = (1 << 64) - 1


class SplitMix:
    """SplitMix64, reduced as scripts/bench_dag_peer.py and DagBench reduce it."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next_int(self, bound):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        return (z >> 33) % bound


def ranked(n, seed, parents, window, exact):
    """Node i gets `parents` distinct parents (0..parents uniformly unless exact) among the window before it."""
    rng = SplitMix(seed)
    lines = []
    for i in range(n):
        lines.append(f"v{i}")
        if i == 0:
            continue
        w = min(window, i)
        k = min(i, parents if exact else rng.next_int(parents + 1))
        chosen = []
        while len(chosen) < k:
            p = i - 1 - rng.next_int(w)
            if p not in chosen:
                chosen.append(p)
        lines.extend(f"v{p} -> v{i}" for p in chosen)
    return lines


def chain(n):
    return [f"v{i - 1} -> v{i}" for i in range(1, n)]


def body(lines, n):
    return json.dumps({"dag": "dag {\n" + "\n".join(lines) + "\n}",
                       "treatment": f"v{n // 2}", "outcome": f"v{n // 2 + 30}"}).encode()


# name, builder, nodes, expected status, goal (seconds, p50) or None
GRAPHS = [
    ("sparse-1000", lambda: ranked(1_000, 1_000, 2, 50, False), 1_000, 200, None),
    ("sparse-10000", lambda: ranked(10_000, 10_000, 2, 50, False), 10_000, 200, 1.0),
    ("sparse-40000", lambda: ranked(40_000, 40_000, 2, 50, False), 40_000, 200, 5.0),
    ("chain-10000", lambda: chain(10_000), 10_000, 200, 1.0),
    ("ten-parents-1000", lambda: ranked(1_000, 1_000, 10, 50, True), 1_000, 200, 1.0),
    ("chain-100000", lambda: chain(100_000), 100_000, 413, None),
]


def truncation(answer):
    """Which listings stopped early, e.g. 'all:count front-door:time' ('-' when the answer is complete)."""
    flags = []
    sets = answer.get("adjustmentSets", {})
    if sets.get("minimalTruncated"):
        flags.append(f"minimal:{sets.get('minimalTruncatedBy')}")
    if sets.get("allTruncated"):
        flags.append(f"all:{sets.get('truncatedBy')}")
    if answer.get("frontDoorTruncated"):
        flags.append(f"front-door:{answer.get('frontDoorTruncatedBy')}")
    if answer.get("instrumentsTruncated"):
        flags.append(f"instruments:{answer.get('instrumentsTruncatedBy')}")
    if answer.get("impliedIndependencesTruncated"):
        flags.append(f"implied:{answer.get('truncatedBy')}")
    return " ".join(flags) or "-"


def _ticks(stat_path):
    with open(stat_path) as f:
        text = f.read()
    comm = text[text.index("(") + 1:text.rindex(")")]
    fields = text.rsplit(")", 1)[1].split()
    return comm, int(fields[11]) + int(fields[12])


def thread_kind(comm):
    if comm.startswith("dag-analysis"):
        return "dag"  # DagAnalysisPool: the analysis itself (parsing the dag text included)
    if "CompilerThre" in comm:
        return "jit"
    if comm in ("VM Thread",) or comm.startswith("GC Thread"):
        return "gc"
    return "other"  # HTTP (vert.x, executor threads: JSON in and out), Kafka clients, ...


def cpu_seconds(pids):
    """User + system CPU time so far of each process (/proc/PID/stat) and of its threads by kind, in seconds."""
    out = {}
    hz = os.sysconf("SC_CLK_TCK")
    for name, pid in pids.items():
        try:
            out[name] = _ticks(f"/proc/{pid}/stat")[1] / hz
            for tid in os.listdir(f"/proc/{pid}/task"):
                try:
                    comm, ticks = _ticks(f"/proc/{pid}/task/{tid}/stat")
                except OSError:
                    continue
                key = f"{name}.{thread_kind(comm)}"
                out[key] = out.get(key, 0) + ticks / hz
        except (OSError, IndexError, ValueError):
            out[name] = float("nan")
    return out


def post(url, token, payload, timeout):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=timeout)
    t0 = time.perf_counter()
    try:
        conn.request("POST", "/api/dags/analyze", body=payload, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        r = conn.getresponse()
        data = r.read()
        status = r.status
    except (ConnectionError, http.client.HTTPException) as e:
        # a 413 sent while the body is still being written may reset the connection on our side
        status, data = f"closed ({type(e).__name__})", b""
    finally:
        conn.close()
    return status, time.perf_counter() - t0, data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=os.environ.get("GATEWAY", "http://localhost:8080"))
    ap.add_argument("--token", default=os.environ.get("COUNTERFACT_TOKEN", "dev-token"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2, help="untimed calls per graph before the timed ones")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--out", default=None, help="JSON lines, one per graph")
    ap.add_argument("--cpu-pids", default="", help="name=pid,...: processes whose CPU time to report per call")
    ap.add_argument("--write-bodies", metavar="DIR", help="write the request bodies to DIR and stop")
    ap.add_argument("graphs", nargs="*", help="names among " + ", ".join(g[0] for g in GRAPHS))
    args = ap.parse_args()
    chosen = [g for g in GRAPHS if not args.graphs or g[0] in args.graphs]
    pids = dict(p.split("=", 1) for p in args.cpu_pids.split(",") if p)

    rows = []
    out = open(args.out, "w") if args.out else None
    for name, build, n, expected, goal in chosen:
        payload = body(build(), n)
        if args.write_bodies:
            os.makedirs(args.write_bodies, exist_ok=True)
            with open(os.path.join(args.write_bodies, name + ".json"), "wb") as f:
                f.write(payload)
            print(f"{name}: {len(payload):,} bytes")
            continue
        for _ in range(args.warmup):  # untimed: the service's JIT compiles the paths this graph takes
            post(args.url, args.token, payload, args.timeout)
        times, statuses, answer, answer_bytes = [], [], {}, 0
        cpu_before = cpu_seconds(pids)
        for _ in range(args.runs):
            status, seconds, data = post(args.url, args.token, payload, args.timeout)
            times.append(seconds)
            statuses.append(status)
            answer_bytes = len(data)
            if status == 200:
                answer = json.loads(data)
        cpu_after = cpu_seconds(pids)
        cpu = {k: round((cpu_after.get(k, 0) - cpu_before.get(k, 0)) / args.runs, 4) for k in cpu_after}
        alive = None
        if expected == 413:
            s, _, _ = post(args.url, args.token, json.dumps(
                {"dag": "dag { Z -> X; Z -> Y; X -> Y }", "treatment": "X", "outcome": "Y"}).encode(), args.timeout)
            alive = s == 200
        p50 = statistics.median(times)
        ok = all(s == expected for s in statuses) and (alive is not False) and (goal is None or p50 < goal)
        row = {"graph": name, "nodes": n, "edges": answer.get("edges"), "bytes": len(payload),
               "answer_bytes": answer_bytes, "cpu_s_per_call": cpu,
               "statuses": statuses, "p50_s": round(p50, 4), "max_s": round(max(times), 4),
               "runs_s": [round(t, 4) for t in times], "goal_p50_s": goal,
               "truncated": truncation(answer) if answer else None,
               "minimal": len(answer.get("adjustmentSets", {}).get("minimal", [])) if answer else None,
               "all": len(answer.get("adjustmentSets", {}).get("all", [])) if answer else None,
               "frontDoor": len(answer.get("frontDoor", [])) if answer else None,
               "instruments": len(answer.get("instruments", [])) if answer else None,
               "implied": len(answer.get("impliedIndependences", [])) if answer else None,
               "serviceStillAnswers": alive, "met": ok}
        rows.append(row)
        if out:
            out.write(json.dumps(row) + "\n")
            out.flush()
        print(f"{name}: {statuses} p50 {p50 * 1e3:.0f} ms max {max(times) * 1e3:.0f} ms "
              f"{row['truncated'] or ''} CPU/call "
              + " ".join(f"{k} {v * 1e3:.0f} ms" for k, v in sorted(cpu.items()) if v), file=sys.stderr)
    if args.write_bodies:
        return 0
    cpu_names = list(pids)
    print("| graph | nodes | body | answer | status | p50 | max | "
          + "".join(f"{k} CPU/call{' (DAG threads)' if k.startswith('estimation') else ''} | " for k in cpu_names)
          + "listings cut short | goal |")
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: | " + "---: | " * len(cpu_names) + "--- | --- |")
    for r in rows:
        statuses = sorted(set(map(str, r["statuses"])))
        status = "/".join(statuses) + (", then a small DAG 200" if r["serviceStillAnswers"] else
                                       ", then a small DAG NOT 200" if r["serviceStillAnswers"] is False else "")
        goal = (f"p50 < {r['goal_p50_s']:g} s" if r["goal_p50_s"] else
                f"{r['statuses'][0]}" if r["graph"] == "chain-100000" else "")
        verdict = ("met" if r["met"] else "**missed**") if goal else ""
        cpu = "".join(f"{r['cpu_s_per_call'][k] * 1e3:,.0f} ms"
                      + (f" ({r['cpu_s_per_call'].get(k + '.dag', 0) * 1e3:,.0f} ms)" if k.startswith("estimation") else "")
                      + " | " for k in cpu_names)
        print(f"| {r['graph']} | {r['nodes']:,} | {r['bytes'] / 1024:,.0f} KiB | {r['answer_bytes'] / 1024:,.0f} KiB | "
              f"{status} | {r['p50_s'] * 1e3:,.0f} ms | {r['max_s'] * 1e3:,.0f} ms | {cpu}{r['truncated'] or ''} | "
              f"{(goal + ': ' + verdict) if goal else ''} |")
    return 0 if all(r["met"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

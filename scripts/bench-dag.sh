#!/usr/bin/env bash
# DAG analysis at scale (issue 23): networkx's find_minimal_d_separator (scripts/bench_dag_peer.py)
# and the engine's JMH DagBench on the same graphs in the same run, then a table.
#
#   scripts/bench-dag.sh                    # sizes 1000 4000 10000 100000
#   scripts/bench-dag.sh 10000 100000       # some sizes
#   NO_BUILD=1 FORKS=1 scripts/bench-dag.sh # reuse causal-engine/target/bench/benchmarks.jar
#
# Needs python3 with networkx (PYTHON=/path/to/venv/bin/python) and Java 17. Output in
# .work/bench-dag/ (peer.jsonl, jmh.json, jmh.log, table.md).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_WORK:-.work/bench-dag}
PY=${PYTHON:-python3}
SIZES=${*:-1000 4000 10000 100000}
mkdir -p "$OUT"
if [ "${NO_BUILD:-0}" != 1 ]; then
  ./mvnw -q ${MVN_OFFLINE:-} -pl causal-engine -Pbench package
fi
uptime > "$OUT/load.txt"
"$PY" scripts/bench_dag_peer.py --runs "${PEER_RUNS:-7}" $SIZES | tee "$OUT/peer.jsonl"
java -jar causal-engine/target/bench/benchmarks.jar 'DagBench' -p n="$(echo $SIZES | tr ' ' ',')" \
  -f "${FORKS:-1}" -wi "${WARMUP:-3}" -i "${ITERATIONS:-5}" -rf json -rff "$OUT/jmh.json" | tee "$OUT/jmh.log"
uptime >> "$OUT/load.txt"
"$PY" - "$OUT" <<'PYEOF'
import json, sys, os
out = sys.argv[1]
peer = {r["n"]: r for r in map(json.loads, open(os.path.join(out, "peer.jsonl")))}
jmh = json.load(open(os.path.join(out, "jmh.json")))
rows = {}
for b in jmh:
    n = int(b["params"]["n"])
    rows.setdefault(n, {})[b["benchmark"].rsplit(".", 1)[1]] = b["primaryMetric"]
lines = ["| n | edges | networkx find_minimal_d_separator median (ms) | engine minimalBackdoorSet (ms) | ratio | engine analyze, full answer (ms) |",
         "| ---: | ---: | ---: | ---: | ---: | ---: |"]
for n in sorted(rows):
    p = peer.get(n, {})
    m = rows[n].get("minimalBackdoorSet", {})
    a = rows[n].get("analyze", {})
    ratio = p.get("median_ms", float("nan")) / m["score"] if m else float("nan")
    lines.append(f"| {n:,} | {p.get('edges', '')} | {p.get('median_ms', float('nan')):.2f} | "
                 f"{m.get('score', float('nan')):.3f} ± {m.get('scoreError', float('nan')):.3f} | {ratio:.1f}x | "
                 f"{a.get('score', float('nan')):.1f} ± {a.get('scoreError', float('nan')):.1f} |")
open(os.path.join(out, "table.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PYEOF

#!/usr/bin/env bash
# DAG analysis through the gateway (issue 23): starts the suite (./run.sh --no-demo) in the background, times
# POST /api/dags/analyze on the issue's graphs (scripts/bench_dag_gateway.py: random sparse DAGs of 1,000 / 10,000 /
# 40,000 nodes, a chain of 10,000, 1,000 nodes with 10 parents each, a chain of 100,000 that must be 413), prints
# a table and stops the suite. Beside the wall times (p50, max), the CPU time estimation-service and the gateway
# spent per call: on a shared machine the wall time grows with the load, the CPU time much less.
#
#   scripts/bench-dag-gateway.sh                      # 5 timed calls per graph after 2 warm-up calls
#   RUNS=9 scripts/bench-dag-gateway.sh sparse-10000  # some graphs, more calls
#   GATEWAY=http://localhost:8080 scripts/bench-dag-gateway.sh   # use a suite that is already running
#
# ./run.sh builds what is older than its sources first (online, `install`): build beforehand with
# `./mvnw -o -q package -Dmaven.test.skip=true -pl gateway,estimation-service,ingestion-service,query-service,local-infra -am`
# to keep it from doing so. Needs python3 (standard library only). Output in .work/bench-dag-gateway/
# (results.jsonl, table.md, load.txt, run.log).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_WORK:-.work/bench-dag-gateway}
mkdir -p "$OUT"
TOKEN=${COUNTERFACT_TOKEN:-dev-token}
URL=${GATEWAY:-}
RUN_PID=
stop_suite() {
  if [ -n "$RUN_PID" ]; then
    echo "stopping the suite..." >&2
    # run.sh leads its own process group (setsid): its trap stops the services, PostgreSQL and Kafka
    kill -TERM -- "-$RUN_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$RUN_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$RUN_PID" 2>/dev/null || true
    RUN_PID=
  fi
}
trap stop_suite EXIT
trap 'exit 130' INT TERM

if [ -z "$URL" ]; then
  URL=http://localhost:8080
  echo "starting the suite (./run.sh --no-demo, log in $OUT/run.log)..." >&2
  COUNTERFACT_TOKEN=$TOKEN setsid ./run.sh --no-demo > "$OUT/run.log" 2>&1 < /dev/null &
  RUN_PID=$!
  for _ in $(seq 1 600); do
    grep -q '^counterfact is running' "$OUT/run.log" && break
    kill -0 "$RUN_PID" 2>/dev/null || { tail -30 "$OUT/run.log" >&2; echo "./run.sh failed" >&2; exit 1; }
    sleep 1
  done
  grep -q '^counterfact is running' "$OUT/run.log" || { tail -30 "$OUT/run.log" >&2; echo "./run.sh not ready" >&2; exit 1; }
  TOKEN=$(sed -nE 's/^ *token: *([^ ]+).*/\1/p' "$OUT/run.log" | head -1)
fi
curl -sf "$URL/q/health/ready" > /dev/null || { echo "no gateway at $URL" >&2; exit 1; }

# the CPU time the gateway and estimation-service spend per call (only for the suite started here: its processes)
cpu_pids=
if [ -n "$RUN_PID" ]; then
  for svc in estimation-service gateway; do
    pid=$(ps -o pid=,args= -g "$RUN_PID" | awk -v jar="$svc/target/quarkus-app/quarkus-run.jar" '$0 ~ jar && / -jar / {print $1; exit}')
    [ -n "$pid" ] && cpu_pids="$cpu_pids${cpu_pids:+,}${svc%-service}=$pid"
  done
fi
uptime > "$OUT/load.txt"
rc=0
python3 scripts/bench_dag_gateway.py --url "$URL" --token "$TOKEN" --runs "${RUNS:-5}" --out "$OUT/results.jsonl" \
  --cpu-pids "$cpu_pids" "$@" \
  | tee "$OUT/table.md" || rc=$?
uptime >> "$OUT/load.txt"
echo "load average before / after: $(awk -F'load average: ' '{print $2}' "$OUT/load.txt" | paste -sd'|' - | sed 's/|/ \/ /')" >&2
exit "$rc"

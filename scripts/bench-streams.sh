#!/usr/bin/env bash
# Live updates at scale (issue 25): starts the suite (./run.sh --no-demo) with the per-key stream limit and the rate
# limit raised, opens STREAMS (10,000) event streams on the gateway with scripts/bench_streams.py (asyncio sockets,
# standard library), and prints the gateway's and query-service's RSS per stream, reads p50/p99 with none and with
# all open, and the time from a dataset's registration until every client has its change. Stops the suite after.
#
#   scripts/bench-streams.sh                   # 10,000 streams
#   STREAMS=2000 scripts/bench-streams.sh
#
# Needs `ulimit -n` above STREAMS + a few hundred (the script and the gateway each hold one socket per stream).
# Build first (`./mvnw -o -q install -Dmaven.test.skip=true -pl '!k8s,!system-tests'`) so that ./run.sh does not.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_WORK:-.work/bench-streams}
STREAMS=${STREAMS:-10000}
mkdir -p "$OUT"
RUN_PID=
stop_suite() {
  if [ -n "$RUN_PID" ]; then
    kill -TERM -- "-$RUN_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$RUN_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$RUN_PID" 2>/dev/null || true
    RUN_PID=
  fi
}
trap stop_suite EXIT
trap 'exit 130' INT TERM
[ "$(ulimit -n)" -gt $((STREAMS + 500)) ] || { echo "ulimit -n is $(ulimit -n): raise it above $((STREAMS + 500))" >&2; exit 1; }

echo "starting the suite (./run.sh --no-demo, log in $OUT/run.log)..." >&2
COUNTERFACT_STREAMS_PER_KEY=$((STREAMS + 100)) COUNTERFACT_RATE_LIMIT_RPS=100000 COUNTERFACT_RATE_LIMIT_BURST=100000 \
  setsid ./run.sh --no-demo > "$OUT/run.log" 2>&1 < /dev/null &
RUN_PID=$!
for _ in $(seq 1 600); do
  grep -q '^counterfact is running' "$OUT/run.log" && break
  kill -0 "$RUN_PID" 2>/dev/null || { tail -30 "$OUT/run.log" >&2; echo "./run.sh failed" >&2; exit 1; }
  sleep 1
done
grep -q '^counterfact is running' "$OUT/run.log" || { tail -30 "$OUT/run.log" >&2; echo "./run.sh not ready" >&2; exit 1; }
TOKEN=$(sed -nE 's/^ *token: *([^ ]+).*/\1/p' "$OUT/run.log" | head -1)
pids=
for svc in gateway query-service; do
  pid=$(ps -o pid=,args= -g "$RUN_PID" | awk -v jar="$svc/target/quarkus-app/quarkus-run.jar" '$0 ~ jar && / -jar / {print $1; exit}')
  [ -n "$pid" ] && pids="$pids${pids:+,}${svc%-service}=$pid"
done
uptime > "$OUT/load.txt"
rc=0
python3 scripts/bench_streams.py --url http://localhost:8080 --token "$TOKEN" --streams "$STREAMS" --pids "$pids" \
  | tee "$OUT/table.md" || rc=$?
uptime >> "$OUT/load.txt"
echo "load average before / after: $(awk -F'load average: ' '{print $2}' "$OUT/load.txt" | paste -sd'|' - | sed 's/|/ \/ /')" >&2
exit "$rc"

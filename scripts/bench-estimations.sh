#!/usr/bin/env bash
# Benchmarks the estimation workers (not a test): the packaged services as separate processes on a real PostgreSQL and
# Kafka (the system-tests harness), each estimation worker pinned to one core (taskset -c, -XX:ActiveProcessorCount=1)
# like a pod with a 1-CPU limit; or, with --cpu-limit M (root, cgroup v1 cpu controller), each held to M millicores by
# a CFS quota, as Kubernetes enforces limits.cpu, so that the workers leave the suite's own processes their share.
#   (a) commands per minute with 1 and with 2 workers draining the same number of queued commands (ratio; goal >= 1.8):
#       warm workers, frozen (SIGSTOP) while the harness queues the commands and thawed together, so that the drain
#       starts with the whole queue waiting and the harness's burst of POSTs does not share the cores with it;
#       --rounds K times with fresh workers (the engine's speed moves in phases on a shared host: one round is one draw;
#       the median is reported); the workers' CPU is split by kind of thread (JIT compiler, GC, executor, other)
#   (b) one of 2 workers removed mid-drain (SIGTERM, then SIGKILL): commands lost / run again (goal: none lost)
#   (c) p50/p95 of POST -> SUCCEEDED GET /api/estimations/{id}, both through the gateway, 10,000-row AIPW (goal p50 < 300 ms)
# Prints a table; raw results (CSV per part, service logs) under .work/bench-estimations/<time>/.
# Usage: scripts/bench-estimations.sh [--parts abc] [--rounds 1] [--commands 120] [--warmup 200] [--replicates 40] [--rows 10000] [--latency-samples 60] [--cores 0,1] [--cpu-limit 500] [--pin 1]
#   --warmup N: commands each worker runs before a measured drain (a fresh JVM's C2 is busy until ~180 of them)
#   --pin 1 (with --cpu-limit): each worker also pinned to its core of --cores, as pods on different nodes are
# BENCH_WORKER_JVM_ARGS: more JVM options for every worker ({name} becomes the worker's name), e.g. a flight recording
#   per worker: BENCH_WORKER_JVM_ARGS='-XX:StartFlightRecording:settings=profile,filename=/tmp/{name}.jfr'
# Needs the services packaged: ./mvnw -q -B install -Dmaven.test.skip=true -pl '!k8s'
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
for m in ingestion-service estimation-service query-service gateway; do
  [ -f "$m/target/quarkus-app/quarkus-run.jar" ] || { echo "$m is not packaged: ./mvnw -q -B install -Dmaven.test.skip=true -pl '!k8s'" >&2; exit 1; }
done
command -v taskset > /dev/null || { echo "taskset (util-linux) is needed to pin the workers to a core" >&2; exit 1; }
# the harness classes and their class path (written by the build into system-tests/target/harness.classpath)
./mvnw -q -B -pl system-tests compile > /dev/null
OUT=${BENCH_OUT:-$ROOT/.work/bench-estimations/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/machine.txt"
java -Xmx1g -cp "system-tests/target/classes:$(cat system-tests/target/harness.classpath)" \
  io.counterfact.systemtests.BenchEstimations --root "$ROOT" --out "$OUT" "$@" 2>&1 | tee "$OUT/bench.log"

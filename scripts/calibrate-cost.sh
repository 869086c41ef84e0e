#!/usr/bin/env bash
# Calibration of the cost model (causal-engine's io.counterfact.engine.cost.CommandCost), not a test: times the
# engine's facade on synthetic data of several sizes per method with ONE engine thread, prints measured against
# modelled seconds, allocated bytes against the modelled peak, and the least-squares coefficients per method to paste
# into CommandCost.CALIBRATED. Results kept in .work/calibrate-cost/ (run-<time>.txt). ~3-6 min on 2 cores.
#
# Usage: scripts/calibrate-cost.sh [METHOD...]     (default: every method; NO_BUILD=1 reuses the bench jar)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=.work/calibrate-cost
mkdir -p "$OUT"
if [[ "${NO_BUILD:-0}" != 1 ]]; then
  ./mvnw -o -q -pl causal-engine -Pbench package
fi
JAR=causal-engine/target/bench/benchmarks.jar
FILE="$OUT/run-$(date -u +%Y%m%dT%H%M%SZ).txt"
{ echo "# $(date -u) load: $(cut -d' ' -f1-3 /proc/loadavg)"; \
  java -Xmx3g -XX:+UseSerialGC -XX:ActiveProcessorCount=1 --add-modules=jdk.incubator.vector \
    -cp "$JAR" io.counterfact.engine.bench.CostCalibration "$@" 2>/dev/null; \
  echo "# end load: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$FILE"

#!/usr/bin/env bash
# The fault campaign of issue 16, from one place: runs system-tests' FaultCampaignIT on the packaged services
# (separate processes on free ports, one embedded PostgreSQL, one Kafka broker, the gateway in front; never the
# fixed ports of ./run.sh) and prints the figures it measured:
#   (a) the Kafka broker SIGKILLed mid-upload and mid-seal, restarted on the same port and data: every version's
#       rows and checksum equal at ingestion, in estimation-service's replica and in query-service's view;
#   (b) PostgreSQL restarted under a mixed load, through the gateway and directly: only 2xx and 503 + Retry-After;
#   (c) query-service SIGKILLed and restarted during a drain: the gateway's fallback, the views' catch-up, the
#       event streams' reconnect;
#   (d) a sustained mixed load (--soak seconds; 600 by default here, 60 in CI): zero errors, heap and RSS of each
#       service in the first and last minute, p50/p99 per call type.
#
# Usage: scripts/faults.sh [--soak SECONDS] [--kafka-down SECONDS] [--no-build] [extra Maven arguments]
#   --kafka-down: how long the broker stays down after each kill (75 s here, past the Kafka clients' 60 s API
#   timeout, which once ended query-service's consumers; 3 s in CI)
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK=600
KAFKA_DOWN=75
BUILD=1
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --soak) SOAK=$2; shift 2 ;;
    --soak=*) SOAK=${1#--soak=}; shift ;;
    --kafka-down) KAFKA_DOWN=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) EXTRA+=("$1"); shift ;;
  esac
done
if [ "$BUILD" = 1 ]; then
  echo "packaging the services (./mvnw install -Dmaven.test.skip=true -pl '!k8s')..."
  ./mvnw -B -q install -Dmaven.test.skip=true -pl '!k8s' "${EXTRA[@]}"
fi
REPORT=system-tests/target/system-tests/faults-report.txt
mkdir -p "$(dirname "$REPORT")"
rm -f "$REPORT"
LOG=system-tests/target/faults-run.log
start=$(date +%s)
status=0
# the fork's time limit grows with the soak (the scenarios before it take ~5 minutes on a loaded 2-core machine)
# local-infra and common in the reactor: ~/.m2 may hold another checkout's SNAPSHOT of them
./mvnw -B -pl local-infra,common,system-tests verify -Dit.test=FaultCampaignIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfaults.soak.seconds="$SOAK" -Dfaults.kafka.down.seconds="$KAFKA_DOWN" \
  -Dsystemtests.fork.timeout=$((SOAK + 1800)) "${EXTRA[@]}" > "$LOG" 2>&1 || status=$?
echo
echo "fault campaign: $(( $(date +%s) - start )) s, exit $status (Maven log: $LOG; service logs under system-tests/target/system-tests/faults-*/logs)"
if [ -f "$REPORT" ]; then
  sed 's/^FAULTS //' "$REPORT"
fi
if [ "$status" -ne 0 ]; then
  grep -E "FAIL|Tests run:|AssertionError|expected" "$LOG" | head -40 >&2
  echo "FAULT CAMPAIGN FAILED" >&2
fi
exit "$status"

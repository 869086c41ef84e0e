#!/usr/bin/env bash
# Starts the whole counterfact suite on this machine, in the foreground: one real PostgreSQL (a database per
# service) and one real Kafka broker (embedded, data under .work/), the four services, and a demo dataset (the NSW
# sample) loaded through the gateway. Ctrl-C stops everything. Usage: ./run.sh [--no-demo] [--rebuild]
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
WORK=${COUNTERFACT_WORK:-$ROOT/.work}
LOGS=$WORK/logs
DEMO=true
REBUILD=false
for arg in "$@"; do
  case "$arg" in
    --no-demo) DEMO=false ;;
    --rebuild) REBUILD=true ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

export COUNTERFACT_TOKEN=${COUNTERFACT_TOKEN:-dev-token}
export COUNTERFACT_VIEWER_TOKEN=${COUNTERFACT_VIEWER_TOKEN:-dev-viewer}
# A fresh secret per run: the services only trust the gateway that was started with them.
export COUNTERFACT_INTERNAL_SECRET=${COUNTERFACT_INTERNAL_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
PG_PORT=${COUNTERFACT_PG_PORT:-54329}
KAFKA_PORT=${COUNTERFACT_KAFKA_PORT:-19092}
GATEWAY=http://localhost:8080
SERVICES=(ingestion-service:8081 estimation-service:8082 query-service:8083 gateway:8080)

mkdir -p "$LOGS"
# for operator tools (scripts/internal-token.sh) that call a service directly; readable by this user only
(umask 077; printf 'COUNTERFACT_INTERNAL_SECRET=%s\n' "$COUNTERFACT_INTERNAL_SECRET" > "$WORK/run.env")
PIDS=()
STACK_PID=
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "stopping..."
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$STACK_PID" ]; then kill -TERM "$STACK_PID" 2>/dev/null || true; wait "$STACK_PID" 2>/dev/null || true; fi
  echo "stopped."
}
trap 'stop_all; exit 130' INT TERM
trap stop_all EXIT

for port in 8080 8081 8082 8083 "$PG_PORT" "$KAFKA_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use: is another ./run.sh running? Stop it first." >&2
    exit 1
  fi
done

# Build what is missing or older than its sources (everything on a fresh clone; --rebuild forces it).
need_build=$REBUILD
for svc in "${SERVICES[@]}"; do
  jar="${svc%%:*}/target/quarkus-app/quarkus-run.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "${svc%%:*}/src/main" "${svc%%:*}/pom.xml" common/src/main causal-engine/src/main \
        pom.xml -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
    need_build=true
  fi
done
[ -f local-infra/target/classes/io/counterfact/infra/broker.classpath ] || need_build=true
if [ "$need_build" = true ]; then
  echo "building (first run: a few minutes)..."
  # no test compilation, both cores: the build is most of a first start
  ./mvnw -q -B install -Dmaven.test.skip=true -T 2 -pl '!k8s' > "$LOGS/build.log" 2>&1 || { tail -50 "$LOGS/build.log"; echo "build failed, see $LOGS/build.log" >&2; exit 1; }
fi

echo "starting PostgreSQL and Kafka..."
# a fresh log per run: the wait below must never read the previous run's READY line
rm -f "$LOGS/infra.log" "$WORK/stack.env"
java -cp "local-infra/target/classes:$(cat local-infra/target/classes/io/counterfact/infra/broker.classpath)" \
  io.counterfact.infra.LocalStack "$WORK" "$PG_PORT" "$KAFKA_PORT" ingestion estimation query > "$LOGS/infra.log" 2>&1 &
STACK_PID=$!
for _ in $(seq 1 180); do
  grep -q '^READY' "$LOGS/infra.log" 2>/dev/null && break
  kill -0 "$STACK_PID" 2>/dev/null || { tail -30 "$LOGS/infra.log"; echo "PostgreSQL/Kafka failed to start" >&2; exit 1; }
  sleep 0.5
done
grep -q '^READY' "$LOGS/infra.log" || { echo "PostgreSQL/Kafka did not start in 90 s, see $LOGS/infra.log" >&2; exit 1; }
# shellcheck disable=SC1091
source "$WORK/stack.env"

echo "starting the services..."
# One service's process, started with the environment the images give it (run in a subshell by supervise).
run_service() {
  local name=$1 db=${1%-service}
  local url_var="JDBC_URL_${db^^}"
  export QUARKUS_DATASOURCE_JDBC_URL=${!url_var:-}
  export QUARKUS_DATASOURCE_USERNAME=$POSTGRES_USER QUARKUS_DATASOURCE_PASSWORD=$POSTGRES_PASSWORD
  export KAFKA_BOOTSTRAP_SERVERS
  export COUNTERFACT_INGESTION_URL=http://localhost:8081 COUNTERFACT_ESTIMATION_URL=http://localhost:8082 \
         COUNTERFACT_QUERY_URL=http://localhost:8083
  export QUARKUS_LOG_CONSOLE_JSON_ENABLED=false
  # the services that only move data start fastest on C1 alone; estimation-service runs the causal engine: it
  # keeps the full JIT (C2) and the Vector API module, whose SIMD kernels C2 alone compiles (the engine falls back
  # to its scalar kernels without the module)
  local jit=(-XX:TieredStopAtLevel=1)
  # out of memory: exit (and say so in the log) rather than run on with a dead worker thread, as the images do;
  # the supervisor below then restarts the service, as Kubernetes restarts a container. Not estimation-service: an
  # estimation command that runs out of memory must end FAILED at its first start rather than take the worker down
  # (and every next worker it is redelivered to); its OutOfMemoryPolicy halts the JVM on one outside a command.
  local oom=(-XX:+ExitOnOutOfMemoryError)
  [ "$name" = estimation-service ] && jit=(--add-modules=jdk.incubator.vector) && oom=()
  exec java -XX:+UseSerialGC "${oom[@]}" "${jit[@]}" -Xmx${COUNTERFACT_HEAP:-1g} \
    -jar "$name/target/quarkus-app/quarkus-run.jar"
}

# A supervisor per service, as Kubernetes' restart policy: a service that dies is announced on the terminal (with
# the reason from its log when there is one) and started again, after a back-off that doubles while it keeps dying
# young (1 s .. 30 s) and starts over once it has run for a minute. Its log is appended to, so the crash stays in it.
# SIGTERM (from stop_all) ends the supervisor: it passes the signal on to the service and waits for it.
supervise() {
  local name=$1 log=$LOGS/$1.log child= delay=1 started rc reason offset
  trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; [ -n "$child" ] && wait "$child" 2>/dev/null; exit 0' TERM INT
  : > "$log"
  while true; do
    started=$(date +%s)
    offset=$(stat -c %s "$log")
    ( run_service "$name" ) >> "$log" 2>&1 &
    child=$!
    rc=0
    wait "$child" || rc=$? # (set -e would end the supervisor with its service)
    child=
    # the reason, if this run's part of the log has one (ExitOnOutOfMemoryError prints "Terminating due to ...")
    reason=$(tail -c +$(( offset + 1 )) "$log" | grep -aoE 'java.lang.(OutOfMemoryError|StackOverflowError)[^"]*' | tail -1 || true)
    if [ $(( $(date +%s) - started )) -ge 60 ]; then delay=1; fi
    echo "$(date +%H:%M:%S) $name exited (code $rc${reason:+, $reason}); restarting it in ${delay}s (log: $log)" | tee -a "$log" >&2
    sleep "$delay" & wait $!
    delay=$(( delay * 2 > 30 ? 30 : delay * 2 ))
  done
}

for svc in "${SERVICES[@]}"; do
  supervise "${svc%%:*}" &
  PIDS+=($!)
done
for svc in "${SERVICES[@]}"; do
  name=${svc%%:*}; port=${svc##*:}
  for _ in $(seq 1 240); do
    curl -sf "http://localhost:$port/q/health/ready" > /dev/null 2>&1 && break
    sleep 0.5
  done
  curl -sf "http://localhost:$port/q/health/ready" > /dev/null || { tail -40 "$LOGS/$name.log"; echo "$name is not ready, see $LOGS/$name.log" >&2; exit 1; }
done

auth=(-H "Authorization: Bearer $COUNTERFACT_TOKEN")
if [ "$DEMO" = true ]; then
  existing=$(curl -sf "${auth[@]}" "$GATEWAY/api/views/datasets?limit=500" || true)
  if grep -q '"name":"NSW job training (Dehejia-Wahba)"' <<< "$existing"; then
    echo "demo dataset already loaded"
  else
    echo "loading the demo dataset (NSW job training experiment, 445 rows)..."
    id=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$GATEWAY/api/datasets" -d '{
      "name": "NSW job training (Dehejia-Wahba)",
      "columns": [{"name": "treat", "type": "binary"}, {"name": "age", "type": "numeric"},
        {"name": "educ", "type": "numeric"}, {"name": "black", "type": "binary"},
        {"name": "hispan", "type": "binary"}, {"name": "married", "type": "binary"},
        {"name": "nodegree", "type": "binary"}, {"name": "re74", "type": "numeric"},
        {"name": "re75", "type": "numeric"}, {"name": "re78", "type": "numeric"},
        {"name": "u74", "type": "binary"}, {"name": "u75", "type": "binary"}]}' | sed -E 's/.*"id":"([^"]+)".*/\1/')
    curl -sf "${auth[@]}" -H 'Content-Type: text/csv' -H 'Idempotency-Key: demo-nsw-v1' \
      --data-binary @demo/lalonde_nsw_exp.csv "$GATEWAY/api/datasets/$id/rows" > /dev/null
    curl -sf "${auth[@]}" -X POST "$GATEWAY/api/datasets/$id/versions" > /dev/null
    for _ in $(seq 1 60); do
      curl -sf "${auth[@]}" "$GATEWAY/api/views/datasets/$id" 2>/dev/null | grep -q '"latestVersion":1\|"version":1' && break
      sleep 0.5
    done
    echo "demo dataset $id: version 1 sealed"
  fi
fi

cat <<MSG

counterfact is running.
  gateway:     $GATEWAY
  token:       $COUNTERFACT_TOKEN   (analyst: read and write; viewer token: $COUNTERFACT_VIEWER_TOKEN)
  try:         curl -H "Authorization: Bearer $COUNTERFACT_TOKEN" $GATEWAY/api/views/datasets
  logs:        $LOGS
Ctrl-C stops everything.
MSG
# The supervisors run until Ctrl-C; PostgreSQL and Kafka are not restarted here: if they die, say so and stop.
wait "$STACK_PID" 2>/dev/null || true
echo "PostgreSQL/Kafka stopped (see $LOGS/infra.log)" >&2
exit 1

#!/usr/bin/env bash
# Benchmark (not a test): ingests a CSV through the gateway of a running ./run.sh, seals it as a version, waits
# until query-service's catalog and estimation-service's replica hold it with the same row count and checksum,
# and compares the upload with `psql \copy` of the same file into a plain table on the same PostgreSQL.
#
# Usage: scripts/bench-ingest.sh [file.csv]
#   default file: the 1,000,000 x 22 synthetic CSV of ../shared/datasets/scripts/gen_synth.py --csv,
#   generated into .work/synth/ if missing (needs python3 with numpy).
set -euo pipefail
cd "$(dirname "$0")/.."
GATEWAY=${GATEWAY:-http://localhost:8080}
TOKEN=${COUNTERFACT_TOKEN:-dev-token}
PG_PORT=${COUNTERFACT_PG_PORT:-54329}
CSV=${1:-}
if [ -z "$CSV" ]; then
  CSV=.work/synth/obs.csv
  if [ ! -f "$CSV" ]; then
    echo "generating $CSV (1,000,000 rows x 22 columns)..."
    python3 ../shared/datasets/scripts/gen_synth.py .work/synth --csv > /dev/null
  fi
fi
curl -sf "$GATEWAY/q/health/ready" > /dev/null || { echo "start ./run.sh first" >&2; exit 1; }
header=$(head -1 "$CSV")
rows=$(( $(wc -l < "$CSV") - 1 ))
size_mb=$(( $(stat -c %s "$CSV") / 1024 / 1024 ))
columns=$(tr ',' '\n' <<< "$header" | sed 's/.*/{"name": "&", "type": "numeric"}/' | paste -sd, -)
auth=(-H "Authorization: Bearer $TOKEN")
now() { date +%s.%N; }

id=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$GATEWAY/api/datasets" \
  -d "{\"name\": \"bench $(date +%H:%M:%S)\", \"columns\": [$columns]}" | sed -E 's/.*"id":"([^"]+)".*/\1/')
ingestion_pid=$(pgrep -f 'ingestion-service/target/quarkus-app/quarkus-run.jar' | head -1)

# sample the ingestion JVM's used heap while the upload runs (jstat: survivor + eden + old, KB)
heap_log=$(mktemp)
( while kill -0 "$ingestion_pid" 2>/dev/null; do
    jstat -gc "$ingestion_pid" | awk 'NR==2 {printf "%d\n", $3+$4+$6+$8}'
    sleep 0.2
  done ) > "$heap_log" 2>/dev/null &
sampler=$!

echo "uploading $CSV ($rows rows, $size_mb MB) to dataset $id through the gateway..."
t0=$(now)
curl -sf "${auth[@]}" -H 'Content-Type: text/csv' -X POST -T "$CSV" "$GATEWAY/api/datasets/$id/rows" > /dev/null
t1=$(now)
sealed=$(curl -sf "${auth[@]}" -X POST "$GATEWAY/api/datasets/$id/versions")
t2=$(now)
kill "$sampler" 2>/dev/null || true
checksum=$(sed -E 's/.*"checksum":"([^"]+)".*/\1/' <<< "$sealed")
peak_heap_mb=$(( $(sort -n "$heap_log" | tail -1) / 1024 ))
peak_rss_mb=$(( $(awk '/VmHWM/ {print $2}' "/proc/$ingestion_pid/status") / 1024 ))

for _ in $(seq 1 600); do
  view=$(curl -sf "${auth[@]}" "$GATEWAY/api/views/datasets/$id" || true)
  grep -q "$checksum" <<< "$view" && break
  sleep 0.5
done
t3=$(now)
grep -q "$checksum" <<< "$view" || { echo "query view never showed the version" >&2; exit 1; }
internal=$(scripts/internal-token.sh viewer)
for _ in $(seq 1 1200); do
  replica=$(curl -sf -H "Authorization: Bearer $internal" "http://localhost:8082/api/replica/datasets/$id/versions/1" || true)
  grep -q '"status":"READY"' <<< "$replica" && break
  sleep 0.5
done
t4=$(now)
grep -q "\"checksum\":\"$checksum\"" <<< "$replica" && grep -q "\"rows\":$rows" <<< "$replica" \
  || { echo "replica does not match: $replica" >&2; exit 1; }

echo "psql \\copy of the same file into a plain table..."
cols_sql=$(tr ',' '\n' <<< "$header" | sed 's/.*/"&" double precision/' | paste -sd, -)
export PGPASSWORD=postgres
psql -q -h localhost -p "$PG_PORT" -U postgres -d ingestion -c "DROP TABLE IF EXISTS bench_copy; CREATE UNLOGGED TABLE bench_copy ($cols_sql)"
c0=$(now)
psql -q -h localhost -p "$PG_PORT" -U postgres -d ingestion -c "\\copy bench_copy FROM '$CSV' WITH (FORMAT csv, HEADER true)"
c1=$(now)
psql -q -h localhost -p "$PG_PORT" -U postgres -d ingestion -c "DROP TABLE bench_copy"

awk -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v t4="$t4" -v c0="$c0" -v c1="$c1" -v rows="$rows" \
    -v mb="$size_mb" -v heap="$peak_heap_mb" -v rss="$peak_rss_mb" -v sum="$checksum" 'BEGIN {
  up = t1 - t0; seal = t2 - t1; view = t3 - t2; rep = t4 - t2; copy = c1 - c0
  printf "\nrows %d, %d MB CSV, checksum %s\n", rows, mb, sum
  printf "upload through the gateway (parse, validate, store)  %7.1f s  (%.0f rows/s, %.0f MB/s)\n", up, rows/up, mb/up
  printf "seal (checksum, outbox)                               %7.2f s\n", seal
  printf "sealed -> query-service catalog shows it               %7.1f s\n", view
  printf "sealed -> estimation replica READY (checksum verified) %7.1f s\n", rep
  printf "psql \\copy into a plain table                         %7.1f s\n", copy
  printf "ratio upload / \\copy                                  %7.2f\n", up/copy
  printf "ingestion-service peak heap used %d MB, peak RSS %d MB\n", heap, rss
}'
rm -f "$heap_log"

#!/usr/bin/env bash
# The issue's end-to-end acceptance, runnable against a suite started by ./run.sh: through the gateway, run an AIPW
# ATE on the NSW demo dataset, poll GET /api/estimations/{id} until SUCCEEDED (answered by query-service's view) and
# compare the estimate and its SE with R's reference in ../shared/datasets/lalonde_nsw_exp_ref_R.json (1e-6 relative).
# Usage: scripts/e2e-nsw-aipw.sh [GATEWAY_URL] (default http://localhost:8080; key: COUNTERFACT_TOKEN or dev-token)
set -euo pipefail
cd "$(dirname "$0")/.."
GW=${1:-http://localhost:8080}
AUTH="Authorization: Bearer ${COUNTERFACT_TOKEN:-dev-token}"
REF=${REF:-../shared/datasets/lalonde_nsw_exp_ref_R.json}

ds=$(curl -sf -H "$AUTH" "$GW/api/views/datasets?limit=500" | python3 -c '
import json, sys
items = [i for i in json.load(sys.stdin)["items"] if i["name"].startswith("NSW")]
print(items[0]["id"] if items else "")')
[ -n "$ds" ] || { echo "no NSW dataset in the catalog: start the suite with ./run.sh" >&2; exit 1; }

start=$(date +%s%N)
headers=$(mktemp)
trap 'rm -f "$headers"' EXIT
body=$(curl -sf -D "$headers" -H "$AUTH" -H 'Content-Type: application/json' "$GW/api/estimations" -d "{
  \"datasetId\": \"$ds\", \"version\": 1, \"method\": \"aipw\", \"estimand\": \"ATE\", \"treatment\": \"treat\",
  \"outcome\": \"re78\", \"covariates\": [\"age\", \"educ\", \"black\", \"hispan\", \"married\", \"nodegree\", \"re74\", \"re75\"]}")
location=$(grep -i '^location:' "$headers" | tr -d '\r' | awk '{print $2}')
echo "POST /api/estimations -> $(head -1 "$headers" | tr -d '\r'), Location: $location, $body"
case "$location" in http*) url=$location ;; *) url=$GW$location ;; esac

for _ in $(seq 1 600); do
  view=$(curl -sf -D "$headers" -H "$AUTH" "$url")
  status=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["status"])' "$view")
  source=$(grep -i '^x-counterfact-source:' "$headers" | tr -d '\r' | awk '{print $2}' || true)
  echo "$(( ($(date +%s%N) - start) / 1000000 )) ms: $status (answered by ${source:-query-service})"
  case "$status" in SUCCEEDED|FAILED) break ;; esac
  sleep 0.1
done
[ "$status" = SUCCEEDED ] || { echo "estimation ended $status: $view" >&2; exit 1; }
[ -z "$source" ] || { echo "the final answer came from $source, not from the view" >&2; exit 1; }

python3 - "$view" "$REF" <<'PY'
import json, os, sys
view = json.loads(sys.argv[1])
r = view["result"]
print(f"estimate {r['estimate']!r}, stdError {r['stdError']!r}, n {r['n']}, progress {view['progress']}")
if not os.path.exists(sys.argv[2]):
    print(f"no reference at {sys.argv[2]}: not compared")
    sys.exit(0)
ref = json.load(open(sys.argv[2]))["aipw"]
for name, got, want in [("ATE", r["estimate"], ref["ate"]), ("SE", r["stdError"], ref["se_if"])]:
    rel = abs(got - want) / abs(want)
    print(f"{name}: {got!r} vs R {want!r}: relative difference {rel:.1e}")
    if rel > 1e-6:
        sys.exit(f"{name} differs from R's reference by more than 1e-6")
PY

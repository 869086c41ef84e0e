#!/usr/bin/env bash
# Mints the gateway's internal token (see common/.../auth/InternalToken.java) for operator tools that call a
# service directly, e.g. estimation-service's replica API. Usage: scripts/internal-token.sh [role] [ttl-seconds]
# Reads COUNTERFACT_INTERNAL_SECRET from the environment or from .work/run.env (written by ./run.sh, mode 600).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${COUNTERFACT_INTERNAL_SECRET:-}" ] && [ -f .work/run.env ]; then
  # shellcheck disable=SC1091
  source .work/run.env
fi
: "${COUNTERFACT_INTERNAL_SECRET:?set COUNTERFACT_INTERNAL_SECRET or start ./run.sh}"
role=${1:-analyst}
exp=$(( $(date +%s) + ${2:-300} ))
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
claims=$(printf '{"sub":"operator","role":"%s","exp":%d}' "$role" "$exp" | b64url)
body="cf1.$claims"
mac=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$COUNTERFACT_INTERNAL_SECRET" -binary | b64url)
printf '%s.%s\n' "$body" "$mac"

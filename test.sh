#!/usr/bin/env bash
# Runs every test of the project: the Maven build (unit tests of the engine and common code, the services'
# integration tests against a real PostgreSQL and a real Kafka broker that the tests start themselves, the
# Kubernetes manifest checks) and the offline Terraform checks. Exits non-zero if anything fails.
set -uo pipefail
cd "$(dirname "$0")"
status=0
./mvnw -B --fail-at-end verify "$@" || status=1
bash terraform/test.sh || status=1
if [ "$status" -eq 0 ]; then echo "ALL TESTS PASSED"; else echo "SOME TESTS FAILED" >&2; fi
exit "$status"

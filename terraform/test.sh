#!/usr/bin/env bash
# Offline checks of every Terraform module and environment under terraform/:
#   terraform fmt -check -recursive, terraform init -backend=false -plugin-dir=<local mirror>,
#   terraform validate, terraform test (mock_provider "aws": no AWS account, no network).
# Prints one summary line per directory and exits non-zero if anything failed.
#
# Usage: terraform/test.sh [dir ...]      (default: every modules/* and environments/*)
# Env:   TF_PLUGIN_DIR  the local provider directory (the one holding registry.terraform.io/);
#                       found automatically when unset.
#        JOBS=2         check two directories at a time (default 1).
#        KEEP_LOGS=1    keep the per-directory logs (their path is printed).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

die() { echo "test.sh: $*" >&2; exit 2; }

command -v terraform >/dev/null 2>&1 || die "terraform is not on the PATH (Terraform >= 1.11 is required)"

# --- the AWS provider from the machine's local plugin directory ---------------------------
find_plugin_dir() {
  local d hit
  if [ -n "${TF_PLUGIN_DIR:-}" ]; then
    echo "$TF_PLUGIN_DIR"
    return
  fi
  for d in /opt/tf-plugins "$HOME/.terraform.d/plugins" "$HOME/.local/share/terraform/plugins" \
    /usr/local/share/terraform/plugins /usr/share/terraform/plugins; do
    if [ -d "$d/registry.terraform.io/hashicorp/aws" ]; then
      echo "$d"
      return
    fi
  done
  # Slow path: search the whole machine (about 20 s).
  hit="$(find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o \
    -name 'terraform-provider-aws*' -path '*/registry.terraform.io/hashicorp/aws/*' -print -quit 2>/dev/null)"
  [ -n "$hit" ] && echo "${hit%%/registry.terraform.io/*}"
}

plugin_dir="$(find_plugin_dir)"
if [ -n "${TF_PLUGIN_DIR:-}" ] && [ ! -d "$plugin_dir/registry.terraform.io/hashicorp/aws" ]; then
  die "TF_PLUGIN_DIR=$TF_PLUGIN_DIR has no registry.terraform.io/hashicorp/aws in it"
fi
[ -n "$plugin_dir" ] || die "no local terraform-provider-aws found (looked in the usual plugin directories and with
  find / -name 'terraform-provider-aws*'). Set TF_PLUGIN_DIR to the directory that contains
  registry.terraform.io/hashicorp/aws/<version>/<os_arch>/terraform-provider-aws_*"
provider_versions="$(ls "$plugin_dir/registry.terraform.io/hashicorp/aws" | tr '\n' ' ')"

# --- an isolated, offline Terraform ---------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/cf-terraform-test.XXXXXX")"
created_locks=()
cleanup() {
  local f
  for f in "${created_locks[@]}"; do rm -f "$f"; done
  if [ "${KEEP_LOGS:-0}" = 1 ]; then
    rm -rf "$work"/data
    echo "logs: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

: >"$work/terraformrc"                      # ignore the user's CLI config (mirrors, caches)
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
unset TF_WORKSPACE TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_test TF_CLI_ARGS_validate

if [ "$#" -gt 0 ]; then
  dirs=("$@")
else
  dirs=()
  for d in modules/*/ environments/*/; do dirs+=("${d%/}"); done
fi

echo "terraform $(terraform version | head -1 | sed 's/^Terraform v//'), hashicorp/aws ${provider_versions}from $plugin_dir"

failed=0
total_start=$SECONDS

# Every file under terraform/, including the shared mocks, is canonically formatted.
if out="$(terraform fmt -check -recursive -no-color . 2>&1)"; then
  printf '%-5s %-26s %s\n' PASS "terraform/ (fmt, all files)" "ok"
else
  printf '%-5s %-26s %s\n' FAIL "terraform/ (fmt, all files)" "unformatted: $(echo "$out" | tr '\n' ' ')"
  failed=$((failed + 1))
fi

check_dir() {                                # check_dir <dir>: writes <name>.summary, fails on failure
  local dir="$1" name log start status detail
  start=$SECONDS
  name="$(echo "$dir" | tr '/' '_')"
  log="$work/$name.log"
  export TF_DATA_DIR="$work/data/$name"      # keeps .terraform/ out of the tree
  status=PASS
  detail=""
  step() {                                   # step <label> <terraform args...>
    local label="$1"
    shift
    echo "\$ terraform $*" >>"$log"
    if ! (cd "$dir" && terraform "$@") >>"$log" 2>&1; then
      status=FAIL
      detail="$detail $label FAILED"
      return 1
    fi
    detail="$detail $label ok"
  }

  step fmt fmt -check -recursive -no-color &&
    step init init -backend=false -plugin-dir="$plugin_dir" -input=false -no-color &&
    step validate validate -no-color &&
    if ls "$dir"/tests/*.tftest.hcl >/dev/null 2>&1; then
      if step test test -no-color; then
        detail="${detail% ok} $(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)"
      fi
    else
      status=FAIL
      detail="$detail test MISSING (no tests/*.tftest.hcl)"
    fi

  {
    printf '%-5s %-26s%s (%ss)\n' "$status" "$dir" "$detail" "$((SECONDS - start))"
    if [ "$status" = FAIL ]; then
      sed 's/^/      | /' "$log" | grep -v '^      | *$' | tail -40
    fi
  } >"$work/$name.summary"
  [ "$status" = PASS ]
}

for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || die "no such directory: $dir"
  [ -e "$dir/.terraform.lock.hcl" ] || created_locks+=("$root/$dir/.terraform.lock.hcl")
done

# JOBS directories at a time (default 1: the checks are CPU-bound and the machine is shared).
jobs_max="${JOBS:-1}"
for dir in "${dirs[@]}"; do
  if [ "$jobs_max" -le 1 ]; then
    check_dir "$dir"
    cat "$work/$(echo "$dir" | tr '/' '_').summary"
  else
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
    check_dir "$dir" &
  fi
done
wait
if [ "$jobs_max" -gt 1 ]; then
  for dir in "${dirs[@]}"; do cat "$work/$(echo "$dir" | tr '/' '_').summary"; done
fi
for dir in "${dirs[@]}"; do
  summary="$work/$(echo "$dir" | tr '/' '_').summary"
  if [ ! -f "$summary" ] || grep -q '^FAIL' "$summary"; then failed=$((failed + 1)); fi
done

echo "---"
if [ "$failed" -eq 0 ]; then
  echo "all ${#dirs[@]} directories passed in $((SECONDS - total_start))s"
else
  echo "$failed check(s) FAILED in $((SECONDS - total_start))s"
  exit 1
fi

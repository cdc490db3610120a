#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a bounded time each (FUZZ_TIME, default 20s), one at a time
# (go test -fuzz takes one target per run). New Fuzz* functions are picked up without editing this script; finding
# none fails.
#
# Each new interesting input is minimized for at most FUZZ_MINIMIZE_TIME (default 1s). Go's default, 60s, is
# longer than the whole run: with an empty corpus cache (a cold machine) a worker spent a target's 20 s
# minimizing its first find, reporting 8 executions; with 1s the same target ran about 80,000 inputs and kept
# about 90 new ones.
#
# Go 1.26's fuzz coordinator can report a bare "context deadline exceeded" when -fuzztime expires while a
# worker is mid-call on a loaded machine (golang/go#75804, fixed in Go 1.27): no input fails and none is
# written. Such a run is retried once; anything else (a written failing input, a panic, a second deadline
# report) fails.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_time=${FUZZ_TIME:-20s}
minimize_time=${FUZZ_MINIMIZE_TIME:-1s}
found=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run_target fuzzes one target; returns 0 on a pass, 2 on the coordinator's deadline report alone, 1 otherwise.
run_target() {
  local pkg=$1 target=$2
  if go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzz_time" -fuzzminimizetime "$minimize_time" 2>&1 | tee "$log"; then
    return 0
  fi
  if grep -q 'context deadline exceeded' "$log" && ! grep -qE 'Failing input written|panic:' "$log"; then
    return 2
  fi
  return 1
}

while IFS= read -r file; do
  pkg=./$(dirname "$file")
  while IFS= read -r target; do
    found=$((found + 1))
    echo "fuzz: $pkg $target ($fuzz_time)"
    status=0
    run_target "$pkg" "$target" || status=$?
    if [ "$status" -eq 2 ]; then
      echo "fuzz: $target: the fuzz coordinator's deadline report without a failing input (golang/go#75804); retrying once"
      status=0
      run_target "$pkg" "$target" || status=$?
    fi
    if [ "$status" -ne 0 ]; then
      echo "fuzz: $pkg $target failed"
      exit 1
    fi
  done < <(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/')
done < <(git ls-files '*_test.go' | xargs -r grep -l '^func Fuzz' || true)
# Finding nothing is a failure, not a pass: a moved file, a renamed target or a broken search would otherwise
# turn the fuzzing gate green while it fuzzes nothing.
if [ "$found" -eq 0 ]; then
  echo "fuzz: no Fuzz* targets found in the module's tracked *_test.go files" >&2
  exit 1
fi
echo "fuzz: $found targets, no failures"

#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a bounded time each (FUZZ_TIME, default 20s), one at a time
# (go test -fuzz takes one target per run). New Fuzz* functions are picked up without editing this script.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_time=${FUZZ_TIME:-20s}
found=0
while IFS= read -r file; do
  pkg=./$(dirname "$file")
  while IFS= read -r target; do
    found=$((found + 1))
    echo "fuzz: $pkg $target ($fuzz_time)"
    go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzz_time"
  done < <(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/')
done < <(git ls-files '*_test.go' | xargs -r grep -l '^func Fuzz' || true)
echo "fuzz: $found targets, no failures"

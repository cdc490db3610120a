#!/usr/bin/env bash
# Checks hack/fuzz.sh's verdicts on fuzz output: only the Go coordinator's bare deadline report is retried.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
args=$(mktemp) # the fake go's arguments (it runs in a pipeline's subshell)
trap 'rm -f "$log" "$args"' EXIT
fuzz_time=1s
minimize_time=1s
eval "$(sed -n '/^run_target() {/,/^}/p' hack/fuzz.sh)"
failed=0
expect() { # expect NAME WANT OUTPUT EXIT
  local name=$1 want=$2
  FAKE_OUT=$3 FAKE_EXIT=$4
  got=0
  run_target ./pkg FuzzTarget >/dev/null || got=$?
  if [ "$got" -ne "$want" ]; then
    echo "fuzz classify: $name: got $got, want $want"
    failed=1
  fi
}
go() { printf '%s\n' "$*" >"$args"; printf '%s\n' "$FAKE_OUT"; return "$FAKE_EXIT"; }
expect "pass" 0 $'PASS' 0
expect "deadline report alone is retried" 2 $'--- FAIL: FuzzTarget (20.1s)\n    context deadline exceeded\nFAIL' 1
expect "a written failing input fails" 1 $'    Failing input written to testdata/fuzz/FuzzTarget/ab\n    context deadline exceeded' 1
expect "a panic fails" 1 $'panic: boom\n    context deadline exceeded' 1
expect "another failure fails" 1 $'--- FAIL: FuzzTarget\n    x_test.go:10: wrong' 1
# Minimizing is bounded, so a cold corpus cache does not spend the whole run minimizing its first find.
case " $(cat "$args") " in
  *" -fuzztime 1s -fuzzminimizetime 1s "*) ;;
  *) echo "fuzz classify: go test was called without the bounded minimize time: $(cat "$args")"; failed=1 ;;
esac
[ "$failed" -eq 0 ] && echo "fuzz classify: ok"
exit "$failed"

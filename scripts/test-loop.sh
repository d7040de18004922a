#!/usr/bin/env bash
# Runs the test suite N times in a row (default 20) and reports how many runs passed. The log of every
# failed run is kept in $LOG_DIR (default: a fresh directory under /tmp), with the failing tests listed.
#
#   scripts/test-loop.sh 20
#   TEST_CMD="npx vitest run" scripts/test-loop.sh 5    # skip the typecheck and lint of npm test
set -u
rounds="${1:-20}"
cmd="${TEST_CMD:-npm test}"
log_dir="${LOG_DIR:-$(mktemp -d /tmp/test-loop.XXXXXX)}"
mkdir -p "$log_dir"
cd "$(dirname "$0")/.."

passed=0
failed=0
for ((i = 1; i <= rounds; i++)); do
  start=$(date +%s)
  log="$log_dir/run-$i.log"
  if $cmd >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "run $i/$rounds: pass ($(($(date +%s) - start)) s)"
    rm -f "$log"
  else
    failed=$((failed + 1))
    echo "run $i/$rounds: FAIL ($(($(date +%s) - start)) s), log: $log"
    grep -E '^ *(×|FAIL) ' "$log" | sed 's/^/    /' | head -20
  fi
done
echo "test-loop: $passed/$rounds passed, $failed failed ($cmd)"
[ "$failed" -eq 0 ]

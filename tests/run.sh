#!/bin/bash
# Run every test suite and add their counts up.  Each suite prints its own
# "N passed, N failed[, N skipped]" as its last such line.
# Usage: tests/run.sh [SUITE-NAME-SUBSTRING]
cd "$(dirname "$0")/.." || exit 1
export SURF_ROOT=$PWD
passed=0 failed=0 skipped=0 broken=""
mkdir -p build/test-logs

run_suite() {
	local name=$1; shift
	[ -n "$FILTER" ] && [[ "$name" != *"$FILTER"* ]] && return
	local log=build/test-logs/$name.log
	echo "=== $name"
	"$@" 2>&1 | tee "$log" | grep -Ev '^(ok |ok$)' | grep -v '^  ok ' || true
	local rc=${PIPESTATUS[0]}
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ -z "$line" ]; then
		echo "suite $name printed no result (exit $rc)"
		failed=$((failed + 1)); broken="$broken $name"
		return
	fi
	local p f s
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
	if [ "$f" != 0 ] || { [ "$rc" != 0 ] && [ "$f" = 0 ]; }; then
		[ "$f" = 0 ] && failed=$((failed + 1))
		broken="$broken $name"
	fi
}

FILTER=$1
run_suite unit build/unit-tests
for t in tests/cli/test_*.sh; do
	run_suite "$(basename "$t" .sh)" bash "$t"
done
for t in tests/conformance/test_*.sh; do
	[ -e "$t" ] && run_suite "$(basename "$t" .sh)" bash "$t"
done
for t in tests/stress/test_*.sh; do [ -e "$t" ] && run_suite "$(basename "$t" .sh)" bash "$t"; done
run_suite chains bash tests/chains/check_chains.sh
run_suite fuzz bash tests/fuzz/run.sh "${FUZZ_SECONDS:-20}"
run_suite vm bash scripts/vm/run.sh

[ -n "$broken" ] && echo "failing suites:$broken"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]

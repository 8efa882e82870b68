#!/bin/bash
# Throughput: a program makes N getppid calls (default 1,000,000) while a
# tracer streams every sys_enter_getppid event to /dev/null.  For surftrace
# (text and --json), perf record + perf script, and bpftrace printf, in the
# same run: events delivered, events lost, wall time from start to the last
# event written, and the ratio to perf's wall time.
# Usage: bench/throughput.sh [N]
cd "$(dirname "$0")/.." || exit 1
N=${1:-1000000}
B=build
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
make -s $B/surftrace >/dev/null || exit 1
gcc -O2 -o $B/getppid_loop bench/getppid_loop.c || exit 1
LOOP="$PWD/$B/getppid_loop $N"

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
row() { printf '%-26s %10s %10s %9s %8s\n' "$@"; }

start=$(date +%s%N); $LOOP; alone=$(ms $start)
echo "workload: $N getppid calls, alone $alone ms"
row tracer delivered lost "wall ms" "vs perf"

declare -A WALL DELIV LOST
run_surftrace() { # name extra-args
	local start; start=$(date +%s%N)
	$B/surftrace $2 -c "$LOOP" 'e syscalls/sys_enter_getppid' >/dev/null 2>"$TMP/st.err"
	WALL[$1]=$(ms $start)
	DELIV[$1]=$(sed -nE 's/.*: ([0-9]+) events, ([0-9]+) lost.*/\1/p' "$TMP/st.err")
	LOST[$1]=$(sed -nE 's/.*: ([0-9]+) events, ([0-9]+) lost.*/\2/p' "$TMP/st.err")
}
run_surftrace surftrace ""
run_surftrace "surftrace --json" "--json"

if command -v perf >/dev/null; then
	start=$(date +%s%N)
	perf record -q -e syscalls:sys_enter_getppid -o "$TMP/perf.data" -- $LOOP >/dev/null 2>&1
	perf script -i "$TMP/perf.data" >/dev/null 2>&1
	WALL[perf]=$(ms $start)
	stats=$(perf report -i "$TMP/perf.data" --stats 2>/dev/null)
	DELIV[perf]=$(awk '/SAMPLE events:/ {print $3; exit}' <<<"$stats")
	LOST[perf]=$(awk '/LOST_SAMPLES events:/ {l+=$3} /^ *LOST events:/ {l+=0} END {print l+0}' <<<"$stats")
fi
if command -v bpftrace >/dev/null; then
	start=$(date +%s%N)
	bpftrace -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { printf("%d\n", pid); }' \
		-c "$LOOP" >"$TMP/bt.out" 2>&1
	WALL[bpftrace]=$(ms $start)
	DELIV[bpftrace]=$(grep -cE '^[0-9]+$' "$TMP/bt.out")
	LOST[bpftrace]=$(sed -nE 's/.*Lost ([0-9]+) events.*/\1/p' "$TMP/bt.out" | awk '{s+=$1} END {print s+0}')
fi

fail=0
for t in surftrace "surftrace --json" perf bpftrace; do
	[ -n "${WALL[$t]}" ] || { row "$t" - - - "skipped (not installed)"; continue; }
	ratio=-
	[ -n "${WALL[perf]}" ] && ratio=$(awk -v a="${WALL[$t]}" -v b="${WALL[perf]}" 'BEGIN {printf "%.2fx", a / b}')
	row "$t" "${DELIV[$t]:-?}" "${LOST[$t]:-?}" "${WALL[$t]}" "$ratio"
done
for t in surftrace "surftrace --json"; do
	if [ "${LOST[$t]}" != 0 ]; then echo "FAIL: $t lost ${LOST[$t]} events"; fail=1; fi
	if [ -n "${WALL[perf]}" ] && [ "${WALL[$t]}" -ge "${WALL[perf]}" ]; then
		echo "FAIL: $t is not faster than perf"; fail=1
	fi
done
[ $fail = 0 ] && echo "PASS: surftrace lost nothing and beat perf record + perf script"
exit $fail

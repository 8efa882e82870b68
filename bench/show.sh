#!/bin/sh
# How fast and how small is `surftrace -S` (compile expressions, show the kernel
# definitions, exit) next to bpftrace starting an equivalent program?
#
#   bench/show.sh            (or: make bench)
#
# surftrace: wall time of the whole process (fork/exec included), median of
# RUNS_S (20) runs, and peak RSS (/usr/bin/time -f %M, median of 3 runs).
# bpftrace: the same for a program with the equivalent tracepoints (kprobes do
# not attach on every kernel) and BEGIN { exit(); }: parse, load, attach, exit;
# median of RUNS_B (5) runs.  Targets (issue 14): wall < 20 ms and under
# 1/20 of bpftrace's, peak RSS < 12 MiB; the script exits 1 when one fails.  bpftrace missing or failing
# is reported and does not fail the benchmark.
set -u

cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
SURF=$BUILD/surftrace
RUNS_S=${RUNS_S:-20}
RUNS_B=${RUNS_B:-5}
TARGET_MS=20
TARGET_KB=$((12 * 1024))

# The expressions compiled by surftrace, and bpftrace's equivalent program.
# shellcheck disable=SC2016
set -- \
	'p wake_up_new_task comm=%0->comm f:comm=="bash"' \
	'r do_filp_open pos=$retval->f_pos' \
	'p do_filp_open dfd=X%0 name=%1->name'
BPF_PROG='tracepoint:sched:sched_process_fork /str(args->parent_comm) == "bash"/ { printf("%s\n", str(args->parent_comm)); }
tracepoint:syscalls:sys_exit_openat { printf("%d\n", args->ret); }
tracepoint:syscalls:sys_enter_openat { printf("%x %s\n", args->dfd, str(args->filename)); }
BEGIN { exit(); }'

[ -x "$SURF" ] || { echo "bench: $SURF is missing: run make first" >&2; exit 1; }

# Leave tracefs as found: surftrace or this script may mount it.
tracefs_mounted() { awk '$3 == "tracefs" { f = 1 } END { exit !f }' /proc/self/mounts; }
tracefs_before=0
tracefs_mounted && tracefs_before=1
cleanup() {
	if [ "$tracefs_before" = 0 ] && tracefs_mounted; then
		umount /sys/kernel/tracing 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A tiny runner: fork/exec the command N times (output to /dev/null) and print,
# per run, the wall time in microseconds and the child's peak RSS in KiB.
RUNNER=$BUILD/bench-run
if [ ! -x "$RUNNER" ] || [ bench/runner.c -nt "$RUNNER" ]; then
	if command -v cc >/dev/null 2>&1; then
		mkdir -p "$BUILD"
		cc -O2 -Wall -o "$RUNNER" bench/runner.c || RUNNER=
	else
		RUNNER=
	fi
fi

# run N CMD...: the per-run "us kib" lines on stdout; non-zero if a run failed.
run() {
	n=$1
	shift
	if [ -n "$RUNNER" ]; then
		"$RUNNER" "$n" "$@"
		return
	fi
	i=0
	while [ "$i" -lt "$n" ]; do
		t0=$(date +%s%N)
		"$@" </dev/null >/dev/null 2>&1 || return 1
		t1=$(date +%s%N)
		echo "$(((t1 - t0) / 1000)) 0"
		i=$((i + 1))
	done
}

# median of the numbers on stdin
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1;
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# peak_rss CMD...: median over 3 runs of /usr/bin/time's %M (KiB)
peak_rss() {
	if [ -x /usr/bin/time ]; then
		for i in 1 2 3; do
			/usr/bin/time -f '%M' -o "$BUILD/bench-rss" "$@" </dev/null >/dev/null 2>&1 || return 1
			tail -n 1 "$BUILD/bench-rss"
		done | median
	else
		run 3 "$@" | awk '{ print $2 }' | median
	fi
}

# --- surftrace -------------------------------------------------------------
# Check the expressions compile (and warm the page cache).
if ! out=$("$SURF" -S "$@" 2>&1); then
	echo "bench: '$SURF -S' failed on the benchmark expressions:" >&2
	echo "$out" >&2
	exit 1
fi
echo "bench: surftrace -S output:"
echo "$out" | sed 's/^/  /'

s_runs=$(run "$RUNS_S" "$SURF" -S "$@") || { echo "bench: surftrace run failed" >&2; exit 1; }
s_us=$(echo "$s_runs" | awk '{ print $1 }' | median)
s_kb=$(peak_rss "$SURF" -S "$@") || { echo "bench: surftrace run failed" >&2; exit 1; }

# --- bpftrace --------------------------------------------------------------
b_us='' b_kb='' b_note=''
if ! command -v bpftrace >/dev/null 2>&1; then
	b_note="bpftrace not installed"
else
	# bpftrace reads tracepoint formats from tracefs; mount it for the run if needed.
	if [ ! -d /sys/kernel/tracing/events ] && [ ! -d /sys/kernel/debug/tracing/events ]; then
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	fi
	if ! bout=$(bpftrace -e "$BPF_PROG" </dev/null 2>&1); then
		b_note="bpftrace failed: $(echo "$bout" | grep -v RLIMIT_MEMLOCK | head -n 3 | tr '\n' ' ')"
	elif b_runs=$(run "$RUNS_B" bpftrace -e "$BPF_PROG"); then
		b_us=$(echo "$b_runs" | awk '{ print $1 }' | median)
		b_kb=$(peak_rss bpftrace -e "$BPF_PROG") || b_kb=
	else
		b_note="bpftrace run failed"
	fi
fi

# --- report ----------------------------------------------------------------
ms() { awk -v u="$1" 'BEGIN { printf "%.1f ms", u / 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

echo
printf '%-34s %14s %12s\n' "" "wall (median)" "peak RSS"
printf '%-34s %14s %12s\n' "surftrace -S, 3 expressions" "$(ms "$s_us")" "$(mib "$s_kb")"
if [ -n "$b_us" ]; then
	printf '%-34s %14s %12s\n' "bpftrace, 3 tracepoints + exit" "$(ms "$b_us")" \
		"$([ -n "$b_kb" ] && mib "$b_kb" || echo "?")"
	printf '%-34s %14s %12s\n' "ratio bpftrace / surftrace" \
		"$(awk -v b="$b_us" -v s="$s_us" 'BEGIN { printf "%.1fx", b / s }')" \
		"$([ -n "$b_kb" ] && awk -v b="$b_kb" -v s="$s_kb" 'BEGIN { printf "%.1fx", b / s }' || echo "?")"
else
	echo "bpftrace: not measured ($b_note)"
fi
echo "(surftrace: $RUNS_S runs, bpftrace: $RUNS_B runs; RSS: median of 3)"
echo

status=0
if awk -v u="$s_us" -v t="$TARGET_MS" 'BEGIN { exit !(u < t * 1000) }'; then
	echo "PASS: surftrace wall $(ms "$s_us") < $TARGET_MS ms"
else
	echo "FAIL: surftrace wall $(ms "$s_us") >= $TARGET_MS ms"
	status=1
fi
if [ "$s_kb" -lt "$TARGET_KB" ]; then
	echo "PASS: surftrace peak RSS $(mib "$s_kb") < $((TARGET_KB / 1024)) MiB"
else
	echo "FAIL: surftrace peak RSS $(mib "$s_kb") >= $((TARGET_KB / 1024)) MiB"
	status=1
fi
if [ -n "$b_us" ]; then
	if awk -v b="$b_us" -v s="$s_us" 'BEGIN { exit !(s * 20 < b) }'; then
		echo "PASS: surftrace wall under 1/20 of bpftrace's"
	else
		echo "FAIL: surftrace wall not under 1/20 of bpftrace's"
		status=1
	fi
fi
exit $status

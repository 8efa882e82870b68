#!/bin/bash
# In-kernel aggregation (a:, issue 15) next to bpftrace, in one run:
#
#   bench/agg.sh                 (after make; AGG_N=1000000 for a shorter run)
#
# Three workloads of bench/agg_work.c, all under the comm "aggbench":
#   getppid  AGG_N (default 10,000,000) getppid calls, counted by comm;
#   read     AGG_N/10 reads from /dev/zero of 8 known sizes in turn, a
#            power-of-two histogram of the size by comm;
#   latency  AGG_LAT_N (default 500,000) calls of libc's getppid(), a
#            histogram of the nanoseconds from its entry to its return, by
#            comm (a uprobe and a uretprobe per call; a short function, so
#            that the probes' cost is not lost in the function's own time).
# Rows: surftrace, bpftrace (the same question in its language), the workload
# alone, and (tracepoints) the workload with the tracepoint enabled in tracefs
# and no program: the kernel's own cost of the event.  Columns:
#   start->attached  exec until the tool says it is attached: surftrace's
#                    "aggregating in the kernel" line (printed after its
#                    perf events are enabled), bpftrace's
#                    __BPFTRACE_NOTIFY_PROBES_ATTACHED (printed after it
#                    attached every probe; "Attaching N probes" comes before);
#                    median of AGG_STARTS (default 7) starts of each, alternating;
#   peak RSS         the tool's ru_maxrss over the whole measured run;
#   ns/event         (workload time with the tool - alone) / events;
#   exact            the printed numbers against the workload's known ones.
# bench/agg_run.c runs each: tool, marker, workload, SIGINT, output.
# Then one line per target of issue 15: met or not, with the figures.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
ST=$BUILD/surftrace
N=${AGG_N:-10000000}
RN=$(( (N / 10 + 7) / 8 * 8 ))
LN=${AGG_LAT_N:-500000}
STARTS=${AGG_STARTS:-7}
TFS=/sys/kernel/tracing

[ -x "$ST" ] || { echo "bench: $ST is missing: run make first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root to load BPF programs" >&2; exit 1; }
mkdir -p "$BUILD/bench-agg"
OUT=$BUILD/bench-agg
cc -O2 -Wall -o "$OUT/agg_run" bench/agg_run.c || exit 1
cc -O2 -Wall -o "$OUT/agg_work" bench/agg_work.c || exit 1
RUN=$OUT/agg_run
WORK=$(cd "$OUT" && pwd)/agg_work
# tracefs as it was found: mounted here only for the run.
if [ ! -d "$TFS/events" ] && mount -t tracefs nodev "$TFS" 2>/dev/null; then
	trap 'umount "$TFS" 2>/dev/null' EXIT
fi
LIBC=$(ldconfig -p | awk '$1 == "libc.so.6" && /x86-64|AArch64/ { print $NF; exit }')
LIBC=$(readlink -f "$LIBC")

HAVE_BT=1 BT_NOTE=
if ! command -v bpftrace >/dev/null; then HAVE_BT=0 BT_NOTE="bpftrace is not installed"; fi
export __BPFTRACE_NOTIFY_PROBES_ATTACHED=1
SMARK="aggregating in the kernel"
BMARK=__BPFTRACE_NOTIFY_PROBES_ATTACHED

# The questions, each asked of both tools.
S_GETPPID=('e syscalls/sys_enter_getppid a:count(comm)')
B_GETPPID='tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }'
S_READ=('e syscalls/sys_enter_read sz=count a:hist(sz, comm)')
B_READ='tracepoint:syscalls:sys_enter_read { @[comm] = hist(args->count); }'
S_LAT=('P libc:getppid' 'R libc:getppid a:lat(comm)')
B_LAT="uprobe:$LIBC:getppid { @start[tid] = nsecs; }
uretprobe:$LIBC:getppid /@start[tid]/ { @[comm] = hist(nsecs - @start[tid]); delete(@start[tid]); }"

median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print 0; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Start to attached: median of STARTS starts (a workload of one call).
starts() {	# marker, tool...
	local i r all=
	for i in $(seq "$STARTS"); do
		r=$("$RUN" "$@" -- "$WORK" getppid 1) || return 1
		all+="${r%% *}"$'\n'
	done
	printf '%s' "$all" | median
}

# surftrace's count of comm aggbench, and bpftrace's.
s_count() { awk '$1 == "comm=aggbench:" { print $2 }' "$1"; }
b_count() { awk '$1 == "@[aggbench]:" { print $2 }' "$1"; }
# A histogram as "LOW:COUNT ..." (non-empty buckets, lows as powers of two).
s_hist() {
	awk '/^comm=/ { on = ($1 == "comm=aggbench") } on && $2 == "->" && $5 > 0 {
		low = $1 == 0 ? 1 : $1; printf "%d:%d ", low, $5 }' "$1"
}
b_hist() {
	awk 'function val(s) { m = 1; if (s ~ /K$/) m = 1024; if (s ~ /M$/) m = 1048576;
			if (s ~ /G$/) m = 1073741824; sub(/[KMG]$/, "", s); return s * m }
		/^@\[/ { on = ($0 ~ /^@\[aggbench\]:/) }
		on && /^\[/ { s = $1; sub(/^\[/, "", s); sub(/[,\]]$/, "", s);
			if ($NF ~ /\|/) c = $(NF - 1); else c = $NF; gsub(/\|.*/, "", c);
			for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) { c = $i; break }
			if (c > 0) printf "%d:%d ", val(s) == 0 ? 1 : val(s), c }' "$1"
}
hist_total() { tr ' ' '\n' | awk -F: '{ t += $2 } END { print t + 0 }'; }

# The read workload's histogram: sizes 3 7 100 1000 4096 10000 65536 100000, RN/8 each.
READ_WANT="2:$((RN / 8)) 4:$((RN / 8)) 64:$((RN / 8)) 512:$((RN / 8)) 4096:$((RN / 8)) 8192:$((RN / 8)) 65536:$((RN / 4)) "

exact() {	# got, want
	if [ "$1" = "$2" ]; then echo exact; else echo "NOT EXACT: $1 (want $2)"; fi
}

tp_only() {	# event, workload...: the tracepoint enabled in tracefs, no program
	local ev=$1; shift
	echo 1 >"$TFS/events/$ev/enable"
	"$RUN" - - -- "$@"
	echo 0 >"$TFS/events/$ev/enable"
	echo >"$TFS/trace"
}

row() { printf '%-22s %16s %11s %12s  %s\n' "$@"; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f ms", u / 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.2f MiB", k / 1024 }'; }
per() { awk -v t="$1" -v a="$2" -v n="$3" 'BEGIN { printf "%.0f ns", (t - a) / n }'; }

declare -A S_START B_START S_RSS B_RSS S_NS B_NS S_EXACT B_EXACT

# One tool's measured run (prefix S: surftrace, B: bpftrace): its peak RSS,
# ns/event and exactness into ${prefix}_RSS, _NS, _EXACT.
tool_run() {	# prefix, marker, name, events, alone ns, TOOL ARGS... -- WORKLOAD ARGS...
	local p=$1 mark=$2 name=$3 events=$4 alone=$5 out r x
	shift 5
	local -n rss=${p}_RSS ns=${p}_NS ex=${p}_EXACT
	out=$OUT/${p,,}-$name.txt
	r=$("$RUN" "$mark" "$out" "$@") || return 1
	rss[$name]=$(awk '{ print $2 }' <<<"$r")
	ns[$name]=$(per "$(awk '{ print $3 }' <<<"$r")" "$alone" "$events")
	case $name in
	getppid) x=$(exact "$("${p,,}_count" "$out")" "$events") ;;
	read) x=$(exact "$("${p,,}_hist" "$out")" "$READ_WANT") ;;
	latency) x=$(exact "$("${p,,}_hist" "$out" | hist_total)" "$events") ;;
	esac
	ex[$name]=$x
}

measure() {	# name, events, tracepoint (or -), workload args...
	local name=$1 events=$2 ev=$3; shift 3
	local sarr barr alone tp
	case $name in
	getppid) sarr=("${S_GETPPID[@]}") barr=$B_GETPPID ;;
	read) sarr=("${S_READ[@]}") barr=$B_READ ;;
	latency) sarr=("${S_LAT[@]}") barr=$B_LAT ;;
	esac
	S_START[$name]=$(starts "$SMARK" "$OUT/s-$name.txt" "$ST" "${sarr[@]}")
	[ $HAVE_BT = 1 ] && B_START[$name]=$(starts "$BMARK" "$OUT/b-$name.txt" bpftrace -e "$barr")
	alone=$("$RUN" - - -- "$WORK" "$@" | awk '{ print $3 }')
	tool_run S "$SMARK" "$name" "$events" "$alone" "$ST" "${sarr[@]}" -- "$WORK" "$@" || return 1
	if [ $HAVE_BT = 1 ]; then
		tool_run B "$BMARK" "$name" "$events" "$alone" bpftrace -e "$barr" -- "$WORK" "$@" ||
			return 1
	fi
	echo
	echo "== $name: $events events ($*)"
	row "" "start->attached" "peak RSS" "ns/event" "exact"
	row surftrace "$(ms "${S_START[$name]}")" "$(mib "${S_RSS[$name]}")" "${S_NS[$name]}" "${S_EXACT[$name]}"
	if [ $HAVE_BT = 1 ]; then
		row bpftrace "$(ms "${B_START[$name]}")" "$(mib "${B_RSS[$name]}")" "${B_NS[$name]}" "${B_EXACT[$name]}"
	else
		row bpftrace "not measured: $BT_NOTE"
	fi
	if [ "$name" = latency ] && [ -n "$UK" ]; then
		row "kernel: the probes alone" "$(ms "$UK")" "" "" "(uprobe + uretprobe opened, no program)"
	fi
	row "workload alone" "" "" "$(awk -v t="$alone" -v n="$events" 'BEGIN { printf "(%.0f ns)", t / n }')" ""
	if [ "$ev" != - ]; then
		tp=$(tp_only "$ev" "$WORK" "$@" | awk '{ print $3 }')
		row "tracepoint, no program" "" "" "$(per "$tp" "$alone" "$events")" ""
	fi
}

echo "bench/agg.sh: surftrace $("$ST" --version | head -1 | awk '{ print $2 }'), $(bpftrace --version 2>/dev/null || echo 'no bpftrace'), kernel $(uname -r)"
# The kernel's part of a uprobe's start: its first perf_event_open on a file
# puts a breakpoint in every process that maps it (libc: all of them).
UOFF=$("$ST" -S 'P libc:getppid' 2>/dev/null | sed -n "s|.* $LIBC:\(0x[0-9a-f]*\).*|\1|p" | head -1)
UK=
if [ -n "$UOFF" ]; then
	for i in $(seq "$STARTS"); do
		UK+="$("$RUN" --uprobe-cost "$LIBC" "$UOFF")"$'\n'
	done
	UK=$(printf '%s' "$UK" | median)
fi
measure getppid "$N" syscalls/sys_enter_getppid getppid "$N" || exit 1
measure read "$RN" syscalls/sys_enter_read read "$RN" || exit 1
measure latency "$LN" - libc "$LN" || exit 1

echo
echo "Targets (issue 15):"
verdict() { if [ "$1" = 1 ]; then echo "met    $2"; else echo "NOT MET $2"; fi; }
for w in getppid read latency; do
	s=${S_START[$w]} kb=${S_RSS[$w]}
	verdict "$(awk -v s="$s" 'BEGIN { print s < 20000 }')" "$w: start->attached $(ms "$s") < 20 ms"
	if [ $HAVE_BT = 1 ]; then
		b=${B_START[$w]}
		verdict "$(awk -v s="$s" -v b="$b" 'BEGIN { print s * 20 < b }')" \
			"$w: start->attached $(ms "$s") < 1/20 of bpftrace's $(ms "$b") ($(awk -v s="$s" -v b="$b" 'BEGIN { printf "1/%.1f", b / s }'))"
		if [ "$w" = latency ] && [ -n "$UK" ]; then
			echo "         ($(ms "$UK") of both is the kernel's uprobe registration; without it $(ms "$(awk -v s="$s" -v k="$UK" 'BEGIN { print s - k }')") against $(ms "$(awk -v b="$b" -v k="$UK" 'BEGIN { print b - k }')"), 1/$(awk -v s="$s" -v b="$b" -v k="$UK" 'BEGIN { printf "%.1f", (b - k) / (s - k) }'))"
		fi
		verdict "$(awk -v s="${S_NS[$w]% ns}" -v b="${B_NS[$w]% ns}" 'BEGIN { print s <= b }')" \
			"$w: per-event overhead ${S_NS[$w]} <= bpftrace's ${B_NS[$w]}"
	fi
	verdict "$(awk -v k="$kb" 'BEGIN { print k < 8192 }')" "$w: peak RSS $(mib "$kb") < 8 MiB"
	verdict "$([ "${S_EXACT[$w]}" = exact ] && echo 1 || echo 0)" "$w: surftrace's numbers exact"
done

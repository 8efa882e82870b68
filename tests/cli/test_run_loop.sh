#!/bin/bash
# The run loop of surftrace (issue 12): a run that traces what its own output
# causes still stops on -t, -n and signals, and leaves nothing behind; it does
# not trace itself unless asked (--self); events shown + lost = events that
# happened, exactly, even with the smallest ring under an exec storm; a -c
# command that ignores SIGTERM cannot keep the run alive; a failed write of
# the output is an error; -p stops when its process exits; the open-files
# limit is named as such.
source "$(dirname "$0")/lib.sh"
H=$ROOT/build/helpers
TMP=$(mktemp -d)
BG=()	# background processes of ours to end on the way out
trap 'for p in "${BG[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

if [ "$(id -u)" != 0 ]; then
	skip run_loop "needs root to create events"; summary; exit
fi
for tool in script unshare; do
	if ! command -v $tool >/dev/null; then
		skip run_loop "$tool is missing (scripts/deps.sh installs it)"; summary; exit
	fi
done

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# wait_gone PID MS: until PID has exited; 1 if it has not within MS.
wait_gone() {
	local end=$(( $(date +%s%N) + $2 * 1000000 ))
	while kill -0 "$1" 2>/dev/null; do
		[ "$(date +%s%N)" -ge $end ] && return 1
		sleep 0.01
	done
}
# surftrace_under PID: the surftrace that PID is or started (under script,
# timeout, unshare), once it runs; "" if none comes within 2 s.
surftrace_under() {
	local p q stat
	for _ in $(seq 200); do
		for p in $(pgrep -x surftrace); do
			q=$p
			while [ -n "$q" ] && [ "$q" -gt 1 ]; do
				[ "$q" = "$1" ] && { echo "$p"; return; }
				stat=$(cat /proc/$q/stat 2>/dev/null) || break
				stat=${stat##*) }; q=${stat#* }; q=${q%% *}
			done
		done
		sleep 0.01
	done
}
# A surftrace that does not stop is killed, so that the suite goes on.
LIMIT=10
# What this suite probes: libc's fwrite, and its own copies of the helpers
# (other suites, run at the same time, probe the helpers of build/).
for h in seqgen sleeper tuprobe; do cp "$H/$h" "$TMP/$h"; done
H=$TMP
FWRITE=$($ST -S 'P libc:fwrite' | grep -o "/[^ ']*:0x[0-9a-f]*")
# leftovers: probes on those whose run is gone (a group surftrace_PID...).
leftovers() {
	local line def group pid
	while read -r line; do
		def=${line#* }; def=${def%% *}
		if [[ $def != "$TMP/"* ]] && { [ "${def%%:*}" != "${FWRITE%%:*}" ] ||
			[ $((${def##*:})) != $((${FWRITE##*:})) ]; }; then continue; fi
		group=${line#*:}; group=${group%%/*}; pid=${group#surftrace_}; pid=${pid%%_*}
		kill -0 "$pid" 2>/dev/null || echo "left in tracefs: $line"
	done <$TFS/uprobe_events
}
# The summary line's counts: "surftrace: N events, M lost ...".
events_of() { sed -nE 's/^surftrace: ([0-9]+) events, .*/\1/p' "$1" | tail -1; }
lost_of() { sed -nE 's/^surftrace: [0-9]+ events, ([0-9]+) lost.*/\1/p' "$1" | tail -1; }
unshown_of() { sed -nE 's/^surftrace: .*, ([0-9]+) not shown .*/\1/p' "$1" | tail -1; }
# out_of_order FILE: f0 lines whose s= is not above the last one of their t=.
out_of_order() {
	awk '/f0:/ { t = $0; sub(/.* t=/, "", t); sub(/ .*/, "", t)
		     s = $0; sub(/.* s=/, "", s)
		     if ((t in last) && s + 0 <= last[t]) bad++
		     last[t] = s + 0 }
	     END { print bad + 0 }' "$1"
}

# --- defect 1: a run that traces its own output ----------------------------------------------
# Printing an event is a call of libc's fwrite and, through a terminal, a
# write of surftrace and of script(1): with --self (or through script), each
# event causes the next, for ever, once a first one comes (date calls fwrite).
# -t 1 must end it in about a second, and its uprobe must be gone.
seed() { sleep 0.4; date >/dev/null; }
for cmd in "-t 1 'e syscalls/sys_enter_write'" "-t 1 'P libc:fwrite'" \
	"--self -t 1 'e syscalls/sys_enter_write'" "--self -t 1 'P libc:fwrite'"; do
	for how in terminal file; do
		[ $how = file ] && [[ $cmd == *sys_enter_write* ]] && continue
		start=$(date +%s%N)
		if [ $how = terminal ]; then
			timeout -s KILL $LIMIT script -qc "timeout -s KILL $LIMIT $ST $cmd" /dev/null >"$TMP/out" 2>&1 & pid=$!
		else
			eval "timeout -s KILL $LIMIT $ST $cmd" >/dev/null 2>"$TMP/out" & pid=$!
		fi
		seed; wait $pid
		ms=$(ms_since "$start")
		n=$(events_of "$TMP/out"); left=$(leftovers)
		if [ "$ms" -lt 2500 ] && [ -n "$n" ] && [ -z "$left" ]; then
			pass "self_feeding_run_stops_on_time ($how, $cmd: $ms ms, $n events)"
		else fail "self_feeding_run_stops_on_time ($how, $cmd)" "took $ms ms (limit ${LIMIT}s)" \
			"$left" "$(tail -c 300 "$TMP/out")"; fi
	done
done
# -n too, in the middle of a flood of its own making.
timeout -s KILL $LIMIT $ST --self -n 50 'P libc:fwrite' >"$TMP/out" 2>"$TMP/err" & pid=$!
seed; wait $pid
if [ "$(grep -c 'f0:' "$TMP/out")" = 50 ] && [ -z "$(leftovers)" ]; then pass self_fwrite_count_limit
else fail self_fwrite_count_limit "$(grep -c 'f0:' "$TMP/out") events" "$(cat "$TMP/err")"; fi

# Each signal ends a self-feeding run promptly, however busy its loop.
for sig in INT TERM HUP; do
	for how in terminal self; do
		if [ $how = terminal ]; then
			script -qc "exec $ST -t 30 'e syscalls/sys_enter_write'" /dev/null \
				>"$TMP/out" 2>&1 & sp=$!
		else
			$ST --self -t 30 'P libc:fwrite' >/dev/null 2>"$TMP/out" & sp=$!
		fi
		BG+=("$sp")
		pid=$(surftrace_under $sp)	# whom the signal is for
		seed; sleep 0.4	# set up, and well into its loop
		start=$(date +%s%N)
		kill -$sig "$pid"
		if [ -n "$pid" ] && wait_gone "$pid" 1500; then ms=$(ms_since "$start"); ok=1
		else ms=$(ms_since "$start"); ok=0; kill -9 "$pid" 2>/dev/null; fi
		wait "$sp" 2>/dev/null
		left=$(leftovers)
		if [ $ok = 1 ] && [ -z "$left" ] && [ -n "$(events_of "$TMP/out")" ]; then
			pass "self_feeding_run_stops_on_SIG$sig ($how: $ms ms, $(events_of "$TMP/out") events)"
		else fail "self_feeding_run_stops_on_SIG$sig ($how)" "after $ms ms" "$left" \
			"$(tail -c 300 "$TMP/out")"; fi
	done
done

# Not itself by default: no event of surftrace's own pid; with --self, its own.
timeout -s KILL $LIMIT $ST -q -t 0.8 'P libc:fwrite' >"$TMP/out" 2>&1 & tp=$!
pid=$(surftrace_under $tp); seed; wait $tp
timeout -s KILL $LIMIT $ST -q --self -n 300 'P libc:fwrite' >"$TMP/self" 2>&1 & tp=$!
spid=$(surftrace_under $tp); seed; wait $tp
if grep -q 'date-' "$TMP/out" && ! grep -q -- "-$pid *\[" "$TMP/out" &&
   grep -q -- "-$spid *\[" "$TMP/self"; then
	pass not_itself_unless_self
else fail not_itself_unless_self "own events of $pid: $(grep -c -- "-$pid *\[" "$TMP/out")," \
	"own events of $spid with --self: $(grep -c -- "-$spid *\[" "$TMP/self")"; fi
# In another PID namespace its pid there is not the kernel's (common_pid): still not itself.
timeout -s KILL $LIMIT unshare --pid --fork --kill-child --mount-proc $ST -q -t 0.8 'P libc:fwrite' \
	>"$TMP/out" 2>&1 & up=$!
pid=$(surftrace_under $up); seed; wait $up
if [ -n "$pid" ] && grep -q 'f0:' "$TMP/out" && ! grep -q -- "-$pid *\[" "$TMP/out"; then
	pass not_itself_in_a_pid_namespace
else fail not_itself_in_a_pid_namespace "pid $pid" "$(head -c 300 "$TMP/out")"; fi

# --- defect 2: delivered + lost = generated ------------------------------------------------
# seqgen calls seq_mark(thread, seq) for seq = 0..N-1 in each thread; with the
# smallest ring (-b 1) most are lost.  Every call is either shown or counted
# lost, and those shown come in order per thread.
# check_flood NAME N THREADS: a run, then its accounting.
check_flood() {
	local name=$1 n=$2 threads=$3 shown lost
	timeout -s KILL 60 $ST -b 1 -c "$H/seqgen $n $threads" \
		"P $H/seqgen:seq_mark t=%0 s=%1" >"$TMP/flood" 2>"$TMP/err"
	shown=$(grep -c 'f0:' "$TMP/flood"); lost=$(lost_of "$TMP/err")
	order=$(out_of_order "$TMP/flood")
	if [ -n "$lost" ] && [ $((shown + lost)) = $((n * threads)) ] && [ "$order" = 0 ]; then
		pass "$name ($shown shown + $lost lost = $((n * threads)))"
	else fail "$name" "$shown shown + ${lost:-?} lost, want $((n * threads)); $order out of order" \
		"$(cat "$TMP/err")"; fi
}
for i in 1 2; do
	check_flood "flood_accounted_quiet #$i" 100000 1
done
check_flood "flood_accounted_quiet_threads" 40000 3
# An exec storm: its COMM records take ring space too, and are lost with the
# events; they are no events, and the events lost at the very end count.
for i in 1 2 3; do
	( for _ in $(seq 4000); do /bin/true; done ) & storm=$!; BG+=("$storm")
	check_flood "flood_accounted_exec_storm #$i" 100000 1
	kill $storm 2>/dev/null; wait $storm 2>/dev/null
done
( for _ in $(seq 4000); do /bin/true; done ) & storm=$!; BG+=("$storm")
check_flood "flood_accounted_exec_storm_threads" 40000 3
kill $storm 2>/dev/null; wait $storm 2>/dev/null

# An output slower than the events (a reader that takes 4 KiB each 10 ms) and
# a stop by -t: what the rings still hold gets half a second to be printed;
# the rest is counted as not shown, so that the end is bounded and the
# account still whole.  The command stays after seqgen (then SIGTERM ends it).
slow_reader() {
	python3 -c 'import sys, time
out = open(sys.argv[1], "wb")
while True:
    d = sys.stdin.buffer.read1(4096)
    if not d:
        break
    out.write(d)
    time.sleep(0.01)' "$1"
}
start=$(date +%s%N)
{ timeout -s KILL $LIMIT $ST -t 2 -c "$H/seqgen 100000 && exec $H/sleeper 8" \
	"P $H/seqgen:seq_mark t=%0 s=%1" 2>"$TMP/err"; echo "$? $(ms_since "$start")" >"$TMP/rc"; } |
	slow_reader "$TMP/flood"
read -r rc ms <"$TMP/rc"
shown=$(grep -c 'f0:' "$TMP/flood"); lost=$(lost_of "$TMP/err"); unshown=$(unshown_of "$TMP/err")
if [ "$rc" = 0 ] && [ "$ms" -lt 3500 ] && [ -n "$unshown" ] &&
   [ $((shown + lost + unshown)) = 100000 ] && [ "$(out_of_order "$TMP/flood")" = 0 ]; then
	pass "slow_output_bounded_end_counted ($ms ms: $shown shown + $lost lost + $unshown not shown)"
else fail slow_output_bounded_end_counted "exit $rc after $ms ms; $shown shown" "$(cat "$TMP/err")"; fi

# --- defect 3: a command that ignores SIGTERM --------------------------------------------------
# The probe is removed when tracing ends, and the command is killed after a
# grace period of a second: the run takes about -t + 1 s, not the command's 8 s.
start=$(date +%s%N)
timeout -s KILL $LIMIT $ST -q -t 1 -c "trap '' TERM; $H/sleeper 8 & echo \$! >$TMP/cpid; wait" \
	"P $H/sleeper:main" >"$TMP/out" 2>&1 & pid=$!
BG+=("$pid")
sleep 0.5
in_run=$(grep -c " $H/sleeper:" $TFS/uprobe_events)
wait $pid; rc=$?
ms=$(ms_since "$start")
cpid=$(cat "$TMP/cpid" 2>/dev/null); [ -n "$cpid" ] && kill -9 "$cpid" 2>/dev/null
left=$(leftovers)
if [ "$ms" -lt 3500 ] && [ "$in_run" = 1 ] && [ -z "$left" ]; then
	pass "command_ignoring_sigterm_killed ($ms ms)"
else fail command_ignoring_sigterm_killed "took $ms ms (rc $rc), probe seen $in_run" "$left" \
	"$(cat "$TMP/out")"; fi
# A further signal does not wait for the grace period.
$ST -q -t 30 -c "trap '' TERM; exec $H/sleeper 30" "P $H/sleeper:main" >"$TMP/out" 2>&1 & pid=$!
BG+=("$pid")
sleep 0.8
start=$(date +%s%N)
kill -INT $pid; sleep 0.1; kill -INT $pid
wait_gone $pid 3000; ms=$(ms_since "$start")
if [ "$ms" -lt 800 ] && [ -z "$(leftovers)" ]; then pass "command_killed_on_second_signal ($ms ms)"
else fail command_killed_on_second_signal "took $ms ms" "$(leftovers)" "$(cat "$TMP/out")"; fi

# --- defect 4: output that cannot be written ---------------------------------------------------
out=$(timeout -s KILL $LIMIT $ST -t 0.3 'e sched/sched_switch' 2>&1 >/dev/full); rc=$?
if [ $rc = 1 ] && grep -qx 'surftrace: writing the output failed: No space left on device' <<<"$out"
then pass output_full_disk_is_an_error
else fail output_full_disk_is_an_error "exit $rc" "$out"; fi
out=$(timeout -s KILL $LIMIT $ST -t 0.3 "P $H/tuprobe:func v=%0" 2>&1 >&-); rc=$?
if [ $rc = 1 ] && grep -qx 'surftrace: writing the output failed: Bad file descriptor' <<<"$out" &&
   [ -z "$(leftovers)" ]; then pass output_closed_is_an_error
else fail output_closed_is_an_error "exit $rc" "$out" "$(leftovers)"; fi
# A reader that goes away is no error: surftrace | head.
timeout -s KILL $LIMIT $ST 'e sched/sched_switch' 2>/dev/null | head -1 >/dev/null
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ]; then pass output_reader_gone_is_no_error
else fail output_reader_gone_is_no_error "exit $rc"; fi

# --- defect 5: -p ends with its process; the open-files limit --------------------------------
$H/tuprobe 6 100 >/dev/null & tp=$!
start=$(date +%s%N)
timeout -s KILL $LIMIT $ST -p $tp "P $H/tuprobe:func v=%0" >"$TMP/out" 2>"$TMP/err"; rc=$?
ms=$(ms_since "$start")
wait $tp 2>/dev/null
if [ $rc = 0 ] && [ "$ms" -lt 3000 ] && [ "$(grep -c 'f0:' "$TMP/out")" -ge 1 ] &&
   grep -q '^surftrace: [0-9]* events, 0 lost$' "$TMP/err" && [ -z "$(leftovers)" ]; then
	pass "pid_run_ends_with_the_process ($ms ms)"
else fail pid_run_ends_with_the_process "exit $rc after $ms ms" "$(cat "$TMP/err")"; fi
exprs=()
for e in sched_switch sched_wakeup sched_waking sched_process_exit sched_process_fork \
	sched_process_exec sched_process_free sched_migrate_task sched_stat_runtime \
	sched_wakeup_new sched_process_wait sched_kthread_stop; do exprs+=("e sched/$e"); done
out=$(ulimit -n 20; timeout -s KILL $LIMIT $ST -q -t 0.2 "${exprs[@]}" 2>&1); rc=$?
if [ $rc = 1 ] && grep -q 'the open-files limit (ulimit -n: 20) is too low' <<<"$out" &&
   ! grep -q 'refused' <<<"$out"; then pass open_files_limit_named
else fail open_files_limit_named "exit $rc" "$out"; fi

summary

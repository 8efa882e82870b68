#!/bin/bash
# In-kernel aggregation (a:, issue 15) for real, with exact numbers from
# tests/helpers/aggwork: getppid counted by comm from two named threads,
# write sizes in hist, lhist and stats; nothing of ours left in the kernel
# after a run, a SIGTERM or a kill -9 (bpftool).
source "$(dirname "$0")/lib.sh"
H=$ROOT/build/helpers

if [ "$(id -u)" != 0 ]; then
	skip aggregation "needs root to load BPF"; summary; exit
fi
ours() { bpftool prog list 2>/dev/null | grep -c 'name surf_agg'; }
before=$(ours)

out=$($ST -q -c "$H/aggwork getppid agg-a:100 agg-b:250" 'e syscalls/sys_enter_getppid a:count(comm)' 2>&1)
if grep -qx 'comm=agg-a: 100' <<<"$out" && grep -qx 'comm=agg-b: 250' <<<"$out" &&
   [ "$(head -1 <<<"$out")" = "f0: a:count" ] &&
   [ "$(grep -n 'agg-b' <<<"$out" | cut -d: -f1)" -lt "$(grep -n 'agg-a' <<<"$out" | cut -d: -f1)" ]; then
	pass count_by_comm_exact_and_sorted
else fail count_by_comm_exact_and_sorted "want comm=agg-a: 100, comm=agg-b: 250 (larger first)" "$out"; fi

SIZES="0 1 2 3 4 7 8 1000 1024 5000"
section() { sed -n '/^comm=aggwork$/,/^$/p' <<<"$1"; }
out=$($ST -q -c "$H/aggwork write $SIZES" 'e syscalls/sys_enter_write sz=count a:hist(sz, comm)' 2>&1)
got=$(section "$out" | awk '$2 == "->" { print $1 "-" $3 "=" $5 }' | tr '\n' ' ')
want="0-1=2 2-3=2 4-7=2 8-15=1 16-31=0 32-63=0 64-127=0 128-255=0 256-511=0 512-1023=1 1024-2047=1 2048-4095=0 4096-8191=1 "
if [ "$got" = "$want" ] && section "$out" | grep -q '^     sz                  : count     distribution$'; then
	pass hist_buckets_exact_bcc_layout
else fail hist_buckets_exact_bcc_layout "got:  $got" "want: $want" "$out"; fi

out=$($ST -q -c "$H/aggwork write $SIZES" 'e syscalls/sys_enter_write a:lhist(count, 0, 1000, 250, comm)' 2>&1)
got=$(section "$out" | awk '$2 == "->" { print $1 "-" $3 "=" $5 } $1 == "<" || $1 == ">=" { print $1 $2 "=" $4 }' | tr '\n' ' ')
want="<0=0 0-249=7 250-499=0 500-749=0 750-999=0 >=1000=3 "
if [ "$got" = "$want" ]; then pass lhist_buckets_exact
else fail lhist_buckets_exact "got:  $got" "want: $want" "$out"; fi

out=$($ST -q -c "$H/aggwork write $SIZES" 'e syscalls/sys_enter_write a:stats(count, comm)' 2>&1)
if grep -qx 'comm=aggwork: count 10 sum 7049 avg 704 min 0 max 5000' <<<"$out"; then
	pass stats_exact
else fail stats_exact "want comm=aggwork: count 10 sum 7049 avg 704 min 0 max 5000" "$out"; fi

out=$($ST -q -c "$H/aggwork write $SIZES" 'e syscalls/sys_enter_write a:sum(count, comm)' 'e syscalls/sys_enter_write a:max(count, comm)' 2>&1)
if grep -qx 'comm=aggwork: 7049' <<<"$out" && grep -qx 'comm=aggwork: 5000' <<<"$out" &&
   grep -qx 'f1: a:max' <<<"$out"; then
	pass two_aggregations_one_run
else fail two_aggregations_one_run "$out"; fi

# User probes: tests/helpers/tstruct calls probe_me(o) for i = 1..3 with
# o->count = 10 i and o->in->next->id = 100 + i, and returns their sum.
out=$($ST -q -c "$H/tstruct 3" "P $H/tstruct:probe_me c=%0->count a:stats(c)" \
	"R $H/tstruct:probe_me r=\$retval a:sum(r)" "P $H/tstruct:probe_me id=S%0->in->next->id a:hist(id)" 2>&1)
if grep -qx 'count 3 sum 60 avg 20 min 10 max 30' <<<"$out" && grep -qx '366' <<<"$out" &&
   grep -qE '^ +64 -> 127 +: 3 ' <<<"$out" && grep -q 'surftrace: 9 events, 0 lost' <<<"$out"; then
	pass uprobe_member_chains_aggregated
else fail uprobe_member_chains_aggregated "want stats 3/60/10/30, sum 366, 3 ids in 64 -> 127" "$out"; fi

# f: runs in the program: on fields (sizes >= 8, or 3, of writes to the bad fd),
# and on a two-pointer member chain of a user probe (id > 101: i = 2, 3).
out=$($ST -q -c "$H/aggwork write $SIZES" 'e syscalls/sys_enter_write a:count(comm) f:fd==1000077 && (count>=8 || !(count!=3))' 2>&1)
if [ "$(grep -c '^comm=' <<<"$out")" = 1 ] && grep -qx 'comm=aggwork: 5' <<<"$out"; then
	pass filter_on_fields_in_bpf
else fail filter_on_fields_in_bpf "want only comm=aggwork: 5" "$out"; fi
out=$($ST -q -c "$H/tstruct 3" "P $H/tstruct:probe_me c=%0->count id=S%0->in->next->id a:sum(c) f:id>101" 2>&1)
if grep -qx '50' <<<"$out" && grep -q 'surftrace: 2 events, 0 lost' <<<"$out"; then
	pass filter_on_user_member_chain_in_bpf
else fail filter_on_user_member_chain_in_bpf "want 50 from 2 events" "$out"; fi

# An aggregation takes no record from other readers of its tracepoint (a
# program returning 0 would take them from every perf reader of the event).
$ST -q 'e syscalls/sys_enter_getppid a:count(comm)' >/dev/null 2>&1 &
p=$!
for i in $(seq 50); do [ "$(ours)" -gt "$before" ] && break; sleep 0.1; done
out=$($ST -q -c "$H/seqgen 20000" 'e syscalls/sys_enter_getppid f:comm=="seqgen"' 2>&1)
kill -INT $p; wait $p
n=$(grep -c ' sys_enter_getppid: ' <<<"$out")
if [ "$n" = 20000 ]; then pass streaming_beside_aggregation_loses_nothing
else fail streaming_beside_aggregation_loses_nothing "streamed $n of 20000 getppid events" "$(tail -2 <<<"$out")"; fi

# -S: the maps and the program, loaded nowhere.
out=$($ST -S "P $H/tstruct:probe_me c=%0->count a:stats(c)" 2>&1)
if grep -q '^# f0: a:stats, a kprobe program of [0-9]* instructions$' <<<"$out" &&
   grep -q 'map\[agg\]' <<<"$out" && grep -q 'call bpf_probe_read_user#112' <<<"$out" &&
   [ "$(ours)" = "$before" ]; then
	pass show_lists_the_program
else fail show_lists_the_program "$out"; fi

# What is not done yet is said, and nothing is loaded.
expect_error agg_filter_string_not_yet 2 "string comparisons are not done in BPF yet" "" \
	$ST -t 1 'e sched/sched_switch a:count(cpu) f:prev_pid==1 || next_comm=="x"'
expect_error agg_pid_not_yet 1 "-p with a: is not done yet" "" \
	$ST -p 1 -t 1 'e syscalls/sys_enter_write a:count(comm)'
expect_error agg_mixed_not_yet 1 "streaming events and aggregating them in one run" "" \
	$ST -t 1 'e syscalls/sys_enter_write a:count(comm)' 'e sched/sched_switch'

# Cleanup: after SIGTERM (exit 128 + 15, as for streaming) and kill -9 nothing
# stays loaded (file descriptors only).
$ST -q 'e sched/sched_switch a:count(cpu)' >/dev/null 2>&1 &
p=$!
sleep 1
mid=$(ours)
kill -TERM $p; wait $p; rc=$?
$ST -q 'e sched/sched_switch a:count(cpu)' >/dev/null 2>&1 &
p=$!
sleep 1
kill -KILL $p; wait $p 2>/dev/null
sleep 0.3
after=$(ours)
if [ "$mid" -gt "$before" ] && [ "$rc" = 143 ] && [ "$after" = "$before" ]; then
	pass nothing_left_after_term_and_kill
else fail nothing_left_after_term_and_kill "programs before $before, during $mid, after $after; exit $rc"; fi
summary

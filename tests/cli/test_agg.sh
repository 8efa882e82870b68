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
out=$($ST -c "$H/tstruct 3" "P $H/tstruct:probe_me c=%0->count a:stats(c)" \
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
out=$($ST -c "$H/tstruct 3" "P $H/tstruct:probe_me c=%0->count id=S%0->in->next->id a:sum(c) f:id>101" 2>&1)
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

# String keys: a char array field, a __data_loc string, a user probe's char *.
out=$($ST -q -c "$H/aggwork getppid sk-one:1 sk-one:1 sk-two:1; /bin/true; /bin/true" \
	'e sched/sched_process_exit a:count(comm)' 'e sched/sched_process_exec a:count(filename)' \
	"P libc:getenv n=%0 a:count(n)" 2>&1)
if grep -qx 'comm=sk-one: 2' <<<"$out" && grep -qx 'comm=sk-two: 1' <<<"$out" &&
   grep -qx 'comm=true: 2' <<<"$out" && grep -qx 'filename=/bin/true: 2' <<<"$out" &&
   grep -qx "filename=$H/aggwork: 1" <<<"$out"; then
	pass string_keys_array_and_data_loc
else fail string_keys_array_and_data_loc "want comm=sk-one: 2, sk-two: 1, true: 2; filename=/bin/true: 2" "$out"; fi
out=$($ST -q -c "$H/aggwork getenv SURF_A SURF_B SURF_A SURF_A" "P libc:getenv n=%0 a:count(n)" 2>&1)
if grep -qx 'n=SURF_A: 3' <<<"$out" && grep -qx 'n=SURF_B: 1' <<<"$out"; then
	pass string_key_of_user_pointer
else fail string_key_of_user_pointer "want n=SURF_A: 3, n=SURF_B: 1" "$out"; fi

# Stack keys: the kernel's path of a syscall, the process's own frames (named
# while it lives: aggwork stays 1 s after its calls).
out=$($ST -q -c "$H/aggwork stack 5 0" 'e syscalls/sys_enter_getppid a:count(comm, kstack)' 2>&1)
if grep -qx 'comm=aggwork: 5' <<<"$out" && grep -A8 '^comm=aggwork: 5' <<<"$out" |
	grep -qE '^        (do_syscall_64|x64_sys_call)\+0x[0-9a-f]+/0x[0-9a-f]+$'; then
	pass kstack_key_exact_and_named
else fail kstack_key_exact_and_named "want 5 getppid under do_syscall_64" "$out"; fi
$H/aggwork stack 7 1000 &
p=$!
out=$($ST -p $p -t 1.6 'e syscalls/sys_enter_getppid a:count(ustack)' 2>&1)
wait $p
frames=$(grep -A6 '^7$' <<<"$out" | grep -oE '^        (stack_mid|main)\+' | tr -d ' +' | tr '\n' ' ')
if [ "$frames" = "stack_mid main " ] && grep -q 'surftrace: 7 events, 0 lost' <<<"$out"; then
	pass ustack_key_exact_and_named
else fail ustack_key_exact_and_named "want 7 calls from stack_mid, main; got frames '$frames'" "$out"; fi

# lat(): entry to return per thread (usleeps of known lengths), and between two
# events matched on a value (spans 1 and 2 overlap on one thread).
out=$($ST -c "$H/aggwork usleep 3000:5 12000:3" 'P libc:usleep' 'R libc:usleep a:lat(comm)' 2>&1)
got=$(awk '/^comm=/ { k = $1 } $2 == "->" && $5 > 0 { print k, $1, $5 }' <<<"$out" | tr '\n' ',')
if [ "$got" = "comm=sl-12000 8388608 3,comm=sl-3000 2097152 5," ] &&
   grep -q '^     nsecs               : count     distribution$' <<<"$out" &&
   grep -q 'surftrace: 8 events, 0 lost' <<<"$out"; then
	pass lat_uprobe_per_thread_exact
else fail lat_uprobe_per_thread_exact "want 3 in 8388608 -> (12 ms), 5 in 2097152 -> (3 ms); got $got" "$out"; fi
out=$($ST -q -c "$H/aggwork spans" "P $H/aggwork:mark_begin id=%0" \
	"P $H/aggwork:mark_end id=%0 a:lat(f0.id==id, id)" 2>&1)
got=$(awk '/^id=/ { k = $1 } $2 == "->" && $5 > 0 { print k, $1, $5 }' <<<"$out" | tr '\n' ',')
if [ "$got" = "id=1 4194304 1,id=2 8388608 1," ]; then pass lat_between_events_by_value
else fail lat_between_events_by_value "want id=1 in 4194304 -> (6 ms), id=2 in 8388608 -> (12 ms); got $got" "$out"; fi

# USDT: operands from the note, the semaphore counted up while attached
# (usdtprog fires surftest:gated only then: enabled=4).
out=$($ST -q -c "$H/usdtprog 4" "U $H/usdtprog:surftest:tick i=%0 big=%1 a:stats(big)" \
	"U $H/usdtprog:surftest:gated i=%0 a:sum(i)" 2>&1)
if grep -qx 'count 4 sum 10000 avg 2500 min 1000 max 4000' <<<"$out" && grep -qx 'enabled=4' <<<"$out" &&
   grep -qx '10' <<<"$out"; then
	pass usdt_operands_and_semaphore
else fail usdt_operands_and_semaphore "want stats of 1000..4000, enabled=4, sum 10" "$out"; fi

# -p and -c count their process and its children only, never the machine.
$H/seqgen 20000 >/dev/null &
noise=$!
sh -c "sleep 0.5; $H/aggwork getppid pk-a:30; $H/aggwork getppid pk-b:12; sleep 0.3" &
p=$!
out=$($ST -q -p $p 'e syscalls/sys_enter_getppid a:count(comm)' 2>&1)
wait $noise
if grep -qx 'comm=pk-a: 30' <<<"$out" && grep -qx 'comm=pk-b: 12' <<<"$out" &&
   ! grep -q 'seqgen' <<<"$out"; then
	pass pid_counts_process_and_children_only
else fail pid_counts_process_and_children_only "want pk-a: 30, pk-b: 12 and no seqgen" "$out"; fi

# -q: no summary unless something was lost (as when streaming).
out=$($ST -q -c "$H/aggwork getppid q:3" 'e syscalls/sys_enter_getppid a:count(comm)' 2>&1)
if grep -qx 'comm=q: 3' <<<"$out" && ! grep -q 'events,' <<<"$out"; then pass quiet_without_losses_no_summary
else fail quiet_without_losses_no_summary "$out"; fi

# --top and --json: the largest entries; one parsable object per aggregation.
out=$($ST -q --top 2 -c "$H/aggwork getppid t-a:5 t-b:9 t-c:7" 'e syscalls/sys_enter_getppid a:count(comm)' 2>/dev/null)
want=$'f0: a:count\ncomm=t-b: 9\ncomm=t-c: 7\n(2 more entries)'
if [ "$out" = "$want" ]; then pass top_keeps_largest
else fail top_keeps_largest "want:" "$want" "got:" "$out"; fi
out=$($ST -q --json -c "$H/aggwork write $SIZES" 'e syscalls/sys_enter_write sz=count a:hist(sz, comm)' \
	'e syscalls/sys_enter_write a:stats(count, comm)' 2>/dev/null)
got=$(python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin]
h = [e for e in objs[0]["entries"] if e["key"] == ["aggwork"]][0]
s = [e for e in objs[1]["entries"] if e["key"] == ["aggwork"]][0]
print(objs[0]["probe"], objs[0]["agg"], " ".join("%d-%d=%d" % (b["low"], b["high"], b["count"]) for b in h["buckets"]),
      objs[1]["agg"], s["value"]["count"], s["value"]["sum"], s["value"]["min"], s["value"]["max"])' <<<"$out" 2>&1)
if [ "$got" = "f0 hist 0-0=1 1-1=1 2-3=2 4-7=2 8-15=1 512-1023=1 1024-2047=1 4096-8191=1 stats 10 7049 0 5000" ]; then
	pass json_entries_exact
else fail json_entries_exact "got: $got" "$out"; fi

# -i: the totals so far every interval, then at the end.
out=$($ST -q -i 0.4 -c "sleep 1.1; $H/aggwork getppid iv:3" 'e syscalls/sys_enter_getppid a:count(comm)' 2>/dev/null)
if [ "$(grep -c '^\[[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\]$' <<<"$out")" -ge 2 ] &&
   [ "$(grep -c '^f0: a:count$' <<<"$out")" -ge 3 ] &&
   awk 'BEGIN { RS = "" } END { print }' <<<"$out" | grep -qx 'comm=iv: 3'; then
	pass interval_prints_totals
else fail interval_prints_totals "want 2+ stamped prints, then comm=iv: 3 last" "$out"; fi

# -S of lat(): both programs and the start map, loaded nowhere.
out=$($ST -S 'P libc:usleep' 'R libc:usleep a:lat()' 2>&1)
if grep -q '^# map\[start\]: hash' <<<"$out" && grep -q '^# f0: the start of lat, a kprobe program' <<<"$out" &&
   grep -q 'call bpf_ktime_get_ns#5' <<<"$out" && [ "$(ours)" = "$before" ]; then
	pass show_lists_lat_programs
else fail show_lists_lat_programs "$out"; fi

# Bad input: one sentence each, exit 2, nothing loaded.
expect_error agg_filter_string_not_yet 2 "string comparisons are not done in BPF yet" "" \
	$ST -t 1 'e sched/sched_switch a:count(cpu) f:prev_pid==1 || next_comm=="x"'
expect_error agg_string_as_value 2 "the field 'prev_comm' is a string" "" \
	$ST -t 1 'e sched/sched_switch a:hist(prev_comm)'
expect_error agg_string_arg_as_value 2 "value must be a number: 'n' is a string" "                           ^" \
	$ST -t 1 'P libc:getenv n=%0 a:sum(n)'
expect_error agg_unknown_key 2 "unknown key 'nosuch'" "" \
	$ST -t 1 'e sched/sched_switch a:count(nosuch)'
expect_error agg_lat_without_entry 2 "give its entry expression before it, e.g. 'P libc:malloc'" "" \
	$ST -t 1 'R libc:malloc a:lat()'
expect_error agg_lat_unknown_start 2 "lat(f4.s==...) names f4, which is not one of the expressions" "" \
	$ST -t 1 'e block/block_rq_issue s=sector' 'e block/block_rq_complete s=sector a:lat(f4.s==s)'
expect_error agg_lat_start_without_name 2 "f0 has no argument or field named 'x'" "" \
	$ST -t 1 'e block/block_rq_issue s=sector' 'e block/block_rq_complete s=sector a:lat(f0.x==s)'
expect_error agg_map_over_memory_limit 2 "the maps would take up to" "" \
	$ST -t 1 --map-entries 200000000 'e sched/sched_switch a:count(prev_comm)'
expect_error agg_top_without_agg 2 "--top is for a: clauses" "" \
	$ST -t 1 --top 3 'e sched/sched_switch'
expect_error agg_mixed_not_yet 1 "streaming events and aggregating them in one run" "" \
	$ST -t 1 'e syscalls/sys_enter_write a:count(comm)' 'e sched/sched_switch'
if [ "$(ours)" = "$before" ]; then pass bad_input_loads_nothing
else fail bad_input_loads_nothing "programs of ours loaded: $(ours), before $before"; fi

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

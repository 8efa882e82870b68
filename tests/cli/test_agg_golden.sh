#!/bin/bash
# Golden listings of generated aggregation programs (issue 15): `surftrace -S`
# of a set of expressions, compared with tests/fixtures/agg/NAME.lst, so that
# every change to the code generator shows up as a reviewed diff.  Listings of
# user probes depend on the helpers' DWARF only; those marked "kernel" also on
# the system (tracepoint formats, BTF, libc), and are compared only on the
# kernel release their fixture was recorded on (its first line).
#   UPDATE_GOLDEN=1 bash tests/cli/test_agg_golden.sh   records them again
source "$(dirname "$0")/lib.sh"
H=$ROOT/build/helpers
FIX=$ROOT/tests/fixtures/agg

# name | user or kernel | expressions (one per line after the first two fields)
CASES=(
	"uprobe_stats_member|user|P $H/tstruct:probe_me c=%0->count a:stats(c)"
	"uprobe_hist_filtered_chain|user|P $H/tstruct:probe_me id=S%0->in->next->id a:hist(id) f:id>101"
	"usdt_lhist|user|U $H/usdtprog:surftest:tick i=%0 big=%1 a:lhist(big, 0, 5000, 1000)"
	"lat_entry_return|user|P $H/tstruct:probe_me
R $H/tstruct:probe_me a:lat(comm)"
	"lat_between_events|user|P $H/aggwork:mark_begin id=%0
P $H/aggwork:mark_end id=%0 a:lat(f0.id==id, id)"
	"uprobe_comm_tid_cpu_keys|user|P $H/aggwork:mark_end id=%0 a:count(comm, tid, cpu)"
	"uprobe_string_key|kernel|P libc:getenv n=%0 a:count(n)"
	"tracepoint_string_stack_keys|kernel|e sched/sched_switch a:count(prev_comm, kstack)"
	"tracepoint_data_loc_key|kernel|e sched/sched_process_exec a:count(filename)"
	"tracepoint_hist_pid|kernel|-p 1
e syscalls/sys_enter_read sz=count a:hist(sz, comm)"
	"kprobe_sum|kernel|p ksys_write fd=%0 sz=%2 a:sum(sz, fd)"
)

for c in "${CASES[@]}"; do
	name=${c%%|*}; rest=${c#*|}; kind=${rest%%|*}; exprs=${rest#*|}
	args=()
	while IFS= read -r line; do args+=("$line"); done <<<"$exprs"
	opts=()
	while [ "${args[0]:0:1}" = - ]; do opts+=(${args[0]}); args=("${args[@]:1}"); done
	got=$($ST -S "${opts[@]}" "${args[@]}" 2>&1) || { fail "golden_$name" "surftrace -S failed" "$got"; continue; }
	file=$FIX/$name.lst
	if [ -n "${UPDATE_GOLDEN:-}" ]; then
		{ echo "# $kind $(uname -r)"; echo "$got"; } >"$file"
		pass "golden_$name (recorded)"
		continue
	fi
	if [ ! -f "$file" ]; then fail "golden_$name" "no $file: record it with UPDATE_GOLDEN=1"; continue; fi
	rec=$(head -1 "$file")
	if [ "$kind" = kernel ] && [ "$rec" != "# kernel $(uname -r)" ]; then
		skip "golden_$name" "recorded on ${rec#\# kernel }, this is $(uname -r)"
		continue
	fi
	want=$(tail -n +2 "$file")
	if [ "$got" = "$want" ]; then pass "golden_$name"
	else fail "golden_$name" "listing differs from $file:" "$(diff <(echo "$want") <(echo "$got") | head -20)"; fi
done
summary

#!/bin/bash
# Bad input on the command line: exit status 2, one message naming the
# problem, the expression with a caret under the bad part, and nothing
# written to tracefs.
source "$(dirname "$0")/lib.sh"

# Every surftrace run here records its pid: none may leave a group of its own
# in tracefs.  (A snapshot of all of tracefs is not a test: other suites'
# runs come and go in it meanwhile.)
PIDS=$(mktemp)
trap 'rm -f "$PIDS"' EXIT
ST_REAL=$ST
st_pid() { sh -c 'echo $$ >> "$0"; exec "$@"' "$PIDS" "$ST_REAL" "$@"; }
ST=st_pid

expect_error unknown_member 2 "'comm2' is not a member of struct task_struct (did you mean 'comm'?)" \
	"                              ^~~~~" $ST -S 'p wake_up_new_task comm=%0->comm2'
expect_error unknown_function 2 "unknown function 'wake_up_new_tsk'" "    ^~~~~~~~~~~~~~~" \
	$ST -S 'p wake_up_new_tsk comm=%0->comm'
expect_error arrow_on_struct 2 "'->' needs a pointer, but 'se' is struct sched_entity: use '.'" "" \
	$ST -S 'p wake_up_new_task x=%0->se->vruntime'
expect_error dot_on_pointer 2 "is a pointer (struct task_struct *): use '->'" "" \
	$ST -S 'p wake_up_new_task comm=%0.comm'
expect_error index_out_of_bounds 2 "index 16 is out of bounds: 'comm' has 16 elements" "" \
	$ST -S 'p wake_up_new_task c=%0->comm[16]'
expect_error struct_not_scalar 2 "'se' is struct sched_entity, not a value" "" \
	$ST -S 'p wake_up_new_task x=%0->se'
expect_error too_many_args 2 "wake_up_new_task has 1 parameter" "" \
	$ST -S 'p wake_up_new_task x=%1'
expect_error name_twice 2 "the name 'x' is used twice" "" $ST -S 'p wake_up_new_task x=%0 x=%0'
expect_error unknown_register 2 "'rdi' is not a register of x86_64" "" \
	$ST -S 'p wake_up_new_task x=%rdi'
expect_error unknown_register_arm 2 "'di' is not a register of aarch64" "" \
	$ST -a aarch64 -S 'p wake_up_new_task x=%di'
expect_error unbalanced_filter 2 "this '(' is not closed" "" \
	$ST -S 'p wake_up_new_task x=%0->pid f:(x==1'
expect_error unknown_filter_field 2 "not a field of this event" "" \
	$ST -S 'p wake_up_new_task x=%0->pid f:y==1'
expect_error unknown_tracepoint_field 2 "the filter names 'nosuch'" "" \
	$ST -S 'e sched/sched_switch f:nosuch==1'
expect_error unknown_kind 2 "unknown probe kind 'q'" "  ^" $ST -S 'q foo'
expect_error bad_arch 2 "unknown architecture 'mips'" "" $ST -a mips -S 'p wake_up_new_task'
expect_error no_expression 2 "no expression given" "" $ST -S
expect_error bad_option 2 "Try 'surftrace --help'" "" $ST --bogus
# Packet casts read skb->data: the base must be a struct sk_buff * (a task_struct
# was read as a packet); a struct sk_buff ** is read through with [0].
caret_under() { local pre=${1%%"$2"*}; printf '%*s^%s' $((${#pre} + 2)) '' "$(printf '%*s' $((${#2} - 1)) '' | tr ' ' '~')"; }
e='p wake_up_new_task x=@(struct iphdr *)l3%0->protocol'
expect_error packet_cast_not_skb 2 "a packet cast reads from a struct sk_buff *, but %0 (p) is struct task_struct *" \
	"$(caret_under "$e" '%0')" $ST -S "$e"
e='p __netif_receive_skb_core proto=@(struct iphdr *)l3%0->protocol'
expect_error packet_cast_skb_pointer_pointer 2 "but %0 (pskb) is struct sk_buff **: write %0[0] for the sk_buff it points to" \
	"$(caret_under "$e" '%0')" $ST -S "$e"
e='p __netif_receive_skb_core proto=@(struct iphdr *)l3%0[0][0]->protocol'
expect_error packet_cast_deref_too_far 2 "but %0[0][0] is struct sk_buff" "$(caret_under "$e" '%0[0][0]')" $ST -S "$e"

# The a: clause (issue 15): checked like the rest.
e='e syscalls/sys_enter_read sz=cont a:hist(sz)'
expect_error agg_unknown_field 2 "the tracepoint has no field 'cont' (did you mean 'count'?)" \
	"$(caret_under "$e" 'cont')" $ST -S "$e"
e='e sched/sched_switch a:sum(prev_comm)'
expect_error agg_string_value 2 "value must be a number: the field 'prev_comm' is a string" \
	"$(caret_under "$e" 'prev_comm')" $ST -S "$e"
e='e sched/sched_switch a:count(cmm)'
expect_error agg_unknown_key 2 "unknown key 'cmm' (did you mean 'comm'?)" \
	"$(caret_under "$e" 'cmm')" $ST -S "$e"
expect_error agg_tracepoint_alias_alone 2 "NAME=FIELD (s=) is for a: clauses and lat() starts" "" \
	$ST -S 'e sched/sched_switch s=prev_pid'
expect_error agg_no_script 2 "-o writes tracefs commands; an aggregation has none" "" \
	$ST -o /dev/null 'e sched/sched_switch a:count(cpu)'

# One bad expression among good ones: nothing is set up, even without -S.
expect_error one_bad_of_three 2 "'nope' is not a member" "" \
	$ST 'p wake_up_new_task' 'e sched/sched_switch' 'p wake_up_new_task x=%0->nope'

left=
while read -r p; do
	g="surftrace_$p(_[0-9a-f]+)?"	# surftrace_PID_TOKEN (surftrace_PID: older builds)
	if cat $TFS/kprobe_events $TFS/uprobe_events 2>/dev/null | grep -qE "$g/" ||
	   ls $TFS/events | grep -qxE "$g"; then
		left="$left surftrace_$p"
	fi
done < "$PIDS"
if [ "$(wc -l < "$PIDS")" -ge 20 ] && [ -z "$left" ]; then pass tracefs_untouched
else fail tracefs_untouched "$(wc -l < "$PIDS") runs recorded; groups left:$left"; fi
summary

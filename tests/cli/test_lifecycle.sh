#!/bin/bash
# The tracefs lifecycle of a run (issue 12): every run's group has a name no
# other run has, in any PID namespace; a sweep removes a group only when its
# run is provably gone, even when the pid it carries is alive again, and
# never touches a live run's; old surftrace_<pid> groups keep the old rule;
# two -o scripts run side by side and each cleanup touches only its own; a
# surfgraph instance is judged the same way; and nothing of ours is left.
#
# Every probe is on a copy of tuprobe that only this suite uses, so that any
# event on it is ours, whatever its group is called.
source "$(dirname "$0")/lib.sh"
H=$ROOT/build/helpers
SG=$ROOT/build/surfgraph
UE=$TFS/uprobe_events
TMP=$(mktemp -d)
PROG=$TMP/tup
BG=()		# processes of ours to end on the way out
MADE=()		# instances this suite (or its scripts) made
RUNS=()		# host pids of the surftrace runs this suite started

if [ "$(id -u)" != 0 ]; then
	skip lifecycle "needs root to create events"; summary; exit
fi
for tool in unshare setsid strace python3; do
	if ! command -v $tool >/dev/null; then
		skip lifecycle "$tool is missing (scripts/deps.sh installs it)"; summary; exit
	fi
done
if [ ! -w $UE ]; then
	skip lifecycle "no $UE (uprobe events)"; summary; exit
fi
cp "$H/tuprobe" "$PROG"

# events_on: the dynamic events on our program, one line each.
events_on() { cat $UE $TFS/dynamic_events 2>/dev/null | grep -F " $PROG:" | sort -u; }
# remove_events_on: take every event on our program away (ours by construction).
remove_events_on() {
	events_on | sed -nE 's/^[a-z]+[0-9]*:([^ ]+) .*/-:\1/p' | while read -r del; do
		echo "$del" >> $UE 2>/dev/null
	done
}
cleanup() {
	for p in "${BG[@]}"; do kill -9 "$p" 2>/dev/null; done
	sleep 0.1
	remove_events_on
	for i in "${MADE[@]}"; do rmdir "$TFS/instances/$i" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

# group_in FILE: the group of the first probe a run's commands (its stderr) created.
group_in() { sed -nE "s/^echo '[pr]:([^/]+)\/.*/\1/p" "$1" | head -1; }
# groups_of PID: groups of that run still in tracefs: surftrace_PID and longer names.
groups_of() {
	cat $TFS/kprobe_events $UE $TFS/dynamic_events 2>/dev/null |
		grep -oE "surftrace_$1([^0-9/ ][^/ ]*)?/" | sort -u
}
# sweep: a short run of our own, which removes what dead runs left.
sweep() { $ST -q -t 0.1 'e sched/sched_switch f:prev_pid==999999999' >/dev/null 2>&1; }
# wait_for SECONDS CMD...: until CMD succeeds; 1 if it has not by then.
wait_for() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do [ $SECONDS -ge $end ] && return 1; sleep 0.02; done
}
has_events() { [ -n "$(events_on)" ]; }
# The place of func in our program, as surftrace writes it (PATH:0xOFFSET).
PLACE=$($ST -S "P $PROG:func" 2>/dev/null | grep -oE "$PROG:0x[0-9a-f]+" | head -1)
# A token no run holds: runs draw 60 random bits.
TOKEN=0123456789abcde

# --- the group's name ----------------------------------------------------------------------------
$ST -c "$PROG 1" "P $PROG:func v=%0" >$TMP/n.out 2>$TMP/n.err & p=$!
RUNS+=("$p"); wait $p; rc=$?
g=$(group_in $TMP/n.err)
if [ $rc = 0 ] && [[ $g =~ ^surftrace_${p}_[A-Za-z0-9_]+$ ]] && [ ${#g} -lt 64 ] &&
   grep -q ' f0: .* v=1$' $TMP/n.out; then pass "group_name_has_pid_and_token ($g)"
else fail group_name_has_pid_and_token "exit $rc, group '$g' of run $p" "$(cat $TMP/n.err)"; fi
if [ -z "$(groups_of $p)" ] && [ -z "$(events_on)" ]; then pass run_removes_its_group
else fail run_removes_its_group "$(groups_of $p) $(events_on)"; fi

# In a PID namespace the name still carries the pid the kernel (and the host) knows.
unshare --pid --fork --mount-proc $ST -c "$PROG 2 200" "P $PROG:func v=%0" >$TMP/h.out 2>$TMP/h.err & u=$!
wait_for 5 pgrep -P $u >/dev/null; s=$(pgrep -P $u | head -1); RUNS+=("$s")
wait $u; rc=$?
g=$(group_in $TMP/h.err)
if [[ $g =~ ^surftrace_0_ ]]; then
	skip namespaced_group_names_host_pid "the kernel's pid is not known in the namespace (BPF refused)"
elif [ $rc = 0 ] && [ -n "$s" ] && [[ $g =~ ^surftrace_${s}_ ]]; then
	pass "namespaced_group_names_host_pid ($g, host pid $s)"
else fail namespaced_group_names_host_pid "exit $rc, group '$g', host pid '$s'" "$(cat $TMP/h.err)"; fi

# --- runs in two PID namespaces at once (both are pid 1 there) ------------------------------------
# Each run counts the calls of its own command (3 and 4): a run that lost its
# event to the other, or saw the other's calls, shows it.
# ns_run N NAME: a run in a PID namespace of its own, on N calls, to NAME.out and NAME.err.
ns_run() {
	timeout 20 unshare --pid --fork --mount-proc $ST -c "$PROG $1 100" "P $PROG:func v=%0" \
		>$TMP/$2.out 2>$TMP/$2.err
}
bad=() tries=15
for round in $(seq $tries); do
	ns_run 3 a & pa=$!
	ns_run 4 b & pb=$!
	wait $pa; ra=$?; wait $pb; rb=$?
	na=$(grep -c ' f0: ' $TMP/a.out); nb=$(grep -c ' f0: ' $TMP/b.out)
	ga=$(group_in $TMP/a.err); gb=$(group_in $TMP/b.err)
	if [ $ra != 0 ] || [ $rb != 0 ] || [ "$na" != 3 ] || [ "$nb" != 4 ] || [ -z "$ga" ] ||
	   [ "$ga" = "$gb" ]; then
		bad+=("round $round: exit $ra/$rb, events $na/$nb (want 3/4), groups $ga/$gb;" \
		      "$(grep -hv '^echo' $TMP/a.err $TMP/b.err | head -3)")
	fi
done
if [ ${#bad[@]} = 0 ]; then pass "namespaces_do_not_collide ($tries rounds of two runs)"
else fail namespaces_do_not_collide "$((${#bad[@]} / 2)) of $tries rounds failed:" "${bad[@]:0:6}"; fi
if [ -z "$(events_on)" ]; then pass namespaced_runs_remove_their_groups
else fail namespaced_runs_remove_their_groups "$(events_on)"; remove_events_on; fi

# --- a kill -9'ed run whose pid is alive again ---------------------------------------------------
# In a PID namespace: it was pid 1, which is always alive on the host.
unshare --pid --fork --mount-proc $ST -q -c "$PROG 100000 100" "P $PROG:func v=%0" >/dev/null 2>&1 & u=$!
BG+=("$u")
if wait_for 10 has_events; then
	s=$(pgrep -P $u | head -1); RUNS+=("$s")
	kill -9 "$s"; wait $u 2>/dev/null	# the namespace's init: its command dies with it
	before=$(events_on); sweep; after=$(events_on)
	if [ -n "$before" ] && [ -z "$after" ]; then pass kill9_in_namespace_then_sweep
	else fail kill9_in_namespace_then_sweep "left by kill -9: '$before'; after a sweep: '$after'"
		remove_events_on; fi
else
	fail kill9_in_namespace_then_sweep "the run never set its probe up"; kill -9 $u
fi

# On the host: the same pid handed to another process (ns_last_pid: the last pid given out).
$ST -q -c "$PROG 100000 100" "P $PROG:func v=%0" >/dev/null 2>&1 & p=$!
BG+=("$p"); RUNS+=("$p")
if wait_for 10 has_events; then
	c=$(pgrep -P $p)
	kill -9 $p; wait $p 2>/dev/null
	[ -n "$c" ] && kill -9 $c 2>/dev/null
	q=
	for _ in $(seq 50); do
		echo $((p - 1)) > /proc/sys/kernel/ns_last_pid 2>/dev/null
		sleep 30 & q=$!
		[ "$q" = "$p" ] && break
		kill $q; wait $q 2>/dev/null; q=
	done
	if [ -z "$q" ]; then
		skip kill9_then_pid_reused_then_sweep "pid $p was not handed out again in 50 tries (a busy machine)"
		sweep
	else
		BG+=("$q")
		before=$(events_on); sweep; after=$(events_on)
		if [ -n "$before" ] && [ -z "$after" ] && kill -0 $q; then
			pass "kill9_then_pid_reused_then_sweep (pid $p)"
		else fail kill9_then_pid_reused_then_sweep "left by run $p: '$before'; after a sweep" \
			"while pid $p is a sleep: '$after'"; fi
		kill $q; wait $q 2>/dev/null
	fi
	remove_events_on
else
	fail kill9_then_pid_reused_then_sweep "the run never set its probe up"; kill -9 $p
fi

# --- groups made by hand: what a sweep removes and what it keeps ----------------------------------
# new_group NAME: a probe on our program in group NAME, as a run would make it.
new_group() { echo "p:$1/f0 $PLACE" >> $UE; }
in_tracefs() { grep -qF "$1/" $UE; }
pid_max=$(cat /proc/sys/kernel/pid_max)
dead_old=surftrace_$((pid_max + 1))	# old form, a pid no process can have
live_old=surftrace_$$			# old form, a live pid (this shell)
stale_new=surftrace_$$_$TOKEN		# new form, a live pid, a token nobody holds
new_group $dead_old; new_group $live_old; new_group $stale_new
sweep
if ! in_tracefs $stale_new; then pass "sweep_removes_new_group_of_live_pid_without_its_lock"
else fail sweep_removes_new_group_of_live_pid_without_its_lock "$(events_on)"; fi
if ! in_tracefs $dead_old; then pass sweep_removes_old_group_of_dead_pid
else fail sweep_removes_old_group_of_dead_pid "$(events_on)"; fi
if in_tracefs $live_old; then pass sweep_keeps_old_group_of_live_pid
else fail sweep_keeps_old_group_of_live_pid "$(events_on)"; fi
remove_events_on

# --- live runs: a sweep from the host or from a namespace never touches them -----------------------
$ST -c "$PROG 8 250" "P $PROG:func v=%0" >$TMP/la.out 2>$TMP/la.err & a=$!
unshare --pid --fork --mount-proc $ST -c "$PROG 9 250" "P $PROG:func v=%0" >$TMP/lb.out 2>$TMP/lb.err & b=$!
RUNS+=("$a")
# Each run echoes a command once the kernel took it: wait for both echoes too.
wait_for 10 bash -c "[ \$(grep -cF ' $PROG:' $UE) -ge 2 ]"
wait_for 5 bash -c "grep -q \"^echo '[pr]:\" $TMP/la.err && grep -q \"^echo '[pr]:\" $TMP/lb.err"
ga=$(group_in $TMP/la.err); gb=$(group_in $TMP/lb.err)
# The kernel's own list of locks shows each live run's: a read lock on the
# byte at its token of tracefs's README.
ino=$(stat -c %i $TFS/README)
locked() { grep -qE "OFDLCK +ADVISORY +READ +-1 +[0-9a-f]+:[0-9a-f]+:$ino +$((16#${1##*_})) " /proc/locks; }
if [ -n "$ga" ] && [ -n "$gb" ] && locked "$ga" && locked "$gb"; then
	pass live_runs_hold_their_locks
else fail live_runs_hold_their_locks "groups $ga $gb" "$(grep OFDLCK /proc/locks)"; fi
# What each sweep reads and writes: it reads uprobe_events, and never writes
# the removal of a live group.
strace -f -qq -s 256 -e trace=openat,write -e signal=none -o $TMP/host.sweep $ST -q -t 0.1 \
	'e sched/sched_switch f:prev_pid==999999999' >/dev/null 2>&1
unshare --pid --fork --mount-proc strace -f -qq -s 256 -e trace=openat,write -e signal=none -o $TMP/ns.sweep \
	$ST -q -t 0.1 'e sched/sched_switch f:prev_pid==999999999' >/dev/null 2>&1
wait $a; ra=$?; wait $b; rb=$?
na=$(grep -c ' f0: ' $TMP/la.out); nb=$(grep -c ' f0: ' $TMP/lb.out)
tried=$(grep -hE -- "-:($ga|$gb)/" $TMP/host.sweep $TMP/ns.sweep)
if grep -q 'openat(.*/uprobe_events"' $TMP/host.sweep && grep -q 'openat(.*/uprobe_events"' $TMP/ns.sweep &&
   [ -z "$tried" ] && [ $ra = 0 ] && [ $rb = 0 ] && [ "$na" = 8 ] && [ "$nb" = 9 ]; then
	pass sweeps_leave_live_runs_alone
else fail sweeps_leave_live_runs_alone "exit $ra/$rb, events $na/$nb (want 8/9)" \
	"removals of live groups tried: $tried"; fi

# --- two -o scripts at once ---------------------------------------------------------------------
# Each in its own session (setsid: the TERM that ends its cat reaches only it);
# SIGTERM, as SIGINT is ignored by background jobs.
$ST -o $TMP/s1.sh "P $PROG:func v=%0" && $ST -o $TMP/s2.sh "P $PROG:func v=%0"
had_default=no; [ -d $TFS/instances/surftrace ] && had_default=yes
setsid sh $TMP/s1.sh >$TMP/s1.out 2>$TMP/s1.err & sp1=$!
setsid sh $TMP/s2.sh >$TMP/s2.out 2>$TMP/s2.err & sp2=$!
BG+=("$sp1" "$sp2")
streaming() { pgrep -P $1 -x cat >/dev/null; }
lines() { [ "$(grep -c ' f0: ' $1)" -ge $2 ]; }
inst_of() { sed -nE 's#^tracing into .*/instances/([^ ]+) until Ctrl-C$#\1#p' $1; }
if wait_for 10 streaming $sp1 && wait_for 10 streaming $sp2; then
	i1=$(inst_of $TMP/s1.err); i2=$(inst_of $TMP/s2.err)
	MADE+=("$i1" "$i2")
	$PROG 3 >/dev/null
	wait_for 3 lines $TMP/s1.out 3; wait_for 3 lines $TMP/s2.out 3
	n1=$(grep -c ' f0: ' $TMP/s1.out); n2=$(grep -c ' f0: ' $TMP/s2.out)
	if [ -n "$i1" ] && [ -n "$i2" ] && [ "$i1" != "$i2" ] && [ "$n1" = 3 ] && [ "$n2" = 3 ]; then
		pass "scripts_trace_side_by_side ($i1, $i2)"
	else fail scripts_trace_side_by_side "instances '$i1' '$i2', events $n1/$n2 (want 3/3)" \
		"$(cat $TMP/s1.err $TMP/s2.err)"; fi
	kill -TERM -- -$sp2; wait $sp2
	gone=yes
	{ [ -n "$i2" ] && [ -d $TFS/instances/$i2 ]; } && gone=no
	grep -qF "$i2/" $UE && gone=no
	$PROG 4 >/dev/null
	wait_for 3 lines $TMP/s1.out 7
	n1=$(grep -c ' f0: ' $TMP/s1.out)
	if [ $gone = yes ] && [ "$n1" = 7 ]; then pass script_cleanup_leaves_the_other_tracing
	else fail script_cleanup_leaves_the_other_tracing "second removed its own: $gone;" \
		"the first saw $n1 events (want 3 + 4)" "$(cat $TMP/s2.err)"; fi
	kill -TERM -- -$sp1; wait $sp1
	if [ -z "$(events_on)" ] && [ ! -d "$TFS/instances/$i1" ]; then pass scripts_remove_what_they_made
	else fail scripts_remove_what_they_made "$(events_on) $(ls $TFS/instances)"; fi
else
	fail scripts_trace_side_by_side "the scripts never streamed" "$(cat $TMP/s1.err $TMP/s2.err)"
	kill -TERM -- -$sp1 -$sp2 2>/dev/null
fi
[ $had_default = no ] && MADE+=(surftrace)	# the shared instance scripts used to make

# --- surfgraph's instances are judged the same way ----------------------------------------------
# A lock held the way a live run holds it, by a process that stays alive.
held=surfgraph_$$_fedcba987654321
python3 - "$TFS/README" $((16#${held##*_})) >$TMP/holder.out <<-'EOF' & holder=$!
	import fcntl, os, struct, sys, time
	fd = os.open(sys.argv[1], os.O_RDONLY)
	fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi", fcntl.F_RDLCK, 0, int(sys.argv[2]), 1, 0))
	print("held", flush=True)
	time.sleep(60)
EOF
BG+=("$holder")
wait_for 5 grep -q held $TMP/holder.out
stale=surfgraph_$$_$TOKEN live_old=surfgraph_$$
for i in $stale $held $live_old; do mkdir $TFS/instances/$i; MADE+=("$i"); done
(cd $TMP && timeout 20 $SG -f vfs_read -d 1 -s 0 >$TMP/sg.out 2>&1)
if [ ! -d $TFS/instances/$stale ] && grep -qF "cleaning up after run $$" $TMP/sg.out; then
	pass surfgraph_removes_instance_without_its_lock
else fail surfgraph_removes_instance_without_its_lock "$(cat $TMP/sg.out)"; fi
if [ -d $TFS/instances/$held ] && [ -d $TFS/instances/$live_old ]; then
	pass surfgraph_keeps_locked_and_old_live_instances
else fail surfgraph_keeps_locked_and_old_live_instances "$(ls $TFS/instances)"; fi
kill $holder; wait $holder 2>/dev/null
rmdir $TFS/instances/$held $TFS/instances/$live_old

# --- nothing of ours left ------------------------------------------------------------------------
left="$(events_on)"
for p in "${RUNS[@]}"; do left="$left$(groups_of "$p")"; done
if [ -z "$left" ]; then pass "nothing_left_in_dynamic_events (on our program, of ${#RUNS[@]} host pids)"
else fail nothing_left_in_dynamic_events "$left"; fi
inst=""
for i in "${MADE[@]}"; do [ -d "$TFS/instances/$i" ] && inst="$inst $i"; done
if [ -z "$inst" ]; then pass nothing_left_in_instances
else fail nothing_left_in_instances "$inst"; fi

summary

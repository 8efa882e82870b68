#!/bin/sh
# A guest script for scripts/vm/run.sh that records function_graph traces
# for surfgraph's fixtures instead of running the tests (busybox ash):
#
#   SURF_VM_GUEST=scripts/vm/record-graph.sh SURF_VM_SERIAL2=build/graph-rounds.txt \
#     SURF_VM_DIR=build/vm-record KERNELS=6.1 bash scripts/vm/run.sh
#
# Each round clears the top-level trace, has one shell per CPU (pinned with
# taskset) open a file RG_OPENS times with its ': <' redirection (one
# openat, so one do_sys_openat2, each), and writes "### round N OPTIONS" and
# then the tracer's `trace` file, unchanged, to the second serial port.
# Under TCG a traced do_sys_openat2 takes about a millisecond, so the
# 250 Hz timer interrupts land inside many calls, some of them while
# ftrace's own entry or exit code runs.  In every other round a sleeper per
# CPU (usleep 500 in a loop) adds hrtimer interrupts and context switches.
# RG_FUNC, RG_OPENS, RG_ROUNDS and RG_OPTS (funcgraph options, "-" for
# none, cycled through) can be changed here.
RG_FUNC=do_sys_openat2
RG_OPENS=25
RG_ROUNDS=48
RG_OPTS="- funcgraph-proc - funcgraph-proc,funcgraph-abstime"
T=/sys/kernel/tracing
OUT=/dev/ttyS1

stty -F $OUT raw -echo 2>/dev/null
echo 0 > $T/tracing_on
echo nop > $T/current_tracer
echo 8192 > $T/buffer_size_kb
echo $RG_FUNC > $T/set_graph_function
echo function_graph > $T/current_tracer
: > /tmp/f
round=1
while [ $round -le $RG_ROUNDS ]; do
	set -- $RG_OPTS
	shift $((((round - 1) / 2) % $#))
	opts=$1
	sleepers=
	if [ $((round % 2)) = 0 ]; then
		for cpu in 1 2; do
			taskset $cpu sh -c 'while :; do usleep 500; done' &
			sleepers="$sleepers $!"
		done
	fi
	for o in funcgraph-proc funcgraph-abstime; do echo 0 > $T/options/$o; done
	[ "$opts" = - ] || for o in $(echo $opts | tr , ' '); do echo 1 > $T/options/$o; done
	echo > $T/trace
	echo 1 > $T/tracing_on
	pids=
	for cpu in 1 2; do
		taskset $cpu sh -c "i=0; while [ \$i -lt $RG_OPENS ]; do : < /tmp/f; i=\$((i + 1)); done" &
		pids="$pids $!"
	done
	wait $pids
	echo 0 > $T/tracing_on
	[ -n "$sleepers" ] && kill $sleepers && wait
	echo "### round $round $opts${sleepers:+ sleepers}" > $OUT
	cat $T/trace > $OUT
	echo "vm: round $round ($opts): $(grep -c "$RG_FUNC() {" $T/trace) calls, $(grep -c 'irq_enter_rcu' $T/trace) irq_enter_rcu lines"
	round=$((round + 1))
done
echo nop > $T/current_tracer
echo > $T/set_graph_function
echo "### end" > $OUT
echo "1 passed, 0 failed, 0 skipped"

#!/bin/bash
# The state after a boot: tracefs not mounted (nor debugfs, whose tracing
# directory would mount it).  Every entry point of ours that needs tracefs
# mounts it as surftrace does (surf_tracefs__find): clcc's attaches (libbpf
# reads tracefs but never mounts it), the engine, surfgraph, the bcc
# lessons.  Each test runs in a private mount namespace (unshare -m), so the
# unmounting is seen by that test only, never by other runs on this machine.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
SG=$ROOT/build/surfgraph
B=${BCC_BIN:-$ROOT/build/examples/bcc}
UNIT=$ROOT/build/unit-tests
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ "$(id -u)" != 0 ]; then
	skip fresh_boot "needs root (mount namespaces, tracefs)"; summary; exit
fi
if ! unshare -m true 2>/dev/null; then
	skip fresh_boot "unshare -m does not work here"; summary; exit
fi

# fresh CMD...: CMD in a mount namespace of its own without tracefs; it
# exits 97 when tracefs could not be unmounted there.
fresh() {
	unshare -m --propagation private sh -c '
		umount /sys/kernel/debug 2>/dev/null
		umount /sys/kernel/tracing 2>/dev/null
		[ -d /sys/kernel/tracing/events ] && exit 97
		exec "$@"' sh "$@"
}

# expect_fresh NAME STATUS PATTERN CMD...: exit status and an output line
# (extended regex) of CMD run after a fresh boot.
expect_fresh() {
	local name=$1 status=$2 pattern=$3; shift 3
	local out rc
	out=$(fresh "$@" 2>&1); rc=$?
	if [ $rc = 97 ]; then skip "$name" "tracefs could not be unmounted in a namespace"; return; fi
	if [ $rc = "$status" ] && grep -qE -- "$pattern" <<<"$out"; then pass "$name"
	else fail "$name" "exit $rc (want $status), want a line matching: $pattern" "$(head -20 <<<"$out")"; fi
}

# clcc: the BPF tests attach tracepoints through libbpf.
expect_fresh bpf_live_unit_tests 0 '^[0-9]+ passed, 0 failed' "$UNIT" bpf_live

# A bcc lesson that attaches a tracepoint, and one that reads the trace pipe.
# sys_sync reports a sync of its own, started once it has said it traces.
if [ -x "$B/sys_sync" ] && [ -x "$B/hello_world" ]; then
	expect_fresh bcc_lesson_tracepoint 0 '^ok [0-9]+$' sh -c '
		"$1" -d 3 > "$2" 2>&1 & lp=$!
		i=0
		until grep -q "^Tracing" "$2" || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
		sync & sp=$!; wait $sp
		wait $lp; rc=$?
		grep -qE " $sp +sys_sync\(\) called$" "$2" && [ $rc = 0 ] && echo "ok $sp"
		cat "$2"' sh "$B/sys_sync" "$TMP/sys_sync.out"
	expect_fresh bcc_lesson_trace_pipe 0 '^Tracing clone\(\)' "$B/hello_world" -d 1
else
	fail bcc_lessons_built "$B/sys_sync or $B/hello_world is missing: run make"
fi

# surfgraph finds tracefs (and, on this kernel, says function_graph is missing).
if [ -x "$SG" ]; then
	if grep -qw function_graph /sys/kernel/tracing/available_tracers 2>/dev/null; then
		expect_fresh surfgraph_live 0 'calls of vfs_read' sh -c 'cd "$1" && exec "$2" -f vfs_read -d 1 -s 0' \
			sh "$TMP" "$SG"
	else
		expect_fresh surfgraph_live 1 'has no function_graph tracer' "$SG" -f vfs_read -d 1
	fi
fi

# The engine: a tracepoint traced, and the list of tracepoints.
expect_fresh surftrace_engine 0 'surftrace: [0-9]+ events, 0 lost' \
	"$ST" -t 1 'e syscalls/sys_enter_getppid'
expect_fresh surftrace_list 0 '^sched:sched_switch$' "$ST" -l 'sched:sched_sw*'

summary

#!/bin/bash
# A kernel feature that is missing is exit status 1 and one sentence, the
# same in every program (surf_kernel__missing): kprobes in surftrace and in
# clcc (a bcc lesson, surfcc's test runner), function_graph in surfgraph,
# the kernel's BTF in surfcc.  Bad input stays exit status 2.  The kprobe
# cases run where this kernel has no kprobes (here; the VM tier has them);
# the BTF case hides /sys/kernel/btf in a mount namespace of its own.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
SG=$ROOT/build/surfgraph
SURFCC=$ROOT/build/surfcc
B=${BCC_BIN:-$ROOT/build/examples/bcc}
NO_KPROBES="this kernel has no kprobes (CONFIG_KPROBES / kprobe_events missing)"
NO_GRAPH="this kernel has no function_graph tracer (CONFIG_FUNCTION_GRAPH_TRACER / function_graph missing from available_tracers)"
NO_BTF="this kernel has no BTF (CONFIG_DEBUG_INFO_BTF / /sys/kernel/btf/vmlinux missing)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# says NAME STATUS SENTENCE CMD...: CMD exits STATUS and prints SENTENCE in a line.
says() {
	local name=$1 status=$2 sentence=$3; shift 3
	local out rc
	out=$("$@" 2>&1); rc=$?
	if [ $rc = "$status" ] && grep -qF -- "$sentence" <<<"$out"; then pass "$name"
	else fail "$name" "exit $rc (want $status), want: $sentence" "$(head -10 <<<"$out")"; fi
}

if [ "$(id -u)" != 0 ]; then
	skip missing_features "needs root (tracefs, BPF)"; summary; exit
fi

if [ -e /sys/kernel/tracing/kprobe_events ] || [ -e /sys/bus/event_source/devices/kprobe/type ]; then
	skip kprobes_missing "this kernel has kprobes (the VM tier tests them)"
else
	says surftrace_kprobe 1 "surftrace: cannot trace 'p vfs_read': $NO_KPROBES" \
		"$ST" -q -t 1 'p vfs_read'
	says surftrace_kretprobe 1 "surftrace: cannot trace 'r vfs_read r=\$retval': $NO_KPROBES" \
		"$ST" -q -t 1 'e sched/sched_process_exec' 'r vfs_read r=$retval'
	# nothing of the first probe stays behind
	if [ -z "$(our_groups)" ]; then pass surftrace_kprobe_cleans_up
	else fail surftrace_kprobe_cleans_up "left: $(our_groups)"; fi
	# bad input is still bad input, kprobes or not
	says surftrace_bad_input_still_2 2 "no_such_function_xyz" "$ST" -q -t 1 'p no_such_function_xyz'
	if [ -x "$B/sys_sync" ]; then
		says clcc_lesson_kprobe 1 "clcc: cannot attach 'sync_kprobe' to kprobe '" \
			"$B/sys_sync" --kprobe -d 1
		says clcc_lesson_kprobe_sentence 1 "$NO_KPROBES" "$B/sys_sync" --kprobe -d 1
	else
		fail clcc_lesson_kprobe "$B/sys_sync is missing: run make"
	fi
fi

if [ -x "$SG" ]; then
	if grep -qw function_graph /sys/kernel/tracing/available_tracers 2>/dev/null; then
		skip surfgraph_no_function_graph "this kernel has function_graph"
	else
		says surfgraph_no_function_graph 1 "surfgraph: $NO_GRAPH" "$SG" -f vfs_read -d 1
	fi
	says surfgraph_bad_input_still_2 2 "unknown mode 'nosuchmode'" "$SG" -f vfs_read -m nosuchmode
fi

# surfcc without the kernel's BTF (hidden under an empty tmpfs in a namespace)
echo 'int x;' >"$TMP/x.bpf.c"
if unshare -m true 2>/dev/null; then
	says surfcc_no_btf 1 "surfcc: $NO_BTF" unshare -m sh -c \
		'mount -t tmpfs none /sys/kernel/btf && exec "$@"' sh \
		"$SURFCC" --cache-dir "$TMP/cache" --output "$TMP/x.so" "$TMP/x.bpf.c"
else
	skip surfcc_no_btf "unshare -m does not work here"
fi
says surfcc_bad_input_still_2 2 "no source file" "$SURFCC"

summary

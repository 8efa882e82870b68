#!/bin/sh
# The bcc lessons' --kprobe variants, for a kernel that has kprobes (the VM
# tier's Debian 6.1 guest; this machine's 6.18 kernel has none).  POSIX sh,
# for busybox ash.  Each test makes something happen and checks the lesson
# saw it through its kprobe: forks (kernel_clone), sync (__x64_sys_sync),
# reads (vfs_read + kretprobe), 8 KiB reads of /dev/urandom
# (urandom_read_iter), context switches (finish_task_switch[.isra.0]); and
# two tracepoint variants, whose CO-RE relocations move to this kernel.
#
#   sh guest_kprobes.sh DIR      DIR: the lessons and their .so files
#                                (build/examples/bcc on the host)
#
# Sourced by a test script that defines pass/fail/skip, it uses those;
# alone it defines them and ends with "N passed, N failed, N skipped".
BCC=${1:-${BCC_DIR:-/surf/bcc}}
W=${TMPDIR:-/tmp}/bcc-kprobes
mkdir -p "$W"

if ! command -v pass >/dev/null 2>&1; then
	BCC_OWN_SUMMARY=1 PASSED=0 FAILED=0 SKIPPED=0
	pass() { PASSED=$((PASSED + 1)); echo "ok $1"; }
	fail() {
		FAILED=$((FAILED + 1)); echo "FAIL $1"; shift
		for f in "$@"; do
			if [ -f "$f" ]; then echo "  --- ${f##*/}:"; sed 's/^/  /' "$f" | head -30
			else echo "  $f"; fi
		done
	}
	skip() { SKIPPED=$((SKIPPED + 1)); echo "skip $1"; echo "  skipped: $2"; }
fi

# bcc_start NAME ARGS...: run lesson NAME in the background, output in
# $W/NAME.out, and wait (5 s at most) for its first line: it is attached.
bcc_start() {
	bcc_name=$1; shift
	: >"$W/$bcc_name.out"
	"$BCC/$bcc_name" "$@" >"$W/$bcc_name.out" 2>&1 &
	bcc_pid=$!
	bcc_i=0
	while [ ! -s "$W/$bcc_name.out" ] && [ $bcc_i -lt 100 ] && kill -0 $bcc_pid 2>/dev/null; do
		sleep 0.05; bcc_i=$((bcc_i + 1))
	done
}
# bcc_stop: Ctrl-C it and wait.
bcc_stop() { sleep 0.3; kill -INT $bcc_pid 2>/dev/null; wait $bcc_pid; }
# bcc_check TEST PATTERN [MIN]: pass when $W/NAME.out has MIN (1) lines matching PATTERN.
bcc_check() {
	n=$(grep -cE -- "$2" "$W/$bcc_name.out")
	if [ "$n" -ge "${3:-1}" ]; then pass "$1"
	else fail "$1" "want ${3:-1} lines like: $2, got $n" "$W/$bcc_name.out"; fi
}
forks() { for _ in 1 2 3; do /bin/true & wait $!; done; }

if [ ! -x "$BCC/hello_world" ] || [ ! -f "$BCC/hello_world.so" ]; then
	skip bcc_kprobes "no bcc lessons in $BCC"
elif [ ! -e /sys/kernel/tracing/kprobe_events ]; then
	skip bcc_kprobes "this kernel has no kprobes"
else
	bcc_start hello_world --kprobe; forks; bcc_stop
	bcc_check bcc_hello_world_kprobe 'bpf_trace_printk: Hello, World!$' 3

	bcc_start hello_fields --kprobe; forks; bcc_stop
	bcc_check bcc_hello_fields_kprobe '^[0-9.]+ +[^ ]+ +[0-9]+ +Hello, World!$' 3

	bcc_start hello_perf_output --kprobe; forks; bcc_stop
	bcc_check bcc_hello_perf_output_kprobe ' Hello, perf_output!$' 3

	bcc_start sys_sync --kprobe; sync; bcc_stop
	# The kernel may not have saved a new task's name yet: it shows "<...>".
	bcc_check bcc_sys_sync_kprobe ' (sync|<\.\.\.>) +[0-9]+ +sys_sync\(\) called$'

	bcc_start sync_timing --kprobe; sync; sync; bcc_stop
	bcc_check bcc_sync_timing_kprobe 'multiple syncs detected, last [0-9]+ ms ago$'

	bcc_start sync_count --kprobe; sync; sync; sync; bcc_stop
	bcc_check bcc_sync_count_kprobe 'ms ago, count 3$'

	bcc_start sync_perf_output --kprobe; sync; sync; bcc_stop
	bcc_check bcc_sync_perf_output_kprobe 'comm sync\)$'

	# vfs_read with a kprobe and a kretprobe: dd's read, blocked 300 ms on a
	# FIFO, lands in the 262144 -> 524287 us row.
	mkfifo "$W/fifo"
	dd if="$W/fifo" of=/dev/null bs=1 count=1 2>/dev/null & rp=$!	# ash's read polls first
	bcc_start vfsreadlat --kprobe -p $rp 3 1
	(exec 3>"$W/fifo"; sleep 0.3; echo x >&3)
	wait $bcc_pid
	kill $rp 2>/dev/null
	bcc_check bcc_vfsreadlat_kprobe '^ +262144 -> 524287 +: 1 '

	# The lesson's own example: dd if=/dev/urandom of=/dev/null bs=8k count=5.
	bcc_start urandomread --kprobe
	dd if=/dev/urandom of=/dev/null bs=8k count=5 2>/dev/null & dp=$!; wait $dp
	bcc_stop
	bcc_check bcc_urandomread_kprobe " (dd|<\.\.\.>) +$dp +65536$" 5

	bcc_start task_switch --kprobe -d 1; wait $bcc_pid
	bcc_check bcc_task_switch_kprobe '^task_switch\[ *[0-9]+-> *[0-9]+\]=[0-9]+$'

	# The tracepoint variants too: the same .so, built against the host's
	# kernel types, relocated (CO-RE) to this kernel's.
	bcc_start hello_world; forks; bcc_stop
	bcc_check bcc_hello_world_tracepoint 'bpf_trace_printk: Hello, World!$' 3
	bcc_start task_switch -d 1; wait $bcc_pid
	bcc_check bcc_task_switch_tracepoint '^task_switch\[ *[0-9]+-> *[0-9]+\]=[0-9]+$'
fi

if [ -n "${BCC_OWN_SUMMARY:-}" ]; then
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	[ "$FAILED" = 0 ]
fi

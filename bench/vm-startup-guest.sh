#!/bin/sh
# The guest half of bench/vm-startup.sh (busybox ash, run by the VM tier's
# /init in guest-tests.sh's place): start-up of surftrace with three kprobe
# expressions (-S: compile, check names against available_filter_functions,
# print the definitions, exit), without and with its cache, beside bpftrace
# loading and attaching the equivalent kprobes and exiting; then exec to the
# first event and event latency on a kprobe (bench-latency --kprobe).
# Prints the figures and ratios, and a verdict line: one test per target.
ST=/surf/surftrace
export PATH=$PATH:/usr/bin	# the host programs SURF_VM_EXTRA brought (bpftrace)
BIN=/surf/bin
RUNS_S=${RUNS_S:-10}
RUNS_B=${RUNS_B:-3}
PASS=0 FAIL=0
verdict() { # verdict NAME OK-CONDITION-EXIT-STATUS MESSAGE
	if [ "$2" = 0 ]; then PASS=$((PASS + 1)); echo "ok $1: $3"
	else FAIL=$((FAIL + 1)); echo "FAIL $1: $3"; fi
}
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1;
		if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
# runs N CMD...: median wall time in us and median peak RSS in KiB ("us kib")
runs() {
	n=$1; shift
	out=$($BIN/bench-run "$n" "$@") || return 1
	echo "$(echo "$out" | awk '{ print $1 }' | median) $(echo "$out" | awk '{ print $2 }' | median)"
}
ms() { awk -v us="$1" 'BEGIN { printf "%.1f ms", us / 1000 }'; }

E1='p wake_up_new_task comm=%0->comm f:comm=="bash"'
E2='r do_filp_open pos=$retval->f_pos'
E3='p do_filp_open dfd=X%0 name=%1->name'
BT='kprobe:wake_up_new_task /((struct task_struct *)arg0)->comm == "bash"/ { printf("%s\n", ((struct task_struct *)arg0)->comm); }
kretprobe:do_filp_open { printf("%lld\n", ((struct file *)retval)->f_pos); }
kprobe:do_filp_open { printf("%x %s\n", arg0, str(((struct filename *)arg1)->name)); }
BEGIN { exit(); }'

echo "vm-bench: kernel $(uname -r); available_filter_functions: $(wc -l </sys/kernel/tracing/available_filter_functions) lines"
echo "vm-bench: surftrace -S:"
$ST -S "$E1" "$E2" "$E3" 2>&1 | sed 's/^/  /'
if ! command -v bpftrace >/dev/null; then
	echo "vm-bench: no bpftrace in the guest"; echo "0 passed, 1 failed, 0 skipped"; exit 0
fi
echo "vm-bench: bpftrace $(bpftrace --version 2>&1):"
bpftrace -e "$BT" </dev/null 2>&1 | sed 's/^/  /'

rm -rf /tmp/surf-cache
s_nc=$(SURFTRACE_CACHE= runs "$RUNS_S" $ST -S "$E1" "$E2" "$E3") || s_nc=
s_c=$(SURFTRACE_CACHE=/tmp/surf-cache runs "$RUNS_S" $ST -S "$E1" "$E2" "$E3") || s_c=
b=$(runs "$RUNS_B" bpftrace -e "$BT") || b=
echo
printf '%-40s %12s %10s\n' "start-up, 3 kprobe expressions" "wall" "peak RSS"
row() { [ -n "$2" ] && printf '%-40s %12s %7s KiB\n' "$1" "$(ms "${2% *}")" "${2#* }" ||
	printf '%-40s %12s\n' "$1" "failed"; }
row "surftrace -S, no cache" "$s_nc"
row "surftrace -S, cache warm" "$s_c"
row "bpftrace, kprobes + BEGIN { exit() }" "$b"
if [ -n "$s_nc" ] && [ -n "$s_c" ] && [ -n "$b" ]; then
	bu=${b% *}
	# The target is for runs after the first of a boot; the first fills
	# the caches (BTF read 4 KiB a call before 6.16, available_filter_functions).
	r=$(awk -v b="$bu" -v s="${s_nc% *}" 'BEGIN { printf "%.1f", b / s }')
	echo "note: without the cache (the first run of a boot) surftrace -S is 1/$r of bpftrace's"
	su=${s_c% *}
	r=$(awk -v b="$bu" -v s="$su" 'BEGIN { printf "%.1f", b / s }')
	[ $((su * 20)) -lt "$bu" ]; verdict vm_startup $? \
		"surftrace -S ($(ms "$su"), cache warm) is 1/$r of bpftrace's $(ms "$bu") (target: under 1/20)"
	verdict vm_startup_rss "$([ "${s_c#* }" -lt "${b#* }" ]; echo $?)" \
		"peak RSS ${s_c#* } KiB vs bpftrace's ${b#* } KiB"
else
	verdict vm_startup 1 "a run failed (see above)"
fi

# The first kprobe event of a boot reads /proc/kallsyms for its "func+0x0/0xe0"
# (~250 ms under this emulation) and keeps vmlinux's part in the cache: one
# run does it here, as any earlier run in the boot would have.
( sleep 1; echo warm > /tmp/warm ) &
SURFTRACE_CACHE=/tmp/surf-cache $ST -q -n 1 -t 5 'p ksys_write' >/dev/null
wait
echo
SURFTRACE_CACHE=/tmp/surf-cache $BIN/bench-latency $ST "${LAT_EVENTS:-20}" --kprobe
verdict vm_first_event_latency $? "bench-latency --kprobe (targets above)"
echo "$PASS passed, $FAIL failed, 0 skipped"

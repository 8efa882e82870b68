#!/bin/bash
# The kernel-probe tier (`make test-vm`, and a suite of `make test`): this
# machine's kernel has no kprobes, so boot Debian's 6.1 cloud kernel under
# qemu (TCG: nested KVM does not work here) with an initramfs made from the
# current build, run tests/vm/guest-tests.sh in it, and pass on its verdict.
#
#   scripts/vm/deps.sh       qemu-system-x86, busybox-static, cpio (apt, as root)
#   scripts/vm/kernel.sh     the kernel .deb, downloaded once into build/vm/
#   scripts/vm/initramfs.sh  busybox + our binaries + their libraries -> initrd.gz
#   tests/vm/init.sh         the guest's /init; tests/vm/guest-tests.sh the tests
#
# The guest's serial console goes to stdout and build/vm/guest.log.  The last
# line is "N passed, N failed, N skipped": the guest's own, or "0 passed,
# 1 failed" when it printed none (panic, crash, watchdog).  No qemu or no
# kernel package to be had: "skipped: REASON", "0 passed, 0 failed, 1 skipped".
# Environment: SURF_BUILD (build), SURF_VM_TIMEOUT (watchdog, 400 s),
# SURF_VM_KERNEL (a package name instead of the newest 6.1 cloud kernel),
# SURF_VM_SMP (guest CPUs, 2), SURF_VM_MEM (guest MiB, 1024), SURF_VM_DIR
# (work directory, BUILD/vm),
# SURF_VM_GUEST (a guest script run instead of tests/vm/guest-tests.sh, e.g.
# scripts/vm/record-graph.sh), SURF_VM_SERIAL2 (a file that gets what the
# guest writes to its second serial port, /dev/ttyS1: raw traces to keep).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BUILD=${SURF_BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
VM=${SURF_VM_DIR:-$BUILD/vm}
LOG=$VM/guest.log
TIMEOUT=${SURF_VM_TIMEOUT:-400}
SMP=${SURF_VM_SMP:-2}
MEM=${SURF_VM_MEM:-1024}
mkdir -p "$VM"
t_start=$(date +%s)

skip_all() { echo "skip vm"; echo "skipped: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
fail_all() {
	echo "FAIL vm"; for l in "$@"; do echo "  $l"; done
	echo "0 passed, 1 failed, 0 skipped"; exit 1
}

for b in surftrace examples/accept_monitor examples/exec_monitor; do
	[ -x "$BUILD/$b" ] || fail_all "$BUILD/$b is not built (run make first, or make test-vm)"
done

# Host tools and the guest kernel: when they cannot be had, skip (this
# machine has them; a machine without network to the mirror may not).
if ! bash scripts/vm/deps.sh; then
	skip_all "qemu-system-x86, busybox-static or cpio missing and not installable"
fi
for c in qemu-system-x86_64 busybox cpio gzip timeout; do
	command -v $c >/dev/null || skip_all "no $c"
done
if ! kernel=$(bash scripts/vm/kernel.sh "$VM"); then
	skip_all "cannot obtain Debian's 6.1 cloud kernel package (see above)"
fi
echo "vm: kernel $(cat "$VM/kernel/VERSION" 2>/dev/null)"

if ! out=$(bash scripts/vm/initramfs.sh "$BUILD" "$VM" 2>&1); then
	fail_all "building the initramfs failed:" "$out"
fi
echo "vm: initramfs $(du -k "$VM/initrd.gz" | cut -f1) KiB"

# The host's offsets for the line the guest also compiles: they differ (6.18
# here, 6.1 there), which is the point of compiling from each kernel's BTF.
host=$("$BUILD/surftrace" -S 'p wake_up_new_task comm=%0->comm u=S%0->mm->mm_users' 2>&1 | grep kprobe_events)
echo "vm: host offsets ($(uname -r)): ${host:-(none: $("$BUILD/surftrace" -S 'p wake_up_new_task' 2>&1 | tail -1))}"

# Boot.  -nographic puts the serial console on stdio; SeaBIOS's terminal
# escapes and the CRs are stripped so that the console and the log stay
# readable; the events the guest shows for each passed test ("#   " lines) go
# to the log only.  The watchdog ends qemu (and the run) if the guest hangs.
t_boot=$(date +%s)
# An explicit -serial replaces -nographic's default one: name both.
serial2=()
[ -n "${SURF_VM_SERIAL2:-}" ] && serial2=(-serial mon:stdio -serial "file:$SURF_VM_SERIAL2")
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg,thread=single -cpu max -smp "$SMP" -m "$MEM" \
	-nographic -no-reboot -nic none "${serial2[@]}" \
	-kernel "$kernel" -initrd "$VM/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1" </dev/null 2>&1 |
	sed -u -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' -e 's/\r//g' | tee "$LOG" |
	grep --line-buffered -v '^#   '
qrc=${PIPESTATUS[0]}
t_end=$(date +%s)
echo "vm: qemu exit $qrc; boot and tests $((t_end - t_boot)) s, whole tier $((t_end - t_start)) s; log $LOG"

verdict=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$LOG" | tail -1)
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "FAIL vm_watchdog"
	echo "  qemu still running after ${TIMEOUT} s: killed"
	[ -n "$verdict" ] && echo "  (after the guest's verdict: $verdict)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
if [ -z "$verdict" ]; then
	echo "FAIL vm_verdict"
	echo "  the guest printed no verdict (qemu exit $qrc): panic, crash or early failure; see $LOG"
	grep -E 'Kernel panic|BUG:|Oops' "$LOG" | head -5 | sed 's/^/  /'
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
# Repeat the guest's verdict so that it is the last such line of the suite.
echo "$verdict"
[ "$(echo "$verdict" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')" = 0 ]

#!/bin/bash
# The kernel-probe tier (`make test-vm`, and a suite of `make test`): this
# machine's kernel has no kprobes, so boot Debian kernels under qemu (TCG:
# nested KVM does not work here) with an initramfs made from the current
# build, run tests/vm/guest-tests.sh in each, and pass on their verdicts.
# The kernels: 6.1 and 6.12 for x86_64, 6.1 for arm64 (its programs
# cross-built statically by scripts/vm/arm64.sh).
#
#   scripts/vm/deps.sh       qemu, busybox-static, cpio, the arm64 cross compiler
#   scripts/vm/apt.sh        a private apt configuration under build/apt
#   scripts/vm/kernel.sh     a kernel .deb, downloaded once into build/vm/KERNEL/
#   scripts/vm/arm64.sh      the arm64 programs and busybox, into build/arm64/
#   scripts/vm/initramfs.sh  busybox + our binaries + their libraries -> initrd.gz
#   tests/vm/init.sh         the guest's /init; tests/vm/guest-tests.sh the tests
#
# Each guest's serial console goes to stdout and build/vm/KERNEL/guest.log,
# its test names prefixed with the kernel ("ok [6.12] kprobe_comm").  The
# last line sums the guests' "N passed, N failed, N skipped"; a guest that
# printed none (panic, crash, watchdog) counts as one failure.  No qemu or no
# kernel package to be had: that kernel is skipped with the reason.
# Environment: KERNELS or SURF_VM_KERNELS (the kernels, "6.1 6.12 6.1-arm64"),
# SURF_BUILD (build), SURF_VM_TIMEOUT (watchdog per kernel, 400 s; 3x for
# arm64), SURF_VM_KERNEL (a package name instead of the newest, with one
# kernel), SURF_VM_SMP (guest CPUs, 2), SURF_VM_MEM (guest MiB, 1024),
# SURF_VM_DIR (work directory, BUILD/vm), SURF_VM_GUEST (a guest script run
# instead of tests/vm/guest-tests.sh, e.g. scripts/vm/record-graph.sh),
# SURF_VM_SERIAL2 (a file that gets what the guest writes to its second
# serial port, /dev/ttyS1: raw traces to keep).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BUILD=${SURF_BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
VM=${SURF_VM_DIR:-$BUILD/vm}
KERNELS=${KERNELS:-${SURF_VM_KERNELS:-6.1 6.12 6.1-arm64}}
SMP=${SURF_VM_SMP:-2}
MEM=${SURF_VM_MEM:-1024}
mkdir -p "$VM"
t_start=$(date +%s)
P=0 F=0 S=0

# skip_kernel ID REASON, fail_kernel ID LINES...: that kernel's verdict.
skip_kernel() { echo "skip vm [$1]"; echo "  skipped: $2"; S=$((S + 1)); }
fail_kernel() {
	local id=$1
	shift
	echo "FAIL vm [$id]"; for l in "$@"; do echo "  $l"; done
	F=$((F + 1))
}

for b in surftrace examples/accept_monitor examples/exec_monitor; do
	if [ ! -x "$BUILD/$b" ]; then
		fail_kernel all "$BUILD/$b is not built (run make first, or make test-vm)"
		echo "0 passed, 1 failed, 0 skipped"; exit 1
	fi
done

# Host tools: when they cannot be had, skip (this machine has them; a
# machine without network to the mirror may not).
deps_ok=true
bash scripts/vm/deps.sh || deps_ok=false

# run_kernel ID: boot kernel ID with its initramfs, count its guest's verdict.
run_kernel() {
	local id=$1 dir=$VM/$1 kernel arch qemu bin build timeout log out host qrc verdict
	local -a machine env=()
	$deps_ok || { skip_kernel "$id" "qemu, busybox-static, cpio or the arm64 cross compiler missing and not installable"; return; }
	if ! kernel=$(bash scripts/vm/kernel.sh "$VM" "$id"); then
		skip_kernel "$id" "cannot obtain Debian's $id kernel package (see above)"
		return
	fi
	arch=$(cat "$dir/kernel/ARCH")
	echo "vm [$id]: kernel $(cat "$dir/kernel/VERSION" 2>/dev/null)"
	timeout=${SURF_VM_TIMEOUT:-400}
	case $arch in
	x86_64)
		qemu=qemu-system-x86_64 build=$BUILD
		machine=(-accel tcg,thread=single -cpu max)
		console=ttyS0
		;;
	aarch64)
		qemu=qemu-system-aarch64 build=$BUILD/arm64
		# TCG emulates every instruction of another architecture: slower.
		machine=(-accel tcg,thread=multi -machine virt -cpu max)
		console=ttyAMA0
		timeout=$((timeout * 3))
		if ! out=$(bash scripts/vm/arm64.sh "$BUILD" 2>&1); then
			fail_kernel "$id" "cross-building the arm64 programs failed:" "$out"
			return
		fi
		env=(CC_VM=aarch64-linux-gnu-gcc SURF_VM_BUSYBOX=$build/busybox)
		;;
	esac
	for c in $qemu busybox cpio gzip timeout; do
		command -v $c >/dev/null || { skip_kernel "$id" "no $c"; return; }
	done
	# The type database's file for this kernel, made from its image: the
	# guest hides its own BTF and uses this; here it gives the offsets the
	# guest must compute.
	rm -f "$dir/db.btf"
	if ! out=$("$BUILD/surftrace" --gen-btf "$kernel" "$dir/db.btf" 2>&1); then
		fail_kernel "$id" "surftrace --gen-btf $kernel failed:" "$out"
		return
	fi
	echo "vm [$id]: $out"
	env+=(SURF_VM_BTF="$dir/db.btf")
	# The self-built module, against this kernel's headers (x86_64 only:
	# Debian's arm64 headers come with arm64 build tools).
	rm -rf "$dir/module"
	if [ "$arch" = x86_64 ]; then
		if out=$(SURF_BUILD=$BUILD bash scripts/vm/module.sh "$dir" "$dir/db.btf" 2>&1); then
			echo "$out" | tail -1 | sed "s/^vm:/vm [$id]:/"
		else
			fail_kernel "$id" "building the test module failed:" "$out"
		fi
	fi
	if ! out=$(env "${env[@]}" bash scripts/vm/initramfs.sh "$build" "$dir" 2>&1); then
		fail_kernel "$id" "building the initramfs failed:" "$out"
		return
	fi
	echo "vm [$id]: initramfs $(du -k "$dir/initrd.gz" | cut -f1) KiB"

	# Boot.  -nographic puts the serial console on stdio; the firmware's
	# terminal escapes and the CRs are stripped so that the console and the
	# log stay readable; the events the guest shows for each passed test
	# ("#   " lines) go to the log only.  The watchdog ends qemu (and the
	# run) if the guest hangs.  An explicit -serial replaces -nographic's
	# default one: name both.
	log=$dir/guest.log
	local t_boot t_end serial2=()
	t_boot=$(date +%s)
	[ -n "${SURF_VM_SERIAL2:-}" ] && serial2=(-serial mon:stdio -serial "file:$SURF_VM_SERIAL2")
	timeout -k 10 "$timeout" $qemu "${machine[@]}" -smp "$SMP" -m "$MEM" \
		-nographic -no-reboot -nic none "${serial2[@]}" \
		-kernel "$kernel" -initrd "$dir/initrd.gz" \
		-append "console=$console quiet panic=-1" </dev/null 2>&1 |
		sed -u -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' -e 's/\r//g' | tee "$log" |
		grep --line-buffered -v '^#   ' | sed -u -E "s/^(ok|FAIL|skip) /\1 [$id] /"
	qrc=${PIPESTATUS[0]}
	t_end=$(date +%s)
	echo "vm [$id]: qemu exit $qrc; boot and tests $((t_end - t_boot)) s; log $log"

	verdict=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -1)
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		fail_kernel "$id" "qemu still running after ${timeout} s: killed" \
			${verdict:+"(after the guest's verdict: $verdict)"}
		return
	fi
	if [ -z "$verdict" ]; then
		fail_kernel "$id" "the guest printed no verdict (qemu exit $qrc): panic, crash or early failure; see $log" \
			"$(grep -E 'Kernel panic|BUG:|Oops' "$log" | head -5)"
		return
	fi
	read -r p _ f _ s _ <<<"$(echo "$verdict" | tr -d ,)"
	P=$((P + p)) F=$((F + f)) S=$((S + s))

	# This machine computes that kernel's offsets from the file as the guest
	# did from its own BTF ("vm: offsets RELEASE ARCH: EXPR -> DEFINITION").
	local e want got bad=""
	for e in 'p wake_up_new_task comm=%0->comm' 'r do_filp_open pos=$retval->f_pos'; do
		want=$(grep -F "vm: offsets " "$log" | grep -F ": $e -> " | sed 's/.* -> //')
		got=$("$BUILD/surftrace" -d "$dir/db.btf" -a "$arch" -S "$e" 2>&1 | grep kprobe_events |
		      sed "s/^echo '\(.*\)' >> .*/\1/")
		echo "vm [$id]: $e -> guest: ${want:-(none)}; here from db.btf: ${got:-(none)}"
		[ -n "$want" ] && [ "$want" = "$got" ] || bad="$bad '$e'"
	done
	if [ -z "$bad" ]; then echo "ok [$id] host_offsets_from_db_equal_guest"; P=$((P + 1))
	else fail_kernel "$id" "offsets of$bad computed here from db.btf differ from the guest's"; fi
}

# The host's offsets for the line the guests also compile: they differ (6.18
# here), which is the point of compiling from each kernel's BTF.
host=$("$BUILD/surftrace" -S 'p wake_up_new_task comm=%0->comm u=S%0->mm->mm_users' 2>&1 | grep kprobe_events)
echo "vm: host offsets ($(uname -r)): ${host:-(none: $("$BUILD/surftrace" -S 'p wake_up_new_task' 2>&1 | tail -1))}"
for k in $KERNELS; do
	run_kernel "$k"
done
echo "vm: kernels $KERNELS; whole tier $(($(date +%s) - t_start)) s"
echo "$P passed, $F failed, $S skipped"
[ "$F" = 0 ]

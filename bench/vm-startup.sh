#!/bin/bash
# Start-up of surftrace with kprobe expressions beside bpftrace, in the VM
# tier's guest (Debian's 6.1 kernel under qemu: this machine has no kprobes),
# where available_filter_functions is in play (issue 14):
#
#   bench/vm-startup.sh          (or: make bench-vm)
#
# Boots the VM tier's kernel with an initramfs that also holds the host's
# bpftrace and its libraries (about 200 MiB: 2 GiB of guest memory) and runs
# bench/vm-startup-guest.sh in the tests' place.  Under TCG emulation every
# figure is many times the host's: read the ratios.  Exits non-zero when a
# target is missed or the guest could not run it.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
VM=$BUILD/vm-bench
BT=$(command -v bpftrace) || { echo "bench: no bpftrace on this machine (apt install bpftrace)" >&2; exit 1; }
[ -x "$BUILD/surftrace" ] || { echo "bench: $BUILD/surftrace is missing: run make first" >&2; exit 1; }
# The guest has no compiler: the two bench programs, static, beside the VM helpers.
mkdir -p "$VM/6.1/bin"
gcc -static -O2 -Wall -o "$VM/6.1/bin/bench-run" bench/runner.c || exit 1
gcc -static -O2 -Wall -o "$VM/6.1/bin/bench-latency" bench/latency.c || exit 1
# The VM tier's kernel download is shared with the tests' work directory.
if [ ! -s "$VM/6.1/kernel/vmlinuz" ] && [ -s "$BUILD/vm/6.1/kernel/vmlinuz" ]; then
	cp -r "$BUILD/vm/6.1/kernel" "$VM/6.1/"
fi
KERNELS=6.1 SURF_BUILD=$BUILD SURF_VM_DIR=$VM SURF_VM_GUEST=bench/vm-startup-guest.sh \
	SURF_VM_EXTRA="$BT" SURF_VM_MEM=${SURF_VM_MEM:-2048} SURF_VM_TIMEOUT=${SURF_VM_TIMEOUT:-900} \
	bash scripts/vm/run.sh

#!/bin/bash
# The guest's initramfs, from the current build: static busybox as /bin/*,
# build/surftrace, build/surfgraph (when built), build/examples/*,
# build/helpers/* and the static VM helpers under /surf, every shared library
# they load (ldd) at its host path plus the dynamic loader, tests/vm/init.sh
# as /init and tests/vm/guest-tests.sh.  Usage: initramfs.sh BUILD VM-DIR;
# writes VM-DIR/initrd.gz.  SURF_VM_EXTRA: more host programs (paths,
# space-separated) copied at their host path with their libraries (the
# VM benchmark's bpftrace).  For another architecture: BUILD holds its
# static binaries (scripts/vm/arm64.sh), SURF_VM_BUSYBOX its busybox, CC_VM
# its compiler.
set -eu
BUILD=$1 VM=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
R=$VM/root
CC=${CC_VM:-gcc}

# The static helpers (the guest has no compiler), rebuilt when their source changes.
mkdir -p "$VM/bin"
build_static() { # build_static OUT SRC [FLAGS...]
	local out=$VM/bin/$1 src=$SRC/tests/vm/$2; shift 2
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		$CC -static -O1 -Wall -Wextra "$@" -o "$out" "$src"
	fi
}
build_static surfprobe-child surfprobe_child.c -pthread
build_static tcp_accept tcp_accept.c
build_static udp_send udp_send.c
build_static hwbp hwbp.c

rm -rf "$R"
mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,run,etc,surf/examples,surf/helpers,surf/bin}
BB=${SURF_VM_BUSYBOX:-$(command -v busybox)}
cp "$BB" "$R/bin/busybox"
# The applets, from this machine's busybox (the guest's may not run here).
for a in $(busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$R/bin/$a"
done

bins=("$BUILD/surftrace")
cp "$BUILD/surftrace" "$R/surf/"
if [ -x "$BUILD/surfgraph" ]; then
	cp "$BUILD/surfgraph" "$R/surf/"
	bins+=("$BUILD/surfgraph")
fi
for f in "$BUILD"/examples/* "$BUILD"/helpers/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	d=$R/surf/$(basename "$(dirname "$f")")
	cp "$f" "$d/"
	bins+=("$f")
done
cp "$VM"/bin/* "$R/surf/bin/"
for f in ${SURF_VM_EXTRA:-}; do
	mkdir -p "$R$(dirname "$f")"
	cp -L "$f" "$R$f"
	bins+=("$f")
done

# The bcc lessons and their BPF .so files, for their --kprobe variants.
if [ -d "$BUILD/examples/bcc" ]; then
	mkdir -p "$R/surf/bcc"
	for f in "$BUILD"/examples/bcc/*; do
		[ -f "$f" ] || continue
		cp "$f" "$R/surf/bcc/"
		[ -x "$f" ] && [[ "$f" != *.so ]] && bins+=("$f")
	done
	cp "$SRC/examples/bcc/guest_kprobes.sh" "$R/surf/bcc/"
fi
# Shared libraries at the paths ldd names (the guest's loader searches the
# same default directories), and the loader itself.
for lib in $(for b in "${bins[@]}"; do ldd "$b" 2>/dev/null; done |
	     awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u); do
	mkdir -p "$R$(dirname "$lib")"
	cp -L "$lib" "$R$lib"
done

# capstone: surftrace loads it with dlopen when it first disassembles (-F, a
# probe offset checked), so ldd does not name it.  A dynamic build only (the
# arm64 programs are static: they have no disassembler).
if ldd "$BUILD/surftrace" >/dev/null 2>&1; then
	for lib in $(ldconfig -p | awk '$1 ~ /^libcapstone\.so\.[0-9]+$/ && $NF ~ /^\// { print $NF }'); do
		mkdir -p "$R$(dirname "$lib")"
		cp -L "$lib" "$R$lib"
	done
fi

cp "$SRC/tests/vm/init.sh" "$R/init"
cp "$SRC/tests/vm/guest-tests.sh" "$R/surf/guest-tests.sh"
# Other suites' guest tests (sourced by guest-tests.sh): surfgraph, BPF tools...
for g in "$SRC"/tests/vm/guest-*.sh; do
	cp "$g" "$R/surf/"
done
# SURF_VM_GUEST: another script in guest-tests.sh's place (a recording, not the tests).
[ -n "${SURF_VM_GUEST:-}" ] && cp "$SURF_VM_GUEST" "$R/surf/guest-tests.sh"
chmod 755 "$R/init" "$R"/surf/guest-*.sh
# The self-built module (scripts/vm/module.sh), when it was built.
if [ -d "$VM/module" ]; then
	for k in btf dwarf; do
		[ -f "$VM/module/$k/surfmod.ko" ] || continue
		mkdir -p "$R/surf/module/$k"
		cp "$VM/module/$k/surfmod.ko" "$R/surf/module/$k/"
	done
fi
# SURF_VM_BTF: the kernel's BTF file for the type database's default place.
if [ -n "${SURF_VM_BTF:-}" ]; then
	mkdir -p "$R/usr/lib/surftrace/btf"
	cp "$SURF_VM_BTF" "$R/usr/lib/surftrace/btf/$(cat "$VM/kernel/VERSION" | awk '{ print $3 }').btf"
fi
echo "root:x:0:0:root:/:/bin/sh" > "$R/etc/passwd"
echo "root:x:0:" > "$R/etc/group"
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$VM/initrd.gz.tmp"
mv "$VM/initrd.gz.tmp" "$VM/initrd.gz"

#!/bin/bash
# The arm64 guest's programs: surftrace, surfgraph, the examples and the
# test helpers cross-built with Debian's gcc-aarch64-linux-gnu, linked
# statically (the guest is busybox and our binaries, nothing else), against
# the field's libraries taken from Debian's arm64 -dev packages: downloaded
# through the private apt configuration (scripts/vm/apt.sh) and unpacked
# into BUILD/arm64-sysroot, without adding arm64 to this machine's dpkg.
# busybox comes from busybox-static:arm64.  Writes BUILD/arm64/.
#   arm64.sh BUILD
set -eu
BUILD=${1:?usage: arm64.sh BUILD}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
SR=$BUILD/arm64-sysroot
OUT=$BUILD/arm64
CROSS=aarch64-linux-gnu-
PKGS="libbpf-dev libelf-dev libdw-dev zlib1g-dev liblzma-dev libbz2-dev liblz4-dev libzstd-dev libtraceevent-dev
systemtap-sdt-dev busybox-static"
command -v ${CROSS}gcc >/dev/null || { echo "arm64.sh: no ${CROSS}gcc (gcc-aarch64-linux-gnu)" >&2; exit 1; }

# The sysroot, once (a list of what it holds says whether it is complete).
if [ "$(cat "$SR/.packages" 2>/dev/null)" != "$(echo $PKGS)" ]; then
	rm -rf "$SR" "$SR.debs"
	pkgs=()
	for p in $PKGS; do pkgs+=("$p:arm64"); done
	echo "vm: arm64 sysroot: $PKGS" >&2
	bash "$SRC/scripts/vm/apt.sh" "$BUILD" download "$SR.debs" "${pkgs[@]}"
	mkdir -p "$SR"
	for d in "$SR.debs"/*.deb; do dpkg-deb -x "$d" "$SR"; done
	rm -rf "$SR.debs"
	echo $PKGS >"$SR/.packages"
fi
mkdir -p "$OUT"
cp "$SR/bin/busybox" "$OUT/busybox"

# The same Makefile, another compiler and build directory; everything static.
LIBDIR=$SR/usr/lib/aarch64-linux-gnu
make -s -C "$SRC" BUILD="$OUT" CC=${CROSS}gcc \
	CPPFLAGS="-isystem $SR/usr/include -isystem $SR/usr/include/aarch64-linux-gnu" \
	LDFLAGS="-static -L$LIBDIR" \
	PROG_LIBS="-lbpf -ltraceevent -ldw -lelf -lz -llzma -lbz2 -llz4 -lzstd" \
	LIBS="-lbpf -ltraceevent -ldw -lelf -lz -llzma -lbz2" \
	"$OUT/surftrace" "$OUT/surfgraph" \
	$(cd "$SRC" && ls examples/*.c | sed "s|^examples/\(.*\)\.c$|$OUT/examples/\1|") \
	$(cd "$SRC" && ls tests/helpers/*.c | sed "s|^tests/helpers/\(.*\)\.c$|$OUT/helpers/\1|") \
	2>&1 | grep -v "statically linked applications requires at runtime" |
	grep -v "^/usr/lib/gcc-cross/.*: in function" || true
for b in surftrace surfgraph; do
	[ -x "$OUT/$b" ] || { echo "arm64.sh: $OUT/$b was not built" >&2; exit 1; }
done

#!/bin/bash
# tests/vm/module/surfmod.c built for a VM tier kernel, against Debian's
# matching linux-headers packages (downloaded once through scripts/vm/apt.sh
# and unpacked into VM-DIR/headers, not installed): once with BTF (pahole
# over the kernel's BTF, which kbuild takes from the headers' vmlinux: the
# type database file, DB.btf) and once with only DWARF.  Writes
# VM-DIR/module/btf/surfmod.ko and VM-DIR/module/dwarf/surfmod.ko.
#   module.sh VM-DIR DB.btf      (VM-DIR/kernel/VERSION names the kernel)
set -eu
VM=$(cd "${1:?usage: module.sh VM-DIR DB.btf}" && pwd)
DB=${2:?usage: module.sh VM-DIR DB.btf}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${SURF_BUILD:-$SRC/build}
read -r pkg version release <"$VM/kernel/VERSION"
H=$VM/headers
KDIR=$H/usr/src/linux-headers-$release
OUT=$VM/module

# Complete when kbuild's scripts are there through the headers' symlink.
if [ ! -f "$KDIR/Makefile" ] || [ ! -f "$KDIR/scripts/Makefile.build" ]; then
	rm -rf "$H" "$H.debs"
	# The headers of this flavour name the common headers and kbuild they need.
	flavour="linux-headers-$release"
	bash "$SRC/scripts/vm/apt.sh" "$BUILD" download "$H.debs" "$flavour:amd64=$version"
	deps=$(dpkg-deb -f "$H.debs"/*.deb Depends | tr ',|' '\n\n' |
	       sed -n 's/^ *\(linux-\(headers\|kbuild\)-[^ ]*\)\( (\(>*=\) \([^)]*\))\)\{0,1\}.*/\1 \4 \5/p' |
	       while read -r n op v; do
		       if [ "$op" = "=" ]; then echo "$n:amd64=$v"; else echo "$n:amd64"; fi
	       done | sort -u)
	# shellcheck disable=SC2086
	bash "$SRC/scripts/vm/apt.sh" "$BUILD" download "$H.debs" $deps
	mkdir -p "$H"
	for d in "$H.debs"/*.deb; do dpkg-deb -x "$d" "$H"; done
	rm -rf "$H.debs"
fi
[ -f "$KDIR/Makefile" ] || { echo "module.sh: no $KDIR/Makefile after unpacking" >&2; exit 1; }
# The flavour's Makefile includes the common one by its installed path.
sed -i "s|^include .*/usr/src/|include $H/usr/src/|" "$KDIR/Makefile"
# kbuild calls resolve_btfids after pahole; the headers do not ship it and
# surfmod has no BTF ids to resolve.
R=$KDIR/tools/bpf/resolve_btfids/resolve_btfids
if [ ! -x "$R" ]; then
	mkdir -p "$(dirname "$R")"
	printf '#!/bin/sh\nexit 0\n' >"$R"
	chmod 755 "$R"
fi

for kind in btf dwarf; do
	rm -rf "$OUT/$kind" && mkdir -p "$OUT/$kind"
	cp "$SRC/tests/vm/module/surfmod.c" "$SRC/tests/vm/module/Kbuild" "$OUT/$kind/"
	# kbuild makes a module's BTF over "vmlinux" in the headers' directory
	# when there is one, and says it skips it otherwise.
	if [ $kind = btf ]; then cp "$DB" "$KDIR/vmlinux"; else rm -f "$KDIR/vmlinux"; fi
	make -s -C "$KDIR" M="$OUT/$kind" modules >"$OUT/$kind/build.log" 2>&1 ||
		{ echo "module.sh: building surfmod ($kind) failed:" >&2; tail -20 "$OUT/$kind/build.log" >&2
		  exit 1; }
done
rm -f "$KDIR/vmlinux"
readelf -S "$OUT/btf/surfmod.ko" | grep -q ' \.BTF ' ||
	{ echo "module.sh: the btf build has no .BTF section" >&2; cat "$OUT/btf/build.log" >&2; exit 1; }
! readelf -S "$OUT/dwarf/surfmod.ko" | grep -q ' \.BTF ' ||
	{ echo "module.sh: the dwarf build has a .BTF section" >&2; exit 1; }
echo "vm: surfmod.ko for $release: with BTF and with DWARF only"

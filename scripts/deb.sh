#!/bin/bash
# make deb: build/surftrace_VERSION_ARCH.deb, one binary package with the
# programs, libsurf (shared and static), its headers, libsurf.pc, lbc.h and
# the man pages, staged by `make install DESTDIR=build/deb/root PREFIX=/usr`.
#
# Depends: is what dpkg-shlibdeps computes for every ELF file in the package,
# plus what the package runs or includes at run time that no ELF file links:
# surfcc runs clang, for the BPF object and (when no cc or gcc is there)
# for linking the .so around it, so clang is the only compiler needed;
# lbc.h includes libbpf's <bpf/*.h> and <linux/types.h>; and the -dev
# package of each pkg-config module libsurf.pc requires (pkg-config resolves
# Requires.private even for --cflags, so a .pc naming a missing module fails).
# Recommends: bpftool (minimal BTF in surfcc's .so), llvm (llvm-strip),
# pkg-config.  Prints the path of the .deb.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
D=$BUILD/deb
S=$D/root

for t in dpkg-deb dpkg-shlibdeps dpkg-gencontrol; do
	command -v $t >/dev/null || { echo "deb.sh: no $t (apt-get install dpkg-dev)" >&2; exit 1; }
done
VERSION=$(sed -n 's/^#define SURF_VERSION "\(.*\)"$/\1/p' include/surf/api.h)
[ -n "$VERSION" ] || { echo "deb.sh: no SURF_VERSION in include/surf/api.h" >&2; exit 1; }
ARCH=$(dpkg --print-architecture)
# Maintainer: $DEBFULLNAME <$DEBEMAIL> as dch takes it, or git's identity.
name=${DEBFULLNAME:-$(git config user.name 2>/dev/null || true)}
mail=${DEBEMAIL:-$(git config user.email 2>/dev/null || true)}
MAINT="${name:-surftrace developers} <${mail:-surftrace@localhost}>"

rm -rf "$D"
mkdir -p "$S"
$MAKE -s install DESTDIR="$ROOT/$S" PREFIX=/usr BUILD="$BUILD" >/dev/null

# Debian's rules for what ships: man pages compressed, a copyright file,
# no debug info in the programs (dpkg-shlibdeps reads them either way).
find "$S/usr/share/man" -type f ! -name '*.gz' -exec gzip -9n {} + 2>/dev/null || true
find "$S/usr/share/man" -type l ! -name '*.gz' 2>/dev/null | while read -r l; do
	ln -sf "$(readlink "$l").gz" "$l.gz" && rm "$l"
done
mkdir -p "$S/usr/share/doc/surftrace"
{
	echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
	echo "Upstream-Name: surftrace"
	echo
	echo "Files: *"
	echo "Copyright: $(date -u +%Y) the surftrace authors"
	echo "License: MIT"
} >"$S/usr/share/doc/surftrace/copyright"
# A native package's changelog: this build.
{
	echo "surftrace ($VERSION) unstable; urgency=medium"
	echo
	echo "  * Built by make deb from $(git describe --always --dirty 2>/dev/null || echo a tree)."
	echo
	echo " -- $MAINT  $(date -R)"
} | gzip -9n >"$S/usr/share/doc/surftrace/changelog.gz"
# One package by design (the issue asks for surftrace_*.deb), not Debian's
# split into libsurf0, libsurf-dev and surftrace; and libsurf.pc is in
# /usr/lib/pkgconfig, where `make install PREFIX=/usr` puts it, not in the
# multiarch directory a cross pkg-config reads.
mkdir -p "$S/usr/share/lintian/overrides"
cat >"$S/usr/share/lintian/overrides/surftrace" <<'OVR'
surftrace: pkg-config-unavailable-for-cross-compilation [usr/lib/pkgconfig/libsurf.pc]
surftrace: package-name-doesnt-match-sonames libsurf0
surftrace: link-to-shared-library-in-wrong-package *
OVR

elfs=()
while IFS= read -r f; do
	case $(head -c4 "$f" | od -An -c | tr -d ' ') in
	177ELF) elfs+=("$f") ;;
	esac
done < <(find "$S" -type f \( -perm -u+x -o -name '*.so*' \) ! -name '*.a' | sort)
[ ${#elfs[@]} -gt 0 ] || { echo "deb.sh: make install staged no program or library" >&2; exit 1; }
if command -v strip >/dev/null; then
	for f in "${elfs[@]}"; do
		case $f in
		*.so*) strip --strip-unneeded --remove-section=.comment "$f" ;;
		*) strip --remove-section=.comment "$f" ;;
		esac
	done
fi

# The shlibs file: other packages linking libsurf.so.0 depend on this one.
mkdir -p "$S/DEBIAN"
lib=$(find "$S/usr/lib" -name 'libsurf.so.*' -type f | head -1)
soname=$( [ -n "$lib" ] && objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')
if [ -n "$soname" ]; then
	# libsurf.so.0 -> "libsurf 0"
	echo "${soname%%.so.*} ${soname##*.so.} surftrace (>= $VERSION)" >"$S/DEBIAN/shlibs"
	echo "activate-noawait ldconfig" >"$S/DEBIAN/triggers"
fi

# dpkg-shlibdeps wants a source tree: debian/control, and the package's
# files under debian/surftrace/ (so that libsurf.so.0 is found as ours).
mkdir -p "$D/src/debian"
ln -s ../../root "$D/src/debian/surftrace"
printf 'Source: surftrace\n\nPackage: surftrace\nArchitecture: any\n' >"$D/src/debian/control"
rel=()
for f in "${elfs[@]}"; do rel+=("debian/surftrace/${f#"$S"/}"); done
shlibs=$(cd "$D/src" && dpkg-shlibdeps -O -xsurftrace "${rel[@]}" 2>"$ROOT/$D/shlibdeps.log") || {
	echo "deb.sh: dpkg-shlibdeps failed:" >&2; cat "$D/shlibdeps.log" >&2; exit 1; }
shlibs=${shlibs#shlibs:Depends=}

# The -dev package of each module libsurf.pc requires, found by the .pc
# file that provides it on this machine.
pcdeps=""
pc=$(find "$S" -name libsurf.pc | head -1)
if [ -n "$pc" ]; then
	mods=$(sed -n 's/^Requires\(\.private\)\?:\(.*\)/\2/p' "$pc" |
		tr ',' ' ' | tr ' ' '\n' | sed -n 's/^\([A-Za-z0-9_.+-]*\).*/\1/p' | grep -v '^$' | sort -u)
	for m in $mods; do
		f=$(pkg-config --path "$m" 2>/dev/null) || f=""
		p=$( [ -n "$f" ] && dpkg -S "$(readlink -f "$f")" 2>/dev/null | head -1 | cut -d: -f1)
		[ -n "$p" ] || { echo "deb.sh: libsurf.pc requires $m: no Debian package has $m.pc here" >&2; exit 1; }
		case " $pcdeps " in *" $p "*) ;; *) pcdeps="$pcdeps $p" ;; esac
	done
fi

# capstone is dlopen()ed when first needed (src/lib/elf/disasm.c): no ELF
# file names it, so dpkg-shlibdeps cannot see it.  The package of the
# soname libsurf was built against.
major=$(sed -n 's/^#define CS_API_MAJOR \([0-9]*\).*/\1/p' /usr/include/capstone/capstone.h)
cs=$(ldconfig -p | awk -v so="libcapstone.so.$major" '$1 == so { print $NF; exit }')
cspkg=$([ -n "$cs" ] && dpkg -S "$(readlink -f "$cs")" 2>/dev/null | head -1 | cut -d: -f1)
[ -n "$cspkg" ] || { echo "deb.sh: no package has libcapstone.so.$major here" >&2; exit 1; }
depends="$shlibs, $cspkg, clang, libbpf-dev, linux-libc-dev"
for p in $pcdeps; do
	case ", $depends, " in *", $p, "*) ;; *) depends="$depends, $p" ;; esac
done

size=$(du -sk --exclude=DEBIAN "$S" | cut -f1)
cat >"$S/DEBIAN/control" <<CTRL
Package: surftrace
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINT
Installed-Size: $size
Depends: $depends
Recommends: bpftool, llvm, pkg-config
Section: devel
Priority: optional
Description: tracing toolkit: tracefs probes from one-line expressions
 surftrace traces kernel and user functions, tracepoints and USDT probes
 from a one-line expression (kprobes, uprobes and events through tracefs,
 with BTF and DWARF types for struct members); surfgraph draws call graphs;
 surfcc compiles a BPF program that includes lbc.h into a .so for clcc.
 .
 This package has the programs, libsurf (shared and static), its headers,
 libsurf.pc for pkg-config, and the man pages.
CTRL

out=$BUILD/surftrace_${VERSION}_$ARCH.deb
rm -f "$BUILD"/surftrace_*.deb
dpkg-deb --root-owner-group -Zxz --build "$S" "$out" >/dev/null
dpkg-deb -I "$out" >/dev/null
if command -v lintian >/dev/null; then
	lintian --tag-display-limit 0 "$out" >&2 || true
fi
echo "$out"

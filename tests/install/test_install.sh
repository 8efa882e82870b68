#!/bin/bash
# `make install` into a DESTDIR, as a user of the installed tree sees it: the
# files, libsurf's soname and exported symbols, a C11 and a C++ program built
# from the installed headers with pkg-config, surfcc finding lbc.h with no
# environment variable, and `make uninstall` removing every file it wrote.
source "$(dirname "$0")/../cli/lib.sh"
cd "$ROOT" || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
D=$TMP/dest
P=/usr
export -n SURF_ROOT SURFCC_LBC_DIR

# The tree is built; install must not rebuild it with other flags.
if ! out=$(make -s install DESTDIR="$D" PREFIX=$P 2>&1); then
	fail make_install "$out"; summary; exit
fi
if grep -q ' CC ' <<<"$out"; then fail install_does_not_rebuild "$out"
else pass install_does_not_rebuild; fi

missing=""
for f in bin/surftrace bin/surfgraph bin/surfcc lib/libsurf.a lib/libsurf.so lib/libsurf.so.0 \
	 lib/pkgconfig/libsurf.pc include/clcc.h include/surf/api.h include/surf/engine.h \
	 include/surf/expr.h include/surf/clcc.h share/surftrace/bpf/lbc.h \
	 share/man/man1/surftrace.1 share/man/man1/surfgraph.1 share/man/man1/surfcc.1; do
	[ -e "$D$P/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then pass install_file_list
else fail install_file_list "missing:$missing"; fi
[ "$(readlink "$D$P/lib/libsurf.so")" = libsurf.so.0 ] && [ -f "$D$P/lib/$(readlink "$D$P/lib/libsurf.so.0")" ] &&
	pass install_symlinks || fail install_symlinks "$(ls -l "$D$P"/lib/libsurf.so*)"

so=$D$P/lib/libsurf.so.0
soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libsurf.so.0 ] && pass soname || fail soname "soname '$soname'"
# Exported: only the API (surf_*, clcc_*) and the version node.
others=$(nm -D --defined-only "$so" | awk '{ print $3 }' | grep -vE '^(surf_|clcc_)|^LIBSURF_0$')
count=$(nm -D --defined-only "$so" | grep -cE ' (surf_|clcc_)')
if [ -z "$others" ] && [ "$count" -gt 50 ]; then pass "only_api_exported ($count functions)"
else fail only_api_exported "non-API symbols: $(echo $others | head -c 400)" "API symbols: $count"; fi
# Every SURF_API declaration is exported, and nothing else.
declared=$(grep -rhoE 'SURF_API [^(]*\b(surf_[a-z0-9_]+|clcc_[a-z0-9_]+)\(' include/surf/*.h |
	grep -oE '(surf|clcc)_[a-z0-9_]+\($' | tr -d '(' | sort -u)
exported=$(nm -D --defined-only "$so" | awk '{ print $3 }' | sed 's/@.*//' | grep -vx LIBSURF_0 | sort -u)
diffs=$(comm -3 <(echo "$declared") <(echo "$exported") | tr -s ' \t' ' ')
[ -z "$diffs" ] && pass exports_match_declarations || fail exports_match_declarations "$diffs"

export PKG_CONFIG_PATH=$D$P/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D
cflags=$(pkg-config --cflags libsurf) libs=$(pkg-config --libs libsurf)
[ "$(pkg-config --modversion libsurf)" = "$(sed -n 's/^#define SURF_VERSION "\(.*\)"/\1/p' include/surf/api.h)" ] &&
	pass pkgconfig_version || fail pkgconfig_version "$(pkg-config --modversion libsurf)"
cat >"$TMP/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <surf/api.h>
#include <surf/arch.h>
#include <surf/bpf.h>
#include <surf/disasm.h>
#include <surf/elf.h>
#include <surf/elflist.h>
#include <surf/engine.h>
#include <surf/expr.h>
#include <surf/graph.h>
#include <surf/log.h>
#include <surf/out.h>
#include <surf/script.h>
#include <surf/syms.h>
#include <surf/tracefs.h>
#include <surf/types.h>
#include <surf/usdt.h>
#include <clcc.h>

/* libbpf-tools' trace_helpers.h defines this: clcc.h must not clash with it. */
struct ksym {
	const char *name;
	unsigned long addr;
};

int main(void)
{
	struct ksym k = { "x", 1 };

	(void)k;
	printf("libsurf %s, headers %s\n", surf_version(), SURF_VERSION);
	return strcmp(surf_version(), SURF_VERSION) != 0;
}
C
if cc -Wall -Wextra -Werror -std=c11 $cflags -o "$TMP/prog" "$TMP/prog.c" $libs 2>"$TMP/cc.err" &&
   out=$(LD_LIBRARY_PATH=$D$P/lib "$TMP/prog") && [ "$out" = "libsurf $(surf_v=1; sed -n 's/^#define SURF_VERSION "\(.*\)"/\1/p' include/surf/api.h), headers $(sed -n 's/^#define SURF_VERSION "\(.*\)"/\1/p' include/surf/api.h)" ]; then
	pass "c11_program_with_pkg_config ($out)"
else fail c11_program_with_pkg_config "$(cat "$TMP/cc.err")" "$out"; fi
if ldd_out=$(LD_LIBRARY_PATH=$D$P/lib ldd "$TMP/prog" 2>&1) && grep -q "libsurf.so.0 => $D$P/lib/libsurf.so.0" <<<"$ldd_out"; then
	pass program_links_the_soname
else fail program_links_the_soname "$ldd_out"; fi
# Static: pkg-config --static brings the private dependencies.
if cc -std=c11 $cflags -o "$TMP/prog-static" "$TMP/prog.c" "$D$P/lib/libsurf.a" \
	$(pkg-config --static --libs-only-l libsurf | sed 's/-lsurf//') 2>"$TMP/cc.err" && "$TMP/prog-static" >/dev/null; then
	pass static_program_with_pkg_config
else fail static_program_with_pkg_config "$(cat "$TMP/cc.err")"; fi
cp "$TMP/prog.c" "$TMP/prog.cc"
if command -v g++ >/dev/null; then
	if g++ -Wall -Wextra -Werror -std=c++17 $cflags -o "$TMP/progxx" "$TMP/prog.cc" $libs 2>"$TMP/cxx.err" &&
	   LD_LIBRARY_PATH=$D$P/lib "$TMP/progxx" >/dev/null; then pass cxx_program_with_the_headers
	else fail cxx_program_with_the_headers "$(head -20 "$TMP/cxx.err")"; fi
else skip cxx_program_with_the_headers "no g++"; fi

# The installed surfcc finds lbc.h beside itself, from anywhere.
cp examples/bcc/hello_world.bpf.c examples/bcc/*.h "$TMP/" 2>/dev/null
if (cd "$TMP" && "$D$P/bin/surfcc" --output "$TMP/hello.so" hello_world.bpf.c) >"$TMP/surfcc.out" 2>&1 &&
   [ -s "$TMP/hello.so" ]; then pass installed_surfcc_finds_lbc_h
else fail installed_surfcc_finds_lbc_h "$(tail -5 "$TMP/surfcc.out")"; fi
if out=$("$D$P/bin/surftrace" -S 'e sched/sched_switch f:prev_pid==1' 2>&1); then
	pass "installed_surftrace_runs"
else fail installed_surftrace_runs "$out"; fi

# pylcc in the system's Python path, finding the installed libsurf.so.0 and surfcc.
pydir=$(python3 -c 'import sys; print("/usr/lib/python3/dist-packages")')
if [ -f "$D$P/lib/python3/dist-packages/pylcc/lbcBase.py" ] &&
   out=$(cd / && PYTHONPATH="$D$P/lib/python3/dist-packages" LD_LIBRARY_PATH="$D$P/lib" \
	 PATH="$D$P/bin:$PATH" python3 -c 'import pylcc, pylcc._lib as l, surftrace; from pylcc.lbcBase import ClbcBase
print(pylcc.__file__); print(l.lib._name); print(l.surfcc_path()); print(surftrace.__file__)' 2>&1) &&
   grep -q "^$D$P/lib/python3/dist-packages/surftrace/__init__.py$" <<<"$out" &&
   grep -q "^$D$P/lib/python3/dist-packages/pylcc/__init__.py$" <<<"$out" &&
   grep -qx "libsurf.so.0" <<<"$out" && grep -qx "$D$P/bin/surfcc" <<<"$out"; then
	pass "installed_pylcc_imports (pylcc and surftrace in $pydir, the installed libsurf.so.0 and surfcc)"
else fail installed_pylcc_imports "$out" "$(ls -R "$D$P/lib/python3" 2>&1 | head)"; fi

if out=$(make -s uninstall DESTDIR="$D" PREFIX=$P 2>&1) && left=$(find "$D" -type f -o -type l) && [ -z "$left" ]; then
	pass uninstall_removes_everything
else fail uninstall_removes_everything "$out" "left: $(echo $left | head -c 500)"; fi
summary

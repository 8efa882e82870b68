#!/bin/bash
# Every exported function of libc (its DWARF from libc6-dbg), of other
# libraries with debug files (libm, libresolv, ld.so, libthread_db) and of our
# own library and program: the type surftrace -S gives each argument (%N) and
# $retval, and the file offset of the uprobe, held against gdb (the DWARF
# prototype of the function at the symbol's address, public names and their
# aliases alike) and readelf (-s value through the -l segments).  Arguments a
# probe cannot read (doubles, parameters after a struct passed by value that
# this cannot place) must be refused.  See uprobe_types.py.
source "$(dirname "$0")/../cli/lib.sh"
DIR=$ROOT/tests/conformance

for tool in gdb readelf python3; do
	if ! command -v $tool >/dev/null; then
		skip uprobe_types "$tool is missing (scripts/deps.sh installs it)"; summary; exit
	fi
done
bins=()
for lib in libc.so.6 libm.so.6 libresolv.so.2 ld-linux-x86-64.so.2 libthread_db.so.1; do
	path=$(realpath -e "$(gcc -print-file-name=$lib)" 2>/dev/null) || continue
	id=$(readelf -n "$path" 2>/dev/null | awk '/Build ID/ { print $3; exit }')
	# Debian's debug files, found by build-id (libc6-dbg).
	[ -n "$id" ] && [ -f "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ] && bins+=("$path")
done
case " ${bins[*]} " in
*/libc.so.6\ *) ;;
*) skip uprobe_types "libc's debug file is missing (libc6-dbg; scripts/deps.sh installs it)"
   summary; exit ;;
esac
bins+=("$ROOT/build/libsurf.so" "$ROOT/build/surftrace")

start=$(date +%s)
out=$(timeout 150 python3 "$DIR/uprobe_types.py" "$ST" "${bins[@]}" 2>&1); rc=$?
echo "$out" | grep -v '^MISMATCH'
line=$(grep -E '^[0-9]+ functions checked, [0-9]+ mismatches$' <<<"$out")
if [ $rc = 0 ] && [ -n "$line" ]; then
	pass "uprobe_types ($line, $(($(date +%s) - start)) s)"
else
	fail uprobe_types "exit $rc" "$(grep '^MISMATCH' <<<"$out" | head -50)" \
		"$(grep -v '^MISMATCH' <<<"$out" | tail -5)"
fi
summary

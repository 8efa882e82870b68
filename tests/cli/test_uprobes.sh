#!/bin/bash
# User-space probes for real: P/R on our own programs (DWARF member chains,
# char arrays, bitfields), bash's readline through a pty, libc's sleep and
# fopen, PIE and non-PIE builds, a shared library of our own, a stripped
# binary with a separate debug file, USDT probes; bad input.
source "$(dirname "$0")/lib.sh"
H=$ROOT/build/helpers
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

if [ "$(id -u)" != 0 ]; then
	skip uprobes "needs root to create uprobes"; summary; exit
fi
clean_before=$(our_groups)

# The seed's tuprobe: every event carries v, a = 2v, b = 3v; the return value 6v.
out=$($ST -q -c "$H/tuprobe 5" "P $H/tuprobe:func v=%0 a=%1->a b=%1->b" "R $H/tuprobe:func v=\$retval" 2>&1)
ok=1
for v in 1 2 3 4 5; do
	grep -qE "f0: \(0x[0-9a-f]+\) v=$v a=$((2 * v)) b=$((3 * v))$" <<<"$out" || ok=0
	grep -qE "f1: .* v=$((6 * v))$" <<<"$out" || ok=0
done
if [ $ok = 1 ]; then pass tuprobe_members_and_retval; else fail tuprobe_members_and_retval "$out"; fi

# Two pointers deep, a char array, bitfields, a signed 64-bit member.
out=$($ST -q -c "$H/tstruct 3" "P $H/tstruct:probe_me c=%0->count n=%0->in->name l=%0->in->flags.level k=%0->in->flags.kind id=S%0->in->next->id" 2>&1)
ok=1
for i in 1 2 3; do
	grep -qE "f0: \(0x[0-9a-f]+\) c=$((10 * i)) n=\"item-$i\" l=$i k=5 id=$((100 + i))$" <<<"$out" || ok=0
done
if [ $ok = 1 ]; then pass dwarf_chain_char_array_bitfield; else fail dwarf_chain_char_array_bitfield "$out"; fi

# -S shows the offsets it computed from DWARF, checked against gcc's offsetof.
off=$(printf '#include <stddef.h>\n#include <stdio.h>\nstruct leaf { long id; };\nstruct inner { char name[16]; struct { unsigned kind:3, level:6, spare:23; } flags; struct leaf *next; };\nint main(void) { printf("0x%%zx", offsetof(struct inner, next)); }\n' |
	gcc -x c - -o "$TMP/off" && "$TMP/off")
if $ST -S "P $H/tstruct:probe_me id=%0->in->next->id" | grep -qF "id=+0x0(+$off(+0x8(%di))):u64"; then
	pass dwarf_offsets_match_gcc
else fail dwarf_offsets_match_gcc "want next at $off" "$($ST -S "P $H/tstruct:probe_me id=%0->in->next->id" 2>&1)"; fi

# bash's readline, with bash driven through a pseudo-terminal.
cat >"$TMP/drive.py" <<'EOF'
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv("/bin/bash", ["bash", "--norc", "--noprofile", "-i"])
time.sleep(0.5)
for cmd in sys.argv[1:] + ["exit"]:
    os.write(fd, (cmd + "\n").encode())
    time.sleep(0.3)
end = time.time() + 3
while time.time() < end:
    try:
        if not os.read(fd, 4096):
            break
    except OSError:
        break
os.waitpid(pid, 0)
EOF
if command -v python3 >/dev/null; then
	out=$($ST -q -c "python3 $TMP/drive.py 'echo surf-hello' true" 'P bash:readline' 'R bash:readline cmd=!(char *)$retval' 2>&1)
	if grep -qE 'f0: \(0x[0-9a-f]+\)$' <<<"$out" && grep -qF 'cmd="echo surf-hello"' <<<"$out" &&
	   grep -qF 'cmd="true"' <<<"$out"; then pass bash_readline
	else fail bash_readline "$out"; fi
else skip bash_readline "python3 (for a pty) is missing"; fi

# libc: sleep's argument; fopen's NULL return, filtered.
out=$($ST -q -c "$H/sleeper 1" 'P libc:sleep t=%0' 2>&1)
if grep -qE 'f0: \(0x[0-9a-f]+\) t=1$' <<<"$out"; then pass libc_sleep; else fail libc_sleep "$out"; fi
out=$($ST -q -c "$H/tstruct 1 fopen; cat /etc/hostname >/dev/null" 'R libc:fopen file=$retval f:file==0' 2>&1)
if [ "$(grep -c 'f0:' <<<"$out")" = 1 ] && grep -q 'file=0x0$' <<<"$out"; then pass libc_fopen_fails
else fail libc_fopen_fails "$out"; fi

# PIE and non-PIE builds of the same program give the same values.
gcc -g -O0 -no-pie -o "$TMP/tuprobe-nopie" "$ROOT/tests/helpers/tuprobe.c"
gcc -g -O0 -fPIE -pie -o "$TMP/tuprobe-pie" "$ROOT/tests/helpers/tuprobe.c"
for kind in pie nopie; do
	out=$($ST -q -c "$TMP/tuprobe-$kind 2" "P $TMP/tuprobe-$kind:func v=%0 b=%1->b" 2>&1)
	if grep -qE 'v=2 b=6$' <<<"$out"; then pass "build_$kind"; else fail "build_$kind" "$out"; fi
done

# A shared library of our own, probed by path and by short name with -p.
cat >"$TMP/libsurftest.c" <<'EOF'
struct pair { int x, y; };
__attribute__((noinline)) int surftest_add(struct pair *p) { return p->x + p->y; }
EOF
cat >"$TMP/uselib.c" <<'EOF'
#include <stdio.h>
#include <unistd.h>
struct pair { int x, y; };
int surftest_add(struct pair *p);
int main(void) { struct pair p = { 7, 35 }; usleep(300000); printf("%d\n", surftest_add(&p)); return 0; }
EOF
gcc -g -O0 -shared -fPIC -o "$TMP/libsurftest.so" "$TMP/libsurftest.c"
gcc -g -O0 -o "$TMP/uselib" "$TMP/uselib.c" -L"$TMP" -lsurftest -Wl,-rpath,"$TMP"
out=$($ST -q -c "$TMP/uselib" "P $TMP/libsurftest.so:surftest_add x=%0->x y=%0->y" 2>&1)
if grep -qE 'x=7 y=35$' <<<"$out"; then pass shared_library; else fail shared_library "$out"; fi
"$TMP/uselib" >/dev/null & ul=$!
sleep 0.1
out=$($ST -q -t 1 -p $ul "P libsurftest:surftest_add x=%0->x" 2>&1)
wait $ul
if grep -qE 'x=7$' <<<"$out"; then pass library_short_name_with_pid; else fail library_short_name_with_pid "$out"; fi

# A stripped binary with a separate debug file (.gnu_debuglink): symbols and
# DWARF types come from the debug file, offsets from the binary.
cp "$H/tstruct" "$TMP/tstruct-stripped"
objcopy --only-keep-debug "$TMP/tstruct-stripped" "$TMP/tstruct-stripped.debug"
objcopy --strip-all --add-gnu-debuglink="$TMP/tstruct-stripped.debug" "$TMP/tstruct-stripped"
if ! nm "$TMP/tstruct-stripped" 2>/dev/null | grep -q probe_me; then
	out=$($ST -q -c "$TMP/tstruct-stripped 2" "P $TMP/tstruct-stripped:probe_me c=%0->count n=%0->in->name" 2>&1)
	if grep -qE 'c=10 n="item-1"$' <<<"$out" && grep -qE 'c=20 n="item-2"$' <<<"$out"; then
		pass stripped_with_debug_file
	else fail stripped_with_debug_file "$out"; fi
else fail stripped_with_debug_file "strip left the symbol in place"; fi

# Versioned symbols and IFUNCs of libc.
a=$($ST -S 'P libc:memcpy@@GLIBC_2.14' 2>&1 | grep uprobe_events)
b=$($ST -S 'P libc:memcpy' 2>&1 | grep uprobe_events)
if [ -n "$a" ] && [ "$a" = "$b" ]; then pass versioned_symbol; else fail versioned_symbol "$a" "$b"; fi
out=$($ST -S 'P libc:strlen s=%0' 2>&1)
if grep -q "libc.so.6:0x[0-9a-f]* s=" <<<"$out"; then pass ifunc_resolved
else fail ifunc_resolved "$out"; fi

# USDT: two arguments (an int and a long), and a probe behind a semaphore
# that the program only fires while a tracer is attached.
if echo "#include <sys/sdt.h>" | gcc -E -x c - >/dev/null 2>&1; then
	out=$($ST -q -c "$H/usdtprog 3" "U $H/usdtprog:surftest:tick i=S%0 big=%1" \
		"U $H/usdtprog:surftest:gated i=%0" 2>&1)
	ok=1
	for i in 1 2 3; do
		grep -qE "f0: \(0x[0-9a-f]+\) i=$i big=$((1000 * i))$" <<<"$out" || ok=0
		grep -qE "f1: \(0x[0-9a-f]+\) i=$i$" <<<"$out" || ok=0
	done
	grep -qx 'enabled=3' <<<"$out" || ok=0
	if [ $ok = 1 ]; then pass usdt_args_and_semaphore; else fail usdt_args_and_semaphore "$out"; fi
	[ "$("$H/usdtprog" 2)" = "enabled=0" ] && pass usdt_semaphore_off_untraced ||
		fail usdt_semaphore_off_untraced "the semaphore stayed set"
	expect_error usdt_unknown_probe 2 "surftest:nosuch" "" $ST "U $H/usdtprog:surftest:nosuch"
else
	skip usdt_args_and_semaphore "sys/sdt.h (systemtap-sdt-dev) is missing"
fi

# Looking around a binary: its functions, a DWARF struct, its USDT probes, a disassembly.
size=$(nm -S "$H/tstruct" | awk '$4=="probe_me"{print $2}')
out=$($ST -l "$H/tstruct:probe_*" 2>&1)
if grep -qE "^probe_me +0x$(nm "$H/tstruct" | awk '$3=="probe_me"{print $1}' | sed 's/^0*//') +$((0x$size))$" <<<"$out"; then
	pass list_user_functions
else fail list_user_functions "$out"; fi
out=$($ST -l "$H/tstruct:struct inner" 2>&1)
if grep -qE '^	struct leaf \*next; +/\* +24 +8 \*/$' <<<"$out"; then pass list_user_struct
else fail list_user_struct "$out"; fi
if echo "#include <sys/sdt.h>" | gcc -E -x c - >/dev/null 2>&1; then
	expect_line list_usdt "surftest:gated  (1 arg: -4@-8(%rbp)) [semaphore]" $ST -l "$H/usdtprog:usdt"
fi
out=$($ST -F "$H/tuprobe:func" 2>&1)
if grep -qE '^<\+0> +func\+0x0 ' <<<"$out" && grep -q 'ret' <<<"$out"; then pass disassemble
else fail disassemble "$out"; fi
expect_error disassemble_unknown 2 "fnuc" "" $ST -F "$H/tuprobe:fnuc"

# Bad input: a clear error, exit 2, nothing left in uprobe_events.
expect_error unknown_binary 2 "cannot find the binary or library 'no-such-program'" "" \
	$ST 'P no-such-program:main'
expect_error unknown_symbol 2 "no function 'fnuc'" "" $ST "P $H/tuprobe:fnuc"
expect_error unknown_symbol_suggests 2 "did you mean 'func'" "" $ST "P $H/tuprobe:fnuc"
gcc -O0 -o "$TMP/nodwarf" "$ROOT/tests/helpers/tuprobe.c"
expect_error member_without_dwarf 2 "has no debug info (DWARF)" "" \
	$ST "P $TMP/nodwarf:func a=%1->a"
expect_error unknown_kind 2 "unknown probe kind" "" $ST "X $H/tuprobe:func"

if [ "$(our_groups)" = "$clean_before" ]; then pass uprobe_events_clean
else fail uprobe_events_clean "left: $(our_groups)"; fi
summary

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
# fopen is _IO_new_fopen: its DWARF says FILE *, a pointer, printed as u64.
if [ "$(grep -c 'f0:' <<<"$out")" = 1 ] && grep -q 'file=0$' <<<"$out"; then pass libc_fopen_fails
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
#include <stdlib.h>
#include <unistd.h>
struct pair { int x, y; };
int surftest_add(struct pair *p);
/* argv[1]: how many calls, 10 ms apart (so a tracer attaching with -p sees one). */
int main(int argc, char **argv)
{
	struct pair p = { 7, 35 };
	int n = argc > 1 ? atoi(argv[1]) : 1;

	for (int i = 0; i < n; i++) {
		if (i)
			usleep(10000);
		printf("%d\n", surftest_add(&p));
	}
	return 0;
}
EOF
gcc -g -O0 -shared -fPIC -o "$TMP/libsurftest.so" "$TMP/libsurftest.c"
gcc -g -O0 -o "$TMP/uselib" "$TMP/uselib.c" -L"$TMP" -lsurftest -Wl,-rpath,"$TMP"
out=$($ST -q -c "$TMP/uselib" "P $TMP/libsurftest.so:surftest_add x=%0->x y=%0->y" 2>&1)
if grep -qE 'x=7 y=35$' <<<"$out"; then pass shared_library; else fail shared_library "$out"; fi
# The program calls the function every 10 ms for 10 s: -n 1 stops at the first
# call after attaching, however long attaching takes (no race on a sleep).
"$TMP/uselib" 1000 >/dev/null & ul=$!
out=$($ST -q -n 1 -t 10 -p $ul "P libsurftest:surftest_add x=%0->x" 2>&1)
kill $ul 2>/dev/null; wait $ul 2>/dev/null
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

# Glibc's public names are aliases: sleep is __sleep, fclose is _IO_new_fclose.
# The function at the symbol's address gives the types, as gdb finds it.
LIBC=$($ST -S 'P libc:sleep' 2>/dev/null | sed -n "s/.*uprobe_events.*' \?//; s/^echo 'p:f0 \([^:]*\):.*/\1/p")
if command -v gdb >/dev/null && [ -n "$LIBC" ]; then
	want=$(gdb -batch -nx -ex 'ptype sleep' "$LIBC" 2>/dev/null)
	a=$($ST -S 'P libc:sleep t=%0' 2>&1 | grep -o 't=%di:[a-z0-9]*')
	b=$($ST -S 'P libc:__sleep t=%0' 2>&1 | grep -o 't=%di:[a-z0-9]*')
	if [ "$want" = "type = unsigned int (unsigned int)" ] && [ "$a" = "t=%di:u32" ] && [ "$a" = "$b" ]
	then pass libc_alias_types; else fail libc_alias_types "gdb: $want" "sleep: $a" "__sleep: $b"; fi
else skip libc_alias_types "gdb or libc is missing"; fi
a=$($ST -S 'P libc:fclose f=%0->_flags' 2>&1 | grep uprobe_events)
b=$($ST -S 'P libc:_IO_new_fclose f=%0->_flags' 2>&1 | grep uprobe_events)
if [ -n "$a" ] && [ "$a" = "$b" ] && grep -qF 'f=+0x0(%di):u32' <<<"$a"; then pass libc_alias_members
else fail libc_alias_members "fclose: $a" "_IO_new_fclose: $b"; fi
# A cast in a user probe names the binary's types (DWARF, not the kernel's
# BTF), and so do the hints; offsets as gcc's offsetof has them.
off=$(printf '#include <stddef.h>\n#include <stdio.h>\nint main(void) { printf("0x%%zx", offsetof(struct _IO_FILE, _fileno)); }\n' |
	gcc -x c - -o "$TMP/iooff" && "$TMP/iooff")
loc=$($ST -S 'R libc:fopen' 2>&1 | grep -o "r:f0 [^ ']*")
out=$($ST -S 'R libc:fopen fd=!(struct _IO_FILE *)$retval->_fileno' 2>&1)
if [ -n "$loc" ] && grep -qF "$loc fd=+$off(\$retval):u32'" <<<"$out"; then pass user_cast_binary_types
else fail user_cast_binary_types "want $loc fd=+$off(\$retval):u32" "$out"; fi
expect_error user_cast_hint 2 "(did you mean 'struct _IO_FILE'?)" \
	"                   ^~~~~~~~~~~~~~~~" $ST -S 'R libc:fopen f=!(struct _IO_FIL *)$retval->_flags'
gcc -O0 -o "$TMP/nodwarf" "$ROOT/tests/helpers/tuprobe.c"
expect_error user_cast_without_dwarf 2 "has no debug info (DWARF)" "" \
	$ST -S "R $TMP/nodwarf:func f=!(struct uprobe_def *)\$retval->a"

# P BIN:FUNC+OFF only on the first byte of an instruction of FUNC (objdump's
# listing says where they are), never past its end; nothing is set up.
bounds=$(objdump -d --no-show-raw-insn "$H/tuprobe" | awk '/<func>:/{f=1;next} f&&/^$/{exit} f{sub(":","",$1); print $1}')
start=$(head -1 <<<"$bounds")
inside=
for a in $bounds; do
	n=$((0x$a - 0x$start))
	[ -n "$prev" ] && [ $((n - prev)) -gt 1 ] && { inside=$((prev + 1)); break; }
	prev=$n
done
size=$((0x$(nm -S "$H/tuprobe" | awk '$4=="func"{print $2}')))
expect_error offset_inside_instruction 2 "is inside the instruction at func+" \
	"$(printf '%*s' $((${#H} + 17)) '')^~" $ST -t 2 "P $H/tuprobe:func+$inside v=%di"
expect_error offset_past_end 2 "is past the end of func" "" $ST -t 2 "P $H/tuprobe:func+$size"
expect_error offset_far_past_end 2 "is past the end of func" "" $ST -t 2 "P $H/tuprobe:func+0x100000"
expect_error offset_wraps 2 "is past the end of func" "" $ST -t 2 "P $H/tuprobe:func+18446744073709551615"
for bad in -1 -4096 -0x1179; do
	expect_error "offset_not_a_number_$bad" 2 "the offset after '+' must be a number" "" \
		$ST -t 2 "P $H/tuprobe:func+$bad"
done
last=$(( 0x$(tail -1 <<<"$bounds") - 0x$start ))
if $ST -S "P $H/tuprobe:func+$last" | grep -qF "tuprobe:$(printf '0x%x' $((0x$start + last)))'"; then
	pass offset_last_instruction
else fail offset_last_instruction "$($ST -S "P $H/tuprobe:func+$last" 2>&1)"; fi

# Bad input: a clear error, exit 2, nothing left in uprobe_events.
expect_error unknown_binary 2 "cannot find the binary or library 'no-such-program'" "" \
	$ST 'P no-such-program:main'
expect_error unknown_symbol 2 "no function 'fnuc'" "" $ST "P $H/tuprobe:fnuc"
expect_error unknown_symbol_suggests 2 "did you mean 'func'" "" $ST "P $H/tuprobe:fnuc"
expect_error member_without_dwarf 2 "has no debug info (DWARF)" "" \
	$ST "P $TMP/nodwarf:func a=%1->a"
expect_error unknown_kind 2 "unknown probe kind" "" $ST "X $H/tuprobe:func"

if [ "$(our_groups)" = "$clean_before" ]; then pass uprobe_events_clean
else fail uprobe_events_clean "left: $(our_groups)"; fi
summary

#!/bin/bash
# Java (issue 18 part 2): a JVM's perf map (jcmd PID Compiler.perfmap) read
# by libsurf: a JIT-compiled method's address by name (examples/javamap),
# Java frames named in a user stack (surftrace -s on a libc write called
# from the compiled method), and pylcc's attachJavaSym: on a machine that
# delivers hardware breakpoints it sees the method's argument (99), on one
# that does not it fails saying so; a method never compiled fails with the
# interpreted-method reason.
source "$(dirname "$0")/lib.sh"
JM=$ROOT/build/examples/javamap
EX=$ROOT/examples/python

if [ "$(id -u)" != 0 ]; then skip java "needs root"; summary; exit; fi
for t in java javac jcmd; do
	command -v $t >/dev/null || { skip java "no $t (a JDK 17 or later)"; summary; exit; }
done
[ -x "$JM" ] || { skip java "build/examples/javamap missing: run make"; summary; exit; }
W=$(mktemp -d /tmp/surf-java.XXXXXX)
JPID=
cleanup() { [ -n "$JPID" ] && kill "$JPID" 2>/dev/null; wait 2>/dev/null;
	    [ -n "$JPID" ] && rm -f "/tmp/perf-$JPID.map"; rm -rf "$W"; }
trap cleanup EXIT
cd "$W" || exit 1

# The seed's program (6.3.11), without its package: square_test(99) prints
# 9801; warmed up by 20000 calls so that it is JIT-compiled (-Xbatch: the
# compilation finishes before the call that asked for it goes on), kept out
# of its caller (dontinline) so that it has code of its own.  cold_test runs
# once and is excluded from compilation: it stays interpreted.
# PreserveFramePointer: compiled frames keep rbp, so stacks walk through them.
cat >test.java <<'EOF'
public class test {
	public static void square_test(int i) {
		System.out.print("val is ");
		System.out.println(i * i);
	}
	public static int cold_test(int i) {
		return i + 1;
	}
	public static void main(String[] args) throws Exception {
		cold_test(1);
		for (int k = 0; k < 20000; k++)
			square_test(99);
		System.out.println("warm");
		while (true) {
			Thread.sleep(50);
			square_test(99);
		}
	}
}
EOF
if ! javac test.java 2>"$W/javac.err"; then
	fail java_compiles "$(cat "$W/javac.err")"; summary; exit
fi
java -Xbatch -XX:+PreserveFramePointer -XX:CompileCommand=quiet \
	-XX:CompileCommand=dontinline,test::square_test -XX:CompileCommand=exclude,test::cold_test \
	test >"$W/java.out" 2>&1 &
JPID=$!
for _ in $(seq 300); do grep -qx warm "$W/java.out" && break; sleep 0.1; done
if ! grep -qx warm "$W/java.out"; then
	fail java_runs "$(tail -5 "$W/java.out")"; summary; exit
fi

# --- the perf map: square_test compiled, found by every form of its name -------
rm -f "/tmp/perf-$JPID.map"
expect_error javamap_without_map 2 "run \`jcmd $JPID Compiler.perfmap\`" "" "$JM" $JPID test::square_test
jcmd $JPID Compiler.perfmap >"$W/jcmd.out" 2>&1
# hex() in bash arithmetic (mawk has no strtonum): "0x00007f.." to "0x7f..".
want=$(grep ' void test.square_test(int)$' "/tmp/perf-$JPID.map" |
	while read -r a _; do printf '0x%x\n' $((a)); done | sort)
if [ -n "$want" ]; then pass "jcmd writes the perf map ($(wc -l <"/tmp/perf-$JPID.map") lines, square_test at $(echo $want))"
else fail jcmd_perfmap "no square_test in /tmp/perf-$JPID.map" "$(cat "$W/jcmd.out")"; fi
for form in 'Ltest;::square_test' test::square_test test.square_test 'test.square_test(int)' 't*::square_*'; do
	got=$("$JM" $JPID "$form" | awk '{ print $1 }' | sort)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then pass "perf map lookup '$form'"
	else fail "perf map lookup '$form'" "want $want" "got $got"; fi
done
# Each address is in executable memory of the JVM (its code cache).
first=$(echo "$want" | head -1)
in_exec() {	# in_exec PID ADDR
	local range perms _
	while read -r range perms _; do
		[[ $perms == ??x* ]] && (( $2 >= 0x${range%-*} && $2 < 0x${range#*-} )) && return 0
	done <"/proc/$1/maps"
	return 1
}
if [ -n "$first" ] && in_exec $JPID "$first"; then
	pass "square_test's address is in the JVM's executable memory"
else fail "square_test's address is in the JVM's executable memory" "$first"; fi
# An address inside it, named as a stack names it.
if [ -n "$first" ]; then
	size=$(grep -i "^0x0*${first#0x} " "/tmp/perf-$JPID.map" | { read -r _ s _; printf '0x%x' $((s)); })
	expect_line "address to Java name" "void test.square_test(int)+0x10/$size" \
		"$JM" $JPID "$(printf '0x%x' $((first + 0x10)))"
fi
expect_error javamap_cold_method 1 "test::cold_test is not in /tmp/perf-$JPID.map (not JIT-compiled)" "" \
	"$JM" $JPID test::cold_test

# --- a user stack through JIT frames: write() from square_test's println -------
timeout 30 "$ST" -p $JPID -s -n 1 'P libc:write' >"$W/stack.out" 2>&1
if grep -qE '^ => void test\.square_test\(int\)\+0x[0-9a-f]+/0x[0-9a-f]+$' "$W/stack.out" &&
   grep -qE '^ => void java\.io\.FileOutputStream\.writeBytes\(byte\[\], int, int, boolean\)\+0x' "$W/stack.out" &&
   grep -qE '^ => write\+0x0/' "$W/stack.out"; then
	pass "surftrace -s names the Java frames of a stack ($(grep -c '^ => ' "$W/stack.out") frames)"
else fail "surftrace -s names the Java frames of a stack" "$(cat "$W/stack.out")"; fi

# --- attachJavaSym -------------------------------------------------------------
if [ ! -e "$ROOT/build/libsurf.so.0" ] || ! command -v clang >/dev/null; then
	skip attachJavaSym "no build/libsurf.so.0 or no clang for surfcc"; summary; exit
fi
# A program counting its runs and keeping regs.si (the first int argument).
cat >probe.py <<EOF
import sys, time
sys.path.insert(0, "$EX")
import _path  # noqa: F401
from pylcc.lbcBase import ClbcBase, LbcError
prog = r'''
#include "lbc.h"
LBC_HASH(args, u64, u64, 64);
SEC("perf_event")
int on_java(struct bpf_perf_event_data *ctx)
{
    u64 si = ctx->regs.si, one = 1, *n = bpf_map_lookup_elem(&args, &si);

    if (n)
        __sync_fetch_and_add(n, 1);
    else
        bpf_map_update_elem(&args, &si, &one, BPF_ANY);
    return 0;
}
char _license[] SEC("license") = "GPL";
'''
b = ClbcBase("javaArgs", bpf_str=prog)
try:
    b.attachJavaSym("on_java", int(sys.argv[1]), sys.argv[2])
except LbcError as e:
    print("error: %s" % e)
    sys.exit(3)
time.sleep(1)
for k, v in sorted(b.maps["args"].get().items()):
    print("si %d: %d" % (k, v))
EOF
"$JM" --hwbp >"$W/hwbp.out" 2>&1; hw=$?
echo "  ($(cat "$W/hwbp.out"))"
timeout 120 python3 probe.py $JPID 'Ltest;::square_test' >"$W/attach.out" 2>"$W/attach.err"; rc=$?
if [ $hw = 0 ]; then
	# Every 50 ms a call with 99: about 20 in the second.
	n=$(sed -n 's/^si 99: \([0-9]*\)$/\1/p' "$W/attach.out")
	if [ $rc = 0 ] && [ "${n:-0}" -ge 10 ]; then pass "attachJavaSym sees square_test(99) ($n calls)"
	else fail "attachJavaSym sees square_test(99)" "exit $rc" "$(cat "$W/attach.out" "$W/attach.err")"; fi
else
	if [ $rc = 3 ] && grep -qF "hardware breakpoints are not delivered on this machine (an execute breakpoint on a function of this process counted 0 of 5 calls)" "$W/attach.out" &&
	   grep -qF "to void test.square_test(int)" "$W/attach.out"; then
		pass "attachJavaSym: hardware breakpoints are not delivered here, said so"
	else fail "attachJavaSym: hardware breakpoints are not delivered here" "exit $rc" \
		"$(cat "$W/attach.out" "$W/attach.err")"; fi
fi
# The same mechanism on a C function of its own (examples/bcc/hw_breakpoint).
HB=$ROOT/build/examples/bcc/hw_breakpoint
if [ -x "$HB" ]; then
	(cd "$(dirname "$HB")" && ./hw_breakpoint) >"$W/hb.out" 2>&1; rc=$?
	if [ $hw = 0 ]; then
		if [ $rc = 0 ] && grep -qx 'si 99: 5' "$W/hb.out" && grep -qx 'si 77: 3' "$W/hb.out"; then
			pass "clcc_attach_breakpoint on a C function: 5 calls with 99, 3 from a later thread with 77"
		else fail "clcc_attach_breakpoint on a C function" "exit $rc" "$(cat "$W/hb.out")"; fi
	elif [ $rc = 3 ] && grep -qF "hardware breakpoints are not delivered on this machine" "$W/hb.out"; then
		pass "clcc_attach_breakpoint on a C function: refused, hardware breakpoints not delivered"
	else fail "clcc_attach_breakpoint on a C function: refused" "exit $rc" "$(cat "$W/hb.out")"; fi
fi
# Never compiled: no address; the reason and the USDT way instead.
timeout 120 python3 probe.py $JPID 'test::cold_test' >"$W/cold.out" 2>"$W/cold.err"; rc=$?
if [ $rc = 3 ] && grep -qF "test::cold_test is not in /tmp/perf-$JPID.map: the method is not JIT-compiled yet" "$W/cold.out" &&
   grep -qF "surftrace -p $JPID 'J test::cold_test'" "$W/cold.out"; then
	pass "attachJavaSym: an interpreted method, said so"
else fail "attachJavaSym: an interpreted method" "exit $rc" "$(cat "$W/cold.out" "$W/cold.err")"; fi
# Without a map, pylcc runs jcmd itself.
rm -f "/tmp/perf-$JPID.map"
timeout 120 python3 probe.py $JPID 'test.square_test' >"$W/nomap.out" 2>&1
if [ -s "/tmp/perf-$JPID.map" ] && ! grep -q "no perf map" "$W/nomap.out"; then
	pass "attachJavaSym writes the missing perf map with jcmd"
else fail "attachJavaSym writes the missing perf map with jcmd" "$(cat "$W/nomap.out")"; fi
# The seed's example: the same error, its exit status.
expect_error "examples/python/javaProbe.py" $([ $hw = 0 ] && echo 0 || echo 1) \
	"$([ $hw = 0 ] && echo "attached to Ltest;::square_test" || echo "hardware breakpoints are not delivered on this machine")" "" \
	timeout 60 python3 "$EX/javaProbe.py" $JPID 'Ltest;::square_test' 0.5
summary

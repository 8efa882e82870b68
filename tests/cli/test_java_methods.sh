#!/bin/bash
# J CLASS::METHOD and J! (issue 18): Java method entry and return from
# HotSpot's USDT probes, with a real JVM (the machine's OpenJDK) running a
# program this test compiles with javac.  Oracles: the calls the program
# makes (counts, arguments, sleeps), javap's own method descriptors for the
# signatures, and names that are prefixes of others (read with exactly
# their length, never a byte past it).
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then skip java_methods "needs root (uprobes)"; summary; exit; fi
if ! command -v javac >/dev/null || ! command -v java >/dev/null; then
	skip java_methods "no javac/java (OpenJDK) on this machine"; summary; exit
fi
W=$(mktemp -d)
trap 'kill $LOOP $PLAIN 2>/dev/null; rm -rf "$W"' EXIT
cat > "$W/Calls.java" <<'EOF'
public class Calls {
	static int square(int i) { return i * i; }
	static int sq(int i) { return i + 1; }
	static void nap(long ms) throws InterruptedException { Thread.sleep(ms); }
	static class Inner { int run(int v) { return v * 3; } }
	public static void main(String[] a) throws Exception {
		int n = Integer.parseInt(a[0]);
		long s = 0;
		Inner in = new Inner();
		for (int i = 0; i < n; i++)
			s += square(99) + sq(i) + in.run(i);
		for (int i = 0; i < 3; i++)
			nap(80);
		if (a.length > 1)	/* -p tests: run until killed */
			for (;;)
				nap(50);
		System.out.println("sum " + s);
	}
}
EOF
if ! (cd "$W" && javac Calls.java 2>&1); then fail java_compile "javac failed"; summary; exit; fi
J="java -cp $W Calls"
nolines() { grep -c "$@" || true; }

# Entry events: every call, named exactly.
out=$("$ST" -c "$J 37" 'J Calls::square' 2>&1); rc=$?
n=$(nolines -xE ' *java-[0-9]+ +\[[0-9]+\] .{5} +[0-9.]+: f0: class="Calls" method="square" signature="\(I\)I" thread=1' <<<"$out")
if [ $rc = 0 ] && [ "$n" = 37 ] && grep -q 'surftrace: 37 events, 0 lost' <<<"$out"; then
	pass java_entry_each_call
else fail java_entry_each_call "exit $rc, $n of 37 lines" "$(tail -5 <<<"$out")"; fi

# "sq" is a prefix of "square": matched by length, and read no further than its length.
out=$("$ST" -c "$J 11" 'J Calls::sq' 2>&1)
n=$(nolines 'method="sq" signature="(I)I"' <<<"$out")
if [ "$n" = 11 ] && ! grep -q 'method="square"' <<<"$out"; then pass java_name_exact_length
else fail java_name_exact_length "$n of 11" "$(tail -3 <<<"$out")"; fi

# Every signature shown is javap's descriptor of that method (the oracle: the class file).
out=$("$ST" -c "$J 5" 'J Calls*::*' 2>&1)
javap -s -p -cp "$W" Calls 'Calls$Inner' >"$W/javap.txt" 2>&1
# "name descriptor" pairs from javap: a method line, then its "descriptor:" line.
awk '/\(/ && !/descriptor:/ { l=$0; sub(/\(.*/, "", l); n=split(l, w, " "); m=w[n];
	sub(/.*\./, "", m); if (m ~ /^Calls/) m="<init>" }
     /descriptor:/ { print m, $2 }' "$W/javap.txt" | sort -u >"$W/want.txt"
grep -o 'method="[^"]*" signature="[^"]*"' <<<"$out" | sed -E 's/method="([^"]*)" signature="([^"]*)"/\1 \2/' |
	sort -u >"$W/got.txt"
missing=$(comm -23 <(grep -v '^<clinit>' "$W/want.txt") "$W/got.txt")
extra=$(comm -13 "$W/want.txt" "$W/got.txt")
if [ -s "$W/got.txt" ] && [ -z "$missing" ] && [ -z "$extra" ]; then pass java_signatures_are_javaps
else fail java_signatures_are_javaps "missing: $missing" "not javap's: $extra" "$(cat "$W/want.txt")"; fi
# An inner class as Java writes it, with dots and '$'.
if grep -q 'class="Calls\$Inner" method="run" signature="(I)I"' <<<"$out"; then
	pass java_inner_class_name
else fail java_inner_class_name "$(grep Inner <<<"$out" | head -3)"; fi

# Returns, and the latency between J and J! of the same method and thread: 3 sleeps of 80 ms.
out=$("$ST" -c "$J 1" 'J! Calls::nap' 2>&1)
if [ "$(nolines 'method="nap" signature="(J)V"' <<<"$out")" = 3 ]; then pass java_return_events
else fail java_return_events "$(tail -4 <<<"$out")"; fi
out=$("$ST" -c "$J 1" 'J Calls::nap' 'J! Calls::nap a:lat()' 2>&1)
if grep -qE '^ +67108864 -> 134217727 +: 3 ' <<<"$out" && grep -q 'surftrace: 3 events, 0 lost' <<<"$out"; then
	pass java_lat_entry_to_return
else fail java_lat_entry_to_return "want 3 in the 64-128 ms bucket" "$out"; fi

# Nested methods under one glob: each return finds its own method's entry (keyed by both).
out=$("$ST" -c "$J 4" 'J Calls::*' 'J! Calls::* a:lat(method)' 2>&1)
sums=$(awk '/^method=/ { m=$1 } / -> .*: [0-9]+ / { split($0, p, ":"); split(p[2], c, " "); n[m] += c[1] }
	END { for (k in n) print k, n[k] }' <<<"$out" | sort | tr '\n' ,)
if [ "$sums" = "method=main 1,method=nap 3,method=sq 4,method=square 4," ] &&
   grep -qE '^ +67108864 -> 134217727 +: 3 ' <<<"$out"; then pass java_lat_nested_glob
else fail java_lat_nested_glob "got $sums" "$out"; fi

# Counted in the kernel by name (read there with their lengths).
out=$("$ST" -c "$J 37" 'J Calls*::* a:count(class, method)' 2>&1)
for want in 'class=Calls method=square: 37' 'class=Calls method=sq: 37' \
	    'class=Calls$Inner method=run: 37' 'class=Calls method=nap: 3' 'class=Calls method=main: 1'; do
	if grep -qxF "$want" <<<"$out"; then pass "java_count: $want"
	else fail "java_count: $want" "$out"; fi
done
out=$("$ST" -c "$J 2" 'J java.lang.Thread::sleep a:count(method)' 2>&1)
if grep -qx 'method=sleep: 3' <<<"$out"; then pass java_count_jdk_class
else fail java_count_jdk_class "$out"; fi

# JSON: the names as strings.
out=$("$ST" --json -c "$J 1" 'J Calls::nap' 2>&1)
if [ "$(grep -c '"class":"Calls","method":"nap","signature":"(J)V","thread":1' <<<"$out")" = 3 ]; then
	pass java_json
else fail java_json "$(head -3 <<<"$out")"; fi

# The event records pointers and lengths only: no string fetch reads past a name.
out=$("$ST" -S -c "$J 1" 'J Calls::nap' 2>&1)
if grep -q 'class=%dx:u64 class_len=%cx:s32 method=%si:u64' <<<"$out" && ! grep -q ':string' <<<"$out"; then
	pass java_no_string_fetch
else fail java_no_string_fetch "$out"; fi

# -p: a JVM started with the flag; one without it is refused, saying why.
java -XX:+DTraceMethodProbes -cp "$W" Calls 1 forever >/dev/null 2>&1 & LOOP=$!
java -cp "$W" Calls 1 forever >/dev/null 2>&1 & PLAIN=$!
sleep 1.5
out=$("$ST" -p $LOOP -t 1 'J Calls::nap' 2>&1); rc=$?
n=$(nolines 'method="nap"' <<<"$out")
if [ $rc = 0 ] && [ "$n" -ge 10 ] && [ "$n" -le 22 ]; then pass java_p_running_jvm
else fail java_p_running_jvm "exit $rc, $n events in 1 s (want ~20)" "$(tail -3 <<<"$out")"; fi
expect_error java_p_without_flag 1 "was started without -XX:+DTraceMethodProbes" "" \
	"$ST" -p $PLAIN -t 1 'J Calls::nap'
expect_error java_p_not_a_jvm 2 "is not a Java VM (no libjvm.so in its maps)" "    ^~~~~~~~~~" \
	"$ST" -p $$ 'J Calls::nap'
kill $LOOP $PLAIN 2>/dev/null; wait $LOOP $PLAIN 2>/dev/null

# Bad input: exit 2, the caret under it, nothing created.
expect_error java_no_method 2 "a Java method is CLASS::METHOD" "    ^~~~~" "$ST" -S -c "$J 1" 'J Calls'
expect_error java_bad_char 2 "'-' cannot be in a Java method name" "             ^" \
	"$ST" -S -c "$J 1" 'J Calls::na-p'
expect_error java_no_args 2 "takes no NAME=VALUE" "               ^" "$ST" -S -c "$J 1" 'J Calls::nap x=%0'
expect_error java_no_filter 2 "f: is not available on J" "               ^~" \
	"$ST" -S -c "$J 1" 'J Calls::nap f:thread==1'
expect_error java_agg_middle_glob 2 "'C*ll*s' cannot be" "" "$ST" -c "$J 1" 'J C*ll*s::* a:count(method)'
expect_error java_name_is_a_key 2 "'method' is a string: a number is needed here" "" \
	"$ST" -c "$J 1" 'J Calls::nap a:hist(method)'
expect_error java_no_script 2 "a tracefs script cannot do" "" "$ST" -o "$W/t.sh" -c "$J 1" 'J Calls::nap'
if [ -z "$(our_groups)" ]; then pass java_nothing_left
else fail java_nothing_left "$(our_groups)"; fi
summary

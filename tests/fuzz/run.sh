#!/bin/sh
# Fuzz the expression compiler for SECONDS (default 20) with libFuzzer.
#
#   tests/fuzz/run.sh [SECONDS]
#
# Builds build/fuzz-expr (make), copies the seed corpus tests/fuzz/corpus to
# build/fuzz-expr-corpus (new inputs found go there, the seeds stay untouched),
# runs the target with the dictionary tests/fuzz/expr.dict and leak detection,
# and ends with one line: "1 passed, 0 failed" or "0 passed, 1 failed".
# A crash, a leak, a timeout (5 s per input) or going over 2 GiB of memory is a
# failure; its input is kept under build/fuzz-expr-artifacts/ and the command
# that reproduces it is printed.  SECONDS=0 only replays the seed corpus.
# Without clang's libFuzzer it prints "skipped: ..." and exits 0.
set -u

cd "$(dirname "$0")/../.." || exit 1
SECS=${1:-20}
BUILD=${BUILD:-build}
BIN=$BUILD/fuzz-expr
CORPUS=$BUILD/fuzz-expr-corpus
ART=$BUILD/fuzz-expr-artifacts
LOG=$BUILD/fuzz-expr.log
DICT=tests/fuzz/expr.dict

case $SECS in
'' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

fail() {
	echo "fuzz: $*"
	echo "0 passed, 1 failed"
	exit 1
}

# Is clang's libFuzzer there?  Link a trivial target with it.
mkdir -p "$BUILD"
probe=$BUILD/.fuzz-probe
if ! command -v clang >/dev/null 2>&1 ||
	! printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' |
		clang -x c -fsanitize=fuzzer,address,undefined -o "$probe" - >/dev/null 2>&1; then
	rm -f "$probe"
	echo "skipped: clang libFuzzer not available"
	exit 0
fi
rm -f "$probe"

make --no-print-directory "$BIN" >"$BUILD/fuzz-expr.build.log" 2>&1 || {
	tail -n 30 "$BUILD/fuzz-expr.build.log"
	fail "cannot build $BIN (log: $BUILD/fuzz-expr.build.log)"
}

rm -rf "$CORPUS"
mkdir -p "$CORPUS" "$ART"
cp tests/fuzz/corpus/* "$CORPUS"/
# Artifacts of an earlier run would be taken for this run's.
rm -f "$ART"/crash-* "$ART"/leak-* "$ART"/timeout-* "$ART"/oom-*

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:symbolize=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

if [ "$SECS" -eq 0 ]; then
	echo "fuzz: replaying $(ls tests/fuzz/corpus | wc -l) seed inputs"
	"$BIN" -timeout=5 -rss_limit_mb=2048 -artifact_prefix="$ART/" tests/fuzz/corpus/* >"$LOG" 2>&1
else
	echo "fuzz: $BIN for ${SECS}s (log: $LOG)"
	# A hang of the whole process (not of one input) is cut off too.
	timeout -k 10 $((SECS + 120)) "$BIN" -max_total_time="$SECS" -timeout=5 -rss_limit_mb=2048 \
		-max_len=4096 -dict="$DICT" -artifact_prefix="$ART/" -print_final_stats=1 \
		"$CORPUS" >"$LOG" 2>&1
fi
rc=$?

# The last status line: "#N DONE cov: C ft: F corp: K/S exec/s: E rss: R".
stat=$(grep -E '^#[0-9]+' "$LOG" | tail -n 1)
[ -n "$stat" ] && echo "fuzz: $stat"
grep -q 'cannot open the kernel' "$LOG" && echo "fuzz: warning: no kernel types, inputs were not compiled"
grep -q 'contract violated (lax)' "$LOG" && grep 'contract violated (lax)' "$LOG" | head -n 10

artifact=$(ls -t "$ART"/crash-* "$ART"/leak-* "$ART"/timeout-* "$ART"/oom-* 2>/dev/null | head -n 1)
if [ "$rc" -ne 0 ] || [ -n "$artifact" ]; then
	echo "fuzz: FAILED (exit $rc)"
	# The sanitizer's or libFuzzer's report, without the bulk of the log.
	first=$(grep -n -m 1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|contract violated|ALARM|out-of-memory' "$LOG" | cut -d: -f1)
	[ -n "$first" ] && sed -n "$first,\$p" "$LOG" | sed '/^SUMMARY:/q' | head -n 40
	if [ -n "$artifact" ]; then
		echo "fuzz: input: $artifact"
		echo "fuzz: input bytes: $(od -An -c "$artifact" | head -n 8 | tr -s ' ' | tr -d '\n')"
		echo "fuzz: reproduce: ASAN_OPTIONS=detect_leaks=1 $BIN $artifact"
	else
		echo "fuzz: no input was saved; see $LOG"
	fi
	echo "0 passed, 1 failed"
	exit 1
fi
echo "1 passed, 0 failed"
exit 0

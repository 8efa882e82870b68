#!/bin/sh
# How fast does the bitehist lesson (examples/bcc) start, and how small is it,
# next to bpftrace running the same histogram?
#
#   bench/bitehist.sh            (after make; RUNS=N for more runs, default 7)
#
#   bitehist:  build/examples/bcc/bitehist
#   bpftrace:  bpftrace -e 'tracepoint:block:block_rq_issue { @ = hist(args->bytes); }'
#
# Start-up: from exec until the probe is attached, which each tool tells on
# its output: bitehist prints its banner after attaching; bpftrace prints
# __BPFTRACE_NOTIFY_PROBES_ATTACHED (with that variable in its environment)
# after attaching ("Attaching 1 probe..." comes before).  Then both get
# SIGINT and print their histogram.  Peak RSS: the child's ru_maxrss over the
# whole run.  Medians of RUNS runs of each, alternating, in the same run of
# this script.  Targets: bitehist's peak RSS under 5 MiB and its start-up
# under 1/10 of bpftrace's; PASS/FAIL lines, exit status 1 on a FAIL.
# Without bpftrace the ratio is not measured (and not failed).
set -u

cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
RUNS=${RUNS:-7}
BITEHIST=$BUILD/examples/bcc/bitehist
BPF_PROG='tracepoint:block:block_rq_issue { @ = hist(args->bytes); }'
TARGET_KB=$((5 * 1024))

[ -x "$BITEHIST" ] || { echo "bench: $BITEHIST is missing: run make first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root to load BPF programs" >&2; exit 1; }

# The runner: fork/exec CMD with its stdout and stderr on a pipe, note when a
# line with MARKER arrives, SIGINT it (again every 100 ms: bpftrace 0.17 can
# miss a SIGINT that comes right after it attached; SIGKILL after 10 s),
# drain the pipe, and print "<microseconds to marker> <peak RSS KiB>".
RUNNER=$BUILD/bench-attach
mkdir -p "$BUILD"
cat >"$RUNNER.c" <<'EOF'
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	char buf[65536];
	size_t len = 0;
	long long t0, ready = -1;
	struct rusage ru;
	int fds[2], st;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: %s MARKER CMD [ARG...]\n", argv[0]);
		return 2;
	}
	if (pipe(fds))
		return perror("pipe"), 1;
	t0 = now_us();
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, ready < 0 ? 30000 : 100) == 0) {
			if (ready < 0 || now_us() - t0 - ready > 10000000) {
				kill(pid, SIGKILL);
				if (ready < 0)
					break;
			} else {
				kill(pid, SIGINT);
			}
			continue;
		}
		n = read(fds[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += n;
		buf[len] = '\0';
		if (ready < 0 && strstr(buf, argv[1])) {
			ready = now_us() - t0;
			kill(pid, SIGINT);
		}
		if (len > sizeof(buf) / 2) {	/* keep the tail: the marker may straddle */
			memmove(buf, buf + len - 256, 256);
			len = 256;
		}
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		return perror("wait4"), 1;
	if (ready < 0) {
		fprintf(stderr, "%s: no '%s' in the output of %s (exit status %d):\n%s\n", argv[0],
			argv[1], argv[2], WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), buf);
		return 1;
	}
	printf("%lld %ld\n", ready, ru.ru_maxrss);
	return 0;
}
EOF
cc -O2 -o "$RUNNER" "$RUNNER.c" || exit 1

median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1;
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

have_bpftrace=0
b_note=
if ! command -v bpftrace >/dev/null 2>&1; then
	b_note="bpftrace is not installed"
elif ! __BPFTRACE_NOTIFY_PROBES_ATTACHED=1 "$RUNNER" __BPFTRACE_NOTIFY_PROBES_ATTACHED \
		bpftrace -e "$BPF_PROG" >/dev/null 2>"$BUILD/bench-bpftrace.err"; then
	b_note="bpftrace failed: $(head -c 300 "$BUILD/bench-bpftrace.err")"
else
	have_bpftrace=1
fi
"$RUNNER" "Tracing block I/O" "$BITEHIST" >/dev/null || exit 1	# warm the page cache

s_runs='' b_runs=''
i=0
while [ $i -lt "$RUNS" ]; do
	r=$("$RUNNER" "Tracing block I/O" "$BITEHIST") || exit 1
	s_runs="$s_runs$r
"
	if [ $have_bpftrace = 1 ]; then
		r=$(__BPFTRACE_NOTIFY_PROBES_ATTACHED=1 "$RUNNER" __BPFTRACE_NOTIFY_PROBES_ATTACHED \
			bpftrace -e "$BPF_PROG") || exit 1
		b_runs="$b_runs$r
"
	fi
	i=$((i + 1))
done

s_us=$(printf '%s' "$s_runs" | awk '{ print $1 }' | median)
s_kb=$(printf '%s' "$s_runs" | awk '{ print $2 }' | median)
ms() { awk -v u="$1" 'BEGIN { printf "%.1f ms", u / 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.2f MiB", k / 1024 }'; }

echo
printf '%-44s %18s %12s\n' "" "start-up (median)" "peak RSS"
printf '%-44s %18s %12s\n' "bitehist (examples/bcc, surfcc + clcc)" "$(ms "$s_us")" "$(mib "$s_kb")"
if [ $have_bpftrace = 1 ]; then
	b_us=$(printf '%s' "$b_runs" | awk '{ print $1 }' | median)
	b_kb=$(printf '%s' "$b_runs" | awk '{ print $2 }' | median)
	printf '%-44s %18s %12s\n' "bpftrace -e '... @ = hist(args->bytes)'" "$(ms "$b_us")" "$(mib "$b_kb")"
	printf '%-44s %18s %12s\n' "ratio bpftrace / bitehist" \
		"$(awk -v b="$b_us" -v s="$s_us" 'BEGIN { printf "%.1fx", b / s }')" \
		"$(awk -v b="$b_kb" -v s="$s_kb" 'BEGIN { printf "%.1fx", b / s }')"
else
	echo "bpftrace: not measured ($b_note)"
fi
echo "(median of $RUNS runs each, alternating; start-up: exec until attached)"
echo

status=0
if [ "$s_kb" -lt "$TARGET_KB" ]; then
	echo "PASS: bitehist peak RSS $(mib "$s_kb") < 5 MiB"
else
	echo "FAIL: bitehist peak RSS $(mib "$s_kb") >= 5 MiB"
	status=1
fi
if [ $have_bpftrace = 1 ]; then
	if awk -v b="$b_us" -v s="$s_us" 'BEGIN { exit !(s * 10 < b) }'; then
		echo "PASS: bitehist start-up $(ms "$s_us") < 1/10 of bpftrace's $(ms "$b_us")"
	else
		echo "FAIL: bitehist start-up $(ms "$s_us") >= 1/10 of bpftrace's $(ms "$b_us")"
		status=1
	fi
fi
exit $status

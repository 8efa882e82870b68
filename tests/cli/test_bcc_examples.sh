#!/bin/bash
# The bcc tutorial's lessons in C (examples/bcc), run for real on this
# kernel: each test makes the kernel do something known (forks from a
# process of a known name, sync; sync, O_DIRECT writes of 64 KiB, a read that
# blocks 300 ms, strlen on a string only the test knows, two processes
# switching on one CPU...) and checks the lesson reports exactly that.  Then
# every lesson's --help, bad options and failures: clear messages, no crash.
#
#   BCC_BIN=DIR tests/cli/test_bcc_examples.sh   (default build/examples/bcc)
source "$(dirname "$0")/lib.sh"
B=${BCC_BIN:-$ROOT/build/examples/bcc}
TFS=/sys/kernel/tracing
TMP=$(mktemp -d)
LOOP=
TOOL_PID=
# A tracefs instance of ours, for surfbcc_named's events (see below).
INST=surfbcc_$$
cleanup() {
	[ -n "$TOOL_PID" ] && kill -INT "$TOOL_PID" 2>/dev/null && wait "$TOOL_PID" 2>/dev/null
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	if [ -d "$TFS/instances/$INST" ]; then
		echo 0 > "$TFS/instances/$INST/events/sched/sched_kthread_stop/enable" 2>/dev/null
		rmdir "$TFS/instances/$INST"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

LESSONS="hello_world sys_sync hello_fields sync_timing sync_count disksnoop hello_perf_output
sync_perf_output bitehist disklatency vfsreadlat urandomread strlen_count usdt_http task_switch"

if [ "$(id -u)" != 0 ]; then
	skip bcc_examples "needs root to load BPF programs"; summary; exit
fi
[ -d $TFS/events ] || mount -t tracefs nodev $TFS 2>/dev/null
mkdir "$TFS/instances/$INST" || fail tracefs_instance "cannot create $TFS/instances/$INST"
# An enabled event (any: this one hardly fires) makes the kernel keep the
# pid -> comm cache at context switches, whether a lesson runs or not.
echo 1 > "$TFS/instances/$INST/events/sched/sched_kthread_stop/enable"

# A lesson that was not built is one failure.
have() { [ -x "$B/$1" ] && [ -f "$B/$1.so" ]; }
for l in $LESSONS; do
	have "$l" || fail "built_$l" "$B/$l or $B/$l.so is missing: run make"
done

# --- helpers the tests run (their names are what the lessons must show) ---

cat >"$TMP/surfbcc_named.c" <<'EOF'
/*
 * surfbcc_named TRACEFS INSTANCE PROG [ARG...]: run PROG under its own name
 * from its first event on.  The trace pipe names a task from the kernel's
 * pid -> comm cache (TRACEFS/saved_cmdlines), which the kernel fills at a
 * context switch after an event on that CPU: a new child of the test's bash
 * can be cached as "bash" (and a reused pid under an old name) until then.
 * So take PROG's name (PR_SET_NAME, as exec will), write an event into the
 * test's own instance (not into the trace the lesson reads), sleep a
 * millisecond (a context switch), and look the pid up in saved_cmdlines,
 * until the cache names it so; then exec PROG.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
static int cached(const char *cmdlines, int pid, const char *name)
{
	char line[128], want[64];
	FILE *f = fopen(cmdlines, "r");
	int found = 0;
	snprintf(want, sizeof(want), "%d %s\n", pid, name);
	while (f && !found && fgets(line, sizeof(line), f))
		found = !strcmp(line, want);
	if (f)
		fclose(f);
	return found;
}
int main(int argc, char **argv)
{
	char marker[4096], cmdlines[4096], name[16];
	const char *base;
	int fd;
	if (argc < 4)
		return 125;
	base = strrchr(argv[3], '/') ? strrchr(argv[3], '/') + 1 : argv[3];
	snprintf(name, sizeof(name), "%s", base);
	prctl(PR_SET_NAME, name);
	snprintf(marker, sizeof(marker), "%s/instances/%s/trace_marker", argv[1], argv[2]);
	snprintf(cmdlines, sizeof(cmdlines), "%s/saved_cmdlines", argv[1]);
	fd = open(marker, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(marker);
		return 125;
	}
	for (int i = 0; !cached(cmdlines, getpid(), name); i++) {
		if (i == 5000 || write(fd, "x", 1) != 1) {
			fprintf(stderr, "surfbcc_named: pid %d never cached as %s\n", getpid(), name);
			return 125;
		}
		usleep(1000);
	}
	close(fd);
	execvp(argv[3], argv + 3);
	perror(argv[3]);
	return 127;
}
EOF
cat >"$TMP/surfbcc_hello.c" <<'EOF'
/*
 * Fork 3 times, then stay until stdin ends (so that the lesson can still
 * read /proc/PID/comm when the trace names the pid "<...>").
 */
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
	char c;
	for (int i = 0; i < 3; i++) {
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		waitpid(p, 0, 0);
	}
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
EOF
cat >"$TMP/surfbcc_rand.c" <<'EOF'
/* getrandom(buf, SIZE, 0) N times. */
#include <stdlib.h>
#include <sys/random.h>
int main(int argc, char **argv)
{
	static char buf[1 << 16];
	int n = atoi(argv[1]), size = atoi(argv[2]);
	for (int i = 0; i < n; i++)
		if (getrandom(buf, size, 0) != size)
			return 1;
	return 0;
}
EOF
cat >"$TMP/surfbcc_strlen.c" <<'EOF'
/* When stdin ends, strlen("surfbcc-strlen-<pid>") N times: a string nobody else has. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	size_t (*volatile len)(const char *) = strlen;
	char s[64];
	size_t total = 0;
	int n = atoi(argv[1]);
	char c;
	while (read(0, &c, 1) > 0)
		;
	snprintf(s, sizeof(s), "surfbcc-strlen-%d", (int)getpid());
	for (int i = 0; i < n; i++)
		total += len(s);
	return total == 0;
}
EOF
for h in surfbcc_named surfbcc_hello surfbcc_rand surfbcc_strlen; do
	cc -O0 -fno-builtin -o "$TMP/$h" "$TMP/$h.c" || fail "helper_$h" "cc failed"
done

# --- running a lesson ------------------------------------------------------

# start OUT TOOL ARGS...: run the lesson in the background (TOOL_PID) and
# wait until it has printed its first line, which every lesson prints once
# attached; 1 if it ended or said nothing in 10 s.
start() {
	local out=$1 tool=$2; shift 2
	: >"$out"	# here, not in the background job: no stale line from a previous run
	"$B/$tool" "$@" >"$out" 2>&1 8>&- &	# 8>&-: not the FIFO of hold
	TOOL_PID=$!
	local end=$((SECONDS + 10))
	until [ -s "$out" ]; do
		kill -0 "$TOOL_PID" 2>/dev/null || break
		[ $SECONDS -ge $end ] && break
		sleep 0.02
	done
	[ -s "$out" ] && kill -0 "$TOOL_PID" 2>/dev/null
}
# await OUT REGEX [N]: until OUT has N (default 1) lines matching REGEX: the
# lesson prints what the kernel hands it a moment later (10 s at most).
await() {
	local end=$((SECONDS + 10))
	until [ "$(grep -cE -- "$2" "$1")" -ge "${3:-1}" ]; do
		kill -0 "$TOOL_PID" 2>/dev/null || return 1
		[ $SECONDS -ge $end ] && return 1
		sleep 0.02
	done
}
# stop: Ctrl-C the lesson; its exit status.
stop() {
	local rc
	kill -INT "$TOOL_PID" 2>/dev/null
	wait "$TOOL_PID"; rc=$?
	TOOL_PID=
	return $rc
}
# "${NAMED[@]}" CMD...: CMD under its own name in the trace pipe from its
# first event on (an array, not a function: "... &" then gives CMD's pid).
NAMED=("$TMP/surfbcc_named" "$TFS" "$INST")
# hold CMD...: named CMD in the background (HELD_PID), its stdin a FIFO the
# test holds open until release (the helpers above wait for its end).
hold() {
	rm -f "$TMP/hold"
	mkfifo "$TMP/hold"
	"${NAMED[@]}" "$@" <"$TMP/hold" &
	HELD_PID=$!
	exec 8>"$TMP/hold"
}
release() { exec 8>&-; wait "$HELD_PID"; }
# execed PID PROG: until PID runs PROG (a named one first runs surfbcc_named; 10 s at most).
execed() {
	local end=$((SECONDS + 10))
	until [ "$(readlink "/proc/$1/exe")" = "$(readlink -f "$2")" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.02
	done
}
# finish: wait for a lesson that ends by itself (-d, interval count).
finish() {
	local rc
	wait "$TOOL_PID"; rc=$?
	TOOL_PID=
	return $rc
}

# --- the lessons -----------------------------------------------------------

# Lesson 1: three forks of surfbcc_hello are three trace pipe lines of its
# pid, as the kernel prints them: with its name, or "<...>" when the kernel's
# pid -> comm cache has lost it (hello_fields looks those up).
if have hello_world; then
	out=$TMP/hello_world.out
	if start "$out" hello_world; then
		hold "$TMP/surfbcc_hello"; hp=$HELD_PID
		re="^ *(surfbcc_hello|<\.\.\.>)-$hp +\[[0-9]+\] .* bpf_trace_printk: Hello, World!$"
		await "$out" "$re" 3
		release; stop
		n=$(grep -cE "$re" "$out")
		if [ "$n" = 3 ]; then pass hello_world_clone_lines
		else fail hello_world_clone_lines "want 3 lines of surfbcc_hello-$hp, got $n:" "$(head -20 "$out")"; fi
	else stop; fail hello_world_clone_lines "$(cat "$out")"; fi
fi

# Lesson 2: sync(2) from a process of ours.
if have sys_sync; then
	out=$TMP/sys_sync.out
	if start "$out" sys_sync; then
		"${NAMED[@]}" sync & sp=$!; wait $sp
		await "$out" " $sp +sys_sync"
		stop
		if grep -qE "^[0-9]+\.[0-9]{9} +(sync|<\.\.\.>) +$sp +sys_sync\(\) called$" "$out" &&
		   head -1 "$out" | grep -qx 'Tracing sys_sync()... Ctrl-C to end.'; then
			pass sys_sync_called
		else fail sys_sync_called "want a line of sync pid $sp:" "$(cat "$out")"; fi
	else stop; fail sys_sync_called "$(cat "$out")"; fi
fi

# Lesson 3: the columns, with the right comm and pid, three times.
if have hello_fields; then
	out=$TMP/hello_fields.out
	if start "$out" hello_fields; then
		hold "$TMP/surfbcc_hello"; hp=$HELD_PID
		await "$out" " $hp +Hello" 3
		release; stop
		n=$(grep -cE "^[0-9]+\.[0-9]{9} +(surfbcc_hello|<\.\.\.>) +$hp +Hello, World!$" "$out")
		if [ "$n" = 3 ] && head -1 "$out" | grep -qE '^TIME\(s\) +COMM +PID +MESSAGE$'; then
			pass hello_fields_comm_pid
		else fail hello_fields_comm_pid "want 3 rows 'surfbcc_hello $hp', got $n:" "$(head -20 "$out")"; fi
	else stop; fail hello_fields_comm_pid "$(cat "$out")"; fi
fi

# gap_ms FILE: the "last N ms ago" numbers of a sync lesson, one a line.
gap_ms() { sed -nE 's/.*multiple syncs detected, last ([0-9]+) ms ago.*/\1/p' "$1"; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((10#$t / 1000)); }
# near GOT WANT: GOT is WANT within what two fork+execs of sync may add (-50..+150 ms).
near() { [ -n "$1" ] && [ "$1" -ge $(($2 - 50)) ] && [ "$1" -le $(($2 + 150)) ]; }

# Lesson 4: sync; sync is one report, of the gap the test measured between
# the two (the first sync's own time); with -t 5000, sync; 1.2 s; sync too.
if have sync_timing; then
	out=$TMP/sync_timing.out
	if start "$out" sync_timing; then
		t0=$(now_ms); sync; t1=$(now_ms); sync
		[ $((t1 - t0)) -lt 900 ] && await "$out" 'multiple syncs detected'
		stop
		g=$(gap_ms "$out") want=$((t1 - t0))
		if [ $want -ge 900 ]; then
			skip sync_timing_gap "the first sync took $want ms: too slow a disk for a 1 s threshold"
		elif [ "$(grep -c . <<<"$g")" = 1 ] && near "$g" $want &&
		     grep -qE '^At time 0\.00 s: multiple syncs detected, last [0-9]+ ms ago$' "$out"; then
			pass sync_timing_gap
		else fail sync_timing_gap "want one gap of about $want ms:" "$(cat "$out")"; fi
	else stop; fail sync_timing_gap "$(cat "$out")"; fi
	if start "$out" sync_timing -t 5000; then
		t0=$(now_ms); sync; sleep 1.2; t1=$(now_ms); sync
		await "$out" 'multiple syncs detected'
		stop
		g=$(gap_ms "$out") want=$((t1 - t0))
		if [ "$(grep -c . <<<"$g")" = 1 ] && near "$g" $want && [ "$g" -ge 1200 ]; then
			pass sync_timing_threshold
		else fail sync_timing_threshold "want one gap of about $want ms:" "$(cat "$out")"; fi
	else stop; fail sync_timing_threshold "$(cat "$out")"; fi
fi

# Lesson 5: sync; sync; sync: reports for the 2nd and 3rd, counts 2 and 3
# (-t 10000: a slow sync still counts as quick).
if have sync_count; then
	out=$TMP/sync_count.out
	if start "$out" sync_count -t 10000; then
		sync; sync; sync
		await "$out" 'count 3$'
		stop
		if grep -qE 'multiple syncs detected, last [0-9]+ ms ago, count 2$' "$out" &&
		   grep -qE 'multiple syncs detected, last [0-9]+ ms ago, count 3$' "$out" &&
		   [ "$(grep -c 'multiple syncs' "$out")" = 2 ]; then
			pass sync_count_counts
		else fail sync_count_counts "want counts 2 and 3:" "$(cat "$out")"; fi
	else stop; fail sync_count_counts "$(cat "$out")"; fi
fi

# --- block I/O: 16 O_DIRECT writes of 64 KiB ---------------------------------

# A file on a block device for O_DIRECT writes (DD_OF), and that device as
# MAJOR:MINOR of the whole disk (DISK); else a loop device; else nothing.
DD_OF='' DISK=''
block_target() {
	local dir src mm part
	for dir in "$TMP" "$ROOT/build" /var/tmp; do
		src=$(findmnt -no SOURCE -T "$dir" 2>/dev/null)
		[ -b "$src" ] || continue
		mm=$(printf '%d:%d' "0x$(stat -Lc %t "$src")" "0x$(stat -Lc %T "$src")")
		# A partition's requests are issued on its disk.
		part=/sys/dev/block/$mm
		[ -f "$part/partition" ] && mm=$(cat "$part/../dev")
		DD_OF=$(mktemp "$dir/surfbcc-dd.XXXXXX") || continue
		DISK=$mm
		return 0
	done
	# No block-backed file system: a loop device over a file, written raw.
	truncate -s 8M "$TMP/loop.img" 2>/dev/null &&
		LOOP=$(losetup -f --show "$TMP/loop.img" 2>/dev/null) || return 1
	DD_OF=$LOOP
	DISK=$(printf '%d:%d' "0x$(stat -c %t "$LOOP")" "0x$(stat -c %T "$LOOP")")
}
write_blocks() { dd if=/dev/zero of="$DD_OF" bs=64k count=16 oflag=direct conv=notrunc status=none; }

if ! block_target; then
	for t in disksnoop_writes bitehist_64k_bucket disklatency_count; do
		skip $t "no block device: no block-backed file system here and no loop device"
	done
else
	# Lesson 6/13: each write is a line "W 65536".
	if have disksnoop; then
		out=$TMP/disksnoop.out
		if start "$out" disksnoop; then
			write_blocks
			await "$out" '^[0-9]+\.[0-9]{9} +W +65536 ' 16
			stop
			n=$(grep -cE '^[0-9]+\.[0-9]{9} +W +65536 +[0-9]+\.[0-9]{2}$' "$out")
			if [ "$n" -ge 16 ] && head -1 "$out" | grep -qE '^TIME\(s\) +T +BYTES +LAT\(ms\)$'; then
				pass disksnoop_writes
			else fail disksnoop_writes "want 16 lines 'W 65536', got $n:" "$(head -30 "$out")"; fi
		else stop; fail disksnoop_writes "$(cat "$out")"; fi
	fi

	# Lesson 9: the 64 KiB writes land in the "64 -> 127" kbytes row.
	if have bitehist; then
		out=$TMP/bitehist.out
		if start "$out" bitehist; then
			write_blocks	# O_DIRECT: done when dd is, and so are the counts
			stop
			n=$(sed -nE 's/^ +64 -> 127 +: ([0-9]+) +\|.*\|$/\1/p' "$out")
			if [ -n "$n" ] && [ "$n" -ge 16 ] && grep -qE '^     kbytes +: count     distribution$' "$out"; then
				pass bitehist_64k_bucket
			else fail bitehist_64k_bucket "want >= 16 in 64 -> 127:" "$(cat "$out")"; fi
		else stop; fail bitehist_64k_bucket "$(cat "$out")"; fi
		# interval and count: two histograms, then it ends by itself.
		if start "$out" bitehist 1 2; then
			write_blocks
			if finish; then
				n=$(grep -cE '^ +64 -> 127 +: [1-9]' "$out")
				[ "$n" -ge 1 ] && pass bitehist_interval_count ||
					fail bitehist_interval_count "$(cat "$out")"
			else fail bitehist_interval_count "exit status $?" "$(cat "$out")"; fi
		else stop; fail bitehist_interval_count "$(cat "$out")"; fi
	fi

	# Lesson 10: with -D the disk written to, every write is counted once.
	if have disklatency; then
		out=$TMP/disklatency.out
		if start "$out" disklatency -D "$DISK"; then
			write_blocks
			stop
			n=$(sed -nE 's/^ +[0-9]+ -> [0-9]+ +: ([0-9]+) +\|.*/\1/p' "$out" | awk '{ s += $1 } END { print s + 0 }')
			if [ "$n" -ge 16 ] && grep -qE '^     usecs +: count     distribution$' "$out"; then
				pass disklatency_count
			else fail disklatency_count "want >= 16 I/Os on $DISK, got $n:" "$(cat "$out")"; fi
		else stop; fail disklatency_count "$(cat "$out")"; fi
	fi
fi

# Lesson 7: three forks are three events of surfbcc_hello through the perf buffer.
if have hello_perf_output; then
	out=$TMP/hello_perf_output.out
	if start "$out" hello_perf_output; then
		"$TMP/surfbcc_hello" </dev/null & hp=$!; wait $hp
		await "$out" " $hp +Hello" 3
		stop
		n=$(grep -cE "^[0-9]+\.[0-9]{9} +surfbcc_hello +$hp +Hello, perf_output!$" "$out")
		if [ "$n" = 3 ]; then pass hello_perf_output_events
		else fail hello_perf_output_events "want 3 events of surfbcc_hello $hp, got $n:" "$(head -20 "$out")"; fi
	else stop; fail hello_perf_output_events "$(cat "$out")"; fi
fi

# Lesson 8: the second sync is reported with its pid, comm and the gap.
if have sync_perf_output; then
	out=$TMP/sync_perf_output.out
	if start "$out" sync_perf_output -t 10000; then
		t0=$(now_ms); sync; sleep 0.2; t1=$(now_ms); sync & sp=$!; wait $sp
		await "$out" "pid $sp "
		stop
		g=$(gap_ms "$out") want=$((t1 - t0))
		if grep -qE "last [0-9]+ ms ago \(pid $sp uid 0 comm sync\)$" "$out" && near "$g" $want; then
			pass sync_perf_output_event
		else fail sync_perf_output_event "want sync $sp about $want ms after the first:" "$(cat "$out")"; fi
	else stop; fail sync_perf_output_event "$(cat "$out")"; fi
fi

# Lesson 11: a read that blocks 300 ms on a FIFO, in the 262144 -> 524287 us row.
if have vfsreadlat; then
	out=$TMP/vfsreadlat.out
	mkfifo "$TMP/fifo"
	bash -c "read -r line <'$TMP/fifo'" & rp=$!
	if start "$out" vfsreadlat -p $rp 3 1; then
		(exec 3>"$TMP/fifo"; sleep 0.3; echo x >&3)
		if finish; then
			if grep -qE '^ +262144 -> 524287 +: 1 +\|\*+ *\|$' "$out"; then
				pass vfsreadlat_blocked_read
			else fail vfsreadlat_blocked_read "want one read in 262144 -> 524287:" "$(cat "$out")"; fi
		else fail vfsreadlat_blocked_read "exit status $?" "$(cat "$out")"; fi
	else stop; fail vfsreadlat_blocked_read "$(cat "$out")"; fi
	kill $rp 2>/dev/null; wait $rp 2>/dev/null
fi

# Lesson 12: getrandom of 8 KiB five times: five lines of 65536 bits.
if have urandomread; then
	out=$TMP/urandomread.out
	if start "$out" urandomread; then
		"${NAMED[@]}" "$TMP/surfbcc_rand" 5 8192 & rp=$!; wait $rp
		await "$out" " $rp +65536$" 5
		stop
		n=$(grep -cE "^[0-9]+\.[0-9]{9} +(surfbcc_rand|<\.\.\.>) +$rp +65536$" "$out")
		if [ "$n" = 5 ]; then pass urandomread_bits
		else fail urandomread_bits "want 5 lines 'surfbcc_rand $rp 65536', got $n:" "$(head -20 "$out")"; fi
	else stop; fail urandomread_bits "$(cat "$out")"; fi
fi

# Lesson 14: strlen on a string only the test knows, 123 times; then with -p.
if have strlen_count; then
	out=$TMP/strlen_count.out
	if start "$out" strlen_count; then
		"$TMP/surfbcc_strlen" 123 </dev/null & sp=$!; wait $sp
		stop	# uprobes count as strlen runs: all in when it has exited
		if grep -qxE " +123 \"surfbcc-strlen-$sp\"" "$out" && grep -qE '^ +COUNT STRING$' "$out"; then
			pass strlen_count_exact
		else fail strlen_count_exact "want '123 \"surfbcc-strlen-$sp\"':" "$(grep -E 'surfbcc|COUNT|IFUNC|Trac' "$out")"; fi
	else stop; fail strlen_count_exact "$(cat "$out")"; fi
	hold "$TMP/surfbcc_strlen" 77; sp=$HELD_PID
	execed $sp "$TMP/surfbcc_strlen"
	if start "$out" strlen_count -p $sp; then
		release
		stop
		rows=$(grep -cE '^ +[0-9]+ "' "$out")
		if grep -qxE " +77 \"surfbcc-strlen-$sp\"" "$out" && [ "$rows" -le 3 ]; then
			pass strlen_count_pid
		else fail strlen_count_pid "want only process $sp's strings:" "$(head -20 "$out")"; fi
	else release; stop; fail strlen_count_pid "$(cat "$out")"; fi
fi

# Lesson 15: three requests to our USDT server, three paths, in order.
if [ ! -x "$B/http_server_sdt" ]; then
	fail usdt_http_paths "$B/http_server_sdt is missing: run make"
elif have usdt_http; then
	out=$TMP/usdt_http.out
	mkfifo "$TMP/req"
	"${NAMED[@]}" "$B/http_server_sdt" <"$TMP/req" >"$TMP/server.out" 2>&1 & srv=$!
	exec 7>"$TMP/req"
	execed $srv "$B/http_server_sdt"
	if start "$out" usdt_http $srv 7>&-; then	# 7>&-: only the test holds the FIFO open
		printf 'GET /index.html\nPOST /images/welcome.png\n/favicon.png\n' >&7
		exec 7>&-
		wait $srv
		await "$out" " $srv +path:" 3
		stop
		got=$(sed -nE "s/^[0-9]+\.[0-9]{9} +(http_server_sdt|<\.\.\.>) +$srv +path:(.*)$/\2/p" "$out" | tr '\n' ' ')
		if [ "$got" = "/index.html /images/welcome.png /favicon.png " ]; then pass usdt_http_paths
		else fail usdt_http_paths "want the 3 paths of server $srv:" "$(cat "$out")"; fi
	else exec 7>&-; stop; fail usdt_http_paths "$(cat "$out")"; fi
	kill $srv 2>/dev/null; wait $srv 2>/dev/null
fi

# Lesson 16: `yes` and `cat` through a FIFO on one CPU switch to each other;
# with -p, only switches of `yes` are shown.
if have task_switch; then
	out=$TMP/task_switch.out
	mkfifo "$TMP/pipe"
	cpu=$(cut -d, -f1 /sys/devices/system/cpu/online | cut -d- -f1)
	taskset -c "$cpu" yes >"$TMP/pipe" & yp=$!
	taskset -c "$cpu" cat "$TMP/pipe" >/dev/null & cp=$!
	execed $yp "$(command -v yes)" && execed $cp "$(command -v cat)"
	"$B/task_switch" -d 1 >"$out" 2>&1; rc=$?
	if [ $rc = 0 ] && grep -qE "^task_switch\[ *$yp-> *$cp\]=[1-9][0-9]*$" "$out" &&
	   grep -qE "^task_switch\[ *$cp-> *$yp\]=[1-9][0-9]*$" "$out"; then
		pass task_switch_pair
	else fail task_switch_pair "want $yp->$cp and $cp->$yp (exit $rc):" "$(head -30 "$out")"; fi
	"$B/task_switch" -d 1 -p $yp >"$out" 2>&1; rc=$?
	rows=$(grep -c '^task_switch\[' "$out")
	others=$(grep '^task_switch\[' "$out" | grep -cvE "\[ *$yp->|-> *$yp\]")
	if [ $rc = 0 ] && [ "$rows" -ge 1 ] && [ "$others" = 0 ]; then pass task_switch_pid_filter
	else fail task_switch_pid_filter "want only switches of $yp (exit $rc):" "$(head "$out")"; fi
	kill $yp $cp 2>/dev/null; wait $yp $cp 2>/dev/null
fi

# --- options and failures: clear messages, exit 2 or 64 or 1, never a crash --

for l in $LESSONS; do
	have "$l" || continue
	out=$("$B/$l" --help 2>&1); rc=$?
	if [ $rc = 0 ] && grep -q "^USAGE: $l" <<<"$out" && grep -q '^EXAMPLES:' <<<"$out"; then
		pass "help_$l"
	else fail "help_$l" "exit $rc" "$out"; fi
	expect_error "bad_option_$l" 64 "invalid option -- 'Z'" "" "$B/$l" -Z
done

expect_error bad_duration 64 "invalid duration 'soon': want a whole number" "" "$B/bitehist" -d soon
expect_error bad_interval 64 "invalid interval 'x'" "" "$B/vfsreadlat" x
expect_error bad_count 64 "invalid count '0'" "" "$B/disklatency" 1 0
expect_error extra_argument 64 "unexpected argument '3'" "" "$B/bitehist" 1 2 3
expect_error stray_argument 64 "unexpected argument 'now'" "" "$B/hello_world" now
expect_error bad_threshold 64 "invalid threshold '-5'" "" "$B/sync_timing" -t -5
expect_error bad_disk 64 "invalid disk '/nonexistent'" "" "$B/disklatency" -D /nonexistent
expect_error bad_pid 64 "invalid pid '0'" "" "$B/strlen_count" -p 0
expect_error no_such_library 1 "nosuchlib" "" "$B/strlen_count" -l nosuchlib
expect_error no_such_function 1 "no_such_function_here" "" "$B/strlen_count" -f no_such_function_here
if have usdt_http; then
	expect_error usdt_needs_pid 64 "give the server's PID, or -b BINARY" "" "$B/usdt_http"
	expect_error usdt_no_process 1 "no process 4194304" "" "$B/usdt_http" 4194304
fi

# --kprobe where kprobes do not exist: one clear message, exit 1.
if [ -e $TFS/kprobe_events ] || [ -e /sys/bus/event_source/devices/kprobe ]; then
	skip kprobe_unavailable "this kernel has kprobes (the --kprobe variants run in make test-vm)"
else
	for l in hello_world sys_sync vfsreadlat task_switch; do
		have "$l" || continue
		expect_error "kprobe_unavailable_$l" 1 \
			"this kernel has no kprobes (CONFIG_KPROBES / kprobe_events missing)" "" \
			"$B/$l" --kprobe -d 1
	done
fi

# A lesson without its .so says which file is missing.
if have bitehist; then
	cp "$B/bitehist" "$TMP/bitehist"
	expect_error missing_so 1 "bitehist.so" "" "$TMP/bitehist" -d 1
fi

# Every lesson runs and ends cleanly on a time limit, with nothing to report.
for l in $LESSONS; do
	have "$l" || continue
	[ "$l" = usdt_http ] && continue
	out=$(timeout 20 "$B/$l" -d 1 2>&1); rc=$?
	if [ $rc = 0 ]; then pass "duration_$l"; else fail "duration_$l" "exit $rc" "$out"; fi
done

summary

#!/bin/sh
# surfgraph live, in the VM tier's guest (Debian's 6.1 kernel: function_graph
# only at the top level of tracefs).  POSIX sh for busybox ash.
#
# Sourced by guest-tests.sh (which has pass/fail/skip and the counters), or
# run on its own: sh guest-surfgraph.sh [SURFGRAPH]; then it prints
# "N passed, N failed, N skipped" last and exits non-zero on a failure.
# Every test checks that tracefs is as it was afterwards: no surfgraph_
# instance, current_tracer nop, set_graph_function empty, the funcgraph
# options back.

SG_BIN=${1:-${SG_BIN:-/surf/surfgraph}}
SG_TFS=/sys/kernel/tracing
SG_W=/tmp/surfgraph-vm
SG_ALONE=
if ! command -v pass >/dev/null 2>&1; then
	SG_ALONE=1
	PASSED=0 FAILED=0 SKIPPED=0
	pass() { PASSED=$((PASSED + 1)); echo "ok $1"; }
	fail() {
		FAILED=$((FAILED + 1)); echo "FAIL $1"; shift
		for f in "$@"; do
			if [ -f "$f" ]; then echo "  --- ${f##*/}:"; sed 's/^/  /' "$f" | head -40
			else echo "  $f"; fi
		done
	}
	skip() { SKIPPED=$((SKIPPED + 1)); echo "skip $1"; echo "  skipped: $2"; }
fi
rm -rf $SG_W
mkdir -p $SG_W

# The top level as we leave it: "tracer|graph functions|proc option|tail option|tracing_on".
sg_state() {
	echo "$(cat $SG_TFS/current_tracer)|$(grep -v '^#' $SG_TFS/set_graph_function | tr '\n' ' ')|$(cat $SG_TFS/options/funcgraph-proc)|$(cat $SG_TFS/options/funcgraph-tail)|$(cat $SG_TFS/tracing_on)"
}
# Instances of ours left behind.
sg_left() { ls $SG_TFS/instances 2>/dev/null | grep '^surfgraph_'; }
# sg_wait_ready ERRFILE PID: until surfgraph says it records (30 s at most)
sg_wait_ready() {
	i=0
	while ! grep -q "recording the calls" "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 300 ] && return 1
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
}
# sg_wait_exit PID: until it has exited (30 s at most), its status in SG_RC
sg_wait_exit() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ]; then kill -9 "$1" 2>/dev/null; break; fi
		sleep 0.1
	done
	wait "$1"
	SG_RC=$?
}
# Some reads of a file we know, through vfs_read (busybox cat would use sendfile).
sg_reads() {
	for i in 1 2 3 4 5; do dd if=$SG_W/known of=/dev/null bs=4096 2>/dev/null; done
}

printf 'root:x:0:0:root:/:/bin/sh\n' > $SG_W/known
SG_CLEAN="nop||0|0|1"
SG_BEFORE=$(sg_state)

if [ ! -x "$SG_BIN" ]; then
	skip surfgraph_live "no $SG_BIN in the guest"
elif ! grep -qw function_graph $SG_TFS/available_tracers; then
	skip surfgraph_live "this kernel has no function_graph tracer"
else
	# --- Ctrl-C ends a recording: per-call and merged graphs of what vfs_read really calls
	mkdir -p $SG_W/int
	(cd $SG_W/int && exec "$SG_BIN" -f vfs_read -o vfs_read --folded >$SG_W/int.out 2>$SG_W/int.err) &
	p=$!
	if sg_wait_ready $SG_W/int.err $p; then
		during="$(cat $SG_TFS/current_tracer) $(ls $SG_TFS/instances | grep -c "^surfgraph_${p}_")"
		sg_reads	# recorded: on SIGINT it stops tracing, then reads all that is left
		kill -INT $p
		sg_wait_exit $p
		n=$(ls $SG_W/int | grep -c '^vfs_read-[0-9]*\.svg$')
		if [ $SG_RC = 0 ] && [ "$during" = "function_graph 1" ] && [ -s $SG_W/int/vfs_read.svg ] &&
		   [ "$n" -ge 5 ] && grep -q "^write vfs_read.svg" $SG_W/int.err; then
			pass surfgraph_sigint_writes_svgs
		else
			fail surfgraph_sigint_writes_svgs "exit $SG_RC, tracer+instance during: $during, $n per-call svgs" \
				$SG_W/int.err
		fi
		# the callees of vfs_read on tmpfs, as the kernel calls them
		if grep -q '^1 [0-9]* [0-9]* rw_verify_area$' $SG_W/int/vfs_read.tree &&
		   grep -q '^1 [0-9]* [0-9]* shmem_file_read_iter$' $SG_W/int/vfs_read.tree &&
		   grep -q '^vfs_read;shmem_file_read_iter;' $SG_W/int/vfs_read.folded &&
		   grep -q 'data-n="shmem_file_read_iter"' $SG_W/int/vfs_read.svg; then
			pass surfgraph_real_callees
		else
			fail surfgraph_real_callees $SG_W/int/vfs_read.tree $SG_W/int.err
		fi
	else
		kill -9 $p 2>/dev/null
		fail surfgraph_sigint_writes_svgs "never started" $SG_W/int.err
	fi
	if [ -z "$(sg_left)" ] && [ "$(sg_state)" = "$SG_BEFORE" ]; then pass surfgraph_clean_after_sigint
	else fail surfgraph_clean_after_sigint "left: $(sg_left); top level: $(sg_state), was $SG_BEFORE"; fi

	# --- -p: only that task's calls (a shell reading a file with its read builtin,
	# once a fifo lets it), tree mode on stdout, a bigger buffer put back after
	mkfifo $SG_W/go
	sh -c "read -r go < $SG_W/go; while read -r line; do :; done < $SG_W/known" &
	reader=$!
	kb=$(cat $SG_TFS/buffer_size_kb)
	"$SG_BIN" -f vfs_read -p $reader -b 2048 -m tree -o $SG_W/pid >$SG_W/pid.out 2>$SG_W/pid.err &
	p=$!
	if sg_wait_ready $SG_W/pid.err $p; then
		during=$(cat $SG_TFS/buffer_size_kb)
		echo go > $SG_W/go
		wait $reader
		kill -INT $p
		sg_wait_exit $p
	else
		kill -9 $p $reader 2>/dev/null
		SG_RC=never
	fi
	others=$(grep '^tree call' $SG_W/pid.tree 2>/dev/null | grep -vc "^tree call [0-9]* $reader ")
	calls=$(grep -c '^tree call' $SG_W/pid.tree 2>/dev/null)
	if [ "$SG_RC" = 0 ] && [ "${calls:-0}" -ge 20 ] && [ "$others" = 0 ] &&
	   grep -q '^# vfs_read [0-9]* calls merged' $SG_W/pid.out && [ "${during:-0}" -ge 2048 ] &&
	   [ "$(cat $SG_TFS/buffer_size_kb)" = "$kb" ] && [ -z "$(sg_left)" ] &&
	   [ "$(sg_state)" = "$SG_BEFORE" ]; then
		pass surfgraph_pid_and_buffer
	else
		fail surfgraph_pid_and_buffer "exit $SG_RC, $calls calls, $others of other tasks," \
			"buffer $kb, $during during, $(cat $SG_TFS/buffer_size_kb) after; $(sg_state)" \
			$SG_W/pid.err $SG_W/pid.out
	fi

	# --- -d ends a recording by itself
	rm -f $SG_W/vfs_read.svg
	(cd $SG_W && exec "$SG_BIN" -f vfs_read -d 5 -s 0 >$SG_W/dur.out 2>$SG_W/dur.err) &
	p=$!
	if sg_wait_ready $SG_W/dur.err $p; then
		sg_reads
		sg_wait_exit $p
	else
		kill -9 $p 2>/dev/null
		SG_RC=never
	fi
	if [ "$SG_RC" = 0 ] && [ -s $SG_W/vfs_read.svg ] && grep -q "^write vfs_read.svg" $SG_W/dur.err &&
	   [ -z "$(sg_left)" ] && [ "$(sg_state)" = "$SG_BEFORE" ]; then
		pass surfgraph_duration
	else
		fail surfgraph_duration "exit $SG_RC; $(sg_state)" $SG_W/dur.err
	fi

	# --- SIGTERM, SIGHUP, SIGQUIT clean up too
	for sig in TERM HUP QUIT; do
		# a file of its own: the last run's "recording" must not pass for this one's
		(cd $SG_W && exec "$SG_BIN" -f vfs_read -s 0 >/dev/null 2>$SG_W/sig-$sig.err) &
		p=$!
		if sg_wait_ready $SG_W/sig-$sig.err $p; then
			sg_reads
			kill -$sig $p
			sg_wait_exit $p
		else
			kill -9 $p 2>/dev/null
			SG_RC=never
		fi
		case $sig in TERM) want=143 ;; HUP) want=129 ;; QUIT) want=131 ;; esac
		if [ "$SG_RC" = $want ] && [ -z "$(sg_left)" ] && [ "$(sg_state)" = "$SG_BEFORE" ]; then
			pass surfgraph_cleanup_on_SIG$sig
		else
			fail surfgraph_cleanup_on_SIG$sig "exit $SG_RC (want $want); left: $(sg_left); $(sg_state)" \
				$SG_W/sig-$sig.err
		fi
	done

	# --- a closed pipe (raw | head) ends it cleanly
	mkfifo $SG_W/pipe
	"$SG_BIN" -f vfs_read -m raw 2>$SG_W/pipe.err >$SG_W/pipe &
	pp=$!
	head -3 <$SG_W/pipe >$SG_W/pipe.out &
	hp=$!
	sg_wait_ready $SG_W/pipe.err $pp
	sg_reads	# head has its 3 lines and goes
	sg_wait_exit $hp
	sg_reads	# more lines for a pipe nobody reads: EPIPE
	sg_wait_exit $pp
	if [ "$(grep -c 'vfs_read() {' $SG_W/pipe.out)" = 1 ] && grep -q '^rmdir ' $SG_W/pipe.err &&
	   [ -z "$(sg_left)" ] && [ "$(sg_state)" = "$SG_BEFORE" ]; then
		pass surfgraph_raw_closed_pipe
	else
		fail surfgraph_raw_closed_pipe "left: $(sg_left); $(sg_state)" $SG_W/pipe.out $SG_W/pipe.err
	fi

	# --- kill -9: the next run restores the top level and removes the instance
	(cd $SG_W && exec "$SG_BIN" -f vfs_read -s 0 >/dev/null 2>$SG_W/k9.err) &
	p=$!
	if sg_wait_ready $SG_W/k9.err $p; then
		kill -9 $p
		wait $p 2>/dev/null
		stale="$(sg_left)|$(cat $SG_TFS/current_tracer)|$(cat $SG_TFS/options/funcgraph-proc)"
		(cd $SG_W && timeout 60 "$SG_BIN" -f vfs_read -d 1 -s 0 >$SG_W/after.out 2>$SG_W/after.err)
		SG_RC=$?
		if echo "$stale" | grep -qx "surfgraph_${p}_[0-9a-f]*|function_graph|1" && [ $SG_RC = 0 ] &&
		   grep -q "cleaning up after run $p, which was killed" $SG_W/after.err &&
		   [ -z "$(sg_left)" ] && [ "$(sg_state)" = "$SG_BEFORE" ]; then
			pass surfgraph_cleanup_after_kill9
		else
			fail surfgraph_cleanup_after_kill9 "stale: $stale; exit $SG_RC; left: $(sg_left); $(sg_state)" \
				$SG_W/after.err
		fi
	else
		kill -9 $p 2>/dev/null
		fail surfgraph_cleanup_after_kill9 "never started" $SG_W/k9.err
	fi

	# --- a top level in use is not taken over
	echo function > $SG_TFS/current_tracer
	"$SG_BIN" -f vfs_read >$SG_W/busy.out 2>$SG_W/busy.err
	SG_RC=$?
	tracer=$(cat $SG_TFS/current_tracer)
	echo nop > $SG_TFS/current_tracer
	if [ $SG_RC = 1 ] && [ "$tracer" = function ] &&
	   grep -q "the function tracer is in use at the top level" $SG_W/busy.err && [ -z "$(sg_left)" ]; then
		pass surfgraph_busy_top_level
	else
		fail surfgraph_busy_top_level "exit $SG_RC, tracer then: $tracer, left: $(sg_left)" $SG_W/busy.err
	fi

	# --- a name that is not a traceable function
	"$SG_BIN" -f vfs_reed >/dev/null 2>$SG_W/bad.err
	SG_RC=$?
	if [ $SG_RC = 2 ] && grep -q "did you mean 'vfs_read'" $SG_W/bad.err && [ -z "$(sg_left)" ] &&
	   [ "$(sg_state)" = "$SG_BEFORE" ]; then
		pass surfgraph_unknown_function
	else
		fail surfgraph_unknown_function "exit $SG_RC" $SG_W/bad.err
	fi
fi

if [ "$SG_BEFORE" != "$SG_CLEAN" ]; then
	echo "# surfgraph: the top level was not at its defaults before: $SG_BEFORE"
fi
if [ -n "$SG_ALONE" ]; then
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	[ "$FAILED" = 0 ]
fi

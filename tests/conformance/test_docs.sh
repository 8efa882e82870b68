#!/bin/bash
# Every example of the documentation, run as written: README.md, bpf/README.md,
# the EXAMPLES of man/*.1 and of `surftrace --help` (doc_examples.awk says what
# counts as an example).  A document's examples run in order, in one scratch
# directory that looks like the top of the built tree (build/, include/, bpf/...
# are links into it; files the examples write stay in the scratch directory),
# with surftrace, surfgraph and surfcc on PATH.  Code blocks that name their
# file are written there, so that the document's own commands compile them.
#
# Checks, per example:
# - the document shows output: the same lines, in any order (stdout and stderr
#   interleave), after normalising what varies between runs: pids, CPUs,
#   timestamps, flags, addresses (hex of 5+ digits) and the scratch directory;
#   exit status 0, or the one the document's next `echo $?` shows;
# - no output shown: exit status 0 (or the next `echo $?`'s) and some output;
#   a live trace must deliver events (its summary says how many);
# - kernel probes (p, r): the same command with -S, which must compile (this
#   machine has no kprobes; the VM tier runs them live); surfgraph recording
#   without function_graph: the documented exit 1 and its reason.  Both lists
#   are printed.
# Traces that run until Ctrl-C get SIGINT (to their process group, as a
# terminal sends it) after a few seconds, while a workload makes the events
# the examples wait for (execs, opens of *.conf, a failing fopen, bash's
# readline in a pty).
#
# For the writers of examples: show what the command prints, all of it
# (standard error too), as it printed it on this machine; show a failure's
# status with a following `$ echo $?`; name a code block's file on its first
# line (/* NAME.c: ... */) and build it with a command of the same document;
# examples run from the top of the built tree, `./tuprobe` and `./usdtprog`
# being the test programs of build/helpers/.
source "$(dirname "$0")/../cli/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

# The only adaptations: programs and files the examples name, made by the build
# or kept in the tree, put in the scratch directory under the names the
# documents use.
declare -A PROVIDE=(
	[tuprobe]=build/helpers/tuprobe
	[usdtprog]=build/helpers/usdtprog
	[aggwork]=build/helpers/aggwork
	[trace.txt]=tests/fixtures/graph/vfs_read.txt
)
# Examples not run, and why.
declare -A NOT_RUN=(
	["make test"]="runs every suite, this one included"
	["make run"]="builds and traces until Ctrl-C: its trace is 'e sched/sched_process_exec', run by other examples"
	["jcmd 13233 Compiler.perfmap"]="a running JVM's pid: tests/cli/test_java.sh does this on a JVM of its own"
	["surftrace -p 13233 -s -n 1 'P libc:write'"]="a running JVM's pid: tests/cli/test_java.sh does this on a JVM of its own"
	["build/examples/javamap 13233 'Ltest;::square_test'"]="a running JVM's pid: tests/cli/test_java.sh does this on a JVM of its own"
)
# Third-party programs that examples pipe into; without them the example is skipped.
OPTIONAL_PROGS="flamegraph.pl"
# Live examples that wait for an event the workload cannot make.
declare -A NO_EVENT_OK=(
	["surftrace 'e sched/sched_switch f:prev_pid==1'"]="pid 1 seldom runs (here it is the sandbox's init)"
	["surftrace -i 1 -t 3 'e block/block_rq_issue s=sector' \\
            'e block/block_rq_complete s=sector a:lat(f0.s==s)'"]="a quiet disk may issue no request in 3 s"
)
LIVE_WAIT=2		# seconds before Ctrl-C for a trace without an end of its own

for p in surftrace surfgraph surfcc libsurf.a helpers/tuprobe; do
	if [ ! -e "$ROOT/build/$p" ]; then skip docs "build/$p missing: run make"; summary; exit; fi
done

W=$(mktemp -d /tmp/surf-docs.XXXXXX)
WORKLOAD_PID=
cleanup() {
	[ -n "$WORKLOAD_PID" ] && kill "$WORKLOAD_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
for f in "$ROOT"/*; do
	[ "$(basename "$f")" = build ] || ln -s "$f" "$W/"
done
mkdir "$W/build" "$W/bin"
for f in "$ROOT"/build/*; do ln -s "$f" "$W/build/"; done
for p in surftrace surfgraph surfcc; do ln -s "$ROOT/build/$p" "$W/bin/$p"; done
for name in "${!PROVIDE[@]}"; do cp "$ROOT/${PROVIDE[$name]}" "$W/$name"; done
export PATH="$W/bin:$PATH"

KPROBES=no
[ -e "$TFS/kprobe_events" ] && KPROBES=yes
FGRAPH=no
grep -qw function_graph "$TFS/available_tracers" 2>/dev/null && FGRAPH=yes
kernel_listed=() graph_listed=()

# --- normalising ------------------------------------------------------------

# The names of absolute paths to normalise: the files the examples run or make
# in the scratch directory (not the links into the tree).
path_names() { find "$W" -maxdepth 1 -type f -printf '%f\n' | grep -E '^[A-Za-z0-9_][A-Za-z0-9_.-]*$'; }

# normalise < lines: the values that differ between two runs of one command.
normalise() {
	local text pids sedargs=() p
	text=$(cat)
	# The pids the output itself shows: task columns and JSON.
	pids=$( { grep -oE '^ *.+-[0-9]+ +\[[0-9]+\]' <<<"$text" | sed -E 's/.*-([0-9]+) +\[.*/\1/'
		  grep -oE '"(pid|tid)":[0-9]+' <<<"$text" | sed -E 's/.*://'; } | sort -u)
	for p in $pids; do sedargs+=(-e "s/\\b$p\\b/PID/g"); done
	for p in $(path_names); do sedargs+=(-e "s#/[^ :'\"]*/$p\\b#DIR/$p#g"); done
	sed -E "${sedargs[@]}" \
	    -e 's/^ *(.+)-PID +\[[0-9]+\] [^ ]{5} +[0-9]+\.[0-9]{6}:/\1-PID [CPU] FLAGS TS:/' \
	    -e 's/"time":[0-9.]+/"time":TS/; s/"cpu":[0-9]+/"cpu":CPU/' \
	    -e 's/surftrace_[0-9]+(_[0-9a-f]{15})?/surftrace_PID/g' \
	    -e 's/0x[0-9a-f]{5,}/0xADDR/g' <<<"$text"
}

# --- running ----------------------------------------------------------------

workload_start() {
	(
		while :; do
			ls /tmp >/dev/null
			cat /etc/host.conf /etc/ld.so.conf >/dev/null 2>&1
			sed -f /nonexistent/script </dev/null >/dev/null 2>&1	# fopen fails
			printf 'echo hi\nexit\n' |
				timeout 5 script -qec 'bash --norc --noprofile -i' /dev/null >/dev/null 2>&1
			sleep 0.2
		done
	) &
	WORKLOAD_PID=$!
}
workload_stop() {
	[ -n "$WORKLOAD_PID" ] || return
	kill "$WORKLOAD_PID" 2>/dev/null
	wait "$WORKLOAD_PID" 2>/dev/null
	WORKLOAD_PID=
}

# run CMD PREV_STATUS OUT: run CMD in the scratch directory with $? set to
# PREV_STATUS (so that `echo $?` works across examples), in a process group of
# its own; Ctrl-C after a while if it has no end of its own.  Sets RC.
run_example() {
	local cmd=$1 prev=$2 out=$3 wait=$LIVE_WAIT t pid i
	t=$(grep -oE -- '(^| )-[td] +[0-9.]+' <<<"$cmd" | grep -oE '[0-9.]+$' | head -1)
	[ -n "$t" ] && wait=$(awk -v t="$t" 'BEGIN { printf "%d", t + 3 }')
	# As a user types them: not inside `make test`'s make (a sub-make would
	# print "Entering directory" lines that the documents do not show).
	(cd "$W" && unset MAKEFLAGS MAKELEVEL MFLAGS && exec setsid bash -c "(exit $prev); $cmd" >"$out" 2>&1 </dev/null) &
	pid=$!
	for ((i = 0; i < wait * 10; i++)); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 $pid 2>/dev/null; then
		kill -INT -- -$pid 2>/dev/null
		for ((i = 0; i < 50; i++)); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
		if kill -0 $pid 2>/dev/null; then
			kill -KILL -- -$pid 2>/dev/null
			echo "(test: still running 5 s after SIGINT, killed)" >>"$out"
		fi
	fi
	wait $pid
	RC=$?
}

is_live_trace() {
	[[ "$1" =~ ^surftrace\  ]] && ! [[ "$1" =~ \ -(S|l|F|-show|-list|-disassemble|-gen-btf)(\ |=) ]]
}

# check_example SRC CMD WANT_FILE(or "") WANT_STATUS
check_example() {
	local src=$1 cmd=$2 want=$3 want_rc=$4 name out run=$2 key prog n
	name="$src: ${cmd%%$'\n'*}"
	key=$(sed -E 's/[ \t]+#.*//' <<<"$cmd")
	if [ -n "${NOT_RUN[$key]}" ]; then skip "$name" "${NOT_RUN[$key]}"; return; fi
	for prog in $OPTIONAL_PROGS; do
		if [[ "$cmd" == *"$prog"* ]] && ! command -v "$prog" >/dev/null; then
			skip "$name" "needs $prog, not installed here"; return
		fi
	done
	out=$W/.out
	# Kernel probes: compiled (-S) here, which has no kprobes; the VM tier runs
	# them live on a kernel that has them.
	if [[ "$key" =~ ^surftrace\  ]] && grep -qE "'[pr] " <<<"$key"; then
		[[ "$key" =~ \ -(S|-show)\  ]] || run="surftrace -S ${cmd#surftrace }"
		kernel_listed+=("$src: $cmd")
	fi
	# surfgraph recording without function_graph: the documented refusal.
	if [ $FGRAPH = no ] && [[ "$key" =~ ^surfgraph\  ]] && ! [[ "$key" =~ \ -(i|-input)[\ =] ]]; then
		graph_listed+=("$src: $cmd")
		run_example "$run" 0 "$out"
		if [ $RC = 1 ] && grep -q 'function_graph' "$out"; then pass "$name (exit 1: no function_graph)"
		else fail "$name" "want exit 1 naming function_graph, got exit $RC:" "$(cat "$out")"; fi
		return
	fi
	is_live_trace "$run" && [[ "$run" != *" -c "* ]] && workload_start
	run_example "$run" "$PREV_RC" "$out"
	workload_stop
	PREV_RC=$RC
	if [ "$RC" != "$want_rc" ]; then
		fail "$name" "exit $RC, want $want_rc; output:" "$(cat "$out")"; return
	fi
	if [ -n "$want" ]; then
		local d
		d=$(diff <(normalise <"$want" | sort) <(normalise <"$out" | sort))
		if [ -z "$d" ]; then pass "$name"
		else fail "$name" "output differs from the document's (< document, > run, normalised):" \
			"$d" "run's output:" "$(cat "$out")"; fi
		return
	fi
	# Our tools always say something; compilers and builds need not.
	if [[ "$key" =~ ^(surftrace|surfgraph)\  ]] && [ ! -s "$out" ]; then
		fail "$name" "printed nothing"; return
	fi
	if is_live_trace "$run" && [ -z "${NO_EVENT_OK[$key]}" ]; then
		n=$(sed -nE 's/^surftrace: ([0-9]+) events?\b.*/\1/p' "$out" | tail -1)
		if [ -z "$n" ] && [[ "$run" =~ \ -(q|-quiet)\  ]]; then
			n=$(grep -cvE '^surftrace: |^echo |^# ' "$out")
		fi
		if [ "${n:-0}" = 0 ]; then
			fail "$name" "a trace that delivered no event:" "$(cat "$out")"; return
		fi
	fi
	pass "$name"
}

# is_command LINE: does LINE start with something a shell runs?
is_command() {
	local w=${1%%[[:space:]]*}
	[[ "$w" == */* || "$w" == *=* ]] || (cd "$W" && type -t "$w" >/dev/null)
}

# run_document FMT FILE [SOURCE-NAME]: every example of one document, in order.
run_document() {
	local fmt=$1 file=$2 src=${3:-${2#"$ROOT"/}} ex line kind rest want want_rc i n
	local -a headers=() bodies=() outs=() shown=()
	local state=none h="" b="" o="" nb=0 s=0
	ex=$W/.examples
	awk -v fmt="$fmt" -v src="$src" -f "$HERE/doc_examples.awk" "$file" >"$ex"
	# Records: a header, a body (the command or the file), the output shown.
	while IFS= read -r line; do
		case $line in
		"@@ end")
			headers+=("$h"); bodies+=("$b"); outs+=("$o"); shown+=("$s")
			h="" b="" o="" nb=0 s=0 state=none ;;
		"@@ out") state=out; s=1 ;;
		"@@ "*) h=${line#@@ }; state=body ;;
		*)
			if [ $state = out ]; then o+=$line$'\n'
			else
				[ $nb = 1 ] && b+=$'\n'
				b+=$line; nb=1
			fi ;;
		esac
	done <"$ex"
	n=${#headers[@]}
	if [ "$n" = 0 ]; then fail "$src" "no examples found"; return; fi
	# A "# " line that is no command (surftrace prints "# filter ..." notes)
	# is output of the command before it.
	local -a mh=() mb=() mo=() ms=()
	for ((i = 0; i < n; i++)); do
		if [[ "${headers[i]}" == *" #" ]] && ! is_command "${bodies[i]}" && [ ${#mh[@]} -gt 0 ] &&
		   [[ "${mh[-1]}" == cmd\ * ]]; then
			mo[-1]+="# ${bodies[i]}"$'\n'"${outs[i]}"; ms[-1]=1
			continue
		fi
		mh+=("${headers[i]% #}"); mb+=("${bodies[i]}"); mo+=("${outs[i]}"); ms+=("${shown[i]}")
	done
	headers=("${mh[@]}") bodies=("${mb[@]}") outs=("${mo[@]}") shown=("${ms[@]}")
	n=${#headers[@]}
	PREV_RC=0
	for ((i = 0; i < n; i++)); do
		kind=${headers[i]%% *}; rest=${headers[i]#* }
		case $kind in
		bad) fail "${rest%% *}" "${rest#* }" ;;
		file)
			mkdir -p "$W/$(dirname "${rest%% *}")"
			printf '%s\n' "${bodies[i]}" >"$W/${rest%% *}"
			FILES_WRITTEN+=("${rest%% *}|${rest#* }") FILE_PATHS+=("$W/${rest%% *}") ;;
		cmd)
			want_rc=0 want=""
			# The next example, `echo $?`, shows the status this one ends with.
			if [ $((i + 1)) -lt "$n" ] && [ "${bodies[i + 1]}" = 'echo $?' ] &&
			   [ "${shown[i + 1]}" = 1 ]; then
				want_rc=$(head -1 <<<"${outs[i + 1]}")
			fi
			if [ "${shown[i]}" = 1 ]; then
				want=$W/.want
				printf '%s' "${outs[i]}" >"$want"
			fi
			ALL_CMDS+=$'\n'"${bodies[i]}"
			check_example "$rest" "${bodies[i]}" "$want" "$want_rc" ;;
		esac
	done
}

FILES_WRITTEN=() FILE_PATHS=() ALL_CMDS=""
run_document md "$ROOT/README.md"
run_document md "$ROOT/bpf/README.md"
for m in "$ROOT"/man/*.1; do run_document man "$m"; done
"$ROOT/build/surftrace" --help >"$W/.help"
run_document help "$W/.help" "surftrace --help"

# A code block that names a file no example uses is an example nobody runs.
for f in "${FILES_WRITTEN[@]}"; do
	name=${f%%|*}
	if grep -qF -- "${name##*/}" <<<"$ALL_CMDS" ||
	   grep -qF -- "\"${name##*/}\"" "${FILE_PATHS[@]}" 2>/dev/null; then
		pass "${f#*|}: $name is used by an example"
	else fail "${f#*|}: $name" "no example command uses this file"; fi
done

echo "kernel-probe examples, compiled with -S (kprobes here: $KPROBES; the VM tier runs them live):"
for k in "${kernel_listed[@]}"; do echo "  $k"; done
echo "surfgraph recording examples (function_graph: $FGRAPH; the VM tier records live):"
for k in "${graph_listed[@]}"; do echo "  $k"; done
summary

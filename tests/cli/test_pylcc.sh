#!/bin/bash
# pylcc (issue 16): the seed's examples of examples/python/ run against
# workloads with known values, pylcc's decoding against C structs with every
# member kind (tests/python/decode_check.py), the compile cache, errors, and
# nothing left in the kernel after SIGINT and SIGTERM.  With Debian's python3,
# and with every other python3.X on PATH.
source "$(dirname "$0")/lib.sh"
H=$ROOT/build/helpers
EX=$ROOT/examples/python

if [ "$(id -u)" != 0 ]; then skip pylcc "needs root to load BPF"; summary; exit; fi
if [ ! -e "$ROOT/build/libsurf.so.0" ] || [ ! -x "$ROOT/build/surfcc" ]; then
	skip pylcc "build/libsurf.so.0 or build/surfcc missing: run make"; summary; exit
fi
if ! command -v clang >/dev/null; then skip pylcc "no clang for surfcc"; summary; exit; fi
# Every Python 3 that really runs (pyenv shims of versions not selected do not).
PYS=$(for p in /usr/bin/python3 $(compgen -c python3 | grep -E '^python3(\.[0-9]+)?$' | sort -u); do
	"$p" -c 'import ctypes, os, sys; print(os.path.realpath(sys.executable))' 2>/dev/null; done | sort -u)
W=$(mktemp -d /tmp/surf-pylcc.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
# A Python check script's "ok NAME" / "FAIL NAME: why" lines as results.
checks() {	# label, script, args...
	local label=$1 st name why
	shift
	while read -r st name why; do
		case $st in ok) pass "$label $name" ;; *) fail "$label $name" "$why" ;; esac
	done < <(timeout 120 $PY "$@" 2>&1 |
		sed -n 's/^\(ok\|FAIL\) *\([^:]*\):\{0,1\} *\(.*\)$/\1 \2 \3/p')
}
ours() { bpftool prog list 2>/dev/null | grep -cE 'name (j_wake_up_new_|j_getppid|call_symbol|j_exec|j_read)'; }

for PY in $PYS; do
v="$($PY -c 'import sys; print("%d.%d" % sys.version_info[:2])') ($PY)"
# First runs compile (clang, a few seconds each): each example once, briefly.
for ex in hello eventOut hashMap callStack attach hist; do
	timeout 120 $PY "$EX/$ex.py" 0.1 >/dev/null 2>"$W/$ex.err" ||
		fail "py$v: $ex compiles and loads" "$(tail -5 "$W/$ex.err")"
done
timeout 120 $PY "$EX/dynamicVar.py" 1 0.1 >/dev/null 2>&1
timeout 120 $PY "$EX/uprobe.py" "$H/aggwork" mark_begin 0.1 >/dev/null 2>&1

# eventOut: aggwork's main thread starts three threads: three new tasks of its own.
(sleep 1; exec "$H/aggwork" getppid a:1 b:1 c:1) &
pid=$!
out=$(timeout 60 $PY "$EX/eventOut.py" 3 2>&1)
n=$(grep -c "^current pid:$pid, comm:aggwork. wake_up_new_task pid: [0-9]*, comm: aggwork$" <<<"$out")
if [ "$n" = 3 ]; then pass "py$v: eventOut records as objects (3 threads of pid $pid)"
else fail "py$v: eventOut" "want 3 lines for pid $pid, got $n" "$out"; fi
wait

# The cache: unchanged text, no rebuild; dynamicVar's changed text, a rebuild.
before=$(stat -c %Y.%s eventOut.so)
sleep 1.1
timeout 60 $PY "$EX/eventOut.py" 0.1 >/dev/null 2>&1
after=$(stat -c %Y.%s eventOut.so)
(sleep 1.5; exec "$H/aggwork" getppid d:1 e:1) &
pid=$!
t0=$(stat -c %Y dynamicVar.so)
out=$(timeout 60 $PY "$EX/dynamicVar.py" $pid 4 2>&1)
wait
n=$(grep -c "^current pid:$pid, comm:aggwork" <<<"$out")
if [ "$before" = "$after" ] && [ "$(stat -c %Y dynamicVar.so)" != "$t0" ] &&
   [ "$n" = 2 ] && [ "$(grep -c '^current pid:' <<<"$out")" = 2 ]; then
	pass "py$v: cache kept for the same text, rebuilt for dynamicVar's PID $pid (2 records)"
else fail "py$v: cache and dynamicVar" "eventOut.so $before -> $after; $n records for $pid" "$out"; fi

# hashMap: 7 getppid calls of one process; the map read, listed, cleared.
(sleep 1; exec "$H/aggwork" getppid x:7) &
pid=$!
out=$(timeout 60 $PY "$EX/hashMap.py" 2.5 2>&1)
wait
if grep -qx "pid $pid: 7" <<<"$out" && grep -q "^then cleared: [0-9]* 0$" <<<"$out"; then
	pass "py$v: hashMap get/getKeys/getKeyValue/getThenClear ($pid: 7)"
else fail "py$v: hashMap" "want pid $pid: 7" "$out"; fi

# callStack: the kernel path of a thread's creation, named.
(sleep 1; exec "$H/aggwork" getppid s:1) &
pid=$!
out=$(timeout 60 $PY "$EX/callStack.py" 3 2>&1)
wait
if grep -A12 "^current pid:$pid, comm:aggwork" <<<"$out" | grep -q '^wake_up_new_task+0x' &&
   grep -A12 "^current pid:$pid, comm:aggwork" <<<"$out" | grep -q '^kernel_clone+0x'; then
	pass "py$v: callStack getStacks names wake_up_new_task, kernel_clone"
else fail "py$v: callStack" "$out"; fi

# uprobe (attach=0, attachUprobe by offset as surftrace -S shows it, and by symbol).
off=$("$ROOT/build/surftrace" -S "P $H/aggwork:mark_begin" | sed -n 's|.*aggwork:\(0x[0-9a-f]*\).*|\1|p')
(sleep 1; exec "$H/aggwork" spans) &
pid=$!
out=$(timeout 60 $PY "$EX/uprobe.py" "$H/aggwork" "$off" 2.5 2>&1)
wait
(sleep 1; exec "$H/aggwork" spans) &
pid2=$!
out2=$(timeout 60 $PY "$EX/uprobe.py" "$H/aggwork" mark_begin 2.5 2>&1)
wait
if grep -qx "pid $pid: 2 calls" <<<"$out" && grep -qx "pid $pid2: 2 calls" <<<"$out2"; then
	pass "py$v: uprobe attachUprobe($off) and attachUprobeSym(mark_begin): 2 calls each"
else fail "py$v: uprobe" "$out" "$out2"; fi

# attach: SEC's target left alone (attach=0), attachTracepoint to sched_process_exec.
(sleep 1; /bin/true; /bin/true; "$H/aggwork" getppid q:1 >/dev/null) &
out=$(timeout 60 $PY "$EX/attach.py" 2.5 2>&1)
wait
if grep -qx "true: 2" <<<"$out" && grep -qx "aggwork: 1" <<<"$out"; then
	pass "py$v: attach=0 and attachTracepoint (execs by comm)"
else fail "py$v: attach" "want true: 2, aggwork: 1" "$out"; fi

# hist: showHist of an LBC_HIST map, bcc's layout (5 reads of 100000 bytes at least).
(sleep 1; dd if=/dev/zero of=/dev/null bs=100000 count=5 2>/dev/null) &
out=$(timeout 60 $PY "$EX/hist.py" 2.5 2>&1)
wait
if awk '$1 == 65536 && $2 == "->" && $5 >= 5 { ok = 1 } END { exit !ok }' <<<"$out" &&
   grep -q '^ *bytes *: count     distribution$' <<<"$out"; then
	pass "py$v: showHist"
else fail "py$v: showHist" "$out"; fi

# traceExec: the surftrace module, execs by callback, getppid calls counted in the kernel.
(sleep 1; /bin/true & echo $! >"$W/true.pid"; wait; "$H/aggwork" getppid q:3 >/dev/null) &
out=$(timeout 60 $PY "$EX/traceExec.py" 2.5 2>&1)
wait
want="exec true: pid $(cat "$W/true.pid"), /bin/true"
if grep -qx "$want" <<<"$out" && grep -qx "getppid q: 3" <<<"$out"
then pass "py$v: traceExec (surftrace module: exec by callback, a:count as a dict)"
else fail "py$v: traceExec" "want '$want' and 'getppid q: 3'" "$out"; fi

# hello: bpf_printk lines in the trace buffer (written only while tracing is on).
on=$(cat "$TFS/tracing_on")
echo 1 >"$TFS/tracing_on"
echo >"$TFS/trace"
(sleep 1; /bin/true; /bin/true) &
timeout 60 $PY "$EX/hello.py" 2.5 >/dev/null 2>&1
wait
if grep -q 'hello lcc, parent: [0-9]' "$TFS/trace"; then pass "py$v: hello (bpf_printk)"
else fail "py$v: hello" "$(tail -3 "$TFS/trace")"; fi
echo "$on" >"$TFS/tracing_on"

# Decoding against C, per-CPU maps, short records, unknown maps.
checks "py$v: decode" "$ROOT/tests/python/decode_check.py" "$W"

# The surftrace module: events of known workloads, by callback and iteration.
checks "py$v: surftrace module" "$ROOT/tests/python/surftrace_check.py" "$H"
# ... and its uprobe events gone from tracefs after SIGINT and SIGTERM.
cat >"$W/st_wait.py" <<PYEOF
import signal, sys; sys.path.insert(0, "$ROOT/python")
# A background job of a script starts with SIGINT ignored: Ctrl-C's handler back.
signal.signal(signal.SIGINT, signal.default_int_handler)
import surftrace
with surftrace.surftrace(["P $H/tstruct:probe_me c=%0->count"]) as t:
    print("tracing", flush=True)
    t.loop()
PYEOF
for sig in INT TERM; do
	$PY "$W/st_wait.py" >"$W/st_wait.out" 2>&1 &
	p=$!
	for i in $(seq 100); do grep -q tracing "$W/st_wait.out" && break; sleep 0.1; done
	mid=$(grep -c "surftrace_${p}_" "$TFS/uprobe_events")
	kill -$sig $p; wait $p
	after=$(grep -c "surftrace_${p}_" "$TFS/uprobe_events")
	if [ "$mid" = 1 ] && [ "$after" = 0 ]; then pass "py$v: surftrace module removes its events on SIG$sig"
	else fail "py$v: surftrace module cleanup on SIG$sig" "events of pid $p: during $mid, after $after" "$(cat "$W/st_wait.out")"; fi
done

# Errors: clang's message for bad C; nothing loaded.
cat >"$W/bad.py" <<PYEOF
import sys; sys.path.insert(0, "$ROOT/python")
from pylcc.lbcBase import ClbcBase, LbcError
try:
    ClbcBase("bad", bpf_str='#include "lbc.h"\nSEC("tp/sched/sched_switch") int f(void *c) { return undeclared_x; }\n')
except LbcError as e:
    print(e)
PYEOF
out=$(timeout 60 $PY "$W/bad.py" 2>&1)
if grep -q "compiling .*bad.bpf.c failed" <<<"$out" && grep -q "undeclared_x" <<<"$out" &&
   grep -q "error:" <<<"$out"; then pass "py$v: bad C shows clang's error"
else fail "py$v: bad C" "$out"; fi

# Cleanup: SIGINT (KeyboardInterrupt: the example exits) and SIGTERM leave nothing.
base=$(ours)
for sig in INT TERM; do
	timeout 60 $PY "$EX/eventOut.py" >/dev/null 2>&1 &
	p=$!
	for i in $(seq 50); do [ "$(ours)" -gt "$base" ] && break; sleep 0.1; done
	mid=$(ours)
	kill -$sig $p; wait $p
	sleep 0.3
	if [ "$mid" -gt "$base" ] && [ "$(ours)" = "$base" ]; then pass "py$v: nothing left after SIG$sig"
	else fail "py$v: cleanup after SIG$sig" "programs: before $base, during $mid, after $(ours)"; fi
done
done
summary

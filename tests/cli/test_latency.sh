#!/bin/bash
# Events at a low rate reach the reader at once (issue 14): through a pipe
# (stdio would hold them until 4 KiB), with -n 1, and after a flood (the
# doorbells come back).  Bounds are generous (200 ms against the 100 ms poll
# timeout and the seconds a pipe buffer held before): bench/latency.c
# measures the real figures.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || [ ! -d /sys/kernel/btf ]; then
	skip latency "needs root"; summary; exit
fi

# pipe_latency NAME FLOOD: surftrace on write(1000077) to a pipe; after FLOOD
# events at full speed, 5 events 150 ms apart: each line must arrive within 200 ms.
pipe_latency() {
	local out
	out=$(python3 - "$ST" "$2" <<'PY' 2>&1
import os, select, subprocess, sys, time
st, flood = sys.argv[1], int(sys.argv[2])
p = subprocess.Popen([st, "-q", "e syscalls/sys_enter_write f:fd==1000077"],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
def event():
    try:
        os.write(1000077, b"")
    except OSError:
        pass
buf = b""
def lines_within(n, secs):
    global buf
    end = time.monotonic() + secs
    while True:
        left = end - time.monotonic()
        if not select.select([p.stdout], [], [], max(left, 0))[0]:
            return buf.count(b"\n") >= n
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            return False
        buf += chunk
        if buf.count(b"\n") >= n:
            return True
# Up: an event every 50 ms until the first line.
for i in range(60):
    event()
    if lines_within(1, 0.05):
        break
else:
    print("no line in 3 s"); p.kill(); sys.exit(1)
time.sleep(0.3)
lines_within(1 << 30, 0.2)
buf = b""
for i in range(flood):
    event()
    if i % 100 == 0:
        lines_within(0, 0)	# keep the pipe from filling: surftrace would block
if flood and not lines_within(flood, 10):
    print("flood: %d of %d lines" % (buf.count(b"\n"), flood)); p.kill(); sys.exit(1)
buf = b""
time.sleep(0.3)
worst = 0
for i in range(5):
    t = time.monotonic()
    event()
    if not lines_within(i + 1, 1.0):
        print("event %d: no line within 1 s" % i); p.kill(); sys.exit(1)
    worst = max(worst, time.monotonic() - t)
    time.sleep(0.15)
p.terminate(); p.wait()
print("worst %.1f ms" % (worst * 1000))
sys.exit(0 if worst < 0.2 else 1)
PY
)
	if [ $? = 0 ]; then pass "$1 ($out)"; else fail "$1" "$out"; fi
}
pipe_latency pipe_low_rate 0
pipe_latency pipe_after_flood 20000

# -n 1 with an event every 100 us: the line, then the exit, quickly.
python3 -c '
import os, time
while True:
    os.getppid(); time.sleep(0.0001)' & W=$!
start=$(date +%s%N)
out=$(timeout 10 $ST -q -n 1 'e syscalls/sys_enter_getppid' 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill $W 2>/dev/null; wait $W 2>/dev/null
if [ $rc = 0 ] && [ "$(grep -c sys_enter_getppid <<<"$out")" = 1 ] && [ $ms -lt 1000 ]; then
	pass "n1_first_event (${ms} ms)"
else
	fail n1_first_event "exit $rc in $ms ms" "$out"
fi
summary

# SPDX-License-Identifier: MIT
"""The surftrace Python module against the running kernel (tests/cli/test_pylcc.sh):
exact events of known workloads by callback and by iteration, typed fields,
an expression error with its caret.  Prints "ok NAME" / "FAIL NAME: why".
    surftrace_check.py HELPERS_DIR"""
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import surftrace  # noqa: E402

H = sys.argv[1]


def check(name, cond, why):
    print(("ok   %s" % name) if cond else ("FAIL %s: %s" % (name, why)), flush=True)


try:
    surftrace.surftrace(["e syscalls/sys_enter_write sz=nosuch"])
    check("error_with_caret", False, "no error")
except surftrace.SurfError as e:
    lines = str(e).split("\n")
    check("error_with_caret", e.msg == "the tracepoint has no field 'nosuch'" and
          lines[2] == "  " + " " * e.pos + "^" + "~" * (e.len - 1) and
          e.line[e.pos:e.pos + e.len] == "nosuch", str(e))

for exprs, want in ((["e sched/sched_process_exec file=filename"], "file="),
                    (["e sched/sched_process_exec", "e syscalls/sys_enter_getppid a:count(comm)"],
                     None)):
    try:
        surftrace.surftrace(exprs)
        check("refused_" + exprs[-1].split()[-1], False, "no error")
    except surftrace.SurfError as e:
        check("refused_" + exprs[-1].split()[-1], want is None and "streaming" in e.msg or
              e.line and e.line[e.pos:e.pos + e.len] == want, str(e))

got = []
t = surftrace.surftrace(["e syscalls/sys_enter_getppid",
                         "P %s/tstruct:probe_me c=%%0->count id=S%%0->in->next->id" % H],
                        cb=got.append)
t.start()
threading.Timer(0.5, lambda: (subprocess.run([H + "/aggwork", "getppid", "pyx:3"]),
                              subprocess.run([H + "/tstruct", "3"], stdout=subprocess.DEVNULL))).start()
t.loop(2.5)
st = t.stats()
t.stop()
pp = [e for e in got if e.comm == "pyx"]
ts = [(e["c"], e["id"]) for e in got if e.name == "f1"]
check("callback_tracepoint_events", len(pp) == 3 and all(e.name == "sys_enter_getppid" and
      e.fields["__syscall_nr"] == 110 for e in pp), repr(pp))
check("callback_uprobe_member_chains", ts == [(10, 101), (20, 102), (30, 103)], repr(ts))
check("stats", st["lost"] == 0 and st["records"] >= 6, repr(st))

seen = []
with surftrace.surftrace("e sched/sched_process_exec") as t2:
    threading.Timer(0.3, lambda: subprocess.run(["/bin/true"])).start()
    for ev in t2.events(timeout=1.5):
        if ev.comm == "true":
            seen.append(ev["filename"])
check("iteration_and_strings", seen == ["/bin/true"], repr(seen))

# a: clauses: counted in the kernel, read as dicts (the shape of surftrace --json).
with surftrace.surftrace(["e syscalls/sys_enter_getppid a:count(comm)", "P libc:usleep",
                          "R libc:usleep a:lat(comm)"]) as t3:
    threading.Timer(0.3, lambda: (subprocess.run([H + "/aggwork", "getppid", "pya:3", "pyb:5"]),
                                  subprocess.run([H + "/aggwork", "usleep", "3000:4"]))).start()
    t3.loop(1.5)
    res = t3.results()
counts = {e["key"][0]: e["value"] for e in res[0]["entries"] if e["key"][0] in ("pya", "pyb")}
lat = [e["buckets"] for e in res[1]["entries"] if e["key"] == ["sl-3000"]]
check("aggregation_count_as_dict", res[0]["agg"] == "count" and counts == {"pya": 3, "pyb": 5},
      repr(res[0])[:300])
check("aggregation_lat_buckets", res[1]["agg"] == "lat" and len(lat) == 1 and
      sum(b["count"] for b in lat[0]) == 4 and all(b["low"] >= 2097152 for b in lat[0]),
      repr(res[1])[:300])

# USDT probes, the semaphore of a gated one raised while traced.
got = []
with surftrace.surftrace(["U %s/usdtprog:surftest:tick i=%%0 big=%%1" % H,
                          "U %s/usdtprog:surftest:gated i=%%0" % H], cb=got.append) as t4:
    t4.start()
    out = subprocess.run([H + "/usdtprog", "3"], stdout=subprocess.PIPE).stdout
    t4.loop(0.3)
ticks = [(e["i"], e["big"]) for e in got if e.name == "f0"]
gated = [e["i"] for e in got if e.name == "f1"]
check("usdt_arguments", ticks == [(1, 1000), (2, 2000), (3, 3000)], repr(ticks))
check("usdt_semaphore", gated == [1, 2, 3] and out == b"enabled=3\n", repr((gated, out)))
try:
    surftrace.surftrace(["U %s/usdtprog:surftest:nosuch" % H])
    check("usdt_unknown_probe", False, "no error")
except surftrace.SurfError as e:
    check("usdt_unknown_probe", "nosuch" in e.msg, e.msg)

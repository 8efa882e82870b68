#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The surftrace module: the command line's expressions in a program (the
seed's surftrace(exprs, cb=...)).  Each exec reaches the callback as it
happens, with its fields by name; at the end, getppid calls counted by
thread name in the kernel (an a: clause), read as a dict.
    traceExec.py [SECONDS]"""
import sys

import _path  # noqa: F401
import surftrace


def show(ev):
    print("exec %s: pid %d, %s" % (ev.comm, ev.pid, ev["filename"]))


if __name__ == "__main__":
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5
    execs = surftrace.surftrace(["e sched/sched_process_exec"], cb=show)
    # A tracer either streams or aggregates: a second one counts.
    calls = surftrace.surftrace(["e syscalls/sys_enter_getppid a:count(comm)"])
    with execs, calls:
        execs.loop(seconds)
        for entry in calls.results()[0]["entries"]:
            print("getppid %s: %d" % (entry["key"][0], entry["value"]))

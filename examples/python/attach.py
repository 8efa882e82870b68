#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The seed's attach (pylcc 6.3.9): attach=0 keeps the program's own SEC()
target unattached; attachTracepoint (this kernel's stand-in for attachKprobe,
which needs kprobes) attaches it elsewhere.  Execs counted by comm.
    attach.py [SECONDS]"""
import sys
import time

import _path  # noqa: F401
from pylcc.lbcBase import ClbcBase

bpfPog = r"""
#include "lbc.h"
#define TASK_COMM_LEN 16
struct comm_t { char comm[TASK_COMM_LEN]; };

LBC_HASH(execs, struct comm_t, u64, 1024);
SEC("tp/sched/sched_switch")
int j_exec(void *ctx)
{
    struct comm_t c = {};
    u64 one = 1, *n;

    bpf_get_current_comm(&c.comm, TASK_COMM_LEN);
    n = bpf_map_lookup_elem(&execs, &c);
    if (n)
        __sync_fetch_and_add(n, 1);
    else
        bpf_map_update_elem(&execs, &c, &one, BPF_ANY);
    return 0;
}

char _license[] SEC("license") = "GPL";
"""


class Cattach(ClbcBase):
    def __init__(self):
        super(Cattach, self).__init__("attach", bpf_str=bpfPog, attach=0)
        self.attachTracepoint("j_exec", "sched", "sched_process_exec")


if __name__ == "__main__":
    a = Cattach()
    time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 5)
    for k, n in sorted(a.maps['execs'].get().items(), key=lambda kv: -kv[1]):
        print("%s: %d" % (k.comm, n))

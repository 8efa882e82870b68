#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The seed's hello (pylcc 6.3.1): bpf_printk at every new task, read from
trace_pipe.  This kernel has no kprobes: the sched_wakeup_new raw tracepoint
gives the same task_struct as kprobe/wake_up_new_task's first argument.
    hello.py [SECONDS]     (default: until Ctrl-C)"""
import sys
import time

import _path  # noqa: F401  (pylcc from the source tree)
from pylcc.lbcBase import ClbcBase

bpfPog = r"""
#include "lbc.h"

SEC("raw_tp/sched_wakeup_new")
int j_wake_up_new_task(struct bpf_raw_tracepoint_args *ctx)
{
    struct task_struct* parent = (struct task_struct *)ctx->args[0];

    bpf_printk("hello lcc, parent: %d\n", _(parent->tgid));
    return 0;
}

char _license[] SEC("license") = "GPL";
"""


class Chello(ClbcBase):
    def __init__(self, seconds):
        super(Chello, self).__init__("hello", bpf_str=bpfPog)
        end = time.time() + seconds if seconds else None
        while end is None or time.time() < end:
            time.sleep(0.2)


if __name__ == "__main__":
    hello = Chello(float(sys.argv[1]) if len(sys.argv) > 1 else 0)

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The seed's Java probe (pylcc 6.3.11): a SEC("perf_event") program on the
JIT-compiled code of a Java method, printing its first int argument
(ctx->regs.si: HotSpot passes a static method's first int argument in rsi)
to the trace pipe.  attachJavaSym runs `jcmd PID Compiler.perfmap` when the
JVM's perf map is missing or does not name the method yet.
    javaProbe.py PID 'Ltest;::square_test' [SECONDS]
then: cat /sys/kernel/tracing/trace_pipe"""
import sys
import time
from signal import pause

import _path  # noqa: F401
from pylcc.lbcBase import ClbcBase, LbcError

bpfPog = r"""
#include "lbc.h"

SEC("perf_event")
int bpf_prog(struct bpf_perf_event_data *ctx)
{
    bpf_printk("java function probe. arg1 :%d\n", ctx->regs.si);
    return 0;
}

char _license[] SEC("license") = "GPL";
"""


class CjavaProbe(ClbcBase):
    def __init__(self, pid, sym):
        super(CjavaProbe, self).__init__("perfBp", bpf_str=bpfPog)
        self.attachJavaSym("bpf_prog", pid, sym)

    def loop(self):
        pause()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    try:
        e = CjavaProbe(int(sys.argv[1]), sys.argv[2])
    except LbcError as err:
        sys.exit("javaProbe: %s" % err)
    print("attached to %s of %s" % (sys.argv[2], sys.argv[1]))
    sys.stdout.flush()
    if len(sys.argv) > 3:
        time.sleep(float(sys.argv[3]))
    else:
        e.loop()

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""showHist(): a log2 histogram of read sizes kept in an LBC_HIST map,
printed as bcc prints it.
    hist.py [SECONDS]"""
import sys
import time

import _path  # noqa: F401
from pylcc.lbcBase import ClbcBase

bpfPog = r"""
#include "lbc.h"

LBC_HIST(sizes, 64);
SEC("tp/syscalls/sys_enter_read")
int j_read(struct trace_event_raw_sys_enter *ctx)
{
    lbc_hist_log2_add(&sizes, ctx->args[2]);
    return 0;
}

char _license[] SEC("license") = "GPL";
"""


class Chist(ClbcBase):
    def __init__(self):
        super(Chist, self).__init__("hist", bpf_str=bpfPog)


if __name__ == "__main__":
    h = Chist()
    time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 5)
    h.showHist("sizes", "bytes")

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The seed's uprobe (pylcc 6.3.10) with attach=0 and the attach calls of
6.3.9: a count of calls of a user function, by pid, in a hash map.  The
binary and the file offset come from `surftrace -S 'P BIN:FUNC'` (as the
seed says), or attachUprobeSym names the symbol.
    uprobe.py BINARY OFFSET|SYMBOL [SECONDS]"""
import sys
import time

import _path  # noqa: F401
from pylcc.lbcBase import ClbcBase

bpfPog = r"""
#include "lbc.h"

LBC_HASH(calls, u32, u64, 1024);
SEC("uprobe/*")
int call_symbol(struct pt_regs *ctx)
{
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    u64 one = 1, *n = bpf_map_lookup_elem(&calls, &pid);

    if (n)
        __sync_fetch_and_add(n, 1);
    else
        bpf_map_update_elem(&calls, &pid, &one, BPF_ANY);
    return 0;
}

char _license[] SEC("license") = "GPL";
"""


class CtestUprobe(ClbcBase):
    def __init__(self, binary, where):
        super(CtestUprobe, self).__init__("tUprobe", bpf_str=bpfPog, attach=0)
        if where.startswith("0x") or where.isdigit():
            self.attachUprobe("call_symbol", -1, binary, int(where, 0))
        else:
            self.attachUprobeSym("call_symbol", -1, binary, where)


if __name__ == "__main__":
    t = CtestUprobe(sys.argv[1], sys.argv[2])
    time.sleep(float(sys.argv[3]) if len(sys.argv) > 3 else 5)
    for pid, n in sorted(t.maps['calls'].get().items()):
        print("pid %d: %d calls" % (pid, n))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The seed's hashMap (pylcc 6.3.4): getppid calls counted by pid in a hash
map, read as a dict: get(), getKeys(), getKeyValue(), getThenClear(), clear().
    hashMap.py [SECONDS]    (default 5)"""
import sys
import time

import _path  # noqa: F401
from pylcc.lbcBase import ClbcBase

bpfPog = r"""
#include "lbc.h"

LBC_HASH(pid_cnt, u32, u32, 1024);
SEC("tp/syscalls/sys_enter_getppid")
int j_getppid(void *ctx)
{
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    u32 *pcnt, cnt;

    pcnt = bpf_map_lookup_elem(&pid_cnt, &pid);
    cnt = pcnt ? *pcnt + 1 : 1;
    bpf_map_update_elem(&pid_cnt, &pid, &cnt, BPF_ANY);
    return 0;
}

char _license[] SEC("license") = "GPL";
"""


class ChashMap(ClbcBase):
    def __init__(self):
        super(ChashMap, self).__init__("hashMap", bpf_str=bpfPog)

    def loop(self, seconds):
        time.sleep(seconds)
        dMap = self.maps['pid_cnt']
        print(dMap.get())
        print("keys:", sorted(dMap.getKeys()))
        for k in sorted(dMap.getKeys()):
            print("pid %d: %d" % (k, dMap.getKeyValue(k)))
        print("then cleared:", len(dMap.getThenClear()), len(dMap.get()))


if __name__ == "__main__":
    ChashMap().loop(float(sys.argv[1]) if len(sys.argv) > 1 else 5)

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The seed's dynamicVar (pylcc 6.3.3): the program text changed before it is
compiled: only new tasks of the process FILTER_PID are sent.
    dynamicVar.py PID [SECONDS]"""
import sys

import _path  # noqa: F401
from pylcc.lbcBase import ClbcBase

bpfPog = r"""
#include "lbc.h"
#define TASK_COMM_LEN 16
struct data_t {
    u32 c_pid;
    u32 p_pid;
    char c_comm[TASK_COMM_LEN];
    char p_comm[TASK_COMM_LEN];
};

LBC_PERF_OUTPUT(e_out, struct data_t, 128);
SEC("raw_tp/sched_wakeup_new")
int j_wake_up_new_task(struct bpf_raw_tracepoint_args *ctx)
{
    struct task_struct* parent = (struct task_struct *)ctx->args[0];
    struct data_t data = {};

    data.c_pid = bpf_get_current_pid_tgid() >> 32;
    if (data.c_pid != FILTER_PID) {
        return 0;
    }
    bpf_get_current_comm(&data.c_comm, TASK_COMM_LEN);
    data.p_pid = BPF_CORE_READ(parent, pid);
    bpf_core_read(&data.p_comm[0], TASK_COMM_LEN, &parent->comm[0]);
    bpf_perf_event_output(ctx, &e_out, BPF_F_CURRENT_CPU, &data, sizeof(data));
    return 0;
}

char _license[] SEC("license") = "GPL";
"""


class CdynamicVar(ClbcBase):
    def __init__(self):
        super(CdynamicVar, self).__init__("dynamicVar", bpf_str=bpfPog)

    def _cb(self, cpu, data, size):
        e = self.getMap('e_out', data, size)
        print("current pid:%d, comm:%s. wake_up_new_task pid: %d, comm: %s" % (
            e.c_pid, e.c_comm, e.p_pid, e.p_comm), flush=True)

    def loop(self, seconds=-1):
        self.maps['e_out'].open_perf_buffer(self._cb)
        try:
            self.maps['e_out'].perf_buffer_poll(seconds)
        except KeyboardInterrupt:
            print("key interrupt.")
            exit()


if __name__ == "__main__":
    bpfPog = bpfPog.replace("FILTER_PID", sys.argv[1])
    e = CdynamicVar()
    e.loop(float(sys.argv[2]) if len(sys.argv) > 2 else -1)

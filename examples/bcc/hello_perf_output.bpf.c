// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 7, hello_perf_output: stop using the shared trace pipe.  Each
 * clone() becomes a struct hello_event in a per-CPU perf buffer, which only
 * this tool reads.
 */
#include "lbc.h"
#include "hello_perf_output.h"

LBC_PERF_OUTPUT(events, struct hello_event, 128);

static __always_inline int hello(void *ctx)
{
	struct hello_event data = {};
	u64 id = bpf_get_current_pid_tgid();

	data.pid = id >> 32;
	data.tid = (u32)id;
	data.ts = bpf_ktime_get_ns();
	bpf_get_current_comm(&data.comm, sizeof(data.comm));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &data, sizeof(data));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_clone")
int hello_clone(void *ctx)
{
	return hello(ctx);
}

SEC("tracepoint/syscalls/sys_enter_clone3")
int hello_clone3(void *ctx)
{
	return hello(ctx);
}

SEC("kprobe/kernel_clone")
int hello_kprobe(struct pt_regs *ctx)
{
	return hello(ctx);
}

char LICENSE[] SEC("license") = "GPL";

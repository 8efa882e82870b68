// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 8, sync_perf_output: sync_timing with its report sent through a
 * perf buffer instead of the trace pipe, with who called sync.
 */
#include "lbc.h"
#include "sync_perf_output.h"

LBC_HASH(last, u64, u64, 1);
/* Report gaps shorter than this (sync_timing -t MS). */
const volatile u64 threshold_ms = 1000;
LBC_PERF_OUTPUT(events, struct sync_event, 128);

static __always_inline int on_sync(void *ctx)
{
	u64 key = 0, now = bpf_ktime_get_ns(), *tsp;

	tsp = bpf_map_lookup_elem(&last, &key);
	if (tsp && now - *tsp < threshold_ms * 1000000) {
		struct sync_event ev = {
			.pid = bpf_get_current_pid_tgid() >> 32,
			.uid = (u32)bpf_get_current_uid_gid(),
			.ts = now,
			.delta = now - *tsp,
		};

		bpf_get_current_comm(&ev.comm, sizeof(ev.comm));
		bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
	}
	bpf_map_update_elem(&last, &key, &now, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sync")
int sync_tp(void *ctx)
{
	return on_sync(ctx);
}

SEC("kprobe/__x64_sys_sync")
int sync_kprobe(struct pt_regs *ctx)
{
	return on_sync(ctx);
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 4, sync_timing: when sync(2) is called again less than a second
 * (threshold_ms, set by -t) after the previous call, print the gap in
 * milliseconds to the trace pipe.  A one-entry hash keyed 0 holds the time
 * of the last call, as in the lesson.
 */
#include "lbc.h"

LBC_HASH(last, u64, u64, 1);
/* Report gaps shorter than this (sync_timing -t MS). */
const volatile u64 threshold_ms = 1000;

static __always_inline int on_sync(void)
{
	u64 key = 0, now = bpf_ktime_get_ns(), *tsp;

	tsp = bpf_map_lookup_elem(&last, &key);
	if (tsp) {
		u64 delta = now - *tsp;

		if (delta < threshold_ms * 1000000)
			bpf_printk("%llu", delta / 1000000);
		bpf_map_delete_elem(&last, &key);
	}
	bpf_map_update_elem(&last, &key, &now, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sync")
int sync_tp(void *ctx)
{
	return on_sync();
}

SEC("kprobe/__x64_sys_sync")
int sync_kprobe(struct pt_regs *ctx)
{
	return on_sync();
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 5, sync_count: sync_timing that also counts every sync(2), fast or
 * slow.  The count lives in the same hash as the timestamp, under key 1; a
 * quick sync prints "<gap ms> <count>" to the trace pipe.
 */
#include "lbc.h"

enum { KEY_TS = 0, KEY_COUNT = 1 };

LBC_HASH(last, u64, u64, 2);
/* Report gaps shorter than this (sync_timing -t MS). */
const volatile u64 threshold_ms = 1000;

static __always_inline int on_sync(void)
{
	u64 ts_key = KEY_TS, count_key = KEY_COUNT, now = bpf_ktime_get_ns();
	u64 count = 1, *tsp, *countp;

	countp = bpf_map_lookup_elem(&last, &count_key);
	if (countp)
		count = *countp + 1;
	bpf_map_update_elem(&last, &count_key, &count, BPF_ANY);

	tsp = bpf_map_lookup_elem(&last, &ts_key);
	if (tsp) {
		u64 delta = now - *tsp;

		if (delta < threshold_ms * 1000000)
			bpf_printk("%llu %llu", delta / 1000000, count);
		bpf_map_delete_elem(&last, &ts_key);
	}
	bpf_map_update_elem(&last, &ts_key, &now, BPF_ANY);
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

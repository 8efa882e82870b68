// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 10, disklatency: a histogram of block I/O latency, from issue to
 * completion (disksnoop's timing, bitehist's histogram), on the
 * block:block_rq_issue and block:block_rq_complete tracepoints.
 */
#include "lbc.h"

struct rq_key {
	u32 dev;
	u32 pad;
	u64 sector;
};

LBC_HASH(start, struct rq_key, u64, 10240);
LBC_HIST(dist, 64);

const volatile bool targ_ms = false;	/* milliseconds instead of microseconds (-m) */
const volatile u32 targ_dev = 0;	/* only this device, as the kernel encodes dev_t
					 * (major << 20 | minor); 0: every device (-d) */

SEC("tracepoint/block/block_rq_issue")
int lat_issue(struct trace_event_raw_block_rq *ctx)
{
	struct rq_key key = { .dev = ctx->dev, .sector = ctx->sector };
	u64 ts = bpf_ktime_get_ns();

	if (targ_dev && targ_dev != key.dev)
		return 0;
	bpf_map_update_elem(&start, &key, &ts, BPF_ANY);
	return 0;
}

SEC("tracepoint/block/block_rq_complete")
int lat_complete(struct trace_event_raw_block_rq_completion *ctx)
{
	struct rq_key key = { .dev = ctx->dev, .sector = ctx->sector };
	u64 *tsp = bpf_map_lookup_elem(&start, &key), delta;

	if (!tsp)
		return 0;
	delta = (bpf_ktime_get_ns() - *tsp) / 1000;
	if (targ_ms)
		delta /= 1000;
	lbc_hist_log2_add(&dist, delta);
	bpf_map_delete_elem(&start, &key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

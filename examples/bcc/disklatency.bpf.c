// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 10, disklatency: a histogram of block I/O latency, from issue to
 * completion (disksnoop's timing, bitehist's histogram), on the
 * block:block_rq_issue and block:block_rq_complete tracepoints.
 */
#include "lbc.h"
#include "hist.bpf.h"
#include "disklatency.h"

struct rq_key {
	u32 dev;
	u32 pad;
	u64 sector;
};

LBC_HASH(start, struct rq_key, u64, 10240);
LBC_ARRAY(dist, u32, u64, HIST_SLOTS);
LBC_ARRAY(settings, u32, struct disklatency_config, 1);

SEC("tracepoint/block/block_rq_issue")
int lat_issue(struct trace_event_raw_block_rq *ctx)
{
	struct rq_key key = { .dev = ctx->dev, .sector = ctx->sector };
	u64 ts = bpf_ktime_get_ns();
	u32 zero = 0;
	struct disklatency_config *cfg = bpf_map_lookup_elem(&settings, &zero);

	if (cfg && cfg->dev && cfg->dev != key.dev)
		return 0;
	bpf_map_update_elem(&start, &key, &ts, BPF_ANY);
	return 0;
}

SEC("tracepoint/block/block_rq_complete")
int lat_complete(struct trace_event_raw_block_rq_completion *ctx)
{
	struct rq_key key = { .dev = ctx->dev, .sector = ctx->sector };
	u32 zero = 0;
	struct disklatency_config *cfg = bpf_map_lookup_elem(&settings, &zero);
	u64 *tsp = bpf_map_lookup_elem(&start, &key), delta;

	if (!tsp)
		return 0;
	delta = (bpf_ktime_get_ns() - *tsp) / 1000;
	if (cfg && cfg->millis)
		delta /= 1000;
	hist_add(dist, delta);
	bpf_map_delete_elem(&start, &key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

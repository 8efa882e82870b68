// SPDX-License-Identifier: GPL-2.0
/*
 * Lessons 6 and 13, disksnoop: the latency of every block I/O request.
 *
 * The lesson keyed a hash by the struct request pointer between two kprobes;
 * its "fixed" form (lesson 13) uses the block:block_rq_issue and
 * block:block_rq_complete tracepoints, which is what runs here.  A request
 * is known by its device and first sector on both.  On completion the trace
 * pipe gets "<bytes> <1 if write> <latency us>".
 */
#include "lbc.h"

struct rq_key {
	u32 dev;
	u32 pad;
	u64 sector;
};

struct rq_start {
	u64 ts;
	u32 bytes;
	u32 write;
};

LBC_HASH(start, struct rq_key, struct rq_start, 10240);

static __always_inline int is_write(const char *rwbs)
{
	/* rwbs is e.g. "WS", "FWS", "RA", "D": W marks a write. */
	for (int i = 0; i < 4; i++) {
		char c = rwbs[i];

		if (c == 'W')
			return 1;
		if (c == '\0')
			break;
	}
	return 0;
}

SEC("tracepoint/block/block_rq_issue")
int trace_start(struct trace_event_raw_block_rq *ctx)
{
	struct rq_key key = { .dev = ctx->dev, .sector = ctx->sector };
	struct rq_start val = { .ts = bpf_ktime_get_ns(), .bytes = ctx->bytes };
	char rwbs[4];

	bpf_probe_read_kernel(rwbs, sizeof(rwbs), ctx->rwbs);
	val.write = is_write(rwbs);
	bpf_map_update_elem(&start, &key, &val, BPF_ANY);
	return 0;
}

SEC("tracepoint/block/block_rq_complete")
int trace_completion(struct trace_event_raw_block_rq_completion *ctx)
{
	struct rq_key key = { .dev = ctx->dev, .sector = ctx->sector };
	struct rq_start *s = bpf_map_lookup_elem(&start, &key);

	if (!s)
		return 0;
	bpf_printk("%u %u %llu", s->bytes, s->write, (bpf_ktime_get_ns() - s->ts) / 1000);
	bpf_map_delete_elem(&start, &key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

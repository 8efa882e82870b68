// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 9, bitehist: a power-of-two histogram of block I/O sizes in KiB.
 *
 * bcc read req->__data_len on a kprobe of blk_account_io_done, which is an
 * inline function on current kernels (6.1 and 6.18 alike) and cannot be
 * probed; the block:block_rq_issue tracepoint carries the request's size as
 * "bytes".  The record is declared here from the tracepoint's format file
 * (/sys/kernel/tracing/events/block/block_rq_issue/format), whose first
 * fields have not moved since 4.x, so loading needs no kernel BTF: that keeps
 * this tool small and quick to start.
 */
#include "lbc.h"

struct block_rq_issue_args {
	u64 common;		/* common_type, common_flags, ..., common_pid */
	u32 dev;
	u64 sector;
	u32 nr_sector;
	u32 bytes;
};

LBC_HIST(dist, 64);

SEC("tracepoint/block/block_rq_issue")
int bite_issue(struct block_rq_issue_args *args)
{
	lbc_hist_log2_add(&dist, args->bytes / 1024);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

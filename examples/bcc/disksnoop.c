// SPDX-License-Identifier: GPL-2.0
/*
 * disksnoop - lessons 6 and 13 of the bcc tutorial, in C: one line per
 * completed block I/O request with its size, direction and latency.  The
 * kernel side times each request from block_rq_issue to block_rq_complete
 * in a hash and prints "<bytes> <write> <us>" to the trace pipe.
 */
#include <stdio.h>

#include "lesson.h"

#define TOOL "disksnoop"

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Print each block I/O request as it completes: size, read or write, latency.\n"
	"\n"
	"USAGE: " TOOL " [-d SECONDS] [-v]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "          # trace until Ctrl-C\n"
	"    " TOOL " -d 10    # trace for ten seconds\n"
	"\n"
	"The lesson's kprobes (blk_mq_start_request, blk_account_io_done) are gone:\n"
	"blk_account_io_done is inline since 5.16; the block:block_rq_issue and\n"
	"block:block_rq_complete tracepoints (lesson 13) are used instead.";

static void print_request(const char *line, void *ctx)
{
	struct trace_fields f;
	unsigned int bytes, write;
	unsigned long long us;
	char tail;

	(void)ctx;
	/* Skip other programs' lines: ours is three numbers. */
	if (trace_fields(line, &f) ||
	    sscanf(f.msg, "%u %u %llu%c", &bytes, &write, &us, &tail) != 3)
		return;
	printf("%-18.9f %-2s %-7u %8.2f\n", f.ts, write ? "W" : "R", bytes, us / 1000.0);
}

static int attach(struct clcc_struct *p)
{
	return lesson_attach_tp(p, TOOL, "trace_start", "block:block_rq_issue") ?:
	       lesson_attach_tp(p, TOOL, "trace_completion", "block:block_rq_complete");
}

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.attach = attach,
	/* print_request's columns */
	.header = "TIME(s)            T  BYTES    LAT(ms)",
	.trace_line = print_request,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * sync_count - lesson 5 of the bcc tutorial, in C: sync_timing that also
 * counts every sync(2), quick or not, in a second key of the same hash, and
 * prints the count with each report.
 */
#include <stdio.h>

#include "lesson.h"

#define TOOL "sync_count"

static double start;	/* the trace clock at the first report */

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Report sync(2) calls less than a second after the previous one, with the\n"
	"number of syncs since the start.\n"
	"\n"
	"USAGE: " TOOL " [-t MS] [--kprobe] [-d SECONDS] [-v]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "            # until Ctrl-C; run `sync;sync;sync`\n"
	"    " TOOL " -t 5000    # report syncs less than five seconds apart\n"
	"    " TOOL " --kprobe   # a kprobe on sync (needs kprobes)";

static void print_gap(const char *line, void *ctx)
{
	struct trace_fields f;
	unsigned long long ms, count;
	char tail;

	(void)ctx;
	/* Skip other programs' lines: ours is two numbers. */
	if (trace_fields(line, &f) || sscanf(f.msg, "%llu %llu%c", &ms, &count, &tail) != 2)
		return;
	if (start == 0)
		start = f.ts;
	printf("At time %.2f s: multiple syncs detected, last %llu ms ago, count %llu\n",
	       f.ts - start, ms, count);
}

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.options = lesson_threshold_opts,
	.parser = lesson_threshold_parse,
	.kprobe_doc = LESSON_SYNC_KPROBE_DOC,
	.setup = lesson_set_threshold,
	.attach = lesson_attach_sync,
	.header = "Tracing for quick sync's... Ctrl-C to end",
	.trace_line = print_gap,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

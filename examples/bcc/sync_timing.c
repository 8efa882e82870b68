// SPDX-License-Identifier: GPL-2.0
/*
 * sync_timing - lesson 4 of the bcc tutorial, in C: report sync(2) calls
 * that come less than a second after the previous one ("sync;sync;sync").
 * The kernel side keeps the time of the last sync in a hash and prints the
 * gap in ms to the trace pipe; this side prints it with the time since the
 * first report.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lesson.h"

#define TOOL "sync_timing"

static double start;	/* the trace clock at the first report */

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Report sync(2) calls less than a second after the previous one.\n"
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
	unsigned long long ms;
	char *end;

	(void)ctx;
	/* Skip other programs' lines: ours is one number. */
	if (trace_fields(line, &f) || !*f.msg)
		return;
	ms = strtoull(f.msg, &end, 10);
	if (*end)
		return;
	if (start == 0)
		start = f.ts;
	printf("At time %.2f s: multiple syncs detected, last %llu ms ago\n", f.ts - start, ms);
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

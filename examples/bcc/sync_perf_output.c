// SPDX-License-Identifier: GPL-2.0
/*
 * sync_perf_output - lesson 8 of the bcc tutorial, in C: sync_timing with
 * its reports sent through a perf buffer (struct sync_event,
 * sync_perf_output.h) instead of the trace pipe, so each report also says
 * who called sync.
 */
#include <stdio.h>
#include <string.h>

#include "lesson.h"
#include "sync_perf_output.h"

#define TOOL "sync_perf_output"

static unsigned long long first_ts;

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Report sync(2) calls less than a second after the previous one, with the\n"
	"caller, through a perf buffer.\n"
	"\n"
	"USAGE: " TOOL " [-t MS] [--kprobe] [-d SECONDS] [-v]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "            # until Ctrl-C; run `sync;sync`\n"
	"    " TOOL " -t 5000    # syncs less than 5 s apart\n"
	"    " TOOL " --kprobe   # a kprobe on sync (needs kprobes)";

static void print_event(void *ctx, int cpu, void *data, unsigned int size)
{
	struct sync_event ev;

	(void)ctx;
	(void)cpu;
	if (size < sizeof(ev))
		return;
	memcpy(&ev, data, sizeof(ev));
	ev.comm[sizeof(ev.comm) - 1] = '\0';
	if (!first_ts)
		first_ts = ev.ts;
	printf("At time %.2f s: multiple syncs detected, last %llu ms ago (pid %u uid %u comm %s)\n",
	       (ev.ts - first_ts) / 1e9, ev.delta / 1000000, ev.pid, ev.uid, ev.comm);
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
	.map = "events",
	.event = print_event,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * bitehist - lesson 9 of the bcc tutorial, in C: a power-of-two histogram of
 * block I/O sizes in KiB.  Only the histogram's slots cross from the kernel
 * (a 64-slot array that bitehist.bpf.c fills on block:block_rq_issue).
 */
#include <stdio.h>

#include "lesson.h"

#define TOOL "bitehist"

static unsigned int interval, count;

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Summarize block I/O sizes as a power-of-two histogram (KiB).\n"
	"\n"
	"USAGE: " TOOL " [-d SECONDS] [-v] [interval [count]]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "          # trace until Ctrl-C, then print the histogram\n"
	"    " TOOL " -d 10    # trace for ten seconds\n"
	"    " TOOL " 1 5      # a histogram every second, five times";

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	lesson_interval_arg(state, arg, &interval, &count);
	return 0;
}

static int attach(struct clcc_struct *p)
{
	return lesson_attach_tp(p, TOOL, "bite_issue", "block:block_rq_issue");
}

static int run(struct clcc_struct *p, int map)
{
	return lesson_hist_loop(p, TOOL, map, "kbytes", interval, count);
}

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.args_doc = "[interval [count]]",
	.parser = parse_arg,
	.attach = attach,
	.map = "dist",
	.header = "Tracing block I/O... Hit Ctrl-C to end.",
	.run = run,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

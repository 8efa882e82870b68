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

int main(int argc, char **argv)
{
	static const struct argp_child children[] = { { &lesson_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp argp = { NULL, parse_arg, "[interval [count]]", doc, children,
					  NULL, NULL };
	struct clcc_struct *p;
	int err, id = -1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	lesson_handle_signals();
	p = lesson_open(TOOL);
	if (!p)
		return 1;
	err = lesson_load(p, TOOL, lesson_env.verbose);
	if (!err)
		err = (id = lesson_map(p, "dist")) < 0 ? id : 0;
	if (!err)
		err = lesson_attach_tp(p, TOOL, "bite_issue", "block:block_rq_issue");
	if (!err) {
		printf("Tracing block I/O... Hit Ctrl-C to end.\n");
		lesson_stop_after(lesson_env.duration);
		err = lesson_hist_loop(p, TOOL, id, "kbytes", interval, count);
	}
	lesson_close(p);
	return err ? 1 : 0;
}

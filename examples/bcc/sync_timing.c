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

static bool use_kprobe;
static unsigned long long threshold_ms = 1000;

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

static const struct argp_option opts[] = {
	{ "threshold", 't', "MS", 0, "Report syncs closer than MS milliseconds (default 1000)", 0 },
	{ "kprobe", 'k', NULL, 0, "Trace the sync syscall's kernel function with a kprobe "
	  "instead of the syscalls:sys_enter_sync tracepoint", 0 },
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 't':
		threshold_ms = (unsigned long long)lesson_parse_long(state, "threshold", arg, 1,
								      86400000);
		return 0;
	case 'k':
		use_kprobe = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static void print_gap(const char *line, void *ctx)
{
	double *start = ctx;
	struct trace_fields f;
	unsigned long long ms;
	char *end;

	/* Skip other programs' lines: ours is one number. */
	if (trace_fields(line, &f) || !*f.msg)
		return;
	ms = strtoull(f.msg, &end, 10);
	if (*end)
		return;
	if (*start == 0)
		*start = f.ts;
	printf("At time %.2f s: multiple syncs detected, last %llu ms ago\n", f.ts - *start, ms);
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = { { &lesson_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp argp = { opts, parse_arg, NULL, doc, children, NULL, NULL };
	struct trace_pipe tp = { .fd = -1 };
	struct clcc_struct *p;
	double start = 0;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	lesson_handle_signals();
	p = lesson_open(TOOL);
	if (!p)
		return 1;
	err = clcc_set_global(p, "threshold_ms", &threshold_ms, sizeof(threshold_ms)) ?:
	      lesson_load(p, TOOL, lesson_env.verbose) ?: trace_pipe_open(&tp, TOOL) ?:
	      lesson_attach_syscall(p, TOOL, "sync", "sync_tp", "sync_kprobe", use_kprobe);
	if (!err) {
		printf("Tracing for quick sync's... Ctrl-C to end\n");
		lesson_stop_after(lesson_env.duration);
		err = trace_pipe_loop(&tp, TOOL, print_gap, &start);
	}
	trace_pipe_close(&tp);
	lesson_close(p);
	return err ? 1 : 0;
}

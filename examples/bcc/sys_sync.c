// SPDX-License-Identifier: GPL-2.0
/*
 * sys_sync - lesson 2 of the bcc tutorial, in C: "sys_sync() called" in the
 * trace pipe whenever a process calls sync(2), printed with its time,
 * command and pid.
 */
#include <stdio.h>
#include <string.h>

#include "lesson.h"

#define TOOL "sys_sync"
#define MESSAGE "sys_sync() called"

static bool use_kprobe;

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Print a line whenever a process calls sync(2).\n"
	"\n"
	"USAGE: " TOOL " [--kprobe] [-d SECONDS] [-v]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "             # trace until Ctrl-C; run `sync` in another shell\n"
	"    " TOOL " -d 10       # trace for ten seconds\n"
	"    " TOOL " --kprobe    # a kprobe on the sync syscall (needs kprobes)";

static const struct argp_option opts[] = {
	{ "kprobe", 'k', NULL, 0, "Trace the sync syscall's kernel function with a kprobe "
	  "instead of the syscalls:sys_enter_sync tracepoint", 0 },
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
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

static void print_sync(const char *line, void *ctx)
{
	struct trace_fields f;

	(void)ctx;
	/* The trace pipe is shared: show only this program's message. */
	if (trace_fields(line, &f) == 0 && strcmp(f.msg, MESSAGE) == 0)
		printf("%-18.9f %-16s %-6d %s\n", f.ts, f.task, f.pid, f.msg);
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = { { &lesson_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp argp = { opts, parse_arg, NULL, doc, children, NULL, NULL };
	struct trace_pipe tp = { .fd = -1 };
	struct clcc_struct *p;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	lesson_handle_signals();
	p = lesson_open(TOOL);
	if (!p)
		return 1;
	err = lesson_load(p, TOOL, lesson_env.verbose) ?: trace_pipe_open(&tp, TOOL) ?:
	      lesson_attach_syscall(p, TOOL, "sync", "sync_tp", "sync_kprobe", use_kprobe);
	if (!err) {
		printf("Tracing sys_sync()... Ctrl-C to end.\n");
		lesson_stop_after(lesson_env.duration);
		err = trace_pipe_loop(&tp, TOOL, print_sync, NULL);
	}
	trace_pipe_close(&tp);
	lesson_close(p);
	return err ? 1 : 0;
}

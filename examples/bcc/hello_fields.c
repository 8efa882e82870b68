// SPDX-License-Identifier: GPL-2.0
/*
 * hello_fields - lesson 3 of the bcc tutorial, in C: the hello of lesson 1,
 * with each trace pipe line taken apart (trace_fields(), lesson.c) into
 * time, command, pid and message, printed as columns.
 */
#include <stdio.h>

#include "lesson.h"

#define TOOL "hello_fields"

static bool use_kprobe;

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Say \"Hello, World!\" in the trace pipe on every clone(), and print each\n"
	"line as TIME(s) COMM PID MESSAGE.\n"
	"\n"
	"USAGE: " TOOL " [--kprobe] [-d SECONDS] [-v]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "             # trace until Ctrl-C\n"
	"    " TOOL " -d 5        # trace for five seconds\n"
	"    " TOOL " --kprobe    # a kprobe on kernel_clone (needs kprobes)";

static const struct argp_option opts[] = {
	{ "kprobe", 'k', NULL, 0, "Trace kernel_clone with a kprobe instead of the "
	  "syscalls:sys_enter_clone/clone3 tracepoints", 0 },
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

static void print_fields(const char *line, void *ctx)
{
	struct trace_fields f;

	(void)ctx;
	if (trace_fields(line, &f) == 0)
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
	      lesson_attach_clone(p, TOOL, use_kprobe);
	if (!err) {
		printf("%-18s %-16s %-6s %s\n", "TIME(s)", "COMM", "PID", "MESSAGE");
		lesson_stop_after(lesson_env.duration);
		err = trace_pipe_loop(&tp, TOOL, print_fields, NULL);
	}
	trace_pipe_close(&tp);
	lesson_close(p);
	return err ? 1 : 0;
}

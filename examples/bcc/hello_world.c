// SPDX-License-Identifier: GPL-2.0
/*
 * hello_world - lesson 1 of the bcc tutorial, in C: the kernel says
 * "Hello, World!" (bpf_printk into the trace pipe) whenever a process calls
 * clone(), and this program prints the trace pipe as it comes, as bcc's
 * trace_print() does.
 */
#include <stdio.h>
#include <string.h>

#include "lesson.h"

#define TOOL "hello_world"

static bool use_kprobe;

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Say \"Hello, World!\" in the kernel's trace pipe whenever a process calls\n"
	"clone(), and print the trace pipe.\n"
	"\n"
	"USAGE: " TOOL " [--kprobe] [-d SECONDS] [-v]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "             # until Ctrl-C; run commands elsewhere\n"
	"    " TOOL " -d 5        # trace for five seconds\n"
	"    " TOOL " --kprobe    # a kprobe on kernel_clone (needs kprobes)\n"
	"\n"
	"The trace pipe is shared: bpf_printk output of other programs shows too.";

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

static void print_line(const char *line, void *ctx)
{
	(void)ctx;
	puts(line);
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = { { &lesson_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp argp = { opts, parse_arg, NULL, doc, children, NULL, NULL };
	struct trace_pipe tp = { .fd = -1 };
	struct clcc_struct *p;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 2;
	lesson_handle_signals();
	p = lesson_open(TOOL);
	if (!p)
		return 1;
	err = lesson_load(p, TOOL, lesson_env.verbose) ?: trace_pipe_open(&tp, TOOL) ?:
	      lesson_attach_clone(p, TOOL, use_kprobe);
	if (!err) {
		printf("Tracing clone()... Hit Ctrl-C to end.\n");
		lesson_stop_after(lesson_env.duration);
		err = trace_pipe_loop(&tp, TOOL, print_line, NULL);
	}
	trace_pipe_close(&tp);
	lesson_close(p);
	return err ? 1 : 0;
}

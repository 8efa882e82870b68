// SPDX-License-Identifier: GPL-2.0
/*
 * urandomread - lesson 12 of the bcc tutorial, in C: who asks the kernel for
 * random bits, and how many.  The lesson's random:urandom_read tracepoint
 * was removed in 5.18; getrandom(2), where programs get their random bytes
 * now, is traced instead (or, with --kprobe, reads of /dev/urandom).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lesson.h"

#define TOOL "urandomread"

static bool use_kprobe;

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Print each request for random bits: getrandom(2) calls, or with --kprobe\n"
	"reads of /dev/urandom.\n"
	"\n"
	"USAGE: " TOOL " [--kprobe] [-d SECONDS] [-v]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "             # trace getrandom() until Ctrl-C\n"
	"    " TOOL " --kprobe    # trace urandom_read_iter (needs kprobes), then\n"
	"                          # dd if=/dev/urandom of=/dev/null bs=8k count=5";

static const struct argp_option opts[] = {
	{ "kprobe", 'k', NULL, 0, "Trace reads of /dev/urandom (a kprobe on urandom_read_iter) "
	  "instead of the syscalls:sys_enter_getrandom tracepoint", 0 },
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

static void print_bits(const char *line, void *ctx)
{
	struct trace_fields f;
	unsigned long long bits;
	char *end;

	(void)ctx;
	/* Skip other programs' lines: ours is one number. */
	if (trace_fields(line, &f) || !*f.msg)
		return;
	bits = strtoull(f.msg, &end, 10);
	if (!*end)
		printf("%-18.9f %-16s %-6d %llu\n", f.ts, f.task, f.pid, bits);
}

static int attach(struct clcc_struct *p)
{
	char fn[128];

	if (!use_kprobe)
		return lesson_attach_tp(p, TOOL, "getrandom_tp", "syscalls:sys_enter_getrandom");
	if (lesson_kernel_function("urandom_read_iter", fn, sizeof(fn))) {
		fprintf(stderr, "%s: no urandom_read_iter to probe in this kernel\n", TOOL);
		return -ENOENT;
	}
	return lesson_attach_kprobe(p, "urandom_kprobe", fn, false);
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
	err = lesson_load(p, TOOL, lesson_env.verbose) ?: trace_pipe_open(&tp, TOOL) ?: attach(p);
	if (!err) {
		printf("%-18s %-16s %-6s %s\n", "TIME(s)", "COMM", "PID", "GOTBITS");
		lesson_stop_after(lesson_env.duration);
		err = trace_pipe_loop(&tp, TOOL, print_bits, NULL);
	}
	trace_pipe_close(&tp);
	lesson_close(p);
	return err ? 1 : 0;
}

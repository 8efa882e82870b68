// SPDX-License-Identifier: GPL-2.0
/*
 * hello_perf_output - lesson 7 of the bcc tutorial, in C: the hello of
 * lesson 3 without the trace pipe.  The kernel side fills a struct
 * hello_event (hello_perf_output.h) for each clone() and sends it through a
 * perf buffer; the callback prints it.
 */
#include <stdio.h>
#include <string.h>

#include "lesson.h"
#include "hello_perf_output.h"

#define TOOL "hello_perf_output"

static bool use_kprobe;
static unsigned long long first_ts;

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Print a line for every clone(), sent from the kernel through a perf buffer.\n"
	"\n"
	"USAGE: " TOOL " [--kprobe] [-d SECONDS] [-v]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "           # trace until Ctrl-C\n"
	"    " TOOL " -d 5      # trace for five seconds\n"
	"    " TOOL " --kprobe  # kprobe on kernel_clone (needs kprobes)";

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

static void print_event(void *ctx, int cpu, void *data, unsigned int size)
{
	struct hello_event ev;

	(void)ctx;
	(void)cpu;
	if (size < sizeof(ev))
		return;
	memcpy(&ev, data, sizeof(ev));
	ev.comm[sizeof(ev.comm) - 1] = '\0';
	if (!first_ts)
		first_ts = ev.ts;
	printf("%-18.9f %-16s %-6u %s\n", (ev.ts - first_ts) / 1e9, ev.comm, ev.pid,
	       "Hello, perf_output!");
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = { { &lesson_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp argp = { opts, parse_arg, NULL, doc, children, NULL, NULL };
	struct clcc_struct *p;
	int err, id;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	lesson_handle_signals();
	p = lesson_open(TOOL);
	if (!p)
		return 1;
	err = lesson_load(p, TOOL, lesson_env.verbose);
	if (!err) {
		id = lesson_map(p, "events");
		err = id < 0 ? id : p->set_event_cb(id, print_event, NULL);
	}
	if (!err)
		err = lesson_attach_clone(p, TOOL, use_kprobe);
	if (!err) {
		printf("%-18s %-16s %-6s %s\n", "TIME(s)", "COMM", "PID", "MESSAGE");
		lesson_stop_after(lesson_env.duration);
		err = lesson_event_loop(p, TOOL, id);
	}
	lesson_close(p);
	return err ? 1 : 0;
}

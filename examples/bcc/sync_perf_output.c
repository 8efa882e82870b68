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

static bool use_kprobe;
static unsigned long long threshold_ms = 1000, first_ts;

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
	err = clcc_set_global(p, "threshold_ms", &threshold_ms, sizeof(threshold_ms)) ?:
	      lesson_load(p, TOOL, lesson_env.verbose);
	if (!err) {
		id = lesson_map(p, "events");
		err = id < 0 ? id : p->set_event_cb(id, print_event, NULL);
	}
	if (!err)
		err = lesson_attach_syscall(p, TOOL, "sync", "sync_tp", "sync_kprobe", use_kprobe);
	if (!err) {
		printf("Tracing for quick sync's... Ctrl-C to end\n");
		lesson_stop_after(lesson_env.duration);
		err = lesson_event_loop(p, TOOL, id);
	}
	lesson_close(p);
	return err ? 1 : 0;
}

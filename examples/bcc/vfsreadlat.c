// SPDX-License-Identifier: GPL-2.0
/*
 * vfsreadlat - lesson 11 of the bcc tutorial, in C: a histogram of read
 * latency in microseconds, every interval seconds.  The lesson's
 * kprobe/kretprobe pair on vfs_read is --kprobe; by default read(2) is
 * timed between the syscalls:sys_enter_read and sys_exit_read tracepoints.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lesson.h"

#define TOOL "vfsreadlat"

static unsigned int interval, count, tgid;
static bool use_kprobe;

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Summarize read latency as a histogram of microseconds.\n"
	"\n"
	"USAGE: " TOOL " [-p PID] [--kprobe] [-d SECONDS] [-v] [interval [count]]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "              # until Ctrl-C\n"
	"    " TOOL " 1 10         # every second, ten times\n"
	"    " TOOL " -p 181 5     # only process 181, every five seconds\n"
	"    " TOOL " --kprobe 1   # vfs_read by kprobes (needs kprobes)";

static const struct argp_option opts[] = {
	{ "pid", 'p', "PID", 0, "Only reads of this process", 0 },
	{ "kprobe", 'k', NULL, 0, "Time vfs_read() with a kprobe and a kretprobe instead of "
	  "read(2) with the syscalls tracepoints", 0 },
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		tgid = (unsigned int)lesson_parse_long(state, "pid", arg, 1, 4194304);
		return 0;
	case 'k':
		use_kprobe = true;
		return 0;
	case ARGP_KEY_ARG:
		lesson_interval_arg(state, arg, &interval, &count);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int attach(struct clcc_struct *p)
{
	if (!use_kprobe)
		return lesson_attach_tp(p, TOOL, "read_entry_tp", "syscalls:sys_enter_read") ?:
		       lesson_attach_tp(p, TOOL, "read_return_tp", "syscalls:sys_exit_read");
	return lesson_attach_kprobe(p, "read_entry_kprobe", "vfs_read", false) ?:
	       lesson_attach_kprobe(p, "read_return_kprobe", "vfs_read", true);
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = { { &lesson_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp argp = { opts, parse_arg, "[interval [count]]", doc, children,
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
	err = clcc_set_global(p, "targ_tgid", &tgid, sizeof(tgid)) ?:
	      lesson_load(p, TOOL, lesson_env.verbose);
	if (!err)
		err = (id = lesson_map(p, "dist")) < 0 ? id : 0;
	if (!err)
		err = attach(p);
	if (!err) {
		printf("Tracing... Hit Ctrl-C to end.\n");
		lesson_stop_after(lesson_env.duration);
		err = lesson_hist_loop(p, TOOL, id, "usecs", interval, count);
	}
	lesson_close(p);
	return err ? 1 : 0;
}

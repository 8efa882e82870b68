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
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		tgid = (unsigned int)lesson_parse_long(state, "pid", arg, 1, 4194304);
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
	if (!lesson_env.kprobe)
		return lesson_attach_tp(p, TOOL, "read_entry_tp", "syscalls:sys_enter_read") ?:
		       lesson_attach_tp(p, TOOL, "read_return_tp", "syscalls:sys_exit_read");
	return lesson_attach_kprobe(p, "read_entry_kprobe", "vfs_read", false) ?:
	       lesson_attach_kprobe(p, "read_return_kprobe", "vfs_read", true);
}

static int setup(struct clcc_struct *p)
{
	return clcc_set_global(p, "targ_tgid", &tgid, sizeof(tgid));
}

static int run(struct clcc_struct *p, int map)
{
	return lesson_hist_loop(p, TOOL, map, "usecs", interval, count);
}

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.args_doc = "[interval [count]]",
	.options = opts,
	.parser = parse_arg,
	.kprobe_doc = "Time vfs_read() with a kprobe and a kretprobe instead of "
		      "read(2) with the syscalls tracepoints",
	.setup = setup,
	.attach = attach,
	.map = "dist",
	.header = "Tracing... Hit Ctrl-C to end.",
	.run = run,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

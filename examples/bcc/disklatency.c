// SPDX-License-Identifier: GPL-2.0
/*
 * disklatency - lesson 10 of the bcc tutorial, in C: a histogram of block
 * I/O latency, from issue to completion, in microseconds (or milliseconds),
 * for every disk or one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "lesson.h"

#define TOOL "disklatency"

static unsigned int interval, count, dev;
static bool millis;

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Summarize block I/O latency (issue to completion) as a histogram.\n"
	"\n"
	"USAGE: " TOOL " [-m] [-D DISK] [-d SECONDS] [-v] [interval [count]]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "              # microseconds, until Ctrl-C\n"
	"    " TOOL " -m 1 5       # milliseconds, every second, five times\n"
	"    " TOOL " -D /dev/vda  # only this disk (or -D 254:0)";

static const struct argp_option opts[] = {
	{ "milliseconds", 'm', NULL, 0, "Millisecond histogram", 0 },
	{ "disk", 'D', "DISK", 0, "Only this disk: a block device or MAJOR:MINOR", 0 },
	{ 0 },
};

/* DISK as the kernel's dev_t in block tracepoints: major << 20 | minor. */
static bool parse_disk(const char *arg, unsigned int *out)
{
	unsigned int major, minor;
	struct stat st;
	char tail;

	if (sscanf(arg, "%u:%u%c", &major, &minor, &tail) != 2) {
		if (stat(arg, &st) || !S_ISBLK(st.st_mode))
			return false;
		major = major(st.st_rdev);
		minor = minor(st.st_rdev);
	}
	if (major >= 1u << 12 || minor >= 1u << 20)
		return false;
	*out = major << 20 | minor;
	return true;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'm':
		millis = true;
		return 0;
	case 'D':
		if (!parse_disk(arg, &dev))
			argp_error(state, "invalid disk '%s': want a block device (/dev/vda) or "
				   "MAJOR:MINOR (254:0)", arg);
		return 0;
	case ARGP_KEY_ARG:
		lesson_interval_arg(state, arg, &interval, &count);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int setup(struct clcc_struct *p)
{
	return clcc_set_global(p, "targ_ms", &millis, sizeof(millis)) ?:
	       clcc_set_global(p, "targ_dev", &dev, sizeof(dev));
}

static int attach(struct clcc_struct *p)
{
	return lesson_attach_tp(p, TOOL, "lat_issue", "block:block_rq_issue") ?:
	       lesson_attach_tp(p, TOOL, "lat_complete", "block:block_rq_complete");
}

static int run(struct clcc_struct *p, int map)
{
	return lesson_hist_loop(p, TOOL, map, millis ? "msecs" : "usecs", interval, count);
}

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.args_doc = "[interval [count]]",
	.options = opts,
	.parser = parse_arg,
	.setup = setup,
	.attach = attach,
	.map = "dist",
	.header = "Tracing block device I/O... Hit Ctrl-C to end.",
	.run = run,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

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

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.kprobe_doc = LESSON_CLONE_KPROBE_DOC,
	.attach = lesson_attach_hello,
	.map = "events",
	.column = "MESSAGE",
	.event = print_event,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

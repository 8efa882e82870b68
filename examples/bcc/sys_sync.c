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

static void print_sync(const char *line, void *ctx)
{
	struct trace_fields f;

	(void)ctx;
	/* The trace pipe is shared: show only this program's message. */
	if (trace_fields(line, &f) == 0 && strcmp(f.msg, MESSAGE) == 0)
		trace_print_fields(&f, f.msg);
}

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.kprobe_doc = LESSON_SYNC_KPROBE_DOC,
	.attach = lesson_attach_sync,
	.header = "Tracing sys_sync()... Ctrl-C to end.",
	.trace_line = print_sync,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

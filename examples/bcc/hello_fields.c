// SPDX-License-Identifier: GPL-2.0
/*
 * hello_fields - lesson 3 of the bcc tutorial, in C: the hello of lesson 1,
 * with each trace pipe line taken apart (trace_fields(), lesson.c) into
 * time, command, pid and message, printed as columns.
 */
#include <stdio.h>

#include "lesson.h"

#define TOOL "hello_fields"

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

static void print_fields(const char *line, void *ctx)
{
	struct trace_fields f;

	(void)ctx;
	if (trace_fields(line, &f) == 0)
		trace_print_fields(&f, f.msg);
}

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.kprobe_doc = LESSON_CLONE_KPROBE_DOC,
	.attach = lesson_attach_hello,
	.column = "MESSAGE",
	.trace_line = print_fields,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

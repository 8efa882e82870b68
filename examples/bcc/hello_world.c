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

static void print_line(const char *line, void *ctx)
{
	(void)ctx;
	puts(line);
}

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.kprobe_doc = LESSON_CLONE_KPROBE_DOC,
	.attach = lesson_attach_hello,
	.header = "Tracing clone()... Hit Ctrl-C to end.",
	.trace_line = print_line,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

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

	if (!lesson_env.kprobe)
		return lesson_attach_tp(p, TOOL, "getrandom_tp", "syscalls:sys_enter_getrandom");
	if (lesson_kernel_function("urandom_read_iter", fn, sizeof(fn))) {
		fprintf(stderr, "%s: no urandom_read_iter to probe in this kernel\n", TOOL);
		return -ENOENT;
	}
	return lesson_attach_kprobe(p, "urandom_kprobe", fn, false);
}

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.kprobe_doc = "Trace reads of /dev/urandom (a kprobe on urandom_read_iter) "
		      "instead of the syscalls:sys_enter_getrandom tracepoint",
	.attach = attach,
	.column = "GOTBITS",
	.trace_line = print_bits,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * usdt_http - lesson 15 of the bcc tutorial, in C: trace the requests a
 * server announces through its USDT probe http__server__request, printing
 * the path of each (bcc's nodejs_http_server, on http_server_sdt, the toy
 * server beside this file, since no node is at hand).
 *
 * A USDT probe is a nop in the program with a note (.note.stapsdt) saying
 * where it is and where its arguments live ("8@%rdx"); libbpf puts a uprobe
 * there and bpf_usdt_arg() reads the arguments as the note describes.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lesson.h"

#define TOOL "usdt_http"
#define PROVIDER "http_server_sdt"
#define PROBE "http__server__request"

static int pid = -1;
static const char *binary;

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Print the path of each request a server announces with its USDT probe\n"
	PROVIDER ":" PROBE "(method, path, fd).\n"
	"\n"
	"USAGE: " TOOL " [-d SECONDS] [-v] PID\n"
	"       " TOOL " [-d SECONDS] [-v] -b BINARY\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL " 4242                 # the server with pid 4242\n"
	"    " TOOL " -b ./http_server_sdt # every process running this program";

static const struct argp_option opts[] = {
	{ "binary", 'b', "BINARY", 0, "Trace every process running BINARY", 0 },
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'b':
		binary = arg;
		return 0;
	case ARGP_KEY_ARG:
		if (state->arg_num > 0)
			return ARGP_ERR_UNKNOWN;	/* unexpected */
		pid = (int)lesson_parse_long(state, "pid", arg, 1, 4194304);
		return 0;
	case ARGP_KEY_END:
		if ((pid > 0) == (binary != NULL))
			argp_error(state, "give the server's PID, or -b BINARY");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int attach(struct clcc_struct *p)
{
	char exe[PATH_MAX], link[64];
	ssize_t n;

	if (!binary) {
		/* The probe is in the program the process runs. */
		snprintf(link, sizeof(link), "/proc/%d/exe", pid);
		n = readlink(link, exe, sizeof(exe) - 1);
		if (n < 0) {
			fprintf(stderr, "%s: no process %d (%s)\n", TOOL, pid, strerror(errno));
			return -errno;
		}
		exe[n] = '\0';
		binary = exe;
	}
	return clcc_attach_usdt(p, "do_trace", pid, binary, PROVIDER, PROBE);
}

static void print_request(const char *line, void *ctx)
{
	struct trace_fields f;

	(void)ctx;
	/* Skip other programs' lines: ours start "path:". */
	if (trace_fields(line, &f) == 0 && strncmp(f.msg, "path:", 5) == 0)
		trace_print_fields(&f, f.msg);
}

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.args_doc = "PID",
	.options = opts,
	.parser = parse_arg,
	.attach = attach,
	.column = "ARGS",
	.trace_line = print_request,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

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
			argp_error(state, "unexpected argument '%s'", arg);
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
		printf("%-18.9f %-16s %-6d %s\n", f.ts, f.task, f.pid, f.msg);
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = { { &lesson_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp argp = { opts, parse_arg, "PID", doc, children, NULL, NULL };
	struct trace_pipe tp = { .fd = -1 };
	struct clcc_struct *p;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	lesson_handle_signals();
	p = lesson_open(TOOL);
	if (!p)
		return 1;
	err = lesson_load(p, TOOL, lesson_env.verbose) ?: trace_pipe_open(&tp, TOOL) ?: attach(p);
	if (!err) {
		printf("%-18s %-16s %-6s %s\n", "TIME(s)", "COMM", "PID", "ARGS");
		lesson_stop_after(lesson_env.duration);
		err = trace_pipe_loop(&tp, TOOL, print_request, NULL);
	}
	trace_pipe_close(&tp);
	lesson_close(p);
	return err ? 1 : 0;
}

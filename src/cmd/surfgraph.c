// SPDX-License-Identifier: MIT
/*
 * surfgraph - call graphs and flame graphs of a kernel function, from the
 * function_graph tracer live or from a saved trace.
 * This file only parses options and calls libsurf.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <surf/graph.h>

#include "common.h"
#include "graph_run.h"


static const char usage_text[] =
"Usage: surfgraph -f FUNCTION [OPTIONS]      record live (root, function_graph)\n"
"       surfgraph -i FILE [-f FUNCTION] [OPTIONS]   from a saved trace\n"
"Call graphs and flame graphs of one kernel function: every call of FUNCTION\n"
"and everything it calls, with the time each took, from the function_graph\n"
"tracer.  Recording runs until Ctrl-C (or -d); then the calls are merged.\n"
"\n"
"Options:\n"
"  -f, --function=FUNCTION  the kernel function (its .isra/.constprop copies too)\n"
"  -m, --mode=MODE     svg (default): FUNCTION-N.svg for call N (see -s) and\n"
"                        FUNCTION.svg for all calls merged, at the end\n"
"                      tree: each call as an indented tree with times and call\n"
"                        counts, then all calls merged\n"
"                      walk: each call's entries (->) and returns (<-), one a line\n"
"                      raw: the tracer's own lines of each call\n"
"  -s, --step=STEP     svg mode: FUNCTION-N.svg for every STEP-th call (default 1;\n"
"                      0: none, only FUNCTION.svg)\n"
"  -o, --output=NAME   save the merged tree and the last 32 calls' trees to\n"
"                      NAME.tree (text; -i reads it back)\n"
"  -i, --input=FILE    read a saved function_graph trace (or a .tree file)\n"
"                      instead of recording; - is stdin\n"
"      --folded[=FILE] write the merged calls as folded stacks (\"a;b;c NS\", self\n"
"                      time in nanoseconds) for flamegraph.pl or speedscope, to\n"
"                      FILE (default FUNCTION.folded; - for stdout)\n"
"  -p, --pid=PID       record only this task\n"
"  -d, --duration=SECONDS  stop recording after SECONDS\n"
"  -b, --buffer=KB     the tracer's ring buffer per CPU, in KB (put back after);\n"
"                      a bigger one loses fewer events\n"
"      --max-depth=N   keep N levels of callees under FUNCTION (deeper time\n"
"                      stays in the level above)\n"
"      --no-irq        leave interrupts (\"[irq]\" nodes) out of the trees\n"
"  -q, --quiet         do not print the tracefs commands and file names\n"
"      --version       print the version and exit\n"
"  -h, --help          this help\n"
"\n"
"Examples:\n"
"  surfgraph -f __do_fault                  flame graphs until Ctrl-C\n"
"  surfgraph -f vfs_read -d 5 -s 0          5 seconds, only vfs_read.svg\n"
"  surfgraph -f vfs_read -p 1234 -m tree    the calls of pid 1234 as trees\n"
"  surfgraph -f tcp_sendmsg -o tcp --folded all calls to tcp.tree and\n"
"                                           tcp_sendmsg.folded too\n"
"  surfgraph -i trace.txt -f vfs_read       graphs from a trace saved with\n"
"                                           cat /sys/kernel/tracing/trace\n"
"  surfgraph -i tcp.tree -m tree            trees saved with -o, again\n"
"  surfgraph -i trace.txt --folded=- -s 0 | flamegraph.pl > vfs_read.svg\n"
"\n"
"Without function_graph in the kernel, record elsewhere (as root:\n"
"echo FUNCTION > set_graph_function; echo function_graph > current_tracer;\n"
"cat trace > FILE) and use -i FILE here.\n"
"\n"
"Exit status: 0 on success, 2 on a bad option or input, 1 on other errors.\n";

__attribute__((format(printf, 1, 2))) static int bad_option(const char *fmt, ...)
{
	va_list ap;

	fputs("surfgraph: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'surfgraph --help' for more information.\n", stderr);
	return EXIT_BAD_INPUT;
}

/* A whole number in [min, max]. */
static int parse_uint(const char *opt, const char *arg, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(arg, &end, 10);
	if (errno || end == arg || *end || *out < min || *out > max)
		return bad_option("%s takes a whole number, not '%s'", opt, arg);
	return 0;
}

static int parse_mode(const char *arg, enum graph_mode *mode)
{
	static const char *const names[] = {
		[GRAPH_MODE_SVG] = "svg", [GRAPH_MODE_TREE] = "tree",
		[GRAPH_MODE_WALK] = "walk", [GRAPH_MODE_RAW] = "raw",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(arg, names[i])) {
			*mode = (enum graph_mode)i;
			return 0;
		}
	}
	return bad_option("unknown mode '%s' (modes: svg, tree, walk, raw)", arg);
}

static int check_function(const char *f)
{
	if (!*f)
		return bad_option("-f needs a function name");
	if (strpbrk(f, "*?[]{} \t/"))
		return bad_option("'%s' is not a function name (one function, no patterns)", f);
	return 0;
}

static int parse_options(int argc, char **argv, struct graph_run_opts *o)
{
	enum { OPT_FOLDED = 256, OPT_MAX_DEPTH, OPT_NO_IRQ, OPT_VERSION };
	static const struct option longopts[] = {
		{ "function", required_argument, NULL, 'f' },
		{ "mode", required_argument, NULL, 'm' },
		{ "step", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "input", required_argument, NULL, 'i' },
		{ "pid", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "folded", optional_argument, NULL, OPT_FOLDED },
		{ "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
		{ "no-irq", no_argument, NULL, OPT_NO_IRQ },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool step_set = false, folded = false;
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "f:m:s:o:i:p:d:b:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (check_function(optarg))
				return EXIT_BAD_INPUT;
			o->function = optarg;
			break;
		case 'm':
			if (parse_mode(optarg, &o->mode))
				return EXIT_BAD_INPUT;
			break;
		case 's':
			if (parse_uint("-s", optarg, 0, 1000000000, &v))
				return EXIT_BAD_INPUT;
			o->step = (unsigned int)v;
			step_set = true;
			break;
		case 'o':
			if (!*optarg)
				return bad_option("-o needs a name");
			o->save = optarg;
			break;
		case 'i':
			o->input = optarg;
			break;
		case 'p':
			if (parse_uint("-p", optarg, 1, 0x7fffffff, &v))
				return EXIT_BAD_INPUT;
			o->pid = (int)v;
			break;
		case 'd':
			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->duration > 0))
				return bad_option("-d takes a number of seconds above 0, not '%s'",
						  optarg);
			break;
		case 'b':
			if (parse_uint("-b", optarg, 1, 16 * 1024 * 1024, &v))
				return EXIT_BAD_INPUT;
			o->buffer_kb = (unsigned int)v;
			break;
		case OPT_FOLDED:
			folded = true;
			o->folded = optarg;
			break;
		case OPT_MAX_DEPTH:
			if (parse_uint("--max-depth", optarg, 1, 100000, &v))
				return EXIT_BAD_INPUT;
			o->tree.max_depth = (unsigned int)v;
			break;
		case OPT_NO_IRQ:
			o->tree.no_irq = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case OPT_VERSION:
			cmd_print_version("surfgraph");
			exit(0);
		default:
			fputs("Try 'surfgraph --help' for more information.\n", stderr);
			return EXIT_BAD_INPUT;
		}
	}
	if (optind < argc)
		return bad_option("unexpected argument '%s' (the function goes after -f)",
				  argv[optind]);
	if (!o->function && !o->input)
		return bad_option("which function? Give -f FUNCTION (or -i FILE for a saved "
				  "trace)");
	if (step_set && o->mode != GRAPH_MODE_SVG)
		return bad_option("-s is for -m svg only");
	if (!step_set)
		o->step = 1;
	if (o->input && (o->pid || o->duration || o->buffer_kb))
		return bad_option("%s is for recording; with -i there is none",
				  o->pid ? "-p" : o->duration ? "-d" : "-b");
	if (folded && !o->folded)
		o->folded = "";		/* FUNCTION.folded, once the function is known */
	return 0;
}

int main(int argc, char **argv)
{
	struct graph_run_opts o = { .sz = sizeof(o), .mode = GRAPH_MODE_SVG };
	int status;

	o.tree.sz = sizeof(o.tree);
	cmd_print_init("surfgraph", false);
	status = parse_options(argc, argv, &o);
	return status ? status : graph_run(&o);
}

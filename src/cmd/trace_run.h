/* SPDX-License-Identifier: MIT */
/*
 * trace_run.h - a whole surftrace run (src/cmd/trace_run.c): compile the expressions, then show
 * them (-S), write them as a script (-o), or trace live until Ctrl-C, a time
 * limit, an event count or the end of a traced command, and clean up on
 * every way out.  The surftrace program is option parsing around this.
 */
#ifndef SURF_CMD_TRACE_RUN_H
#define SURF_CMD_TRACE_RUN_H


#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct trace_run_opts {
	size_t sz;			/* sizeof(struct trace_run_opts) */
	const char *const *exprs;
	int nexprs;
	bool show;			/* -S: print the commands, touch nothing */
	const char *script;		/* -o: write a replayable shell script */
	bool stack;			/* -s: call chains */
	bool quiet;			/* -q: no commands, no summary */
	bool json;			/* --json */
	bool self;			/* --self: trace this process too (its own output...) */
	const char *arch;
	const char *btf_path;		/* -d */
	const char *vmlinux_path;	/* -v */
	const char *btf_db_dir;		/* -d DIR: the type database, searched first */
	const char *module_paths;	/* -m FILE.ko...: colon-separated */
	int pid;			/* -p */
	const char *command;		/* -c: run it, trace only it */
	double duration;		/* -t seconds, 0: none */
	unsigned long long max_events;	/* -n, 0: none */
	unsigned int ring_pages;	/* per CPU, 0: default */
	double interval;		/* -i: a: printed every SECONDS too; 0: at the end only */
	unsigned int top;		/* --top: a: tables' N largest entries; 0: all */
	unsigned int map_entries;	/* --map-entries: a: keys per map; 0: default */
	FILE *out;			/* events; default stdout */
	FILE *err;			/* messages; default stderr */
};

/*
 * Returns the process exit status: 0, 1 (system error, the output not
 * written included) or 2 (bad input); with
 * a command (-c) that ran to its end, the command's own status when it failed:
 * its exit status, or 128 + N when signal N killed it (as sh reports).  A
 * command that tracing stopped (-t, -n, a signal) does not count.
 */
int trace_run(const struct trace_run_opts *opts);

#ifdef __cplusplus
}
#endif
#endif

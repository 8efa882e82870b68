/* SPDX-License-Identifier: MIT */
/*
 * The surfgraph program's run (src/cmd/graph_run.c): live recording through
 * libsurf's graph capture, or a saved trace, to SVG, trees, walks or folded
 * stacks; signals and exit codes are the program's.
 */
#ifndef SURF_CMD_GRAPH_RUN_H
#define SURF_CMD_GRAPH_RUN_H

#include <stdio.h>

#include <surf/graph.h>

enum graph_mode {
	GRAPH_MODE_SVG,		/* FUNCTION-N.svg every step, FUNCTION.svg at the end */
	GRAPH_MODE_TREE,		/* each call as an indented tree, then the merge */
	GRAPH_MODE_WALK,		/* each call's entries and exits */
	GRAPH_MODE_RAW,		/* the tracer's lines of each call */
};

struct graph_run_opts {
	size_t sz;			/* sizeof(struct graph_run_opts) */
	const char *function;		/* -f; may be NULL with input */
	enum graph_mode mode;
	unsigned int step;		/* svg: FUNCTION-N.svg every step calls; 0: none */
	const char *save;		/* -o NAME: NAME.tree */
	const char *input;		/* -i FILE ("-": stdin): a saved trace or .tree file */
	const char *folded;		/* --folded: this file ("-": out, "": FUNCTION.folded) */
	int pid;			/* -p; 0: every task */
	double duration;		/* -d seconds; 0: until a signal */
	unsigned int buffer_kb;		/* -b: ring buffer per CPU, KB; 0: as it is */
	struct surf_graph_tree_opts tree;
	bool quiet;			/* no tracefs commands, no "save" lines */
	FILE *out;			/* tree, walk, raw output; default stdout */
	FILE *err;			/* messages; default stderr */
};

/* Returns the exit status: 0, 1 (system error, nothing recorded) or 2 (bad input). */
int graph_run(const struct graph_run_opts *opts);

#endif

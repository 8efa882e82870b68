/* SPDX-License-Identifier: MIT */
/* Shared inside src/lib/graph (not part of the public API). */
#ifndef SURF_GRAPH_INTERNAL_H
#define SURF_GRAPH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <surf/graph.h>

/* The child of parent named name, added at the end when there is none; NULL: no memory. */
struct surf_graph_node *graph_node_child(struct surf_graph_node *parent, const char *name);
/* Give t a root named name when it has none. */
int graph_tree_root(struct surf_graph_tree *t, const char *name);

/* One step of a call as trees show it: a level is entered, or left after ns. */
struct graph_step {
	bool enter;
	bool irq;			/* the "[irq]" level */
	unsigned int depth;		/* 0: the function */
	const char *name;
	uint64_t ns;			/* when leaving */
};

typedef int (*graph_step_fn)(void *ctx, const struct graph_step *step);

/* The call's levels in order, with max_depth and no_irq applied; stops at fn's first error. */
int graph_walk(const struct surf_graph_call *call, const struct surf_graph_tree_opts *opts,
	       graph_step_fn fn, void *ctx);

/* "call 3: pid 99 (dd), cpu 0" or "8 calls merged". */
void graph_describe(char *buf, size_t len, const struct surf_graph_tree *t);

/* "12.345 us" style, in the unit that keeps 1-4 digits before the point. */
void graph_format_time(char *buf, size_t len, uint64_t ns);

/* ---- tracefs side of a live run (live.c) ---- */

struct graph_live;

struct graph_live_opts {
	const char *function;
	int pid;			/* set_ftrace_pid; 0: all */
	unsigned int buffer_kb;		/* buffer_size_kb; 0: as it is */
	bool quiet;			/* do not echo the tracefs writes */
	FILE *err;
};

/*
 * Set up function_graph for function in an instance of our own (or, where
 * the kernel allows function_graph only at the top level, there, with the
 * previous settings kept in that instance for a later run to restore),
 * after removing what killed runs left; returns the exit status (0, 1, 2)
 * after printing why to err.
 */
int graph_live__start(struct graph_live **live, const struct graph_live_opts *opts);
/* The trace_pipe descriptor (non-blocking). */
int graph_live__fd(const struct graph_live *live);
/* tracing_on = 0, so that what is left can be drained. */
void graph_live__stop(struct graph_live *live);
/* Undo everything; safe on NULL and after a partial start. */
void graph_live__free(struct graph_live *live);

#endif

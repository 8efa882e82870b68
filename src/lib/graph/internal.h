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



#endif

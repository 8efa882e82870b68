/* SPDX-License-Identifier: MIT */
/*
 * surf/graph.h - call graphs and flame graphs of one kernel function from
 * the function_graph tracer's text output.
 *
 * The pipeline, each step usable on its own:
 *
 *   text line --surf_graph_line__parse--> struct surf_graph_line
 *   lines     --surf_graph__feed--------> struct surf_graph_call (one per
 *             completed call of FUNCTION: its entries and exits in order)
 *   calls     --surf_graph_tree__add_call-> struct surf_graph_tree (merged
 *             by call path: a node per distinct path, time and count summed)
 *   trees     --> indented text, folded stacks, SVG flame graphs, .tree files
 *
 * surfgraph (src/cmd/graph_run.c) composes these with live recording through a
 * tracefs instance (or a saved trace with -i) and every output.
 *
 * Times are nanoseconds.  Functions return 0 or a negative errno and print
 * only to the FILE they are given; live recording says why it failed through
 * the print callback (surf/log.h).
 */
#ifndef SURF_GRAPH_H
#define SURF_GRAPH_H

#include "surf/api.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- one line of function_graph text ---- */

enum surf_graph_line_kind {
	SURF_GRAPH_LINE_EMPTY,		/* blank line */
	SURF_GRAPH_LINE_HEADER,		/* "# ..."; name: the tracer of "# tracer: X" */
	SURF_GRAPH_LINE_ENTRY,		/* "name() {" */
	SURF_GRAPH_LINE_LEAF,		/* "name();" with its duration */
	SURF_GRAPH_LINE_EXIT,		/* "}" with its duration; name: the comment's, or "" */
	SURF_GRAPH_LINE_COMMENT,	/* a comment line: trace_printk() or an event */
	SURF_GRAPH_LINE_IRQ_ENTRY,	/* "==========>" */
	SURF_GRAPH_LINE_IRQ_EXIT,	/* "<==========" */
	SURF_GRAPH_LINE_SWITCH,		/* " 0)  bash-1  =>  cat-2": a context switch */
	SURF_GRAPH_LINE_RULE,		/* the "-----" lines around a context switch */
	SURF_GRAPH_LINE_LOST,		/* "CPU:N [LOST M EVENTS]" */
	SURF_GRAPH_LINE_BAD,		/* none of these: why says what is wrong */
};

#define SURF_GRAPH_NAME_MAX 512		/* KSYM_NAME_LEN, with room for " [module]" */
#define SURF_GRAPH_COMM_MAX 64

struct surf_graph_line {
	enum surf_graph_line_kind kind;
	int cpu;			/* -1: no CPU column (funcgraph-cpu off) */
	int pid;			/* -1: no task column (funcgraph-proc off) */
	char comm[SURF_GRAPH_COMM_MAX];
	bool has_time;			/* funcgraph-abstime */
	uint64_t time_ns;
	int depth;			/* ENTRY, LEAF, EXIT: nesting, 0 = leftmost */
	bool has_duration;
	uint64_t duration_ns;
	char name[SURF_GRAPH_NAME_MAX];	/* function; "name [module]" for modules */
	int next_pid;			/* SWITCH: pid is the previous task */
	char next_comm[SURF_GRAPH_COMM_MAX];
	unsigned long long lost;	/* LOST: events lost on cpu */
	const char *why;		/* BAD */
};

/* Classify one line (without or with its '\n'); never fails, unknown lines are BAD. */
SURF_API void surf_graph_line__parse(const char *text, struct surf_graph_line *line);

/* "vfs_read" matches "vfs_read", "vfs_read.isra.0" and "vfs_read [mod]". */
SURF_API bool surf_graph__name_matches(const char *function, const char *name);

/* ---- calls of FUNCTION ---- */

enum surf_graph_event_kind {
	SURF_GRAPH_ENTRY,		/* a function is entered */
	SURF_GRAPH_EXIT,		/* the innermost open function returns */
	SURF_GRAPH_LEAF,		/* a function without traced callees: entry and exit */
	SURF_GRAPH_IRQ_ENTRY,		/* an interrupt starts here ... */
	SURF_GRAPH_IRQ_EXIT,		/* ... and ends */
};

struct surf_graph_event {
	enum surf_graph_event_kind kind;
	int depth;			/* below FUNCTION (0), as the kernel nests them */
	const char *name;		/* ENTRY, LEAF, EXIT; lives as long as the surf_graph */
	uint64_t duration_ns;		/* EXIT, LEAF */
};

struct surf_graph_call {
	unsigned long long index;	/* 1, 2, ... in the order the calls returned */
	int pid;			/* -1: the trace does not say */
	int cpu;			/* where it started; -1: unknown */
	bool migrated;			/* returned on another CPU */
	char comm[SURF_GRAPH_COMM_MAX];
	bool has_time;
	uint64_t start_ns;		/* funcgraph-abstime of the entry */
	uint64_t duration_ns;
	const struct surf_graph_event *events;
	size_t nevents;
};

struct surf_graph;

struct surf_graph_opts {
	size_t sz;			/* sizeof(struct surf_graph_opts) */
	/* The function; NULL: the first function entered at depth 0. */
	const char *function;
	/* Every completed, intact call; the call is valid during the callback only. */
	void (*on_call)(void *ctx, const struct surf_graph_call *call);
	/* Every line belonging to a call of FUNCTION (as read), and every LOST line. */
	void (*on_line)(void *ctx, const char *text);
	void *ctx;
};

struct surf_graph_stats {
	unsigned long long lines;	/* fed */
	unsigned long long bad_lines;	/* unreadable */
	unsigned long long calls;	/* completed and passed to on_call */
	unsigned long long dropped;	/* calls damaged by lost events or bad lines */
	unsigned long long incomplete;	/* calls still open at the end */
	unsigned long long lost_events;	/* sum of the LOST markers */
	unsigned long long lost_markers;
	char tracer[32];		/* from "# tracer: X", "" when absent */
	char function[SURF_GRAPH_NAME_MAX];	/* the function (found or given) */
	char outermost[SURF_GRAPH_NAME_MAX];	/* the first function entered at depth 0 */
};

SURF_API int surf_graph__new(struct surf_graph **g, const struct surf_graph_opts *opts);
/* One line of text (a trailing '\n' is allowed). */
SURF_API int surf_graph__feed(struct surf_graph *g, const char *text);
/* End of input: calls still open are counted as incomplete and forgotten. */
SURF_API void surf_graph__finish(struct surf_graph *g);
SURF_API void surf_graph__stats(const struct surf_graph *g, struct surf_graph_stats *stats);
SURF_API void surf_graph__free(struct surf_graph *g);

/* ---- call trees ---- */

/*
 * One node per distinct call path.  Children are in the order they were
 * first seen.  An interrupt is a child named "[irq]" of the function it
 * interrupted; its time is the sum of what ran inside.
 */
struct surf_graph_node {
	char *name;
	uint64_t time_ns;		/* inclusive, summed over the calls */
	uint64_t count;			/* calls of this path */
	struct surf_graph_node *parent, *child, *last, *next;
};

#define SURF_GRAPH_IRQ_NAME "[irq]"

struct surf_graph_tree {
	struct surf_graph_node *root;	/* NULL while empty */
	unsigned long long calls;	/* calls merged into it */
	/* Set from the call when the tree holds one call, else index 0, pid/cpu -1. */
	unsigned long long index;
	int pid, cpu;
	char comm[SURF_GRAPH_COMM_MAX];
};

struct surf_graph_tree_opts {
	size_t sz;			/* sizeof(struct surf_graph_tree_opts) */
	unsigned int max_depth;		/* levels kept under the root; 0: all */
	bool no_irq;			/* leave "[irq]" subtrees out (time stays above) */
};

SURF_API int surf_graph_tree__new(struct surf_graph_tree **t);
/* Add one call to t: merge it by call path, summing times and counts. */
SURF_API int surf_graph_tree__add_call(struct surf_graph_tree *t, const struct surf_graph_call *call,
			      const struct surf_graph_tree_opts *opts);
/* Add src to dst by call path; dst gets copies, nothing is shared. */
SURF_API int surf_graph_tree__merge(struct surf_graph_tree *dst, const struct surf_graph_tree *src);
/* A deep copy. */
SURF_API int surf_graph_tree__copy(struct surf_graph_tree **dst, const struct surf_graph_tree *src);
/* A node's time minus its children's (0 when they add up to more). */
SURF_API uint64_t surf_graph_node__self(const struct surf_graph_node *n);
SURF_API void surf_graph_tree__free(struct surf_graph_tree *t);

/* ---- outputs ---- */

/* Indented tree: time, calls and name per line; a heading names the call. */
SURF_API int surf_graph_tree__print(const struct surf_graph_tree *t, FILE *out);
/* The call sequence: "DEPTH -> name" and "DEPTH <- name TIME" lines, indented. */
SURF_API int surf_graph_call__print_walk(const struct surf_graph_call *call,
				const struct surf_graph_tree_opts *opts, FILE *out);
/* Folded stacks "a;b;c SELF" with SELF in nanoseconds, for flamegraph.pl and speedscope. */
SURF_API int surf_graph_tree__print_folded(const struct surf_graph_tree *t, FILE *out);

struct surf_graph_svg_opts {
	size_t sz;			/* sizeof(struct surf_graph_svg_opts) */
	const char *title;		/* default: the root's name */
	const char *subtitle;		/* a second line under the title, or NULL */
	unsigned int width;		/* pixels, default 1200 */
};

/* A self-contained SVG flame graph (inline CSS and script: zoom, search, tooltips). */
SURF_API int surf_graph_tree__write_svg(const struct surf_graph_tree *t,
			       const struct surf_graph_svg_opts *opts, FILE *out);

/*
 * .tree files: the merged tree and up to SURF_GRAPH_SAVE_MAX single calls,
 * as text (format in surfgraph(1)); load gives them back.
 */
#define SURF_GRAPH_SAVE_MAX 32
SURF_API int surf_graph_trees__save(FILE *out, const char *function, const struct surf_graph_tree *merged,
			   struct surf_graph_tree *const *calls, size_t ncalls);
/* *calls is a malloc'ed array of trees; line (when not NULL) gets the line of a format error. */
SURF_API int surf_graph_trees__load(FILE *in, char *function, size_t function_len,
			   struct surf_graph_tree **merged, struct surf_graph_tree ***calls,
			   size_t *ncalls, unsigned long *line);
/* Does this text start a .tree file? */
SURF_API bool surf_graph_trees__is_tree_file(const char *first_line);

/* "call 3: pid 99 (dd), cpu 0" or "8 calls merged". */
SURF_API void surf_graph_tree__describe(char *buf, size_t len, const struct surf_graph_tree *t);
/* "12.345 us" style, in the unit that keeps 1-4 digits before the point. */
SURF_API void surf_graph__format_time(char *buf, size_t len, uint64_t ns);

/* ---- live recording: function_graph through tracefs ---- */

struct surf_graph_live;

struct surf_graph_live_opts {
	size_t sz;			/* sizeof(struct surf_graph_live_opts) */
	const char *function;		/* the function whose calls are recorded */
	int pid;			/* set_ftrace_pid; 0: every task */
	unsigned int buffer_kb;		/* buffer_size_kb per CPU; 0: as it is */
	FILE *echo;			/* each tracefs write as a shell command; NULL: none */
};

/*
 * Set up function_graph for the function in a tracefs instance of this run's
 * own (or, where the kernel has function_graph only at the top level, there,
 * with the previous settings kept for a later run to restore), after removing
 * what killed runs left.  0, -EINVAL for what the caller asked wrongly (no
 * such function or process, a buffer size the kernel refuses), -EOPNOTSUPP
 * when this kernel cannot record function_graph here, -EBUSY when another
 * user holds the tracer, other negative errno; why is said through the print
 * callback (surf/log.h).  *live is set even on failure: free it.
 */
SURF_API int surf_graph_live__start(struct surf_graph_live **live,
				    const struct surf_graph_live_opts *opts);
/* The trace_pipe descriptor (non-blocking): lines for surf_graph__feed(). */
SURF_API int surf_graph_live__fd(const struct surf_graph_live *live);
/* tracing_on = 0, so that what is left can be drained. */
SURF_API void surf_graph_live__stop(struct surf_graph_live *live);
/* Undo everything; safe on NULL and after a partial start. */
SURF_API void surf_graph_live__free(struct surf_graph_live *live);

#ifdef __cplusplus
}
#endif
#endif

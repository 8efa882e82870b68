// SPDX-License-Identifier: MIT
/*
 * Text outputs: the indented tree, the walk, folded stacks, and .tree files.
 *
 * A .tree file (surfgraph -o NAME) is line-oriented text:
 *
 *   surfgraph-trees 1
 *   function vfs_read
 *   tree merged 8                  the merge of all 8 calls
 *   0 4123456 8 vfs_read           DEPTH TIME_NS CALLS NAME, in preorder
 *   1 171716 8 rw_verify_area
 *   end
 *   tree call 3 99 0 dd            call 3, pid 99, cpu 0, comm dd (-1: unknown)
 *   ...
 *   end
 *
 * '#' lines and blank lines are ignored; NAME runs to the end of the line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <surf/graph.h>

#include "sys/opts.h"
#include "graph/internal.h"

#define TREE_MAGIC "surfgraph-trees 1"

static void format_us(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " us", ns / 1000, ns % 1000);
}

void surf_graph__format_time(char *buf, size_t len, uint64_t ns)
{
	static const struct { uint64_t ns; const char *unit; } units[] = {
		{ 1000000000, "s" }, { 1000000, "ms" }, { 1000, "us" },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ns >= units[i].ns) {
			uint64_t milli = ns / (units[i].ns / 1000);

			snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " %s", milli / 1000,
				 milli % 1000, units[i].unit);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64 " ns", ns);
}

void surf_graph_tree__describe(char *buf, size_t len, const struct surf_graph_tree *t)
{
	int n;

	if (t->calls != 1 || !t->index) {
		snprintf(buf, len, "%llu calls merged", t->calls);
		return;
	}
	n = snprintf(buf, len, "call %llu", t->index);
	if (t->pid >= 0 && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ": pid %d%s%s%s", t->pid,
			      t->comm[0] ? " (" : "", t->comm, t->comm[0] ? ")" : "");
	if (t->cpu >= 0 && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%scpu %d", t->pid >= 0 ? ", " : ": ", t->cpu);
}

static void print_nodes(const struct surf_graph_node *n, int depth, FILE *out)
{
	char t[32];

	for (; n; n = n->next) {
		format_us(t, sizeof(t), n->time_ns);
		fprintf(out, "%16s %7" PRIu64 "  %*s%s\n", t, n->count, depth * 2, "", n->name);
		print_nodes(n->child, depth + 1, out);
	}
}

int surf_graph_tree__print(const struct surf_graph_tree *t, FILE *out)
{
	char what[160];

	if (!t->root)
		return 0;
	surf_graph_tree__describe(what, sizeof(what), t);
	fprintf(out, "# %s %s\n", t->root->name, what);
	fprintf(out, "# %14s %7s  %s\n", "TIME", "CALLS", "FUNCTION");
	print_nodes(t->root, 0, out);
	return ferror(out) ? -EIO : 0;
}

struct walk_print {
	FILE *out;
};

static int walk_line(void *ctx, const struct graph_step *s)
{
	struct walk_print *w = ctx;
	char t[32];

	if (s->enter) {
		fprintf(w->out, "%u %*s-> %s\n", s->depth, (int)s->depth * 2, "", s->name);
		return 0;
	}
	format_us(t, sizeof(t), s->ns);
	fprintf(w->out, "%u %*s<- %s %s\n", s->depth, (int)s->depth * 2, "", s->name, t);
	return 0;
}

int surf_graph_call__print_walk(const struct surf_graph_call *call,
				const struct surf_graph_tree_opts *opts, FILE *out)
{
	struct surf_graph_tree head = { .calls = 1, .index = call->index, .pid = call->pid,
					.cpu = call->cpu };
	struct walk_print w = { .out = out };
	char what[160], t[32];
	int ret;

	if (!OPTS_VALID(opts, struct surf_graph_tree_opts))
		return -EINVAL;
	memcpy(head.comm, call->comm, sizeof(head.comm));
	surf_graph_tree__describe(what, sizeof(what), &head);
	format_us(t, sizeof(t), call->duration_ns);
	fprintf(out, "# %s %s, %s%s\n", call->nevents ? call->events[0].name : "?", what, t,
		call->migrated ? ", returned on another cpu" : "");
	ret = graph_walk(call, opts, walk_line, &w);
	if (!ret && ferror(out))
		ret = -EIO;
	return ret;
}

struct path {
	char *buf;
	size_t len, cap;
};

static int path_push(struct path *p, const char *name)
{
	size_t n = strlen(name) + 2;

	if (p->len + n > p->cap) {
		size_t cap = (p->len + n) * 2;
		char *b = realloc(p->buf, cap);

		if (!b)
			return -ENOMEM;
		p->buf = b;
		p->cap = cap;
	}
	p->len += (size_t)sprintf(p->buf + p->len, "%s%s", p->len ? ";" : "", name);
	return 0;
}

static int fold(const struct surf_graph_node *n, struct path *p, FILE *out)
{
	for (; n; n = n->next) {
		size_t len = p->len;
		uint64_t self = surf_graph_node__self(n);

		if (path_push(p, n->name))
			return -ENOMEM;
		if (self)
			fprintf(out, "%s %" PRIu64 "\n", p->buf, self);
		if (fold(n->child, p, out))
			return -ENOMEM;
		p->len = len;
		p->buf[len] = '\0';
	}
	return 0;
}

int surf_graph_tree__print_folded(const struct surf_graph_tree *t, FILE *out)
{
	struct path p = { 0 };
	int ret = fold(t->root, &p, out);

	free(p.buf);
	if (!ret && ferror(out))
		ret = -EIO;
	return ret;
}

static void save_nodes(const struct surf_graph_node *n, int depth, FILE *out)
{
	for (; n; n = n->next) {
		fprintf(out, "%d %" PRIu64 " %" PRIu64 " %s\n", depth, n->time_ns, n->count,
			n->name);
		save_nodes(n->child, depth + 1, out);
	}
}

int surf_graph_trees__save(FILE *out, const char *function, const struct surf_graph_tree *merged,
			   struct surf_graph_tree *const *calls, size_t ncalls)
{
	fprintf(out, "%s\n# surfgraph(1): a \"tree\" line, then DEPTH TIME_NS CALLS NAME per node "
		     "in preorder, then \"end\"\nfunction %s\n", TREE_MAGIC, function);
	fprintf(out, "tree merged %llu\n", merged->calls);
	save_nodes(merged->root, 0, out);
	fputs("end\n", out);
	for (size_t i = 0; i < ncalls; i++) {
		const struct surf_graph_tree *t = calls[i];

		fprintf(out, "tree call %llu %d %d %s\n", t->index, t->pid, t->cpu, t->comm);
		save_nodes(t->root, 0, out);
		fputs("end\n", out);
	}
	fflush(out);
	return ferror(out) ? -EIO : 0;
}

bool surf_graph_trees__is_tree_file(const char *first_line)
{
	return !strncmp(first_line, TREE_MAGIC, strlen(TREE_MAGIC));
}

struct loader {
	struct surf_graph_tree *t;	/* the block being read */
	struct surf_graph_node **stack;	/* the last node at each depth */
	size_t cap;
};

/* "DEPTH TIME CALLS NAME" under the last node one level up. */
static int load_node(struct loader *ld, char *s)
{
	unsigned long depth;
	uint64_t time_ns, count;
	struct surf_graph_node *n;
	int used = 0;

	if (sscanf(s, "%lu %" SCNu64 " %" SCNu64 " %n", &depth, &time_ns, &count, &used) < 3 ||
	    !used || !s[used])
		return -EINVAL;
	s += used;
	if (depth == 0) {
		if (ld->t->root)
			return -EINVAL;	/* one root per tree */
		if (graph_tree_root(ld->t, s))
			return -ENOMEM;
		n = ld->t->root;
	} else {
		if (!ld->t->root || depth > ld->cap || !ld->stack[depth - 1])
			return -EINVAL;
		n = graph_node_child(ld->stack[depth - 1], s);
		if (!n)
			return -ENOMEM;
	}
	if (depth >= ld->cap) {
		size_t cap = depth * 2 + 16;
		struct surf_graph_node **st = realloc(ld->stack, cap * sizeof(*st));

		if (!st)
			return -ENOMEM;
		memset(st + ld->cap, 0, (cap - ld->cap) * sizeof(*st));
		ld->stack = st;
		ld->cap = cap;
	}
	ld->stack[depth] = n;
	if (depth + 1 < ld->cap)
		ld->stack[depth + 1] = NULL;
	n->time_ns += time_ns;
	n->count += count;
	return 0;
}

/* "tree merged CALLS" or "tree call INDEX PID CPU [COMM]": a new block. */
static int load_block(struct loader *ld, const char *s, struct surf_graph_tree **merged,
		      struct surf_graph_tree ***calls, size_t *ncalls)
{
	struct surf_graph_tree *t;
	int used = 0;

	if (surf_graph_tree__new(&t))
		return -ENOMEM;
	if (sscanf(s, "tree merged %llu", &t->calls) == 1 && !*merged) {
		*merged = t;
	} else if (sscanf(s, "tree call %llu %d %d %n", &t->index, &t->pid, &t->cpu, &used) >= 3) {
		struct surf_graph_tree **c = realloc(*calls, (*ncalls + 1) * sizeof(*c));

		if (!c) {
			surf_graph_tree__free(t);
			return -ENOMEM;
		}
		if (used)
			snprintf(t->comm, sizeof(t->comm), "%s", s + used);
		t->calls = 1;
		*calls = c;
		c[(*ncalls)++] = t;
	} else {
		surf_graph_tree__free(t);
		return -EINVAL;
	}
	ld->t = t;
	if (ld->cap)
		ld->stack[0] = NULL;
	return 0;
}

static int load_line(struct loader *ld, char *s, char *function, size_t function_len,
		     struct surf_graph_tree **merged, struct surf_graph_tree ***calls,
		     size_t *ncalls)
{
	if (!*s || *s == '#' || surf_graph_trees__is_tree_file(s))
		return 0;
	if (!strncmp(s, "function ", 9)) {
		snprintf(function, function_len, "%s", s + 9);
		return 0;
	}
	if (!strncmp(s, "tree ", 5))
		return ld->t ? -EINVAL : load_block(ld, s, merged, calls, ncalls);
	if (!strcmp(s, "end")) {
		if (!ld->t || !ld->t->root)
			return -EINVAL;
		ld->t = NULL;
		return 0;
	}
	return ld->t ? load_node(ld, s) : -EINVAL;
}

int surf_graph_trees__load(FILE *in, char *function, size_t function_len,
			   struct surf_graph_tree **merged, struct surf_graph_tree ***calls,
			   size_t *ncalls, unsigned long *line)
{
	struct loader ld = { 0 };
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	*merged = NULL;
	*calls = NULL;
	*ncalls = 0;
	function[0] = '\0';
	if (line)
		*line = 0;
	while (!ret && (n = getline(&buf, &cap, in)) >= 0) {
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (line)
			++*line;
		ret = load_line(&ld, buf, function, function_len, merged, calls, ncalls);
	}
	if (!ret && (ld.t || !*merged || !function[0]))
		ret = -EINVAL;	/* cut short, or not a .tree file */
	free(buf);
	free(ld.stack);
	if (ret) {
		surf_graph_tree__free(*merged);
		for (size_t i = 0; i < *ncalls; i++)
			surf_graph_tree__free((*calls)[i]);
		free(*calls);
		*merged = NULL;
		*calls = NULL;
		*ncalls = 0;
	}
	return ret;
}

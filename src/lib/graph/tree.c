// SPDX-License-Identifier: MIT
/*
 * Call trees: one node per distinct call path, with the time and the number
 * of calls of that path summed.  A tree owns all its nodes and their names;
 * merging copies, so no two trees ever share a node.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <surf/graph.h>

#include "sys/opts.h"
#include "graph/internal.h"

int surf_graph_tree__new(struct surf_graph_tree **t)
{
	*t = calloc(1, sizeof(**t));
	if (!*t)
		return -ENOMEM;
	(*t)->pid = -1;
	(*t)->cpu = -1;
	return 0;
}

static void free_nodes(struct surf_graph_node *n)
{
	while (n) {
		struct surf_graph_node *next = n->next;

		free_nodes(n->child);
		free(n->name);
		free(n);
		n = next;
	}
}

void surf_graph_tree__free(struct surf_graph_tree *t)
{
	if (!t)
		return;
	free_nodes(t->root);
	free(t);
}

static struct surf_graph_node *new_node(const char *name, struct surf_graph_node *parent)
{
	struct surf_graph_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->name = strdup(name);
	if (!n->name) {
		free(n);
		return NULL;
	}
	n->parent = parent;
	if (parent) {
		if (parent->last)
			parent->last->next = n;
		else
			parent->child = n;
		parent->last = n;
	}
	return n;
}

struct surf_graph_node *graph_node_child(struct surf_graph_node *parent, const char *name)
{
	for (struct surf_graph_node *c = parent->child; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return new_node(name, parent);
}

int graph_tree_root(struct surf_graph_tree *t, const char *name)
{
	if (!t->root)
		t->root = new_node(name, NULL);
	return t->root ? 0 : -ENOMEM;
}

uint64_t surf_graph_node__self(const struct surf_graph_node *n)
{
	uint64_t children = 0;

	for (const struct surf_graph_node *c = n->child; c; c = c->next)
		children += c->time_ns;
	return children < n->time_ns ? n->time_ns - children : 0;
}

/* src's children into dst's, recursively. */
static int merge_children(struct surf_graph_node *dst, const struct surf_graph_node *src)
{
	for (const struct surf_graph_node *c = src->child; c; c = c->next) {
		struct surf_graph_node *d = graph_node_child(dst, c->name);

		if (!d)
			return -ENOMEM;
		d->time_ns += c->time_ns;
		d->count += c->count;
		if (merge_children(d, c))
			return -ENOMEM;
	}
	return 0;
}

static void record_origin(struct surf_graph_tree *dst, const struct surf_graph_tree *src,
			  unsigned long long before)
{
	if (!before && dst->calls == src->calls) {
		dst->index = src->index;
		dst->pid = src->pid;
		dst->cpu = src->cpu;
		memcpy(dst->comm, src->comm, sizeof(dst->comm));
	} else {
		dst->index = 0;
		dst->pid = -1;
		dst->cpu = -1;
		dst->comm[0] = '\0';
	}
}

int surf_graph_tree__merge(struct surf_graph_tree *dst, const struct surf_graph_tree *src)
{
	unsigned long long before = dst->calls;

	if (!src->root)
		return 0;
	/* The roots are one function whatever its printed name (vfs_read.isra.0). */
	if (graph_tree_root(dst, src->root->name))
		return -ENOMEM;
	dst->root->time_ns += src->root->time_ns;
	dst->root->count += src->root->count;
	dst->calls += src->calls;
	record_origin(dst, src, before);
	return merge_children(dst->root, src->root);
}

int surf_graph_tree__copy(struct surf_graph_tree **dst, const struct surf_graph_tree *src)
{
	int ret = surf_graph_tree__new(dst);

	if (!ret)
		ret = surf_graph_tree__merge(*dst, src);
	if (ret) {
		surf_graph_tree__free(*dst);
		*dst = NULL;
	}
	return ret;
}

/*
 * Walking a call's events as the trees see them: every level has a frame
 * that adds its children's times up, because an interrupt has no duration
 * of its own (it is the sum of what ran inside it).  Levels beyond
 * max_depth, and interrupts when no_irq, are walked but not shown to fn.
 */
struct walk_frame {
	bool shown, irq;
	const char *name;
	uint64_t children_ns;
};

struct walker {
	const struct surf_graph_tree_opts *o;
	graph_step_fn fn;
	void *ctx;
	struct walk_frame *stack;
	size_t n, cap;
};

static int walk_push(struct walker *w, const char *name, bool irq)
{
	bool shown = !w->n || w->stack[w->n - 1].shown;
	struct graph_step step = { .enter = true, .depth = (unsigned int)w->n, .name = name,
				   .irq = irq };

	if (w->o->max_depth && w->n > w->o->max_depth)
		shown = false;
	if (irq && w->o->no_irq)
		shown = false;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;
		struct walk_frame *s = realloc(w->stack, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		w->stack = s;
		w->cap = cap;
	}
	w->stack[w->n++] = (struct walk_frame){ .shown = shown, .irq = irq, .name = name };
	return shown ? w->fn(w->ctx, &step) : 0;
}

/* Close the innermost level, which took ns (an interrupt: its children's sum). */
static int walk_pop(struct walker *w, uint64_t ns, bool have_ns)
{
	struct walk_frame *f = &w->stack[--w->n];
	struct graph_step step = { .depth = (unsigned int)w->n, .name = f->name, .irq = f->irq };

	step.ns = have_ns ? ns : f->children_ns;
	if (w->n)
		w->stack[w->n - 1].children_ns += step.ns;
	return f->shown ? w->fn(w->ctx, &step) : 0;
}

static int walk_event(struct walker *w, const struct surf_graph_event *e)
{
	int ret = 0;

	switch (e->kind) {
	case SURF_GRAPH_ENTRY:
		return walk_push(w, e->name, false);
	case SURF_GRAPH_LEAF:
		ret = walk_push(w, e->name, false);
		return ret ? ret : walk_pop(w, e->duration_ns, true);
	case SURF_GRAPH_EXIT:
		/* An interrupt whose end was not seen ends with the function it interrupted. */
		while (!ret && w->n > 1 && w->stack[w->n - 1].irq)
			ret = walk_pop(w, 0, false);
		return ret || !w->n ? ret : walk_pop(w, e->duration_ns, true);
	case SURF_GRAPH_IRQ_ENTRY:
		return w->n ? walk_push(w, SURF_GRAPH_IRQ_NAME, true) : 0;
	case SURF_GRAPH_IRQ_EXIT:
		return w->n > 1 && w->stack[w->n - 1].irq ? walk_pop(w, 0, false) : 0;
	}
	return 0;
}

int graph_walk(const struct surf_graph_call *call, const struct surf_graph_tree_opts *opts,
	       graph_step_fn fn, void *ctx)
{
	struct surf_graph_tree_opts o;
	struct walker w = { .o = &o, .fn = fn, .ctx = ctx };
	int ret = 0;

	if (!OPTS_VALID(opts, struct surf_graph_tree_opts))
		return -EINVAL;
	OPTS_COPY(&o, opts);

	for (size_t i = 0; i < call->nevents && !ret; i++)
		ret = walk_event(&w, &call->events[i]);
	free(w.stack);
	return ret;
}

struct builder {
	struct surf_graph_tree *t;
	struct surf_graph_node *cur;	/* the innermost open node */
};

static int build_step(void *ctx, const struct graph_step *s)
{
	struct builder *b = ctx;
	struct surf_graph_node *n;

	if (!s->enter) {
		b->cur->time_ns += s->ns;
		b->cur = b->cur->parent;
		return 0;
	}
	if (b->cur) {
		n = graph_node_child(b->cur, s->name);
	} else {
		if (graph_tree_root(b->t, s->name))
			return -ENOMEM;
		n = b->t->root;
	}
	if (!n)
		return -ENOMEM;
	n->count++;
	b->cur = n;
	return 0;
}

int surf_graph_tree__add_call(struct surf_graph_tree *t, const struct surf_graph_call *call,
			      const struct surf_graph_tree_opts *opts)
{
	struct builder b = { .t = t };
	unsigned long long before = t->calls;
	int ret = graph_walk(call, opts, build_step, &b);

	if (ret)
		return ret;
	t->calls++;
	if (!before) {
		t->index = call->index;
		t->pid = call->pid;
		t->cpu = call->cpu;
		memcpy(t->comm, call->comm, sizeof(t->comm));
	} else {
		t->index = 0;
		t->pid = -1;
		t->cpu = -1;
		t->comm[0] = '\0';
	}
	return 0;
}

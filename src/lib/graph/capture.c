// SPDX-License-Identifier: MIT
/*
 * Cutting calls of one function out of function_graph text.
 *
 * The tracer interleaves the lines of every CPU, and a task that sleeps in
 * the function may return on another CPU.  So lines go to streams, one per
 * task being captured: by the task column when the trace has one
 * (funcgraph-proc), else by the task each CPU runs, which the context-switch
 * blocks name ("0) bash-1 => cat-2").  A CPU's first lines come before any
 * switch block names its task; such a stream gets its task at the first
 * switch.  A task that went to sleep on one CPU and goes on on another shows
 * up there mid-call, at the depth it left: it is found again among the
 * switched-out streams by that depth (and by the function name the kernel
 * then prints after '}').
 *
 * A capture starts at an entry of the function at any depth and ends at the
 * '}' at that depth.  The depth of every line must fit the open calls; a
 * line that does not, an unreadable line or lost events on the stream's CPU
 * make the capture damaged, and a damaged call is dropped (and counted)
 * rather than shown with times that do not add up.
 *
 * Interrupts: where the kernel can trace the interrupt entry it prints
 * "==========>" and "<==========" around the handler; on x86-64 since 5.8
 * the entry is not traceable and an interrupt shows up as irq_enter_rcu()
 * ... irq_exit_rcu() among the interrupted function's callees.  Both become
 * IRQ_ENTRY/IRQ_EXIT events, and the trees an "[irq]" node.
 *
 * The kernel's depth of an interrupt's functions is the task's shadow-stack
 * depth when it came, and ftrace changes that depth a little before it
 * writes an entry or an exit.  So an interrupt that lands in ftrace's own
 * code is one level off (tests/fixtures/graph/do_sys_openat2-irq.txt):
 *
 *  - entering F: irq_enter_rcu() one level deeper than F's caller's
 *    callees, and F's own line after the interrupt.  F's time includes the
 *    interrupt: the interrupt goes inside F (a frame waits for F's name).
 *  - leaving T: irq_enter_rcu() at T's level while T is open, and T's '}'
 *    (with a comment naming T) after it.  T's time does not include the
 *    interrupt: T is closed first (its time filled in at its '}') and the
 *    interrupt goes next to it.  When T is the function itself, whose
 *    caller is not captured, the interrupt goes inside it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <surf/graph.h>

#include "sys/opts.h"
#include "graph/internal.h"

#define MAX_CPUS 65536

/* An open function; name NULL: one whose line is still to come (see above). */
struct frame {
	const char *name;
	size_t insert_at;		/* name NULL: where its entry event goes */
};

struct stream {
	struct stream *next;
	int pid;			/* -1: not known yet */
	int cpu;			/* where its last line was */
	int start_cpu;
	bool migrated;
	bool damaged;
	char comm[SURF_GRAPH_COMM_MAX];
	bool has_time;
	uint64_t start_ns;
	int base;			/* depth of the function's entry */
	struct frame *frames;		/* open functions, frames[0] the function */
	int nframes, frames_cap;
	int *irqs;			/* depths of open irq_enter_rcu() interrupts */
	int nirqs, irqs_cap;
	int shift;			/* added to the depths of an interrupt in the function's exit */
	int shift_irqs;			/* ... until fewer interrupts than this are open */
	long closing_ev;		/* the exit event of a function whose '}' is to come; -1: none */
	int closing_depth;
	int irq_marks;			/* open "==========>" interrupts */
	struct surf_graph_event *ev;
	size_t nev, ev_cap;
	unsigned long long parked;	/* when it was switched out; 0: never */
};

/* What runs on a CPU, for traces without a task column. */
struct cpu_state {
	int pid;			/* -1: not named by a switch block yet */
	char comm[SURF_GRAPH_COMM_MAX];
	struct stream *anon;		/* the capture of that unnamed task */
};

struct surf_graph {
	struct surf_graph_opts o;
	bool have_function;
	struct stream *streams;
	struct cpu_state *cpus;		/* index cpu + 1: [0] for traces without CPUs */
	int ncpus;
	const char **names;		/* interned names, open addressing */
	size_t names_cap, names_used;
	unsigned long long switches;
	struct surf_graph_stats st;
};

static size_t hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static const char *intern(struct surf_graph *g, const char *name)
{
	size_t i;

	if (g->names_used * 2 >= g->names_cap) {
		size_t cap = g->names_cap ? g->names_cap * 2 : 1024;
		const char **t = calloc(cap, sizeof(*t));

		if (!t)
			return NULL;
		for (size_t j = 0; j < g->names_cap; j++) {
			if (!g->names[j])
				continue;
			for (i = hash(g->names[j]) & (cap - 1); t[i]; i = (i + 1) & (cap - 1))
				;
			t[i] = g->names[j];
		}
		free(g->names);
		g->names = t;
		g->names_cap = cap;
	}
	for (i = hash(name) & (g->names_cap - 1); g->names[i]; i = (i + 1) & (g->names_cap - 1))
		if (!strcmp(g->names[i], name))
			return g->names[i];
	g->names[i] = strdup(name);
	if (g->names[i])
		g->names_used++;
	return g->names[i];
}

int surf_graph__new(struct surf_graph **gp, const struct surf_graph_opts *opts)
{
	struct surf_graph *g;

	if (!OPTS_VALID(opts, struct surf_graph_opts))
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	OPTS_COPY(&g->o, opts);
	if (g->o.function) {
		snprintf(g->st.function, sizeof(g->st.function), "%s", g->o.function);
		g->have_function = true;
	}
	*gp = g;
	return 0;
}

static void free_stream(struct stream *s)
{
	free(s->frames);
	free(s->irqs);
	free(s->ev);
	free(s);
}

void surf_graph__free(struct surf_graph *g)
{
	if (!g)
		return;
	while (g->streams) {
		struct stream *s = g->streams;

		g->streams = s->next;
		free_stream(s);
	}
	for (size_t i = 0; i < g->names_cap; i++)
		free((char *)g->names[i]);
	free(g->names);
	free(g->cpus);
	free(g);
}

void surf_graph__stats(const struct surf_graph *g, struct surf_graph_stats *st)
{
	*st = g->st;
}

static struct cpu_state *cpu_state(struct surf_graph *g, int cpu)
{
	int i = cpu + 1;

	if (i < 0 || i >= MAX_CPUS)
		return NULL;
	if (i >= g->ncpus) {
		int n = i + 16;
		struct cpu_state *c = realloc(g->cpus, (size_t)n * sizeof(*c));

		if (!c)
			return NULL;
		for (int j = g->ncpus; j < n; j++)
			c[j] = (struct cpu_state){ .pid = -1 };
		g->cpus = c;
		g->ncpus = n;
	}
	return &g->cpus[i];
}

static void unlink_stream(struct surf_graph *g, struct stream *s)
{
	for (struct stream **p = &g->streams; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	for (int i = 0; i < g->ncpus; i++)
		if (g->cpus[i].anon == s)
			g->cpus[i].anon = NULL;
	free_stream(s);
}

/* The capture is over without a good call. */
static void drop(struct surf_graph *g, struct stream *s)
{
	g->st.dropped++;
	unlink_stream(g, s);
}

static int grow(void **p, int *cap, int need, size_t size)
{
	void *q;
	int n;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap * 2 : 16;
	q = realloc(*p, (size_t)n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int add_event(struct stream *s, enum surf_graph_event_kind kind, int depth,
		     const char *name, uint64_t ns)
{
	if (s->nev == s->ev_cap) {
		size_t cap = s->ev_cap ? s->ev_cap * 2 : 64;
		struct surf_graph_event *e = realloc(s->ev, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		s->ev = e;
		s->ev_cap = cap;
	}
	s->ev[s->nev++] = (struct surf_graph_event){
		.kind = kind, .depth = depth - s->base, .name = name, .duration_ns = ns,
	};
	return 0;
}

static int push_frame(struct stream *s, const char *name)
{
	if (grow((void **)&s->frames, &s->frames_cap, s->nframes + 1, sizeof(*s->frames)))
		return -ENOMEM;
	s->frames[s->nframes++] = (struct frame){ .name = name, .insert_at = s->nev };
	return 0;
}

/* The innermost open function is one whose line is still to come. */
static bool awaiting_entry(const struct stream *s)
{
	return s->nframes > 1 && !s->frames[s->nframes - 1].name;
}

/* Insert an event at index at, the later ones moving up. */
static int insert_event(struct stream *s, size_t at, enum surf_graph_event_kind kind, int depth,
			const char *name)
{
	if (add_event(s, kind, depth, name, 0))
		return -ENOMEM;
	if (at < s->nev - 1) {
		struct surf_graph_event e = s->ev[s->nev - 1];

		memmove(&s->ev[at + 1], &s->ev[at], (s->nev - 1 - at) * sizeof(*s->ev));
		s->ev[at] = e;
	}
	return 0;
}

static bool irq_enter_name(const char *name)
{
	return !strcmp(name, "irq_enter_rcu") || !strcmp(name, "irq_enter");
}

static bool irq_exit_name(const char *name)
{
	return !strcmp(name, "irq_exit_rcu") || !strcmp(name, "irq_exit");
}

/* Before an ENTRY or LEAF at depth: does an interrupt start here? */
static int irq_before(struct stream *s, const char *name, int depth)
{
	if (s->irq_marks || !irq_enter_name(name))
		return 0;
	if (grow((void **)&s->irqs, &s->irqs_cap, s->nirqs + 1, sizeof(*s->irqs)))
		return -ENOMEM;
	s->irqs[s->nirqs++] = depth;
	return add_event(s, SURF_GRAPH_IRQ_ENTRY, depth, NULL, 0);
}

/* After name returned at depth: does an interrupt end here? */
static int irq_after(struct stream *s, const char *name, int depth)
{
	int ret = 0;

	/* Interrupts entered deeper than this can no longer be open. */
	while (s->nirqs && s->irqs[s->nirqs - 1] > depth)
		s->nirqs--;
	if (s->nirqs && s->irqs[s->nirqs - 1] == depth && irq_exit_name(name)) {
		s->nirqs--;
		ret = add_event(s, SURF_GRAPH_IRQ_EXIT, depth, NULL, 0);
	}
	if (s->nirqs < s->shift_irqs)
		s->shift = s->shift_irqs = 0;
	return ret;
}

static struct stream *new_stream(struct surf_graph *g, const struct surf_graph_line *l,
				 struct cpu_state *cs)
{
	struct stream *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->pid = l->pid >= 0 ? l->pid : cs->pid;
	s->cpu = s->start_cpu = l->cpu;
	snprintf(s->comm, sizeof(s->comm), "%s", l->pid >= 0 ? l->comm : cs->comm);
	s->has_time = l->has_time;
	s->start_ns = l->time_ns;
	s->base = l->depth;
	s->closing_ev = -1;
	if (s->pid < 0)
		cs->anon = s;
	s->next = g->streams;
	g->streams = s;
	return s;
}

static void emit(struct surf_graph *g, struct stream *s, uint64_t duration_ns)
{
	struct surf_graph_call call = {
		.index = ++g->st.calls, .pid = s->pid, .cpu = s->start_cpu,
		.migrated = s->migrated, .has_time = s->has_time, .start_ns = s->start_ns,
		.duration_ns = duration_ns, .events = s->ev, .nevents = s->nev,
	};

	memcpy(call.comm, s->comm, sizeof(call.comm));
	if (g->o.on_call)
		g->o.on_call(g->o.ctx, &call);
	unlink_stream(g, s);
}

static bool is_function(struct surf_graph *g, const struct surf_graph_line *l)
{
	if (l->kind != SURF_GRAPH_LINE_ENTRY && l->kind != SURF_GRAPH_LINE_LEAF)
		return false;
	if (!g->have_function) {
		/* Not given: the first function entered at depth 0 (leaves may be strays). */
		if (l->kind != SURF_GRAPH_LINE_ENTRY || l->depth)
			return false;
		snprintf(g->st.function, sizeof(g->st.function), "%s", l->name);
		g->have_function = true;
	}
	return surf_graph__name_matches(g->st.function, l->name);
}

static bool current_somewhere(struct surf_graph *g, const struct stream *s)
{
	for (int i = 0; i < g->ncpus; i++)
		if (g->cpus[i].anon == s || (s->pid >= 0 && g->cpus[i].pid == s->pid))
			return true;
	return false;
}

static bool names_match(const struct surf_graph_line *l, const char *name)
{
	return !l->name[0] || !name || !strcmp(l->name, name);
}

/* Could line l be the next one of s?  (l's depth as the kernel printed it.) */
static bool fits(const struct stream *s, const struct surf_graph_line *l)
{
	int next = s->base + s->nframes, depth = l->depth + s->shift;

	if (s->damaged)
		return false;
	if (l->kind == SURF_GRAPH_LINE_EXIT)
		return (depth == next - 1 && names_match(l, s->frames[s->nframes - 1].name)) ||
		       (awaiting_entry(s) && depth == next - 2) ||
		       (s->closing_ev >= 0 && depth == s->closing_depth &&
			names_match(l, s->ev[s->closing_ev].name));
	if (irq_enter_name(l->name) && !s->irq_marks && (depth == next + 1 || depth == next - 1))
		return true;
	return depth == next || (awaiting_entry(s) && depth == next - 1);
}

/*
 * A line of a task no switch block has named on this CPU, in the middle of
 * a call: the switched-out capture it continues, most recent first.
 */
static struct stream *adopt(struct surf_graph *g, const struct surf_graph_line *l,
			    struct cpu_state *cs)
{
	struct stream *best = NULL;

	for (struct stream *s = g->streams; s; s = s->next)
		if (s->parked && fits(s, l) && !current_somewhere(g, s) &&
		    (!best || s->parked > best->parked))
			best = s;
	if (best) {
		if (best->pid >= 0)
			cs->pid = best->pid;
		else
			cs->anon = best;
	}
	return best;
}

static struct stream *find_pid(struct surf_graph *g, int pid, int cpu)
{
	for (struct stream *s = g->streams; s; s = s->next)
		if (s->pid == pid && (pid || s->cpu == cpu))
			return s;
	return NULL;
}

static struct stream *lookup(struct surf_graph *g, const struct surf_graph_line *l,
			     struct cpu_state *cs)
{
	if (l->pid >= 0)
		return find_pid(g, l->pid, l->cpu);
	if (cs->anon)
		return cs->anon;
	return cs->pid >= 0 ? find_pid(g, cs->pid, l->cpu) : NULL;
}

static int start_capture(struct surf_graph *g, const struct surf_graph_line *l,
			 struct cpu_state *cs, const char *text)
{
	struct stream *s = new_stream(g, l, cs);
	const char *name = intern(g, l->name);

	if (!s || !name)
		return -ENOMEM;
	if (g->o.on_line)
		g->o.on_line(g->o.ctx, text);
	if (l->kind == SURF_GRAPH_LINE_LEAF) {
		if (add_event(s, SURF_GRAPH_LEAF, l->depth, name, l->duration_ns))
			return -ENOMEM;
		emit(g, s, l->duration_ns);
		return 0;
	}
	if (push_frame(s, name) || add_event(s, SURF_GRAPH_ENTRY, l->depth, name, 0))
		return -ENOMEM;
	return 0;
}

/* The line of the function an interrupt came in the entry of: the frame waiting for it. */
static int entered_after_irq(struct stream *s, const struct surf_graph_line *l, const char *name)
{
	struct frame *f = &s->frames[s->nframes - 1];

	if (insert_event(s, f->insert_at, SURF_GRAPH_ENTRY, l->depth, name))
		return -ENOMEM;
	if (l->kind == SURF_GRAPH_LINE_ENTRY) {
		f->name = name;
		return 0;
	}
	s->nframes--;
	return add_event(s, SURF_GRAPH_EXIT, l->depth, name, l->duration_ns);
}

/* An interrupt one level off, in ftrace's code around an entry or exit (see the top). */
static int irq_off_by_one(struct stream *s, const struct surf_graph_line *l)
{
	int next = s->base + s->nframes;

	if (!irq_enter_name(l->name) || s->irq_marks)
		return 0;
	if (l->depth == next + 1)
		return push_frame(s, NULL);
	if (l->depth == next - 1 && s->nframes > 1 && s->frames[s->nframes - 1].name) {
		const char *name = s->frames[--s->nframes].name;

		s->closing_ev = (long)s->nev;
		s->closing_depth = l->depth;
		return add_event(s, SURF_GRAPH_EXIT, l->depth, name, 0);
	}
	return 0;
}

static int on_enter(struct stream *s, const struct surf_graph_line *l, const char *name)
{
	if (awaiting_entry(s) && l->depth == s->base + s->nframes - 1)
		return entered_after_irq(s, l, name);
	if (irq_off_by_one(s, l))
		return -ENOMEM;
	if (l->depth != s->base + s->nframes) {
		s->damaged = true;
		return 0;
	}
	if (irq_before(s, name, l->depth))
		return -ENOMEM;
	if (l->kind == SURF_GRAPH_LINE_LEAF) {
		if (add_event(s, SURF_GRAPH_LEAF, l->depth, name, l->duration_ns))
			return -ENOMEM;
		return irq_after(s, name, l->depth);
	}
	if (push_frame(s, name) || add_event(s, SURF_GRAPH_ENTRY, l->depth, name, 0))
		return -ENOMEM;
	return 0;
}

static int on_return(struct surf_graph *g, struct stream *s, const struct surf_graph_line *l)
{
	const char *name;

	/* An interrupt came as a function was entered, but no function followed. */
	if (awaiting_entry(s) && l->depth == s->base + s->nframes - 2)
		s->nframes--;
	if (l->depth == s->base) {
		if (s->damaged || s->nframes != 1 || s->closing_ev >= 0 ||
		    (l->name[0] && !surf_graph__name_matches(g->st.function, l->name))) {
			drop(g, s);
			return 0;
		}
		if (add_event(s, SURF_GRAPH_EXIT, l->depth, s->frames[0].name, l->duration_ns))
			return -ENOMEM;
		emit(g, s, l->duration_ns);
		return 0;
	}
	if (s->damaged)
		return 0;
	if (!fits(s, l)) {
		s->damaged = true;
		return 0;
	}
	if (s->closing_ev >= 0 && l->depth == s->closing_depth &&
	    l->depth != s->base + s->nframes - 1) {
		/* The '}' of the function an interrupt came in the exit of. */
		s->ev[s->closing_ev].duration_ns = l->duration_ns;
		s->closing_ev = -1;
		return 0;
	}
	name = s->frames[--s->nframes].name;
	if (add_event(s, SURF_GRAPH_EXIT, l->depth, name, l->duration_ns))
		return -ENOMEM;
	return irq_after(s, name, l->depth);
}

static int on_irq_mark(struct stream *s, const struct surf_graph_line *l)
{
	bool entry = l->kind == SURF_GRAPH_LINE_IRQ_ENTRY;

	if (s->damaged || (!entry && !s->irq_marks))
		return 0;
	s->irq_marks += entry ? 1 : -1;
	return add_event(s, entry ? SURF_GRAPH_IRQ_ENTRY : SURF_GRAPH_IRQ_EXIT,
			 s->base + s->nframes, NULL, 0);
}

/*
 * An interrupt in the exit of the function itself: its lines are at the
 * function's level; they go one level deeper, inside it, until it is over.
 */
static void irq_in_function_exit(struct stream *s, const struct surf_graph_line *l)
{
	if (!s->damaged && !s->shift && s->nframes == 1 && l->depth == s->base &&
	    l->kind != SURF_GRAPH_LINE_EXIT && irq_enter_name(l->name) && !s->irq_marks) {
		s->shift = 1;
		s->shift_irqs = s->nirqs + 1;
	}
}

/* An ENTRY, LEAF, EXIT or interrupt marker. */
static int on_call_line(struct surf_graph *g, struct surf_graph_line *l, const char *text)
{
	struct cpu_state *cs = cpu_state(g, l->cpu);
	bool marker = l->kind == SURF_GRAPH_LINE_IRQ_ENTRY || l->kind == SURF_GRAPH_LINE_IRQ_EXIT;
	struct stream *s;
	const char *name;

	if (!cs)
		return 0;
	s = lookup(g, l, cs);
	if (s && !marker)
		irq_in_function_exit(s, l);
	/* Below the capture's entry: it missed its '}' (lost or cut lines). */
	if (s && !marker && (l->depth + s->shift < s->base ||
			     (l->depth + s->shift == s->base && l->kind != SURF_GRAPH_LINE_EXIT))) {
		drop(g, s);
		s = NULL;
	}
	if (!s) {
		if (is_function(g, l))
			return start_capture(g, l, cs, text);
		if (marker || l->pid >= 0 || cs->pid >= 0 || !(s = adopt(g, l, cs)))
			return 0;
	}
	if (!marker)
		l->depth += s->shift;	/* from here on, the depth the trees give it */
	if (g->o.on_line)
		g->o.on_line(g->o.ctx, text);
	if (l->cpu != s->cpu) {
		s->migrated |= s->cpu >= 0 || s->start_cpu >= 0;
		s->cpu = l->cpu;
	}
	s->parked = 0;
	if (marker)
		return on_irq_mark(s, l);
	if (l->kind == SURF_GRAPH_LINE_EXIT)
		return on_return(g, s, l);
	if (s->damaged)
		return 0;
	name = intern(g, l->name);
	return name ? on_enter(s, l, name) : -ENOMEM;
}

static void on_switch(struct surf_graph *g, const struct surf_graph_line *l)
{
	struct cpu_state *cs = cpu_state(g, l->cpu);
	struct stream *s;

	if (!cs)
		return;
	g->switches++;
	if (cs->anon) {
		/* The task this CPU ran before any switch block named it. */
		cs->anon->pid = l->pid;
		snprintf(cs->anon->comm, sizeof(cs->anon->comm), "%s", l->comm);
		cs->anon = NULL;
	}
	s = find_pid(g, l->pid, l->cpu);
	if (s)
		s->parked = g->switches;
	cs->pid = l->next_pid;
	snprintf(cs->comm, sizeof(cs->comm), "%s", l->next_comm);
}

/* Events of cpu were lost: captures that ran there (or anywhere, without CPUs) are damaged. */
static void on_lost(struct surf_graph *g, const struct surf_graph_line *l, const char *text)
{
	struct cpu_state *cs = cpu_state(g, l->cpu);

	g->st.lost_events += l->lost;
	g->st.lost_markers++;
	if (g->o.on_line)
		g->o.on_line(g->o.ctx, text);
	for (struct stream *s = g->streams; s; s = s->next)
		if (s->cpu == l->cpu || s->cpu < 0)
			s->damaged = true;
	/* The lost events may hold switches: what runs there is unknown now. */
	if (cs) {
		if (cs->anon)
			drop(g, cs->anon);
		cs->pid = -1;
		cs->comm[0] = '\0';
	}
}

static void on_bad(struct surf_graph *g, const struct surf_graph_line *l)
{
	struct cpu_state *cs = cpu_state(g, l->cpu);
	struct stream *s = cs && (l->pid >= 0 || l->cpu >= 0) ? lookup(g, l, cs) : NULL;

	g->st.bad_lines++;
	if (s) {
		s->damaged = true;
		return;
	}
	/* Whose line it was is unknown: every open capture may have lost a line. */
	for (s = g->streams; s; s = s->next)
		s->damaged = true;
}

int surf_graph__feed(struct surf_graph *g, const char *text)
{
	struct surf_graph_line l;

	surf_graph_line__parse(text, &l);
	g->st.lines++;
	switch (l.kind) {
	case SURF_GRAPH_LINE_HEADER:
		if (l.name[0] && !g->st.tracer[0])
			snprintf(g->st.tracer, sizeof(g->st.tracer), "%.31s", l.name);
		return 0;
	case SURF_GRAPH_LINE_ENTRY:
		if (!l.depth && !g->st.outermost[0])
			snprintf(g->st.outermost, sizeof(g->st.outermost), "%s", l.name);
		return on_call_line(g, &l, text);
	case SURF_GRAPH_LINE_LEAF:
	case SURF_GRAPH_LINE_EXIT:
	case SURF_GRAPH_LINE_IRQ_ENTRY:
	case SURF_GRAPH_LINE_IRQ_EXIT:
		return on_call_line(g, &l, text);
	case SURF_GRAPH_LINE_SWITCH:
		on_switch(g, &l);
		return 0;
	case SURF_GRAPH_LINE_LOST:
		on_lost(g, &l, text);
		return 0;
	case SURF_GRAPH_LINE_BAD:
		on_bad(g, &l);
		return 0;
	case SURF_GRAPH_LINE_EMPTY:
	case SURF_GRAPH_LINE_COMMENT:
	case SURF_GRAPH_LINE_RULE:
		return 0;
	}
	return 0;
}

void surf_graph__finish(struct surf_graph *g)
{
	while (g->streams) {
		struct stream *s = g->streams;

		if (s->damaged)
			g->st.dropped++;
		else
			g->st.incomplete++;
		unlink_stream(g, s);
	}
}

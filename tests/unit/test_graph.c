// SPDX-License-Identifier: MIT
/*
 * surfgraph's library: the function_graph line parser, cutting calls out of
 * traces recorded on a real 6.1 kernel (tests/fixtures/graph, see its
 * README), trees, merging, and the text, folded, .tree and SVG outputs.
 * Fixtures are found from the top of the tree or $SURF_SRCDIR.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <surf/graph.h>

#include "test.h"

#define FIXTURES "tests/fixtures/graph"

/* ---- the line parser ---- */

static struct surf_graph_line parse(const char *text)
{
	struct surf_graph_line l;

	surf_graph_line__parse(text, &l);
	return l;
}

TEST(test_graph_parse_entry_leaf_exit_with_cpu)
{
	struct surf_graph_line l = parse(" 0)               |  __do_fault() {\n");

	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_ENTRY);
	CHECK_INT(l.cpu, ==, 0);
	CHECK_INT(l.pid, ==, -1);
	CHECK_INT(l.depth, ==, 0);
	CHECK(!l.has_duration);
	CHECK_STR(l.name, "__do_fault");

	l = parse(" 0)   0.861 us    |    filemap_fault();");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_LEAF);
	CHECK_INT(l.depth, ==, 1);
	CHECK(l.has_duration);
	CHECK_INT(l.duration_ns, ==, 861);
	CHECK_STR(l.name, "filemap_fault");

	l = parse(" 0) + 12.345 us   |  }");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_EXIT);
	CHECK_INT(l.depth, ==, 0);
	CHECK_INT(l.duration_ns, ==, 12345);
	CHECK_STR(l.name, "");

	l = parse(" 13) ! 146.709 us  |          }\r\n");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_EXIT);
	CHECK_INT(l.cpu, ==, 13);
	CHECK_INT(l.depth, ==, 4);
	CHECK_INT(l.duration_ns, ==, 146709);
}

TEST(test_graph_parse_duration_marks_and_units)
{
	static const struct { const char *line; uint64_t ns; } cases[] = {
		{ " 0)   0.861 us    |  f();", 861 },
		{ " 0) + 31.577 us   |  f();", 31577 },
		{ " 0) ! 144.896 us  |  f();", 144896 },
		{ " 0) # 2448.542 us |  f();", 2448542 },
		{ " 0) * 12345.67 us |  f();", 12345670 },
		{ " 0) @ 123456.7 us |  f();", 123456700 },
		{ " 1) $ 1236858 us  |  f();", 1236858000ull },
		{ " 0)   250 ns      |  f();", 250 },
		{ " 0)   1.5 ms      |  f();", 1500000 },
		{ " 0)   2.25 s      |  f();", 2250000000ull },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct surf_graph_line l = parse(cases[i].line);

		if (l.kind != SURF_GRAPH_LINE_LEAF || l.duration_ns != cases[i].ns) {
			test_fail(__FILE__, __LINE__, "'%s': kind %d, %llu ns, want %llu",
				  cases[i].line, l.kind, (unsigned long long)l.duration_ns,
				  (unsigned long long)cases[i].ns);
			return;
		}
	}
}

TEST(test_graph_parse_optional_columns)
{
	/* funcgraph-abstime + cpu + proc, and the tail comment */
	struct surf_graph_line l =
		parse("    4.954700 |   0)     dd-97      | ! 144.896 us  |          } /* aa_file_perm */");

	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_EXIT);
	CHECK(l.has_time);
	CHECK_INT(l.time_ns, ==, 4954700000ull);
	CHECK_INT(l.cpu, ==, 0);
	CHECK_INT(l.pid, ==, 97);
	CHECK_STR(l.comm, "dd");
	CHECK_INT(l.depth, ==, 4);
	CHECK_STR(l.name, "aa_file_perm");

	/* no CPU column */
	l = parse("  1.843 us    |            __rcu_read_lock();");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_LEAF);
	CHECK_INT(l.cpu, ==, -1);
	CHECK_INT(l.depth, ==, 5);
	CHECK_INT(l.duration_ns, ==, 1843);
	l = parse("              |  vfs_read() {");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_ENTRY);
	CHECK_STR(l.name, "vfs_read");

	/* latency-format */
	l = parse(" 1)  ...1. |               |  vfs_read() {");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_ENTRY);
	CHECK_INT(l.cpu, ==, 1);

	/* tasks with odd names */
	l = parse(" 0)   <idle>-0    |   1.000 us    |  f();");
	CHECK_INT(l.pid, ==, 0);
	CHECK_STR(l.comm, "<idle>");
	l = parse(" 3) kworker/u4:1-77 |               |  f() {");
	CHECK_INT(l.pid, ==, 77);
	CHECK_STR(l.comm, "kworker/u4:1");
	l = parse(" 3)   <...>-133   |               |  f() {");
	CHECK_INT(l.pid, ==, 133);
	CHECK_STR(l.comm, "<...>");
}

TEST(test_graph_parse_names)
{
	struct surf_graph_line l = parse(" 0)   7.391 us    |  kallsyms_expand_symbol.constprop.0();");

	CHECK_STR(l.name, "kallsyms_expand_symbol.constprop.0");
	l = parse(" 0)               |  ext4_file_read_iter [ext4]() {");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_ENTRY);
	CHECK_STR(l.name, "ext4_file_read_iter [ext4]");
	l = parse(" 0)               |  0xffffffffc0a01234() {");
	CHECK_STR(l.name, "0xffffffffc0a01234");
	/* funcgraph-args and funcgraph-retval on newer kernels */
	l = parse(" 0)               |  vfs_read(file=0xffff8881, buf=0x7ffd, count=4096) {");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_ENTRY);
	CHECK_STR(l.name, "vfs_read");
	l = parse(" 0)   0.300 us    |    down_read(); /* = 0x0 */");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_LEAF);
	CHECK_STR(l.name, "down_read");
	l = parse(" 0)   9.000 us    |  } /* vfs_read = 0x5 */");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_EXIT);
	CHECK_STR(l.name, "vfs_read");
	/* a comment after '}' cut short: the '}' itself is whole */
	l = parse(" 0)   9.000 us    |  } /* vfs_r");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_EXIT);
	CHECK_STR(l.name, "");
}

TEST(test_graph_parse_other_lines)
{
	struct surf_graph_line l = parse("CPU:1 [LOST 1558 EVENTS]\n");

	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_LOST);
	CHECK_INT(l.cpu, ==, 1);
	CHECK_INT(l.lost, ==, 1558);

	l = parse(" ------------------------------------------");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_RULE);
	l = parse(" 0)     dd-110     =>     dd-111    ");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_SWITCH);
	CHECK_INT(l.cpu, ==, 0);
	CHECK_INT(l.pid, ==, 110);
	CHECK_INT(l.next_pid, ==, 111);
	CHECK_STR(l.next_comm, "dd");
	l = parse(" 1)     dd-132     =>   <...>-133   ");
	CHECK_INT(l.next_pid, ==, 133);
	CHECK_STR(l.next_comm, "<...>");

	l = parse(" 0)   ==========> |");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_IRQ_ENTRY);
	CHECK_INT(l.cpu, ==, 0);
	l = parse(" 2)    bash-9    |   <========== |");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_IRQ_EXIT);
	CHECK_INT(l.pid, ==, 9);

	l = parse(" 0)               |  /* a|b ==========> */");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_COMMENT);
	l = parse("# tracer: function_graph");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_HEADER);
	CHECK_STR(l.name, "function_graph");
	l = parse("#     TIME        CPU  TASK/PID         DURATION                  FUNCTION CALLS");
	CHECK_INT(l.kind, ==, SURF_GRAPH_LINE_HEADER);
	CHECK_INT(parse("   \n").kind, ==, SURF_GRAPH_LINE_EMPTY);
}

TEST(test_graph_parse_rejects_truncated_and_malformed)
{
	static const char *const bad[] = {
		" 0)   1.092 us    |            __rcu_r",	/* cut in the name */
		" 0)   1.092 us    |            __rcu_read_unlock(",
		" 0)   1.092 us    |            __rcu_read_unlock()",
		" 0)               |  vfs_read()",
		" 0)   1.092 us    |",				/* cut after the bar */
		" 0)   1.092 u",				/* cut in the duration */
		" 0)               |  vfs_read();",		/* a leaf without duration */
		" 0)               |  }",				/* a '}' without duration */
		" 0)   1.000 us    |  vfs_read() {",		/* an entry with one */
		" 0)   1.000 us    |   f();",			/* odd indentation */
		" 0)   1.000 us    | f();",
		" 0)   1.000 us    |  } garbage",
		" 0)   1.000 us    |  f(); garbage",
		" 0)   1.0x0 us    |  f();",
		" 0) + 99999999999999999999 us |  f();",	/* overflow */
		"just some text",
		"  dd-97 [000] ..... 123.456: sched_switch: prev_comm=dd",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct surf_graph_line l = parse(bad[i]);

		if (l.kind != SURF_GRAPH_LINE_BAD || !l.why) {
			test_fail(__FILE__, __LINE__, "'%s' parsed as kind %d", bad[i], l.kind);
			return;
		}
	}
}

TEST(test_graph_name_matches_compiler_copies)
{
	CHECK(surf_graph__name_matches("vfs_read", "vfs_read"));
	CHECK(surf_graph__name_matches("vfs_read", "vfs_read.isra.0"));
	CHECK(surf_graph__name_matches("vfs_read", "vfs_read [mod]"));
	CHECK(!surf_graph__name_matches("vfs_read", "vfs_readv"));
	CHECK(!surf_graph__name_matches("vfs_read", "vfs_rea"));
	CHECK(surf_graph__name_matches("f.isra.0", "f.isra.0"));
}

/* ---- fixtures ---- */

static const char *fixture(const char *name)
{
	static char path[PATH_MAX];
	const char *dir = getenv("SURF_SRCDIR");

	snprintf(path, sizeof(path), "%s/" FIXTURES "/%s", dir ? dir : ".", name);
	return path;
}

static char *slurp(const char *name)
{
	FILE *f = fopen(fixture(name), "re");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

/* Everything a test wants from feeding one fixture. */
struct run {
	struct surf_graph_tree_opts topts;
	struct surf_graph_tree *merged;
	struct surf_graph_tree *calls[64];
	int ncalls;
	bool migrated[64];
	char *walk;			/* every call's walk */
	size_t walk_len;
	FILE *walk_f;
	int errors;
	struct surf_graph_stats st;
};

static void collect(void *ctx, const struct surf_graph_call *call)
{
	struct run *r = ctx;
	struct surf_graph_tree *t;

	if (surf_graph_tree__new(&t) || surf_graph_tree__add_call(t, call, &r->topts) ||
	    surf_graph_tree__merge(r->merged, t) ||
	    surf_graph_call__print_walk(call, &r->topts, r->walk_f) || r->ncalls == 64) {
		r->errors++;
		surf_graph_tree__free(t);
		return;
	}
	fputc('\n', r->walk_f);
	r->migrated[r->ncalls] = call->migrated;
	r->calls[r->ncalls++] = t;
}

/* Feed the fixture (its first max_lines lines when not 0). */
static int run_fixture(struct run *r, const char *name, const char *function, int max_lines)
{
	struct surf_graph_opts o = { .sz = sizeof(o), .function = function, .on_call = collect,
				     .ctx = r };
	FILE *f = fopen(fixture(name), "re");
	struct surf_graph *g;
	char line[4096];
	int n = 0;

	if (!r->topts.sz)
		r->topts.sz = sizeof(r->topts);
	if (!f)
		return -ENOENT;
	if (surf_graph__new(&g, &o) || surf_graph_tree__new(&r->merged)) {
		fclose(f);
		return -ENOMEM;
	}
	r->walk_f = open_memstream(&r->walk, &r->walk_len);
	while (fgets(line, sizeof(line), f) && (!max_lines || n++ < max_lines))
		if (surf_graph__feed(g, line))
			r->errors++;
	surf_graph__finish(g);
	surf_graph__stats(g, &r->st);
	surf_graph__free(g);
	fclose(r->walk_f);
	fclose(f);
	return r->errors ? -EIO : 0;
}

static void run_free(struct run *r)
{
	for (int i = 0; i < r->ncalls; i++)
		surf_graph_tree__free(r->calls[i]);
	surf_graph_tree__free(r->merged);
	free(r->walk);
}

#define RUN(r, name, function, max)                                                   \
	do {                                                                          \
		int _ret = run_fixture(&(r), name, function, max);                    \
		if (_ret == -ENOENT)                                                  \
			SKIP("no %s (run from the top or set SURF_SRCDIR)", fixture(name)); \
		CHECK_INT(_ret, ==, 0);                                               \
	} while (0)

/*
 * A parent's time is at least its callees' sum.  The kernel prints large
 * durations with fewer decimals (" $ 1236858 us"), so those may fall short
 * of their callees by the digits it left out.
 */
static const struct surf_graph_node *times_add_up(const struct surf_graph_node *n)
{
	uint64_t sum = 0, per_call = n->count ? n->time_ns / n->count : 0;
	uint64_t slack = per_call >= 1000000000 ? 1000 : per_call >= 100000000 ? 100 :
			 per_call >= 10000000 ? 10 : 0;

	for (const struct surf_graph_node *c = n->child; c; c = c->next) {
		const struct surf_graph_node *bad = times_add_up(c);

		if (bad)
			return bad;
		if (c->parent != n || !c->count)
			return c;
		sum += c->time_ns;
	}
	return sum > n->time_ns + slack * n->count ? n : NULL;
}

static bool trees_add_up(const struct run *r)
{
	const struct surf_graph_node *bad = times_add_up(r->merged->root);

	for (int i = 0; !bad && i < r->ncalls; i++)
		bad = times_add_up(r->calls[i]->root);
	if (bad)
		test_fail(__FILE__, __LINE__, "%s: %llu ns, less than its callees'", bad->name,
			  (unsigned long long)bad->time_ns);
	return !bad;
}

static char *tree_text(const struct surf_graph_tree *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	surf_graph_tree__print(t, f);
	fclose(f);
	return buf;
}

static char *folded_text(const struct surf_graph_tree *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	surf_graph_tree__print_folded(t, f);
	fclose(f);
	return buf;
}

/* got must equal the fixture want, line by line; the first difference is reported. */
static bool same_lines(const char *got, const char *want_file)
{
	char *want = slurp(want_file);
	const char *g = got, *w = want;
	int line = 1;
	bool ok;

	if (!want) {
		test_fail(__FILE__, __LINE__, "cannot read %s", want_file);
		return false;
	}
	while (*g && *w) {
		size_t gl = strcspn(g, "\n"), wl = strcspn(w, "\n");

		if (gl != wl || memcmp(g, w, gl)) {
			test_fail(__FILE__, __LINE__, "%s:%d:\n  got:  %.*s\n  want: %.*s", want_file,
				  line, (int)gl, g, (int)wl, w);
			free(want);
			return false;
		}
		g += gl + (g[gl] == '\n');
		w += wl + (w[wl] == '\n');
		line++;
	}
	ok = !*g && !*w;
	if (!ok)
		test_fail(__FILE__, __LINE__, "%s:%d: %s", want_file, line,
			  *g ? "more lines than expected" : "fewer lines than expected");
	free(want);
	return ok;
}

/* tree mode's output: every call, a blank line after each, then the merge */
static char *tree_mode_text(const struct run *r)
{
	char *buf = NULL, *t;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (int i = 0; i < r->ncalls; i++) {
		t = tree_text(r->calls[i]);
		fprintf(f, "%s\n", t);
		free(t);
	}
	t = tree_text(r->merged);
	fputs(t, f);
	free(t);
	fclose(f);
	return buf;
}

TEST(test_graph_tiny_by_hand)
{
	struct run r = { 0 };
	char *text;

	RUN(r, "tiny.txt", NULL, 0);
	CHECK_STR(r.st.function, "outer");
	CHECK_INT(r.st.calls, ==, 2);
	CHECK_INT(r.st.dropped, ==, 0);
	CHECK_STR(r.st.tracer, "function_graph");
	CHECK(trees_add_up(&r));
	text = tree_mode_text(&r);
	CHECK(same_lines(text, "tiny.expected.tree"));
	free(text);
	CHECK(same_lines(r.walk, "tiny.expected.walk"));
	text = folded_text(r.merged);
	CHECK(same_lines(text, "tiny.expected.folded"));
	free(text);
	run_free(&r);
}

TEST(test_graph_vfs_read_outputs)
{
	struct run r = { 0 };
	char *text;

	RUN(r, "vfs_read.txt", "vfs_read", 0);
	CHECK_INT(r.st.calls, ==, 8);
	CHECK_INT(r.st.dropped + r.st.incomplete + r.st.bad_lines + r.st.lost_events, ==, 0);
	CHECK(trees_add_up(&r));
	/* the kernel's own totals for the 8 calls */
	CHECK_INT(r.calls[0]->root->time_ns, ==, 2448542);
	CHECK_INT(r.calls[7]->root->time_ns, ==, 425745);
	CHECK_INT(r.merged->root->time_ns, ==,
		  2448542 + 37006 + 463461 + 47501 + 399376 + 27471 + 805031 + 425745);
	CHECK_INT(r.merged->root->count, ==, 8);
	text = tree_mode_text(&r);
	CHECK(same_lines(text, "vfs_read.expected.tree"));
	free(text);
	CHECK(same_lines(r.walk, "vfs_read.expected.walk"));
	text = folded_text(r.merged);
	CHECK(same_lines(text, "vfs_read.expected.folded"));
	free(text);
	run_free(&r);
}

/* Every format of the same kind of recording gives good, consistent trees. */
TEST(test_graph_fixture_formats)
{
	static const struct { const char *file; int calls; } cases[] = {
		{ "vfs_read-proc-tail-abstime.txt", 8 },
		{ "vfs_read-nocpu.txt", 8 },
		{ "vfs_read-latency.txt", 8 },
		{ "vfs_read-kallsyms.txt", 2 },
		{ "vfs_read-irq-markers.txt", 8 },
		{ "ksys_read.txt", 8 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r = { 0 };

		RUN(r, cases[i].file, "vfs_read", 0);
		if ((int)r.st.calls != cases[i].calls || r.st.dropped || r.st.bad_lines ||
		    r.st.incomplete) {
			test_fail(__FILE__, __LINE__, "%s: %llu calls, %llu dropped, %llu bad",
				  cases[i].file, r.st.calls, r.st.dropped, r.st.bad_lines);
			run_free(&r);
			return;
		}
		CHECK(trees_add_up(&r));
		CHECK_STR(r.merged->root->name, "vfs_read");
		run_free(&r);
	}
}

TEST(test_graph_function_below_the_graph_function)
{
	struct run r = { 0 };

	/* set_graph_function was ksys_read: vfs_read at depth 1 */
	RUN(r, "ksys_read.txt", "vfs_read", 0);
	CHECK_INT(r.st.calls, ==, 8);
	CHECK_STR(r.calls[0]->root->name, "vfs_read");
	CHECK_CONTAINS(r.walk, "\n0 -> vfs_read\n1   -> rw_verify_area\n");
	run_free(&r);

	memset(&r, 0, sizeof(r));
	RUN(r, "ksys_read.txt", NULL, 0);
	CHECK_STR(r.st.function, "ksys_read");
	CHECK_INT(r.st.calls, ==, 8);
	CHECK(r.merged->root->child && !strcmp(r.merged->root->child->name, "__fdget_pos"));
	run_free(&r);
}

static bool has_irq(const struct surf_graph_node *n)
{
	for (; n; n = n->next)
		if (!strcmp(n->name, SURF_GRAPH_IRQ_NAME) || has_irq(n->child))
			return true;
	return false;
}

/*
 * A timer interrupt that lands in ftrace's own entry or exit code is one
 * level deeper or shallower than its neighbours (no "==>" markers on x86).
 * Recorded on Debian's 6.1 with 2 CPUs, one opening shell pinned to each
 * (see the fixtures' README): every one of the 53 calls must be kept, with
 * its interrupts as [irq] nodes on both CPUs, and the totals must be the
 * trace's own: tests/fixtures/graph/totals.awk gives "CALLS NS" (checked
 * again against surfgraph by test_surfgraph.sh).
 */
TEST(test_graph_interrupts_in_ftrace_entry_and_exit_keep_every_call)
{
	static const struct { const char *file; uint64_t total_ns; } cases[] = {
		{ "do_sys_openat2-irq.txt", 119666767 },
		{ "do_sys_openat2-irq-proc.txt", 39577791 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r = { 0 };
		bool irq_on_cpu[2] = { false, false };

		RUN(r, cases[i].file, "do_sys_openat2", 0);
		if (r.st.calls != 53 || r.st.dropped || r.st.bad_lines || r.st.incomplete) {
			test_fail(__FILE__, __LINE__, "%s: %llu calls (want 53), %llu dropped, %llu bad, "
				  "%llu incomplete", cases[i].file, r.st.calls, r.st.dropped,
				  r.st.bad_lines, r.st.incomplete);
			run_free(&r);
			return;
		}
		CHECK_INT(r.merged->root->count, ==, 53);
		CHECK_INT(r.merged->root->time_ns, ==, cases[i].total_ns);
		CHECK(trees_add_up(&r));
		for (int c = 0; c < r.ncalls; c++)
			if (r.calls[c]->cpu >= 0 && r.calls[c]->cpu < 2 && has_irq(r.calls[c]->root))
				irq_on_cpu[r.calls[c]->cpu] = true;
		if (!irq_on_cpu[0] || !irq_on_cpu[1])
			test_fail(__FILE__, __LINE__, "%s: [irq] in calls on cpu 0: %d, on cpu 1: %d",
				  cases[i].file, irq_on_cpu[0], irq_on_cpu[1]);
		if (i == 0) {
			/* entering kmem_cache_alloc: the interrupt is inside it */
			CHECK_CONTAINS(r.walk, "\n2     -> getname_flags.part.0\n"
					       "3       -> kmem_cache_alloc\n4         -> [irq]\n");
			/* leaving note_gp_changes (in a softirq): next to it, after it */
			CHECK_CONTAINS(r.walk, "<- note_gp_changes 212.108 us\n"
					       "13                           -> [irq]\n");
		}
		run_free(&r);
	}
}

/*
 * The same by hand, each case of the recordings above in a call of its own,
 * and one they do not have (an interrupt in the exit of the function
 * itself): where the [irq] goes, worked out from which function's time
 * includes the interrupt's.
 */
TEST(test_graph_interrupt_one_level_off_by_hand)
{
	static const char *const lines[] = {
		/* entering h, a leaf: inside h */
		" 0)               |  f() {",
		" 0)   2.000 us    |      irq_enter_rcu();",
		" 0)   1.000 us    |      irq_exit_rcu();",
		" 0) + 10.000 us   |    h();",
		" 0) + 12.000 us   |  }",
		/* entering k: inside k, before its callees */
		" 0)               |  f() {",
		" 0)   2.000 us    |      irq_enter_rcu();",
		" 0)   1.000 us    |      irq_exit_rcu();",
		" 0)               |    k() {",
		" 0)   1.000 us    |      h();",
		" 0)   6.000 us    |    }",
		" 0)   8.000 us    |  }",
		/* no function after it: inside f */
		" 0)               |  f() {",
		" 0)   2.000 us    |      irq_enter_rcu();",
		" 0)   1.000 us    |      irq_exit_rcu();",
		" 0)   5.000 us    |  }",
		/* leaving g: next to g */
		" 0)               |  f() {",
		" 0)               |    g() {",
		" 0)   1.000 us    |      h();",
		" 0)   2.000 us    |    irq_enter_rcu();",
		" 0)   1.000 us    |    irq_exit_rcu();",
		" 0)   4.000 us    |    } /* g */",
		" 0) + 12.000 us   |  }",
		/* leaving f itself: inside f */
		" 0)               |  f() {",
		" 0)   1.000 us    |    h();",
		" 0)   2.000 us    |  irq_enter_rcu();",
		" 0)   1.000 us    |  irq_exit_rcu();",
		" 0)   9.000 us    |  } /* f */",
	};
	static const char *const want[] = {
		"f 2000\nf;h 7000\nf;h;[irq];irq_enter_rcu 2000\nf;h;[irq];irq_exit_rcu 1000\n",
		"f 2000\nf;k 2000\nf;k;[irq];irq_enter_rcu 2000\nf;k;[irq];irq_exit_rcu 1000\n"
		"f;k;h 1000\n",
		"f 2000\nf;[irq];irq_enter_rcu 2000\nf;[irq];irq_exit_rcu 1000\n",
		"f 5000\nf;g 3000\nf;g;h 1000\nf;[irq];irq_enter_rcu 2000\nf;[irq];irq_exit_rcu 1000\n",
		"f 5000\nf;h 1000\nf;[irq];irq_enter_rcu 2000\nf;[irq];irq_exit_rcu 1000\n",
	};
	struct run r = { 0 };
	struct surf_graph_opts o = { .sz = sizeof(o), .function = "f", .on_call = collect,
				     .ctx = &r };
	struct surf_graph *g;

	r.topts.sz = sizeof(r.topts);
	CHECK_INT(surf_graph_tree__new(&r.merged), ==, 0);
	r.walk_f = open_memstream(&r.walk, &r.walk_len);
	CHECK_INT(surf_graph__new(&g, &o), ==, 0);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		CHECK_INT(surf_graph__feed(g, lines[i]), ==, 0);
	surf_graph__finish(g);
	surf_graph__stats(g, &r.st);
	surf_graph__free(g);
	fclose(r.walk_f);
	CHECK_INT(r.st.dropped, ==, 0);
	CHECK_INT(r.ncalls, ==, 5);
	for (int i = 0; i < r.ncalls; i++) {
		char *text = folded_text(r.calls[i]);

		if (strcmp(text, want[i]))
			test_fail(__FILE__, __LINE__, "call %d:\n%s  want:\n%s", i + 1, text, want[i]);
		free(text);
	}
	run_free(&r);
}

/* The markers of kernels that trace the interrupt entry give the same [irq] as x86's calls. */
TEST(test_graph_interrupt_markers_and_calls_agree)
{
	struct run a = { 0 }, b = { 0 };
	char *ta, *tb;

	RUN(a, "vfs_read.txt", "vfs_read", 0);
	RUN(b, "vfs_read-irq-markers.txt", "vfs_read", 0);
	ta = tree_text(a.merged);
	tb = tree_text(b.merged);
	CHECK_STR(ta, tb);
	CHECK_CONTAINS(ta, "            [irq]\n");
	free(ta);
	free(tb);
	run_free(&a);
	run_free(&b);
}

TEST(test_graph_no_irq_and_max_depth)
{
	struct run r = { .topts = { .sz = sizeof(r.topts), .no_irq = true } };
	struct run all = { 0 };
	char *text;

	RUN(all, "tiny.txt", NULL, 0);
	RUN(r, "tiny.txt", NULL, 0);
	text = tree_text(r.merged);
	CHECK(!strstr(text, "[irq]") && !strstr(text, "hrtimer_interrupt"));
	/* the interrupt's time stays in f */
	CHECK_INT(r.merged->root->child->time_ns, ==, 9000);
	CHECK_INT(surf_graph_node__self(r.merged->root->child), ==, 9000 - 1250 - 2000);
	CHECK_INT(r.merged->root->time_ns, ==, all.merged->root->time_ns);
	free(text);
	run_free(&r);
	run_free(&all);

	memset(&r, 0, sizeof(r));
	r.topts = (struct surf_graph_tree_opts){ .sz = sizeof(r.topts), .max_depth = 1 };
	RUN(r, "tiny.txt", NULL, 0);
	text = tree_text(r.merged);
	CHECK_STR(text, "# outer 2 calls merged\n"
			"#           TIME   CALLS  FUNCTION\n"
			"       18.000 us       2  outer\n"
			"        9.000 us       2    f\n"
			"        4.500 us       2    g\n");
	free(text);
	CHECK(!strstr(r.walk, "2     -> "));
	run_free(&r);
}

/* dd-110 sleeps in pipe_read on CPU 0 and returns on CPU 1, no task column. */
TEST(test_graph_migrated_call_without_task_column)
{
	struct run r = { 0 };
	char *text;

	RUN(r, "vfs_read-migrate.txt", "vfs_read", 0);
	CHECK_INT(r.st.calls, ==, 2);
	CHECK_INT(r.st.dropped, ==, 0);
	CHECK(trees_add_up(&r));
	CHECK_INT(r.calls[0]->pid, ==, 111);
	CHECK(!r.migrated[0]);
	CHECK_INT(r.calls[1]->pid, ==, 110);
	CHECK_INT(r.calls[1]->cpu, ==, 0);
	CHECK(r.migrated[1]);
	CHECK_INT(r.calls[1]->root->time_ns, ==, 1236858000ull);
	/* the second half, found on CPU 1, is under schedule() where it belongs */
	text = tree_text(r.calls[1]);
	CHECK_CONTAINS(text, "      schedule\n");
	CHECK_CONTAINS(text, "        finish_task_switch.isra.0\n");
	CHECK_CONTAINS(text, "      touch_atime\n");
	free(text);
	run_free(&r);
}

/* The same recording with and without the task column gives the same trees. */
TEST(test_graph_task_column_or_switch_blocks_agree)
{
	struct run a = { 0 }, b = { 0 };

	RUN(a, "vfs_read-migrate-proc.txt", "vfs_read", 0);
	RUN(b, "vfs_read-migrate-noproc.txt", "vfs_read", 0);
	CHECK_INT(a.ncalls, ==, 2);
	CHECK_INT(b.ncalls, ==, 2);
	CHECK_STR(a.walk, b.walk);
	CHECK_INT(a.calls[1]->pid, ==, 104);
	CHECK(a.migrated[1] && b.migrated[1]);
	CHECK(trees_add_up(&a));
	run_free(&a);
	run_free(&b);
}

TEST(test_graph_lost_events_drop_the_calls_they_hit)
{
	struct run r = { 0 };

	/* trace_pipe with an 8 KB buffer: three real LOST markers */
	RUN(r, "vfs_read-lost.txt", "vfs_read", 0);
	CHECK_INT(r.st.lost_events, ==, 1558 + 118 + 242);
	CHECK_INT(r.st.lost_markers, ==, 3);
	CHECK_INT(r.st.calls, ==, 6);
	CHECK_INT(r.st.dropped, ==, 2);
	CHECK(trees_add_up(&r));
	run_free(&r);

	/* vfs_read.txt with 11 lines of call 3 replaced by a LOST marker */
	memset(&r, 0, sizeof(r));
	RUN(r, "vfs_read-lost-derived.txt", "vfs_read", 0);
	CHECK_INT(r.st.lost_events, ==, 11);
	CHECK_INT(r.st.calls, ==, 7);
	CHECK_INT(r.st.dropped, ==, 1);
	CHECK_INT(r.calls[2]->root->time_ns, ==, 47501);	/* call 4 of the original */
	CHECK(trees_add_up(&r));
	run_free(&r);
}

TEST(test_graph_truncated_lines_drop_their_calls)
{
	struct run r = { 0 };

	/* a line of call 2 cut short, and the file ending in the middle of a line of call 8 */
	RUN(r, "vfs_read-truncated.txt", "vfs_read", 0);
	CHECK_INT(r.st.bad_lines, ==, 2);
	CHECK_INT(r.st.calls, ==, 6);
	CHECK_INT(r.st.dropped, ==, 2);
	CHECK_INT(r.calls[0]->root->time_ns, ==, 2448542);
	CHECK_INT(r.calls[1]->root->time_ns, ==, 463461);
	CHECK(trees_add_up(&r));
	run_free(&r);

	/* cut between lines, in call 8: incomplete, not damaged */
	memset(&r, 0, sizeof(r));
	RUN(r, "vfs_read.txt", "vfs_read", 1100);
	CHECK_INT(r.st.calls, ==, 7);
	CHECK_INT(r.st.incomplete, ==, 1);
	CHECK_INT(r.st.dropped, ==, 0);
	run_free(&r);
}

/* Lines that contradict the open calls make the capture damaged, never a wrong tree. */
TEST(test_graph_inconsistent_depths_are_dropped)
{
	static const char *const lines[] = {
		" 0)               |  f() {",
		" 0)               |    g() {",
		" 0)   1.000 us    |        h();",		/* two levels down at once */
		" 0)   2.000 us    |    }",
		" 0)   3.000 us    |  }",
		" 0)               |  f() {",
		" 0)               |    g() {",
		" 0)               |  f() {",			/* f again: the last one lost its end */
		" 0)   1.000 us    |    g();",
		" 0)   2.000 us    |  } /* f */",
		" 0)               |  f() {",
		" 0)               |    g() {",
		" 0)   1.000 us    |    } /* k */",		/* the wrong function returns */
		" 0)   2.000 us    |  }",
	};
	struct run r = { 0 };
	struct surf_graph_opts o = { .sz = sizeof(o), .function = "f", .on_call = collect,
				     .ctx = &r };
	struct surf_graph *g;

	r.topts.sz = sizeof(r.topts);
	CHECK_INT(surf_graph_tree__new(&r.merged), ==, 0);
	r.walk_f = open_memstream(&r.walk, &r.walk_len);
	CHECK_INT(surf_graph__new(&g, &o), ==, 0);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		CHECK_INT(surf_graph__feed(g, lines[i]), ==, 0);
	surf_graph__finish(g);
	surf_graph__stats(g, &r.st);
	surf_graph__free(g);
	fclose(r.walk_f);
	CHECK_INT(r.st.calls, ==, 1);
	CHECK_INT(r.st.dropped, ==, 3);
	CHECK_INT(r.calls[0]->root->time_ns, ==, 2000);
	CHECK_INT(r.calls[0]->root->child->time_ns, ==, 1000);
	run_free(&r);
}

/* Two tasks in the function at once on one CPU, told apart by the task column. */
TEST(test_graph_interleaved_tasks)
{
	static const char *const lines[] = {
		" 0)    a-1    |               |  f() {",
		" 0)    a-1    |               |    g() {",
		" 0)    b-2    |               |  f() {",
		" 0)    b-2    |   1.000 us    |    h();",
		" 1)    a-1    |   4.000 us    |    } /* g */",
		" 0)    b-2    |   2.000 us    |  } /* f */",
		" 1)    a-1    |   5.000 us    |  } /* f */",
	};
	struct run r = { 0 };
	struct surf_graph_opts o = { .sz = sizeof(o), .function = "f", .on_call = collect,
				     .ctx = &r };
	struct surf_graph *g;
	char *text;

	r.topts.sz = sizeof(r.topts);
	CHECK_INT(surf_graph_tree__new(&r.merged), ==, 0);
	r.walk_f = open_memstream(&r.walk, &r.walk_len);
	CHECK_INT(surf_graph__new(&g, &o), ==, 0);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		CHECK_INT(surf_graph__feed(g, lines[i]), ==, 0);
	surf_graph__finish(g);
	surf_graph__free(g);
	fclose(r.walk_f);
	CHECK_INT(r.ncalls, ==, 2);
	CHECK_INT(r.calls[0]->pid, ==, 2);
	CHECK_STR(r.calls[0]->comm, "b");
	CHECK_INT(r.calls[1]->pid, ==, 1);
	CHECK(r.migrated[1]);
	text = tree_text(r.merged);
	CHECK_STR(text, "# f 2 calls merged\n"
			"#           TIME   CALLS  FUNCTION\n"
			"        7.000 us       2  f\n"
			"        1.000 us       1    h\n"
			"        4.000 us       1    g\n");
	free(text);
	run_free(&r);
}

/* ---- trees ---- */

TEST(test_graph_merge_copies_nodes)
{
	struct run r = { 0 };
	struct surf_graph_tree *m, *copy;
	uint64_t first;

	RUN(r, "tiny.txt", NULL, 0);
	first = r.calls[0]->root->time_ns;
	CHECK_INT(surf_graph_tree__new(&m), ==, 0);
	CHECK_INT(surf_graph_tree__merge(m, r.calls[0]), ==, 0);
	CHECK_INT(surf_graph_tree__merge(m, r.calls[1]), ==, 0);
	CHECK_INT(surf_graph_tree__merge(m, r.calls[0]), ==, 0);
	/* the calls' own trees are untouched by merging (the original shared them) */
	CHECK_INT(r.calls[0]->root->time_ns, ==, first);
	CHECK_INT(r.calls[0]->root->count, ==, 1);
	CHECK_INT(m->root->time_ns, ==, 2 * first + r.calls[1]->root->time_ns);
	CHECK_INT(m->calls, ==, 3);
	CHECK_INT(m->index, ==, 0);
	CHECK(m->root != r.calls[0]->root && m->root->child != r.calls[0]->root->child);
	CHECK_INT(surf_graph_tree__copy(&copy, m), ==, 0);
	surf_graph_tree__free(m);		/* the copy must not care (ASan) */
	CHECK_INT(copy->root->count, ==, 3);
	CHECK_STR(copy->root->child->child->name, "g");
	surf_graph_tree__free(copy);
	run_free(&r);
}

TEST(test_graph_tree_file_round_trip)
{
	struct run r = { 0 };
	struct surf_graph_tree *merged, **calls;
	char function[64], *buf = NULL, *a, *b;
	unsigned long line;
	size_t len = 0, n;
	FILE *f;

	RUN(r, "vfs_read.txt", "vfs_read", 0);
	f = open_memstream(&buf, &len);
	CHECK_INT(surf_graph_trees__save(f, "vfs_read", r.merged, r.calls, (size_t)r.ncalls), ==, 0);
	fclose(f);
	CHECK(surf_graph_trees__is_tree_file(buf));
	f = fmemopen(buf, len, "r");
	CHECK_INT(surf_graph_trees__load(f, function, sizeof(function), &merged, &calls, &n, &line),
		  ==, 0);
	fclose(f);
	CHECK_STR(function, "vfs_read");
	CHECK_INT(n, ==, 8);
	a = tree_text(r.merged);
	b = tree_text(merged);
	CHECK_STR(a, b);
	free(a);
	free(b);
	a = tree_text(r.calls[5]);
	b = tree_text(calls[5]);
	CHECK_STR(a, b);
	free(a);
	free(b);
	surf_graph_tree__free(merged);
	for (size_t i = 0; i < n; i++)
		surf_graph_tree__free(calls[i]);
	free(calls);
	free(buf);
	run_free(&r);
}

TEST(test_graph_tree_file_errors)
{
	static const struct { const char *text; unsigned long line; } bad[] = {
		{ "surfgraph-trees 1\nfunction f\ntree merged 1\n0 10 1 f\n1 5 1 g\n", 5 },
		{ "surfgraph-trees 1\nfunction f\ntree merged 1\n0 10 1 f\n2 5 1 g\nend\n", 5 },
		{ "surfgraph-trees 1\nfunction f\ntree merged 1\n0 x 1 f\nend\n", 4 },
		{ "surfgraph-trees 1\nfunction f\ntree merged 1\n0 10 1 f\n0 10 1 f\nend\n", 5 },
		{ "surfgraph-trees 1\nfunction f\n1 5 1 g\n", 3 },
		{ "surfgraph-trees 1\nfunction f\ntree sideways\n", 3 },
		{ "surfgraph-trees 1\ntree merged 1\n0 10 1 f\nend\n", 4 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct surf_graph_tree *merged, **calls;
		char function[64];
		unsigned long line;
		size_t n;
		FILE *f = fmemopen((void *)bad[i].text, strlen(bad[i].text), "r");
		int ret = surf_graph_trees__load(f, function, sizeof(function), &merged, &calls, &n,
						 &line);

		fclose(f);
		if (ret != -EINVAL || line != bad[i].line || merged || calls || n) {
			test_fail(__FILE__, __LINE__, "case %zu: ret %d, line %lu (want %lu)", i, ret,
				  line, bad[i].line);
			return;
		}
	}
}

/* ---- SVG ---- */

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The fill of the nth frame whose attributes have attr. */
static const char *fill_of(const char *svg, const char *attr, int nth)
{
	static char fills[2][32];
	static int which;
	const char *p = svg, *fill;
	char *out = fills[which++ & 1];

	for (int i = 0; p && i <= nth; i++)
		p = strstr(i ? p + 1 : p, attr);
	fill = p ? strstr(p, "fill=\"") : NULL;
	snprintf(out, sizeof(fills[0]), "%.*s", fill ? (int)strcspn(fill + 6, "\"") : 0,
		 fill ? fill + 6 : "");
	return out;
}

TEST(test_graph_svg_is_self_contained)
{
	struct surf_graph_svg_opts o = { .sz = sizeof(o), .subtitle = "2 calls & <more>" };
	struct run r = { 0 };
	char *buf = NULL, *again = NULL;
	size_t len = 0;
	FILE *f;

	RUN(r, "tiny.txt", NULL, 0);
	f = open_memstream(&buf, &len);
	CHECK_INT(surf_graph_tree__write_svg(r.merged, &o, f), ==, 0);
	fclose(f);
	CHECK(!strncmp(buf, "<?xml", 5));
	CHECK_CONTAINS(buf, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
	/* one frame per node: outer f g h [irq] irq_enter_rcu __sysvec hrtimer irq_exit g */
	CHECK_INT(count(buf, "<g class=\"f\""), ==, 10);
	CHECK_CONTAINS(buf, "<title>outer</title>");
	CHECK_CONTAINS(buf, "2 calls &amp; &lt;more&gt;");
	CHECK_CONTAINS(buf, "<title>f\n9.000 us, 50.00% of outer, 50.00% of its caller\n"
			    "self 2.000 us, 2 calls</title>");
	CHECK_CONTAINS(buf, "data-n=\"[irq]\"");
	CHECK_CONTAINS(buf, "function zoom(");
	CHECK_CONTAINS(buf, "function search(");
	CHECK_CONTAINS(buf, "id=\"search\"");
	/* nothing from the network */
	CHECK(!strstr(buf, "http://") || count(buf, "http://") == 2);	/* the two xmlns */
	CHECK(!strstr(buf, "https://") && !strstr(buf, "src="));
	CHECK(count(buf, "<svg") == 1 && strstr(buf, "</svg>\n"));
	/* the same name has the same colour, every time */
	CHECK_INT(count(buf, "data-n=\"g\""), ==, 2);
	CHECK_STR(fill_of(buf, "data-n=\"g\"", 0), fill_of(buf, "data-n=\"g\"", 1));
	CHECK(strcmp(fill_of(buf, "data-n=\"g\"", 0), fill_of(buf, "data-n=\"h\"", 0)));
	f = open_memstream(&again, &len);
	CHECK_INT(surf_graph_tree__write_svg(r.merged, &o, f), ==, 0);
	fclose(f);
	CHECK_STR(buf, again);
	free(again);
	free(buf);
	run_free(&r);
}

TEST(test_graph_svg_empty_tree)
{
	struct surf_graph_tree *t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	CHECK_INT(surf_graph_tree__new(&t), ==, 0);
	f = open_memstream(&buf, &len);
	CHECK_INT(surf_graph_tree__write_svg(t, NULL, f), ==, -ENODATA);
	fclose(f);
	free(buf);
	surf_graph_tree__free(t);
}

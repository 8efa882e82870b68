// SPDX-License-Identifier: MIT
/*
 * The one rule for *_opts structs (src/lib/sys/opts.h), through the macros
 * and through public functions: an older caller's smaller struct gets
 * defaults, a newer caller's larger one is accepted when its unknown bytes
 * are zero, and refused (-EINVAL) otherwise, as is an sz under sizeof(size_t).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include <surf/graph.h>
#include <surf/out.h>
#include <surf/script.h>

#include "sys/opts.h"
#include "test.h"

struct demo_opts {
	size_t sz;
	int a;
	long b;
};

TEST(test_opts_macros)
{
	struct demo_opts d = { .sz = sizeof(d), .a = 1, .b = 2 }, copy;
	struct { struct demo_opts d; long more[2]; } newer = { { sizeof(newer), 3, 4 }, { 0, 0 } };
	struct demo_opts older = { .sz = offsetof(struct demo_opts, b), .a = 5, .b = 99 };

	CHECK(OPTS_VALID((struct demo_opts *)NULL, struct demo_opts));
	CHECK(OPTS_VALID(&d, struct demo_opts));
	CHECK(OPTS_VALID(&newer.d, struct demo_opts));
	newer.more[1] = 7;
	CHECK(!OPTS_VALID(&newer.d, struct demo_opts));
	d.sz = 4;
	CHECK(!OPTS_VALID(&d, struct demo_opts));
	/* The older caller has no b: its 99 is not read. */
	CHECK(OPTS_VALID(&older, struct demo_opts));
	{
		const struct demo_opts *po = &older;

		CHECK_INT(OPTS_GET(po, a, 0), ==, 5);
		CHECK_INT(OPTS_GET(po, b, 42), ==, 42);
	}
	OPTS_COPY(&copy, &older);
	CHECK_INT(copy.sz, ==, sizeof(copy));
	CHECK_INT(copy.a, ==, 5);
	CHECK_INT(copy.b, ==, 0);
	OPTS_COPY(&copy, (struct demo_opts *)NULL);
	CHECK_INT(copy.sz, ==, sizeof(copy));
	CHECK_INT(copy.a, ==, 0);
}

TEST(test_opts_surf_out_new)
{
	struct surf_out *o = NULL;
	struct surf_out_opts bad = { .sz = 3 };
	struct { struct surf_out_opts o; char tail[8]; } newer = { { .sz = sizeof(newer) }, { 0 } };

	CHECK_INT(surf_out__new(&o, &bad), ==, -EINVAL);
	CHECK_INT(surf_out__new(&o, &newer.o), ==, 0);
	surf_out__free(o);
	newer.tail[5] = 1;
	CHECK_INT(surf_out__new(&o, &newer.o), ==, -EINVAL);
	/* An older caller without `out`: whatever lies there is not read. */
	{
		struct surf_out_opts older = { .sz = offsetof(struct surf_out_opts, out),
					       .out = (FILE *)0x1 };

		CHECK_INT(surf_out__new(&o, &older), ==, 0);
		surf_out__free(o);
	}
}

TEST(test_opts_surf_graph_new)
{
	struct surf_graph *g = NULL;
	struct surf_graph_opts bad = { .sz = 0 };
	struct { struct surf_graph_opts o; int tail; } newer = { { .sz = sizeof(newer) }, 0 };
	struct surf_graph_opts older = { .sz = offsetof(struct surf_graph_opts, on_call),
					 .function = "f", .on_call = (void (*)(void *, const struct surf_graph_call *))1 };

	CHECK_INT(surf_graph__new(&g, &bad), ==, -EINVAL);
	CHECK_INT(surf_graph__new(&g, &newer.o), ==, 0);
	surf_graph__free(g);
	newer.tail = -1;
	CHECK_INT(surf_graph__new(&g, &newer.o), ==, -EINVAL);
	/* on_call past the older caller's sz: never called, so feeding a call is safe. */
	CHECK_INT(surf_graph__new(&g, &older), ==, 0);
	CHECK_INT(surf_graph__feed(g, " 0)               |  f() {"), ==, 0);
	CHECK_INT(surf_graph__feed(g, " 0)   1.000 us    |  }"), ==, 0);
	surf_graph__finish(g);
	surf_graph__free(g);
}

TEST(test_opts_script_and_svg)
{
	struct surf_script_opts bad = { .sz = 1 };
	struct { struct surf_graph_svg_opts o; char tail[4]; } svg = { { .sz = sizeof(svg) }, { 0, 0, 9, 0 } };
	struct surf_graph_tree *t = NULL;
	FILE *null = fopen("/dev/null", "w");

	CHECK(null != NULL);
	CHECK_INT(surf_script__write(null, NULL, 0, &bad), ==, -EINVAL);
	CHECK_INT(surf_graph_tree__new(&t), ==, 0);
	CHECK_INT(surf_graph_tree__write_svg(t, &svg.o, null), ==, -EINVAL);
	surf_graph_tree__free(t);
	fclose(null);
}

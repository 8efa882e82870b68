// SPDX-License-Identifier: MIT
/*
 * Tests for the DWARF type back end (src/lib/types/dwarf.c), called through
 * its ops table so that they need nothing of the generic layer.
 *
 * tests/fixtures/dwarf_fixture.c is compiled here with several flavours of
 * -g (DWARF 2 to 5, type units, compressed sections, -O2) into a scratch
 * directory, and once more into an oracle program that prints the layout
 * the compiler chose: offsetof, sizeof, and which bits a bitfield sets.
 * Every variant must then agree with the oracle.  Without a C compiler the
 * tests skip.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

#include "test.h"
#include "types/provider.h"

#define FIXTURE "tests/fixtures/dwarf_fixture.c"
#define MAX_FACTS 128

/* One line of the oracle's output, see the end of the fixture. */
struct fact {
	char what[8];		/* size, off, bit */
	char agg[8];		/* struct, union */
	char tag[32];
	char path[64];		/* member path, "" for size */
	unsigned long long a, b;
};

static struct {
	bool tried;
	const char *skip;	/* why the fixture cannot be used */
	char dir[64];		/* scratch directory */
	char src[PATH_MAX];	/* absolute path of the fixture */
	struct fact facts[MAX_FACTS];
	int nfacts;
} fx;

struct variant {
	const char *name;
	const char *cflags;
	bool linked;		/* both parts linked into a shared object */
	bool dwz;		/* then shared DIEs moved to an alternate file */
};

/* Under $SURF_SRCDIR when set, and then from the top directory. */
static bool find_fixture(void)
{
	return realpath(test_fixture_path(FIXTURE), fx.src) || realpath(FIXTURE, fx.src);
}

static bool read_facts(void)
{
	char path[PATH_MAX], line[256];
	struct fact *f;
	FILE *in;
	int n;

	snprintf(path, sizeof(path), "%s/oracle.txt", fx.dir);
	in = fopen(path, "r");
	if (!in)
		return false;
	while (fx.nfacts < MAX_FACTS && fgets(line, sizeof(line), in)) {
		f = &fx.facts[fx.nfacts];
		memset(f, 0, sizeof(*f));
		if (!strncmp(line, "size ", 5))
			n = sscanf(line, "%7s %7s %31s %llu", f->what, f->agg, f->tag, &f->a) == 4;
		else
			n = sscanf(line, "%7s %7s %31s %63s %llu %llu", f->what, f->agg,
				   f->tag, f->path, &f->a, &f->b) == 6;
		fx.nfacts += n;
	}
	fclose(in);
	return fx.nfacts > 20;
}

/* Once per run: scratch directory, fixture, oracle. */
static bool fx_setup(void)
{
	if (fx.tried)
		return !fx.skip;
	fx.tried = true;
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	fx.skip = "the bitfield oracle assumes a little-endian target";
	return false;
#endif
	if (!find_fixture()) {
		fx.skip = "cannot find " FIXTURE " (run from the top or set SURF_SRCDIR)";
		return false;
	}
	if (test_tmpdir(fx.dir, sizeof(fx.dir), "surf-dwarf")) {
		fx.skip = "mkdtemp failed";
		return false;
	}
	if (test_sh(fx.dir, "cc -O0 -DDWARF_FIXTURE_ORACLE -o '%s/oracle' '%s'", fx.dir, fx.src) ||
	    test_sh(fx.dir, "'%s/oracle' > '%s/oracle.txt'", fx.dir, fx.dir) || !read_facts()) {
		fx.skip = "cannot build or run the oracle (no C compiler?)";
		return false;
	}
	return true;
}

/* Build a variant of the fixture; its path goes to out. */
static int build(const struct variant *var, char *out, size_t len)
{
	const char *d = fx.dir, *name = var->name, *fl = var->cflags;

	if (!var->linked) {
		snprintf(out, len, "%s/%s.o", d, name);
		return test_sh(d, "cc %s -c -o '%s' '%s'", fl, out, fx.src);
	}
	snprintf(out, len, "%s/%s.so", d, name);
	if (test_sh(d, "cc %s -fPIC -c -o '%s/%s-1.o' '%s'", fl, d, name, fx.src) ||
	    test_sh(d, "cc %s -fPIC -c -DDWARF_FIXTURE_PART2 -o '%s/%s-2.o' '%s'", fl, d, name,
		    fx.src) ||
	    test_sh(d, "cc %s -shared -o '%s' '%s/%s-1.o' '%s/%s-2.o'", fl, out, d, name, d,
		    name))
		return -1;
	if (!var->dwz)
		return 0;
	/* dwz only makes a common file for what two files share: copy it. */
	return test_sh(d, "cp '%s' '%s/%s-copy.so'", out, d, name) ||
	       test_sh(d, "dwz -m '%s/%s.alt' -M '%s/%s.alt' '%s' '%s/%s-copy.so'", d, name, d,
		       name, out, d, name);
}

/* ---- Helpers over the ops table ---------------------------------------- */

/* Look through typedefs and qualifiers, like the generic layer does. */
static int peel(struct surf_typeview *v, uint64_t id, struct surf_type *t, uint64_t *out_id)
{
	for (int i = 0; i < 32; i++) {
		int ret = v->ops->raw(v, id, t);

		if (ret)
			return ret;
		if ((int)t->kind < SURF_RAW_TYPEDEF) {
			if (out_id)
				*out_id = id;
			return 0;
		}
		id = t->ref;
	}
	return -ELOOP;
}

/* A member by name, descending into anonymous members as C does. */
static int find_member(struct surf_typeview *v, uint64_t id, const char *name,
		       struct surf_member *out)
{
	struct surf_member m;
	struct surf_type t;
	uint64_t rid;

	if (peel(v, id, &t, &rid) ||
	    (t.kind != SURF_TYPE_STRUCT && t.kind != SURF_TYPE_UNION))
		return -EINVAL;
	for (uint32_t i = 0; i < t.vlen; i++) {
		if (v->ops->member(v, rid, i, &m))
			return -EIO;
		if (m.name && !strcmp(m.name, name)) {
			*out = m;
			return 0;
		}
		if (!m.name && !find_member(v, m.type, name, out)) {
			out->bit_offset += m.bit_offset;
			return 0;
		}
	}
	return -ENOENT;
}

/* "nested.bf.b": bit_offset of the last member from the start of id. */
static int member_path(struct surf_typeview *v, uint64_t id, const char *path,
		       struct surf_member *out)
{
	char buf[64], *name, *save = NULL;
	uint64_t base = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	for (name = strtok_r(buf, ".", &save); name; name = strtok_r(NULL, ".", &save)) {
		if (find_member(v, id, name, out))
			return -ENOENT;
		base += out->bit_offset;
		id = out->type;
	}
	out->bit_offset = base;
	return 0;
}

static uint64_t type_of(struct surf_typeview *v, const char *name, enum surf_type_kind kind)
{
	uint64_t id = UINT64_MAX;

	if (v->ops->find_type(v, name, kind, &id))
		return UINT64_MAX;
	return id;
}

/* ---- Checks ------------------------------------------------------------ */

#define CHECK_FACT(cond, f)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			test_fail(__FILE__, __LINE__, "%s: %s %s %s %s %llu %llu", \
				  #cond, (f)->what, (f)->agg, (f)->tag,        \
				  (f)->path, (f)->a, (f)->b);                  \
			return;                                                \
		}                                                              \
	} while (0)

/* Every size, offset and bitfield the oracle printed. */
static void check_layout(struct surf_typeview *v, bool linked)
{
	for (int i = 0; i < fx.nfacts; i++) {
		const struct fact *f = &fx.facts[i];
		enum surf_type_kind kind = strcmp(f->agg, "union") ? SURF_TYPE_STRUCT :
								     SURF_TYPE_UNION;
		uint64_t id = type_of(v, f->tag, kind);
		struct surf_member m;
		struct surf_type t;

		/* The first unit only declares fwd_only. */
		if (!linked && !strcmp(f->tag, "fwd_only"))
			continue;
		CHECK_FACT(id != UINT64_MAX, f);
		if (!strcmp(f->what, "size")) {
			CHECK_FACT(!v->ops->raw(v, id, &t), f);
			CHECK_FACT(t.kind == kind && t.size == f->a, f);
			continue;
		}
		CHECK_FACT(!member_path(v, id, f->path, &m), f);
		CHECK_FACT(m.bit_offset == f->a, f);
		if (!strcmp(f->what, "bit")) {
			CHECK_FACT(m.bitfield_size == f->b, f);
			continue;
		}
		CHECK_FACT(m.bitfield_size == 0, f);
		CHECK_FACT(!peel(v, m.type, &t, NULL) && t.size == f->b, f);
	}
}

static void check_int(struct surf_typeview *v, const char *name, uint64_t size,
		      bool is_signed)
{
	struct surf_type t;

	CHECK(!peel(v, type_of(v, name, SURF_TYPE_ANY), &t, NULL));
	CHECK_INT(t.kind, ==, SURF_TYPE_INT);
	CHECK_INT(t.size, ==, size);
	CHECK_INT(t.is_signed, ==, is_signed);
}

static void check_base_types(struct surf_typeview *v)
{
	struct surf_type t;
	uint64_t id;

	check_int(v, "int", 4, true);
	check_int(v, "unsigned int", 4, false);
	/* gcc says "long unsigned int"; "unsigned long" must find it too. */
	check_int(v, "unsigned long", sizeof(unsigned long), false);
	check_int(v, "long unsigned int", sizeof(unsigned long), false);
	check_int(v, "_Bool", 1, false);
	check_int(v, "u64", 8, false);
	if (test_failed())
		return;
	CHECK(!peel(v, type_of(v, "char", SURF_TYPE_ANY), &t, NULL));
	CHECK(t.kind == SURF_TYPE_INT && t.is_char && t.size == 1);
	CHECK(!peel(v, type_of(v, "double", SURF_TYPE_ANY), &t, NULL));
	CHECK(t.kind == SURF_TYPE_FLOAT && t.size == 8);
	CHECK(!peel(v, type_of(v, "float", SURF_TYPE_INT), &t, NULL));
	CHECK(t.kind == SURF_TYPE_FLOAT && t.size == 4);
	CHECK_INT(v->ops->find_type(v, "void", SURF_TYPE_ANY, &id), ==, 0);
	CHECK(!v->ops->raw(v, id, &t) && t.kind == SURF_TYPE_VOID);
	CHECK_INT(v->ops->find_type(v, "nope", SURF_TYPE_ANY, &id), ==, -ENOENT);
	CHECK_INT(v->ops->find_type(v, "unsigned nope", SURF_TYPE_ANY, &id), ==, -ENOENT);
	CHECK_INT(v->ops->find_type(v, "nope", SURF_TYPE_STRUCT, &id), ==, -ENOENT);
	CHECK_INT(v->ops->find_type(v, "outer", SURF_TYPE_UNION, &id), ==, -ENOENT);
	/* The id of a typedef is the typedef, not what it names. */
	CHECK(!v->ops->raw(v, type_of(v, "u64", SURF_TYPE_ANY), &t));
	CHECK_INT(t.kind, ==, SURF_RAW_TYPEDEF);
	CHECK_STR(t.name, "u64");
	CHECK(!v->ops->raw(v, type_of(v, "point_t", SURF_TYPE_TYPEDEF), &t));
	CHECK(t.kind == (int)SURF_RAW_TYPEDEF && t.name && !strcmp(t.name, "point_t"));
	CHECK(!v->ops->raw(v, t.ref, &t));
	CHECK(t.kind == SURF_TYPE_STRUCT && t.size == 8 && t.vlen == 2);
	CHECK_STR(t.name, "point");
}

static void check_enums(struct surf_typeview *v)
{
	struct surf_type t;

	CHECK(!v->ops->raw(v, type_of(v, "color", SURF_TYPE_ENUM), &t));
	CHECK_INT(t.kind, ==, SURF_TYPE_ENUM);
	CHECK_STR(t.name, "color");
	CHECK(t.size == 4 && t.vlen == 3 && !t.is_signed);
	CHECK(!v->ops->raw(v, type_of(v, "sign", SURF_TYPE_ENUM), &t));
	CHECK(t.kind == SURF_TYPE_ENUM && t.vlen == 2 && t.is_signed);
}

/* Peel the type of outer.<name> and check its kind and size. */
static uint64_t outer_member(struct surf_typeview *v, const char *name,
			     enum surf_type_kind kind, uint64_t size, struct surf_type *t)
{
	struct surf_member m;
	uint64_t id;

	if (member_path(v, type_of(v, "outer", SURF_TYPE_STRUCT), name, &m) ||
	    peel(v, m.type, t, &id) || t->kind != kind || t->size != size) {
		test_fail(__FILE__, __LINE__, "outer.%s: kind %d size %llu", name,
			  (int)t->kind, (unsigned long long)t->size);
		return UINT64_MAX;
	}
	return id;
}

static void check_arrays(struct surf_typeview *v)
{
	struct surf_type t;

	CHECK(outer_member(v, "name", SURF_TYPE_ARRAY, 16, &t) != UINT64_MAX);
	CHECK_INT(t.nelems, ==, 16);
	CHECK(!v->ops->raw(v, t.ref, &t) && t.kind == SURF_TYPE_INT && t.is_char);
	/* int grid[3][4]: an array of 3 arrays of 4 ints. */
	CHECK(outer_member(v, "grid", SURF_TYPE_ARRAY, 48, &t) != UINT64_MAX);
	CHECK_INT(t.nelems, ==, 3);
	CHECK(!v->ops->raw(v, t.ref, &t));
	CHECK(t.kind == SURF_TYPE_ARRAY && t.nelems == 4 && t.size == 16);
	CHECK(!v->ops->raw(v, t.ref, &t));
	CHECK(t.kind == SURF_TYPE_INT && t.size == 4);
	CHECK_STR(t.name, "int");
	CHECK(outer_member(v, "cube", SURF_TYPE_ARRAY, 24, &t) != UINT64_MAX);
	CHECK(t.nelems == 2 && !v->ops->raw(v, t.ref, &t));
	CHECK(t.kind == SURF_TYPE_ARRAY && t.nelems == 3 && t.size == 12);
	CHECK(!v->ops->raw(v, t.ref, &t));
	CHECK(t.kind == SURF_TYPE_ARRAY && t.nelems == 4 && t.size == 4);
	CHECK(!v->ops->raw(v, t.ref, &t) && t.kind == SURF_TYPE_INT && t.is_char);
	/* A flexible array member has no elements and no size. */
	CHECK(outer_member(v, "flex", SURF_TYPE_ARRAY, 0, &t) != UINT64_MAX);
	CHECK_INT(t.nelems, ==, 0);
	CHECK(!v->ops->raw(v, t.ref, &t) && t.kind == SURF_TYPE_INT && t.size == 4);
}

static void check_members(struct surf_typeview *v)
{
	uint64_t outer = type_of(v, "outer", SURF_TYPE_STRUCT), id;
	struct surf_member m;
	struct surf_type t;
	bool seen_const = false, seen_volatile = false;

	CHECK(!v->ops->raw(v, outer, &t));
	CHECK(t.kind == SURF_TYPE_STRUCT && t.vlen == 15);
	CHECK_STR(t.name, "outer");
	CHECK_INT(v->ops->member(v, outer, 15, &m), ==, -ENOENT);
	CHECK(v->ops->member(v, type_of(v, "int", SURF_TYPE_ANY), 0, &m) < 0);
	/* Member 8 is the anonymous union. */
	CHECK(!v->ops->member(v, outer, 8, &m) && !m.name && m.bitfield_size == 0);
	CHECK(!v->ops->raw(v, m.type, &t));
	CHECK(t.kind == SURF_TYPE_UNION && t.vlen == 2 && t.size == 4 && !t.name);
	CHECK(outer_member(v, "nested", SURF_TYPE_STRUCT, 24, &t) != UINT64_MAX);
	CHECK(!t.name && t.vlen == 2);
	id = outer_member(v, "next", SURF_TYPE_PTR, 8, &t);
	CHECK(id != UINT64_MAX && !v->ops->raw(v, t.ref, &t));
	CHECK(t.kind == SURF_TYPE_STRUCT && t.name && !strcmp(t.name, "outer"));
	CHECK(outer_member(v, "vp", SURF_TYPE_PTR, 8, &t) != UINT64_MAX);
	CHECK(!v->ops->raw(v, t.ref, &t) && t.kind == SURF_TYPE_VOID);
	CHECK(outer_member(v, "col", SURF_TYPE_ENUM, 4, &t) != UINT64_MAX);
	CHECK_STR(t.name, "color");
	/* const volatile u64 cv: both qualifiers, then the typedef. */
	CHECK(!member_path(v, outer, "cv", &m));
	for (id = m.type; !v->ops->raw(v, id, &t) && t.kind >= (int)SURF_RAW_CONST; id = t.ref) {
		seen_const |= t.kind == (int)SURF_RAW_CONST;
		seen_volatile |= t.kind == (int)SURF_RAW_VOLATILE;
	}
	CHECK(seen_const && seen_volatile);
	CHECK_INT(t.kind, ==, SURF_RAW_TYPEDEF);
	CHECK_STR(t.name, "u64");
}

static void check_param(struct surf_typeview *v, uint64_t proto, uint32_t idx,
			const char *name, enum surf_type_kind kind, struct surf_type *t)
{
	struct surf_param p;

	CHECK(!v->ops->param(v, proto, idx, &p));
	if (name)
		CHECK_STR(p.name, name);
	else
		CHECK(p.name == NULL);
	CHECK(!peel(v, p.type, t, NULL));
	CHECK_INT(t->kind, ==, kind);
}

static void check_funcs(struct surf_typeview *v, const struct variant *var)
{
	struct surf_param p;
	struct surf_type t;
	uint64_t proto;

	CHECK_INT(v->ops->find_func(v, "func", &proto), ==, 0);
	CHECK(!v->ops->raw(v, proto, &t));
	CHECK(t.kind == SURF_TYPE_FUNC && t.vlen == 2);
	CHECK_STR(t.name, "func");
	CHECK(!v->ops->raw(v, t.ref, &t) && t.kind == SURF_TYPE_INT && t.size == 4);
	check_param(v, proto, 0, "v", SURF_TYPE_INT, &t);
	check_param(v, proto, 1, "d", SURF_TYPE_PTR, &t);
	if (test_failed())
		return;
	CHECK(!v->ops->raw(v, t.ref, &t));
	CHECK(t.kind == SURF_TYPE_STRUCT && t.vlen == 2 && t.size == 8);
	CHECK_STR(t.name, "uprobe_def");
	CHECK(v->ops->param(v, proto, 2, &p) < 0);

	CHECK_INT(v->ops->find_func(v, "vfunc", &proto), ==, 0);
	CHECK(!v->ops->raw(v, proto, &t) && t.vlen == 1);
	check_param(v, proto, 0, "fmt", SURF_TYPE_PTR, &t);

	CHECK_INT(v->ops->find_func(v, "rfunc", &proto), ==, 0);
	CHECK(!v->ops->raw(v, proto, &t) && t.vlen == 3);
	CHECK(!peel(v, t.ref, &t, NULL) && t.kind == SURF_TYPE_INT && !t.is_signed);
	CHECK(!v->ops->param(v, proto, 0, &p) && !v->ops->raw(v, p.type, &t));
	/* DW_TAG_restrict_type is new in DWARF 3. */
	if (!strstr(var->cflags, "dwarf-2"))
		CHECK_INT(t.kind, ==, SURF_RAW_RESTRICT);
	check_param(v, proto, 1, "flag", SURF_TYPE_INT, &t);
	check_param(v, proto, 2, "dv", SURF_TYPE_FLOAT, &t);

	/* Inlined and out of line at -O2: one prototype either way. */
	CHECK_INT(v->ops->find_func(v, "helper", &proto), ==, 0);
	CHECK(!v->ops->raw(v, proto, &t) && t.kind == SURF_TYPE_FUNC && t.vlen == 1);
	CHECK_STR(t.name, "helper");
	check_param(v, proto, 0, "x", SURF_TYPE_INT, &t);
	CHECK_INT(v->ops->find_func(v, "nope", &proto), ==, -ENOENT);
}

static void check_vars(struct surf_typeview *v)
{
	struct surf_type t;
	uint64_t id;

	CHECK_INT(v->ops->find_var(v, "global_counter", &id), ==, 0);
	CHECK(!v->ops->raw(v, id, &t) && t.kind == SURF_TYPE_INT && t.size == 4);
	CHECK_INT(v->ops->find_var(v, "global_outer", &id), ==, 0);
	CHECK(!v->ops->raw(v, id, &t) && t.kind == SURF_TYPE_STRUCT);
	CHECK_STR(t.name, "outer");
	CHECK_INT(v->ops->find_var(v, "global_u", &id), ==, 0);
	CHECK(!v->ops->raw(v, id, &t) && t.kind == SURF_TYPE_UNION && t.size == 4);
	CHECK_INT(v->ops->find_var(v, "global_sign", &id), ==, 0);
	CHECK(!v->ops->raw(v, id, &t) && t.kind == SURF_TYPE_ENUM && t.is_signed);
	CHECK_INT(v->ops->find_var(v, "global_pt", &id), ==, 0);
	CHECK(!v->ops->raw(v, id, &t) && t.kind == (int)SURF_RAW_TYPEDEF);
	/* void (*global_cb)(int, char *): a prototype without a name. */
	CHECK_INT(v->ops->find_var(v, "global_cb", &id), ==, 0);
	CHECK(!v->ops->raw(v, id, &t) && t.kind == SURF_TYPE_PTR && t.size == 8);
	id = t.ref;
	CHECK(!v->ops->raw(v, id, &t) && t.kind == SURF_TYPE_FUNC && t.vlen == 2);
	CHECK(!t.name && t.ref == 0);
	check_param(v, id, 0, NULL, SURF_TYPE_INT, &t);
	CHECK_INT(v->ops->find_var(v, "nope", &id), ==, -ENOENT);
}

struct names {
	const char *name[128];
	int n, calls, stop_after;
};

static int collect_name(void *ctx, const char *name)
{
	struct names *c = ctx;

	if (c->n < 128)
		c->name[c->n++] = name;
	return ++c->calls == c->stop_after ? 7 : 0;
}

static int collect_func(void *ctx, struct surf_typeview *v, const char *name, uint64_t proto)
{
	struct surf_type t;

	/* Every function handed out must be a prototype. */
	if (v->ops->raw(v, proto, &t) || t.kind != SURF_TYPE_FUNC)
		return -1;
	return collect_name(ctx, name);
}

static int count_name(const struct names *c, const char *name)
{
	int n = 0;

	for (int i = 0; i < c->n; i++)
		n += !strcmp(c->name[i], name);
	return n;
}

static void check_iteration(struct surf_typeview *v, bool linked)
{
	struct names c = { .n = 0 };

	CHECK_INT(v->ops->for_each_func(v, collect_func, &c), ==, 0);
	CHECK(count_name(&c, "func") == 1 && count_name(&c, "vfunc") == 1);
	CHECK(count_name(&c, "helper") == 1 && count_name(&c, "use_helper") == 1);
	CHECK_INT(count_name(&c, "part2_func"), ==, linked);
	CHECK_INT(c.n, ==, 5 + linked);
	c = (struct names){ .stop_after = 2 };
	CHECK_INT(v->ops->for_each_func(v, collect_func, &c), ==, 7);
	CHECK_INT(c.calls, ==, 2);

	c = (struct names){ .n = 0 };
	CHECK_INT(v->ops->for_each_type_name(v, SURF_TYPE_STRUCT, collect_name, &c), ==, 0);
	CHECK(count_name(&c, "outer") == 1 && count_name(&c, "uprobe_def") == 1);
	CHECK(count_name(&c, "point") == 1 && count_name(&c, "bits") == 1);
	/* Only ever declared in the first unit, defined in the second. */
	CHECK_INT(count_name(&c, "fwd_only"), ==, linked);
	CHECK_INT(c.n, ==, 5 + linked);
	c = (struct names){ .n = 0 };
	CHECK_INT(v->ops->for_each_type_name(v, SURF_TYPE_UNION, collect_name, &c), ==, 0);
	CHECK(c.n == 1 && !strcmp(c.name[0], "u"));
	CHECK_INT(v->ops->for_each_type_name(v, SURF_TYPE_FUNC, collect_name, &c), ==, -EINVAL);
}

/* outer.fwd points at a declaration; a linked view completes it. */
static void check_forward(struct surf_typeview *v, bool linked)
{
	struct surf_type t;

	CHECK(outer_member(v, "fwd", SURF_TYPE_PTR, 8, &t) != UINT64_MAX);
	CHECK(!v->ops->raw(v, t.ref, &t) && t.kind == SURF_TYPE_STRUCT);
	CHECK_STR(t.name, "fwd_only");
	CHECK_INT(t.size, ==, linked ? 16 : 0);
	CHECK_INT(t.vlen, ==, linked ? 2 : 0);
}

static void check_variant(const struct variant *var)
{
	struct surf_typeview *v = NULL;
	char path[PATH_MAX];
	int ret;

	if (!fx_setup())
		SKIP("%s", fx.skip);
	if (var->dwz && test_sh(fx.dir, "command -v dwz >/dev/null"))
		SKIP("no dwz");
	if (build(var, path, sizeof(path)))
		SKIP("cc %s cannot build the fixture (see %s/cc.log)", var->cflags, fx.dir);
	ret = surf_dwarf_view_open(&v, path);
	CHECK_INT(ret, ==, 0);
	CHECK(v && v->ops && !v->module);
	check_layout(v, var->linked);
	if (!test_failed())
		check_base_types(v);
	if (!test_failed())
		check_enums(v);
	if (!test_failed())
		check_arrays(v);
	if (!test_failed())
		check_members(v);
	if (!test_failed())
		check_funcs(v, var);
	if (!test_failed())
		check_vars(v);
	if (!test_failed())
		check_iteration(v, var->linked);
	if (!test_failed())
		check_forward(v, var->linked);
	v->ops->destroy(v);
}

/* ---- Tests ------------------------------------------------------------- */

TEST(test_dwarf_obj_default)
{
	check_variant(&(struct variant){ .name = "obj-g", .cflags = "-g -O0" });
}

/* DWARF 2: DW_OP_plus_uconst member locations, MSB-based DW_AT_bit_offset. */
TEST(test_dwarf_obj_v2)
{
	check_variant(&(struct variant){ .name = "obj-v2", .cflags = "-gdwarf-2 -O0" });
}

/* gcc's DWARF 4 still uses DW_AT_bit_offset, with constant locations. */
TEST(test_dwarf_obj_v4)
{
	check_variant(&(struct variant){ .name = "obj-v4", .cflags = "-gdwarf-4 -O0" });
}

/* DWARF 5: DW_AT_data_bit_offset. */
TEST(test_dwarf_obj_v5)
{
	check_variant(&(struct variant){ .name = "obj-v5", .cflags = "-gdwarf-5 -O0" });
}

/* Abstract and concrete instances of an inlined function. */
TEST(test_dwarf_obj_optimized)
{
	check_variant(&(struct variant){ .name = "obj-o2", .cflags = "-g -O2" });
}

TEST(test_dwarf_so_v4)
{
	check_variant(&(struct variant){ .name = "so-v4", .cflags = "-gdwarf-4 -O0",
					 .linked = true });
}

TEST(test_dwarf_so_v5)
{
	check_variant(&(struct variant){ .name = "so-v5", .cflags = "-gdwarf-5 -O0",
					 .linked = true });
}

/* DWARF 4 type units live in .debug_types, with offsets of their own. */
TEST(test_dwarf_so_type_units_v4)
{
	check_variant(&(struct variant){ .name = "so-tu4", .linked = true,
					 .cflags = "-gdwarf-4 -fdebug-types-section -O0" });
}

/* DWARF 5 type units are DW_UT_type units inside .debug_info. */
TEST(test_dwarf_so_type_units_v5)
{
	check_variant(&(struct variant){ .name = "so-tu5", .linked = true,
					 .cflags = "-gdwarf-5 -fdebug-types-section -O0" });
}

TEST(test_dwarf_so_compressed)
{
	check_variant(&(struct variant){ .name = "so-gz", .cflags = "-g -gz -O0", .linked = true });
}

/* dwz moves shared DIEs to a file of their own, another id space. */
TEST(test_dwarf_so_dwz)
{
	check_variant(&(struct variant){ .name = "so-dwz", .cflags = "-g -O0",
					 .linked = true, .dwz = true });
}

TEST(test_dwarf_open_errors)
{
	static struct surf_typeview stale;
	struct surf_typeview *v = &stale;	/* must be cleared on failure */
	char path[PATH_MAX];
	FILE *f;

	CHECK_INT(surf_dwarf_view_open(&v, "/nonexistent/surf-dwarf"), ==, -ENOENT);
	CHECK(v == NULL);
	if (!fx_setup())
		SKIP("%s", fx.skip);
	CHECK_INT(surf_dwarf_view_open(&v, fx.dir), ==, -EISDIR);
	snprintf(path, sizeof(path), "%s/not-elf.txt", fx.dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	fputs("not an ELF file\n", f);
	fclose(f);
	CHECK_INT(surf_dwarf_view_open(&v, path), ==, -ENOEXEC);
	snprintf(path, sizeof(path), "%s/nodebug.o", fx.dir);
	if (test_sh(fx.dir, "cc -g0 -O0 -c -o '%s' '%s'", path, fx.src))
		SKIP("cannot build the fixture without -g");
	CHECK_INT(surf_dwarf_view_open(&v, path), ==, -ENODATA);
	CHECK(v == NULL);
}

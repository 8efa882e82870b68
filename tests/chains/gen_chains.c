/* SPDX-License-Identifier: MIT */
/*
 * gen_chains - random member chains of real kernel functions, for
 * tests/chains/check_chains.sh.
 *
 *     gen_chains [SEED [COUNT]]        (defaults: 1, 300)
 *
 * Uses the running kernel's BTF (/sys/kernel/btf/vmlinux) only to CHOOSE
 * chains: a FUNC whose parameter N (N < 6) points to a struct or union (or,
 * for every fourth chain, a FUNC returning such a pointer: "r FUNC
 * c=$retval->..."), then a walk of 1..4 member accesses ('->' through pointers to structs, '.'
 * into embedded structs, '[i]' into arrays) ending on a scalar, a pointer,
 * an enum, a bitfield, a char array or a char pointer.  It prints no offset
 * or size: the expected compiled text is computed by the checker with gcc's
 * offsetof/sizeof over a vmlinux.h.
 *
 * Output: lines starting with '#' are comments; every other line is one
 * chain, fields separated by tabs:
 *
 *     EXPR  KIND  N  ROOT  CONT  SEG1  [SEG2 ...]
 *
 * EXPR  the surftrace expression, "p FUNC c=[S|X]%N->SEG1->SEG2..." or
 *       "r FUNC c=[S|X]$retval->SEG1->..."
 * KIND  u, s, x   a plain value shown with that letter (:u32, :s64, ...)
 *       str       a char array (":string", no extra dereference)
 *       strp      a char pointer ("+0x0(...):string")
 *       bf        a bitfield
 * N     the parameter number, or "ret" for $retval
 * ROOT  the C spelling of the type parameter N (or the return value) points
 *       to ("struct task_struct")
 * CONT  for bf: the C spelling of the bitfield's declared type; "-" otherwise
 * SEGk  a C member designator ("se.run_node.rb_left", "arr[3].x") relative to
 *       the struct the previous segment's value points to (SEG1: relative
 *       to ROOT).
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEPS 4
#define MAX_SEGS (MAX_STEPS + 1)
#define MAX_CANDS 4096

static struct btf *btf;
static uint32_t ntypes;

/* Name counts per C namespace: bpftool renames duplicates to name___2. */
static uint16_t *tag_dups;	/* struct/union/enum/fwd names, indexed by type id */
static uint16_t *ident_dups;	/* typedef names */
static uint16_t *func_dups;	/* FUNC names */

/* ---- random numbers: splitmix64, fixed by the seed ---- */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

/* ---- names ---- */
static const char *const c_keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do",
	"double", "else", "enum", "extern", "float", "for", "goto", "if",
	"inline", "int", "long", "register", "restrict", "return", "short",
	"signed", "sizeof", "static", "struct", "switch", "typedef", "union",
	"unsigned", "void", "volatile", "while", "_Alignas", "_Alignof",
	"_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn",
	"_Static_assert", "_Thread_local", "asm", "typeof", "__typeof__",
	"__asm__", "__inline__", "__attribute__", "__extension__", "__restrict",
	"__const", "__volatile__", "__signed__", "__alignof__",
};

static bool is_ident(const char *s)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static bool is_keyword(const char *s)
{
	for (size_t i = 0; i < sizeof(c_keywords) / sizeof(c_keywords[0]); i++)
		if (!strcmp(s, c_keywords[i]))
			return true;
	return false;
}

static bool good_member_name(const char *s)
{
	return is_ident(s) && !is_keyword(s);
}

static const char *name_of(const struct btf_type *t)
{
	return btf__name_by_offset(btf, t->name_off);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * For each type id, how many types of the same namespace share its name
 * (0 when the type is not of that namespace or has no name).
 */
static void count_dups(uint16_t *out, bool (*in_ns)(const struct btf_type *))
{
	uint32_t n = 0;
	const char **names = calloc(ntypes, sizeof(*names));

	if (!names) {
		fprintf(stderr, "gen_chains: out of memory\n");
		exit(2);
	}
	for (uint32_t id = 1; id < ntypes; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (in_ns(t) && t->name_off && *name_of(t))
			names[n++] = name_of(t);
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (uint32_t id = 1; id < ntypes; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *nm, **lo;
		uint32_t cnt = 0;

		if (!in_ns(t) || !t->name_off || !*name_of(t))
			continue;
		nm = name_of(t);
		lo = bsearch(&nm, names, n, sizeof(*names), cmp_str);
		while (lo > names && !strcmp(lo[-1], nm))
			lo--;
		while (lo < names + n && !strcmp(*lo, nm)) {
			cnt++;
			lo++;
		}
		out[id] = cnt > 65535 ? 65535 : (uint16_t)cnt;
	}
	free(names);
}

static bool ns_tag(const struct btf_type *t)
{
	return btf_is_composite(t) || btf_is_any_enum(t) || btf_is_fwd(t);
}

static bool ns_ident(const struct btf_type *t)
{
	return btf_is_typedef(t);
}

static bool ns_func(const struct btf_type *t)
{
	return btf_is_func(t);
}

/* ---- types ---- */

/* Skip const/volatile/restrict/type tags. */
static uint32_t skip_mods(uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && btf_is_mod(t)) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return id;
}

/* Skip modifiers and typedefs. */
static uint32_t skip_all(uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return id;
}

static const struct btf_type *type_of(uint32_t id)
{
	return btf__type_by_id(btf, id);
}

/* A struct/union with at least one member. */
static bool is_walkable_composite(uint32_t id)
{
	const struct btf_type *t = type_of(id);

	return t && btf_is_composite(t) && btf_vlen(t) > 0;
}

/*
 * The C spelling of a type by its name as vmlinux.h has it: a typedef, an
 * int, a named struct/union/enum.  NULL when it has none that is sure.
 */
static const char *c_spelling(uint32_t id, char *buf, size_t len)
{
	const struct btf_type *t;

	id = skip_mods(id);
	t = type_of(id);
	if (!t || !t->name_off || !is_ident(name_of(t)))
		return NULL;
	if (btf_is_typedef(t))
		return ident_dups[id] == 1 ? name_of(t) : NULL;
	if (btf_is_int(t))
		return name_of(t);
	if (tag_dups[id] != 1)
		return NULL;
	if (btf_is_struct(t))
		snprintf(buf, len, "struct %s", name_of(t));
	else if (btf_is_union(t))
		snprintf(buf, len, "union %s", name_of(t));
	else if (btf_is_any_enum(t))
		snprintf(buf, len, "enum %s", name_of(t));
	else
		return NULL;
	return buf;
}

/* A 1-byte int reached without typedefs named exactly one of the names. */
static bool is_named_char(uint32_t id, bool allow_unsigned)
{
	const struct btf_type *t = type_of(skip_mods(id));

	if (!t || !btf_is_int(t) || t->size != 1)
		return false;
	return !strcmp(name_of(t), "char") ||
	       (allow_unsigned && !strcmp(name_of(t), "unsigned char"));
}

/* A 1-byte int, through typedefs too (u8 *, __s8 *, signed char *). */
static bool is_any_char(uint32_t id)
{
	const struct btf_type *t = type_of(skip_all(id));

	return t && btf_is_int(t) && t->size == 1;
}

static bool scalar_size_ok(int64_t sz)
{
	return sz == 1 || sz == 2 || sz == 4 || sz == 8;
}

/* ---- members, with anonymous struct/union members flattened ---- */
struct member {
	const char *name;
	uint32_t type;		/* the member's declared type id */
	uint32_t bits;		/* bitfield size, 0 when not a bitfield */
	uint64_t bit_off;	/* bit offset from the struct being walked */
	uint64_t parent_off;	/* bit offset of the struct that declares it */
};

static int collect_members(uint32_t id, uint64_t base, struct member *out, int n, int max)
{
	const struct btf_type *t = type_of(id);
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t) && n < max; i++, m++) {
		const char *nm = btf__name_by_offset(btf, m->name_off);
		uint64_t off = base + btf_member_bit_offset(t, i);
		uint32_t bits = btf_member_bitfield_size(t, i);

		if (!nm || !*nm) {
			uint32_t sub = skip_all(m->type);

			if (is_walkable_composite(sub) && !bits)
				n = collect_members(sub, off, out, n, max);
			continue;
		}
		out[n].name = nm;
		out[n].type = m->type;
		out[n].bits = bits;
		out[n].bit_off = off;
		out[n].parent_off = base;
		n++;
	}
	return n;
}

/* ---- walks ---- */
enum act {
	A_END_SCALAR,	/* m, ends: int, enum, pointer */
	A_END_STR,	/* m, ends: char array */
	A_END_STRP,	/* m, ends: char pointer */
	A_END_BF,	/* m, ends: bitfield */
	A_IDX_END,	/* m[i], ends: element is a scalar or pointer */
	A_IDX_END_STRP,	/* m[i], ends: element is a char pointer */
	A_DOT,		/* m. : embedded struct */
	A_ARROW,	/* m-> : pointer to struct */
	A_IDX_DOT,	/* m[i]. : array of structs */
	A_IDX_ARROW,	/* m[i]-> : array of pointers to structs */
};

static bool act_ends(enum act a)
{
	return a <= A_IDX_END_STRP;
}

struct cand {
	int member;
	enum act act;
	uint32_t next;		/* walk: the struct to continue in */
	uint32_t index;		/* array index */
};

struct walk {
	char segs[MAX_SEGS][512];
	int nsegs;
	char kind[8];
	char cont[256];
};

static struct member members[MAX_CANDS];
static struct cand cands[MAX_CANDS * 2];

/* Classify what can be done with member m; appends to cands. */
static int member_cands(const struct member *m, uint64_t seg_base_bits, int mi, int n)
{
	uint32_t rid = skip_all(m->type);
	const struct btf_type *t = type_of(rid);
	char buf[256];

	if (!t || !good_member_name(m->name))
		return n;
	if (m->bits) {
		/* Declared type with a sure name; no field crossing its aligned container. */
		const struct btf_type *rt = t;
		int64_t csz;
		uint64_t total, byte, rel;

		if (!c_spelling(m->type, buf, sizeof(buf)))
			return n;
		if (!btf_is_int(rt) && !btf_is_any_enum(rt))
			return n;
		csz = btf__resolve_size(btf, m->type);
		if (!scalar_size_ok(csz) || m->bits > csz * 8)
			return n;
		if ((seg_base_bits + m->parent_off) % (uint64_t)(csz * 8))
			return n;	/* declaring struct not aligned to the container */
		total = seg_base_bits + m->bit_off;
		byte = total / 8 / (uint64_t)csz * (uint64_t)csz;
		rel = total - byte * 8;
		if (rel + m->bits > (uint64_t)csz * 8)
			return n;
		cands[n++] = (struct cand){ mi, A_END_BF, 0, 0 };
		return n;
	}
	if (btf_is_int(t) || btf_is_any_enum(t)) {
		if (scalar_size_ok(t->size))
			cands[n++] = (struct cand){ mi, A_END_SCALAR, 0, 0 };
		return n;
	}
	if (btf_is_composite(t)) {
		if (is_walkable_composite(rid))
			cands[n++] = (struct cand){ mi, A_DOT, rid, 0 };
		return n;
	}
	if (btf_is_ptr(t)) {
		uint32_t pid = skip_all(t->type);

		if (is_named_char(t->type, true))
			cands[n++] = (struct cand){ mi, A_END_STRP, 0, 0 };
		else if (!is_any_char(t->type))
			cands[n++] = (struct cand){ mi, A_END_SCALAR, 0, 0 };
		if (is_walkable_composite(pid))
			cands[n++] = (struct cand){ mi, A_ARROW, pid, 0 };
		return n;
	}
	if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		uint32_t eid = skip_all(a->type);
		const struct btf_type *e = type_of(eid);
		uint32_t idx;

		if (a->nelems == 0 || !e)
			return n;	/* flexible array */
		idx = rnd_below(a->nelems);
		if (is_named_char(a->type, false))
			cands[n++] = (struct cand){ mi, A_END_STR, 0, 0 };
		if (btf_is_int(e) || btf_is_any_enum(e)) {
			if (scalar_size_ok(e->size))
				cands[n++] = (struct cand){ mi, A_IDX_END, 0, idx };
		} else if (btf_is_composite(e)) {
			if (is_walkable_composite(eid))
				cands[n++] = (struct cand){ mi, A_IDX_DOT, eid, idx };
		} else if (btf_is_ptr(e)) {
			uint32_t pid = skip_all(e->type);

			if (is_named_char(e->type, true))
				cands[n++] = (struct cand){ mi, A_IDX_END_STRP, 0, idx };
			else if (!is_any_char(e->type))
				cands[n++] = (struct cand){ mi, A_IDX_END, 0, idx };
			if (is_walkable_composite(pid))
				cands[n++] = (struct cand){ mi, A_IDX_ARROW, pid, idx };
		}
		return n;
	}
	return n;
}

/* Append NAME, NAME[IDX] (idx >= 0) or "." (name NULL) to a segment. */
static void seg_append(char *seg, size_t len, const char *name, long idx)
{
	size_t l = strlen(seg);

	if (!name)
		snprintf(seg + l, len - l, ".");
	else if (idx < 0)
		snprintf(seg + l, len - l, "%s", name);
	else
		snprintf(seg + l, len - l, "%s[%ld]", name, idx);
}

/* One walk of `steps` member accesses from struct id; false when stuck. */
static bool walk_from(uint32_t id, int steps, struct walk *w)
{
	uint64_t seg_base = 0;	/* bit offset of `id` inside the segment's struct */
	char *seg;

	memset(w, 0, sizeof(*w));
	w->nsegs = 1;
	seg = w->segs[0];
	strcpy(w->cont, "-");
	for (int step = 0; step < steps; step++) {
		int nm = collect_members(id, 0, members, 0, MAX_CANDS);
		int nc = 0, want_end = step == steps - 1, nsel = 0;
		struct cand *c = NULL;
		const struct member *m;

		for (int i = 0; i < nm && nc < MAX_CANDS * 2 - 4; i++)
			nc = member_cands(&members[i], seg_base, i, nc);
		/*
		 * Pick the kind of access first, then a member of that kind, so
		 * that rare kinds (bitfields, char arrays, indexes) come up often.
		 */
		bool present[A_IDX_ARROW + 1] = { false };
		int nacts = 0, pick;
		enum act act = A_END_SCALAR;

		for (int i = 0; i < nc; i++)
			if (act_ends(cands[i].act) == want_end && !present[cands[i].act]) {
				present[cands[i].act] = true;
				nacts++;
			}
		if (!nacts)
			return false;
		pick = (int)rnd_below((uint32_t)nacts);
		for (int a = 0; a <= A_IDX_ARROW; a++)
			if (present[a] && pick-- == 0)
				act = (enum act)a;
		for (int i = 0; i < nc; i++)
			if (cands[i].act == act)
				nsel++;
		nsel = (int)rnd_below((uint32_t)nsel);
		for (int i = 0; i < nc; i++)
			if (cands[i].act == act && nsel-- == 0) {
				c = &cands[i];
				break;
			}
		m = &members[c->member];
		switch (c->act) {
		case A_END_SCALAR:
		case A_END_STR:
		case A_END_STRP:
		case A_END_BF:
		case A_DOT:
		case A_ARROW:
			seg_append(seg, sizeof(w->segs[0]), m->name, -1);
			break;
		default:
			seg_append(seg, sizeof(w->segs[0]), m->name, (long)c->index);
			break;
		}
		switch (c->act) {
		case A_END_SCALAR:
		case A_IDX_END: {
			uint32_t r = rnd_below(10);

			strcpy(w->kind, r < 2 ? "s" : r < 4 ? "x" : "u");
			return true;
		}
		case A_END_STR:
			strcpy(w->kind, "str");
			return true;
		case A_END_STRP:
		case A_IDX_END_STRP:
			strcpy(w->kind, "strp");
			return true;
		case A_END_BF: {
			char buf[256];

			strcpy(w->kind, "bf");
			snprintf(w->cont, sizeof(w->cont), "%s",
				 c_spelling(m->type, buf, sizeof(buf)));
			return true;
		}
		case A_DOT:
			seg_base += m->bit_off;
			seg_append(seg, sizeof(w->segs[0]), NULL, 0);
			break;
		case A_IDX_DOT:
			seg_base += m->bit_off + (uint64_t)c->index * 8 *
				    (uint64_t)btf__resolve_size(btf, c->next);
			seg_append(seg, sizeof(w->segs[0]), NULL, 0);
			break;
		case A_ARROW:
		case A_IDX_ARROW:
			seg_base = 0;
			seg = w->segs[w->nsegs++];
			break;
		}
		id = c->next;
	}
	return false;
}

/* ---- functions ---- */
struct root {
	uint32_t func;
	int param;		/* -1: the return value */
	uint32_t type;		/* the struct/union the parameter points to */
	char spelling[256];
};

static struct root *roots, *retroots;
static int nroots, nretroots;

/* A root when type id points to a struct/union of a sure spelling. */
static bool add_root(struct root *r, int *n, uint32_t func, int param, uint32_t type)
{
	const struct btf_type *pt = type_of(skip_all(type));
	uint32_t sid;
	char buf[256];
	const char *sp;

	if (!type || !pt || !btf_is_ptr(pt))
		return false;	/* also stops at '...' and void */
	sid = skip_all(pt->type);
	if (!is_walkable_composite(sid))
		return false;
	sp = c_spelling(pt->type, buf, sizeof(buf));
	if (!sp)
		return false;
	r[*n].func = func;
	r[*n].param = param;
	r[*n].type = sid;
	snprintf(r[*n].spelling, sizeof(r[0].spelling), "%s", sp);
	(*n)++;
	return true;
}

static void find_roots(void)
{
	roots = calloc(ntypes * 2 + 1, sizeof(*roots));
	retroots = calloc(ntypes + 1, sizeof(*retroots));
	if (!roots || !retroots) {
		fprintf(stderr, "gen_chains: out of memory\n");
		exit(2);
	}
	for (uint32_t id = 1; id < ntypes; id++) {
		const struct btf_type *t = type_of(id), *proto;
		const struct btf_param *p;

		if (!btf_is_func(t) || func_dups[id] != 1 || !is_ident(name_of(t)))
			continue;
		proto = type_of(t->type);
		if (!proto || !btf_is_func_proto(proto))
			continue;
		p = btf_params(proto);
		for (int i = 0; i < btf_vlen(proto) && i < 6; i++)
			add_root(roots, &nroots, id, i, p[i].type);
		add_root(retroots, &nretroots, id, -1, proto->type);
	}
}

int main(int argc, char **argv)
{
	unsigned long seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	long count = argc > 2 ? strtol(argv[2], NULL, 0) : 300;
	char (*seen)[1024];
	long made = 0, tries = 0;

	libbpf_set_print(NULL);
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		fprintf(stderr, "gen_chains: cannot load vmlinux BTF: %s\n", strerror(errno));
		return 2;
	}
	ntypes = btf__type_cnt(btf);
	tag_dups = calloc(ntypes, sizeof(*tag_dups));
	ident_dups = calloc(ntypes, sizeof(*ident_dups));
	func_dups = calloc(ntypes, sizeof(*func_dups));
	seen = calloc((size_t)(count > 0 ? count : 1), sizeof(*seen));
	if (!tag_dups || !ident_dups || !func_dups || !seen) {
		fprintf(stderr, "gen_chains: out of memory\n");
		return 2;
	}
	count_dups(tag_dups, ns_tag);
	count_dups(ident_dups, ns_ident);
	count_dups(func_dups, ns_func);
	find_roots();
	if (!nroots) {
		fprintf(stderr, "gen_chains: no function takes a pointer to a struct\n");
		return 2;
	}
	rng_state = seed;
	printf("# gen_chains seed=%lu count=%ld roots=%d retroots=%d\n", seed, count, nroots,
	       nretroots);
	while (made < count && tries < count * 1000) {
		/* Every fourth chain from a return value: r FUNC c=$retval->... */
		const struct root *r = made % 4 == 3 && nretroots ?
					       &retroots[rnd_below((uint32_t)nretroots)] :
					       &roots[rnd_below((uint32_t)nroots)];
		char base[16];
		int steps = 1 + (int)rnd_below(MAX_STEPS);
		struct walk w;
		char expr[1024];
		size_t l;
		bool dup = false;

		tries++;
		if (!walk_from(r->type, steps, &w))
			continue;
		if (r->param < 0)
			snprintf(base, sizeof(base), "$retval");
		else
			snprintf(base, sizeof(base), "%%%d", r->param);
		l = (size_t)snprintf(expr, sizeof(expr), "%c %s c=%s%s", r->param < 0 ? 'r' : 'p',
				     name_of(type_of(r->func)),
				     !strcmp(w.kind, "s") ? "S" : !strcmp(w.kind, "x") ? "X" : "",
				     base);
		for (int i = 0; i < w.nsegs && l < sizeof(expr); i++)
			l += (size_t)snprintf(expr + l, sizeof(expr) - l, "->%s", w.segs[i]);
		if (l >= sizeof(expr))
			continue;
		for (long i = 0; i < made && !dup; i++)
			dup = !strcmp(seen[i], expr);
		if (dup)
			continue;
		strcpy(seen[made++], expr);
		if (r->param < 0)
			printf("%s\t%s\tret\t%s\t%s", expr, w.kind, r->spelling, w.cont);
		else
			printf("%s\t%s\t%d\t%s\t%s", expr, w.kind, r->param, r->spelling, w.cont);
		for (int i = 0; i < w.nsegs; i++)
			printf("\t%s", w.segs[i]);
		printf("\n");
	}
	free(seen);
	free(roots);
	free(retroots);
	free(tag_dups);
	free(ident_dups);
	free(func_dups);
	btf__free(btf);
	if (made < count) {
		fprintf(stderr, "gen_chains: made only %ld of %ld chains\n", made, count);
		return 1;
	}
	return 0;
}

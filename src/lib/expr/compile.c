// SPDX-License-Identifier: MIT
/*
 * Compiling one argument value (struct ast_value) into a kprobe/uprobe fetch
 * argument, e.g. "%0->mm->mm_users" of wake_up_new_task into
 * "+0x58(+0x470(%di)):s32".
 *
 * The value being built is either held directly by a fetch text (a register,
 * $retval) or lives in memory at "address + offset", where the address is
 * itself a fetch text ("%di", "+0x470(%di)"), a kernel symbol or an absolute
 * address.  '->' turns the current value into the address of the next one;
 * '.' and '[i]' only move the offset, so "%0->se.run_node.rb_left" costs one
 * dereference, as it does in C.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/internal.h"
#include "sys/util.h"

#define FETCH_MAX 1024
/* The kernel runs at most FETCH_INSN_MAX (16) steps per argument; keep room for the rest. */
#define MAX_DEREFS 12

/* Integer types every cast may name, even when the type source lacks them. */
static const struct builtin {
	const char *name;
	uint8_t size;
	bool is_signed, is_char;
} builtins[] = {
	{ "u8", 1, false, false },  { "u16", 2, false, false }, { "u32", 4, false, false },
	{ "u64", 8, false, false }, { "s8", 1, true, false },	{ "s16", 2, true, false },
	{ "s32", 4, true, false },  { "s64", 8, true, false },	{ "char", 1, true, true },
	{ "unsigned char", 1, false, true }, { "signed char", 1, true, true },
	{ "short", 2, true, false }, { "unsigned short", 2, false, false },
	{ "int", 4, true, false },  { "unsigned int", 4, false, false },
	{ "unsigned", 4, false, false }, { "long", 8, true, false },
	{ "unsigned long", 8, false, false }, { "long long", 8, true, false },
	{ "unsigned long long", 8, false, false }, { "void", 0, false, false },
	{ "bool", 1, false, false },
};

/* C spellings to the names compilers put in BTF and DWARF. */
static const struct {
	const char *c, *debug;
} int_spellings[] = {
	{ "unsigned", "unsigned int" },	{ "long", "long int" },
	{ "unsigned long", "long unsigned int" }, { "long long", "long long int" },
	{ "unsigned long long", "long long unsigned int" }, { "short", "short int" },
	{ "unsigned short", "short unsigned int" }, { "signed", "int" },
	{ "signed char", "signed char" }, { "bool", "_Bool" },
};

/* A type: an id of the view with extra pointer levels, or a builtin. */
struct cty {
	uint64_t id;
	int ptr;
	const struct builtin *builtin;
	bool unknown;		/* nothing known: emitted without a type */
};

enum addr_kind {
	ADDR_NONE,	/* the value is held by fetch text (a register, $retval) */
	ADDR_FETCH,	/* in memory at fetch-text address + off */
	ADDR_SYM,	/* in memory at symbol + off */
	ADDR_ABS,	/* in memory at abs + off */
};

struct val {
	struct cty type;
	enum addr_kind where;
	char text[FETCH_MAX];	/* ADDR_NONE: the value; ADDR_FETCH: the address; ADDR_SYM: the symbol */
	int64_t off;
	uint64_t abs;
	int derefs;
	bool indexed;		/* the last step was an index */
	bool untyped_user;	/* a user register without DWARF: u64 by default */
	uint32_t bitfield_size;	/* the value is a bitfield of this many bits */
	uint64_t bit_offset;	/* ... starting this many bits after text+off */
	char what[FETCH_MAX + 32];	/* how the user wrote the value so far, for messages */
};

static int fail(struct compile_ctx *cc, int code, struct span at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct compile_ctx *cc, int code, struct span at, const char *fmt, ...)
{
	va_list ap;

	if (!cc->err)
		return code;
	cc->err->code = code;
	cc->err->pos = at.pos;
	cc->err->len = at.len ? at.len : 1;
	va_start(ap, fmt);
	vsnprintf(cc->err->msg, sizeof(cc->err->msg), fmt, ap);
	va_end(ap);
	return code;
}

/* --- types ---------------------------------------------------------------- */

static int describe(struct compile_ctx *cc, const struct cty *ct, struct surf_type *t)
{
	memset(t, 0, sizeof(*t));
	if (ct->ptr) {
		t->kind = SURF_TYPE_PTR;
		t->size = (uint64_t)cc->arch->ptr_size;
		return 0;
	}
	if (ct->builtin) {
		t->kind = ct->builtin->size ? SURF_TYPE_INT : SURF_TYPE_VOID;
		t->name = ct->builtin->name;
		t->size = ct->builtin->size;
		t->is_signed = ct->builtin->is_signed;
		t->is_char = ct->builtin->is_char;
		return 0;
	}
	return surf_typeview__type(cc->view, ct->id, t);
}

static void type_name(struct compile_ctx *cc, const struct cty *ct, char *buf, size_t len)
{
	size_t n;

	if (ct->builtin)
		snprintf(buf, len, "%s", ct->builtin->name);
	else if (surf_typeview__type_str(cc->view, ct->id, NULL, buf, len) < 0)
		snprintf(buf, len, "type #%" PRIu64, ct->id);
	for (int i = 0; i < ct->ptr; i++) {
		n = strlen(buf);
		if (n + 3 < len)
			strcpy(buf + n, n && buf[n - 1] == '*' ? "*" : " *");
	}
}

/* The type a pointer points to. */
static int pointee(struct compile_ctx *cc, const struct cty *ct, struct cty *out)
{
	struct surf_type t;
	int ret;

	*out = *ct;
	if (ct->ptr) {
		out->ptr--;
		return 0;
	}
	ret = surf_typeview__type(cc->view, ct->id, &t);
	if (ret)
		return ret;
	if (t.kind != SURF_TYPE_PTR)
		return -EINVAL;
	out->id = t.ref;
	out->builtin = NULL;
	return 0;
}

static const struct builtin *find_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (!strcmp(builtins[i].name, name))
			return &builtins[i];
	return NULL;
}

struct closest_type {
	const char *word;
	size_t best, limit;
	char found[EXPR_MAX_NAME];
};

static int closest_type_cb(void *ctx, const char *name)
{
	struct closest_type *c = ctx;
	size_t d = surf_edit_distance_max(c->word, name, c->best < c->limit ? c->best : c->limit);

	if (d < c->best && d <= c->limit) {
		c->best = d;
		snprintf(c->found, sizeof(c->found), "%s", name);
	}
	return 0;
}

/* An unknown struct or union tag, with the closest tag of the same type source. */
static int unknown_tag(struct compile_ctx *cc, const struct ast_ctype *ct)
{
	const char *kw = ct->tag == SURF_TYPE_STRUCT ? "struct" :
			 ct->tag == SURF_TYPE_UNION ? "union" : "enum";
	struct closest_type c = { .word = ct->name, .best = SIZE_MAX,
				  .limit = strlen(ct->name) / 3 + 1 };

	if (c.limit < 2)
		c.limit = 2;
	/* BTF lists struct and union tags only. */
	if (ct->tag != SURF_TYPE_ENUM)
		surf_typeview__for_each_type_name(cc->view, ct->tag, closest_type_cb, &c);
	if (c.found[0])
		return fail(cc, -ENOENT, ct->span, "unknown type '%s %s' in %s (did you mean "
			    "'%s %s'?)", kw, ct->name, surf_types__describe(cc->types), kw, c.found);
	return fail(cc, -ENOENT, ct->span, "unknown type '%s %s' in %s", kw, ct->name,
		    surf_types__describe(cc->types));
}

static int resolve_ctype(struct compile_ctx *cc, const struct ast_ctype *ct, struct cty *out)
{
	const char *name = ct->name;
	int ret;

	memset(out, 0, sizeof(*out));
	out->ptr = ct->ptr;
	/* A user binary without DWARF: base types only, never the kernel's. */
	if (!cc->view) {
		out->builtin = ct->tag == SURF_TYPE_ANY ? find_builtin(name) : NULL;
		if (out->builtin)
			return 0;
		return fail(cc, -ENOENT, ct->span, "unknown type '%s%s': %s has no debug info "
			    "(DWARF) to know it from, so only u8..u64, s8..s64, char, int, long "
			    "and their pointers can be cast to", ct->tag == SURF_TYPE_ANY ? "" :
			    ct->tag == SURF_TYPE_STRUCT ? "struct " : ct->tag == SURF_TYPE_UNION ?
			    "union " : "enum ", name, cc->binary ? cc->binary : cc->func);
	}
	if (ct->tag != SURF_TYPE_ANY) {
		ret = surf_typeview__find_type(cc->view, name, ct->tag, &out->id);
		return ret ? unknown_tag(cc, ct) : 0;
	}
	if (surf_typeview__find_type(cc->view, name, SURF_TYPE_ANY, &out->id) == 0)
		return 0;
	for (size_t i = 0; i < sizeof(int_spellings) / sizeof(int_spellings[0]); i++)
		if (!strcmp(name, int_spellings[i].c) &&
		    surf_typeview__find_type(cc->view, int_spellings[i].debug, SURF_TYPE_ANY,
					     &out->id) == 0)
			return 0;
	out->builtin = find_builtin(name);
	if (out->builtin)
		return 0;
	return fail(cc, -ENOENT, ct->span, "unknown type '%s' (write struct/union/enum before "
		    "a tag name, e.g. !(struct file *))", name);
}

/* --- fetch text -------------------------------------------------------------- */

static void offset_text(char *buf, size_t len, int64_t off)
{
	if (off < 0)
		snprintf(buf, len, "-0x%" PRIx64, (uint64_t)-off);
	else
		snprintf(buf, len, "+0x%" PRIx64, (uint64_t)off);
}

/* The fetch text of the value itself. */
static int value_text(struct compile_ctx *cc, const struct val *v, char *buf, size_t len,
		      struct span at)
{
	char off[32];
	int n;

	offset_text(off, sizeof(off), v->off);
	switch (v->where) {
	case ADDR_NONE:
		n = snprintf(buf, len, "%s", v->text);
		break;
	case ADDR_FETCH:
		n = snprintf(buf, len, "%s(%s)", off, v->text);
		break;
	case ADDR_SYM:
		n = v->off ? snprintf(buf, len, "@%s%s", v->text, off) :
			     snprintf(buf, len, "@%s", v->text);
		break;
	default:
		n = snprintf(buf, len, "@0x%" PRIx64, v->abs + (uint64_t)v->off);
		break;
	}
	if (n < 0 || (size_t)n >= len)
		return fail(cc, -E2BIG, at, "expression too long for the kernel");
	return 0;
}

/* The value becomes the address of what follows: "+OFF(value)". */
static int deref(struct compile_ctx *cc, struct val *v, struct span at)
{
	char text[FETCH_MAX];
	int ret = value_text(cc, v, text, sizeof(text), at);

	if (ret)
		return ret;
	if (++v->derefs > MAX_DEREFS)
		return fail(cc, -E2BIG, at, "too many dereferences: the kernel follows at most %d "
			    "pointers in one argument", MAX_DEREFS);
	strcpy(v->text, text);
	v->where = ADDR_FETCH;
	v->off = 0;
	return 0;
}

/* --- member access ------------------------------------------------------------ */

struct name_list {
	const char *names[512];
	int n;
};

static void collect_members(struct compile_ctx *cc, uint64_t id, struct name_list *out, int depth)
{
	struct surf_type t;
	struct surf_member m;

	if (depth > 8 || surf_typeview__type(cc->view, id, &t))
		return;
	for (uint32_t i = 0; i < t.vlen && out->n < 512; i++) {
		if (surf_typeview__member(cc->view, id, i, &m))
			return;
		if (m.name)
			out->names[out->n++] = m.name;
		else
			collect_members(cc, m.type, out, depth + 1);
	}
}

static int no_member(struct compile_ctx *cc, const struct cty *ct, const struct ast_step *s)
{
	struct name_list names = { .n = 0 };
	char tname[256];
	const char *near;

	type_name(cc, ct, tname, sizeof(tname));
	collect_members(cc, ct->id, &names, 0);
	near = expr_closest(s->name, names.names, names.n);
	if (near)
		return fail(cc, -ENOENT, s->span, "'%s' is not a member of %s (did you mean '%s'?)",
			    s->name, tname, near);
	return fail(cc, -ENOENT, s->span, "'%s' is not a member of %s", s->name, tname);
}

static struct span op_span(const struct ast_step *s)
{
	size_t oplen = s->kind == STEP_ARROW ? 2 : 1;

	return (struct span){ s->span.pos - oplen, s->span.len + oplen };
}

static int step_member(struct compile_ctx *cc, struct val *v, const struct ast_step *s)
{
	struct surf_type t;
	struct surf_member m;
	struct cty target;
	char tname[256];
	int ret;

	if (v->type.unknown)
		return fail(cc, -EINVAL, op_span(s), "the type of %s is not known here: cast it, "
			    "e.g. !(struct %s *)%s->%s", v->what, cc->binary ? "NAME" : "kmem_cache",
			    v->what, s->name);
	ret = describe(cc, &v->type, &t);
	if (ret)
		return fail(cc, ret, s->span, "cannot read the type of %s", v->what);
	type_name(cc, &v->type, tname, sizeof(tname));

	if (s->kind == STEP_ARROW) {
		if (t.kind != SURF_TYPE_PTR && v->untyped_user)
			return fail(cc, -EINVAL, op_span(s), "'->' needs a pointer, but %s is %s: "
				    "%s has no debug info (DWARF) to type it; build it with -g or "
				    "install its debug symbols", v->what, tname,
				    cc->binary ? cc->binary : cc->func);
		if (t.kind != SURF_TYPE_PTR)
			return fail(cc, -EINVAL, op_span(s), "'->' needs a pointer, but %s is %s%s",
				    v->what, tname,
				    t.kind == SURF_TYPE_STRUCT || t.kind == SURF_TYPE_UNION ?
					    ": use '.'" : "");
		ret = pointee(cc, &v->type, &target);
		if (ret)
			return fail(cc, ret, s->span, "cannot read the type %s points to", v->what);
		ret = describe(cc, &target, &t);
		if (ret)
			return fail(cc, ret, s->span, "cannot read the type %s points to", v->what);
		if (t.kind != SURF_TYPE_STRUCT && t.kind != SURF_TYPE_UNION) {
			type_name(cc, &target, tname, sizeof(tname));
			return fail(cc, -EINVAL, s->span, "%s points to %s, which has no members",
				    v->what, tname);
		}
		ret = deref(cc, v, op_span(s));
		if (ret)
			return ret;
	} else {
		if (t.kind == SURF_TYPE_PTR)
			return fail(cc, -EINVAL, op_span(s), "%s is a pointer (%s): use '->' to reach "
				    "'%s'", v->what, tname, s->name);
		if (t.kind != SURF_TYPE_STRUCT && t.kind != SURF_TYPE_UNION)
			return fail(cc, -EINVAL, op_span(s), "%s is %s, which has no members",
				    v->what, tname);
		if (v->where == ADDR_NONE)
			return fail(cc, -EINVAL, op_span(s), "%s is a struct held in a register, not "
				    "in memory: '.' cannot reach into it", v->what);
		target = v->type;
	}
	if (t.size == 0)
		return fail(cc, -EINVAL, s->span, "%s is only declared in %s, its members are "
			    "not known", tname, surf_types__describe(cc->types));
	if (surf_typeview__find_member(cc->view, target.id, s->name, &m))
		return no_member(cc, &target, s);

	v->off += (int64_t)(m.bit_offset / 8);
	v->bitfield_size = m.bitfield_size;
	v->bit_offset = m.bitfield_size ? m.bit_offset % 8 : 0;
	v->type = (struct cty){ .id = m.type };
	v->indexed = false;
	snprintf(v->what, sizeof(v->what), "'%s'", s->name);
	return 0;
}

static int step_index(struct compile_ctx *cc, struct val *v, const struct ast_step *s)
{
	struct surf_type t, elem;
	struct cty elem_ty;
	char tname[256];
	int ret;

	if (v->type.unknown)
		return fail(cc, -EINVAL, s->span, "the type of %s is not known here: cast it "
			    "first", v->what);
	ret = describe(cc, &v->type, &t);
	if (ret)
		return ret;
	if (t.kind == SURF_TYPE_ARRAY) {
		if (t.nelems && s->index >= t.nelems)
			return fail(cc, -ERANGE, s->span, "index %" PRIu64 " is out of bounds: %s "
				    "has %u elements (0..%u)", s->index, v->what, t.nelems,
				    t.nelems - 1);
		elem_ty = (struct cty){ .id = t.ref };
	} else if (t.kind == SURF_TYPE_PTR) {
		ret = pointee(cc, &v->type, &elem_ty);
		if (ret)
			return ret;
		ret = deref(cc, v, s->span);
		if (ret)
			return ret;
	} else {
		type_name(cc, &v->type, tname, sizeof(tname));
		return fail(cc, -EINVAL, s->span, "%s is %s: only arrays and pointers take "
			    "an index%s", v->what, tname, v->indexed ? " (BTF keeps multi-"
			    "dimensional arrays flat: index them as one array)" : "");
	}
	ret = describe(cc, &elem_ty, &elem);
	if (ret)
		return ret;
	if (elem.size == 0)
		return fail(cc, -EINVAL, s->span, "the elements of %s have no known size",
			    v->what);
	v->off += (int64_t)(s->index * elem.size);
	v->type = elem_ty;
	v->bitfield_size = 0;
	v->indexed = true;
	return 0;
}

/* --- packet headers: @(struct iphdr *)l3%0->saddr ------------------------------ */

static const char *const packet_headers[] = { "ethhdr", "iphdr", "icmphdr", "tcphdr", "udphdr" };

/* Members the original tool adds after each header: the payload seen as arrays. */
static const struct {
	const char *name;
	uint8_t elem;
	bool string;
} payload_members[] = {
	{ "cdata", 1, false }, { "sdata", 2, false }, { "ldata", 4, false },
	{ "qdata", 8, false }, { "Sdata", 1, true },
};
#define PAYLOAD_BYTES 1536

static int struct_size(struct compile_ctx *cc, const char *name, uint64_t *size, uint64_t *id)
{
	struct surf_type t;

	if (surf_typeview__find_type(cc->view, name, SURF_TYPE_STRUCT, id) ||
	    surf_typeview__type(cc->view, *id, &t))
		return -ENOENT;
	*size = t.size;
	return 0;
}

/*
 * Where the header starts relative to skb->data: the original tool assumes
 * a 14-byte Ethernet header and a 20-byte IPv4 header without options.
 */
static int header_offset(struct compile_ctx *cc, const struct ast_value *av, int *off)
{
	const char *hdr = av->ctype.name;
	bool l4 = strcmp(hdr, "ethhdr") && strcmp(hdr, "iphdr");

	*off = 0;
	if (!strcmp(hdr, "ethhdr")) {
		if (av->layer != 2)
			return fail(cc, -EINVAL, av->ctype.span, "struct ethhdr is only at layer 2 "
				    "(l2): skb->data at l%d is past it", av->layer);
		return 0;
	}
	if (av->layer == 2)
		*off += 14;
	if (!strcmp(hdr, "iphdr") && av->layer == 4)
		return fail(cc, -EINVAL, av->ctype.span, "struct iphdr is before layer 4: use l2 "
			    "or l3");
	if (l4 && av->layer <= 3)
		*off += 20;
	return 0;
}

/*
 * The value a packet cast starts from must be a struct sk_buff *.  A value
 * the compiler cannot type (a register inside a function, @0xADDR, $stack)
 * is taken on the user's word; anything typed otherwise is refused, with a
 * hint when it is a pointer to one (__netif_receive_skb_core's pskb).
 */
static int check_skb_base(struct compile_ctx *cc, const struct ast_value *av,
			  const struct val *v, struct span at)
{
	struct surf_type t, pt;
	struct cty to, toto;
	char tname[256], what[FETCH_MAX + 32];
	int depth = 0;

	if (v->type.unknown || v->type.builtin)
		return 0;
	type_name(cc, &v->type, tname, sizeof(tname));
	/* After %0[0] the value is what the user wrote, not %0 (pskb). */
	if (at.len > av->base_span.len)
		snprintf(what, sizeof(what), "%.*s", (int)at.len, cc->line + at.pos);
	else
		snprintf(what, sizeof(what), "%s", v->what);
	to = v->type;
	/* Count the pointers down to what they point to: 1 is right, 2 wants [0]. */
	while (describe(cc, &to, &t) == 0 && t.kind == SURF_TYPE_PTR && depth < 3 &&
	       pointee(cc, &to, &toto) == 0) {
		to = toto;
		depth++;
	}
	if (depth && describe(cc, &to, &pt) == 0 && pt.kind == SURF_TYPE_STRUCT && pt.name &&
	    !strcmp(pt.name, "sk_buff")) {
		if (depth == 1)
			return 0;
		if (depth == 2)
			return fail(cc, -EINVAL, at, "a packet cast reads from a struct sk_buff *, "
				    "but %s is %s: write %.*s[0] for the sk_buff it points to",
				    what, tname, (int)at.len, cc->line + at.pos);
	}
	return fail(cc, -EINVAL, at, "a packet cast reads from a struct sk_buff *, but %s is %s",
		    what, tname);
}

/* The steps from chain[first]: "->member" of the header, or a payload "->sdata[i]". */
static int step_packet(struct compile_ctx *cc, const struct ast_value *av, int first,
		       struct val *v)
{
	const struct ast_step *s = &av->chain[first];
	uint64_t skb_id, hdr_size, hdr_id;
	struct surf_member data;
	bool known = false;
	int hdr_off, ret;

	for (size_t i = 0; i < sizeof(packet_headers) / sizeof(packet_headers[0]); i++)
		known |= !strcmp(av->ctype.name, packet_headers[i]);
	if (!known)
		return fail(cc, -EINVAL, av->ctype.span, "packet casts take struct ethhdr, iphdr, "
			    "icmphdr, tcphdr or udphdr; for other types use !(TYPE)");
	if (first >= av->nchain || s->kind != STEP_ARROW)
		return fail(cc, -EINVAL, first < av->nchain ? op_span(s) : av->base_span,
			    "a packet cast reads a header member: follow it with '->', e.g. "
			    "@(struct iphdr *)l3%%0->saddr");
	ret = header_offset(cc, av, &hdr_off);
	if (ret)
		return ret;
	if (struct_size(cc, "sk_buff", &hdr_size, &skb_id) ||
	    surf_typeview__find_member(cc->view, skb_id, "data", &data))
		return fail(cc, -ENOENT, av->ctype.span, "struct sk_buff has no 'data' member in %s",
			    surf_types__describe(cc->types));
	if (struct_size(cc, av->ctype.name, &hdr_size, &hdr_id))
		return fail(cc, -ENOENT, av->ctype.span, "unknown type 'struct %s' in %s",
			    av->ctype.name, surf_types__describe(cc->types));

	/* The base points to the sk_buff: read skb->data, then the header there. */
	ret = deref(cc, v, av->base_span);
	if (ret)
		return ret;
	v->off = (int64_t)(data.bit_offset / 8);
	ret = deref(cc, v, op_span(s));
	if (ret)
		return ret;
	v->off = hdr_off;

	for (size_t i = 0; i < sizeof(payload_members) / sizeof(payload_members[0]); i++) {
		if (strcmp(s->name, payload_members[i].name))
			continue;
		const struct ast_step *idx = &av->chain[first + 1];

		if (first + 1 >= av->nchain || idx->kind != STEP_INDEX)
			return fail(cc, -EINVAL, s->span, "%s is the payload after the header seen as "
				    "an array: add an index, e.g. %s[0]", s->name, s->name);
		if (idx->index >= PAYLOAD_BYTES / payload_members[i].elem)
			return fail(cc, -ERANGE, idx->span, "index %" PRIu64 " is out of "
				    "bounds: %s has %d elements", idx->index, s->name,
				    PAYLOAD_BYTES / payload_members[i].elem);
		v->off += (int64_t)(hdr_size + idx->index * payload_members[i].elem);
		v->type = (struct cty){ .builtin = payload_members[i].string ?
							   find_builtin("char") : NULL };
		if (payload_members[i].string) {
			/* A string read in place: a char array at that address. */
			v->type.builtin = NULL;
			v->type.unknown = true;
			snprintf(v->what, sizeof(v->what), "string");
		} else {
			static const char *const u[] = { NULL, "u8", "u16", NULL, "u32",
							 NULL, NULL, NULL, "u64" };

			v->type.builtin = find_builtin(u[payload_members[i].elem]);
			snprintf(v->what, sizeof(v->what), "'%s'", s->name);
		}
		return first + 2;	/* the steps up to here are done */
	}
	if (surf_typeview__find_member(cc->view, hdr_id, s->name, &data)) {
		struct cty hdr = { .id = hdr_id };

		return no_member(cc, &hdr, s);
	}
	v->off += (int64_t)(data.bit_offset / 8);
	v->bitfield_size = data.bitfield_size;
	v->bit_offset = data.bitfield_size ? data.bit_offset % 8 : 0;
	v->type = (struct cty){ .id = data.type };
	snprintf(v->what, sizeof(v->what), "'%s'", s->name);
	return first + 1;
}

/* --- the base of a value ---------------------------------------------------------- */

static int param_type(struct compile_ctx *cc, const struct ast_value *av, struct val *v)
{
	struct surf_type proto;
	struct surf_param p;
	uint64_t n = av->base_num;
	int ret;

	ret = surf_typeview__type(cc->view, cc->proto, &proto);
	if (ret)
		return fail(cc, ret, av->base_span, "cannot read the prototype of %s", cc->func);
	if (n >= proto.vlen)
		return fail(cc, -EINVAL, av->base_span, "%s has %u parameter%s (%%0..%%%d): there "
			    "is no %%%" PRIu64, cc->func, proto.vlen, proto.vlen == 1 ? "" : "s",
			    (int)proto.vlen - 1, n);
	ret = surf_typeview__param(cc->view, cc->proto, (uint32_t)n, &p);
	if (ret)
		return fail(cc, ret, av->base_span, "cannot read parameter %" PRIu64 " of %s", n,
			    cc->func);
	v->type = (struct cty){ .id = p.type };
	if (p.name)
		snprintf(v->what, sizeof(v->what), "%%%" PRIu64 " (%s)", n, p.name);
	return 0;
}

/* Whether every scalar inside a type is an integer or a pointer. */
static bool only_integers(struct compile_ctx *cc, uint64_t id, int depth)
{
	struct surf_member m;
	struct surf_type t;

	if (depth > 8 || surf_typeview__type(cc->view, id, &t))
		return false;
	switch (t.kind) {
	case SURF_TYPE_INT:
	case SURF_TYPE_ENUM:
	case SURF_TYPE_PTR:
		return true;
	case SURF_TYPE_ARRAY:
		return only_integers(cc, t.ref, depth + 1);
	case SURF_TYPE_STRUCT:
	case SURF_TYPE_UNION:
		for (uint32_t i = 0; i < t.vlen; i++)
			if (surf_typeview__member(cc->view, id, i, &m) ||
			    !only_integers(cc, m.type, depth + 1))
				return false;
		return true;
	default:
		return false;
	}
}

/*
 * How many integer registers a parameter of this type takes in the calling
 * conventions of x86_64 and aarch64, or -1 when that is not worked out here.
 * Floating-point values take none (they travel in SSE/FP registers, or on
 * the stack); so does a struct over 16 bytes on x86_64 (copied to the
 * stack), while aarch64 passes a pointer to it; a smaller one of integers
 * only fills one register per 8 bytes.
 */
static int int_regs(struct compile_ctx *cc, uint64_t id)
{
	struct surf_type t;

	if (surf_typeview__type(cc->view, id, &t))
		return -1;
	switch (t.kind) {
	case SURF_TYPE_INT:
	case SURF_TYPE_ENUM:
	case SURF_TYPE_PTR:
		return t.size <= 8 ? 1 : -1;
	case SURF_TYPE_FLOAT:
		return 0;
	case SURF_TYPE_STRUCT:
	case SURF_TYPE_UNION:
		if (t.size > 16)
			return strcmp(cc->arch->name, "aarch64") ? 0 : 1;
		return only_integers(cc, id, 0) ? (int)(t.size + 7) / 8 : -1;
	default:
		return -1;
	}
}

/*
 * The register holding %N of a user function at its entry.  The registers
 * are filled by integer parameters only: a double before it (sin, ldexp)
 * does not move it, a struct passed by value may take two or none, and a
 * floating-point parameter is in a register uprobes cannot read.
 */
static int user_arg_reg(struct compile_ctx *cc, const struct ast_value *av, struct val *v,
			int *idx)
{
	uint64_t n = av->base_num;
	struct surf_type proto, t;
	struct surf_param p;
	char tname[256];
	int regs = 0, r;

	*idx = 0;
	if (surf_typeview__type(cc->view, cc->proto, &proto) || n >= proto.vlen)
		return param_type(cc, av, v);	/* says what is wrong */
	for (uint32_t i = 0; i <= n; i++) {
		if (surf_typeview__param(cc->view, cc->proto, i, &p) ||
		    surf_typeview__type(cc->view, p.type, &t))
			return fail(cc, -EINVAL, av->base_span, "cannot read parameter %u of %s", i,
				    cc->func);
		r = int_regs(cc, p.type);
		if (surf_typeview__type_str(cc->view, p.type, NULL, tname, sizeof(tname)) < 0)
			snprintf(tname, sizeof(tname), "?");
		if (i == n && t.kind == SURF_TYPE_FLOAT)
			return fail(cc, -EINVAL, av->base_span, "%%%" PRIu64 " of %s is %s: it is passed "
				    "in a floating-point register, which uprobes cannot read", n,
				    cc->func, tname);
		if (i == n && !r)
			return fail(cc, -EINVAL, av->base_span, "%%%" PRIu64 " of %s is %s, copied to "
				    "the stack, not passed in a register", n, cc->func, tname);
		if (r < 0)
			return fail(cc, -EINVAL, av->base_span, "cannot tell which register holds "
				    "%%%" PRIu64 " of %s: %s%u is %s, passed by value in a way this "
				    "does not work out", n, cc->func, i == n ? "%" : "the earlier %",
				    i, tname);
		if (i < n)
			regs += r;
	}
	if (regs >= cc->arch->nargs)
		return fail(cc, -EINVAL, av->base_span, "%%%" PRIu64 " of %s is passed on the stack "
			    "(the registers %%%s..%%%s hold the parameters before it)", n, cc->func,
			    cc->arch->regs[0], cc->arch->regs[cc->arch->nargs - 1]);
	*idx = regs;
	return 0;
}

/* %N of a USDT probe: its N-th argument, as the note describes it. */
static int usdt_arg(struct compile_ctx *cc, const struct ast_value *av, struct val *v)
{
	const struct surf_usdt_probe *u = cc->usdt;
	const struct surf_usdt_arg *a;
	static const char *const types[2][9] = {
		{ NULL, "u8", "u16", NULL, "u32", NULL, NULL, NULL, "u64" },
		{ NULL, "s8", "s16", NULL, "s32", NULL, NULL, NULL, "s64" },
	};

	if (av->base_num >= (uint64_t)u->nargs)
		return fail(cc, -EINVAL, av->base_span, "%s:%s has %d argument%s%s: there is no "
			    "%%%" PRIu64, u->provider, u->name, u->nargs, u->nargs == 1 ? "" : "s",
			    u->nargs ? "" : " (use registers or $comm)", av->base_num);
	a = &u->args[av->base_num];
	if (!a->fetch[0])
		return fail(cc, -EOPNOTSUPP, av->base_span, "argument %" PRIu64 " of %s:%s ('%s') "
			    "has an addressing form uprobes cannot fetch", av->base_num,
			    u->provider, u->name, u->arg_text);
	snprintf(v->text, sizeof(v->text), "%s", a->fetch);
	snprintf(v->what, sizeof(v->what), "%%%" PRIu64, av->base_num);
	v->where = ADDR_NONE;
	v->type = (struct cty){ .builtin = a->size > 0 && a->size <= 8 ?
					   find_builtin(types[a->is_signed][a->size]) : NULL };
	if (!v->type.builtin)
		v->type.builtin = find_builtin("u64");
	return 0;
}

static int reg_base(struct compile_ctx *cc, const struct ast_value *av, struct val *v)
{
	const char *names[64];
	int idx, n;

	if (av->base == BASE_ARG && cc->kind == SURF_PROBE_USDT)
		return usdt_arg(cc, av, v);

	if (av->base == BASE_ARG && cc->kind == SURF_PROBE_UPROBE && cc->have_proto &&
	    !cc->in_function) {
		int ret = user_arg_reg(cc, av, v, &idx);

		if (ret)
			return ret;
	} else if (av->base == BASE_ARG) {
		if (av->base_num >= (uint64_t)cc->arch->nargs)
			return fail(cc, -EINVAL, av->base_span, "argument %" PRIu64 " is passed on the "
				    "stack on %s (registers hold %%0..%%%d)", av->base_num,
				    cc->arch->name, cc->arch->nargs - 1);
		idx = (int)av->base_num;
	} else {
		idx = surf_arch__reg_index(cc->arch, av->base_name);
		if (idx < 0) {
			const char *near;

			n = cc->arch->nregs < 64 ? cc->arch->nregs : 64;
			for (int i = 0; i < n; i++)
				names[i] = cc->arch->regs[i];
			near = expr_closest(av->base_name[0] == 'r' || av->base_name[0] == 'e' ?
						    av->base_name + 1 : av->base_name, names, n);
			if (!near)
				near = expr_closest(av->base_name, names, n);
			return fail(cc, -EINVAL, av->base_span, "'%s' is not a register of %s%s%s%s",
				    av->base_name, cc->arch->name, near ? " (did you mean '%" : "",
				    near ? near : "", near ? "'?)" : "");
		}
	}
	snprintf(v->text, sizeof(v->text), "%%%s", cc->arch->regs[idx]);
	snprintf(v->what, sizeof(v->what), "%%%s", av->base == BASE_ARG ? "" : av->base_name);
	if (av->base == BASE_ARG)
		snprintf(v->what, sizeof(v->what), "%%%" PRIu64, av->base_num);
	v->where = ADDR_NONE;

	/* At function entry %N has the declared type of parameter N. */
	if (av->base == BASE_ARG && cc->have_proto && !cc->in_function &&
	    (cc->kind == SURF_PROBE_KPROBE || cc->kind == SURF_PROBE_UPROBE))
		return param_type(cc, av, v);
	v->type = (struct cty){ .builtin = find_builtin("u64") };
	v->untyped_user = av->base == BASE_ARG && !cc->have_proto &&
			  (cc->kind == SURF_PROBE_UPROBE || cc->kind == SURF_PROBE_URETPROBE);
	return 0;
}

/* $retval reads the integer return register: not where a double or a struct of them is. */
static int user_retval(struct compile_ctx *cc, const struct ast_value *av, uint64_t type)
{
	struct surf_type t;
	char tname[256];

	if (surf_typeview__type(cc->view, type, &t))
		return fail(cc, -EINVAL, av->base_span, "cannot read the return type of %s", cc->func);
	if (t.kind != SURF_TYPE_FLOAT && ((t.kind != SURF_TYPE_STRUCT && t.kind != SURF_TYPE_UNION) ||
					  only_integers(cc, type, 0)))
		return 0;
	if (surf_typeview__type_str(cc->view, type, NULL, tname, sizeof(tname)) < 0)
		snprintf(tname, sizeof(tname), "?");
	return fail(cc, -EINVAL, av->base_span, "%s returns %s, which is not in the integer "
		    "register $retval reads (floating-point values are in an SSE/FP register)",
		    cc->func, tname);
}

/* What the kernel's symbol table says of name: 0 (or not known), -ENOENT, -EADDRNOTAVAIL. */
static int kernel_symbol_known(struct compile_ctx *cc, const char *name)
{
	uint64_t size;
	int ret;

	if (!cc->env || !cc->env->kernel_symbol)
		return 0;
	ret = cc->env->kernel_symbol(cc->env->ctx, name, &size);
	return ret == -ENOENT || ret == -EADDRNOTAVAIL ? ret : 0;
}

static int compile_base(struct compile_ctx *cc, const struct ast_value *av, struct val *v)
{
	struct surf_type proto;
	int ret;

	memset(v, 0, sizeof(*v));
	switch (av->base) {
	case BASE_ARG:
	case BASE_REG:
		return reg_base(cc, av, v);
	case BASE_SYM:
		if (surf_probe_kind__is_user(cc->kind))
			return fail(cc, -EINVAL, av->base_span, "user probes cannot read kernel "
				    "symbols; use @0xADDR or a register");
		ret = kernel_symbol_known(cc, av->base_name);
		if (ret == -ENOENT)
			return fail(cc, -ENOENT, av->base_span, "the kernel has no symbol '%s' "
				    "(/proc/kallsyms)", av->base_name);
		if (ret)
			return fail(cc, -ENOENT, av->base_span, "the kernel cannot find '%s' by "
				    "name: its /proc/kallsyms lists functions only (built without "
				    "CONFIG_KALLSYMS_ALL), and a probe's @SYMBOL is looked up there",
				    av->base_name);
		v->where = ADDR_SYM;
		snprintf(v->text, sizeof(v->text), "%s", av->base_name);
		snprintf(v->what, sizeof(v->what), "@%s", av->base_name);
		if (surf_typeview__find_var(cc->view, av->base_name, &v->type.id))
			v->type.unknown = true;
		return 0;
	case BASE_ADDR:
		v->where = ADDR_ABS;
		v->abs = av->base_num;
		snprintf(v->what, sizeof(v->what), "@0x%" PRIx64, av->base_num);
		v->type.unknown = true;
		return 0;
	case BASE_RETVAL:
		if (cc->kind != SURF_PROBE_KRETPROBE && cc->kind != SURF_PROBE_URETPROBE)
			return fail(cc, -EINVAL, av->base_span, "$retval exists only at a function "
				    "return: use 'r' (or 'R') instead of '%c'", cc->kind);
		snprintf(v->text, sizeof(v->text), "$retval");
		snprintf(v->what, sizeof(v->what), "$retval");
		if (!cc->have_proto) {
			v->type.unknown = true;
			return 0;
		}
		ret = surf_typeview__type(cc->view, cc->proto, &proto);
		if (ret)
			return fail(cc, ret, av->base_span, "cannot read the prototype of %s",
				    cc->func);
		v->type = (struct cty){ .id = proto.ref };
		if (cc->kind == SURF_PROBE_URETPROBE)
			return user_retval(cc, av, proto.ref);
		return 0;
	case BASE_STACK:
		if (av->base_num == UINT64_MAX)
			snprintf(v->text, sizeof(v->text), "$stack");
		else
			snprintf(v->text, sizeof(v->text), "$stack%" PRIu64, av->base_num);
		snprintf(v->what, sizeof(v->what), "%s", v->text);
		v->type = (struct cty){ .builtin = find_builtin("u64") };
		v->type.unknown = av->cast == CAST_NONE;
		return 0;
	case BASE_COMM:
		snprintf(v->text, sizeof(v->text), "$comm");
		v->type.unknown = true;
		return 0;
	}
	return -EINVAL;
}

/* --- the end of a value: the fetch type ------------------------------------------ */

static bool is_char_type(struct compile_ctx *cc, const struct cty *ct)
{
	struct surf_type t;

	return describe(cc, ct, &t) == 0 && t.kind == SURF_TYPE_INT && t.is_char && t.size == 1;
}

static int scalar_type(struct compile_ctx *cc, char fmt, uint64_t size, bool is_signed,
		       char *buf, size_t len, struct span at, const char *what)
{
	char letter = fmt == 'X' ? 'x' : fmt == 'S' ? 's' : 'u';

	(void)is_signed;	/* unsigned unless asked: what the original tool shows */
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return fail(cc, -EINVAL, at, "%s is %" PRIu64 " bytes: the kernel reads 1, 2, 4 or "
			    "8 bytes at a time", what, size);
	snprintf(buf, len, "%c%d", letter, (int)(size * 8));
	return 0;
}

static int bitfield_type(struct compile_ctx *cc, struct val *v, uint64_t size, char *buf,
			 size_t len)
{
	/* Pick the aligned container of the declared size that holds the field. */
	uint64_t first_bit = (uint64_t)v->off * 8 + v->bit_offset;
	uint64_t cont = size ? size : 1;

	while (cont < 8) {
		uint64_t start = (first_bit / 8) & ~(cont - 1);

		if (first_bit - start * 8 + v->bitfield_size <= cont * 8)
			break;
		cont *= 2;
	}
	v->off = (int64_t)((first_bit / 8) & ~(cont - 1));
	snprintf(buf, len, "b%u@%" PRIu64 "/%" PRIu64, v->bitfield_size, first_bit - (uint64_t)v->off * 8,
		 cont * 8);
	return 0;
}

static int finish(struct compile_ctx *cc, const struct ast_value *av, struct val *v,
		  struct surf_arg *out)
{
	char text[FETCH_MAX], type[64], tname[256], elem_name[256];
	struct span at = av->nchain ? av->chain[av->nchain - 1].span : av->base_span;
	struct surf_type t;
	struct cty elem;
	int ret;

	type[0] = '\0';
	if (v->type.unknown && !strcmp(v->what, "string")) {
		strcpy(type, "string");
	} else if (v->type.unknown && av->fmt && av->nchain == 0 &&
		   (av->base == BASE_SYM || av->base == BASE_ADDR)) {
		/* U@jiffies: a word of memory, printed as asked. */
		ret = scalar_type(cc, av->fmt, (uint64_t)cc->arch->ptr_size, false, type,
				  sizeof(type), at, v->what);
		if (ret)
			return ret;
	} else if (v->type.unknown) {
		/* $comm, $stack, uncast @sym: let the kernel pick the type. */
	} else {
		ret = describe(cc, &v->type, &t);
		if (ret)
			return fail(cc, ret, at, "cannot read the type of %s", v->what);
		type_name(cc, &v->type, tname, sizeof(tname));
		switch (t.kind) {
		case SURF_TYPE_INT:
		case SURF_TYPE_ENUM:
		case SURF_TYPE_FLOAT:
			if (v->bitfield_size) {
				bitfield_type(cc, v, t.size, type, sizeof(type));
				break;
			}
			ret = scalar_type(cc, av->fmt, t.size, t.is_signed, type, sizeof(type), at,
					  v->what);
			if (ret)
				return ret;
			break;
		case SURF_TYPE_PTR:
			if (pointee(cc, &v->type, &elem) == 0 && is_char_type(cc, &elem)) {
				/* char *: the string it points to. */
				ret = deref(cc, v, at);
				if (ret)
					return ret;
				strcpy(type, "string");
				break;
			}
			ret = scalar_type(cc, av->fmt, t.size, false, type, sizeof(type), at, v->what);
			if (ret)
				return ret;
			break;
		case SURF_TYPE_ARRAY:
			elem = (struct cty){ .id = t.ref };
			if (is_char_type(cc, &elem)) {
				if (v->where == ADDR_NONE)
					return fail(cc, -EINVAL, at, "%s is a char array held in a "
						    "register", v->what);
				strcpy(type, "string");
				break;
			}
			type_name(cc, &elem, elem_name, sizeof(elem_name));
			return fail(cc, -EINVAL, at, "%s is an array of %u %s: add an index, e.g. "
				    "%s[0]", v->what, t.nelems, elem_name,
				    av->nchain ? av->chain[av->nchain - 1].name : "x");
		case SURF_TYPE_STRUCT:
		case SURF_TYPE_UNION: {
			struct name_list names = { .n = 0 };

			/* atomic_t, refcount_t, kuid_t...: a wrapped scalar reads as one. */
			if (t.size == 1 || t.size == 2 || t.size == 4 || t.size == 8) {
				scalar_type(cc, av->fmt, t.size, false, type, sizeof(type), at,
					    v->what);
				break;
			}

			collect_members(cc, v->type.id, &names, 0);
			return fail(cc, -EINVAL, at, "%s is %s, not a value the kernel can print: "
				    "pick a member%s%s%s", v->what, tname,
				    names.n ? ", e.g. '" : "", names.n ? names.names[0] : "",
				    names.n ? "'" : "");
		}
		case SURF_TYPE_VOID:
			return fail(cc, -EINVAL, at, "%s is void: cast it to a type, e.g. !(u64)",
				    v->what);
		default:
			return fail(cc, -EINVAL, at, "%s is %s, not a value the kernel can print",
				    v->what, tname);
		}
	}
	ret = value_text(cc, v, text, sizeof(text), at);
	if (ret)
		return ret;
	out->type = type[0] ? strdup(type) : NULL;
	out->fetch = strdup(text);
	return out->fetch && (out->type || !type[0]) ? 0 : -ENOMEM;
}

static void name_conversion(struct surf_arg *out)
{
	static const struct {
		const char *prefix;
		enum surf_arg_conv conv;
		int bits;
	} prefixes[] = {
		{ "ip_", SURF_CONV_IPV4, 32 },	     { "b16_", SURF_CONV_BSWAP_DEC, 16 },
		{ "b32_", SURF_CONV_BSWAP_DEC, 32 }, { "b64_", SURF_CONV_BSWAP_DEC, 64 },
		{ "B16_", SURF_CONV_BSWAP_HEX, 16 }, { "B32_", SURF_CONV_BSWAP_HEX, 32 },
		{ "B64_", SURF_CONV_BSWAP_HEX, 64 },
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (!strncmp(out->name, prefixes[i].prefix, strlen(prefixes[i].prefix))) {
			out->conv = prefixes[i].conv;
			out->conv_bits = prefixes[i].bits;
			return;
		}
	}
}

int expr_compile_arg(struct compile_ctx *cc, const struct ast_arg *arg, struct surf_arg *out)
{
	const struct ast_value *av = &arg->value;
	struct cty cast;
	struct val v;
	int ret, i = 0;

	ret = compile_base(cc, av, &v);
	if (ret)
		return ret;
	if (av->cast == CAST_TYPE) {
		ret = resolve_ctype(cc, &av->ctype, &cast);
		if (ret)
			return ret;
		v.type = cast;
	} else if (av->cast == CAST_SKB) {
		struct span base = av->base_span;

		/* %0[0]: the sk_buff a struct sk_buff ** points to. */
		for (; i < av->nchain && av->chain[i].kind == STEP_INDEX; i++) {
			ret = step_index(cc, &v, &av->chain[i]);
			if (ret)
				return ret;
			base.len = av->chain[i].span.pos + av->chain[i].span.len + 1 - base.pos;
		}
		ret = check_skb_base(cc, av, &v, base);
		if (ret)
			return ret;
		ret = step_packet(cc, av, i, &v);
		if (ret < 0)
			return ret;
		i = ret;
	}
	for (; i < av->nchain; i++) {
		const struct ast_step *s = &av->chain[i];

		if (v.bitfield_size)
			return fail(cc, -EINVAL, op_span(s), "%s is a bitfield: it has no members",
				    v.what);
		ret = s->kind == STEP_INDEX ? step_index(cc, &v, s) : step_member(cc, &v, s);
		if (ret)
			return ret;
	}
	out->name = strdup(arg->name);
	if (!out->name)
		return -ENOMEM;
	name_conversion(out);
	return finish(cc, av, &v, out);
}

// SPDX-License-Identifier: MIT
/*
 * The DWARF type back end: answers the questions of provider.h from the
 * .debug_info of an ELF file (a user program, a shared library, an object
 * file or a vmlinux without BTF), through elfutils' libdw.
 *
 * A type id is the offset of the DIE that describes the type, so that
 * dwarf_offdie() finds the type again without any table of our own.  The only
 * table built is a name index of the top-level DIEs of every unit, made once
 * at open, so that lookups by name never walk the units again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <libelf.h>

#include "types/provider.h"

/*
 * Layout of an id.  The low bits are the DIE's offset in its section; offset
 * 0 is a unit header, never a DIE, so id 0 is free for void.  The bits above
 * say what a bare offset cannot:
 *   ID_DIM:   "int a[3][4]" is a single DW_TAG_array_type with one subrange
 *             per dimension, yet the element of "int[3][4]" is "int[4]".  The
 *             same DIE with dimension d (bits 48-59) stands for the array of
 *             dimensions d and onwards.
 *   ID_ALT:   the DIE is in the alternate file (.gnu_debugaltlink) that dwz
 *             moved shared DIEs to: another Dwarf handle, with offsets of its
 *             own.
 *   ID_TYPES: the DIE is in .debug_types (DWARF 4 type units), whose offsets
 *             overlap those of .debug_info.
 */
#define ID_OFF_BITS	48
#define ID_OFF_MASK	((UINT64_C(1) << ID_OFF_BITS) - 1)
#define ID_DIM_MASK	UINT64_C(0xfff)
#define ID_ALT		(UINT64_C(1) << 61)
#define ID_TYPES	(UINT64_C(1) << 62)

/* Bounds chains of wrappers and arrays of arrays, in case the DWARF loops. */
#define MAX_DEPTH	64

/* What the name index tells apart; each has its own namespace. */
enum dw_cat {
	CAT_STRUCT,
	CAT_UNION,
	CAT_ENUM,
	CAT_TYPEDEF,
	CAT_BASE,
	CAT_FUNC,
	CAT_VAR,
};

/*
 * How good a DIE is as the answer for its name.  The index keeps the first
 * DIE of the best rank: a struct's definition over its declarations, a
 * function or variable with code or storage over its declarations.
 */
enum dw_rank {
	RANK_DECL,	/* DW_AT_declaration */
	RANK_DEF,	/* a definition (for functions: maybe inlined only) */
	RANK_CODE,	/* a function with code, a variable with a location */
};

struct dw_entry {
	const char *name;	/* in libdw's string data */
	uint64_t id;
	uint32_t hash;
	uint8_t cat;
	uint8_t rank;
};

/* A function's entry address and its subprogram: symbols are found by address. */
struct dw_addr {
	uint64_t addr;
	uint64_t id;
};

struct dwarf_view {
	struct surf_typeview view;	/* first: the ops get this pointer */
	Dwfl *dwfl;		/* object files only: owns dw */
	Dwarf *dw;
	Elf *elf;
	int fd;
	bool big_endian;
	struct dw_entry *ents;	/* in DWARF order, for the iterations */
	uint32_t nents, ents_cap;
	uint32_t *slots;	/* open addressing: entry index + 1, 0 when free */
	uint32_t nslots;	/* a power of two, more than twice nents */
	struct dw_addr *addrs;	/* sorted by address once the index is built */
	uint32_t naddrs, addrs_cap;
};

static struct dwarf_view *to_dv(struct surf_typeview *view)
{
	return (struct dwarf_view *)view;
}

static uint32_t id_dim(uint64_t id)
{
	return (id >> ID_OFF_BITS) & ID_DIM_MASK;
}

/* ---- The name index ---------------------------------------------------- */

static uint32_t name_hash(const char *name, enum dw_cat cat)
{
	uint32_t h = 2166136261u ^ cat;		/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

/* The slot holding (cat, name), or the free slot where it would go. */
static uint32_t *idx_slot(struct dwarf_view *dv, const char *name, enum dw_cat cat,
			  uint32_t hash)
{
	uint32_t mask = dv->nslots - 1;

	for (uint32_t i = hash & mask;; i = (i + 1) & mask) {
		uint32_t *slot = &dv->slots[i];
		struct dw_entry *e;

		if (!*slot)
			return slot;
		e = &dv->ents[*slot - 1];
		if (e->hash == hash && e->cat == cat && !strcmp(e->name, name))
			return slot;
	}
}

static struct dw_entry *idx_find(struct dwarf_view *dv, const char *name, enum dw_cat cat)
{
	uint32_t *slot;

	if (!dv->nslots)
		return NULL;
	slot = idx_slot(dv, name, cat, name_hash(name, cat));
	return *slot ? &dv->ents[*slot - 1] : NULL;
}

static int idx_grow(struct dwarf_view *dv)
{
	uint32_t n = dv->nslots ? dv->nslots * 2 : 1024;
	uint32_t *slots;

	if (!n)
		return -ENOMEM;
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	free(dv->slots);
	dv->slots = slots;
	dv->nslots = n;
	for (uint32_t i = 0; i < dv->nents; i++)
		*idx_slot(dv, dv->ents[i].name, dv->ents[i].cat, dv->ents[i].hash) = i + 1;
	return 0;
}

static int ents_grow(struct dwarf_view *dv)
{
	uint32_t n = dv->ents_cap ? dv->ents_cap * 2 : 512;
	struct dw_entry *ents;

	if (n < dv->ents_cap)
		return -ENOMEM;
	ents = realloc(dv->ents, (size_t)n * sizeof(*ents));
	if (!ents)
		return -ENOMEM;
	dv->ents = ents;
	dv->ents_cap = n;
	return 0;
}

static int idx_add(struct dwarf_view *dv, const char *name, enum dw_cat cat,
		   enum dw_rank rank, uint64_t id)
{
	uint32_t hash = name_hash(name, cat);
	struct dw_entry *e;
	uint32_t *slot;

	if ((uint64_t)(dv->nents + 1) * 2 > dv->nslots && idx_grow(dv))
		return -ENOMEM;
	slot = idx_slot(dv, name, cat, hash);
	if (*slot) {
		e = &dv->ents[*slot - 1];
		if (rank > e->rank) {
			e->id = id;
			e->rank = rank;
		}
		return 0;
	}
	if (dv->nents == dv->ents_cap && ents_grow(dv))
		return -ENOMEM;
	e = &dv->ents[dv->nents++];
	*e = (struct dw_entry){ .name = name, .id = id, .hash = hash, .cat = cat,
				.rank = rank };
	*slot = dv->nents;
	return 0;
}

/* ---- DIE helpers ------------------------------------------------------- */

static int id_die(struct dwarf_view *dv, uint64_t id, Dwarf_Die *die)
{
	Dwarf_Off off = id & ID_OFF_MASK;
	Dwarf *dw = dv->dw;
	Dwarf_Die *found;

	if (id & ID_ALT)
		dw = dwarf_getalt(dv->dw);
	if (!dw)
		return -ENOENT;
	if (id & ID_TYPES)
		found = dwarf_offdie_types(dw, off, die);
	else
		found = dwarf_offdie(dw, off, die);
	return found ? 0 : -ENOENT;
}

static uint64_t die_id(struct dwarf_view *dv, Dwarf_Die *die)
{
	uint64_t id = dwarf_dieoffset(die);
	Dwarf_Half version;
	uint8_t unit_type;

	/* A reference may lead into the dwz file (DW_FORM_GNU_ref_alt). */
	if (dwarf_cu_getdwarf(die->cu) != dv->dw)
		id |= ID_ALT;
	/* DWARF 5 moved type units into .debug_info; only older ones are apart. */
	if (dwarf_cu_info(die->cu, &version, &unit_type, NULL, NULL, NULL, NULL, NULL) == 0 &&
	    version < 5 && unit_type == DW_UT_type)
		id |= ID_TYPES;
	return id;
}

/* The id of what DW_AT_type names; a DIE without one means void. */
static int type_ref(struct dwarf_view *dv, Dwarf_Die *die, uint64_t *id)
{
	Dwarf_Attribute attr;
	Dwarf_Die type;

	*id = 0;
	if (!dwarf_attr_integrate(die, DW_AT_type, &attr))
		return 0;
	if (!dwarf_formref_die(&attr, &type))
		return -EINVAL;
	*id = die_id(dv, &type);
	return 0;
}

static bool attr_u(Dwarf_Die *die, unsigned int name, Dwarf_Word *val)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, name, &attr) && dwarf_formudata(&attr, val) == 0;
}

/* A constant that may be negative: only the signed forms carry a sign. */
static int attr_s(Dwarf_Attribute *attr, int64_t *val)
{
	Dwarf_Sword s;
	Dwarf_Word u;

	if (dwarf_whatform(attr) == DW_FORM_sdata ||
	    dwarf_whatform(attr) == DW_FORM_implicit_const) {
		if (dwarf_formsdata(attr, &s))
			return -EINVAL;
		*val = s;
		return 0;
	}
	if (dwarf_formudata(attr, &u))
		return -EINVAL;
	*val = (int64_t)u;
	return 0;
}

static bool is_field(Dwarf_Die *die)
{
	/* DWARF 4 describes C++ static data members as member declarations. */
	return dwarf_tag(die) == DW_TAG_member && !dwarf_hasattr(die, DW_AT_declaration);
}

static bool is_param(Dwarf_Die *die)
{
	return dwarf_tag(die) == DW_TAG_formal_parameter;
}

static bool is_subrange(Dwarf_Die *die)
{
	return dwarf_tag(die) == DW_TAG_subrange_type;
}

static bool is_enumerator(Dwarf_Die *die)
{
	return dwarf_tag(die) == DW_TAG_enumerator;
}

static uint32_t count_children(Dwarf_Die *parent, bool (*match)(Dwarf_Die *))
{
	Dwarf_Die child;
	uint32_t n = 0;

	if (dwarf_child(parent, &child) != 0)
		return 0;
	do {
		n += match(&child);
	} while (dwarf_siblingof(&child, &child) == 0);
	return n;
}

static int nth_child(Dwarf_Die *parent, bool (*match)(Dwarf_Die *), uint32_t idx,
		     Dwarf_Die *out)
{
	if (dwarf_child(parent, out) != 0)
		return -ENOENT;
	do {
		if (match(out) && !idx--)
			return 0;
	} while (dwarf_siblingof(out, out) == 0);
	return -ENOENT;
}

static int tag_cat(int tag)
{
	switch (tag) {
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
		return CAT_STRUCT;
	case DW_TAG_union_type:
		return CAT_UNION;
	case DW_TAG_enumeration_type:
		return CAT_ENUM;
	case DW_TAG_typedef:
		return CAT_TYPEDEF;
	case DW_TAG_base_type:
		return CAT_BASE;
	case DW_TAG_subprogram:
		return CAT_FUNC;
	case DW_TAG_variable:
		return CAT_VAR;
	}
	return -1;
}

/*
 * A unit that only saw "struct foo;" points at a declaration; the definition
 * is in another unit or in a type unit.  Answer with the definition, so that
 * a pointer followed across units leads to a complete type, as it would in
 * deduplicated BTF.
 */
static void complete_decl(struct dwarf_view *dv, Dwarf_Die *die)
{
	int cat = tag_cat(dwarf_tag(die));
	Dwarf_Attribute attr;
	struct dw_entry *e;
	const char *name;
	Dwarf_Die def;

	if ((cat != CAT_STRUCT && cat != CAT_UNION && cat != CAT_ENUM) ||
	    !dwarf_hasattr(die, DW_AT_declaration))
		return;
	if (dwarf_attr(die, DW_AT_signature, &attr) && dwarf_formref_die(&attr, &def)) {
		*die = def;
		return;
	}
	name = dwarf_diename(die);
	e = name ? idx_find(dv, name, cat) : NULL;
	if (e && e->rank >= RANK_DEF && !id_die(dv, e->id, &def))
		*die = def;
}

/*
 * The DIE that holds a function's prototype.  The out-of-line copy of an
 * inlined function points with DW_AT_abstract_origin at the abstract
 * instance, which has the declared return type and every parameter.
 */
static void proto_die(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Die origin;

	for (int i = 0; i < MAX_DEPTH && dwarf_tag(die) == DW_TAG_subprogram; i++) {
		if (!dwarf_attr(die, DW_AT_abstract_origin, &attr) ||
		    !dwarf_formref_die(&attr, &origin))
			return;
		*die = origin;
	}
}

/* ---- Describing a type ------------------------------------------------- */

static int raw_at(struct dwarf_view *dv, uint64_t id, struct surf_type *out, int depth);

/* Bytes an object of type id takes, looking through typedefs and qualifiers. */
static int type_size(struct dwarf_view *dv, uint64_t id, uint64_t *size, int depth)
{
	struct surf_type t;
	int ret;

	for (;;) {
		ret = raw_at(dv, id, &t, depth++);
		if (ret)
			return ret;
		if ((int)t.kind < SURF_RAW_TYPEDEF)
			break;
		id = t.ref;
	}
	*size = t.size;
	return 0;
}

static int raw_base(Dwarf_Die *die, struct surf_type *out)
{
	Dwarf_Word enc = 0, size = 0;

	attr_u(die, DW_AT_encoding, &enc);
	attr_u(die, DW_AT_byte_size, &size);
	out->name = dwarf_diename(die);
	out->size = size;
	out->kind = SURF_TYPE_INT;
	switch (enc) {
	case DW_ATE_float:
	case DW_ATE_complex_float:
	case DW_ATE_imaginary_float:
	case DW_ATE_decimal_float:
		out->kind = SURF_TYPE_FLOAT;
		break;
	case DW_ATE_signed_char:
		out->is_char = true;
		out->is_signed = true;
		break;
	case DW_ATE_unsigned_char:
		out->is_char = true;
		break;
	case DW_ATE_signed:
	case DW_ATE_signed_fixed:
		out->is_signed = true;
		break;
	}
	return 0;
}

static int raw_ptr(struct dwarf_view *dv, Dwarf_Die *die, struct surf_type *out)
{
	Dwarf_Word size;
	uint8_t addr_size = 0;
	Dwarf_Die cu;

	out->kind = SURF_TYPE_PTR;
	if (attr_u(die, DW_AT_byte_size, &size))
		out->size = size;
	else if (dwarf_diecu(die, &cu, &addr_size, NULL) && addr_size)
		out->size = addr_size;
	else
		out->size = 8;
	return type_ref(dv, die, &out->ref);
}

/*
 * Elements in one dimension: DW_AT_count, or the bounds (C's lower bound is
 * 0).  A flexible array has no upper bound, or -1 for the old "[0]"; a
 * variable length one has a non-constant bound; both count 0.
 */
static uint32_t subrange_count(Dwarf_Die *sub)
{
	Dwarf_Word n, lo = 0;

	if (!attr_u(sub, DW_AT_count, &n)) {
		if (!attr_u(sub, DW_AT_upper_bound, &n))
			return 0;
		attr_u(sub, DW_AT_lower_bound, &lo);
		if (n == (Dwarf_Word)-1 || n < lo)
			return 0;
		n = n - lo + 1;
	}
	return n > UINT32_MAX ? UINT32_MAX : n;
}

/*
 * Walk the subranges: the number of dimensions, the element count of
 * dimension dim, and how many elements dimensions dim and onwards hold
 * together (0 when that overflows).
 */
static void array_dims(Dwarf_Die *die, uint32_t dim, uint32_t *ndims, uint32_t *nelems,
		       uint64_t *elems)
{
	Dwarf_Die sub;
	uint32_t n;

	*ndims = *nelems = 0;
	*elems = 1;
	if (dwarf_child(die, &sub) != 0)
		return;
	do {
		if (!is_subrange(&sub) || (*ndims)++ < dim)
			continue;
		n = subrange_count(&sub);
		if (*ndims == dim + 1)
			*nelems = n;
		if (__builtin_mul_overflow(*elems, n, elems))
			*elems = 0;
	} while (dwarf_siblingof(&sub, &sub) == 0);
}

static int raw_array(struct dwarf_view *dv, Dwarf_Die *die, uint64_t id,
		     struct surf_type *out, int depth)
{
	uint64_t elem, elems, elem_size = 0;
	uint32_t dim = id_dim(id), ndims;
	Dwarf_Word bytes;
	int ret;

	ret = type_ref(dv, die, &elem);
	if (ret)
		return ret;
	array_dims(die, dim, &ndims, &out->nelems, &elems);
	/* An array without subranges is one of unknown size: "int[]". */
	if (dim && dim >= ndims)
		return -ENOENT;
	if (dim + 1 >= ID_DIM_MASK)
		return -E2BIG;
	out->kind = SURF_TYPE_ARRAY;
	if (dim + 1 < ndims)
		out->ref = id + (UINT64_C(1) << ID_OFF_BITS);
	else
		out->ref = elem;
	/* GNU vectors say their size; C arrays leave it to be computed. */
	if (!dim && attr_u(die, DW_AT_byte_size, &bytes)) {
		out->size = bytes;
		return 0;
	}
	if (type_size(dv, elem, &elem_size, depth + 1) ||
	    __builtin_mul_overflow(elems, elem_size, &out->size))
		out->size = 0;
	return 0;
}

static int raw_record(Dwarf_Die *die, enum surf_type_kind kind, struct surf_type *out)
{
	Dwarf_Word size = 0;

	attr_u(die, DW_AT_byte_size, &size);
	out->kind = kind;
	out->name = dwarf_diename(die);
	out->size = size;
	out->vlen = count_children(die, is_field);
	return 0;
}

/* Look through typedefs and qualifiers to the base type under an enum. */
static bool base_signed(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Word enc;

	for (int i = 0; i < MAX_DEPTH; i++) {
		switch (dwarf_tag(die)) {
		case DW_TAG_base_type:
			return attr_u(die, DW_AT_encoding, &enc) &&
			       (enc == DW_ATE_signed || enc == DW_ATE_signed_char);
		case DW_TAG_typedef:
		case DW_TAG_const_type:
		case DW_TAG_volatile_type:
			break;
		default:
			return false;
		}
		if (!dwarf_attr(die, DW_AT_type, &attr) || !dwarf_formref_die(&attr, die))
			return false;
	}
	return false;
}

static bool enum_signed(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Die child;
	int64_t val;

	/* gcc names the underlying integer type, except for strict DWARF 2. */
	if (dwarf_attr_integrate(die, DW_AT_type, &attr))
		return dwarf_formref_die(&attr, &child) && base_signed(&child);
	if (dwarf_child(die, &child) != 0)
		return false;
	do {
		if (is_enumerator(&child) &&
		    dwarf_attr(&child, DW_AT_const_value, &attr) &&
		    !attr_s(&attr, &val) && val < 0)
			return true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

static int raw_enum(Dwarf_Die *die, struct surf_type *out)
{
	Dwarf_Word size = 0;

	attr_u(die, DW_AT_byte_size, &size);
	out->kind = SURF_TYPE_ENUM;
	out->name = dwarf_diename(die);
	out->size = size;
	out->vlen = count_children(die, is_enumerator);
	out->is_signed = enum_signed(die);
	return 0;
}

static int raw_func(struct dwarf_view *dv, Dwarf_Die *die, struct surf_type *out)
{
	Dwarf_Die proto = *die;

	proto_die(&proto);
	out->kind = SURF_TYPE_FUNC;
	if (dwarf_tag(die) == DW_TAG_subprogram)
		out->name = dwarf_diename(die);
	out->vlen = count_children(&proto, is_param);
	return type_ref(dv, &proto, &out->ref);
}

static int raw_wrap(struct dwarf_view *dv, Dwarf_Die *die, int kind, struct surf_type *out)
{
	out->kind = kind;
	if (kind == SURF_RAW_TYPEDEF)
		out->name = dwarf_diename(die);
	return type_ref(dv, die, &out->ref);
}

static int raw_die(struct dwarf_view *dv, Dwarf_Die *die, uint64_t id,
		   struct surf_type *out, int depth)
{
	switch (dwarf_tag(die)) {
	case DW_TAG_base_type:
		return raw_base(die, out);
	case DW_TAG_unspecified_type:		/* C++ nullptr_t, "void" in assembly */
		out->name = dwarf_diename(die);
		return 0;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_ptr_to_member_type:
		return raw_ptr(dv, die, out);
	case DW_TAG_array_type:
		return raw_array(dv, die, id, out, depth);
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
		return raw_record(die, SURF_TYPE_STRUCT, out);
	case DW_TAG_union_type:
		return raw_record(die, SURF_TYPE_UNION, out);
	case DW_TAG_enumeration_type:
		return raw_enum(die, out);
	case DW_TAG_subroutine_type:
	case DW_TAG_subprogram:
		return raw_func(dv, die, out);
	case DW_TAG_typedef:
		return raw_wrap(dv, die, SURF_RAW_TYPEDEF, out);
	case DW_TAG_const_type:
		return raw_wrap(dv, die, SURF_RAW_CONST, out);
	case DW_TAG_volatile_type:
		return raw_wrap(dv, die, SURF_RAW_VOLATILE, out);
	case DW_TAG_restrict_type:
		return raw_wrap(dv, die, SURF_RAW_RESTRICT, out);
	}
	/* _Atomic and other wrappers that we have no C spelling for. */
	if (!dwarf_hasattr(die, DW_AT_type))
		return -EOPNOTSUPP;
	return raw_wrap(dv, die, SURF_RAW_SKIP, out);
}

static int raw_at(struct dwarf_view *dv, uint64_t id, struct surf_type *out, int depth)
{
	Dwarf_Die die;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!id) {
		out->kind = SURF_TYPE_VOID;
		out->name = "void";
		return 0;
	}
	if (depth > MAX_DEPTH)
		return -ELOOP;
	ret = id_die(dv, id, &die);
	if (ret)
		return ret;
	if (id_dim(id) && dwarf_tag(&die) != DW_TAG_array_type)
		return -EINVAL;
	complete_decl(dv, &die);
	return raw_die(dv, &die, id, out, depth);
}

static int dwarf_raw(struct surf_typeview *view, uint64_t id, struct surf_type *out)
{
	return raw_at(to_dv(view), id, out, 0);
}

/* ---- Members and parameters -------------------------------------------- */

/* data_member_location in bytes; absent (union members) means 0. */
static int member_location(Dwarf_Die *m, uint64_t *bytes)
{
	Dwarf_Attribute attr;
	Dwarf_Word val;
	Dwarf_Op *ops;
	size_t n;

	*bytes = 0;
	if (!dwarf_attr(m, DW_AT_data_member_location, &attr))
		return 0;
	switch (dwarf_whatform(&attr)) {
	case DW_FORM_block1:
	case DW_FORM_block2:
	case DW_FORM_block4:
	case DW_FORM_block:
	case DW_FORM_exprloc:
		break;
	default:
		if (dwarf_formudata(&attr, &val))
			return -EOPNOTSUPP;
		*bytes = val;
		return 0;
	}
	if (dwarf_getlocation(&attr, &ops, &n))
		return -EINVAL;
	/* DWARF 2 says "add N to the struct's address". */
	if (n == 1 && ops[0].atom == DW_OP_plus_uconst) {
		*bytes = ops[0].number;
		return 0;
	}
	if (n == 2 && ops[0].atom == DW_OP_constu && ops[1].atom == DW_OP_plus) {
		*bytes = ops[0].number;
		return 0;
	}
	/* Anything else (C++ virtual bases) depends on the object at run time. */
	return -EOPNOTSUPP;
}

/*
 * DWARF 2/3, and gcc's DWARF 4, count DW_AT_bit_offset from the most
 * significant bit of a storage unit of DW_AT_byte_size bytes (or the size of
 * the member's type) that starts at data_member_location.  On little-endian
 * targets the most significant bit is the last one, so the lowest bit of the
 * field is unit * 8 - bit_offset - bit_size bits into the unit.
 */
static int old_bitfield(struct dwarf_view *dv, Dwarf_Die *m, struct surf_member *out)
{
	Dwarf_Attribute attr;
	Dwarf_Word unit;
	int64_t bit, pos;

	if (!dwarf_attr(m, DW_AT_bit_offset, &attr) || attr_s(&attr, &bit))
		return -EINVAL;
	if (!attr_u(m, DW_AT_byte_size, &unit) && type_size(dv, out->type, &unit, 0))
		return -EINVAL;
	if (dv->big_endian)
		pos = bit;
	else
		pos = (int64_t)unit * 8 - bit - (int64_t)out->bitfield_size;
	if (pos < 0 && (uint64_t)-pos > out->bit_offset)
		return -EINVAL;
	out->bit_offset += pos;
	return 0;
}

static int member_bits(struct dwarf_view *dv, Dwarf_Die *m, struct surf_member *out)
{
	Dwarf_Word bits = 0;
	uint64_t bytes;
	int ret;

	attr_u(m, DW_AT_bit_size, &bits);
	if (bits > UINT32_MAX)
		return -EINVAL;
	out->bitfield_size = bits;
	/* DWARF 4/5: the offset of the lowest bit from the start of the struct. */
	if (attr_u(m, DW_AT_data_bit_offset, &bits)) {
		out->bit_offset = bits;
		return 0;
	}
	ret = member_location(m, &bytes);
	if (ret)
		return ret;
	out->bit_offset = bytes * 8;
	if (dwarf_hasattr(m, DW_AT_bit_offset))
		return old_bitfield(dv, m, out);
	return 0;
}

static int dwarf_member(struct surf_typeview *view, uint64_t id, uint32_t idx,
			struct surf_member *out)
{
	struct dwarf_view *dv = to_dv(view);
	Dwarf_Die die, m;
	int ret, tag;

	memset(out, 0, sizeof(*out));
	if (!id || id_dim(id))
		return -EINVAL;
	ret = id_die(dv, id, &die);
	if (ret)
		return ret;
	complete_decl(dv, &die);
	tag = dwarf_tag(&die);
	if (tag != DW_TAG_structure_type && tag != DW_TAG_class_type &&
	    tag != DW_TAG_union_type)
		return -EINVAL;
	ret = nth_child(&die, is_field, idx, &m);
	if (ret)
		return ret;
	out->name = dwarf_diename(&m);
	ret = type_ref(dv, &m, &out->type);
	if (ret)
		return ret;
	return member_bits(dv, &m, out);
}

static int dwarf_param(struct surf_typeview *view, uint64_t proto, uint32_t idx,
		       struct surf_param *out)
{
	struct dwarf_view *dv = to_dv(view);
	Dwarf_Die die, p;
	int ret, tag;

	memset(out, 0, sizeof(*out));
	if (!proto || id_dim(proto))
		return -EINVAL;
	ret = id_die(dv, proto, &die);
	if (ret)
		return ret;
	tag = dwarf_tag(&die);
	if (tag != DW_TAG_subprogram && tag != DW_TAG_subroutine_type)
		return -EINVAL;
	proto_die(&die);
	ret = nth_child(&die, is_param, idx, &p);
	if (ret)
		return ret;
	out->name = dwarf_diename(&p);
	return type_ref(dv, &p, &out->type);
}

/* ---- Lookups by name --------------------------------------------------- */

enum int_base { INT_SHORT, INT_INT, INT_LONG, INT_LLONG, INT_128, INT_NR };

/* [base][unsigned][gcc, clang] */
static const char *const int_names[INT_NR][2][2] = {
	[INT_SHORT] = { { "short int", "short" },
			{ "short unsigned int", "unsigned short" } },
	[INT_INT]   = { { "int", "int" }, { "unsigned int", "unsigned int" } },
	[INT_LONG]  = { { "long int", "long" },
			{ "long unsigned int", "unsigned long" } },
	[INT_LLONG] = { { "long long int", "long long" },
			{ "long long unsigned int", "unsigned long long" } },
	[INT_128]   = { { "__int128", "__int128" },
			{ "__int128 unsigned", "unsigned __int128" } },
};

/* Which integer type a spelling like "unsigned long" or "long int" means. */
static int parse_int_name(const char *name, int *base, bool *is_unsigned)
{
	int shorts = 0, longs = 0, ints = 0, signs = 0, i128 = 0;
	const char *w = name;
	size_t len;

	*is_unsigned = false;
	for (; *w; w += len) {
		w += strspn(w, " ");
		len = strcspn(w, " ");
		if (len == 8 && !strncmp(w, "unsigned", len)) {
			*is_unsigned = true;
			signs++;
		} else if (len == 6 && !strncmp(w, "signed", len)) {
			signs++;
		} else if (len == 5 && !strncmp(w, "short", len)) {
			shorts++;
		} else if (len == 4 && !strncmp(w, "long", len)) {
			longs++;
		} else if (len == 3 && !strncmp(w, "int", len)) {
			ints++;
		} else if (len == 8 && !strncmp(w, "__int128", len)) {
			i128++;
		} else if (len) {
			return -EINVAL;	/* char, double, ...: nothing to respell */
		}
	}
	if (signs > 1 || ints + i128 > 1 || shorts > 1 || longs > 2 ||
	    (shorts && longs) || (i128 && (shorts || longs)) ||
	    !(ints || signs || shorts || longs || i128))
		return -EINVAL;
	if (i128)
		*base = INT_128;
	else if (shorts)
		*base = INT_SHORT;
	else
		*base = longs == 2 ? INT_LLONG : longs ? INT_LONG : INT_INT;
	return 0;
}

/* gcc and clang spell base types differently, and users write either. */
static struct dw_entry *find_base(struct dwarf_view *dv, const char *name)
{
	struct dw_entry *e = idx_find(dv, name, CAT_BASE);
	bool is_unsigned;
	int base;

	if (e || parse_int_name(name, &base, &is_unsigned))
		return e;
	for (int cc = 0; cc < 2 && !e; cc++)
		e = idx_find(dv, int_names[base][is_unsigned][cc], CAT_BASE);
	return e;
}

static int dwarf_find_type(struct surf_typeview *view, const char *name,
			   enum surf_type_kind kind, uint64_t *id)
{
	struct dwarf_view *dv = to_dv(view);
	struct dw_entry *e;

	if (!name)
		return -EINVAL;
	switch (kind) {
	case SURF_TYPE_STRUCT:
		e = idx_find(dv, name, CAT_STRUCT);
		break;
	case SURF_TYPE_UNION:
		e = idx_find(dv, name, CAT_UNION);
		break;
	case SURF_TYPE_ENUM:
		e = idx_find(dv, name, CAT_ENUM);
		break;
	case SURF_TYPE_TYPEDEF:
		e = idx_find(dv, name, CAT_TYPEDEF);
		break;
	case SURF_TYPE_INT:
	case SURF_TYPE_FLOAT:
		e = find_base(dv, name);
		break;
	case SURF_TYPE_ANY:
		/* void has no DIE: it is what a missing DW_AT_type means. */
		if (!strcmp(name, "void")) {
			*id = 0;
			return 0;
		}
		e = idx_find(dv, name, CAT_TYPEDEF);
		if (!e)
			e = find_base(dv, name);
		break;
	default:
		return -EINVAL;
	}
	if (!e)
		return -ENOENT;
	*id = e->id;
	return 0;
}

static int dwarf_find_var(struct surf_typeview *view, const char *name, uint64_t *type)
{
	struct dwarf_view *dv = to_dv(view);
	struct dw_entry *e;
	Dwarf_Die die;
	int ret;

	if (!name)
		return -EINVAL;
	e = idx_find(dv, name, CAT_VAR);
	if (!e)
		return -ENOENT;
	ret = id_die(dv, e->id, &die);
	if (ret)
		return ret;
	return type_ref(dv, &die, type);
}

static int dwarf_find_func(struct surf_typeview *view, const char *name, uint64_t *proto)
{
	struct dw_entry *e;

	if (!name)
		return -EINVAL;
	e = idx_find(to_dv(view), name, CAT_FUNC);
	if (!e)
		return -ENOENT;
	*proto = e->id;
	return 0;
}

/*
 * The function that starts at vaddr: what a symbol of the ELF names, under
 * whichever of its aliases (sleep is __sleep, fclose is _IO_new_fclose).
 * Without one (assembly, an IFUNC's implementation), a declaration of the
 * name describes the symbol, as long as no function of that name with code
 * elsewhere (a static one) says it is another.
 */
static int dwarf_find_func_at(struct surf_typeview *view, const char *name, uint64_t vaddr,
			      uint64_t *proto)
{
	struct dwarf_view *dv = to_dv(view);
	uint32_t lo = 0, hi = dv->naddrs;
	struct dw_entry *e;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (dv->addrs[mid].addr < vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < dv->naddrs && dv->addrs[lo].addr == vaddr) {
		*proto = dv->addrs[lo].id;
		return 0;
	}
	e = name ? idx_find(dv, name, CAT_FUNC) : NULL;
	if (!e || e->rank == RANK_CODE)
		return -ENOENT;
	*proto = e->id;
	return 0;
}

static int dwarf_for_each_func(struct surf_typeview *view, surf_func_cb fn, void *ctx)
{
	struct dwarf_view *dv = to_dv(view);
	int ret;

	for (uint32_t i = 0; i < dv->nents; i++) {
		struct dw_entry *e = &dv->ents[i];

		if (e->cat != CAT_FUNC || e->rank < RANK_DEF)
			continue;
		ret = fn(ctx, view, e->name, e->id);
		if (ret)
			return ret;
	}
	return 0;
}

static int dwarf_for_each_type_name(struct surf_typeview *view, enum surf_type_kind kind,
				    int (*fn)(void *ctx, const char *name), void *ctx)
{
	struct dwarf_view *dv = to_dv(view);
	int cat, ret;

	switch (kind) {
	case SURF_TYPE_STRUCT:
		cat = CAT_STRUCT;
		break;
	case SURF_TYPE_UNION:
		cat = CAT_UNION;
		break;
	case SURF_TYPE_ENUM:
		cat = CAT_ENUM;
		break;
	case SURF_TYPE_TYPEDEF:
		cat = CAT_TYPEDEF;
		break;
	default:
		return -EINVAL;
	}
	for (uint32_t i = 0; i < dv->nents; i++) {
		struct dw_entry *e = &dv->ents[i];

		/* Names that are only ever declared have nothing to show. */
		if (e->cat != cat || e->rank < RANK_DEF)
			continue;
		ret = fn(ctx, e->name);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- Opening ----------------------------------------------------------- */

static enum dw_rank die_rank(Dwarf_Die *die, int cat)
{
	/*
	 * Plain dwarf_hasattr: integrating would find the DW_AT_declaration of
	 * the declaration that a definition's DW_AT_specification names.
	 */
	if (cat == CAT_FUNC && (dwarf_hasattr(die, DW_AT_low_pc) ||
				dwarf_hasattr(die, DW_AT_ranges) ||
				dwarf_hasattr(die, DW_AT_entry_pc)))
		return RANK_CODE;
	if (cat == CAT_VAR && (dwarf_hasattr(die, DW_AT_location) ||
			       dwarf_hasattr(die, DW_AT_const_value)))
		return RANK_CODE;
	return dwarf_hasattr(die, DW_AT_declaration) ? RANK_DECL : RANK_DEF;
}

/*
 * Where a function with code starts: DW_AT_entry_pc or DW_AT_low_pc, or for
 * one split into parts (a .cold part) the first of its ranges, which gcc
 * makes the part the symbol names.
 */
static bool func_entry(Dwarf_Die *die, Dwarf_Addr *entry)
{
	Dwarf_Addr base, end;
	ptrdiff_t off;

	if (dwarf_entrypc(die, entry) == 0)
		return true;
	off = dwarf_ranges(die, 0, &base, entry, &end);
	return off > 0;
}

static int addr_add(struct dwarf_view *dv, Dwarf_Die *die)
{
	Dwarf_Addr entry;

	if (!func_entry(die, &entry))
		return 0;
	if (dv->naddrs == dv->addrs_cap) {
		uint32_t n = dv->addrs_cap ? dv->addrs_cap * 2 : 256;
		struct dw_addr *a = n > dv->addrs_cap ? realloc(dv->addrs, (size_t)n * sizeof(*a)) :
							NULL;

		if (!a)
			return -ENOMEM;
		dv->addrs = a;
		dv->addrs_cap = n;
	}
	dv->addrs[dv->naddrs++] = (struct dw_addr){ entry, die_id(dv, die) };
	return 0;
}

static int addr_cmp(const void *a, const void *b)
{
	const struct dw_addr *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static int index_unit(struct dwarf_view *dv, Dwarf_Die *unit)
{
	/*
	 * gas describes each function of an assembly file as a subprogram
	 * without a type or parameters: "void f(void)" is not its prototype,
	 * so these are left out (a C declaration of the name may then tell).
	 */
	bool assembly = dwarf_srclang(unit) == DW_LANG_Mips_Assembler;
	const char *name;
	Dwarf_Die die;
	int cat, ret;

	if (dwarf_child(unit, &die) != 0)
		return 0;
	do {
		cat = tag_cat(dwarf_tag(&die));
		if (cat < 0 || (cat == CAT_FUNC && assembly))
			continue;
		if (cat == CAT_FUNC && die_rank(&die, cat) == RANK_CODE) {
			ret = addr_add(dv, &die);
			if (ret)
				return ret;
		}
		/* Integrating: a definition may take its name from a declaration. */
		name = dwarf_diename(&die);
		if (!name || !*name)
			continue;
		ret = idx_add(dv, name, cat, die_rank(&die, cat), die_id(dv, &die));
		if (ret)
			return ret;
	} while (dwarf_siblingof(&die, &die) == 0);
	return 0;
}

/* Every unit: compile, partial and type units, .debug_types included. */
static int index_units(struct dwarf_view *dv, Dwarf *dw)
{
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Half version;
	uint8_t unit_type;
	Dwarf_Die unit;
	int ret;

	while ((ret = dwarf_get_units(dw, cu, &next, &version, &unit_type, &unit,
				      NULL)) == 0) {
		cu = next;
		if (!unit.addr)
			continue;
		ret = index_unit(dv, &unit);
		if (ret)
			return ret;
	}
	return ret < 0 ? -EIO : 0;
}

static int build_index(struct dwarf_view *dv)
{
	Dwarf *alt = dwarf_getalt(dv->dw);
	int ret;

	ret = index_units(dv, dv->dw);
	/* After the main file, so that its own DIEs win ties. */
	if (!ret && alt)
		ret = index_units(dv, alt);
	if (dv->naddrs)
		qsort(dv->addrs, dv->naddrs, sizeof(*dv->addrs), addr_cmp);
	return ret;
}

static bool has_debug_info(Elf *elf)
{
	Elf_Scn *scn = NULL;
	const char *name;
	size_t shstrndx;
	GElf_Shdr shdr;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (name && (!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")))
			return true;
	}
	return false;
}

/* The file is opened for what it holds itself: never look for another. */
static int no_debuginfo(Dwfl_Module *mod, void **user, const char *modname,
			Dwarf_Addr base, const char *file, const char *debuglink,
			GElf_Word crc, char **path)
{
	(void)mod, (void)user, (void)modname, (void)base;
	(void)file, (void)debuglink, (void)crc, (void)path;
	return -1;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_debuginfo = no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/*
 * In an object file (or a kernel module) every string offset and address in
 * .debug_info is still zero plus a relocation addend.  libdw alone reads the
 * zeros; libdwfl applies the relocations first.
 */
static int open_relocated(struct dwarf_view *dv, const char *path)
{
	Dwfl_Module *mod;
	Dwarf_Addr bias;

	dv->dwfl = dwfl_begin(&offline_callbacks);
	if (!dv->dwfl)
		return -ENOMEM;
	mod = dwfl_report_offline(dv->dwfl, path, path, -1);
	if (!mod || dwfl_report_end(dv->dwfl, NULL, NULL))
		return -EIO;
	dv->dw = dwfl_module_getdwarf(mod, &bias);
	return dv->dw ? 0 : -ENODATA;
}

static int open_elf(struct dwarf_view *dv, const char *path)
{
	struct stat st;
	GElf_Ehdr ehdr;

	dv->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (dv->fd < 0)
		return -errno;
	if (fstat(dv->fd, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	elf_version(EV_CURRENT);
	dv->elf = elf_begin(dv->fd, ELF_C_READ_MMAP, NULL);
	if (!dv->elf || elf_kind(dv->elf) != ELF_K_ELF || !gelf_getehdr(dv->elf, &ehdr))
		return -ENOEXEC;
	if (!has_debug_info(dv->elf))
		return -ENODATA;
	dv->big_endian = ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
	if (ehdr.e_type == ET_REL)
		return open_relocated(dv, path);
	dv->dw = dwarf_begin_elf(dv->elf, DWARF_C_READ, NULL);
	return dv->dw ? 0 : -ENODATA;
}

static void dwarf_destroy(struct surf_typeview *view)
{
	struct dwarf_view *dv = to_dv(view);

	if (!dv)
		return;
	if (dv->dwfl)
		dwfl_end(dv->dwfl);
	else if (dv->dw)
		dwarf_end(dv->dw);
	if (dv->elf)
		elf_end(dv->elf);
	if (dv->fd >= 0)
		close(dv->fd);
	free(dv->slots);
	free(dv->ents);
	free(dv->addrs);
	free(dv);
}

static const struct surf_typeview_ops dwarf_ops = {
	.raw = dwarf_raw,
	.member = dwarf_member,
	.param = dwarf_param,
	.find_type = dwarf_find_type,
	.find_var = dwarf_find_var,
	.find_func = dwarf_find_func,
	.find_func_at = dwarf_find_func_at,
	.for_each_func = dwarf_for_each_func,
	.for_each_type_name = dwarf_for_each_type_name,
	.destroy = dwarf_destroy,
};

int surf_dwarf_view_open(struct surf_typeview **out, const char *path)
{
	struct dwarf_view *dv;
	int ret;

	if (!out || !path)
		return -EINVAL;
	*out = NULL;
	dv = calloc(1, sizeof(*dv));
	if (!dv)
		return -ENOMEM;
	dv->view.ops = &dwarf_ops;
	dv->fd = -1;
	ret = open_elf(dv, path);
	if (!ret)
		ret = build_index(dv);
	if (ret) {
		dwarf_destroy(&dv->view);
		return ret;
	}
	*out = &dv->view;
	return 0;
}

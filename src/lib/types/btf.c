// SPDX-License-Identifier: MIT
/*
 * BTF back end: the running kernel (/sys/kernel/btf/vmlinux and module split
 * BTF), or a BTF file (raw, or an ELF with a .BTF section).
 *
 * Why not libbpf's struct btf for the kernel: btf__parse() reads the 5 MiB of
 * vmlinux BTF into a buffer, copies it, then checks and indexes all ~150,000
 * types, which was most of `surftrace -S`'s time and 11 MiB of its peak RSS
 * (issue 14), for a command line that looks at ten types.  Here the kernel's
 * BTF is memory-mapped (kernels since 6.16 map the BTF pages themselves: no
 * copy, nothing counted in RSS; older ones are read once, with no copy), and
 * the id index is built on the first lookup, one walk over the type section
 * that also checks every record's bounds.  A run that needs no kernel type
 * (tracepoints, user probes) never walks it.
 *
 * libbpf still does the parts it is good at: ELF files and foreign byte order
 * (btf__parse, then its raw data in host order), and the btf_*() inline
 * accessors of <bpf/btf.h> read the records.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "sys/cache.h"
#include "sys/fault.h"
#include "sys/log.h"
#include "types/provider.h"

/* One BTF blob in host byte order: vmlinux, a module's split BTF, or a file. */
struct btf_blob {
	const uint8_t *data;
	size_t size;
	void *map;			/* munmap(map, size) on close */
	void *heap;			/* free() on close */
	struct btf *owner;		/* libbpf's btf that holds data (ELF, foreign order) */

	const uint8_t *types;
	uint32_t types_len;
	const char *strs;
	uint32_t strs_len;

	/* Split BTF: ids and string offsets continue the base's. */
	struct btf_blob *base;
	uint32_t first_id;		/* id of this blob's first type (1 without a base) */
	uint32_t first_str;		/* offset of this blob's first string */

	/* Lazily built: offset of each type in types, by id - first_id. */
	uint32_t *offs;
	uint32_t ntypes;
	int index_err;			/* 0: not built yet or built; else why it failed */
	bool indexed;
};

struct btf_view {
	struct surf_typeview view;
	struct btf_blob blob;
	char *module;
};

static struct btf_blob *view_blob(struct surf_typeview *view)
{
	return &((struct btf_view *)view)->blob;
}

/* --- the blob: header, index, lookups ------------------------------------------------------ */

/* Bytes after struct btf_type for a record of this kind, or -1 for an unknown kind. */
static long extra_size(const struct btf_type *t)
{
	uint16_t vlen = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_FWD:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_INT:
		return sizeof(uint32_t);
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)vlen * (long)sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * (long)sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return (long)vlen * (long)sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * (long)sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return (long)vlen * (long)sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return sizeof(struct btf_decl_tag);
	default:
		return -1;
	}
}

/* Check the header and find the sections: data must already be in host order. */
static int blob_sections(struct btf_blob *b)
{
	const struct btf_header *h = (const void *)b->data;
	uint64_t types_end, strs_end;

	if (b->size < sizeof(*h) || h->magic != BTF_MAGIC || h->version != BTF_VERSION ||
	    h->hdr_len < sizeof(*h) || h->hdr_len > b->size)
		return -EINVAL;
	types_end = (uint64_t)h->hdr_len + h->type_off + h->type_len;
	strs_end = (uint64_t)h->hdr_len + h->str_off + h->str_len;
	if (types_end > b->size || strs_end > b->size || h->type_off % 4)
		return -EINVAL;
	b->types = b->data + h->hdr_len + h->type_off;
	b->types_len = h->type_len;
	b->strs = (const char *)b->data + h->hdr_len + h->str_off;
	b->strs_len = h->str_len;
	/* Every name must end inside the section: one check here, none per lookup. */
	if (b->strs_len && b->strs[b->strs_len - 1] != '\0')
		return -EINVAL;
	/* The empty string at offset 0, except in split BTF, where offset 0 is the base's. */
	if (!b->base && (!b->strs_len || b->strs[0] != '\0'))
		return -EINVAL;
	return 0;
}

/* One walk over the type section: every record's bounds, and its offset by id. */
static int blob_index(struct btf_blob *b)
{
	uint32_t cap = 0, off = 0;

	if (b->indexed || b->index_err)
		return b->index_err;
	if (b->base) {
		int ret = blob_index(b->base);

		if (ret)
			return b->index_err = ret;
		b->first_id = b->base->first_id + b->base->ntypes;
	}
	while (off < b->types_len) {
		const struct btf_type *t = (const void *)(b->types + off);
		long extra;

		if (b->types_len - off < sizeof(*t) ||
		    (extra = extra_size(t)) < 0 ||
		    (uint64_t)b->types_len - off - sizeof(*t) < (uint64_t)extra)
			goto bad;
		if (b->ntypes == cap) {
			uint32_t *grown;

			cap = cap ? cap * 2 : 4096;
			grown = realloc(b->offs, cap * sizeof(*grown));
			if (!grown) {
				b->index_err = -ENOMEM;
				return b->index_err;
			}
			b->offs = grown;
		}
		b->offs[b->ntypes++] = off;
		off += (uint32_t)(sizeof(*t) + (size_t)extra);
		if (b->first_id + b->ntypes > BTF_MAX_TYPE + 1)
			goto bad;
	}
	b->indexed = true;
	return 0;
bad:
	surf_pr_warn("BTF type %u at offset %u of the type section is malformed\n",
		     b->first_id + b->ntypes, off);
	free(b->offs);
	b->offs = NULL;
	b->ntypes = 0;
	b->index_err = -EINVAL;
	return b->index_err;
}

/* The record of a type id (base or own), or NULL: 0 (void) and unknown ids have none. */
static const struct btf_type *type_by_id(struct btf_blob *b, uint64_t id)
{
	if (blob_index(b))
		return NULL;
	if (id < b->first_id)
		return b->base ? type_by_id(b->base, id) : NULL;
	if (id - b->first_id >= b->ntypes)
		return NULL;
	return (const void *)(b->types + b->offs[id - b->first_id]);
}

/* A name by offset: NULL for an empty name or an offset outside the strings. */
static const char *name_at(const struct btf_blob *b, uint32_t off)
{
	const char *s;

	if (off < b->first_str)
		return b->base ? name_at(b->base, off) : NULL;
	off -= b->first_str;
	if (off >= b->strs_len)
		return NULL;
	s = b->strs + off;
	return *s ? s : NULL;
}

/* libbpf's btf__resolve_size() on our records: the size of id, through wrappers. */
static long resolve_size(struct btf_blob *b, uint64_t id)
{
	uint64_t nelems = 1;

	for (int depth = 0; depth < 32; depth++) {
		const struct btf_type *t = type_by_id(b, id);

		if (!t)
			return -EINVAL;
		switch (btf_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_DATASEC:
		case BTF_KIND_FLOAT:
			return nelems * t->size > LONG_MAX ? -E2BIG : (long)(nelems * t->size);
		case BTF_KIND_PTR:
			return nelems * sizeof(void *) > LONG_MAX ? -E2BIG :
								      (long)(nelems * sizeof(void *));
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		case BTF_KIND_ARRAY:
			nelems *= btf_array(t)->nelems;
			if (nelems > UINT32_MAX)
				return -E2BIG;
			id = btf_array(t)->type;
			break;
		default:
			return -EINVAL;
		}
	}
	return -ELOOP;
}

/*
 * The first type of this name and BTF kind, searched in the base first when
 * with_base.  A linear scan: a command line makes a handful of lookups, each
 * ~0.2 ms over vmlinux, less than building a name index would cost.
 */
static int find_by_name_kind(struct btf_blob *b, const char *name, int kind, bool with_base,
			     uint64_t *id)
{
	int ret = blob_index(b);

	if (ret)
		return ret;
	if (with_base && b->base && find_by_name_kind(b->base, name, kind, true, id) == 0)
		return 0;
	for (uint32_t i = 0; i < b->ntypes; i++) {
		const struct btf_type *t = (const void *)(b->types + b->offs[i]);
		const char *n;

		if (btf_kind(t) != kind || !t->name_off)
			continue;
		n = name_at(b, t->name_off);
		if (n && n[0] == name[0] && !strcmp(n, name)) {
			*id = b->first_id + i;
			return 0;
		}
	}
	return -ENOENT;
}

static void blob_clear(struct btf_blob *b)
{
	free(b->offs);
	if (b->map)
		munmap(b->map, b->size);
	free(b->heap);
	btf__free(b->owner);
	memset(b, 0, sizeof(*b));
}

/* Read a file whole, in as few reads as its size allows. */
static int read_whole(int fd, size_t size, struct btf_blob *b)
{
	size_t got = 0;

	b->heap = malloc(size ? size : 1);
	if (!b->heap)
		return -ENOMEM;
	while (got < size) {
		ssize_t n = read(fd, (char *)b->heap + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	b->data = b->heap;
	b->size = size;
	return 0;
}

#define CACHE_PREFIX "btf-vmlinux."

/*
 * The kernel's BTF that cannot be mapped, from the per-boot copy in
 * cache_dir (made now when missing).  The copy must have the size sysfs
 * gives: anything else is read anew.
 */
static int blob_from_cache(struct btf_blob *b, int fd, size_t size, const char *cache_dir)
{
	char key[512];
	size_t len;
	void *map;
	int ret;

	if (surf_cache_key(CACHE_PREFIX, false, key, sizeof(key)))
		return read_whole(fd, size, b);
	map = surf_cache_map(cache_dir, key, &len);
	if (map && len == size && *(const uint16_t *)map == BTF_MAGIC) {
		b->map = map;
		b->data = map;
		b->size = size;
		return 0;
	}
	if (map)
		munmap(map, len);
	ret = read_whole(fd, size, b);
	if (!ret)
		surf_cache_write(cache_dir, CACHE_PREFIX, key,
				 &(struct iovec){ b->heap, size }, 1);
	return ret;
}

/*
 * Raw BTF in host order: mapped (sysfs BTF on 6.16+, or a regular file), else
 * read (or, with a cache_dir, mapped from a copy made once a boot).  -EPROTO
 * when the file is not raw host-order BTF (an ELF, or the other byte order):
 * libbpf takes those.
 */
static int blob_open_raw(struct btf_blob *b, const char *path, const char *cache_dir)
{
	struct stat st;
	uint16_t magic = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || pread(fd, &magic, sizeof(magic), 0) != sizeof(magic)) {
		ret = errno ? -errno : -EINVAL;
		goto out;
	}
	if (magic != BTF_MAGIC) {
		ret = -EPROTO;
		goto out;
	}
	if (st.st_size <= 0 || (uint64_t)st.st_size > UINT32_MAX) {
		ret = -EINVAL;
		goto out;
	}
	b->map = surf_fault(SURF_FAULT_BTF_MMAP) ? MAP_FAILED :
		 mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		ret = cache_dir ? blob_from_cache(b, fd, (size_t)st.st_size, cache_dir) :
				  read_whole(fd, (size_t)st.st_size, b);
	} else {
		b->data = b->map;
		b->size = (size_t)st.st_size;
		ret = 0;
	}
out:
	close(fd);
	return ret;
}

/* An ELF's .BTF, or BTF of the other byte order: through libbpf, in host order. */
static int blob_open_libbpf(struct btf_blob *b, const char *path, struct btf_blob *base)
{
	const void *raw;
	uint32_t size;

	if (base)
		return -EINVAL;		/* module split BTF is always raw host-order BTF */
	b->owner = btf__parse(path, NULL);
	if (!b->owner)
		return errno ? -errno : -EINVAL;
	if (btf__set_endianness(b->owner, BTF_LITTLE_ENDIAN + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)))
		return -EINVAL;
	raw = btf__raw_data(b->owner, &size);
	if (!raw)
		return -ENOMEM;
	b->data = raw;
	b->size = size;
	return 0;
}

static int blob_open(struct btf_blob *b, const char *path, struct btf_blob *base,
		     const char *cache_dir)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->base = base;
	b->first_id = 1;
	/* The base's type count is known once it is indexed: blob_index() sets first_id. */
	if (base)
		b->first_str = base->strs_len;
	ret = blob_open_raw(b, path, cache_dir);
	if (ret == -EPROTO)
		ret = blob_open_libbpf(b, path, base);
	if (!ret) {
		ret = blob_sections(b);
		if (ret)
			surf_pr_warn("%s: not valid BTF (its header or sections are out of bounds)\n",
				     path);
	}
	if (ret)
		blob_clear(b);
	return ret;
}

/* --- the view: surf_typeview_ops over a blob ------------------------------------------------ */

static int int_type(const struct btf_type *t, struct surf_type *out)
{
	uint32_t enc = btf_int_encoding(t);

	out->kind = SURF_TYPE_INT;
	out->size = t->size;
	out->is_signed = enc & BTF_INT_SIGNED;
	out->is_char = (enc & BTF_INT_CHAR) || (out->name && strstr(out->name, "char"));
	return 0;
}

static int btf_raw(struct surf_typeview *view, uint64_t id, struct surf_type *out)
{
	struct btf_blob *b = view_blob(view);
	const struct btf_type *t;

	memset(out, 0, sizeof(*out));
	if (id == 0) {
		out->kind = SURF_TYPE_VOID;
		out->name = "void";
		return 0;
	}
	if (id > UINT32_MAX)
		return -EINVAL;
	t = type_by_id(b, id);
	if (!t)
		return b->index_err ? b->index_err : -ENOENT;
	out->name = name_at(b, t->name_off);

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return int_type(t, out);
	case BTF_KIND_FLOAT:
		out->kind = SURF_TYPE_FLOAT;
		out->size = t->size;
		return 0;
	case BTF_KIND_PTR:
		out->kind = SURF_TYPE_PTR;
		out->size = sizeof(void *);
		out->ref = t->type;
		return 0;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		long esz = resolve_size(b, a->type);

		out->kind = SURF_TYPE_ARRAY;
		out->ref = a->type;
		out->nelems = a->nelems;
		out->size = esz > 0 ? (uint64_t)esz * a->nelems : 0;
		return 0;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		out->kind = btf_is_struct(t) ? SURF_TYPE_STRUCT : SURF_TYPE_UNION;
		out->size = t->size;
		out->vlen = btf_vlen(t);
		return 0;
	case BTF_KIND_FWD:
		out->kind = btf_kflag(t) ? SURF_TYPE_UNION : SURF_TYPE_STRUCT;
		return 0;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		out->kind = SURF_TYPE_ENUM;
		out->size = t->size;
		out->vlen = btf_vlen(t);
		out->is_signed = btf_kflag(t);
		return 0;
	case BTF_KIND_FUNC:
		/* A function is its prototype; a FUNC pointing at a FUNC would not end. */
		if (t->type == id)
			return -ELOOP;
		return btf_raw(view, t->type, out);
	case BTF_KIND_FUNC_PROTO:
		out->kind = SURF_TYPE_FUNC;
		out->ref = t->type;
		out->vlen = btf_vlen(t);
		/* A trailing unnamed void parameter marks a variadic function. */
		if (out->vlen && btf_params(t)[out->vlen - 1].type == 0)
			out->vlen--;
		return 0;
	case BTF_KIND_TYPEDEF:
		out->kind = (enum surf_type_kind)SURF_RAW_TYPEDEF;
		out->ref = t->type;
		return 0;
	case BTF_KIND_CONST:
		out->kind = (enum surf_type_kind)SURF_RAW_CONST;
		out->ref = t->type;
		return 0;
	case BTF_KIND_VOLATILE:
		out->kind = (enum surf_type_kind)SURF_RAW_VOLATILE;
		out->ref = t->type;
		return 0;
	case BTF_KIND_RESTRICT:
		out->kind = (enum surf_type_kind)SURF_RAW_RESTRICT;
		out->ref = t->type;
		return 0;
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_VAR:
		out->kind = (enum surf_type_kind)SURF_RAW_SKIP;
		out->ref = t->type;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int btf_member_op(struct surf_typeview *view, uint64_t id, uint32_t idx,
			 struct surf_member *out)
{
	struct btf_blob *b = view_blob(view);
	const struct btf_type *t = type_by_id(b, id);
	const struct btf_member *m;

	if (!t || !btf_is_composite(t))
		return -EINVAL;
	if (idx >= btf_vlen(t))
		return -ERANGE;
	m = btf_members(t) + idx;
	out->name = name_at(b, m->name_off);
	out->type = m->type;
	/* kflag structs pack the bitfield size into offset: use libbpf's decoders. */
	out->bit_offset = btf_member_bit_offset(t, idx);
	out->bitfield_size = btf_member_bitfield_size(t, idx);
	return 0;
}

static int btf_param_op(struct surf_typeview *view, uint64_t proto, uint32_t idx,
			struct surf_param *out)
{
	struct btf_blob *b = view_blob(view);
	const struct btf_type *t = type_by_id(b, proto);
	const struct btf_param *p;

	if (t && btf_is_func(t))
		t = type_by_id(b, t->type);
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	if (idx >= btf_vlen(t))
		return -ERANGE;
	p = btf_params(t) + idx;
	out->name = name_at(b, p->name_off);
	out->type = p->type;
	return 0;
}

static int btf_find_type_op(struct surf_typeview *view, const char *name,
			    enum surf_type_kind kind, uint64_t *id)
{
	static const int any_kinds[] = { BTF_KIND_TYPEDEF, BTF_KIND_INT, BTF_KIND_FLOAT,
					 BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_ENUM,
					 BTF_KIND_ENUM64 };
	struct btf_blob *b = view_blob(view);
	int btf_kinds[2] = { -1, -1 };
	const int *kinds = btf_kinds;
	size_t nkinds = 1;
	int ret;

	switch (kind) {
	case SURF_TYPE_STRUCT:
		btf_kinds[0] = BTF_KIND_STRUCT;
		break;
	case SURF_TYPE_UNION:
		btf_kinds[0] = BTF_KIND_UNION;
		break;
	case SURF_TYPE_ENUM:
		btf_kinds[0] = BTF_KIND_ENUM;
		btf_kinds[1] = BTF_KIND_ENUM64;
		nkinds = 2;
		break;
	case SURF_TYPE_TYPEDEF:
		btf_kinds[0] = BTF_KIND_TYPEDEF;
		break;
	case SURF_TYPE_ANY:
		kinds = any_kinds;
		nkinds = sizeof(any_kinds) / sizeof(any_kinds[0]);
		break;
	default:
		return -EINVAL;
	}
	for (size_t i = 0; i < nkinds; i++) {
		ret = find_by_name_kind(b, name, kinds[i], true, id);
		if (ret != -ENOENT)
			return ret;
	}
	return -ENOENT;
}

static int btf_find_var_op(struct surf_typeview *view, const char *name, uint64_t *type)
{
	struct btf_blob *b = view_blob(view);
	uint64_t id;
	int ret = find_by_name_kind(b, name, BTF_KIND_VAR, true, &id);

	if (ret)
		return ret;
	*type = type_by_id(b, id)->type;
	return 0;
}

/* A module view looks at its own functions only: vmlinux's were searched first. */
static int btf_find_func_op(struct surf_typeview *view, const char *name, uint64_t *proto)
{
	struct btf_blob *b = view_blob(view);
	uint64_t id;
	int ret = find_by_name_kind(b, name, BTF_KIND_FUNC, false, &id);

	if (ret)
		return ret;
	*proto = type_by_id(b, id)->type;
	return 0;
}

static int btf_for_each_func_op(struct surf_typeview *view, surf_func_cb fn, void *ctx)
{
	struct btf_blob *b = view_blob(view);
	int ret = blob_index(b);

	for (uint32_t i = 0; !ret && i < b->ntypes; i++) {
		const struct btf_type *t = (const void *)(b->types + b->offs[i]);
		const char *name;

		if (!btf_is_func(t) || !(name = name_at(b, t->name_off)))
			continue;
		ret = fn(ctx, view, name, t->type);
	}
	return ret;
}

static int btf_for_each_type_name_op(struct surf_typeview *view, enum surf_type_kind kind,
				     int (*fn)(void *ctx, const char *name), void *ctx)
{
	struct btf_blob *b = view_blob(view);
	int want = kind == SURF_TYPE_UNION ? BTF_KIND_UNION : BTF_KIND_STRUCT;
	int ret = blob_index(b);

	for (uint32_t i = 0; !ret && i < b->ntypes; i++) {
		const struct btf_type *t = (const void *)(b->types + b->offs[i]);
		const char *name;

		if (btf_kind(t) != want || !(name = name_at(b, t->name_off)))
			continue;
		ret = fn(ctx, name);
	}
	return ret;
}

static void btf_destroy_op(struct surf_typeview *view)
{
	struct btf_view *bv = (struct btf_view *)view;

	blob_clear(&bv->blob);
	free(bv->module);
	free(bv);
}

static const struct surf_typeview_ops btf_ops = {
	.raw = btf_raw,
	.member = btf_member_op,
	.param = btf_param_op,
	.find_type = btf_find_type_op,
	.find_var = btf_find_var_op,
	.find_func = btf_find_func_op,
	.for_each_func = btf_for_each_func_op,
	.for_each_type_name = btf_for_each_type_name_op,
	.destroy = btf_destroy_op,
};

static int view_open(struct surf_typeview **out, const char *path, struct btf_blob *base,
		     const char *module, const char *cache_dir)
{
	struct btf_view *bv = calloc(1, sizeof(*bv));
	int ret;

	if (!bv)
		return -ENOMEM;
	ret = blob_open(&bv->blob, path, base, cache_dir);
	if (!ret && module && !(bv->module = strdup(module)))
		ret = -ENOMEM;
	if (ret) {
		blob_clear(&bv->blob);
		free(bv);
		return ret;
	}
	bv->view.ops = &btf_ops;
	bv->view.module = bv->module;
	*out = &bv->view;
	return 0;
}

int surf_btf_view_for_each_enumerator(struct surf_typeview *view,
				      int (*fn)(void *ctx, const char *name, int64_t value),
				      void *ctx)
{
	struct btf_blob *b = view_blob(view);
	int ret = blob_index(b);

	for (uint32_t i = 0; !ret && i < b->ntypes; i++) {
		const struct btf_type *t = (const void *)(b->types + b->offs[i]);
		uint16_t vlen = btf_vlen(t);

		for (uint16_t k = 0; !ret && btf_is_enum(t) && k < vlen; k++) {
			const struct btf_enum *en = btf_enum(t) + k;
			const char *name = name_at(b, en->name_off);

			/* kflag: signed values; else the u32 is unsigned. */
			if (name)
				ret = fn(ctx, name, btf_kflag(t) ? (int64_t)en->val :
								   (int64_t)(uint32_t)en->val);
		}
		for (uint16_t k = 0; !ret && btf_is_enum64(t) && k < vlen; k++) {
			const struct btf_enum64 *en = btf_enum64(t) + k;
			const char *name = name_at(b, en->name_off);

			if (name)
				ret = fn(ctx, name, (int64_t)btf_enum64_value(en));
		}
	}
	return ret;
}

int surf_btf_view_open_file(struct surf_typeview **out, const char *path)
{
	return view_open(out, path, NULL, NULL, NULL);
}

int surf_btf_view_open_vmlinux(struct surf_typeview **out, const char *sysfs_dir,
			       const char *cache_dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/vmlinux", sysfs_dir);
	return view_open(out, path, NULL, NULL, cache_dir);
}

int surf_btf_view_open_module(struct surf_typeview **out, struct surf_typeview *base,
			      const char *sysfs_dir, const char *module)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", sysfs_dir, module);
	return view_open(out, path, view_blob(base), module, NULL);
}

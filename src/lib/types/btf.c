// SPDX-License-Identifier: MIT
/*
 * BTF back end over libbpf: the running kernel (/sys/kernel/btf/vmlinux and
 * module split BTF), or a BTF file (raw, or an ELF with a .BTF section).
 *
 * Type ids are BTF type ids.  libbpf's btf__find_by_name_kind() scans every
 * type linearly, which is fine for the handful of lookups one command line
 * makes; the name index is built only when many lookups are expected.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "types/provider.h"

struct btf_view {
	struct surf_typeview view;
	struct btf *btf;
	bool owns_btf;
	char *module;
};

static struct btf *view_btf(struct surf_typeview *view)
{
	return ((struct btf_view *)view)->btf;
}

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
	struct btf *btf = view_btf(view);
	const struct btf_type *t;

	memset(out, 0, sizeof(*out));
	if (id == 0) {
		out->kind = SURF_TYPE_VOID;
		out->name = "void";
		return 0;
	}
	if (id > UINT32_MAX)
		return -EINVAL;
	t = btf__type_by_id(btf, (uint32_t)id);
	if (!t)
		return -ENOENT;
	out->name = btf__name_by_offset(btf, t->name_off);
	if (out->name && !*out->name)
		out->name = NULL;

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
		long esz = btf__resolve_size(btf, a->type);

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
	struct btf *btf = view_btf(view);
	const struct btf_type *t = btf__type_by_id(btf, (uint32_t)id);
	const struct btf_member *m;

	if (!t || !btf_is_composite(t))
		return -EINVAL;
	if (idx >= btf_vlen(t))
		return -ERANGE;
	m = btf_members(t) + idx;
	out->name = btf__name_by_offset(btf, m->name_off);
	if (out->name && !*out->name)
		out->name = NULL;
	out->type = m->type;
	/* kflag structs pack the bitfield size into offset: use libbpf's decoders. */
	out->bit_offset = btf_member_bit_offset(t, idx);
	out->bitfield_size = btf_member_bitfield_size(t, idx);
	return 0;
}

static int btf_param_op(struct surf_typeview *view, uint64_t proto, uint32_t idx,
			struct surf_param *out)
{
	struct btf *btf = view_btf(view);
	const struct btf_type *t = btf__type_by_id(btf, (uint32_t)proto);
	const struct btf_param *p;

	if (t && btf_is_func(t))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	if (idx >= btf_vlen(t))
		return -ERANGE;
	p = btf_params(t) + idx;
	out->name = btf__name_by_offset(btf, p->name_off);
	if (out->name && !*out->name)
		out->name = NULL;
	out->type = p->type;
	return 0;
}

static int btf_find_type_op(struct surf_typeview *view, const char *name,
			    enum surf_type_kind kind, uint64_t *id)
{
	static const int any_kinds[] = { BTF_KIND_TYPEDEF, BTF_KIND_INT, BTF_KIND_FLOAT,
					 BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_ENUM,
					 BTF_KIND_ENUM64 };
	struct btf *btf = view_btf(view);
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
		ret = btf__find_by_name_kind(btf, name, kinds[i]);
		if (ret > 0) {
			*id = (uint64_t)ret;
			return 0;
		}
	}
	return -ENOENT;
}

static int btf_find_var_op(struct surf_typeview *view, const char *name, uint64_t *type)
{
	struct btf *btf = view_btf(view);
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_VAR);
	const struct btf_type *t;

	if (id <= 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	*type = t->type;
	return 0;
}

static int btf_find_func_op(struct surf_typeview *view, const char *name, uint64_t *proto)
{
	struct btf *btf = view_btf(view);
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);

	if (id <= 0)
		return -ENOENT;
	*proto = btf__type_by_id(btf, id)->type;
	return 0;
}

/* Only the types this view adds: a module view does not repeat vmlinux. */
static uint32_t first_own_id(struct btf *btf)
{
	const struct btf *base = btf__base_btf(btf);

	return base ? btf__type_cnt(base) : 1;
}

static int btf_for_each_func_op(struct surf_typeview *view, surf_func_cb fn, void *ctx)
{
	struct btf *btf = view_btf(view);
	uint32_t n = btf__type_cnt(btf);
	int ret;

	for (uint32_t id = first_own_id(btf); id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!btf_is_func(t))
			continue;
		ret = fn(ctx, view, btf__name_by_offset(btf, t->name_off), t->type);
		if (ret)
			return ret;
	}
	return 0;
}

static int btf_for_each_type_name_op(struct surf_typeview *view, enum surf_type_kind kind,
				     int (*fn)(void *ctx, const char *name), void *ctx)
{
	struct btf *btf = view_btf(view);
	uint32_t n = btf__type_cnt(btf);
	int want = kind == SURF_TYPE_UNION ? BTF_KIND_UNION : BTF_KIND_STRUCT;
	int ret;

	for (uint32_t id = first_own_id(btf); id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_kind(t) != want || !t->name_off)
			continue;
		ret = fn(ctx, btf__name_by_offset(btf, t->name_off));
		if (ret)
			return ret;
	}
	return 0;
}

static void btf_destroy_op(struct surf_typeview *view)
{
	struct btf_view *bv = (struct btf_view *)view;

	if (bv->owns_btf)
		btf__free(bv->btf);
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

static int wrap(struct surf_typeview **out, struct btf *btf, const char *module)
{
	struct btf_view *bv = calloc(1, sizeof(*bv));

	if (!bv) {
		btf__free(btf);
		return -ENOMEM;
	}
	bv->view.ops = &btf_ops;
	bv->btf = btf;
	bv->owns_btf = true;
	if (module) {
		bv->module = strdup(module);
		bv->view.module = bv->module;
	}
	*out = &bv->view;
	return 0;
}

int surf_btf_view_open_file(struct surf_typeview **out, const char *path)
{
	struct btf *btf = btf__parse(path, NULL);

	if (!btf)
		return errno ? -errno : -EINVAL;
	return wrap(out, btf, NULL);
}

int surf_btf_view_open_vmlinux(struct surf_typeview **out, const char *sysfs_dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/vmlinux", sysfs_dir);
	return surf_btf_view_open_file(out, path);
}

int surf_btf_view_open_module(struct surf_typeview **out, struct surf_typeview *base,
			      const char *sysfs_dir, const char *module)
{
	char path[PATH_MAX];
	struct btf *btf;

	snprintf(path, sizeof(path), "%s/%s", sysfs_dir, module);
	btf = btf__parse_split(path, view_btf(base));
	if (!btf)
		return errno ? -errno : -EINVAL;
	return wrap(out, btf, module);
}

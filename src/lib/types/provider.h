/* SPDX-License-Identifier: MIT */
/*
 * The back-end side of surf/types.h: each type source (BTF, DWARF) fills a
 * struct surf_typeview with these operations.  The generic layer (types.c)
 * builds peeling, member search and C spelling on top of them, so a back end
 * only answers "what is id N" questions.
 */
#ifndef SURF_TYPES_PROVIDER_H
#define SURF_TYPES_PROVIDER_H

#include <surf/types.h>

/* Kinds a back end reports from ->raw() on top of enum surf_type_kind. */
enum surf_raw_kind {
	SURF_RAW_TYPEDEF = 100,	/* name, ref */
	SURF_RAW_CONST,		/* ref */
	SURF_RAW_VOLATILE,	/* ref */
	SURF_RAW_RESTRICT,	/* ref */
	SURF_RAW_SKIP,		/* a wrapper with no C spelling (BTF type tags): ref */
};

struct surf_typeview_ops {
	/*
	 * Describe id without peeling: either a full struct surf_type (kind <
	 * SURF_RAW_TYPEDEF) or a wrapper (kind >= SURF_RAW_TYPEDEF, with name and ref).
	 */
	int (*raw)(struct surf_typeview *view, uint64_t id, struct surf_type *out);
	int (*member)(struct surf_typeview *view, uint64_t id, uint32_t idx,
		      struct surf_member *out);
	int (*param)(struct surf_typeview *view, uint64_t proto, uint32_t idx,
		     struct surf_param *out);
	int (*find_type)(struct surf_typeview *view, const char *name,
			 enum surf_type_kind kind, uint64_t *id);
	int (*find_var)(struct surf_typeview *view, const char *name, uint64_t *type);
	int (*find_func)(struct surf_typeview *view, const char *name, uint64_t *proto);
	/* The function whose code starts at vaddr (NULL: the source has no addresses). */
	int (*find_func_at)(struct surf_typeview *view, const char *name, uint64_t vaddr,
			    uint64_t *proto);
	int (*for_each_func)(struct surf_typeview *view, surf_func_cb fn, void *ctx);
	int (*for_each_type_name)(struct surf_typeview *view, enum surf_type_kind kind,
				  int (*fn)(void *ctx, const char *name), void *ctx);
	void (*destroy)(struct surf_typeview *view);
};

struct surf_typeview {
	const struct surf_typeview_ops *ops;
	const char *module;	/* NULL for the main view */
};

/* Back ends.  Each returns 0 and a new view, or a negative errno. */
int surf_btf_view_open_vmlinux(struct surf_typeview **out, const char *sysfs_dir,
			       const char *cache_dir);
int surf_btf_view_open_file(struct surf_typeview **out, const char *path);
int surf_btf_view_open_module(struct surf_typeview **out, struct surf_typeview *base,
			      const char *sysfs_dir, const char *module);
/*
 * Every enumerator of a BTF view's own enums (ENUM and ENUM64), in type
 * order; names stay valid while the view is open.  Stops at fn's first
 * non-zero return and returns it.
 */
int surf_btf_view_for_each_enumerator(struct surf_typeview *view,
				      int (*fn)(void *ctx, const char *name, int64_t value),
				      void *ctx);
/* -ENODATA when the file has no DWARF. */
int surf_dwarf_view_open(struct surf_typeview **out, const char *path);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * surf/types.h - one interface over the type information of a kernel or a
 * program: BTF (the running kernel, its modules, or a file) and DWARF.
 *
 * A "type source" (struct surf_types) is what the user chose with -d/-v, or the
 * running kernel by default.  Lookups hand back a "view" (struct surf_typeview):
 * one namespace of type ids in which every id of an answer stays valid.  For the
 * kernel this matters because a module's split BTF extends vmlinux's ids; a
 * probe on a module function is compiled entirely inside that module's view.
 *
 * All functions return 0 or a negative errno and never print.
 */
#ifndef SURF_TYPES_H
#define SURF_TYPES_H

#include "surf/api.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum surf_type_kind {
	SURF_TYPE_VOID,
	SURF_TYPE_INT,		/* integers, char, bool */
	SURF_TYPE_FLOAT,
	SURF_TYPE_PTR,
	SURF_TYPE_ARRAY,
	SURF_TYPE_STRUCT,
	SURF_TYPE_UNION,
	SURF_TYPE_ENUM,
	SURF_TYPE_FUNC,		/* a function prototype */
	SURF_TYPE_TYPEDEF,	/* only in lookups by name (kind filter) */
	SURF_TYPE_ANY,		/* lookup filter: any kind */
};

/*
 * A type with typedefs and qualifiers (const, volatile, restrict, type tags)
 * peeled off.  Strings point into the type source and live as long as it.
 */
struct surf_type {
	enum surf_type_kind kind;
	const char *name;	/* "task_struct", "int", NULL when anonymous */
	uint64_t size;		/* bytes; 0 for void, functions, incomplete types */
	uint64_t ref;		/* PTR: pointee, ARRAY: element, FUNC: return type */
	uint32_t nelems;	/* ARRAY: element count (0: flexible) */
	uint32_t vlen;		/* STRUCT/UNION: members, FUNC: parameters, ENUM: values */
	bool is_signed;		/* INT, ENUM */
	bool is_char;		/* INT: a character type (char, signed/unsigned char) */
};

struct surf_member {
	const char *name;	/* NULL for an anonymous struct/union member */
	uint64_t type;
	uint64_t bit_offset;	/* from the start of the enclosing struct */
	uint32_t bitfield_size;	/* 0 when the member is not a bitfield */
};

struct surf_param {
	const char *name;	/* may be NULL */
	uint64_t type;
};

struct surf_typeview;

/* What a type source is built from; fields left zero take the defaults. */
struct surf_types_opts {
	size_t sz;			/* sizeof(struct surf_types_opts) */
	const char *btf_path;		/* -d: raw BTF or an ELF with .BTF */
	const char *vmlinux_path;	/* -v: vmlinux ELF, .BTF or else DWARF */
	const char *elf_path;		/* a user binary: DWARF (uprobes) */
	const char *sysfs_btf_dir;	/* default /sys/kernel/btf */
	bool no_modules;		/* do not look in module BTF */
	/*
	 * Kernels before 6.16 cannot map /sys/kernel/btf/vmlinux: it is read
	 * 4 KiB a call (~1,350 reads, ~9 ms).  Given a directory, a copy is
	 * kept there per kernel release and boot and mapped by later runs.
	 */
	const char *cache_dir;
	/*
	 * Where to look for this kernel's BTF when sysfs has none (a kernel
	 * built without CONFIG_DEBUG_INFO_BTF): colon-separated directories,
	 * see surf_btf_db__find.  NULL: SURF_BTF_DB_DIRS.
	 */
	const char *btf_db_dirs;
	/*
	 * Modules without BTF: colon-separated .ko files whose DWARF gives
	 * their functions' types.  Loaded modules without BTF are also looked
	 * for under /lib/modules/RELEASE.
	 */
	const char *module_paths;
};

/* The type database's default directories. */
#define SURF_BTF_DB_DIRS "/usr/lib/surftrace/btf:/var/lib/surftrace/btf"

/*
 * This kernel's BTF file in dirs (colon-separated; NULL: SURF_BTF_DB_DIRS)
 * for release (NULL: uname -r): the first of DIR/RELEASE.btf, DIR/RELEASE
 * and BTFHub's layout DIR/ID/VERSION_ID/ARCH/RELEASE.btf (ID and VERSION_ID
 * of /etc/os-release, ARCH as uname says but arm64 for aarch64).  0 and
 * path, or -ENOENT and in looked (when not NULL) every path tried.
 */
SURF_API int surf_btf_db__find(const char *dirs, const char *release, char *path, size_t len,
			       char *looked, size_t looked_len);

struct surf_types;

SURF_API int surf_types__open(struct surf_types **out, const struct surf_types_opts *opts);
SURF_API void surf_types__close(struct surf_types *types);
/* A human description of where the types come from, e.g. "BTF /sys/kernel/btf/vmlinux". */
SURF_API const char *surf_types__describe(const struct surf_types *types);

/* The main view: vmlinux, the -d file, or the program. */
SURF_API struct surf_typeview *surf_types__main_view(struct surf_types *types);

/*
 * Find a function by name; on success *view is the view holding it (vmlinux or a
 * module) and *proto is its SURF_TYPE_FUNC prototype.  -ENOENT when unknown.
 * In a user binary (elf_path) the name is a symbol of its ELF, "name@VERSION"
 * allowed, and the prototype that of the function at the symbol's address,
 * whichever alias it was defined under.
 */
SURF_API int surf_types__find_func(struct surf_types *types, const char *name,
			  struct surf_typeview **view, uint64_t *proto);

/* Name of the module a view belongs to, NULL for the main view. */
SURF_API const char *surf_typeview__module(const struct surf_typeview *view);

SURF_API int surf_typeview__type(struct surf_typeview *view, uint64_t id, struct surf_type *out);
SURF_API int surf_typeview__member(struct surf_typeview *view, uint64_t id, uint32_t idx,
			  struct surf_member *out);
SURF_API int surf_typeview__param(struct surf_typeview *view, uint64_t proto, uint32_t idx,
			 struct surf_param *out);
/*
 * Find a named type.  For STRUCT/UNION/ENUM the name is the tag without its
 * keyword ("task_struct"); for SURF_TYPE_ANY a typedef or base type name ("u64",
 * "unsigned int").  The id found is not peeled: pass it to surf_typeview__type.
 */
SURF_API int surf_typeview__find_type(struct surf_typeview *view, const char *name,
			     enum surf_type_kind kind, uint64_t *id);
/* The type of a global variable, when the source describes it. */
SURF_API int surf_typeview__find_var(struct surf_typeview *view, const char *name, uint64_t *type);

/* Call fn for each function; stop early when it returns non-zero (and return that). */
typedef int (*surf_func_cb)(void *ctx, struct surf_typeview *view, const char *name,
			    uint64_t proto);
SURF_API int surf_types__for_each_func(struct surf_types *types, surf_func_cb fn, void *ctx);
/* Call fn for each named struct/union of the main view. */
SURF_API int surf_typeview__for_each_type_name(struct surf_typeview *view, enum surf_type_kind kind,
				      int (*fn)(void *ctx, const char *name), void *ctx);

/*
 * C spelling of a type, e.g. "struct task_struct *", "char[16]", into buf.
 * With a declarator name: "char comm[16]", "int (*fn)(int)".  Returns the
 * length that was needed (like snprintf) or a negative errno.
 */
SURF_API int surf_typeview__type_str(struct surf_typeview *view, uint64_t id, const char *decl,
			    char *buf, size_t len);

/*
 * Find a member by name in a struct/union, descending into anonymous members.
 * On success *out has bit_offset relative to the outer type.
 */
SURF_API int surf_typeview__find_member(struct surf_typeview *view, uint64_t id, const char *name,
			       struct surf_member *out);

/*
 * Listings for `surftrace -l`: prototypes of the functions whose names match
 * a shell glob, and a struct/union laid out with offsets and sizes (as pahole
 * does).  Return the number of items printed or a negative errno.
 */
SURF_API int surf_types__print_funcs(struct surf_types *types, const char *glob, FILE *out);
SURF_API int surf_typeview__print_struct(struct surf_typeview *view, enum surf_type_kind kind,
				const char *name, FILE *out);

#ifdef __cplusplus
}
#endif
#endif

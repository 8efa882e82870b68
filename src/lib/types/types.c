// SPDX-License-Identifier: MIT
/*
 * The generic side of surf/types.h: choosing the back end, module lookup,
 * peeling typedefs and qualifiers, member search through anonymous members,
 * and spelling types the way C does.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include <surf/elf.h>

#include "sys/opts.h"
#include "sys/log.h"
#include "elf/debuginfo.h"
#include "types/provider.h"

#define DEFAULT_SYSFS_BTF "/sys/kernel/btf"
#define MAX_MODULE_VIEWS 1024

struct surf_types {
	struct surf_typeview *main;
	struct surf_typeview *modules[MAX_MODULE_VIEWS];
	int nmodules;
	bool kernel;		/* the running kernel: modules may be searched */
	bool running;		/* this kernel's types (sysfs or the type db): a module
				 * without BTF may be read from its .ko's DWARF */
	char *module_paths;	/* opts.module_paths */
	char *module_names[MAX_MODULE_VIEWS];	/* of DWARF module views */
	bool modules_scanned;
	char *binary;		/* a user binary: its ELF symbols name its functions */
	char sysfs_dir[256];
	char describe[512];
};

static int open_vmlinux_path(struct surf_types *types, const char *path)
{
	int ret = surf_btf_view_open_file(&types->main, path);

	if (ret == 0) {
		snprintf(types->describe, sizeof(types->describe), "BTF in %s", path);
		return 0;
	}
	/* No .BTF section: the vmlinux may still carry DWARF. */
	ret = surf_dwarf_view_open(&types->main, path);
	if (ret == 0)
		snprintf(types->describe, sizeof(types->describe), "DWARF in %s", path);
	return ret;
}

int surf_types__open(struct surf_types **out, const struct surf_types_opts *opts)
{
	struct surf_types_opts o;
	struct surf_types *types;
	const char *sysfs = DEFAULT_SYSFS_BTF;
	int ret;

	surf_libbpf_hook();	/* libbpf speaks through our callback */
	if (!OPTS_VALID(opts, struct surf_types_opts))
		return -EINVAL;
	OPTS_COPY(&o, opts);
	types = calloc(1, sizeof(*types));
	if (!types)
		return -ENOMEM;
	if (o.sysfs_btf_dir)
		sysfs = o.sysfs_btf_dir;
	snprintf(types->sysfs_dir, sizeof(types->sysfs_dir), "%s", sysfs);

	if (o.btf_path) {
		ret = surf_btf_view_open_file(&types->main, o.btf_path);
		snprintf(types->describe, sizeof(types->describe), "BTF in %s", o.btf_path);
	} else if (o.vmlinux_path) {
		ret = open_vmlinux_path(types, o.vmlinux_path);
	} else if (o.elf_path) {
		char debug[4096];

		types->binary = strdup(o.elf_path);
		if (!types->binary) {
			free(types);
			return -ENOMEM;
		}
		ret = surf_dwarf_view_open(&types->main, o.elf_path);
		snprintf(types->describe, sizeof(types->describe), "DWARF in %s", o.elf_path);
		/* A stripped binary: its DWARF may be in a separate debug file. */
		if (ret == -ENODATA &&
		    !surf_debuginfo_find(o.elf_path, debug, sizeof(debug)) &&
		    !surf_dwarf_view_open(&types->main, debug)) {
			ret = 0;
			snprintf(types->describe, sizeof(types->describe), "DWARF in %.240s (for %.240s)",
				 debug, o.elf_path);
		}
	} else {
		char db[4096], vmlinux[4096];

		ret = surf_btf_view_open_vmlinux(&types->main, sysfs, o.cache_dir);
		snprintf(types->describe, sizeof(types->describe), "BTF in %s/vmlinux", sysfs);
		types->kernel = !o.no_modules;
		snprintf(vmlinux, sizeof(vmlinux), "%s/vmlinux", sysfs);
		/* No BTF from the kernel itself: the type database's file for it. */
		if (ret == -ENOENT && access(vmlinux, F_OK) &&
		    !surf_btf_db__find(o.btf_db_dirs, NULL, db, sizeof(db), NULL, 0)) {
			ret = surf_btf_view_open_file(&types->main, db);
			snprintf(types->describe, sizeof(types->describe), "BTF in %.480s (type db)", db);
			types->kernel = false;
		}
		types->running = !ret && !o.no_modules;
	}
	if (!ret && o.module_paths && !(types->module_paths = strdup(o.module_paths)))
		ret = -ENOMEM;
	if (ret) {
		if (types->main && ret == -ENOMEM)
			types->main->ops->destroy(types->main);
		free(types->binary);
		free(types);
		return ret;
	}
	*out = types;
	return 0;
}

void surf_types__close(struct surf_types *types)
{
	if (!types)
		return;
	for (int i = 0; i < types->nmodules; i++) {
		types->modules[i]->ops->destroy(types->modules[i]);
		free(types->module_names[i]);
	}
	types->main->ops->destroy(types->main);
	free(types->binary);
	free(types->module_paths);
	free(types);
}

const char *surf_types__describe(const struct surf_types *types)
{
	return types->describe;
}

struct surf_typeview *surf_types__main_view(struct surf_types *types)
{
	return types->main;
}

const char *surf_typeview__module(const struct surf_typeview *view)
{
	return view->module;
}

static struct surf_typeview *module_view(struct surf_types *types, const char *module)
{
	struct surf_typeview *view;

	for (int i = 0; i < types->nmodules; i++)
		if (!strcmp(types->modules[i]->module, module))
			return types->modules[i];
	if (types->nmodules == MAX_MODULE_VIEWS)
		return NULL;
	if (surf_btf_view_open_module(&view, types->main, types->sysfs_dir, module))
		return NULL;
	types->modules[types->nmodules++] = view;
	return view;
}

/*
 * A function not in vmlinux: look in each module's split BTF.  Each is small
 * and parsed on demand; this costs less than reading /proc/kallsyms (~35 ms
 * on a 6.18 kernel) to learn the module first, and works when it is hidden.
 */
static int find_in_modules(struct surf_types *types, const char *name,
			   struct surf_typeview **view, uint64_t *proto)
{
	struct surf_typeview *v;
	struct dirent *de;
	DIR *dir;

	dir = opendir(types->sysfs_dir);
	if (!dir)
		return -ENOENT;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		v = module_view(types, de->d_name);
		if (v && v->ops->find_func(v, name, proto) == 0) {
			*view = v;
			closedir(dir);
			return 0;
		}
	}
	closedir(dir);
	return -ENOENT;
}

/* A module's DWARF view of the .ko at path, kept under the module's name. */
static struct surf_typeview *module_dwarf_view(struct surf_types *types, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct surf_typeview *view;
	char name[256];

	/* the kernel names a module with '_' where its file may say '-' */
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(base, "."), base);
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	for (int i = 0; i < types->nmodules; i++)
		if (!strcmp(types->modules[i]->module ? types->modules[i]->module : "", name))
			return types->modules[i];
	if (types->nmodules == MAX_MODULE_VIEWS || surf_dwarf_view_open(&view, path))
		return NULL;
	types->module_names[types->nmodules] = strdup(name);
	if (!types->module_names[types->nmodules]) {
		view->ops->destroy(view);
		return NULL;
	}
	view->module = types->module_names[types->nmodules];
	types->modules[types->nmodules++] = view;
	return view;
}

/* NAME.ko (or NAME with '-' for '_') under dir, depth-first; 0 and path. */
static int find_ko(const char *dir, const char *name, char *path, size_t len, int depth)
{
	struct dirent *de;
	DIR *d;
	int ret = -ENOENT;

	if (depth > 6 || !(d = opendir(dir)))
		return -ENOENT;
	while (ret && (de = readdir(d))) {
		char sub[4096], alt[256];
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR) {
			ret = find_ko(sub, name, path, len, depth + 1);
			continue;
		}
		if (n < 4 || strcmp(de->d_name + n - 3, ".ko"))
			continue;
		snprintf(alt, sizeof(alt), "%.*s", (int)(n - 3), de->d_name);
		for (char *p = alt; *p; p++)
			if (*p == '-')
				*p = '_';
		if (!strcmp(alt, name) && strlen(sub) < len) {
			strcpy(path, sub);
			ret = 0;
		}
	}
	closedir(d);
	return ret;
}

/*
 * A function of a module without BTF (an out-of-tree module built without
 * it): from the DWARF of the .ko files given (opts.module_paths), then,
 * when the types are the running kernel's, of each loaded module that has
 * no BTF, its .ko found under /lib/modules/RELEASE (uncompressed files only).
 */
static int find_in_module_dwarf(struct surf_types *types, const char *name,
				struct surf_typeview **view, uint64_t *proto)
{
	char modules[4096], btf[600], init[600], path[4096];
	struct surf_typeview *v;
	struct utsname u;
	struct dirent *de;
	DIR *dir;

	for (const char *p = types->module_paths; p && *p; p += strcspn(p, ":"), p += *p == ':') {
		snprintf(path, sizeof(path), "%.*s", (int)strcspn(p, ":"), p);
		v = *path ? module_dwarf_view(types, path) : NULL;
		if (v && v->ops->find_func(v, name, proto) == 0) {
			*view = v;
			return 0;
		}
	}
	/* loaded modules are this kernel's: not for another kernel's types */
	if (!types->running || uname(&u) || !(dir = opendir("/sys/module")))
		return -ENOENT;
	snprintf(modules, sizeof(modules), "/lib/modules/%s", u.release);
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(btf, sizeof(btf), "%s/%s", types->sysfs_dir, de->d_name);
		snprintf(init, sizeof(init), "/sys/module/%s/initstate", de->d_name);
		/* loaded (built-in ones have no initstate), without BTF of its own */
		if (access(init, F_OK) || !access(btf, F_OK) ||
		    find_ko(modules, de->d_name, path, sizeof(path), 0))
			continue;
		v = module_dwarf_view(types, path);
		if (v && v->ops->find_func(v, name, proto) == 0) {
			*view = v;
			closedir(dir);
			return 0;
		}
	}
	closedir(dir);
	return -ENOENT;
}

/*
 * A function of a user binary is what its symbol's address is, whatever the
 * name: glibc defines __sleep and exports it as sleep too, and its public
 * fclose is _IO_new_fclose.  The symbol is found as a probe finds it
 * (versions, IFUNCs, a separate debug file); a name the binary has no
 * symbol for (an object file) is looked up in the DWARF by name.
 */
static int find_user_func(struct surf_types *types, const char *name, uint64_t *proto)
{
	struct surf_typeview *main = types->main;
	struct surf_elf_symbol *sym;
	char base[256];
	int ret;

	snprintf(base, sizeof(base), "%s", name);
	base[strcspn(base, "@")] = '\0';
	sym = malloc(sizeof(*sym));
	if (!sym)
		return -ENOMEM;
	ret = surf_elf__symbol_lookup(types->binary, name, sym, NULL, 0);
	if (ret)
		ret = main->ops->find_func(main, base, proto);
	else
		ret = main->ops->find_func_at(main, base, sym->vaddr, proto);
	surf_elf_symbol__clear(sym);
	free(sym);
	return ret;
}

int surf_types__find_func(struct surf_types *types, const char *name,
			  struct surf_typeview **view, uint64_t *proto)
{
	if (types->binary && types->main->ops->find_func_at) {
		int ret = find_user_func(types, name, proto);

		if (!ret)
			*view = types->main;
		return ret;
	}
	if (types->main->ops->find_func(types->main, name, proto) == 0) {
		*view = types->main;
		return 0;
	}
	if (types->kernel && !find_in_modules(types, name, view, proto))
		return 0;
	if (types->binary)
		return -ENOENT;
	return find_in_module_dwarf(types, name, view, proto);
}

struct module_func_ctx {
	surf_func_cb fn;
	void *ctx;
};

int surf_types__for_each_func(struct surf_types *types, surf_func_cb fn, void *ctx)
{
	struct dirent *de;
	DIR *dir;
	int ret;

	ret = types->main->ops->for_each_func(types->main, fn, ctx);
	if (ret || !types->kernel)
		return ret;
	dir = opendir(types->sysfs_dir);
	if (!dir)
		return 0;
	while (!ret && (de = readdir(dir))) {
		struct surf_typeview *v;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		v = module_view(types, de->d_name);
		if (v)
			ret = v->ops->for_each_func(v, fn, ctx);
	}
	closedir(dir);
	return ret;
}

int surf_typeview__for_each_type_name(struct surf_typeview *view, enum surf_type_kind kind,
				      int (*fn)(void *ctx, const char *name), void *ctx)
{
	return view->ops->for_each_type_name(view, kind, fn, ctx);
}

int surf_typeview__type(struct surf_typeview *view, uint64_t id, struct surf_type *out)
{
	/* Bounded: a malformed type graph must not loop forever. */
	for (int depth = 0; depth < 64; depth++) {
		int ret = view->ops->raw(view, id, out);

		if (ret)
			return ret;
		if ((int)out->kind < SURF_RAW_TYPEDEF)
			return 0;
		id = out->ref;
	}
	return -ELOOP;
}

int surf_typeview__member(struct surf_typeview *view, uint64_t id, uint32_t idx,
			  struct surf_member *out)
{
	struct surf_type t;
	int ret = surf_typeview__type(view, id, &t);

	if (ret)
		return ret;
	/* Members belong to the peeled struct: find its id again. */
	while (1) {
		struct surf_type raw;

		ret = view->ops->raw(view, id, &raw);
		if (ret)
			return ret;
		if ((int)raw.kind < SURF_RAW_TYPEDEF)
			break;
		id = raw.ref;
	}
	return view->ops->member(view, id, idx, out);
}

int surf_typeview__param(struct surf_typeview *view, uint64_t proto, uint32_t idx,
			 struct surf_param *out)
{
	return view->ops->param(view, proto, idx, out);
}

int surf_typeview__find_type(struct surf_typeview *view, const char *name,
			     enum surf_type_kind kind, uint64_t *id)
{
	return view->ops->find_type(view, name, kind, id);
}

int surf_typeview__find_var(struct surf_typeview *view, const char *name, uint64_t *type)
{
	return view->ops->find_var(view, name, type);
}

int surf_typeview__find_member(struct surf_typeview *view, uint64_t id, const char *name,
			       struct surf_member *out)
{
	struct surf_type t;
	struct surf_member m;
	int ret = surf_typeview__type(view, id, &t);

	if (ret)
		return ret;
	if (t.kind != SURF_TYPE_STRUCT && t.kind != SURF_TYPE_UNION)
		return -EINVAL;
	for (uint32_t i = 0; i < t.vlen; i++) {
		ret = surf_typeview__member(view, id, i, &m);
		if (ret)
			return ret;
		if (m.name) {
			if (!strcmp(m.name, name)) {
				*out = m;
				return 0;
			}
			continue;
		}
		/* An anonymous struct/union: its members are ours. */
		if (surf_typeview__find_member(view, m.type, name, out) == 0) {
			out->bit_offset += m.bit_offset;
			return 0;
		}
	}
	return -ENOENT;
}

/* --- spelling types as C does ---------------------------------------------- */

struct strbuf {
	char *buf;
	size_t len, cap;
};

static void sb_add(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);

	if (sb->len + n + 1 > sb->cap) {
		size_t cap = (sb->len + n + 1) * 2;
		char *p = realloc(sb->buf, cap);

		if (!p)
			return;
		sb->buf = p;
		sb->cap = cap;
	}
	memcpy(sb->buf + sb->len, s, n + 1);
	sb->len += n;
}

static int spell(struct surf_typeview *view, uint64_t id, const char *decl,
		 struct strbuf *out, int depth);

static int spell_params(struct surf_typeview *view, uint64_t id, const struct surf_type *t,
			struct strbuf *sb, int depth)
{
	struct surf_param p;

	sb_add(sb, "(");
	if (t->vlen == 0)
		sb_add(sb, "void");
	for (uint32_t i = 0; i < t->vlen; i++) {
		struct strbuf one = { 0 };

		if (view->ops->param(view, id, i, &p))
			break;
		if (i)
			sb_add(sb, ", ");
		spell(view, p.type, p.name ? p.name : "", &one, depth + 1);
		sb_add(sb, one.buf ? one.buf : "?");
		free(one.buf);
	}
	sb_add(sb, ")");
	return 0;
}

static void spell_base(struct strbuf *out, const char *kw, const char *name, const char *decl)
{
	if (kw) {
		sb_add(out, kw);
		sb_add(out, " ");
	}
	sb_add(out, name ? name : "{...}");
	if (*decl) {
		if (*decl != '[' && *decl != '(')
			sb_add(out, " ");
		sb_add(out, decl);
	}
}

static int spell(struct surf_typeview *view, uint64_t id, const char *decl,
		 struct strbuf *out, int depth)
{
	struct surf_type t, ref;
	struct strbuf inner = { 0 };
	char num[32];
	int ret;

	if (depth > 32)
		return -ELOOP;
	ret = view->ops->raw(view, id, &t);
	if (ret)
		return ret;
	switch ((int)t.kind) {
	case SURF_RAW_TYPEDEF:
		spell_base(out, NULL, t.name, decl);
		return 0;
	case SURF_RAW_CONST:
	case SURF_RAW_VOLATILE:
	case SURF_RAW_RESTRICT: {
		const char *q = t.kind == (enum surf_type_kind)SURF_RAW_CONST ? "const" :
				t.kind == (enum surf_type_kind)SURF_RAW_VOLATILE ? "volatile" :
										 "restrict";
		if (view->ops->raw(view, t.ref, &ref) == 0 && ref.kind == SURF_TYPE_PTR) {
			/* "char *const p": the qualifier goes with the declarator. */
			sb_add(&inner, q);
			if (*decl) {
				sb_add(&inner, " ");
				sb_add(&inner, decl);
			}
			ret = spell(view, t.ref, inner.buf, out, depth + 1);
		} else {
			sb_add(out, q);
			sb_add(out, " ");
			ret = spell(view, t.ref, decl, out, depth + 1);
		}
		free(inner.buf);
		return ret;
	}
	case SURF_RAW_SKIP:
		return spell(view, t.ref, decl, out, depth + 1);
	case SURF_TYPE_PTR:
		ret = surf_typeview__type(view, t.ref, &ref);
		if (ret == 0 && (ref.kind == SURF_TYPE_ARRAY || ref.kind == SURF_TYPE_FUNC)) {
			sb_add(&inner, "(*");
			sb_add(&inner, decl);
			sb_add(&inner, ")");
		} else {
			sb_add(&inner, "*");
			sb_add(&inner, decl);
		}
		ret = spell(view, t.ref, inner.buf, out, depth + 1);
		free(inner.buf);
		return ret;
	case SURF_TYPE_ARRAY:
		sb_add(&inner, decl);
		snprintf(num, sizeof(num), "[%u]", t.nelems);
		sb_add(&inner, t.nelems ? num : "[]");
		ret = spell(view, t.ref, inner.buf, out, depth + 1);
		free(inner.buf);
		return ret;
	case SURF_TYPE_FUNC:
		sb_add(&inner, decl);
		spell_params(view, id, &t, &inner, depth);
		ret = spell(view, t.ref, inner.buf, out, depth + 1);
		free(inner.buf);
		return ret;
	case SURF_TYPE_STRUCT:
		spell_base(out, "struct", t.name, decl);
		return 0;
	case SURF_TYPE_UNION:
		spell_base(out, "union", t.name, decl);
		return 0;
	case SURF_TYPE_ENUM:
		spell_base(out, "enum", t.name, decl);
		return 0;
	default:
		spell_base(out, NULL, t.name ? t.name : "void", decl);
		return 0;
	}
}

int surf_typeview__type_str(struct surf_typeview *view, uint64_t id, const char *decl,
			    char *buf, size_t len)
{
	struct strbuf sb = { 0 };
	int ret = spell(view, id, decl ? decl : "", &sb, 0);

	if (ret == 0) {
		ret = (int)sb.len;
		if (len)
			snprintf(buf, len, "%s", sb.buf ? sb.buf : "");
	}
	free(sb.buf);
	return ret;
}

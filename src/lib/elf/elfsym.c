// SPDX-License-Identifier: MIT
/*
 * Uprobe points: the file behind a binary name and the file offset of a
 * function symbol.  The offset is the symbol's address moved through the
 * PT_LOAD segment that holds it (value - p_vaddr + p_offset): right for PIE,
 * non-PIE and -z separate-code layouts alike, where "value - first executable
 * p_vaddr" (the original tool's formula) is not.
 *
 * A symbol is looked for in the binary's .symtab and .dynsym, then, for a
 * stripped binary, in the .symtab of its separate debug file or of its
 * MiniDebugInfo (debuginfo.c).  An address found there is the same as in the
 * binary, but only the binary's own program headers turn it into a file
 * offset: a debug file's segments need not lie where the binary's do.
 *
 * "name@VERSION" and "name@@VERSION" pick one version of a symbol (from the
 * "@" in a .symtab name, or .gnu.version for .dynsym); a bare name is the
 * default version.  Aliases (one address, several names) are one function;
 * a global function wins over static ones of the same name.
 *
 * An IFUNC (glibc's strlen, memcpy...) is a resolver that picks an
 * implementation when the program is linked at run time.  When the file is
 * loaded in this process (libc always is), dlsym() has the dynamic linker run
 * that resolver on this CPU, which gives the implementation a process on this
 * machine calls; otherwise the error lists the implementations, __NAME_*.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <surf/elf.h>

#include "elf/elfoff.h"

#include "sys/util.h"
#include "elf/debuginfo.h"

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int absolute(const char *in, char *path, size_t len)
{
	char buf[PATH_MAX];

	if (!realpath(in, buf))
		return -errno;
	snprintf(path, len, "%s", buf);
	return 0;
}

static int find_on_path(const char *bin, char *path, size_t len)
{
	const char *env = getenv("PATH");
	char dirs[4096], cand[PATH_MAX], *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s", env ? env : "/usr/local/bin:/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(cand, sizeof(cand), "%s/%s", d, bin);
		if (is_file(cand) && access(cand, X_OK) == 0)
			return absolute(cand, path, len);
	}
	return -ENOENT;
}

/* "libc" matches "libc.so.6" and "libc-2.36.so", not "libcap.so.2". */
static bool lib_matches(const char *name, const char *bin)
{
	size_t n = strlen(bin);

	if (strncmp(name, bin, n))
		return false;
	return !strncmp(name + n, ".so", 3) || name[n] == '-' || (!name[n]);
}

static int find_in_maps(const char *bin, int pid, char *path, size_t len)
{
	char maps[64], line[PATH_MAX + 256];
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "re");
	if (!f)
		return -ESRCH;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/'), *base;

		if (!p)
			continue;
		p[strcspn(p, "\n")] = '\0';
		base = strrchr(p, '/') + 1;
		if (lib_matches(base, bin)) {
			snprintf(path, len, "%s", p);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -ENOENT;
}

/*
 * The dynamic linker's cache, /etc/ld.so.cache, read in place (a library
 * never runs programs, and ldconfig -p costs two forks and 3 ms per
 * lookup).  glibc 2.32 and later write the "glibc-ld.so.cache1.1" format
 * alone; older ones put it after the old "ld.so-1.7.0" table.  Entries
 * come in ldconfig -p's order: the first of this machine's word size
 * wins, as ld.so would pick it.  String offsets count from the new
 * header.
 */
#define LD_CACHE_MAGIC_OLD "ld.so-1.7.0"
#define LD_CACHE_MAGIC_NEW "glibc-ld.so.cache1.1"
#define LD_CACHE_NEW_HEADER 48	/* magic 20, nlibs, len_strings, flags 4, extension, unused 12 */
#define LD_CACHE_NEW_ENTRY 24	/* flags, key, value, osversion, hwcap (u64) */
#define LD_CACHE_OLD_ENTRY 12	/* flags, key, value */
#if defined(__x86_64__)
#define LD_CACHE_HOST_ARCH 0x0300	/* FLAG_X8664_LIB64 */
#elif defined(__aarch64__)
#define LD_CACHE_HOST_ARCH 0x0a00	/* FLAG_AARCH64_LIB64 */
#else
#define LD_CACHE_HOST_ARCH 0
#endif

static uint32_t cache_u32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The new format's header within the file, or NULL. */
static const char *ld_cache_new(const char *data, size_t size)
{
	size_t off = 0;

	if (size >= sizeof(LD_CACHE_MAGIC_OLD) + 4 &&
	    !memcmp(data, LD_CACHE_MAGIC_OLD, sizeof(LD_CACHE_MAGIC_OLD))) {
		uint64_t nlibs = cache_u32(data + sizeof(LD_CACHE_MAGIC_OLD));

		off = sizeof(LD_CACHE_MAGIC_OLD) + 4 + nlibs * LD_CACHE_OLD_ENTRY;
		off = (off + 7) & ~(size_t)7;	/* aligned as glibc's struct is */
	}
	if (off + LD_CACHE_NEW_HEADER > size ||
	    memcmp(data + off, LD_CACHE_MAGIC_NEW, strlen(LD_CACHE_MAGIC_NEW)))
		return NULL;
	return data + off;
}

int elf_find_in_ld_cache(const char *cache_path, const char *bin, char *path, size_t len)
{
	size_t size = 0, avail;
	char *data = surf_read_file(cache_path ? cache_path : "/etc/ld.so.cache", &size);
	const char *hdr, *found = NULL;
	uint32_t nlibs;
	int ret = -ENOENT;

	if (!data)
		return -errno;
	hdr = ld_cache_new(data, size);
	if (!hdr) {
		free(data);
		return -ENOEXEC;	/* a format this version does not know */
	}
	avail = size - (size_t)(hdr - data);
	nlibs = cache_u32(hdr + 20);
	for (uint64_t i = 0; i < nlibs; i++) {
		const char *e = hdr + LD_CACHE_NEW_HEADER + i * LD_CACHE_NEW_ENTRY;
		uint32_t flags, key, value;

		if ((size_t)(e - hdr) + LD_CACHE_NEW_ENTRY > avail)
			break;
		flags = cache_u32(e);
		key = cache_u32(e + 4);
		value = cache_u32(e + 8);
		if (key >= avail || value >= avail || !memchr(hdr + key, '\0', avail - key) ||
		    !memchr(hdr + value, '\0', avail - value) || !lib_matches(hdr + key, bin))
			continue;
		if (!found)
			found = hdr + value;
		if (LD_CACHE_HOST_ARCH && (flags & 0xff00) == LD_CACHE_HOST_ARCH) {
			found = hdr + value;
			break;
		}
	}
	if (found)
		ret = absolute(found, path, len);
	free(data);
	return ret;
}

int surf_elf__find_binary(const char *bin, int pid, char *path, size_t len)
{
	if (strchr(bin, '/'))
		return is_file(bin) ? absolute(bin, path, len) : -ENOENT;
	if (is_file(bin))
		return absolute(bin, path, len);
	if (find_on_path(bin, path, len) == 0)
		return 0;
	if (pid > 0 && find_in_maps(bin, pid, path, len) == 0)
		return 0;
	return elf_find_in_ld_cache(NULL, bin, path, len);
}

/* ---- Symbols --------------------------------------------------------------- */

#define MAX_CANDS	16
#define MAX_IMPLS	12

/* Where symbols come from, in the order they are searched. */
enum sym_src { SRC_BINARY, SRC_DEBUG, SRC_MINI, NR_SRC };

struct sym_file {
	Elf *elf;
	int fd;
	bool tried;
	struct surf_minidebug md;
	char desc[PATH_MAX + 32];
};

/* A function of the name asked for; aliases (same address) are one candidate. */
struct cand {
	uint64_t vaddr, size;
	int type, bind;
	bool primary;		/* the version asked for, or the default version */
	int src;
	char name[128];		/* with its version: memcpy@@GLIBC_2.14 */
};

struct lookup {
	const char *path;
	char name[256];		/* the symbol without its version */
	const char *ver;	/* the version asked for, NULL for none */
	uint64_t off;		/* "+OFF": a probe inside the function */
	bool def_only;		/* "name@@VER": the default version only */
	bool had_symtab;	/* some file searched had a .symtab */
	struct sym_file files[NR_SRC];
	struct cand cands[MAX_CANDS];
	int ncands;
	char near[128];
	size_t near_dist;
	char vers[256];		/* the versions of name seen, for the error */
};

/* Version names by index, from .gnu.version_d (and _r) for .gnu.version. */
struct versions {
	Elf_Data *versym;
	const char **names;
	size_t n;
};

static void set_version(struct versions *v, size_t idx, const char *name)
{
	if (!name || idx >= 0x8000)
		return;
	if (idx >= v->n) {
		size_t n = idx + 16;
		const char **grown = realloc(v->names, n * sizeof(*grown));

		if (!grown)
			return;
		memset(grown + v->n, 0, (n - v->n) * sizeof(*grown));
		v->names = grown;
		v->n = n;
	}
	v->names[idx] = name;
}

static void load_verdef(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct versions *v)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t off = 0;

	for (size_t i = 0; d && i < sh->sh_info; i++) {
		GElf_Verdef vd;
		GElf_Verdaux vda;

		if (!gelf_getverdef(d, (int)off, &vd) ||
		    !gelf_getverdaux(d, (int)(off + vd.vd_aux), &vda))
			break;
		/* The base version is the file's own name: "unversioned". */
		if (!(vd.vd_flags & VER_FLG_BASE))
			set_version(v, vd.vd_ndx, elf_strptr(elf, sh->sh_link, vda.vda_name));
		if (!vd.vd_next)
			break;
		off += vd.vd_next;
	}
}

static void load_verneed(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct versions *v)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t off = 0;

	for (size_t i = 0; d && i < sh->sh_info; i++) {
		GElf_Verneed vn;
		GElf_Vernaux va;
		size_t aoff;

		if (!gelf_getverneed(d, (int)off, &vn))
			break;
		aoff = off + vn.vn_aux;
		for (unsigned int j = 0; j < vn.vn_cnt; j++) {
			if (!gelf_getvernaux(d, (int)aoff, &va))
				break;
			set_version(v, va.vna_other, elf_strptr(elf, sh->sh_link, va.vna_name));
			if (!va.vna_next)
				break;
			aoff += va.vna_next;
		}
		if (!vn.vn_next)
			break;
		off += vn.vn_next;
	}
}

static void load_versions(Elf *elf, struct versions *v)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_GNU_versym)
			v->versym = elf_getdata(scn, NULL);
		else if (sh.sh_type == SHT_GNU_verdef)
			load_verdef(elf, scn, &sh, v);
		else if (sh.sh_type == SHT_GNU_verneed)
			load_verneed(elf, scn, &sh, v);
	}
}

/* 0: not this one, 1: what was asked, 2: only a non-default version of the name. */
static int version_class(const struct lookup *lk, const char *ver, bool hidden)
{
	if (lk->ver) {
		if (!ver || strcmp(ver, lk->ver))
			return 0;
		return lk->def_only && hidden ? 0 : 1;
	}
	return ver && hidden ? 2 : 1;
}

static void note_version(struct lookup *lk, const char *display)
{
	size_t used = strlen(lk->vers);

	if (!strchr(display, '@'))
		return;
	for (const char *p = lk->vers; (p = strstr(p, display)); p += strlen(display))
		if ((p == lk->vers || p[-1] == ' ') && (!p[strlen(display)] ||
							 p[strlen(display)] == ','))
			return;
	snprintf(lk->vers + used, sizeof(lk->vers) - used, "%s%s", used ? ", " : "", display);
}

static void add_cand(struct lookup *lk, int src, const GElf_Sym *sym, const char *display,
		     bool primary)
{
	int bind = GELF_ST_BIND(sym->st_info), type = GELF_ST_TYPE(sym->st_info);
	struct cand *c;

	for (int i = 0; i < lk->ncands; i++) {
		c = &lk->cands[i];
		if (c->vaddr != sym->st_value)
			continue;
		/* An alias: keep the most telling name (default version, global). */
		if ((primary && !c->primary) ||
		    (primary == c->primary && c->bind == STB_LOCAL && bind != STB_LOCAL)) {
			snprintf(c->name, sizeof(c->name), "%s", display);
			c->bind = bind;
		}
		c->primary |= primary;
		if (type == STT_GNU_IFUNC)
			c->type = type;
		if (!c->size)
			c->size = sym->st_size;
		return;
	}
	if (lk->ncands == MAX_CANDS)
		return;
	c = &lk->cands[lk->ncands++];
	c->vaddr = sym->st_value;
	c->size = sym->st_size;
	c->type = type;
	c->bind = bind;
	c->primary = primary;
	c->src = src;
	snprintf(c->name, sizeof(c->name), "%s", display);
}

/* How far a name may be from the one asked for to be suggested. */
static size_t near_limit(const char *name)
{
	size_t limit = strlen(name) / 3 + 1;

	return limit < 2 ? 2 : limit;
}

static void suggest(struct lookup *lk, const char *name, size_t len)
{
	size_t want = strlen(lk->name), d;
	char base[128];

	if (len >= sizeof(base) || len + 3 < want || len > want + 3)
		return;
	memcpy(base, name, len);
	base[len] = '\0';
	d = surf_edit_distance_max(lk->name, base, near_limit(lk->name));
	if (d < lk->near_dist) {
		lk->near_dist = d;
		snprintf(lk->near, sizeof(lk->near), "%s", base);
	}
}

static bool func_sym(Elf_Data *data, size_t i, GElf_Sym *sym)
{
	int type;

	if (!gelf_getsym(data, (int)i, sym) || sym->st_shndx == SHN_UNDEF)
		return false;
	type = GELF_ST_TYPE(sym->st_info);
	return type == STT_FUNC || type == STT_GNU_IFUNC;
}

static void scan_table(struct lookup *lk, int src, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t want = strlen(lk->name);
	struct versions v = { 0 };
	char display[128];
	GElf_Sym sym;

	if (!data || !sh->sh_entsize)
		return;
	if (sh->sh_type == SHT_DYNSYM)
		load_versions(elf, &v);
	for (size_t i = 0; i < sh->sh_size / sh->sh_entsize; i++) {
		const char *name, *at, *ver = NULL;
		bool hidden = false;
		GElf_Versym vs;
		size_t len;
		int cls;

		if (!func_sym(data, i, &sym))
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name)
			continue;
		/* "memcpy@@GLIBC_2.14" in a .symtab; .gnu.version for .dynsym. */
		at = strchr(name, '@');
		len = at ? (size_t)(at - name) : strlen(name);
		if (at) {
			hidden = at[1] != '@';
			ver = at + (hidden ? 1 : 2);
		} else if (v.versym && gelf_getversym(v.versym, (int)i, &vs) &&
			   (size_t)(vs & 0x7fff) < v.n && v.names[vs & 0x7fff]) {
			ver = v.names[vs & 0x7fff];
			hidden = vs & 0x8000;
		}
		if (len != want || strncmp(name, lk->name, want)) {
			suggest(lk, name, len);
			continue;
		}
		snprintf(display, sizeof(display), "%.*s%s%s", (int)len, name,
			 ver ? (hidden ? "@" : "@@") : "", ver ? ver : "");
		note_version(lk, display);
		cls = version_class(lk, ver, hidden);
		if (cls)
			add_cand(lk, src, &sym, display, cls == 1);
	}
	free(v.names);
}

static Elf *file_elf(struct lookup *lk, int src)
{
	struct sym_file *f = &lk->files[src];
	Elf *bin = lk->files[SRC_BINARY].elf;
	char path[PATH_MAX];

	if (f->tried)
		return f->elf;
	f->tried = true;
	if (src == SRC_DEBUG) {
		if (surf_debuginfo_find_elf(bin, lk->path, path, sizeof(path)))
			return NULL;
		f->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (f->fd < 0)
			return NULL;
		f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
		if (f->elf && elf_kind(f->elf) != ELF_K_ELF) {
			elf_end(f->elf);
			f->elf = NULL;
		}
		snprintf(f->desc, sizeof(f->desc), "%s", path);
	} else if (src == SRC_MINI) {
		if (surf_debuginfo_minidebug(bin, &f->md))
			return NULL;
		f->elf = f->md.elf;
		snprintf(f->desc, sizeof(f->desc), "%s (.gnu_debugdata)", lk->path);
	}
	return f->elf;
}

static void scan_file(struct lookup *lk, int src)
{
	Elf *elf = file_elf(lk, src);
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (!elf)
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		lk->had_symtab |= sh.sh_type == SHT_SYMTAB;
		scan_table(lk, src, elf, scn, &sh);
	}
}

static void release(struct lookup *lk)
{
	for (int i = 0; i < NR_SRC; i++) {
		struct sym_file *f = &lk->files[i];

		if (i == SRC_MINI) {
			surf_debuginfo_minidebug_free(&f->md);
			continue;
		}
		if (f->elf)
			elf_end(f->elf);
		if (f->fd >= 0)
			close(f->fd);
	}
}

static void list_cands(const struct lookup *lk, bool primary, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < lk->ncands && used < len; i++) {
		const struct cand *c = &lk->cands[i];

		if (c->primary != primary)
			continue;
		if (strcmp(c->name, lk->name))
			used += snprintf(buf + used, len - used, "%s%s at 0x%" PRIx64,
					 used ? ", " : "", c->name, c->vaddr);
		else
			used += snprintf(buf + used, len - used, "%s0x%" PRIx64, used ? ", " : "",
					 c->vaddr);
	}
}

/* One function for what was asked, or why not. */
static int choose(struct lookup *lk, const char *symbol, struct cand **out, char *errbuf,
		  size_t errlen)
{
	int n = 0, nglobal = 0, pick = -1, global = -1;
	bool primary = false;
	char list[512];

	for (int i = 0; i < lk->ncands; i++)
		primary |= lk->cands[i].primary;
	for (int i = 0; i < lk->ncands; i++) {
		if (lk->cands[i].primary != primary)
			continue;
		n++;
		pick = i;
		if (lk->cands[i].bind != STB_LOCAL) {
			nglobal++;
			global = i;
		}
	}
	if (n > 1)
		pick = nglobal == 1 ? global : -1;
	if (pick >= 0) {
		*out = &lk->cands[pick];
		return 0;
	}
	list_cands(lk, primary, list, sizeof(list));
	if (!primary)
		snprintf(errbuf, errlen, "'%s' in %s has no default version: name one of %s",
			 symbol, lk->path, list);
	else
		snprintf(errbuf, errlen, "'%s' in %s is ambiguous: %d functions have that name "
			 "(at %s)", symbol, lk->path, n, list);
	return -EINVAL;
}

static void not_found(struct lookup *lk, const char *symbol, char *errbuf, size_t errlen)
{
	const char *why = lk->had_symtab ? "" : " (it is stripped and no debug file was found)";

	if (lk->vers[0])
		snprintf(errbuf, errlen, "no function '%s' in %s (found: %s)", symbol, lk->path,
			 lk->vers);
	else if (lk->near[0] && lk->near_dist <= near_limit(lk->name))
		snprintf(errbuf, errlen, "no function '%s' in %s (did you mean '%s'?)", symbol,
			 lk->path, lk->near);
	else
		snprintf(errbuf, errlen, "no function '%s' in %s%s", symbol, lk->path, why);
}

int surf_elf_vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t *offset)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz) {
			*offset = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ERANGE;
}

/* ---- IFUNC ------------------------------------------------------------------ */

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * The implementation the dynamic linker chose for an IFUNC, when the file is
 * loaded in this process: dlsym() runs the resolver, on this CPU.  No file
 * is ever loaded here (RTLD_NOLOAD), so no constructor runs.
 */
static int ifunc_resolved(const struct lookup *lk, uint64_t *vaddr)
{
	struct link_map *lm = NULL, *owner = NULL;
	const char *file;
	void *h, *p;
	Dl_info di;
	int ret = -ENOENT;

	h = dlopen(lk->path, RTLD_LAZY | RTLD_NOLOAD);
	if (!h)
		return -ENOENT;
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) || !lm)
		goto out;
	file = lm->l_name && lm->l_name[0] ? lm->l_name : "/proc/self/exe";
	if (!same_file(file, lk->path))
		goto out;
	p = lk->ver ? dlvsym(h, lk->name, lk->ver) : dlsym(h, lk->name);
	/* It must come from this very file, not from one of its dependencies. */
	if (!p || !dladdr1(p, &di, (void **)&owner, RTLD_DL_LINKMAP) || owner != lm)
		goto out;
	*vaddr = (uint64_t)((uintptr_t)p - lm->l_addr);
	ret = 0;
out:
	dlclose(h);
	return ret;
}

struct impls {
	char prefix[264];		/* "__strlen_" */
	uint64_t vaddr;			/* the chosen implementation */
	char best[128];			/* its name */
	uint64_t best_size;
	int best_score;
	char names[MAX_IMPLS][128];	/* the implementations seen */
	int n;
	bool more;
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void impl_sym(struct impls *im, const char *name, const GElf_Sym *sym)
{
	size_t plen = strlen(im->prefix), len = strlen(name);
	bool sibling = !strncmp(name, im->prefix, plen) && len > plen;
	int score;

	if (GELF_ST_TYPE(sym->st_info) != STT_FUNC)
		return;
	if (sym->st_value == im->vaddr) {
		score = sibling ? 3 : GELF_ST_BIND(sym->st_info) != STB_LOCAL ? 2 : 1;
		if (score > im->best_score) {
			im->best_score = score;
			im->best_size = sym->st_size;
			snprintf(im->best, sizeof(im->best), "%s", name);
		}
	}
	/* Not the resolver (__x_ifunc) nor the variants of __x_chk. */
	if (!sibling || !strncmp(name + plen, "chk", 3) ||
	    (len > 6 && !strcmp(name + len - 6, "_ifunc")) || len >= sizeof(im->names[0]))
		return;
	for (int i = 0; i < im->n; i++)
		if (!strcmp(im->names[i], name))
			return;
	if (im->n == MAX_IMPLS) {
		im->more = true;
		return;
	}
	snprintf(im->names[im->n++], sizeof(im->names[0]), "%s", name);
}

/* The functions named __<name>_<variant> and the name at im->vaddr, in every file. */
static void scan_impls(struct lookup *lk, struct impls *im)
{
	for (int src = 0; src < NR_SRC; src++) {
		Elf *elf = file_elf(lk, src);
		Elf_Scn *scn = NULL;
		GElf_Shdr sh;

		while (elf && (scn = elf_nextscn(elf, scn))) {
			Elf_Data *data;
			GElf_Sym sym;

			if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize ||
			    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
				continue;
			data = elf_getdata(scn, NULL);
			for (size_t i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
				const char *name;

				if (!func_sym(data, i, &sym))
					continue;
				name = elf_strptr(elf, sh.sh_link, sym.st_name);
				if (name)
					impl_sym(im, name, &sym);
			}
		}
	}
	qsort(im->names, (size_t)im->n, sizeof(im->names[0]), cmp_names);
}

static int resolve_ifunc(struct lookup *lk, const struct cand *c, const char *symbol,
			 struct surf_elf_symbol *out, char *errbuf, size_t errlen)
{
	struct impls *im = calloc(1, sizeof(*im));
	size_t used;
	int ret;

	if (!im)
		return -ENOMEM;
	snprintf(im->prefix, sizeof(im->prefix), "__%s_", lk->name);
	im->vaddr = UINT64_MAX;
	/* Only an exported IFUNC is what dlsym() finds under that name. */
	if (c->bind != STB_LOCAL && ifunc_resolved(lk, &im->vaddr) == 0) {
		scan_impls(lk, im);
		out->vaddr = im->vaddr;
		out->size = im->best_size;
		out->ifunc = true;
		free(out->name);
		out->name = strdup(im->best);
		ret = out->name ? 0 : -ENOMEM;
		goto out;
	}
	scan_impls(lk, im);
	ret = -EOPNOTSUPP;
	if (!im->n) {
		snprintf(errbuf, errlen, "'%s' in %s is an IFUNC (its implementation is chosen at "
			 "run time) and none of its implementations (__%s_*) is known: probe "
			 "one by name (with the debug symbols of %s installed they are listed)",
			 symbol, lk->path, lk->name, lk->path);
		goto out;
	}
	used = (size_t)snprintf(errbuf, errlen, "'%s' in %s is an IFUNC (its implementation is "
				"chosen at run time): probe one of ", symbol, lk->path);
	for (int i = 0; i < im->n && used < errlen; i++)
		used += snprintf(errbuf + used, errlen - used, "%s%s", i ? ", " : "", im->names[i]);
	if (im->more && used < errlen)
		snprintf(errbuf + used, errlen - used, ", ...");
out:
	free(im);
	return ret;
}

/* ---- The lookup -------------------------------------------------------------- */

/*
 * A probe inside a function must sit on the first byte of an instruction:
 * the kernel copies the instruction there to run it out of line, so one
 * that starts elsewhere runs garbage in the traced program (a crash, or
 * worse, a wrong result).  Past the function's end is another function.
 */
static int check_offset(Elf *elf, const char *path, const struct surf_elf_symbol *sym,
			uint64_t off, char *errbuf, size_t errlen)
{
	struct surf_insn_at at;
	int ret;

	if (!sym->size) {
		snprintf(errbuf, errlen, "%s in %s has no size in its symbol table: an offset "
			 "into it cannot be checked", sym->name, path);
		return -ERANGE;
	}
	ret = surf_disasm_boundary(elf, sym->vaddr, sym->size, off, &at);
	switch (ret) {
	case 0:
		return 0;
	case -ERANGE:
		snprintf(errbuf, errlen, "+0x%" PRIx64 " is past the end of %s in %s: it is "
			 "0x%" PRIx64 " bytes long (see surftrace -F)", off, sym->name, path,
			 sym->size);
		return ret;
	case -EILSEQ:
		if (!at.len)
			snprintf(errbuf, errlen, "%s+0x%" PRIx64 " is in bytes that do not decode as "
				 "an instruction (see surftrace -F)", sym->name, off);
		else
			snprintf(errbuf, errlen, "%s+0x%" PRIx64 " is inside the instruction at "
				 "%s+0x%" PRIx64 " (%s, %" PRIu64 " bytes): probe %s+0x%" PRIx64
				 " or %s+0x%" PRIx64 " (see surftrace -F)", sym->name, off, sym->name,
				 at.start, at.text, at.len, sym->name, at.start, sym->name,
				 at.start + at.len);
		return ret;
	case -EOPNOTSUPP:
		snprintf(errbuf, errlen, "%s: cannot tell whether +0x%" PRIx64 " is the start of an "
			 "instruction (no disassembler for this machine)", path, off);
		return ret;
	default:
		snprintf(errbuf, errlen, "the code of %s is not in %s: cannot check +0x%" PRIx64,
			 sym->name, path, off);
		return ret;
	}
}

static int parse_symbol(struct lookup *lk, const char *symbol)
{
	char *at, *plus, *end;

	if (!symbol[0] || strlen(symbol) >= sizeof(lk->name))
		return -EINVAL;
	snprintf(lk->name, sizeof(lk->name), "%s", symbol);
	plus = strchr(lk->name, '+');
	if (plus) {
		/* Digits only: strtoull would take "-1" or " 1" and wrap. */
		if (!isdigit((unsigned char)plus[1]))
			return -EINVAL;
		errno = 0;
		lk->off = strtoull(plus + 1, &end, 0);
		if (errno || *end)
			return -EINVAL;
		*plus = '\0';
	}
	at = strchr(lk->name, '@');
	if (!at)
		return lk->name[0] ? 0 : -EINVAL;
	*at++ = '\0';
	if (*at == '@') {
		lk->def_only = true;
		at++;
	}
	lk->ver = at;
	return lk->name[0] && at[0] && !strchr(at, '@') ? 0 : -EINVAL;
}

int surf_elf__symbol_lookup(const char *path, const char *symbol, struct surf_elf_symbol *out,
			    char *errbuf, size_t errlen)
{
	struct lookup *lk;
	struct sym_file *bin;
	struct cand *c;
	int ret;

	if (!path || !symbol || !out)
		return -EINVAL;
	if (errlen)
		errbuf[0] = '\0';
	memset(out, 0, sizeof(*out));
	lk = calloc(1, sizeof(*lk));
	if (!lk)
		return -ENOMEM;
	lk->path = path;
	lk->near_dist = SIZE_MAX;
	for (int i = 0; i < NR_SRC; i++)
		lk->files[i].fd = -1;
	ret = parse_symbol(lk, symbol);
	if (ret) {
		snprintf(errbuf, errlen, "'%s' is not a symbol: write NAME, NAME@VERSION or "
			 "NAME@@VERSION, then +OFFSET (decimal or 0x hex) for a place inside",
			 symbol);
		goto out;
	}
	elf_version(EV_CURRENT);
	bin = &lk->files[SRC_BINARY];
	bin->tried = true;
	bin->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (bin->fd < 0) {
		ret = -errno;
		snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	bin->elf = elf_begin(bin->fd, ELF_C_READ_MMAP, NULL);
	if (!bin->elf || elf_kind(bin->elf) != ELF_K_ELF) {
		snprintf(errbuf, errlen, "%s is not an ELF file", path);
		ret = -ENOEXEC;
		goto out;
	}
	/* The binary's .symtab and .dynsym, then its debug file, then its MiniDebugInfo. */
	for (int src = 0; src < NR_SRC && !lk->ncands; src++)
		scan_file(lk, src);
	if (!lk->ncands) {
		not_found(lk, symbol, errbuf, errlen);
		ret = -ENOENT;
		goto out;
	}
	ret = choose(lk, symbol, &c, errbuf, errlen);
	if (ret)
		goto out;
	out->vaddr = c->vaddr;
	out->size = c->size;
	out->name = strdup(c->name);
	out->source = strdup(c->src != SRC_BINARY ? lk->files[c->src].desc : "");
	if (!out->name || !out->source) {
		ret = -ENOMEM;
		goto out;
	}
	if (c->type == STT_GNU_IFUNC) {
		ret = resolve_ifunc(lk, c, symbol, out, errbuf, errlen);
		if (ret)
			goto out;
	}
	if (lk->off) {
		ret = check_offset(bin->elf, path, out, lk->off, errbuf, errlen);
		if (ret)
			goto out;
	}
	/* A debug file's own segments may lie elsewhere: the binary's say where. */
	ret = surf_elf_vaddr_to_offset(bin->elf, out->vaddr + lk->off, &out->offset);
	if (ret)
		snprintf(errbuf, errlen, "'%s' in %s is in no loadable segment%s", symbol, path,
			 c->src == SRC_BINARY ? "" : " (its debug file does not match it?)");
out:
	release(lk);
	free(lk);
	if (ret)
		surf_elf_symbol__clear(out);
	return ret;
}

void surf_elf_symbol__clear(struct surf_elf_symbol *sym)
{
	if (!sym)
		return;
	free(sym->name);
	free(sym->source);
	sym->name = sym->source = NULL;
}

int surf_elf__symbol_offset(const char *path, const char *symbol, uint64_t *offset,
			    char *errbuf, size_t errlen)
{
	struct surf_elf_symbol *sym = malloc(sizeof(*sym));
	int ret;

	if (!sym)
		return -ENOMEM;
	ret = surf_elf__symbol_lookup(path, symbol, sym, errbuf, errlen);
	if (!ret)
		*offset = sym->offset;
	surf_elf_symbol__clear(sym);
	free(sym);
	return ret;
}

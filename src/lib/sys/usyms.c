// SPDX-License-Identifier: MIT
/*
 * User-space symbols: which file an address of a process is mapped from
 * (/proc/PID/maps), and which function of that file's ELF symbol table it
 * falls in.
 *
 * Two caches: per process, its executable mappings; per ELF file (keyed by
 * path, device and inode, so shared by every process that maps it), its
 * function symbols sorted by address, plus its PT_LOAD headers.  An address
 * becomes a file offset through its mapping (addr - start + pgoff), the file
 * offset an ELF virtual address through the PT_LOAD that holds that offset
 * (off - p_offset + p_vaddr), and that one a symbol by binary search.  This
 * works alike for PIE and non-PIE executables and shared libraries, and for
 * any load address or layout of the segments.
 *
 * Addresses in anonymous executable memory (JIT code) are named from the
 * process's perf map, /tmp/perf-PID.map, when it has one (jmap.c).
 *
 * Both caches are bounded and drop their least recently used entries.  The
 * strings of a struct surf_sym point into them: they stay valid until that
 * process (for an unnamed address) or that file is dropped, that is for at
 * least MAX_ELFS - 1 other files, or until surf_usyms__free().  A surf_usyms
 * is not thread-safe.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <surf/syms.h>

#define MAX_PROCS 1024
#define MAX_ELFS 256
#define BUCKETS 256
/* An address outside every known mapping rereads the maps, at most this often. */
#define MAPS_RETRY_NS (100 * 1000 * 1000ull)
/* The vDSO is one or two pages; anything bigger is not what we expect. */
#define VDSO_MAX (1u << 20)
/* How many sized symbols before a miss may still enclose it (nested asm symbols). */
#define MAX_NESTED 8

enum map_kind {
	MAP_FILE,
	MAP_DELETED,		/* the file was removed or replaced since */
	MAP_VDSO,
	MAP_OTHER,		/* anonymous (JIT), [vsyscall], memfd... */
};

struct umap {
	uint64_t start, end, pgoff;
	uint64_t dev, ino;	/* for the vDSO: a hash of its image, 0 until known */
	uint32_t path;		/* offset into proc->paths */
	uint8_t kind;
};

struct uproc {
	struct uproc *next;
	int pid;
	struct umap *maps;	/* executable mappings, by address */
	size_t n;
	char *paths;
	uint64_t read_ns;	/* when the maps were read */
	uint64_t used;		/* usyms->tick at the last use */
	struct surf_jmap *jmap;	/* its JIT's perf map, once found */
	uint64_t jmap_ns;	/* when it was last looked for, while there is none */
};

struct elf_sym {
	uint64_t value;		/* ELF virtual address */
	uint64_t end;		/* how far a find() may reach */
	uint32_t size;		/* from the symbol table, 0 when not given */
	uint32_t name;		/* offset into names */
};

struct elf_load {
	uint64_t off, filesz, vaddr;
};

struct elf_file {
	struct elf_file *next;
	char *path;
	uint64_t dev, ino;
	int err;		/* negative errno: known to be unusable */
	struct elf_sym *syms;
	size_t nsyms;
	char *names;
	struct elf_load *loads;
	size_t nloads;
	uint64_t used;
};

struct surf_usyms {
	struct uproc *procs[BUCKETS];
	struct elf_file *elfs[BUCKETS];
	size_t nprocs, nelfs;
	uint64_t tick;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t fnv64(const void *data, size_t len, uint64_t h)
{
	const unsigned char *p = data;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

/* A whole /proc file (their size is 0), NUL-terminated. */
static int read_text(const char *path, char **out, size_t *out_len)
{
	size_t cap = 16 << 10, len = 0;
	char *buf = NULL, *tmp;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (!buf || len + 1 >= cap) {
			if (buf)
				cap *= 2;
			tmp = realloc(buf, cap);
			if (!tmp) {
				err = -ENOMEM;
				break;
			}
			buf = tmp;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err = -errno;
		if (r <= 0)
			break;
		len += r;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/*
 * "start-end perms offset major:minor inode   path" lines into p's arrays.
 * Only executable mappings are kept, anonymous ones too, so that an address
 * in JIT code is known not to be in a file rather than sending us to reread
 * the maps.  The paths are compacted to the front of the text they came in.
 */
static int read_maps(int pid, struct umap **maps_out, size_t *n_out, char **paths_out)
{
	char path[64], *text = NULL, *p, *end;
	struct umap *maps;
	size_t len = 0, n = 0, lines = 0, w = 0;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	err = read_text(path, &text, &len);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	end = text + len;
	for (p = text; (p = memchr(p, '\n', end - p)); p++)
		lines++;
	maps = malloc((lines + 1) * sizeof(*maps));
	if (!maps) {
		free(text);
		return -ENOMEM;
	}
	for (p = text; p < end;) {
		char *nl = memchr(p, '\n', end - p), *e, *perms, *name;
		unsigned long maj, min;
		struct umap m = { 0 };
		size_t name_len;

		if (!nl)
			nl = end;
		*nl = '\0';
		m.start = strtoull(p, &e, 16);
		if (*e != '-')
			goto next;
		m.end = strtoull(e + 1, &e, 16);
		perms = e + 1;
		if (*e != ' ' || strnlen(perms, 5) < 5 || perms[4] != ' ')
			goto next;
		m.pgoff = strtoull(perms + 5, &e, 16);
		maj = strtoul(e, &e, 16);
		if (*e != ':')
			goto next;
		min = strtoul(e + 1, &e, 16);
		m.ino = strtoull(e, &e, 10);
		if (perms[2] != 'x' || m.end <= m.start)
			goto next;
		m.dev = makedev(maj, min);
		name = e;
		while (*name == ' ')
			name++;
		name_len = nl - name;
		if (!strcmp(name, "[vdso]")) {
			m.kind = MAP_VDSO;
			m.ino = 0;
		} else if (name[0] != '/') {
			m.kind = MAP_OTHER;
		} else if (ends_with(name, name_len, " (deleted)")) {
			m.kind = MAP_DELETED;
		} else {
			m.kind = MAP_FILE;
		}
		/* w stays behind name: each line keeps less than its length. */
		memmove(text + w, name, name_len + 1);
		m.path = (uint32_t)w;
		w += name_len + 1;
		maps[n++] = m;
next:
		p = nl + 1;
	}
	*maps_out = maps;
	*n_out = n;
	*paths_out = text;
	return 0;
}

static void proc_free(struct uproc *p)
{
	surf_jmap__free(p->jmap);
	free(p->maps);
	free(p->paths);
	free(p);
}

static void elf_file_free(struct elf_file *f)
{
	free(f->path);
	free(f->syms);
	free(f->names);
	free(f->loads);
	free(f);
}

static void evict_proc(struct surf_usyms *u)
{
	struct uproc **victim = NULL;

	for (size_t b = 0; b < BUCKETS; b++)
		for (struct uproc **pp = &u->procs[b]; *pp; pp = &(*pp)->next)
			if (!victim || (*pp)->used < (*victim)->used)
				victim = pp;
	if (victim) {
		struct uproc *p = *victim;

		*victim = p->next;
		proc_free(p);
		u->nprocs--;
	}
}

static void evict_elf(struct surf_usyms *u)
{
	struct elf_file **victim = NULL;

	for (size_t b = 0; b < BUCKETS; b++)
		for (struct elf_file **pp = &u->elfs[b]; *pp; pp = &(*pp)->next)
			if (!victim || (*pp)->used < (*victim)->used)
				victim = pp;
	if (victim) {
		struct elf_file *f = *victim;

		*victim = f->next;
		elf_file_free(f);
		u->nelfs--;
	}
}

static struct uproc **proc_slot(struct surf_usyms *u, int pid)
{
	struct uproc **pp = &u->procs[(unsigned int)pid % BUCKETS];

	while (*pp && (*pp)->pid != pid)
		pp = &(*pp)->next;
	return pp;
}

static int get_proc(struct surf_usyms *u, int pid, struct uproc **out)
{
	struct uproc **pp = proc_slot(u, pid), *p = *pp;
	int err;

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->pid = pid;
		err = read_maps(pid, &p->maps, &p->n, &p->paths);
		if (err) {
			free(p);
			return err;
		}
		p->read_ns = now_ns();
		if (u->nprocs >= MAX_PROCS)
			evict_proc(u);
		/* Insert at the head: eviction may have changed the chain. */
		pp = &u->procs[(unsigned int)pid % BUCKETS];
		p->next = *pp;
		*pp = p;
		u->nprocs++;
	}
	p->used = ++u->tick;
	*out = p;
	return 0;
}

static struct umap *find_map(struct uproc *p, uint64_t addr)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < p->maps[mid].start)
			hi = mid;
		else if (addr >= p->maps[mid].end)
			lo = mid + 1;
		else
			return &p->maps[mid];
	}
	return NULL;
}

/* A symbol as collected, before the duplicates at one address are dropped. */
struct raw_sym {
	uint64_t value, end;
	const char *name;	/* in the Elf's string table */
	uint32_t size;
	uint32_t rank;		/* lower is the better name for the address */
	uint32_t order;
};

static int raw_cmp(const void *a, const void *b)
{
	const struct raw_sym *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/*
 * Of the names of one address (getpid and __getpid, memcpy and its
 * versions), prefer one with a size, then the fewest leading underscores
 * (the public name), then global over weak over local, then a function over
 * an ifunc or an untyped label.
 */
static uint32_t sym_rank(const GElf_Sym *sym, const char *name)
{
	unsigned int us = 0, bind, type;

	while (name[us] == '_' && us < 15)
		us++;
	switch (GELF_ST_BIND(sym->st_info)) {
	case STB_GLOBAL:
		bind = 0;
		break;
	case STB_WEAK:
		bind = 1;
		break;
	default:
		bind = 2;
	}
	type = GELF_ST_TYPE(sym->st_info);
	type = type == STT_FUNC ? 0 : type == STT_GNU_IFUNC ? 1 : 2;
	return (!sym->st_size << 12) | (us << 8) | (bind << 4) | type;
}

struct sect {
	uint64_t end;
	bool exec;
};

/* Function symbols of one symbol table section into *raw. */
static int collect(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const struct sect *sects,
		   size_t nsects, struct raw_sym **raw, size_t *nraw)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count, n = 0;
	struct raw_sym *r;

	if (!data || !sh->sh_entsize)
		return -EINVAL;
	count = sh->sh_size / sh->sh_entsize;
	r = malloc((count ? count : 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		const struct sect *sec = NULL;
		const char *name;
		GElf_Sym sym;
		int type;

		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		if (sym.st_shndx < nsects && sym.st_shndx < SHN_LORESERVE)
			sec = &sects[sym.st_shndx];
		/* Untyped labels count when they are in code (assembly). */
		if (type != STT_FUNC && type != STT_GNU_IFUNC &&
		    !(type == STT_NOTYPE && sec && sec->exec))
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		/* $x/$a/$t: ARM mapping symbols, not functions. */
		if (!name || !*name || name[0] == '$')
			continue;
		r[n].value = sym.st_value;
		r[n].size = sym.st_size > UINT32_MAX ? UINT32_MAX : (uint32_t)sym.st_size;
		/* A symbol without a size reaches at most to the end of its section. */
		r[n].end = sec && sec->end > sym.st_value ? sec->end : UINT64_MAX;
		r[n].name = name;
		r[n].rank = sym_rank(&sym, name);
		r[n].order = (uint32_t)n;
		n++;
	}
	*raw = r;
	*nraw = n;
	return 0;
}

/* Fill f from an open Elf: its PT_LOADs and its function symbols. */
static int elf_read(struct elf_file *f, Elf *elf)
{
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
	GElf_Shdr symtab_sh, dynsym_sh, sh;
	struct raw_sym *raw = NULL;
	size_t phnum, shnum, nraw = 0, names_len = 0, n = 0;
	struct sect *sects;
	GElf_Ehdr eh;
	int err = 0;

	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
		return -ENOEXEC;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return -ENOEXEC;
	if (elf_getphdrnum(elf, &phnum) || elf_getshdrnum(elf, &shnum))
		return -ENOEXEC;
	f->loads = malloc((phnum ? phnum : 1) * sizeof(*f->loads));
	sects = calloc(shnum ? shnum : 1, sizeof(*sects));
	if (!f->loads || !sects) {
		free(sects);
		return -ENOMEM;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			f->loads[f->nloads++] = (struct elf_load){ ph.p_offset, ph.p_filesz,
								   ph.p_vaddr };
	}
	while ((scn = elf_nextscn(elf, scn))) {
		size_t idx = elf_ndxscn(scn);

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (idx < shnum && (sh.sh_flags & SHF_ALLOC)) {
			sects[idx].end = sh.sh_addr + sh.sh_size;
			sects[idx].exec = sh.sh_flags & SHF_EXECINSTR;
		}
		if (sh.sh_type == SHT_SYMTAB && !symtab) {
			symtab = scn;
			symtab_sh = sh;
		} else if (sh.sh_type == SHT_DYNSYM && !dynsym) {
			dynsym = scn;
			dynsym_sh = sh;
		}
	}
	/* .symtab has everything .dynsym has and the local functions too. */
	if (symtab)
		err = collect(elf, symtab, &symtab_sh, sects, shnum, &raw, &nraw);
	if (!err && !nraw && dynsym) {
		free(raw);
		raw = NULL;
		err = collect(elf, dynsym, &dynsym_sh, sects, shnum, &raw, &nraw);
	}
	free(sects);
	if (err)
		goto out;
	if (!nraw) {
		err = -ENOENT;
		goto out;
	}
	qsort(raw, nraw, sizeof(*raw), raw_cmp);
	/* Keep the best name of each address: the first after sorting. */
	for (size_t i = 0; i < nraw; i++) {
		if (n && raw[n - 1].value == raw[i].value)
			continue;
		raw[n++] = raw[i];
		names_len += strlen(raw[i].name) + 1;
	}
	f->syms = malloc(n * sizeof(*f->syms));
	f->names = malloc(names_len);
	if (!f->syms || !f->names) {
		err = -ENOMEM;
		goto out;
	}
	names_len = 0;
	for (size_t i = 0; i < n; i++) {
		struct elf_sym *s = &f->syms[i];
		size_t len = strlen(raw[i].name) + 1;

		s->value = raw[i].value;
		s->size = raw[i].size;
		if (s->size)
			s->end = s->value + s->size;
		else	/* up to the next symbol, within the section */
			s->end = i + 1 < n && raw[i + 1].value < raw[i].end ? raw[i + 1].value :
									     raw[i].end;
		s->name = (uint32_t)names_len;
		memcpy(f->names + names_len, raw[i].name, len);
		names_len += len;
	}
	f->nsyms = n;
out:
	free(raw);
	return err;
}

/*
 * The file as the process sees it: through /proc/PID/root, which is right
 * for a process in another mount namespace (a container).  Without access
 * to that, the same path here, if it is the same inode.
 */
static int open_mapped(int pid, const char *path, const struct umap *m)
{
	char buf[PATH_MAX + 32];
	struct stat st;
	int fd;

	if ((size_t)snprintf(buf, sizeof(buf), "/proc/%d/root%s", pid, path) < sizeof(buf)) {
		fd = open(buf, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (m->ino && (fstat(fd, &st) || st.st_ino != m->ino)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* The vDSO image of process pid, read from its memory. */
static int read_vdso(int pid, const struct umap *m, char **out, size_t *len)
{
	size_t size = m->end - m->start;
	char path[64], *img;
	ssize_t r;
	int fd;

	if (size > VDSO_MAX)
		return -E2BIG;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	img = malloc(size);
	if (!img) {
		close(fd);
		return -ENOMEM;
	}
	do
		r = pread(fd, img, size, (off_t)m->start);
	while (r < 0 && errno == EINTR);
	close(fd);
	if (r != (ssize_t)size) {
		free(img);
		return r < 0 ? -errno : -EIO;
	}
	*out = img;
	*len = size;
	return 0;
}

static size_t elf_bucket(const char *path, uint64_t dev, uint64_t ino)
{
	uint64_t h = fnv64(path, strlen(path), 0xcbf29ce484222325ull);

	h = fnv64(&dev, sizeof(dev), h);
	return fnv64(&ino, sizeof(ino), h) % BUCKETS;
}

/*
 * The cached ELF file of mapping m, loading it if needed.  Files that cannot
 * be used are cached too (with err set), so they are not retried at every
 * address.
 */
static int get_elf(struct surf_usyms *u, struct uproc *p, struct umap *m,
		   struct elf_file **out)
{
	const char *path = p->paths + m->path;
	char *img = NULL;
	size_t img_len = 0, b;
	struct elf_file *f;
	Elf *elf = NULL;
	int err, fd = -1;

	/* The vDSO has no file: it is known by a hash of its image. */
	if (m->kind == MAP_VDSO && !m->ino) {
		err = read_vdso(p->pid, m, &img, &img_len);
		if (err) {
			/* No access to its memory: do not try at every address. */
			m->kind = MAP_OTHER;
			return err;
		}
		m->ino = fnv64(img, img_len, 0xcbf29ce484222325ull) | 1;
	}
	b = elf_bucket(path, m->dev, m->ino);
	for (f = u->elfs[b]; f; f = f->next)
		if (f->dev == m->dev && f->ino == m->ino && !strcmp(f->path, path))
			break;
	if (f) {
		free(img);
		goto found;
	}

	f = calloc(1, sizeof(*f));
	if (!f) {
		free(img);
		return -ENOMEM;
	}
	f->dev = m->dev;
	f->ino = m->ino;
	f->path = strdup(path);
	if (!f->path) {
		free(img);
		free(f);
		return -ENOMEM;
	}
	if (m->kind == MAP_VDSO) {
		err = img ? 0 : read_vdso(p->pid, m, &img, &img_len);
		if (!err) {
			elf = elf_memory(img, img_len);
			if (!elf)
				err = -ENOEXEC;
		}
	} else {
		fd = open_mapped(p->pid, path, m);
		err = fd < 0 ? fd : 0;
		if (!err) {
			elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
			if (!elf)
				err = -ENOEXEC;
		}
	}
	if (!err)
		err = elf_read(f, elf);
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	free(img);
	if (err == -ENOMEM) {
		elf_file_free(f);
		return err;
	}
	f->err = err;
	if (err) {
		/* Only the path and the error are worth keeping. */
		free(f->loads);
		f->loads = NULL;
		f->nloads = 0;
	}
	if (u->nelfs >= MAX_ELFS)
		evict_elf(u);
	f->next = u->elfs[b];
	u->elfs[b] = f;
	u->nelfs++;
found:
	f->used = u->tick;
	*out = f;
	return f->err;
}

/* The ELF virtual address of a file offset, through the PT_LOAD holding it. */
static int off_to_vaddr(const struct elf_file *f, uint64_t off, uint64_t *vaddr)
{
	for (size_t i = 0; i < f->nloads; i++) {
		const struct elf_load *l = &f->loads[i];

		if (off >= l->off && off - l->off < l->filesz) {
			*vaddr = off - l->off + l->vaddr;
			return 0;
		}
	}
	return -ENOENT;
}

static const struct elf_sym *find_sym(const struct elf_file *f, uint64_t vaddr)
{
	size_t lo = 0, hi = f->nsyms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->syms[mid].value <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Usually the closest symbol below; else one that encloses it. */
	for (size_t i = lo; i-- > 0 && lo - i <= MAX_NESTED;) {
		const struct elf_sym *s = &f->syms[i];

		if (vaddr < s->end)
			return s;
		if (!s->size)
			break;
	}
	return NULL;
}

int surf_usyms__new(struct surf_usyms **out)
{
	*out = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOTSUP;
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void surf_usyms__free(struct surf_usyms *usyms)
{
	if (!usyms)
		return;
	for (size_t b = 0; b < BUCKETS; b++) {
		while (usyms->procs[b]) {
			struct uproc *p = usyms->procs[b];

			usyms->procs[b] = p->next;
			proc_free(p);
		}
		while (usyms->elfs[b]) {
			struct elf_file *f = usyms->elfs[b];

			usyms->elfs[b] = f->next;
			elf_file_free(f);
		}
	}
	free(usyms);
}

/* Read the maps of p again: a library may have been loaded since. */
static int reread(struct uproc *p)
{
	struct umap *maps;
	char *paths;
	size_t n;
	int err;

	err = read_maps(p->pid, &maps, &n, &paths);
	p->read_ns = now_ns();
	if (err)
		return err;
	free(p->maps);
	free(p->paths);
	p->maps = maps;
	p->n = n;
	p->paths = paths;
	return 0;
}

/*
 * An address in anonymous executable memory: JIT code, named by the
 * process's perf map when it has one (a JVM after jcmd PID
 * Compiler.perfmap).  The map is reread when the file changes (a new
 * snapshot names the methods compiled since), which costs a stat() per
 * lookup; a process without one is looked at again at most every
 * MAPS_RETRY_NS.
 */
static int jit_find(struct uproc *p, uint64_t addr, struct surf_sym *out)
{
	int err;

	if (!p->jmap) {
		if (p->jmap_ns && now_ns() - p->jmap_ns < MAPS_RETRY_NS)
			return -ENOENT;
		p->jmap_ns = now_ns();
		err = surf_jmap__open(&p->jmap, p->pid);
		if (err)
			return err == -ENOMEM ? err : -ENOENT;
	} else {
		err = surf_jmap__refresh(p->jmap);
		if (err == -ENOMEM)
			return err;
		/* Removed: what it said still holds for the code it named. */
	}
	return surf_jmap__find(p->jmap, addr, out) ? -ENOENT : 0;
}

int surf_usyms__find(struct surf_usyms *usyms, int pid, uint64_t addr, struct surf_sym *out)
{
	const struct elf_sym *s;
	struct elf_file *f;
	struct uproc *p;
	struct umap *m;
	uint64_t vaddr;
	int err;

	memset(out, 0, sizeof(*out));
	if (pid <= 0)
		return -EINVAL;
	err = get_proc(usyms, pid, &p);
	if (err)
		return err;
	m = find_map(p, addr);
	if (!m && now_ns() - p->read_ns >= MAPS_RETRY_NS) {
		/* Gone: what was read before still holds for its old samples. */
		err = reread(p);
		if (err == -ENOMEM)
			return err;
		m = find_map(p, addr);
	}
	if (!m)
		return -ENOENT;
	/* Unnamed, the address is still known to be in this file. */
	out->module = p->paths[m->path] ? p->paths + m->path : NULL;
	if (m->kind == MAP_OTHER && !p->paths[m->path])
		return jit_find(p, addr, out);
	if (m->kind != MAP_FILE && m->kind != MAP_VDSO)
		return -ENOENT;
	err = get_elf(usyms, p, m, &f);
	if (err)
		return err == -ENOMEM ? err : -ENOENT;
	out->module = f->path;
	if (off_to_vaddr(f, addr - m->start + m->pgoff, &vaddr))
		return -ENOENT;
	s = find_sym(f, vaddr);
	if (!s)
		return -ENOENT;
	out->name = f->names + s->name;
	out->addr = addr - (vaddr - s->value);
	out->size = s->size;
	return 0;
}

void surf_usyms__forget(struct surf_usyms *usyms, int pid)
{
	struct uproc **pp = proc_slot(usyms, pid), *p = *pp;

	if (!p)
		return;
	*pp = p->next;
	proc_free(p);
	usyms->nprocs--;
}

// SPDX-License-Identifier: MIT
/*
 * Kernel symbols from /proc/kallsyms, and the "name+0xoff/0xsize" formatting
 * shared with the user-space side (usyms.c).
 *
 * The file (~120k lines, ~5 MB here) is read once, in chunks that are parsed
 * as they come; only the names are kept, back to back in one string pool, and
 * module names once per module.  The symbols are one array of 16-byte entries
 * {address, name offset, module index, type} sorted by address; the kernel
 * already lists vmlinux in address order, so the sort is skipped when the
 * file is sorted.  The name index that lookup() needs is built the first time
 * lookup() is called: most users only ever turn addresses into names.
 *
 * Reading /proc/kallsyms costs the kernel ~35 ms here (it formats every line
 * on each read) and ~130 ms under emulation, paid by the first kprobe event
 * shown (its "func+0x0/0xe0").  surf_ksyms__load_cached keeps vmlinux's part
 * of the table in a per-boot cache file (cache.h) that later runs map as it
 * is.  Only vmlinux's: it cannot change until the next boot, unlike the
 * symbols of modules, BPF programs and trampolines, which sit in the module
 * area.  A query the vmlinux part cannot answer (an address past it, a name
 * not in it) loads the whole file then, so answers are those of a fresh
 * load.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <surf/syms.h>

#include "sys/cache.h"
#include "sys/util.h"

/* Size of a symbol when the next one is further away than this: unknown. */
#define KSYM_MAX_SIZE (1u << 20)

struct ksym {
	uint64_t addr;
	uint32_t name;		/* offset into pool */
	uint16_t mod;		/* index into mods, 0 for vmlinux */
	char type;		/* the kallsyms type letter */
	uint8_t pad;
};

struct surf_ksyms {
	struct ksym *syms;
	size_t n;
	char *pool;
	uint32_t *mods;		/* pool offsets of module names; [0] unused */
	size_t nmods;
	/*
	 * Static variables are listed (CONFIG_KALLSYMS_ALL): only then does a
	 * missing name mean the kernel has no such symbol.  Without it a few
	 * global ones still are (section markers), never a static one.
	 */
	bool has_data;
	/*
	 * lookup() takes a const pointer and may be called from several
	 * threads, so the lazily built index is published atomically and
	 * built under a lock.
	 */
	pthread_mutex_t lock;
	_Atomic(uint32_t *) index;	/* slots hold a syms index, or UINT32_MAX */
	size_t index_mask;
	size_t pool_len;
	/*
	 * A table mapped from the cache (vmlinux's symbols only): syms and
	 * pool point into map.  full is the whole table, loaded under lock
	 * when a query needs more (full_failed when that load failed).
	 */
	void *map;
	size_t map_len;
	_Atomic(struct surf_ksyms *) full;
	atomic_bool full_failed;
};

#define CACHE_PREFIX "kallsyms."
#define CACHE_MAGIC "SURFKSY1"

/* The cache file: this header, n struct ksym (sorted, all of vmlinux), the pool. */
struct cache_hdr {
	char magic[8];
	uint32_t n;
	uint32_t pool_len;
	uint32_t has_data;
	uint32_t entry_size;	/* sizeof(struct ksym) */
	uint64_t reserved;
};

#define EMPTY_SLOT UINT32_MAX

static bool is_text(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

/*
 * Several names often share one address (_text, _stext, aliases made by the
 * linker).  find() returns the most telling one: code before data, fewer
 * leading underscores (the public name rather than __pi_x or __x64_sys_x
 * helpers sitting at the same spot), global before local, then the first
 * listed.  Lower is better.
 */
static unsigned int ksym_rank(const struct surf_ksyms *k, const struct ksym *s)
{
	const char *name = k->pool + s->name;
	unsigned int us = 0;

	while (name[us] == '_' && us < 15)
		us++;
	return (!is_text(s->type) << 8) | (us << 4) |
	       (s->type >= 'a' && s->type <= 'z');
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Pool offsets grow in file order: ties keep the file's order. */
	return (x->name > y->name) - (x->name < y->name);
}

/* What load needs while it parses, beside the table itself. */
struct loader {
	struct surf_ksyms *k;
	size_t syms_cap, pool_len, pool_cap, mods_cap;
	int last_mod;
};

static int grow(void *pp, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 4096;
	void *p;

	while (n < need)
		n *= 2;
	p = realloc(*(void **)pp, n * elem);
	if (!p)
		return -ENOMEM;
	*(void **)pp = p;
	*cap = n;
	return 0;
}

/* Append [s, s+len) and a NUL to the pool; its offset or a negative errno. */
static int64_t pool_add(struct loader *l, const char *s, size_t len)
{
	size_t off = l->pool_len;

	if (off + len + 1 > UINT32_MAX)
		return -E2BIG;
	if (off + len + 1 > l->pool_cap &&
	    grow(&l->k->pool, &l->pool_cap, off + len + 1, 1))
		return -ENOMEM;
	memcpy(l->k->pool + off, s, len);
	l->k->pool[off + len] = '\0';
	l->pool_len += len + 1;
	return off;
}

/* The index in k->mods of module [s, s+len), added when new. */
static int intern_mod(struct loader *l, const char *s, size_t len)
{
	struct surf_ksyms *k = l->k;
	int64_t off;

	/* Lines of one module come together: the last one is the usual hit. */
	for (size_t i = k->nmods; i-- > 1;) {
		const char *m = k->pool + k->mods[i];

		if (!strncmp(m, s, len) && m[len] == '\0')
			return (int)i;
	}
	if (k->nmods > UINT16_MAX)
		return -E2BIG;
	if (k->nmods >= l->mods_cap && grow(&k->mods, &l->mods_cap, k->nmods + 1, sizeof(*k->mods)))
		return -ENOMEM;
	off = pool_add(l, s, len);
	if (off < 0)
		return (int)off;
	k->mods[0] = 0;
	k->mods[k->nmods] = (uint32_t)off;
	return (int)k->nmods++;
}

static const signed char hex_digit[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
	['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13,
	['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13,
	['D'] = 14, ['E'] = 15, ['F'] = 16,
};	/* digit value + 1, so that 0 means "not a digit" */

/*
 * Eight hex digits (the first one in the lowest byte of x, as loaded from
 * memory on a little-endian machine) to their value; false if one is not a
 * hex digit.  The per-digit loop was most of the parsing time.
 */
static bool hex8(uint64_t x, uint32_t *out)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t lower = x | 0x2020202020202020ull;
	uint64_t digit, alpha, v;

	/* Per byte, bit 7 set when in '0'..'9' and 'a'..'f'; no carries as x < 0x80. */
	digit = (x + ones * (0x80 - '0')) & ~(x + ones * (0x80 - '9' - 1));
	alpha = (lower + ones * (0x80 - 'a')) & ~(lower + ones * (0x80 - 'f' - 1));
	if ((x & high) || ((digit | alpha) & high) != high)
		return false;
	/* '0'..'9' -> 0..9, 'a'..'f' and 'A'..'F' (bit 6 set) -> 10..15 */
	v = (x & ones * 0x0f) + 9 * ((x >> 6) & ones);
	v = ((v & 0x000f000f000f000full) << 4) | ((v & 0x0f000f000f000f00ull) >> 8);
	v = ((v & 0x000000ff000000ffull) << 8) | ((v & 0x00ff000000ff0000ull) >> 16);
	v = ((v & 0x000000000000ffffull) << 16) | ((v & 0x0000ffff00000000ull) >> 32);
	*out = (uint32_t)v;
	return true;
}

/* One "ADDR TYPE NAME[\t[MODULE]]" line, without its newline. */
static int parse_line(struct loader *l, const char *p, const char *end)
{
	struct surf_ksyms *k = l->k;
	const char *name, *tab;
	uint64_t addr = 0;
	int64_t off;
	struct ksym *s;
	int digits = 0;
	char type;

	if (p == end)
		return 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* 64-bit kernels print all 16 digits ("%px"). */
	if (end - p > 16 && p[16] == ' ') {
		uint64_t a, b;
		uint32_t hi, lo;

		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		if (hex8(a, &hi) && hex8(b, &lo)) {
			addr = (uint64_t)hi << 32 | lo;
			p += 16;
			digits = 16;
		}
	}
#endif
	for (int d; p < end && (d = hex_digit[(unsigned char)*p]); p++, digits++)
		addr = addr << 4 | (d - 1);
	if (!digits || digits > 16 || end - p < 4 || p[0] != ' ' || p[2] != ' ')
		return -EINVAL;
	type = p[1];
	name = p + 3;
	/* kptr_restrict (or no CAP_SYSLOG) shows every address as 0. */
	if (!addr)
		return 0;
	tab = memchr(name, '\t', end - name);
	if (tab == name)
		return -EINVAL;
	if (k->n >= l->syms_cap && grow(&k->syms, &l->syms_cap, k->n + 1, sizeof(*k->syms)))
		return -ENOMEM;
	off = pool_add(l, name, (tab ? tab : end) - name);
	if (off < 0)
		return (int)off;
	s = &k->syms[k->n++];
	k->has_data |= type == 'd' || type == 'b';
	s->addr = addr;
	s->name = (uint32_t)off;
	s->type = type;
	s->pad = 0;
	s->mod = 0;
	if (tab) {
		const char *mod = tab + 1, *close;
		const char *m = l->last_mod ? k->pool + k->mods[l->last_mod] : NULL;
		size_t len;

		if (mod == end || *mod != '[')
			return -EINVAL;
		close = memchr(mod, ']', end - mod);
		if (!close)
			return -EINVAL;
		mod++;
		len = close - mod;
		if (!m || strncmp(m, mod, len) || m[len]) {
			l->last_mod = intern_mod(l, mod, len);
			if (l->last_mod < 0)
				return l->last_mod;
		}
		s->mod = (uint16_t)l->last_mod;
	}
	return 0;
}

/*
 * Read and parse in chunks: each chunk is parsed right after read() put it
 * in the cache, and only the names are kept, so the text never needs to be
 * in memory at once.  Producing /proc/kallsyms costs the kernel ~0.3 us a
 * line (35 ms for 120k lines here, one page per read() whatever the buffer
 * size), several times what parsing costs.  A reader thread that overlaps
 * the two was tried and did not help: the kernel side got as much slower as
 * the parsing it hid.
 */
static int load_file(struct loader *l, const char *path)
{
	const size_t cap = 64 << 10;
	size_t have = 0;
	char *buf;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + have, cap - have);
		char *p = buf, *end, *nl;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		end = buf + have + r;
		while ((nl = memchr(p, '\n', end - p))) {
			err = parse_line(l, p, nl);
			if (err)
				goto out;
			p = nl + 1;
		}
		have = end - p;
		if (!r) {	/* the last line may lack its newline */
			err = parse_line(l, p, end);
			break;
		}
		if (have == cap) {	/* no line is that long */
			err = -EINVAL;
			break;
		}
		memmove(buf, p, have);
	}
out:
	free(buf);
	close(fd);
	return err;
}

/* Move the preferred name of each run of equal addresses to its front. */
static void pick_names(struct surf_ksyms *k)
{
	for (size_t i = 0, j; i < k->n; i = j) {
		size_t best = i;
		unsigned int best_rank = ~0u;

		for (j = i + 1; j < k->n && k->syms[j].addr == k->syms[i].addr; j++)
			;
		if (j - i == 1)
			continue;
		for (size_t x = i; x < j; x++) {
			unsigned int r = ksym_rank(k, &k->syms[x]);

			if (r < best_rank) {
				best_rank = r;
				best = x;
			}
		}
		if (best != i) {
			struct ksym t = k->syms[i];

			k->syms[i] = k->syms[best];
			k->syms[best] = t;
		}
	}
}

int surf_ksyms__load(struct surf_ksyms **out, const char *path)
{
	struct loader l = { 0 };
	struct surf_ksyms *k;
	bool sorted = true;
	int err;

	*out = NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	pthread_mutex_init(&k->lock, NULL);
	atomic_init(&k->index, NULL);
	k->nmods = 1;		/* 0 stands for vmlinux */
	l.k = k;
	err = load_file(&l, path ? path : "/proc/kallsyms");
	if (err) {
		surf_ksyms__free(k);
		return err;
	}
	/* Give back the slack of the doubling (cheap: large blocks are mremap'ed). */
	if (k->n) {
		void *p = realloc(k->syms, k->n * sizeof(*k->syms));

		if (p)
			k->syms = p;
		p = realloc(k->pool, l.pool_len);
		if (p)
			k->pool = p;
	}
	for (size_t i = 1; i < k->n && sorted; i++)
		sorted = k->syms[i - 1].addr <= k->syms[i].addr;
	if (!sorted)
		qsort(k->syms, k->n, sizeof(*k->syms), ksym_cmp);
	pick_names(k);
	k->pool_len = l.pool_len;
	*out = k;
	return 0;
}

void surf_ksyms__free(struct surf_ksyms *ksyms)
{
	if (!ksyms)
		return;
	free(atomic_load(&ksyms->index));
	pthread_mutex_destroy(&ksyms->lock);
	if (ksyms->map) {
		munmap(ksyms->map, ksyms->map_len);
		surf_ksyms__free(atomic_load(&ksyms->full));
	} else {
		free(ksyms->syms);
		free(ksyms->mods);
		free(ksyms->pool);
	}
	free(ksyms);
}

/* A table over a mapped cache file, or NULL when the file is not one (truncated, other format). */
static struct surf_ksyms *from_cache(void *map, size_t len)
{
	const struct cache_hdr *h = map;
	struct surf_ksyms *k;
	const struct ksym *syms;
	const char *pool;

	if (len < sizeof(*h) || memcmp(h->magic, CACHE_MAGIC, 8) ||
	    h->entry_size != sizeof(struct ksym) || !h->n || !h->pool_len ||
	    len != sizeof(*h) + (size_t)h->n * sizeof(struct ksym) + h->pool_len)
		return NULL;
	syms = (const struct ksym *)(h + 1);
	pool = (const char *)(syms + h->n);
	if (pool[h->pool_len - 1])
		return NULL;
	for (size_t i = 0; i < h->n; i++)
		if (syms[i].name >= h->pool_len || syms[i].mod ||
		    (i && syms[i - 1].addr > syms[i].addr))
			return NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	pthread_mutex_init(&k->lock, NULL);
	atomic_init(&k->index, NULL);
	atomic_init(&k->full, NULL);
	atomic_init(&k->full_failed, false);
	k->syms = (struct ksym *)syms;
	k->n = h->n;
	k->pool = (char *)pool;
	k->pool_len = h->pool_len;
	k->nmods = 1;
	k->has_data = h->has_data;
	k->map = map;
	k->map_len = len;
	return k;
}

/* Keep vmlinux's part of a freshly loaded table in the cache. */
static void write_cache(const struct surf_ksyms *k, const char *dir, const char *key)
{
	struct cache_hdr h = { .magic = CACHE_MAGIC, .pool_len = (uint32_t)k->pool_len,
			       .has_data = k->has_data, .entry_size = sizeof(struct ksym) };
	struct ksym *sub;
	bool addresses = false;

	sub = malloc(k->n * sizeof(*sub) + 1);
	if (!sub)
		return;
	for (size_t i = 0; i < k->n; i++) {
		if (k->syms[i].mod)
			continue;
		sub[h.n++] = k->syms[i];
		addresses |= k->syms[i].addr != 0;
	}
	/* Zeros (kptr_restrict): nothing worth keeping. */
	if (h.n && addresses) {
		struct iovec iov[] = { { &h, sizeof(h) }, { sub, h.n * sizeof(*sub) },
				       { k->pool, k->pool_len } };

		surf_cache_write(dir, CACHE_PREFIX, key, iov, 3);
	}
	free(sub);
}

int surf_ksyms__load_cached(struct surf_ksyms **out, const char *cache_dir)
{
	char key[512];
	size_t len;
	void *map;
	int err;

	*out = NULL;
	if (!cache_dir || surf_cache_key(CACHE_PREFIX, false, key, sizeof(key)))
		return surf_ksyms__load(out, NULL);
	map = surf_cache_map(cache_dir, key, &len);
	if (map) {
		*out = from_cache(map, len);
		if (*out)
			return 0;
		munmap(map, len);	/* not a file of ours: made anew below */
	}
	err = surf_ksyms__load(out, NULL);
	if (!err)
		write_cache(*out, cache_dir, key);
	return err;
}

/* The whole table behind a cached one (loaded on first need); NULL for a whole table. */
static const struct surf_ksyms *whole(const struct surf_ksyms *ksyms)
{
	/* The object is never const itself: only what is lazily loaded is written. */
	struct surf_ksyms *k = (struct surf_ksyms *)ksyms, *f;

	if (!k->map || atomic_load(&k->full_failed))
		return NULL;
	f = atomic_load_explicit(&k->full, memory_order_acquire);
	if (f)
		return f;
	pthread_mutex_lock(&k->lock);
	f = atomic_load_explicit(&k->full, memory_order_relaxed);
	if (!f && !atomic_load(&k->full_failed)) {
		if (surf_ksyms__load(&f, NULL))
			atomic_store(&k->full_failed, true);
		else
			atomic_store_explicit(&k->full, f, memory_order_release);
	}
	pthread_mutex_unlock(&k->lock);
	return f;
}

static void fill(const struct surf_ksyms *k, const struct ksym *s, uint64_t size,
		 struct surf_sym *out)
{
	out->name = k->pool + s->name;
	out->addr = s->addr;
	out->size = size;
	out->module = s->mod ? k->pool + k->mods[s->mod] : NULL;
}

static int find_in(const struct surf_ksyms *ksyms, uint64_t addr, struct surf_sym *out)
{
	const struct ksym *syms = ksyms->syms, *s;
	size_t lo = 0, hi = ksyms->n, i;
	uint64_t size = 0;

	memset(out, 0, sizeof(*out));
	/* lo becomes the first symbol above addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -ENOENT;
	i = lo - 1;
	while (i > 0 && syms[i - 1].addr == syms[i].addr)
		i--;
	s = &syms[i];
	/*
	 * kallsyms has no sizes: a symbol ends where the next address starts,
	 * unless that is in another module (or past the end of vmlinux) or so
	 * far away that it is a gap, not a function.
	 */
	if (lo < ksyms->n && syms[lo].mod == s->mod && syms[lo].addr - s->addr <= KSYM_MAX_SIZE)
		size = syms[lo].addr - s->addr;
	if (addr - s->addr >= (size ? size : KSYM_MAX_SIZE))
		return -ENOENT;
	fill(ksyms, s, size, out);
	return 0;
}

int surf_ksyms__find(const struct surf_ksyms *ksyms, uint64_t addr, struct surf_sym *out)
{
	const struct surf_ksyms *w;
	int ret = find_in(ksyms, addr, out);

	/* Not in vmlinux's part: a module's, a BPF program's, or nobody's. */
	if (ret == -ENOENT && (w = whole(ksyms)))
		ret = find_in(w, addr, out);
	return ret;
}

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/*
 * Of the symbols sharing a name (static functions of different files), the
 * one lookup() returns: vmlinux before modules, global before local, code
 * before data, then the lowest address.
 */
static bool name_better(const struct ksym *a, const struct ksym *b)
{
	bool ag = a->type >= 'A' && a->type <= 'Z', bg = b->type >= 'A' && b->type <= 'Z';

	if (!a->mod != !b->mod)
		return !a->mod;
	if (ag != bg)
		return ag;
	if (is_text(a->type) != is_text(b->type))
		return is_text(a->type);
	return a->addr < b->addr;
}

static uint32_t *build_index(struct surf_ksyms *k, size_t *mask_out)
{
	size_t size = 16, mask;
	uint32_t *slots;

	while (size < k->n * 2)
		size *= 2;
	mask = size - 1;
	slots = malloc(size * sizeof(*slots));
	if (!slots)
		return NULL;
	memset(slots, 0xff, size * sizeof(*slots));
	for (size_t i = 0; i < k->n; i++) {
		const char *name = k->pool + k->syms[i].name;
		size_t h = hash_name(name) & mask;

		for (;; h = (h + 1) & mask) {
			uint32_t j = slots[h];

			if (j == EMPTY_SLOT) {
				slots[h] = (uint32_t)i;
				break;
			}
			if (!strcmp(k->pool + k->syms[j].name, name)) {
				if (name_better(&k->syms[i], &k->syms[j]))
					slots[h] = (uint32_t)i;
				break;
			}
		}
	}
	*mask_out = mask;
	return slots;
}

static int lookup_in(const struct surf_ksyms *ksyms, const char *name, uint64_t *addr)
{
	/* The object is never const itself: only the lazy index is written. */
	struct surf_ksyms *k = (struct surf_ksyms *)ksyms;
	uint32_t *slots = atomic_load_explicit(&k->index, memory_order_acquire);
	size_t h;

	if (!k->n)
		return -ENOENT;
	if (!slots) {
		pthread_mutex_lock(&k->lock);
		slots = atomic_load_explicit(&k->index, memory_order_relaxed);
		if (!slots) {
			slots = build_index(k, &k->index_mask);
			if (slots)
				atomic_store_explicit(&k->index, slots, memory_order_release);
		}
		pthread_mutex_unlock(&k->lock);
		if (!slots)
			return -ENOMEM;
	}
	for (h = hash_name(name) & k->index_mask;; h = (h + 1) & k->index_mask) {
		uint32_t j = slots[h];

		if (j == EMPTY_SLOT)
			return -ENOENT;
		if (!strcmp(k->pool + k->syms[j].name, name)) {
			*addr = k->syms[j].addr;
			return 0;
		}
	}
}

int surf_ksyms__lookup(const struct surf_ksyms *ksyms, const char *name, uint64_t *addr)
{
	const struct surf_ksyms *w;
	int ret = lookup_in(ksyms, name, addr);

	/* vmlinux's symbol is the one a whole table names first (name_better). */
	if (ret == -ENOENT && (w = whole(ksyms)))
		ret = lookup_in(w, name, addr);
	return ret;
}

int surf_ksyms__symbol(const struct surf_ksyms *ksyms, const char *name, struct surf_sym *out)
{
	uint64_t addr;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!ksyms->n)
		return -ENODATA;
	ret = surf_ksyms__lookup(ksyms, name, &addr);
	/* Without CONFIG_KALLSYMS_ALL only code is listed: a variable may exist. */
	if (ret == -ENOENT && !ksyms->has_data)
		return -ENODATA;
	if (ret)
		return ret;
	return surf_ksyms__find(ksyms, addr, out);
}

bool surf_ksyms__code_only(const struct surf_ksyms *ksyms)
{
	return ksyms->n && !ksyms->has_data;
}

/*
 * Like the kernel's %pS with the size: "wake_up_new_task+0x0/0x280", or
 * without it when unknown.  An unnamed address in a known file or module
 * shows as "[module]" ("[vdso]" already has its brackets), else as its hex
 * value.  Returns the length needed, like snprintf.
 */
int surf_sym__format(const struct surf_sym *sym, uint64_t addr, char *buf, size_t len)
{
	if (sym && sym->name && addr >= sym->addr) {
		uint64_t off = addr - sym->addr;

		if (sym->size)
			return snprintf(buf, len, "%s+0x%" PRIx64 "/0x%" PRIx64, sym->name, off,
					sym->size);
		return snprintf(buf, len, "%s+0x%" PRIx64, sym->name, off);
	}
	if (sym && sym->module)
		return snprintf(buf, len, sym->module[0] == '[' ? "%s" : "[%s]", sym->module);
	return snprintf(buf, len, "0x%" PRIx64, addr);
}

/*
 * The code symbol nearest to name by edit distance, for "did you mean": a
 * kernel function misspelt.  The padding symbols (__pfx_, __cfi_) are the
 * compiler's, never what someone meant.  A table loaded whole
 * (surf_ksyms__load): a cached one holds vmlinux's part only.
 */
int surf_ksyms_closest(const struct surf_ksyms *ksyms, const char *name, size_t limit, char *out,
		       size_t len)
{
	size_t best = limit + 1;

	out[0] = '\0';
	for (size_t i = 0; i < ksyms->n; i++) {
		const char *s = ksyms->pool + ksyms->syms[i].name;
		size_t d;

		if (!is_text(ksyms->syms[i].type) || !strncmp(s, "__pfx_", 6) ||
		    !strncmp(s, "__cfi_", 6))
			continue;
		d = surf_edit_distance_max(name, s, best - 1);
		if (d < best) {
			best = d;
			snprintf(out, len, "%s", s);
		}
	}
	return out[0] ? 0 : -ENOENT;
}

/*
 * Whether kallsyms lists name as code (t, T, w, W) at addr: a function to
 * disassemble, not a variable.  A table loaded whole, as above.
 */
bool surf_ksyms_is_code(const struct surf_ksyms *ksyms, const char *name, uint64_t addr)
{
	for (size_t i = 0; i < ksyms->n; i++)
		if (ksyms->syms[i].addr == addr && !strcmp(ksyms->pool + ksyms->syms[i].name, name))
			return is_text(ksyms->syms[i].type);
	return false;
}

// SPDX-License-Identifier: MIT
/*
 * clcc extensions: map information and clearing, histogram maps, the
 * program's global variables, perf buffer sizing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <clcc.h>

#include "clcc/clcc_impl.h"

int clcc_num_cpus(void)
{
	return libbpf_num_possible_cpus();
}

void clcc_set_perf_pages(struct clcc_struct *p, int pages)
{
	struct clcc_impl *c = clcc__impl(p);

	if (!c)
		return;
	/* a power of two */
	while (pages & (pages - 1))
		pages &= pages - 1;
	c->perf_pages = pages > 0 ? pages : 1;
}

static struct bpf_map *map_of(struct clcc_impl *c, int id, const char *op)
{
	if (!c)
		return NULL;
	if (!c->obj || id < 0 || id >= c->nmaps) {
		clcc__err(c, -EINVAL, "%s: no map with id %d in %s", op, id, c->so_path);
		return NULL;
	}
	return c->maps[id];
}

int clcc_map_info(struct clcc_struct *p, int id, struct clcc_map_info *info)
{
	struct clcc_impl *c = clcc__impl(p);
	struct bpf_map *m = map_of(c, id, "clcc_map_info");

	if (!m)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->name = bpf_map__name(m);
	info->type = bpf_map__type(m);
	info->key_size = bpf_map__key_size(m);
	info->value_size = bpf_map__value_size(m);
	info->max_entries = bpf_map__max_entries(m);
	info->fd = c->loaded ? bpf_map__fd(m) : -1;
	return 0;
}

int clcc_has_program(struct clcc_struct *p, const char *func)
{
	struct clcc_impl *c = clcc__impl(p);

	if (!c || !c->obj || !func)
		return -EINVAL;
	return bpf_object__find_program_by_name(c->obj, func) ? 0 : -ENOENT;
}

static bool is_percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static bool is_array(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* The bytes a user-space lookup of m reads. */
static size_t value_bytes(struct bpf_map *m, int ncpus)
{
	size_t v = bpf_map__value_size(m);

	return is_percpu(bpf_map__type(m)) ? ((v + 7) & ~(size_t)7) * ncpus : v;
}

int clcc_map_clear(struct clcc_struct *p, int id)
{
	struct clcc_impl *c = clcc__impl(p);
	struct bpf_map *m = map_of(c, id, "clcc_map_clear");
	int fd, ncpus = libbpf_num_possible_cpus(), err = 0;
	size_t ks, n = 0, cap = 0;
	char *keys = NULL, *val;

	if (!m)
		return -EINVAL;
	fd = clcc__map_fd(c, id, "clcc_map_clear");
	if (fd < 0)
		return fd;
	if (ncpus < 1)
		ncpus = 1;
	ks = bpf_map__key_size(m);
	if (is_array(bpf_map__type(m))) {
		val = calloc(1, value_bytes(m, ncpus));
		if (!val)
			return -ENOMEM;
		for (uint32_t i = 0; i < bpf_map__max_entries(m) && !err; i++)
			err = bpf_map_update_elem(fd, &i, val, BPF_ANY);
		free(val);
		return err;
	}
	/* the keys first, then delete them: deleting while walking restarts the walk */
	for (;;) {
		if (n == cap) {
			char *k;

			cap = cap ? cap * 2 : 64;
			k = realloc(keys, cap * ks);
			if (!k) {
				free(keys);
				return -ENOMEM;
			}
			keys = k;
		}
		err = bpf_map_get_next_key(fd, n ? keys + (n - 1) * ks : NULL, keys + n * ks);
		if (err)
			break;
		n++;
	}
	err = err == -ENOENT ? 0 : err;
	for (size_t i = 0; i < n && !err; i++) {
		err = bpf_map_delete_elem(fd, keys + i * ks);
		if (err == -ENOENT)
			err = 0;
	}
	free(keys);
	return err;
}

int clcc_hist_read(struct clcc_struct *p, int id, unsigned long long *vals, int n)
{
	struct clcc_impl *c = clcc__impl(p);
	struct bpf_map *m = map_of(c, id, "clcc_hist_read");
	int fd, ncpus = libbpf_num_possible_cpus(), err = 0;
	size_t vs, stride;
	enum bpf_map_type t;
	unsigned char *buf;
	uint32_t key, next, max;
	int cpus;

	if (!m || n < 0)
		return -EINVAL;
	fd = clcc__map_fd(c, id, "clcc_hist_read");
	if (fd < 0)
		return fd;
	t = bpf_map__type(m);
	vs = bpf_map__value_size(m);
	if (bpf_map__key_size(m) != 4 || (vs != 4 && vs != 8) ||
	    (!is_array(t) && t != BPF_MAP_TYPE_HASH && t != BPF_MAP_TYPE_PERCPU_HASH &&
	     t != BPF_MAP_TYPE_LRU_HASH && t != BPF_MAP_TYPE_LRU_PERCPU_HASH))
		return clcc__err(c, -EINVAL, "clcc_hist_read: map '%s' is not a histogram (a u32 "
				 "slot -> u32/u64 count array or hash)", bpf_map__name(m));
	if (ncpus < 1)
		ncpus = 1;
	cpus = is_percpu(t) ? ncpus : 1;
	stride = is_percpu(t) ? 8 : vs;
	buf = calloc(cpus, stride);
	if (!buf)
		return -ENOMEM;
	memset(vals, 0, n * sizeof(*vals));
	if (is_array(t)) {
		max = bpf_map__max_entries(m) < (uint32_t)n ? bpf_map__max_entries(m) : (uint32_t)n;
		for (key = 0; key < max && !err; key++) {
			err = bpf_map_lookup_elem(fd, &key, buf);
			for (int i = 0; !err && i < cpus; i++)
				vals[key] += vs == 8 ? *(uint64_t *)(buf + i * stride)
						     : *(uint32_t *)(buf + i * stride);
		}
	} else {
		max = (uint32_t)n;
		err = bpf_map_get_next_key(fd, NULL, &next);
		while (!err) {
			key = next;
			if (key < max && !bpf_map_lookup_elem(fd, &key, buf))
				for (int i = 0; i < cpus; i++)
					vals[key] += vs == 8 ? *(uint64_t *)(buf + i * stride)
							     : *(uint32_t *)(buf + i * stride);
			err = bpf_map_get_next_key(fd, &key, &next);
		}
	}
	free(buf);
	if (err && err != -ENOENT)
		return clcc__err(c, err, "clcc_hist_read: map '%s': %s", bpf_map__name(m),
				 strerror(-err));
	return (int)max;
}

int clcc_print_log2_hist_map(struct clcc_struct *p, int id, const char *unit)
{
	unsigned long long vals[64];
	int n = clcc_hist_read(p, id, vals, 64);

	if (n < 0)
		return n;
	clcc_print_log2_hist(vals, n, unit);
	return 0;
}

int clcc_print_linear_hist_map(struct clcc_struct *p, int id, long long base, long long step,
			       const char *unit)
{
	unsigned long long *vals;
	struct clcc_map_info info;
	int n, err = clcc_map_info(p, id, &info);

	if (err)
		return err;
	vals = calloc(info.max_entries ? info.max_entries : 1, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	n = clcc_hist_read(p, id, vals, (int)(info.max_entries > 1u << 20 ? 1u << 20
								       : info.max_entries));
	if (n >= 0)
		clcc_print_linear_hist(vals, n, base, step, unit);
	free(vals);
	return n < 0 ? n : 0;
}

/* ---- globals ---------------------------------------------------------- */

static int find_global(struct clcc_impl *c, const char *name, struct bpf_map **map,
		       size_t *off, size_t *size)
{
	const struct btf *btf = bpf_object__btf(c->obj);
	__u32 n;

	if (!btf)
		return -ENOENT;
	n = btf__type_cnt(btf);
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vsi;
		const char *sec;

		if (!btf_is_datasec(t))
			continue;
		sec = btf__name_by_offset(btf, t->name_off);
		vsi = btf_var_secinfos(t);
		for (int j = 0; j < btf_vlen(t); j++, vsi++) {
			const struct btf_type *v = btf__type_by_id(btf, vsi->type);

			if (!v || strcmp(btf__name_by_offset(btf, v->name_off), name))
				continue;
			*map = bpf_object__find_map_by_name(c->obj, sec);
			if (!*map)
				return -ENOENT;
			*off = vsi->offset;
			*size = vsi->size;
			return 0;
		}
	}
	return -ENOENT;
}

void clcc__unmap_globals(struct clcc_impl *c)
{
	for (int i = 0; i < c->ngmaps; i++)
		munmap(c->gmaps[i].p, c->gmaps[i].len);
	c->ngmaps = 0;
}

/*
 * The kernel's copy of a .data/.bss map, mapped (libbpf 1.1 maps it only
 * for skeletons), or NULL.
 */
static char *mapped(struct clcc_impl *c, struct bpf_map *m, size_t *size)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len;
	void *p;

	for (int i = 0; i < c->ngmaps; i++)
		if (c->gmaps[i].m == m) {
			*size = bpf_map__value_size(m);
			return c->gmaps[i].p;
		}
	if (!(bpf_map__map_flags(m) & BPF_F_MMAPABLE) || c->ngmaps == 8)
		return NULL;
	len = (bpf_map__value_size(m) + page - 1) / page * page;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
	if (p == MAP_FAILED)
		return NULL;
	c->gmaps[c->ngmaps].m = m;
	c->gmaps[c->ngmaps].p = p;
	c->gmaps[c->ngmaps++].len = len;
	*size = bpf_map__value_size(m);
	return p;
}

static int global_access(struct clcc_struct *p, const char *name, void *val, size_t size,
			 bool write)
{
	struct clcc_impl *c = clcc__impl(p);
	const char *op = write ? "clcc_set_global" : "clcc_get_global";
	struct bpf_map *m;
	size_t off, vsize, msize = 0;
	char *data;
	int err;

	if (!c || !name || !val)
		return -EINVAL;
	if (!c->obj && (err = clcc__open(c)))
		return err;
	err = find_global(c, name, &m, &off, &vsize);
	if (err)
		return clcc__err(c, -ENOENT, "%s: no global variable '%s' in %s", op, name,
				 c->so_path);
	if (size != vsize)
		return clcc__err(c, -EINVAL, "%s: '%s' has %zu bytes, not %zu", op, name, vsize,
				 size);
	if (write && c->loaded && (bpf_map__map_flags(m) & BPF_F_RDONLY_PROG))
		return clcc__err(c, -EPERM, "%s: '%s' is const (.rodata): set it before init()", op,
				 name);
	if (c->loaded && !(bpf_map__map_flags(m) & BPF_F_RDONLY_PROG))
		data = mapped(c, m, &msize);
	else
		data = (char *)bpf_map__initial_value(m, &msize);
	if (data && off + size <= msize) {
		if (write)
			memcpy(data + off, val, size);
		else
			memcpy(val, data + off, size);
		return 0;
	}
	if (!c->loaded)
		return clcc__err(c, -EINVAL, "%s: cannot reach '%s'", op, name);
	/* not mmap()able: through the map */
	{
		uint32_t zero = 0;
		int fd = bpf_map__fd(m);
		char *buf = malloc(bpf_map__value_size(m));

		if (!buf)
			return -ENOMEM;
		err = bpf_map_lookup_elem(fd, &zero, buf);
		if (!err && write) {
			memcpy(buf + off, val, size);
			err = bpf_map_update_elem(fd, &zero, buf, BPF_ANY);
		} else if (!err) {
			memcpy(val, buf + off, size);
		}
		free(buf);
		return err ? clcc__err(c, err, "%s: '%s': %s", op, name, strerror(-err)) : 0;
	}
}

int clcc_set_global(struct clcc_struct *p, const char *name, const void *val, size_t size)
{
	return global_access(p, name, (void *)val, size, true);
}

int clcc_get_global(struct clcc_struct *p, const char *name, void *val, size_t size)
{
	return global_access(p, name, val, size, false);
}

// SPDX-License-Identifier: MIT
/*
 * The BTF back end (src/lib/types/btf.c) reads the kernel's BTF itself,
 * lazily, over a mapping (issue 14).  libbpf is its oracle here: every type
 * of the running kernel's vmlinux BTF, and of every module's split BTF, must
 * read the same through our ops as through btf__parse(): kind, name, size,
 * references, every member and parameter; name lookups must find what
 * btf__find_by_name_kind() finds.  Then bad input: every truncation of a
 * real BTF header and type section, and the other byte order.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <surf/log.h>

#include "test.h"
#include "sys/fault.h"
#include "types/provider.h"

#define SYSFS_BTF "/sys/kernel/btf"

static const char *name_or_null(const struct btf *btf, uint32_t off)
{
	const char *s = btf__name_by_offset(btf, off);

	return s && *s ? s : NULL;
}

static bool same_name(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/*
 * Compare the types [first, end) of view with libbpf's btf.  A message in
 * why and false on the first difference.
 */
static bool compare_types(struct surf_typeview *view, const struct btf *btf, uint32_t first,
			  uint32_t end, char *why, size_t len)
{
	for (uint32_t id = first; id < end; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		struct surf_type st;
		int ret = view->ops->raw(view, id, &st);
		int kind = btf_kind(t);

		if (kind == BTF_KIND_DATASEC || kind == BTF_KIND_DECL_TAG) {
			if (ret != -EOPNOTSUPP) {
				snprintf(why, len, "id %u (kind %d): %d, want -EOPNOTSUPP", id, kind, ret);
				return false;
			}
			continue;
		}
		if (ret) {
			snprintf(why, len, "id %u (kind %d): error %d", id, kind, ret);
			return false;
		}
		/* A FUNC reads as its prototype: compare the prototype. */
		if (kind == BTF_KIND_FUNC) {
			t = btf__type_by_id(btf, t->type);
			kind = btf_kind(t);
		}
		if (kind != BTF_KIND_FUNC_PROTO && !same_name(st.name, name_or_null(btf, t->name_off))) {
			snprintf(why, len, "id %u: name %s, libbpf %s", id, st.name ? st.name : "-",
				 btf__name_by_offset(btf, t->name_off));
			return false;
		}
		switch (kind) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FLOAT:
			if (st.size != t->size || (kind != BTF_KIND_INT && kind != BTF_KIND_FLOAT &&
						   st.vlen != btf_vlen(t))) {
				snprintf(why, len, "id %u: size %llu vlen %u, libbpf %u %u", id,
					 (unsigned long long)st.size, st.vlen, t->size, btf_vlen(t));
				return false;
			}
			break;
		case BTF_KIND_ARRAY: {
			long esz = btf__resolve_size(btf, btf_array(t)->type);

			if (st.ref != btf_array(t)->type || st.nelems != btf_array(t)->nelems ||
			    st.size != (esz > 0 ? (uint64_t)esz * btf_array(t)->nelems : 0)) {
				snprintf(why, len, "id %u: array of %llu x %u (%llu bytes), libbpf %u x %u",
					 id, (unsigned long long)st.ref, st.nelems,
					 (unsigned long long)st.size, btf_array(t)->type,
					 btf_array(t)->nelems);
				return false;
			}
			break;
		}
		default:
			if (kind != BTF_KIND_FWD && st.ref != t->type) {
				snprintf(why, len, "id %u (kind %d): ref %llu, libbpf %u", id, kind,
					 (unsigned long long)st.ref, t->type);
				return false;
			}
		}
		if (btf_is_composite(t)) {
			for (uint32_t i = 0; i < btf_vlen(t); i++) {
				struct surf_member m;

				if (view->ops->member(view, id, i, &m) ||
				    !same_name(m.name, name_or_null(btf, btf_members(t)[i].name_off)) ||
				    m.type != btf_members(t)[i].type ||
				    m.bit_offset != btf_member_bit_offset(t, i) ||
				    m.bitfield_size != btf_member_bitfield_size(t, i)) {
					snprintf(why, len, "id %u member %u differs", id, i);
					return false;
				}
			}
		}
		if (btf_is_func_proto(t)) {
			for (uint32_t i = 0; i < btf_vlen(t); i++) {
				struct surf_param p;

				if (view->ops->param(view, id, i, &p) ||
				    !same_name(p.name, name_or_null(btf, btf_params(t)[i].name_off)) ||
				    p.type != btf_params(t)[i].type) {
					snprintf(why, len, "id %u parameter %u differs", id, i);
					return false;
				}
			}
		}
	}
	/* One past the end is no type. */
	{
		struct surf_type st;

		if (view->ops->raw(view, end, &st) != -ENOENT) {
			snprintf(why, len, "id %u (one past the last) is a type", end);
			return false;
		}
	}
	return true;
}

/* Every 37th named FUNC and STRUCT: our lookup finds libbpf's id. */
static bool compare_lookups(struct surf_typeview *view, const struct btf *btf, uint32_t first,
			    uint32_t end, int *checked, char *why, size_t len)
{
	for (uint32_t id = first; id < end; id += 37) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = name_or_null(btf, t->name_off);
		uint64_t got;
		int want;

		if (!name || (!btf_is_func(t) && !btf_is_struct(t)))
			continue;
		want = btf__find_by_name_kind(btf, name, btf_kind(t));
		if (btf_is_func(t)) {
			if (view->ops->find_func(view, name, &got) ||
			    got != btf__type_by_id(btf, want)->type) {
				snprintf(why, len, "function %s: not found or not id %d's prototype",
					 name, want);
				return false;
			}
		} else if (view->ops->find_type(view, name, SURF_TYPE_STRUCT, &got) ||
			   got != (uint64_t)want) {
			snprintf(why, len, "struct %s: %llu, libbpf %d", name,
				 (unsigned long long)got, want);
			return false;
		}
		(*checked)++;
	}
	return true;
}

TEST(test_btf_vmlinux_matches_libbpf)
{
	struct surf_typeview *view;
	struct btf *btf;
	char why[512];
	int checked = 0;

	if (access(SYSFS_BTF "/vmlinux", R_OK))
		SKIP("no %s/vmlinux", SYSFS_BTF);
	btf = btf__parse(SYSFS_BTF "/vmlinux", NULL);
	CHECK(btf);
	CHECK_INT(surf_btf_view_open_vmlinux(&view, SYSFS_BTF, NULL), ==, 0);
	if (!compare_types(view, btf, 1, btf__type_cnt(btf), why, sizeof(why)) ||
	    !compare_lookups(view, btf, 1, btf__type_cnt(btf), &checked, why, sizeof(why))) {
		view->ops->destroy(view);
		btf__free(btf);
		CHECK_STR(why, "");
	}
	view->ops->destroy(view);
	btf__free(btf);
	CHECK_INT(checked, >, 100);
}

/* The one cache file of dir ("btf-vmlinux.*"): its stat; false when not exactly one. */
static bool btf_cache_file(const char *dir, char *path, size_t len, struct stat *st)
{
	return test_files_named(dir, "btf-vmlinux.", path, len) == 1 && !stat(path, st);
}

/*
 * Before 6.16 the kernel's BTF cannot be mapped (forced here with the
 * fault site): the first open reads it and keeps a copy in the cache
 * directory, the next maps the copy (the same file, not written again), and
 * both answer as libbpf does over the sysfs file.  A copy of another size
 * is read anew.
 */
TEST(test_btf_vmlinux_cache_when_not_mappable)
{
	struct surf_typeview *view;
	struct stat sysfs, first, second;
	char dir[256], cache[300], file[600], why[512];
	struct btf *btf;
	int checked = 0;

	if (access(SYSFS_BTF "/vmlinux", R_OK) || stat(SYSFS_BTF "/vmlinux", &sysfs))
		SKIP("no %s/vmlinux", SYSFS_BTF);
	CHECK_INT(test_tmpdir(dir, sizeof(dir), "surf-btf-cache"), ==, 0);
	snprintf(cache, sizeof(cache), "%s/cache/surftrace", dir);	/* parents made too */
	btf = btf__parse(SYSFS_BTF "/vmlinux", NULL);
	CHECK(btf);
	for (int round = 0; round < 3; round++) {
		surf_fault_countdown[SURF_FAULT_BTF_MMAP] = 1;
		CHECK_INT(surf_btf_view_open_vmlinux(&view, SYSFS_BTF, cache), ==, 0);
		surf_fault_countdown[SURF_FAULT_BTF_MMAP] = 0;
		/* Every type of the mapped copy (reads: test_btf_vmlinux_matches_libbpf). */
		if (round == 1 &&
		    (!compare_types(view, btf, 1, btf__type_cnt(btf), why, sizeof(why)) ||
		     !compare_lookups(view, btf, 1, btf__type_cnt(btf), &checked, why, sizeof(why)))) {
			view->ops->destroy(view);
			btf__free(btf);
			CHECK_STR(why, "");
		}
		view->ops->destroy(view);
		if (!btf_cache_file(cache, file, sizeof(file), round == 0 ? &first : &second)) {
			btf__free(btf);
			CHECK(!"one btf-vmlinux.* file in the cache");
		}
		if (round == 0) {
			CHECK_INT(first.st_size, ==, sysfs.st_size);
		} else if (round == 1) {
			/* Mapped, not made again. */
			CHECK_INT(second.st_ino, ==, first.st_ino);
			CHECK_INT(truncate(file, 4096), ==, 0);
		} else {
			CHECK_INT(second.st_size, ==, sysfs.st_size);
			CHECK_INT(second.st_ino, !=, first.st_ino);
		}
	}
	btf__free(btf);
}

TEST(test_btf_modules_match_libbpf)
{
	struct surf_typeview *base, *view;
	struct btf *vmlinux, *btf;
	char path[PATH_MAX], why[512] = "";
	struct dirent *de;
	int modules = 0, checked = 0;
	DIR *dir = opendir(SYSFS_BTF);

	if (!dir)
		SKIP("no %s", SYSFS_BTF);
	vmlinux = btf__parse(SYSFS_BTF "/vmlinux", NULL);
	CHECK(vmlinux);
	CHECK_INT(surf_btf_view_open_vmlinux(&base, SYSFS_BTF, NULL), ==, 0);
	while (!why[0] && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		snprintf(path, sizeof(path), SYSFS_BTF "/%s", de->d_name);
		btf = btf__parse_split(path, vmlinux);
		if (!btf)
			continue;
		if (surf_btf_view_open_module(&view, base, SYSFS_BTF, de->d_name))
			snprintf(why, sizeof(why), "module %s does not open", de->d_name);
		else {
			if (!compare_types(view, btf, btf__type_cnt(vmlinux), btf__type_cnt(btf), why,
					   sizeof(why)) ||
			    !compare_lookups(view, btf, btf__type_cnt(vmlinux), btf__type_cnt(btf),
					     &checked, why, sizeof(why)))
				strncat(why, " in module ", sizeof(why) - strlen(why) - 1);
			view->ops->destroy(view);
		}
		btf__free(btf);
		modules++;
	}
	closedir(dir);
	base->ops->destroy(base);
	btf__free(vmlinux);
	CHECK_STR(why, "");
	if (!modules)
		SKIP("this kernel has no module BTF");
}

static int write_file(const char *dir, const char *name, const void *data, size_t len,
		      char *path, size_t pathlen);

/*
 * Split BTF made with libbpf on top of this kernel's vmlinux, as a module's
 * is (this machine's kernel has no modules with BTF): a struct pointing at
 * task_struct, a bitfield, an enum, a function with its prototype.
 */
TEST(test_btf_synthetic_module_matches_libbpf)
{
	struct surf_typeview *base, *view;
	struct btf *vmlinux, *mod;
	char dir[256], path[300], why[512] = "";
	const void *raw;
	uint32_t size;
	int task, u32, s, e, proto, state_ptr, checked = 0;
	uint64_t got;

	if (access(SYSFS_BTF "/vmlinux", R_OK))
		SKIP("no %s/vmlinux", SYSFS_BTF);
	CHECK_INT(test_tmpdir(dir, sizeof(dir), "surf-btfmod"), ==, 0);
	vmlinux = btf__parse(SYSFS_BTF "/vmlinux", NULL);
	CHECK(vmlinux);
	mod = btf__new_empty_split(vmlinux);
	CHECK(mod);
	task = btf__find_by_name_kind(vmlinux, "task_struct", BTF_KIND_STRUCT);
	u32 = btf__find_by_name_kind(vmlinux, "u32", BTF_KIND_TYPEDEF);
	CHECK(task > 0 && u32 > 0);
	task = btf__add_ptr(mod, task);
	s = btf__add_struct(mod, "surf_test_mod_state", 24);
	CHECK(s > 0);
	CHECK_INT(btf__add_field(mod, "owner", task, 0, 0), ==, 0);
	CHECK_INT(btf__add_field(mod, "flags", u32, 64, 3), ==, 0);
	CHECK_INT(btf__add_field(mod, "count", u32, 96, 0), ==, 0);
	e = btf__add_enum(mod, "surf_test_mod_mode", 4);
	CHECK(e > 0);
	CHECK_INT(btf__add_enum_value(mod, "SURF_TEST_MOD_OFF", 0), ==, 0);
	CHECK_INT(btf__add_enum_value(mod, "SURF_TEST_MOD_ON", 1), ==, 0);
	state_ptr = btf__add_ptr(mod, s);
	proto = btf__add_func_proto(mod, u32);
	CHECK(proto > 0);
	CHECK_INT(btf__add_func_param(mod, "state", state_ptr), ==, 0);
	CHECK(btf__add_func(mod, "surf_test_mod_work", BTF_FUNC_GLOBAL, proto) > 0);
	raw = btf__raw_data(mod, &size);
	CHECK(raw);
	CHECK_INT(write_file(dir, "surf_test_mod", raw, size, path, sizeof(path)), ==, 0);

	CHECK_INT(surf_btf_view_open_vmlinux(&base, SYSFS_BTF, NULL), ==, 0);
	if (surf_btf_view_open_module(&view, base, dir, "surf_test_mod")) {
		snprintf(why, sizeof(why), "the split BTF does not open");
	} else {
		if (compare_types(view, mod, btf__type_cnt(vmlinux), btf__type_cnt(mod), why,
				  sizeof(why)) &&
		    compare_lookups(view, mod, btf__type_cnt(vmlinux), btf__type_cnt(mod),
				    &checked, why, sizeof(why))) {
			/* Its own function and struct, and vmlinux's struct through it. */
			if (view->ops->find_func(view, "surf_test_mod_work", &got) ||
			    got != (uint64_t)proto)
				snprintf(why, sizeof(why), "surf_test_mod_work not found");
			else if (view->ops->find_type(view, "surf_test_mod_state",
						      SURF_TYPE_STRUCT, &got) || got != (uint64_t)s)
				snprintf(why, sizeof(why), "struct surf_test_mod_state not found");
			else if (view->ops->find_type(view, "task_struct", SURF_TYPE_STRUCT, &got) ||
				 got != (uint64_t)btf__find_by_name_kind(vmlinux, "task_struct",
									  BTF_KIND_STRUCT))
				snprintf(why, sizeof(why), "vmlinux's task_struct not found from it");
			else if (!view->ops->find_func(view, "schedule", &got))
				snprintf(why, sizeof(why), "its functions include vmlinux's schedule");
		}
		view->ops->destroy(view);
	}
	base->ops->destroy(base);
	btf__free(mod);
	btf__free(vmlinux);
	CHECK_STR(why, "");
}

/* Write len bytes of data to dir/name; the path in path. */
static int write_file(const char *dir, const char *name, const void *data, size_t len,
		      char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (len && fwrite(data, len, 1, f) != 1) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) ? -errno : 0;
}

/* Look at everything: a broken file must fail cleanly, never read out of bounds. */
static void walk_all(struct surf_typeview *view)
{
	struct surf_type st;
	uint64_t id;

	for (id = 1; view->ops->raw(view, id, &st) != -ENOENT && id < 1000000; id++)
		;
	view->ops->find_type(view, "task_struct", SURF_TYPE_STRUCT, &id);
}

static int silent(enum surf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/*
 * Cuts of a real BTF file, in its header and all through its type section
 * (the header's lengths still claiming the whole): each is refused at open
 * or at its first lookup, under ASan, with no read past the file.
 */
TEST(test_btf_truncated_files_fail_cleanly)
{
	struct btf *btf;
	const struct btf_header *h;
	const void *raw;
	uint32_t size;
	char dir[256], path[300];
	surf_print_fn_t old;
	int refused = 0, cuts = 0;

	if (access(SYSFS_BTF "/vmlinux", R_OK))
		SKIP("no %s/vmlinux", SYSFS_BTF);
	CHECK_INT(test_tmpdir(dir, sizeof(dir), "surf-btf"), ==, 0);
	btf = btf__parse(SYSFS_BTF "/vmlinux", NULL);
	CHECK(btf);
	raw = btf__raw_data(btf, &size);
	h = raw;
	old = surf_set_print(silent);
	for (uint32_t cut = 0; cut < h->hdr_len + h->type_len; cut += cut < 64 ? 1 : 104729) {
		struct surf_typeview *view;

		cuts++;
		if (write_file(dir, "cut.btf", raw, cut, path, sizeof(path)))
			break;
		if (surf_btf_view_open_file(&view, path)) {
			refused++;
			continue;
		}
		walk_all(view);
		view->ops->destroy(view);
	}
	surf_set_print(old);
	btf__free(btf);
	/* A cut file's header points past its end: every one is refused at open. */
	CHECK_INT(refused, ==, cuts);
}

/*
 * A type section that ends inside a record (its length cut by 2 bytes) is
 * refused at the first lookup, and the message names the type.
 */
TEST(test_btf_bad_type_section_fails_at_lookup)
{
	struct btf *btf;
	struct btf_header *h;
	const void *raw;
	uint8_t *copy;
	uint32_t size;
	char dir[256], path[300];
	struct surf_typeview *view;
	struct surf_type st;
	surf_print_fn_t old;
	int ret;

	if (access(SYSFS_BTF "/vmlinux", R_OK))
		SKIP("no %s/vmlinux", SYSFS_BTF);
	CHECK_INT(test_tmpdir(dir, sizeof(dir), "surf-btf"), ==, 0);
	btf = btf__parse(SYSFS_BTF "/vmlinux", NULL);
	CHECK(btf);
	raw = btf__raw_data(btf, &size);
	copy = malloc(size);
	CHECK(copy);
	memcpy(copy, raw, size);
	btf__free(btf);
	h = (struct btf_header *)copy;
	h->type_len -= 2;
	ret = write_file(dir, "short.btf", copy, size, path, sizeof(path));
	free(copy);
	CHECK_INT(ret, ==, 0);
	CHECK_INT(surf_btf_view_open_file(&view, path), ==, 0);
	old = surf_set_print(silent);
	ret = view->ops->raw(view, 1, &st);
	surf_set_print(old);
	view->ops->destroy(view);
	CHECK_INT(ret, ==, -EINVAL);
}

/* BTF of the other byte order (libbpf converts it): read the same as the host's. */
TEST(test_btf_other_byte_order)
{
	struct btf *btf, *check;
	const void *raw;
	uint32_t size;
	char dir[256], path[300], why[512];
	struct surf_typeview *view;
	bool same;

	if (access(SYSFS_BTF "/vmlinux", R_OK))
		SKIP("no %s/vmlinux", SYSFS_BTF);
	CHECK_INT(test_tmpdir(dir, sizeof(dir), "surf-btf"), ==, 0);
	btf = btf__parse(SYSFS_BTF "/vmlinux", NULL);
	CHECK(btf);
	CHECK_INT(btf__set_endianness(btf, btf__endianness(btf) == BTF_LITTLE_ENDIAN ?
					       BTF_BIG_ENDIAN : BTF_LITTLE_ENDIAN), ==, 0);
	raw = btf__raw_data(btf, &size);
	CHECK(raw);
	CHECK_INT(write_file(dir, "swapped.btf", raw, size, path, sizeof(path)), ==, 0);
	btf__free(btf);
	check = btf__parse(SYSFS_BTF "/vmlinux", NULL);
	CHECK(check);
	CHECK_INT(surf_btf_view_open_file(&view, path), ==, 0);
	/* The first 5,000 types: the conversion is all or nothing. */
	same = compare_types(view, check, 1, 5000, why, sizeof(why)) || strstr(why, "one past");
	view->ops->destroy(view);
	btf__free(check);
	if (!same)
		CHECK_STR(why, "");
}

// SPDX-License-Identifier: MIT
/*
 * The per-boot kallsyms cache (surf_ksyms__load_cached, src/lib/sys/ksyms.c)
 * against a fresh load of the running kernel's /proc/kallsyms, the oracle:
 * for every line of the file, find() at its address and one byte in, and
 * lookup()/symbol() of its name give the same answers from the mapped cache
 * (vmlinux's part, the rest loaded on demand) as from the whole table; so do
 * addresses in the module area and names nobody has.  A BPF program is
 * loaded first so that the file has symbols outside vmlinux (this machine
 * has no modules): [bpf] ones.  A damaged cache file
 * is read as none and made anew; another boot's file is removed.
 */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <surf/syms.h>

#include "test.h"

static bool same_sym(int ra, const struct surf_sym *a, int rb, const struct surf_sym *b)
{
	if (ra != rb)
		return false;
	if (ra)
		return true;
	return a->addr == b->addr && a->size == b->size && !strcmp(a->name, b->name) &&
	       !a->module == !b->module && (!a->module || !strcmp(a->module, b->module));
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Every answer of c is the answer of whole, for every line of /proc/kallsyms. */
static int compare_all(const struct surf_ksyms *whole, const struct surf_ksyms *c, char *why,
		       size_t len, int *outside)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[1024];
	int lines = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[512], type;
		uint64_t addr, a1, a2;
		struct surf_sym s1, s2;
		int r1, r2;

		if (sscanf(line, "%" SCNx64 " %c %511s", &addr, &type, name) != 3)
			continue;
		lines++;
		*outside += strchr(line, '[') != NULL;	/* "\t[module]" */
		for (int d = 0; d < 2; d++) {
			r1 = surf_ksyms__find(whole, addr + (uint64_t)d, &s1);
			r2 = surf_ksyms__find(c, addr + (uint64_t)d, &s2);
			if (!same_sym(r1, &s1, r2, &s2)) {
				snprintf(why, len, "find(%#" PRIx64 "): whole %d %s, cached %d %s",
					 addr + (uint64_t)d, r1, r1 ? "" : s1.name, r2, r2 ? "" : s2.name);
				goto differ;
			}
		}
		r1 = surf_ksyms__lookup(whole, name, &a1);
		r2 = surf_ksyms__lookup(c, name, &a2);
		if (r1 != r2 || (!r1 && a1 != a2)) {
			snprintf(why, len, "lookup(%s): whole %d %#" PRIx64 ", cached %d %#" PRIx64,
				 name, r1, a1, r2, a2);
			goto differ;
		}
		r1 = surf_ksyms__symbol(whole, name, &s1);
		r2 = surf_ksyms__symbol(c, name, &s2);
		if (!same_sym(r1, &s1, r2, &s2)) {
			snprintf(why, len, "symbol(%s): whole %d, cached %d", name, r1, r2);
			goto differ;
		}
	}
	fclose(f);
	return lines;
differ:
	fclose(f);
	return -2;
}

TEST(test_ksyms_cache_matches_fresh_load)
{
	char dir[256], cache[300], file[600], why[1024] = "", other[400];
	static const char *none[] = { "surf_no_such_symbol", "", "vfs_read.isra.0" };
	struct surf_ksyms *whole = NULL, *first = NULL, *second = NULL;
	struct surf_sym s1, s2;
	struct timespec t0;
	double ms_whole, ms_cached;
	uint64_t a;
	FILE *f;
	int lines, prog_fd = -1, outside = 0;

	if (geteuid() != 0)
		SKIP("kallsyms shows addresses to root only");
	{
		/* r0 = 0; exit: a socket filter, JITed, so named in kallsyms as [bpf]. */
		struct bpf_insn insns[] = {
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
			{ .code = BPF_JMP | BPF_EXIT },
		};

		prog_fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "surf_ksyms_test", "GPL",
					insns, 2, NULL);
	}
	CHECK_INT(test_tmpdir(dir, sizeof(dir), "surf-ksyms-cache"), ==, 0);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	mkdir(cache, 0700);
	snprintf(other, sizeof(other), "%s/kallsyms.0.other-boot", cache);
	f = fopen(other, "w");
	CHECK(f);
	fputs("stale\n", f);
	fclose(f);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(surf_ksyms__load(&whole, NULL), ==, 0);
	ms_whole = ms_since(&t0);
	if (surf_ksyms__lookup(whole, "_stext", &a) || !a) {
		surf_ksyms__free(whole);
		SKIP("/proc/kallsyms shows no addresses (kptr_restrict)");
	}
	/* The first run reads the file and writes the cache; the second maps it. */
	CHECK_INT(surf_ksyms__load_cached(&first, cache), ==, 0);
	CHECK_INT(test_files_named(cache, "kallsyms.", file, sizeof(file)), ==, 1);
	CHECK(access(other, F_OK) != 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(surf_ksyms__load_cached(&second, cache), ==, 0);
	ms_cached = ms_since(&t0);
	printf("#   kallsyms: whole load %.1f ms, from the cache %.2f ms\n", ms_whole, ms_cached);

	lines = compare_all(whole, first, why, sizeof(why), &outside);
	if (lines >= 0)
		lines = compare_all(whole, second, why, sizeof(why), &outside);
	surf_ksyms__free(first);
	if (lines < 0) {
		surf_ksyms__free(whole);
		surf_ksyms__free(second);
		test_fail(__FILE__, __LINE__, "%s", lines == -1 ? "cannot read /proc/kallsyms" : why);
		return;
	}
	CHECK_INT(lines, >, 1000);
	printf("#   %d lines, %d of them outside vmlinux\n", lines, outside / 2);
	if (prog_fd >= 0) {
		CHECK_INT(outside, >, 0);	/* the program's at least */
		close(prog_fd);
	}
	/* Addresses around and past vmlinux and in the module area; names nobody has. */
	for (uint64_t addr = 0xffffffffa0000000ull; addr; addr += 0x0800000ull) {
		int r1 = surf_ksyms__find(whole, addr, &s1), r2 = surf_ksyms__find(second, addr, &s2);

		CHECK(same_sym(r1, &s1, r2, &s2));
	}
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		int r1 = surf_ksyms__symbol(whole, none[i], &s1);

		CHECK_INT(surf_ksyms__symbol(second, none[i], &s2), ==, r1);
	}
	surf_ksyms__free(second);
	surf_ksyms__free(whole);

	/* A damaged file (cut short, then another format) is none: made anew, same answers. */
	CHECK_INT(truncate(file, 100), ==, 0);
	CHECK_INT(surf_ksyms__load_cached(&first, cache), ==, 0);
	CHECK_INT(surf_ksyms__lookup(first, "_stext", &a), ==, 0);
	surf_ksyms__free(first);
	f = fopen(file, "r+");
	CHECK(f);
	fputs("SURFKSY0", f);
	fclose(f);
	CHECK_INT(surf_ksyms__load_cached(&first, cache), ==, 0);
	CHECK_INT(surf_ksyms__lookup(first, "_stext", &a), ==, 0);
	surf_ksyms__free(first);
	f = fopen(file, "r");
	CHECK(f);
	CHECK(fgets(why, 9, f) && !strcmp(why, "SURFKSY1"));
	fclose(f);
}

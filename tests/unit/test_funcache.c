// SPDX-License-Identifier: MIT
/*
 * The per-boot cache of traceable kernel functions (src/lib/sys/funcache.c):
 * over a list shaped as available_filter_functions is ("name [module]",
 * GCC clones, duplicates, 6,000 names: each uncached answer reads the whole
 * list again), every answer with the cache is the
 * uncached answer (surf_tracefs__traceable, the oracle), for every listed
 * name, its clones' base names and near misses; the second run answers from
 * the file even when the list is gone; files of another boot are removed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <surf/tracefs.h>

#include "test.h"

#define NAMES 6000

/* Both answers for sym: false (and why) when they differ. */
static bool same_answer(const char *tfs, const char *cache, const char *sym, char *why, size_t len)
{
	char a[256] = "", b[256] = "";
	int ra = surf_tracefs__traceable(tfs, sym, a, sizeof(a));
	int rb = surf_tracefs__traceable_cached(tfs, cache, sym, b, sizeof(b));

	if (ra != rb || (ra == 0 && strcmp(a, b))) {
		snprintf(why, len, "%s: uncached %d '%s', cached %d '%s'", sym, ra, a, rb, b);
		return false;
	}
	return true;
}

TEST(test_funcache_matches_uncached)
{
	static const char *fixed[] = { "vfs_read", "foo.isra.0", "bar [mod]", "bar.constprop.0",
				       "zed.part.0 [m]", "dup", "dup", "foobar", "foo_x",
				       "a", "a.isra.1", "a.isra.0" };
	char dir[256], tfs[300], cache[300], path[400], why[512] = "", name[256], other[400];
	FILE *f;
	int n;

	CHECK_INT(test_tmpdir(dir, sizeof(dir), "surf-funcache"), ==, 0);
	snprintf(tfs, sizeof(tfs), "%s/tracefs", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	mkdir(tfs, 0700);
	snprintf(path, sizeof(path), "%s/available_filter_functions", tfs);
	f = fopen(path, "w");
	CHECK(f);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		fprintf(f, "%s\n", fixed[i]);
	srand(14);
	for (int i = 0; i < NAMES; i++) {
		int kind = rand() % 10;

		fprintf(f, "fn_%05d_%c%s%s\n", rand() % 30000, 'a' + rand() % 26,
			kind == 0 ? ".isra.0" : kind == 1 ? ".constprop.2" : "",
			kind == 2 ? " [ext4]" : "");
	}
	fclose(f);
	/* Another boot's file: gone once this boot's is written. */
	mkdir(cache, 0700);
	snprintf(other, sizeof(other), "%s/filter-functions.0.other-boot.0", cache);
	f = fopen(other, "w");
	CHECK(f);
	fputs("stale\n", f);
	fclose(f);

	/* Every name of the list, its base name, and near misses. */
	f = fopen(path, "r");
	CHECK(f);
	while (!why[0] && fgets(name, sizeof(name), f)) {
		char *dot;

		name[strcspn(name, " \n")] = '\0';
		if (!same_answer(tfs, cache, name, why, sizeof(why)))
			break;
		if ((dot = strchr(name, '.'))) {
			*dot = '\0';
			if (!same_answer(tfs, cache, name, why, sizeof(why)))
				break;
		}
		strcat(name, "z");
		same_answer(tfs, cache, name, why, sizeof(why));
		name[strlen(name) - 2] = '\0';
		if (*name)
			same_answer(tfs, cache, name, why, sizeof(why));
	}
	fclose(f);
	for (const char *s = "vfs_rea\0zzz\0\0"; *s; s += strlen(s) + 1)
		same_answer(tfs, cache, s, why, sizeof(why));
	CHECK_STR(why, "");

	n = test_files_named(cache, "filter-functions.", name, sizeof(name));
	CHECK_INT(n, ==, 1);
	CHECK(access(other, F_OK) != 0);

	/* The list gone: the cache still answers (this boot, these modules). */
	unlink(path);
	{
		char out[256];

		CHECK_INT(surf_tracefs__traceable_cached(tfs, cache, "foo", out, sizeof(out)), ==, 0);
		CHECK_STR(out, "foo.isra.0");
		CHECK_INT(surf_tracefs__traceable_cached(tfs, cache, "bar", out, sizeof(out)), ==, 0);
		CHECK_STR(out, "bar");
		CHECK_INT(surf_tracefs__traceable_cached(tfs, cache, "nothing", out, sizeof(out)),
			  ==, -ENOENT);
		/* Without a cache, the missing list is the error. */
		CHECK_INT(surf_tracefs__traceable_cached(tfs, NULL, "foo", out, sizeof(out)),
			  ==, -ENOENT);
	}
}

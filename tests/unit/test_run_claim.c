// SPDX-License-Identifier: MIT
/*
 * Run names and their proof of life (probe/run_claim.c), against a scratch
 * directory standing in for tracefs: the lock is the kernel's (an OFD lock
 * on README), whatever file README is.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "probe/run_claim.h"
#include "test.h"

/* A scratch tracefs with a README (or without one). */
static bool scratch(char *dir, size_t len, bool readme)
{
	char path[512];
	FILE *f;

	if (test_tmpdir(dir, len, "surf-claim"))
		return false;
	if (!readme)
		return true;
	snprintf(path, sizeof(path), "%s/README", dir);
	f = fopen(path, "w");
	if (!f)
		return false;
	fputs("tracing mini-HOWTO\n", f);
	return !fclose(f);
}

static bool matches(const char *s, const char *pattern)
{
	regex_t re;
	bool ok;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
		return false;
	ok = !regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	return ok;
}

static bool dead(const char *dir, const char *name)
{
	long pid;

	return surf_run_claim__dead(dir, "surftrace_", name, strlen(name), &pid);
}

TEST(test_run_claim_unique_names_dead_once_released)
{
	struct surf_run_claim a, b;
	char dir[256];
	long pid;

	CHECK(scratch(dir, sizeof(dir), true));
	CHECK_INT(surf_run_claim__take(&a, dir, "surftrace_", 4321), ==, 0);
	CHECK_INT(surf_run_claim__take(&b, dir, "surftrace_", 4321), ==, 0);
	CHECK(matches(a.name, "^surftrace_4321_[0-9a-f]{15}$"));
	CHECK(strcmp(a.name, b.name));
	/* Held: alive to anyone, this process included (another open of the file). */
	CHECK(!surf_run_claim__dead(dir, "surftrace_", a.name, strlen(a.name), &pid));
	CHECK_INT(pid, ==, 4321);
	CHECK(!dead(dir, b.name));
	surf_run_claim__release(&a);
	CHECK(dead(dir, a.name));
	CHECK(!dead(dir, b.name));
	surf_run_claim__release(&b);
	CHECK(dead(dir, b.name));
	surf_run_claim__release(&b);	/* twice: nothing more */
}

TEST(test_run_claim_old_names_judged_by_pid)
{
	char dir[256], name[64];

	CHECK(scratch(dir, sizeof(dir), true));
	snprintf(name, sizeof(name), "surftrace_%d", (int)getpid());
	CHECK(!dead(dir, name));
	CHECK(dead(dir, "surftrace_99999999"));	/* over any pid_max */
	CHECK(!dead(dir, "surftrace_0"));	/* no pid: nobody can tell */
}

TEST(test_run_claim_other_names_left_alone)
{
	static const char *const names[] = {
		"surftrace_", "surftrace_sh_0123456789abcdef01234567", "surftrace_12x",
		"surftrace_12_0123456789abcdE", "surftrace_12_0123456789abcd",
		"surftrace_12_0123456789abcdef", "surftrace_12_", "surfgraph_99999999",
		"surftrace_99999999999_0123456789abcde", "kprobes",
	};
	char dir[256];

	CHECK(scratch(dir, sizeof(dir), true));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (dead(dir, names[i]))
			test_fail(__FILE__, __LINE__, "'%s' taken for a dead run's", names[i]);
	/* Only the group part counts: the length given, not the NUL. */
	CHECK(dead(dir, "surftrace_0_0123456789abcde"));
	CHECK(!surf_run_claim__dead(dir, "surftrace_", "surftrace_0_0123456789abcde/f0", 24,
				    &(long){ 0 }));
}

TEST(test_run_claim_without_lock_old_name)
{
	struct surf_run_claim c;
	char dir[256];

	/* No README: no lock to hold or to check. */
	CHECK(scratch(dir, sizeof(dir), false));
	CHECK_INT(surf_run_claim__take(&c, dir, "surfgraph_", 77), ==, 0);
	CHECK_STR(c.name, "surfgraph_77");
	CHECK(!c.held);
	surf_run_claim__release(&c);
	CHECK(!dead(dir, "surftrace_0_0123456789abcde"));
}

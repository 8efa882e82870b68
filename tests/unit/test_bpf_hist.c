// SPDX-License-Identifier: MIT
/*
 * clcc's histogram printers against bcc's Python format, byte for byte:
 * table.py's "     %-19s : count     distribution" header and
 * "%10d -> %-10d : %-8d |%-40s|" rows (the wide form past 2^32), stars
 * floor(40 * count / max).  Expected text is written out literally.
 */
#include <stdio.h>
#include <stdlib.h>

#include <clcc.h>

#include "test.h"

/* What a printer wrote, in a malloc'ed string. */
static char *capture_log2(const unsigned long long *vals, int n, const char *unit, int flags)
{
	struct test_capture c;
	FILE *f = test_capture_open(&c);

	if (f)
		clcc_fprint_log2_hist(f, vals, n, unit, flags);
	return test_capture_close(&c);
}

static char *capture_linear(const unsigned long long *vals, int n, long long base, long long step,
			    const char *unit, int flags)
{
	struct test_capture c;
	FILE *f = test_capture_open(&c);

	if (f)
		clcc_fprint_linear_hist(f, vals, n, base, step, unit, flags);
	return test_capture_close(&c);
}

#define SP40 "                                        "
#define ST40 "****************************************"

TEST(bpf_hist_log2_bitehist)
{
	/* bcc's bitehist tutorial shape: a value in the 0 -> 1 bucket, gaps, scaling */
	unsigned long long vals[64] = { [0] = 3, [2] = 211, [6] = 1, [7] = 800 };
	char *out = capture_log2(vals, 64, "kbytes", 0);
	const char *want =
		"     kbytes              : count     distribution\n"
		"         0 -> 1          : 3        |" SP40 "|\n"
		"         2 -> 3          : 0        |" SP40 "|\n"
		"         4 -> 7          : 211      |**********                              |\n"
		"         8 -> 15         : 0        |" SP40 "|\n"
		"        16 -> 31         : 0        |" SP40 "|\n"
		"        32 -> 63         : 0        |" SP40 "|\n"
		"        64 -> 127        : 1        |" SP40 "|\n"
		"       128 -> 255        : 800      |" ST40 "|\n";

	CHECK_STR(out, want);
	free(out);
}

TEST(bpf_hist_log2_zero_bucket_only)
{
	unsigned long long vals[4] = { 7 };
	char *out = capture_log2(vals, 4, "usecs", 0);

	CHECK_STR(out, "     usecs               : count     distribution\n"
		       "         0 -> 1          : 7        |" ST40 "|\n");
	free(out);
}

TEST(bpf_hist_log2_stars)
{
	/* 40 * 1 / 3 = 13.3 -> 13 stars; 40 * 2 / 3 = 26.7 -> 26 */
	unsigned long long vals[3] = { 1, 2, 3 };
	char *out = capture_log2(vals, 3, "usecs", 0);

	CHECK_STR(out, "     usecs               : count     distribution\n"
		       "         0 -> 1          : 1        |*************                           |\n"
		       "         2 -> 3          : 2        |**************************              |\n"
		       "         4 -> 7          : 3        |" ST40 "|\n");
	free(out);
}

TEST(bpf_hist_log2_empty_prints_nothing)
{
	unsigned long long vals[8] = { 0 };
	char *out = capture_log2(vals, 8, "usecs", 0);

	CHECK_STR(out, "");
	free(out);
	out = capture_log2(vals, 0, "usecs", 0);
	CHECK_STR(out, "");
	free(out);
}

TEST(bpf_hist_log2_large_counts)
{
	/* counts past 2^31 print whole (bcc's %-8d of a Python int), not negative */
	unsigned long long vals[2] = { 5000000000ull, 2500000000ull };
	char *out = capture_log2(vals, 2, "bytes", 0);

	CHECK_STR(out, "     bytes               : count     distribution\n"
		       "         0 -> 1          : 5000000000 |" ST40 "|\n"
		       "         2 -> 3          : 2500000000 |********************                    |\n");
	free(out);
}

TEST(bpf_hist_log2_narrow_up_to_2_32)
{
	/* slot 31 is bcc's slot 32: still the narrow layout */
	unsigned long long vals[32] = { [31] = 1 };
	char *out = capture_log2(vals, 32, "ns", 0);
	const char *last;

	CHECK(out);
	CHECK_CONTAINS(out, "     ns                  : count     distribution\n");
	last = strstr(out, "2147483648");
	CHECK(last);
	CHECK_STR(last, "2147483648 -> 4294967295 : 1        |" ST40 "|\n");
	free(out);
}

TEST(bpf_hist_log2_wide_values)
{
	/* slot 40 (values of 2^40): bcc's wide layout, 20-digit columns, 20 stars */
	unsigned long long vals[64] = { [0] = 1, [40] = 2 };
	char *out = capture_log2(vals, 64, "nsecs", 0);
	const char *row;

	CHECK(out);
	CHECK(!strncmp(out, "               nsecs                         : count     distribution\n"
			    "                   0 -> 1                    : 1        |**********          |\n"
			    "                   2 -> 3                    : 0        |                    |\n",
		       70 + 2 * 79));
	row = strstr(out, "       1099511627776 -> ");
	CHECK(row);
	CHECK_STR(row, "       1099511627776 -> 2199023255551        : 2        |********************|\n");
	free(out);
}

TEST(bpf_hist_log2_top_slot)
{
	unsigned long long vals[64] = { [63] = 1 };
	char *out = capture_log2(vals, 64, "x", 0);

	CHECK(out);
	CHECK_CONTAINS(out, " 9223372036854775808 -> 18446744073709551615 : 1        |********************|\n");
	free(out);
}

TEST(bpf_hist_log2_strip_leading_zero)
{
	unsigned long long vals[8] = { [2] = 5, [4] = 5 };
	char *out = capture_log2(vals, 8, "usecs", CLCC_HIST_STRIP_LEADING_ZERO);

	CHECK_STR(out, "     usecs               : count     distribution\n"
		       "         4 -> 7          : 5        |" ST40 "|\n"
		       "         8 -> 15         : 0        |" SP40 "|\n"
		       "        16 -> 31         : 5        |" ST40 "|\n");
	free(out);
}

TEST(bpf_hist_linear)
{
	/* bcc's print_linear_hist: every slot from 0 to the last non-zero one */
	unsigned long long vals[6] = { [1] = 2, [2] = 8, [3] = 1 };
	char *out = capture_linear(vals, 6, 0, 1, "usecs", 0);

	CHECK_STR(out, "     usecs         : count     distribution\n"
		       "        0          : 0        |" SP40 "|\n"
		       "        1          : 2        |**********                              |\n"
		       "        2          : 8        |" ST40 "|\n"
		       "        3          : 1        |*****                                   |\n");
	free(out);
	/* base and step label the slots */
	out = capture_linear(vals, 6, 100, 10, "ms", CLCC_HIST_STRIP_LEADING_ZERO);
	CHECK_STR(out, "     ms            : count     distribution\n"
		       "        110        : 2        |**********                              |\n"
		       "        120        : 8        |" ST40 "|\n"
		       "        130        : 1        |*****                                   |\n");
	free(out);
	memset(vals, 0, sizeof(vals));
	out = capture_linear(vals, 6, 0, 1, "usecs", 0);
	CHECK_STR(out, "");
	free(out);
}

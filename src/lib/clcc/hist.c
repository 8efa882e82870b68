// SPDX-License-Identifier: MIT
/*
 * Histograms as bcc's Python tools print them (bcc table.py
 * _print_log2_hist / _print_linear_hist), so that a C tool's output can be
 * compared with the bcc tutorial's byte for byte:
 *
 *	     kbytes              : count     distribution
 *	         0 -> 1          : 3        |*************                           |
 *	         2 -> 3          : 9        |****************************************|
 *
 * bcc's kernel side puts value v in slot log2(v) + 1 and the printer skips
 * slot 0; lbc.h's slots have no such offset (slot 0 holds 0 and 1, as
 * libbpf-tools), so slot i here is bcc's slot i + 1.  The wide layout (for
 * values of 2^32 and more) starts, as in bcc, when bcc's last slot is past
 * 32.  Stars: floor(width * count / max), bcc's rounding.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <clcc.h>

static void stars(FILE *f, unsigned long long val, unsigned long long max, int width)
{
	unsigned __int128 n = max ? (unsigned __int128)val * (unsigned)width / max : 0;
	int i;

	if (n > (unsigned)width)
		n = width;
	for (i = 0; i < (int)n; i++)
		fputc('*', f);
	for (; i < width; i++)
		fputc(' ', f);
}

void clcc_fprint_log2_hist(FILE *f, const unsigned long long *vals, int n, const char *unit,
			   int flags)
{
	unsigned long long max = 0;
	int idx_max = -1, width;
	bool strip = flags & CLCC_HIST_STRIP_LEADING_ZERO;
	bool wide;

	for (int i = 0; i < n; i++) {
		if (vals[i] > 0)
			idx_max = i;
		if (vals[i] > max)
			max = vals[i];
	}
	if (idx_max < 0)
		return;
	wide = idx_max + 1 > 32;
	width = wide ? 20 : 40;
	if (wide)
		fprintf(f, "               %-29s : count     distribution\n", unit ? unit : "");
	else
		fprintf(f, "     %-19s : count     distribution\n", unit ? unit : "");
	for (int i = 0; i <= idx_max; i++) {
		unsigned long long low = 1ull << i;
		unsigned long long high = i >= 63 ? UINT64_MAX : (1ull << (i + 1)) - 1;

		if (low == high)
			low--;
		if (strip) {
			if (!vals[i])
				continue;
			strip = false;
		}
		if (wide)
			fprintf(f, "%20llu -> %-20llu : %-8llu |", low, high, vals[i]);
		else
			fprintf(f, "%10llu -> %-10llu : %-8llu |", low, high, vals[i]);
		stars(f, vals[i], max, width);
		fputs("|\n", f);
	}
}

void clcc_fprint_linear_hist(FILE *f, const unsigned long long *vals, int n, long long base,
			     long long step, const char *unit, int flags)
{
	unsigned long long max = 0;
	int idx_max = -1;
	bool strip = flags & CLCC_HIST_STRIP_LEADING_ZERO;

	for (int i = 0; i < n; i++) {
		if (vals[i] > 0)
			idx_max = i;
		if (vals[i] > max)
			max = vals[i];
	}
	if (idx_max < 0)
		return;
	fprintf(f, "     %-13s : count     distribution\n", unit ? unit : "");
	for (int i = 0; i <= idx_max; i++) {
		if (strip) {
			if (!vals[i])
				continue;
			strip = false;
		}
		fprintf(f, "        %-10lld : %-8llu |", base + (long long)i * step, vals[i]);
		stars(f, vals[i], max, 40);
		fputs("|\n", f);
	}
}

void clcc_print_log2_hist(const unsigned long long *vals, int n, const char *unit)
{
	clcc_fprint_log2_hist(stdout, vals, n, unit, 0);
}

void clcc_print_linear_hist(const unsigned long long *vals, int n, long long base,
			    long long step, const char *unit)
{
	clcc_fprint_linear_hist(stdout, vals, n, base, step, unit, 0);
}

// SPDX-License-Identifier: MIT
/*
 * The program test_boundaries.sh probes at every instruction: loops, a
 * switch (a jump table when optimised), floating point, string and memory
 * loops, an indirect call, a global read-modify-write (rip-relative), and
 * libc functions called through pointers (so that gcc cannot inline them).
 * tbounds N FILE calls each N times and writes what they computed to FILE:
 * a probe that disturbs an instruction shows there, or as a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define NOINLINE __attribute__((noinline))

static int (*volatile libc_atoi)(const char *) = atoi;
static long (*volatile libc_strtol)(const char *, char **, int) = strtol;
static div_t (*volatile libc_div)(int, int) = div;
static long (*volatile libc_labs)(long) = labs;
static int (*volatile libc_abs)(int) = abs;
static int (*volatile libc_ffs)(int) = ffs;
static void *(*volatile libc_bsearch)(const void *, const void *, size_t, size_t,
				      int (*)(const void *, const void *)) = bsearch;

long counter = 7;

NOINLINE long sum_loop(const int *a, int n)
{
	long s = 0;

	for (int i = 0; i < n; i++)
		s += a[i] * (i + 1);
	return s;
}

NOINLINE int classify(int x)
{
	switch (x % 9) {
	case 0: return 11;
	case 1: return x * 3;
	case 2: return x - 40;
	case 3: return 17;
	case 4: return x << 2;
	case 5: return -x;
	case 6: return x ^ 0x55;
	case 7: return 1000 + x;
	default: return 5;
	}
}

NOINLINE double mix(double x, long k)
{
	return x * 1.5 + (double)k / 4.0 - x * x / 8.0;
}

NOINLINE void fill(char *buf, int n, char c)
{
	for (int i = 0; i < n; i++)
		buf[i] = (char)(c + i % 3);
	buf[n] = '\0';
}

NOINLINE unsigned hash_str(const char *s)
{
	unsigned h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

NOINLINE int twice(int v)
{
	return 2 * v + 1;
}

NOINLINE int apply(int (*fn)(int), int v)
{
	return fn(v) + fn(v + 1);
}

NOINLINE long global_bump(long d)
{
	counter = counter * 3 + d;
	return counter;
}

NOINLINE int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

NOINLINE long use_libc(int i, const char *num)
{
	static const int sorted[] = { 2, 3, 5, 7, 11, 13, 17, 19 };
	int key = sorted[i % 8];
	const int *found;
	div_t d;

	d = libc_div(100 + i, 7);
	found = libc_bsearch(&key, sorted, 8, sizeof(sorted[0]), cmp_int);
	return libc_atoi(num) + libc_strtol("-123", NULL, 10) + d.quot * 10 + d.rem +
	       libc_labs(-5L * i) + libc_abs(-i) + libc_ffs(1 << i) + (found - sorted);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3, a[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
	FILE *out = argc > 2 ? fopen(argv[2], "w") : stdout;
	char buf[16], num[16];

	if (!out)
		return 1;
	for (int i = 1; i <= n; i++) {
		fill(buf, i + 2, 'a');
		snprintf(num, sizeof(num), "%d", 40 + i);
		fprintf(out, "%d: sum=%ld class=%d mix=%.6f fill=%s hash=%u apply=%d bump=%ld "
			"libc=%ld\n", i, sum_loop(a, i + 2), classify(i * 5), mix(i, i * 3), buf,
			hash_str(buf), apply(twice, i), global_bump(i), use_libc(i, num));
	}
	return out == stdout ? 0 : fclose(out);
}

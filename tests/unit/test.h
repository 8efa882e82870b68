/* SPDX-License-Identifier: MIT */
/*
 * A very small test harness: each TEST() registers itself; main() (test_main.c)
 * runs them all, or those whose names contain argv[1].  A test fails on the
 * first failed CHECK and prints where and why.  A test can skip itself with a
 * reason.  The last line is "N passed, N failed, N skipped" so that the
 * top-level runner can add the counts up.
 */
#ifndef SURF_TEST_H
#define SURF_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int test_failed(void);

#define TEST(name)                                                             \
	static void name(void);                                                \
	static struct test_case name##_case = { #name, name, NULL };           \
	__attribute__((constructor)) static void name##_register(void)         \
	{                                                                      \
		test_register(&name##_case);                                   \
	}                                                                      \
	static void name(void)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			test_fail(__FILE__, __LINE__, "%s", #cond);            \
			return;                                                \
		}                                                              \
	} while (0)

#define CHECK_INT(a, op, b)                                                    \
	do {                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);            \
		if (!(_a op _b)) {                                             \
			test_fail(__FILE__, __LINE__, "%s %s %s: %lld vs %lld", \
				  #a, #op, #b, _a, _b);                        \
			return;                                                \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *_a = (a), *_b = (b);                               \
		if (!_a || !_b || strcmp(_a, _b)) {                            \
			test_fail(__FILE__, __LINE__, "%s == %s:\n  got:  %s\n  want: %s", \
				  #a, #b, _a ? _a : "(null)", _b ? _b : "(null)"); \
			return;                                                \
		}                                                              \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                            \
	do {                                                                   \
		const char *_h = (hay), *_n = (needle);                        \
		if (!_h || !strstr(_h, _n)) {                                  \
			test_fail(__FILE__, __LINE__, "%s contains %s:\n  got: %s", \
				  #hay, _n, _h ? _h : "(null)");               \
			return;                                                \
		}                                                              \
	} while (0)

#define SKIP(...)                                                              \
	do {                                                                   \
		test_skip(__VA_ARGS__);                                        \
		return;                                                        \
	} while (0)

#endif

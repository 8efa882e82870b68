/* SPDX-License-Identifier: MIT */
/*
 * A very small test harness: each TEST() registers itself; main() (test_main.c)
 * runs them all, or those whose names contain argv[1].  A test fails on the
 * first failed CHECK and prints where and why.  A test can skip itself with a
 * reason.  The last line is "N passed, N failed, N skipped" so that the
 * top-level runner can add the counts up.
 *
 * Helpers shared by the tests: a printer's output as a string, and for the
 * tests that build and run programs, scratch directories removed at exit,
 * fixture paths, shell commands with a log, and a command's output.
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

/* What a printer writes to a stream, caught as a string. */
struct test_capture {
	FILE *f;
	char *buf;
	size_t len;
};

/* A stream into memory; NULL when there is no memory. */
FILE *test_capture_open(struct test_capture *c);
/* Close it; what was written, malloc'ed, NULL when the open failed. */
char *test_capture_close(struct test_capture *c);

/*
 * Make the scratch directory /tmp/PREFIX-XXXXXX and put its real path in buf.
 * It goes, with all it holds, when the program exits.  0 or -errno (buf is
 * then "").
 */
int test_tmpdir(char *buf, size_t len, const char *prefix);
/* The file descriptors this process has open (leak checks); -1 when unknown. */
int test_open_fds(void);
/* How many files in dir have a name starting with prefix; the path of one in path. */
int test_files_named(const char *dir, const char *prefix, char *path, size_t len);
/* Remove path and everything below it; 0 or -errno. */
int test_rmtree(const char *path);
/*
 * The fixture at rel (e.g. "tests/fixtures/x.c"): under $SURF_SRCDIR when
 * that is set, else from the current directory, the top of the tree.  In a
 * static buffer, good until the next call.
 */
const char *test_fixture_path(const char *rel);
/* Why live engine tests cannot run here (not root, no sys_enter_getppid), or NULL. */
const char *test_live_skip_reason(void);
/*
 * Run a shell command made as printf does; stderr (of its last part) is
 * appended to logdir/cc.log, or left alone when logdir is NULL.  What
 * system() returns, -1 when out of memory.
 */
int test_sh(const char *logdir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with all of the command's stdout and stderr going to the log. */
int test_sh_quiet(const char *logdir, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A command's whole output, malloc'ed; NULL when it fails. */
char *test_output(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Build the C file src into the aarch64 shared object so with clang and
 * ld.lld, through dir/a64.o; <sys/sdt.h> is taken from the host's multiarch
 * directory.  The log is dir/cc.log.  0 when it worked.
 */
int test_build_aarch64_so(const char *dir, const char *src, const char *so);

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

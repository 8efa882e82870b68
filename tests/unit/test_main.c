// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdlib.h>

#include "test.h"

static struct test_case *cases, **tail = &cases;
static int cur_failed, cur_skipped;

void test_register(struct test_case *tc)
{
	*tail = tc;
	tail = &tc->next;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	cur_failed = 1;
	fprintf(stdout, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	cur_skipped = 1;
	fputs("  skipped: ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

int test_failed(void)
{
	return cur_failed;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct test_case *tc = cases; tc; tc = tc->next) {
		if (argc > 1 && !strstr(tc->name, argv[1]))
			continue;
		cur_failed = cur_skipped = 0;
		tc->fn();
		if (cur_failed) {
			failed++;
			printf("FAIL %s\n", tc->name);
		} else if (cur_skipped) {
			skipped++;
			printf("skip %s\n", tc->name);
		} else {
			passed++;
			printf("ok   %s\n", tc->name);
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: MIT
/*
 * The seed's uprobe test program: func(v, d) with d->a = 2v, d->b = 3v,
 * called for v = 1..N (argv[1], default 3), every argv[2] ms (default 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct uprobe_def {
	int a;
	int b;
};

__attribute__((noinline)) int func(int v, struct uprobe_def *d)
{
	return v + d->a + d->b;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3, ms = argc > 2 ? atoi(argv[2]) : 0;
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	struct uprobe_def d;
	int sum = 0;

	for (int v = 1; v <= n; v++) {
		d.a = 2 * v;
		d.b = 3 * v;
		sum += func(v, &d);
		if (ms)
			nanosleep(&ts, NULL);
	}
	printf("%d\n", sum);
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * Test helper for user-space member chains: probe_me(o) is called for
 * i = 1..N (argv[1], default 3) with o->in->name = "item-<i>",
 * o->in->flags.level = i, o->in->flags.kind = 5, o->count = 10 * i and
 * o->in->next->id = 100 + i (two pointers deep).  Also calls fopen on a
 * path that does not exist, once, when argv[2] is "fopen".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct leaf {
	long id;
};

struct inner {
	char name[16];
	struct {
		unsigned int kind : 3;
		unsigned int level : 6;
		unsigned int spare : 23;
	} flags;
	struct leaf *next;
};

struct outer {
	int count;
	struct inner *in;
};

__attribute__((noinline)) long probe_me(struct outer *o)
{
	return o->count + o->in->next->id;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	struct leaf leaf;
	struct inner in;
	struct outer o = { 0, &in };
	long sum = 0;

	memset(&in, 0, sizeof(in));
	in.next = &leaf;
	for (int i = 1; i <= n; i++) {
		snprintf(in.name, sizeof(in.name), "item-%d", i);
		in.flags.level = (unsigned)i;
		in.flags.kind = 5;
		o.count = 10 * i;
		leaf.id = 100 + i;
		sum += probe_me(&o);
	}
	if (argc > 2 && !strcmp(argv[2], "fopen") && fopen("/nonexistent/surftrace", "r"))
		sum++;
	printf("%ld\n", sum);
	return 0;
}

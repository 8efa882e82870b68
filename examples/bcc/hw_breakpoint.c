// SPDX-License-Identifier: GPL-2.0
/*
 * hw_breakpoint: clcc_attach_breakpoint on a C function of this program,
 * the mechanism under clcc_attach_java_sym (a Java method's JIT code) shown
 * and tested where a JVM is not at hand: the main thread calls
 * target(i, 99) 5 times, then a thread created after the attach (its
 * breakpoint is inherited) calls target(i, 77) 3 times.  Prints the BPF
 * program's counts, "si 77: 3" and "si 99: 5", and exits 0 when they are
 * those; 3 (with clcc's reason) when the breakpoint cannot be used, such
 * as on a machine that does not deliver hardware breakpoints.
 */
#include <pthread.h>
#include <stdio.h>

#include <clcc.h>

#include <unistd.h>

__attribute__((noinline)) static int target(int i, int arg)
{
	__asm__ volatile("" ::: "memory");
	return i + arg;
}

static int (*volatile fn)(int, int) = target;

static void *thread_calls(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++)
		fn(i, 77);
	return NULL;
}

int main(void)
{
	struct clcc_struct *p = clcc_init("hw_breakpoint.so");
	unsigned long long key, next, val, got99 = 0, got77 = 0;
	unsigned long long *prev = NULL;
	pthread_t t;
	int id, err;

	if (!p || p->init(-1, 1))
		return 2;
	err = clcc_attach_breakpoint(p, "on_bp", getpid(), (unsigned long)target);
	if (err) {
		p->exit();
		clcc_deinit(p);
		return 3;
	}
	for (int i = 0; i < 5; i++)
		fn(i, 99);
	if (pthread_create(&t, NULL, thread_calls, NULL) || pthread_join(t, NULL))
		return 2;
	id = p->get_maps_id("args");
	while (p->map_get_next_key(id, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (p->map_lookup_elem(id, &key, &val))
			continue;
		printf("si %llu: %llu\n", key, val);
		if (key == 99)
			got99 = val;
		if (key == 77)
			got77 = val;
	}
	p->exit();
	clcc_deinit(p);
	return got99 == 5 && got77 == 3 ? 0 : 1;
}

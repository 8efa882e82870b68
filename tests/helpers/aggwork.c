// SPDX-License-Identifier: MIT
/*
 * A workload with known numbers for the aggregation tests:
 *   aggwork getppid NAME:N ...   one thread per NAME (its comm), N getppid calls each,
 *                                one after the other
 *   aggwork write SIZE ...       write(1000077, NULL, SIZE) for each SIZE (EBADF)
 *   aggwork usleep US:N ...      one thread per US, named "sl-US", N usleep(US) calls each
 *   aggwork getenv NAME ...      getenv(NAME) for each NAME
 *   aggwork spans                mark_begin(1) +3 ms mark_begin(2) +3 ms mark_end(1)
 *                                +9 ms mark_end(2): spans of ~6 and ~12 ms, one thread
 *   aggwork stack N MS           MS ms asleep (time to attach to it), N getppid calls
 *                                from stack_leaf() (called by stack_mid()), MS ms
 *                                alive again (its maps readable)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct job {
	char name[16];
	long n;
};

static void *calls(void *arg)
{
	struct job *j = arg;

	pthread_setname_np(pthread_self(), j->name);
	for (long i = 0; i < j->n; i++)
		syscall(SYS_getppid);
	return NULL;
}

static void *sleeps(void *arg)
{
	struct job *j = arg;
	long us = atol(j->name + 3);

	pthread_setname_np(pthread_self(), j->name);
	for (long i = 0; i < j->n; i++)
		usleep((useconds_t)us);
	return NULL;
}

/* Probed by the tests: kept out of line, and not merged with each other. */
__attribute__((noinline)) void mark_begin(long id)
{
	__asm__ volatile("" : : "r"(id) : "memory");
}

__attribute__((noinline)) void mark_end(long id)
{
	__asm__ volatile("" : : "r"(id) : "memory");
}

__attribute__((noinline)) void stack_leaf(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	__asm__ volatile("" : : : "memory");
}

__attribute__((noinline)) void stack_mid(long n)
{
	stack_leaf(n);
	__asm__ volatile("" : : : "memory");
}

/* One thread per "KEY:N", one after the other, named PREFIX KEY: fn(job) with N. */
static int run_jobs(int n, char **specs, const char *prefix, void *(*fn)(void *))
{
	for (int i = 0; i < n; i++) {
		struct job j = { .n = 0 };
		const char *colon = strchr(specs[i], ':');
		pthread_t t;

		if (!colon || strlen(prefix) + (size_t)(colon - specs[i]) > 15)
			return 2;
		snprintf(j.name, sizeof(j.name), "%s%.*s", prefix, (int)(colon - specs[i]), specs[i]);
		j.n = atol(colon + 1);
		pthread_create(&t, NULL, fn, &j);
		pthread_join(t, NULL);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "usleep"))
		return run_jobs(argc - 2, argv + 2, "sl-", sleeps);
	if (argc > 1 && !strcmp(argv[1], "getenv")) {
		for (int i = 2; i < argc; i++)
			if (getenv(argv[i]))
				putchar('+');
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "spans")) {
		mark_begin(1);
		usleep(3000);
		mark_begin(2);
		usleep(3000);
		mark_end(1);
		usleep(9000);
		mark_end(2);
		return 0;
	}
	if (argc > 3 && !strcmp(argv[1], "stack")) {
		usleep((useconds_t)atol(argv[3]) * 1000);
		stack_mid(atol(argv[2]));
		usleep((useconds_t)atol(argv[3]) * 1000);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "getppid"))
		return run_jobs(argc - 2, argv + 2, "", calls);
	if (argc > 1 && !strcmp(argv[1], "write")) {
		for (int i = 2; i < argc; i++)
			syscall(SYS_write, 1000077, NULL, strtoul(argv[i], NULL, 0));
		return 0;
	}
	fprintf(stderr, "usage: aggwork getppid NAME:N ... | write SIZE ... | usleep US:N ... | "
		"getenv NAME ... | spans | stack N MS\n");
	return 2;
}

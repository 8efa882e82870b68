// SPDX-License-Identifier: MIT
/*
 * A workload with known numbers for the aggregation tests:
 *   aggwork getppid NAME:N ...   one thread per NAME (its comm), N getppid calls each,
 *                                one after the other
 *   aggwork write SIZE ...       write(1000077, NULL, SIZE) for each SIZE (EBADF)
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

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "getppid")) {
		for (int i = 2; i < argc; i++) {
			struct job j = { .n = 0 };
			const char *colon = strchr(argv[i], ':');
			pthread_t t;

			if (!colon || colon - argv[i] > 15)
				return 2;
			memcpy(j.name, argv[i], (size_t)(colon - argv[i]));
			j.n = atol(colon + 1);
			pthread_create(&t, NULL, calls, &j);
			pthread_join(t, NULL);
		}
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "write")) {
		for (int i = 2; i < argc; i++)
			syscall(SYS_write, 1000077, NULL, strtoul(argv[i], NULL, 0));
		return 0;
	}
	fprintf(stderr, "usage: aggwork getppid NAME:N ... | aggwork write SIZE ...\n");
	return 2;
}

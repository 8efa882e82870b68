// SPDX-License-Identifier: MIT
/*
 * Floods with sequence numbers, for the stress suite (tests/stress): each of
 * THREADS threads (default 1) calls seq_mark(thread, seq) for seq = 0..N-1
 * and getppid() after each call, DELAY_US microseconds apart (default 0).
 * A reader of 'P seqgen:seq_mark t=%0 s=%1' can then tell exactly which
 * calls it missed, and which it saw twice or out of order.
 *
 *   seqgen N [THREADS [DELAY_US]]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long calls, delay_us;

__attribute__((noinline)) int seq_mark(int thread, long seq)
{
	/* Something the compiler must keep, so that the call stays a call. */
	__asm__ volatile("" : : "r"(thread), "r"(seq) : "memory");
	return thread + (int)(seq & 1);
}

static void *flood(void *arg)
{
	int thread = (int)(long)arg;
	struct timespec ts = { delay_us / 1000000, (delay_us % 1000000) * 1000 };

	for (long seq = 0; seq < calls; seq++) {
		seq_mark(thread, seq);
		getppid();
		if (delay_us)
			nanosleep(&ts, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 2 ? atoi(argv[2]) : 1;
	pthread_t tid[64];

	if (argc < 2 || threads < 1 || threads > 64) {
		fprintf(stderr, "usage: seqgen N [THREADS(1-64) [DELAY_US]]\n");
		return 2;
	}
	calls = atol(argv[1]);
	delay_us = argc > 3 ? atol(argv[3]) : 0;
	for (int i = 1; i < threads; i++)
		if (pthread_create(&tid[i], NULL, flood, (void *)(long)i)) {
			perror("pthread_create");
			return 1;
		}
	flood((void *)0L);
	for (int i = 1; i < threads; i++)
		pthread_join(tid[i], NULL);
	return 0;
}

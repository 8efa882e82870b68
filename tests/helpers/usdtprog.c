// SPDX-License-Identifier: MIT
/*
 * Test helper with USDT probes: surftest:tick(i, 1000 * i) for i = 1..N
 * (argv[1], default 3), and surftest:gated(i), which has a semaphore: the
 * program counts how often the semaphore said a tracer was attached.
 */
#include <stdio.h>
#include <stdlib.h>

#if __has_include(<sys/sdt.h>)
#define _SDT_HAS_SEMAPHORES 1
/* With _SDT_HAS_SEMAPHORES every probe of the file has one. */
unsigned short surftest_tick_semaphore __attribute__((unused)) __attribute__((section(".probes")));
unsigned short surftest_gated_semaphore __attribute__((unused)) __attribute__((section(".probes")));
#include <sys/sdt.h>
#define GATED_ENABLED() (surftest_gated_semaphore != 0)
#else
#define DTRACE_PROBE2(p, n, a, b) ((void)(a), (void)(b))
#define STAP_PROBE1(p, n, a) ((void)(a))
#define GATED_ENABLED() 0
#endif

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3, enabled = 0;
	long big;

	for (int i = 1; i <= n; i++) {
		big = 1000L * i;
		DTRACE_PROBE2(surftest, tick, i, big);
		if (GATED_ENABLED()) {
			enabled++;
			STAP_PROBE1(surftest, gated, i);
		}
	}
	printf("enabled=%d\n", enabled);
	return 0;
}

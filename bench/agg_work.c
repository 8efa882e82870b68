// SPDX-License-Identifier: MIT
/*
 * bench/agg.sh's workload, under the name "aggbench" (its comm):
 *   agg_work getppid N      N getppid system calls
 *   agg_work read N         N reads from /dev/zero, sizes 3 7 100 1000 4096 10000
 *                           65536 100000 in turn (N a multiple of 8 for even counts)
 *   agg_work usleep N US    N usleep(US) calls
 *   agg_work libc N         N calls of libc's getppid() (a function to time)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const size_t sizes[] = { 3, 7, 100, 1000, 4096, 10000, 65536, 100000 };

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0, sum = 0;

	prctl(PR_SET_NAME, "aggbench", 0, 0, 0);
	if (argc > 2 && !strcmp(argv[1], "getppid")) {
		for (long i = 0; i < n; i++)
			sum += syscall(SYS_getppid);
		return sum == 0;
	}
	if (argc > 2 && !strcmp(argv[1], "read")) {
		static char buf[100000];
		int fd = open("/dev/zero", O_RDONLY);

		if (fd < 0)
			return 1;
		for (long i = 0; i < n; i++)
			sum += read(fd, buf, sizes[i % 8]);
		close(fd);
		return sum == 0;
	}
	if (argc > 2 && !strcmp(argv[1], "libc")) {
		for (long i = 0; i < n; i++)
			sum += getppid();
		return sum == 0;
	}
	if (argc > 3 && !strcmp(argv[1], "usleep")) {
		for (long i = 0; i < n; i++)
			usleep((useconds_t)atol(argv[3]));
		return 0;
	}
	fprintf(stderr, "usage: agg_work getppid N | read N | usleep N US | libc N\n");
	return 2;
}

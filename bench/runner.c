// SPDX-License-Identifier: MIT
/*
 * bench-run N CMD [ARG...]: fork/exec CMD N times (stdin, stdout and stderr
 * on /dev/null) and print, per run, the wall time in microseconds (fork to
 * reaped) and the child's peak RSS in KiB.  Exit 1 when a run fails.  Used
 * by bench/show.sh, and built static for the VM tier's bench/vm-startup.sh.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s N CMD [ARG...]\n", argv[0]);
		return 2;
	}
	int n = atoi(argv[1]);
	for (int i = 0; i < n; i++) {
		struct timespec t0, t1;
		struct rusage ru;
		int st;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			int fd = open("/dev/null", O_RDWR);
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		if (wait4(pid, &st, 0, &ru) < 0) {
			perror("wait4");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "run %d: %s exited with status %d\n", i, argv[2],
				WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
			return 1;
		}
		long us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
		printf("%ld %ld\n", us, ru.ru_maxrss);
	}
	return 0;
}

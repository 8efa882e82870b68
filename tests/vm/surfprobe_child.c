// SPDX-License-Identifier: MIT
/*
 * VM test helper, installed in the guest as "surfprobe-child" so that its
 * comm is known: forks argv[1] children (each exits at once) one after the
 * other, then starts argv[2] threads (0 or 1; a second thread would race the
 * first one's mm_users drop).  Each new task goes through wake_up_new_task:
 * a forked child with a fresh mm (mm_users 1), a thread sharing ours (2).
 * Prints its pid.  Built static: the guest has no compiler.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *thread_main(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	int forks = argc > 1 ? atoi(argv[1]) : 1, threads = argc > 2 ? atoi(argv[2]) : 0;

	for (int i = 0; i < forks; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	if (threads > 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, thread_main, NULL))
			return 1;
		pthread_join(t, NULL);
	}
	printf("%d\n", (int)getpid());
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * Test helper: opens the path given as argv[1] N times (argv[2], default 1),
 * keeping the name in place, then sleeps argv[3] ms so that a tracer can
 * still read the name from this process.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char name[4096];

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 1, ms = argc > 3 ? atoi(argv[3]) : 300;
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	if (argc < 2)
		return 2;
	snprintf(name, sizeof(name), "%s", argv[1]);
	for (int i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, name, O_RDONLY);

		if (fd >= 0)
			close(fd);
	}
	nanosleep(&ts, NULL);
	printf("%d\n", (int)getpid());
	return 0;
}

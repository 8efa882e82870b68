// SPDX-License-Identifier: MIT
/*
 * bench/agg.sh's runner:
 *   agg_run MARKER OUTFILE TOOL [ARG...] -- WORKLOAD [ARG...]
 *   agg_run - - -- WORKLOAD [ARG...]            the workload alone
 *   agg_run --uprobe-cost FILE OFFSET           the kernel's own cost of a
 *                                               uprobe and a uretprobe there
 * Starts TOOL with its stdout and stderr on a pipe, waits for a line with
 * MARKER (the tool says it is attached), runs WORKLOAD to its end, then
 * sends TOOL SIGINT (again every 100 ms, SIGKILL after 20 s) and keeps all
 * it printed in OUTFILE.  Prints "<us to MARKER> <TOOL's peak RSS KiB>
 * <workload's wall ns>" (0 0 for no tool).  Exit 1 when something fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static pid_t spawn(char **argv, int out)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(out >= 0 ? out : null, 1);
		dup2(out >= 0 ? out : null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Copy what the tool printed to out; look for marker in tail (what came last). */
static int pump(int fd, FILE *out, char *tail, size_t cap, const char *marker, bool *seen)
{
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));
	size_t len = strlen(tail);

	if (n <= 0)
		return -1;
	fwrite(buf, 1, (size_t)n, out);
	for (ssize_t i = 0; i < n; i++) {
		if (len == cap - 1) {	/* keep the last half: a marker may straddle reads */
			memmove(tail, tail + cap / 2, len - cap / 2);
			len -= cap / 2;
		}
		tail[len++] = buf[i];
	}
	tail[len] = '\0';
	if (marker && strstr(tail, marker))
		*seen = true;
	return 0;
}

/*
 * Microseconds the kernel takes to open a uprobe and a uretprobe at
 * FILE:OFFSET (perf's uprobe PMU, no program): what any tool pays first.
 */
static int uprobe_cost(const char *file, const char *offset)
{
	char buf[64];
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	struct perf_event_attr attr = { .size = sizeof(attr) };
	long long t0;
	int type, fd[2];

	if (!f || !fgets(buf, sizeof(buf), f))
		return perror("uprobe PMU"), 1;
	fclose(f);
	type = atoi(buf);
	attr.type = (unsigned)type;
	attr.config1 = (unsigned long long)(unsigned long)file;
	attr.config2 = strtoull(offset, NULL, 0);
	t0 = now_ns();
	fd[0] = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0);
	attr.config = 1;	/* retprobe: format/retprobe is config:0 */
	fd[1] = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0);
	if (fd[0] < 0 || fd[1] < 0)
		return perror("perf_event_open"), 1;
	printf("%lld\n", (now_ns() - t0) / 1000);
	close(fd[0]);
	close(fd[1]);
	return 0;
}

int main(int argc, char **argv)
{
	char tail[8192] = "";
	long long t0, ready = 0, w0, w1;
	int sep = 3, fds[2] = { -1, -1 }, st;
	pid_t tool = 0, work;
	struct rusage ru = { .ru_maxrss = 0 };
	bool seen = false, has_tool;
	FILE *out = NULL;

	if (argc == 4 && !strcmp(argv[1], "--uprobe-cost"))
		return uprobe_cost(argv[2], argv[3]);
	while (sep < argc && strcmp(argv[sep], "--"))
		sep++;
	if (argc < 5 || sep >= argc - 1) {
		fprintf(stderr, "usage: %s MARKER OUTFILE TOOL [ARG...] -- WORKLOAD [ARG...]\n",
			argv[0]);
		return 2;
	}
	has_tool = strcmp(argv[1], "-");
	argv[sep] = NULL;
	if (has_tool) {
		out = fopen(argv[2], "w");
		if (!out || pipe(fds))
			return perror(argv[2]), 1;
		t0 = now_ns();
		tool = spawn(argv + 3, fds[1]);
		close(fds[1]);
		while (!seen) {
			struct pollfd p = { .fd = fds[0], .events = POLLIN };

			if (poll(&p, 1, 30000) <= 0 ||
			    pump(fds[0], out, tail, sizeof(tail), argv[1], &seen)) {
				fprintf(stderr, "%s: no '%s' from %s:\n%s\n", argv[0], argv[1], argv[3],
					tail);
				kill(tool, SIGKILL);
				return 1;
			}
		}
		ready = now_ns() - t0;
	}
	w0 = now_ns();
	work = spawn(argv + sep + 1, -1);
	for (;;) {	/* the tool's output drained while the workload runs */
		struct pollfd p = { .fd = fds[0], .events = POLLIN };

		if (waitpid(work, &st, WNOHANG) == work)
			break;
		if (has_tool && poll(&p, 1, 1) == 1)
			pump(fds[0], out, tail, sizeof(tail), NULL, &seen);
		else if (!has_tool)
			usleep(1000);
	}
	w1 = now_ns();
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "%s: %s failed (status %d)\n", argv[0], argv[sep + 1], st);
		if (tool)
			kill(tool, SIGKILL);
		return 1;
	}
	if (has_tool) {
		long long stop = now_ns();

		kill(tool, SIGINT);
		for (;;) {
			struct pollfd p = { .fd = fds[0], .events = POLLIN };
			int r = poll(&p, 1, 100);

			if (r == 1 && pump(fds[0], out, tail, sizeof(tail), NULL, &seen))
				break;
			if (r == 0)	/* bpftrace 0.17 can miss a SIGINT right after a start */
				kill(tool, now_ns() - stop > 20000000000LL ? SIGKILL : SIGINT);
		}
		wait4(tool, &st, 0, &ru);
		fclose(out);
	}
	printf("%lld %ld %lld\n", ready / 1000, ru.ru_maxrss, w1 - w0);
	return 0;
}

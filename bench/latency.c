// SPDX-License-Identifier: MIT
/*
 * Start-up and event latency of a live tracer, surftrace beside bpftrace in
 * the same run (issue 14).  Each tracer is started on
 * syscalls:sys_enter_write filtered on a bad file descriptor (1000077) while a
 * workload calls write(1000077, NULL, T) with T = CLOCK_MONOTONIC in ns: each
 * event carries the time it happened in the kernel.
 *
 * - first event: the workload writes every 100 us; from fork+exec of the
 *   tracer to its first line on our end of its stdout (a pipe).
 * - latency: the workload writes every 20 ms (a low rate); for each line,
 *   the time we read it minus the T it carries.  Median, 90th and 99th
 *   percentile and maximum over the lines.
 *
 * Usage: build/bench-latency SURFTRACE [EVENTS] [--kprobe] (EVENTS at low
 * rate, 100).  --kprobe: a kprobe on ksys_write instead of the tracepoint
 * (for kernels with kprobes: the VM tier's bench/vm-startup.sh).
 * Prints both tracers' figures and the ratios; exits 1 when surftrace misses
 * a target (first event < 1/10 of bpftrace's, median latency < 1 ms), and
 * 2 when it cannot run (not root, no surftrace).  bpftrace missing is
 * reported and does not fail the run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BAD_FD 1000077
#define MAX_EVENTS 10000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The workload: write(BAD_FD, NULL, now) every interval_us until killed. */
static pid_t start_workload(long interval_us)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec gap = { interval_us / 1000000, (interval_us % 1000000) * 1000 };

		for (;;) {
			syscall(SYS_write, BAD_FD, NULL, (size_t)now_ns());
			nanosleep(&gap, NULL);
		}
	}
	return pid;
}

/* Start argv with stdout to a pipe (stderr to /dev/null); the pipe's read end in *fd. */
static pid_t start_tracer(char *const argv[], int *fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		if (!freopen("/dev/null", "w", stderr))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*fd = p[0];
	return pid;
}

/* SIGINT, and SIGKILL when that has not ended it within 3 s (a tracer still starting up). */
static void stop(pid_t pid)
{
	kill(pid, SIGINT);
	for (int i = 0; i < 300; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The time an event line carries: the number after "count" (surftrace: "count: 0x..."). */
static bool line_time(const char *line, uint64_t *t)
{
	const char *c = strstr(line, "count");
	char *end;

	if (c)
		c += strcspn(c, "0123456789");
	else
		c = line + strspn(line, " ");	/* bpftrace prints the number alone */
	*t = strtoull(c, &end, 0);
	return end != c && *t > 0;
}

struct result {
	bool ran;
	double first_ms;	/* exec to the first line */
	int n;
	double lat_us[MAX_EVENTS];
};

/*
 * Run the tracer twice: against a fast workload for the first event, and a
 * slow one for latencies.  ready_line: the tracer prints its lines only
 * once tracing (both do).
 */
static void measure(char *const argv[], int events, struct result *res)
{
	char buf[65536];
	size_t have = 0;
	int fd;
	pid_t work, tracer;
	uint64_t start;

	memset(res, 0, sizeof(*res));
	/* 1. First event. */
	work = start_workload(100);
	usleep(20000);
	start = now_ns();
	tracer = start_tracer(argv, &fd);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;
		char *nl;

		if (poll(&p, 1, 10000) <= 0)
			break;
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		/* The first line that carries a time (bpftrace says "Attaching" first). */
		while ((nl = strchr(buf, '\n'))) {
			uint64_t t;

			*nl = '\0';
			if (line_time(buf, &t)) {
				res->first_ms = (double)(now_ns() - start) / 1e6;
				res->ran = true;
				break;
			}
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have + 1);
		}
		if (res->ran)
			break;
	}
	kill(work, SIGKILL);
	waitpid(work, NULL, 0);
	stop(tracer);
	close(fd);
	if (!res->ran)
		return;

	/* 2. Latency at a low rate: the tracer is up before the first write counts. */
	tracer = start_tracer(argv, &fd);
	sleep(2);
	work = start_workload(20000);
	have = 0;
	while (res->n < events) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;
		char *line, *nl;

		if (poll(&p, 1, 5000) <= 0)
			break;
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		uint64_t got = now_ns();

		have += (size_t)n;
		buf[have] = '\0';
		line = buf;
		while ((nl = strchr(line, '\n')) && res->n < events) {
			uint64_t t;

			*nl = '\0';
			if (line_time(line, &t) && t < got) {
				res->lat_us[res->n++] = (double)(got - t) / 1e3;
				if (getenv("LAT_DUMP"))	/* each latency in arrival order */
					fprintf(stderr, "%s: event %d: %.0f us\n", argv[0], res->n,
						res->lat_us[res->n - 1]);
			}
			line = nl + 1;
		}
		have = strlen(line);
		memmove(buf, line, have + 1);
	}
	kill(work, SIGKILL);
	waitpid(work, NULL, 0);
	stop(tracer);
	close(fd);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const struct result *r, double p)
{
	int i = (int)(p * (r->n - 1) + 0.5);

	return r->n ? r->lat_us[i] : 0;
}

static void row(const char *name, const struct result *r)
{
	if (!r->ran) {
		printf("%-12s %14s\n", name, "did not run");
		return;
	}
	printf("%-12s %11.1f ms %10.0f %10.0f %10.0f %10.0f %6d\n", name, r->first_ms,
	       pct(r, 0.5), pct(r, 0.9), pct(r, 0.99), r->n ? r->lat_us[r->n - 1] : 0, r->n);
}

int main(int argc, char **argv)
{
	static struct result st, bt;
	char filter[64], bt_prog[256];
	int events = argc > 2 ? atoi(argv[2]) : 100;
	bool kprobe = argc > 3 && !strcmp(argv[3], "--kprobe");
	bool have_bt = !system("command -v bpftrace >/dev/null 2>&1");
	int fail = 0;

	if (argc < 2 || geteuid() != 0 || access(argv[1], X_OK)) {
		fprintf(stderr, "usage: %s SURFTRACE [EVENTS] [--kprobe] (as root)\n", argv[0]);
		return 2;
	}
	if (events < 1 || events > MAX_EVENTS)
		events = 100;
	if (kprobe) {
		/* ksys_write(unsigned int fd, const char *buf, size_t count) */
		snprintf(filter, sizeof(filter), "p ksys_write fd=%%0 count=%%2 f:fd==%d", BAD_FD);
		snprintf(bt_prog, sizeof(bt_prog),
			 "kprobe:ksys_write /arg0 == %d/ { printf(\"%%llu\\n\", arg2); }", BAD_FD);
	} else {
		snprintf(filter, sizeof(filter), "e syscalls/sys_enter_write f:fd==%d", BAD_FD);
		snprintf(bt_prog, sizeof(bt_prog),
			 "tracepoint:syscalls:sys_enter_write /args->fd == %d/ { printf(\"%%llu\\n\", "
			 "args->count); }", BAD_FD);
	}
	{
		char *const sargv[] = { argv[1], "-q", filter, NULL };
		char *const bargv[] = { "bpftrace", "-B", "none", "-e", bt_prog, NULL };

		measure(sargv, events, &st);
		if (have_bt)
			measure(bargv, events, &bt);
	}
	qsort(st.lat_us, (size_t)st.n, sizeof(double), cmp_double);
	qsort(bt.lat_us, (size_t)bt.n, sizeof(double), cmp_double);

	printf("%s events; first event: exec to the first line (workload "
	       "every 100 us);\nlatency: event in the kernel to its line read from the tracer's "
	       "stdout pipe (workload every 20 ms), in us\n\n",
	       kprobe ? "kprobe ksys_write" : "syscalls:sys_enter_write");
	printf("%-12s %14s %10s %10s %10s %10s %6s\n", "tracer", "first event", "median", "p90",
	       "p99", "max", "lines");
	row("surftrace", &st);
	if (have_bt)
		row("bpftrace", &bt);
	else
		printf("%-12s %14s\n", "bpftrace", "not installed");
	if (st.ran && bt.ran) {
		printf("%-12s %13.1fx %9.1fx\n", "bpftrace/us", bt.first_ms / st.first_ms,
		       pct(&bt, 0.5) / (pct(&st, 0.5) > 0 ? pct(&st, 0.5) : 1));
	}
	printf("\n");
	if (!st.ran || st.n < events) {
		printf("FAIL: surftrace printed %d of %d events\n", st.n, events);
		fail = 1;
	}
	if (st.ran && bt.ran) {
		bool ok = st.first_ms * 10 < bt.first_ms;

		printf("%s: first event %.1f ms < 1/10 of bpftrace's %.1f ms\n", ok ? "PASS" : "FAIL",
		       st.first_ms, bt.first_ms);
		fail |= !ok;
	}
	if (st.n) {
		bool ok = pct(&st, 0.5) < 1000;

		printf("%s: median latency %.0f us < 1000 us (p99 %.0f us)\n", ok ? "PASS" : "FAIL",
		       pct(&st, 0.5), pct(&st, 0.99));
		fail |= !ok;
	}
	return fail;
}

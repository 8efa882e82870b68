// SPDX-License-Identifier: MIT
/*
 * Wake-ups adapted to the rate (src/lib/engine/wakeup.c, issue 14): one
 * event at a low rate ends a long poll at once (a doorbell rang), not when
 * the poll times out; after a flood has turned the doorbells off, a single
 * event is again read at once; without doorbells (one failed to open) every
 * event still arrives, within the batch timeout, and no descriptor of the
 * doorbells stays open.
 */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <surf/engine.h>

#include "engine/internal.h"
#include "sys/fault.h"
#include "test.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void count_record(void *ctx, const struct surf_record *rec)
{
	(void)rec;
	(*(long *)ctx)++;
}

/* An engine on sys_enter_getppid of this process; its number of open fds in *fds. */
static int getppid_engine(struct surf_engine **e, long *seen, int *fds)
{
	struct surf_engine_opts opts = { .sz = sizeof(opts), .pid = getpid() };
	int before = test_open_fds(), ret;

	ret = surf_engine__new(e, &opts);
	if (ret)
		return ret;
	ret = surf_engine__add_raw(*e, "e:syscalls/sys_enter_getppid", NULL, count_record, seen,
				   NULL);
	if (!ret)
		ret = surf_engine__start(*e);
	*fds = test_open_fds() - before;
	return ret;
}

/* Poll with a 2 s timeout until one record more than before: the ms it took, or -1. */
static double time_one(struct surf_engine *e, long *seen)
{
	long want = *seen + 1;
	double start = now_ms();

	syscall(SYS_getppid);
	while (*seen < want && now_ms() - start < 2000)
		if (surf_engine__poll(e, 2000) < 0)
			return -1;
	return *seen >= want ? now_ms() - start : -1;
}

/* Five lone getppid calls 30 ms apart: each read at once, the doorbells on before each. */
static void low_rate_at_once(void)
{
	struct surf_engine *e = NULL;
	long seen = 0;
	double ms[5];
	bool rang[5];
	int fds;

	CHECK_INT(getppid_engine(&e, &seen, &fds), ==, 0);
	/* Settle: the first poll after start measures the first window. */
	surf_engine__poll(e, 50);
	for (int i = 0; i < 5; i++) {
		usleep(30000);
		rang[i] = e->bells_on;
		ms[i] = time_one(e, &seen);
	}
	surf_engine__free(e);
	for (int i = 0; i < 5; i++)
		CHECK(rang[i]);
	/* The watermark alone would hold a lone record for the whole 2 s poll. */
	for (int i = 0; i < 5; i++)
		CHECK(ms[i] >= 0 && ms[i] < 200);
}

TEST(test_wakeup_low_rate_event_at_once)
{
	const char *why = test_live_skip_reason();

	if (why)
		SKIP("%s", why);
	low_rate_at_once();
}

/*
 * A storm of exec's elsewhere (a build) fills the rings with thread-name
 * records, thousands a second: the rate that silences the doorbells is the
 * traced events', so a lone event is still read at once.
 */
TEST(test_wakeup_exec_storm_keeps_doorbells)
{
	const char *why = test_live_skip_reason();
	pid_t storm;

	if (why)
		SKIP("%s", why);
	storm = fork();
	CHECK(storm >= 0);
	if (storm == 0) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", "while :; do /bin/true; done", (char *)NULL);
		_exit(127);
	}
	setpgid(storm, storm);
	usleep(100000);
	low_rate_at_once();
	kill(-storm, SIGKILL);
	waitpid(storm, NULL, 0);
}

TEST(test_wakeup_after_flood_at_once_again)
{
	const char *why = test_live_skip_reason();
	struct surf_engine *e = NULL;
	long seen = 0, flood = 200000;
	struct surf_engine_stats st;
	bool during, after;
	double ms;
	int fds;

	if (why)
		SKIP("%s", why);
	CHECK_INT(getppid_engine(&e, &seen, &fds), ==, 0);
	for (long i = 0; i < flood; i++) {
		syscall(SYS_getppid);
		if (i % 512 == 0)
			surf_engine__poll(e, 0);
	}
	during = e->bells_on;
	/* Until a poll delivers no record of ours (thread-name records may never stop). */
	for (long before = -1, n = 1; n > 0 && (seen != before || n == SURF_ENGINE_BATCH);) {
		before = seen;
		n = surf_engine__poll(e, 100);
	}
	surf_engine__stats(e, &st);
	/* This thread both floods and reads: some may be lost, none unaccounted. */
	if (seen + (long)st.lost != flood) {
		surf_engine__free(e);
		CHECK_INT(seen + (long)st.lost, ==, flood);
	}
	/* Quiet for a few windows: the doorbells come back. */
	for (int i = 0; i < 5; i++)
		surf_engine__poll(e, 30);
	after = e->bells_on;
	ms = time_one(e, &seen);
	surf_engine__free(e);
	CHECK(!during);
	CHECK(after);
	CHECK(ms >= 0 && ms < 200);
}

TEST(test_wakeup_without_doorbells)
{
	const char *why = test_live_skip_reason();
	struct surf_engine *e = NULL;
	long seen = 0, with_bells = 0;
	int fds, fds_with_bells;
	double ms;

	if (why)
		SKIP("%s", why);
	CHECK_INT(getppid_engine(&e, &with_bells, &fds_with_bells), ==, 0);
	surf_engine__free(e);
	e = NULL;

	surf_fault_countdown[SURF_FAULT_BELL_FD] = 1;
	CHECK_INT(getppid_engine(&e, &seen, &fds), ==, 0);
	surf_fault_countdown[SURF_FAULT_BELL_FD] = 0;
	for (int i = 0; i < 100; i++)
		syscall(SYS_getppid);
	ms = time_one(e, &seen);
	CHECK(e->bells_failed && !e->bells_on);
	surf_engine__free(e);
	/* Every record; the lone one within the batch timeout (10 ms), not the poll's 2 s. */
	CHECK_INT(seen, ==, 101);
	CHECK(ms >= 0 && ms < 200);
	/* The doorbells' fds (a ring per CPU, an event per CPU) are all closed. */
	CHECK_INT(fds, <, fds_with_bells);
}

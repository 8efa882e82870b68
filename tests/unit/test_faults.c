// SPDX-License-Identifier: MIT
/*
 * The engine's error paths, with failures injected where tests cannot make
 * the system fail (sys/fault.h): a ring's buffer, the epoll of a ring, a
 * perf event of an event, the id table.  Each time: the error comes back,
 * no descriptor stays open (counted in /proc/self/fd), nothing leaks (the
 * unit tests run under ASan's leak checker), and a failed event leaves
 * nothing that surf_engine__start would enable (no record of it arrives).
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <surf/engine.h>

#include "sys/fault.h"
#include "test.h"

static void count_record(void *ctx, const struct surf_record *rec)
{
	(*(int *)ctx)++;
}

/* A failure while the rings are made: -errno, and every ring made so far closed. */
static void new_fails(enum surf_fault_site site, int when, int want)
{
	struct surf_engine_opts opts = { .sz = sizeof(opts) };
	struct surf_engine *e = NULL;
	int before = test_open_fds(), ret;

	surf_fault_countdown[site] = when;
	ret = surf_engine__new(&e, &opts);
	surf_fault_countdown[site] = 0;
	CHECK_INT(ret, ==, want);
	CHECK(e == NULL);
	CHECK_INT(test_open_fds(), ==, before);
}

TEST(test_faults_ring_buffer)
{
	const char *why = test_live_skip_reason();

	if (why)
		SKIP("%s", why);
	new_fails(SURF_FAULT_RING_SCRATCH, 1, -ENOMEM);
	if (sysconf(_SC_NPROCESSORS_CONF) > 1)
		new_fails(SURF_FAULT_RING_SCRATCH, 2, -ENOMEM);
}

TEST(test_faults_ring_epoll)
{
	const char *why = test_live_skip_reason();

	if (why)
		SKIP("%s", why);
	new_fails(SURF_FAULT_EPOLL_ADD, 1, -ENOMEM);
	if (sysconf(_SC_NPROCESSORS_CONF) > 1)
		new_fails(SURF_FAULT_EPOLL_ADD, 2, -ENOMEM);
}

/*
 * A failure while an event is added: the add fails, the event's descriptors
 * are closed, and after surf_engine__start a good event records while the
 * failed one records nothing.
 */
static void add_fails(enum surf_fault_site site, int when, int want)
{
	struct surf_engine_opts opts = { .sz = sizeof(opts), .exclude_self = false };
	struct surf_engine *e = NULL;
	int bad = 0, good = 0, before, ret;

	CHECK_INT(surf_engine__new(&e, &opts), ==, 0);
	before = test_open_fds();
	surf_fault_countdown[site] = when;
	ret = surf_engine__add_raw(e, "e:syscalls/sys_enter_getppid", NULL, count_record, &bad,
				   NULL);
	surf_fault_countdown[site] = 0;
	CHECK_INT(ret, ==, want);
	CHECK_INT(test_open_fds(), ==, before);
	CHECK_INT(surf_engine__add_raw(e, "e:syscalls/sys_enter_getppid", NULL, count_record,
				       &good, NULL), ==, 0);
	CHECK_INT(surf_engine__start(e), ==, 0);
	for (int i = 0; i < 10; i++)
		syscall(SYS_getppid);
	CHECK_INT(surf_engine__stop(e), ==, 0);
	while (surf_engine__poll(e, 0) > 0)
		;
	CHECK_INT(good, >=, 10);
	CHECK_INT(bad, ==, 0);
	surf_engine__free(e);
}

TEST(test_faults_event_perf_open)
{
	const char *why = test_live_skip_reason();

	if (why)
		SKIP("%s", why);
	add_fails(SURF_FAULT_EVENT_FD, 1, -EMFILE);
	if (sysconf(_SC_NPROCESSORS_CONF) > 1)
		add_fails(SURF_FAULT_EVENT_FD, 2, -EMFILE);	/* one CPU's open already */
}

TEST(test_faults_id_table)
{
	const char *why = test_live_skip_reason();

	if (why)
		SKIP("%s", why);
	/* The engine's first id needs the table: an allocation that fails. */
	add_fails(SURF_FAULT_ID_TABLE, 1, -ENOMEM);
}

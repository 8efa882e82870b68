// SPDX-License-Identifier: MIT
/*
 * Public functions that no program of ours calls, each checked against what
 * the system says: an embedding user's epoll loop, the engine's tracefs and
 * group, thread names, the host's registers, the probe kinds.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <surf/arch.h>
#include <surf/engine.h>
#include <surf/expr.h>

#include "test.h"

TEST(test_api_probe_kinds_and_arch)
{
	const struct surf_arch *host = surf_arch__host();
	struct utsname u;

	CHECK(surf_probe_kind__is_user(SURF_PROBE_UPROBE));
	CHECK(surf_probe_kind__is_user(SURF_PROBE_URETPROBE));
	CHECK(surf_probe_kind__is_user(SURF_PROBE_USDT));
	CHECK(!surf_probe_kind__is_user(SURF_PROBE_KPROBE));
	CHECK(!surf_probe_kind__is_user(SURF_PROBE_KRETPROBE));
	CHECK(!surf_probe_kind__is_user(SURF_PROBE_EVENT));
	CHECK(host != NULL);
	CHECK_INT(uname(&u), ==, 0);
	CHECK(surf_arch__find(u.machine) == host);
	/* The first argument register, as the kernel's fetch syntax names it. */
	CHECK_INT(surf_arch__reg_index(host, host->regs[0]), ==, 0);
	CHECK_INT(surf_arch__reg_index(host, "no_such_register"), <, 0);
}

static void on_record(void *ctx, const struct surf_record *rec)
{
	(*(int *)ctx)++;
}

/* The engine in a caller's own epoll loop: its fd says when records wait. */
TEST(test_api_engine_in_a_callers_loop)
{
	struct surf_engine_opts opts = { .sz = sizeof(opts), .exclude_self = false };
	struct epoll_event ev = { .events = EPOLLIN }, got;
	struct surf_engine *e;
	struct surf_event *event;
	const char *why = test_live_skip_reason();
	int n = 0, ep, ready = 0;

	if (why)
		SKIP("%s", why);
	CHECK_INT(surf_engine__new(&e, &opts), ==, 0);
	CHECK_STR(surf_engine__tracefs(e), "/sys/kernel/tracing");
	CHECK_INT(surf_engine__add_raw(e, "e:syscalls/sys_enter_getppid", NULL, on_record, &n,
				       &event), ==, 0);
	CHECK_STR(surf_event__group(event), "syscalls");
	CHECK_STR(surf_event__name(event), "sys_enter_getppid");
	CHECK(surf_event__def(event) == NULL);	/* added raw, not compiled */
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0);
	CHECK_INT(epoll_ctl(ep, EPOLL_CTL_ADD, surf_engine__epoll_fd(e), &ev), ==, 0);
	CHECK_INT(surf_engine__start(e), ==, 0);
	for (int i = 0; i < 5; i++)
		syscall(SYS_getppid);
	CHECK_INT(surf_engine__stop(e), ==, 0);
	/* Below the watermark no wakeup comes: the caller polls on its own tick too. */
	ready = epoll_wait(ep, &got, 1, 0);
	CHECK_INT(ready, >=, 0);
	while (surf_engine__poll(e, 0) > 0)
		;
	CHECK_INT(n, >=, 5);
	/* Our own thread's name, as the kernel has it. */
	{
		char comm[64] = "";
		FILE *f = fopen("/proc/self/comm", "r");

		CHECK(f && fgets(comm, sizeof(comm), f));
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		CHECK_STR(surf_engine__comm(e, (int)syscall(SYS_gettid)), comm);
	}
	close(ep);
	surf_engine__free(e);
	/* Nothing of ours was left for a sweep to find. */
	CHECK_INT(surf_engine__sweep_stale("/sys/kernel/tracing"), >=, 0);
}

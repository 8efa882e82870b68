// SPDX-License-Identifier: MIT
/*
 * Not tracing ourselves (opts.exclude_self).  A tracer that prints an event
 * with write() makes the next sys_enter_write, and one that calls strlen to
 * format it the next libc:strlen uprobe hit: without this, such a run feeds
 * itself forever.
 *
 * The kernel is told first, with a filter term on common_pid: the records
 * are then never written, so they take no ring space and are never lost.
 * common_pid is the pid in the initial PID namespace, which is getpid() only
 * there; inside another one (unshare --pid, containers) the kernel's pid is
 * asked of BPF (bpf_get_current_pid_tgid, in a program run once on this
 * thread).  Whatever the kernel knew, the reader also drops samples whose
 * perf pid (in our own namespace) is ours: that check is exact for every
 * thread, and the one that holds when the kernel's pid cannot be known.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "engine/internal.h"

/* The inode of the initial PID namespace (PROC_PID_INIT_INO in the kernel). */
#define INIT_PID_NS "pid:[4026531836]"
#define MAX_SELF_TIDS 64

static bool in_initial_pid_ns(void)
{
	char link[64];
	ssize_t n = readlink("/proc/self/ns/pid", link, sizeof(link) - 1);

	if (n <= 0)
		return false;
	link[n] = '\0';
	return !strcmp(link, INIT_PID_NS);
}

/* This process's pid as the kernel records it, by BPF; 0 when BPF is not allowed. */
static int kernel_tgid(void)
{
	const struct bpf_insn prog[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_current_pid_tgid },
		{ .code = BPF_ALU64 | BPF_RSH | BPF_K, .dst_reg = BPF_REG_0, .imm = 32 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	/* Programs run by BPF_PROG_TEST_RUN on the caller's thread: BPF_PROG_TYPE_SYSCALL. */
	LIBBPF_OPTS(bpf_prog_load_opts, lopts, .prog_flags = BPF_F_SLEEPABLE);
	LIBBPF_OPTS(bpf_test_run_opts, ropts);
	int fd, tgid = 0;

	fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "surf_self", "GPL", prog,
			   sizeof(prog) / sizeof(prog[0]), &lopts);
	if (fd < 0)
		return 0;
	if (!bpf_prog_test_run_opts(fd, &ropts))
		tgid = (int)ropts.retval;
	close(fd);
	return tgid;
}

/* The kernel's pids of our threads (all of them in the initial namespace, else the main one). */
static int kernel_tids(struct surf_engine *e, int *tids, int max)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	if (!in_initial_pid_ns()) {
		e->self_tgid = tids[0] = kernel_tgid();
		return tids[0] > 0;
	}
	e->self_tgid = getpid();
	dir = opendir("/proc/self/task");
	if (!dir) {
		tids[0] = getpid();
		return 1;
	}
	while ((de = readdir(dir)) && n < max)
		if (de->d_name[0] != '.')
			tids[n++] = atoi(de->d_name);
	closedir(dir);
	return n;
}

int self_setup(struct surf_engine *e)
{
	int tids[MAX_SELF_TIDS], n;
	size_t len = 0, cap;

	e->self_pid = getpid();
	n = kernel_tids(e, tids, MAX_SELF_TIDS);
	if (!n)
		return 0;	/* the reader's check alone */
	cap = (size_t)n * 32;
	e->self_filter = malloc(cap);
	if (!e->self_filter)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(e->self_filter + len, cap - len, "%scommon_pid!=%d",
					i ? "&&" : "", tids[i]);
	return 0;
}

char *self_combined_filter(const struct surf_engine *e, const char *filter)
{
	char *combined;

	if (!filter)
		return strdup(e->self_filter);
	if (asprintf(&combined, "%s&&(%s)", e->self_filter, filter) < 0)
		return NULL;
	return combined;
}

// SPDX-License-Identifier: MIT
/*
 * clcc_attach_java_sym: a BPF perf_event program on the JIT-compiled code of
 * a Java method (pylcc's attachJavaSym, seed 6.3.11).  The method's address
 * comes from the JVM's perf map (/tmp/perf-PID.map, written by
 * `jcmd PID Compiler.perfmap`); an execute hardware breakpoint there fires
 * the program with the method's registers (ctx->regs.si: HotSpot's compiled
 * calling convention passes the first int argument of a static method in
 * rsi).
 *
 * Uprobes cannot do it: they need a file offset, and JIT code is in
 * anonymous memory.  A breakpoint needs a debug register per address and
 * per thread (four on x86), and a CPU that delivers them: hypervisors may
 * accept the perf event and never raise the exception, so a self test
 * (hwbp_selftest) tells first.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include <clcc.h>
#include <surf/syms.h>

#include "clcc/clcc_impl.h"

/* x86's debug registers: one breakpoint per address and thread. */
#define MAX_ADDRS 4
#define SELFTEST_CALLS 5
/* Threads created while the events are being opened: rescan this often. */
#define TASK_PASSES 3

static long perf_open(struct perf_event_attr *attr, int pid, int cpu)
{
	return syscall(__NR_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void bp_attr(struct perf_event_attr *attr, uint64_t addr)
{
	memset(attr, 0, sizeof(*attr));
	attr->type = PERF_TYPE_BREAKPOINT;
	attr->size = sizeof(*attr);
	attr->bp_type = HW_BREAKPOINT_X;
	/* x86 wants sizeof(long) for an execute breakpoint, arm64 one instruction. */
#if defined(__aarch64__)
	attr->bp_len = HW_BREAKPOINT_LEN_4;
#else
	attr->bp_len = sizeof(long);
#endif
	attr->bp_addr = addr;
	attr->exclude_kernel = 1;
	attr->exclude_hv = 1;
}

/*
 * The self test's target: noinline and called through a volatile pointer,
 * so that each call executes its first instruction.
 */
__attribute__((noinline)) static int hwbp_target(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}

/*
 * Does this CPU deliver execute breakpoints?  A counting breakpoint on
 * hwbp_target, for this thread only, then SELFTEST_CALLS calls: the count
 * must be SELFTEST_CALLS.  Counting mode raises no signal; nothing forks.
 * 1: yes; 0: no (why says so); -errno: the event cannot even be opened.
 * The answer is the CPU's: kept for the life of the process.
 */
static int hwbp_selftest(char *why, size_t len)
{
	static int cached = -1, cached_err;
	static char cached_why[256];
	int (*volatile fn)(int) = hwbp_target;
	struct perf_event_attr attr;
	uint64_t count = 0;
	volatile int sink = 0;
	long fd;

	if (cached >= 0 || cached_err) {
		snprintf(why, len, "%s", cached_why);
		return cached_err ? cached_err : cached;
	}
	bp_attr(&attr, (uint64_t)(uintptr_t)hwbp_target);
	fd = perf_open(&attr, 0, -1);
	if (fd < 0) {
		int err = -errno;

		snprintf(cached_why, sizeof(cached_why),
			 "cannot open an execute hardware breakpoint (%s)%s", strerror(-err),
			 err == -ENOENT || err == -EOPNOTSUPP ?
				 ": this kernel or CPU has no hardware breakpoints" : "");
		snprintf(why, len, "%s", cached_why);
		/* Not cached when it may pass later (no permission, slots in use). */
		if (err == -ENOENT || err == -EOPNOTSUPP || err == -EINVAL)
			cached_err = err;
		return err;
	}
	for (int i = 0; i < SELFTEST_CALLS; i++)
		sink += fn(i);
	if (read((int)fd, &count, sizeof(count)) != sizeof(count))
		count = 0;
	close((int)fd);
	cached = count == SELFTEST_CALLS;
	snprintf(cached_why, sizeof(cached_why),
		 "an execute breakpoint on a function of this process counted %llu of %d calls",
		 (unsigned long long)count, SELFTEST_CALLS);
	snprintf(why, len, "%s", cached_why);
	return cached;
}

int clcc_hw_breakpoints(char *why, size_t len)
{
	char buf[256];
	int err = hwbp_selftest(buf, sizeof(buf));

	if (why && len)
		snprintf(why, len, "%s", buf);
	return err;
}

/* Is [addr, addr+1) in an executable mapping of pid? */
static bool mapped_exec(int pid, uint64_t addr)
{
	char path[64], line[512];
	bool ok = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!ok && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s", &lo, &hi, perms) == 3 && addr >= lo &&
		    addr < hi && perms[2] == 'x')
			ok = true;
	}
	fclose(f);
	return ok;
}

/* When pid started, in seconds since the epoch (0: unknown). */
static int64_t proc_start(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ticks = 0, btime = 0;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After the comm's closing parenthesis: field 3 on; starttime is field 22. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (int field = 2; p && field < 21; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &ticks) != 1)
		return 0;
	f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "btime %llu", &btime) == 1)
			break;
	fclose(f);
	return btime && hz > 0 ? (int64_t)(btime + ticks / (unsigned long long)hz) : 0;
}

/* One event per thread of pid, per address; inherit covers the threads they create. */
static int attach_threads(struct clcc_impl *c, struct bpf_program *prog, const char *func,
			  int pid, const uint64_t *addrs, int naddrs, const char *what)
{
	int *done = NULL, ndone = 0, cap = 0, attached = 0;
	char dir[64];

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	for (int pass = 0; pass < TASK_PASSES; pass++) {
		struct dirent *de;
		int fresh = 0;
		DIR *d = opendir(dir);

		if (!d) {
			free(done);
			return clcc__err(c, -ESRCH, "cannot attach '%s': no process %d", func, pid);
		}
		while ((de = readdir(d))) {
			int tid = atoi(de->d_name), seen = 0;

			if (tid <= 0)
				continue;
			for (int i = 0; i < ndone && !seen; i++)
				seen = done[i] == tid;
			if (seen)
				continue;
			if (ndone == cap) {
				int *tmp = realloc(done, (cap = cap ? cap * 2 : 64) * sizeof(*tmp));

				if (!tmp) {
					closedir(d);
					free(done);
					return clcc__err(c, -ENOMEM, "out of memory");
				}
				done = tmp;
			}
			done[ndone++] = tid;
			fresh++;
			for (int a = 0; a < naddrs; a++) {
				struct perf_event_attr attr;
				struct bpf_link *link;
				char target[128];
				long fd;
				int err;

				bp_attr(&attr, addrs[a]);
				attr.sample_period = 1;
				attr.inherit = 1;
				attr.disabled = 1;	/* libbpf enables it once attached */
				fd = perf_open(&attr, tid, -1);
				if (fd < 0) {
					err = -errno;
					if (err == -ESRCH)
						break;	/* the thread has exited */
					closedir(d);
					free(done);
					return clcc__err(c, err,
						"cannot open a hardware breakpoint at 0x%llx (%s) in thread %d of %d: %s%s",
						(unsigned long long)addrs[a], what, tid, pid, strerror(-err),
						err == -ENOSPC ? " (its debug registers are all in use)" : "");
				}
				snprintf(target, sizeof(target), "breakpoint 0x%llx, thread %d",
					 (unsigned long long)addrs[a], tid);
				clcc__libbpf_begin(c);
				link = bpf_program__attach_perf_event(prog, (int)fd);
				err = link ? 0 : -errno;
				clcc__libbpf_end(c);
				if (!link)
					close((int)fd);
				err = clcc__attached(c, link, err, func, "hardware breakpoint", target);
				if (err) {
					closedir(d);
					free(done);
					return err;
				}
				attached++;
			}
		}
		closedir(d);
		if (!fresh)
			break;
	}
	free(done);
	if (!attached)
		return clcc__err(c, -ESRCH, "cannot attach '%s': process %d has no threads", func, pid);
	return 0;
}

int clcc_attach_breakpoint(struct clcc_struct *p, const char *func, int pid, unsigned long addr)
{
	struct clcc_impl *c = clcc__impl(p);
	struct bpf_program *prog;
	uint64_t a = addr;
	char why[256], what[64];
	int err;

	if (!c)
		return -EINVAL;
	prog = clcc__prog(c, func, "clcc_attach_breakpoint", &err);
	if (!prog)
		return err;
	if (pid <= 0)
		return clcc__err(c, -EINVAL, "clcc_attach_breakpoint: a breakpoint needs a process (pid %d)",
				 pid);
	if (!mapped_exec(pid, a))
		return clcc__err(c, -EFAULT, "cannot attach '%s': 0x%lx is not in executable memory of process %d",
				 func, addr, pid);
	err = hwbp_selftest(why, sizeof(why));
	if (err < 0)
		return clcc__err(c, err, "cannot attach '%s' to 0x%lx: %s", func, addr, why);
	if (!err)
		return clcc__err(c, -EOPNOTSUPP,
				 "cannot attach '%s' to 0x%lx: hardware breakpoints are not delivered on this machine (%s): "
				 "a breakpoint would be accepted and never fire", func, addr, why);
	snprintf(what, sizeof(what), "0x%lx", addr);
	return attach_threads(c, prog, func, pid, &a, 1, what);
}

int clcc_attach_java_sym(struct clcc_struct *p, const char *func, int pid, const char *method)
{
	struct clcc_impl *c = clcc__impl(p);
	struct surf_sym syms[MAX_ADDRS + 1];
	struct bpf_program *prog;
	struct surf_jmap *m = NULL;
	uint64_t addrs[MAX_ADDRS];
	char path[64], why[256], cls[512], meth[256], args[512], name[600];
	int64_t started;
	int err, n;

	if (!c)
		return -EINVAL;
	prog = clcc__prog(c, func, "clcc_attach_java_sym", &err);
	if (!prog)
		return err;
	if (pid <= 0 || !method)
		return clcc__err(c, -EINVAL, "clcc_attach_java_sym: no process or method");
	if (surf_jmap__parse_method(method, cls, sizeof(cls), meth, sizeof(meth), args,
				    sizeof(args)))
		return clcc__err(c, -EINVAL,
				 "'%s' names no Java method: write CLASS::METHOD, CLASS.METHOD or Lpkg/CLASS;::METHOD",
				 method);
	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (access(path, F_OK))
		return clcc__err(c, -ESRCH, "cannot attach '%s': no process %d", func, pid);
	surf_jmap__path(pid, path, sizeof(path));
	err = surf_jmap__open(&m, pid);
	if (err == -ENOENT)
		return clcc__err(c, err,
				 "no perf map %s: run `jcmd %d Compiler.perfmap` (JDK 17 or later) to write the JIT's method addresses",
				 path, pid);
	if (err)
		return clcc__err(c, err, "cannot read %s: %s", path, strerror(-err));
	/* A map from an earlier process with this pid names nothing of this one. */
	started = proc_start(pid);
	if (started && surf_jmap__mtime(m) + 1 < started) {
		surf_jmap__free(m);
		return clcc__err(c, -ESTALE,
				 "%s is older than process %d (left by an earlier process): run `jcmd %d Compiler.perfmap`",
				 path, pid, pid);
	}
	n = surf_jmap__lookup(m, method, syms, MAX_ADDRS + 1);
	if (n == 0) {
		err = clcc__err(c, -ENOENT,
				"cannot attach '%s': %s::%s%s is not in %s: the method is not JIT-compiled yet "
				"(interpreted methods have no address of their own; or it was compiled after the map "
				"was written: run `jcmd %d Compiler.perfmap` again); trace it through the JVM's USDT "
				"probes instead: surftrace -p %d 'J %s::%s'",
				func, cls, meth, args, path, pid, pid, cls, meth);
		surf_jmap__free(m);
		return err;
	}
	if (n > MAX_ADDRS) {
		err = clcc__err(c, -E2BIG,
				"cannot attach '%s': '%s' matches %d pieces of compiled code (%s, %s...), more than "
				"the %d hardware breakpoints a thread has: name the method more precisely",
				func, method, n, syms[0].name, syms[1].name, MAX_ADDRS);
		surf_jmap__free(m);
		return err;
	}
	for (int i = 0; i < n; i++) {
		addrs[i] = syms[i].addr;
		if (!mapped_exec(pid, addrs[i])) {
			err = clcc__err(c, -ESTALE,
					"%s is stale: %s at 0x%llx is no longer in the code cache of process %d: "
					"run `jcmd %d Compiler.perfmap` again",
					path, syms[i].name, (unsigned long long)addrs[i], pid, pid);
			surf_jmap__free(m);
			return err;
		}
	}
	snprintf(name, sizeof(name), "%s%s", syms[0].name, n > 1 ? " and its other copies" : "");
	surf_jmap__free(m);
	err = hwbp_selftest(why, sizeof(why));
	if (err < 0)
		return clcc__err(c, err, "cannot attach '%s' to %s: %s", func, name, why);
	if (!err)
		return clcc__err(c, -EOPNOTSUPP,
				 "cannot attach '%s' to %s: hardware breakpoints are not delivered on this machine (%s): "
				 "a breakpoint on the method would be accepted and never fire; trace it through the "
				 "JVM's USDT probes instead: surftrace -p %d 'J %s::%s'",
				 func, name, why, pid, cls, meth);
	return attach_threads(c, prog, func, pid, addrs, n, name);
}

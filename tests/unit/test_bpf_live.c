// SPDX-License-Identifier: MIT
/*
 * clcc on the running kernel: tests/fixtures/bpf/count.bpf.c is compiled
 * with surfcc's library (once, into a temporary directory), loaded, and
 * driven: getppid() N times must show up as N in the hash map, the global,
 * the histogram, the perf buffer and the ring buffer, with the right
 * fields.  Needs root, kernel BTF and clang; skips otherwise.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <clcc.h>
#include <surf/bpf.h>
#include <surf/tracefs.h>

#include "../fixtures/bpf/count.h"
#include "test.h"

#define N_CALLS 37

static char tmpdir[PATH_MAX];
static char built_err[8192];
static int built = -1;		/* -1: not tried, 0: ok, else the error */
static char diag[16384];

static void on_msg(void *ctx, enum surf_bpfcc_msg kind, const char *text)
{
	size_t n = strlen(diag);

	(void)ctx;
	(void)kind;
	snprintf(diag + n, sizeof(diag) - n, "%s\n", text);
}

static const char *fixture(const char *name, char *buf, size_t len)
{
	const char *root = getenv("SURF_ROOT");

	snprintf(buf, len, "%s/tests/fixtures/bpf/%s", root ? root : ".", name);
	return buf;
}

/* Build the fixture NAME.bpf.c into tmpdir/NAME.so (or .bpf.o). */
static int build(const char *name, bool obj, char *out, size_t outlen)
{
	char src[PATH_MAX], file[64];
	struct surf_bpfcc_opts o = { .sz = sizeof(o), .msg = on_msg };

	snprintf(file, sizeof(file), "%s.bpf.c", name);
	fixture(file, src, sizeof(src));
	snprintf(out, outlen, "%s/%s%s", tmpdir, name, obj ? ".bpf.o" : ".so");
	o.src = src;
	o.out = out;
	o.obj_only = obj;
	diag[0] = 0;
	return surf_bpfcc__build(&o, built_err, sizeof(built_err));
}

/* The count.so path, or NULL with the test skipped/failed reason in *why. */
static const char *count_so(const char **why)
{
	static char so[PATH_MAX + 32];

	*why = NULL;
	if (geteuid() != 0) {
		*why = "needs root";
		return NULL;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		*why = "no kernel BTF";
		return NULL;
	}
	setenv("CLCC_QUIET", "1", 0);	/* errors are checked with clcc_last_error() */
	if (built < 0) {
		if (test_tmpdir(tmpdir, sizeof(tmpdir), "surf-bpf-test")) {
			*why = "mkdtemp";
			return NULL;
		}
		built = build("count", false, so, sizeof(so));
		if (built)
			fprintf(stdout, "  build: %s\n%s", built_err, diag);
	}
	if (built == -ENOENT && strstr(built_err, "clang not found")) {
		*why = "no clang";
		return NULL;
	}
	return built ? NULL : so;
}

#define LOAD(p)                                                                \
	const char *why_;                                                      \
	const char *so_ = count_so(&why_);                                     \
	if (!so_) {                                                            \
		if (why_)                                                      \
			SKIP("%s", why_);                                      \
		CHECK(!"count.bpf.c builds");                                  \
	}                                                                      \
	struct clcc_struct *p = clcc_init(so_);                                \
	CHECK(p)

static int set_target(struct clcc_struct *p)
{
	unsigned int me = (unsigned int)getpid();

	return clcc_set_global(p, "target_tgid", &me, sizeof(me));
}

TEST(bpf_live_hash_map_counts_calls)
{
	LOAD(p);
	unsigned int me = (unsigned int)getpid(), key, next;
	unsigned long long v = 0, calls = 0;
	int id, n = 0;

	CHECK_INT(set_target(p), ==, 0);
	if (p->init(-1, 1)) {
		clcc_deinit(p);
		CHECK(!"init");
	}
	for (int i = 0; i < N_CALLS; i++)
		getppid();
	id = p->get_maps_id("counts");
	CHECK_INT(id, >=, 0);
	{
		struct clcc_map_info info;

		/* As the fixture declares it: a hash of u32 pid -> u64 count. */
		CHECK_INT(clcc_map_info(p, id, &info), ==, 0);
		CHECK_STR(info.name, "counts");
		CHECK_INT(info.type, ==, 1);	/* BPF_MAP_TYPE_HASH */
		CHECK_INT(info.key_size, ==, 4);
		CHECK_INT(info.value_size, ==, 8);
		CHECK(info.fd >= 0);
		CHECK_INT(clcc_map_info(p, 999, &info), <, 0);
	}
	CHECK_INT(p->map_lookup_elem(id, &me, &v), ==, 0);
	CHECK_INT(v, ==, N_CALLS);
	CHECK_INT(clcc_get_global(p, "calls", &calls, sizeof(calls)), ==, 0);
	CHECK_INT(calls, ==, N_CALLS);

	/* iteration finds exactly our key */
	for (int err = p->map_get_next_key(id, NULL, &next); !err;
	     err = p->map_get_next_key(id, &key, &next)) {
		key = next;
		n++;
		CHECK_INT(key, ==, me);
	}
	CHECK_INT(n, ==, 1);

	/* update, delete, a missing key, clear */
	v = 5;
	key = 1;
	CHECK_INT(p->map_update_elem(id, &key, &v), ==, 0);
	v = 0;
	CHECK_INT(p->map_lookup_and_delete_elem(id, &key, &v), ==, 0);
	CHECK_INT(v, ==, 5);
	CHECK_INT(p->map_lookup_elem(id, &key, &v), ==, -ENOENT);
	CHECK_INT(p->map_delete_elem(id, &key), ==, -ENOENT);
	CHECK_INT(clcc_map_clear(p, id), ==, 0);
	CHECK_INT(p->map_get_next_key(id, NULL, &next), ==, -ENOENT);

	p->exit();
	clcc_deinit(p);
}

static int nrec, bad_rec;
static unsigned long long next_seq;

static void on_event(void *ctx, int cpu, void *data, unsigned int size)
{
	const struct count_event *e = data;
	char comm[16] = "";

	/* clcc hands perf records over 8-byte aligned */
	if ((uintptr_t)data & 7)
		bad_rec++;
	(void)ctx;
	(void)cpu;
	prctl(PR_GET_NAME, comm);
	if (size < sizeof(*e) || e->pid != (unsigned int)getpid() ||
	    e->core_tgid != (unsigned int)getpid() || e->seq != next_seq ||
	    strncmp(e->comm, comm, sizeof(comm)))
		bad_rec++;
	next_seq++;
	nrec++;
}

static void events_test(const char *map, bool ring)
{
	LOAD(p);
	int id;

	nrec = bad_rec = 0;
	next_seq = 0;
	CHECK_INT(set_target(p), ==, 0);
	if (p->init(-1, 1)) {
		clcc_deinit(p);
		CHECK(!"init");
	}
	id = p->get_maps_id((char *)map);
	CHECK_INT(id, >=, 0);
	if (!ring)
		clcc_set_perf_pages(p, 8);	/* smaller buffers: every record still comes */
	CHECK_INT(p->set_event_cb(id, on_event, NULL), ==, 0);
	for (int i = 0; i < N_CALLS; i++)
		getppid();
	/* one CPU at a time may be polled: a few rounds */
	for (int i = 0; i < 50 && nrec < N_CALLS; i++)
		CHECK_INT(p->event_loop(id, 0), ==, 0);
	CHECK_INT(nrec, ==, N_CALLS);
	CHECK_INT(bad_rec, ==, 0);
	/* a second time through clcc_poll, with a timeout that expires */
	CHECK_INT(clcc_poll(p, 10), ==, 0);
	CHECK_INT(p->event_loop(id, 1), ==, 0);
	(void)ring;
	p->exit();
	clcc_deinit(p);
}

TEST(bpf_live_perf_output_records)
{
	events_test("e_out", false);
}

TEST(bpf_live_ring_buffer_records)
{
	events_test("rb", true);
}

/*
 * Records written before the first clcc_poll() all arrive on that poll.
 * They are written from one CPU: a perf buffer signals readiness once per
 * wakeup, and when clcc built its epoll set on the first poll, adding the
 * buffer to it used up that wakeup, so the poll saw nothing (and the records
 * waited for the next one on the same CPU).
 */
static void first_poll_test(const char *map)
{
	LOAD(p);
	cpu_set_t old, one;
	int id, got = 0;

	nrec = bad_rec = 0;
	next_seq = 0;
	CHECK_INT(set_target(p), ==, 0);
	if (p->init(-1, 1)) {
		clcc_deinit(p);
		CHECK(!"init");
	}
	id = p->get_maps_id((char *)map);
	CHECK_INT(id, >=, 0);
	CHECK_INT(p->set_event_cb(id, on_event, NULL), ==, 0);
	CHECK_INT(sched_getaffinity(0, sizeof(old), &old), ==, 0);
	CPU_ZERO(&one);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &old)) {
			CPU_SET(cpu, &one);
			break;
		}
	}
	CHECK_INT(sched_setaffinity(0, sizeof(one), &one), ==, 0);
	for (int i = 0; i < N_CALLS; i++)
		getppid();
	sched_setaffinity(0, sizeof(old), &old);
	got = clcc_poll(p, 200);
	p->exit();
	clcc_deinit(p);
	CHECK_INT(got, ==, N_CALLS);
	CHECK_INT(nrec, ==, N_CALLS);
	CHECK_INT(bad_rec, ==, 0);
}

TEST(bpf_live_perf_output_first_poll)
{
	first_poll_test("e_out");
}

TEST(bpf_live_ring_buffer_first_poll)
{
	first_poll_test("rb");
}

TEST(bpf_live_histograms)
{
	LOAD(p);
	unsigned long long vals[64], sum = 0;
	int id, n;

	CHECK_INT(set_target(p), ==, 0);
	if (p->init(-1, 1)) {
		clcc_deinit(p);
		CHECK(!"init");
	}
	for (int i = 0; i < N_CALLS; i++)
		getppid();
	id = p->get_maps_id("dist");
	n = clcc_hist_read(p, id, vals, 64);
	CHECK_INT(n, ==, 64);
	/* seq 0..36: 0,1 -> slot 0; 2,3 -> 1; 4-7 -> 2; 8-15 -> 3; 16-31 -> 4; 32-36 -> 5 */
	CHECK_INT(vals[0], ==, 2);
	CHECK_INT(vals[1], ==, 2);
	CHECK_INT(vals[2], ==, 4);
	CHECK_INT(vals[3], ==, 8);
	CHECK_INT(vals[4], ==, 16);
	CHECK_INT(vals[5], ==, 5);
	for (int i = 0; i < 64; i++)
		sum += vals[i];
	CHECK_INT(sum, ==, N_CALLS);
	/* linear, step 10, 8 slots */
	id = p->get_maps_id("lin");
	CHECK_INT(clcc_hist_read(p, id, vals, 64), ==, 8);
	CHECK_INT(vals[0], ==, 10);
	CHECK_INT(vals[3], ==, 7);
	CHECK_INT(clcc_map_clear(p, id), ==, 0);
	CHECK_INT(clcc_hist_read(p, id, vals, 64), ==, 8);
	CHECK_INT(vals[0], ==, 0);
	p->exit();
	clcc_deinit(p);
}

static int stack_id = -1;

static void on_stack_event(void *ctx, int cpu, void *data, unsigned int size)
{
	const struct count_event *e = data;

	(void)ctx;
	(void)cpu;
	(void)size;
	stack_id = e->stack_id;
}

TEST(bpf_live_kernel_stack_and_ksym)
{
	LOAD(p);
	struct clcc_call_stack st = { .pid = 0 };
	char name[256];
	bool syscall = false;
	unsigned long addr = 0;
	struct clcc_ksym *k;
	FILE *f;
	char line[512];
	int id;

	CHECK_INT(set_target(p), ==, 0);
	if (p->init(-1, 1)) {
		clcc_deinit(p);
		CHECK(!"init");
	}
	id = p->get_maps_id("rb");
	CHECK_INT(p->set_event_cb(id, on_stack_event, NULL), ==, 0);
	getppid();
	CHECK_INT(p->event_loop(id, 0), ==, 0);
	CHECK_INT(stack_id, >=, 0);
	CHECK_INT(clcc_get_call_stack(p->get_maps_id("stacks"), stack_id, &st, p), ==, 0);
	CHECK_INT(st.depth, >, 0);
	for (int i = 0; i < st.depth; i++) {
		CHECK_INT(clcc_symbolize(p, 0, st.stack[i], name, sizeof(name)), ==, 0);
		if (strstr(name, "syscall"))
			syscall = true;
	}
	CHECK(syscall);

	/* ksym_search on a real kernel function */
	f = fopen("/proc/kallsyms", "r");
	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %*c %255s", &addr, name) == 2 && !strcmp(name, "schedule"))
			break;
		else
			addr = 0;
	fclose(f);
	CHECK(addr != 0);
	k = p->ksym_search(addr + 1);
	CHECK(k);
	CHECK_STR(k->name, "schedule");
	CHECK_INT(k->addr, ==, (long)addr);
	CHECK_INT(clcc_symbolize(p, 0, addr + 2, name, sizeof(name)), ==, 0);
	CHECK_STR(name, "schedule+0x2");
	p->exit();
	clcc_deinit(p);
}

TEST(bpf_live_full_kernel_btf)
{
	/* CO-RE against the kernel's own BTF instead of the .so's minimal BTF */
	setenv("CLCC_NO_MIN_BTF", "1", 1);
	events_test("rb", true);
	unsetenv("CLCC_NO_MIN_BTF");
}

TEST(bpf_live_errors)
{
	LOAD(p);
	int err;

	/* before init: no fds */
	CHECK_INT(p->map_lookup_elem(0, &err, &err), ==, -EBADF);
	CHECK_INT(p->attach_tracepoint("on_getppid", "syscalls", "sys_enter_getppid"), ==, -EBADF);
	CHECK_INT(p->init(-1, 0), ==, 0);
	CHECK_INT(p->init(-1, 0), ==, -EALREADY);

	CHECK_INT(p->get_maps_id("no_such_map"), ==, -1);
	CHECK_CONTAINS(clcc_last_error(p), "no map named 'no_such_map'");
	CHECK_INT(p->map_lookup_elem(99, &err, &err), ==, -EINVAL);
	CHECK_INT(p->set_event_cb(p->get_maps_id("counts"), on_event, NULL), ==, -EINVAL);
	CHECK_CONTAINS(clcc_last_error(p), "not a perf output");
	CHECK_INT(p->event_loop(p->get_maps_id("e_out"), 0), ==, -EINVAL);

	CHECK_INT(p->attach_tracepoint("no_such_prog", "syscalls", "sys_enter_getppid"), ==, -ENOENT);
	CHECK_CONTAINS(clcc_last_error(p), "no BPF program 'no_such_prog'");
	CHECK(p->attach_tracepoint("on_getppid", "no_such_group", "no_such_event") < 0);
	CHECK_CONTAINS(clcc_last_error(p), "no tracepoint 'no_such_group:no_such_event'");
	CHECK(p->attach_raw_tracepoint("on_getppid", "no_such_raw_tp") < 0);
	CHECK_CONTAINS(clcc_last_error(p), "no_such_raw_tp");
	err = p->attach_kprobe("on_kprobe", "no_such_function_xyz");
	CHECK(err < 0);
	CHECK_CONTAINS(clcc_last_error(p), "'no_such_function_xyz'");
	if (access("/sys/bus/event_source/devices/kprobe/type", F_OK) &&
	    access("/sys/kernel/tracing/kprobe_events", F_OK)) {
		CHECK_INT(err, ==, -EOPNOTSUPP);
		CHECK_CONTAINS(clcc_last_error(p), surf_kernel__missing(SURF_FEATURE_KPROBES));
	} else {
		CHECK_CONTAINS(clcc_last_error(p), "no such kernel function");
	}
	CHECK(p->attach_uprobe("on_getppid", -1, "/no/such/binary", 0) < 0);
	CHECK_CONTAINS(clcc_last_error(p), "/no/such/binary");
	CHECK_INT(clcc_set_global(p, "target_tgid", &err, sizeof(err)), ==, -EPERM);
	CHECK_INT(clcc_set_global(p, "no_such_global", &err, sizeof(err)), ==, -ENOENT);
	CHECK_INT(clcc_set_global(p, "calls", &err, sizeof(err)), ==, -EINVAL);
	p->exit();
	clcc_deinit(p);

	CHECK(clcc_init("/no/such/file.so") == NULL);
	CHECK(clcc_init("/proc/self/exe") == NULL);
}

TEST(bpf_live_verifier_rejection)
{
	char so[PATH_MAX + 32];
	const char *why;
	struct clcc_struct *p;

	if (!count_so(&why)) {
		if (why)
			SKIP("%s", why);
		CHECK(!"count.bpf.c builds");
	}
	CHECK_INT(build("reject", false, so, sizeof(so)), ==, 0);
	p = clcc_init(so);
	CHECK(p);
	CHECK_INT(p->init(-1, 1), ==, -EACCES);
	CHECK_CONTAINS(clcc_last_error(p), "the verifier rejected program 'reject_me'");
	CHECK_CONTAINS(clcc_last_error(p), "invalid mem access");
	clcc_deinit(p);
}

TEST(bpf_build_errors)
{
	char out[PATH_MAX + 32];
	const char *why;

	if (!count_so(&why)) {
		if (why)
			SKIP("%s", why);
		CHECK(!"count.bpf.c builds");
	}
	CHECK_INT(build("broken", false, out, sizeof(out)), ==, -EINVAL);
	CHECK_CONTAINS(built_err, "compilation failed");
	CHECK_CONTAINS(diag, "broken.bpf.c:8:");
	CHECK_CONTAINS(diag, "undefined_thing");
	CHECK(access(out, F_OK) != 0);
	CHECK(build("legacy", false, out, sizeof(out)) < 0);
	CHECK_CONTAINS(built_err, "legacy map definitions");
	CHECK_INT(build("count", true, out, sizeof(out)), ==, 0);
	CHECK_INT(access(out, R_OK), ==, 0);
}

// SPDX-License-Identifier: MIT
/*
 * Aggregation programs (src/lib/gen/agg.c) on the running kernel, with
 * exact expected numbers from a controlled workload:
 * - count by comm: two threads named surf-agg-a and surf-agg-b call getppid
 *   100 and 250 times;
 * - hist, lhist and stats of write's count by thread: this thread writes
 *   to a bad fd with known sizes; the buckets are those the sizes fall in.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <surf/tracefs.h>

#include "gen/agg.h"
#include "gen/gen.h"
#include "sys/fault.h"
#include "test.h"

/* The id and a field's offset, size and sign from GROUP/EVENT's format file. */
static int tp_format(const char *event, const char *field, int *off, int *size, int *sgn)
{
	char tfs[4096], path[4300], line[512];
	int id = -1;
	FILE *f;

	if (surf_tracefs__find(tfs, sizeof(tfs), true))
		return -1;
	snprintf(path, sizeof(path), "%s/events/%s/format", tfs, event);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *semi = strchr(line, ';'), *name;
		int o, s, g;

		if (sscanf(line, "ID: %d", &o) == 1)
			id = o;
		if (!field || !semi || !strstr(line, "field:"))
			continue;
		*semi = '\0';
		name = strrchr(line, ' ');
		if (name && !strcmp(name + 1, field) &&
		    sscanf(semi + 1, " offset:%d; size:%d; signed:%d;", &o, &s, &g) == 3) {
			*off = o;
			*size = s;
			*sgn = g;
		}
	}
	fclose(f);
	return id;
}

/* Load d's program into a new map; attach it to tracepoint id (all CPUs). */
static int run_agg(struct gen_agg_desc *d, int id, int *map, int *prog, int *pfd)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lo);
	struct perf_event_attr attr = { .size = sizeof(attr), .type = PERF_TYPE_TRACEPOINT,
					.config = (__u64)id, .sample_period = 1 };
	struct gen g;
	int ret;

	*map = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "surf_agg", (__u32)gen_agg_key_size(d),
			      (__u32)gen_agg_value_size(d), 1024, NULL);
	if (*map < 0)
		return -errno;
	d->map_fd = *map;
	d->drops_fd = d->start_fd = d->stack_fd = d->pids_fd = GEN_MAP_NONE;
	gen_init(&g);
	ret = gen_agg_program(&g, d, NULL, 0);
	*prog = ret ? -1 : bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "surf_agg", "GPL", g.insns,
					 (size_t)g.n, &lo);
	gen_free(&g);
	if (ret || *prog < 0)
		return ret ? ret : -errno;
	*pfd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (*pfd < 0 || ioctl(*pfd, PERF_EVENT_IOC_SET_BPF, *prog) ||
	    ioctl(*pfd, PERF_EVENT_IOC_ENABLE, 0))
		return -errno;
	return 0;
}

static void close_agg(int map, int prog, int pfd)
{
	if (pfd >= 0)
		close(pfd);
	if (prog >= 0)
		close(prog);
	if (map >= 0)
		close(map);
}

static void *caller(void *arg)
{
	const char *name = arg;
	int n = name[strlen(name) - 1] == 'a' ? 100 : 250;

	pthread_setname_np(pthread_self(), name);
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
	return NULL;
}

struct by_comm {
	long a, b;
};

static int on_comm(void *ctx, const void *key, const uint64_t *v)
{
	struct by_comm *c = ctx;

	if (!strcmp(key, "surf-agg-a"))
		c->a += (long)v[0];
	else if (!strcmp(key, "surf-agg-b"))
		c->b += (long)v[0];
	return 0;
}

TEST(test_gen_agg_count_by_comm)
{
	struct gen_agg_desc d = { .kind = SURF_AGG_COUNT, .nkeys = 1, .tracepoint = true,
				  .arch = "x86_64" };
	struct by_comm got = { 0, 0 };
	int id, map = -1, prog = -1, pfd = -1, ret;
	pthread_t ta, tb;

	if (geteuid() != 0)
		SKIP("BPF needs root");
	id = tp_format("syscalls/sys_enter_getppid", NULL, NULL, NULL, NULL);
	if (id < 0)
		SKIP("no syscalls:sys_enter_getppid");
	d.keys[0].src = SURF_AGG_COMM;
	ret = run_agg(&d, id, &map, &prog, &pfd);
	if (!ret) {
		pthread_create(&ta, NULL, caller, "surf-agg-a");
		pthread_join(ta, NULL);
		pthread_create(&tb, NULL, caller, "surf-agg-b");
		pthread_join(tb, NULL);
		ret = gen_agg_read(&d, map, on_comm, &got);
	}
	close_agg(map, prog, pfd);
	CHECK_INT(ret, ==, 0);
	CHECK_INT(got.a, ==, 100);
	CHECK_INT(got.b, ==, 250);
}

struct by_tid {
	uint64_t tid;
	bool hist;		/* keys are tid and bucket */
	uint64_t buckets[1100];
	uint64_t stats[4];
	int entries;
};

static int on_tid(void *ctx, const void *key, const uint64_t *v)
{
	struct by_tid *t = ctx;
	const uint64_t *k = key;

	if (k[0] != t->tid)
		return 0;
	t->entries++;
	if (t->hist && k[1] < 1100)
		t->buckets[k[1]] += v[0];
	memcpy(t->stats, v, sizeof(t->stats));
	return 0;
}

static const uint64_t sizes[] = { 0, 1, 2, 3, 4, 7, 8, 1000, 1023, 1024, 5000, 99, 150, 250 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* The program of d on sys_enter_write's count, by thread; this thread writes sizes[]. */
static int write_sizes(struct gen_agg_desc *d, struct by_tid *t)
{
	int off = -1, size = 0, sgn = 0, id, map = -1, prog = -1, pfd = -1, ret;

	id = tp_format("syscalls/sys_enter_write", "count", &off, &size, &sgn);
	if (id < 0 || off < 0)
		return -ENOENT;
	d->tracepoint = true;
	d->arch = "x86_64";
	d->value = (struct gen_agg_src){ .src = SURF_AGG_FIELD, .offset = off, .size = size,
					 .is_signed = sgn };
	d->keys[0].src = SURF_AGG_TID;
	d->nkeys = 1;
	memset(t, 0, sizeof(*t));
	t->tid = (uint64_t)syscall(SYS_gettid);
	t->hist = d->kind == SURF_AGG_HIST || d->kind == SURF_AGG_LHIST;
	ret = run_agg(d, id, &map, &prog, &pfd);
	if (!ret) {
		for (size_t i = 0; i < NSIZES; i++)
			syscall(SYS_write, 1000077, NULL, sizes[i]);
		ret = gen_agg_read(d, map, on_tid, t);
	}
	close_agg(map, prog, pfd);
	return ret;
}

TEST(test_gen_agg_hist_lhist_stats_of_sizes)
{
	struct gen_agg_desc d = { .kind = SURF_AGG_HIST };
	static struct by_tid t;
	uint64_t want[1100];
	int ret;

	if (geteuid() != 0)
		SKIP("BPF needs root");
	ret = write_sizes(&d, &t);
	if (ret == -ENOENT)
		SKIP("no syscalls:sys_enter_write");
	CHECK_INT(ret, ==, 0);
	memset(want, 0, sizeof(want));
	for (size_t i = 0; i < NSIZES; i++)
		want[gen_agg_log2_bucket(sizes[i])]++;
	for (int b = 0; b < 65; b++)
		if (t.buckets[b] != want[b])
			test_fail(__FILE__, __LINE__, "hist bucket %d: %llu, want %llu", b,
				  (unsigned long long)t.buckets[b], (unsigned long long)want[b]);

	/* lhist(count, 0, 1000, 100): under none, 10 buckets, 1000 and above in the last. */
	d = (struct gen_agg_desc){ .kind = SURF_AGG_LHIST, .lmin = 0, .lmax = 1000, .lstep = 100 };
	CHECK_INT(write_sizes(&d, &t), ==, 0);
	memset(want, 0, sizeof(want));
	for (size_t i = 0; i < NSIZES; i++)
		want[sizes[i] >= 1000 ? 11 : sizes[i] / 100 + 1]++;
	for (int b = 0; b < 12; b++)
		if (t.buckets[b] != want[b])
			test_fail(__FILE__, __LINE__, "lhist bucket %d: %llu, want %llu", b,
				  (unsigned long long)t.buckets[b], (unsigned long long)want[b]);

	/* stats(count): count, sum, min, max. */
	d = (struct gen_agg_desc){ .kind = SURF_AGG_STATS };
	CHECK_INT(write_sizes(&d, &t), ==, 0);
	{
		uint64_t sum = 0, max = 0;

		for (size_t i = 0; i < NSIZES; i++) {
			sum += sizes[i];
			max = sizes[i] > max ? sizes[i] : max;
		}
		CHECK_INT(t.entries, ==, 1);
		CHECK_INT(t.stats[0], ==, NSIZES);
		CHECK_INT(t.stats[1], ==, sum);
		CHECK_INT(t.stats[2], ==, 0);
		CHECK_INT(t.stats[3], ==, max);
	}
}

/* --- from expression text to exact numbers --------------------------------- */

#include <surf/expr.h>

#include "gen/desc.h"

static char tfs_dir[4096];

/* The format file of GROUP/EVENT, malloc'ed (libtraceevent writes into it); NULL. */
static char *read_format(const char *location, size_t *len)
{
	char path[4300], *format;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/%s/format", tfs_dir, location);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	format = calloc(1, 65536);
	*len = format ? fread(format, 1, 65535, f) : 0;
	fclose(f);
	return format;
}

static int real_fields(void *ctx, const char *group, const char *event,
		       struct surf_event_field *fields, int max)
{
	(void)ctx;
	return surf_tracefs__event_fields(tfs_dir, group, event, fields, max);
}

/*
 * 'e syscalls/sys_enter_write sz=count a:hist(sz, tid)' compiled, described
 * from the kernel's format file, generated, loaded and attached: the
 * buckets of this thread's writes are those of the sizes written.
 */
TEST(test_gen_agg_from_expression_text)
{
	struct surf_expr_env env = { .event_fields = real_fields };
	struct surf_expr_opts o = { .sz = sizeof(o), .env = &env };
	struct surf_probe_def *def = NULL;
	struct surf_expr_error err;
	struct gen_agg_desc d;
	char errbuf[256] = "", *format;
	static struct by_tid t;
	uint64_t want[1100] = { 0 };
	size_t len = 0;
	int id, map = -1, prog = -1, pfd = -1, ret;

	if (geteuid() != 0)
		SKIP("BPF needs root");
	if (surf_tracefs__find(tfs_dir, sizeof(tfs_dir), true))
		SKIP("no tracefs");
	ret = surf_expr__compile(NULL, "e syscalls/sys_enter_write sz=count a:hist(sz, tid)", &o,
				 &def, &err);
	if (ret)
		test_fail(__FILE__, __LINE__, "compile: %s", err.msg);
	CHECK_INT(ret, ==, 0);
	format = read_format(def->location, &len);
	CHECK(format);
	id = tp_format("syscalls/sys_enter_write", NULL, NULL, NULL, NULL);
	ret = gen_agg_describe(def, format, len, "x86_64", &d, errbuf, sizeof(errbuf));
	free(format);
	if (ret)
		test_fail(__FILE__, __LINE__, "describe: %s", errbuf);
	CHECK_INT(ret, ==, 0);
	CHECK_INT(d.nkeys, ==, 1);
	CHECK_INT(d.value.src, ==, SURF_AGG_FIELD);
	memset(&t, 0, sizeof(t));
	t.tid = (uint64_t)syscall(SYS_gettid);
	t.hist = true;
	ret = run_agg(&d, id, &map, &prog, &pfd);
	if (!ret) {
		for (size_t i = 0; i < NSIZES; i++)
			syscall(SYS_write, 1000077, NULL, sizes[i]);
		ret = gen_agg_read(&d, map, on_tid, &t);
	}
	close_agg(map, prog, pfd);
	surf_probe_def__free(def);
	CHECK_INT(ret, ==, 0);
	for (size_t i = 0; i < NSIZES; i++)
		want[gen_agg_log2_bucket(sizes[i])]++;
	for (int b = 0; b < 65; b++)
		if (t.buckets[b] != want[b])
			test_fail(__FILE__, __LINE__, "bucket %d: %llu, want %llu", b,
				  (unsigned long long)t.buckets[b], (unsigned long long)want[b]);
}

/*
 * Keys as the format file places them: a char array in the record, a
 * __data_loc string, a stack; an array of numbers refused with a sentence.
 */
TEST(test_gen_agg_string_and_stack_keys)
{
	struct surf_expr_env env = { .event_fields = real_fields };
	struct surf_expr_opts o = { .sz = sizeof(o), .env = &env };
	static const struct {
		const char *line;
		int ret;
		enum surf_agg_src src;
		enum gen_str str;
		int key_size;
		const char *why;
	} cases[] = {
		{ "e sched/sched_switch a:count(prev_comm)", 0, SURF_AGG_FIELD, GEN_STR_ARRAY, 16, "" },
		{ "e sched/sched_process_exec a:count(filename)", 0, SURF_AGG_FIELD, GEN_STR_DATA_LOC,
		  GEN_AGG_STR_KEY, "" },
		{ "e sched/sched_switch a:count(kstack)", 0, SURF_AGG_KSTACK, GEN_STR_NONE, 8, "" },
		{ "e raw_syscalls/sys_enter a:count(args)", -EINVAL, 0, 0, 0,
		  "'args' is an array of numbers" },
	};

	if (surf_tracefs__find(tfs_dir, sizeof(tfs_dir), true))
		SKIP("no tracefs");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct surf_probe_def *def = NULL;
		struct surf_expr_error err;
		struct gen_agg_desc d;
		char errbuf[256] = "", *format;
		size_t len = 0;

		CHECK_INT(surf_expr__compile(NULL, cases[i].line, &o, &def, &err), ==, 0);
		format = read_format(def->location, &len);
		CHECK_INT(gen_agg_describe(def, format, len, "x86_64", &d, errbuf, sizeof(errbuf)),
			  ==, cases[i].ret);
		free(format);
		surf_probe_def__free(def);
		CHECK_CONTAINS(errbuf, cases[i].why);
		if (cases[i].ret)
			continue;
		CHECK_INT(d.keys[0].src, ==, cases[i].src);
		CHECK_INT(d.keys[0].str, ==, cases[i].str);
		CHECK_INT(gen_agg_src_size(&d.keys[0]), ==, cases[i].key_size);
	}
}

/* --- surf/agg.h ----------------------------------------------------------------- */

#include <surf/agg.h>

static void *five_calls(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++)
		syscall(SYS_getppid);
	return NULL;
}

/*
 * A map too small for its keys: the events it had no room for are counted
 * (surf_aggregator__counts), never lost in silence.  Other processes' calls
 * may take entries too: at least our 50 calls are accounted for.
 */
TEST(test_aggregator_full_map_counted)
{
	struct surf_expr_env env = { .event_fields = real_fields };
	struct surf_expr_opts o = { .sz = sizeof(o), .env = &env };
	struct surf_aggregator_opts ao = { .sz = sizeof(ao), .tracefs = tfs_dir, .max_entries = 2 };
	struct surf_aggregator *agg = NULL;
	struct surf_probe_def *def = NULL;
	struct surf_expr_error err;
	unsigned long long events = 0, dropped = 0;
	char why[256] = "";
	pthread_t t[5];
	int ret;

	if (geteuid() != 0)
		SKIP("BPF needs root");
	if (surf_tracefs__find(tfs_dir, sizeof(tfs_dir), true))
		SKIP("no tracefs");
	CHECK_INT(surf_expr__compile(NULL, "e syscalls/sys_enter_getppid a:count(tid)", &o, &def,
				     &err), ==, 0);
	ret = surf_aggregator__new(&agg, def, &ao, why, sizeof(why));
	if (ret)
		test_fail(__FILE__, __LINE__, "%s", why);
	if (!ret)
		ret = surf_aggregator__attach(agg);
	if (!ret) {
		for (int i = 0; i < 5; i++)
			pthread_create(&t[i], NULL, five_calls, NULL);
		for (int i = 0; i < 5; i++)
			pthread_join(t[i], NULL);
		ret = surf_aggregator__counts(agg, &events, &dropped);
	}
	surf_aggregator__free(agg);
	surf_probe_def__free(def);
	CHECK_INT(ret, ==, 0);
	CHECK_INT(dropped, >=, 30);
	CHECK_INT(events + dropped, >=, 50);
}

/*
 * A program the verifier refuses: its reason and instruction in the
 * message, and the part of the line it computes blamed (here the second
 * key, made unsafe by a fault site); nothing loaded.
 */
TEST(test_aggregator_verifier_refusal_blames_its_part)
{
	static const char line[] = "e syscalls/sys_enter_getppid a:count(cpu, comm)";
	struct surf_expr_env env = { .event_fields = real_fields };
	struct surf_expr_opts o = { .sz = sizeof(o), .env = &env };
	struct surf_expr_error blame = { .len = 0 };
	struct surf_aggregator_opts ao = { .sz = sizeof(ao), .tracefs = tfs_dir, .error = &blame };
	struct surf_aggregator *agg = NULL;
	struct surf_probe_def *def = NULL;
	struct surf_expr_error err;
	char why[512] = "";
	int ret;

	if (geteuid() != 0)
		SKIP("BPF needs root");
	if (surf_tracefs__find(tfs_dir, sizeof(tfs_dir), true))
		SKIP("no tracefs");
	CHECK_INT(surf_expr__compile(NULL, line, &o, &def, &err), ==, 0);
	surf_fault_countdown[SURF_FAULT_GEN_BAD_KEY] = 2;
	ret = surf_aggregator__new(&agg, def, &ao, why, sizeof(why));
	surf_fault_countdown[SURF_FAULT_GEN_BAD_KEY] = 0;
	surf_aggregator__free(agg);
	surf_probe_def__free(def);
	CHECK(ret < 0);
	CHECK(!agg);
	CHECK_CONTAINS(why, "the verifier refused the program of f0: R0 invalid mem access");
	CHECK_CONTAINS(why, "(at ");
	CHECK_STR(blame.msg, why);
	CHECK_INT(blame.pos, ==, strstr(line, "comm") - line);
	CHECK_INT(blame.len, ==, 4);
}

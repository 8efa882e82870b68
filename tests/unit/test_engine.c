// SPDX-License-Identifier: MIT
/*
 * The engine's decoding, offline: records built in memory the way the kernel
 * lays them out in a ring, fed through surf_engine__feed.  Then the engine on
 * the running kernel (root): not tracing itself, bounded batches, the stop,
 * and exact loss counts.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <surf/engine.h>
#include <surf/out.h>

#include "test.h"

/* The format of sched:sched_process_exec on 6.x kernels. */
static const char exec_format[] =
	"name: sched_process_exec\n"
	"ID: 300\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n"
	"\tfield:char comm[16];\toffset:20;\tsize:16;\tsigned:0;\n"
	"\tfield:s8 prio;\toffset:36;\tsize:1;\tsigned:1;\n"
	"\n"
	"print fmt: \"filename=%s pid=%d old_pid=%d\", __get_str(filename), REC->pid, REC->old_pid\n";

#define SAMPLE_ID 77

struct seen {
	int n;
	int pid, tid, cpu;
	uint64_t time, period;
	char filename[64], comm[17];
	int64_t fpid, prio;
	const struct surf_event *ev;
};

static void on_exec(void *ctx, const struct surf_record *rec)
{
	struct seen *s = ctx;
	uint32_t len;
	const char *p;

	s->n++;
	s->pid = rec->pid;
	s->tid = rec->tid;
	s->cpu = rec->cpu;
	s->time = rec->time_ns;
	s->period = rec->period;
	p = surf_record__str(rec, surf_event__field(rec->event, "filename"), &len);
	snprintf(s->filename, sizeof(s->filename), "%.*s", p ? (int)len : 6, p ? p : "(null)");
	p = surf_record__str(rec, surf_event__field(rec->event, "comm"), &len);
	snprintf(s->comm, sizeof(s->comm), "%.*s", p ? (int)len : 6, p ? p : "(null)");
	s->fpid = (int64_t)surf_record__int(rec, surf_event__field(rec->event, "pid"));
	s->prio = (int64_t)surf_record__int(rec, surf_event__field(rec->event, "prio"));
}

/* A SAMPLE record: IDENTIFIER, TID, TIME, CPU, PERIOD, RAW. */
#define SAMPLE_HEAD 40		/* IDENTIFIER to PERIOD */
#define RAW_AT (8 + SAMPLE_HEAD + 4)	/* the tracepoint record, after header and size */

static size_t make_weighted_sample(uint8_t *buf, uint64_t id, int pid, uint64_t time, int cpu,
				   uint64_t period, const char *filename, int32_t fpid,
				   int8_t prio)
{
	uint8_t raw[128] = { 0 };
	uint32_t raw_size, loc;
	size_t fl = strlen(filename) + 1, n;
	struct perf_event_header h;
	uint32_t u32s[2] = { (uint32_t)pid, (uint32_t)pid };

	/* the record: common fields, then the fixed fields, then the string */
	raw[4] = (uint8_t)pid;
	loc = (uint32_t)(40 | (fl << 16));
	memcpy(raw + 8, &loc, 4);
	memcpy(raw + 12, &fpid, 4);
	memcpy(raw + 20, "bash", 5);
	memcpy(raw + 36, &prio, 1);
	memcpy(raw + 40, filename, fl);
	raw_size = (uint32_t)(40 + fl);
	/* RAW is padded so that the record stays 8-byte aligned */
	n = sizeof(h) + SAMPLE_HEAD + 4 + raw_size;
	n = (n + 7) & ~(size_t)7;
	raw_size = (uint32_t)(n - (sizeof(h) + SAMPLE_HEAD + 4));
	h.type = PERF_RECORD_SAMPLE;
	h.misc = 0;
	h.size = (uint16_t)n;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + 8, &id, 8);
	memcpy(buf + 16, u32s, 8);
	memcpy(buf + 24, &time, 8);
	memcpy(buf + 32, &cpu, 4);
	memset(buf + 36, 0, 4);
	memcpy(buf + 40, &period, 8);
	memcpy(buf + RAW_AT - 4, &raw_size, 4);
	memcpy(buf + RAW_AT, raw, raw_size);
	return n;
}

static size_t make_sample(uint8_t *buf, uint64_t id, int pid, uint64_t time, int cpu,
			  const char *filename, int32_t fpid, int8_t prio)
{
	return make_weighted_sample(buf, id, pid, time, cpu, 1, filename, fpid, prio);
}

static size_t make_lost(uint8_t *buf, uint64_t id, uint64_t lost)
{
	struct perf_event_header h = { PERF_RECORD_LOST, 0, 8 + 16 + 32 };

	memset(buf, 0, h.size);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + 8, &id, 8);
	memcpy(buf + 16, &lost, 8);
	return h.size;
}

static struct surf_engine *offline_engine(void)
{
	struct surf_engine_opts opts = { .sz = sizeof(opts), .offline = true };
	struct surf_engine *e = NULL;

	if (surf_engine__new(&e, &opts))
		return NULL;
	return e;
}

TEST(test_engine_decodes_fields_by_handle)
{
	struct surf_engine *e = offline_engine();
	struct surf_event *ev;
	struct seen s = { 0 };
	uint8_t buf[512];
	size_t n;

	CHECK(e);
	CHECK_INT(surf_engine__add_format(e, "sched", exec_format, SAMPLE_ID, on_exec, &s, &ev),
		  ==, 0);
	CHECK_STR(surf_event__name(ev), "sched_process_exec");
	CHECK_INT(surf_event__field(ev, "nosuch"), ==, -2);
	n = make_sample(buf, SAMPLE_ID, 4242, 123456789, 1, "/usr/bin/ls", 4242, -3);
	CHECK_INT(surf_engine__feed(e, buf, n), ==, 1);
	CHECK_INT(s.n, ==, 1);
	CHECK_INT(s.pid, ==, 4242);
	CHECK_INT(s.cpu, ==, 1);
	CHECK_INT(s.time, ==, 123456789);
	CHECK_STR(s.filename, "/usr/bin/ls");
	CHECK_STR(s.comm, "bash");
	CHECK_INT(s.fpid, ==, 4242);
	CHECK_INT(s.prio, ==, -3);
	surf_engine__free(e);
}

/*
 * A weighted tracepoint (sched_stat_runtime passes its runtime to perf) is
 * one sample carrying the count in PERIOD; the record after it still decodes.
 */
TEST(test_engine_weighted_sample_is_one_record)
{
	struct surf_engine *e = offline_engine();
	struct seen s = { 0 };
	uint8_t buf[1024];
	size_t n = 0;

	CHECK(e);
	CHECK_INT(surf_engine__add_format(e, "sched", exec_format, SAMPLE_ID, on_exec, &s, NULL),
		  ==, 0);
	n += make_weighted_sample(buf + n, SAMPLE_ID, 7, 100, 1, 2577421, "/w", 7, 0);
	n += make_sample(buf + n, SAMPLE_ID, 8, 200, 1, "/v", 8, 0);
	CHECK_INT(surf_engine__feed(e, buf, n), ==, 2);
	CHECK_INT(s.n, ==, 2);
	CHECK_STR(s.filename, "/v");
	CHECK_INT(s.period, ==, 1);
	n = make_weighted_sample(buf, SAMPLE_ID, 7, 100, 1, 2577421, "/w", 7, 0);
	CHECK_INT(surf_engine__feed(e, buf, n), ==, 1);
	CHECK_STR(s.filename, "/w");
	CHECK_INT(s.period, ==, 2577421);
	CHECK_INT(s.time, ==, 100);
	surf_engine__free(e);
}

TEST(test_engine_counts_lost_and_keeps_going)
{
	struct surf_engine *e = offline_engine();
	struct surf_engine_stats st;
	struct surf_event *ev;
	struct seen s = { 0 };
	uint8_t buf[2048];
	size_t n = 0;

	CHECK(e);
	CHECK_INT(surf_engine__add_format(e, "sched", exec_format, SAMPLE_ID, on_exec, &s, &ev),
		  ==, 0);
	n += make_sample(buf + n, SAMPLE_ID, 1, 10, 0, "/a", 1, 0);
	n += make_lost(buf + n, SAMPLE_ID, 5);
	/* A record type we do not know, and a sample of an unknown event: skipped. */
	{
		struct perf_event_header h = { 99, 0, 16 };

		memcpy(buf + n, &h, 8);
		memset(buf + n + 8, 0, 8);
		n += 16;
	}
	n += make_sample(buf + n, SAMPLE_ID + 1, 2, 20, 0, "/b", 2, 0);
	/* The kernel stopped sampling for a while: samples went missing, uncounted. */
	{
		struct perf_event_header h = { PERF_RECORD_THROTTLE, 0, 8 + 24 + 32 };

		memset(buf + n, 0, h.size);
		memcpy(buf + n, &h, 8);
		n += h.size;
	}
	n += make_sample(buf + n, SAMPLE_ID, 3, 30, 0, "/c", 3, 0);
	CHECK_INT(surf_engine__feed(e, buf, n), ==, 6);
	CHECK_INT(s.n, ==, 2);
	CHECK_STR(s.filename, "/c");
	surf_engine__stats(e, &st);
	CHECK_INT(st.lost, ==, 5);
	CHECK_INT(surf_event__lost(ev), ==, 5);
	CHECK_INT(st.records, ==, 2);
	CHECK_INT(st.throttled, ==, 1);
	surf_engine__free(e);
}

TEST(test_engine_rejects_bad_data_loc)
{
	struct surf_engine *e = offline_engine();
	struct surf_event *ev;
	struct seen s = { 0 };
	uint8_t buf[512];
	uint32_t bad = 400 | (10u << 16);
	size_t n;

	CHECK(e);
	CHECK_INT(surf_engine__add_format(e, "sched", exec_format, SAMPLE_ID, on_exec, &s, &ev),
		  ==, 0);
	n = make_sample(buf, SAMPLE_ID, 1, 1, 0, "/x", 1, 0);
	memcpy(buf + RAW_AT + 8, &bad, 4);	/* points past the record */
	CHECK_INT(surf_engine__feed(e, buf, n), ==, 1);
	CHECK_STR(s.filename, "(null)");
	/* A truncated record is refused as a whole. */
	CHECK_INT(surf_engine__feed(e, buf, n - 8), <, 0);
	surf_engine__free(e);
}

TEST(test_engine_field_info)
{
	struct surf_engine *e = offline_engine();
	const struct surf_field_info *fi;
	struct surf_event *ev;

	CHECK(e);
	CHECK_INT(surf_engine__add_format(e, "sched", exec_format, SAMPLE_ID, on_exec, NULL, &ev),
		  ==, 0);
	fi = surf_event__field_info(ev, surf_event__field(ev, "filename"));
	CHECK(fi && fi->kind == SURF_FIELD_STRING && fi->dynamic);
	fi = surf_event__field_info(ev, surf_event__field(ev, "comm"));
	CHECK(fi && fi->kind == SURF_FIELD_STRING && !fi->dynamic);
	fi = surf_event__field_info(ev, surf_event__field(ev, "common_pid"));
	CHECK(fi && fi->kind == SURF_FIELD_INT && fi->common && fi->is_signed && fi->size == 4);
	surf_engine__free(e);
}

struct slow {
	int n;
};

static void on_slow(void *ctx, const struct surf_record *rec)
{
	struct slow *s = ctx;
	struct timespec ts = { 0, 2000000 };

	(void)rec;
	__atomic_add_fetch(&s->n, 1, __ATOMIC_RELAXED);
	nanosleep(&ts, NULL);
}

TEST(test_engine_worker_pool_drops_and_counts)
{
	struct surf_engine_opts opts = { .sz = sizeof(opts), .offline = true, .workers = 1,
					 .queue_len = 4 };
	struct surf_engine_stats st;
	struct surf_engine *e = NULL;
	struct slow s = { 0 };
	uint8_t buf[64 * 128];
	size_t n = 0;

	CHECK_INT(surf_engine__new(&e, &opts), ==, 0);
	CHECK_INT(surf_engine__add_format(e, "sched", exec_format, SAMPLE_ID, on_slow, &s, NULL),
		  ==, 0);
	for (int i = 0; i < 64; i++)
		n += make_sample(buf + n, SAMPLE_ID, i, (uint64_t)i, 0, "/q", i, 0);
	CHECK_INT(surf_engine__feed(e, buf, n), ==, 64);
	surf_engine__stats(e, &st);
	surf_engine__free(e);	/* waits for the queued records */
	CHECK_INT(st.records, ==, 64);
	CHECK_INT(st.dropped, >, 0);
	CHECK_INT(s.n + (int)st.dropped, ==, 64);
}

/* A u8 array is bytes, not a string (an IPv4 address stops at its first 0 as a string). */
static const char sock_format[] =
	"name: inet_sock_set_state\n"
	"ID: 1500\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:__u8 saddr[4];\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:char name[8];\toffset:12;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"saddr=%pI4\", REC->saddr\n";

/* Which syscall arguments are strings the caller passes in. */
static const char execve_format[] =
	"name: sys_enter_execve\n"
	"ID: 700\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:const char * filename;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:const char *const * argv;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:char * buf;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"filename: 0x%08lx\", ((unsigned long)(REC->filename))\n";

TEST(test_engine_field_kinds_as_the_kernel_has_them)
{
	struct surf_engine *e = offline_engine();
	const struct surf_field_info *fi;
	struct surf_event *ev;

	CHECK(e);
	CHECK_INT(surf_engine__add_format(e, "sock", sock_format, 1, on_exec, NULL, &ev), ==, 0);
	fi = surf_event__field_info(ev, surf_event__field(ev, "saddr"));
	CHECK(fi && fi->kind == SURF_FIELD_ARRAY && fi->size == 1);
	fi = surf_event__field_info(ev, surf_event__field(ev, "name"));
	CHECK(fi && fi->kind == SURF_FIELD_STRING);
	CHECK_INT(surf_engine__add_format(e, "syscalls", execve_format, 2, on_exec, NULL, &ev),
		  ==, 0);
	fi = surf_event__field_info(ev, surf_event__field(ev, "filename"));
	CHECK(fi && fi->kind == SURF_FIELD_INT && fi->user_string);
	fi = surf_event__field_info(ev, surf_event__field(ev, "argv"));
	CHECK(fi && !fi->user_string);
	fi = surf_event__field_info(ev, surf_event__field(ev, "buf"));
	CHECK(fi && !fi->user_string);
	surf_engine__free(e);
}

/* A SAMPLE record around any tracepoint record. */
static size_t make_raw_sample(uint8_t *buf, uint64_t id, const void *raw, uint32_t raw_size)
{
	struct perf_event_header h = { PERF_RECORD_SAMPLE, 0, 0 };
	uint64_t zero = 0, period = 1;
	size_t n = (sizeof(h) + SAMPLE_HEAD + 4 + raw_size + 7) & ~(size_t)7;
	uint32_t padded = (uint32_t)(n - (sizeof(h) + SAMPLE_HEAD + 4));

	h.size = (uint16_t)n;
	memset(buf, 0, n);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + 8, &id, 8);
	memcpy(buf + 16, &zero, 8);
	memcpy(buf + 40, &period, 8);
	memcpy(buf + RAW_AT - 4, &padded, 4);
	memcpy(buf + RAW_AT, raw, raw_size);
	return n;
}

static const char timer_format[] =
	"name: timer_start\n"
	"ID: 400\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned int flags;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"cpu=%u flags=%s\", REC->flags & 0x0003FFFF, "
	"__print_flags(REC->flags & (0x00040000 | 0x00080000), \"|\", "
	"{ 0x00040000, \"M\" }, { 0x00080000, \"D\" })\n";

/*
 * The kernel's print format, rendered as the kernel does: libtraceevent 1.7
 * drops the parentheses of "flags & (A | B)" and would show flags D here.
 */
TEST(test_engine_print_format_constant_or)
{
	struct surf_engine *e = offline_engine();
	struct surf_out_opts oopts = { .sz = sizeof(oopts) };
	struct surf_out *o = NULL;
	uint8_t raw[12] = { 0 }, buf[256];
	uint32_t flags = 0x00000001;	/* cpu 1, neither M nor D */
	uint16_t type = 400;		/* the format's ID: libtraceevent finds the event by it */
	char *text = NULL;
	size_t len = 0, n;

	CHECK(e);
	oopts.out = open_memstream(&text, &len);
	oopts.engine = e;
	CHECK(oopts.out && !surf_out__new(&o, &oopts));
	CHECK_INT(surf_engine__add_format(e, "timer", timer_format, 3, surf_out__record, o, NULL),
		  ==, 0);
	memcpy(raw, &type, 2);
	memcpy(raw + 8, &flags, 4);
	n = make_raw_sample(buf, 3, raw, sizeof(raw));
	CHECK_INT(surf_engine__feed(e, buf, n), ==, 1);
	fclose(oopts.out);
	CHECK(text && strstr(text, "timer_start: cpu=1 flags=\n"));
	free(text);
	surf_out__free(o);
	surf_engine__free(e);
}

/* --- live: getppid() of a child we fork, counted by pid --------------------------------------- */

struct by_pid {
	int self, child;
	unsigned long long mine, childs, others;
};

static void on_getppid(void *ctx, const struct surf_record *rec)
{
	struct by_pid *b = ctx;

	if (rec->pid == b->self)
		b->mine++;
	else if (rec->pid == b->child)
		b->childs++;
	else
		b->others++;	/* another process on the machine */
}

/* A child that calls getppid() n times once a byte comes on the gate; its pid. */
static int gated_child(int gate[2], long n)
{
	int pid = fork();
	char c;

	if (pid == 0) {
		close(gate[1]);
		if (read(gate[0], &c, 1) == 1)
			for (long i = 0; i < n; i++)
				syscall(SYS_getppid);
		_exit(0);
	}
	close(gate[0]);
	return pid;
}

/*
 * exclude_self: the engine's own process makes no records (a tracer that
 * printed its own write would feed itself); another process does.  Batches
 * are bounded; after surf_engine__stop nothing new comes, and what was
 * written before is all there.
 */
TEST(test_engine_live_not_itself_bounded_batches_stop)
{
	const char *why = test_live_skip_reason();
	struct surf_engine_opts opts = { .sz = sizeof(opts) };
	struct by_pid b = { .self = getpid() };
	struct timespec t0, t1;
	struct surf_engine *e;
	int gate[2], n, first;

	if (why)
		SKIP("%s", why);
	for (int self = 0; self < 2; self++) {
		memset(&b, 0, sizeof(b));
		b.self = getpid();
		opts.exclude_self = !self;
		CHECK_INT(surf_engine__new(&e, &opts), ==, 0);
		CHECK_INT(surf_engine__add_raw(e, "e:syscalls/sys_enter_getppid", NULL, on_getppid,
					       &b, NULL), ==, 0);
		CHECK_INT(pipe(gate), ==, 0);
		b.child = gated_child(gate, 20000);
		CHECK(b.child > 0);
		CHECK_INT(surf_engine__start(e), ==, 0);
		for (int i = 0; i < 50; i++)
			syscall(SYS_getppid);
		CHECK_INT(write(gate[1], "g", 1), ==, 1);
		close(gate[1]);
		waitpid(b.child, NULL, 0);
		/* 20000 records wait in the rings (4 MiB a CPU): the first call hands out a batch. */
		first = surf_engine__poll(e, 0);
		CHECK_INT(first, <=, SURF_ENGINE_BATCH);
		CHECK_INT(first, >, 0);
		/*
		 * The next does not wait for a wakeup that the kernel already gave
		 * (it would not come again before the rings fill further).
		 */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		CHECK_INT(surf_engine__poll(e, 3000), ==, SURF_ENGINE_BATCH);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		CHECK_INT((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000, <, 1000);
		CHECK_INT(surf_engine__stop(e), ==, 0);
		syscall(SYS_getppid);	/* after the stop: not written */
		while ((n = surf_engine__poll(e, 0)) > 0)
			CHECK_INT(n, <=, SURF_ENGINE_BATCH);
		CHECK_INT(b.childs, ==, 20000);
		CHECK_INT(b.mine, ==, self ? 50 : 0);
		surf_engine__free(e);
	}
}

/*
 * The smallest ring, read only at the end: nearly everything is lost, and
 * the losses come last, when no later record can carry the kernel's
 * PERF_RECORD_LOST.  Delivered + lost is still what happened, exactly.
 */
TEST(test_engine_live_losses_exact_at_the_end)
{
	const char *why = test_live_skip_reason();
	struct surf_engine_opts opts = { .sz = sizeof(opts), .ring_pages = 1 };
	struct surf_engine_stats st;
	struct by_pid b = { .self = getpid() };
	struct surf_engine *e;
	struct surf_event *ev;
	char filter[64];
	int gate[2];

	if (why)
		SKIP("%s", why);
	CHECK_INT(pipe(gate), ==, 0);
	b.child = gated_child(gate, 30000);
	CHECK(b.child > 0);
	snprintf(filter, sizeof(filter), "common_pid==%d", b.child);
	CHECK_INT(surf_engine__new(&e, &opts), ==, 0);
	CHECK_INT(surf_engine__add_raw(e, "e:syscalls/sys_enter_getppid", filter, on_getppid, &b,
				       &ev), ==, 0);
	CHECK_INT(surf_engine__start(e), ==, 0);
	CHECK_INT(write(gate[1], "g", 1), ==, 1);
	close(gate[1]);
	waitpid(b.child, NULL, 0);
	CHECK_INT(surf_engine__drain(e), >, 0);
	surf_engine__stats(e, &st);
	CHECK_INT(b.others, ==, 0);
	CHECK_INT(st.records, ==, b.childs);
	CHECK(st.lost > 0);
	CHECK_INT(b.childs + st.lost, ==, 30000);
	CHECK_INT(surf_event__lost(ev), ==, st.lost);
	surf_engine__free(e);
}

/*
 * A reader that cannot print everything at the end: surf_engine__discard
 * empties the rings, counting what it did not deliver, so that delivered +
 * lost + unread is still what happened.
 */
TEST(test_engine_live_discard_counts_the_rest)
{
	const char *why = test_live_skip_reason();
	struct surf_engine_opts opts = { .sz = sizeof(opts) };
	struct surf_engine_stats st;
	struct by_pid b = { .self = getpid() };
	struct surf_engine *e;
	long long discarded;
	char filter[64];
	int gate[2];

	if (why)
		SKIP("%s", why);
	CHECK_INT(pipe(gate), ==, 0);
	b.child = gated_child(gate, 20000);
	CHECK(b.child > 0);
	snprintf(filter, sizeof(filter), "common_pid==%d", b.child);
	CHECK_INT(surf_engine__new(&e, &opts), ==, 0);
	CHECK_INT(surf_engine__add_raw(e, "e:syscalls/sys_enter_getppid", filter, on_getppid, &b,
				       NULL), ==, 0);
	CHECK_INT(surf_engine__start(e), ==, 0);
	CHECK_INT(surf_engine__discard(e), ==, -EBUSY);	/* not before the stop */
	CHECK_INT(write(gate[1], "g", 1), ==, 1);
	close(gate[1]);
	waitpid(b.child, NULL, 0);
	/* A batch: the child's records, and maybe thread-name records of other processes. */
	CHECK_INT(surf_engine__poll(e, 0), ==, SURF_ENGINE_BATCH);
	CHECK_INT(b.childs, >, SURF_ENGINE_BATCH / 2);
	CHECK_INT(b.childs, <=, SURF_ENGINE_BATCH);
	CHECK_INT(surf_engine__stop(e), ==, 0);
	discarded = surf_engine__discard(e);
	surf_engine__stats(e, &st);
	CHECK_INT(b.childs + discarded, ==, 20000);
	CHECK_INT(st.lost, ==, 0);
	CHECK_INT(st.unread, ==, discarded);
	CHECK_INT(surf_engine__poll(e, 0), ==, 0);
	surf_engine__free(e);
}

// SPDX-License-Identifier: MIT
/*
 * Micro-benchmark of the engine's decode path: perf records pre-filled in
 * memory are dispatched (id lookup, bounds checks) and a callback reads five
 * fields by handle.  Prints ns per record; the target is under 50 ns.
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <surf/engine.h>

static const char format[] =
	"name: bench_event\nID: 1\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:unsigned long a;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:int b;\toffset:16;\tsize:4;\tsigned:1;\n"
	"\tfield:unsigned short c;\toffset:20;\tsize:2;\tsigned:0;\n"
	"\tfield:char comm[16];\toffset:24;\tsize:16;\tsigned:0;\n"
	"\tfield:__data_loc char[] name;\toffset:40;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"a=%lu\", REC->a\n";

struct fields {
	int a, b, c, comm, name;
	unsigned long long sum;
};

static void on_record(void *ctx, const struct surf_record *rec)
{
	struct fields *f = ctx;
	uint32_t l1 = 0, l2 = 0;

	f->sum += surf_record__int(rec, f->a) + surf_record__int(rec, f->b) +
		  surf_record__int(rec, f->c);
	surf_record__str(rec, f->comm, &l1);
	surf_record__str(rec, f->name, &l2);
	f->sum += l1 + l2;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct surf_engine_opts opts = { .sz = sizeof(opts), .offline = true };
	int nrec = 10000, rounds = argc > 1 ? atoi(argv[1]) : 200;
	struct perf_event_header h = { PERF_RECORD_SAMPLE, 0, 0 };
	struct surf_engine *e;
	struct surf_event *ev;
	struct fields f = { 0 };
	uint8_t raw[56] = { 0 }, *buf, *p;
	uint32_t raw_size = sizeof(raw), loc = 44 | (10u << 16);
	uint64_t id = 7, t = 0, period = 1;
	double start, ns;
	size_t rec_size;

	if (surf_engine__new(&e, &opts) ||
	    surf_engine__add_format(e, "bench", format, id, on_record, &f, &ev)) {
		fprintf(stderr, "decode: cannot set up the engine\n");
		return 1;
	}
	f.a = surf_event__field(ev, "a");
	f.b = surf_event__field(ev, "b");
	f.c = surf_event__field(ev, "c");
	f.comm = surf_event__field(ev, "comm");
	f.name = surf_event__field(ev, "name");
	memcpy(raw + 24, "benchcomm", 10);
	memcpy(raw + 40, &loc, 4);
	memcpy(raw + 44, "some-name", 10);
	rec_size = (sizeof(h) + 40 + 4 + raw_size + 7) & ~(size_t)7;	/* up to PERIOD, size */
	h.size = (uint16_t)rec_size;
	buf = calloc((size_t)nrec, rec_size);
	for (int i = 0; i < nrec; i++) {
		uint32_t pidtid[2] = { 100, 100 }, cpu[2] = { 1, 0 };

		p = buf + (size_t)i * rec_size;
		t += 1000;
		memcpy(p, &h, 8);
		memcpy(p + 8, &id, 8);
		memcpy(p + 16, pidtid, 8);
		memcpy(p + 24, &t, 8);
		memcpy(p + 32, cpu, 8);
		memcpy(p + 40, &period, 8);
		memcpy(p + 48, &raw_size, 4);
		memcpy(p + 52, raw, raw_size);
	}
	surf_engine__feed(e, buf, (size_t)nrec * rec_size);	/* warm up */
	start = now();
	for (int r = 0; r < rounds; r++)
		surf_engine__feed(e, buf, (size_t)nrec * rec_size);
	ns = (now() - start) / ((double)nrec * rounds);
	printf("decode: %d records x %d rounds, 5 fields each: %.1f ns/record (target < 50 ns) %s\n",
	       nrec, rounds, ns, ns < 50 ? "PASS" : "FAIL");
	if (f.sum == 0)
		puts("(no fields read?)");
	free(buf);
	surf_engine__free(e);
	return ns < 50 ? 0 : 1;
}

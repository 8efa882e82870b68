// SPDX-License-Identifier: MIT
/*
 * exec_monitor: what the seed's event_engine example does, with libsurf:
 * every exec on the machine with its time, file name and pid, until Ctrl-C
 * (or for argv[1] seconds).
 *
 *   ================exec===================
 *   time Mon Nov 23 04:51:02 2026
 *
 *   filename /usr/bin/ls
 *   pid 22529
 *   =========================================
 *
 * The callback runs on the reader thread and must not block; this one only
 * formats, so it needs no worker pool.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <surf/engine.h>

static volatile sig_atomic_t stop;

struct exec_fields {
	int filename, pid;
	double mono_to_real;	/* CLOCK_REALTIME - CLOCK_MONOTONIC, seconds */
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_exec(void *ctx, const struct surf_record *rec)
{
	const struct exec_fields *f = ctx;
	time_t when = (time_t)((double)rec->time_ns / 1e9 + f->mono_to_real);
	uint32_t len = 0;
	const char *name = surf_record__str(rec, f->filename, &len);
	char stamp[64];

	strftime(stamp, sizeof(stamp), "%a %b %e %H:%M:%S %Y", localtime(&when));
	printf("\n================exec===================\ntime %s\n\nfilename %.*s\npid %d\n"
	       "=========================================\n\n", stamp, (int)len,
	       name ? name : "?", (int)(int64_t)surf_record__int(rec, f->pid));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct surf_engine_opts opts = { .sz = sizeof(opts) };
	struct exec_fields fields;
	struct surf_engine *engine;
	struct surf_event *ev;
	struct timespec mono, real;
	double seconds = argc > 1 ? atof(argv[1]) : 0;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	fields.mono_to_real = (double)(real.tv_sec - mono.tv_sec) +
			      (double)(real.tv_nsec - mono.tv_nsec) / 1e9;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	ret = surf_engine__new(&engine, &opts);
	if (ret) {
		fprintf(stderr, "exec_monitor: cannot set up tracing: %s\n", strerror(-ret));
		return 1;
	}
	ret = surf_engine__add_raw(engine, "e:sched/sched_process_exec", NULL, on_exec, &fields, &ev);
	if (ret) {
		fprintf(stderr, "exec_monitor: %s\n", surf_engine__last_error(engine));
		surf_engine__free(engine);
		return 1;
	}
	/* Field handles once, before any record: no name lookups per event. */
	fields.filename = surf_event__field(ev, "filename");
	fields.pid = surf_event__field(ev, "pid");
	surf_engine__start(engine);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	while (!stop) {
		struct timespec t;

		surf_engine__poll(engine, 100);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (seconds > 0 && (double)(t.tv_sec - mono.tv_sec) +
					   (double)(t.tv_nsec - mono.tv_nsec) / 1e9 >= seconds)
			break;
	}
	surf_engine__drain(engine);
	surf_engine__free(engine);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * task_switch - lesson 16 of the bcc tutorial, in C: count context switches
 * by (previous task, next task) for a second, then print the table that
 * task_switch.bpf.c kept in a hash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "task_switch.h"

#define TOOL "task_switch"

static unsigned int only_pid;

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Count context switches by previous and next task (thread ids) for a second,\n"
	"or for -d SECONDS, then print task_switch[PREV->NEXT]=COUNT.\n"
	"\n"
	"USAGE: " TOOL " [-p TID] [--kprobe] [-d SECONDS] [-v]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "             # count for one second\n"
	"    " TOOL " -d 5 -p 42  # 5 s, only switches of thread 42\n"
	"    " TOOL " --kprobe    # kprobe finish_task_switch (needs kprobes)";

static const struct argp_option opts[] = {
	{ "pid", 'p', "TID", 0, "Only switches from or to this thread", 0 },
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		only_pid = (unsigned int)lesson_parse_long(state, "tid", arg, 0, 4194304);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int attach(struct clcc_struct *p)
{
	char fn[128];

	if (!lesson_env.kprobe)
		return lesson_attach_tp(p, TOOL, "switch_tp", "sched:sched_switch");
	if (lesson_kernel_function("finish_task_switch", fn, sizeof(fn))) {
		fprintf(stderr, "%s: no finish_task_switch to probe in this kernel\n", TOOL);
		return -ENOENT;
	}
	return lesson_attach_kprobe(p, "switch_kprobe", fn, false);
}

struct entry {
	struct switch_key key;
	unsigned long long count;
};

static int by_pids(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->key.prev_pid != y->key.prev_pid)
		return x->key.prev_pid < y->key.prev_pid ? -1 : 1;
	return x->key.curr_pid < y->key.curr_pid ? -1 : x->key.curr_pid > y->key.curr_pid;
}

static int print_stats(struct clcc_struct *p, int id)
{
	struct switch_key key, next;
	struct entry *all = NULL;
	size_t n = 0, cap = 0;
	const void *prev = NULL;
	int err;

	while ((err = p->map_get_next_key(id, prev, &next)) == 0) {
		key = next;
		prev = &key;
		if (only_pid && next.prev_pid != only_pid && next.curr_pid != only_pid)
			continue;
		if (n == cap) {
			struct entry *more = realloc(all, (cap = cap ? 2 * cap : 256) * sizeof(*all));

			if (!more) {
				free(all);
				fprintf(stderr, "%s: out of memory\n", TOOL);
				return -ENOMEM;
			}
			all = more;
		}
		all[n].key = next;
		if (p->map_lookup_elem(id, &next, &all[n].count) == 0)
			n++;
	}
	if (err != -ENOENT) {
		fprintf(stderr, "%s: reading the table: %s\n", TOOL, strerror(-err));
		free(all);
		return err;
	}
	qsort(all, n, sizeof(*all), by_pids);
	for (size_t i = 0; i < n; i++)
		printf("task_switch[%5u->%5u]=%llu\n", all[i].key.prev_pid, all[i].key.curr_pid,
		       all[i].count);
	free(all);
	return 0;
}

/* Count for a second or -d SECONDS, then print the table. */
static int run(struct clcc_struct *p, int map)
{
	unsigned int seconds = lesson_env.duration ? lesson_env.duration : 1;

	printf("Counting context switches for %u s... Hit Ctrl-C to end.\n", seconds);
	lesson_stop_after(seconds);
	while (!lesson_exiting)
		pause();
	return print_stats(p, map);
}

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.options = opts,
	.parser = parse_arg,
	.kprobe_doc = "Count with a kprobe on finish_task_switch instead of the "
		      "sched:sched_switch tracepoint",
	.attach = attach,
	.map = "stats",
	.run = run,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

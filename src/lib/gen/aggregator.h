/* SPDX-License-Identifier: MIT */
/* The aggregator's insides, shared by its set-up (aggregator.c) and its printing (agg_print.c). */
#ifndef SURF_GEN_AGGREGATOR_H
#define SURF_GEN_AGGREGATOR_H

#include <surf/agg.h>
#include <surf/syms.h>

#include "gen/agg.h"

/* The kernel's default kernel.perf_event_max_stack: frames a stack map keeps. */
#define STACK_DEPTH 127

/* One program and the perf event that holds it. */
struct agg_prog {
	const struct surf_probe_def *def;	/* NULL for the fork program */
	struct gen_agg_desc desc;
	int tp_id;				/* tracepoints: the event's id */
	int prog_fd, perf_fd;
};

struct surf_aggregator {
	const struct surf_probe_def *def;
	struct agg_prog main;		/* the a: expression's */
	struct agg_prog start;		/* lat(): its start's */
	struct agg_prog fork;		/* with a pid: children join the pids map */
	int map_fd, drops_fd, start_fd, stack_fd, pids_fd;
	char cache_dir[4096];
	struct surf_ksyms *ksyms;	/* loaded when a kstack key is printed */
	struct surf_usyms *usyms;
};

#endif

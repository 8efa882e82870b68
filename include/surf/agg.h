/* SPDX-License-Identifier: MIT */
/*
 * surf/agg.h - in-kernel aggregation (issue 15): an expression's a: clause
 * compiled to a BPF program and a per-CPU map, attached, and read.
 *
 *   surf_expr__compile(..., "e syscalls/sys_enter_read sz=count a:hist(sz)", &def)
 *   surf_aggregator__new(&agg, def, &opts, errbuf, len)   program and map loaded
 *   surf_aggregator__attach(agg)                           counting starts
 *   surf_aggregator__print(agg, stdout)                    a histogram, a table
 *   surf_aggregator__free(agg)                             nothing left in the kernel
 *
 * This version runs tracepoint expressions; others are refused by
 * surf_aggregator__new with -EOPNOTSUPP and a sentence.
 */
#ifndef SURF_AGG_H
#define SURF_AGG_H

#include "surf/api.h"

#include <stddef.h>
#include <stdio.h>

#include <surf/expr.h>

#ifdef __cplusplus
extern "C" {
#endif

struct surf_aggregator;

struct surf_aggregator_opts {
	size_t sz;		/* sizeof(struct surf_aggregator_opts) */
	const char *tracefs;	/* where tracefs is mounted (required for tracepoints) */
	const char *arch;	/* NULL: this machine's */
	unsigned int max_entries; /* map size; 0: 10240 */
};

/* def must outlive the aggregator.  0 or -errno with a sentence in errbuf. */
SURF_API int surf_aggregator__new(struct surf_aggregator **out, const struct surf_probe_def *def,
				  const struct surf_aggregator_opts *opts, char *errbuf,
				  size_t errlen);
SURF_API int surf_aggregator__attach(struct surf_aggregator *agg);
/* What the map holds, summed over the CPUs: a histogram per key, or a table by value. */
SURF_API int surf_aggregator__print(struct surf_aggregator *agg, FILE *out);
/*
 * Events counted (every entry's count; a histogram's every bucket), and
 * events not counted because the map was full: never silent.
 */
SURF_API int surf_aggregator__counts(struct surf_aggregator *agg, unsigned long long *events,
				     unsigned long long *dropped);
SURF_API void surf_aggregator__free(struct surf_aggregator *agg);
/*
 * What surf_aggregator__new would load, loading nothing (surftrace -S): the
 * maps and the program's listing in the verifier's syntax.  Tracepoints need
 * opts->tracefs (their format).  0 or -errno with a sentence in errbuf.
 */
SURF_API int surf_aggregator__listing(const struct surf_probe_def *def,
				      const struct surf_aggregator_opts *opts, FILE *out,
				      char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif

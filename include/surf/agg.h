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
 * Tracepoints, kprobes, kretprobes, uprobes, uretprobes and USDT probes
 * (their semaphores counted up while attached).
 */
#ifndef SURF_AGG_H
#define SURF_AGG_H

#include "surf/api.h"

#include <stdbool.h>
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
	/*
	 * lat(): the expression whose events start the measure (the entry
	 * probe of the same function for lat(), EVENT for lat(EVENT.S==S));
	 * its own f: applies.  Required for lat(), refused otherwise.
	 */
	const struct surf_probe_def *start;
	/* Only this process and the processes it starts from now on; 0: all. */
	int pid;
	/* Where kernel symbols are cached per boot (kstack keys); NULL: none. */
	const char *cache_dir;
	/* Refuse (-E2BIG) maps whose kernel memory could exceed this; 0: 256 MiB. */
	unsigned long long max_map_bytes;
	/*
	 * Out, when not NULL: a program the verifier refused blamed on the part
	 * of def's line it computes (a key, the value, f:, the a: clause):
	 * code, pos, len and msg as surf_expr__compile's, for
	 * surf_expr_error__print.  len 0: no part to blame.
	 */
	struct surf_expr_error *error;
};

/* def must outlive the aggregator.  0 or -errno with a sentence in errbuf. */
SURF_API int surf_aggregator__new(struct surf_aggregator **out, const struct surf_probe_def *def,
				  const struct surf_aggregator_opts *opts, char *errbuf,
				  size_t errlen);
SURF_API int surf_aggregator__attach(struct surf_aggregator *agg);

struct surf_agg_print_opts {
	size_t sz;		/* sizeof(struct surf_agg_print_opts) */
	unsigned int top;	/* tables: the N largest entries only; 0: all */
	bool json;		/* one JSON object per line (see below) */
};
/*
 * What the map holds now, summed over the CPUs (totals since attach): a
 * histogram per key in bcc's layout, or a table sorted by value.  With
 * json, one line: {"probe": "f1", "agg": "count", "entries": [{"key":
 * [...], "value": N}, ...]}, histograms' entries {"key": [...], "buckets":
 * [{"low": L, "high": H, "count": C}, ...]}; stats' value an object.
 */
SURF_API int surf_aggregator__print(struct surf_aggregator *agg, FILE *out,
				    const struct surf_agg_print_opts *opts);
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

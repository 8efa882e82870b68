/* SPDX-License-Identifier: MIT */
/*
 * The BPF program and map of an a: clause (issue 15): the program computes
 * the keys and the value of each event and updates a per-CPU hash map; the
 * reader sums the CPUs.  Internal to libsurf (the engine and surftrace use
 * it through the aggregation API that comes next).
 *
 * Map key: the keys, each at an 8-byte aligned offset (comm: 16 bytes,
 * integers: 8), then for histograms a u64 bucket.  Map value: u64 count for
 * count and histograms; for sum, avg, min, max and stats four u64: count,
 * sum, min, max.
 */
#ifndef SURF_GEN_AGG_H
#define SURF_GEN_AGG_H

#include <stdint.h>

#include <surf/expr.h>

struct gen;

#define GEN_AGG_MAX_KEY 128

/* Where a key or the value comes from, resolved for code generation. */
struct gen_agg_src {
	enum surf_agg_src src;
	int offset, size;	/* SURF_AGG_FIELD: in the record */
	bool is_signed;
	const char *fetch;	/* SURF_AGG_ARG: fetch text and type */
	const char *type;
};

struct gen_agg_desc {
	enum surf_agg_kind kind;
	struct gen_agg_src keys[8];
	int nkeys;
	struct gen_agg_src value;	/* not for count */
	int64_t lmin, lmax, lstep;
	bool tracepoint;		/* ctx is the record; else pt_regs */
	const char *arch;
	bool user;
	/* f:, in ftrace's syntax, and where each name it uses comes from. */
	const char *filter;
	struct { char name[64]; struct gen_agg_src src; } fnames[8];
	int nfnames;
	int map_fd;
	int drops_fd;		/* a per-CPU array of one u64: updates the map refused (full); -1: none */
};

/* Key and value sizes of the map for desc. */
int gen_agg_key_size(const struct gen_agg_desc *d);
int gen_agg_value_size(const struct gen_agg_desc *d);
/*
 * Emit the whole program; 0 or the first error (gen_finish's), or the
 * filter's (-EINVAL, -EOPNOTSUPP) with a sentence in errbuf.
 */
int gen_agg_program(struct gen *g, const struct gen_agg_desc *d, char *errbuf, size_t errlen);
/*
 * Every entry of the map, the CPUs' values summed (for the four-value
 * layout: counts and sums added, min and max of the CPUs that saw the key):
 * cb(ctx, key, values) for each, values[0..3] or values[0].  0 or -errno.
 */
int gen_agg_read(const struct gen_agg_desc *d, int map_fd,
		 int (*cb)(void *ctx, const void *key, const uint64_t *values), void *ctx);
/* The bucket of a power-of-two histogram: 0 for 0, else floor(log2(v)) + 1. */
unsigned gen_agg_log2_bucket(uint64_t v);

#endif

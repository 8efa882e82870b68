/* SPDX-License-Identifier: MIT */
/* f: in BPF (filter.c).  Internal. */
#ifndef SURF_GEN_FILTER_H
#define SURF_GEN_FILTER_H

#include <stdbool.h>
#include <stddef.h>

struct gen;

/* Emit code leaving NAME's value in r0 (clobbering r0 to r5); its sign. 0 or -errno. */
typedef int (*gen_filter_load_fn)(void *ctx, const char *name, bool *is_signed);

/*
 * Emit the filter: events it rejects jump to label drop, the others fall
 * through.  load is called once per comparison, in the text's order.  0;
 * -EINVAL (text), -EOPNOTSUPP (strings, 64-bit numbers), with a sentence
 * in errbuf (load's own, when it wrote one).
 */
int gen_filter(struct gen *g, const char *filter, gen_filter_load_fn load, void *ctx, int drop,
	       char *errbuf, size_t errlen);

#endif

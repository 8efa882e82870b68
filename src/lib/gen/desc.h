/* SPDX-License-Identifier: MIT */
/* A compiled expression's a: clause as a gen_agg_desc (desc.c).  Internal. */
#ifndef SURF_GEN_DESC_H
#define SURF_GEN_DESC_H

#include <stddef.h>

#include <surf/expr.h>

struct gen_agg_desc;

/*
 * def (with def->agg) into d; format: the tracepoint's format file text for
 * an e expression (libtraceevent may write into it), else NULL.  The desc
 * points into def: it lives as long as def.  0; -EOPNOTSUPP with a sentence
 * in errbuf for what is not generated yet; -ENOENT, -EINVAL, -E2BIG.
 */
int gen_agg_describe(const struct surf_probe_def *def, char *format, size_t format_len,
		     const char *arch, struct gen_agg_desc *d, char *errbuf, size_t errlen);

/*
 * The start of lat() (lat: the ending expression's clause): start's
 * program records its time by the thread, or by lat->lat_start's value.
 * format as above, for start.
 */
int gen_agg_describe_start(const struct surf_probe_def *start, char *format, size_t format_len,
			   const char *arch, const struct surf_agg *lat, struct gen_agg_desc *d,
			   char *errbuf, size_t errlen);

/* The offset of a field of size bytes in a tracepoint's record; -ENOENT. */
int gen_tp_field_offset(char *format, size_t format_len, const char *name, int size);

#endif

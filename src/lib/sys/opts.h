/* SPDX-License-Identifier: MIT */
/*
 * The one rule for every public *_opts struct (as libbpf's): its first field
 * is size_t sz, set by the caller to sizeof the struct it was compiled with.
 * A smaller sz (an older caller) gets defaults for the fields it does not
 * have; a larger one (a newer caller) is accepted when every byte the library
 * does not know is zero, and refused with -EINVAL otherwise, as is an sz
 * too small to hold sz itself.  NULL stands for all defaults.
 *
 * OPTS_VALID checks that; OPTS_COPY then reads what the caller has into a
 * zero-filled struct of the library's own (sz set to its size), so that the
 * code after it reads fields without asking whether the caller had them.
 * OPTS_GET reads one field in place, with a fallback.
 */
#ifndef SURF_SYS_OPTS_H
#define SURF_SYS_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline bool surf_opts_valid(const void *opts, size_t known)
{
	const char *p = opts;
	size_t sz;

	if (!opts)
		return true;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(size_t))
		return false;
	for (size_t i = known; i < sz; i++)
		if (p[i])
			return false;
	return true;
}

static inline void surf_opts_copy(void *dst, size_t known, const void *opts)
{
	size_t sz = known;

	memset(dst, 0, known);
	if (opts) {
		memcpy(&sz, opts, sizeof(sz));
		memcpy(dst, opts, sz < known ? sz : known);
	}
	memcpy(dst, &known, sizeof(known));
}

#define OPTS_VALID(opts, type) surf_opts_valid((opts), sizeof(type))
#define OPTS_COPY(dst, opts) surf_opts_copy((dst), sizeof(*(dst)), (opts))
#define OPTS_HAS(opts, field)                                                   \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define OPTS_GET(opts, field, fallback) (OPTS_HAS(opts, field) ? (opts)->field : (fallback))

#endif

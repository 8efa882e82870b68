/* SPDX-License-Identifier: MIT */
/*
 * surf/out.h - records as text (ftrace's own line format) or JSON lines.
 *
 *   comm-pid [cpu] flags secs.usecs: event: (func+0x0/0x280) name=value ...
 *   {"time":12.345678,"cpu":1,"pid":42,"tid":42,"comm":"bash","event":"f0",...}
 *
 * JSON strings are valid UTF-8: bytes that are not are escaped as \u00XX.
 * Argument names starting ip_, b16_/b32_/b64_, B16_/B32_/B64_ are shown
 * converted (dotted quad, byte-swapped decimal, byte-swapped hex).
 */
#ifndef SURF_OUT_H
#define SURF_OUT_H

#include "surf/api.h"

#include <stdbool.h>
#include <stdio.h>

#include <surf/engine.h>

#ifdef __cplusplus
extern "C" {
#endif

struct surf_out;

struct surf_out_opts {
	size_t sz;
	FILE *out;			/* default stdout */
	bool json;
	struct surf_engine *engine;	/* for thread names */
	/*
	 * Where kernel symbols (a kprobe's "func+0x0/0xe0", %ps fields) are
	 * kept per boot (surf_ksyms__load_cached); NULL: read /proc/kallsyms.
	 * Borrowed: it must outlive the surf_out.
	 */
	const char *cache_dir;
};

SURF_API int surf_out__new(struct surf_out **out, const struct surf_out_opts *opts);
SURF_API void surf_out__free(struct surf_out *o);
/* A surf_record_cb: pass the surf_out as ctx. */
SURF_API void surf_out__record(void *ctx, const struct surf_record *rec);
/* Records written so far. */
SURF_API unsigned long long surf_out__count(const struct surf_out *o);
/* Non-zero (the errno) once writing failed (EPIPE...): the caller should stop. */
SURF_API int surf_out__error(const struct surf_out *o);
/* Write out what the stream buffers; then surf_out__error. */
SURF_API int surf_out__flush(struct surf_out *o);

#ifdef __cplusplus
}
#endif
#endif

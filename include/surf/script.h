/* SPDX-License-Identifier: MIT */
/*
 * surf/script.h - compiled probes as shell commands: what `surftrace -S`
 * prints, and the replayable script `surftrace -o FILE` writes (setup, stream
 * trace_pipe until Ctrl-C, clean up).  Each run of such a script names its
 * instance and its probes' group anew ($G, surftrace_sh_ and 96 random bits),
 * so that scripts run side by side and each cleanup touches only its own.
 */
#ifndef SURF_SCRIPT_H
#define SURF_SCRIPT_H

#include "surf/api.h"

#include <stdbool.h>
#include <stdio.h>

#include <surf/expr.h>

#ifdef __cplusplus
extern "C" {
#endif

struct surf_script_opts {
	size_t sz;
	const char *tracefs;	/* default /sys/kernel/tracing */
	const char *instance;	/* NULL: "surftrace" for -S, $G for a full script */
	bool stack;		/* turn on options/stacktrace */
	bool full;		/* a complete script: shebang, mount, trace_pipe, cleanup */
};

SURF_API int surf_script__write(FILE *out, struct surf_probe_def *const *defs, int ndefs,
		       const struct surf_script_opts *opts);

#ifdef __cplusplus
}
#endif
#endif

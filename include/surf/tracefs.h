/* SPDX-License-Identifier: MIT */
/*
 * surf/tracefs.h - finding (and mounting) tracefs and reading what it
 * describes: tracepoint formats, the list of events, the kernel's features.
 *
 * surf_tracefs__find, surf_kernel__missing and surf_tracefs__has_kprobes
 * need no other library (clcc tools link without libtraceevent); the
 * others need libtraceevent.
 */
#ifndef SURF_TRACEFS_H
#define SURF_TRACEFS_H

#include "surf/api.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The tracefs mount point into buf: an existing tracefs mount, debugfs's
 * tracing directory, or (when mount is true) tracefs freshly mounted on
 * /sys/kernel/tracing as bcc and perf do.  -ENOENT when there is none.
 */
SURF_API int surf_tracefs__find(char *buf, size_t len, bool mount);

/*
 * The fields of tracepoint group/event (common_* fields included) into
 * fields[], at most max, with how the kernel's filter compares them; returns the count, -ENOENT for an unknown event.
 * The names are malloc'ed: surf_event_fields__clear() (surf/expr.h) frees them.
 */
struct surf_event_field;
SURF_API int surf_tracefs__event_fields(const char *tracefs, const char *group, const char *event,
			       struct surf_event_field *fields, int max);

/*
 * The name under which kernel function sym can be probed, from
 * available_filter_functions: sym itself, or a GCC clone of it
 * ("sym.isra.0", "sym.constprop.0", "sym.part.0").  -ENOENT when it cannot
 * be probed (inlined, notrace); -EPERM/-EACCES when the list is not readable
 * (lockdown), in which case nothing can be said.
 */
SURF_API int surf_tracefs__traceable(const char *tracefs, const char *sym, char *out, size_t len);
/*
 * The same, with the sorted list kept in cache_dir (created if missing) for
 * the running kernel, boot and set of modules: the kernel generates the list
 * once per boot instead of once per expression.  NULL cache_dir: no cache.
 */
SURF_API int surf_tracefs__traceable_cached(const char *tracefs, const char *cache_dir,
					    const char *sym, char *out, size_t len);

/* Kernel features our programs need, each behind a CONFIG_ option. */
enum surf_kernel_feature {
	SURF_FEATURE_KPROBES,		/* kprobe_events (or the kprobe PMU) */
	SURF_FEATURE_FUNCTION_GRAPH,	/* the function_graph tracer */
	SURF_FEATURE_BTF,		/* /sys/kernel/btf/vmlinux */
};

/*
 * The one sentence every program of ours (surftrace, surfgraph, surfcc,
 * clcc and the tools on it) prints when the kernel lacks feature, before
 * exiting 1: "this kernel has no kprobes (CONFIG_KPROBES / kprobe_events
 * missing)".
 */
SURF_API const char *surf_kernel__missing(enum surf_kernel_feature feature);

/*
 * Can kprobes be created: tracefs (at tracefs; NULL: found, and mounted if
 * need be) has kprobe_events, or the kernel has the kprobe PMU?
 */
SURF_API bool surf_tracefs__has_kprobes(const char *tracefs);

/* Print "group:event" for the events matching a glob ("sched:*"); returns the count. */
SURF_API int surf_tracefs__print_events(const char *tracefs, const char *glob, FILE *out);

#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: MIT */
/*
 * surf/tracefs.h - finding (and mounting) tracefs and reading what it
 * describes: tracepoint formats and the list of events.
 */
#ifndef SURF_TRACEFS_H
#define SURF_TRACEFS_H

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
int surf_tracefs__find(char *buf, size_t len, bool mount);

/*
 * The field names of tracepoint group/event (common_* fields included) into
 * names[], at most max; returns the count, -ENOENT for an unknown event.
 */
int surf_tracefs__event_fields(const char *tracefs, const char *group, const char *event,
			       char names[][64], int max);

/*
 * The name under which kernel function sym can be probed, from
 * available_filter_functions: sym itself, or a GCC clone of it
 * ("sym.isra.0", "sym.constprop.0", "sym.part.0").  -ENOENT when it cannot
 * be probed (inlined, notrace); -EPERM/-EACCES when the list is not readable
 * (lockdown), in which case nothing can be said.
 */
int surf_tracefs__traceable(const char *tracefs, const char *sym, char *out, size_t len);

/* Print "group:event" for the events matching a glob ("sched:*"); returns the count. */
int surf_tracefs__print_events(const char *tracefs, const char *glob, FILE *out);

#ifdef __cplusplus
}
#endif
#endif

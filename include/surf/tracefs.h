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

/* Print "group:event" for the events matching a glob ("sched:*"); returns the count. */
int surf_tracefs__print_events(const char *tracefs, const char *glob, FILE *out);

#ifdef __cplusplus
}
#endif
#endif

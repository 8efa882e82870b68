/* SPDX-License-Identifier: MIT */
#ifndef SURF_PROBE_DYNEVENT_CMD_H
#define SURF_PROBE_DYNEVENT_CMD_H

#include <stddef.h>

/*
 * Append text to TRACEFS/file (kprobe_events, uprobe_events): 0 or a
 * negative errno, and then, when why is not NULL, the kernel's reason
 * from error_log (or what failed).
 */
int dynevent_write(const char *tracefs, const char *file, const char *text, char *why,
		   size_t why_len);
/* The last entry of TRACEFS/error_log into out (left alone when none). */
void dynevent_error_log(const char *tracefs, char *out, size_t len);

#endif

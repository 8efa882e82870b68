/* SPDX-License-Identifier: MIT */
/*
 * surf/dynevent.h - build a dynamic event field by field and create,
 * enable and delete it through tracefs: the shape of the kernel's own
 * in-kernel API (kprobe_event_cmd_init(), kprobe_event_gen_cmd_start(),
 * kprobe_event_add_fields(), kprobe_event_gen_cmd_end(),
 * kprobe_event_delete(), in kernel/trace/trace_kprobe.c) for user-space
 * programs, for kprobes, kretprobes, uprobes and uretprobes.  surftrace
 * creates its own events through it.
 *
 *	char buf[SURF_DYNEVENT_CMD_LEN];
 *	struct surf_dynevent_cmd cmd;
 *
 *	surf_kprobe_event_cmd_init(&cmd, buf, sizeof(buf));
 *	surf_kprobe_event_gen_cmd_start(&cmd, "gen_kprobe_test", "do_sys_open",
 *					"dfd=%ax", "filename=%dx");
 *	surf_kprobe_event_add_fields(&cmd, "flags=%cx", "mode=+4($stack)");
 *	if (surf_kprobe_event_gen_cmd_end(&cmd, NULL))
 *		fprintf(stderr, "%s\n", cmd.error);	// the kernel's reason
 *	surf_dynevent__enable(NULL, "kprobes", "gen_kprobe_test", true);
 *	...
 *	surf_kprobe_event_delete(NULL, "gen_kprobe_test");
 *
 * Fields are fetch-arg text ("name=FETCH[:TYPE]", as kprobe_events takes
 * them) or compiled surftrace arguments (surf_dynevent_cmd__add_arg).  A
 * tracefs of NULL is found (and mounted when missing).  Functions return 0
 * or a negative errno; the first failing step's error is kept, and later
 * steps return it without doing anything, so a sequence can be checked once
 * at its end.
 */
#ifndef SURF_DYNEVENT_H
#define SURF_DYNEVENT_H

#include "surf/api.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct surf_arg;

/* As the kernel's MAX_DYNEVENT_CMD_LEN. */
#define SURF_DYNEVENT_CMD_LEN 2048

enum surf_dynevent_type {
	SURF_DYNEVENT_KPROBE,		/* p:  kprobe_events */
	SURF_DYNEVENT_KRETPROBE,	/* r:  kprobe_events */
	SURF_DYNEVENT_UPROBE,		/* p:  uprobe_events */
	SURF_DYNEVENT_URETPROBE,	/* r:  uprobe_events */
};

struct surf_dynevent_cmd {
	char *buf;			/* the command, in the caller's buffer */
	size_t maxlen;
	size_t len;
	enum surf_dynevent_type type;
	int nfields;
	int err;			/* the first failing step's error */
	char group[64], event[64];
	char error[512];		/* why: the kernel's error_log entry (empty when it
					 * said nothing), or what the builder refused */
};

/* Start over in buf (maxlen bytes); the type is set by the start call. */
SURF_API void surf_dynevent_cmd__init(struct surf_dynevent_cmd *cmd, char *buf, size_t maxlen);

/*
 * The command's head: type, the event ("NAME", in the kernel's default group
 * kprobes or uprobes, or "GROUP/NAME"), the place (kprobes: "SYM[+OFF]" or
 * "MOD:SYM"; uprobes: "/PATH:0xOFFSET[(0xREF_CTR)]"), then fields given as
 * a NULL-terminated list.
 */
SURF_API int surf_dynevent_cmd__start(struct surf_dynevent_cmd *cmd, enum surf_dynevent_type type,
				      const char *event, const char *place, ...);
SURF_API int surf_dynevent_cmd__vstart(struct surf_dynevent_cmd *cmd, enum surf_dynevent_type type,
				       const char *event, const char *place, va_list fields);
/* More fields, "name=FETCH[:TYPE]", NULL-terminated. */
SURF_API int surf_dynevent_cmd__add_fields(struct surf_dynevent_cmd *cmd, ...);
/* One field from a compiled surftrace argument (surf/expr.h). */
SURF_API int surf_dynevent_cmd__add_arg(struct surf_dynevent_cmd *cmd, const struct surf_arg *arg);
/*
 * Create the event: the command appended to kprobe_events or uprobe_events.
 * On failure cmd->error has the kernel's reason from error_log.
 */
SURF_API int surf_dynevent_cmd__end(struct surf_dynevent_cmd *cmd, const char *tracefs);

/* Enable or disable GROUP/EVENT at the top level of tracefs. */
SURF_API int surf_dynevent__enable(const char *tracefs, const char *group, const char *event,
				   bool enable);
/* Remove GROUP/EVENT of this type ("-:GROUP/EVENT"); -ENOENT when there is none. */
SURF_API int surf_dynevent__delete(const char *tracefs, enum surf_dynevent_type type,
				   const char *group, const char *event);

/* The kernel's names, for code written against it. */
#define surf_kprobe_event_cmd_init(cmd, buf, len) surf_dynevent_cmd__init(cmd, buf, len)
#define surf_uprobe_event_cmd_init(cmd, buf, len) surf_dynevent_cmd__init(cmd, buf, len)
#define surf_kprobe_event_gen_cmd_start(cmd, name, ...)					\
	surf_dynevent_cmd__start(cmd, SURF_DYNEVENT_KPROBE, name, __VA_ARGS__, (char *)NULL)
#define surf_kretprobe_event_gen_cmd_start(cmd, name, ...)					\
	surf_dynevent_cmd__start(cmd, SURF_DYNEVENT_KRETPROBE, name, __VA_ARGS__, (char *)NULL)
#define surf_uprobe_event_gen_cmd_start(cmd, name, ...)					\
	surf_dynevent_cmd__start(cmd, SURF_DYNEVENT_UPROBE, name, __VA_ARGS__, (char *)NULL)
#define surf_uretprobe_event_gen_cmd_start(cmd, name, ...)					\
	surf_dynevent_cmd__start(cmd, SURF_DYNEVENT_URETPROBE, name, __VA_ARGS__, (char *)NULL)
#define surf_kprobe_event_add_fields(cmd, ...)						\
	surf_dynevent_cmd__add_fields(cmd, __VA_ARGS__, (char *)NULL)
#define surf_uprobe_event_add_fields(cmd, ...)						\
	surf_dynevent_cmd__add_fields(cmd, __VA_ARGS__, (char *)NULL)
#define surf_kprobe_event_gen_cmd_end(cmd, tracefs) surf_dynevent_cmd__end(cmd, tracefs)
#define surf_kretprobe_event_gen_cmd_end(cmd, tracefs) surf_dynevent_cmd__end(cmd, tracefs)
#define surf_uprobe_event_gen_cmd_end(cmd, tracefs) surf_dynevent_cmd__end(cmd, tracefs)
#define surf_kprobe_event_delete(tracefs, name)						\
	surf_dynevent__delete(tracefs, SURF_DYNEVENT_KPROBE, "kprobes", name)
#define surf_uprobe_event_delete(tracefs, name)						\
	surf_dynevent__delete(tracefs, SURF_DYNEVENT_UPROBE, "uprobes", name)

#ifdef __cplusplus
}
#endif

#endif

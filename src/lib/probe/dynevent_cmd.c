// SPDX-License-Identifier: MIT
/*
 * Dynamic events built field by field (surf/dynevent.h), as the kernel's
 * dynevent_cmd builds them in kernel/trace/trace_kprobe.c, and written to
 * tracefs.  The engine creates its events through here too, so there is one
 * path from a definition to kprobe_events/uprobe_events.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <surf/dynevent.h>
#include <surf/expr.h>
#include <surf/tracefs.h>

#include "probe/dynevent_cmd.h"
#include "sys/util.h"

static bool is_uprobe(enum surf_dynevent_type type)
{
	return type == SURF_DYNEVENT_UPROBE || type == SURF_DYNEVENT_URETPROBE;
}

static const char *control_file(enum surf_dynevent_type type)
{
	return is_uprobe(type) ? "uprobe_events" : "kprobe_events";
}

/* Record the first error; every later step returns it. */
static int fail(struct surf_dynevent_cmd *cmd, int err, const char *fmt, ...)
{
	va_list ap;

	if (cmd->err)
		return cmd->err;
	va_start(ap, fmt);
	vsnprintf(cmd->error, sizeof(cmd->error), fmt, ap);
	va_end(ap);
	cmd->err = err;
	return err;
}

static int append(struct surf_dynevent_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (cmd->err)
		return cmd->err;
	va_start(ap, fmt);
	n = vsnprintf(cmd->buf + cmd->len, cmd->maxlen - cmd->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cmd->maxlen - cmd->len) {
		cmd->buf[cmd->len] = '\0';
		return fail(cmd, -E2BIG, "the command is longer than its buffer (%zu bytes)",
			    cmd->maxlen);
	}
	cmd->len += (size_t)n;
	return 0;
}

void surf_dynevent_cmd__init(struct surf_dynevent_cmd *cmd, char *buf, size_t maxlen)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->buf = buf;
	cmd->maxlen = maxlen;
	if (buf && maxlen)
		buf[0] = '\0';
	else
		cmd->err = -EINVAL;
}

/*
 * A field as the kernel's argument parser takes it: NAME=FETCH, no blank
 * inside (a blank separates fields), a name the kernel accepts.
 */
static int check_field(struct surf_dynevent_cmd *cmd, const char *field)
{
	const char *eq = strchr(field, '=');

	if (!eq || eq == field || !eq[1])
		return fail(cmd, -EINVAL, "field '%s' is not NAME=FETCH", field);
	if (strpbrk(field, " \t\n"))
		return fail(cmd, -EINVAL, "field '%s' has a blank in it", field);
	for (const char *p = field; p < eq; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (p > field && *p >= '0' && *p <= '9')))
			return fail(cmd, -EINVAL, "field name '%.*s' is not a C identifier",
				    (int)(eq - field), field);
	return 0;
}

static int add_field_list(struct surf_dynevent_cmd *cmd, va_list fields)
{
	const char *f;

	while ((f = va_arg(fields, const char *))) {
		if (check_field(cmd, f) || append(cmd, " %s", f))
			return cmd->err;
		cmd->nfields++;
	}
	return cmd->err;
}

int surf_dynevent_cmd__vstart(struct surf_dynevent_cmd *cmd, enum surf_dynevent_type type,
			      const char *event, const char *place, va_list fields)
{
	const char *slash = event ? strchr(event, '/') : NULL;
	const char *group = is_uprobe(type) ? "uprobes" : "kprobes", *name = event;
	size_t glen = strlen(group);
	char kind = type == SURF_DYNEVENT_KRETPROBE || type == SURF_DYNEVENT_URETPROBE ? 'r' : 'p';

	if (cmd->err)
		return cmd->err;
	if (cmd->len)
		return fail(cmd, -EBUSY, "the command was started already: init it again");
	if (type > SURF_DYNEVENT_URETPROBE)
		return fail(cmd, -EINVAL, "unknown dynamic event type %d", (int)type);
	if (!event || !*event || !place || !*place)
		return fail(cmd, -EINVAL, "an event needs a name and a place to probe");
	if (slash) {
		group = event;
		glen = (size_t)(slash - event);
		name = slash + 1;
	}
	if (!glen || glen >= sizeof(cmd->group) || !*name || strlen(name) >= sizeof(cmd->event) ||
	    strpbrk(name, "/ \t") || strpbrk(place, " \t\n"))
		return fail(cmd, -EINVAL, "'%s' at '%s' is not GROUP/NAME at one place", event,
			    place);
	if (is_uprobe(type) && (place[0] != '/' || !strchr(place, ':')))
		return fail(cmd, -EINVAL, "a uprobe's place is /PATH:0xOFFSET, not '%s'", place);
	cmd->type = type;
	snprintf(cmd->group, sizeof(cmd->group), "%.*s", (int)glen, group);
	snprintf(cmd->event, sizeof(cmd->event), "%s", name);
	/* Without a group the kernel puts the event in its default one, as written. */
	if (slash ? append(cmd, "%c:%s/%s %s", kind, cmd->group, cmd->event, place) :
		    append(cmd, "%c:%s %s", kind, cmd->event, place))
		return cmd->err;
	return add_field_list(cmd, fields);
}

int surf_dynevent_cmd__start(struct surf_dynevent_cmd *cmd, enum surf_dynevent_type type,
			     const char *event, const char *place, ...)
{
	va_list ap;
	int ret;

	va_start(ap, place);
	ret = surf_dynevent_cmd__vstart(cmd, type, event, place, ap);
	va_end(ap);
	return ret;
}

int surf_dynevent_cmd__add_fields(struct surf_dynevent_cmd *cmd, ...)
{
	va_list ap;
	int ret;

	if (!cmd->err && !cmd->len)
		return fail(cmd, -EINVAL, "fields come after the start of the command");
	va_start(ap, cmd);
	ret = add_field_list(cmd, ap);
	va_end(ap);
	return ret;
}

/* The type is its own field: a fetch written with ":TYPE" already has it. */
static bool fetch_has_type(const char *fetch, const char *type)
{
	size_t n = strlen(fetch), t = strlen(type);

	return n > t && fetch[n - t - 1] == ':' && !strcmp(fetch + n - t, type);
}

int surf_dynevent_cmd__add_arg(struct surf_dynevent_cmd *cmd, const struct surf_arg *arg)
{
	if (!cmd->err && !cmd->len)
		return fail(cmd, -EINVAL, "fields come after the start of the command");
	if (append(cmd, " %s=%s", arg->name, arg->fetch))
		return cmd->err;
	if (arg->type && !fetch_has_type(arg->fetch, arg->type) && append(cmd, ":%s", arg->type))
		return cmd->err;
	cmd->nfields++;
	return 0;
}

/* The last entry of error_log: the kernel's own words for a refusal. */
void dynevent_error_log(const char *tracefs, char *out, size_t len)
{
	char path[512], *log, *last = NULL, *p;

	snprintf(path, sizeof(path), "%s/error_log", tracefs);
	log = surf_read_file(path, NULL);
	if (!log)
		return;
	for (p = log; (p = strchr(p, '[')); p++)
		if (p == log || p[-1] == '\n')
			last = p;
	if (last) {
		size_t n = strlen(last);

		while (n && last[n - 1] == '\n')
			last[--n] = '\0';
		snprintf(out, len, "%s", last);
	}
	free(log);
}

/* Append text to tracefs/file; on a refusal, why in why (when not NULL). */
int dynevent_write(const char *tracefs, const char *file, const char *text, char *why,
		   size_t why_len)
{
	char path[512];
	size_t n = strlen(text);
	ssize_t ret;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_APPEND);
	if (fd < 0) {
		err = -errno;
		if (why)
			snprintf(why, why_len, "cannot open %s: %s", path, strerror(errno));
		return err;
	}
	ret = write(fd, text, n);
	err = ret < 0 ? -errno : (size_t)ret == n ? 0 : -EIO;
	close(fd);
	if (err && why) {
		why[0] = '\0';
		if (ret < 0)
			dynevent_error_log(tracefs, why, why_len);
	}
	return err;
}

static const char *find_tracefs(const char *tracefs, char *buf, size_t len)
{
	if (tracefs)
		return tracefs;
	return surf_tracefs__find(buf, len, true) ? NULL : buf;
}

int surf_dynevent_cmd__end(struct surf_dynevent_cmd *cmd, const char *tracefs)
{
	char buf[256];
	int ret;

	if (cmd->err)
		return cmd->err;
	if (!cmd->len)
		return fail(cmd, -EINVAL, "nothing to create: the command was not started");
	tracefs = find_tracefs(tracefs, buf, sizeof(buf));
	if (!tracefs)
		return fail(cmd, -ENOENT, "no tracefs (mounting it failed)");
	ret = dynevent_write(tracefs, control_file(cmd->type), cmd->buf, cmd->error,
			     sizeof(cmd->error));
	/* cmd->error: the kernel's reason, empty when its error_log said nothing */
	cmd->err = ret;
	return ret;
}

int surf_dynevent__enable(const char *tracefs, const char *group, const char *event, bool enable)
{
	char buf[256], path[1024];
	int fd, err = 0;

	tracefs = find_tracefs(tracefs, buf, sizeof(buf));
	if (!tracefs)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/events/%s/%s/enable", tracefs, group, event);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC);
	if (fd < 0)
		return -errno;
	if (write(fd, enable ? "1" : "0", 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

int surf_dynevent__delete(const char *tracefs, enum surf_dynevent_type type, const char *group,
			  const char *event)
{
	char buf[256], del[256];

	tracefs = find_tracefs(tracefs, buf, sizeof(buf));
	if (!tracefs)
		return -ENOENT;
	snprintf(del, sizeof(del), "-:%s/%s", group, event);
	return dynevent_write(tracefs, control_file(type), del, NULL, 0);
}

// SPDX-License-Identifier: MIT
/*
 * The tracefs side of the engine: writing and removing dynamic events in the
 * engine's own group, reading their ids and formats, the kernel's error_log,
 * and removing what runs that were killed left behind.
 *
 * The group is surftrace_<pid>_<token>, claimed with a lock that a sweep
 * checks (probe/run_claim.c says why a pid alone cannot name a run), so that
 * a run only ever writes and removes events in a group that no other run can
 * have, and a sweep removes a group only when its run is provably gone.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/internal.h"
#include "probe/run_claim.h"
#include "sys/util.h"

void dyn_note_command(struct surf_engine *e, const char *fmt, ...)
{
	char line[8192];
	size_t n;
	char *grown;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	grown = realloc(e->commands, e->commands_len + n + 2);
	if (!grown)
		return;
	e->commands = grown;
	memcpy(e->commands + e->commands_len, line, n);
	e->commands_len += n;
	e->commands[e->commands_len++] = '\n';
	e->commands[e->commands_len] = '\0';
}

/* The last entry of tracefs error_log: the kernel's own words for a refusal. */
static void read_error_log(struct surf_engine *e)
{
	char path[512], *log, *last = NULL, *p;

	snprintf(path, sizeof(path), "%s/error_log", e->tracefs);
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
		snprintf(e->last_error, sizeof(e->last_error), "%s", last);
	}
	free(log);
}

int dyn_write(struct surf_engine *e, const char *file, const char *text, bool append)
{
	char path[512];
	size_t n = strlen(text);
	ssize_t ret;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", e->tracefs, file);
	fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd < 0) {
		snprintf(e->last_error, sizeof(e->last_error), "cannot open %s: %s", path,
			 strerror(errno));
		return -errno;
	}
	ret = write(fd, text, n);
	if (ret < 0) {
		int err = -errno;

		e->last_error[0] = '\0';
		read_error_log(e);
		close(fd);
		return err;
	}
	close(fd);
	return (size_t)ret == n ? 0 : -EIO;
}

int dyn_create(struct surf_engine *e, struct surf_event *ev, const char *definition)
{
	int ret;

	/*
	 * No retry on EEXIST: the event is not ours (our group is unique, and
	 * the name is already taken in it), so it is not ours to remove either.
	 */
	ret = dyn_write(e, ev->control, definition, true);
	dyn_note_command(e, "echo '%s' >> %s/%s", definition, e->tracefs, ev->control);
	if (ret == 0)
		ev->created = true;
	return ret;
}

void dyn_remove(struct surf_engine *e, struct surf_event *ev)
{
	char del[256];

	if (!ev->created)
		return;
	snprintf(del, sizeof(del), "-:%s/%s", ev->group, ev->name);
	if (dyn_write(e, ev->control, del, true) == 0)
		ev->created = false;
	dyn_note_command(e, "echo '%s' >> %s/%s", del, e->tracefs, ev->control);
}

int dyn_read_id(struct surf_engine *e, const char *group, const char *name)
{
	char path[512], *text;
	int id;

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", e->tracefs, group, name);
	text = surf_read_file(path, NULL);
	if (!text)
		return errno == ENOENT ? -ENOENT : -errno;
	id = atoi(text);
	free(text);
	return id > 0 ? id : -EINVAL;
}

char *dyn_read_format(struct surf_engine *e, const char *group, const char *name, size_t *size)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/events/%s/%s/format", e->tracefs, group, name);
	return surf_read_file(path, size);
}

int dyn_claim_group(struct surf_engine *e)
{
	/* The kernel's pid, as older sweeps and people read it: known by self_setup in a namespace. */
	int pid = e->self_tgid > 0 ? e->self_tgid : surf_initial_pid();
	int ret;

	if (e->group[0])
		return 0;	/* opts.group: the caller's to keep unique */
	ret = surf_run_claim__take(&e->claim, e->tracefs, "surftrace_", pid);
	if (!ret)
		snprintf(e->group, sizeof(e->group), "%s", e->claim.name);
	return ret;
}

void dyn_release_group(struct surf_engine *e)
{
	surf_run_claim__release(&e->claim);
}

/*
 * Remove the events of dead runs' groups from one control file: a group
 * surftrace_<pid>_<token> whose run no longer holds its lock, or an old
 * surftrace_<pid> (older builds) whose pid is gone.
 */
static int sweep_file(const char *tracefs, const char *file)
{
	char path[512], *text, *line, *save = NULL;
	int removed = 0;

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	text = surf_read_file(path, NULL);
	if (!text)
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *group = strchr(line, ':'), *slash, *space, del[256];
		long pid;
		int fd;

		if (!group++ || !(slash = strchr(group, '/')))
			continue;
		if (!surf_run_claim__dead(tracefs, "surftrace_", group, (size_t)(slash - group), &pid))
			continue;
		space = strchr(slash, ' ');
		if (space)
			*space = '\0';
		snprintf(del, sizeof(del), "-:%s", group);
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0)
			break;
		if (write(fd, del, strlen(del)) > 0)
			removed++;
		close(fd);
	}
	free(text);
	return removed;
}

int surf_engine__sweep_stale(const char *tracefs)
{
	return sweep_file(tracefs, "kprobe_events") + sweep_file(tracefs, "uprobe_events");
}

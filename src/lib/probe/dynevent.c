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

#include <surf/dynevent.h>

#include "engine/internal.h"
#include "probe/dynevent_cmd.h"
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

int dyn_create(struct surf_engine *e, struct surf_event *ev, struct surf_dynevent_cmd *cmd)
{
	int ret;

	/*
	 * No retry on EEXIST: the event is not ours (our group is unique, and
	 * the name is already taken in it), so it is not ours to remove either.
	 */
	ret = surf_dynevent_cmd__end(cmd, e->tracefs);
	if (ret)
		snprintf(e->last_error, sizeof(e->last_error), "%s", cmd->error);
	dyn_note_command(e, "echo '%s' >> %s/%s", cmd->buf, e->tracefs, ev->control);
	if (ret == 0)
		ev->created = true;
	return ret;
}

void dyn_remove(struct surf_engine *e, struct surf_event *ev)
{
	enum surf_dynevent_type type;

	if (!ev->created)
		return;
	type = strcmp(ev->control, "uprobe_events") ? SURF_DYNEVENT_KPROBE : SURF_DYNEVENT_UPROBE;
	if (surf_dynevent__delete(e->tracefs, type, ev->group, ev->name) == 0)
		ev->created = false;
	dyn_note_command(e, "echo '-:%s/%s' >> %s/%s", ev->group, ev->name, e->tracefs,
			 ev->control);
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

		if (!group++ || !(slash = strchr(group, '/')))
			continue;
		if (!surf_run_claim__dead(tracefs, "surftrace_", group, (size_t)(slash - group), &pid))
			continue;
		space = strchr(slash, ' ');
		if (space)
			*space = '\0';
		snprintf(del, sizeof(del), "-:%s", group);
		if (dynevent_write(tracefs, file, del, NULL, 0) == 0)
			removed++;
	}
	free(text);
	return removed;
}

int surf_engine__sweep_stale(const char *tracefs)
{
	return sweep_file(tracefs, "kprobe_events") + sweep_file(tracefs, "uprobe_events");
}

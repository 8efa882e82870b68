// SPDX-License-Identifier: MIT
/*
 * What tracefs describes: tracepoint formats (with libtraceevent), the
 * traceable functions, the list of events.  Finding and mounting tracefs is
 * in tracefs_mount.c, apart, so that clcc tools, which need only that, link
 * without libtraceevent.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include <surf/expr.h>
#include <surf/tracefs.h>

#include "sys/util.h"

/* The kernel's filter_assign_type(): which fields compare as strings. */
static enum surf_filter_class field_class(const char *type, bool is_signed)
{
	if (strstr(type, "__data_loc") || strstr(type, "__rel_loc"))
		return strstr(type, "char") ? SURF_FILTER_STRING : SURF_FILTER_UNCHECKED;
	if (strstr(type, "char[") || !strcmp(type, "char *") || !strcmp(type, "const char *"))
		return SURF_FILTER_STRING;
	if (strchr(type, '['))
		return SURF_FILTER_UNCHECKED;
	return is_signed ? SURF_FILTER_SIGNED : SURF_FILTER_UNSIGNED;
}

int surf_tracefs__event_fields(const char *tracefs, const char *group, const char *event,
			       struct surf_event_field *fields, int max)
{
	struct tep_handle *tep;
	struct tep_event *ev = NULL;
	struct tep_format_field *lists[2], *f;
	char path[4096];
	size_t size;
	char *fmt;
	int n = 0;

	if (strchr(group, '/') || strchr(event, '/') || !strcmp(group, "..") || !strcmp(event, ".."))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tracefs, group, event);
	fmt = surf_read_file(path, &size);
	if (!fmt)
		return errno == EACCES ? -EACCES : -ENOENT;
	tep = tep_alloc();
	if (!tep || tep_parse_format(tep, &ev, fmt, size, group) != TEP_ERRNO__SUCCESS) {
		tep_free(tep);
		free(fmt);
		return -EINVAL;
	}
	lists[0] = ev->format.common_fields;
	lists[1] = ev->format.fields;
	for (int l = 0; l < 2; l++)
		for (f = lists[l]; f && n < max; f = f->next) {
			fields[n].name = strdup(f->name);
			if (!fields[n].name) {
				surf_event_fields__clear(fields, n);
				n = -ENOMEM;
				goto out;
			}
			fields[n++].cls = field_class(f->type, f->flags & TEP_FIELD_IS_SIGNED);
		}
out:
	tep_free(tep);
	free(fmt);
	return n;
}

int surf_tracefs__traceable(const char *tracefs, const char *sym, char *out, size_t len)
{
	static const char *const clones[] = { ".isra.", ".constprop.", ".part." };
	char path[4096], *list, *line, *save = NULL;
	size_t n = strlen(sym);
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "%s/available_filter_functions", tracefs);
	list = surf_read_file(path, NULL);
	if (!list)
		return -errno;
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* "name" or "name [module]" */
		size_t len_name = strcspn(line, " \t");

		if (strncmp(line, sym, n))
			continue;
		if (len_name == n) {
			snprintf(out, len, "%s", sym);
			ret = 0;
			break;
		}
		/* The first clone in byte order (as the per-boot cache finds it). */
		for (size_t i = 0; i < sizeof(clones) / sizeof(clones[0]); i++) {
			if (!strncmp(line + n, clones[i], strlen(clones[i])) &&
			    (ret || strncmp(line, out, len_name) < 0 ||
			     (!strncmp(line, out, len_name) && strlen(out) > len_name))) {
				snprintf(out, len, "%.*s", (int)len_name, line);
				ret = 0;	/* keep looking for the exact name */
			}
		}
	}
	free(list);
	return ret;
}

int surf_tracefs__print_events(const char *tracefs, const char *glob, FILE *out)
{
	struct dirent **groups = NULL, **events = NULL;
	char path[4096], name[512];
	int ng, ne, count = 0;

	snprintf(path, sizeof(path), "%s/events", tracefs);
	ng = scandir(path, &groups, NULL, alphasort);
	if (ng < 0)
		return -errno;
	for (int g = 0; g < ng; g++) {
		if (groups[g]->d_name[0] == '.' || groups[g]->d_type != DT_DIR)
			goto next_group;
		snprintf(path, sizeof(path), "%s/events/%s", tracefs, groups[g]->d_name);
		ne = scandir(path, &events, NULL, alphasort);
		for (int e = 0; e < ne; e++) {
			if (events[e]->d_name[0] != '.' && events[e]->d_type == DT_DIR) {
				snprintf(name, sizeof(name), "%s:%s", groups[g]->d_name,
					 events[e]->d_name);
				if (!fnmatch(glob, name, 0)) {
					fprintf(out, "%s\n", name);
					count++;
				}
			}
			free(events[e]);
		}
		free(events);
next_group:
		free(groups[g]);
	}
	free(groups);
	return count;
}

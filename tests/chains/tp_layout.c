/* SPDX-License-Identifier: MIT */
/*
 * tp_layout - the layout of every tracepoint's record as surftrace decodes it,
 * for tests/chains/check_chains.sh.
 *
 *     tp_layout TRACEFS
 *
 * Each TRACEFS/events/GROUP/EVENT/format is loaded into an offline engine
 * (surf_engine__add_format: the parser surftrace runs on every event it
 * traces), and each field that is not common_* is printed as surftrace will
 * read it, fields separated by tabs:
 *
 *     GROUP/EVENT  FIELD  KIND  OFFSET  SIZE  SIGNED
 *
 * KIND  int, string (a char array), array (SIZE: of one element), or
 *       dyn (__data_loc: OFFSET is that of the 32-bit location word;
 *       SIZE and SIGNED are then "-")
 * The checker compares these with gcc's offsetof/sizeof over the kernel's
 * struct trace_event_raw_* in vmlinux.h.  Formats that do not parse are
 * listed on stderr.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <surf/engine.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *nb;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 16384;
			nb = realloc(buf, cap + 1);
			if (!nb)
				break;
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

static void noop(void *ctx, const struct surf_record *rec)
{
	(void)ctx;
	(void)rec;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	struct surf_engine_opts opts = { .sz = sizeof(opts), .offline = true };
	struct dirent **groups;
	char dir[4096];
	uint64_t id = 1;
	int ngroups, bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: tp_layout TRACEFS\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/events", argv[1]);
	ngroups = scandir(dir, &groups, NULL, by_name);
	if (ngroups < 0) {
		perror(dir);
		return 2;
	}
	for (int g = 0; g < ngroups; g++) {
		const char *group = groups[g]->d_name;
		struct dirent **events;
		int nevents;

		snprintf(dir, sizeof(dir), "%s/events/%s", argv[1], group);
		nevents = group[0] == '.' ? -1 : scandir(dir, &events, NULL, by_name);
		for (int e = 0; e < nevents; e++) {
			const char *event = events[e]->d_name;
			struct surf_engine *eng;
			struct surf_event *ev;
			char path[4096], *format;

			snprintf(path, sizeof(path), "%s/events/%s/%s/format", argv[1], group, event);
			format = event[0] == '.' ? NULL : slurp(path);
			if (!format || surf_engine__new(&eng, &opts)) {
				free(format);
				continue;
			}
			if (surf_engine__add_format(eng, group, format, id++, noop, NULL, &ev)) {
				fprintf(stderr, "tp_layout: %s/%s: the format does not parse\n", group,
					event);
				bad++;
			} else {
				for (int i = 0; i < surf_event__nfields(ev); i++) {
					const struct surf_field_info *f = surf_event__field_info(ev, i);

					if (f->common)
						continue;
					if (f->dynamic)
						printf("%s/%s\t%s\tdyn\t%u\t-\t-\n", group, event, f->name,
						       f->offset);
					else
						printf("%s/%s\t%s\t%s\t%u\t%u\t%d\n", group, event, f->name,
						       f->kind == SURF_FIELD_INT ? "int" :
						       f->kind == SURF_FIELD_STRING ? "string" : "array",
						       f->offset, f->size, f->is_signed);
				}
			}
			surf_engine__free(eng);
			free(format);
			free(events[e]);
		}
		if (nevents >= 0)
			free(events);
		free(groups[g]);
	}
	free(groups);
	return bad ? 1 : 0;
}

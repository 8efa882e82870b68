// SPDX-License-Identifier: MIT
/*
 * Shell commands for compiled probes, in the form the original surftrace
 * printed them (`echo 'p:f0 ...' >> .../kprobe_events`), so that what -S shows
 * can be pasted into a root shell and does exactly what surftrace would do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <surf/script.h>

#define DEFAULT_TRACEFS "/sys/kernel/tracing"
#define DEFAULT_INSTANCE "surftrace"

static bool is_uprobe(const struct surf_probe_def *def)
{
	return def->kind == SURF_PROBE_UPROBE || def->kind == SURF_PROBE_URETPROBE ||
	       def->kind == SURF_PROBE_USDT;
}

/* Single-quote for the shell: ' becomes '\''. */
static void quoted(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else
			fputc(*s, out);
	}
	fputc('\'', out);
}

static void event_dir(FILE *out, const char *inst, const struct surf_probe_def *def)
{
	if (def->kind == SURF_PROBE_EVENT)
		fprintf(out, "%s/events/%s/%s", inst, def->group, def->event);
	else
		fprintf(out, "%s/events/%s/%s", inst, is_uprobe(def) ? "uprobes" : "kprobes",
			def->name);
}

static void setup(FILE *out, const char *tfs, const char *inst, const struct surf_probe_def *def)
{
	char *line = surf_probe_def__definition(def, NULL);

	if (line) {
		fputs("echo ", out);
		quoted(out, line);
		fprintf(out, " >> %s/%s\n", tfs, is_uprobe(def) ? "uprobe_events" : "kprobe_events");
	}
	if (def->filter) {
		fputs("echo ", out);
		quoted(out, def->filter);
		fputs(" > ", out);
		event_dir(out, inst, def);
		fputs("/filter\n", out);
	}
	fputs("echo 1 > ", out);
	event_dir(out, inst, def);
	fputs("/enable\n", out);
	free(line);
}

static void cleanup(FILE *out, const char *tfs, const char *inst, const struct surf_probe_def *def)
{
	fputs("echo 0 > ", out);
	event_dir(out, inst, def);
	fputs("/enable\n", out);
	if (def->filter) {
		fputs("echo 0 > ", out);
		event_dir(out, inst, def);
		fputs("/filter\n", out);
	}
	if (def->kind != SURF_PROBE_EVENT)
		fprintf(out, "echo '-:%s' >> %s/%s\n", def->name, tfs,
			is_uprobe(def) ? "uprobe_events" : "kprobe_events");
}

int surf_script__write(FILE *out, struct surf_probe_def *const *defs, int ndefs,
		       const struct surf_script_opts *opts)
{
	const char *tfs = opts && opts->tracefs ? opts->tracefs : DEFAULT_TRACEFS;
	const char *name = opts && opts->instance ? opts->instance : DEFAULT_INSTANCE;
	bool full = opts && opts->full, stack = opts && opts->stack;
	char inst[4096];

	snprintf(inst, sizeof(inst), "%s/instances/%s", tfs, name);
	if (full) {
		fputs("#!/bin/sh\n# Written by surftrace -o: sets the probes up, streams events "
		      "until Ctrl-C, then removes everything.\n", out);
		fputs("trap ':' INT QUIT TERM PIPE HUP\n", out);
		fprintf(out, "[ -d %s/events ] || mount -t tracefs nodev %s || exit 1\n", tfs, tfs);
	}
	fprintf(out, "mkdir -p %s\n", inst);
	for (int i = 0; i < ndefs; i++)
		setup(out, tfs, inst, defs[i]);
	fprintf(out, "echo %d > %s/options/stacktrace\n", stack ? 1 : 0, inst);
	fprintf(out, "echo 1 > %s/tracing_on\n", inst);
	if (!full)
		return ferror(out) ? -EIO : 0;

	fprintf(out, "cat %s/trace_pipe\n", inst);
	fprintf(out, "echo 0 > %s/tracing_on\n", inst);
	for (int i = 0; i < ndefs; i++)
		cleanup(out, tfs, inst, defs[i]);
	if (stack)
		fprintf(out, "echo 0 > %s/options/stacktrace\n", inst);
	fprintf(out, "rmdir %s\n", inst);
	return ferror(out) ? -EIO : 0;
}

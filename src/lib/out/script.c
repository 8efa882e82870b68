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

#include "sys/opts.h"

#define DEFAULT_TRACEFS "/sys/kernel/tracing"
#define DEFAULT_INSTANCE "surftrace"
/* Not surftrace_<digits>: sweeps of surftrace runs leave script runs alone. */
#define SCRIPT_PREFIX "surftrace_sh_"

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

/*
 * Where the commands point: the instance directory, and the group of the
 * probes (NULL: tracefs's default kprobes/uprobes, as -S prints them; "$G" in
 * a full script: the name each of its runs makes).
 */
struct place {
	const char *tfs;
	char inst[4096];
	const char *group;
};

static const char *control_file(const struct surf_probe_def *def)
{
	return surf_probe_kind__is_user(def->kind) ? "uprobe_events" : "kprobe_events";
}

static void event_dir(FILE *out, const struct place *pl, const struct surf_probe_def *def)
{
	if (def->kind == SURF_PROBE_EVENT)
		fprintf(out, "%s/events/%s/%s", pl->inst, def->group, def->event);
	else
		fprintf(out, "%s/events/%s/%s", pl->inst,
			pl->group ? pl->group : surf_probe_kind__is_user(def->kind) ? "uprobes" : "kprobes", def->name);
}

/* echo 'p:f0 REST', or with the run's group echo "p:$G/f0" 'REST' (echo joins them with a space). */
static void echo_definition(FILE *out, const struct place *pl, const char *line)
{
	const char *colon = strchr(line, ':'), *space = strchr(line, ' ');

	fputs("echo ", out);
	if (!pl->group || !colon || !space) {
		quoted(out, line);
		return;
	}
	fprintf(out, "\"%.*s%s/%.*s\" ", (int)(colon + 1 - line), line, pl->group,
		(int)(space - colon - 1), colon + 1);
	quoted(out, space + 1);
}

static void setup(FILE *out, const struct place *pl, const struct surf_probe_def *def)
{
	char *line = surf_probe_def__definition(def, NULL);

	if (line) {
		echo_definition(out, pl, line);
		fprintf(out, " >> %s/%s\n", pl->tfs, control_file(def));
	}
	if (def->filter) {
		fputs("echo ", out);
		quoted(out, def->filter);
		fputs(" > ", out);
		event_dir(out, pl, def);
		fputs("/filter\n", out);
	}
	fputs("echo 1 > ", out);
	event_dir(out, pl, def);
	fputs("/enable\n", out);
	free(line);
}

static void cleanup(FILE *out, const struct place *pl, const struct surf_probe_def *def)
{
	fputs("echo 0 > ", out);
	event_dir(out, pl, def);
	fputs("/enable\n", out);
	if (def->filter) {
		fputs("echo 0 > ", out);
		event_dir(out, pl, def);
		fputs("/filter\n", out);
	}
	if (def->kind != SURF_PROBE_EVENT)
		fprintf(out, "echo \"-:%s/%s\" >> %s/%s\n", pl->group, def->name, pl->tfs,
			control_file(def));
}

/*
 * A full script names its instance and its probes' group when it runs, from
 * the kernel's random uuid: two runs at once, of one script or of two, in one
 * PID namespace or in two, never share an instance (whose tracing_on the
 * first cleanup would turn off) or an event name (fN), and each cleanup
 * removes only what its own run made.
 */
static void make_name(FILE *out)
{
	fputs("IFS=- read -r a b c d e < /proc/sys/kernel/random/uuid || exit 1\n"
	      "G=" SCRIPT_PREFIX "$a$b$e\n", out);
}

int surf_script__write(FILE *out, struct surf_probe_def *const *defs, int ndefs,
		       const struct surf_script_opts *opts)
{
	struct surf_script_opts o;
	bool full, stack;
	const char *name;
	struct place pl = { 0 };

	if (!OPTS_VALID(opts, struct surf_script_opts))
		return -EINVAL;
	OPTS_COPY(&o, opts);
	full = o.full;
	stack = o.stack;
	name = o.instance ? o.instance : full ? "$G" : DEFAULT_INSTANCE;
	pl.tfs = o.tracefs ? o.tracefs : DEFAULT_TRACEFS;
	pl.group = full ? "$G" : NULL;

	snprintf(pl.inst, sizeof(pl.inst), "%s/instances/%s", pl.tfs, name);
	if (full) {
		fputs("#!/bin/sh\n# Written by surftrace -o: sets the probes up, streams events "
		      "until Ctrl-C, then removes everything.\n", out);
		fputs("trap ':' INT QUIT TERM PIPE HUP\n", out);
		fprintf(out, "[ -d %s/events ] || mount -t tracefs nodev %s || exit 1\n", pl.tfs,
			pl.tfs);
		make_name(out);
		fprintf(out, "mkdir %s || exit 1\n", pl.inst);
	} else {
		fprintf(out, "mkdir -p %s\n", pl.inst);
	}
	for (int i = 0; i < ndefs; i++)
		setup(out, &pl, defs[i]);
	fprintf(out, "echo %d > %s/options/stacktrace\n", stack ? 1 : 0, pl.inst);
	fprintf(out, "echo 1 > %s/tracing_on\n", pl.inst);
	if (!full)
		return ferror(out) ? -EIO : 0;

	fprintf(out, "echo \"tracing into %s until Ctrl-C\" >&2\n", pl.inst);
	fprintf(out, "cat %s/trace_pipe\n", pl.inst);
	fprintf(out, "echo 0 > %s/tracing_on\n", pl.inst);
	for (int i = 0; i < ndefs; i++)
		cleanup(out, &pl, defs[i]);
	if (stack)
		fprintf(out, "echo 0 > %s/options/stacktrace\n", pl.inst);
	fprintf(out, "rmdir %s\n", pl.inst);
	return ferror(out) ? -EIO : 0;
}

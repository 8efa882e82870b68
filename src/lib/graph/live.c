// SPDX-License-Identifier: MIT
/*
 * The tracefs side of a live surfgraph run.
 *
 * Every run makes the instance instances/surfgraph_<pid>_<token>, a name no
 * other run has in any PID namespace, claimed with a lock that tells a later
 * run whether it is still alive (probe/run_claim.c).  Where the kernel
 * lets instances run function_graph (it has set_graph_function there) the
 * whole set-up lives in it, and removing it undoes everything.  Older
 * kernels (6.1 among them) allow function_graph only at the top level: then
 * surfgraph takes the top level over, but only when nobody uses it
 * (current_tracer is nop, set_graph_function empty), and writes the
 * settings it is about to change into its instance's trace_marker.  Its own
 * exit puts them back; after a kill -9 the next run finds the instance of a
 * dead run, reads them from the instance's buffer and puts them back then.
 * So the state lives and dies with the instance, in the kernel, and needs no
 * file anywhere else.
 *
 * Every write is echoed as the shell command that does the same.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <surf/graph.h>
#include <surf/tracefs.h>

#include "sys/opts.h"
#include "graph/internal.h"
#include "probe/run_claim.h"
#include "sys/log.h"
#include "sys/util.h"

#define INSTANCE_PREFIX "surfgraph_"
#define SAVED_TAG "surfgraph-saved:"
#define MAX_VARIANTS 16

/* The top-level options surfgraph sets, saved and put back. */
static const char *const graph_options[] = {
	"funcgraph-proc", "funcgraph-cpu", "funcgraph-tail", "funcgraph-duration",
	"funcgraph-irqs", "funcgraph-overhead", "funcgraph-abstime",
};
#define NOPTIONS (sizeof(graph_options) / sizeof(graph_options[0]))

/* What a run changes at the top level, to put back. */
struct saved {
	long buffer_kb;			/* -1: not changed */
	int tracing_on;			/* -1: unknown */
	int options[NOPTIONS];		/* 0, 1, -1: unknown */
	char ftrace_pid[256];		/* "1,2,3" or "" */
	char notrace_pid[256];
};

struct surf_graph_live {
	char tracefs[256];
	char inst[512];			/* the instance */
	struct surf_run_claim claim;	/* its name and the proof that this run lives */
	char dir[512];			/* where function_graph runs: inst or tracefs */
	bool inst_made, top, tracer_set;
	unsigned int buffer_kb;		/* -b */
	struct saved saved;
	int fd;
	bool quiet;
	FILE *err;
};

static void echo(FILE *err, bool quiet, const char *value, const char *path, bool append)
{
	if (!quiet)
		fprintf(err, "echo %s %s %s\n", value, append ? ">>" : ">", path);
}

/* echo value > dir/file; an empty value just truncates (clears a filter). */
static int put(FILE *err, bool quiet, const char *dir, const char *file, const char *value,
	       bool append)
{
	char path[2048];
	size_t n = strlen(value);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	echo(err, quiet, value, path, append);
	fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return -errno;
	if (n && write(fd, value, n) != (ssize_t)n)
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

static int live_put(struct surf_graph_live *lv, const char *file, const char *value)
{
	return put(lv->err, lv->quiet, lv->dir, file, value, false);
}

static char *get(const char *dir, const char *file)
{
	char path[2048];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return surf_read_file(path, NULL);
}

static bool exists(const char *dir, const char *file)
{
	char path[2048];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

/* Is word one of the blank-separated words of text? */
static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; (p = strstr(p, word)); p += n)
		if ((p == text || p[-1] == ' ' || p[-1] == '\n') &&
		    (!p[n] || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* "1234\n5678\n" (or "no pid") as "1234,5678". */
static void pid_list(const char *text, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (const char *p = text; p && *p && n + 12 < len;) {
		char *end;
		long pid = strtol(p, &end, 10);

		if (end == p) {
			p++;
			continue;
		}
		n += (size_t)snprintf(out + n, len - n, "%s%ld", n ? "," : "", pid);
		p = end;
	}
}

static void save_state(const char *tracefs, struct saved *s)
{
	char dir[700], *text;

	text = get(tracefs, "tracing_on");
	s->tracing_on = text ? atoi(text) : -1;
	free(text);
	if (s->buffer_kb >= 0) {
		/* "1408" or "7 (expanded: 1408)": the size now */
		text = get(tracefs, "buffer_size_kb");
		s->buffer_kb = text ? atol(text) : -1;
		free(text);
	}
	text = get(tracefs, "set_ftrace_pid");
	pid_list(text, s->ftrace_pid, sizeof(s->ftrace_pid));
	free(text);
	text = get(tracefs, "set_ftrace_notrace_pid");
	pid_list(text, s->notrace_pid, sizeof(s->notrace_pid));
	free(text);
	snprintf(dir, sizeof(dir), "%s/options", tracefs);
	for (size_t i = 0; i < NOPTIONS; i++) {
		text = get(dir, graph_options[i]);
		s->options[i] = text ? atoi(text) : -1;
		free(text);
	}
}

static void format_state(const struct saved *s, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s tracing_on=%d buffer_size_kb=%ld", SAVED_TAG, s->tracing_on,
			 s->buffer_kb);

	for (size_t i = 0; i < NOPTIONS && n > 0 && (size_t)n < len; i++)
		n += snprintf(buf + n, len - (size_t)n, " %s=%d", graph_options[i], s->options[i]);
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " set_ftrace_pid=%s set_ftrace_notrace_pid=%s",
			 s->ftrace_pid, s->notrace_pid);
}

/* The values of SAVED_TAG's line in text; false when there is none. */
static bool parse_state(const char *text, struct saved *s)
{
	const char *p = text ? strstr(text, SAVED_TAG) : NULL;
	char line[1024], *tok, *save = NULL;

	if (!p)
		return false;
	p += strlen(SAVED_TAG);
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
	memset(s, 0, sizeof(*s));
	s->tracing_on = -1;
	s->buffer_kb = -1;
	for (size_t i = 0; i < NOPTIONS; i++)
		s->options[i] = -1;
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			continue;
		*eq++ = '\0';
		if (!strcmp(tok, "tracing_on"))
			s->tracing_on = atoi(eq);
		else if (!strcmp(tok, "buffer_size_kb"))
			s->buffer_kb = atol(eq);
		else if (!strcmp(tok, "set_ftrace_pid"))
			pid_list(eq, s->ftrace_pid, sizeof(s->ftrace_pid));
		else if (!strcmp(tok, "set_ftrace_notrace_pid"))
			pid_list(eq, s->notrace_pid, sizeof(s->notrace_pid));
		for (size_t i = 0; i < NOPTIONS; i++)
			if (!strcmp(tok, graph_options[i]))
				s->options[i] = atoi(eq);
	}
	return true;
}

/* Write a pid list back: "1,2" one pid a write, appended. */
static void put_pids(FILE *err, bool quiet, const char *tracefs, const char *file,
		     const char *list)
{
	char pid[16];

	put(err, quiet, tracefs, file, "", false);
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");

		snprintf(pid, sizeof(pid), "%.*s", (int)(n < 15 ? n : 15), p);
		put(err, quiet, tracefs, file, pid, true);
		p += n + (p[n] == ',');
	}
}

/* Put the top level back as it was (current_tracer only when it is still ours). */
static void restore_top(const char *tracefs, const struct saved *s, FILE *err, bool quiet)
{
	char dir[700], *cur = get(tracefs, "current_tracer");

	put(err, quiet, tracefs, "tracing_on", "0", false);
	if (cur && !strncmp(cur, "function_graph", 14))
		put(err, quiet, tracefs, "current_tracer", "nop", false);
	free(cur);
	put(err, quiet, tracefs, "set_graph_function", "", false);
	put_pids(err, quiet, tracefs, "set_ftrace_pid", s->ftrace_pid);
	if (exists(tracefs, "set_ftrace_notrace_pid"))
		put_pids(err, quiet, tracefs, "set_ftrace_notrace_pid", s->notrace_pid);
	snprintf(dir, sizeof(dir), "%s/options", tracefs);
	for (size_t i = 0; i < NOPTIONS; i++)
		if (s->options[i] >= 0)
			put(err, quiet, dir, graph_options[i], s->options[i] ? "1" : "0", false);
	if (s->buffer_kb > 0) {
		char kb[24];

		snprintf(kb, sizeof(kb), "%ld", s->buffer_kb);
		put(err, quiet, tracefs, "buffer_size_kb", kb, false);
	}
	if (s->tracing_on >= 0)
		put(err, quiet, tracefs, "tracing_on", s->tracing_on ? "1" : "0", false);
}

/* rmdir, retried while the kernel still holds the instance's files. */
static int remove_instance(const char *path, FILE *err, bool quiet)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	if (!quiet)
		fprintf(err, "rmdir %s\n", path);
	for (int i = 0; i < 50; i++) {
		if (!rmdir(path) || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		nanosleep(&ts, NULL);
	}
	return -errno;
}

static bool process_alive(int pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

/* Remove instances (and restore settings) left by surfgraph runs that were killed. */
static int sweep_stale(const char *tracefs, FILE *err, bool quiet)
{
	char dir[700], inst[1024];
	struct dirent *d;
	struct saved s;
	int removed = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/instances", tracefs);
	dp = opendir(dir);
	if (!dp)
		return 0;
	while ((d = readdir(dp))) {
		char *text;
		long pid;

		if (!surf_run_claim__dead(tracefs, INSTANCE_PREFIX, d->d_name, strlen(d->d_name), &pid))
			continue;
		snprintf(inst, sizeof(inst), "%s/%s", dir, d->d_name);
		surf_pr_info("cleaning up after run %ld, which was killed\n", pid);
		text = get(inst, "trace");
		if (parse_state(text, &s))
			restore_top(tracefs, &s, err, quiet);
		free(text);
		if (!remove_instance(inst, err, quiet))
			removed++;
	}
	closedir(dp);
	return removed;
}

static const char record_hint[] =
	"record a trace where it works (as root: echo FUNCTION > set_graph_function;\n"
	"echo function_graph > current_tracer; cat trace > FILE) and make the graphs here\n"
	"with: surfgraph -i FILE";

static int no_function_graph(const char *why)
{
	surf_pr_warn("%s\n", why);
	surf_pr_warn("%s\n", record_hint);
	return -EOPNOTSUPP;
}

/*
 * The names set_graph_function needs for function: itself, and the
 * compiler's copies (function.isra.0, .constprop.0, .cold) as
 * available_filter_functions lists them.  0 when it is not traceable.
 */
static int function_variants(const char *tracefs, const char *function,
			     char names[][SURF_GRAPH_NAME_MAX], int max, char *near,
			     size_t near_len)
{
	char *text = get(tracefs, "available_filter_functions"), *line, *save = NULL;
	size_t best = 4;
	int n = 0;

	near[0] = '\0';
	if (!text || !*text) {
		/* Unreadable: let the kernel judge the name. */
		free(text);
		snprintf(names[0], SURF_GRAPH_NAME_MAX, "%s", function);
		return 1;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t d;

		line[strcspn(line, " \t")] = '\0';
		if (surf_graph__name_matches(function, line)) {
			bool dup = false;

			for (int i = 0; i < n; i++)
				dup |= !strcmp(names[i], line);
			if (!dup && n < max)
				snprintf(names[n++], SURF_GRAPH_NAME_MAX, "%s", line);
			continue;
		}
		d = surf_edit_distance_max(function, line, 3);
		if (d < best) {
			best = d;
			snprintf(near, near_len, "%s", line);
		}
	}
	free(text);
	return n;
}

static int check_function(struct surf_graph_live *lv, const char *function,
			  char names[][SURF_GRAPH_NAME_MAX], int *n)
{
	char near[SURF_GRAPH_NAME_MAX];

	*n = function_variants(lv->tracefs, function, names, MAX_VARIANTS, near, sizeof(near));
	if (*n)
		return 0;
	surf_pr_warn("'%s' is not a function ftrace can trace (it is not in %s/"
		     "available_filter_functions)%s%s%s\n", function, lv->tracefs,
		     near[0] ? "; did you mean '" : "", near, near[0] ? "'?" : "");
	return -EINVAL;
}

/* The top level, when nobody else uses it. */
static int take_top(struct surf_graph_live *lv)
{
	char *cur = get(lv->tracefs, "current_tracer");
	char *graph = get(lv->tracefs, "set_graph_function");
	char line[1024];
	int ret = 0;

	if (cur)
		chomp(cur);
	if (graph)
		chomp(graph);
	if (cur && strcmp(cur, "nop")) {
		surf_pr_warn("the %s tracer is in use at the top level (%s/"
			"current_tracer), and this kernel runs function_graph only there; stop it "
			"(echo nop > %s/current_tracer) and try again\n", cur, lv->tracefs,
			lv->tracefs);
		ret = -EBUSY;
	} else if (graph && *graph && *graph != '#') {
		surf_pr_warn("%s/set_graph_function is set already (to %.60s...) "
			"and this kernel has only that one: is another function_graph user at "
			"work? Clear it (echo > %s/set_graph_function) and try again\n",
			lv->tracefs, graph, lv->tracefs);
		ret = -EBUSY;
	}
	free(cur);
	free(graph);
	if (ret)
		return ret;
	lv->top = true;
	snprintf(lv->dir, sizeof(lv->dir), "%s", lv->tracefs);
	lv->saved.buffer_kb = lv->buffer_kb ? 0 : -1;
	save_state(lv->tracefs, &lv->saved);
	format_state(&lv->saved, line, sizeof(line));
	/*
	 * The instance's buffer is left alone: resizing any buffer marks them
	 * all "expanded", and the top level's would stay at its boot size.
	 */
	ret = put(lv->err, lv->quiet, lv->inst, "trace_marker", line, false);
	if (ret) {
		surf_pr_warn("cannot keep the settings to restore in "
			"%s/trace_marker: %s\n", lv->inst, strerror(-ret));
		return -EIO;
	}
	/* A pid filter left at the top level would hide the calls. */
	put(lv->err, lv->quiet, lv->tracefs, "set_ftrace_pid", "", false);
	return 0;
}

static int make_instance(struct surf_graph_live *lv)
{
	char *tracers;
	int ret = surf_run_claim__take(&lv->claim, lv->tracefs, INSTANCE_PREFIX, surf_initial_pid());

	if (ret) {
		surf_pr_warn("cannot name the tracefs instance: %s\n", strerror(-ret));
		return -EIO;
	}
	snprintf(lv->inst, sizeof(lv->inst), "%s/instances/%s", lv->tracefs, lv->claim.name);
	if (!lv->quiet)
		fprintf(lv->err, "mkdir %s\n", lv->inst);
	if (mkdir(lv->inst, 0750)) {
		surf_pr_warn("cannot create the tracefs instance %s: %s\n", lv->inst,
			strerror(errno));
		return -EIO;
	}
	lv->inst_made = true;
	tracers = get(lv->inst, "available_tracers");
	if (tracers && has_word(tracers, "function_graph") &&
	    exists(lv->inst, "set_graph_function"))
		snprintf(lv->dir, sizeof(lv->dir), "%s", lv->inst);
	free(tracers);
	return lv->dir[0] ? 0 : take_top(lv);
}

static int set_up(struct surf_graph_live *lv, const struct surf_graph_live_opts *o,
		  char names[][SURF_GRAPH_NAME_MAX], int n)
{
	static const char *const options[] = {
		"funcgraph-proc", "funcgraph-cpu", "funcgraph-tail", "funcgraph-duration",
		"funcgraph-irqs", "funcgraph-overhead", "nofuncgraph-abstime",
	};
	char path[700], pid[16];
	int ret;

	live_put(lv, "tracing_on", "0");
	for (int i = 0; i < n; i++) {
		ret = put(lv->err, lv->quiet, lv->dir, "set_graph_function", names[i], i > 0);
		if (ret) {
			surf_pr_warn("the kernel refused %s as a graph "
				"function: %s\n", names[i], strerror(-ret));
			return -EINVAL;
		}
	}
	if (o->pid > 0) {
		snprintf(pid, sizeof(pid), "%d", o->pid);
		ret = live_put(lv, "set_ftrace_pid", pid);
		if (ret) {
			surf_pr_warn("cannot limit tracing to pid %d: %s\n", o->pid,
				strerror(-ret));
			return ret == -EINVAL || ret == -ESRCH ? -EINVAL : ret;
		}
	} else if (exists(lv->dir, "set_ftrace_notrace_pid")) {
		/* Not ourselves: our reads of trace_pipe may well call the function. */
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		live_put(lv, "set_ftrace_notrace_pid", pid);
	}
	if (lv->buffer_kb) {
		char kb[16];

		snprintf(kb, sizeof(kb), "%u", lv->buffer_kb);
		ret = live_put(lv, "buffer_size_kb", kb);
		if (ret) {
			surf_pr_warn("cannot make the buffer %s KB a CPU: %s\n", kb,
				strerror(-ret));
			return ret == -ENOMEM || ret == -EINVAL ? -EINVAL : ret;
		}
	}
	lv->tracer_set = true;
	ret = live_put(lv, "current_tracer", "function_graph");
	if (ret) {
		char why[256];

		snprintf(why, sizeof(why), "the kernel refused the function_graph tracer: %s",
			 strerror(-ret));
		return no_function_graph(why);
	}
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		live_put(lv, "trace_options", options[i]);
	snprintf(path, sizeof(path), "%s/trace_pipe", lv->dir);
	lv->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (lv->fd < 0) {
		surf_pr_warn("cannot open %s: %s\n", path, strerror(errno));
		return -EIO;
	}
	ret = live_put(lv, "tracing_on", "1");
	if (ret) {
		surf_pr_warn("cannot turn tracing on: %s\n", strerror(-ret));
		return -EIO;
	}
	return 0;
}

int surf_graph_live__start(struct surf_graph_live **lvp, const struct surf_graph_live_opts *opts)
{
	struct surf_graph_live_opts copy;
	const struct surf_graph_live_opts *o = &copy;
	char names[MAX_VARIANTS][SURF_GRAPH_NAME_MAX], *tracers, why[1024];
	struct surf_graph_live *lv = calloc(1, sizeof(*lv));
	int ret, n = 0;

	*lvp = NULL;
	if (!OPTS_VALID(opts, struct surf_graph_live_opts) || !opts || !OPTS_GET(opts, function, NULL)) {
		free(lv);
		return -EINVAL;
	}
	OPTS_COPY(&copy, opts);
	*lvp = lv;
	if (!lv)
		return -ENOMEM;
	lv->fd = -1;
	lv->err = o->echo;
	lv->quiet = !o->echo;
	lv->buffer_kb = o->buffer_kb;
	if (o->pid > 0 && !process_alive(o->pid)) {
		surf_pr_warn("there is no process %d to record\n", o->pid);
		return -EINVAL;
	}
	ret = surf_tracefs__find(lv->tracefs, sizeof(lv->tracefs), true);
	if (ret) {
		snprintf(why, sizeof(why), "no tracefs here (%s%s)", strerror(-ret),
			 ret == -EPERM || ret == -EACCES ? ": not root?" : "");
		return no_function_graph(why);
	}
	sweep_stale(lv->tracefs, lv->err, lv->quiet);
	tracers = get(lv->tracefs, "available_tracers");
	if (!tracers) {
		snprintf(why, sizeof(why), "cannot read %s/available_tracers: %s%s", lv->tracefs,
			 strerror(errno), errno == EACCES ? " (not root?)" : "");
		return no_function_graph(why);
	}
	chomp(tracers);
	if (!has_word(tracers, "function_graph")) {
		snprintf(why, sizeof(why), "%s, so nothing can be recorded here (%s/"
			 "available_tracers: %.300s)", surf_kernel__missing(SURF_FEATURE_FUNCTION_GRAPH),
			 lv->tracefs, tracers);
		free(tracers);
		return no_function_graph(why);
	}
	free(tracers);
	ret = check_function(lv, o->function, names, &n);
	if (ret)
		return ret;
	ret = make_instance(lv);
	return ret ? ret : set_up(lv, o, names, n);
}

int surf_graph_live__fd(const struct surf_graph_live *lv)
{
	return lv->fd;
}

void surf_graph_live__stop(struct surf_graph_live *lv)
{
	if (lv && lv->tracer_set)
		live_put(lv, "tracing_on", "0");
}

void surf_graph_live__free(struct surf_graph_live *lv)
{
	if (!lv)
		return;
	if (lv->fd >= 0)
		close(lv->fd);
	if (lv->top)
		restore_top(lv->tracefs, &lv->saved, lv->err, lv->quiet);
	else if (lv->tracer_set)
		live_put(lv, "tracing_on", "0");
	if (lv->inst_made && remove_instance(lv->inst, lv->err, lv->quiet))
		surf_pr_warn("cannot remove %s: %s\n", lv->inst, strerror(errno));
	surf_run_claim__release(&lv->claim);
	free(lv);
}

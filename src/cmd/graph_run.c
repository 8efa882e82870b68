// SPDX-License-Identifier: MIT
/*
 * One surfgraph run: lines from the live tracer or a saved trace, calls cut
 * out of them, and every output.
 *
 * As in surftrace, signal handlers only raise a flag; the loop notices it
 * and the one teardown path (surf_graph_live__free) runs for Ctrl-C, SIGTERM,
 * SIGHUP, SIGQUIT, a closed pipe, the -d time limit and errors alike.  The
 * files are written after tracefs is clean again.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <surf/graph.h>

#include "common.h"
#include "graph_run.h"

#define POLL_MS 100
#define READ_CHUNK 65536
#define READS_PER_POLL 64

struct run {
	const struct graph_run_opts *o;
	FILE *out, *err;
	struct surf_graph *g;
	struct surf_graph_tree *merged;
	struct surf_graph_tree *kept[SURF_GRAPH_SAVE_MAX];	/* the last calls, for -o */
	size_t nkept;
	char function[SURF_GRAPH_NAME_MAX];
	int error;			/* the first failure of an output */
	char *line;			/* a line read in part */
	size_t line_len, line_cap;
};

static void fail(struct run *r, int err, const char *what, const char *name)
{
	if (r->error)
		return;
	r->error = err;
	if (cmd_stop_signal == SIGPIPE)
		return;	/* the reader went away: nothing to say */
	fprintf(r->err, "surfgraph: cannot write %s%s%s: %s\n", what, name ? " " : "",
		name ? name : "", strerror(-err));
}

/* The function's name as a file name: anything odd becomes '_'. */
static void file_name(char *buf, size_t len, const char *function, const char *suffix)
{
	size_t n = 0;

	for (const char *p = function; *p && n + 1 < len; p++)
		buf[n++] = strchr("/ \\[]", *p) ? '_' : *p;
	buf[n] = '\0';
	snprintf(buf + n, len - n, "%s", suffix);
}

static int write_svg(struct run *r, const struct surf_graph_tree *t, const char *path)
{
	struct surf_graph_svg_opts so = { .sz = sizeof(so) };
	char sub[256], what[160], total[32];
	struct surf_graph_stats st;
	FILE *f;
	int ret;

	surf_graph__stats(r->g, &st);
	surf_graph_tree__describe(what, sizeof(what), t);
	surf_graph__format_time(total, sizeof(total), t->root->time_ns);
	snprintf(sub, sizeof(sub), "%s, %s%s", what, total, t->calls > 1 ? " in all" : "");
	if (t->calls > 1 && (st.dropped || st.lost_events))
		snprintf(sub + strlen(sub), sizeof(sub) - strlen(sub),
			 " (%llu calls dropped: lost events or unreadable lines)", st.dropped);
	so.subtitle = sub;
	f = fopen(path, "we");
	if (!f)
		return -errno;
	ret = surf_graph_tree__write_svg(t, &so, f);
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static void keep(struct run *r, struct surf_graph_tree *t)
{
	if (r->nkept == SURF_GRAPH_SAVE_MAX) {
		surf_graph_tree__free(r->kept[0]);
		memmove(r->kept, r->kept + 1, (SURF_GRAPH_SAVE_MAX - 1) * sizeof(r->kept[0]));
		r->nkept--;
	}
	r->kept[r->nkept++] = t;
}

/* One call's tree, as the mode wants it; the tree is kept for -o or freed. */
static void show_call(struct run *r, struct surf_graph_tree *t)
{
	const struct graph_run_opts *o = r->o;
	char path[SURF_GRAPH_NAME_MAX + 32], suffix[32];
	int ret;

	if (o->mode == GRAPH_MODE_TREE) {
		if (surf_graph_tree__print(t, r->out) || fputc('\n', r->out) == EOF)
			fail(r, -EIO, "the tree", NULL);
	}
	if (o->mode == GRAPH_MODE_SVG && o->step && t->index % o->step == 0) {
		snprintf(suffix, sizeof(suffix), "-%llu.svg", t->index);
		file_name(path, sizeof(path), r->function, suffix);
		ret = write_svg(r, t, path);
		if (ret)
			fail(r, ret, "", path);
		else if (!o->quiet)
			fprintf(r->err, "save %s\n", path);
	}
	if (o->save)
		keep(r, t);
	else
		surf_graph_tree__free(t);
}

static void on_call(void *ctx, const struct surf_graph_call *call)
{
	struct run *r = ctx;
	struct surf_graph_tree *t;
	struct surf_graph_stats st;

	if (r->error)
		return;
	if (!r->function[0]) {
		surf_graph__stats(r->g, &st);
		snprintf(r->function, sizeof(r->function), "%s", st.function);
	}
	if (r->o->mode == GRAPH_MODE_WALK &&
	    (surf_graph_call__print_walk(call, &r->o->tree, r->out) || fputc('\n', r->out) == EOF))
		fail(r, -EIO, "the walk", NULL);
	if (surf_graph_tree__new(&t) || surf_graph_tree__add_call(t, call, &r->o->tree) ||
	    surf_graph_tree__merge(r->merged, t)) {
		surf_graph_tree__free(t);
		fail(r, -ENOMEM, "the trees", NULL);
		return;
	}
	show_call(r, t);
}

static void on_line(void *ctx, const char *text)
{
	struct run *r = ctx;
	size_t n = strlen(text);

	if (r->o->mode != GRAPH_MODE_RAW || r->error)
		return;
	if (fputs(text, r->out) == EOF ||
	    ((!n || text[n - 1] != '\n') && fputc('\n', r->out) == EOF))
		fail(r, -EIO, "the lines", NULL);
}

/* Feed the complete lines of data; a line cut between reads waits for its end. */
static int feed(struct run *r, const char *data, size_t n)
{
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t part = nl ? (size_t)(nl - data) + 1 : n;
		int ret;

		if (r->line_len + part + 1 > r->line_cap) {
			size_t cap = (r->line_len + part + 1) * 2;
			char *l = realloc(r->line, cap);

			if (!l)
				return -ENOMEM;
			r->line = l;
			r->line_cap = cap;
		}
		memcpy(r->line + r->line_len, data, part);
		r->line_len += part;
		r->line[r->line_len] = '\0';
		data += part;
		n -= part;
		if (!nl)
			break;
		ret = surf_graph__feed(r->g, r->line);
		r->line_len = 0;
		if (ret)
			return ret;
	}
	return 0;
}

/* The rest of a line cut short at the end of the input. */
static int feed_rest(struct run *r)
{
	int ret = 0;

	if (r->line_len)
		ret = surf_graph__feed(r->g, r->line);
	r->line_len = 0;
	return ret;
}

/*
 * What trace_pipe has now, a bounded amount so that signals are seen: 0
 * when it is empty, 1 when there may be more.
 */
static int drain(struct run *r, int fd)
{
	char buf[READ_CHUNK];

	for (int i = 0; i < READS_PER_POLL; i++) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n == 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
			return 0;
		if (n < 0)
			return -errno;
		if (feed(r, buf, (size_t)n))
			return -ENOMEM;
	}
	return 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int record(struct run *r)
{
	const struct graph_run_opts *o = r->o;
	struct surf_graph_live_opts lo = {
		.sz = sizeof(lo), .function = o->function, .pid = o->pid,
		.buffer_kb = o->buffer_kb, .echo = o->quiet ? NULL : r->err,
	};
	struct surf_graph_live *live = NULL;
	double deadline;
	int status, ret = 0;

	/* Why it failed was said through the print callback (cmd_print_init). */
	ret = surf_graph_live__start(&live, &lo);
	status = ret == -EINVAL ? EXIT_BAD_INPUT : ret ? EXIT_SYSTEM : 0;
	ret = 0;
	if (status || cmd_stop_signal)
		goto out;
	/* From now: turning function_graph on can take seconds. */
	deadline = o->duration > 0 ? now() + o->duration : 0;
	if (!o->quiet)
		fprintf(r->err, "surfgraph: recording the calls of %s%s\n", o->function,
			deadline ? "" : "; Ctrl-C ends it");
	while (!cmd_stop_signal && !r->error && ret >= 0) {
		struct pollfd p = { .fd = surf_graph_live__fd(live), .events = POLLIN };

		/*
		 * poll() on trace_pipe waits for buffer_percent of the buffer:
		 * read every tick all the same, or the buffer overflows first.
		 */
		if (!ret)
			poll(&p, 1, POLL_MS);
		ret = drain(r, p.fd);
		/* Show it as it comes; a closed pipe is then noticed at once. */
		if (fflush(r->out) && errno == EPIPE)
			break;
		if (deadline && now() >= deadline)
			break;
	}
	surf_graph_live__stop(live);
	/* What is left, all of it: tracing is off, so it ends. */
	if (ret >= 0)
		while ((ret = drain(r, surf_graph_live__fd(live))) > 0 && !r->error)
			;
	if (ret > 0)
		ret = 0;	/* an output failed: that was said already */
	if (!ret)
		ret = feed_rest(r);
	if (ret) {
		fprintf(r->err, "surfgraph: reading %s failed: %s\n", "trace_pipe", strerror(-ret));
		status = EXIT_SYSTEM;
	}
out:
	surf_graph_live__free(live);
	return status;
}

/* A .tree file: its trees stand for the calls. */
static int from_trees(struct run *r, FILE *f)
{
	const struct graph_run_opts *o = r->o;
	struct surf_graph_tree *merged, **calls;
	unsigned long line;
	size_t n;
	int ret;

	if (o->mode == GRAPH_MODE_WALK || o->mode == GRAPH_MODE_RAW) {
		fprintf(r->err, "surfgraph: %s holds trees, not a trace: -m %s needs the trace "
			"itself\n", o->input, o->mode == GRAPH_MODE_WALK ? "walk" : "raw");
		return EXIT_BAD_INPUT;
	}
	ret = surf_graph_trees__load(f, r->function, sizeof(r->function), &merged, &calls, &n,
				     &line);
	if (ret) {
		fprintf(r->err, "surfgraph: %s:%lu: %s\n", o->input, line,
			ret == -EINVAL ? "not the .tree format of surfgraph(1)" : strerror(-ret));
		return EXIT_BAD_INPUT;
	}
	surf_graph_tree__free(r->merged);
	r->merged = merged;
	for (size_t i = 0; i < n; i++)
		show_call(r, calls[i]);
	free(calls);
	return 0;
}

static int read_input(struct run *r)
{
	const struct graph_run_opts *o = r->o;
	bool is_stdin = !strcmp(o->input, "-");
	FILE *f = is_stdin ? stdin : fopen(o->input, "re");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = 0, ret = 0;

	if (!f) {
		fprintf(r->err, "surfgraph: cannot open %s: %s\n", o->input, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	n = getline(&buf, &cap, f);
	if (n > 0 && surf_graph_trees__is_tree_file(buf)) {
		rewind(f);
		status = from_trees(r, f);
	} else {
		while (n >= 0 && !cmd_stop_signal && !r->error && !ret) {
			ret = surf_graph__feed(r->g, buf);
			n = getline(&buf, &cap, f);
		}
		if (ferror(f) && !cmd_stop_signal) {
			fprintf(r->err, "surfgraph: reading %s failed: %s\n", o->input,
				strerror(errno));
			status = EXIT_SYSTEM;
		}
	}
	if (ret) {
		fprintf(r->err, "surfgraph: %s\n", strerror(-ret));
		status = EXIT_SYSTEM;
	}
	free(buf);
	if (!is_stdin)
		fclose(f);
	return status;
}

static void summary(struct run *r, const struct surf_graph_stats *st)
{
	bool trouble = st->dropped || st->lost_events || st->bad_lines || st->incomplete;

	if (r->o->quiet && !trouble)
		return;
	fprintf(r->err, "surfgraph: %llu call%s of %s", st->calls, st->calls == 1 ? "" : "s",
		r->function);
	if (st->dropped)
		fprintf(r->err, ", %llu dropped (lost events or unreadable lines)", st->dropped);
	if (st->incomplete)
		fprintf(r->err, ", %llu still running at the end (left out)", st->incomplete);
	if (st->lost_events)
		fprintf(r->err, ", %llu events lost (%llu times); the kernel drops events when "
			"trace_pipe is not read fast enough: a bigger buffer (-b KB), a less busy "
			"function or -p PID help", st->lost_events, st->lost_markers);
	if (st->bad_lines)
		fprintf(r->err, ", %llu unreadable lines", st->bad_lines);
	fputc('\n', r->err);
}

static void write_folded(struct run *r)
{
	const char *path = r->o->folded;
	char name[SURF_GRAPH_NAME_MAX + 8];
	bool to_out = !strcmp(path, "-");
	FILE *f;
	int ret;

	if (!*path) {
		file_name(name, sizeof(name), r->function, ".folded");
		path = name;
	}
	f = to_out ? r->out : fopen(path, "we");

	if (!f) {
		fail(r, -errno, "", path);
		return;
	}
	ret = surf_graph_tree__print_folded(r->merged, f);
	if (!to_out && fclose(f) && !ret)
		ret = -errno;
	if (ret)
		fail(r, ret, "", to_out ? "the folded stacks" : path);
}

static void write_saved(struct run *r)
{
	const char *name = r->o->save;
	size_t n = strlen(name);
	char path[4096];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s%s", name,
		 n > 5 && !strcmp(name + n - 5, ".tree") ? "" : ".tree");
	f = fopen(path, "we");
	if (!f) {
		fail(r, -errno, "", path);
		return;
	}
	ret = surf_graph_trees__save(f, r->function, r->merged, r->kept, r->nkept);
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		fail(r, ret, "", path);
	else if (!r->o->quiet)
		fprintf(r->err, "save %s (%zu of %llu calls, and their merge)\n", path, r->nkept,
			r->merged->calls);
}

/* Everything that takes all the calls: written once the input is over. */
static void outputs(struct run *r)
{
	const struct graph_run_opts *o = r->o;
	char path[SURF_GRAPH_NAME_MAX + 8];
	int ret;

	if (o->mode == GRAPH_MODE_TREE && !r->error &&
	    (surf_graph_tree__print(r->merged, r->out) || fflush(r->out)))
		fail(r, -EIO, "the tree", NULL);
	if (o->mode == GRAPH_MODE_SVG && !r->error) {
		file_name(path, sizeof(path), r->function, ".svg");
		ret = write_svg(r, r->merged, path);
		if (ret)
			fail(r, ret, "", path);
		else if (!o->quiet)
			fprintf(r->err, "write %s\n", path);
	}
	if (o->folded && !r->error)
		write_folded(r);
	if (o->save && !r->error)
		write_saved(r);
}

static int finish(struct run *r)
{
	const struct graph_run_opts *o = r->o;
	struct surf_graph_stats st;

	surf_graph__finish(r->g);
	surf_graph__stats(r->g, &st);
	if (!r->function[0])
		snprintf(r->function, sizeof(r->function), "%s", st.function);
	if (!r->merged->root) {
		if (st.tracer[0] && strcmp(st.tracer, "function_graph")) {
			fprintf(r->err, "surfgraph: %s was made by the %s tracer; surfgraph reads "
				"function_graph traces\n", o->input, st.tracer);
			return EXIT_BAD_INPUT;
		}
		if (o->input && !st.calls && !st.dropped && !st.incomplete && !r->function[0]) {
			fprintf(r->err, "surfgraph: %s has no function_graph call lines\n",
				o->input);
			return EXIT_BAD_INPUT;
		}
		if (st.dropped || st.incomplete || st.lost_events || st.bad_lines)
			summary(r, &st);
		fprintf(r->err, "surfgraph: no complete call of %s%s%s: nothing to write",
			r->function[0] ? r->function : "the function", o->input ? " in " : "",
			o->input ? o->input : "");
		if (o->input && st.outermost[0] && strcmp(st.outermost, r->function))
			fprintf(r->err, " (its outermost function is %s)", st.outermost);
		if (!o->input)
			fprintf(r->err, " (%llu lines from trace_pipe)", st.lines);
		fputc('\n', r->err);
		return o->input ? EXIT_SYSTEM : 0;
	}
	outputs(r);
	if (st.lines && cmd_stop_signal != SIGPIPE)
		summary(r, &st);
	/* A reader that went away (| head) is a normal end. */
	return r->error && cmd_stop_signal != SIGPIPE ? EXIT_SYSTEM : 0;
}

int graph_run(const struct graph_run_opts *opts)
{
	struct graph_run_opts o = { .sz = sizeof(o) };
	struct surf_graph_opts gopts = {
		.sz = sizeof(gopts), .on_call = on_call, .on_line = on_line,
	};
	struct run r = { .o = &o };
	struct sigaction saved[CMD_NSIGNALS];
	int status;

	memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	r.out = o.out ? o.out : stdout;
	r.err = o.err ? o.err : stderr;
	if (!o.function && !o.input) {
		fprintf(r.err, "surfgraph: which function? -f FUNCTION (or -i FILE for a saved "
			"trace)\n");
		return EXIT_BAD_INPUT;
	}
	if (o.function)
		snprintf(r.function, sizeof(r.function), "%s", o.function);
	gopts.function = o.function;
	gopts.ctx = &r;
	if (surf_graph__new(&r.g, &gopts) || surf_graph_tree__new(&r.merged)) {
		surf_graph__free(r.g);
		return EXIT_SYSTEM;
	}
	cmd_signals_install(saved);
	status = o.input ? read_input(&r) : record(&r);
	if (!status)
		status = finish(&r);
	fflush(r.out);
	for (size_t i = 0; i < r.nkept; i++)
		surf_graph_tree__free(r.kept[i]);
	surf_graph_tree__free(r.merged);
	surf_graph__free(r.g);
	free(r.line);
	cmd_signals_restore(saved);
	if (!status && cmd_stop_signal && cmd_stop_signal != SIGINT && cmd_stop_signal != SIGPIPE)
		status = 128 + cmd_stop_signal;
	return status;
}

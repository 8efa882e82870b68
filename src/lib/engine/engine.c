// SPDX-License-Identifier: MIT
/*
 * The event engine's life cycle: rings per CPU, events (dynamic ones created
 * in the engine's tracefs group, or existing tracepoints) opened with
 * perf_event_open on every CPU and redirected into that CPU's ring, the poll
 * loop, and the teardown that leaves tracefs as it was found.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/membarrier.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include <surf/dynevent.h>
#include <surf/tracefs.h>

#include "sys/fault.h"
#include "engine/tep.h"
#include "sys/opts.h"
#include "sys/log.h"
#include "engine/internal.h"
#include "sys/util.h"

#define DEFAULT_RING_PAGES 1024
#define MAX_EVENTS 1024

static bool power_of_two(unsigned int v)
{
	return v && !(v & (v - 1));
}

/* Threads of a process, for per-task events. */
static int list_threads(struct surf_engine *e, int pid)
{
	char path[64];
	struct dirent *de;
	DIR *dir;
	int n = 0, *grown;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -ESRCH;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		grown = realloc(e->targets, sizeof(int) * (size_t)(n + 1));
		if (!grown) {
			closedir(dir);
			return -ENOMEM;
		}
		e->targets = grown;
		e->targets[n++] = atoi(de->d_name);
	}
	closedir(dir);
	e->ntargets = n;
	return n ? 0 : -ESRCH;
}

static int open_rings(struct surf_engine *e)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ret;

	e->ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	e->rings = calloc((size_t)e->ncpus, sizeof(*e->rings));
	if (!e->rings)
		return -ENOMEM;
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0)
		return -errno;
	for (int cpu = 0; cpu < e->ncpus; cpu++) {
		struct ring *r = &e->rings[e->nrings];

		r->fd = -1;
		r->bell_fd = -1;
		ret = ring_open(e, r, cpu);
		if (ret == -ENODEV || ret == -EINVAL)
			continue;	/* an offline CPU */
		if (ret)
			return ret;
		ev.data.ptr = r;
		if (surf_fault(SURF_FAULT_EPOLL_ADD) ? (errno = ENOMEM, 1) :
		    epoll_ctl(e->epfd, EPOLL_CTL_ADD, r->fd, &ev)) {
			ret = -errno;
			ring_close(r);	/* not counted in nrings: surf_engine__free would miss it */
			return ret;
		}
		bells_ring_open(e, r);
		e->nrings++;
	}
	return e->nrings ? 0 : -ENODEV;
}

int surf_engine__new(struct surf_engine **out, const struct surf_engine_opts *opts)
{
	struct surf_engine *e;
	int ret;

	surf_libbpf_hook();	/* libbpf speaks through our callback */
	if (!OPTS_VALID(opts, struct surf_engine_opts))
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->epfd = -1;
	e->ustr_map_fd = -1;
	e->lost_by_read = true;	/* until the kernel refuses PERF_FORMAT_LOST */
	e->bells_on = true;	/* a new engine expects a low rate (wakeup.c) */
	OPTS_COPY(&e->opts, opts);
	if (!e->opts.ring_pages)
		e->opts.ring_pages = DEFAULT_RING_PAGES;
	ret = -EINVAL;
	if (!power_of_two(e->opts.ring_pages))
		goto fail;
	snprintf(e->group, sizeof(e->group), "%s", e->opts.group ? e->opts.group : "");
	e->opts.group = NULL;
	/*
	 * PERIOD is not for its value: tracepoints that pass a count to perf
	 * (__perf_count: sched_stat_runtime, sched_stat_wait...) are otherwise
	 * emitted count times by perf_swevent_event (kernel/events/core.c) when
	 * sample_period is 1, and the copies are then throttled at the cost of
	 * real events.  With PERIOD sampled and no frequency, the kernel emits
	 * one sample with period = count, as for perf record.
	 */
	e->sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			 PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_RAW;
	if (e->opts.callchain)
		e->sample_type |= PERF_SAMPLE_CALLCHAIN;
	e->tep = tep_alloc();
	/*
	 * The record's word size: libtraceevent prints a long-sized %s field
	 * as a kernel string address (printk_formats) only when it knows it,
	 * and reads the bytes of the pointer as text otherwise.
	 */
	if (e->tep)
		tep_set_long_size(e->tep, (int)sizeof(long));
	ret = -ENOMEM;
	e->events = calloc(MAX_EVENTS, sizeof(*e->events));
	if (!e->tep || !e->events)
		goto fail;

	if (!e->opts.offline) {
		if (e->opts.tracefs)
			snprintf(e->tracefs, sizeof(e->tracefs), "%s", e->opts.tracefs);
		else if ((ret = surf_tracefs__find(e->tracefs, sizeof(e->tracefs), true)))
			goto fail;
		e->opts.tracefs = NULL;
		surf_engine__sweep_stale(e->tracefs);
		if (e->opts.exclude_self && (ret = self_setup(e)))
			goto fail;
		if ((ret = dyn_claim_group(e)))
			goto fail;
		if (e->opts.pid > 0) {
			ret = list_threads(e, e->opts.pid);
			if (ret)
				goto fail;
		}
		ret = open_rings(e);
		if (ret)
			goto fail;
	}
	if (!e->targets) {
		e->targets = malloc(sizeof(int));
		if (!e->targets) {
			ret = -ENOMEM;
			goto fail;
		}
		e->targets[0] = -1;
		e->ntargets = 1;
	}
	if (e->opts.workers) {
		ret = pool_new(&e->pool, e->opts.workers, e->opts.queue_len);
		if (ret)
			goto fail;
	}
	*out = e;
	return 0;
fail:
	surf_engine__free(e);
	return ret;
}

static void event_close(struct surf_event *ev)
{
	for (int i = 0; i < ev->nfds; i++)
		if (ev->fds[i] >= 0)
			close(ev->fds[i]);
	ev->nfds = 0;
	bells_event_close(ev);
	if (ev->ustr_anchor_fd >= 0)
		close(ev->ustr_anchor_fd);
	ev->ustr_anchor_fd = -1;
	/* After the perf events: closing them detached it from the tracepoint. */
	if (ev->ustr_prog_fd >= 0)
		close(ev->ustr_prog_fd);
	ev->ustr_prog_fd = -1;
}

static void event_free(struct surf_event *ev)
{
	free(ev->fds);
	free(ev->fields);
	free(ev->filter);
	free(ev);
}

void surf_engine__free(struct surf_engine *e)
{
	if (!e)
		return;
	/* Perf fds first: the kernel refuses to delete an event still open. */
	for (int i = 0; i < e->nevents; i++) {
		for (int f = 0; f < e->events[i]->nfds; f++)
			if (e->events[i]->fds[f] >= 0)
				ioctl(e->events[i]->fds[f], PERF_EVENT_IOC_DISABLE, 0);
	}
	pool_free(e->pool);
	for (int i = 0; i < e->nevents; i++) {
		event_close(e->events[i]);
		dyn_remove(e, e->events[i]);
		event_free(e->events[i]);
	}
	dyn_release_group(e);
	ustr_free(e);
	fields_free_enums(e);
	for (int i = 0; i < e->nrings; i++)
		ring_close(&e->rings[i]);
	if (e->epfd >= 0)
		close(e->epfd);
	tep_free(e->tep);
	comm_free(e);
	free(e->rings);
	free(e->events);
	free(e->ids);
	free(e->targets);
	free(e->commands);
	free(e->self_filter);
	free(e);
}

/*
 * The kernel counts the records of an event it could not write
 * (PERF_FORMAT_LOST, Linux 6.0): exact where PERF_RECORD_LOST is not, as the
 * kernel writes that record only when a later record fits (none may come
 * after the last losses) and for whichever event's record fits next.
 */
static int perf_open_counting_lost(struct surf_engine *e, struct perf_event_attr *attr, int pid,
				   int cpu)
{
	int fd;

	attr->read_format = e->lost_by_read ? PERF_FORMAT_LOST : 0;
	if (surf_fault(SURF_FAULT_EVENT_FD)) {
		errno = EMFILE;
		return -1;
	}
	fd = engine_perf_open(attr, pid, cpu);
	if (fd < 0 && errno == EINVAL && e->lost_by_read) {
		attr->read_format = 0;
		fd = engine_perf_open(attr, pid, cpu);
		if (fd >= 0)
			e->lost_by_read = false;
	}
	return fd;
}

/* The records the kernel could not write for the event behind fd (PERF_FORMAT_LOST). */
static uint64_t fd_lost(int fd)
{
	uint64_t values[2];	/* the count, the lost records */

	if (fd < 0 || read(fd, values, sizeof(values)) != (ssize_t)sizeof(values))
		return 0;
	return values[1];
}

/* Open ev's perf events on every CPU (and target), into that CPU's ring, with filter. */
int engine_placements(const struct surf_engine *e, const struct surf_event *ev)
{
	return e->nrings * (ev->pid_by_filter ? 1 : e->ntargets);
}

void engine_placement(const struct surf_engine *e, const struct surf_event *ev, int i, int *ring,
		      int *target)
{
	int per_ring = ev->pid_by_filter ? 1 : e->ntargets;

	*ring = i / per_ring;
	*target = ev->pid_by_filter ? -1 : e->targets[i % per_ring];
}

static int open_event_fds(struct surf_engine *e, struct surf_event *ev, const char *filter)
{
	struct perf_event_attr attr;
	uint64_t id;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = (uint64_t)ev->tp_id;
	attr.sample_period = 1;
	attr.sample_type = e->sample_type;
	attr.sample_id_all = 1;
	attr.disabled = 1;
	attr.use_clockid = 1;
	attr.clockid = CLOCK_MONOTONIC;
	attr.inherit = e->opts.inherit;
	for (int i = 0; i < engine_placements(e, ev); i++) {
		int r, target, fd;

		engine_placement(e, ev, i, &r, &target);
		fd = perf_open_counting_lost(e, &attr, target, e->rings[r].cpu);
		if (fd < 0) {
			ret = -errno;
			snprintf(e->last_error, sizeof(e->last_error),
				 "perf_event_open of %s/%s on CPU %d: %s", ev->group, ev->name,
				 e->rings[r].cpu, strerror(errno));
			return ret;
		}
		ev->fds[ev->nfds++] = fd;
		if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, e->rings[r].fd) ||
		    ioctl(fd, PERF_EVENT_IOC_ID, &id)) {
			ret = -errno;
			snprintf(e->last_error, sizeof(e->last_error),
				 "cannot attach %s/%s to the ring of CPU %d: %s", ev->group,
				 ev->name, e->rings[r].cpu, strerror(errno));
			return ret;
		}
		if (filter && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter)) {
			ret = -errno;
			snprintf(e->last_error, sizeof(e->last_error),
				 "the kernel refused the filter '%s' of %s/%s: %s", filter,
				 ev->group, ev->name, strerror(errno));
			return ret;
		}
		ret = engine_add_id(e, id, ev);
		if (ret)
			return ret;
	}
	/* The user's filter: the one on ourselves is the engine's business. */
	if (ev->filter)
		dyn_note_command(e, "# filter '%s' set on %s/%s through perf", ev->filter,
				 ev->group, ev->name);
	return 0;
}

/* Open ev on every CPU (and target), into that CPU's ring, with its filter. */
static int open_event(struct surf_engine *e, struct surf_event *ev)
{
	char *filter = ev->filter;
	int ret;

	ev->fds = calloc((size_t)(e->nrings * e->ntargets), sizeof(int));
	if (!ev->fds)
		return -ENOMEM;
	/* Events of every process (not those of -p, -c) would include ours. */
	if (e->self_filter && !ev->pid_by_filter && e->targets[0] == -1) {
		filter = self_combined_filter(e, ev->filter);
		if (!filter)
			return -ENOMEM;
	}
	ret = open_event_fds(e, ev, filter);
	if (!ret)
		bells_event_open(e, ev, filter);
	/* A running engine: the doorbells first, so that the data runs first (wakeup.c). */
	if (!ret && e->started) {
		bells_event_enable(ev, true);
		for (int f = 0; f < ev->nfds; f++)
			ioctl(ev->fds[f], PERF_EVENT_IOC_ENABLE, 0);
	}
	if (filter != ev->filter)
		free(filter);
	return ret;
}

static struct surf_event *event_new(struct surf_engine *e, surf_record_cb cb, void *ctx)
{
	struct surf_event *ev;

	if (e->nevents == MAX_EVENTS)
		return NULL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return NULL;
	ev->engine = e;
	ev->ustr_prog_fd = -1;
	ev->ustr_anchor_fd = -1;
	ev->cb = cb;
	ev->ctx = ctx;
	e->events[e->nevents++] = ev;
	return ev;
}

/*
 * Kernel strings that formats print by address (tracepoint_string, e.g.
 * rcu_utilization's "Start scheduler-tick"): the kernel lists them in
 * printk_formats, and libtraceevent prints them from that list.  Once.
 */
static void read_printk_formats(struct surf_engine *e)
{
	char path[512], *list;

	if (e->printk_formats_read)
		return;
	e->printk_formats_read = true;
	snprintf(path, sizeof(path), "%s/printk_formats", e->tracefs);
	list = surf_read_file(path, NULL);
	if (list)
		tep_parse_printk_formats(e->tep, list);
	free(list);
}

/* After the definition (if any): id, format, perf events. */
static int event_finish(struct surf_engine *e, struct surf_event *ev)
{
	size_t size;
	char *format;
	int ret;

	ev->tp_id = dyn_read_id(e, ev->group, ev->name);
	if (ev->tp_id < 0) {
		snprintf(e->last_error, sizeof(e->last_error), "no event %s/%s in %s/events",
			 ev->group, ev->name, e->tracefs);
		return ev->tp_id;
	}
	read_printk_formats(e);
	format = dyn_read_format(e, ev->group, ev->name, &size);
	if (!format)
		return -errno;
	ret = fields_from_format(e, ev, ev->group, format, size);
	free(format);
	if (ret) {
		snprintf(e->last_error, sizeof(e->last_error), "cannot parse the format of %s/%s",
			 ev->group, ev->name);
		return ret;
	}
	ret = open_event(e, ev);
	/* Without BPF the pointers are shown instead: not an error. */
	if (!ret)
		ustr_attach(e, ev);
	return ret;
}

/*
 * The kernel refuses per-task perf events on a uprobe with a reference
 * counter (a USDT semaphore): such an event is opened for all processes and
 * filtered on the pid instead (the pid only: its children are not followed).
 */
static int pid_filter_instead(struct surf_engine *e, struct surf_event *ev, const char *rest)
{
	char *combined;

	if (e->opts.pid <= 0 || !ev->control || strcmp(ev->control, "uprobe_events") ||
	    !rest || !strstr(rest, "(0x"))
		return 0;
	ev->pid_by_filter = true;
	if (asprintf(&combined, ev->filter ? "common_pid==%d&&(%s)" : "common_pid==%d",
		     e->opts.pid, ev->filter) < 0)
		return -ENOMEM;
	free(ev->filter);
	ev->filter = combined;
	return 0;
}

/*
 * A failed event is taken back whole: its perf events closed (so that
 * surf_engine__start has nothing of it to enable and no record of it can
 * come) and its tracefs definition removed.  The struct itself stays in the
 * engine until surf_engine__free: ids of it may be in the id table.
 */
static void event_abandon(struct surf_engine *e, struct surf_event *ev)
{
	for (int f = 0; f < ev->nfds; f++)
		if (ev->fds[f] >= 0)
			ioctl(ev->fds[f], PERF_EVENT_IOC_DISABLE, 0);
	event_close(ev);
	dyn_remove(e, ev);
	ev->abandoned = true;
}

static int add_event_steps(struct surf_engine *e, struct surf_event *ev, char kind,
			   const char *name, struct surf_dynevent_cmd *cmd, const char *filter);

/*
 * kind 'e': the tracepoint GROUP/NAME; otherwise the dynamic event NAME in
 * this engine's group, made by cmd (surf/dynevent.h, group included).
 */
static int add_event(struct surf_engine *e, char kind, const char *name,
		     struct surf_dynevent_cmd *cmd, const char *filter,
		     const struct surf_probe_def *def, surf_record_cb cb, void *ctx,
		     struct surf_event **out)
{
	struct surf_event *ev;
	int ret;

	if (e->opts.offline)
		return -EOPNOTSUPP;
	e->last_error[0] = '\0';
	ev = event_new(e, cb, ctx);
	if (!ev)
		return -ENOMEM;
	ev->def = def;
	ret = add_event_steps(e, ev, kind, name, cmd, filter);
	if (ret) {
		event_abandon(e, ev);
		return ret;
	}
	if (out)
		*out = ev;
	return 0;
}

static int add_event_steps(struct surf_engine *e, struct surf_event *ev, char kind,
			   const char *name, struct surf_dynevent_cmd *cmd, const char *filter)
{
	bool uprobe = cmd && (cmd->type == SURF_DYNEVENT_UPROBE ||
			      cmd->type == SURF_DYNEVENT_URETPROBE);
	int ret;

	if (filter && *filter && !(ev->filter = strdup(filter)))
		return -ENOMEM;
	if (kind == 'e') {
		const char *slash = strchr(name, '/');

		if (!slash)
			return -EINVAL;
		snprintf(ev->group, sizeof(ev->group), "%.*s", (int)(slash - name), name);
		snprintf(ev->name, sizeof(ev->name), "%s", slash + 1);
	} else {
		snprintf(ev->group, sizeof(ev->group), "%s", e->group);
		snprintf(ev->name, sizeof(ev->name), "%s", name);
		ev->control = uprobe ? "uprobe_events" : "kprobe_events";
		ret = dyn_create(e, ev, cmd);
		if (ret)
			return ret;
		ret = pid_filter_instead(e, ev, cmd->buf);
		if (ret)
			return ret;
	}
	return event_finish(e, ev);
}

int surf_engine__add_probe(struct surf_engine *e, const struct surf_probe_def *def,
			   surf_record_cb cb, void *ctx, struct surf_event **out)
{
	size_t len = surf_probe_def__definition_size(def, e->group);
	struct surf_dynevent_cmd cmd;
	char *buf;
	int ret;

	if (def->kind == SURF_PROBE_EVENT)
		return add_event(e, 'e', def->location, NULL, def->filter, def, cb, ctx, out);
	/* Built once, with our group: what goes to tracefs as it is. */
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	surf_dynevent_cmd__init(&cmd, buf, len);
	ret = surf_probe_def__build(def, e->group, &cmd);
	if (ret)
		snprintf(e->last_error, sizeof(e->last_error), "%s", cmd.error);
	else
		ret = add_event(e, buf[0], def->name, &cmd, def->filter, def, cb, ctx, out);
	free(buf);
	return ret;
}

/* "p:NAME PLACE FIELD..." in this engine's group, built field by field. */
static int build_raw(struct surf_engine *e, const char *definition, const char *name,
		     struct surf_dynevent_cmd *cmd)
{
	char event[256], *copy, *place, *field, *save = NULL;
	const char *space = strchr(definition, ' ');
	enum surf_dynevent_type type;
	bool uprobe;

	if (!space)
		return -EINVAL;
	copy = strdup(space + 1);
	if (!copy)
		return -ENOMEM;
	place = strtok_r(copy, " ", &save);
	/* A uprobe's place is /path:0xOFFSET. */
	uprobe = place && place[0] == '/' && strchr(place, ':');
	type = definition[0] == 'r' ? (uprobe ? SURF_DYNEVENT_URETPROBE : SURF_DYNEVENT_KRETPROBE) :
				      (uprobe ? SURF_DYNEVENT_UPROBE : SURF_DYNEVENT_KPROBE);
	snprintf(event, sizeof(event), "%s/%s", e->group, name);
	surf_dynevent_cmd__start(cmd, type, event, place ? place : "", (char *)NULL);
	while ((field = strtok_r(NULL, " ", &save)))
		surf_dynevent_cmd__add_fields(cmd, field, (char *)NULL);
	free(copy);
	if (cmd->err)
		snprintf(e->last_error, sizeof(e->last_error), "%s", cmd->error);
	return cmd->err;
}

int surf_engine__add_raw(struct surf_engine *e, const char *definition, const char *filter,
			 surf_record_cb cb, void *ctx, struct surf_event **out)
{
	char name[64], *buf;
	const char *colon = strchr(definition, ':'), *space;
	struct surf_dynevent_cmd cmd;
	size_t n, len;
	int ret;

	if (!colon || colon == definition || !strchr("pre", definition[0]))
		return -EINVAL;
	space = strchr(colon, ' ');
	n = (size_t)((space ? space : colon + strlen(colon)) - colon - 1);
	if (!n || n >= sizeof(name))
		return -EINVAL;
	memcpy(name, colon + 1, n);
	name[n] = '\0';
	if (definition[0] == 'e')
		return add_event(e, 'e', name, NULL, filter, NULL, cb, ctx, out);
	if (!space || strchr(name, '/'))
		return -EINVAL;
	len = strlen(definition) + strlen(e->group) + 8;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	surf_dynevent_cmd__init(&cmd, buf, len);
	ret = build_raw(e, definition, name, &cmd);
	if (!ret)
		ret = add_event(e, definition[0], name, &cmd, filter, NULL, cb, ctx, out);
	free(buf);
	return ret;
}

int surf_engine__add_format(struct surf_engine *e, const char *group, const char *format,
			    uint64_t sample_id, surf_record_cb cb, void *ctx,
			    struct surf_event **out)
{
	struct surf_event *ev = event_new(e, cb, ctx);
	char *copy;
	int ret;

	if (!ev)
		return -ENOMEM;
	copy = strdup(format);
	if (!copy)
		return -ENOMEM;
	ret = fields_from_format(e, ev, group, copy, strlen(copy));
	free(copy);
	if (ret)
		return ret;
	snprintf(ev->group, sizeof(ev->group), "%s", group);
	snprintf(ev->name, sizeof(ev->name), "%s", ev->tep->name);
	ret = engine_add_id(e, sample_id, ev);
	if (ret)
		return ret;
	if (out)
		*out = ev;
	return 0;
}

int surf_engine__feed(struct surf_engine *e, const void *records, size_t len)
{
	return dispatch_records(e, records, len, NULL);
}

int surf_engine__start(struct surf_engine *e)
{
	for (int i = 0; i < e->nrings; i++)
		ioctl(e->rings[i].fd, PERF_EVENT_IOC_ENABLE, 0);
	ustr_start(e);
	/* The doorbells first, so that the data runs first (wakeup.c). */
	for (int i = 0; i < e->nevents; i++)
		bells_event_enable(e->events[i], true);
	for (int i = 0; i < e->nevents; i++)
		for (int f = 0; f < e->events[i]->nfds; f++)
			if (ioctl(e->events[i]->fds[f], PERF_EVENT_IOC_ENABLE, 0))
				return -errno;
	e->started = true;
	return 0;
}

int surf_engine__poll(struct surf_engine *e, int timeout_ms)
{
	struct epoll_event evs[64];
	uint64_t samples = e->stats.records;
	int n;

	/*
	 * Records left by the last batch: no waiting.  The kernel wakes a
	 * reader when a ring fills past its watermark, and a ring left full
	 * takes no more records, so it would wake no one.
	 */
	n = epoll_wait(e->epfd, evs, 64, e->backlog ? 0 : bells_timeout(e, timeout_ms));
	if (n < 0)
		return -errno;
	/* Read every ring, ready or not: it keeps CPUs in time order. */
	n = ring_consume(e, SURF_ENGINE_BATCH);
	e->backlog = n == SURF_ENGINE_BATCH;
	/*
	 * The rate is the traced events' only: a storm of exec's (a build)
	 * fills the rings with the COMM records of thread names, which must
	 * not silence the doorbells of a tracepoint that fires now and then.
	 */
	bells_after_poll(e, (int)(e->stats.records - samples));
	return n;
}

int surf_engine__stop(struct surf_engine *e)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	if (e->stopped || e->opts.offline)
		return 0;
	e->stopped = true;
	for (int i = 0; i < e->nevents; i++)
		bells_event_enable(e->events[i], false);
	/* The events, then the strings and thread names: nothing is written after. */
	for (int i = 0; i < e->nevents; i++)
		for (int f = 0; f < e->events[i]->nfds; f++)
			ioctl(e->events[i]->fds[f], PERF_EVENT_IOC_DISABLE, 0);
	for (int i = 0; i < e->nrings; i++) {
		if (e->ustr_fds && e->ustr_fds[i] >= 0)
			ioctl(e->ustr_fds[i], PERF_EVENT_IOC_DISABLE, 0);
		ioctl(e->rings[i].fd, PERF_EVENT_IOC_DISABLE, 0);
	}
	/*
	 * A record being written on another CPU when its event was disabled is
	 * finished, and published, a moment later: perf writes a record inside
	 * an RCU read-side section (preemption off), so once a grace period has
	 * passed every such record is in its ring.  MEMBARRIER_CMD_GLOBAL waits
	 * for one (synchronize_rcu); where it is refused (nohz_full), a pause.
	 */
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		nanosleep(&pause, NULL);
	return 0;
}

int surf_engine__drain(struct surf_engine *e)
{
	int total = 0, n;

	surf_engine__stop(e);
	while ((n = ring_consume(e, SURF_ENGINE_BATCH)) > 0)
		total += n;
	return total;
}

long long surf_engine__discard(struct surf_engine *e)
{
	uint64_t before = e->stats.unread;

	if (!e->stopped)
		return -EBUSY;	/* the rings would never be empty */
	e->discarding = true;
	while (ring_consume(e, INT_MAX) > 0)
		;
	e->discarding = false;
	return (long long)(e->stats.unread - before);
}

int surf_engine__epoll_fd(const struct surf_engine *e)
{
	return e->epfd;
}

const char *surf_engine__last_error(const struct surf_engine *e)
{
	return e->last_error;
}

const char *surf_engine__commands(const struct surf_engine *e)
{
	return e->commands ? e->commands : "";
}

const char *surf_engine__tracefs(const struct surf_engine *e)
{
	return e->tracefs;
}

int surf_engine__ncpus(const struct surf_engine *e)
{
	return e->ncpus;
}

/* The ring (CPU) of the f-th perf event of ev: they are opened by ring, then by target. */
static int fd_ring(const struct surf_engine *e, const struct surf_event *ev, int f)
{
	return f / (ev->pid_by_filter ? 1 : e->ntargets);
}

/* Lost records counted by the kernel per event (PERF_FORMAT_LOST); cpu < 0: all CPUs. */
static uint64_t lost_by_events(const struct surf_engine *e, int cpu)
{
	uint64_t sum = 0;

	for (int i = 0; i < e->nevents; i++) {
		const struct surf_event *ev = e->events[i];

		for (int f = 0; f < ev->nfds; f++)
			if (cpu < 0 || e->rings[fd_ring(e, ev, f)].cpu == cpu)
				sum += fd_lost(ev->fds[f]);
	}
	return sum;
}

void surf_engine__stats(const struct surf_engine *e, struct surf_engine_stats *stats)
{
	*stats = e->stats;
	if (e->lost_by_read && !e->opts.offline)
		stats->lost = lost_by_events(e, -1);
}

uint64_t surf_engine__lost_on_cpu(const struct surf_engine *e, int cpu)
{
	if (cpu < 0)
		return 0;
	if (e->lost_by_read && !e->opts.offline)
		return lost_by_events(e, cpu);
	return cpu < (int)(sizeof(e->lost_cpu) / sizeof(e->lost_cpu[0])) ? e->lost_cpu[cpu] : 0;
}

const char *surf_event__name(const struct surf_event *ev)
{
	return ev->name;
}

const char *surf_event__group(const struct surf_event *ev)
{
	return ev->group;
}

const struct surf_probe_def *surf_event__def(const struct surf_event *ev)
{
	return ev->def;
}

struct tep_event *surf_event__tep_event(const struct surf_event *ev)
{
	return ev->tep;
}

uint64_t surf_event__lost(const struct surf_event *ev)
{
	uint64_t lost = 0;

	if (!ev->engine->lost_by_read || ev->engine->opts.offline)
		return ev->lost;
	for (int f = 0; f < ev->nfds; f++)
		lost += fd_lost(ev->fds[f]);
	return lost;
}

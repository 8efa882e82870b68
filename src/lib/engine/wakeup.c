// SPDX-License-Identifier: MIT
/*
 * Wake-ups adapted to the event rate (issue 14): an event at a low rate is
 * read at once, a flood is read in batches.
 *
 * The data rings wake their reader only when a quarter of a ring is full
 * (the watermark): at a million events a second that is what keeps the cost
 * per event low.  A wake-up per record instead (wakeup_events = 1 on the
 * events that write the data) costs the writing CPU an irq_work, and the
 * reader a context switch, per record: 13 s instead of 0.84 s for
 * 1,000,000 getppid events on this 2-vCPU VM, even with the reader asleep.
 * And the watermark alone leaves an event at a low rate waiting in the ring
 * until the poll times out.
 *
 * So beside each event's perf events there is a doorbell: a second perf
 * event on the same tracepoint, CPU and target, with the same filter, that
 * records nothing but a header into a one-page ring of its CPU and wakes the
 * reader on every record.  It rings while the rate is low; when the reader
 * sees more than BELLS_OFF_RECORDS in a window it silences the doorbells
 * (their sample period becomes 2^62: ioctls, no grace period; the data
 * events are untouched, so no record is lost or doubled by the switch) and
 * the reader wakes on the watermark or within BATCH_TIMEOUT_MS; when the
 * rate falls under BELLS_ON_RECORDS per window they ring again.
 *
 * A doorbell must run after its data event on the tracepoint: its wake-up
 * is an irq_work, a self-IPI on x86, and where interrupts are on (syscall
 * tracepoints) that interrupt, and the softirqs after it, would run inside
 * the tracepoint before the data record is taken, so the record would come
 * after events that in truth followed it (the kernel's own trace showed
 * kmem_cache_free of RCU callbacks ahead of the syscall's).  Perf runs a
 * tracepoint's events newest-enabled first (perf_trace_add adds at the
 * head), so doorbells are enabled before their data events and never
 * disabled and enabled again while the engine runs: silenced by period.
 * Should a doorbell still ring before its record is visible, a wake-up that
 * finds no record looks again RECHECK_MS later.
 *
 * Doorbells are best effort: if one cannot be opened (file limit), all are
 * closed and the engine polls every BATCH_TIMEOUT_MS at most instead.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "sys/fault.h"
#include "sys/log.h"
#include "engine/internal.h"

#define WINDOW_NS (20 * 1000 * 1000ull)
#define BELLS_OFF_RECORDS 64	/* in a window: 3,200 a second */
#define BELLS_ON_RECORDS 8	/* in a window: 400 a second */
#define BATCH_TIMEOUT_MS 10
#define RECHECK_MS 1
#define MAX_BELL_FDS 1024	/* per event: CPUs x threads of -p */
#define SILENT_PERIOD (1ull << 62)

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static size_t bell_map_len(void)
{
	return 2 * (size_t)sysconf(_SC_PAGESIZE);	/* the metadata page, one data page */
}

/* Everything of the doorbells closed: the engine runs on the watermark and timeouts. */
static void bells_give_up(struct surf_engine *e, const char *why, int err)
{
	if (!e->bells_failed)
		surf_pr_debug("surf: no doorbells (%s: %s): events at low rates wait up to %d ms\n",
			      why, strerror(-err), BATCH_TIMEOUT_MS);
	e->bells_failed = true;
	e->bells_on = false;
	for (int i = 0; i < e->nevents; i++)
		bells_event_close(e->events[i]);
	for (int i = 0; i < e->nrings; i++)
		bells_ring_close(&e->rings[i]);
}

int bells_ring_open(struct surf_engine *e, struct ring *r)
{
	struct perf_event_attr attr;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	int err;

	r->bell_fd = -1;
	r->bell_base = NULL;
	if (e->bells_failed)
		return 0;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_DUMMY;
	attr.disabled = 1;
	r->bell_fd = engine_perf_open(&attr, -1, r->cpu);
	if (r->bell_fd < 0) {
		err = -errno;
		goto fail;
	}
	r->bell_base = mmap(NULL, bell_map_len(), PROT_READ | PROT_WRITE, MAP_SHARED, r->bell_fd, 0);
	if (r->bell_base == MAP_FAILED) {
		r->bell_base = NULL;
		err = -errno;
		goto fail;
	}
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, r->bell_fd, &ev)) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	bells_give_up(e, "their ring", err);
	return 0;
}

void bells_ring_close(struct ring *r)
{
	if (r->bell_base)
		munmap(r->bell_base, bell_map_len());
	if (r->bell_fd >= 0)
		close(r->bell_fd);	/* closing also takes it out of the epoll set */
	r->bell_base = NULL;
	r->bell_fd = -1;
}

void bells_event_open(struct surf_engine *e, struct surf_event *ev, const char *filter)
{
	struct perf_event_attr attr;
	int err;

	if (e->bells_failed || !ev->nfds)
		return;
	if (ev->nfds > MAX_BELL_FDS) {
		bells_give_up(e, "too many threads to follow", -EMFILE);
		return;
	}
	ev->bell_fds = malloc((size_t)ev->nfds * sizeof(int));
	if (!ev->bell_fds) {
		bells_give_up(e, "memory", -ENOMEM);
		return;
	}
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = (uint64_t)ev->tp_id;
	attr.sample_period = e->bells_on ? 1 : SILENT_PERIOD;
	attr.wakeup_events = 1;
	attr.disabled = 1;
	attr.inherit = e->opts.inherit;
	/* The same CPUs and targets, in the same order, as the data events. */
	ev->nbells = 0;
	for (int i = 0; i < engine_placements(e, ev); i++) {
		int r, target, fd;

		engine_placement(e, ev, i, &r, &target);
		fd = surf_fault(SURF_FAULT_BELL_FD) ? (errno = EMFILE, -1) :
			engine_perf_open(&attr, target, e->rings[r].cpu);
		if (fd < 0) {
			err = -errno;
			goto fail;
		}
		ev->bell_fds[ev->nbells++] = fd;
		if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, e->rings[r].bell_fd) ||
		    (filter && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter))) {
			err = -errno;
			goto fail;
		}
	}
	return;
fail:
	bells_give_up(e, "an event's", err);
}

void bells_event_close(struct surf_event *ev)
{
	for (int i = 0; i < ev->nbells; i++)
		close(ev->bell_fds[i]);
	free(ev->bell_fds);
	ev->bell_fds = NULL;
	ev->nbells = 0;
}

void bells_event_enable(struct surf_event *ev, bool on)
{
	for (int b = 0; b < ev->nbells; b++)
		ioctl(ev->bell_fds[b], on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, 0);
}

void bells_set(struct surf_engine *e, bool on)
{
	uint64_t period = on ? 1 : SILENT_PERIOD;

	if (e->bells_failed || on == e->bells_on)
		return;
	e->bells_on = on;
	for (int i = 0; i < e->nevents; i++)
		for (int b = 0; b < e->events[i]->nbells; b++)
			ioctl(e->events[i]->bell_fds[b], PERF_EVENT_IOC_PERIOD, &period);
	/* Records that came while they were off rang nothing: look at once. */
	e->bells_recheck = on;
}

int bells_timeout(struct surf_engine *e, int timeout_ms)
{
	int cap = e->bells_recheck ? RECHECK_MS : e->bells_on ? -1 : BATCH_TIMEOUT_MS;

	if (!e->started || e->stopped || timeout_ms == 0 || cap < 0)
		return timeout_ms;
	return timeout_ms < 0 || timeout_ms > cap ? cap : timeout_ms;
}

/* Empty the doorbell rings: true when one had rung. */
static bool bells_drain(struct surf_engine *e)
{
	bool rang = false;

	for (int i = 0; i < e->nrings; i++) {
		struct perf_event_mmap_page *meta = e->rings[i].bell_base;
		uint64_t head;

		if (!meta)
			continue;
		head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
		if (head != meta->data_tail) {
			rang = true;
			__atomic_store_n(&meta->data_tail, head, __ATOMIC_RELEASE);
		}
	}
	return rang;
}

void bells_after_poll(struct surf_engine *e, int consumed)
{
	uint64_t now;

	if (!e->started || e->stopped || e->bells_failed)
		return;
	e->bells_recheck = bells_drain(e) && consumed == 0 && !e->bells_recheck;
	now = mono_ns();
	e->bells_window_records += (uint64_t)(consumed > 0 ? consumed : 0);
	if (now - e->bells_window_start < WINDOW_NS)
		return;
	if (e->bells_on && e->bells_window_records > BELLS_OFF_RECORDS)
		bells_set(e, false);
	/* Not while a backlog is read: that is a flood, however few its batches. */
	else if (!e->bells_on && e->backlog)
		;
	else if (!e->bells_on && e->bells_window_records < BELLS_ON_RECORDS)
		bells_set(e, true);
	e->bells_window_start = now;
	e->bells_window_records = 0;
}

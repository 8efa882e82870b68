// SPDX-License-Identifier: MIT
/*
 * Perf ring buffers: one per CPU, owned by a dummy software event that every
 * tracepoint event of that CPU redirects into (PERF_EVENT_IOC_SET_OUTPUT).
 *
 * We read them ourselves instead of through libbpf's perf_buffer, which only
 * takes BPF maps.  The reader dispatches on the record type: samples go to
 * their event's callback (BPF outputs, ustr.c, wait for the record they
 * belong to), LOST records are counted per CPU and per event (the engine
 * reports those only where the kernel cannot count each event's losses
 * itself: PERF_FORMAT_LOST, engine.c), THROTTLE records are counted, COMM
 * records keep the comm cache current, anything else is skipped by its
 * size, so one odd record never costs the ones after it.  Records of several
 * CPUs are handed out oldest first, as far as the rings hold them, and at
 * most a batch at a time: a reader whose rings never run empty still returns
 * to its caller.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sys/fault.h"
#include "engine/internal.h"

#define SCRATCH_SIZE 65536	/* header.size is 16 bits */
/* Give space back to the kernel at least this often within a batch. */
#define TAIL_STEP_DIVISOR 8

int engine_perf_open(struct perf_event_attr *attr, int pid, int cpu)
{
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

int ring_open(struct surf_engine *e, struct ring *r, int cpu)
{
	long page = sysconf(_SC_PAGESIZE);
	struct perf_event_attr attr;
	size_t len;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_DUMMY;
	attr.sample_type = e->sample_type;
	attr.sample_id_all = 1;
	attr.comm = 1;		/* exec renames: keeps the comm cache right */
	attr.disabled = 1;
	attr.use_clockid = 1;
	attr.clockid = CLOCK_MONOTONIC;
	attr.watermark = 1;
	attr.wakeup_watermark = (uint32_t)((uint64_t)e->opts.ring_pages * (uint64_t)page / 4);

	r->cpu = cpu;
	r->fd = engine_perf_open(&attr, -1, cpu);
	if (r->fd < 0)
		return -errno;
	r->size = (uint64_t)e->opts.ring_pages * (uint64_t)page;
	r->mask = r->size - 1;
	len = (size_t)(r->size + (uint64_t)page);
	r->base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->base == MAP_FAILED) {
		int err = -errno;

		close(r->fd);
		r->fd = -1;
		r->base = NULL;
		return err;
	}
	r->data = (uint8_t *)r->base + page;
	r->scratch = surf_fault(SURF_FAULT_RING_SCRATCH) ? NULL : malloc(SCRATCH_SIZE);
	if (!r->scratch) {
		ring_close(r);
		return -ENOMEM;
	}
	return 0;
}

void ring_close(struct ring *r)
{
	bells_ring_close(r);
	if (r->base)
		munmap(r->base, (size_t)(r->size + (uint64_t)sysconf(_SC_PAGESIZE)));
	if (r->fd >= 0)
		close(r->fd);
	free(r->scratch);
	r->base = NULL;
	r->fd = -1;
	r->scratch = NULL;
}

/* Re-insert every id of old (old_cap slots); the table has room for them. */
static void ids_reinsert(struct surf_engine *e, const struct id_slot *old, size_t old_cap)
{
	for (size_t i = 0; old && i < old_cap; i++)
		if (old[i].ev)
			engine_add_id(e, old[i].id, old[i].ev);
}

int engine_add_id(struct surf_engine *e, uint64_t id, struct surf_event *ev)
{
	if (e->ids_used * 2 >= e->ids_cap) {
		size_t cap = e->ids_cap ? e->ids_cap * 2 : 256, old_cap = e->ids_cap;
		struct id_slot *old = e->ids, *ids;

		ids = surf_fault(SURF_FAULT_ID_TABLE) ? NULL : calloc(cap, sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		e->ids = ids;
		e->ids_cap = cap;
		e->ids_used = 0;
		ids_reinsert(e, old, old_cap);
		free(old);
	}
	for (size_t i = (id * 0x9E3779B97F4A7C15ULL) & (e->ids_cap - 1);; i = (i + 1) & (e->ids_cap - 1)) {
		if (!e->ids[i].ev || e->ids[i].id == id) {
			e->ids_used += !e->ids[i].ev;
			e->ids[i].id = id;
			e->ids[i].ev = ev;
			return 0;
		}
	}
}

static struct surf_event *lookup_id(const struct surf_engine *e, uint64_t id)
{
	if (!e->ids_cap)
		return NULL;
	for (size_t i = (id * 0x9E3779B97F4A7C15ULL) & (e->ids_cap - 1);; i = (i + 1) & (e->ids_cap - 1)) {
		if (!e->ids[i].ev)
			return NULL;
		if (e->ids[i].id == id)
			return e->ids[i].ev;
	}
}

static uint64_t load_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint32_t load_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void dispatch_sample(struct surf_engine *e, const uint8_t *p, const uint8_t *end,
			    struct ring *r)
{
	struct surf_record rec;
	struct surf_event *ev;
	uint64_t nr;
	int perf_tid;

	/* IDENTIFIER, TID, TIME, CPU, PERIOD, [CALLCHAIN], RAW: the kernel's order. */
	if (end - p < 40 + 4)
		return;
	ev = lookup_id(e, load_u64(p));
	if (!ev)
		return;	/* an event already removed */
	rec.event = ev;
	rec.pid = (int)load_u32(p + 8);
	rec.tid = (int)load_u32(p + 12);
	rec.time_ns = load_u64(p + 16);
	rec.cpu = (int)load_u32(p + 24);
	rec.period = load_u64(p + 32);
	/* Ours, where the kernel could not filter them out (self.c): never delivered. */
	if (e->self_pid && rec.pid == e->self_pid)
		return;
	p += 40;
	rec.callchain = NULL;
	rec.nr_callchain = 0;
	if (e->sample_type & PERF_SAMPLE_CALLCHAIN) {
		nr = load_u64(p);
		p += 8;
		if (nr > (uint64_t)(end - p) / 8)
			return;
		rec.callchain = (const uint64_t *)(const void *)p;
		rec.nr_callchain = (uint32_t)nr;
		p += nr * 8;
	}
	if (end - p < 4)
		return;
	rec.raw_size = load_u32(p);
	rec.raw = p + 4;
	if (rec.raw_size > (uint64_t)(end - rec.raw))
		return;
	perf_tid = rec.tid;
	if (ev == e->ustr_marker) {
		ustr_store(r, perf_tid, rec.raw, rec.raw_size);
		return;
	}
	/*
	 * The thread is the record's common_pid, as in the kernel's own trace:
	 * perf's TID is -1 for a task already unhashed on its way out, and is
	 * counted in the reader's pid namespace.
	 */
	if (rec.raw_size >= 8) {
		int common_pid = (int)load_u32(rec.raw + 4);

		if (rec.pid == -1)
			rec.pid = common_pid;
		rec.tid = common_pid;
	}
	/* The strings read for this record just before it, on this ring (ustr.c). */
	rec.user_strings = NULL;
	if (r && r->ustr.n && ev->ustr_prog_fd >= 0 && r->ustr.tid == perf_tid &&
	    r->ustr.tp_id == (uint32_t)ev->tp_id)
		rec.user_strings = &r->ustr;
	if (ev->def && ev->def->java_class && !ustr_java_match(ev, &rec)) {
		if (rec.user_strings)
			r->ustr.n = 0;
		return;
	}
	if (e->discarding) {
		e->stats.unread++;
		return;
	}
	e->stats.records++;
	if (e->pool) {
		if (!pool_push(e->pool, &rec))
			e->stats.dropped++;
	} else {
		ev->cb(ev->ctx, &rec);
	}
	if (rec.user_strings)
		r->ustr.n = 0;
}

static void dispatch_one(struct surf_engine *e, const struct perf_event_header *h, struct ring *r)
{
	const uint8_t *body = (const uint8_t *)(h + 1), *end = (const uint8_t *)h + h->size;
	struct surf_event *ev;
	uint64_t lost;
	int cpu = r ? r->cpu : 0;

	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		dispatch_sample(e, body, end, r);
		break;
	case PERF_RECORD_LOST:
		if (end - body < 16)
			break;
		lost = load_u64(body + 8);
		ev = lookup_id(e, load_u64(body));
		if (ev)
			ev->lost += lost;
		e->stats.lost += lost;
		if (cpu >= 0 && cpu < 1024)
			e->lost_cpu[cpu] += lost;
		if (r)
			r->lost += lost;
		break;
	case PERF_RECORD_LOST_SAMPLES:
		if (end - body < 8)
			break;
		lost = load_u64(body);
		e->stats.lost += lost;
		if (cpu >= 0 && cpu < 1024)
			e->lost_cpu[cpu] += lost;
		break;
	case PERF_RECORD_COMM:
		if (end - body > 8) {
			char comm[16];
			size_t n = (size_t)(end - body - 8);

			memcpy(comm, body + 8, n < 15 ? n : 15);
			comm[n < 15 ? n : 15] = '\0';
			comm_set(e, (int)load_u32(body + 4), comm);
		}
		break;
	case PERF_RECORD_THROTTLE:
		e->stats.throttled++;
		break;
	default:
		break;	/* unthrottling and the rest: skipped by size */
	}
}

int dispatch_records(struct surf_engine *e, const uint8_t *buf, size_t len, struct ring *r)
{
	size_t off = 0;
	int n = 0;

	while (len - off >= sizeof(struct perf_event_header)) {
		const struct perf_event_header *h = (const void *)(buf + off);

		if (h->size < sizeof(*h) || h->size > len - off)
			return -EINVAL;
		dispatch_one(e, h, r);
		off += h->size;
		n++;
	}
	return n;
}

struct cursor {
	struct ring *r;
	uint64_t tail, head, freed;
	const struct perf_event_header *h;
	uint64_t time;
};

/* The record at the cursor, made contiguous; NULL when the ring is garbled. */
static const struct perf_event_header *cursor_record(struct cursor *c)
{
	struct ring *r = c->r;
	uint64_t off = c->tail & r->mask;
	const struct perf_event_header *h = (const void *)(r->data + off);
	uint16_t size = h->size;

	if (size < sizeof(*h) || size > c->head - c->tail)
		return NULL;
	if (off + size > r->size) {
		uint64_t first = r->size - off;

		memcpy(r->scratch, r->data + off, first);
		memcpy(r->scratch + first, r->data, size - first);
		h = (const void *)r->scratch;
	}
	return h;
}

static uint64_t record_time(const struct perf_event_header *h)
{
	const uint8_t *p = (const uint8_t *)h;

	if (h->type == PERF_RECORD_SAMPLE)
		return h->size >= 8 + 24 ? load_u64(p + 8 + 16) : 0;
	/* sample_id_all trailer: TID, TIME, CPU, IDENTIFIER. */
	return h->size >= 8 + 32 ? load_u64(p + h->size - 24) : 0;
}

static void cursor_publish(struct cursor *c)
{
	struct perf_event_mmap_page *meta = c->r->base;

	__atomic_store_n(&meta->data_tail, c->tail, __ATOMIC_RELEASE);
	c->freed = c->tail;
}

static bool cursor_next(struct cursor *c)
{
	if (c->tail >= c->head) {
		cursor_publish(c);
		return false;
	}
	c->h = cursor_record(c);
	if (!c->h) {
		/* Should not happen; skip what is there rather than loop. */
		c->tail = c->head;
		cursor_publish(c);
		return false;
	}
	c->time = record_time(c->h);
	return true;
}

int ring_consume(struct surf_engine *e, int max)
{
	struct cursor cur[256];
	int n = 0, active = 0, count = 0;

	for (int i = 0; i < e->nrings && n < 256; i++) {
		struct perf_event_mmap_page *meta = e->rings[i].base;
		struct cursor *c = &cur[n];

		c->r = &e->rings[i];
		c->head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
		c->tail = meta->data_tail;
		c->freed = c->tail;
		if (cursor_next(c))
			n++;
	}
	active = n;
	while (active && count < max) {
		struct cursor *best = NULL;
		uint64_t step;

		for (int i = 0; i < n; i++)
			if (cur[i].h && (!best || cur[i].time < best->time))
				best = &cur[i];
		dispatch_one(e, best->h, best->r);
		count++;
		best->tail += best->h->size;
		step = best->r->size / TAIL_STEP_DIVISOR;
		if (best->tail - best->freed >= step)
			cursor_publish(best);
		if (!cursor_next(best)) {
			best->h = NULL;
			active--;
		}
	}
	/* Stopped at max: give back what was read; the rest waits for the next call. */
	for (int i = 0; i < n; i++)
		if (cur[i].h)
			cursor_publish(&cur[i]);
	return count;
}

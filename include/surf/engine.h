/* SPDX-License-Identifier: MIT */
/*
 * surf/engine.h - the event engine: dynamic events in tracefs, perf ring
 * buffers per CPU, records decoded through the tracepoint format, fields
 * reached by handle.
 *
 *   engine = surf_engine__new(opts)
 *   ev = surf_engine__add_probe(engine, compiled_def, cb, ctx)   (or __add_raw)
 *   field = surf_event__field(ev, "comm")        once, before the loop
 *   surf_engine__start(engine)
 *   while (running) surf_engine__poll(engine, 100)   a bounded batch per call
 *      cb(ctx, rec): surf_record__str(rec, field, &len) ...
 *   surf_engine__stop(engine)                    no new records; losses exact
 *   while (surf_engine__poll(engine, 0) > 0) ;   what the rings still hold
 *   surf_engine__free(engine)                    removes everything it made
 *
 * Every dynamic event lives in a tracefs group unique to the engine
 * ("surftrace_<pid>_<token>", also across PID namespaces), held with a lock
 * while the engine lives, so that two runs never collide and a later run can
 * remove what a killed one left (surf_engine__sweep_stale).
 * All functions return 0 (or a count) or a negative errno, and never print:
 * the kernel's reason for a refusal is in surf_engine__last_error().
 */
#ifndef SURF_ENGINE_H
#define SURF_ENGINE_H

#include "surf/api.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <surf/expr.h>

#ifdef __cplusplus
extern "C" {
#endif

struct surf_engine;
struct surf_event;

struct surf_engine_opts {
	size_t sz;			/* sizeof(struct surf_engine_opts) */
	const char *tracefs;		/* NULL: find it, mounting it if needed */
	const char *group;		/* NULL: "surftrace_<pid>_<token>", unique */
	unsigned int ring_pages;	/* per CPU, a power of two; 0: 1024 (4 MiB) */
	int pid;			/* >0: only this process (and its threads), 0: all */
	bool inherit;			/* with pid: also its future children */
	bool callchain;			/* record kernel and user call chains */
	unsigned int workers;		/* >0: callbacks run on this many threads */
	unsigned int queue_len;		/* records the worker queue holds; 0: 65536 */
	bool offline;			/* no tracefs, no rings: events by format, records fed */
	/*
	 * Not this process: its own threads' records are filtered out in the
	 * kernel (common_pid, when its pids there are known) and dropped on
	 * reading, so that a tracer never traces its own output (a write to
	 * print an event making the next event).
	 */
	bool exclude_self;
	/* Where per-boot copies are kept (the kernel's BTF, for enum constants); NULL: none. */
	const char *cache_dir;
};

/* One record, valid only during the callback (zero copy) unless queued. */
struct surf_record {
	const struct surf_event *event;
	int cpu;
	int pid, tid;
	uint64_t time_ns;		/* CLOCK_MONOTONIC */
	uint64_t period;		/* the count the tracepoint passed perf (__perf_count), else 1 */
	const uint8_t *raw;		/* the tracepoint record */
	uint32_t raw_size;
	const uint64_t *callchain;	/* with opts.callchain; PERF_CONTEXT_* markers kept */
	uint32_t nr_callchain;
	const void *user_strings;	/* see surf_record__user_str */
};

typedef void (*surf_record_cb)(void *ctx, const struct surf_record *rec);

SURF_API int surf_engine__new(struct surf_engine **out, const struct surf_engine_opts *opts);
/* Stop, close, and delete every dynamic event this engine made. */
SURF_API void surf_engine__free(struct surf_engine *engine);

/*
 * Remove dynamic events of dead runs: groups "surftrace_<pid>_<token>" whose
 * lock nobody holds, and "surftrace_<pid>" (older builds) whose pid is gone.
 */
SURF_API int surf_engine__sweep_stale(const char *tracefs);

/*
 * Add an event from a compiled expression (kprobe, uprobe or tracepoint).  The
 * definition is written to tracefs in the engine's group; the filter is set on
 * the perf events.
 */
SURF_API int surf_engine__add_probe(struct surf_engine *engine, const struct surf_probe_def *def,
			   surf_record_cb cb, void *ctx, struct surf_event **out);
/*
 * Add an event by raw tracefs text: "p:NAME SYMBOL ARGS..." or "r:..."
 * (kprobe_events syntax, no group), "p:NAME /path:0xOFF ..." (uprobe_events),
 * or "e:GROUP/EVENT" for an existing tracepoint.  filter may be NULL.
 */
SURF_API int surf_engine__add_raw(struct surf_engine *engine, const char *definition,
			 const char *filter, surf_record_cb cb, void *ctx,
			 struct surf_event **out);

SURF_API int surf_engine__start(struct surf_engine *engine);
/*
 * Wait up to timeout_ms for records and hand each to its callback, at most
 * SURF_ENGINE_BATCH records per call, so that a caller notices a stop, a time
 * or a count limit in bounded time even when records never stop coming.
 * Returns the number of records read from the rings: those delivered to the
 * callbacks and the kernel's thread-name records (0: the rings were empty,
 * so `while (poll(e, 0) > 0)` after surf_engine__stop reads all), or -EINTR
 * when a signal arrived.
 */
#define SURF_ENGINE_BATCH 1024
SURF_API int surf_engine__poll(struct surf_engine *engine, int timeout_ms);
/*
 * The end of a run: disable every event, and wait until the records the
 * kernel was writing at that moment are in the rings.  Nothing is written
 * after it; the rings keep what they hold, for surf_engine__poll(engine, 0)
 * until it returns 0 (or surf_engine__drain), and the losses are final.
 */
SURF_API int surf_engine__stop(struct surf_engine *engine);
/* surf_engine__stop, then deliver everything the rings hold; the count delivered. */
SURF_API int surf_engine__drain(struct surf_engine *engine);
/*
 * After surf_engine__stop, for a reader that cannot wait for its callbacks
 * any longer: empty the rings without delivering, counting the events'
 * records left there (stats.unread).  Returns that count.
 */
SURF_API long long surf_engine__discard(struct surf_engine *engine);
/* A file descriptor that becomes readable when records wait (for your own poll loop). */
SURF_API int surf_engine__epoll_fd(const struct surf_engine *engine);

/* The kernel's own words for the last refused definition or filter, or "". */
SURF_API const char *surf_engine__last_error(const struct surf_engine *engine);
/* The commands the engine ran, one per line ("echo '...' >> .../kprobe_events"). */
SURF_API const char *surf_engine__commands(const struct surf_engine *engine);
SURF_API const char *surf_engine__tracefs(const struct surf_engine *engine);
SURF_API int surf_engine__ncpus(const struct surf_engine *engine);

struct surf_engine_stats {
	uint64_t records;		/* delivered to callbacks */
	/*
	 * Records of the events the kernel could not write (ring full), all
	 * CPUs: counted by the kernel per event (PERF_FORMAT_LOST, read from
	 * each event), exact after surf_engine__stop: records + lost = what
	 * the events matched.  Lost records of other kinds (thread names, the
	 * strings of syscall arguments) are not events and not counted.  On
	 * kernels before 6.0, the sum of the PERF_RECORD_LOST records read.
	 */
	uint64_t lost;
	uint64_t dropped;		/* worker queue full */
	uint64_t unread;		/* left in the rings at the end: surf_engine__discard */
	uint64_t throttled;		/* PERF_RECORD_THROTTLE: the kernel skipped samples, uncounted */
};
SURF_API void surf_engine__stats(const struct surf_engine *engine, struct surf_engine_stats *stats);
/* Of stats.lost, those on one CPU's ring (0 for a CPU the engine has no ring on). */
SURF_API uint64_t surf_engine__lost_on_cpu(const struct surf_engine *engine, int cpu);

/*
 * Offline use (opts.offline): add an event from the text of its tracefs
 * "format" file under a given perf sample id, then feed raw perf records
 * (as they sit in a ring: perf_event_header first) to be decoded and
 * dispatched.  For tests, benchmarks and replays.
 */
SURF_API int surf_engine__add_format(struct surf_engine *engine, const char *group, const char *format,
			    uint64_t sample_id, surf_record_cb cb, void *ctx,
			    struct surf_event **out);
SURF_API int surf_engine__feed(struct surf_engine *engine, const void *records, size_t len);

/* The command name of a thread: from the kernel's exec records or /proc; "<...>" if gone. */
SURF_API const char *surf_engine__comm(struct surf_engine *engine, int tid);

/* --- events and fields ---------------------------------------------------- */

SURF_API const char *surf_event__name(const struct surf_event *ev);
SURF_API const char *surf_event__group(const struct surf_event *ev);
SURF_API const struct surf_probe_def *surf_event__def(const struct surf_event *ev);	/* or NULL */
/* Lost records of this event (see surf_engine_stats.lost). */
SURF_API uint64_t surf_event__lost(const struct surf_event *ev);

enum surf_field_kind {
	SURF_FIELD_INT,		/* 1, 2, 4, 8 bytes */
	SURF_FIELD_STRING,	/* char[N] or __data_loc char[] */
	SURF_FIELD_ARRAY,	/* fixed or __data_loc array of other elements */
};

struct surf_field_info {
	const char *name;
	enum surf_field_kind kind;
	uint32_t offset, size;	/* size of the element for arrays */
	bool is_signed;
	bool dynamic;		/* __data_loc / __rel_loc */
	bool common;		/* common_* */
	bool user_string;	/* a syscall's char * argument: a user-space string's address */
	bool hidden;		/* not shown (the length of a J name: surf_arg.hidden) */
};

SURF_API int surf_event__nfields(const struct surf_event *ev);
SURF_API const struct surf_field_info *surf_event__field_info(const struct surf_event *ev, int field);
/* A field handle (>= 0) to use with surf_record__*, or -ENOENT. */
SURF_API int surf_event__field(const struct surf_event *ev, const char *name);

/* Integer field, sign-extended when signed.  0 when out of range. */
SURF_API uint64_t surf_record__int(const struct surf_record *rec, int field);
/* String field: pointer into the record and its length without the NUL; NULL when bad. */
SURF_API const char *surf_record__str(const struct surf_record *rec, int field, uint32_t *len);
/*
 * The string a syscall's char * argument (field info user_string) pointed to,
 * or the name a J event's class, method or signature field points to (read
 * with exactly its length),
 * read in the kernel at the event (a BPF program on the tracepoint): pointer
 * and length, or NULL when it was not read (BPF not allowed, the page not in
 * memory, another field).  A string read from the process later could be
 * another one: this one is what the syscall was given.
 */
SURF_API const char *surf_record__user_str(const struct surf_record *rec, int field, uint32_t *len);
/* Any field's bytes (arrays): pointer and byte length; NULL when bad. */
SURF_API const void *surf_record__data(const struct surf_record *rec, int field, uint32_t *len);

#ifdef __cplusplus
}
#endif
#endif

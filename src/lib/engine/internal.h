/* SPDX-License-Identifier: MIT */
/* Inside the event engine: the structures shared by its files. */
#ifndef SURF_ENGINE_INTERNAL_H
#define SURF_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdio.h>

#include <surf/engine.h>

#include "probe/run_claim.h"

struct tep_handle;
struct tep_event;
struct surf_typeview;

/* An enum constant of the running kernel (BTF), for print formats. */
struct enum_const {
	const char *name;
	int64_t value;
};

struct field {
	struct surf_field_info info;
	bool rel;		/* __rel_loc: offset counted from the end of the field */
	uint32_t bytes;		/* the whole field in the record (fixed arrays) */
	const struct surf_arg *arg;	/* the probe argument it records, or NULL */
	int len_field;		/* a (pointer, length) string: 1 + the length's field; 0 */
};

/* Strings of char * syscall arguments read at the event (ustr.c). */
#define USTR_MAX 256
#define USTR_FIELDS 6
struct ustr_slot {
	int field;
	int32_t len;		/* without the NUL; -1: could not be read */
	uint64_t ptr;		/* the pointer it was read from */
	char str[USTR_MAX];
};
struct ustr_set {
	int n;
	int tid;		/* perf's thread id of the output */
	uint32_t tp_id;
	struct ustr_slot slot[USTR_FIELDS];
};

struct surf_event {
	struct surf_engine *engine;
	char group[64], name[64];
	bool created;		/* a dynamic event this engine wrote to tracefs */
	bool abandoned;		/* its set-up failed: closed and removed, kept for its ids */
	const char *control;	/* "kprobe_events", "uprobe_events", NULL for tracepoints */
	int tp_id;		/* tracefs event id */
	struct tep_event *tep;
	struct field *fields;
	int nfields;
	int *fds;		/* by ring, then by target */
	int nfds;
	uint64_t lost;		/* from PERF_RECORD_LOST (kernels without PERF_FORMAT_LOST) */
	surf_record_cb cb;
	void *ctx;
	const struct surf_probe_def *def;
	char *filter;
	bool pid_by_filter;	/* opened for all processes, filtered on opts.pid */
	int ustr_prog_fd;	/* BPF program reading char * arguments, or -1 */
	int ustr_anchor_fd;	/* the uninherited perf event it is attached through, or -1 */
	int *bell_fds;		/* its doorbells (wakeup.c), as fds */
	int nbells;
};

struct ring {
	int fd;
	int cpu;
	void *base;		/* the mmap: a metadata page, then the data */
	uint8_t *data;
	uint64_t size, mask;
	uint8_t *scratch;	/* a record that wraps around the end, made whole */
	uint64_t lost;
	struct ustr_set ustr;	/* strings waiting for their record */
	int bell_fd;		/* the doorbell ring of this CPU (wakeup.c), or -1 */
	void *bell_base;
};

struct id_slot {
	uint64_t id;
	struct surf_event *ev;
};

struct comm_slot {
	int tid;
	char comm[16];
};

struct pool;

struct surf_engine {
	struct surf_engine_opts opts;
	char tracefs[256];
	char group[64];
	struct surf_run_claim claim;	/* the group's name and proof of life */
	int ncpus;
	struct ring *rings;
	int nrings;
	int epfd;
	struct surf_event **events;
	int nevents;
	struct id_slot *ids;	/* open addressing on the perf sample id */
	size_t ids_cap, ids_used;
	struct tep_handle *tep;
	struct comm_slot *comms;	/* open addressing on the tid */
	size_t comms_cap;
	int *targets;		/* pids or tids for per-task events; {-1} for all */
	int ntargets;
	bool started;
	bool stopped;		/* surf_engine__stop: every event disabled */
	bool discarding;	/* surf_engine__discard: records counted, not delivered */
	bool backlog;		/* the last poll stopped at a full batch */
	bool lost_by_read;	/* the kernel counts losses per event (PERF_FORMAT_LOST) */
	int self_pid;		/* opts.exclude_self: getpid(), for the reader */
	char *self_filter;	/* "common_pid!=A&&..." with the kernel's pids, or NULL */
	int self_tgid;		/* the kernel's (global) pid of this process, or 0 */
	uint64_t sample_type;
	char last_error[2048];
	char *commands;
	size_t commands_len;
	struct surf_engine_stats stats;
	uint64_t lost_cpu[1024];	/* PERF_RECORD_LOST* read, per CPU (< 6.0 kernels) */
	struct pool *pool;
	int ustr_map_fd;	/* BPF perf event array of the outputs, or -1 */
	int *ustr_fds;		/* BPF output event per ring */
	struct surf_event *ustr_marker;	/* the id table's entry for those outputs */
	bool ustr_failed;	/* BPF refused once: do not try again */
	struct surf_typeview *btf;	/* vmlinux BTF, opened when a format needs enum values */
	struct enum_const *enums;	/* its enum constants, sorted by name */
	size_t nenums;
	size_t enums_cap;
	bool enums_tried;
	bool printk_formats_read;
	/* wakeup.c */
	bool bells_on;		/* doorbells enabled: the rate is low */
	bool bells_failed;	/* no doorbells: poll on a timeout */
	bool bells_recheck;	/* a doorbell rang before its record: look again soon */
	uint64_t bells_window_start;
	uint64_t bells_window_records;
};

/* dynevent.c: tracefs writes */
struct surf_dynevent_cmd;
/* Create ev's dynamic event from cmd (built by surf/dynevent.h). */
int dyn_create(struct surf_engine *e, struct surf_event *ev, struct surf_dynevent_cmd *cmd);
void dyn_remove(struct surf_engine *e, struct surf_event *ev);
/* Name the engine's group (unless opts.group did) and take its lock; release it at the end. */
int dyn_claim_group(struct surf_engine *e);
void dyn_release_group(struct surf_engine *e);
int dyn_read_id(struct surf_engine *e, const char *group, const char *name);
char *dyn_read_format(struct surf_engine *e, const char *group, const char *name, size_t *size);
void dyn_note_command(struct surf_engine *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* fields.c */
void fields_free_enums(struct surf_engine *e);
int fields_from_format(struct surf_engine *e, struct surf_event *ev, const char *group,
		       char *format, size_t size);

/* ring.c */
/* perf_event_open(2), close-on-exec, no group: every perf event of the engine. */
struct perf_event_attr;
int engine_perf_open(struct perf_event_attr *attr, int pid, int cpu);
/* 0 or -errno; on failure nothing of the ring is left open. */
int ring_open(struct surf_engine *e, struct ring *r, int cpu);
void ring_close(struct ring *r);
/* Hand out at most max records, oldest first across the rings; the number handed out. */
int ring_consume(struct surf_engine *e, int max);
int dispatch_records(struct surf_engine *e, const uint8_t *buf, size_t len, struct ring *r);
/* Map a perf sample id to its event: 0 or -ENOMEM (the id is then not mapped). */
int engine_add_id(struct surf_engine *e, uint64_t id, struct surf_event *ev);
/*
 * Where an event's perf events go: one per CPU ring and target thread (one
 * per ring when the pid is matched by a filter), data and doorbells alike,
 * in this order.  engine_placements() of them; the i-th's ring index and
 * target (a tid, or -1 for all).
 */
int engine_placements(const struct surf_engine *e, const struct surf_event *ev);
void engine_placement(const struct surf_engine *e, const struct surf_event *ev, int i, int *ring,
		      int *target);

/* wakeup.c: doorbells, so that an event at a low rate is read at once */
int bells_ring_open(struct surf_engine *e, struct ring *r);
void bells_ring_close(struct ring *r);
void bells_event_open(struct surf_engine *e, struct surf_event *ev, const char *filter);
void bells_event_close(struct surf_event *ev);
void bells_event_enable(struct surf_event *ev, bool on);
void bells_set(struct surf_engine *e, bool on);
/* The epoll timeout for a poll that asks for timeout_ms. */
int bells_timeout(struct surf_engine *e, int timeout_ms);
void bells_after_poll(struct surf_engine *e, int consumed);

/* ustr.c */
int ustr_attach(struct surf_engine *e, struct surf_event *ev);
void ustr_start(struct surf_engine *e);
void ustr_free(struct surf_engine *e);
void ustr_store(struct ring *r, int tid, const uint8_t *raw, uint32_t size);
/*
 * A J event's names against its patterns (fnmatch: the parts between two
 * '*' that its program does not check); true when a name was not read.
 */
bool ustr_java_match(const struct surf_event *ev, const struct surf_record *rec);

/* pool.c */
int pool_new(struct pool **out, unsigned int workers, unsigned int queue_len);
/* Copy rec and queue it; false when the queue is full. */
bool pool_push(struct pool *p, const struct surf_record *rec);
void pool_free(struct pool *p);

/* self.c: opts.exclude_self */
int self_setup(struct surf_engine *e);
/* The self filter term, and filter (may be NULL) after it; NULL when out of memory. */
char *self_combined_filter(const struct surf_engine *e, const char *filter);

/* comm.c */
void comm_set(struct surf_engine *e, int tid, const char *comm);
void comm_free(struct surf_engine *e);

#endif

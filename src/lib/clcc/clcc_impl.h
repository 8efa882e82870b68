/* SPDX-License-Identifier: MIT */
/* The state behind a struct clcc_struct (clcc.c and its companions). */
#ifndef SURF_CLCC_IMPL_H
#define SURF_CLCC_IMPL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <bpf/libbpf.h>

#include <clcc.h>

struct surf_ksyms;
struct surf_usyms;
struct clcc_impl;

/* The event buffer of one map: a perf buffer or a ring buffer. */
struct clcc_buf {
	struct clcc_impl *c;
	struct perf_buffer *pb;
	struct ring_buffer *rb;
	void (*cb)(void *ctx, int cpu, void *data, unsigned int size);
	void (*lost)(void *ctx, int cpu, unsigned long long cnt);
	unsigned long handled;
	/*
	 * Added to the epoll set but not read since: adding it polled the
	 * buffer, and a perf buffer reports readiness once per wakeup, so
	 * records already there would not be reported again.
	 */
	bool unread;
	void *scratch;			/* aligned copies of perf records */
	size_t scratch_len;
};

struct clcc_impl {
	struct clcc_struct pub;		/* first: a clcc_struct * is a clcc_impl * */
	void *dl;
	char so_path[PATH_MAX];
	char name[64];			/* the object's name: the .so's without suffixes */
	const void *obj_buf;
	size_t obj_size;
	void **rt_ctx;			/* the .so's lbc_rt_ctx, lbc_rt_fns */
	const void **rt_tab;

	struct bpf_object *obj;
	bool loaded;
	struct bpf_map **maps;		/* by id */
	struct clcc_buf *bufs;		/* by id */
	int nmaps;
	int epfd;			/* every buffer, for event_loop(-1) / clcc_poll */
	int perf_pages;
	int btf_fd;			/* the .so's minimal BTF until loaded, or -1 */
	struct bpf_link **links;
	size_t nlinks, caplinks;

	struct {			/* .data/.bss mapped after init() */
		struct bpf_map *m;
		void *p;
		size_t len;
	} gmaps[8];
	int ngmaps;

	struct surf_ksyms *ksyms;
	struct clcc_ksym ksym;
	struct surf_usyms *usyms;
	void (*stack_cleanup)(struct clcc_impl *c);

	bool tracefs_ready;		/* mounted or found: see clcc__need_tracefs() */
	int log_level;
	char *log;			/* libbpf's warnings during the last call */
	size_t log_len, log_cap;
	char err[16384];
};

struct clcc_impl *clcc__impl(struct clcc_struct *p);
/* Print "clcc: MESSAGE" on stderr, keep it, return err. */
int clcc__err(struct clcc_impl *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void clcc__libbpf_begin(struct clcc_impl *c);
void clcc__libbpf_end(struct clcc_impl *c);
int clcc__open(struct clcc_impl *c);
int clcc__map_fd(struct clcc_impl *c, int id, const char *op);
struct bpf_program *clcc__prog(struct clcc_impl *c, const char *func, const char *op, int *err);
int clcc__add_link(struct clcc_impl *c, struct bpf_link *link);
int clcc__attached(struct clcc_impl *c, struct bpf_link *link, int err, const char *func,
		   const char *kind, const char *target);
int clcc__attach_uprobe(struct clcc_impl *c, const char *func, int pid, const char *path,
			unsigned long off, bool ret);
/* Mount tracefs when it is not (libbpf's attaches read it but never mount it). */
void clcc__need_tracefs(struct clcc_impl *c);
int clcc__ksyms(struct clcc_impl *c);
void clcc__unmap_globals(struct clcc_impl *c);

#endif

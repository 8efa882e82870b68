// SPDX-License-Identifier: MIT
/*
 * The strings that a syscall's char * arguments point to, read at the event.
 *
 * A syscall tracepoint records those arguments as pointers into the process
 * (the kernels we run on, 6.1 to 6.18, put no string in the record, and event
 * probes, which could, cannot be read through perf).  A string read from the
 * process after the event may already be another one, so it is read in the
 * kernel at the event instead: a small BPF program attached to the
 * tracepoint (PERF_EVENT_IOC_SET_BPF) runs just before perf writes the
 * record, reads each string with bpf_probe_read_user_str and writes it, with
 * the pointer it came from, through a BPF output event into the same CPU's
 * ring.  The reader keeps the strings of the last such output per ring and
 * hands them with the record that follows on that ring, of the same thread
 * and event, whose field still holds that pointer.
 *
 * Where BPF is not allowed (not root, lockdown=confidentiality) or the page
 * was not in memory (the program may not fault), there is no string and the
 * pointer is shown, as the kernel shows it.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <fnmatch.h>
#include <surf/arch.h>

#include "engine/internal.h"
#include "gen/fetch.h"
#include "gen/gen.h"
#include "gen/java.h"

/* What the program writes: this header, then USTR_MAX bytes of string. */
struct ustr_out {
	uint32_t tp_id;
	uint32_t field;
	uint64_t ptr;
	int32_t len;		/* bpf_probe_read_user_str: length with the NUL, or -errno */
	uint32_t pad;
};
#define OUT_SIZE ((int)sizeof(struct ustr_out) + USTR_MAX)

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };

	return i;
}

/* The program for ev: for each user string field, read it and output it. */
static int build_program(const struct surf_engine *e, const struct surf_event *ev, int map_fd,
			 struct bpf_insn *p, int max)
{
	int n = 0, skip_self = -1;

	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);	/* r6 = ctx */
	/* Not for our own syscalls (opts.exclude_self): their records are filtered out. */
	if (e->self_tgid > 0) {
		p[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_pid_tgid);
		p[n++] = insn(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_0, 0, 0, 32);
		skip_self = n;
		p[n++] = insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 0, e->self_tgid);
	}
	for (int i = 0; i < ev->nfields; i++) {
		const struct surf_field_info *fi = &ev->fields[i].info;

		if (!fi->user_string)
			continue;
		if (n + 20 > max)
			return -E2BIG;
		/* header: tp_id, field, ptr (before the call clobbers r1-r5), pad */
		p[n++] = insn(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_3, BPF_REG_6, (int16_t)fi->offset, 0);
		p[n++] = insn(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, BPF_REG_3, -OUT_SIZE + 8, 0);
		p[n++] = insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -OUT_SIZE, ev->tp_id);
		p[n++] = insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -OUT_SIZE + 4, i);
		p[n++] = insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -OUT_SIZE + 20, 0);
		/* r0 = bpf_probe_read_user_str(fp - USTR_MAX, USTR_MAX, ptr) */
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_10, 0, 0);
		p[n++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, -USTR_MAX);
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, USTR_MAX);
		p[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_user_str);
		p[n++] = insn(BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, BPF_REG_0, -OUT_SIZE + 16, 0);
		/* bpf_perf_event_output(ctx, map, BPF_F_CURRENT_CPU, fp - OUT_SIZE, OUT_SIZE) */
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0);
		p[n++] = insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_2, BPF_PSEUDO_MAP_FD, 0, map_fd);
		p[n++] = insn(0, 0, 0, 0, 0);
		p[n++] = insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_3, 0, 0, (int32_t)BPF_F_CURRENT_CPU);
		p[n++] = insn(0, 0, 0, 0, 0);
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_10, 0, 0);
		p[n++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, -OUT_SIZE);
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_5, 0, 0, OUT_SIZE);
		p[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_perf_event_output);
	}
	/* 1: perf writes the record as usual, for us and for any other reader. */
	if (skip_self >= 0)
		p[skip_self].off = (int16_t)(n - skip_self - 1);
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
	p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

/*
 * The program for a J event (a uprobe: its context is pt_regs): the class
 * and method patterns first (no match: the record is not written), then
 * each (pointer, length) name read with exactly its length, up to
 * USTR_MAX - 1 bytes, and output as a syscall's string is.
 */
static int build_java_program(const struct surf_event *ev, int map_fd, const char *arch,
			      struct gen *g)
{
	const struct surf_probe_def *def = ev->def;
	struct gen_fetch_opts fo = { .arch = arch, .user = true, .ctx_reg = BPF_REG_6,
				     .scratch = -OUT_SIZE - 8 };
	int16_t tmp = -OUT_SIZE - 16;
	int drop = gen_label(g), ret;

	gen_emit(g, G_MOV64_REG(BPF_REG_6, BPF_REG_1));
	for (int i = 0; i < ev->nfields; i++) {
		const struct field *f = &ev->fields[i];
		const char *glob = !f->arg ? NULL : !strcmp(f->arg->name, "class") ?
				   def->java_class : !strcmp(f->arg->name, "method") ?
				   def->java_method : NULL;
		struct gen_java_glob m;

		if (!glob || !f->len_field || gen_java_glob_parse(glob, f->arg->conv ==
								  SURF_CONV_JAVA_CLASS, &m))
			continue;	/* too long a part to match here: fnmatch's alone */
		ret = gen_java_match(g, &fo, f->arg->fetch, ev->fields[f->len_field - 1].arg->fetch,
				     ev->fields[f->len_field - 1].arg->type, &m, tmp, drop);
		if (ret)
			return ret;
	}
	for (int i = 0; i < ev->nfields; i++) {
		const struct field *f = &ev->fields[i], *len;
		int bad = gen_label(g), negative = gen_label(g);

		if (!f->len_field || !f->arg)
			continue;
		len = &ev->fields[f->len_field - 1];
		ret = gen_fetch_value(g, &fo, f->arg->fetch, "u64");
		if (ret)
			return ret;
		gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_0, -OUT_SIZE + 8));
		gen_emit(g, G_ST(BPF_W, BPF_REG_10, -OUT_SIZE, ev->tp_id));
		gen_emit(g, G_ST(BPF_W, BPF_REG_10, -OUT_SIZE + 4, i));
		gen_emit(g, G_ST(BPF_W, BPF_REG_10, -OUT_SIZE + 20, 0));
		/* Up to USTR_MAX - 1 bytes: longer names are cut. */
		ret = gen_bounded_length(g, &fo, len->arg->fetch, len->arg->type, USTR_MAX - 1,
					 negative);
		if (ret)
			return ret;
		gen_emit(g, G_MOV64_REG(BPF_REG_7, BPF_REG_0));
		gen_emit(g, G_MOV64_REG(BPF_REG_2, BPF_REG_0));
		gen_emit(g, G_LDX(BPF_DW, BPF_REG_3, BPF_REG_10, -OUT_SIZE + 8));
		gen_emit(g, G_MOV64_REG(BPF_REG_1, BPF_REG_10));
		gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_1, -USTR_MAX));
		gen_emit(g, G_CALL(BPF_FUNC_probe_read_user));
		/* As bpf_probe_read_user_str counts: the bytes and a NUL, or -errno. */
		gen_emit(g, G_MOV64_REG(BPF_REG_1, BPF_REG_0));
		gen_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, bad);
		gen_emit(g, G_MOV64_REG(BPF_REG_1, BPF_REG_7));
		gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
		gen_goto(g, bad);
		gen_place(g, negative);
		gen_emit(g, G_MOV64_IMM(BPF_REG_1, -EINVAL));
		gen_place(g, bad);
		gen_emit(g, G_STX(BPF_W, BPF_REG_10, BPF_REG_1, -OUT_SIZE + 16));
		gen_emit(g, G_MOV64_REG(BPF_REG_1, BPF_REG_6));
		gen_ld_map_fd(g, BPF_REG_2, map_fd);
		gen_ld_imm64(g, BPF_REG_3, BPF_F_CURRENT_CPU);
		gen_emit(g, G_MOV64_REG(BPF_REG_4, BPF_REG_10));
		gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_4, -OUT_SIZE));
		gen_emit(g, G_MOV64_IMM(BPF_REG_5, OUT_SIZE));
		gen_emit(g, G_CALL(BPF_FUNC_perf_event_output));
	}
	/* 1: perf writes the record; 0 (no match) it does not. */
	gen_emit(g, G_MOV64_IMM(BPF_REG_0, 1));
	gen_emit(g, G_EXIT());
	gen_place(g, drop);
	gen_emit(g, G_MOV64_IMM(BPF_REG_0, 0));
	gen_emit(g, G_EXIT());
	return gen_finish(g);
}

static int load_java_program(struct surf_engine *e, const struct surf_event *ev)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	const struct surf_arch *arch = surf_arch__host();
	struct gen g;
	int ret;

	gen_init(&g);
	ret = build_java_program(ev, e->ustr_map_fd, arch->name, &g);
	if (!ret)
		ret = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "surf_jnames", "Dual MIT/GPL", g.insns,
				    (size_t)g.n, &opts);
	gen_free(&g);
	return ret;
}

/* Once per engine: the output map and a BPF output event per ring, into that ring. */
static int ustr_setup(struct surf_engine *e)
{
	struct perf_event_attr attr;
	uint64_t id;

	if (e->ustr_failed)
		return -EPERM;
	if (e->ustr_marker)
		return 0;	/* set up already */
	e->ustr_failed = true;	/* until the end is reached */
	e->ustr_fds = calloc((size_t)e->nrings, sizeof(int));
	e->ustr_marker = calloc(1, sizeof(*e->ustr_marker));
	if (!e->ustr_fds || !e->ustr_marker)
		return -ENOMEM;
	for (int i = 0; i < e->nrings; i++)
		e->ustr_fds[i] = -1;
	e->ustr_map_fd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "surf_ustr", 4, 4,
				       (uint32_t)e->ncpus, NULL);
	if (e->ustr_map_fd < 0)
		return e->ustr_map_fd;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_period = 1;
	attr.sample_type = e->sample_type;
	attr.sample_id_all = 1;
	attr.disabled = !e->started;
	attr.use_clockid = 1;
	attr.clockid = CLOCK_MONOTONIC;
	for (int i = 0; i < e->nrings; i++) {
		uint32_t cpu = (uint32_t)e->rings[i].cpu;
		int fd = engine_perf_open(&attr, -1, (int)cpu);

		if (fd < 0)
			return -errno;
		e->ustr_fds[i] = fd;
		if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, e->rings[i].fd) ||
		    ioctl(fd, PERF_EVENT_IOC_ID, &id) ||
		    bpf_map_update_elem(e->ustr_map_fd, &cpu, &fd, BPF_ANY))
			return -errno;
		if (engine_add_id(e, id, e->ustr_marker))
			return -ENOMEM;
	}
	e->ustr_failed = false;
	return 0;
}

/*
 * The event to attach the program through.  A program attached to an
 * inherited event is copied to the events the process's new threads and
 * children inherit, and the first of those to end (a thread's exit) takes
 * the program off the tracepoint for every event: after it, records came
 * without strings.  So with -p/-c (inherit), an event of its own, opened
 * disabled for the traced process alone: it never records, never goes
 * before the engine closes it.
 */
static int anchor_event(struct surf_engine *e, struct surf_event *ev)
{
	struct perf_event_attr attr;

	if (!e->opts.inherit || e->targets[0] <= 0)
		return ev->fds[0];
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = (uint64_t)ev->tp_id;
	attr.sample_period = 1;
	attr.disabled = 1;
	ev->ustr_anchor_fd = engine_perf_open(&attr, e->targets[0], -1);
	return ev->ustr_anchor_fd >= 0 ? ev->ustr_anchor_fd : ev->fds[0];
}

int ustr_attach(struct surf_engine *e, struct surf_event *ev)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	struct bpf_insn prog[256];
	int n, ret, fd;

	ev->ustr_prog_fd = -1;
	if (!ev->nfds)
		return 0;
	for (n = 0; n < ev->nfields && !ev->fields[n].info.user_string; n++)
		;
	if (n == ev->nfields)
		return 0;	/* no char * argument */
	ret = ustr_setup(e);
	if (ret)
		return ret;
	if (ev->def && ev->def->java_class) {
		fd = load_java_program(e, ev);
	} else {
		n = build_program(e, ev, e->ustr_map_fd, prog, 256);
		if (n < 0)
			return n;
		fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "surf_ustr", "Dual MIT/GPL", prog,
				   (size_t)n, &opts);
	}
	if (fd < 0)
		return fd;
	/* Attached to the tracepoint through one of our events; gone when it closes. */
	if (ioctl(anchor_event(e, ev), PERF_EVENT_IOC_SET_BPF, fd)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ev->ustr_prog_fd = fd;
	dyn_note_command(e, ev->def && ev->def->java_class ?
			 "# Java names of %s/%s matched and read at the event (BPF)" :
			 "# char * arguments of %s/%s read at the event (BPF)", ev->group, ev->name);
	return 0;
}

void ustr_start(struct surf_engine *e)
{
	for (int i = 0; e->ustr_fds && i < e->nrings; i++)
		if (e->ustr_fds[i] >= 0)
			ioctl(e->ustr_fds[i], PERF_EVENT_IOC_ENABLE, 0);
}

void ustr_free(struct surf_engine *e)
{
	for (int i = 0; e->ustr_fds && i < e->nrings; i++)
		if (e->ustr_fds[i] >= 0)
			close(e->ustr_fds[i]);
	if (e->ustr_map_fd >= 0)
		close(e->ustr_map_fd);
	free(e->ustr_fds);
	free(e->ustr_marker);
}

/* A BPF output record: keep its string for the record that follows on this ring. */
void ustr_store(struct ring *r, int tid, const uint8_t *raw, uint32_t size)
{
	struct ustr_out h;
	struct ustr_slot *s;

	if (!r || size < (uint32_t)OUT_SIZE)
		return;
	memcpy(&h, raw, sizeof(h));
	if (r->ustr.tid != tid || r->ustr.tp_id != h.tp_id)
		r->ustr.n = 0;	/* another thread or event: what was kept is stale */
	r->ustr.tid = tid;
	r->ustr.tp_id = h.tp_id;
	if (r->ustr.n == USTR_FIELDS)
		return;
	s = &r->ustr.slot[r->ustr.n++];
	s->field = (int)h.field;
	s->ptr = h.ptr;
	s->len = h.len > 0 && h.len <= USTR_MAX ? h.len - 1 : -1;	/* without the NUL */
	if (s->len >= 0)
		memcpy(s->str, raw + sizeof(h), (size_t)s->len);
}

const char *surf_record__user_str(const struct surf_record *rec, int field, uint32_t *len)
{
	const struct ustr_set *set = rec->user_strings;

	if (!set || (unsigned)field >= (unsigned)rec->event->nfields)
		return NULL;
	for (int i = 0; i < set->n; i++) {
		const struct ustr_slot *s = &set->slot[i];

		/* The same field still holding the pointer the string was read from. */
		if (s->field == field && s->len >= 0 && s->ptr == surf_record__int(rec, field)) {
			*len = (uint32_t)s->len;
			return s->str;
		}
	}
	return NULL;
}

/* A class or method name against its pattern, as the user wrote it (dots). */
static bool name_matches(const struct surf_record *rec, int field, const char *glob,
			 bool is_class)
{
	char name[USTR_MAX];
	uint32_t n;
	const char *s = field >= 0 ? surf_record__user_str(rec, field, &n) : NULL;

	if (!s)
		return true;	/* not read: the program matched what it could */
	for (uint32_t i = 0; i < n; i++)
		name[i] = is_class && s[i] == '/' ? '.' : s[i];
	name[n] = '\0';
	return !fnmatch(glob, name, 0);
}

bool ustr_java_match(const struct surf_event *ev, const struct surf_record *rec)
{
	const struct surf_probe_def *def = ev->def;

	return name_matches(rec, surf_event__field(ev, "class"), def->java_class, true) &&
	       name_matches(rec, surf_event__field(ev, "method"), def->java_method, false);
}

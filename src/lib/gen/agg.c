// SPDX-License-Identifier: MIT
/*
 * The program of an a: clause (agg.h).  Stack layout below r10: the key
 * (at KEY_OFF, GEN_AGG_MAX_KEY bytes, zeroed first so that padding and
 * short strings hash the same), the new value (VAL_OFF, 32 bytes), and the
 * fetch scratch slot.  r6 holds the context, r7 the value while the keys
 * are computed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gen/agg.h"
#include "gen/fetch.h"
#include "gen/filter.h"
#include "gen/gen.h"
#include "gen/java.h"
#include "sys/fault.h"

#define SCRATCH_OFF (-8)
#define VAL_OFF (-8 - 32)
#define KEY_OFF (VAL_OFF - GEN_AGG_MAX_KEY)

static bool has_value(enum surf_agg_kind k)
{
	return k != SURF_AGG_COUNT && k != SURF_AGG_LAT;
}

static bool is_hist(enum surf_agg_kind k)
{
	return k == SURF_AGG_HIST || k == SURF_AGG_LHIST || k == SURF_AGG_LAT;
}

int gen_agg_src_size(const struct gen_agg_src *s)
{
	if (s->key_size)
		return s->key_size;
	return s->src == SURF_AGG_COMM ? 16 : 8;
}

int gen_agg_key_size(const struct gen_agg_desc *d)
{
	int n = 0;

	if (d->role == GEN_AGG_LAT_START)
		return gen_agg_lat_key_size(d);
	for (int i = 0; i < d->nkeys; i++)
		n += gen_agg_src_size(&d->keys[i]);
	if (is_hist(d->kind))
		n += 8;
	return n ? n : 8;	/* count(): one entry, key 0 */
}

int gen_agg_value_size(const struct gen_agg_desc *d)
{
	if (d->role == GEN_AGG_LAT_START)
		return 8;
	return has_value(d->kind) && !is_hist(d->kind) ? 32 : 8;
}

unsigned gen_agg_log2_bucket(uint64_t v)
{
	unsigned b = 0;

	while (v) {
		b++;
		v >>= 1;
	}
	return b;
}

/* r0 = the source's value (integers; comm is written into the key by gen_agg_program). */
static int emit_src(struct gen *g, const struct gen_agg_desc *d, const struct gen_agg_src *s)
{
	struct gen_fetch_opts fo = { .arch = d->arch, .user = d->user, .ctx_reg = BPF_REG_6,
				     .scratch = SCRATCH_OFF };

	switch (s->src) {
	case SURF_AGG_FIELD:
		return gen_field_value(g, BPF_REG_6, s->offset, s->size, s->is_signed);
	case SURF_AGG_ARG:
		return gen_fetch_value(g, &fo, s->fetch, s->type);
	case SURF_AGG_PID:
		gen_emit(g, G_CALL(BPF_FUNC_get_current_pid_tgid));
		gen_emit(g, G_ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
		return g->err;
	case SURF_AGG_TID:
		gen_emit(g, G_CALL(BPF_FUNC_get_current_pid_tgid));
		gen_emit(g, G_ALU64_IMM(BPF_LSH, BPF_REG_0, 32));
		gen_emit(g, G_ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
		return g->err;
	case SURF_AGG_CPU:
		gen_emit(g, G_CALL(BPF_FUNC_get_smp_processor_id));
		return g->err;
	default:
		return -EOPNOTSUPP;	/* strings and stacks are keys (emit_key) */
	}
}

/* r1 = r10 + off: where a helper writes a key. */
static void emit_key_ptr(struct gen *g, int off)
{
	gen_emit(g, G_MOV64_REG(BPF_REG_1, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_1, off));
}

/* A string key: at most its key size less one byte, always terminated (the rest stays 0). */
static int emit_str_key(struct gen *g, const struct gen_agg_desc *d, const struct gen_agg_src *k,
			int off)
{
	struct gen_fetch_opts fo = { .arch = d->arch, .user = d->user, .ctx_reg = BPF_REG_6,
				     .scratch = SCRATCH_OFF };
	int size = gen_agg_src_size(k), ret, helper = BPF_FUNC_probe_read_kernel_str;

	switch (k->str) {
	case GEN_STR_ARRAY:	/* in the record: its own bytes */
		gen_emit(g, G_MOV64_REG(BPF_REG_3, BPF_REG_6));
		gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_3, k->offset));
		if (k->size < size)
			size = k->size + 1;
		break;
	case GEN_STR_DATA_LOC:	/* in the record, where its u32 locator says */
		ret = gen_field_value(g, BPF_REG_6, k->offset, 4, false);
		if (ret)
			return ret;
		gen_emit(g, G_ALU64_IMM(BPF_AND, BPF_REG_0, 0xffff));
		gen_emit(g, G_MOV64_REG(BPF_REG_3, BPF_REG_6));
		gen_emit(g, G_ALU64_REG(BPF_ADD, BPF_REG_3, BPF_REG_0));
		break;
	case GEN_STR_PTR:	/* in memory, kernel's or the process's */
		ret = gen_fetch_address(g, &fo, k->fetch);
		if (ret)
			return ret;
		gen_emit(g, G_MOV64_REG(BPF_REG_3, BPF_REG_0));
		if (d->user || (k->type && !strcmp(k->type, "ustring")))
			helper = BPF_FUNC_probe_read_user_str;
		break;
	case GEN_STR_PTR_LEN: {	/* exactly its length, at most the key less its NUL */
		int bad = gen_label(g);

		ret = gen_fetch_value(g, &fo, k->fetch, "u64");
		if (ret)
			return ret;
		gen_emit(g, G_MOV64_REG(BPF_REG_9, BPF_REG_0));
		ret = gen_bounded_length(g, &fo, k->len_fetch, k->len_type, size - 1, bad);
		if (ret)
			return ret;
		gen_emit(g, G_MOV64_REG(BPF_REG_2, BPF_REG_0));
		gen_emit(g, G_MOV64_REG(BPF_REG_3, BPF_REG_9));
		emit_key_ptr(g, off);
		gen_emit(g, G_CALL(BPF_FUNC_probe_read_user));
		gen_place(g, bad);	/* a negative length: the key stays empty */
		return g->err;
	}
	default:
		return -EINVAL;
	}
	emit_key_ptr(g, off);
	gen_emit(g, G_MOV64_IMM(BPF_REG_2, size));
	if (k->str == GEN_STR_PTR && helper == BPF_FUNC_probe_read_kernel_str) {
		/*
		 * A kernel function's char * may hold a user address (a
		 * syscall's file name): as the kernel's own string fetch does,
		 * user memory when kernel memory cannot be read there.
		 */
		int done = gen_label(g);

		gen_emit(g, G_MOV64_REG(BPF_REG_9, BPF_REG_3));
		gen_emit(g, G_CALL(helper));
		gen_jmp_imm(g, BPF_JSGE, BPF_REG_0, 0, done);
		emit_key_ptr(g, off);
		gen_emit(g, G_MOV64_IMM(BPF_REG_2, size));
		gen_emit(g, G_MOV64_REG(BPF_REG_3, BPF_REG_9));
		gen_emit(g, G_CALL(BPF_FUNC_probe_read_user_str));
		gen_place(g, done);
		return g->err;
	}
	gen_emit(g, G_CALL(helper));
	return g->err;
}

/* The key k at off in the key slot. */
static int emit_key(struct gen *g, const struct gen_agg_desc *d, const struct gen_agg_src *k,
		    int off)
{
	int ret;

	switch (k->src) {
	case SURF_AGG_COMM:
		emit_key_ptr(g, off);
		gen_emit(g, G_MOV64_IMM(BPF_REG_2, 16));
		gen_emit(g, G_CALL(BPF_FUNC_get_current_comm));
		return g->err;
	case SURF_AGG_KSTACK:
	case SURF_AGG_USTACK:
		/* No BPF_F_REUSE_STACKID: a bucket taken by another stack gives -EEXIST, shown as lost, never another stack's frames. */
		gen_emit(g, G_MOV64_REG(BPF_REG_1, BPF_REG_6));
		gen_ld_map_fd(g, BPF_REG_2, d->stack_fd);
		gen_emit(g, G_MOV64_IMM(BPF_REG_3, k->src == SURF_AGG_USTACK ? BPF_F_USER_STACK : 0));
		gen_emit(g, G_CALL(BPF_FUNC_get_stackid));
		if (k->src == SURF_AGG_USTACK) {	/* the process's tgid above: its maps name the frames */
			gen_emit(g, G_MOV64_REG(BPF_REG_9, BPF_REG_0));
			gen_emit(g, G_CALL(BPF_FUNC_get_current_pid_tgid));
			gen_emit(g, G_ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
			gen_emit(g, G_ALU64_IMM(BPF_LSH, BPF_REG_0, 32));
			gen_emit(g, G_ALU64_IMM(BPF_LSH, BPF_REG_9, 32));
			gen_emit(g, G_ALU64_IMM(BPF_RSH, BPF_REG_9, 32));
			gen_emit(g, G_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_9));
		}
		gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_0, (int16_t)off));
		return g->err;
	default:
		if (k->str)
			return emit_str_key(g, d, k, off);
		ret = emit_src(g, d, k);
		if (ret)
			return ret;
		gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_0, (int16_t)off));
		return g->err;
	}
}

/* r0 = floor(log2(r0)) + 1, 0 for 0: five halvings, as bcc's log2l. */
static void emit_log2(struct gen *g)
{
	int zero = gen_label(g), done = gen_label(g);

	gen_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, zero);
	gen_emit(g, G_MOV64_IMM(BPF_REG_1, 1));		/* the bucket, 1 for v = 1 */
	for (int shift = 32; shift; shift /= 2) {
		int skip = gen_label(g);

		gen_emit(g, G_MOV64_REG(BPF_REG_2, BPF_REG_0));
		gen_emit(g, G_ALU64_IMM(BPF_RSH, BPF_REG_2, shift));
		gen_jmp_imm(g, BPF_JEQ, BPF_REG_2, 0, skip);
		gen_emit(g, G_MOV64_REG(BPF_REG_0, BPF_REG_2));
		gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_1, shift));
		gen_place(g, skip);
	}
	gen_emit(g, G_MOV64_REG(BPF_REG_0, BPF_REG_1));
	gen_goto(g, done);
	gen_place(g, zero);
	gen_emit(g, G_MOV64_IMM(BPF_REG_0, 0));
	gen_place(g, done);
}

/* r0 = the linear bucket of r0: 0 below MIN, 1 + (v - MIN) / STEP, last at MAX and above. */
static void emit_lbucket(struct gen *g, const struct gen_agg_desc *d)
{
	int64_t nb = (d->lmax - d->lmin) / d->lstep;
	int under = gen_label(g), over = gen_label(g), done = gen_label(g);

	gen_ld_imm64(g, BPF_REG_1, (uint64_t)d->lmin);
	gen_jmp_reg(g, BPF_JSLT, BPF_REG_0, BPF_REG_1, under);
	gen_ld_imm64(g, BPF_REG_2, (uint64_t)d->lmax);
	gen_jmp_reg(g, BPF_JSGE, BPF_REG_0, BPF_REG_2, over);
	gen_emit(g, G_ALU64_REG(BPF_SUB, BPF_REG_0, BPF_REG_1));
	gen_ld_imm64(g, BPF_REG_2, (uint64_t)d->lstep);
	gen_emit(g, gen_insn(BPF_ALU64 | BPF_DIV | BPF_X, BPF_REG_0, BPF_REG_2, 0, 0));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_0, 1));
	gen_goto(g, done);
	gen_place(g, under);
	gen_emit(g, G_MOV64_IMM(BPF_REG_0, 0));
	gen_goto(g, done);
	gen_place(g, over);
	gen_emit(g, G_MOV64_IMM(BPF_REG_0, (int32_t)nb + 1));
	gen_place(g, done);
}

struct filter_ctx {
	struct gen *g;
	const struct gen_agg_desc *d;
};

static int load_filter_name(void *ctx, const char *name, bool *is_signed)
{
	struct filter_ctx *c = ctx;

	for (int i = 0; i < c->d->nfnames; i++) {
		const struct gen_agg_src *s = &c->d->fnames[i].src;

		if (strcmp(c->d->fnames[i].name, name))
			continue;
		*is_signed = s->is_signed || (s->type && s->type[0] == 's');
		return emit_src(c->g, c->d, s);
	}
	return -ENOENT;
}

/* Count one update the map refused (it was full) in drops_fd. Clobbers r0 to r5. */
static void emit_drop(struct gen *g, const struct gen_agg_desc *d)
{
	int none = gen_label(g);

	if (d->drops_fd == GEN_MAP_NONE)
		return;
	gen_emit(g, G_ST(BPF_W, BPF_REG_10, VAL_OFF, 0));
	gen_ld_map_fd(g, BPF_REG_1, d->drops_fd);
	gen_emit(g, G_MOV64_REG(BPF_REG_2, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_2, VAL_OFF));
	gen_emit(g, G_CALL(BPF_FUNC_map_lookup_elem));
	gen_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, none);
	gen_emit(g, G_LDX(BPF_DW, BPF_REG_1, BPF_REG_0, 0));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
	gen_emit(g, G_STX(BPF_DW, BPF_REG_0, BPF_REG_1, 0));
	gen_place(g, none);
}

/* r2 = r10 + off, r1 = the map: a helper's map and key. */
static void emit_map_key(struct gen *g, int map_fd, int off)
{
	gen_ld_map_fd(g, BPF_REG_1, map_fd);
	gen_emit(g, G_MOV64_REG(BPF_REG_2, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_2, off));
}

/* Out unless the current process is in pids_fd (-p, -c). */
static void emit_pid_check(struct gen *g, const struct gen_agg_desc *d, int out)
{
	gen_emit(g, G_CALL(BPF_FUNC_get_current_pid_tgid));
	gen_emit(g, G_ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
	gen_emit(g, G_STX(BPF_W, BPF_REG_10, BPF_REG_0, SCRATCH_OFF));
	emit_map_key(g, d->pids_fd, SCRATCH_OFF);
	gen_emit(g, G_CALL(BPF_FUNC_map_lookup_elem));
	gen_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, out);
}

/*
 * lat(): r7 = now - the start's time for lat_key, the start forgotten; out
 * when there is none (the start came before the run, or was filtered out).
 */
/* The start map's key at KEY_OFF: lat_key, and J's method (lat_method_fetch). */
static int emit_lat_key(struct gen *g, const struct gen_agg_desc *d)
{
	struct gen_fetch_opts fo = { .arch = d->arch, .user = d->user, .ctx_reg = BPF_REG_6,
				     .scratch = SCRATCH_OFF };
	int ret = emit_src(g, d, &d->lat_key);

	if (ret)
		return ret;
	gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_0, KEY_OFF));
	if (!d->lat_method_fetch)
		return g->err;
	ret = gen_fetch_value(g, &fo, d->lat_method_fetch, "u64");
	if (ret)
		return ret;
	gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_0, KEY_OFF + 8));
	return g->err;
}

static int emit_latency(struct gen *g, const struct gen_agg_desc *d, int out)
{
	int ret = emit_lat_key(g, d);

	if (ret)
		return ret;
	emit_map_key(g, d->start_fd, KEY_OFF);
	gen_emit(g, G_CALL(BPF_FUNC_map_lookup_elem));
	gen_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, out);
	gen_emit(g, G_LDX(BPF_DW, BPF_REG_7, BPF_REG_0, 0));
	gen_emit(g, G_CALL(BPF_FUNC_ktime_get_ns));
	gen_emit(g, G_ALU64_REG(BPF_SUB, BPF_REG_0, BPF_REG_7));
	gen_emit(g, G_MOV64_REG(BPF_REG_7, BPF_REG_0));
	emit_map_key(g, d->start_fd, KEY_OFF);
	gen_emit(g, G_CALL(BPF_FUNC_map_delete_elem));
	return g->err;
}

/* A lat() start: its time by lat_key; a full start map is counted as a drop. */
static int emit_lat_start(struct gen *g, const struct gen_agg_desc *d, int out)
{
	int ret = emit_lat_key(g, d);

	if (ret)
		return ret;
	gen_emit(g, G_CALL(BPF_FUNC_ktime_get_ns));
	gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_0, VAL_OFF));
	emit_map_key(g, d->start_fd, KEY_OFF);
	gen_emit(g, G_MOV64_REG(BPF_REG_3, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_3, VAL_OFF));
	gen_emit(g, G_MOV64_IMM(BPF_REG_4, BPF_ANY));
	gen_emit(g, G_CALL(BPF_FUNC_map_update_elem));
	gen_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, out);
	emit_drop(g, d);
	gen_goto(g, out);
	return g->err;
}

int gen_agg_program(struct gen *g, const struct gen_agg_desc *d, char *errbuf, size_t errlen)
{
	int key_size = gen_agg_key_size(d), off = KEY_OFF, found = gen_label(g),
	    again = gen_label(g), out = gen_label(g), ret;

	if (key_size > GEN_AGG_MAX_KEY || d->nkeys > 8)
		return -E2BIG;
	gen_emit(g, G_MOV64_REG(BPF_REG_6, BPF_REG_1));
	gen_emit(g, G_MOV64_IMM(BPF_REG_8, 0));
	if (d->pids_fd != GEN_MAP_NONE)
		emit_pid_check(g, d, out);
	for (int j = 0; j < d->njava; j++) {	/* J: another method: out at once */
		const struct gen_agg_java *jv = &d->java[j];
		struct gen_fetch_opts fo = { .arch = d->arch, .user = true, .ctx_reg = BPF_REG_6,
					     .scratch = SCRATCH_OFF };
		struct gen_java_glob m;

		gen_mark(g, GEN_PART_FILTER);
		ret = gen_java_glob_parse(jv->glob, jv->is_class, &m);
		if (!ret && !m.exact)
			ret = -EOPNOTSUPP;
		if (ret) {
			snprintf(errbuf, errlen, "a: on J matches %s names in the kernel, where '%s' "
				 "cannot be: a glob with '*' at its start, its end or both, and "
				 "at most %d other characters on each side", jv->is_class ?
				 "class" : "method", jv->glob, GEN_JAVA_MAX_LITERAL);
			return -EOPNOTSUPP;
		}
		ret = gen_java_match(g, &fo, jv->ptr_fetch, jv->len_fetch, jv->len_type, &m,
				     (int16_t)(KEY_OFF - 8), out);
		if (ret)
			return ret;
	}
	if (d->filter) {	/* the events f: rejects: out at once */
		struct filter_ctx fc = { g, d };

		gen_mark(g, GEN_PART_FILTER);
		ret = gen_filter(g, d->filter, load_filter_name, &fc, out, errbuf, errlen);
		if (ret)
			return ret;
	}
	if (d->role == GEN_AGG_LAT_START) {
		gen_mark(g, GEN_PART_LAT);
		ret = emit_lat_start(g, d, out);
		if (ret)
			return ret;
		goto exit;
	}
	/* The value first (into r7): the keys' helpers clobber r0 to r5. */
	gen_emit(g, G_MOV64_IMM(BPF_REG_7, 1));
	if (d->kind == SURF_AGG_LAT) {
		gen_mark(g, GEN_PART_LAT);
		ret = emit_latency(g, d, out);
		if (ret)
			return ret;
	} else if (has_value(d->kind)) {
		gen_mark(g, GEN_PART_VALUE);
		ret = emit_src(g, d, &d->value);
		if (ret)
			return ret;
		gen_emit(g, G_MOV64_REG(BPF_REG_7, BPF_REG_0));
	}
	/* The key zeroed: padding and short strings must hash alike. */
	gen_mark(g, GEN_PART_PROGRAM);
	for (int o = 0; o < key_size; o += 8)
		gen_emit(g, G_ST(BPF_DW, BPF_REG_10, (int16_t)(KEY_OFF + o), 0));
	for (int i = 0; i < d->nkeys; i++) {
		gen_mark(g, GEN_PART_KEY + i);
		ret = emit_key(g, d, &d->keys[i], off);
		if (ret)
			return ret;
		if (surf_fault(SURF_FAULT_GEN_BAD_KEY))	/* a key the verifier refuses */
			gen_emit(g, G_LDX(BPF_DW, BPF_REG_0, BPF_REG_0, 0));
		off += gen_agg_src_size(&d->keys[i]);
	}
	gen_mark(g, GEN_PART_PROGRAM);
	if (is_hist(d->kind)) {
		gen_emit(g, G_MOV64_REG(BPF_REG_0, BPF_REG_7));
		if (d->kind == SURF_AGG_LHIST)
			emit_lbucket(g, d);
		else
			emit_log2(g);
		gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_0, (int16_t)off));
		gen_emit(g, G_MOV64_IMM(BPF_REG_7, 1));	/* a histogram counts */
	}
	/* Look the key up; when missing, insert the first value. */
	gen_place(g, again);
	gen_ld_map_fd(g, BPF_REG_1, d->map_fd);
	gen_emit(g, G_MOV64_REG(BPF_REG_2, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_2, KEY_OFF));
	gen_emit(g, G_CALL(BPF_FUNC_map_lookup_elem));
	gen_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, found);
	if (gen_agg_value_size(d) == 32) {	/* count 1, sum v, min v, max v */
		gen_emit(g, G_ST(BPF_DW, BPF_REG_10, VAL_OFF, 1));
		gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_7, VAL_OFF + 8));
		gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_7, VAL_OFF + 16));
		gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_7, VAL_OFF + 24));
	} else {
		gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_7, VAL_OFF));
	}
	gen_ld_map_fd(g, BPF_REG_1, d->map_fd);
	gen_emit(g, G_MOV64_REG(BPF_REG_2, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_2, KEY_OFF));
	gen_emit(g, G_MOV64_REG(BPF_REG_3, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_3, VAL_OFF));
	gen_emit(g, G_MOV64_IMM(BPF_REG_4, BPF_NOEXIST));
	gen_emit(g, G_CALL(BPF_FUNC_map_update_elem));
	gen_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, out);
	/* Another CPU inserted the key meanwhile: add to it (once: r8 marks the retry). */
	{
		int dropped = gen_label(g);

		gen_jmp_imm(g, BPF_JNE, BPF_REG_0, -EEXIST, dropped);
		gen_jmp_imm(g, BPF_JEQ, BPF_REG_8, 1, dropped);
		gen_emit(g, G_MOV64_IMM(BPF_REG_8, 1));
		gen_goto(g, again);
		/* The map is full: counted, never silent. */
		gen_place(g, dropped);
		emit_drop(g, d);
		gen_goto(g, out);
	}
	/* Found: per-CPU, so plain read-modify-write. */
	gen_place(g, found);
	if (gen_agg_value_size(d) == 32) {
		int not_min = gen_label(g), not_max = gen_label(g);

		gen_emit(g, G_LDX(BPF_DW, BPF_REG_1, BPF_REG_0, 0));
		gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
		gen_emit(g, G_STX(BPF_DW, BPF_REG_0, BPF_REG_1, 0));
		gen_emit(g, G_LDX(BPF_DW, BPF_REG_1, BPF_REG_0, 8));
		gen_emit(g, G_ALU64_REG(BPF_ADD, BPF_REG_1, BPF_REG_7));
		gen_emit(g, G_STX(BPF_DW, BPF_REG_0, BPF_REG_1, 8));
		gen_emit(g, G_LDX(BPF_DW, BPF_REG_1, BPF_REG_0, 16));
		gen_jmp_reg(g, BPF_JSLE, BPF_REG_1, BPF_REG_7, not_min);
		gen_emit(g, G_STX(BPF_DW, BPF_REG_0, BPF_REG_7, 16));
		gen_place(g, not_min);
		gen_emit(g, G_LDX(BPF_DW, BPF_REG_1, BPF_REG_0, 24));
		gen_jmp_reg(g, BPF_JSGE, BPF_REG_1, BPF_REG_7, not_max);
		gen_emit(g, G_STX(BPF_DW, BPF_REG_0, BPF_REG_7, 24));
		gen_place(g, not_max);
	} else {
		gen_emit(g, G_LDX(BPF_DW, BPF_REG_1, BPF_REG_0, 0));
		gen_emit(g, G_ALU64_REG(BPF_ADD, BPF_REG_1, BPF_REG_7));
		gen_emit(g, G_STX(BPF_DW, BPF_REG_0, BPF_REG_1, 0));
	}
exit:
	gen_place(g, out);
	/*
	 * A tracepoint is shared: 1, and the kernel writes the record as usual
	 * for every other perf reader of it (0 would take it from all of them:
	 * the program array is the event's, not ours).  A kprobe or uprobe
	 * opened through perf's PMU is ours alone: 0 spares the kernel a
	 * record nobody reads (10% of a uprobe's cost).
	 */
	gen_emit(g, G_MOV64_IMM(BPF_REG_0, d->tracepoint ? 1 : 0));
	gen_emit(g, G_EXIT());
	return gen_finish(g);
}

int gen_agg_fork_program(struct gen *g, int pids_fd, int child_pid_offset)
{
	int out = gen_label(g), ret;

	gen_emit(g, G_MOV64_REG(BPF_REG_6, BPF_REG_1));
	gen_emit(g, G_CALL(BPF_FUNC_get_current_pid_tgid));
	gen_emit(g, G_ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
	gen_emit(g, G_STX(BPF_W, BPF_REG_10, BPF_REG_0, SCRATCH_OFF));
	emit_map_key(g, pids_fd, SCRATCH_OFF);
	gen_emit(g, G_CALL(BPF_FUNC_map_lookup_elem));
	gen_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, out);
	/* A thread's "child" is in its process already; another process joins. */
	ret = gen_field_value(g, BPF_REG_6, child_pid_offset, 4, false);
	if (ret)
		return ret;
	gen_emit(g, G_STX(BPF_W, BPF_REG_10, BPF_REG_0, SCRATCH_OFF));
	gen_emit(g, G_ST(BPF_DW, BPF_REG_10, VAL_OFF, 1));
	emit_map_key(g, pids_fd, SCRATCH_OFF);
	gen_emit(g, G_MOV64_REG(BPF_REG_3, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_3, VAL_OFF));
	gen_emit(g, G_MOV64_IMM(BPF_REG_4, BPF_ANY));
	gen_emit(g, G_CALL(BPF_FUNC_map_update_elem));
	gen_place(g, out);
	gen_emit(g, G_MOV64_IMM(BPF_REG_0, 1));
	gen_emit(g, G_EXIT());
	return gen_finish(g);
}

int gen_agg_read(const struct gen_agg_desc *d, int map_fd,
		 int (*cb)(void *ctx, const void *key, const uint64_t *values), void *ctx)
{
	int ncpus = libbpf_num_possible_cpus(), key_size = gen_agg_key_size(d),
	    nvals = gen_agg_value_size(d) / 8, ret = 0;
	uint8_t *key = NULL, *next = NULL;
	uint64_t *per_cpu = NULL, sum[4];
	bool first = true;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	key = calloc(1, (size_t)key_size);
	next = calloc(1, (size_t)key_size);
	per_cpu = calloc((size_t)ncpus * (size_t)nvals, sizeof(*per_cpu));
	if (!key || !next || !per_cpu) {
		ret = -ENOMEM;
		goto out;
	}
	/* Keys are read as they come; one removed meanwhile is skipped (ENOENT). */
	while (!bpf_map_get_next_key(map_fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, (size_t)key_size);
		if (bpf_map_lookup_elem(map_fd, key, per_cpu)) {
			if (errno == ENOENT)
				continue;
			ret = -errno;
			goto out;
		}
		memset(sum, 0, sizeof(sum));
		for (int c = 0; c < ncpus; c++) {
			const uint64_t *v = per_cpu + (size_t)c * (size_t)nvals;

			if (nvals == 1) {
				sum[0] += v[0];
				continue;
			}
			if (!v[0])
				continue;	/* this CPU never saw the key */
			if (!sum[0] || (int64_t)v[2] < (int64_t)sum[2])
				sum[2] = v[2];
			if (!sum[0] || (int64_t)v[3] > (int64_t)sum[3])
				sum[3] = v[3];
			sum[0] += v[0];
			sum[1] += v[1];
		}
		ret = cb(ctx, key, sum);
		if (ret)
			goto out;
	}
	if (errno != ENOENT && !first)
		ret = -errno;
out:
	free(key);
	free(next);
	free(per_cpu);
	return ret;
}

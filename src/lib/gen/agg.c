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

static int src_size(const struct gen_agg_src *s)
{
	return s->src == SURF_AGG_COMM ? 16 : 8;
}

int gen_agg_key_size(const struct gen_agg_desc *d)
{
	int n = 0;

	for (int i = 0; i < d->nkeys; i++)
		n += src_size(&d->keys[i]);
	if (is_hist(d->kind))
		n += 8;
	return n ? n : 8;	/* count(): one entry, key 0 */
}

int gen_agg_value_size(const struct gen_agg_desc *d)
{
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
		return -EOPNOTSUPP;	/* stacks, strings of fields: next */
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

int gen_agg_program(struct gen *g, const struct gen_agg_desc *d, char *errbuf, size_t errlen)
{
	int key_size = gen_agg_key_size(d), off = KEY_OFF, found = gen_label(g),
	    again = gen_label(g), out = gen_label(g), ret;

	if (key_size > GEN_AGG_MAX_KEY || d->nkeys > 8)
		return -E2BIG;
	gen_emit(g, G_MOV64_REG(BPF_REG_6, BPF_REG_1));
	gen_emit(g, G_MOV64_IMM(BPF_REG_8, 0));
	if (d->filter) {	/* the events f: rejects: out at once */
		struct filter_ctx fc = { g, d };

		ret = gen_filter(g, d->filter, load_filter_name, &fc, out, errbuf, errlen);
		if (ret)
			return ret;
	}
	/* The key zeroed: padding and short strings must hash alike. */
	for (int o = 0; o < key_size; o += 8)
		gen_emit(g, G_ST(BPF_DW, BPF_REG_10, (int16_t)(KEY_OFF + o), 0));
	/* The value first (into r7): the keys' helpers clobber r0 to r5. */
	gen_emit(g, G_MOV64_IMM(BPF_REG_7, 1));
	if (has_value(d->kind)) {
		ret = emit_src(g, d, &d->value);
		if (ret)
			return ret;
		gen_emit(g, G_MOV64_REG(BPF_REG_7, BPF_REG_0));
	}
	for (int i = 0; i < d->nkeys; i++) {
		const struct gen_agg_src *k = &d->keys[i];

		if (k->src == SURF_AGG_COMM) {
			gen_emit(g, G_MOV64_REG(BPF_REG_1, BPF_REG_10));
			gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_1, off));
			gen_emit(g, G_MOV64_IMM(BPF_REG_2, 16));
			gen_emit(g, G_CALL(BPF_FUNC_get_current_comm));
		} else {
			ret = emit_src(g, d, k);
			if (ret)
				return ret;
			gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_0, (int16_t)off));
		}
		off += src_size(k);
	}
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
		if (d->drops_fd >= 0) {
			int none = gen_label(g);

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
	gen_place(g, out);
	/*
	 * 1: the kernel then writes the record as usual for every perf reader
	 * of this tracepoint or probe; 0 would take it from all of them (the
	 * program array is the event's, not ours).
	 */
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

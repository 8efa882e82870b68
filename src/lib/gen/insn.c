// SPDX-License-Identifier: MIT
/*
 * The BPF instruction builder (gen.h).  Jumps to labels are recorded and
 * patched when their label is placed, so that a generator writes its code
 * in order ("if the key is missing, go to insert") without counting
 * instructions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"

void gen_init(struct gen *g)
{
	memset(g, 0, sizeof(*g));
	for (int i = 0; i < GEN_MAX_LABELS; i++)
		g->label_at[i] = -1;
}

void gen_free(struct gen *g)
{
	free(g->insns);
	free(g->fixups);
	memset(g, 0, sizeof(*g));
}

static void fail(struct gen *g, int err)
{
	if (!g->err)
		g->err = err;
}

int gen_emit(struct gen *g, struct bpf_insn insn)
{
	if (g->err)
		return -1;
	if (g->n >= GEN_MAX_INSNS) {
		fail(g, -E2BIG);
		return -1;
	}
	if (g->n == g->cap) {
		int cap = g->cap ? g->cap * 2 : 64;
		struct bpf_insn *p = realloc(g->insns, (size_t)cap * sizeof(*p));

		if (!p) {
			fail(g, -ENOMEM);
			return -1;
		}
		g->insns = p;
		g->cap = cap;
	}
	g->insns[g->n] = insn;
	return g->n++;
}

void gen_ld_imm64(struct gen *g, int dst, uint64_t imm)
{
	gen_emit(g, gen_insn(BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, (int32_t)(uint32_t)imm));
	gen_emit(g, gen_insn(0, 0, 0, 0, (int32_t)(uint32_t)(imm >> 32)));
}

void gen_ld_map_fd(struct gen *g, int dst, int fd)
{
	gen_emit(g, gen_insn(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_FD, 0, fd));
	gen_emit(g, gen_insn(0, 0, 0, 0, 0));
}

int gen_label(struct gen *g)
{
	if (g->nlabels >= GEN_MAX_LABELS) {
		fail(g, -E2BIG);
		return -1;
	}
	return g->nlabels++;
}

/* The offset of a jump at insn to target: pc-relative to the next instruction. */
static void patch(struct gen *g, int insn, int target)
{
	int off = target - insn - 1;

	if (off < INT16_MIN || off > INT16_MAX) {
		fail(g, -E2BIG);
		return;
	}
	g->insns[insn].off = (int16_t)off;
}

/* The pending jump at insn: its fixup's index, or -1 (not a jump, or patched). */
static int fixup_at(const struct gen *g, int insn)
{
	for (int i = 0; i < g->nfixups; i++)
		if (g->fixups[i].insn == insn)
			return i;
	return -1;
}

static bool is_jump_target(const struct gen *g, int insn)
{
	for (int i = 0; i < g->nlabels; i++)
		if (g->label_at[i] == insn && g->label_uses[i])
			return true;
	return false;
}

/* The condition that holds when op's does not; 0 for none (JSET). */
static int inverse(int op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	case BPF_JGT: return BPF_JLE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JGE: return BPF_JLT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGT;
	case BPF_JSGE: return BPF_JSLT;
	case BPF_JSLT: return BPF_JSGE;
	default: return 0;
	}
}

static void drop_last(struct gen *g, int fixup)
{
	g->label_uses[g->fixups[fixup].label]--;
	g->fixups[fixup] = g->fixups[--g->nfixups];
	g->n--;
}

/*
 * Before label is placed at the next instruction: jumps that would land
 * there anyway go.  "goto L; L:" loses the goto; "if C goto L; goto M; L:"
 * becomes "if !C goto M; L:" (what short-circuit code emits at every
 * operand).  Only jumps no label points at are touched.
 */
static void peephole(struct gen *g, int label)
{
	for (;;) {
		int last = g->n - 1, f = fixup_at(g, last), prev, fp, op;

		if (f < 0 || g->insns[last].code != (BPF_JMP | BPF_JA) || is_jump_target(g, last))
			return;
		if (g->fixups[f].label == label) {	/* goto L; L: */
			drop_last(g, f);
			continue;
		}
		prev = last - 1;
		fp = fixup_at(g, prev);
		if (fp < 0 || g->fixups[fp].label != label || BPF_CLASS(g->insns[prev].code) != BPF_JMP)
			return;
		op = inverse(BPF_OP(g->insns[prev].code));
		if (!op)
			return;
		g->insns[prev].code = (uint8_t)(BPF_JMP | op | BPF_SRC(g->insns[prev].code));
		g->label_uses[label]--;
		g->label_uses[g->fixups[f].label]++;
		g->fixups[fp].label = g->fixups[f].label;
		drop_last(g, f);
		return;
	}
}

void gen_place(struct gen *g, int label)
{
	if (g->err)
		return;
	if (label < 0 || label >= g->nlabels || g->label_at[label] >= 0) {
		fail(g, -EINVAL);
		return;
	}
	peephole(g, label);
	g->label_at[label] = g->n;
	for (int i = 0; i < g->nfixups; i++) {
		if (g->fixups[i].label != label)
			continue;
		patch(g, g->fixups[i].insn, g->n);
		g->fixups[i--] = g->fixups[--g->nfixups];
	}
}

static void jump_to(struct gen *g, int insn, int label)
{
	if (insn < 0)
		return;
	if (label < 0 || label >= g->nlabels) {
		fail(g, -EINVAL);
		return;
	}
	g->label_uses[label]++;
	if (g->label_at[label] >= 0) {		/* backwards: known now */
		patch(g, insn, g->label_at[label]);
		return;
	}
	if (g->nfixups == g->fixups_cap) {
		int cap = g->fixups_cap ? g->fixups_cap * 2 : 16;
		void *p = realloc(g->fixups, (size_t)cap * sizeof(*g->fixups));

		if (!p) {
			fail(g, -ENOMEM);
			return;
		}
		g->fixups = p;
		g->fixups_cap = cap;
	}
	g->fixups[g->nfixups].insn = insn;
	g->fixups[g->nfixups++].label = label;
}

void gen_jmp_imm(struct gen *g, int op, int dst, int32_t imm, int label)
{
	jump_to(g, gen_emit(g, gen_insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm)), label);
}

void gen_jmp_reg(struct gen *g, int op, int dst, int src, int label)
{
	jump_to(g, gen_emit(g, gen_insn(BPF_JMP | op | BPF_X, dst, src, 0, 0)), label);
}

void gen_goto(struct gen *g, int label)
{
	jump_to(g, gen_emit(g, gen_insn(BPF_JMP | BPF_JA, 0, 0, 0, 0)), label);
}

void gen_mark(struct gen *g, int part)
{
	if (g->nmarks == (int)(sizeof(g->marks) / sizeof(g->marks[0])))
		return;		/* later parts blamed on the last one marked: a hint only */
	g->marks[g->nmarks].insn = g->n;
	g->marks[g->nmarks++].part = part;
}

int gen_part_of(const struct gen *g, int i)
{
	int part = 0;

	for (int m = 0; m < g->nmarks && g->marks[m].insn <= i; m++)
		part = g->marks[m].part;
	return part;
}

int gen_finish(struct gen *g)
{
	if (!g->err && g->nfixups)
		fail(g, -EINVAL);	/* a jump to a label never placed */
	return g->err;
}

/* SPDX-License-Identifier: MIT */
/*
 * BPF code generation (issue 15): the instruction builder that the
 * aggregation compiler emits through, and a listing of its output in the
 * kernel verifier's syntax (surftrace -S, golden tests).  Internal to
 * libsurf.
 *
 * The builder keeps the first error (no memory, too many instructions) and
 * ignores what comes after, so a generator emits a whole program and checks
 * once.  Forward jumps go to labels, patched when the label is placed.
 */
#ifndef SURF_GEN_H
#define SURF_GEN_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel's limit for an unprivileged program; ours stay far below it. */
#define GEN_MAX_INSNS 4096
#define GEN_MAX_LABELS 256

struct gen {
	struct bpf_insn *insns;
	int n, cap;
	int err;			/* the first error, negative errno; 0 */
	int label_at[GEN_MAX_LABELS];	/* instruction index, -1 while not placed */
	int label_uses[GEN_MAX_LABELS];	/* jumps to each label */
	int nlabels;
	/* Jumps waiting for a label: instruction index and label. */
	struct { int insn, label; } *fixups;
	int nfixups, fixups_cap;
	/* What each run of instructions computes (gen_mark), to blame a refusal on. */
	struct { int insn, part; } marks[64];
	int nmarks;
};

void gen_init(struct gen *g);
void gen_free(struct gen *g);
/* Append one instruction; its index, or -1 once the builder has failed. */
int gen_emit(struct gen *g, struct bpf_insn insn);
/* dst = imm64 (two instructions). */
void gen_ld_imm64(struct gen *g, int dst, uint64_t imm);
/* dst = the map with file descriptor fd (two instructions, BPF_PSEUDO_MAP_FD). */
void gen_ld_map_fd(struct gen *g, int dst, int fd);
/* A new label (not placed yet); -1 when there are too many. */
int gen_label(struct gen *g);
/* Place a label at the next instruction: the jumps to it are patched. */
void gen_place(struct gen *g, int label);
/* A conditional jump (op BPF_JEQ...) of dst against imm, or src (use_src), to a label. */
void gen_jmp_imm(struct gen *g, int op, int dst, int32_t imm, int label);
void gen_jmp_reg(struct gen *g, int op, int dst, int src, int label);
void gen_goto(struct gen *g, int label);
/* The instructions from the next one on compute `part` (the generator's numbering). */
void gen_mark(struct gen *g, int part);
/* The part instruction i belongs to; 0 before the first mark. */
int gen_part_of(const struct gen *g, int i);
/*
 * Finish: every label used is placed and every jump in range.  0, or the
 * first error (-ENOMEM, -E2BIG for too long, -EINVAL for a label never
 * placed).
 */
int gen_finish(struct gen *g);

/* Instructions as values, named after what they do (dst, src: BPF_REG_*). */
static inline struct bpf_insn gen_insn(uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
	struct bpf_insn i = { .code = code, .dst_reg = (uint8_t)dst, .src_reg = (uint8_t)src,
			      .off = off, .imm = imm };
	return i;
}
#define G_MOV64_REG(dst, src)	   gen_insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define G_MOV64_IMM(dst, imm)	   gen_insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define G_MOV32_REG(dst, src)	   gen_insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define G_ALU64_IMM(op, dst, imm)  gen_insn(BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
#define G_ALU64_REG(op, dst, src)  gen_insn(BPF_ALU64 | (op) | BPF_X, dst, src, 0, 0)
#define G_ALU32_IMM(op, dst, imm)  gen_insn(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
/* size: BPF_B, BPF_H, BPF_W, BPF_DW */
#define G_LDX(size, dst, src, off) gen_insn(BPF_LDX | BPF_MEM | (size), dst, src, off, 0)
#define G_STX(size, dst, src, off) gen_insn(BPF_STX | BPF_MEM | (size), dst, src, off, 0)
#define G_ST(size, dst, off, imm)  gen_insn(BPF_ST | BPF_MEM | (size), dst, 0, off, imm)
/* *(u64 *)(dst + off) += src, atomically (per-CPU counters need none; shared ones do). */
#define G_XADD64(dst, src, off)	   gen_insn(BPF_STX | BPF_ATOMIC | BPF_DW, dst, src, off, BPF_ADD)
#define G_CALL(helper)		   gen_insn(BPF_JMP | BPF_CALL, 0, 0, 0, helper)
#define G_EXIT()		   gen_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/*
 * One line of listing for the instruction at index i, as the kernel's
 * verifier log and `bpftool prog dump xlated` write it ("r1 = *(u64 *)(r6
 * +8)", "if r0 == 0x0 goto pc+3", "call bpf_map_lookup_elem#1").  Returns
 * how many instructions it took (2 for a 64-bit immediate), 0 past the end.
 */
int gen_format(const struct bpf_insn *insns, int n, int i, char *buf, size_t len);
/*
 * Map "descriptors" of a program generated only to be listed (-S): named,
 * not numbered.  GEN_MAP_NONE: a map a program does without.
 */
#define GEN_MAP_NONE (-1)
#define GEN_MAP_AGG (-100)
#define GEN_MAP_DROPS (-101)
#define GEN_MAP_START (-102)
#define GEN_MAP_STACKS (-103)
#define GEN_MAP_PIDS (-104)
/* The name of a listed map ("agg", "drops"...); NULL for a real descriptor. */
const char *gen_map_name(int fd);

#endif

// SPDX-License-Identifier: MIT
/*
 * A listing of BPF instructions in the syntax of the kernel's verifier log
 * and of `bpftool prog dump xlated` (the test compares the two over a
 * loaded program), for surftrace -S and for reading generated code.
 * libbpf has no disassembler; the subset here is what the generator emits
 * plus the rest of the classic forms, so that a listing never lies.
 */
#include <inttypes.h>
#include <stdio.h>

#include "gen/gen.h"

/* Helper names by id, from the UAPI header's own list (ids are its order). */
#define HELPER_NAME(name, ...) "bpf_" #name
static const char *const helper_names[] = { __BPF_FUNC_MAPPER(HELPER_NAME) };
#undef HELPER_NAME

static const char *alu_op(int op)
{
	switch (op) {
	case BPF_ADD: return "+=";
	case BPF_SUB: return "-=";
	case BPF_MUL: return "*=";
	case BPF_DIV: return "/=";
	case BPF_OR: return "|=";
	case BPF_AND: return "&=";
	case BPF_LSH: return "<<=";
	case BPF_RSH: return ">>=";
	case BPF_MOD: return "%=";
	case BPF_XOR: return "^=";
	case BPF_MOV: return "=";
	case BPF_ARSH: return "s>>=";
	default: return "?";
	}
}

static const char *jmp_op(int op)
{
	switch (op) {
	case BPF_JEQ: return "==";
	case BPF_JGT: return ">";
	case BPF_JGE: return ">=";
	case BPF_JSET: return "&";
	case BPF_JNE: return "!=";
	case BPF_JSGT: return "s>";
	case BPF_JSGE: return "s>=";
	case BPF_JLT: return "<";
	case BPF_JLE: return "<=";
	case BPF_JSLT: return "s<";
	case BPF_JSLE: return "s<=";
	default: return "?";
	}
}

static const char *size_name(int size)
{
	switch (size) {
	case BPF_B: return "u8";
	case BPF_H: return "u16";
	case BPF_W: return "u32";
	default: return "u64";
	}
}

const char *gen_map_name(int fd)
{
	switch (fd) {
	case GEN_MAP_AGG: return "agg";
	case GEN_MAP_DROPS: return "drops";
	case GEN_MAP_START: return "start";
	case GEN_MAP_STACKS: return "stacks";
	case GEN_MAP_PIDS: return "pids";
	default: return NULL;
	}
}

int gen_format(const struct bpf_insn *insns, int n, int i, char *buf, size_t len)
{
	const struct bpf_insn *in = &insns[i];
	int cls, op, code;
	char r;

	if (i < 0 || i >= n)
		return 0;
	code = in->code;
	cls = BPF_CLASS(code);
	op = BPF_OP(code);
	r = cls == BPF_ALU ? 'w' : 'r';
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_NEG)
			snprintf(buf, len, "(%02x) %c%d = -%c%d", code, r, in->dst_reg, r, in->dst_reg);
		else if (op == BPF_END)	/* always "r": it swaps within the whole register */
			snprintf(buf, len, "(%02x) r%d = %s%d r%d", code, in->dst_reg,
				 BPF_SRC(code) == BPF_TO_BE ? "be" : "le", in->imm, in->dst_reg);
		else if (BPF_SRC(code) == BPF_X)
			snprintf(buf, len, "(%02x) %c%d %s %c%d", code, r, in->dst_reg, alu_op(op), r,
				 in->src_reg);
		else
			snprintf(buf, len, "(%02x) %c%d %s %d", code, r, in->dst_reg, alu_op(op),
				 in->imm);
		return 1;
	case BPF_LDX:
		snprintf(buf, len, "(%02x) r%d = *(%s *)(r%d %+d)", code, in->dst_reg,
			 size_name(BPF_SIZE(code)), in->src_reg, in->off);
		return 1;
	case BPF_STX:
		if (BPF_MODE(code) == BPF_ATOMIC && in->imm == BPF_ADD)
			snprintf(buf, len, "(%02x) lock *(%s *)(r%d %+d) += r%d", code,
				 size_name(BPF_SIZE(code)), in->dst_reg, in->off, in->src_reg);
		else
			snprintf(buf, len, "(%02x) *(%s *)(r%d %+d) = r%d", code,
				 size_name(BPF_SIZE(code)), in->dst_reg, in->off, in->src_reg);
		return 1;
	case BPF_ST:
		snprintf(buf, len, "(%02x) *(%s *)(r%d %+d) = %d", code, size_name(BPF_SIZE(code)),
			 in->dst_reg, in->off, in->imm);
		return 1;
	case BPF_LD:
		if (BPF_MODE(code) == BPF_IMM && BPF_SIZE(code) == BPF_DW && i + 1 < n) {
			uint64_t imm = (uint64_t)(uint32_t)in->imm |
				       (uint64_t)(uint32_t)insns[i + 1].imm << 32;

			if (in->src_reg == BPF_PSEUDO_MAP_FD && gen_map_name(in->imm))
				snprintf(buf, len, "(%02x) r%d = map[%s]", code, in->dst_reg,
					 gen_map_name(in->imm));
			else if (in->src_reg == BPF_PSEUDO_MAP_FD)
				snprintf(buf, len, "(%02x) r%d = map[fd:%d]", code, in->dst_reg, in->imm);
			else
				snprintf(buf, len, "(%02x) r%d = 0x%" PRIx64, code, in->dst_reg, imm);
			return 2;
		}
		break;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_EXIT) {
			snprintf(buf, len, "(%02x) exit", code);
			return 1;
		}
		if (op == BPF_CALL) {
			if (in->src_reg == 0 && in->imm >= 0 &&
			    in->imm < (int)(sizeof(helper_names) / sizeof(helper_names[0])))
				snprintf(buf, len, "(%02x) call %s#%d", code, helper_names[in->imm], in->imm);
			else
				snprintf(buf, len, "(%02x) call pc%+d", code, in->imm);
			return 1;
		}
		if (op == BPF_JA) {
			snprintf(buf, len, "(%02x) goto pc%+d", code, in->off);
			return 1;
		}
		r = cls == BPF_JMP32 ? 'w' : 'r';
		if (BPF_SRC(code) == BPF_X)
			snprintf(buf, len, "(%02x) if %c%d %s %c%d goto pc%+d", code, r, in->dst_reg,
				 jmp_op(op), r, in->src_reg, in->off);
		else
			snprintf(buf, len, "(%02x) if %c%d %s 0x%x goto pc%+d", code, r, in->dst_reg,
				 jmp_op(op), (uint32_t)in->imm, in->off);
		return 1;
	}
	snprintf(buf, len, "(%02x) invalid", code);
	return 1;
}

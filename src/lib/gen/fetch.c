// SPDX-License-Identifier: MIT
/*
 * A probe argument's value in BPF (issue 15): the expression compiler
 * writes where a value lives as kprobe_events fetch text ("%di",
 * "+0x84(+0x470(%di))", "$retval", "@0xADDR"), the text the kernel itself
 * evaluates for kprobes and uprobes; here the same text becomes BPF that
 * evaluates it from the program's pt_regs, so that an aggregating program
 * reads exactly what the streamed event would show.
 *
 * Registers are loaded from pt_regs at the architecture's offsets; each
 * "+OFF(X)" reads memory at X + OFF with bpf_probe_read_kernel (or _user
 * for user probes) into a stack slot: a pointer for the inner ones, the
 * type's size for the outermost.  A failed read yields 0 (the helper zeroes
 * the slot), as the kernel's fetch does.  Then the type: sign extension for
 * sN, bitfield extraction for b<width>@<offset>/<container>.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"
#include "gen/fetch.h"

/* struct pt_regs (x86_64) and struct user_pt_regs (aarch64): offsets by name. */
static const struct { const char *name; int16_t off; } x86_64_regs[] = {
	{ "r15", 0 }, { "r14", 8 }, { "r13", 16 }, { "r12", 24 }, { "bp", 32 }, { "bx", 40 },
	{ "r11", 48 }, { "r10", 56 }, { "r9", 64 }, { "r8", 72 }, { "ax", 80 }, { "cx", 88 },
	{ "dx", 96 }, { "si", 104 }, { "di", 112 }, { "ip", 128 }, { "cs", 136 },
	{ "flags", 144 }, { "sp", 152 }, { "ss", 160 },
};

int gen_reg_offset(const char *arch, const char *reg)
{
	if (!strcmp(arch, "x86_64")) {
		for (size_t i = 0; i < sizeof(x86_64_regs) / sizeof(x86_64_regs[0]); i++)
			if (!strcmp(reg, x86_64_regs[i].name))
				return x86_64_regs[i].off;
		return -ENOENT;
	}
	if (!strcmp(arch, "aarch64")) {
		char *end;
		long n;

		if (!strcmp(reg, "sp"))
			return 31 * 8;
		if (!strcmp(reg, "pc"))
			return 32 * 8;
		if (!strcmp(reg, "pstate"))
			return 33 * 8;
		if (reg[0] != 'x')
			return -ENOENT;
		n = strtol(reg + 1, &end, 10);
		return *end || end == reg + 1 || n < 0 || n > 30 ? -ENOENT : (int)n * 8;
	}
	return -EOPNOTSUPP;
}

/* The register $retval names. */
static const char *retval_reg(const char *arch)
{
	return !strcmp(arch, "aarch64") ? "x0" : "ax";
}

/* Read size bytes at the address in r3 into the scratch slot, then into r0. */
static void emit_read(struct gen *g, const struct gen_fetch_opts *o, int size)
{
	static const int sizes[] = { [1] = BPF_B, [2] = BPF_H, [4] = BPF_W, [8] = BPF_DW };

	gen_emit(g, G_ST(BPF_DW, BPF_REG_10, o->scratch, 0));
	gen_emit(g, G_MOV64_REG(BPF_REG_1, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_1, o->scratch));
	gen_emit(g, G_MOV64_IMM(BPF_REG_2, size));
	gen_emit(g, G_CALL(o->user ? BPF_FUNC_probe_read_user : BPF_FUNC_probe_read_kernel));
	gen_emit(g, G_LDX(sizes[size], BPF_REG_0, BPF_REG_10, o->scratch));
}

/*
 * Parse one fetch text at *p into r0 (an address or a value).  size: bytes
 * to read when this is a dereference (the outermost's type, 8 inside).
 */
static int fetch(struct gen *g, const struct gen_fetch_opts *o, const char **p, int size,
		 int depth)
{
	const char *s = *p;
	char reg[16];
	int off;

	if (depth > 16)
		return -E2BIG;
	if (*s == '%' || !strncmp(s, "$retval", 7)) {
		size_t n = 0;

		if (*s == '%') {
			s++;
			while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9'))
				n++;
			if (!n || n >= sizeof(reg))
				return -EINVAL;
			memcpy(reg, s, n);
			reg[n] = '\0';
			s += n;
		} else {
			snprintf(reg, sizeof(reg), "%s", retval_reg(o->arch));
			s += 7;
		}
		off = gen_reg_offset(o->arch, reg);
		if (off < 0)
			return off;
		gen_emit(g, G_LDX(BPF_DW, BPF_REG_0, o->ctx_reg, (int16_t)off));
		*p = s;
		return 0;
	}
	if (*s == '@') {			/* @0xADDR: an absolute address, read */
		char *end;
		unsigned long long addr = strtoull(s + 1, &end, 0);

		if (end == s + 1 || s[1] < '0' || s[1] > '9')
			return -EOPNOTSUPP;	/* @sym: kallsyms is the caller's business */
		gen_ld_imm64(g, BPF_REG_3, addr);
		emit_read(g, o, size);
		*p = end;
		return 0;
	}
	if (*s == '+' || *s == '-') {		/* +OFF(FETCH): read at FETCH + OFF */
		char *end;
		long long v = strtoll(s + 1, &end, 0);
		int ret;

		if (end == s + 1 || *end != '(')
			return -EINVAL;
		if (*s == '-')
			v = -v;
		if (v < INT32_MIN || v > INT32_MAX)
			return -ERANGE;
		s = end + 1;
		ret = fetch(g, o, &s, 8, depth + 1);
		if (ret)
			return ret;
		if (*s != ')')
			return -EINVAL;
		gen_emit(g, G_MOV64_REG(BPF_REG_3, BPF_REG_0));
		if (v)
			gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_3, (int32_t)v));
		emit_read(g, o, size);
		*p = s + 1;
		return 0;
	}
	return -EOPNOTSUPP;	/* $stack, $comm, \IMM, ... */
}

int gen_type_parse(const char *type, struct gen_type *t)
{
	char *end;
	unsigned long bits;

	memset(t, 0, sizeof(*t));
	t->size = 8;
	if (!type)
		return 0;
	if (type[0] == 'b') {		/* b<width>@<offset>/<container bits> */
		unsigned long w = strtoul(type + 1, &end, 10), at, c;

		if (end == type + 1 || *end != '@')
			return -EINVAL;
		at = strtoul(end + 1, &end, 10);
		if (*end != '/')
			return -EINVAL;
		c = strtoul(end + 1, &end, 10);
		if (*end || (c != 8 && c != 16 && c != 32 && c != 64) || !w || w + at > c)
			return -EINVAL;
		t->size = (int)(c / 8);
		t->bit_width = (int)w;
		t->bit_offset = (int)at;
		return 0;
	}
	if ((type[0] != 'u' && type[0] != 's' && type[0] != 'x') || type[1] < '0' || type[1] > '9')
		return -EOPNOTSUPP;	/* string, ustring, symbol: not values */
	bits = strtoul(type + 1, &end, 10);
	if (*end == '[')
		return -EOPNOTSUPP;	/* u8[16]: an array, not a value */
	if (*end || (bits != 8 && bits != 16 && bits != 32 && bits != 64))
		return -EINVAL;
	t->size = (int)(bits / 8);
	t->is_signed = type[0] == 's';
	return 0;
}

int gen_fetch_value(struct gen *g, const struct gen_fetch_opts *o, const char *text,
		    const char *type)
{
	struct gen_type t;
	const char *p = text;
	bool deref = text[0] == '+' || text[0] == '-' || text[0] == '@';
	int ret = gen_type_parse(type, &t);

	if (ret)
		return ret;
	ret = fetch(g, o, &p, t.size, 0);
	if (ret)
		return ret;
	if (*p)
		return -EINVAL;
	/* A register is 64 bits: a narrower type takes its low bytes. */
	if (!deref && t.size < 8) {
		gen_emit(g, G_ALU64_IMM(BPF_LSH, BPF_REG_0, 64 - t.size * 8));
		gen_emit(g, G_ALU64_IMM(t.is_signed ? BPF_ARSH : BPF_RSH, BPF_REG_0,
					64 - t.size * 8));
	} else if (t.is_signed && t.size < 8) {
		gen_emit(g, G_ALU64_IMM(BPF_LSH, BPF_REG_0, 64 - t.size * 8));
		gen_emit(g, G_ALU64_IMM(BPF_ARSH, BPF_REG_0, 64 - t.size * 8));
	}
	if (t.bit_width) {
		/* The field's bits to the top, then down: what lies around it is gone. */
		gen_emit(g, G_ALU64_IMM(BPF_LSH, BPF_REG_0, 64 - t.bit_offset - t.bit_width));
		gen_emit(g, G_ALU64_IMM(BPF_RSH, BPF_REG_0, 64 - t.bit_width));
	}
	return g->err;
}

int gen_fetch_address(struct gen *g, const struct gen_fetch_opts *o, const char *text)
{
	const char *p;
	char *end;
	long long off;
	int ret;

	if (text[0] == '@') {		/* @0xADDR: the address itself */
		unsigned long long addr = strtoull(text + 1, &end, 0);

		if (end == text + 1 || *end || text[1] < '0' || text[1] > '9')
			return -EOPNOTSUPP;
		gen_ld_imm64(g, BPF_REG_0, addr);
		return g->err;
	}
	if (text[0] != '+' && text[0] != '-')
		return -EINVAL;		/* a register holds a value, not a string */
	off = strtoll(text + 1, &end, 0);
	if (end == text + 1 || *end != '(')
		return -EINVAL;
	if (text[0] == '-')
		off = -off;
	if (off < INT32_MIN || off > INT32_MAX)
		return -ERANGE;
	p = end + 1;
	ret = fetch(g, o, &p, 8, 1);
	if (ret)
		return ret;
	if (p[0] != ')' || p[1])
		return -EINVAL;
	if (off)
		gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_0, (int32_t)off));
	return g->err;
}

int gen_field_value(struct gen *g, int ctx_reg, int offset, int size, bool is_signed)
{
	static const int sizes[] = { [1] = BPF_B, [2] = BPF_H, [4] = BPF_W, [8] = BPF_DW };

	if ((size != 1 && size != 2 && size != 4 && size != 8) || offset < 0 ||
	    offset > INT16_MAX)
		return -EINVAL;
	/*
	 * The verifier lets a tracepoint program read from byte 8 on: the
	 * common fields (type, flags, preempt count, pid) are not its to read;
	 * pid and comm come from helpers instead.
	 */
	if (offset < 8)
		return -EACCES;
	/* A tracepoint program reads its record directly: no helper call. */
	gen_emit(g, G_LDX(sizes[size], BPF_REG_0, ctx_reg, (int16_t)offset));
	if (is_signed && size < 8) {
		gen_emit(g, G_ALU64_IMM(BPF_LSH, BPF_REG_0, 64 - size * 8));
		gen_emit(g, G_ALU64_IMM(BPF_ARSH, BPF_REG_0, 64 - size * 8));
	}
	return g->err;
}

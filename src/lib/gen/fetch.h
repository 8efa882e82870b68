/* SPDX-License-Identifier: MIT */
/*
 * Probe arguments in BPF: fetch text (kprobe_events syntax, as the
 * expression compiler writes it) evaluated from pt_regs.  Internal.
 */
#ifndef SURF_GEN_FETCH_H
#define SURF_GEN_FETCH_H

#include <stdbool.h>
#include <stdint.h>

struct gen;

struct gen_fetch_opts {
	const char *arch;	/* "x86_64", "aarch64" */
	bool user;		/* memory is the probed process's (uprobes, USDT) */
	int ctx_reg;		/* the register holding the program's pt_regs pointer */
	int16_t scratch;	/* an 8-byte stack slot, below r10 */
};

/* A fetch type: u8..u64, s8..s64, x8..x64, b<width>@<offset>/<container>; NULL: u64. */
struct gen_type {
	int size;		/* bytes read */
	bool is_signed;
	int bit_width, bit_offset;	/* a bitfield when bit_width */
};

/* The byte offset of a register in the architecture's pt_regs; -ENOENT, -EOPNOTSUPP. */
int gen_reg_offset(const char *arch, const char *reg);
int gen_type_parse(const char *type, struct gen_type *t);
/*
 * Emit code leaving the value of fetch text `text` of type `type` in r0
 * (sign-extended to 64 bits for sN).  Clobbers r0 to r5.  0; -EINVAL for
 * text or a type that does not parse; -EOPNOTSUPP for what is not a
 * number here (strings, $comm, $stack, @sym); -E2BIG, -ENOMEM.
 */
int gen_fetch_value(struct gen *g, const struct gen_fetch_opts *o, const char *text,
		    const char *type);

/*
 * Emit code leaving in r0 the address the outermost dereference of `text`
 * reads ("+8(%di)": %di + 8): where a string argument's bytes are.
 * -EINVAL when text reads no memory.  Clobbers r0 to r5.
 */
int gen_fetch_address(struct gen *g, const struct gen_fetch_opts *o, const char *text);

/*
 * Emit code leaving a tracepoint field in r0: `size` bytes (1, 2, 4, 8) at
 * `offset` of the record ctx_reg points to (the program's context),
 * sign-extended when is_signed.  -EINVAL for another size; -EACCES for
 * the common fields (the first 8 bytes), which the verifier does not let
 * a tracepoint program read.
 */
int gen_field_value(struct gen *g, int ctx_reg, int offset, int size, bool is_signed);

#endif

/* SPDX-License-Identifier: MIT */
/* Inside libsurf: capstone, loaded when first needed, and instruction boundaries (insn.c). */
#ifndef SURF_ELF_CS_H
#define SURF_ELF_CS_H

#include <capstone/capstone.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>

struct surf_insn_at;

/* capstone's entry points, from dlopen (loaded: all of them found). */
struct surf_cs {
	cs_err (*open)(cs_arch arch, cs_mode mode, csh *handle);
	cs_err (*option)(csh handle, cs_opt_type type, size_t value);
	cs_err (*close)(csh *handle);
	cs_insn *(*malloc)(csh handle);
	void (*free)(cs_insn *insn, size_t count);
	bool (*disasm_iter)(csh handle, const uint8_t **code, size_t *size, uint64_t *address,
			    cs_insn *insn);
	bool loaded;
};
extern struct surf_cs surf_cs;

/* A handle for the ELF's machine (*arch its name); -EOPNOTSUPP: none, or no capstone. */
int surf_cs_open(const GElf_Ehdr *eh, csh *h, const char **arch);
/* The bytes of [vaddr, vaddr + size) in the file, through the segment holding them; or NULL. */
const uint8_t *surf_elf_code_bytes(Elf *elf, uint64_t vaddr, uint64_t size);
/* surf_disasm_boundary on code in memory. */
int surf_disasm_boundary_in(const GElf_Ehdr *eh, const uint8_t *code, uint64_t vaddr,
			    uint64_t size, uint64_t off, struct surf_insn_at *at);

#endif

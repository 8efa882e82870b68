/* SPDX-License-Identifier: MIT */
/* Inside libsurf: ELF helpers shared by the uprobe, listing and disassembly code. */
#ifndef SURF_ELFOFF_H
#define SURF_ELFOFF_H

#include <gelf.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A library's path from the dynamic linker's cache (cache_path NULL:
 * /etc/ld.so.cache): the first entry whose name is bin ("libc" matches
 * "libc.so.6") of this machine's word size, else the first.  -ENOENT;
 * -ENOEXEC for a cache format not known.
 */
int elf_find_in_ld_cache(const char *cache_path, const char *bin, char *path, size_t len);

/*
 * The file offset of a virtual address, through the PT_LOAD segment that
 * holds it (vaddr - p_vaddr + p_offset): what uprobe_events takes.
 * -ERANGE when no loadable segment holds it.
 */
int surf_elf_vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t *offset);

/* The instruction of a function that a probe offset falls in (disasm.c). */
struct surf_insn_at {
	uint64_t start;		/* its offset from the start of the function */
	uint64_t len;		/* 0: the bytes there do not decode */
	char text[96];		/* "movq %rsp, %rbp" */
};

/*
 * Whether off is the first byte of an instruction of the function at vaddr,
 * size bytes long, in the ELF elf (read through its program headers, so a
 * stripped binary works).  The function is decoded from its start, as a
 * disassembler does.  0 on a boundary; -EILSEQ inside an instruction (or in
 * bytes that do not decode), *at saying which; -ERANGE when off >= size;
 * -ENODATA when the bytes are not in the file; -EOPNOTSUPP for a machine
 * capstone is not set up for here.
 */
int surf_disasm_boundary(Elf *elf, uint64_t vaddr, uint64_t size, uint64_t off,
			 struct surf_insn_at *at);

#endif

/* SPDX-License-Identifier: MIT */
/* Inside libsurf: ELF helpers shared by the uprobe, listing and disassembly code. */
#ifndef SURF_ELFOFF_H
#define SURF_ELFOFF_H

#include <gelf.h>
#include <stdint.h>

/*
 * The file offset of a virtual address, through the PT_LOAD segment that
 * holds it (vaddr - p_vaddr + p_offset): what uprobe_events takes.
 * -ERANGE when no loadable segment holds it.
 */
int surf_elf_vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t *offset);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * surf/disasm.h - the instructions of a user function, so that a probe can be
 * put inside it ("P prog:func+0x1b").  x86_64, x86 (AT&T syntax, as gdb and
 * the USDT notes write it) and aarch64, by the ELF's own e_machine.
 */
#ifndef SURF_DISASM_H
#define SURF_DISASM_H

#include "surf/api.h"

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Print function SYMBOL of the ELF at path (.symtab first, then .dynsym):
 * a header line, then one line per instruction covering exactly the
 * symbol's size:
 *
 *	# func in /path/prog: x86_64, 35 bytes at 0x1139, file offset 0x1139
 *	<+0>   func+0x0   0x1139:  endbr64
 *	<+4>   func+0x4   0x113d:  pushq   %rbp
 *
 * The offset is in decimal (as gdb's disassemble writes it) and in hex (as a
 * probe takes it); the address is the symbol table's.  Bytes that do not
 * decode print as "(bad)  .byte 0x..".
 *
 * 0, or a negative errno with errbuf saying why: -ENOENT unknown symbol (with
 * the closest name), -ENOEXEC not an ELF file, -ENODATA the symbol has no
 * size or no bytes in the file, -EOPNOTSUPP an unsupported machine, -EINVAL
 * not a function.
 */
SURF_API int surf_disasm__print(const char *path, const char *symbol, FILE *out, char *errbuf,
		       size_t errlen);

#ifdef __cplusplus
}
#endif
#endif

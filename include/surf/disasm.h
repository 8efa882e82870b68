/* SPDX-License-Identifier: MIT */
/*
 * surf/disasm.h - the instructions of a user or kernel function, so that a
 * probe can be put inside it ("P prog:func+0x1b", "p do_filp_open+121").
 * x86_64, x86 (AT&T syntax, as gdb and the USDT notes write it) and aarch64,
 * by the ELF's own e_machine.
 */
#ifndef SURF_DISASM_H
#define SURF_DISASM_H

#include "surf/api.h"

#include <stddef.h>
#include <stdint.h>
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
 *	/tmp/prog.c:12
 *	<+8>   func+0x8   0x1141:  callq   0x1030 <helper>
 *
 * A "FILE:LINE" line comes before the instructions of each source line
 * when the binary (or its separate debug file) has DWARF line tables; a
 * branch or call to a known symbol names it ("<helper>", "<func+0x1a>").
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

/* Where the kernel's code is read from (surf_disasm__print_kernel, __kernel_insn). */
struct surf_kdisasm_opts {
	size_t sz;		/* sizeof(struct surf_kdisasm_opts) */
	/*
	 * A vmlinux (ELF, its .symtab; DWARF for source lines): the code as
	 * built, at the file's addresses.  NULL: the running kernel through
	 * kcore at its kallsyms address, else the debug vmlinux of this
	 * release (<SURF_DEBUG_ROOT>/usr/lib/debug/boot/vmlinux-RELEASE).
	 */
	const char *vmlinux;
	const char *kallsyms;	/* NULL: /proc/kallsyms */
	const char *kcore;	/* NULL: /proc/kcore */
	/* tracefs, to tell whether a function is in available_filter_functions; NULL: not told */
	const char *tracefs;
	const char *blacklist;	/* NULL: /sys/kernel/debug/kprobes/blacklist */
};

/*
 * Print kernel function func as surf_disasm__print does, from the running
 * kernel's /proc/kcore (the function's size: up to the next kallsyms
 * symbol) or from a vmlinux, with source lines when a vmlinux with DWARF is
 * at hand (given, or the debug vmlinux of this release, its build-id that of
 * the running kernel), calls named by kallsyms (or the vmlinux's symbols).
 * The header says where the code was read and what kprobes make of it:
 * every listed offset is an instruction boundary, where "p func+OFF" may
 * go; a function in the kprobe blacklist or missing from
 * available_filter_functions is refused by the kernel, and is said so.
 *
 * 0, or a negative errno with errbuf saying why: -ENOENT unknown function
 * (with the closest kallsyms name), -EINVAL not a function, -ENODATA the
 * code cannot be read here (no kcore, no vmlinux: errbuf says what would
 * do), -EOPNOTSUPP an unsupported machine.
 */
SURF_API int surf_disasm__print_kernel(const char *func, const struct surf_kdisasm_opts *opts,
				       FILE *out, char *errbuf, size_t errlen);

/*
 * Whether func+off is the first byte of an instruction of kernel function
 * func, decoded from the code surf_disasm__print_kernel would list: 0 on a
 * boundary; -EILSEQ inside an instruction (errbuf names it and the
 * boundaries either side); -ERANGE past the function's end; -ENOENT no
 * such function; -ENODATA (or another errno) when the code cannot be read
 * here, so that nothing can be told (the kernel checks it itself then).
 */
SURF_API int surf_disasm__kernel_insn(const char *func, uint64_t off,
				      const struct surf_kdisasm_opts *opts, char *errbuf,
				      size_t errlen);

#ifdef __cplusplus
}
#endif
#endif

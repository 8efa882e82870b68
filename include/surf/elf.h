/* SPDX-License-Identifier: MIT */
/*
 * surf/elf.h - user binaries for uprobes: finding the file a user names
 * ("bash", "libc", "./prog", "/usr/bin/x") and the file offset of a symbol.
 */
#ifndef SURF_ELF_H
#define SURF_ELF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * BIN as a path (absolute or relative), a program on PATH, or a library short
 * name ("libc", "libpthread") from the dynamic linker's cache or, with pid > 0,
 * from the libraries that process has mapped.  -ENOENT when none matches.
 */
int surf_elf__find_binary(const char *bin, int pid, char *path, size_t len);

/*
 * The file offset of function SYMBOL in the ELF at path, as uprobe_events
 * takes it.  On error, errbuf says why (unknown symbol with the closest names,
 * not an ELF file...).
 */
int surf_elf__symbol_offset(const char *path, const char *symbol, uint64_t *offset,
			    char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif

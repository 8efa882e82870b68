/* SPDX-License-Identifier: MIT */
/*
 * surf/elflist.h - the functions of a user binary, for `-l` on a binary:
 * what can be probed with "P bin:func" and at which file offset.
 */
#ifndef SURF_ELFLIST_H
#define SURF_ELFLIST_H

#include "surf/api.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The function symbols (STT_FUNC and STT_GNU_IFUNC, defined) of .symtab and
 * .dynsym whose name matches glob (NULL: all), each once, sorted by name:
 *
 *	name  0xFILEOFFSET  size[  ifunc]
 *
 * The offset is the one uprobe_events takes (address moved through its
 * PT_LOAD segment; "-" when no segment holds it).  An IFUNC is its resolver:
 * probing it catches the resolution, not the calls.  Returns the number
 * listed, or a negative errno (-ENOEXEC: not an ELF file).
 */
SURF_API int surf_elf__print_symbols(const char *path, const char *glob, FILE *out);

#ifdef __cplusplus
}
#endif
#endif

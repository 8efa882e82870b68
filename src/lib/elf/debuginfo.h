/* SPDX-License-Identifier: MIT */
/*
 * Separate debug information of a user binary (internal to libsurf): the
 * debug file a distribution ships apart from a stripped binary, found by
 * build-id or by .gnu_debuglink, and the MiniDebugInfo (.gnu_debugdata) some
 * distributions embed in the binary itself.
 *
 * Debug files are looked for under <root>/usr/lib/debug, where <root> is ""
 * unless the environment variable SURF_DEBUG_ROOT says otherwise.
 */
#ifndef SURF_TYPES_DEBUGINFO_H
#define SURF_TYPES_DEBUGINFO_H

#include <stddef.h>

#include <libelf.h>

#define SURF_DEBUG_ROOT_ENV	"SURF_DEBUG_ROOT"

/* The GNU build-id of elf (NT_GNU_BUILD_ID): -ENODATA when it has none. */
int surf_debuginfo_build_id(Elf *elf, unsigned char *id, size_t max, size_t *len);

/*
 * The separate debug file of the ELF binary at path: first
 * <root>/usr/lib/debug/.build-id/ab/cdef....debug (its build-id checked),
 * then the .gnu_debuglink name (its CRC32 checked) in the binary's directory,
 * its .debug/ subdirectory and <root>/usr/lib/debug/<binary's directory>/.
 * -ENOENT when there is none, -ENOEXEC when path is not an ELF file.
 */
int surf_debuginfo_find(const char *binary, char *out, size_t len);
/* The same for an ELF already open; binary is its path (for the directories). */
int surf_debuginfo_find_elf(Elf *elf, const char *binary, char *out, size_t len);

/* The MiniDebugInfo of a binary: an ELF in memory with .symtab, no DWARF. */
struct surf_minidebug {
	Elf *elf;
	void *image;
	size_t size;
};

/*
 * Decompress the .gnu_debugdata section of elf (xz) into memory.  -ENODATA
 * when there is none, -EBADMSG when it is not valid xz or not an ELF image.
 */
int surf_debuginfo_minidebug(Elf *elf, struct surf_minidebug *out);
void surf_debuginfo_minidebug_free(struct surf_minidebug *md);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * surf/elf.h - user binaries for uprobes: finding the file a user names
 * ("bash", "libc", "./prog", "/usr/bin/x") and the file offset of a symbol.
 */
#ifndef SURF_ELF_H
#define SURF_ELF_H

#include "surf/api.h"

#include <stdbool.h>
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
SURF_API int surf_elf__find_binary(const char *bin, int pid, char *path, size_t len);

/*
 * The file offset of function SYMBOL in the ELF at path, as uprobe_events
 * takes it.  On error, errbuf says why (unknown symbol with the closest names,
 * not an ELF file...).
 *
 * SYMBOL is a name, "name@VERSION" or "name@@VERSION" (the default version,
 * which a bare name also means), optionally followed by "+OFFSET" (decimal or
 * 0x hex) for a place inside the function: it must be the first byte of one
 * of its instructions (capstone decodes the function from its start), else
 * -EILSEQ, and inside the function's size, else -ERANGE; errbuf names the
 * instruction and its neighbours.  A stripped binary's symbols are looked up
 * in its separate debug file (build-id or .gnu_debuglink, under
 * $SURF_DEBUG_ROOT/usr/lib/debug) or its MiniDebugInfo (.gnu_debugdata).  An
 * IFUNC resolves to the implementation this CPU uses when the file is loaded
 * in the calling process (libc); otherwise it is -EOPNOTSUPP and errbuf lists
 * the implementations found.
 */
SURF_API int surf_elf__symbol_offset(const char *path, const char *symbol, uint64_t *offset,
			    char *errbuf, size_t errlen);

/* What surf_elf__symbol_lookup found. */
struct surf_elf_symbol {
	uint64_t offset;	/* file offset in the binary (+OFFSET included): what
				 * uprobe_events takes */
	uint64_t vaddr;		/* the function's address in the binary's own layout */
	uint64_t size;		/* 0 when unknown */
	bool ifunc;		/* an IFUNC, resolved to the implementation below */
	char *name;		/* the function: "memcpy@@GLIBC_2.14", "__strlen_avx2" */
	char *source;		/* where its symbol was: "" the binary, or its debug file */
};
/* Free what a lookup allocated in sym (name, source); safe on a zeroed one. */
SURF_API void surf_elf_symbol__clear(struct surf_elf_symbol *sym);

/* surf_elf__symbol_offset with the details; surf_elf_symbol__clear() frees them. */
SURF_API int surf_elf__symbol_lookup(const char *path, const char *symbol, struct surf_elf_symbol *out,
			    char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif

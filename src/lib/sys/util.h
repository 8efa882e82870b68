/* SPDX-License-Identifier: MIT */
/* Small helpers shared inside libsurf (not part of the public API). */
#ifndef SURF_UTIL_H
#define SURF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The whole file (tracefs files have no size): malloc'ed, NUL-terminated; NULL with errno. */
char *surf_read_file(const char *path, size_t *size);
/* Levenshtein distance, SIZE_MAX for words of 127 bytes or more. */
size_t surf_edit_distance(const char *a, const char *b);
/* The same, but any distance over max comes back as max + 1, found early. */
size_t surf_edit_distance_max(const char *a, const char *b, size_t max);

struct surf_ksyms;
/*
 * The kernel code symbol closest to name, at most limit edits away, into
 * out (ksyms.c): 0, or -ENOENT when none is that close.
 */
int surf_ksyms_closest(const struct surf_ksyms *ksyms, const char *name, size_t limit, char *out,
		       size_t len);
/* Whether kallsyms lists name at addr as code (ksyms.c). */
bool surf_ksyms_is_code(const struct surf_ksyms *ksyms, const char *name, uint64_t addr);

#endif

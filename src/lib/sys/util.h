/* SPDX-License-Identifier: MIT */
/* Small helpers shared inside libsurf (not part of the public API). */
#ifndef SURF_UTIL_H
#define SURF_UTIL_H

#include <stddef.h>

/* The whole file (tracefs files have no size): malloc'ed, NUL-terminated; NULL with errno. */
char *surf_read_file(const char *path, size_t *size);
/* Levenshtein distance, SIZE_MAX for words of 127 bytes or more. */
size_t surf_edit_distance(const char *a, const char *b);
/* The same, but any distance over max comes back as max + 1, found early. */
size_t surf_edit_distance_max(const char *a, const char *b, size_t max);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Files that keep, per boot, what the kernel is slow to tell and never
 * changes until it reboots or loads a module (issue 14): the traceable
 * functions (funcache.c), kallsyms (ksyms.c).  Not part of the public API.
 */
#ifndef SURF_SYS_CACHE_H
#define SURF_SYS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/*
 * The file name for the running kernel: "PREFIX<release>.<boot id>", and
 * ".<hash of /proc/modules>" when the contents depend on the modules;
 * -errno when the boot id is unknown.
 */
int surf_cache_key(const char *prefix, bool modules, char *key, size_t len);
/* The file key in dir mapped read-only, when it is there and ours: its length in *len. */
void *surf_cache_map(const char *dir, const char *key, size_t *len);
/*
 * Write the file key in dir (created 0700 when missing) from iov[0..n),
 * whole or not at all, and remove the files of other keys of the same
 * prefix.  Best effort: a cache that cannot be written is no error.
 */
void surf_cache_write(const char *dir, const char *prefix, const char *key,
		      const struct iovec *iov, int n);

#endif

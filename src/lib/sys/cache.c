// SPDX-License-Identifier: MIT
/*
 * Per-boot cache files (see cache.h).  A file's name says what it is valid
 * for (kernel release, boot id, and when it matters the loaded modules: name,
 * size, state and address from /proc/modules), so a different boot, kernel
 * or set of modules is a different file, never a stale answer.  Files are
 * written whole under a temporary name and renamed; only the caller's own
 * files are read back.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sys/cache.h"
#include "sys/util.h"

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
	return h;
}

/* The modules that are loaded, without their reference counts (they change all the time). */
static uint64_t modules_hash(void)
{
	char *text = surf_read_file("/proc/modules", NULL), *line, *save = NULL;
	uint64_t h = 0xcbf29ce484222325ull;

	if (!text)
		return h;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6] = { 0 }, *fsave = NULL;
		int n = 0;

		for (char *w = strtok_r(line, " ", &fsave); w && n < 6; w = strtok_r(NULL, " ", &fsave))
			f[n++] = w;
		for (int i = 0; i < n; i++)
			if (i != 2 && i != 3)	/* refcount, users */
				h = fnv1a(fnv1a(h, f[i], strlen(f[i])), " ", 1);
		h = fnv1a(h, "\n", 1);
	}
	free(text);
	return h;
}

/* mkdir -p, 0700: a new account has no ~/.cache yet. */
static int mkdir_parents(const char *dir)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int surf_cache_key(const char *prefix, bool modules, char *key, size_t len)
{
	char *boot = surf_read_file("/proc/sys/kernel/random/boot_id", NULL);
	struct utsname u;
	int n;

	if (!boot)
		return -errno;
	boot[strcspn(boot, "\n")] = '\0';
	if (uname(&u)) {
		free(boot);
		return -errno;
	}
	n = snprintf(key, len, "%s%s.%s", prefix, u.release, boot);
	if (modules && n > 0 && (size_t)n < len)
		snprintf(key + n, len - (size_t)n, ".%016" PRIx64, modules_hash());
	free(boot);
	/* A release may hold '/'?  Not in a file name. */
	for (char *p = key; *p; p++)
		if (*p == '/')
			*p = '_';
	return 0;
}

void *surf_cache_map(const char *dir, const char *key, size_t *len)
{
	char path[4096];
	struct stat st;
	void *map = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	/* Another user's file in a shared directory is not trusted. */
	if (!fstat(fd, &st) && st.st_size > 0 && st.st_uid == geteuid()) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED)
			map = NULL;
		else
			*len = (size_t)st.st_size;
	}
	close(fd);
	return map;
}

void surf_cache_write(const char *dir, const char *prefix, const char *key,
		      const struct iovec *iov, int n)
{
	char path[4096], tmp[4200];
	struct dirent *de;
	size_t total = 0;
	DIR *d;
	int fd;

	if (mkdir_parents(dir))
		return;
	d = opendir(dir);
	if (d) {
		while ((de = readdir(d)))
			if (!strncmp(de->d_name, prefix, strlen(prefix)) && strcmp(de->d_name, key) &&
			    !strstr(de->d_name, ".tmp"))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	snprintf(path, sizeof(path), "%s/%s", dir, key);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	/* Written whole, then renamed: a reader sees the old file, none, or all of it. */
	if (writev(fd, iov, n) != (ssize_t)total || fsync(fd) || close(fd) || rename(tmp, path))
		unlink(tmp);
}

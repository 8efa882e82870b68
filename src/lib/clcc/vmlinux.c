// SPDX-License-Identifier: MIT
/*
 * vmlinux.h from a kernel's BTF, with libbpf's btf_dump (what `bpftool btf
 * dump file /sys/kernel/btf/vmlinux format c` prints), and the cache surfcc
 * keeps them in: CACHE/<64-bit FNV-1a of the BTF, hex>/vmlinux.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <surf/bpf.h>
#include <surf/tracefs.h>

#include "clcc/internal.h"
#include "sys/log.h"

#define KERNEL_BTF "/sys/kernel/btf/vmlinux"

static void dump_printf(void *ctx, const char *fmt, va_list args)
	__attribute__((format(printf, 2, 0)));

static void dump_printf(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

static void ignore_libbpf(void *ctx, enum surf_print_level level, const char *text, size_t len)
{
}

static int write_header(struct btf *btf, FILE *f)
{
	struct btf_dump *d = btf_dump__new(btf, dump_printf, f, NULL);
	__u32 id, n = btf__type_cnt(btf);
	int err = 0;

	if (!d)
		return -errno;
	fputs("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n"
	      "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
	      "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
	      "#endif\n\n", f);
	for (id = 1; id < n && !err; id++)
		err = btf_dump__dump_type(d, id);
	fputs("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
	      "#endif /* __VMLINUX_H__ */\n", f);
	btf_dump__free(d);
	if (!err && ferror(f))
		err = -EIO;
	return err;
}

static void no_kernel_btf(char *errbuf, size_t errlen)
{
	snprintf(errbuf, errlen, "%s: give a BTF file with --btf or a vmlinux.h with --vmlinux-h",
		 surf_kernel__missing(SURF_FEATURE_BTF));
}

int surf_btf__write_vmlinux_h(const char *btf_path, const char *out, char *errbuf, size_t errlen)
{
	const char *path = btf_path ? btf_path : KERNEL_BTF;
	struct btf *btf;
	FILE *f;
	int err;

	/* libbpf's complaints are not for the user: errbuf says what is wrong. */
	surf_libbpf_capture_begin(ignore_libbpf, NULL);
	btf = btf__parse(path, NULL);
	surf_libbpf_capture_end();
	if (!btf) {
		err = -errno;
		if (err == -ENOENT && !btf_path)
			no_kernel_btf(errbuf, errlen);
		else
			snprintf(errbuf, errlen, "cannot read BTF from %s: %s", path, strerror(-err));
		return err;
	}
	f = fopen(out, "w");
	if (!f) {
		err = -errno;
		snprintf(errbuf, errlen, "cannot write %s: %s", out, strerror(-err));
		btf__free(btf);
		return err;
	}
	err = write_header(btf, f);
	if (fclose(f) && !err)
		err = -errno;
	btf__free(btf);
	if (err) {
		snprintf(errbuf, errlen, "cannot write %s: %s", out, strerror(-err));
		unlink(out);
	}
	return err;
}

/*
 * A 64-bit FNV-1a-style hash of a file, eight bytes at a step (a kernel's
 * BTF, 5 MB, in about a millisecond): names the vmlinux.h cache and checks
 * that the BTF a .so's minimal BTF came from is the running kernel's.
 */
int surf_bpf__hash_file(const char *path, uint64_t *out)
{
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned char buf[16384];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool eof = false;

	if (fd < 0)
		return -errno;
	while (!eof) {
		size_t len = 0, i;

		while (len < sizeof(buf)) {
			ssize_t n = read(fd, buf + len, sizeof(buf) - len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				int err = -errno;

				close(fd);
				return err;
			}
			if (n == 0) {
				eof = true;
				break;
			}
			len += n;
		}
		for (i = 0; i + 8 <= len; i += 8) {
			uint64_t w;

			memcpy(&w, buf + i, 8);
			h = (h ^ w) * 0x100000001b3ull;
		}
		for (; i < len; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
	}
	close(fd);
	*out = h;
	return 0;
}

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static void default_cache(char *buf, size_t len)
{
	const char *env = getenv("SURFCC_CACHE_DIR");

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	env = getenv("XDG_CACHE_HOME");
	if (env && *env == '/') {
		snprintf(buf, len, "%s/surfcc", env);
		return;
	}
	env = getenv("HOME");
	if (env && *env == '/') {
		snprintf(buf, len, "%s/.cache/surfcc", env);
		return;
	}
	snprintf(buf, len, "/tmp/surfcc-cache-%u", (unsigned)getuid());
}

int surf_bpfcc__vmlinux_h(const char *btf, const char *cache_dir, char *path, size_t len,
			  char *errbuf, size_t errlen)
{
	const char *src = btf ? btf : KERNEL_BTF;
	char dir[4096], tmp[4096 + 32];
	uint64_t h = 0;
	int err, fd;

	err = surf_bpf__hash_file(src, &h);
	if (err) {
		if (err == -ENOENT && !btf)
			no_kernel_btf(errbuf, errlen);
		else
			snprintf(errbuf, errlen, "cannot read BTF %s: %s", src, strerror(-err));
		return err;
	}
	if (cache_dir)
		snprintf(dir, sizeof(dir), "%s", cache_dir);
	else
		default_cache(dir, sizeof(dir));
	if (strlen(dir) + 40 >= sizeof(dir))
		return snprintf(errbuf, errlen, "cache directory name too long"), -ENAMETOOLONG;
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%016" PRIx64, h);
	if (snprintf(path, len, "%s/vmlinux.h", dir) >= (int)len)
		return snprintf(errbuf, errlen, "path too long"), -ENAMETOOLONG;
	if (access(path, R_OK) == 0)
		return 0;

	err = mkdirs(dir);
	if (err) {
		snprintf(errbuf, errlen, "cannot create cache directory %s: %s", dir, strerror(-err));
		return err;
	}
	snprintf(tmp, sizeof(tmp), "%s/vmlinux.h.XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		snprintf(errbuf, errlen, "cannot write in %s: %s", dir, strerror(-err));
		return err;
	}
	close(fd);
	err = surf_btf__write_vmlinux_h(btf, tmp, errbuf, errlen);
	if (err) {
		unlink(tmp);
		return err;
	}
	chmod(tmp, 0644);
	if (rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		snprintf(errbuf, errlen, "cannot create %s: %s", path, strerror(-err));
		return err;
	}
	return 0;
}

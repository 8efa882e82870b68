// SPDX-License-Identifier: MIT
/*
 * The type database: BTF files for kernels that do not expose
 * /sys/kernel/btf/vmlinux, found by kernel release in a search path.
 * surftrace --gen-btf makes them (src/cmd/btf_extract.c: the decompressors
 * it needs stay out of the library).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <surf/types.h>

/* The BTFHub layout's parts from /etc/os-release: ID, VERSION_ID. */
static void os_release(char *id, size_t idlen, char *ver, size_t verlen)
{
	char line[256];
	FILE *f = fopen("/etc/os-release", "r");

	*id = *ver = 0;
	if (!f)
		f = fopen("/usr/lib/os-release", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *v = strchr(line, '='), *out;
		size_t len, n;

		if (!v)
			continue;
		*v++ = 0;
		if (!strcmp(line, "ID"))
			out = id, len = idlen;
		else if (!strcmp(line, "VERSION_ID"))
			out = ver, len = verlen;
		else
			continue;
		v += *v == '"';
		n = strcspn(v, "\"\n");
		snprintf(out, len, "%.*s", (int)n, v);
	}
	if (f)
		fclose(f);
}

static const char *btfhub_arch(void)
{
	struct utsname u;
	static char m[65];

	if (uname(&u))
		return "";
	/* BTFHub says arm64 where uname says aarch64. */
	snprintf(m, sizeof(m), "%s", strcmp(u.machine, "aarch64") ? u.machine : "arm64");
	return m;
}

int surf_btf_db__find(const char *dirs, const char *release, char *path, size_t len,
		      char *looked, size_t looked_len)
{
	char id[64], ver[64], rel[256];
	struct utsname u;
	const char *d, *end;
	size_t used = 0;

	if (!dirs)
		dirs = SURF_BTF_DB_DIRS;
	if (!release) {
		if (uname(&u))
			return -errno;
		snprintf(rel, sizeof(rel), "%s", u.release);
		release = rel;
	}
	os_release(id, sizeof(id), ver, sizeof(ver));
	if (looked && looked_len)
		*looked = 0;
	for (d = dirs; *d; d = *end ? end + 1 : end) {
		char cand[3][4096];
		int n = 0;

		end = d + strcspn(d, ":");
		if (end == d)
			continue;
		snprintf(cand[n++], sizeof(cand[0]), "%.*s/%s.btf", (int)(end - d), d, release);
		snprintf(cand[n++], sizeof(cand[0]), "%.*s/%s", (int)(end - d), d, release);
		if (*id && *ver)
			snprintf(cand[n++], sizeof(cand[0]), "%.*s/%s/%s/%s/%s.btf", (int)(end - d), d,
				 id, ver, btfhub_arch(), release);
		for (int i = 0; i < n; i++) {
			struct stat st;

			if (!stat(cand[i], &st) && S_ISREG(st.st_mode)) {
				if (strlen(cand[i]) >= len)
					return -ENAMETOOLONG;
				strcpy(path, cand[i]);
				return 0;
			}
			if (looked && used + 1 < looked_len)
				used += (size_t)snprintf(looked + used, looked_len - used, "%s%s",
							 used ? ", " : "", cand[i]);
			if (looked && used >= looked_len)
				used = looked_len - 1;
		}
	}
	return -ENOENT;
}

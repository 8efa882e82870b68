// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <surf/tracefs.h>

#include "test.h"

static struct test_case *cases, **tail = &cases;
static int cur_failed, cur_skipped;

void test_register(struct test_case *tc)
{
	*tail = tc;
	tail = &tc->next;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	cur_failed = 1;
	fprintf(stdout, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	cur_skipped = 1;
	fputs("  skipped: ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

int test_failed(void)
{
	return cur_failed;
}

/* ---- captured output ----------------------------------------------------- */

FILE *test_capture_open(struct test_capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	return c->f;
}

char *test_capture_close(struct test_capture *c)
{
	if (c->f)
		fclose(c->f);
	c->f = NULL;
	return c->buf;
}

/* ---- scratch directories ------------------------------------------------- */

static char **tmpdirs;
static int ntmpdirs;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int test_rmtree(const char *path)
{
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) ? -errno : 0;
}

static void remove_tmpdirs(void)
{
	while (ntmpdirs > 0) {
		test_rmtree(tmpdirs[--ntmpdirs]);
		free(tmpdirs[ntmpdirs]);
	}
	free(tmpdirs);
	tmpdirs = NULL;
}

int test_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own */
}

int test_files_named(const char *dir, const char *prefix, char *path, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix))) {
			n++;
			snprintf(path, len, "%s/%s", dir, de->d_name);
		}
	closedir(d);
	return n;
}

int test_tmpdir(char *buf, size_t len, const char *prefix)
{
	char tmpl[PATH_MAX], real[PATH_MAX], *copy = NULL, **grown;
	int ret = 0;

	if (len)
		buf[0] = '\0';
	snprintf(tmpl, sizeof(tmpl), "/tmp/%s-XXXXXX", prefix);
	if (!mkdtemp(tmpl))
		return -errno;
	if (!realpath(tmpl, real))
		ret = -errno;
	else if (strlen(real) >= len)
		ret = -ENAMETOOLONG;
	else
		copy = strdup(real);
	grown = copy ? realloc(tmpdirs, (ntmpdirs + 1) * sizeof(*tmpdirs)) : NULL;
	if (!ret && !grown)
		ret = -ENOMEM;
	if (ret) {
		free(copy);
		rmdir(tmpl);
		return ret;
	}
	tmpdirs = grown;
	tmpdirs[ntmpdirs] = copy;
	if (!ntmpdirs++)
		atexit(remove_tmpdirs);
	memcpy(buf, real, strlen(real) + 1);
	return 0;
}

/* ---- fixtures and commands ----------------------------------------------- */

const char *test_live_skip_reason(void)
{
	char tracefs[512];

	if (geteuid() != 0)
		return "needs root to open tracepoints";
	/* A fresh boot has no tracefs mounted: the library mounts it, as our programs do. */
	surf_tracefs__find(tracefs, sizeof(tracefs), true);
	if (access("/sys/kernel/tracing/events/syscalls/sys_enter_getppid", F_OK) &&
	    access("/sys/kernel/debug/tracing/events/syscalls/sys_enter_getppid", F_OK))
		return "no syscalls/sys_enter_getppid tracepoint";
	return NULL;
}

const char *test_fixture_path(const char *rel)
{
	static char path[PATH_MAX];
	const char *srcdir = getenv("SURF_SRCDIR");

	if (srcdir)
		snprintf(path, sizeof(path), "%s/%s", srcdir, rel);
	else
		snprintf(path, sizeof(path), "%s", rel);
	return path;
}

static int vsh(const char *logdir, bool quiet, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static int vsh(const char *logdir, bool quiet, const char *fmt, va_list ap)
{
	char *cmd, *full;
	int ret;

	if (vasprintf(&cmd, fmt, ap) < 0)
		return -1;
	if (logdir) {
		if (quiet)
			ret = asprintf(&full, "{ %s; } >>'%s/cc.log' 2>&1", cmd, logdir);
		else
			ret = asprintf(&full, "%s 2>>'%s/cc.log'", cmd, logdir);
		free(cmd);
		if (ret < 0)
			return -1;
		cmd = full;
	}
	ret = system(cmd);
	free(cmd);
	return ret;
}

int test_sh(const char *logdir, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsh(logdir, false, fmt, ap);
	va_end(ap);
	return ret;
}

int test_sh_quiet(const char *logdir, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsh(logdir, true, fmt, ap);
	va_end(ap);
	return ret;
}

char *test_output(const char *fmt, ...)
{
	char chunk[4096], *cmd, *buf = NULL;
	size_t len = 0, got;
	va_list ap;
	FILE *f, *m;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	f = popen(cmd, "r");
	free(cmd);
	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while (m && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, got, m);
	if (m)
		fclose(m);
	if (pclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int test_build_aarch64_so(const char *dir, const char *src, const char *so)
{
	return test_sh(dir, "clang --target=aarch64-linux-gnu -O2 -fPIC "
		       "-I/usr/include/$(cc -print-multiarch) -c -o '%s/a64.o' '%s' && "
		       "ld.lld -shared -o '%s' '%s/a64.o'", dir, src, so, dir);
}

/* ---- the runner ---------------------------------------------------------- */

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct test_case *tc = cases; tc; tc = tc->next) {
		if (argc > 1 && !strstr(tc->name, argv[1]))
			continue;
		cur_failed = cur_skipped = 0;
		tc->fn();
		if (cur_failed) {
			failed++;
			printf("FAIL %s\n", tc->name);
		} else if (cur_skipped) {
			skipped++;
			printf("skip %s\n", tc->name);
		} else {
			passed++;
			printf("ok   %s\n", tc->name);
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: MIT
/*
 * The library's one print callback: libbpf's messages reach it, a program's
 * callback replaces the default, NULL silences everything.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include <surf/log.h>
#include <surf/types.h>

#include "test.h"

static char heard[4096];
static int heard_count;

static int listen_fn(enum surf_print_level level, const char *fmt, va_list ap)
{
	size_t n = strlen(heard);

	heard_count++;
	vsnprintf(heard + n, sizeof(heard) - n, fmt, ap);
	return 0;
}

/*
 * A BTF file that is not one: libbpf (which reads what is not raw BTF: ELF)
 * says why, through our callback; with BTF's magic first, libsurf says why.
 */
static int open_junk_file(const char *junk)
{
	char dir[256], path[300];
	struct surf_types_opts o = { .sz = sizeof(o) };
	struct surf_types *t = NULL;
	FILE *f;
	int ret;

	if (test_tmpdir(dir, sizeof(dir), "surf-log"))
		return -EIO;
	snprintf(path, sizeof(path), "%s/junk.btf", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(junk, f);
	fclose(f);
	o.btf_path = path;
	ret = surf_types__open(&t, &o);
	if (!ret)
		surf_types__close(t);
	return ret;
}

static int open_junk_btf(void)
{
	return open_junk_file("not BTF at all, nor an ELF\n");
}

TEST(test_log_callback_hears_libbpf)
{
	surf_print_fn_t old = surf_set_print(listen_fn);
	int ret;

	heard[0] = '\0';
	heard_count = 0;
	ret = open_junk_btf();
	surf_set_print(old);
	CHECK(ret < 0);
	CHECK_INT(heard_count, >, 0);
	CHECK_CONTAINS(heard, "libbpf");
}

TEST(test_log_callback_hears_bad_btf)
{
	surf_print_fn_t old = surf_set_print(listen_fn);
	int ret;

	heard[0] = '\0';
	heard_count = 0;
	ret = open_junk_file("\x9f\xeb\x01\x00 bytes that start like BTF\n");
	surf_set_print(old);
	CHECK_INT(ret, ==, -EINVAL);
	CHECK_INT(heard_count, >, 0);
	CHECK_CONTAINS(heard, "junk.btf");
	CHECK_CONTAINS(heard, "BTF");
}

TEST(test_log_null_silences)
{
	surf_print_fn_t old = surf_set_print(NULL);
	surf_print_fn_t mine;
	int ret;

	heard[0] = '\0';
	ret = open_junk_btf();
	mine = surf_set_print(old);
	CHECK(ret < 0);
	CHECK(mine == NULL);
	CHECK(heard[0] == '\0');
}

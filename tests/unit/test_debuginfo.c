// SPDX-License-Identifier: MIT
/*
 * Tests for separate debug information (src/lib/elf/debuginfo.c) and the
 * symbol lookup built on it (src/lib/elf/elfsym.c).
 *
 * tests/fixtures/debuginfo_prog.c is built with -g, PIE and non-PIE, into a
 * scratch directory, and its symbols and DWARF moved out the ways the
 * distributions do it: objcopy --only-keep-debug plus --add-gnu-debuglink, a
 * debug file under $SURF_DEBUG_ROOT/usr/lib/debug/.build-id, and Fedora's
 * MiniDebugInfo (.gnu_debugdata).  The unstripped copy is the reference:
 * every stripped variant must give the same file offsets, and the DWARF of
 * the debug file must describe the function's parameters.  The versioned
 * symbol and IFUNC tests use this machine's libc; an oracle program built
 * without the sanitizers says which IFUNC implementation the dynamic linker
 * picks here.  Without a C compiler or binutils the tests skip.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include <surf/elf.h>
#include <surf/types.h>

#include "test.h"
#include "elf/debuginfo.h"

#define PROG_SRC	"tests/fixtures/debuginfo_prog.c"
#define IFUNC_SRC	"tests/fixtures/debuginfo_ifunc.c"
#define ORACLE_SRC	"tests/fixtures/debuginfo_oracle.c"

static struct {
	bool tried;
	const char *skip;
	char dir[512];		/* scratch directory (its real path) */
	char root[600];		/* $SURF_DEBUG_ROOT for these tests */
	char srcdir[512];	/* the fixtures */
} fx;

static bool find_fixtures(void)
{
	char real[PATH_MAX];

	if (!realpath(test_fixture_path(PROG_SRC), real) || strlen(real) >= sizeof(fx.srcdir))
		return false;
	*strrchr(real, '/') = '\0';
	memcpy(fx.srcdir, real, strlen(real) + 1);
	return true;
}

static bool fx_setup(void)
{
	if (fx.tried)
		return !fx.skip;
	fx.tried = true;
	if (!find_fixtures()) {
		fx.skip = "cannot find " PROG_SRC " (run from the top or set SURF_SRCDIR)";
		return false;
	}
	if (test_tmpdir(fx.dir, sizeof(fx.dir), "surf-debuginfo")) {
		fx.skip = "mkdtemp failed";
		return false;
	}
	snprintf(fx.root, sizeof(fx.root), "%s/root", fx.dir);
	if (test_sh_quiet(fx.dir, "mkdir -p '%s/usr/lib/debug'", fx.root) ||
	    test_sh_quiet(fx.dir, "command -v cc && command -v objcopy && command -v strip && "
			  "command -v readelf")) {
		fx.skip = "no C compiler or binutils (cc, objcopy, strip, readelf)";
		return false;
	}
	return true;
}

/* Each test runs with SURF_DEBUG_ROOT at the scratch root, then puts it back. */
static void with_root(void (*body)(void))
{
	const char *old = getenv(SURF_DEBUG_ROOT_ENV);
	char *saved = old ? strdup(old) : NULL;

	setenv(SURF_DEBUG_ROOT_ENV, fx.root, 1);
	body();
	if (saved)
		setenv(SURF_DEBUG_ROOT_ENV, saved, 1);
	else
		unsetenv(SURF_DEBUG_ROOT_ENV);
	free(saved);
}

static const char *const pie_flags[2] = { "-fno-pie -no-pie", "-fPIE -pie" };
static const char *const pie_names[2] = { "nopie", "pie" };

/*
 * Build the fixture into <dir>/<name>-<pie>/: "prog" (to be stripped by the
 * caller) and "ref", the same file left as it is.  The directory goes to dir.
 */
static int build_prog(const char *name, int pie, const char *ldflags, char *dir, size_t len)
{
	const char *fl = pie_flags[pie];

	snprintf(dir, len, "%s/%s-%s", fx.dir, name, pie_names[pie]);
	if (test_sh_quiet(fx.dir, "mkdir -p '%s'", dir) ||
	    test_sh_quiet(fx.dir, "cc -g -O0 %s -c -DDEBUGINFO_PART2 -o '%s/part2.o' "
			  "'%s/debuginfo_prog.c'", fl, dir, fx.srcdir) ||
	    test_sh_quiet(fx.dir, "cc -g -O0 %s %s -o '%s/prog' '%s/debuginfo_prog.c' "
			  "'%s/part2.o'", fl, ldflags, dir, fx.srcdir, dir) ||
	    test_sh_quiet(fx.dir, "cp '%s/prog' '%s/ref'", dir, dir))
		return -1;
	return 0;
}

static const char *const funcs[] = { "debuginfo_sum", "debuginfo_local", "main",
				     "debuginfo_other" };

/* Every function has the offset it has in the unstripped reference. */
static bool same_offsets(const char *dir, const char *want_source)
{
	char prog[PATH_MAX], ref[PATH_MAX], err[512];
	struct surf_elf_symbol sym;
	uint64_t want;

	snprintf(prog, sizeof(prog), "%s/prog", dir);
	snprintf(ref, sizeof(ref), "%s/ref", dir);
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		int ret = surf_elf__symbol_offset(ref, funcs[i], &want, err, sizeof(err));

		if (ret) {
			test_fail(__FILE__, __LINE__, "%s in %s: %d %s", funcs[i], ref, ret, err);
			return false;
		}
		ret = surf_elf__symbol_lookup(prog, funcs[i], &sym, err, sizeof(err));
		if (ret || sym.offset != want || !strstr(sym.source, want_source)) {
			test_fail(__FILE__, __LINE__, "%s in %s: %d %s: offset 0x%llx want 0x%llx, "
				  "source '%s' want '%s'", funcs[i], prog, ret, err,
				  (unsigned long long)sym.offset, (unsigned long long)want,
				  sym.source ? sym.source : "(none)", want_source);
			surf_elf_symbol__clear(&sym);
			return false;
		}
		surf_elf_symbol__clear(&sym);
	}
	return true;
}

/* The stripped program really lost its symbols: its .symtab is gone. */
static bool stripped(const char *dir)
{
	return test_sh_quiet(fx.dir, "! readelf -SW '%s/prog' | grep -q ' \\.symtab '",
			     dir) == 0 &&
	       test_sh_quiet(fx.dir, "! readelf -SW '%s/prog' | grep -q ' \\.debug_info '",
			     dir) == 0;
}

/* debuginfo_sum(struct debuginfo_point *p, int scale), from the debug file. */
static bool has_param_types(const char *prog, const char *want_describe)
{
	struct surf_types_opts opts = { .sz = sizeof(opts), .elf_path = prog };
	struct surf_typeview *view;
	struct surf_types *t = NULL;
	struct surf_param param;
	struct surf_type ty;
	uint64_t proto;
	bool ok = false;
	int ret;

	ret = surf_types__open(&t, &opts);
	if (ret) {
		test_fail(__FILE__, __LINE__, "surf_types__open(%s): %d", prog, ret);
		return false;
	}
	if (!strstr(surf_types__describe(t), want_describe)) {
		test_fail(__FILE__, __LINE__, "describe '%s' lacks '%s'", surf_types__describe(t),
			  want_describe);
		goto out;
	}
	if (surf_types__find_func(t, "debuginfo_sum", &view, &proto) ||
	    surf_typeview__type(view, proto, &ty) || ty.kind != SURF_TYPE_FUNC || ty.vlen != 2 ||
	    surf_typeview__param(view, proto, 0, &param) || !param.name ||
	    strcmp(param.name, "p") || surf_typeview__type(view, param.type, &ty) ||
	    ty.kind != SURF_TYPE_PTR || surf_typeview__type(view, ty.ref, &ty) ||
	    ty.kind != SURF_TYPE_STRUCT || !ty.name || strcmp(ty.name, "debuginfo_point") ||
	    ty.size != 16 || surf_typeview__param(view, proto, 1, &param) ||
	    surf_typeview__type(view, param.type, &ty) || ty.kind != SURF_TYPE_INT ||
	    ty.size != 4 || !ty.is_signed) {
		test_fail(__FILE__, __LINE__, "debuginfo_sum's parameters not found in %s",
			  surf_types__describe(t));
		goto out;
	}
	ok = true;
out:
	surf_types__close(t);
	return ok;
}

static void debuglink_body(void)
{
	char dir[1024], prog[PATH_MAX], found[PATH_MAX], want[PATH_MAX], err[512];
	uint64_t off;

	for (int pie = 0; pie < 2; pie++) {
		CHECK(build_prog("link", pie, "-Wl,--build-id=none", dir, sizeof(dir)) == 0);
		CHECK(test_sh_quiet(fx.dir, "objcopy --only-keep-debug '%s/prog' '%s/prog.debug'",
				    dir, dir) == 0);
		CHECK(test_sh_quiet(fx.dir, "objcopy --strip-debug --strip-unneeded "
				    "--add-gnu-debuglink='%s/prog.debug' '%s/prog'", dir,
				    dir) == 0);
		CHECK(stripped(dir));
		snprintf(prog, sizeof(prog), "%s/prog", dir);

		/* Beside the binary. */
		snprintf(want, sizeof(want), "%s/prog.debug", dir);
		CHECK_INT(surf_debuginfo_find(prog, found, sizeof(found)), ==, 0);
		CHECK_STR(found, want);
		if (!same_offsets(dir, want) || !has_param_types(prog, want))
			return;

		/* In its .debug/ subdirectory. */
		snprintf(want, sizeof(want), "%s/.debug/prog.debug", dir);
		CHECK(test_sh_quiet(fx.dir, "mkdir -p '%s/.debug' && mv '%s/prog.debug' '%s'", dir,
				    dir, want) == 0);
		CHECK_INT(surf_debuginfo_find(prog, found, sizeof(found)), ==, 0);
		CHECK_STR(found, want);
		if (!same_offsets(dir, want))
			return;

		/* Under <root>/usr/lib/debug/<the binary's directory>/. */
		snprintf(found, sizeof(found), "%s", want);
		snprintf(want, sizeof(want), "%s/usr/lib/debug%s/prog.debug", fx.root, dir);
		CHECK(test_sh_quiet(fx.dir, "mkdir -p '%s/usr/lib/debug%s' && mv '%s' '%s'",
				    fx.root, dir, found, want) == 0);
		CHECK_INT(surf_debuginfo_find(prog, found, sizeof(found)), ==, 0);
		CHECK_STR(found, want);
		if (!same_offsets(dir, want) || !has_param_types(prog, want))
			return;

		/* A debug file whose CRC does not match is not this binary's. */
		CHECK(test_sh_quiet(fx.dir, "printf x >> '%s'", want) == 0);
		CHECK_INT(surf_debuginfo_find(prog, found, sizeof(found)), ==, -ENOENT);
		CHECK_INT(surf_elf__symbol_offset(prog, "debuginfo_local", &off, err, sizeof(err)),
			  ==, -ENOENT);
		CHECK_CONTAINS(err, "no debug file was found");
	}
}

TEST(test_debuginfo_debuglink)
{
	if (!fx_setup())
		SKIP("%s", fx.skip);
	with_root(debuglink_body);
}

static void build_id_body(void)
{
	char dir[1024], prog[PATH_MAX], found[PATH_MAX], want[PATH_MAX], id[128];
	FILE *f;

	for (int pie = 0; pie < 2; pie++) {
		CHECK(build_prog("buildid", pie, "-Wl,--build-id=sha1", dir, sizeof(dir)) == 0);
		CHECK(test_sh_quiet(fx.dir, "readelf -n '%s/prog' | sed -n 's/.*Build ID: *//p' > "
				    "'%s/id'", dir, dir) == 0);
		snprintf(prog, sizeof(prog), "%s/id", dir);
		f = fopen(prog, "r");
		CHECK(f);
		id[0] = '\0';
		if (!fgets(id, sizeof(id), f))
			id[0] = '\0';
		fclose(f);
		id[strcspn(id, "\n")] = '\0';
		CHECK_INT(strlen(id), ==, 40);
		snprintf(want, sizeof(want), "%s/usr/lib/debug/.build-id/%.2s/%s.debug", fx.root,
			 id, id + 2);
		CHECK(test_sh_quiet(fx.dir, "mkdir -p '%s/usr/lib/debug/.build-id/%.2s'", fx.root,
				    id) == 0);
		CHECK(test_sh_quiet(fx.dir, "objcopy --only-keep-debug '%s/prog' '%s'", dir,
				    want) == 0);
		CHECK(test_sh_quiet(fx.dir, "strip --strip-all '%s/prog'", dir) == 0);
		CHECK(stripped(dir));
		snprintf(prog, sizeof(prog), "%s/prog", dir);
		CHECK_INT(surf_debuginfo_find(prog, found, sizeof(found)), ==, 0);
		CHECK_STR(found, want);
		if (!same_offsets(dir, want) || !has_param_types(prog, want))
			return;
	}
}

TEST(test_debuginfo_build_id)
{
	if (!fx_setup())
		SKIP("%s", fx.skip);
	with_root(build_id_body);
}

/* Fedora's MiniDebugInfo, made as its find-debuginfo does. */
static int make_minidebug(const char *d)
{
	return test_sh_quiet(fx.dir, "cd '%s' && nm -D prog --format=posix --defined-only | "
			     "awk '{ print $1 }' | sort > dynsyms", d) ||
	       test_sh_quiet(fx.dir, "cd '%s' && nm prog --format=posix --defined-only | "
			     "awk '{ if ($2 == \"T\" || $2 == \"t\" || $2 == \"D\") print $1 }' | "
			     "sort > funcsyms", d) ||
	       test_sh_quiet(fx.dir, "cd '%s' && comm -13 dynsyms funcsyms > keep", d) ||
	       test_sh_quiet(fx.dir, "cd '%s' && objcopy --only-keep-debug prog debug", d) ||
	       test_sh_quiet(fx.dir, "cd '%s' && objcopy -S --remove-section .gdb_index "
			     "--remove-section .comment --keep-symbols=keep debug mini", d) ||
	       test_sh_quiet(fx.dir, "cd '%s' && strip --strip-all -R .comment prog", d) ||
	       test_sh_quiet(fx.dir, "cd '%s' && xz mini && objcopy "
			     "--add-section .gnu_debugdata=mini.xz prog", d);
}

static void minidebug_body(void)
{
	struct surf_types_opts opts = { .sz = sizeof(opts) };
	char dir[1024], prog[PATH_MAX], found[PATH_MAX], err[512];
	struct surf_types *t = NULL;
	uint64_t off;

	if (test_sh_quiet(fx.dir, "command -v xz && command -v nm && command -v comm"))
		SKIP("no xz (xz-utils), nm or comm to make a MiniDebugInfo");
	for (int pie = 0; pie < 2; pie++) {
		CHECK(build_prog("mini", pie, "-Wl,--build-id=none", dir, sizeof(dir)) == 0);
		CHECK(make_minidebug(dir) == 0);
		CHECK(stripped(dir));
		CHECK(test_sh_quiet(fx.dir, "readelf -SW '%s/prog' | grep -q ' \\.gnu_debugdata '",
				    dir) == 0);
		snprintf(prog, sizeof(prog), "%s/prog", dir);
		/* Nothing else to find: the symbols can only come from .gnu_debugdata. */
		CHECK_INT(surf_debuginfo_find(prog, found, sizeof(found)), ==, -ENOENT);
		if (!same_offsets(dir, ".gnu_debugdata"))
			return;
		/* MiniDebugInfo has no DWARF. */
		opts.elf_path = prog;
		CHECK_INT(surf_types__open(&t, &opts), ==, -ENODATA);
		CHECK_INT(surf_elf__symbol_offset(prog, "debuginfo_sun", &off, err, sizeof(err)),
			  ==, -ENOENT);
		CHECK_CONTAINS(err, "did you mean 'debuginfo_sum'");
	}
}

TEST(test_debuginfo_minidebug)
{
	if (!fx_setup())
		SKIP("%s", fx.skip);
	with_root(minidebug_body);
}

static void minidebug_api_body(void)
{
	char dir[1024], prog[PATH_MAX];
	struct surf_minidebug md;
	Elf *elf;
	int fd;

	if (test_sh_quiet(fx.dir, "command -v xz && command -v nm && command -v comm"))
		SKIP("no xz (xz-utils), nm or comm to make a MiniDebugInfo");
	CHECK(build_prog("miniapi", 1, "-Wl,--build-id=none", dir, sizeof(dir)) == 0);
	snprintf(prog, sizeof(prog), "%s/ref", dir);
	elf_version(EV_CURRENT);
	fd = open(prog, O_RDONLY);
	CHECK(fd >= 0);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	/* No .gnu_debugdata in the unstripped file. */
	CHECK_INT(surf_debuginfo_minidebug(elf, &md), ==, -ENODATA);
	elf_end(elf);
	close(fd);
	/* Not xz at all: refused, nothing leaked. */
	CHECK(test_sh_quiet(fx.dir, "cd '%s' && head -c 64 ref > junk && "
			    "objcopy --add-section .gnu_debugdata=junk ref bad", dir) == 0);
	snprintf(prog, sizeof(prog), "%s/bad", dir);
	fd = open(prog, O_RDONLY);
	CHECK(fd >= 0);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	CHECK_INT(surf_debuginfo_minidebug(elf, &md), ==, -EBADMSG);
	elf_end(elf);
	close(fd);
}

TEST(test_debuginfo_minidebug_errors)
{
	if (!fx_setup())
		SKIP("%s", fx.skip);
	with_root(minidebug_api_body);
}

static void names_body(void)
{
	char dir[1024], prog[PATH_MAX], err[512];
	uint64_t off;

	CHECK(build_prog("names", 1, "-Wl,--build-id=none", dir, sizeof(dir)) == 0);
	snprintf(prog, sizeof(prog), "%s/ref", dir);
	/* Two static functions of one name in two files: which one is meant? */
	CHECK_INT(surf_elf__symbol_offset(prog, "debuginfo_twin", &off, err, sizeof(err)), ==,
		  -EINVAL);
	CHECK_CONTAINS(err, "ambiguous: 2 functions");
	CHECK_INT(surf_elf__symbol_offset(prog, "debuginfo_sun", &off, err, sizeof(err)), ==,
		  -ENOENT);
	CHECK_CONTAINS(err, "did you mean 'debuginfo_sum'");
	CHECK_INT(surf_elf__symbol_offset(prog, "debuginfo_sum@", &off, err, sizeof(err)), ==,
		  -EINVAL);
	CHECK_INT(surf_elf__symbol_offset(prog, "@@V1", &off, err, sizeof(err)), ==, -EINVAL);
	/* An unversioned executable has no debuginfo_sum@V1. */
	CHECK_INT(surf_elf__symbol_offset(prog, "debuginfo_sum@V1", &off, err, sizeof(err)), ==,
		  -ENOENT);
	/* The same through the debug file of a stripped copy. */
	CHECK(test_sh_quiet(fx.dir, "cd '%s' && objcopy --only-keep-debug prog prog.debug && "
			    "objcopy --strip-all --add-gnu-debuglink=prog.debug prog", dir) == 0);
	snprintf(prog, sizeof(prog), "%s/prog", dir);
	CHECK_INT(surf_elf__symbol_offset(prog, "debuginfo_twin", &off, err, sizeof(err)), ==,
		  -EINVAL);
	CHECK_CONTAINS(err, "ambiguous");
	CHECK_INT(surf_elf__symbol_offset(prog, "debuginfo_locl", &off, err, sizeof(err)), ==,
		  -ENOENT);
	CHECK_CONTAINS(err, "did you mean 'debuginfo_local'");
}

TEST(test_debuginfo_names)
{
	if (!fx_setup())
		SKIP("%s", fx.skip);
	with_root(names_body);
}

/* ---- libc: versions and IFUNCs ------------------------------------------- */

static int libc_path(char *path, size_t len)
{
	return surf_elf__find_binary("libc", 0, path, len);
}

static uint64_t offset_of(const char *path, const char *sym, int *ret)
{
	char err[512];
	uint64_t off = 0;

	*ret = surf_elf__symbol_offset(path, sym, &off, err, sizeof(err));
	if (*ret)
		printf("  %s: %s\n", sym, err);
	return off;
}

/* The prototype of a libc function found by name, or 0. */
static uint64_t libc_proto(struct surf_types *t, const char *name, struct surf_typeview **view)
{
	uint64_t proto = 0;

	if (surf_types__find_func(t, name, view, &proto))
		printf("  %s: no prototype\n", name);
	return proto;
}

/*
 * glibc defines __sleep and exports it as sleep too; its fclose is
 * _IO_new_fclose.  Each public name has the prototype of the function at
 * its address, whatever name the DWARF knows it by.
 */
TEST(test_debuginfo_libc_aliases)
{
	char libc[PATH_MAX];
	struct surf_types_opts opts = { .sz = sizeof(opts) };
	struct surf_typeview *view = NULL;
	struct surf_types *t = NULL;
	struct surf_param param;
	struct surf_type ty;
	uint64_t sleep_proto, fclose_proto;

	if (libc_path(libc, sizeof(libc)))
		SKIP("no libc found");
	opts.elf_path = libc;
	if (surf_types__open(&t, &opts))
		SKIP("no DWARF for %s (libc6-dbg)", libc);
	sleep_proto = libc_proto(t, "sleep", &view);
	fclose_proto = libc_proto(t, "fclose", &view);
	CHECK(sleep_proto && sleep_proto == libc_proto(t, "__sleep", &view));
	CHECK(fclose_proto && fclose_proto == libc_proto(t, "_IO_new_fclose", &view));
	CHECK(fclose_proto == libc_proto(t, "fclose@@GLIBC_2.2.5", &view));
	/* unsigned int sleep(unsigned int) */
	CHECK_INT(surf_typeview__type(view, sleep_proto, &ty), ==, 0);
	CHECK_INT(ty.vlen, ==, 1);
	CHECK_INT(surf_typeview__type(view, ty.ref, &ty), ==, 0);
	CHECK(ty.kind == SURF_TYPE_INT && ty.size == 4 && !ty.is_signed);
	/* int fclose(FILE *) */
	CHECK_INT(surf_typeview__param(view, fclose_proto, 0, &param), ==, 0);
	CHECK_INT(surf_typeview__type(view, param.type, &ty), ==, 0);
	CHECK(ty.kind == SURF_TYPE_PTR);
	CHECK_INT(surf_typeview__type(view, ty.ref, &ty), ==, 0);
	CHECK(ty.kind == SURF_TYPE_STRUCT && ty.name && !strcmp(ty.name, "_IO_FILE"));
	surf_types__close(t);
}

TEST(test_debuginfo_libc_versions)
{
	char libc[PATH_MAX], err[512];
	uint64_t plain, off;
	int ret;

	if (libc_path(libc, sizeof(libc)))
		SKIP("no libc found");
#if !defined(__x86_64__)
	SKIP("the versions checked are x86_64 glibc's");
#endif
	plain = offset_of(libc, "memcpy", &ret);
	CHECK_INT(ret, ==, 0);
	CHECK_INT(offset_of(libc, "memcpy@@GLIBC_2.14", &ret), ==, plain);
	CHECK_INT(ret, ==, 0);
	CHECK_INT(offset_of(libc, "memcpy@GLIBC_2.14", &ret), ==, plain);
	CHECK_INT(ret, ==, 0);
	/* The old memcpy of glibc 2.2.5 is another function. */
	off = offset_of(libc, "memcpy@GLIBC_2.2.5", &ret);
	CHECK_INT(ret, ==, 0);
	CHECK(off != plain);
	CHECK_INT(surf_elf__symbol_offset(libc, "memcpy@@GLIBC_2.2.5", &off, err, sizeof(err)), ==,
		  -ENOENT);
	CHECK_CONTAINS(err, "memcpy@@GLIBC_2.14");
	CHECK_CONTAINS(err, "memcpy@GLIBC_2.2.5");
	CHECK_INT(surf_elf__symbol_offset(libc, "memcpy@GLIBC_9.9", &off, err, sizeof(err)), ==,
		  -ENOENT);
	/* Two versions, one function: aliases are no ambiguity. */
	plain = offset_of(libc, "pthread_rwlock_wrlock", &ret);
	CHECK_INT(ret, ==, 0);
	CHECK_INT(offset_of(libc, "pthread_rwlock_wrlock@GLIBC_2.2.5", &ret), ==, plain);
	CHECK_INT(ret, ==, 0);
	CHECK_INT(offset_of(libc, "pthread_rwlock_wrlock@@GLIBC_2.34", &ret), ==, plain);
	CHECK_INT(ret, ==, 0);
	CHECK_INT(surf_elf__symbol_offset(libc, "memcpyy", &off, err, sizeof(err)), ==, -ENOENT);
	CHECK_CONTAINS(err, "did you mean 'memcpy'");
}

/* What the oracle says about name: the file and the address. */
static bool oracle(const char *name, char *file, size_t flen, uint64_t *vaddr)
{
	char path[PATH_MAX], line[PATH_MAX + 64], n[64], f[PATH_MAX];
	unsigned long long v;
	bool found = false;
	FILE *in;

	snprintf(path, sizeof(path), "%s/oracle.txt", fx.dir);
	in = fopen(path, "r");
	if (!in)
		return false;
	while (!found && fgets(line, sizeof(line), in))
		if (sscanf(line, "%63s %4095s %llx", n, f, &v) == 3 && !strcmp(n, name)) {
			snprintf(file, flen, "%s", f);
			*vaddr = v;
			found = true;
		}
	fclose(in);
	return found;
}

static void libc_ifunc_body(void)
{
	static const char *const names[] = { "strlen", "memcpy" };
	char libc[PATH_MAX], file[PATH_MAX], err[512], debug[PATH_MAX], prefix[64];
	struct surf_elf_symbol sym;
	bool dbg;
	uint64_t vaddr;

	if (libc_path(libc, sizeof(libc)))
		SKIP("no libc found");
	if (test_sh_quiet(fx.dir, "cc -O0 -fno-builtin -o '%s/oracle' '%s/debuginfo_oracle.c' && "
			  "'%s/oracle' > '%s/oracle.txt'", fx.dir, fx.srcdir, fx.dir, fx.dir))
		SKIP("cannot build or run the IFUNC oracle");
	/* The real system's debug files here: libc6-dbg names the implementations. */
	unsetenv(SURF_DEBUG_ROOT_ENV);
	dbg = surf_debuginfo_find(libc, debug, sizeof(debug)) == 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CHECK(oracle(names[i], file, sizeof(file), &vaddr));
		if (!realpath(file, debug) || strcmp(debug, libc))
			SKIP("the oracle's %s is in %s, not %s", names[i], file, libc);
		CHECK_INT(surf_elf__symbol_lookup(libc, names[i], &sym, err, sizeof(err)), ==, 0);
		CHECK(sym.ifunc);
		CHECK_INT(sym.vaddr, ==, vaddr);
		snprintf(prefix, sizeof(prefix), "__%s_", names[i]);
		if (dbg && strncmp(sym.name, prefix, strlen(prefix)))
			CHECK_STR(sym.name, prefix);
		printf("  %s is %s here (0x%llx)\n", names[i], sym.name[0] ? sym.name : "?",
		       (unsigned long long)sym.offset);
		surf_elf_symbol__clear(&sym);
	}
}

TEST(test_debuginfo_libc_ifunc)
{
	if (!fx_setup())
		SKIP("%s", fx.skip);
	with_root(libc_ifunc_body);
}

static void ifunc_list_body(void)
{
	char so[PATH_MAX], err[512];
	struct surf_elf_symbol sym, impl;
	uint64_t off;
	void *h;

	snprintf(so, sizeof(so), "%s/libpick.so", fx.dir);
	CHECK(test_sh_quiet(fx.dir, "cc -g -O0 -fPIC -shared -o '%s' '%s/debuginfo_ifunc.c'", so,
			    fx.srcdir) == 0);
	/* Not loaded here: no resolver is run, the implementations are listed. */
	CHECK_INT(surf_elf__symbol_offset(so, "debuginfo_pick", &off, err, sizeof(err)), ==,
		  -EOPNOTSUPP);
	CHECK_CONTAINS(err, "IFUNC");
	CHECK_CONTAINS(err, "probe one of __debuginfo_pick_avx2, __debuginfo_pick_sse2");
	CHECK(!strstr(err, "__debuginfo_pick_ifunc"));
	/* Loaded (RTLD_NOW runs the resolver): the implementation it chose. */
	h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	CHECK(h);
	CHECK_INT(surf_elf__symbol_lookup(so, "debuginfo_pick", &sym, err, sizeof(err)), ==, 0);
	CHECK_INT(surf_elf__symbol_lookup(so, "__debuginfo_pick_sse2", &impl, err, sizeof(err)), ==,
		  0);
	dlclose(h);
	CHECK(sym.ifunc);
	CHECK_STR(sym.name, "__debuginfo_pick_sse2");
	CHECK_INT(sym.offset, ==, impl.offset);
	surf_elf_symbol__clear(&sym);
	surf_elf_symbol__clear(&impl);
}

TEST(test_debuginfo_ifunc_list)
{
	if (!fx_setup())
		SKIP("%s", fx.skip);
	with_root(ifunc_list_body);
}

/* A binary with neither debug file nor MiniDebugInfo: plain answers, no crash. */
static void none_body(void)
{
	char dir[1024], prog[PATH_MAX], found[PATH_MAX];
	struct surf_types_opts opts = { .sz = sizeof(opts) };
	struct surf_types *t = NULL;

	/* A build-id of its own: the same build elsewhere would share the sha1. */
	CHECK(build_prog("none", 0, "-Wl,--build-id=0x0123456789abcdef0123", dir,
			 sizeof(dir)) == 0);
	CHECK(test_sh_quiet(fx.dir, "strip --strip-all '%s/prog'", dir) == 0);
	snprintf(prog, sizeof(prog), "%s/prog", dir);
	CHECK_INT(surf_debuginfo_find(prog, found, sizeof(found)), ==, -ENOENT);
	opts.elf_path = prog;
	CHECK_INT(surf_types__open(&t, &opts), ==, -ENODATA);
	snprintf(prog, sizeof(prog), "%s/nothing-here", dir);
	CHECK(surf_debuginfo_find(prog, found, sizeof(found)) < 0);
	snprintf(prog, sizeof(prog), "%s/id-less", dir);
	CHECK(test_sh_quiet(fx.dir, "echo 'not an ELF' > '%s'", prog) == 0);
	CHECK_INT(surf_debuginfo_find(prog, found, sizeof(found)), ==, -ENOEXEC);
}

TEST(test_debuginfo_none)
{
	if (!fx_setup())
		SKIP("%s", fx.skip);
	with_root(none_body);
}

/*
 * The dynamic linker's cache read in place, against ldconfig -p: every
 * library it lists of this machine's word size resolves by its name to the
 * path ldconfig shows first for it; a short name ("libc") to libc.so.6;
 * files that are no cache are refused.
 */
#include "elf/elfoff.h"

TEST(test_ld_cache_matches_ldconfig)
{
	FILE *f = popen("/sbin/ldconfig -p 2>/dev/null", "r");
	char line[PATH_MAX + 256], path[PATH_MAX], want[PATH_MAX], seen[1024][128];
	int n = 0, nseen = 0;

	if (!f)
		SKIP("no ldconfig");
	while (fgets(line, sizeof(line), f)) {
		char *name = line + strspn(line, " \t"), *arrow = strstr(line, " => "), *sp;
		bool dup = false;

		if (!arrow || !strstr(line, "(libc6,x86-64)") || strstr(line, "hwcap"))
			continue;
		sp = strchr(name, ' ');
		*sp = '\0';
		for (int i = 0; i < nseen && !dup; i++)
			dup = !strcmp(seen[i], name);
		if (dup || strlen(name) >= sizeof(seen[0]) || nseen == 1024)
			continue;	/* ldconfig's first entry of a name is the one */
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", name);
		arrow[strcspn(arrow, "\n")] = '\0';
		if (!realpath(arrow + 4, want))
			continue;	/* a dangling link in the cache */
		if (elf_find_in_ld_cache(NULL, name, path, sizeof(path)))
			test_fail(__FILE__, __LINE__, "%s: not found", name);
		else if (strcmp(path, want))
			test_fail(__FILE__, __LINE__, "%s: %s, ldconfig says %s", name, path, want);
		n++;
	}
	pclose(f);
	if (!n)
		SKIP("ldconfig -p lists no x86-64 library here");
	CHECK_INT(n, >, 50);
	CHECK_INT(elf_find_in_ld_cache(NULL, "libc", path, sizeof(path)), ==, 0);
	CHECK_CONTAINS(path, "libc.so.6");
	CHECK_INT(elf_find_in_ld_cache(NULL, "libsurf-no-such-lib", path, sizeof(path)), ==,
		  -ENOENT);
	CHECK_INT(elf_find_in_ld_cache("/proc/self/status", "libc", path, sizeof(path)), ==,
		  -ENOEXEC);
}

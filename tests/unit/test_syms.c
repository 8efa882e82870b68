// SPDX-License-Identifier: MIT
/*
 * Tests for src/lib/sys/ksyms.c and usyms.c.
 *
 * Kernel: a kallsyms-format fixture (tests/fixtures/syms_kallsyms*.txt:
 * modules, several names at one address, unsorted and upper-case lines,
 * hidden addresses) with every answer known, then the machine's own
 * /proc/kallsyms.  User space: functions of this test binary, of libc and
 * of the vDSO; then tests/fixtures/syms_target.c built as PIE, non-PIE,
 * stripped to .dynsym and stripped bare, run as child processes that print
 * the addresses to name.  Without a C compiler those last ones skip.
 *
 * A CHECK returns from the function it is in, so whatever a test allocates
 * is freed by the TEST body around a helper that does the checking.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <surf/syms.h>

#include "test.h"

#define KALLSYMS_FIXTURE "tests/fixtures/syms_kallsyms.txt"
#define RESTRICTED_FIXTURE "tests/fixtures/syms_kallsyms_restricted.txt"
#define BAD_FIXTURE "tests/fixtures/syms_kallsyms_bad.txt"
#define TARGET_FIXTURE "tests/fixtures/syms_target.c"

static const char *fmt(const struct surf_sym *sym, uint64_t addr)
{
	static char buf[256];

	surf_sym__format(sym, addr, buf, sizeof(buf));
	return buf;
}

/* ---- kallsyms fixture ---------------------------------------------------- */

static void check_kfixture_find(struct surf_ksyms *k)
{
	struct surf_sym s;

	/* _text, startup_64 and __pi_startup share it: the plain global name. */
	CHECK_INT(surf_ksyms__find(k, 0xffffffff81000000, &s), ==, 0);
	CHECK_STR(s.name, "startup_64");
	CHECK_INT(s.addr, ==, 0xffffffff81000000);
	CHECK_INT(s.size, ==, 0x100);
	CHECK(s.module == NULL);
	CHECK_STR(fmt(&s, 0xffffffff81000050), "startup_64+0x50/0x100");

	/* A weak name beats a local __pi_ one. */
	CHECK_INT(surf_ksyms__find(k, 0xffffffff81000234, &s), ==, 0);
	CHECK_STR(s.name, "helper");
	CHECK_INT(s.size, ==, 0xe00);

	CHECK_INT(surf_ksyms__find(k, 0xffffffff81001000, &s), ==, 0);
	CHECK_STR(fmt(&s, 0xffffffff81001000), "wake_up_new_task+0x0/0x280");
	CHECK_INT(surf_ksyms__find(k, 0xffffffff8100127f, &s), ==, 0);
	CHECK_STR(fmt(&s, 0xffffffff8100127f), "wake_up_new_task+0x27f/0x280");
	CHECK_INT(surf_ksyms__find(k, 0xffffffff81001280, &s), ==, 0);
	CHECK_STR(fmt(&s, 0xffffffff81001280), "do_fork+0x0/0x80");

	/* Before the first symbol: nothing, and the format falls back to hex. */
	CHECK_INT(surf_ksyms__find(k, 0xc0003fff, &s), ==, -ENOENT);
	CHECK(s.name == NULL);
	CHECK_STR(fmt(&s, 0xc0003fff), "0xc0003fff");
	CHECK_INT(surf_ksyms__find(k, 0, &s), ==, -ENOENT);

	/* A line with 8 hex digits (a 32-bit kernel's). */
	CHECK_INT(surf_ksyms__find(k, 0xc0004000, &s), ==, 0);
	CHECK_STR(s.name, "short_addr");
	CHECK_STR(s.module, "mod_c");

	/* The next symbol is 16 MB away: size unknown, reach capped at 1 MiB. */
	CHECK_INT(surf_ksyms__find(k, 0xffffffff81002010, &s), ==, 0);
	CHECK_STR(s.name, "some_data");
	CHECK_INT(s.size, ==, 0);
	CHECK_STR(fmt(&s, 0xffffffff81002010), "some_data+0x10");
	CHECK_INT(surf_ksyms__find(k, 0xffffffff81002000 + (1 << 20), &s), ==, -ENOENT);
	CHECK_INT(surf_ksyms__find(k, 0xffffffff81002000 + (1 << 20) - 1, &s), ==, 0);
}

static void check_kfixture_modules(struct surf_ksyms *k)
{
	struct surf_sym s;

	CHECK_INT(surf_ksyms__find(k, 0xffffffffc0001000, &s), ==, 0);
	CHECK_STR(s.name, "mod_a_init");
	CHECK_STR(s.module, "mod_a");
	CHECK_INT(s.size, ==, 0x40);

	/* The next symbol is mod_b's: the size does not run into it. */
	CHECK_INT(surf_ksyms__find(k, 0xffffffffc0001050, &s), ==, 0);
	CHECK_STR(s.name, "mod_a_fn");
	CHECK_STR(s.module, "mod_a");
	CHECK_INT(s.size, ==, 0);
	CHECK_STR(fmt(&s, 0xffffffffc0001050), "mod_a_fn+0x10");

	CHECK_INT(surf_ksyms__find(k, 0xffffffffc0001100, &s), ==, 0);
	CHECK_STR(s.name, "mod_b_fn");
	CHECK_STR(s.module, "mod_b");
	CHECK_INT(s.size, ==, 0x80);

	/* Listed after mod_b's symbols, but sorted before them. */
	CHECK_INT(surf_ksyms__find(k, 0xffffffffc0000900, &s), ==, 0);
	CHECK_STR(s.name, "unsorted_early");
	CHECK_STR(s.module, "mod_c");

	/* vmlinux ends far from the modules: no size across that boundary. */
	CHECK_INT(surf_ksyms__find(k, 0xffffffff82000010, &s), ==, 0);
	CHECK_STR(s.name, "far_func");
	CHECK(s.module == NULL);
	CHECK_INT(s.size, ==, 0);

	/* An upper-case address, and the last line, which has no newline. */
	CHECK_INT(surf_ksyms__find(k, 0xffffffffc0002000, &s), ==, 0);
	CHECK_STR(s.name, "upper_hex");
	CHECK_STR(s.module, "mod_c");
	CHECK_INT(surf_ksyms__find(k, 0xffffffffc0003004, &s), ==, 0);
	CHECK_STR(s.name, "bpf_prog_6deef7357e7b4530_sd_fw_ingress");
	CHECK_STR(s.module, "bpf");
	CHECK_INT(s.size, ==, 0);
}

static void check_kfixture_lookup(struct surf_ksyms *k)
{
	uint64_t addr = 0;

	CHECK_INT(surf_ksyms__lookup(k, "wake_up_new_task", &addr), ==, 0);
	CHECK_INT(addr, ==, 0xffffffff81001000);
	/* Names that find() does not pick for their address are still found. */
	CHECK_INT(surf_ksyms__lookup(k, "_text", &addr), ==, 0);
	CHECK_INT(addr, ==, 0xffffffff81000000);
	CHECK_INT(surf_ksyms__lookup(k, "__pi_helper", &addr), ==, 0);
	CHECK_INT(addr, ==, 0xffffffff81000200);
	/* Two of a name: the global one; vmlinux's over a module's. */
	CHECK_INT(surf_ksyms__lookup(k, "local_dup", &addr), ==, 0);
	CHECK_INT(addr, ==, 0xffffffff81001400);
	CHECK_INT(surf_ksyms__lookup(k, "dup_mod", &addr), ==, 0);
	CHECK_INT(addr, ==, 0xffffffff81001500);
	CHECK_INT(surf_ksyms__lookup(k, "mod_b_fn", &addr), ==, 0);
	CHECK_INT(addr, ==, 0xffffffffc0001100);
	CHECK_INT(surf_ksyms__lookup(k, "bpf_prog_6deef7357e7b4530_sd_fw_ingress", &addr), ==, 0);
	CHECK_INT(addr, ==, 0xffffffffc0003000);
	/* Lines with address 0 are dropped. */
	CHECK_INT(surf_ksyms__lookup(k, "zero_hidden", &addr), ==, -ENOENT);
	CHECK_INT(surf_ksyms__lookup(k, "no_such_symbol", &addr), ==, -ENOENT);
	CHECK_INT(surf_ksyms__lookup(k, "", &addr), ==, -ENOENT);
	CHECK_INT(surf_ksyms__lookup(k, "mod_a", &addr), ==, -ENOENT);
}

/* By name with the size "FUNC+OFF" is checked against: up to the next symbol. */
static void check_kfixture_symbol(struct surf_ksyms *k)
{
	struct surf_sym s;

	CHECK_INT(surf_ksyms__symbol(k, "wake_up_new_task", &s), ==, 0);
	CHECK_INT(s.addr, ==, 0xffffffff81001000);
	CHECK_INT(s.size, ==, 0x280);
	CHECK_INT(surf_ksyms__symbol(k, "do_fork", &s), ==, 0);
	CHECK_INT(s.size, ==, 0x80);
	/* The last of its module: the next symbol is another module's. */
	CHECK_INT(surf_ksyms__symbol(k, "mod_a_fn", &s), ==, 0);
	CHECK_INT(s.size, ==, 0);
	/* It lists no static variable, as without CONFIG_KALLSYMS_ALL: cannot tell. */
	CHECK_INT(surf_ksyms__symbol(k, "no_such_symbol", &s), ==, -ENODATA);
}

/* With CONFIG_KALLSYMS_ALL (static variables listed), a missing name is known missing. */
TEST(test_syms_kallsyms_symbol_all)
{
	struct surf_ksyms *k = NULL;
	char dir[64], path[128];
	struct surf_sym s;
	FILE *f;
	int found, missing;

	CHECK_INT(test_tmpdir(dir, sizeof(dir), "surf-ksyms"), ==, 0);
	snprintf(path, sizeof(path), "%s/kallsyms", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	fputs("ffffffff81000000 T f\nffffffff81000040 t g\nffffffff82000000 d var\n", f);
	fclose(f);
	CHECK_INT(surf_ksyms__load(&k, path), ==, 0);
	found = surf_ksyms__symbol(k, "var", &s);
	missing = surf_ksyms__symbol(k, "no_such_symbol", &s);
	surf_ksyms__free(k);
	CHECK_INT(found, ==, 0);
	CHECK_INT(missing, ==, -ENOENT);
}

TEST(test_syms_kallsyms_fixture)
{
	struct surf_ksyms *k = NULL;

	CHECK_INT(surf_ksyms__load(&k, test_fixture_path(KALLSYMS_FIXTURE)), ==, 0);
	check_kfixture_find(k);
	if (!test_failed())
		check_kfixture_modules(k);
	if (!test_failed())
		check_kfixture_lookup(k);
	if (!test_failed())
		check_kfixture_symbol(k);
	surf_ksyms__free(k);
}

/* What kptr_restrict shows: every address 0.  Loads, finds nothing. */
TEST(test_syms_kallsyms_restricted)
{
	struct surf_ksyms *k = NULL;
	struct surf_sym s;
	uint64_t addr;
	int find, lookup, symbol;

	CHECK_INT(surf_ksyms__load(&k, test_fixture_path(RESTRICTED_FIXTURE)), ==, 0);
	CHECK(k != NULL);
	find = surf_ksyms__find(k, 0xffffffff81001000, &s);
	lookup = surf_ksyms__lookup(k, "wake_up_new_task", &addr);
	symbol = surf_ksyms__symbol(k, "wake_up_new_task", &s);
	surf_ksyms__free(k);
	CHECK_INT(find, ==, -ENOENT);
	CHECK_INT(lookup, ==, -ENOENT);
	/* Not "unknown": nothing can be told. */
	CHECK_INT(symbol, ==, -ENODATA);
}

TEST(test_syms_kallsyms_errors)
{
	struct surf_ksyms *k = (struct surf_ksyms *)1;

	CHECK_INT(surf_ksyms__load(&k, test_fixture_path(BAD_FIXTURE)), ==, -EINVAL);
	CHECK(k == NULL);
	CHECK_INT(surf_ksyms__load(&k, "/nonexistent/kallsyms"), ==, -ENOENT);
	CHECK_INT(surf_ksyms__load(&k, "/dev/null"), ==, 0);
	surf_ksyms__free(k);
	surf_ksyms__free(NULL);
}

static void check_real_kallsyms(struct surf_ksyms *k)
{
	static const char *const names[] = { "schedule", "do_sys_openat2", "vfs_read" };
	char buf[256];
	int found = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct surf_sym s;
		uint64_t addr;

		if (surf_ksyms__lookup(k, names[i], &addr))
			continue;
		found++;
		CHECK_INT(surf_ksyms__find(k, addr, &s), ==, 0);
		CHECK_STR(s.name, names[i]);
		CHECK_INT(s.addr, ==, addr);
		CHECK(s.module == NULL);
		CHECK(s.size > 0);
		snprintf(buf, sizeof(buf), "%s+0x0/0x%" PRIx64, names[i], s.size);
		CHECK_STR(fmt(&s, addr), buf);
		CHECK_INT(surf_ksyms__find(k, addr + 1, &s), ==, 0);
		CHECK_STR(s.name, names[i]);
	}
	CHECK(found > 0);
}

TEST(test_syms_kallsyms_real)
{
	struct surf_ksyms *k = NULL;
	uint64_t addr;
	int err;

	err = surf_ksyms__load(&k, NULL);
	if (err == -ENOENT || err == -EACCES)
		SKIP("cannot read /proc/kallsyms (%s)", strerror(-err));
	CHECK_INT(err, ==, 0);
	if (surf_ksyms__lookup(k, "schedule", &addr) == -ENOENT &&
	    surf_ksyms__lookup(k, "do_sys_openat2", &addr) == -ENOENT) {
		surf_ksyms__free(k);
		SKIP("/proc/kallsyms hides the addresses (kptr_restrict)");
	}
	check_real_kallsyms(k);
	surf_ksyms__free(k);
}

TEST(test_syms_format)
{
	struct surf_sym s = { .name = "wake_up_new_task", .addr = 0x1000, .size = 0x280 };
	char small[8];

	CHECK_STR(fmt(&s, 0x1000), "wake_up_new_task+0x0/0x280");
	CHECK_STR(fmt(&s, 0x1010), "wake_up_new_task+0x10/0x280");
	s.size = 0;
	CHECK_STR(fmt(&s, 0x1010), "wake_up_new_task+0x10");
	CHECK_INT(surf_sym__format(&s, 0x1010, small, sizeof(small)), ==, 21);
	CHECK_STR(small, "wake_up");
	s.name = NULL;
	s.module = "/usr/lib/libfoo.so";
	CHECK_STR(fmt(&s, 0x1010), "[/usr/lib/libfoo.so]");
	s.module = "[vdso]";
	CHECK_STR(fmt(&s, 0x1010), "[vdso]");
	CHECK_STR(fmt(NULL, 0xffffffff81000000), "0xffffffff81000000");
}

/* ---- user space: this process --------------------------------------------- */

__attribute__((noinline)) int syms_test_target(int x);
__attribute__((noinline)) int syms_test_target(int x)
{
	return x * 7 + 3;
}

static void check_self(struct surf_usyms *u)
{
	int (*volatile fp)(int) = syms_test_target;
	uint64_t addr = (uint64_t)(uintptr_t)fp;
	struct surf_sym s;
	char want[64];

	CHECK_INT(fp(1), ==, 10);
	CHECK_INT(surf_usyms__find(u, getpid(), addr, &s), ==, 0);
	CHECK_STR(s.name, "syms_test_target");
	CHECK_INT(s.addr, ==, addr);
	CHECK(s.size > 0);
	CHECK(s.module && s.module[0] == '/');
	CHECK_INT(surf_usyms__find(u, getpid(), addr + 2, &s), ==, 0);
	CHECK_STR(s.name, "syms_test_target");
	snprintf(want, sizeof(want), "syms_test_target+0x2/0x%" PRIx64, s.size);
	CHECK_STR(fmt(&s, addr + 2), want);

	/* A second time from the cache; then again after forgetting the pid. */
	CHECK_INT(surf_usyms__find(u, getpid(), addr, &s), ==, 0);
	CHECK_STR(s.name, "syms_test_target");
	surf_usyms__forget(u, getpid());
	surf_usyms__forget(u, getpid());
	CHECK_INT(surf_usyms__find(u, getpid(), addr, &s), ==, 0);
	CHECK_STR(s.name, "syms_test_target");
}

TEST(test_syms_user_self)
{
	struct surf_usyms *u = NULL;

	CHECK_INT(surf_usyms__new(&u), ==, 0);
	check_self(u);
	surf_usyms__free(u);
}

static void check_libc(struct surf_usyms *u)
{
	void *fn = dlsym(RTLD_DEFAULT, "getpid");
	uint64_t addr = (uint64_t)(uintptr_t)fn;
	struct surf_sym s;

	CHECK(fn != NULL);
	CHECK_INT(surf_usyms__find(u, getpid(), addr, &s), ==, 0);
	CHECK_CONTAINS(s.name, "getpid");
	CHECK_INT(s.addr, ==, addr);
	CHECK_CONTAINS(s.module, "libc");

	/* In a PIE, &function is the function itself, not a PLT stub. */
	addr = (uint64_t)(uintptr_t)&getpid;
	CHECK_INT(surf_usyms__find(u, getpid(), addr, &s), ==, 0);
	CHECK_CONTAINS(s.name, "getpid");
}

TEST(test_syms_user_libc)
{
	struct surf_usyms *u = NULL;

	CHECK_INT(surf_usyms__new(&u), ==, 0);
	check_libc(u);
	surf_usyms__free(u);
}

static void check_vdso(struct surf_usyms *u, uint64_t fn)
{
	struct surf_sym s;

	CHECK_INT(surf_usyms__find(u, getpid(), fn, &s), ==, 0);
	CHECK_CONTAINS(s.name, "gettimeofday");
	CHECK_INT(s.addr, ==, fn);
	CHECK_STR(s.module, "[vdso]");
}

TEST(test_syms_user_vdso)
{
	struct surf_usyms *u = NULL;
	void *vdso, *fn;

	if (!getauxval(AT_SYSINFO_EHDR))
		SKIP("no vDSO");
	/* glibc lets the vDSO be opened by its soname. */
	vdso = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
	if (!vdso)
		SKIP("cannot dlopen the vDSO");
	fn = dlsym(vdso, "__vdso_gettimeofday");
	if (!fn)
		fn = dlsym(vdso, "__kernel_gettimeofday");
	dlclose(vdso);
	if (!fn)
		SKIP("no gettimeofday in the vDSO");
	CHECK_INT(surf_usyms__new(&u), ==, 0);
	check_vdso(u, (uint64_t)(uintptr_t)fn);
	surf_usyms__free(u);
}

static void check_errors(struct surf_usyms *u, void *anon)
{
	struct surf_sym s;

	CHECK_INT(surf_usyms__find(u, 0, 0x1000, &s), ==, -EINVAL);
	CHECK_INT(surf_usyms__find(u, -1, 0x1000, &s), ==, -EINVAL);
	/* Above pid_max (at most 2^22): no such process. */
	CHECK_INT(surf_usyms__find(u, 0x7ffffff0, 0x1000, &s), ==, -ESRCH);
	CHECK_INT(surf_usyms__find(u, getpid(), 0, &s), ==, -ENOENT);
	CHECK(s.name == NULL && s.module == NULL);
	/* Executable memory of no file (what a JIT makes). */
	CHECK_INT(surf_usyms__find(u, getpid(), (uint64_t)(uintptr_t)anon + 16, &s), ==, -ENOENT);
	CHECK(s.name == NULL);
	surf_usyms__forget(u, 0x7ffffff0);
}

TEST(test_syms_user_errors)
{
	struct surf_usyms *u = NULL;
	void *anon;

	anon = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(anon != MAP_FAILED);
	CHECK_INT(surf_usyms__new(&u), ==, 0);
	check_errors(u, anon);
	surf_usyms__free(u);
	munmap(anon, 4096);
}

/* ---- user space: child processes built from syms_target.c ---------------- */

static struct {
	bool tried;
	const char *skip;
	char dir[64];
} tx;

/* Once per run: the builds of the target. */
static bool tx_setup(void)
{
	char src[PATH_MAX];
	const char *d = tx.dir;

	if (tx.tried)
		return !tx.skip;
	tx.tried = true;
	if (!realpath(test_fixture_path(TARGET_FIXTURE), src)) {
		tx.skip = "cannot find " TARGET_FIXTURE " (run from the top or set SURF_SRCDIR)";
		return false;
	}
	if (test_tmpdir(tx.dir, sizeof(tx.dir), "surf-syms")) {
		tx.skip = "mkdtemp failed";
		return false;
	}
	if (test_sh(d, "cc -O1 -fPIE -pie -o '%s/pie' '%s'", d, src) ||
	    test_sh(d, "cc -O1 -fno-pie -no-pie -o '%s/nopie' '%s'", d, src) ||
	    test_sh(d, "cc -O1 -fPIE -pie -rdynamic -o '%s/dynsym' '%s' && strip '%s/dynsym'", d,
		    src, d) ||
	    test_sh(d, "cc -O1 -fPIE -pie -o '%s/stripped' '%s' && strip '%s/stripped'", d, src,
		    d) ||
	    test_sh(d, "cc -O1 -fPIC -shared -DSYMS_TARGET_LIB -o '%s/lib.so' '%s'", d, src)) {
		tx.skip = "cannot build " TARGET_FIXTURE " (no C compiler or strip?)";
		return false;
	}
	return true;
}

struct child {
	pid_t pid;
	int in, out;		/* its stdin (ours to close), its stdout */
	uint64_t func, main;
};

static int child_start(struct child *c, const char *exe)
{
	int to[2], from[2];
	char line[128];
	FILE *f;
	void *func, *main_;

	if (pipe(to))
		return -errno;
	if (pipe(from)) {
		close(to[0]);
		close(to[1]);
		return -errno;
	}
	fflush(stdout);
	c->pid = fork();
	if (c->pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		execl(exe, exe, (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	c->in = to[1];
	c->out = from[0];
	if (c->pid < 0) {
		close(c->in);
		close(c->out);
		return -EAGAIN;
	}
	f = fdopen(dup(c->out), "r");
	if (!f || !fgets(line, sizeof(line), f) || sscanf(line, "%p %p", &func, &main_) != 2) {
		if (f)
			fclose(f);
		return -EIO;
	}
	fclose(f);
	c->func = (uint64_t)(uintptr_t)func;
	c->main = (uint64_t)(uintptr_t)main_;
	return 0;
}

static void child_stop(struct child *c)
{
	int status;

	close(c->in);
	close(c->out);
	if (c->pid > 0 && waitpid(c->pid, &status, 0) < 0)
		kill(c->pid, SIGKILL);
}

/* Name the target's function in a child built as exe; want NULL: unnamed. */
static void check_target(struct surf_usyms *u, const char *exe, const char *want,
			 bool delete_first)
{
	struct child c = { 0 };
	struct surf_sym s;
	int err;

	err = child_start(&c, exe);
	if (err) {
		child_stop(&c);
		test_fail(__FILE__, __LINE__, "cannot run %s: %d", exe, err);
		return;
	}
	if (delete_first)
		unlink(exe);
	err = surf_usyms__find(u, c.pid, c.func + 1, &s);
	if (want) {
		if (err || !s.name || strcmp(s.name, want) || s.addr != c.func) {
			test_fail(__FILE__, __LINE__, "%s: %d %s 0x%" PRIx64 " vs 0x%" PRIx64,
				  exe, err, fmt(&s, c.func + 1), s.addr, c.func);
		} else if (!s.module || strcmp(s.module, exe)) {
			test_fail(__FILE__, __LINE__, "module %s, want %s", s.module, exe);
		} else {
			err = surf_usyms__find(u, c.pid, c.main, &s);
			if (err || !s.name || strcmp(s.name, "main"))
				test_fail(__FILE__, __LINE__, "%s main: %d %s", exe, err,
					  fmt(&s, c.main));
		}
	} else if (err != -ENOENT || s.name || !s.module || !strstr(s.module, exe)) {
		test_fail(__FILE__, __LINE__, "%s: want -ENOENT in the file, got %d %s", exe,
			  err, fmt(&s, c.func + 1));
	}
	surf_usyms__forget(u, c.pid);
	child_stop(&c);
}

static void run_target(const char *name, const char *want, bool delete_first)
{
	struct surf_usyms *u = NULL;
	char exe[PATH_MAX];
	int err;

	if (!tx_setup())
		SKIP("%s", tx.skip);
	snprintf(exe, sizeof(exe), "%s/%s", tx.dir, name);
	err = surf_usyms__new(&u);
	CHECK_INT(err, ==, 0);
	check_target(u, exe, want, delete_first);
	surf_usyms__free(u);
}

TEST(test_syms_user_pie)
{
	run_target("pie", "syms_target_func", false);
}

TEST(test_syms_user_nopie)
{
	run_target("nopie", "syms_target_func", false);
}

/* Stripped of .symtab, exported: named from .dynsym. */
TEST(test_syms_user_dynsym)
{
	run_target("dynsym", "syms_target_func", false);
}

TEST(test_syms_user_stripped)
{
	run_target("stripped", NULL, false);
}

/* Mapped from a file since deleted: "(deleted)", not named. */
TEST(test_syms_user_deleted)
{
	char exe[PATH_MAX];

	if (!tx_setup())
		SKIP("%s", tx.skip);
	snprintf(exe, sizeof(exe), "%s/deleted", tx.dir);
	if (test_sh(tx.dir, "cp '%s/pie' '%s'", tx.dir, exe))
		SKIP("cannot copy the target");
	run_target("deleted", NULL, true);
}

static void check_dlopen(struct surf_usyms *u, void *fn, const char *path)
{
	struct surf_sym s;

	CHECK(fn != NULL);
	CHECK_INT(surf_usyms__find(u, getpid(), (uint64_t)(uintptr_t)fn + 1, &s), ==, 0);
	CHECK_STR(s.name, "syms_target_func");
	CHECK_INT(s.addr, ==, (uint64_t)(uintptr_t)fn);
	CHECK_STR(s.module, path);
}

/* A shared library with .symtab, loaded after the maps were first read. */
TEST(test_syms_user_dlopen)
{
	int (*volatile self)(int) = syms_test_target;
	struct surf_usyms *u = NULL;
	char path[PATH_MAX];
	struct surf_sym s;
	void *lib;

	if (!tx_setup())
		SKIP("%s", tx.skip);
	snprintf(path, sizeof(path), "%s/lib.so", tx.dir);
	CHECK_INT(surf_usyms__new(&u), ==, 0);
	/* The maps are read before the library is there... */
	if (surf_usyms__find(u, getpid(), (uint64_t)(uintptr_t)self, &s)) {
		surf_usyms__free(u);
		CHECK(!"cannot name syms_test_target");
	}
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		surf_usyms__free(u);
		CHECK(!"cannot dlopen the target library");
	}
	/* ...and read again for an address outside them, at most every 100 ms. */
	usleep(150 * 1000);
	check_dlopen(u, dlsym(lib, "syms_target_func"), path);
	dlclose(lib);
	surf_usyms__free(u);
}

// SPDX-License-Identifier: MIT
/*
 * Tests for src/lib/sys/jmap.c (a JIT's perf map) and its use by usyms.c.
 * The fixture is written here, in the format and with the names JDK 17's
 * `jcmd PID Compiler.perfmap` writes (copied from a real one): a C2 and a
 * C1 copy of one method, stubs, a method in a package, an inner class.
 * Then this process's own perf map names an anonymous executable page.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <surf/syms.h>

#include "test.h"

static const char FIXTURE[] =
	"0x00007f0930940b80 0x0000000000017de0 Interpreter\n"
	"0x00007f0930958a00 0x00000000000001b0 I2C/C2I adapters\n"
	"0x00007f0930ec7600 0x0000000000000058 int test.square_test(int)\n"
	"0x00007f0929400e20 0x00000000000000f0 int test.square_test(int)\n"
	"0x00007f0930ec7900 0x0000000000000020 java.lang.Object java.lang.invoke.MethodHandle.linkToStatic(java.lang.Object, java.lang.invoke.MemberName)\n"
	"0x00007f0930ec8020 0x00000000000001d8 void java.io.FileOutputStream.writeBytes(byte[], int, int, boolean)\n"
	"7f0930ed0000 100 void com.acme.web.Server.handleGet(java.lang.String)\n"
	"7f0930ed0100 80 void com.acme.web.Server$Worker.handlePost()\n"
	"not a line\n"
	"0x00007f0930ed1000 0x0000000000000000 zero sized\n";

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

static void check_fixture(struct surf_jmap *m)
{
	struct surf_sym s[8];

	CHECK_INT(surf_jmap__count(m), ==, 8);
	/* Addresses to names, inside and at the ends of an entry. */
	CHECK_INT(surf_jmap__find(m, 0x7f0930ec7600, &s[0]), ==, 0);
	CHECK_STR(s[0].name, "int test.square_test(int)");
	CHECK_INT(s[0].size, ==, 0x58);
	CHECK_INT(surf_jmap__find(m, 0x7f0930ec7657, &s[0]), ==, 0);
	CHECK_INT(s[0].addr, ==, 0x7f0930ec7600);
	CHECK_INT(surf_jmap__find(m, 0x7f0930ec7658, &s[0]), ==, -ENOENT);
	CHECK_INT(surf_jmap__find(m, 0x7f0930940b80 + 0x6e0, &s[0]), ==, 0);
	CHECK_STR(s[0].name, "Interpreter");
	CHECK_INT(surf_jmap__find(m, 0x7f0930ed017f, &s[0]), ==, 0);
	CHECK_STR(s[0].name, "void com.acme.web.Server$Worker.handlePost()");
	CHECK_INT(surf_jmap__find(m, 0x1000, &s[0]), ==, -ENOENT);

	/* Names to addresses: the seed's JNI form finds both compiled copies. */
	CHECK_INT(surf_jmap__lookup(m, "Ltest;::square_test", s, 8), ==, 2);
	CHECK_INT(s[0].addr, ==, 0x7f0929400e20);
	CHECK_INT(s[1].addr, ==, 0x7f0930ec7600);
	CHECK_INT(surf_jmap__lookup(m, "test::square_test", s, 8), ==, 2);
	CHECK_INT(surf_jmap__lookup(m, "test.square_test", s, 8), ==, 2);
	CHECK_INT(surf_jmap__lookup(m, "test.square_test(int)", s, 8), ==, 2);
	CHECK_INT(surf_jmap__lookup(m, "test.square_test()", s, 8), ==, 0);
	CHECK_INT(surf_jmap__lookup(m, "square_test", s, 1), ==, 2);
	CHECK_INT(surf_jmap__lookup(m, "Test::square_test", s, 8), ==, 0);
	CHECK_INT(surf_jmap__lookup(m, "test::square", s, 8), ==, 0);
	/* Globs; the inner class's '$' is part of its name. */
	CHECK_INT(surf_jmap__lookup(m, "com.acme.*::handle*", s, 8), ==, 2);
	CHECK_INT(surf_jmap__lookup(m, "com.acme.web.Server::handle*", s, 8), ==, 1);
	CHECK_STR(s[0].name, "void com.acme.web.Server.handleGet(java.lang.String)");
	CHECK_INT(surf_jmap__lookup(m, "Lcom/acme/web/Server$Worker;::handlePost", s, 8), ==, 1);
	CHECK_INT(s[0].addr, ==, 0x7f0930ed0100);
	CHECK_INT(surf_jmap__lookup(m, "java.io.FileOutputStream.writeBytes(byte[],int,int,boolean)",
				    s, 8), ==, 1);
	/* Stubs are not methods. */
	CHECK_INT(surf_jmap__lookup(m, "Interpreter", s, 8), ==, 0);
	CHECK_INT(surf_jmap__lookup(m, "test::", s, 8), ==, -EINVAL);
	CHECK_INT(surf_jmap__lookup(m, "", s, 8), ==, -EINVAL);
}

TEST(test_jmap_fixture)
{
	char dir[256], path[300];
	struct surf_jmap *m = NULL;

	CHECK_INT(test_tmpdir(dir, sizeof(dir), "jmap"), ==, 0);
	snprintf(path, sizeof(path), "%s/perf-1.map", dir);
	CHECK_INT(surf_jmap__load(&m, path), ==, -ENOENT);
	CHECK_INT(write_file(path, FIXTURE), ==, 0);
	CHECK_INT(surf_jmap__load(&m, path), ==, 0);
	check_fixture(m);
	surf_jmap__free(m);
}

TEST(test_jmap_parse_method)
{
	char c[64], me[64], a[64];

	CHECK_INT(surf_jmap__parse_method("Ltest;::square_test", c, 64, me, 64, a, 64), ==, 0);
	CHECK_STR(c, "test");
	CHECK_STR(me, "square_test");
	CHECK_STR(a, "");
	CHECK_INT(surf_jmap__parse_method("Lcom/acme/Foo;::bar(int, long)", c, 64, me, 64, a, 64), ==, 0);
	CHECK_STR(c, "com.acme.Foo");
	CHECK_STR(me, "bar");
	CHECK_STR(a, "(int,long)");
	CHECK_INT(surf_jmap__parse_method("com.acme.Foo.bar", c, 64, me, 64, a, 64), ==, 0);
	CHECK_STR(c, "com.acme.Foo");
	CHECK_STR(me, "bar");
	CHECK_INT(surf_jmap__parse_method("bar", c, 64, me, 64, a, 64), ==, 0);
	CHECK_STR(c, "*");
	CHECK_INT(surf_jmap__parse_method("a::b.c", c, 64, me, 64, a, 64), ==, -EINVAL);
	CHECK_INT(surf_jmap__parse_method("a::b(int", c, 64, me, 64, a, 64), ==, -EINVAL);
}

/* This process's perf map names its anonymous code, and a new one is reread. */
static void check_self_jit(struct surf_usyms *u, uint64_t code, const char *path)
{
	char text[256];
	struct surf_sym s;

	snprintf(text, sizeof(text), "%" PRIx64 " 40 void demo.Jit.first(int)\n", code);
	CHECK_INT(write_file(path, text), ==, 0);
	CHECK_INT(surf_usyms__find(u, getpid(), code + 0x10, &s), ==, 0);
	CHECK_STR(s.name, "void demo.Jit.first(int)");
	CHECK_INT(s.addr, ==, code);
	CHECK_STR(s.module, path);
	/* Past the entry: still anonymous code, unnamed. */
	CHECK_INT(surf_usyms__find(u, getpid(), code + 0x40, &s), ==, -ENOENT);

	/* A new snapshot (another size): the cache rereads it. */
	snprintf(text, sizeof(text), "%" PRIx64 " 80 long demo.Jit.second(long, long)\n", code);
	CHECK_INT(write_file(path, text), ==, 0);
	CHECK_INT(surf_usyms__find(u, getpid(), code + 0x40, &s), ==, 0);
	CHECK_STR(s.name, "long demo.Jit.second(long, long)");
}

TEST(test_jmap_usyms_self)
{
	struct surf_usyms *u = NULL;
	char path[64];
	void *code;

	code = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(code != MAP_FAILED);
	CHECK_INT(surf_jmap__path(getpid(), path, sizeof(path)), ==, 0);
	CHECK_INT(surf_usyms__new(&u), ==, 0);
	check_self_jit(u, (uint64_t)(uintptr_t)code, path);
	surf_usyms__free(u);
	unlink(path);
	munmap(code, 4096);
}

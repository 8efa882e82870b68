// SPDX-License-Identifier: MIT
/*
 * Tests for src/lib/elf/disasm.c and elflist.c, on
 * tests/fixtures/usdt_disasm.c built at test time (with -rdynamic, so that
 * its functions are in .symtab and .dynsym both), with binutils' objdump
 * and readelf as the oracle, and on this machine's libc; then an aarch64
 * shared object when clang and ld.lld can build one.
 *
 * A CHECK returns from the function it is in, so the listings are freed by
 * the TEST body around a helper that does the checking.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

#include <surf/disasm.h>
#include <surf/elf.h>
#include <surf/elflist.h>

#include "test.h"

/* As src/lib/elf/debuginfo.h names it: where debug files (a vmlinux) are looked for. */
#define SURF_DEBUG_ROOT_ENV_NAME "SURF_DEBUG_ROOT"

#define DISASM_FIXTURE "tests/fixtures/usdt_disasm.c"
#define A64_FIXTURE "tests/fixtures/usdt_a64.c"

static struct {
	bool tried;
	const char *skip;
	char dir[64];
	char bin[PATH_MAX], obj[PATH_MAX], src[PATH_MAX];
} dx;

static bool dx_setup(void)
{
	if (dx.tried)
		return !dx.skip;
	dx.tried = true;
	if (!realpath(test_fixture_path(DISASM_FIXTURE), dx.src)) {
		dx.skip = "cannot find " DISASM_FIXTURE " (run from the top or set SURF_SRCDIR)";
		return false;
	}
	if (test_tmpdir(dx.dir, sizeof(dx.dir), "surf-disasm")) {
		dx.skip = "mkdtemp failed";
		return false;
	}
	snprintf(dx.bin, sizeof(dx.bin), "%s/prog", dx.dir);
	snprintf(dx.obj, sizeof(dx.obj), "%s/prog.o", dx.dir);
	if (test_sh(dx.dir, "cc -O1 -rdynamic -o '%s' '%s'", dx.bin, dx.src) ||
	    test_sh(dx.dir, "cc -O1 -c -o '%s' '%s'", dx.obj, dx.src)) {
		dx.skip = "cannot build " DISASM_FIXTURE " (no C compiler?)";
		return false;
	}
	if (test_sh(dx.dir, "command -v objdump >/dev/null && command -v readelf >/dev/null")) {
		dx.skip = "objdump and readelf (binutils) are needed as the oracle";
		return false;
	}
	return true;
}

#define NEED_FIXTURE()                                                         \
	do {                                                                   \
		if (!dx_setup())                                               \
			SKIP("%s", dx.skip);                                   \
	} while (0)

/* Value and size of a symbol, from readelf -sW. */
static bool sym_info(const char *path, const char *name, uint64_t *value, uint64_t *size)
{
	char *out = test_output("readelf -sW '%s'", path), *line, *save = NULL;
	bool found = false;

	if (!out)
		return false;
	for (line = strtok_r(out, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char sym[128];
		unsigned idx;

		if (sscanf(line, " %u: %" SCNx64 " %" SCNu64 " %*s %*s %*s %*s %127s", &idx,
			   value, size, sym) == 4 && !strcmp(sym, name))
			found = true;
	}
	free(out);
	return found;
}

/* A vaddr as a file offset, through readelf -lW's LOAD lines. */
static uint64_t file_offset(const char *path, uint64_t vaddr)
{
	char *out = test_output("readelf -lW '%s'", path), *line, *save = NULL;
	uint64_t off = UINT64_MAX;

	if (!out)
		return off;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long o, v, pa, fs;

		if (sscanf(line, " LOAD 0x%llx 0x%llx 0x%llx 0x%llx", &o, &v, &pa, &fs) == 4 &&
		    vaddr >= v && vaddr < v + fs) {
			off = vaddr - v + o;
			break;
		}
	}
	free(out);
	return off;
}

static char *disasm(const char *path, const char *symbol, int *ret, char *err, size_t errlen)
{
	struct test_capture c;
	FILE *f = test_capture_open(&c);

	*ret = f ? surf_disasm__print(path, symbol, f, err, errlen) : -ENOMEM;
	return test_capture_close(&c);
}

/* Instruction addresses of objdump -d lines "  114a:\t41 54 \tpush %r12" (two tabs). */
static int objdump_addrs(const char *oracle, uint64_t *addrs, int max)
{
	int n = 0;

	for (const char *q = oracle; *q && n < max;) {
		const char *eol = strchr(q, '\n') ? strchr(q, '\n') : q + strlen(q);
		const char *tab = memchr(q, '\t', (size_t)(eol - q));
		unsigned long long a;

		if (tab && memchr(tab + 1, '\t', (size_t)(eol - tab - 1)) &&
		    sscanf(q, " %llx:", &a) == 1)
			addrs[n++] = a;
		q = *eol ? eol + 1 : eol;
	}
	return n;
}

/*
 * The listing of usdt_disasm_func against objdump's: the same instruction
 * addresses, from +0 to the symbol's end, and a ret among them.
 */
static void check_listing(const char *listing, const char *oracle, uint64_t value,
			  uint64_t size)
{
	uint64_t want[256];
	int nwant = objdump_addrs(oracle, want, 256), lines = 0;
	const char *p = listing;
	bool ret = false;

	CHECK_INT(nwant, >, 5);
	CHECK(!strncmp(p, "# usdt_disasm_func in ", 22));
	p = strchr(p, '\n') + 1;
	CHECK(!strncmp(p, "<+0> ", 5));
	for (; *p; p = strchr(p, '\n') + 1) {
		unsigned long long off, addr;
		char hex[64], want_hex[64];

		if (sscanf(p, "<+%llu> %63s 0x%llx:", &off, hex, &addr) != 3)
			test_fail(__FILE__, __LINE__, "bad line: %.60s", p);
		CHECK(sscanf(p, "<+%llu> %63s 0x%llx:", &off, hex, &addr) == 3);
		CHECK_INT(addr, ==, value + off);
		snprintf(want_hex, sizeof(want_hex), "usdt_disasm_func+0x%llx", off);
		CHECK_STR(hex, want_hex);
		CHECK_INT(lines, <, nwant);
		CHECK_INT(addr, ==, want[lines]);
		CHECK(off < size);
		/* Compiled code decodes whole: a cut instruction would show as (bad). */
		CHECK(strncmp(strstr(p, ":  ") + 3, "(bad)", 5));
		if (strstr(p, "ret") && strstr(p, "ret") < strchr(p, '\n'))
			ret = true;
		lines++;
	}
	/* As many as objdump has in [value, value + size): the whole size. */
	CHECK_INT(lines, ==, nwant);
	CHECK(ret);
}

TEST(disasm_function)
{
	uint64_t value, size;
	char err[256], *s, *oracle;
	int ret;

	NEED_FIXTURE();
	CHECK(sym_info(dx.bin, "usdt_disasm_func", &value, &size));
	CHECK(size > 0);
	s = disasm(dx.bin, "usdt_disasm_func", &ret, err, sizeof(err));
	oracle = test_output("objdump -d --start-address=0x%" PRIx64
			     " --stop-address=0x%" PRIx64 " '%s'", value, value + size, dx.bin);
	if (ret)
		test_fail(__FILE__, __LINE__, "%s", err);
	if (s && oracle && !ret)
		check_listing(s, oracle, value, size);
	free(s);
	free(oracle);
	CHECK_INT(ret, ==, 0);
}

/*
 * "func+OFF" resolves only where objdump starts an instruction, to the
 * function's file offset plus OFF; elsewhere -EILSEQ, and from the
 * function's size on -ERANGE.
 */
TEST(elf_offset_boundaries)
{
	uint64_t value, size, want[256], off, base;
	int nwant, next = 0, bad = 0;
	char err[512], sym[64], *oracle;

	NEED_FIXTURE();
	CHECK(sym_info(dx.bin, "usdt_disasm_func", &value, &size));
	oracle = test_output("objdump -d --start-address=0x%" PRIx64 " --stop-address=0x%" PRIx64
			     " '%s'", value, value + size, dx.bin);
	CHECK(oracle != NULL);
	nwant = objdump_addrs(oracle, want, 256);
	free(oracle);
	CHECK_INT(nwant, >, 5);
	base = file_offset(dx.bin, value);
	for (uint64_t o = 0; o <= size + 1; o++) {
		bool boundary = next < nwant && want[next] == value + o;
		int ret;

		snprintf(sym, sizeof(sym), "usdt_disasm_func+%" PRIu64, o);
		ret = surf_elf__symbol_offset(dx.bin, sym, &off, err, sizeof(err));
		if (boundary) {
			next++;
			if (ret || off != base + o)
				bad++, test_fail(__FILE__, __LINE__, "+%" PRIu64 ": %d %s", o, ret, err);
		} else if (ret != (o >= size ? -ERANGE : -EILSEQ)) {
			bad++, test_fail(__FILE__, __LINE__, "+%" PRIu64 " gave %d, not refused", o,
					 ret);
		}
	}
	CHECK_INT(bad, ==, 0);
	CHECK_INT(next, ==, nwant);
	/* Numbers only: no sign, nothing after the digits. */
	CHECK_INT(surf_elf__symbol_offset(dx.bin, "usdt_disasm_func+-1", &off, err, sizeof(err)),
		  ==, -EINVAL);
	CHECK_INT(surf_elf__symbol_offset(dx.bin, "usdt_disasm_func+1x", &off, err, sizeof(err)),
		  ==, -EINVAL);
}

TEST(disasm_object_and_static)
{
	char err[256], *s;
	int ret;

	NEED_FIXTURE();
	/* A static function, from .symtab. */
	s = disasm(dx.bin, "helper", &ret, err, sizeof(err));
	if (ret)
		test_fail(__FILE__, __LINE__, "%s", err);
	if (!ret)
		ret = strstr(s, "\n<+0> ") && strstr(s, "ret") ? 0 : -1;
	free(s);
	CHECK_INT(ret, ==, 0);
	/* A relocatable object: values are section offsets. */
	s = disasm(dx.obj, "usdt_disasm_func", &ret, err, sizeof(err));
	if (ret)
		test_fail(__FILE__, __LINE__, "%s", err);
	if (!ret)
		ret = strstr(s, "<+0> ") && strstr(s, "ret") ? 0 : -1;
	free(s);
	CHECK_INT(ret, ==, 0);
}

TEST(disasm_errors)
{
	char err[256], *s;
	int ret;

	NEED_FIXTURE();
	s = disasm(dx.bin, "usdt_disasm_fun", &ret, err, sizeof(err));
	free(s);
	CHECK_INT(ret, ==, -ENOENT);
	CHECK_CONTAINS(err, "did you mean 'usdt_disasm_func'");
	s = disasm(dx.bin, "usdt_disasm_nosize", &ret, err, sizeof(err));
	free(s);
	CHECK_INT(ret, ==, -ENODATA);
	CHECK_CONTAINS(err, "no size");
	s = disasm(dx.bin, "usdt_disasm_data", &ret, err, sizeof(err));
	free(s);
	CHECK_INT(ret, ==, -EINVAL);
	CHECK_CONTAINS(err, "not a function");
	s = disasm(dx.src, "main", &ret, err, sizeof(err));
	CHECK(s && !*s);	/* nothing printed on error */
	free(s);
	CHECK_INT(ret, ==, -ENOEXEC);
	CHECK_CONTAINS(err, "not an ELF");
}

static char *symbols(const char *path, const char *glob, int *ret)
{
	struct test_capture c;
	FILE *f = test_capture_open(&c);

	*ret = f ? surf_elf__print_symbols(path, glob, f) : -ENOMEM;
	return test_capture_close(&c);
}

/* Each line "name  0xOFF  size": sorted, once each, right offsets. */
static void check_symbols(const char *s, int n)
{
	char prev[128] = "";
	const char *p = s;
	uint64_t value, size;
	int lines = 0;
	bool func = false, helper = false;

	for (; *p; p = strchr(p, '\n') + 1) {
		char name[128], off[32];
		unsigned long long sz, o;

		CHECK(sscanf(p, "%127s %31s %llu", name, off, &sz) == 3);
		CHECK(strcmp(prev, name) < 0);
		CHECK(!strstr(name, "usdt_disasm_data"));
		snprintf(prev, sizeof(prev), "%s", name);
		if (!strcmp(name, "usdt_disasm_func") || !strcmp(name, "helper")) {
			CHECK(sym_info(dx.bin, name, &value, &size));
			CHECK(sscanf(off, "0x%llx", &o) == 1);
			CHECK_INT(sz, ==, size);
			CHECK_INT(o, ==, file_offset(dx.bin, value));
			func |= name[0] == 'u';
			helper |= name[0] == 'h';
		}
		lines++;
	}
	CHECK_INT(lines, ==, n);
	CHECK(func && helper);
}

TEST(elf_symbols_fixture)
{
	char *s;
	int n;

	NEED_FIXTURE();
	s = symbols(dx.bin, NULL, &n);
	CHECK(s);
	if (n > 0)
		check_symbols(s, n);
	free(s);
	CHECK_INT(n, >, 3);
	s = symbols(dx.bin, "usdt_disasm_*", &n);
	CHECK(s);
	n = (n == 2 && strstr(s, "usdt_disasm_func ") && strstr(s, "usdt_disasm_nosize ")) ? 2 : -n;
	free(s);
	CHECK_INT(n, ==, 2);
	s = symbols(dx.src, NULL, &n);
	free(s);
	CHECK_INT(n, ==, -ENOEXEC);
}

TEST(elf_symbols_libc)
{
	char libc[PATH_MAX], *s, *line;
	int n;

	if (surf_elf__find_binary("libc", 0, libc, sizeof(libc)))
		SKIP("no libc found");
	s = symbols(libc, "strlen", &n);
	CHECK(s);
	line = strstr(s, "strlen ");
	n = n == 1 && line == s && strstr(s, "  ifunc\n") ? 1 : -1;
	if (n != 1)
		test_fail(__FILE__, __LINE__, "strlen in %s:\n%s", libc, s);
	free(s);
	CHECK_INT(n, ==, 1);
	s = symbols(libc, "str*", &n);
	CHECK(s);
	free(s);
	CHECK_INT(n, >, 10);
}

TEST(disasm_aarch64)
{
	char so[PATH_MAX + 16], src[PATH_MAX], err[256], *s, *p;
	uint64_t value, size;
	int ret, lines = 0;
	bool last_ret = false;

	NEED_FIXTURE();
	if (!realpath(test_fixture_path(A64_FIXTURE), src))
		SKIP("cannot find " A64_FIXTURE);
	snprintf(so, sizeof(so), "%s/a64.so", dx.dir);
	if (test_sh(dx.dir, "echo '#include <sys/sdt.h>' | cc -x c -fsyntax-only -") ||
	    test_build_aarch64_so(dx.dir, src, so))
		SKIP("clang, ld.lld and <sys/sdt.h> cannot build an aarch64 object");
	CHECK(sym_info(so, "usdt_a64_func", &value, &size));
	s = disasm(so, "usdt_a64_func", &ret, err, sizeof(err));
	if (ret)
		test_fail(__FILE__, __LINE__, "%s", err);
	for (p = s && !ret ? strchr(s, '\n') + 1 : ""; *p; p = strchr(p, '\n') + 1) {
		unsigned long long off;

		if (sscanf(p, "<+%llu>", &off) != 1 || off != 4ULL * (unsigned)lines)
			break;
		last_ret = !strncmp(strstr(p, ":  ") + 3, "ret", 3);
		lines++;
	}
	ret = ret ? ret : (!s || !strstr(s, ": aarch64, ")) ? -1 : 0;
	free(s);
	CHECK_INT(ret, ==, 0);
	/* Fixed 4-byte instructions: size / 4 lines, from +0, ending in ret. */
	CHECK_INT(lines, ==, size / 4);
	CHECK(last_ret);
}

/* ---- Kernel functions, from a kcore and a kallsyms made here -------------------- */

#include <elf.h>

#define KBASE 0xffffffff81000000ull

/*
 * A kcore as the kernel lays it out (ELF64 core, kernel addresses in
 * PT_LOAD segments, the data far into the file) holding hand-assembled
 * x86_64 code, with a kallsyms and a kprobe blacklist naming it:
 *   kfunc+0x0  nopl 0x0(%rax,%rax,1)   ftrace's 5-byte nop
 *   kfunc+0x5  push %rbp;  +0x6 mov %rsp,%rbp
 *   kfunc+0x9  call other_func (KBASE+0x40);  +0xe pop %rbp;  +0xf ret
 */
static bool fake_kernel(char *dir, size_t len)
{
	static const unsigned char code[] = {
		0x0f, 0x1f, 0x44, 0x00, 0x00, 0x55, 0x48, 0x89, 0xe5,
		0xe8, 0x32, 0x00, 0x00, 0x00, 0x5d, 0xc3,
	};
	unsigned char img[0x2000] = { 0 };
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	char path[PATH_MAX];
	FILE *f;

	if (test_tmpdir(dir, len, "surf-kcore"))
		return false;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	/* A segment elsewhere first: the right one must be picked. */
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0x1800, .p_vaddr = 0xffff888000000000ull,
			      .p_filesz = 0x100, .p_memsz = 0x100 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0x1000, .p_vaddr = KBASE,
			      .p_filesz = 0x800, .p_memsz = 0x800 };
	memcpy(img + 0x1000, code, sizeof(code));
	memset(img + 0x1000 + 0x40, 0xc3, 0x10);
	snprintf(path, sizeof(path), "%s/kcore", dir);
	f = fopen(path, "w");
	if (!f || fwrite(img, sizeof(img), 1, f) != 1 || fclose(f))
		return false;
	snprintf(path, sizeof(path), "%s/kallsyms", dir);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "ffffffff81000000 T kfunc\nffffffff81000030 t __pfx_other_func\n"
		   "ffffffff81000040 T other_func\nffffffff81000050 T end_func\n"
		   "ffffffff81001000 D some_variable\n");
	if (fclose(f))
		return false;
	snprintf(path, sizeof(path), "%s/blacklist", dir);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "0xffffffff81000040-0xffffffff81000050\tother_func\n");
	return !fclose(f);
}

static char *kernel_listing(const char *func, const struct surf_kdisasm_opts *o, int *ret,
			    char *err, size_t errlen)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	*ret = surf_disasm__print_kernel(func, o, f, err, errlen);
	fclose(f);
	return buf;
}

static void check_kcore(const char *dir)
{
	char kcore[PATH_MAX], kallsyms[PATH_MAX], bl[PATH_MAX], err[512] = "";
	char want[PATH_MAX + 512];
	struct surf_kdisasm_opts o = { .sz = sizeof(o), .kcore = kcore, .kallsyms = kallsyms,
				       .blacklist = bl };
	char *out;
	int ret;

	snprintf(kcore, sizeof(kcore), "%s/kcore", dir);
	snprintf(kallsyms, sizeof(kallsyms), "%s/kallsyms", dir);
	snprintf(bl, sizeof(bl), "%s/blacklist", dir);
	out = kernel_listing("kfunc", &o, &ret, err, sizeof(err));
	CHECK_INT(ret, ==, 0);
	snprintf(want, sizeof(want), "# kfunc: x86_64, 48 bytes at 0xffffffff81000000, read from "
		 "%s (size: up to the next kallsyms symbol)\n# kprobes: every offset listed starts "
		 "an instruction: 'p kfunc+OFF' may go at any of them\n"
		 "<+0>   kfunc+0x0   0xffffffff81000000:  nopl    (%%rax, %%rax)\n"
		 "<+5>   kfunc+0x5   0xffffffff81000005:  pushq   %%rbp\n", kcore);
	if (strncmp(out, want, strlen(want))) {
		test_fail(__FILE__, __LINE__, "the listing starts\n%s\nnot\n%s", out, want);
		free(out);
		return;
	}
	CHECK_CONTAINS(out, "<+9>   kfunc+0x9   0xffffffff81000009:  callq   0xffffffff81000040 <other_func>\n");
	CHECK_CONTAINS(out, "<+15>  kfunc+0xf   0xffffffff8100000f:  retq\n");
	free(out);

	out = kernel_listing("other_func", &o, &ret, err, sizeof(err));
	CHECK_INT(ret, ==, 0);
	CHECK_CONTAINS(out, "# kprobes: other_func is in the kprobe blacklist: the kernel refuses a "
		       "kprobe anywhere in it\n");
	free(out);

	out = kernel_listing("kfnuc", &o, &ret, err, sizeof(err));
	free(out);
	CHECK_INT(ret, ==, -ENOENT);
	CHECK_CONTAINS(err, "no kernel function 'kfnuc' in");
	CHECK_CONTAINS(err, "(did you mean 'kfunc'?)");

	out = kernel_listing("some_variable", &o, &ret, err, sizeof(err));
	free(out);
	CHECK_INT(ret, ==, -EINVAL);
	CHECK_CONTAINS(err, "'some_variable' in ");
	CHECK_CONTAINS(err, "is not a function");

	CHECK_INT(surf_disasm__kernel_insn("kfunc", 5, &o, err, sizeof(err)), ==, 0);
	CHECK_INT(surf_disasm__kernel_insn("kfunc", 9, &o, err, sizeof(err)), ==, 0);
	CHECK_INT(surf_disasm__kernel_insn("kfunc", 1, &o, err, sizeof(err)), ==, -EILSEQ);
	CHECK_CONTAINS(err, "kfunc+0x1 is inside the instruction at kfunc+0x0 (nopl (%rax, %rax), "
		       "5 bytes): probe kfunc+0x0 or kfunc+0x5");
	CHECK_INT(surf_disasm__kernel_insn("kfunc", 0xb, &o, err, sizeof(err)), ==, -EILSEQ);
	CHECK_CONTAINS(err, "inside the instruction at kfunc+0x9 (callq 0xffffffff81000040, 5 bytes)");
	CHECK_INT(surf_disasm__kernel_insn("kfunc", 0x30, &o, err, sizeof(err)), ==, -ERANGE);

	/* No kcore and no debug vmlinux: nothing can be told, and errbuf says what would do. */
	snprintf(kcore, sizeof(kcore), "%s/no-kcore", dir);
	out = kernel_listing("kfunc", &o, &ret, err, sizeof(err));
	free(out);
	CHECK_INT(ret, ==, -ENODATA);
	CHECK_CONTAINS(err, "this kernel does not provide /proc/kcore");
	CHECK_CONTAINS(err, "give the kernel's vmlinux with -v FILE");
	CHECK_INT(surf_disasm__kernel_insn("kfunc", 1, &o, err, sizeof(err)), ==, -ENODATA);
}

TEST(disasm_kernel_kcore)
{
	char dir[128];
	const char *old = getenv(SURF_DEBUG_ROOT_ENV_NAME);
	char *saved = old ? strdup(old) : NULL;

	if (!fake_kernel(dir, sizeof(dir)))
		SKIP("cannot write the fake kcore");
	/* No debug vmlinux to fall back on: an empty root. */
	setenv(SURF_DEBUG_ROOT_ENV_NAME, dir, 1);
	check_kcore(dir);
	if (saved)
		setenv(SURF_DEBUG_ROOT_ENV_NAME, saved, 1);
	else
		unsetenv(SURF_DEBUG_ROOT_ENV_NAME);
	free(saved);
	test_sh(dir, "rm -rf '%s'", dir);
}

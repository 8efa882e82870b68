// SPDX-License-Identifier: MIT
/*
 * Tests for src/lib/elf/usdt.c.
 *
 * First the argument specs alone, x86_64 and aarch64, against a table.
 * Then tests/fixtures/usdt_prog.c built at -O0 (arguments in stack slots)
 * and -O2 (in registers, and globals as "counter(%rip)"), whose notes are
 * checked against what binutils' readelf says: "Location, Base, Semaphore"
 * of readelf -n converted to file offsets through readelf -l's PT_LOAD
 * lines.  Without <sys/sdt.h> (systemtap-sdt-dev) those skip.  Last
 * tests/fixtures/usdt_a64.c, when clang and ld.lld can build it for aarch64.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include <surf/arch.h>
#include <surf/usdt.h>

#include "test.h"

#define USDT_FIXTURE "tests/fixtures/usdt_prog.c"
#define A64_FIXTURE "tests/fixtures/usdt_a64.c"

/* ---- argument specs ------------------------------------------------------ */

struct spec_case {
	const char *spec, *fetch;	/* fetch NULL: an error is expected */
	int size;
	bool is_signed;
};

static const struct spec_case x86_cases[] = {
	{ "-4@%edi", "%di", 4, true },
	{ "8@%rdi", "%di", 8, false },
	{ "2@%di", "%di", 2, false },
	{ "1@%dil", "%di", 1, false },
	{ "-1@%al", "%ax", 1, true },
	{ "8@%rax", "%ax", 8, false },
	{ "-4@%eax", "%ax", 4, true },
	{ "8@%rsp", "%sp", 8, false },
	{ "4@%r8d", "%r8", 4, false },
	{ "8@%r12", "%r12", 8, false },
	{ "2@%r15w", "%r15", 2, false },
	{ "1@%r10b", "%r10", 1, false },
	{ "4@$5", "\\5", 4, false },
	{ "-4@$-7", "\\-7", 4, true },
	{ "8@$0x10", "\\16", 8, false },
	{ "8@-16(%rbp)", "-16(%bp)", 8, false },
	{ "-4@-4(%rbp)", "-4(%bp)", 4, true },
	{ "4@16(%rsp)", "+16(%sp)", 4, false },
	{ "8@(%rax)", "+0(%ax)", 8, false },
	{ "8@0x20(%r13)", "+32(%r13)", 8, false },
	{ "%rbx", "%bx", 8, false },		/* old notes: no size */
	{ "-96(%rbp,%rax,8)", NULL, 0, false },
	{ "8@-96(%rbp,%rax,8)", NULL, 0, false },
	{ "8@(,%rax,8)", NULL, 0, false },
	{ "8@%xmm0", NULL, 0, false },
	{ "1@%ah", NULL, 0, false },
	{ "8@%fs:0x28", NULL, 0, false },
	{ "8@counter(%rip)", NULL, 0, false },	/* needs the binary */
	{ "8@$buf", NULL, 0, false },
	{ "3@%rax", NULL, 0, false },
	{ "8@", NULL, 0, false },
	{ "8@-16(%rbp", NULL, 0, false },
};

static const struct spec_case a64_cases[] = {
	{ "8@x0", "%x0", 8, false },
	{ "-4@w1", "%x1", 4, true },
	{ "8@x30", "%x30", 8, false },
	{ "8@sp", "%sp", 8, false },
	{ "-4@[sp, 12]", "+12(%sp)", 4, true },
	{ "8@[x1]", "+0(%x1)", 8, false },
	{ "8@[x29, -8]", "-8(%x29)", 8, false },
	{ "4@[x2, #16]", "+16(%x2)", 4, false },
	{ "-4@5", "\\5", 4, true },
	{ "-4@-5", "\\-5", 4, true },
	{ "4@#5", "\\5", 4, false },
	{ "8@xzr", "\\0", 8, false },
	{ "8@[x1, x2]", NULL, 0, false },
	{ "8@x31", NULL, 0, false },
	{ "8@d0", NULL, 0, false },
	{ "8@[x1", NULL, 0, false },
};

static void check_specs(const char *archname, const struct spec_case *cases, size_t n)
{
	const struct surf_arch *arch = surf_arch__find(archname);
	struct surf_usdt_arg arg;
	char err[256];

	CHECK(arch);
	for (size_t i = 0; i < n; i++) {
		const struct spec_case *c = &cases[i];
		int ret;

		err[0] = '\0';
		ret = surf_usdt__translate_arg(c->spec, arch, &arg, err, sizeof(err));
		if (!c->fetch) {
			if (ret >= 0)
				test_fail(__FILE__, __LINE__, "%s '%s': want an error, got '%s'",
					  archname, c->spec, arg.fetch);
			CHECK(ret < 0);
			CHECK_CONTAINS(err, c->spec);	/* the message names the argument */
			continue;
		}
		if (ret)
			test_fail(__FILE__, __LINE__, "%s '%s': %s", archname, c->spec, err);
		CHECK_INT(ret, ==, 0);
		CHECK_STR(arg.fetch, c->fetch);
		CHECK_INT(arg.size, ==, c->size);
		CHECK_INT(arg.is_signed, ==, c->is_signed);
	}
}

TEST(usdt_args_x86_64)
{
	check_specs("x86_64", x86_cases, sizeof(x86_cases) / sizeof(x86_cases[0]));
}

TEST(usdt_args_aarch64)
{
	check_specs("aarch64", a64_cases, sizeof(a64_cases) / sizeof(a64_cases[0]));
}

TEST(usdt_args_messages)
{
	const struct surf_arch *arch = surf_arch__find("x86_64");
	struct surf_usdt_arg arg;
	char err[256];

	CHECK_INT(surf_usdt__translate_arg("8@-96(%rbp,%rax,8)", arch, &arg, err, sizeof(err)),
		  ==, -EOPNOTSUPP);
	CHECK_CONTAINS(err, "'8@-96(%rbp,%rax,8)': an index register");
	CHECK_INT(surf_usdt__translate_arg("3@%rax", arch, &arg, err, sizeof(err)), ==, -EINVAL);
	CHECK_CONTAINS(err, "1, 2, 4 or 8");
	/* x86 (i386) has no r8..r15, and no r-prefixed names. */
	arch = surf_arch__find("x86");
	CHECK_INT(surf_usdt__translate_arg("4@%r8d", arch, &arg, err, sizeof(err)), ==,
		  -EOPNOTSUPP);
	CHECK_INT(surf_usdt__translate_arg("-4@8(%esp)", arch, &arg, err, sizeof(err)), ==, 0);
	CHECK_STR(arg.fetch, "+8(%sp)");
	CHECK_STR(surf_usdt_arg__type(&arg), "s32");
	arg.size = 8, arg.is_signed = false;
	CHECK_STR(surf_usdt_arg__type(&arg), "u64");
	arg.size = 1, arg.is_signed = true;
	CHECK_STR(surf_usdt_arg__type(&arg), "s8");
}

/* ---- the fixture program -------------------------------------------------- */

static struct {
	bool tried;
	const char *skip;
	char dir[64];
	char o0[PATH_MAX], o2[PATH_MAX], plain[PATH_MAX], src[PATH_MAX];
} ux;

static bool ux_setup(void)
{
	const char *d = ux.dir;

	if (ux.tried)
		return !ux.skip;
	ux.tried = true;
	if (!realpath(test_fixture_path(USDT_FIXTURE), ux.src)) {
		ux.skip = "cannot find " USDT_FIXTURE " (run from the top or set SURF_SRCDIR)";
		return false;
	}
	if (test_tmpdir(ux.dir, sizeof(ux.dir), "surf-usdt")) {
		ux.skip = "mkdtemp failed";
		return false;
	}
	if (test_sh(d, "echo '#include <sys/sdt.h>' | cc -x c -fsyntax-only -")) {
		ux.skip = "<sys/sdt.h> is missing (Debian: systemtap-sdt-dev, scripts/deps.sh)";
		return false;
	}
	if (test_sh(d, "command -v readelf >/dev/null")) {
		ux.skip = "readelf (binutils) is missing";
		return false;
	}
	snprintf(ux.o0, sizeof(ux.o0), "%s/usdt_o0", d);
	snprintf(ux.o2, sizeof(ux.o2), "%s/usdt_o2", d);
	snprintf(ux.plain, sizeof(ux.plain), "%s/plain", d);
	if (test_sh(d, "cc -O0 -c -o '%s/a0.o' '%s' && "
		    "cc -O0 -DUSDT_PROG_SEMAPHORE -c -o '%s/b0.o' '%s' && "
		    "cc -o '%s' '%s/a0.o' '%s/b0.o'", d, ux.src, d, ux.src, ux.o0, d, d) ||
	    test_sh(d, "cc -O2 -c -o '%s/a2.o' '%s' && "
		    "cc -O2 -DUSDT_PROG_SEMAPHORE -c -o '%s/b2.o' '%s' && "
		    "cc -o '%s' '%s/a2.o' '%s/b2.o'", d, ux.src, d, ux.src, ux.o2, d, d) ||
	    test_sh(d, "echo 'int main(void) { return 0; }' | cc -x c -o '%s' -", ux.plain)) {
		ux.skip = "cannot build " USDT_FIXTURE " (see the cc.log of a kept run)";
		return false;
	}
	return true;
}

#define NEED_FIXTURE()                                                         \
	do {                                                                   \
		if (!ux_setup())                                               \
			SKIP("%s", ux.skip);                                   \
	} while (0)

struct seg {
	uint64_t off, vaddr, filesz, memsz;
};

/* PT_LOAD lines of readelf -lW: "LOAD 0xOFF 0xVADDR 0xPADDR 0xFILESZ 0xMEMSZ ..." */
static int readelf_loads(const char *path, struct seg *segs, int max)
{
	char *out = test_output("readelf -lW '%s'", path), *line, *save = NULL;
	int n = 0;

	if (!out)
		return -1;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		uint64_t paddr;

		if (n < max && sscanf(line, " LOAD 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64
				      " 0x%" SCNx64 " 0x%" SCNx64, &segs[n].off, &segs[n].vaddr,
				      &paddr, &segs[n].filesz, &segs[n].memsz) == 5)
			n++;
	}
	free(out);
	return n;
}

static uint64_t to_offset(const struct seg *segs, int n, uint64_t vaddr, uint64_t *delta)
{
	for (int i = 0; i < n; i++) {
		if (vaddr >= segs[i].vaddr && vaddr < segs[i].vaddr + segs[i].memsz) {
			if (delta)
				*delta = segs[i].vaddr - segs[i].off;
			return vaddr - segs[i].vaddr + segs[i].off;
		}
	}
	return UINT64_MAX;
}

struct rnote {
	char provider[64], name[64], args[256];
	uint64_t loc, base, sem;
};

/* The stapsdt notes as readelf -n prints them. */
static int readelf_notes(const char *path, struct rnote *notes, int max)
{
	char *out = test_output("readelf -n '%s'", path), *line, *save = NULL;
	int n = -1;

	if (!out)
		return -1;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = line + strspn(line, " \t");

		if (!strncmp(p, "Provider: ", 10) && n + 1 < max) {
			n++;
			memset(&notes[n], 0, sizeof(notes[n]));
			snprintf(notes[n].provider, sizeof(notes[n].provider), "%s", p + 10);
		} else if (n >= 0 && !strncmp(p, "Name: ", 6)) {
			snprintf(notes[n].name, sizeof(notes[n].name), "%s", p + 6);
		} else if (n >= 0 && !strncmp(p, "Location: ", 10)) {
			sscanf(p, "Location: 0x%" SCNx64 ", Base: 0x%" SCNx64
			       ", Semaphore: 0x%" SCNx64, &notes[n].loc, &notes[n].base,
			       &notes[n].sem);
		} else if (n >= 0 && !strncmp(p, "Arguments: ", 11)) {
			snprintf(notes[n].args, sizeof(notes[n].args), "%s", p + 11);
		}
	}
	free(out);
	return n + 1;
}

/* A symbol's value from readelf -sW. */
static uint64_t readelf_sym(const char *path, const char *name)
{
	char *out = test_output("readelf -sW '%s'", path), *line, *save = NULL;
	uint64_t v = 0;

	if (!out)
		return 0;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char sym[128];
		uint64_t val;
		unsigned idx;

		if (sscanf(line, " %u: %" SCNx64 " %*s %*s %*s %*s %*s %127s", &idx, &val,
			   sym) == 3 && !strcmp(sym, name)) {
			v = val;
			break;
		}
	}
	free(out);
	return v;
}

/* Every note of the binary agrees with readelf. */
static void check_against_readelf(const char *path)
{
	struct rnote notes[16];
	struct seg segs[8];
	int nn = readelf_notes(path, notes, 16), ns = readelf_loads(path, segs, 8);
	char err[256];

	CHECK_INT(nn, >=, 2);
	CHECK_INT(ns, >=, 2);
	for (int i = 0; i < nn; i++) {
		const struct rnote *r = &notes[i];
		struct surf_usdt_probe p;
		bool first = true;
		int sites = 0, ret;

		for (int j = 0; j < nn; j++) {
			if (!strcmp(notes[j].provider, r->provider) &&
			    !strcmp(notes[j].name, r->name)) {
				sites++;
				if (j < i)
					first = false;
			}
		}
		ret = surf_usdt__find(path, r->provider, r->name, NULL, &p, err, sizeof(err));
		if (ret == -EOPNOTSUPP && !strcmp(r->name, "sib"))
			ret = 0;	/* a scaled index: tested below */
		else if (ret)
			test_fail(__FILE__, __LINE__, "%s:%s: %s", r->provider, r->name, err);
		CHECK_INT(ret, ==, 0);
		CHECK_INT(p.nsites, ==, sites);
		if (!first)
			continue;	/* the probe describes its first site */
		CHECK_STR(p.provider, r->provider);
		CHECK_STR(p.name, r->name);
		CHECK_STR(p.arg_text, r->args);
		CHECK_INT(p.offset, ==, to_offset(segs, ns, r->loc, NULL));
		if (r->sem)
			CHECK_INT(p.semaphore_offset, ==, to_offset(segs, ns, r->sem, NULL));
		else
			CHECK_INT(p.semaphore_offset, ==, 0);
		for (int k = 0; k < p.nargs; k++)
			CHECK(p.args[k].fetch[0] || !strcmp(r->name, "sib"));
	}
}

TEST(usdt_find_matches_readelf)
{
	NEED_FIXTURE();
	CHECK_INT(readelf_notes(ux.o2, (struct rnote[8]){ 0 }, 8), ==, 6);
	check_against_readelf(ux.o0);
	if (test_failed())
		return;
	check_against_readelf(ux.o2);
}

static void check_probe(const char *path, const char *name, int nargs, const char *const *fetch,
			const int *sizes)
{
	struct surf_usdt_probe p;
	char err[256];
	int ret = surf_usdt__find(path, "myprov", name, NULL, &p, err, sizeof(err));

	if (ret)
		test_fail(__FILE__, __LINE__, "%s: %s", name, err);
	CHECK_INT(ret, ==, 0);
	CHECK_INT(p.nargs, ==, nargs);
	for (int i = 0; i < nargs; i++) {
		CHECK_STR(p.args[i].fetch, fetch[i]);
		CHECK_INT(p.args[i].size, ==, sizes[i] < 0 ? -sizes[i] : sizes[i]);
		CHECK_INT(p.args[i].is_signed, ==, sizes[i] < 0);
	}
}

TEST(usdt_find_args)
{
	char counter[32], scounter[32];
	struct seg segs[8];
	uint64_t delta = 0, pc;
	struct surf_usdt_probe p;
	char err[256];
	int ns;

	NEED_FIXTURE();
	/* -O0: the int and the long in their stack slots. */
	check_probe(ux.o0, "myprobe", 2, (const char *const[]){ "-4(%bp)", "-16(%bp)" },
		    (const int[]){ -4, -8 });
	if (test_failed())
		return;
	check_probe(ux.o0, "withsem", 1, (const char *const[]){ "-4(%bp)" }, (const int[]){ -4 });
	if (test_failed())
		return;
	/* -O2: in the argument registers. */
	check_probe(ux.o2, "myprobe", 2, (const char *const[]){ "%di", "%si" },
		    (const int[]){ -4, -8 });
	if (test_failed())
		return;
	check_probe(ux.o2, "withsem", 1, (const char *const[]){ "%di" }, (const int[]){ -4 });
	if (test_failed())
		return;
	/* -O2: "counter(%rip)" is the variable, "@+" relative to the probe's segment. */
	ns = readelf_loads(ux.o2, segs, 8);
	CHECK(surf_usdt__find(ux.o2, "myprov", "globals", NULL, &p, err, sizeof(err)) == 0);
	CHECK_STR(p.arg_text, "-8@counter(%rip) -8@scounter(%rip)");
	pc = readelf_sym(ux.o2, "globals");
	CHECK(pc);
	to_offset(segs, ns, pc, &delta);
	CHECK(readelf_sym(ux.o2, "counter") > delta);
	snprintf(counter, sizeof(counter), "@+0x%" PRIx64, readelf_sym(ux.o2, "counter") - delta);
	snprintf(scounter, sizeof(scounter), "@+0x%" PRIx64,
		 readelf_sym(ux.o2, "scounter") - delta);
	CHECK_STR(p.args[0].fetch, counter);
	CHECK_STR(p.args[1].fetch, scounter);
	CHECK_INT(p.args[0].size, ==, 8);
	CHECK(p.args[0].is_signed);
}

TEST(usdt_find_errors)
{
	struct surf_usdt_probe p;
	char err[256];

	NEED_FIXTURE();
	CHECK_INT(surf_usdt__find(ux.o2, "myprov", "myprobee", NULL, &p, err, sizeof(err)), ==,
		  -ENOENT);
	CHECK_CONTAINS(err, "did you mean 'myprov:myprobe'");
	CHECK_INT(surf_usdt__find(ux.o2, "nosuch", "nothing_like_it", NULL, &p, err,
				  sizeof(err)), ==, -ENOENT);
	CHECK_CONTAINS(err, "no USDT probe nosuch:nothing_like_it");
	CHECK_INT(surf_usdt__find(ux.plain, "myprov", "myprobe", NULL, &p, err, sizeof(err)), ==,
		  -ENOENT);
	CHECK_CONTAINS(err, "has no USDT probes");
	CHECK_INT(surf_usdt__find(ux.src, "myprov", "myprobe", NULL, &p, err, sizeof(err)), ==,
		  -ENOEXEC);
	CHECK_CONTAINS(err, "not an ELF");
	CHECK_INT(surf_usdt__find("/nonexistent/x", "a", "b", NULL, &p, err, sizeof(err)), ==,
		  -ENOENT);
	/* The binary's own machine decides the syntax; a different -a is a mistake. */
	CHECK_INT(surf_usdt__find(ux.o2, "myprov", "myprobe", surf_arch__find("aarch64"), &p,
				  err, sizeof(err)), ==, -EINVAL);
	CHECK_CONTAINS(err, "not aarch64");
	/* An argument without a fetch form: the rest is there, errbuf names it. */
	CHECK_INT(surf_usdt__find(ux.o2, "myprov", "sib", NULL, &p, err, sizeof(err)), ==,
		  -EOPNOTSUPP);
	CHECK_CONTAINS(err, "USDT myprov:sib arg1 '8@-96(%rbp,%rax,8)': an index register");
	CHECK(p.offset != 0);
	CHECK_INT(p.nargs, ==, 3);
	CHECK_STR(p.args[0].fetch, "%di");
	CHECK_STR(p.args[1].fetch, "");
	CHECK_INT(p.args[1].size, ==, 8);
	CHECK_STR(p.args[2].fetch, "%r9");
	CHECK_INT(p.args[2].size, ==, 2);
	/* No provider: the name alone. */
	CHECK_INT(surf_usdt__find(ux.o2, NULL, "withsem", NULL, &p, err, sizeof(err)), ==, 0);
	CHECK_STR(p.provider, "myprov");
	CHECK(p.semaphore_offset != 0);
	CHECK_INT(surf_usdt__find(ux.o2, "", "inlined", NULL, &p, err, sizeof(err)), ==, 0);
	CHECK_INT(p.nsites, ==, 2);
}

/* Copy src to dst, then lower pc, base and semaphore of every note by delta. */
static int fake_prelink(const char *src, const char *dst, uint64_t delta)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	int fd, ret = -ENOENT;
	Elf *elf;

	if (test_sh(ux.dir, "cp '%s' '%s'", src, dst))
		return -EIO;
	fd = open(dst, O_RDWR);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
		close(fd);
		return -ENOEXEC;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh_;
		Elf_Data *data;
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;
		const char *name;

		if (!gelf_getshdr(scn, &sh_))
			continue;
		name = elf_strptr(elf, shstrndx, sh_.sh_name);
		if (!name || strcmp(name, ".note.stapsdt"))
			continue;
		data = elf_getdata(scn, NULL);
		while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			for (int k = 0; k < 3; k++) {
				uint64_t v;
				off_t at = (off_t)(sh_.sh_offset + desc_off + 8 * k);

				if (pread(fd, &v, 8, at) != 8)
					goto out;
				if (v)
					v -= delta;
				if (pwrite(fd, &v, 8, at) != 8)
					goto out;
			}
		}
		ret = 0;
	}
out:
	elf_end(elf);
	close(fd);
	return ret;
}

TEST(usdt_prelink_adjustment)
{
	struct surf_usdt_probe a, b;
	char moved[PATH_MAX + 16], err[256];

	NEED_FIXTURE();
	snprintf(moved, sizeof(moved), "%s/prelinked", ux.dir);
	CHECK_INT(fake_prelink(ux.o2, moved, 0x10000), ==, 0);
	/* readelf shows the moved notes ... */
	CHECK_INT(surf_usdt__find(ux.o2, "myprov", "withsem", NULL, &a, err, sizeof(err)), ==, 0);
	CHECK_INT(surf_usdt__find(moved, "myprov", "withsem", NULL, &b, err, sizeof(err)), ==, 0);
	/* ... and the actual .stapsdt.base puts pc and semaphore back. */
	CHECK_INT(b.offset, ==, a.offset);
	CHECK_INT(b.semaphore_offset, ==, a.semaphore_offset);
	CHECK(a.semaphore_offset != 0);
}

static char *print_to_string(const char *path, const char *glob, int *ret)
{
	struct test_capture c;
	FILE *f = test_capture_open(&c);

	*ret = f ? surf_usdt__print(path, glob, f) : -ENOMEM;
	return test_capture_close(&c);
}

static void check_listing(const char *all, int n, const char *with, int nwith)
{
	if (n != 5)
		test_fail(__FILE__, __LINE__, "5 probes listed, got %d:\n%s", n, all);
	CHECK_INT(n, ==, 5);
	CHECK_CONTAINS(all, "myprov:sib  (3 args: -4@%edi 8@-96(%rbp,%rax,8) 2@%r9w)\n");
	CHECK_CONTAINS(all, "myprov:myprobe  (2 args: -4@%edi -8@%rsi)\n");
	CHECK_CONTAINS(all, "myprov:globals  (2 args: -8@counter(%rip) -8@scounter(%rip))\n");
	CHECK_CONTAINS(all, "myprov:withsem  (1 arg: -4@%edi) [semaphore]\n");
	CHECK_CONTAINS(all, "myprov:inlined  (1 arg: ");
	CHECK_CONTAINS(all, "[2 sites]\n");
	CHECK_INT(nwith, ==, 1);
	CHECK(!strncmp(with, "myprov:withsem ", 15));
}

TEST(usdt_print)
{
	char *all, *with;
	int n, nwith;

	NEED_FIXTURE();
	all = print_to_string(ux.o2, NULL, &n);
	with = print_to_string(ux.o2, "*:with*", &nwith);
	if (all && with)
		check_listing(all, n, with, nwith);
	free(all);
	free(with);
	CHECK(all && with);
	free(print_to_string(ux.plain, NULL, &n));
	CHECK_INT(n, ==, 0);
	free(print_to_string(ux.src, NULL, &n));
	CHECK_INT(n, ==, -ENOEXEC);
}

/* ---- aarch64 -------------------------------------------------------------- */

TEST(usdt_aarch64)
{
	char so[PATH_MAX + 16], src[PATH_MAX];
	struct surf_usdt_probe p;
	char err[256];

	NEED_FIXTURE();
	snprintf(so, sizeof(so), "%s/a64.so", ux.dir);
	if (!realpath(test_fixture_path(A64_FIXTURE), src))
		SKIP("cannot find " A64_FIXTURE);
	/* <sys/sdt.h> sits in the host's multiarch directory: find it there. */
	if (test_sh(ux.dir, "cc -print-multiarch >/dev/null") ||
	    test_build_aarch64_so(ux.dir, src, so))
		SKIP("clang and ld.lld cannot build an aarch64 object");
	check_against_readelf(so);
	if (test_failed())
		return;
	CHECK_INT(surf_usdt__find(so, "a64prov", "four", NULL, &p, err, sizeof(err)), ==, 0);
	CHECK_INT(p.nargs, ==, 4);
	CHECK_INT(p.args[0].size, ==, 4);
	CHECK(p.args[0].is_signed);
	CHECK_INT(p.args[1].size, ==, 8);
	CHECK(strchr(p.args[0].fetch, 'x'));	/* an aarch64 register */
	CHECK_INT(surf_usdt__find(so, "a64prov", "global", NULL, &p, err, sizeof(err)), ==, 0);
	CHECK_INT(p.nargs, ==, 2);
	CHECK_STR(p.args[1].fetch, "\\5");
	/* Blanks inside brackets belong to the argument. */
	CHECK_INT(surf_usdt__find(so, "a64prov", "spaced", NULL, &p, err, sizeof(err)), ==, 0);
	CHECK_INT(p.nargs, ==, 4);
	CHECK_STR(p.args[0].fetch, "+12(%sp)");
	CHECK_STR(p.args[1].fetch, "%x0");
	CHECK_STR(p.args[2].fetch, "-8(%x29)");
	CHECK_STR(p.args[3].fetch, "+16(%x1)");
	CHECK_INT(surf_usdt__find(so, "a64prov", "four", surf_arch__find("x86_64"), &p, err,
				  sizeof(err)), ==, -EINVAL);
	CHECK_CONTAINS(err, "is aarch64 code, not x86_64");
}

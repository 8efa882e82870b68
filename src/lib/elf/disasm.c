// SPDX-License-Identifier: MIT
/*
 * Disassembly of one user function with capstone: the symbol's bytes, read
 * from the section that holds it, decoded one instruction at a time so that
 * bytes capstone does not know are shown and stepped over instead of ending
 * the listing.
 */
#include <capstone/capstone.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <surf/disasm.h>

#include "elf/elfoff.h"

#include "sys/util.h"

struct func_search {
	const char *want;
	bool found, not_func;
	GElf_Sym sym;
	char near[128];
	size_t near_dist;
};

static bool name_is(const char *name, const char *want)
{
	size_t n = strlen(want);

	return !strncmp(name, want, n) && (!name[n] || name[n] == '@');
}

static void scan_symtab(Elf *elf, Elf_Scn *scn, struct func_search *s)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	GElf_Shdr sh;
	GElf_Sym sym;

	if (!data || !gelf_getshdr(scn, &sh) || !sh.sh_entsize)
		return;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize && !s->found; i++) {
		const char *name;
		int type;
		size_t d;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name || !*name || name[0] == '$')	/* aarch64 mapping symbols */
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC) {
			if (name_is(name, s->want))
				s->not_func = true;
			continue;
		}
		if (name_is(name, s->want)) {
			s->found = true;
			s->sym = sym;
			return;
		}
		d = surf_edit_distance(s->want, name);
		if (d < s->near_dist) {
			s->near_dist = d;
			snprintf(s->near, sizeof(s->near), "%s", name);
		}
	}
}

static int find_func(Elf *elf, const char *path, const char *symbol, GElf_Sym *out,
		     char *errbuf, size_t errlen)
{
	struct func_search s = { .want = symbol, .near_dist = SIZE_MAX };
	size_t limit = strlen(symbol) / 3 + 1;

	for (int pass = 0; pass < 2 && !s.found; pass++) {
		Elf_Scn *scn = NULL;

		while ((scn = elf_nextscn(elf, scn)) && !s.found) {
			GElf_Shdr sh;

			if (gelf_getshdr(scn, &sh) &&
			    sh.sh_type == (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM))
				scan_symtab(elf, scn, &s);
		}
	}
	if (s.found) {
		*out = s.sym;
		return 0;
	}
	if (s.not_func) {
		snprintf(errbuf, errlen, "'%s' in %s is not a function", symbol, path);
		return -EINVAL;
	}
	if (s.near[0] && s.near_dist <= (limit < 2 ? 2 : limit))
		snprintf(errbuf, errlen, "no function '%s' in %s (did you mean '%s'?)", symbol,
			 path, s.near);
	else
		snprintf(errbuf, errlen, "no function '%s' in %s", symbol, path);
	return -ENOENT;
}

/*
 * capstone, loaded the first time something is disassembled: linked, its
 * 77,000 relocations cost every run of every program 0.7 ms at exec,
 * though few runs disassemble.  The soname of the version built against.
 */
#define CS_STR(x) #x
#define CS_SONAME(major) "libcapstone.so." CS_STR(major)

static struct {
	cs_err (*open)(cs_arch arch, cs_mode mode, csh *handle);
	cs_err (*option)(csh handle, cs_opt_type type, size_t value);
	cs_err (*close)(csh *handle);
	cs_insn *(*malloc)(csh handle);
	void (*free)(cs_insn *insn, size_t count);
	bool (*disasm_iter)(csh handle, const uint8_t **code, size_t *size, uint64_t *address,
			    cs_insn *insn);
	bool loaded;
} cs;

static void load_capstone(void)
{
	void *lib = dlopen(CS_SONAME(CS_API_MAJOR), RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		return;
	*(void **)&cs.open = dlsym(lib, "cs_open");
	*(void **)&cs.option = dlsym(lib, "cs_option");
	*(void **)&cs.close = dlsym(lib, "cs_close");
	*(void **)&cs.malloc = dlsym(lib, "cs_malloc");
	*(void **)&cs.free = dlsym(lib, "cs_free");
	*(void **)&cs.disasm_iter = dlsym(lib, "cs_disasm_iter");
	cs.loaded = cs.open && cs.option && cs.close && cs.malloc && cs.free && cs.disasm_iter;
}

static int open_cs(const GElf_Ehdr *eh, csh *h, const char **arch)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	cs_arch a;
	cs_mode m;

	switch (eh->e_machine) {
	case EM_X86_64:
		a = CS_ARCH_X86, m = CS_MODE_64, *arch = "x86_64";
		break;
	case EM_386:
		a = CS_ARCH_X86, m = CS_MODE_32, *arch = "x86";
		break;
	case EM_AARCH64:
		a = CS_ARCH_ARM64, m = CS_MODE_ARM, *arch = "aarch64";
		if (eh->e_ident[EI_DATA] == ELFDATA2MSB)
			m |= CS_MODE_BIG_ENDIAN;
		break;
	default:
		return -EOPNOTSUPP;
	}
	pthread_once(&once, load_capstone);
	if (!cs.loaded || cs.open(a, m, h) != CS_ERR_OK)
		return -EOPNOTSUPP;
	if (a == CS_ARCH_X86)
		cs.option(*h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	return 0;
}

/* An operand that is only an address: "0x1180" (x86), "#0x1180" (aarch64). */
static bool branch_target(const char *op, uint64_t *target)
{
	char *end;

	if (*op == '#')
		op++;
	if (strncmp(op, "0x", 2))
		return false;
	errno = 0;
	*target = strtoull(op, &end, 16);
	return !errno && !*end;
}

static void print_insns(csh h, cs_insn *insn, const char *symbol, const uint8_t *code,
			size_t size, uint64_t addr, size_t step, FILE *out)
{
	const uint8_t *p = code;
	size_t left = size, n;
	uint64_t pc = addr, target;
	char off[32], hex[160];
	int offw = snprintf(off, sizeof(off), "<+%zu>", size);
	int hexw = (int)strlen(symbol) + snprintf(off, sizeof(off), "+0x%zx", size);

	while (left) {
		uint64_t at = pc;
		const uint8_t *start = p;

		snprintf(off, sizeof(off), "<+%" PRIu64 ">", at - addr);
		snprintf(hex, sizeof(hex), "%s+0x%" PRIx64, symbol, at - addr);
		fprintf(out, "%-*s  %-*s  0x%" PRIx64 ":  ", offw, off, hexw, hex, at);
		if (cs.disasm_iter(h, &p, &left, &pc, insn)) {
			fprintf(out, insn->op_str[0] ? "%-7s %s" : "%s", insn->mnemonic,
				insn->op_str);
			/* A branch inside the function: where to, as a probe names it. */
			if (branch_target(insn->op_str, &target) && target >= addr &&
			    target < addr + size)
				fprintf(out, " <%s+0x%" PRIx64 ">", symbol, target - addr);
			fputc('\n', out);
			continue;
		}
		/* Not an instruction capstone knows: one byte (x86) or word on. */
		n = left < step ? left : step;

		fprintf(out, "(bad)   .byte ");
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%s0x%02x", i ? ", " : "", start[i]);
		fputc('\n', out);
		p = start + n;
		left -= n;
		pc = at + n;
	}
}

/* The bytes of [vaddr, vaddr + size) in the file, through the segment holding them. */
static const uint8_t *code_bytes(Elf *elf, uint64_t vaddr, uint64_t size)
{
	uint64_t first, last;
	size_t len;
	const char *file = elf_rawfile(elf, &len);

	if (!file || !size || surf_elf_vaddr_to_offset(elf, vaddr, &first) ||
	    surf_elf_vaddr_to_offset(elf, vaddr + size - 1, &last) || last - first != size - 1 ||
	    last >= len)
		return NULL;
	return (const uint8_t *)file + first;
}

int surf_disasm_boundary(Elf *elf, uint64_t vaddr, uint64_t size, uint64_t off,
			 struct surf_insn_at *at)
{
	const uint8_t *code, *p;
	const char *arch;
	uint64_t pc = vaddr;
	size_t left = size, step;
	cs_insn *insn;
	GElf_Ehdr eh;
	csh h;
	int ret = -EILSEQ;

	memset(at, 0, sizeof(*at));
	if (off >= size)
		return -ERANGE;
	if (!gelf_getehdr(elf, &eh))
		return -ENOEXEC;
	code = code_bytes(elf, vaddr, size);
	if (!code)
		return -ENODATA;
	if (open_cs(&eh, &h, &arch))
		return -EOPNOTSUPP;
	insn = cs.malloc(h);
	if (!insn) {
		cs.close(&h);
		return -ENOMEM;
	}
	step = eh.e_machine == EM_AARCH64 ? 4 : 1;
	p = code;
	while (left) {
		uint64_t start = pc - vaddr;

		if (cs.disasm_iter(h, &p, &left, &pc, insn)) {
			at->len = insn->size;
		} else {	/* step over it as print_insns does: not a place to probe */
			at->len = 0;
			pc += left < step ? left : step;
			p = code + (pc - vaddr);
			left = size - (pc - vaddr);
		}
		if (off < pc - vaddr) {
			at->start = start;
			if (at->len)
				snprintf(at->text, sizeof(at->text), insn->op_str[0] ? "%s %s" : "%s",
					 insn->mnemonic, insn->op_str);
			if (start == off && at->len)
				ret = 0;
			break;
		}
	}
	cs.free(insn, 1);
	cs.close(&h);
	return ret;
}

int surf_disasm__print(const char *path, const char *symbol, FILE *out, char *errbuf,
		       size_t errlen)
{
	const char *arch = NULL;
	uint64_t start, foff;
	Elf_Data *data;
	Elf_Scn *scn;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	GElf_Sym sym;
	cs_insn *insn;
	Elf *elf;
	csh h;
	int fd, ret;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		snprintf(errbuf, errlen, "%s is not an ELF file", path);
		ret = -ENOEXEC;
		goto out;
	}
	ret = find_func(elf, path, symbol, &sym, errbuf, errlen);
	if (ret)
		goto out;
	if (!sym.st_size) {
		snprintf(errbuf, errlen, "'%s' in %s has no size in the symbol table "
			 "(an assembler label?)", symbol, path);
		ret = -ENODATA;
		goto out;
	}
	scn = sym.st_shndx < SHN_LORESERVE ? elf_getscn(elf, sym.st_shndx) : NULL;
	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
	    !(data = elf_getdata(scn, NULL)) || !data->d_buf) {
		snprintf(errbuf, errlen, "'%s' in %s has no bytes in the file", symbol, path);
		ret = -ENODATA;
		goto out;
	}
	/* In a relocatable object, a symbol's value is its offset in its section. */
	start = eh.e_type == ET_REL ? sym.st_value : sym.st_value - sh.sh_addr;
	if (sym.st_value < (eh.e_type == ET_REL ? 0 : sh.sh_addr) || start > data->d_size ||
	    sym.st_size > data->d_size - start) {
		snprintf(errbuf, errlen, "'%s' in %s lies outside its section", symbol, path);
		ret = -ENODATA;
		goto out;
	}
	ret = open_cs(&eh, &h, &arch);
	if (ret) {
		snprintf(errbuf, errlen, "%s: disassembly of ELF machine %u is not supported",
			 path, eh.e_machine);
		goto out;
	}
	insn = cs.malloc(h);
	if (!insn) {
		snprintf(errbuf, errlen, "out of memory");
		ret = -ENOMEM;
		cs.close(&h);
		goto out;
	}
	fprintf(out, "# %s in %s: %s, %" PRIu64 " bytes at 0x%" PRIx64, symbol, path, arch,
		(uint64_t)sym.st_size, (uint64_t)sym.st_value);
	if (eh.e_type != ET_REL && surf_elf_vaddr_to_offset(elf, sym.st_value, &foff) == 0)
		fprintf(out, ", file offset 0x%" PRIx64, foff);
	if (GELF_ST_TYPE(sym.st_info) == STT_GNU_IFUNC)
		fprintf(out, " (an IFUNC resolver)");
	fputc('\n', out);
	print_insns(h, insn, symbol, (const uint8_t *)data->d_buf + start, sym.st_size,
		    sym.st_value, eh.e_machine == EM_AARCH64 ? 4 : 1, out);
	cs.free(insn, 1);
	cs.close(&h);
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

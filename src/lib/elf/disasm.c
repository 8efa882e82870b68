// SPDX-License-Identifier: MIT
/*
 * Disassembly of one user or kernel function with capstone: the symbol's
 * bytes, read from the section that holds it (a user binary, a vmlinux) or
 * from /proc/kcore (the running kernel), decoded one instruction at a time
 * so that bytes capstone does not know are shown and stepped over instead
 * of ending the listing.  Source lines come from DWARF through libdw, call
 * targets' names from the symbol table or kallsyms.
 */
#include <capstone/capstone.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <surf/disasm.h>
#include <surf/syms.h>
#include <surf/tracefs.h>

#include "elf/debuginfo.h"
#include "elf/cs.h"
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

/* The functions of an ELF symbol table by address, to name call targets. */
struct elf_func {
	uint64_t addr, size;
	const char *name;	/* in the ELF's string table */
};

struct elf_funcs {
	struct elf_func *v;
	size_t n;
};

static int func_cmp(const void *a, const void *b)
{
	const struct elf_func *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* .symtab, else .dynsym: what a stripped binary still has. */
static void load_funcs(Elf *elf, struct elf_funcs *f)
{
	for (int pass = 0; pass < 2 && !f->n; pass++) {
		Elf_Scn *scn = NULL;

		while ((scn = elf_nextscn(elf, scn))) {
			Elf_Data *data;
			GElf_Shdr sh;
			GElf_Sym sym;
			size_t cnt;
			struct elf_func *v;

			if (!gelf_getshdr(scn, &sh) ||
			    sh.sh_type != (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM) || !sh.sh_entsize ||
			    !(data = elf_getdata(scn, NULL)))
				continue;
			cnt = sh.sh_size / sh.sh_entsize;
			v = realloc(f->v, (f->n + cnt) * sizeof(*v));
			if (!v)
				return;
			f->v = v;
			for (size_t i = 0; i < cnt; i++) {
				const char *name;
				int type;

				if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
					continue;
				type = GELF_ST_TYPE(sym.st_info);
				if (type != STT_FUNC && type != STT_GNU_IFUNC)
					continue;
				name = elf_strptr(elf, sh.sh_link, sym.st_name);
				if (name && *name)
					f->v[f->n++] = (struct elf_func){ sym.st_value, sym.st_size, name };
			}
		}
	}
	if (f->n)
		qsort(f->v, f->n, sizeof(*f->v), func_cmp);
}

/* "name" or "name+0x1a" for addr; false when no function holds it. */
static bool funcs_name(const struct elf_funcs *f, uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {	/* lo becomes the first function above addr */
		size_t mid = lo + (hi - lo) / 2;

		if (f->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return false;
	/* Of several at one address, the first sorted: any is a true name. */
	for (size_t i = lo; i-- > 0 && f->v[i].addr == f->v[lo - 1].addr;) {
		const struct elf_func *e = &f->v[i];

		if (addr == e->addr || addr - e->addr < e->size) {
			if (addr == e->addr)
				snprintf(buf, len, "%s", e->name);
			else
				snprintf(buf, len, "%s+0x%" PRIx64, e->name, addr - e->addr);
			return true;
		}
	}
	return false;
}

/* What a listing prints beside the instructions. */
struct listing {
	const char *symbol;
	const uint8_t *code;
	size_t size;
	uint64_t addr;
	size_t step;		/* bytes to step over what does not decode */
	/* The name of a branch target outside the function; NULL: none given. */
	bool (*name)(const void *ctx, uint64_t addr, char *buf, size_t len);
	const void *name_ctx;
	Dwarf *dw;		/* source lines; NULL: none */
	uint64_t dw_bias;	/* listed address - DWARF's (a kernel's KASLR slide) */
};

static bool elf_funcs_name(const void *ctx, uint64_t addr, char *buf, size_t len)
{
	return funcs_name(ctx, addr, buf, len);
}

static bool ksyms_name(const void *ctx, uint64_t addr, char *buf, size_t len)
{
	struct surf_sym sym;

	if (surf_ksyms__find(ctx, addr, &sym) || !sym.name)
		return false;
	if (addr == sym.addr)
		snprintf(buf, len, "%s", sym.name);
	else
		snprintf(buf, len, "%s+0x%" PRIx64, sym.name, addr - sym.addr);
	return true;
}

/*
 * "FILE:LINE" of the code at addr, when it differs from the last one
 * printed: the line table's row at or before addr in the CU holding it
 * (the innermost line, for code inlined from elsewhere).
 */
static void print_source(Dwarf *dw, Dwarf_Addr addr, char *last, size_t lastlen, FILE *out)
{
	Dwarf_Die cu;
	Dwarf_Line *line;
	const char *src;
	char now[512];
	int lineno;

	if (!dwarf_addrdie(dw, addr, &cu) || !(line = dwarf_getsrc_die(&cu, addr)) ||
	    !(src = dwarf_linesrc(line, NULL, NULL)) || dwarf_lineno(line, &lineno) || !lineno)
		return;
	snprintf(now, sizeof(now), "%s:%d", src, lineno);
	if (strcmp(now, last)) {
		fprintf(out, "%s\n", now);
		snprintf(last, lastlen, "%s", now);
	}
}

static void print_insns(csh h, cs_insn *insn, const struct listing *l, FILE *out)
{
	const uint8_t *p = l->code;
	size_t left = l->size, n, size = l->size;
	uint64_t addr = l->addr, pc = addr, target;
	char off[32], hex[160], name[256], last[512] = "";
	int offw = snprintf(off, sizeof(off), "<+%zu>", size);
	int hexw = (int)strlen(l->symbol) + snprintf(off, sizeof(off), "+0x%zx", size);

	while (left) {
		uint64_t at = pc;
		const uint8_t *start = p;

		if (l->dw)
			print_source(l->dw, at - l->dw_bias, last, sizeof(last), out);
		snprintf(off, sizeof(off), "<+%" PRIu64 ">", at - addr);
		snprintf(hex, sizeof(hex), "%s+0x%" PRIx64, l->symbol, at - addr);
		fprintf(out, "%-*s  %-*s  0x%" PRIx64 ":  ", offw, off, hexw, hex, at);
		if (surf_cs.disasm_iter(h, &p, &left, &pc, insn)) {
			fprintf(out, insn->op_str[0] ? "%-7s %s" : "%s", insn->mnemonic,
				insn->op_str);
			/* A branch inside the function: where to, as a probe names it. */
			if (branch_target(insn->op_str, &target)) {
				if (target >= addr && target < addr + size)
					fprintf(out, " <%s+0x%" PRIx64 ">", l->symbol, target - addr);
				else if (l->name && l->name(l->name_ctx, target, name, sizeof(name)))
					fprintf(out, " <%s>", name);
			}
			fputc('\n', out);
			continue;
		}
		/* Not an instruction capstone knows: one byte (x86) or word on. */
		n = left < l->step ? left : l->step;

		fprintf(out, "(bad)   .byte ");
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%s0x%02x", i ? ", " : "", start[i]);
		fputc('\n', out);
		p = start + n;
		left -= n;
		pc = at + n;
	}
}

/*
 * The bytes of symbol sym from the section holding it: -ENODATA, errbuf
 * saying why, when they are not in the file.
 */
static int sym_bytes(Elf *elf, const GElf_Ehdr *eh, const GElf_Sym *sym, const char *symbol,
		     const char *path, const uint8_t **code, char *errbuf, size_t errlen)
{
	Elf_Data *data;
	Elf_Scn *scn;
	GElf_Shdr sh;
	uint64_t start;

	if (!sym->st_size) {
		snprintf(errbuf, errlen, "'%s' in %s has no size in the symbol table "
			 "(an assembler label?)", symbol, path);
		return -ENODATA;
	}
	scn = sym->st_shndx < SHN_LORESERVE ? elf_getscn(elf, sym->st_shndx) : NULL;
	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
	    !(data = elf_getdata(scn, NULL)) || !data->d_buf) {
		snprintf(errbuf, errlen, "'%s' in %s has no bytes in the file", symbol, path);
		return -ENODATA;
	}
	/* In a relocatable object, a symbol's value is its offset in its section. */
	start = eh->e_type == ET_REL ? sym->st_value : sym->st_value - sh.sh_addr;
	if (sym->st_value < (eh->e_type == ET_REL ? 0 : sh.sh_addr) || start > data->d_size ||
	    sym->st_size > data->d_size - start) {
		snprintf(errbuf, errlen, "'%s' in %s lies outside its section", symbol, path);
		return -ENODATA;
	}
	*code = (const uint8_t *)data->d_buf + start;
	return 0;
}

/* An ELF file open for reading: a binary, a vmlinux, a separate debug file. */
struct elf_file {
	int fd;
	Elf *elf;
	GElf_Ehdr eh;
};

static int elf_file_open(struct elf_file *f, const char *path, char *errbuf, size_t errlen)
{
	int ret;

	elf_version(EV_CURRENT);
	f->elf = NULL;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		ret = -errno;
		snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF || !gelf_getehdr(f->elf, &f->eh)) {
		snprintf(errbuf, errlen, "%s is not an ELF file", path);
		return -ENOEXEC;
	}
	return 0;
}

static void elf_file_close(struct elf_file *f)
{
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	f->elf = NULL;
	f->fd = -1;
}

/*
 * Source lines for an ELF: its own DWARF, else (a user binary) that of its
 * separate debug file, kept open in dbg.  NULL when there is none.
 */
static Dwarf *open_lines(struct elf_file *f, const char *path, bool separate,
			 struct elf_file *dbg)
{
	char dpath[4096], err[64];
	Dwarf *dw = dwarf_begin_elf(f->elf, DWARF_C_READ, NULL);

	if (dw || !separate || surf_debuginfo_find_elf(f->elf, path, dpath, sizeof(dpath)) ||
	    elf_file_open(dbg, dpath, err, sizeof(err)))
		return dw;
	return dwarf_begin_elf(dbg->elf, DWARF_C_READ, NULL);
}

/* Capstone open for eh's machine, one instruction's room, the listing printed. */
static int print_listing(const GElf_Ehdr *eh, const struct listing *l, FILE *out,
			 const char *what, char *errbuf, size_t errlen)
{
	const char *arch;
	cs_insn *insn;
	csh h;

	if (surf_cs_open(eh, &h, &arch)) {
		snprintf(errbuf, errlen, "%s: disassembly of ELF machine %u is not supported", what,
			 eh->e_machine);
		return -EOPNOTSUPP;
	}
	insn = surf_cs.malloc(h);
	if (!insn) {
		snprintf(errbuf, errlen, "out of memory");
		surf_cs.close(&h);
		return -ENOMEM;
	}
	print_insns(h, insn, l, out);
	surf_cs.free(insn, 1);
	surf_cs.close(&h);
	return 0;
}

static const char *machine_name(const GElf_Ehdr *eh)
{
	switch (eh->e_machine) {
	case EM_X86_64: return "x86_64";
	case EM_386: return "x86";
	case EM_AARCH64: return "aarch64";
	default: return "unknown machine";
	}
}

int surf_disasm__print(const char *path, const char *symbol, FILE *out, char *errbuf,
		       size_t errlen)
{
	struct elf_file f = { .fd = -1 }, dbg = { .fd = -1 };
	struct elf_funcs funcs = { 0 };
	struct listing l = { .symbol = symbol };
	uint64_t foff;
	GElf_Sym sym;
	int ret;

	ret = elf_file_open(&f, path, errbuf, errlen);
	if (ret)
		goto out;
	ret = find_func(f.elf, path, symbol, &sym, errbuf, errlen);
	if (ret)
		goto out;
	ret = sym_bytes(f.elf, &f.eh, &sym, symbol, path, &l.code, errbuf, errlen);
	if (ret)
		goto out;
	if (f.eh.e_machine != EM_X86_64 && f.eh.e_machine != EM_386 &&
	    f.eh.e_machine != EM_AARCH64) {
		snprintf(errbuf, errlen, "%s: disassembly of ELF machine %u is not supported",
			 path, f.eh.e_machine);
		ret = -EOPNOTSUPP;
		goto out;
	}
	l.size = sym.st_size;
	l.addr = sym.st_value;
	l.step = f.eh.e_machine == EM_AARCH64 ? 4 : 1;
	/* A relocatable object's calls are relocations: their targets are not in the bytes. */
	if (f.eh.e_type != ET_REL) {
		load_funcs(f.elf, &funcs);
		l.name = elf_funcs_name;
		l.name_ctx = &funcs;
		l.dw = open_lines(&f, path, true, &dbg);
	}
	fprintf(out, "# %s in %s: %s, %" PRIu64 " bytes at 0x%" PRIx64, symbol, path,
		machine_name(&f.eh), (uint64_t)sym.st_size, (uint64_t)sym.st_value);
	if (f.eh.e_type != ET_REL && surf_elf_vaddr_to_offset(f.elf, sym.st_value, &foff) == 0)
		fprintf(out, ", file offset 0x%" PRIx64, foff);
	if (GELF_ST_TYPE(sym.st_info) == STT_GNU_IFUNC)
		fprintf(out, " (an IFUNC resolver)");
	fputc('\n', out);
	ret = print_listing(&f.eh, &l, out, path, errbuf, errlen);
out:
	if (l.dw)
		dwarf_end(l.dw);
	free(funcs.v);
	elf_file_close(&dbg);
	elf_file_close(&f);
	return ret;
}

/* ---- The kernel's functions ---------------------------------------------------- */

#define KALLSYMS "/proc/kallsyms"
#define KCORE "/proc/kcore"
#define KPROBE_BLACKLIST "/sys/kernel/debug/kprobes/blacklist"

/*
 * The running kernel's GNU build-id, from the notes it exports: 0, or
 * -errno when it cannot be read (then a vmlinux cannot be checked against it).
 */
static int kernel_build_id(unsigned char *id, size_t max, size_t *len)
{
	size_t size, pos = 0;
	char *notes = surf_read_file("/sys/kernel/notes", &size);

	if (!notes)
		return -errno;
	/* Elf32_Nhdr and Elf64_Nhdr are the same three words; fields 4-byte aligned. */
	while (pos + 12 <= size) {
		uint32_t namesz, descsz, type;
		size_t name_at = pos + 12, desc_at;

		memcpy(&namesz, notes + pos, 4);
		memcpy(&descsz, notes + pos + 4, 4);
		memcpy(&type, notes + pos + 8, 4);
		desc_at = name_at + ((namesz + 3u) & ~3u);
		if (desc_at + descsz > size)
			break;
		if (type == NT_GNU_BUILD_ID && namesz == 4 && !memcmp(notes + name_at, "GNU", 4) &&
		    descsz <= max) {
			memcpy(id, notes + desc_at, descsz);
			*len = descsz;
			free(notes);
			return 0;
		}
		pos = desc_at + ((descsz + 3u) & ~3u);
	}
	free(notes);
	return -ENODATA;
}

/*
 * Whether the vmlinux in elf is the running kernel's: true when their
 * build-ids are the same, or when the kernel's cannot be read (a vmlinux of
 * this release, named by the release, is then taken at its word).
 */
static bool same_kernel(Elf *elf, bool *known)
{
	unsigned char a[64], b[64];
	size_t la = 0, lb = 0;

	*known = false;
	if (kernel_build_id(a, sizeof(a), &la))
		return true;
	*known = true;
	return !surf_debuginfo_build_id(elf, b, sizeof(b), &lb) && la == lb && !memcmp(a, b, la);
}

/* Where the debug vmlinux of the running kernel's release would be. */
static void debug_vmlinux(char *path, size_t len)
{
	const char *root = getenv(SURF_DEBUG_ROOT_ENV);
	struct utsname u;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "RELEASE");
	snprintf(path, len, "%s/usr/lib/debug/boot/vmlinux-%s", root ? root : "", u.release);
}

/*
 * size bytes at kernel address addr from kcore, an ELF core file whose
 * PT_LOAD segments map the kernel's address space: -errno from opening it
 * (-ENOENT: not built in; -EPERM: lockdown or no CAP_SYS_RAWIO), -ERANGE
 * when no segment holds the range, -EIO when it does not read.
 */
static int kcore_read(const char *path, uint64_t addr, uint8_t *buf, size_t size, GElf_Ehdr *eh)
{
	Elf64_Ehdr e;
	Elf64_Phdr ph;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -ERANGE;

	if (fd < 0)
		return -errno;
	if (pread(fd, &e, sizeof(e), 0) != (ssize_t)sizeof(e) || memcmp(e.e_ident, ELFMAG, SELFMAG) ||
	    e.e_ident[EI_CLASS] != ELFCLASS64 || e.e_phentsize != sizeof(ph)) {
		close(fd);
		return -ENOEXEC;	/* a 32-bit kernel's kcore: not read here */
	}
	for (unsigned int i = 0; i < e.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(e.e_phoff + i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph)) {
			ret = -EIO;
			break;
		}
		if (ph.p_type != PT_LOAD || addr < ph.p_vaddr || addr - ph.p_vaddr > ph.p_filesz ||
		    size > ph.p_filesz - (addr - ph.p_vaddr))
			continue;
		ret = pread(fd, buf, size, (off_t)(ph.p_offset + addr - ph.p_vaddr)) == (ssize_t)size ?
			0 : -EIO;
		break;
	}
	if (!ret) {
		memset(eh, 0, sizeof(*eh));
		memcpy(eh->e_ident, e.e_ident, EI_NIDENT);
		eh->e_machine = e.e_machine;
	}
	close(fd);
	return ret;
}

/* A kernel function's code, from kcore or a vmlinux. */
struct kcode {
	const uint8_t *code;
	uint8_t *buf;		/* read from kcore */
	uint64_t addr, size;
	GElf_Ehdr eh;
	char name[256];
	char from[4200];	/* "/proc/kcore", or the vmlinux */
	bool kcore;
	bool running;		/* the running kernel's (kcore, or its vmlinux) */
	bool running_known;	/* a vmlinux's build-id was compared with the kernel's */
	struct surf_ksyms *ksyms;
	struct elf_file vml;
	struct elf_funcs funcs;
	Dwarf *dw;
	uint64_t dw_bias;
	char lines_from[4200];
};

static void kcode_close(struct kcode *k)
{
	if (k->dw)
		dwarf_end(k->dw);
	free(k->funcs.v);
	elf_file_close(&k->vml);
	if (k->ksyms)
		surf_ksyms__free(k->ksyms);
	free(k->buf);
}

/* func's code in the vmlinux at path (given, or this release's debug one). */
static int kcode_vmlinux(struct kcode *k, const char *path, const char *func, bool given,
			 bool want_listing, char *errbuf, size_t errlen)
{
	GElf_Sym sym;
	int ret;

	ret = elf_file_open(&k->vml, path, errbuf, errlen);
	if (ret)
		return ret;
	k->running = same_kernel(k->vml.elf, &k->running_known);
	if (!given && !k->running) {
		snprintf(errbuf, errlen, "%s is not the running kernel's vmlinux (another build-id)",
			 path);
		return -ENODATA;
	}
	ret = find_func(k->vml.elf, path, func, &sym, errbuf, errlen);
	if (ret)
		return ret;
	ret = sym_bytes(k->vml.elf, &k->vml.eh, &sym, func, path, &k->code, errbuf, errlen);
	if (ret)
		return ret;
	k->addr = sym.st_value;
	k->size = sym.st_size;
	k->eh = k->vml.eh;
	snprintf(k->name, sizeof(k->name), "%s", func);
	snprintf(k->from, sizeof(k->from), "%s", path);
	if (!want_listing)	/* a boundary check: the instructions alone */
		return 0;
	load_funcs(k->vml.elf, &k->funcs);
	if ((k->dw = dwarf_begin_elf(k->vml.elf, DWARF_C_READ, NULL)))
		snprintf(k->lines_from, sizeof(k->lines_from), "%s", path);
	return 0;
}

/*
 * Source lines for code read from kcore: the debug vmlinux of this release,
 * when it is the running kernel's, its addresses shifted by the KASLR slide
 * (the function's kallsyms address less its symbol's value).
 */
static void kcode_kcore_lines(struct kcode *k, const char *func)
{
	char path[4096], err[256];
	bool known;
	GElf_Sym sym;

	debug_vmlinux(path, sizeof(path));
	if (access(path, R_OK) || elf_file_open(&k->vml, path, err, sizeof(err)) ||
	    !same_kernel(k->vml.elf, &known) ||
	    find_func(k->vml.elf, path, func, &sym, err, sizeof(err)) ||
	    !(k->dw = dwarf_begin_elf(k->vml.elf, DWARF_C_READ, NULL)))
		return;
	k->dw_bias = k->addr - sym.st_value;
	snprintf(k->lines_from, sizeof(k->lines_from), "%s", path);
}

/* Why kcore could not be read, for the message saying what would do instead. */
static const char *kcore_reason(int err)
{
	switch (err) {
	case -ENOENT:
		return "this kernel does not provide /proc/kcore (built without CONFIG_PROC_KCORE)";
	case -EPERM:
	case -EACCES:
		return "reading /proc/kcore is not allowed (kernel lockdown, or no CAP_SYS_RAWIO)";
	case -ERANGE:
		return "/proc/kcore does not map the function's address";
	default:
		return "/proc/kcore cannot be read";
	}
}

static int kcode_open(struct kcode *k, const char *func, const struct surf_kdisasm_opts *o,
		      bool want_lines, char *errbuf, size_t errlen)
{
	const char *kallsyms = o && o->kallsyms ? o->kallsyms : KALLSYMS;
	char dbg[4096], near[256];
	struct surf_sym sym;
	int ret, kret = -ENODATA;
	size_t limit;

	memset(k, 0, sizeof(*k));
	k->vml.fd = -1;
	if (o && o->vmlinux)
		return kcode_vmlinux(k, o->vmlinux, func, true, want_lines, errbuf, errlen);
	ret = surf_ksyms__load(&k->ksyms, kallsyms);
	if (ret)
		k->ksyms = NULL;
	else
		ret = surf_ksyms__symbol(k->ksyms, func, &sym);
	if (ret == -ENOENT || (ret == -ENODATA && k->ksyms && surf_ksyms__code_only(k->ksyms))) {
		limit = strlen(func) / 3 + 1 < 2 ? 2 : strlen(func) / 3 + 1;
		if (!surf_ksyms_closest(k->ksyms, func, limit, near, sizeof(near)))
			snprintf(errbuf, errlen, "no kernel function '%s' in %s (did you mean '%s'?)",
				 func, kallsyms, near);
		else
			snprintf(errbuf, errlen, "no kernel function '%s' in %s", func, kallsyms);
		return -ENOENT;
	}
	if (!ret && sym.addr && !surf_ksyms_is_code(k->ksyms, func, sym.addr)) {
		snprintf(errbuf, errlen, "'%s' in %s is not a function", func, kallsyms);
		return -EINVAL;
	}
	if (!ret && sym.addr && sym.size) {
		k->addr = sym.addr;
		k->size = sym.size;
		snprintf(k->name, sizeof(k->name), "%s", func);
		k->buf = malloc(sym.size);
		if (!k->buf)
			return -ENOMEM;
		kret = kcore_read(o && o->kcore ? o->kcore : KCORE, sym.addr, k->buf, sym.size,
				  &k->eh);
		if (!kret) {
			k->code = k->buf;
			k->kcore = k->running = true;
			snprintf(k->from, sizeof(k->from), "%s", o && o->kcore ? o->kcore : KCORE);
			if (want_lines)
				kcode_kcore_lines(k, func);
			return 0;
		}
	}
	/* No kcore: the debug vmlinux of this release, when installed. */
	debug_vmlinux(dbg, sizeof(dbg));
	if (!access(dbg, R_OK)) {
		free(k->buf);
		k->buf = NULL;
		return kcode_vmlinux(k, dbg, func, false, want_lines, errbuf, errlen);
	}
	snprintf(errbuf, errlen, "cannot read the code of %s: %s, and there is no %s: give the "
		 "kernel's vmlinux with -v FILE (Debian ships it in linux-image-*-dbg, Fedora in "
		 "kernel-debuginfo)", func,
		 ret ? "kallsyms shows no addresses (kptr_restrict)" : kcore_reason(kret), dbg);
	return -ENODATA;
}

/* Whether the kprobe blacklist lists func: 1 yes, 0 no, -errno not readable. */
static int blacklisted(const char *path, const char *func)
{
	size_t size, n = strlen(func);
	char *list = surf_read_file(path, &size), *p;
	int ret = 0;

	if (!list)
		return -errno;
	/* "0xffffffff81000000-0xffffffff81000010\tfunc" per line, maybe " [module]" after. */
	for (p = list; (p = strchr(p, '\t')); p++) {
		if (!strncmp(p + 1, func, n) && (p[1 + n] == '\n' || p[1 + n] == ' ' || !p[1 + n])) {
			ret = 1;
			break;
		}
	}
	free(list);
	return ret;
}

int surf_disasm__print_kernel(const char *func, const struct surf_kdisasm_opts *o, FILE *out,
			      char *errbuf, size_t errlen)
{
	struct kcode k;
	struct listing l = { .symbol = func };
	char traced[256];
	int ret, bl, tr = 1;

	ret = kcode_open(&k, func, o, true, errbuf, errlen);
	if (ret)
		goto out;
	l.code = k.code;
	l.size = k.size;
	l.addr = k.addr;
	l.step = k.eh.e_machine == EM_AARCH64 ? 4 : 1;
	l.dw = k.dw;
	l.dw_bias = k.dw_bias;
	if (k.kcore) {
		l.name = ksyms_name;
		l.name_ctx = k.ksyms;
	} else {
		l.name = elf_funcs_name;
		l.name_ctx = &k.funcs;
	}
	fprintf(out, "# %s: %s, %" PRIu64 " bytes at 0x%" PRIx64 ", read from %s%s%s%s\n", func,
		machine_name(&k.eh), k.size, k.addr, k.from,
		k.kcore ? " (size: up to the next kallsyms symbol)" :
		" (the code as built: the running kernel patches some of it)",
		k.lines_from[0] && strcmp(k.lines_from, k.from) ? ", lines from " : "",
		k.lines_from[0] && strcmp(k.lines_from, k.from) ? k.lines_from : "");
	/*
	 * What the running kernel says about probing it, when the code is its
	 * own: the blacklist (NOKPROBE_SYMBOL, non-instrumentable sections) and
	 * ftrace's list, outside which kprobe events refuse a function.
	 */
	bl = k.running ? blacklisted(o && o->blacklist ? o->blacklist : KPROBE_BLACKLIST, func) : 0;
	if (k.running && o && o->tracefs)
		tr = surf_tracefs__traceable(o->tracefs, func, traced, sizeof(traced)) != -ENOENT;
	if (bl == 1)
		fprintf(out, "# kprobes: %s is in the kprobe blacklist: the kernel refuses a kprobe "
			"anywhere in it\n", func);
	else if (!tr)
		fprintf(out, "# kprobes: %s is not in available_filter_functions (notrace): kprobe "
			"events refuse it\n", func);
	else
		fprintf(out, "# kprobes: every offset listed starts an instruction: 'p %s+OFF' "
			"may go at any of them%s\n", func,
			k.running ? "" : " (checked against this vmlinux, not the running kernel)");
	ret = print_listing(&k.eh, &l, out, k.from, errbuf, errlen);
out:
	kcode_close(&k);
	return ret;
}

int surf_disasm__kernel_insn(const char *func, uint64_t off, const struct surf_kdisasm_opts *o,
			     char *errbuf, size_t errlen)
{
	struct surf_insn_at at;
	struct kcode k;
	int ret;

	ret = kcode_open(&k, func, o, false, errbuf, errlen);
	if (ret)
		goto out;
	ret = surf_disasm_boundary_in(&k.eh, k.code, k.addr, k.size, off, &at);
	switch (ret) {
	case 0:
		break;
	case -ERANGE:
		snprintf(errbuf, errlen, "+0x%" PRIx64 " is past the end of %s: it is 0x%" PRIx64
			 " bytes long (%s)", off, func, k.size, k.from);
		break;
	case -EILSEQ:
		if (!at.len)
			snprintf(errbuf, errlen, "%s+0x%" PRIx64 " is in bytes that do not decode as "
				 "an instruction (%s; see surftrace -F %s)", func, off, k.from, func);
		else
			snprintf(errbuf, errlen, "%s+0x%" PRIx64 " is inside the instruction at "
				 "%s+0x%" PRIx64 " (%s, %" PRIu64 " bytes): probe %s+0x%" PRIx64
				 " or %s+0x%" PRIx64 " (%s; see surftrace -F %s)", func, off, func,
				 at.start, at.text, at.len, func, at.start, func, at.start + at.len,
				 k.from, func);
		break;
	default:
		snprintf(errbuf, errlen, "cannot decode the code of %s (%s)", func, k.from);
		break;
	}
out:
	kcode_close(&k);
	return ret;
}

// SPDX-License-Identifier: MIT
/*
 * USDT probes: the SystemTap SDT notes of a user binary.
 *
 * <sys/sdt.h> leaves, per probe site, one note in .note.stapsdt (owner
 * "stapsdt", type 3) whose descriptor is
 *
 *	pc, base, semaphore	(addresses, 8 bytes each in ELF64, 4 in ELF32,
 *				 in the file's byte order)
 *	"provider\0name\0args\0"
 *
 * base is the link-time address of the .stapsdt.base section; when the file
 * was prelinked the section moved and pc and semaphore move with it.  The
 * addresses become file offsets through the PT_LOAD segment holding them.
 *
 * The argument string is "SIZE@OPERAND ..." with the operand in the
 * assembler's syntax (AT&T on x86, "[sp, 12]" on aarch64); each becomes a
 * uprobe fetch argument.  Symbolic operands ("counter(%rip)", "counter") are
 * variables of the binary, fetched with "@+OFFSET": the kernel reads
 * "probe address - probe file offset + OFFSET", so OFFSET is the variable's
 * address moved by the probe's own segment (not the variable's segment).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <surf/arch.h>
#include <surf/usdt.h>

#include "sys/util.h"

#define NT_STAPSDT 3

struct note {
	uint64_t pc, base, sem;
	const char *provider, *name, *args;	/* in the note section's data */
};

struct usdt_file {
	int fd;
	Elf *elf;
	GElf_Ehdr eh;
	bool has_base;
	uint64_t base_addr;	/* .stapsdt.base's sh_addr */
	struct note *notes;
	size_t nnotes, cap;
};

/* For symbolic operands: the binary's symbols and the probe's segment. */
struct resolver {
	Elf *elf;
	uint64_t pc_delta;	/* p_vaddr - p_offset of the segment holding the probe */
};

static void close_file(struct usdt_file *uf)
{
	free(uf->notes);
	if (uf->elf)
		elf_end(uf->elf);
	if (uf->fd >= 0)
		close(uf->fd);
}

static uint64_t read_addr(const unsigned char *p, int size, bool big_endian)
{
	uint64_t v = 0;

	for (int i = 0; i < size; i++)
		v |= (uint64_t)p[big_endian ? size - 1 - i : i] << (8 * i);
	return v;
}

static int add_note(struct usdt_file *uf, const unsigned char *desc, size_t len)
{
	int asz = gelf_getclass(uf->elf) == ELFCLASS32 ? 4 : 8;
	bool be = uf->eh.e_ident[EI_DATA] == ELFDATA2MSB;
	const char *s[3], *p, *end = (const char *)desc + len;
	struct note *n;

	if (len < (size_t)asz * 3 + 3)
		return 0;	/* malformed: skip it */
	p = (const char *)desc + asz * 3;
	for (int i = 0; i < 3; i++) {
		const char *z = memchr(p, '\0', (size_t)(end - p));

		if (!z)
			return 0;
		s[i] = p;
		p = z + 1;
		if (p >= end && i < 2)
			return 0;
	}
	if (uf->nnotes == uf->cap) {
		size_t cap = uf->cap ? uf->cap * 2 : 16;

		n = realloc(uf->notes, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		uf->notes = n;
		uf->cap = cap;
	}
	n = &uf->notes[uf->nnotes++];
	n->pc = read_addr(desc, asz, be);
	n->base = read_addr(desc + asz, asz, be);
	n->sem = read_addr(desc + 2 * asz, asz, be);
	n->provider = s[0];
	n->name = s[1];
	n->args = s[2];
	/* Prelinked: the notes keep the link-time base. */
	if (uf->has_base && n->base && n->base != uf->base_addr) {
		n->pc += uf->base_addr - n->base;
		if (n->sem)
			n->sem += uf->base_addr - n->base;
	}
	return 0;
}

static int scan_notes(struct usdt_file *uf, Elf_Scn *scn)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	int ret;

	if (!data)
		return 0;
	while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const char *nm = (const char *)data->d_buf + name_off;

		if (nh.n_type != NT_STAPSDT || nh.n_namesz != sizeof("stapsdt") ||
		    memcmp(nm, "stapsdt", sizeof("stapsdt")))
			continue;
		ret = add_note(uf, (const unsigned char *)data->d_buf + desc_off, nh.n_descsz);
		if (ret)
			return ret;
	}
	return 0;
}

static int open_file(const char *path, struct usdt_file *uf, char *errbuf, size_t errlen)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	int ret;

	memset(uf, 0, sizeof(*uf));
	elf_version(EV_CURRENT);
	uf->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (uf->fd < 0) {
		ret = -errno;
		snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	uf->elf = elf_begin(uf->fd, ELF_C_READ_MMAP, NULL);
	if (!uf->elf || elf_kind(uf->elf) != ELF_K_ELF || !gelf_getehdr(uf->elf, &uf->eh) ||
	    elf_getshdrstrndx(uf->elf, &shstrndx)) {
		snprintf(errbuf, errlen, "%s is not an ELF file", path);
		close_file(uf);
		return -ENOEXEC;
	}
	while ((scn = elf_nextscn(uf->elf, scn))) {
		GElf_Shdr sh;
		const char *sname;

		if (!gelf_getshdr(scn, &sh))
			continue;
		sname = elf_strptr(uf->elf, shstrndx, sh.sh_name);
		if (sname && !strcmp(sname, ".stapsdt.base")) {
			uf->has_base = true;
			uf->base_addr = sh.sh_addr;
		}
	}
	/* Notes after .stapsdt.base is known: the prelink adjustment needs it. */
	while ((scn = elf_nextscn(uf->elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_NOTE) {
			ret = scan_notes(uf, scn);
			if (ret) {
				snprintf(errbuf, errlen, "%s: %s", path, strerror(-ret));
				close_file(uf);
				return ret;
			}
		}
	}
	return 0;
}

/* The PT_LOAD holding vaddr (within its file part, or its memory part). */
static int find_load(Elf *elf, uint64_t vaddr, bool memsz, GElf_Phdr *out)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, (int)i, out) || out->p_type != PT_LOAD)
			continue;
		if (vaddr >= out->p_vaddr &&
		    vaddr < out->p_vaddr + (memsz ? out->p_memsz : out->p_filesz))
			return 0;
	}
	return -ERANGE;
}

/* ---- argument specs ------------------------------------------------------ */

static int fail(int err, char *errbuf, size_t errlen, const char *spec, const char *why)
{
	snprintf(errbuf, errlen, "'%s': %s", spec, why);
	return err;
}

/* A whole number in C syntax ("12", "-0x10"); false when s is not one. */
static bool parse_num(const char *s, int64_t *v)
{
	char *end;

	if (!*s || !(isdigit((unsigned char)*s) || *s == '-' || *s == '+'))
		return false;
	errno = 0;
	*v = strtoll(s, &end, 0);
	return !errno && end != s && !*end;
}

/* x86 register name (without %) to pt_regs's; NULL with *why set otherwise. */
static const char *x86_reg(const char *r, bool is64, const char **why)
{
	static const char *const legacy[] = { "ax", "bx", "cx", "dx", "si", "di", "bp", "sp" };
	static const char *const r64[] = { "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
	char low[8];

	for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
		const char *k = legacy[i];

		if (!strcmp(r, k) || (r[0] == 'e' && !strcmp(r + 1, k)) ||
		    (is64 && r[0] == 'r' && !strcmp(r + 1, k)))
			return k;
		/* al, bl, cl, dl; sil, dil, bpl, spl */
		if (i < 4)
			snprintf(low, sizeof(low), "%cl", k[0]);
		else
			snprintf(low, sizeof(low), "%sl", k);
		if (!strcmp(r, low))
			return k;
		if (i < 4 && r[0] == k[0] && r[1] == 'h' && !r[2]) {
			*why = "a high-byte register (%ah...) has no fetch form";
			return NULL;
		}
	}
	for (size_t i = 0; is64 && i < sizeof(r64) / sizeof(r64[0]); i++) {
		size_t n = strlen(r64[i]);

		if (!strncmp(r, r64[i], n) &&
		    (!r[n] || (strchr("dwbl", r[n]) && !r[n + 1])))
			return r64[i];
	}
	if (!strcmp(r, "rip") || !strcmp(r, "eip") || !strcmp(r, "ip"))
		return "ip";
	*why = "not a general-purpose register (SSE, x87 and segment registers have no "
	       "fetch form)";
	return NULL;
}

/* aarch64: x0..x30, w0..w30, sp, wsp, fp, lr; "xzr" as *zero. */
static const char *a64_reg(const char *r, bool *zero, const char **why)
{
	static const char *const x[] = {
		"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
		"x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20",
		"x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30",
	};
	char *end;
	long n;

	*zero = false;
	if (!strcmp(r, "sp") || !strcmp(r, "wsp"))
		return "sp";
	if (!strcmp(r, "fp"))
		return "x29";
	if (!strcmp(r, "lr"))
		return "x30";
	if (!strcmp(r, "xzr") || !strcmp(r, "wzr")) {
		*zero = true;
		return "0";
	}
	if ((r[0] == 'x' || r[0] == 'w') && isdigit((unsigned char)r[1])) {
		n = strtol(r + 1, &end, 10);
		if (!*end && n >= 0 && n <= 30)
			return x[n];
	}
	*why = "not a general-purpose register (SIMD and FP registers have no fetch form)";
	return NULL;
}

/* Address of symbol "name[+-N]" in the binary. */
static int sym_addr(Elf *elf, const char *expr, uint64_t *addr)
{
	char name[128];
	int64_t add = 0;
	size_t n = strcspn(expr, "+-");
	Elf_Scn *scn;

	if (n >= sizeof(name) || n == 0)
		return -EINVAL;
	memcpy(name, expr, n);
	name[n] = '\0';
	if (expr[n] && !parse_num(expr + n, &add))
		return -EINVAL;
	for (int pass = 0; pass < 2; pass++) {
		scn = NULL;
		while ((scn = elf_nextscn(elf, scn))) {
			Elf_Data *data;
			GElf_Shdr sh;
			GElf_Sym sym;

			if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize ||
			    sh.sh_type != (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM))
				continue;
			data = elf_getdata(scn, NULL);
			for (size_t i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
				const char *s;

				if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
					continue;
				s = elf_strptr(elf, sh.sh_link, sym.st_name);
				if (s && !strcmp(s, name)) {
					*addr = sym.st_value + (uint64_t)add;
					return 0;
				}
			}
		}
	}
	return -ENOENT;
}

/* "@+OFFSET" for the variable at "sym[+-N]" of the binary. */
static int fetch_symbol(const char *spec, const char *expr, const struct resolver *rs,
			struct surf_usdt_arg *out, char *errbuf, size_t errlen)
{
	uint64_t addr;
	int ret;

	if (strchr(expr, '@'))
		return fail(-EOPNOTSUPP, errbuf, errlen, spec,
			    "a GOT or PLT reference has no fetch form");
	if (!rs)
		return fail(-EOPNOTSUPP, errbuf, errlen, spec,
			    "a symbolic address needs the binary's symbols");
	ret = sym_addr(rs->elf, expr, &addr);
	if (ret == -EINVAL)
		return fail(-EINVAL, errbuf, errlen, spec, "malformed address");
	if (ret)
		return fail(-EOPNOTSUPP, errbuf, errlen, spec,
			    "its symbol is not in the binary's symbol tables (stripped?)");
	if (addr < rs->pc_delta)
		return fail(-EOPNOTSUPP, errbuf, errlen, spec,
			    "the variable lies before the probe's segment");
	snprintf(out->fetch, sizeof(out->fetch), "@+0x%" PRIx64, addr - rs->pc_delta);
	return 0;
}

static void fetch_mem(struct surf_usdt_arg *out, int64_t off, const char *reg)
{
	if (off < 0)
		snprintf(out->fetch, sizeof(out->fetch), "-%" PRIu64 "(%%%s)",
			 (uint64_t)0 - (uint64_t)off, reg);
	else
		snprintf(out->fetch, sizeof(out->fetch), "+%" PRId64 "(%%%s)", off, reg);
}

/* AT&T operand: $imm, %reg, disp(%base), sym(%rip), sym, addr. */
static int x86_operand(const char *spec, const char *op, bool is64, const struct resolver *rs,
		       struct surf_usdt_arg *out, char *errbuf, size_t errlen)
{
	const char *reg, *why = NULL, *paren;
	char disp[128], base[16];
	int64_t v;
	size_t n;

	if (op[0] == '$') {
		if (!parse_num(op + 1, &v))
			return fail(-EOPNOTSUPP, errbuf, errlen, spec,
				    "a symbolic constant (an address) has no fetch form");
		snprintf(out->fetch, sizeof(out->fetch), "\\%" PRId64, v);
		return 0;
	}
	if (op[0] == '%') {
		if (strchr(op, ':'))
			return fail(-EOPNOTSUPP, errbuf, errlen, spec,
				    "a segment-relative operand has no fetch form");
		reg = x86_reg(op + 1, is64, &why);
		if (!reg)
			return fail(-EOPNOTSUPP, errbuf, errlen, spec, why);
		snprintf(out->fetch, sizeof(out->fetch), "%%%s", reg);
		return 0;
	}
	paren = strchr(op, '(');
	n = paren ? (size_t)(paren - op) : strlen(op);
	if (n >= sizeof(disp))
		return fail(-EINVAL, errbuf, errlen, spec, "operand too long");
	memcpy(disp, op, n);
	disp[n] = '\0';
	if (!paren) {
		/* An absolute address: a variable of a non-PIC binary. */
		if (parse_num(disp, &v)) {
			if (!rs)
				return fail(-EOPNOTSUPP, errbuf, errlen, spec,
					    "an absolute address needs the binary");
			if ((uint64_t)v < rs->pc_delta)
				return fail(-EOPNOTSUPP, errbuf, errlen, spec,
					    "the address lies before the probe's segment");
			snprintf(out->fetch, sizeof(out->fetch), "@+0x%" PRIx64,
				 (uint64_t)v - rs->pc_delta);
			return 0;
		}
		return fetch_symbol(spec, disp, rs, out, errbuf, errlen);
	}
	if (strchr(paren, ','))
		return fail(-EOPNOTSUPP, errbuf, errlen, spec,
			    "an index register (base,index,scale) has no fetch form");
	n = strlen(paren);
	if (paren[1] != '%' || paren[n - 1] != ')' || n - 3 >= sizeof(base))
		return fail(-EINVAL, errbuf, errlen, spec, "malformed memory operand");
	memcpy(base, paren + 2, n - 3);
	base[n - 3] = '\0';
	reg = x86_reg(base, is64, &why);
	if (!reg)
		return fail(-EOPNOTSUPP, errbuf, errlen, spec, why);
	if (!disp[0])
		v = 0;
	else if (!parse_num(disp, &v)) {
		if (!strcmp(reg, "ip"))	/* sym(%rip): the variable sym */
			return fetch_symbol(spec, disp, rs, out, errbuf, errlen);
		return fail(-EOPNOTSUPP, errbuf, errlen, spec,
			    "a symbolic displacement off a register has no fetch form");
	}
	if (!strcmp(reg, "ip"))
		return fail(-EOPNOTSUPP, errbuf, errlen, spec,
			    "a numeric %rip-relative operand depends on the instruction's length");
	fetch_mem(out, v, reg);
	return 0;
}

/* aarch64 operand: xN, wN, sp, NUM, #NUM, [reg], [reg, OFF], [reg, #OFF]. */
static int a64_operand(const char *spec, const char *op, struct surf_usdt_arg *out,
		       char *errbuf, size_t errlen)
{
	const char *reg, *why = NULL;
	char buf[128], *comma, *p, *q;
	bool zero;
	int64_t v = 0;

	if (parse_num(op[0] == '#' ? op + 1 : op, &v)) {
		snprintf(out->fetch, sizeof(out->fetch), "\\%" PRId64, v);
		return 0;
	}
	if (op[0] != '[') {
		reg = a64_reg(op, &zero, &why);
		if (!reg)
			return fail(-EOPNOTSUPP, errbuf, errlen, spec, why);
		snprintf(out->fetch, sizeof(out->fetch), zero ? "\\0" : "%%%s", reg);
		return 0;
	}
	if (strlen(op) >= sizeof(buf) || op[strlen(op) - 1] != ']')
		return fail(-EINVAL, errbuf, errlen, spec, "malformed memory operand");
	snprintf(buf, sizeof(buf), "%s", op + 1);
	buf[strlen(buf) - 1] = '\0';
	comma = strchr(buf, ',');
	if (comma) {
		*comma = '\0';
		p = comma + 1;
		while (*p == ' ')
			p++;
		if (*p == '#')
			p++;
		q = p + strlen(p);
		while (q > p && q[-1] == ' ')
			*--q = '\0';
		if (!parse_num(p, &v))
			return fail(-EOPNOTSUPP, errbuf, errlen, spec,
				    "an index register or extended offset has no fetch form");
	}
	q = buf + strlen(buf);
	while (q > buf && q[-1] == ' ')
		*--q = '\0';
	reg = a64_reg(buf, &zero, &why);
	if (!reg || zero)
		return fail(-EOPNOTSUPP, errbuf, errlen, spec,
			    why ? why : "a memory operand off the zero register");
	fetch_mem(out, v, reg);
	return 0;
}

static int translate(const char *spec, const struct surf_arch *arch, const struct resolver *rs,
		     struct surf_usdt_arg *out, char *errbuf, size_t errlen)
{
	const char *at = strchr(spec, '@'), *op = spec;
	int64_t size = arch->ptr_size;
	char num[16];

	memset(out, 0, sizeof(*out));
	/* "SIZE@OPERAND"; old notes have no size: a long. */
	if (at && at > spec && (size_t)(at - spec) < sizeof(num)) {
		memcpy(num, spec, (size_t)(at - spec));
		num[at - spec] = '\0';
		if (parse_num(num, &size))
			op = at + 1;
		else
			size = arch->ptr_size;
	}
	out->is_signed = size < 0;
	out->size = (int)(size < 0 ? -size : size);
	if (out->size != 1 && out->size != 2 && out->size != 4 && out->size != 8)
		return fail(-EINVAL, errbuf, errlen, spec, "the size is not 1, 2, 4 or 8");
	if (!*op)
		return fail(-EINVAL, errbuf, errlen, spec, "no operand");
	if (!strcmp(arch->name, "aarch64"))
		return a64_operand(spec, op, out, errbuf, errlen);
	if (!strcmp(arch->name, "x86_64") || !strcmp(arch->name, "x86"))
		return x86_operand(spec, op, !strcmp(arch->name, "x86_64"), rs, out, errbuf,
				   errlen);
	snprintf(errbuf, errlen, "USDT arguments of %s are not supported", arch->name);
	return -EOPNOTSUPP;
}

int surf_usdt__translate_arg(const char *spec, const struct surf_arch *arch,
			     struct surf_usdt_arg *out, char *errbuf, size_t errlen)
{
	return translate(spec, arch, NULL, out, errbuf, errlen);
}

const char *surf_usdt_arg__type(const struct surf_usdt_arg *arg)
{
	static const char *const types[2][4] = {
		{ "u8", "u16", "u32", "u64" }, { "s8", "s16", "s32", "s64" },
	};
	int i = arg->size == 1 ? 0 : arg->size == 2 ? 1 : arg->size == 4 ? 2 : 3;

	return types[arg->is_signed][i];
}

/*
 * The next argument spec of s into buf; blanks inside [...] belong to it
 * ("-4@[sp, 12]").  Returns the rest, NULL at the end.
 */
static const char *next_spec(const char *s, char *buf, size_t len, bool *toolong)
{
	size_t n = 0;
	int depth = 0;

	*toolong = false;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return NULL;
	for (; *s && (depth || !isspace((unsigned char)*s)); s++) {
		if (*s == '[')
			depth++;
		else if (*s == ']' && depth)
			depth--;
		if (n + 1 < len)
			buf[n++] = *s;
		else
			*toolong = true;
	}
	buf[n] = '\0';
	return s;
}

static int count_args(const char *args)
{
	char buf[128];
	bool toolong;
	int n = 0;

	while ((args = next_spec(args, buf, sizeof(buf), &toolong)))
		n++;
	return n;
}

static const struct surf_arch *elf_arch(const GElf_Ehdr *eh)
{
	switch (eh->e_machine) {
	case EM_X86_64:
		return surf_arch__find("x86_64");
	case EM_386:
		return surf_arch__find("x86");
	case EM_AARCH64:
		return surf_arch__find("aarch64");
	default:
		return NULL;
	}
}

static int fill_probe(struct usdt_file *uf, const char *path, const struct note *n,
		      const struct surf_arch *arch, struct surf_usdt_probe *out,
		      char *errbuf, size_t errlen)
{
	struct resolver rs = { .elf = uf->elf };
	const char *rest = n->args;
	int ret, first_bad = 0;
	char spec[128], why[192];
	bool toolong;
	GElf_Phdr ph;

	snprintf(out->provider, sizeof(out->provider), "%s", n->provider);
	snprintf(out->name, sizeof(out->name), "%s", n->name);
	snprintf(out->arg_text, sizeof(out->arg_text), "%s", n->args);
	if (find_load(uf->elf, n->pc, false, &ph)) {
		snprintf(errbuf, errlen, "USDT %s:%s in %s: its address 0x%" PRIx64
			 " is in no loadable segment", n->provider, n->name, path, n->pc);
		return -ERANGE;
	}
	out->offset = n->pc - ph.p_vaddr + ph.p_offset;
	rs.pc_delta = ph.p_vaddr - ph.p_offset;
	if (n->sem) {
		if (find_load(uf->elf, n->sem, true, &ph)) {
			snprintf(errbuf, errlen, "USDT %s:%s in %s: its semaphore 0x%" PRIx64
				 " is in no loadable segment", n->provider, n->name, path, n->sem);
			return -ERANGE;
		}
		out->semaphore_offset = n->sem - ph.p_vaddr + ph.p_offset;
	}
	while ((rest = next_spec(rest, spec, sizeof(spec), &toolong))) {
		struct surf_usdt_arg *arg;

		if (out->nargs == SURF_USDT_MAX_ARGS) {
			snprintf(errbuf, errlen, "USDT %s:%s in %s has more than %d arguments",
				 n->provider, n->name, path, SURF_USDT_MAX_ARGS);
			return -E2BIG;
		}
		arg = &out->args[out->nargs++];
		ret = toolong ? fail(-EINVAL, why, sizeof(why), spec, "too long")
			      : translate(spec, arch, &rs, arg, why, sizeof(why));
		if (ret) {
			arg->fetch[0] = '\0';
			if (!first_bad) {
				first_bad = ret;
				snprintf(errbuf, errlen, "USDT %s:%s arg%d %s", n->provider,
					 n->name, out->nargs - 1, why);
			}
		}
	}
	/* Malformed or inexpressible: the probe itself is still usable. */
	return first_bad ? -EOPNOTSUPP : 0;
}

static void suggest(struct usdt_file *uf, const char *path, const char *provider,
		    const char *name, char *errbuf, size_t errlen)
{
	char want[160], cand[160], best[160] = "";
	size_t best_d = SIZE_MAX, d, limit;

	snprintf(want, sizeof(want), "%s:%s", provider ? provider : "", name);
	for (size_t i = 0; i < uf->nnotes; i++) {
		snprintf(cand, sizeof(cand), "%s:%s", provider ? uf->notes[i].provider : "",
			 uf->notes[i].name);
		d = surf_edit_distance(want, cand);
		if (d < best_d) {
			best_d = d;
			snprintf(best, sizeof(best), "%s:%s", uf->notes[i].provider,
				 uf->notes[i].name);
		}
	}
	limit = strlen(want) / 3 + 1;
	if (best[0] && best_d <= (limit < 2 ? 2 : limit))
		snprintf(errbuf, errlen, "no USDT probe %s%s%s in %s (did you mean '%s'?)",
			 provider ? provider : "", provider ? ":" : "", name, path, best);
	else
		snprintf(errbuf, errlen, "no USDT probe %s%s%s in %s (`-l` lists them)",
			 provider ? provider : "", provider ? ":" : "", name, path);
}

int surf_usdt__find(const char *path, const char *provider, const char *name,
		    const struct surf_arch *arch, struct surf_usdt_probe *out,
		    char *errbuf, size_t errlen)
{
	const struct surf_arch *own;
	const struct note *first = NULL;
	struct usdt_file uf;
	int ret;

	memset(out, 0, sizeof(*out));
	if (provider && !*provider)
		provider = NULL;
	ret = open_file(path, &uf, errbuf, errlen);
	if (ret)
		return ret;
	own = elf_arch(&uf.eh);
	if (!own) {
		snprintf(errbuf, errlen, "%s: USDT arguments of ELF machine %u are not supported",
			 path, uf.eh.e_machine);
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (arch && strcmp(arch->name, own->name)) {
		snprintf(errbuf, errlen, "%s is %s code, not %s", path, own->name, arch->name);
		ret = -EINVAL;
		goto out;
	}
	if (!uf.nnotes) {
		snprintf(errbuf, errlen, "%s has no USDT probes (no .note.stapsdt)", path);
		ret = -ENOENT;
		goto out;
	}
	for (size_t i = 0; i < uf.nnotes; i++) {
		const struct note *n = &uf.notes[i];

		if (strcmp(n->name, name) || (provider && strcmp(n->provider, provider)))
			continue;
		if (first && strcmp(first->provider, n->provider)) {
			snprintf(errbuf, errlen, "USDT probe '%s' is in providers %s and %s of %s: "
				 "say which, as provider:%s", name, first->provider, n->provider,
				 path, name);
			ret = -EINVAL;
			goto out;
		}
		if (!first)
			first = n;
		out->nsites++;
	}
	if (!first) {
		suggest(&uf, path, provider, name, errbuf, errlen);
		ret = -ENOENT;
		goto out;
	}
	ret = fill_probe(&uf, path, first, own, out, errbuf, errlen);
out:
	close_file(&uf);
	return ret;
}

int surf_usdt__print(const char *path, const char *glob, FILE *out)
{
	struct usdt_file uf;
	char errbuf[256], full[160];
	int ret, count = 0;

	ret = open_file(path, &uf, errbuf, sizeof(errbuf));
	if (ret)
		return ret;
	for (size_t i = 0; i < uf.nnotes; i++) {
		const struct note *n = &uf.notes[i];
		bool seen = false, sem = n->sem != 0;
		int sites = 1, nargs;

		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(uf.notes[j].provider, n->provider) &&
			       !strcmp(uf.notes[j].name, n->name);
		if (seen)
			continue;
		snprintf(full, sizeof(full), "%s:%s", n->provider, n->name);
		if (glob && fnmatch(glob, full, 0))
			continue;
		for (size_t j = i + 1; j < uf.nnotes; j++) {
			if (!strcmp(uf.notes[j].provider, n->provider) &&
			    !strcmp(uf.notes[j].name, n->name)) {
				sites++;
				sem |= uf.notes[j].sem != 0;
			}
		}
		nargs = count_args(n->args);
		fprintf(out, "%s  (%d arg%s%s%s)%s", full, nargs, nargs == 1 ? "" : "s",
			nargs ? ": " : "", n->args, sem ? " [semaphore]" : "");
		if (sites > 1)
			fprintf(out, " [%d sites]", sites);
		fputc('\n', out);
		count++;
	}
	close_file(&uf);
	return count;
}

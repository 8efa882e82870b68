// SPDX-License-Identifier: MIT
/*
 * Instruction boundaries with capstone, apart from the listings
 * (disasm.c): a uprobe by symbol checks its offset here, and a tool linking
 * libsurf.a for that must not need libdw, which the listings' source lines
 * use.  capstone itself is loaded by dlopen.
 */
#include <capstone/capstone.h>
#include <dlfcn.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "elf/cs.h"
#include "elf/elfoff.h"

/*
 * capstone, loaded the first time something is disassembled: linked, its
 * 77,000 relocations cost every run of every program 0.7 ms at exec,
 * though few runs disassemble.  The soname of the version built against.
 */
#define CS_STR(x) #x
#define CS_SONAME(major) "libcapstone.so." CS_STR(major)

struct surf_cs surf_cs;

static void load_capstone(void)
{
	void *lib = dlopen(CS_SONAME(CS_API_MAJOR), RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		return;
	*(void **)&surf_cs.open = dlsym(lib, "cs_open");
	*(void **)&surf_cs.option = dlsym(lib, "cs_option");
	*(void **)&surf_cs.close = dlsym(lib, "cs_close");
	*(void **)&surf_cs.malloc = dlsym(lib, "cs_malloc");
	*(void **)&surf_cs.free = dlsym(lib, "cs_free");
	*(void **)&surf_cs.disasm_iter = dlsym(lib, "cs_disasm_iter");
	surf_cs.loaded = surf_cs.open && surf_cs.option && surf_cs.close && surf_cs.malloc && surf_cs.free && surf_cs.disasm_iter;
}

int surf_cs_open(const GElf_Ehdr *eh, csh *h, const char **arch)
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
	if (!surf_cs.loaded || surf_cs.open(a, m, h) != CS_ERR_OK)
		return -EOPNOTSUPP;
	if (a == CS_ARCH_X86)
		surf_cs.option(*h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	return 0;
}

/* The bytes of [vaddr, vaddr + size) in the file, through the segment holding them. */
const uint8_t *surf_elf_code_bytes(Elf *elf, uint64_t vaddr, uint64_t size)
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

/* The boundary check on code in memory; see surf_disasm_boundary. */
int surf_disasm_boundary_in(const GElf_Ehdr *eh, const uint8_t *code, uint64_t vaddr, uint64_t size,
		       uint64_t off, struct surf_insn_at *at)
{
	const uint8_t *p;
	const char *arch;
	uint64_t pc = vaddr;
	size_t left = size, step;
	cs_insn *insn;
	csh h;
	int ret = -EILSEQ;

	memset(at, 0, sizeof(*at));
	if (off >= size)
		return -ERANGE;
	if (surf_cs_open(eh, &h, &arch))
		return -EOPNOTSUPP;
	insn = surf_cs.malloc(h);
	if (!insn) {
		surf_cs.close(&h);
		return -ENOMEM;
	}
	step = eh->e_machine == EM_AARCH64 ? 4 : 1;
	p = code;
	while (left) {
		uint64_t start = pc - vaddr;

		if (surf_cs.disasm_iter(h, &p, &left, &pc, insn)) {
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
	surf_cs.free(insn, 1);
	surf_cs.close(&h);
	return ret;
}

int surf_disasm_boundary(Elf *elf, uint64_t vaddr, uint64_t size, uint64_t off,
			 struct surf_insn_at *at)
{
	const uint8_t *code;
	GElf_Ehdr eh;

	memset(at, 0, sizeof(*at));
	if (off >= size)
		return -ERANGE;
	if (!gelf_getehdr(elf, &eh))
		return -ENOEXEC;
	code = surf_elf_code_bytes(elf, vaddr, size);
	if (!code)
		return -ENODATA;
	return surf_disasm_boundary_in(&eh, code, vaddr, size, off, at);
}

// SPDX-License-Identifier: MIT
/*
 * Function symbols of a user binary, listed with the file offsets that
 * uprobe_events takes.  .symtab and .dynsym usually both hold the exported
 * functions: one line per name and address.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <surf/elflist.h>

#include "elf/elfoff.h"

struct fsym {
	const char *name;	/* in the ELF's string table */
	uint64_t value, size, offset;
	bool ifunc, has_offset;
};

struct fsyms {
	struct fsym *v;
	size_t n, cap;
};

static int collect(Elf *elf, Elf_Scn *scn, const char *glob, bool rel, struct fsyms *fs)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	GElf_Shdr sh, tsh;
	GElf_Sym sym;

	if (!data || !gelf_getshdr(scn, &sh) || !sh.sh_entsize)
		return 0;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		const char *name;
		struct fsym *f;
		Elf_Scn *tscn;
		int type;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name || !*name || (glob && fnmatch(glob, name, 0)))
			continue;
		if (fs->n == fs->cap) {
			size_t cap = fs->cap ? fs->cap * 2 : 256;

			f = realloc(fs->v, cap * sizeof(*f));
			if (!f)
				return -ENOMEM;
			fs->v = f;
			fs->cap = cap;
		}
		f = &fs->v[fs->n++];
		f->name = name;
		f->value = sym.st_value;
		f->size = sym.st_size;
		f->ifunc = type == STT_GNU_IFUNC;
		if (rel) {	/* an object file: the value is an offset in its section */
			tscn = sym.st_shndx < SHN_LORESERVE ? elf_getscn(elf, sym.st_shndx) : NULL;
			f->has_offset = tscn && gelf_getshdr(tscn, &tsh) &&
					tsh.sh_type != SHT_NOBITS;
			f->offset = f->has_offset ? tsh.sh_offset + sym.st_value : 0;
		} else {
			f->has_offset = surf_elf_vaddr_to_offset(elf, sym.st_value, &f->offset) == 0;
		}
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct fsym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->value < y->value ? -1 : x->value > y->value;
}

int surf_elf__print_symbols(const char *path, const char *glob, FILE *out)
{
	struct fsyms fs = { 0 };
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	int fd, ret = 0, width = 0, count = 0;
	Elf *elf;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		ret = -ENOEXEC;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn)) && !ret) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) &&
		    (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM))
			ret = collect(elf, scn, glob, eh.e_type == ET_REL, &fs);
	}
	if (ret)
		goto out;
	if (fs.n)
		qsort(fs.v, fs.n, sizeof(*fs.v), by_name);
	for (size_t i = 0; i < fs.n; i++) {
		int w = (int)strlen(fs.v[i].name);

		if (w > width)
			width = w < 48 ? w : 48;
	}
	for (size_t i = 0; i < fs.n; i++) {
		const struct fsym *f = &fs.v[i];
		char off[24];

		if (i && !by_name(f, f - 1))
			continue;	/* the same function in .symtab and .dynsym */
		if (f->has_offset)
			snprintf(off, sizeof(off), "0x%" PRIx64, f->offset);
		else
			snprintf(off, sizeof(off), "-");
		fprintf(out, "%-*s  %-10s  %6" PRIu64 "%s\n", width, f->name, off, f->size,
			f->ifunc ? "  ifunc" : "");
		count++;
	}
	ret = count;
out:
	free(fs.v);
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

// SPDX-License-Identifier: MIT
/*
 * Uprobe points: the file behind a binary name and the file offset of a
 * function symbol.  The offset is the symbol's address moved through the
 * PT_LOAD segment that holds it (value - p_vaddr + p_offset): right for PIE,
 * non-PIE and -z separate-code layouts alike, where "value - first executable
 * p_vaddr" (the original tool's formula) is not.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <surf/elf.h>

#include "sys/util.h"

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int absolute(const char *in, char *path, size_t len)
{
	char buf[PATH_MAX];

	if (!realpath(in, buf))
		return -errno;
	snprintf(path, len, "%s", buf);
	return 0;
}

static int find_on_path(const char *bin, char *path, size_t len)
{
	const char *env = getenv("PATH");
	char dirs[4096], cand[PATH_MAX], *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s", env ? env : "/usr/local/bin:/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(cand, sizeof(cand), "%s/%s", d, bin);
		if (is_file(cand) && access(cand, X_OK) == 0)
			return absolute(cand, path, len);
	}
	return -ENOENT;
}

/* "libc" matches "libc.so.6" and "libc-2.36.so", not "libcap.so.2". */
static bool lib_matches(const char *name, const char *bin)
{
	size_t n = strlen(bin);

	if (strncmp(name, bin, n))
		return false;
	return !strncmp(name + n, ".so", 3) || name[n] == '-' || (!name[n]);
}

static int find_in_maps(const char *bin, int pid, char *path, size_t len)
{
	char maps[64], line[PATH_MAX + 256];
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "re");
	if (!f)
		return -ESRCH;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/'), *base;

		if (!p)
			continue;
		p[strcspn(p, "\n")] = '\0';
		base = strrchr(p, '/') + 1;
		if (lib_matches(base, bin)) {
			snprintf(path, len, "%s", p);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -ENOENT;
}

/* The dynamic linker's cache, through ldconfig -p (its format is not stable). */
static int find_in_ld_cache(const char *bin, char *path, size_t len)
{
	char line[PATH_MAX + 256];
	int ret = -ENOENT;
	FILE *f = popen("/sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *name = line, *arrow = strstr(line, " => ");

		while (*name == ' ' || *name == '\t')
			name++;
		if (!arrow || !lib_matches(name, bin))
			continue;
		/* Prefer this machine's word size: the first entry usually is. */
		arrow += 4;
		arrow[strcspn(arrow, "\n")] = '\0';
		if (ret == -ENOENT || strstr(line, "x86-64") || strstr(line, "AArch64")) {
			ret = absolute(arrow, path, len);
			if (ret == 0 && (strstr(line, "x86-64") || strstr(line, "AArch64")))
				break;
		}
	}
	pclose(f);
	return ret;
}

int surf_elf__find_binary(const char *bin, int pid, char *path, size_t len)
{
	if (strchr(bin, '/'))
		return is_file(bin) ? absolute(bin, path, len) : -ENOENT;
	if (is_file(bin))
		return absolute(bin, path, len);
	if (find_on_path(bin, path, len) == 0)
		return 0;
	if (pid > 0 && find_in_maps(bin, pid, path, len) == 0)
		return 0;
	return find_in_ld_cache(bin, path, len);
}

struct sym_search {
	const char *want;
	bool found, ifunc;
	GElf_Sym sym;
	char near[128];
	size_t near_dist;
};

static void scan_symtab(Elf *elf, Elf_Scn *scn, struct sym_search *s)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	GElf_Shdr sh;
	GElf_Sym sym;

	if (!data || !gelf_getshdr(scn, &sh) || !sh.sh_entsize)
		return;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		const char *name;
		int type;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name)
			continue;
		if (!strcmp(name, s->want) ||
		    (!strncmp(name, s->want, strlen(s->want)) && name[strlen(s->want)] == '@')) {
			s->found = true;
			s->ifunc = type == STT_GNU_IFUNC;
			s->sym = sym;
			return;
		}
		if (strlen(name) + 3 >= strlen(s->want) && strlen(name) <= strlen(s->want) + 3) {
			size_t d = surf_edit_distance(s->want, name);

			if (d < s->near_dist) {
				s->near_dist = d;
				snprintf(s->near, sizeof(s->near), "%s", name);
			}
		}
	}
}

static int vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t *offset)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz) {
			*offset = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ERANGE;
}

int surf_elf__symbol_offset(const char *path, const char *symbol, uint64_t *offset,
			    char *errbuf, size_t errlen)
{
	struct sym_search s = { .want = symbol, .near_dist = SIZE_MAX };
	Elf_Scn *scn = NULL;
	int fd, ret;
	Elf *elf;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		snprintf(errbuf, errlen, "%s is not an ELF file", path);
		ret = -ENOEXEC;
		goto out;
	}
	/* .symtab first (it has static functions too), then .dynsym. */
	for (int pass = 0; pass < 2 && !s.found; pass++) {
		scn = NULL;
		while ((scn = elf_nextscn(elf, scn)) && !s.found) {
			GElf_Shdr sh;

			if (gelf_getshdr(scn, &sh) &&
			    sh.sh_type == (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM))
				scan_symtab(elf, scn, &s);
		}
	}
	if (!s.found) {
		size_t limit = strlen(symbol) / 3 + 1;

		if (s.near[0] && s.near_dist <= (limit < 2 ? 2 : limit))
			snprintf(errbuf, errlen, "no function '%s' in %s (did you mean '%s'?)",
				 symbol, path, s.near);
		else
			snprintf(errbuf, errlen, "no function '%s' in %s", symbol, path);
		ret = -ENOENT;
		goto out;
	}
	if (s.ifunc) {
		snprintf(errbuf, errlen, "'%s' in %s is an IFUNC (its implementation is chosen at "
			 "run time): probe the implementation, e.g. __%s_avx2", symbol, path, symbol);
		ret = -EOPNOTSUPP;
		goto out;
	}
	ret = vaddr_to_offset(elf, s.sym.st_value, offset);
	if (ret)
		snprintf(errbuf, errlen, "'%s' in %s is in no loadable segment", symbol, path);
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

// SPDX-License-Identifier: MIT
/*
 * The kernel's types for surftrace: from -d FILE, -v VMLINUX, the kernel's
 * own BTF, or the type database (-d DIR, then SURF_BTF_DB_DIRS); and
 * --gen-btf, which fills that database from what distributions ship.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <surf/tracefs.h>
#include <surf/types.h>

#include "common.h"
#include "kernel_types.h"

extern char **environ;

/* -d DIR first, then the default directories. */
static const char *db_dirs(const char *dir, char *buf, size_t len)
{
	if (!dir)
		return SURF_BTF_DB_DIRS;
	snprintf(buf, len, "%s:%s", dir, SURF_BTF_DB_DIRS);
	return buf;
}

int cmd_open_kernel_types(const struct cmd_types_opts *o, FILE *err, struct surf_types **types)
{
	char dirs[PATH_MAX + 64];
	struct surf_types_opts topts = {
		.sz = sizeof(topts), .btf_path = o->btf_path, .vmlinux_path = o->vmlinux_path,
		.cache_dir = cmd_cache_dir(), .btf_db_dirs = db_dirs(o->db_dir, dirs, sizeof(dirs)),
		.module_paths = o->module_paths,
	};
	char looked[2048], found[PATH_MAX], image[PATH_MAX];
	struct utsname u;
	int ret = surf_types__open(types, &topts);

	if (!ret)
		return 0;
	if (o->btf_path || o->vmlinux_path) {
		char why[128];

		/* libbpf's own codes too (4001: not an ELF or BTF file) */
		libbpf_strerror(ret, why, sizeof(why));
		fprintf(err, "%s: cannot load kernel types from %s: %s\n", o->prog,
			o->btf_path ? o->btf_path : o->vmlinux_path, why);
		return EXIT_BAD_INPUT;	/* a file the user named is bad input */
	}
	if (ret != -ENOENT || !access("/sys/kernel/btf/vmlinux", F_OK) ||
	    surf_btf_db__find(topts.btf_db_dirs, NULL, found, sizeof(found), looked,
			      sizeof(looked)) != -ENOENT) {
		fprintf(err, "%s: cannot load kernel types from /sys/kernel/btf/vmlinux: %s\n",
			o->prog, strerror(-ret));
		return EXIT_SYSTEM;
	}
	uname(&u);
	snprintf(image, sizeof(image), "/boot/vmlinuz-%s", u.release);
	fprintf(err, "%s: %s, and the type database has no file for its release %s (looked "
		"for %s).\n"
		"  Make one from the kernel's image or a vmlinux with debug info:\n"
		"    surftrace --gen-btf %s /var/lib/surftrace/btf/%s.btf\n"
		"  (see TYPE DATABASE in surftrace(1)), or pass -d FILE or -v VMLINUX.\n",
		o->prog, surf_kernel__missing(SURF_FEATURE_BTF), u.release, looked,
		access(image, R_OK) ? "VMLINUX" : image, u.release);
	return EXIT_SYSTEM;
}

/* The section names of an ELF file: whether it has each of the three. */
static int elf_sections(const char *path, bool *dwarf, bool *modinfo, char *modname, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	*dwarf = *modinfo = false;
	*modname = 0;
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx)) {
		if (elf)
			elf_end(elf);
		close(fd);
		return -ENOEXEC;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (!strcmp(name, ".debug_info"))
			*dwarf = true;
		if (strcmp(name, ".modinfo"))
			continue;
		*modinfo = true;
		/* "name=NAME\0" among the module's key=value strings */
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < d->d_size; i += strlen((char *)d->d_buf + i) + 1)
			if (!strncmp((char *)d->d_buf + i, "name=", 5))
				snprintf(modname, len, "%s", (char *)d->d_buf + i + 5);
	}
	elf_end(elf);
	close(fd);
	return 0;
}

/* pahole (Debian's dwarves) turns DWARF into BTF; 0 or its failure said. */
static int run_pahole(const char *prog, const char *src, const char *base, const char *out)
{
	char enc[PATH_MAX + 32], bas[PATH_MAX + 16];
	char *argv[6];
	int n = 0, status;
	pid_t pid;

	snprintf(enc, sizeof(enc), "--btf_encode_detached=%s", out);
	argv[n++] = "pahole";
	argv[n++] = enc;
	if (base) {
		snprintf(bas, sizeof(bas), "--btf_base=%s", base);
		argv[n++] = bas;
	}
	argv[n++] = (char *)src;
	argv[n] = NULL;
	if (posix_spawnp(&pid, "pahole", NULL, NULL, argv, environ)) {
		fprintf(stderr, "%s: %s has DWARF but no BTF, and pahole, which makes BTF of "
			"DWARF, is not installed (Debian: apt install dwarves)\n", prog, src);
		return EXIT_SYSTEM;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "%s: pahole failed to make BTF of %s\n", prog, src);
		return EXIT_SYSTEM;
	}
	return 0;
}

static int write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	if (fwrite(data, 1, size, f) != size || fclose(f))
		return -EIO;
	return 0;
}

/* The module's base: -d FILE, the kernel's own BTF, or the database's file for it. */
static const char *module_base(const struct cmd_types_opts *o, char *buf, size_t len)
{
	char dirs[PATH_MAX + 64];

	if (o->btf_path)
		return o->btf_path;
	if (o->vmlinux_path)
		return o->vmlinux_path;
	if (!access("/sys/kernel/btf/vmlinux", R_OK))
		return "/sys/kernel/btf/vmlinux";
	if (!surf_btf_db__find(db_dirs(o->db_dir, dirs, sizeof(dirs)), NULL, buf, len, NULL, 0))
		return buf;
	return NULL;
}

/*
 * What was written must load as surftrace will load it (over base, for a
 * module); then say what it holds.  name: the kernel release or module.
 */
static int check_output(const struct cmd_types_opts *o, const char *out, const char *base,
			const char *name, const char *src)
{
	struct btf *b = base ? btf__parse(base, NULL) : NULL;
	struct btf *check = !base ? btf__parse(out, NULL) : b ? btf__parse_split(out, b) : NULL;

	if (!check) {
		btf__free(b);
		fprintf(stderr, "%s: --gen-btf: %s (from %s) does not load as BTF\n", o->prog, out,
			src);
		return EXIT_SYSTEM;
	}
	if (base)
		printf("%s: %u types (split BTF over %s) for module %s\n", out,
		       btf__type_cnt(check) - btf__type_cnt(b), base, name);
	else
		printf("%s: %u types%s%s\n", out, btf__type_cnt(check) - 1,
		       *name ? " for kernel " : "", name);
	btf__free(check);
	btf__free(b);
	return 0;
}

/* A module: split BTF over its kernel's, made of its DWARF by pahole. */
static int gen_module_btf(const struct cmd_types_opts *o, const char *src, const char *out,
			  const char *modname)
{
	char name[PATH_MAX], base_buf[PATH_MAX];
	const char *base = module_base(o, base_buf, sizeof(base_buf));
	int ret;

	if (!base) {
		fprintf(stderr, "%s: --gen-btf: a module's BTF extends its kernel's: this "
			"kernel has none; give it with -d FILE\n", o->prog);
		return EXIT_BAD_INPUT;
	}
	if (!out) {
		snprintf(name, sizeof(name), "%s.btf", *modname ? modname : "module");
		out = name;
	}
	ret = run_pahole(o->prog, src, base, out);
	return ret ? ret : check_output(o, out, base, *modname ? modname : src, src);
}

int cmd_gen_btf(const struct cmd_types_opts *o, const char *src, const char *out)
{
	char release[256], name[PATH_MAX], modname[256];
	bool dwarf, modinfo;
	void *btf = NULL;
	size_t size = 0;
	int ret;

	if (access(src, R_OK)) {
		fprintf(stderr, "%s: --gen-btf: cannot read %s: %s\n", o->prog, src, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	ret = elf_sections(src, &dwarf, &modinfo, modname, sizeof(modname));
	if (!ret && modinfo && dwarf)
		return gen_module_btf(o, src, out, modname);
	ret = cmd_btf_extract(src, &btf, &size, release, sizeof(release));
	if (ret && !(ret == -ENOENT && dwarf)) {
		fprintf(stderr, "%s: --gen-btf: %s: %s\n", o->prog, src, ret == -ENOENT ?
			"no BTF in it, and no DWARF to make it of (a kernel image of a kernel "
			"built without CONFIG_DEBUG_INFO_BTF: use its vmlinux with debug info, "
			"from the distribution's debug package)" : strerror(-ret));
		return ret == -ENOENT ? EXIT_BAD_INPUT : EXIT_SYSTEM;
	}
	if (!out && !*release) {
		free(btf);
		fprintf(stderr, "%s: --gen-btf: %s names no kernel release: give the output "
			"file\n", o->prog, src);
		return EXIT_BAD_INPUT;
	}
	if (!out) {
		snprintf(name, sizeof(name), "%s.btf", release);
		out = name;
	}
	if (ret) {
		/* no BTF in it, but DWARF: pahole encodes it */
		ret = run_pahole(o->prog, src, NULL, out);
	} else {
		ret = write_file(out, btf, size);
		free(btf);
		if (ret)
			fprintf(stderr, "%s: --gen-btf: cannot write %s: %s\n", o->prog, out,
				strerror(-ret));
		ret = ret ? EXIT_SYSTEM : 0;
	}
	return ret ? ret : check_output(o, out, NULL, release, src);
}

// SPDX-License-Identifier: MIT
/*
 * Separate debug information: where the symbols and DWARF of a stripped
 * binary went.  Three places, as GDB and the distributions have them:
 *
 *   build-id      the NT_GNU_BUILD_ID note names the file:
 *                 /usr/lib/debug/.build-id/ab/cdef....debug (Debian's -dbg
 *                 and -dbgsym packages, Fedora's -debuginfo).
 *   debuglink     the .gnu_debuglink section holds a file name and the CRC32
 *                 of that file: objcopy --add-gnu-debuglink.
 *   debugdata     the .gnu_debugdata section is an xz-compressed ELF that
 *                 holds a .symtab of the functions only (Fedora's
 *                 MiniDebugInfo); it is decompressed into memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "elf/debuginfo.h"

#define MAX_BUILD_ID		64
/* A MiniDebugInfo is a few hundred KiB: refuse to inflate anything huge. */
#define MAX_MINIDEBUG		(256u << 20)

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID		3
#endif

/* <root> without its trailing slashes: "" by default. */
static void debug_root(char *buf, size_t len)
{
	const char *env = getenv(SURF_DEBUG_ROOT_ENV);
	size_t n;

	snprintf(buf, len, "%s", env ? env : "");
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '/')
		buf[--n] = '\0';
}

static int note_build_id(Elf_Data *data, unsigned char *id, size_t max, size_t *len)
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;

	while (off < data->d_size &&
	       (next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const char *name = (const char *)data->d_buf + name_off;

		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && !memcmp(name, "GNU", 4) &&
		    nh.n_descsz > 0 && nh.n_descsz <= max) {
			memcpy(id, (const char *)data->d_buf + desc_off, nh.n_descsz);
			*len = nh.n_descsz;
			return 0;
		}
		off = next;
	}
	return -ENODATA;
}

int surf_debuginfo_build_id(Elf *elf, unsigned char *id, size_t max, size_t *len)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Phdr ph;
	size_t n;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (data && note_build_id(data, id, max, len) == 0)
			return 0;
	}
	/* A file without section headers still has its PT_NOTE segments. */
	if (elf_getphdrnum(elf, &n))
		return -ENODATA;
	for (size_t i = 0; i < n; i++) {
		Elf_Data *data;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		data = elf_getdata_rawchunk(elf, ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		if (data && note_build_id(data, id, max, len) == 0)
			return 0;
	}
	return -ENODATA;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static bool is_regular(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* An ELF file whose build-id, if it has one, is id. */
static bool build_id_matches(const char *path, const unsigned char *id, size_t len)
{
	unsigned char got[MAX_BUILD_ID];
	size_t got_len = 0;
	bool ok = false;
	int fd, ret;
	Elf *elf;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF) {
		ret = surf_debuginfo_build_id(elf, got, sizeof(got), &got_len);
		ok = ret == -ENODATA || (got_len == len && !memcmp(got, id, len));
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return ok;
}

static int by_build_id(Elf *elf, const char *binary, char *out, size_t len)
{
	unsigned char id[MAX_BUILD_ID];
	char root[PATH_MAX], hex[2 * MAX_BUILD_ID + 1], path[PATH_MAX];
	size_t n;
	int w;

	if (surf_debuginfo_build_id(elf, id, sizeof(id), &n) || n < 2)
		return -ENOENT;
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	debug_root(root, sizeof(root));
	w = snprintf(path, sizeof(path), "%s/usr/lib/debug/.build-id/%.2s/%s.debug", root, hex,
		     hex + 2);
	if (w < 0 || (size_t)w >= sizeof(path))
		return -ENAMETOOLONG;
	if (!is_regular(path) || same_file(path, binary) || !build_id_matches(path, id, n))
		return -ENOENT;
	if ((size_t)snprintf(out, len, "%s", path) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* The name and CRC32 in .gnu_debuglink: -ENOENT when there is none. */
static int debuglink(Elf *elf, const char **name, uint32_t *crc)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	size_t shstrndx, n, off;
	GElf_Shdr sh;

	if (!gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx))
		return -ENOENT;
	while ((scn = elf_nextscn(elf, scn))) {
		const unsigned char *p;
		const char *sname;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		sname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!sname || strcmp(sname, ".gnu_debuglink"))
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			return -ENOENT;
		p = data->d_buf;
		n = strnlen((const char *)p, data->d_size);
		off = (n + 4) & ~(size_t)3;	/* the name, its NUL, padding to 4 */
		if (n == 0 || off + 4 > data->d_size)
			return -ENOENT;
		if (eh.e_ident[EI_DATA] == ELFDATA2MSB)
			*crc = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 |
			       (uint32_t)p[off + 2] << 8 | p[off + 3];
		else
			*crc = (uint32_t)p[off + 3] << 24 | (uint32_t)p[off + 2] << 16 |
			       (uint32_t)p[off + 1] << 8 | p[off];
		*name = (const char *)p;
		return 0;
	}
	return -ENOENT;
}

/* The CRC32 of a whole file, as objcopy --add-gnu-debuglink computes it. */
static int file_crc(const char *path, uint32_t *crc)
{
	unsigned char buf[65536];
	uLong c = crc32(0L, Z_NULL, 0);
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		c = crc32(c, buf, (uInt)n);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	*crc = (uint32_t)c;
	return 0;
}

static int try_link(const char *path, const char *binary, uint32_t crc, char *out, size_t len)
{
	uint32_t got;

	if (!is_regular(path) || same_file(path, binary) || file_crc(path, &got) || got != crc)
		return -ENOENT;
	if ((size_t)snprintf(out, len, "%s", path) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int link_in_dir(const char *dir, const char *root, const char *name, uint32_t crc,
		       const char *binary, char *out, size_t len)
{
	char path[PATH_MAX];

	for (int i = 0; i < 3; i++) {
		int w;

		if (i == 0)
			w = snprintf(path, sizeof(path), "%s/%s", dir, name);
		else if (i == 1)
			w = snprintf(path, sizeof(path), "%s/.debug/%s", dir, name);
		else
			w = snprintf(path, sizeof(path), "%s/usr/lib/debug%s/%s", root, dir, name);
		if (w < 0 || (size_t)w >= sizeof(path))
			continue;
		if (try_link(path, binary, crc, out, len) == 0)
			return 0;
	}
	return -ENOENT;
}

static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "%s", "");	/* "/prog": the root directory */
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

static int by_debuglink(Elf *elf, const char *binary, char *out, size_t len)
{
	char root[PATH_MAX], real[PATH_MAX], dir[PATH_MAX], given[PATH_MAX];
	const char *name;
	uint32_t crc;

	if (debuglink(elf, &name, &crc))
		return -ENOENT;
	debug_root(root, sizeof(root));
	if (!realpath(binary, real))
		snprintf(real, sizeof(real), "%s", binary);
	dir_of(real, dir, sizeof(dir));
	if (link_in_dir(dir, root, name, crc, binary, out, len) == 0)
		return 0;
	/* The directory the user named, when a symlink led elsewhere. */
	dir_of(binary, given, sizeof(given));
	if (strcmp(given, dir) && given[0] == '/' &&
	    link_in_dir(given, root, name, crc, binary, out, len) == 0)
		return 0;
	return -ENOENT;
}

int surf_debuginfo_find_elf(Elf *elf, const char *binary, char *out, size_t len)
{
	if (!elf || !binary || !out || !len)
		return -EINVAL;
	if (by_build_id(elf, binary, out, len) == 0)
		return 0;
	return by_debuglink(elf, binary, out, len);
}

int surf_debuginfo_find(const char *binary, char *out, size_t len)
{
	int fd, ret;
	Elf *elf;

	if (!binary || !out || !len)
		return -EINVAL;
	elf_version(EV_CURRENT);
	fd = open(binary, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		ret = -ENOEXEC;
	else
		ret = surf_debuginfo_find_elf(elf, binary, out, len);
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

static Elf_Data *section_named(Elf *elf, const char *want)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, want))
			return elf_getdata(scn, NULL);
	}
	return NULL;
}

/* Inflate an xz stream (or several back to back) into a malloc'ed buffer. */
static int unxz(const void *in, size_t in_len, unsigned char **out, size_t *out_len)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	size_t cap = in_len * 4 + 4096;
	unsigned char *buf, *grown;
	lzma_ret lr;
	int ret = 0;

	if (lzma_stream_decoder(&strm, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
		return -ENOMEM;
	buf = malloc(cap);
	if (!buf) {
		lzma_end(&strm);
		return -ENOMEM;
	}
	strm.next_in = in;
	strm.avail_in = in_len;
	strm.next_out = buf;
	strm.avail_out = cap;
	for (;;) {
		lr = lzma_code(&strm, LZMA_FINISH);
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_MEM_ERROR) {
			ret = -ENOMEM;
			break;
		}
		if (lr != LZMA_OK) {
			ret = -EBADMSG;
			break;
		}
		if (strm.avail_out)
			continue;
		if (cap >= MAX_MINIDEBUG) {
			ret = -EFBIG;
			break;
		}
		grown = realloc(buf, cap * 2);
		if (!grown) {
			ret = -ENOMEM;
			break;
		}
		buf = grown;
		strm.next_out = buf + cap;
		strm.avail_out = cap;
		cap *= 2;
	}
	*out_len = strm.total_out;
	lzma_end(&strm);
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	return 0;
}

int surf_debuginfo_minidebug(Elf *elf, struct surf_minidebug *out)
{
	unsigned char *image;
	Elf_Data *data;
	size_t size;
	Elf *mini;
	int ret;

	if (!elf || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	data = section_named(elf, ".gnu_debugdata");
	if (!data || !data->d_buf || !data->d_size)
		return -ENODATA;
	ret = unxz(data->d_buf, data->d_size, &image, &size);
	if (ret)
		return ret;
	mini = elf_memory((char *)image, size);
	if (!mini || elf_kind(mini) != ELF_K_ELF) {
		if (mini)
			elf_end(mini);
		free(image);
		return -EBADMSG;
	}
	out->elf = mini;
	out->image = image;
	out->size = size;
	return 0;
}

void surf_debuginfo_minidebug_free(struct surf_minidebug *md)
{
	if (!md)
		return;
	if (md->elf)
		elf_end(md->elf);
	free(md->image);
	memset(md, 0, sizeof(*md));
}

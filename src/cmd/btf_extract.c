// SPDX-License-Identifier: MIT
/*
 * surftrace --gen-btf's reading of kernels: the BTF of a vmlinux (its .BTF
 * section) or of a kernel image, decompressed first when it is a bzImage
 * or vmlinuz (gzip, xz, bzip2, LZ4 legacy, zstd: the kernel's own
 * compressors), searched for the blob when it is a raw Image (arm64).
 * Kept in the program, not in libsurf: the decompressors are five more
 * libraries that an embedding program has no use for.
 */
#include <bzlib.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <lz4.h>
#include <lzma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include <bpf/btf.h>

#include "kernel_types.h"

#define BTF_MAGIC_LE 0xeB9F
/* A decompressed kernel is tens of MiB; more is not a kernel. */
#define MAX_IMAGE (1024ul << 20)

/* The whole file in memory (malloc'ed), or NULL and errno. */
static unsigned char *read_whole(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	unsigned char *data = NULL;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) || st.st_size <= 0 || (uint64_t)st.st_size > MAX_IMAGE) {
		errno = st.st_size <= 0 ? ENODATA : EFBIG;
	} else if ((data = malloc((size_t)st.st_size)) &&
		   fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(data);
		data = NULL;
		errno = EIO;
	}
	fclose(f);
	*size = data ? (size_t)st.st_size : 0;
	return data;
}

/* The release a kernel names itself by: "Linux version RELEASE (...". */
static void find_release(const unsigned char *data, size_t size, char *release, size_t len)
{
	static const char banner[] = "Linux version ";
	const unsigned char *p = data, *e = data + size;

	while ((p = memmem(p, (size_t)(e - p), banner, sizeof(banner) - 1))) {
		const unsigned char *r = p + sizeof(banner) - 1, *q = r;

		while (q < e && q - r < 200 && *q > ' ' && *q < 127)
			q++;
		/* "Linux version %s" in a format string is not a banner */
		if (q > r && q < e && *q == ' ' && *r >= '0' && *r <= '9') {
			snprintf(release, len, "%.*s", (int)(q - r), (const char *)r);
			return;
		}
		p = r;
	}
}

/* The .BTF section of an ELF in memory: 0 and a copy, -ENOENT without one. */
static int elf_btf(const void *data, size_t size, void **out, size_t *out_size)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int ret = -ENOENT;

	if (size < 4 || memcmp(data, ELFMAG, SELFMAG))
		return -ENOENT;
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)data, size);
	if (!elf)
		return -ENOEXEC;
	if (elf_getshdrstrndx(elf, &shstrndx)) {
		elf_end(elf);
		return -ENOEXEC;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".BTF"))
			continue;
		d = elf_rawdata(scn, NULL);
		if (!d || !d->d_size || sh.sh_type == SHT_NOBITS)
			break;
		*out = malloc(d->d_size);
		if (!*out) {
			ret = -ENOMEM;
			break;
		}
		memcpy(*out, d->d_buf, d->d_size);
		*out_size = d->d_size;
		ret = 0;
		break;
	}
	elf_end(elf);
	return ret;
}

/*
 * A raw image (arm64's Image, a decompressed x86 payload without sections):
 * the BTF blob between __start_BTF and __stop_BTF, found by its header and
 * checked by libbpf.  The largest valid one is vmlinux's.
 */
static int raw_btf(const unsigned char *data, size_t size, void **out, size_t *out_size)
{
	size_t best = 0, best_size = 0;

	for (size_t off = 0; off + 24 <= size; off += 4) {
		uint32_t hdr_len, type_off, type_len, str_off, str_len;
		uint64_t total;
		struct btf *btf;

		if (data[off] != (BTF_MAGIC_LE & 0xff) || data[off + 1] != (BTF_MAGIC_LE >> 8) ||
		    data[off + 2] != 1 || data[off + 3] != 0)
			continue;
		memcpy(&hdr_len, data + off + 4, 4);
		memcpy(&type_off, data + off + 8, 4);
		memcpy(&type_len, data + off + 12, 4);
		memcpy(&str_off, data + off + 16, 4);
		memcpy(&str_len, data + off + 20, 4);
		total = (uint64_t)hdr_len + str_off + str_len;
		if (hdr_len != 24 || type_off || str_off < type_len || total > size - off ||
		    total <= best_size)
			continue;
		btf = btf__new(data + off, (uint32_t)total);
		if (!btf)
			continue;
		btf__free(btf);
		best = off;
		best_size = (size_t)total;
	}
	if (!best_size)
		return -ENOENT;
	*out = malloc(best_size);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, data + best, best_size);
	*out_size = best_size;
	return 0;
}

/* Growing output buffer for the decompressors. */
struct outbuf {
	unsigned char *p;
	size_t len, cap;
};

static int out_reserve(struct outbuf *o, size_t more)
{
	size_t cap = o->cap ? o->cap : 64ul << 20;
	unsigned char *p;

	if (o->len + more <= o->cap)
		return 0;
	while (cap < o->len + more)
		cap *= 2;
	if (cap > MAX_IMAGE)
		return -EFBIG;
	p = realloc(o->p, cap);
	if (!p)
		return -ENOMEM;
	o->p = p;
	o->cap = cap;
	return 0;
}

static int gunzip(const unsigned char *in, size_t len, struct outbuf *o)
{
	z_stream z = { 0 };
	int zr = Z_OK, ret = 0;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
	while (zr == Z_OK && !(ret = out_reserve(o, 1 << 20))) {
		z.next_out = o->p + o->len;
		z.avail_out = (uInt)(o->cap - o->len);
		zr = inflate(&z, Z_NO_FLUSH);
		o->len = o->cap - z.avail_out;
	}
	inflateEnd(&z);
	/* trailing data after the stream (the image's tail) is fine */
	return ret ? ret : zr == Z_STREAM_END || o->len ? 0 : -EBADMSG;
}

static int unxz(const unsigned char *in, size_t len, struct outbuf *o)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret lr = LZMA_OK;
	int ret = 0;

	if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
		return -ENOMEM;
	s.next_in = in;
	s.avail_in = len;
	while (lr == LZMA_OK && !(ret = out_reserve(o, 1 << 20))) {
		s.next_out = o->p + o->len;
		s.avail_out = o->cap - o->len;
		lr = lzma_code(&s, LZMA_FINISH);
		o->len = o->cap - s.avail_out;
	}
	lzma_end(&s);
	return ret ? ret : lr == LZMA_STREAM_END || o->len ? 0 : -EBADMSG;
}

static int bunzip(const unsigned char *in, size_t len, struct outbuf *o)
{
	bz_stream b = { 0 };
	int br = BZ_OK, ret = 0;

	if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK)
		return -ENOMEM;
	b.next_in = (char *)in;
	b.avail_in = (unsigned int)(len > UINT32_MAX ? UINT32_MAX : len);
	while (br == BZ_OK && !(ret = out_reserve(o, 1 << 20))) {
		b.next_out = (char *)o->p + o->len;
		b.avail_out = (unsigned int)(o->cap - o->len > UINT32_MAX ? UINT32_MAX :
					     o->cap - o->len);
		unsigned int before = b.avail_out;

		br = BZ2_bzDecompress(&b);
		o->len += before - b.avail_out;
	}
	BZ2_bzDecompressEnd(&b);
	return ret ? ret : br == BZ_STREAM_END || o->len ? 0 : -EBADMSG;
}

/*
 * The kernel's LZ4 is the legacy frame (lz4 -l): a magic, then blocks of a
 * 32-bit compressed size and at most 8 MiB of output each; liblz4's frame
 * API does not read it, its block decoder does.
 */
static int unlz4_legacy(const unsigned char *in, size_t len, struct outbuf *o)
{
	size_t pos = 4;
	int ret;

	while (pos + 4 <= len) {
		uint32_t csize;
		int n;

		memcpy(&csize, in + pos, 4);
		if (csize == 0x184C2102) {	/* another frame's magic */
			pos += 4;
			continue;
		}
		pos += 4;
		if (!csize || csize > len - pos || csize > (uint32_t)LZ4_compressBound(8 << 20))
			break;		/* the end: the image's tail follows */
		ret = out_reserve(o, 8 << 20);
		if (ret)
			return ret;
		n = LZ4_decompress_safe((const char *)in + pos, (char *)o->p + o->len, (int)csize,
					8 << 20);
		if (n < 0)
			break;
		o->len += (size_t)n;
		pos += csize;
	}
	return o->len ? 0 : -EBADMSG;
}

static int unzstd(const unsigned char *in, size_t len, struct outbuf *o)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, len, 0 };
	size_t zr = 1;
	int ret = 0;

	if (!z)
		return -ENOMEM;
	ZSTD_initDStream(z);
	while (zr && !ZSTD_isError(zr) && ib.pos < ib.size && !(ret = out_reserve(o, 1 << 20))) {
		ZSTD_outBuffer ob = { o->p, o->cap, o->len };

		zr = ZSTD_decompressStream(z, &ob, &ib);
		o->len = ob.pos;
	}
	ZSTD_freeDStream(z);
	return ret ? ret : o->len ? 0 : -EBADMSG;
}

static const struct {
	const char *name;
	const unsigned char magic[6];
	size_t len;
	int (*decompress)(const unsigned char *in, size_t len, struct outbuf *o);
} compressors[] = {
	{ "gzip", { 0x1f, 0x8b, 0x08 }, 3, gunzip },
	{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, unxz },
	{ "bzip2", { 'B', 'Z', 'h' }, 3, bunzip },
	{ "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4, unlz4_legacy },
	{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, unzstd },
};

static int find_btf(const unsigned char *data, size_t size, void **out, size_t *out_size,
		    char *release, size_t rlen, int depth)
{
	int ret = elf_btf(data, size, out, out_size);

	if (ret == -ENOENT)
		ret = raw_btf(data, size, out, out_size);
	if (ret == 0) {
		if (release && !*release)
			find_release(data, size, release, rlen);
		return 0;
	}
	if (ret != -ENOENT || depth)
		return ret;
	/* A compressed kernel: its payload starts at one of these magics. */
	for (size_t c = 0; c < sizeof(compressors) / sizeof(compressors[0]); c++) {
		const unsigned char *p = data, *e = data + size;
		int tries = 0;

		while (tries++ < 16 &&
		       (p = memmem(p, (size_t)(e - p), compressors[c].magic, compressors[c].len))) {
			struct outbuf o = { 0 };

			if (!compressors[c].decompress(p, (size_t)(e - p), &o) && o.len > (1 << 20)) {
				if (release && !*release)
					find_release(o.p, o.len, release, rlen);
				ret = find_btf(o.p, o.len, out, out_size, release, rlen, depth + 1);
				free(o.p);
				if (ret != -ENOENT)
					return ret;
			} else {
				free(o.p);
			}
			p++;
		}
	}
	return -ENOENT;
}

int cmd_btf_extract(const char *image, void **btf, size_t *size, char *release,
		    size_t release_len)
{
	size_t len;
	unsigned char *data = read_whole(image, &len);
	int ret;

	if (!data)
		return -errno;
	if (release && release_len) {
		*release = 0;
		find_release(data, len, release, release_len);
	}
	ret = find_btf(data, len, btf, size, release, release_len, 0);
	free(data);
	return ret;
}

// SPDX-License-Identifier: MIT
/*
 * J's CLASS::METHOD patterns matched in BPF, so that the JVM's other method
 * events never reach a ring buffer or a map.  HotSpot passes each name as
 * (pointer, length) without a NUL: a pattern is checked on the length
 * first, then only the bytes it needs are read, never past the name's end:
 *
 *	"square"	length == 6, then the 6 bytes
 *	"handle*"	length >= 6, then the first 6 bytes
 *	"*Test"		length >= 4, then the last 4 bytes (at pointer + length - 4)
 *	"com.*.Foo*X"	the text before the first '*' and after the last one here;
 *			what lies between is for fnmatch in user space (not exact)
 *
 * '?' is any byte.  A class pattern's '.' is HotSpot's '/' ("java/lang/Thread").
 */
#include <errno.h>
#include <string.h>

#include "gen/fetch.h"
#include "gen/gen.h"
#include "gen/java.h"

static int literal(const char *s, size_t n, char *out, int *len)
{
	if (n > GEN_JAVA_MAX_LITERAL)
		return -E2BIG;
	memcpy(out, s, n);
	*len = (int)n;
	return 0;
}

int gen_java_glob_parse(const char *glob, bool is_class, struct gen_java_glob *m)
{
	const char *first = strchr(glob, '*'), *last = strrchr(glob, '*');
	size_t n = strlen(glob);
	int ret;

	memset(m, 0, sizeof(*m));
	m->is_class = is_class;
	m->exact = !strpbrk(glob, "[");
	if (!first)
		return literal(glob, n, m->prefix, &m->plen);
	m->star = true;
	for (const char *p = first; p < last; p++)
		if (*p != '*')
			m->exact = false;	/* a middle part: fnmatch's */
	ret = literal(glob, (size_t)(first - glob), m->prefix, &m->plen);
	return ret ? ret : literal(last + 1, n - (size_t)(last + 1 - glob), m->suffix, &m->slen);
}

/* Compare n bytes at r10 + off with text; a mismatch jumps to fail. */
static void compare(struct gen *g, const char *text, int n, int16_t off, bool is_class, int fail)
{
	for (int i = 0; i < n; i++) {
		char c = text[i] == '.' && is_class ? '/' : text[i];

		if (c == '?')
			continue;
		gen_emit(g, G_LDX(BPF_B, BPF_REG_1, BPF_REG_10, (int16_t)(off + i)));
		gen_jmp_imm(g, BPF_JNE, BPF_REG_1, (unsigned char)c, fail);
	}
}

/*
 * r0 = bpf_probe_read_user(r10 + buf, n, pointer + (from_end ? length - n : 0)),
 * the length in the slot at len_slot; nonzero jumps to fail.
 */
static int read_bytes(struct gen *g, const struct gen_fetch_opts *fo, const char *ptr_fetch,
		      int n, int16_t buf, int16_t len_slot, bool from_end, int fail)
{
	int ret = gen_fetch_value(g, fo, ptr_fetch, "u64");

	if (ret)
		return ret;
	gen_emit(g, G_MOV64_REG(BPF_REG_3, BPF_REG_0));
	if (from_end) {
		gen_emit(g, G_LDX(BPF_DW, BPF_REG_1, BPF_REG_10, len_slot));
		gen_emit(g, G_ALU64_REG(BPF_ADD, BPF_REG_3, BPF_REG_1));
		gen_emit(g, G_ALU64_IMM(BPF_SUB, BPF_REG_3, n));
	}
	gen_emit(g, G_MOV64_REG(BPF_REG_1, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_1, buf));
	gen_emit(g, G_MOV64_IMM(BPF_REG_2, n));
	gen_emit(g, G_CALL(fo->user ? BPF_FUNC_probe_read_user : BPF_FUNC_probe_read_kernel));
	gen_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, fail);
	return g->err;
}

int gen_java_match(struct gen *g, const struct gen_fetch_opts *fo, const char *ptr_fetch,
		   const char *len_fetch, const char *len_type, const struct gen_java_glob *m,
		   int16_t tmp, int fail)
{
	int16_t len_slot = (int16_t)(tmp - 8);
	int ret = gen_fetch_value(g, fo, len_fetch, len_type);

	if (ret)
		return ret;
	gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_0, len_slot));
	if (m->star)
		gen_jmp_imm(g, BPF_JSLT, BPF_REG_0, m->plen + m->slen, fail);
	else
		gen_jmp_imm(g, BPF_JNE, BPF_REG_0, m->plen, fail);
	if (m->plen) {
		ret = read_bytes(g, fo, ptr_fetch, m->plen, (int16_t)(tmp - GEN_JAVA_TMP), len_slot,
				 false, fail);
		if (ret)
			return ret;
		compare(g, m->prefix, m->plen, (int16_t)(tmp - GEN_JAVA_TMP), m->is_class, fail);
	}
	if (m->slen) {
		ret = read_bytes(g, fo, ptr_fetch, m->slen, (int16_t)(tmp - GEN_JAVA_TMP), len_slot,
				 true, fail);
		if (ret)
			return ret;
		compare(g, m->suffix, m->slen, (int16_t)(tmp - GEN_JAVA_TMP), m->is_class, fail);
	}
	return g->err;
}

int gen_bounded_length(struct gen *g, const struct gen_fetch_opts *fo, const char *len_fetch,
		       const char *len_type, int max, int bad)
{
	int ok = gen_label(g), ret = gen_fetch_value(g, fo, len_fetch, len_type);

	if (ret)
		return ret;
	gen_jmp_imm(g, BPF_JSLT, BPF_REG_0, 0, bad);
	gen_jmp_imm(g, BPF_JSLE, BPF_REG_0, max, ok);
	gen_emit(g, G_MOV64_IMM(BPF_REG_0, max));
	gen_place(g, ok);
	return g->err;
}

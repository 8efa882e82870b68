// SPDX-License-Identifier: MIT
/*
 * An expression's f: in BPF (issue 15): the filter text the compiler
 * checked (ftrace's syntax: NAME OP NUMBER joined by &&, ||, ! and
 * parentheses; OP one of == != < <= > >= &) becomes short-circuit jumps to
 * a "drop" label.  Names are resolved by the caller into value sources.
 * Strings (==, ~ globs) are refused for now.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/filter.h"
#include "gen/gen.h"

struct fparse {
	const char *s;
	struct gen *g;
	gen_filter_load_fn load;
	void *ctx;
	char *errbuf;
	size_t errlen;
};

static void blanks(struct fparse *p)
{
	while (isspace((unsigned char)*p->s))
		p->s++;
}

static int fail(struct fparse *p, int err, const char *what)
{
	snprintf(p->errbuf, p->errlen, "%s at '%.20s'", what, p->s);
	return err;
}

static int parse_or(struct fparse *p, int on_true, int on_false);

/* NAME OP NUMBER, or ( ... ), or ! ...: jump to on_true or on_false. */
static int parse_unary(struct fparse *p, int on_true, int on_false)
{
	static const struct { const char *text; int op, inverse; } ops[] = {
		{ "==", BPF_JEQ, BPF_JNE }, { "!=", BPF_JNE, BPF_JEQ }, { "<=", BPF_JLE, BPF_JGT },
		{ ">=", BPF_JGE, BPF_JLT }, { "<", BPF_JLT, BPF_JGE },	{ ">", BPF_JGT, BPF_JLE },
		{ "&", BPF_JSET, 0 },
	};
	char name[64], *end;
	size_t n = 0;
	long long v;
	bool is_signed;
	int ret, op;

	blanks(p);
	if (*p->s == '!') {
		p->s++;
		return parse_unary(p, on_false, on_true);	/* swapped */
	}
	if (*p->s == '(') {
		p->s++;
		ret = parse_or(p, on_true, on_false);
		blanks(p);
		if (ret)
			return ret;
		if (*p->s != ')')
			return fail(p, -EINVAL, "expected ')'");
		p->s++;
		return 0;
	}
	while (isalnum((unsigned char)p->s[n]) || p->s[n] == '_' || p->s[n] == '.')
		n++;
	if (!n || n >= sizeof(name))
		return fail(p, -EINVAL, "expected a name");
	memcpy(name, p->s, n);
	name[n] = '\0';
	p->s += n;
	blanks(p);
	for (op = 0; op < (int)(sizeof(ops) / sizeof(ops[0])); op++)
		if (!strncmp(p->s, ops[op].text, strlen(ops[op].text)))
			break;
	if (op == (int)(sizeof(ops) / sizeof(ops[0])))
		return fail(p, -EOPNOTSUPP, "a comparison this version cannot run in BPF");
	p->s += strlen(ops[op].text);
	blanks(p);
	if (*p->s == '"' || *p->s == '\'')
		return fail(p, -EOPNOTSUPP, "string comparisons are not done in BPF yet");
	errno = 0;
	v = strtoll(p->s, &end, 0);
	if (end == p->s || errno)
		return fail(p, -EINVAL, "expected a number");
	if (v < INT32_MIN || v > INT32_MAX)
		return fail(p, -EOPNOTSUPP, "a number beyond 32 bits is not done in BPF yet");
	p->s = end;
	ret = p->load(p->ctx, name, &is_signed);
	if (ret) {
		if (p->errlen && !p->errbuf[0])	/* the loader's own sentence first */
			snprintf(p->errbuf, p->errlen, "the filter's '%s' cannot be read in BPF", name);
		return ret;
	}
	{
		int jop = ops[op].op;

		if (is_signed && (jop == BPF_JLT || jop == BPF_JLE || jop == BPF_JGT || jop == BPF_JGE))
			jop = jop == BPF_JLT ? BPF_JSLT : jop == BPF_JLE ? BPF_JSLE :
			      jop == BPF_JGT ? BPF_JSGT : BPF_JSGE;
		gen_jmp_imm(p->g, jop, BPF_REG_0, (int32_t)v, on_true);
		gen_goto(p->g, on_false);
	}
	return 0;
}

/*
 * A && chain (and_chain) or a || chain of operands: an operand that
 * decides the chain (false for &&, true for ||) jumps out at once; the
 * next operand starts where the last one fell through.  ("goto next;
 * next:" pairs are removed by the builder.)
 */
static int parse_chain(struct fparse *p, bool and_chain, int on_true, int on_false)
{
	for (;;) {
		int next = gen_label(p->g), ret;

		ret = and_chain ? parse_unary(p, next, on_false) : parse_chain(p, true, on_true, next);
		if (ret)
			return ret;
		gen_place(p->g, next);
		blanks(p);
		if (strncmp(p->s, and_chain ? "&&" : "||", 2)) {
			gen_goto(p->g, and_chain ? on_true : on_false);
			return 0;
		}
		p->s += 2;
	}
}

static int parse_or(struct fparse *p, int on_true, int on_false)
{
	return parse_chain(p, false, on_true, on_false);
}

int gen_filter(struct gen *g, const char *filter, gen_filter_load_fn load, void *ctx, int drop,
	       char *errbuf, size_t errlen)
{
	struct fparse p = { filter, g, load, ctx, errbuf, errlen };
	int keep, ret;

	if (errlen)
		errbuf[0] = '\0';
	keep = gen_label(g);
	ret = parse_or(&p, keep, drop);

	if (!ret) {
		blanks(&p);
		if (*p.s)
			ret = fail(&p, -EINVAL, "unexpected text");
	}
	gen_place(g, keep);
	return ret ? ret : g->err;
}

// SPDX-License-Identifier: MIT
/*
 * Parsing one argument value:
 *
 *   value  := [S|U|X] ( '$comm' | cast? base chain )
 *   cast   := '!(' ctype ')'                       plain C cast of the base
 *           | '@(' 'struct' HDR '*' ')' ['l2'|'l3'|'l4']   packet header at skb->data
 *   base   := '%' (N | REG) | '@' (SYMBOL | 0xADDR) | '$retval' | '$stack' [N]
 *   chain  := ( '->' NAME | '.' NAME | '[' N ']' )*
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "expr/internal.h"

struct parser {
	const char *line;
	size_t pos, end;	/* the value is line[pos, end) */
	struct surf_expr_error *err;
};

static struct span here(const struct parser *p, size_t len)
{
	size_t left = p->end > p->pos ? p->end - p->pos : 1;

	return (struct span){ p->pos, len ? (len < left ? len : left) : 1 };
}

static char peek(const struct parser *p, size_t ahead)
{
	return p->pos + ahead < p->end ? p->line[p->pos + ahead] : '\0';
}

static bool accept(struct parser *p, const char *s)
{
	size_t n = strlen(s);

	if (p->end - p->pos < n || strncmp(p->line + p->pos, s, n))
		return false;
	p->pos += n;
	return true;
}

static void skip_blanks(struct parser *p)
{
	while (p->pos < p->end && isspace((unsigned char)p->line[p->pos]))
		p->pos++;
}

static size_t ident_len(const struct parser *p)
{
	size_t n = 0;

	if (!(isalpha((unsigned char)peek(p, 0)) || peek(p, 0) == '_'))
		return 0;
	while (isalnum((unsigned char)peek(p, n)) || peek(p, n) == '_')
		n++;
	return n;
}

static int parse_ident(struct parser *p, char *out, struct span *sp, const char *what)
{
	size_t n = ident_len(p);

	if (!n)
		return expr_error(p->err, -EINVAL, here(p, 1), "expected %s here", what);
	if (n >= EXPR_MAX_NAME)
		return expr_error(p->err, -ENAMETOOLONG, here(p, n), "name too long");
	memcpy(out, p->line + p->pos, n);
	out[n] = '\0';
	if (sp)
		*sp = here(p, n);
	p->pos += n;
	return 0;
}

/* A number: decimal or 0x hex, no sign. */
static int parse_number(struct parser *p, uint64_t *out, const char *what)
{
	size_t start = p->pos, n = 0;
	char buf[32];
	char *endp;

	while (isalnum((unsigned char)peek(p, n)))
		n++;
	if (!n || !isdigit((unsigned char)peek(p, 0)))
		return expr_error(p->err, -EINVAL, here(p, n), "expected %s here", what);
	if (n >= sizeof(buf))
		return expr_error(p->err, -ERANGE, here(p, n), "number too large");
	memcpy(buf, p->line + start, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtoull(buf, &endp, 0);
	if (*endp || errno)
		return expr_error(p->err, -EINVAL, here(p, n), "'%s' is not a valid number", buf);
	p->pos += n;
	return 0;
}

/* "struct file *", "unsigned long", "const char *". */
static int parse_ctype(struct parser *p, struct ast_ctype *ct)
{
	size_t start = p->pos;
	char word[EXPR_MAX_NAME];
	size_t used = 0;

	ct->tag = SURF_TYPE_ANY;
	ct->name[0] = '\0';
	ct->ptr = 0;
	for (;;) {
		skip_blanks(p);
		if (!ident_len(p))
			break;
		if (parse_ident(p, word, NULL, "a type name"))
			return p->err ? p->err->code : -EINVAL;
		if (!strcmp(word, "const") || !strcmp(word, "volatile"))
			continue;
		if (!ct->name[0] && ct->tag == SURF_TYPE_ANY) {
			if (!strcmp(word, "struct")) {
				ct->tag = SURF_TYPE_STRUCT;
				continue;
			}
			if (!strcmp(word, "union")) {
				ct->tag = SURF_TYPE_UNION;
				continue;
			}
			if (!strcmp(word, "enum")) {
				ct->tag = SURF_TYPE_ENUM;
				continue;
			}
		}
		if (used + strlen(word) + 2 >= sizeof(ct->name))
			return expr_error(p->err, -ENAMETOOLONG, here(p, 1), "type name too long");
		if (used)
			ct->name[used++] = ' ';
		strcpy(ct->name + used, word);
		used += strlen(word);
	}
	while (skip_blanks(p), peek(p, 0) == '*') {
		ct->ptr++;
		p->pos++;
	}
	skip_blanks(p);
	ct->span = (struct span){ start, p->pos - start };
	if (!ct->name[0])
		return expr_error(p->err, -EINVAL, ct->span.len ? ct->span : here(p, 1),
				  "expected a type, e.g. !(struct file *) or !(u64)");
	return 0;
}

static int parse_cast(struct parser *p, struct ast_value *v)
{
	size_t open = p->pos;
	int ret;

	v->cast = peek(p, 0) == '!' ? CAST_TYPE : CAST_SKB;
	if (peek(p, 1) != '(')
		return expr_error(p->err, -EINVAL, here(p, 1), "a cast is written !(TYPE)");
	p->pos += 2;
	ret = parse_ctype(p, &v->ctype);
	if (ret)
		return ret;
	if (peek(p, 0) != ')')
		return expr_error(p->err, -EINVAL, here(p, 1),
				  "expected ')' to close the cast opened here at column %zu",
				  open + 1);
	p->pos++;
	if (v->cast == CAST_SKB) {
		if (v->ctype.tag != SURF_TYPE_STRUCT || v->ctype.ptr != 1)
			return expr_error(p->err, -EINVAL, v->ctype.span,
					  "a packet cast takes a header pointer: @(struct iphdr *)");
		v->layer = 3;
		if (peek(p, 0) == 'l' && peek(p, 1) >= '2' && peek(p, 1) <= '4') {
			v->layer = peek(p, 1) - '0';
			p->pos += 2;
		} else if (peek(p, 0) == 'l' && isdigit((unsigned char)peek(p, 1))) {
			return expr_error(p->err, -EINVAL, here(p, 2),
					  "layer marks are l2, l3 or l4");
		}
	}
	return 0;
}

static int parse_base(struct parser *p, struct ast_value *v)
{
	size_t start = p->pos;
	int ret;

	if (accept(p, "%")) {
		if (isdigit((unsigned char)peek(p, 0))) {
			v->base = BASE_ARG;
			ret = parse_number(p, &v->base_num, "an argument number");
		} else {
			v->base = BASE_REG;
			ret = parse_ident(p, v->base_name, NULL, "an argument number or a register");
		}
	} else if (accept(p, "@")) {
		if (isdigit((unsigned char)peek(p, 0))) {
			v->base = BASE_ADDR;
			ret = parse_number(p, &v->base_num, "an address");
		} else {
			v->base = BASE_SYM;
			ret = parse_ident(p, v->base_name, NULL, "a kernel symbol or an address");
		}
	} else if (accept(p, "$retval")) {
		v->base = BASE_RETVAL;
		ret = 0;
	} else if (accept(p, "$stack")) {
		v->base = BASE_STACK;
		v->base_num = UINT64_MAX;
		ret = isdigit((unsigned char)peek(p, 0)) ?
			      parse_number(p, &v->base_num, "a stack slot") : 0;
	} else if (accept(p, "$comm")) {
		v->base = BASE_COMM;
		ret = 0;
	} else {
		return expr_error(p->err, -EINVAL, here(p, 1),
				  "expected a value: %%N (argument N), %%REG, @SYMBOL, @0xADDR, "
				  "$retval, $stack or $comm");
	}
	v->base_span = (struct span){ start, p->pos - start };
	return ret;
}

static int parse_chain(struct parser *p, struct ast_value *v)
{
	while (p->pos < p->end) {
		struct ast_step *s;
		size_t start = p->pos;
		int ret;

		if (v->nchain == EXPR_MAX_CHAIN)
			return expr_error(p->err, -E2BIG, here(p, p->end - p->pos),
					  "member chain too long (at most %d steps)", EXPR_MAX_CHAIN);
		s = &v->chain[v->nchain];
		if (accept(p, "->") || accept(p, ".")) {
			s->kind = p->line[p->pos - 1] == '>' ? STEP_ARROW : STEP_DOT;
			ret = parse_ident(p, s->name, &s->span, "a member name");
		} else if (accept(p, "[")) {
			s->kind = STEP_INDEX;
			s->span = here(p, 0);
			ret = parse_number(p, &s->index, "an index");
			s->span.len = p->pos - s->span.pos;
			if (!ret && !accept(p, "]"))
				ret = expr_error(p->err, -EINVAL, here(p, 1), "expected ']'");
		} else if (peek(p, 0) == '-') {
			return expr_error(p->err, -EINVAL, here(p, 1),
					  "'-' must be followed by '>' to reach a member");
		} else {
			return expr_error(p->err, -EINVAL, here(p, p->end - start),
					  "unexpected '%.*s': expected '->', '.', '[' or the end "
					  "of the value", expr_char_len(p->line + p->pos),
					  p->line + p->pos);
		}
		if (ret)
			return ret;
		v->nchain++;
	}
	return 0;
}

int expr_parse_value(const char *line, struct span value, struct ast_value *out,
		     struct surf_expr_error *err)
{
	struct parser p = { line, value.pos, value.pos + value.len, err };
	int ret;

	memset(out, 0, sizeof(*out));
	if (strchr("SUX", peek(&p, 0)) && peek(&p, 0) && strchr("%@!$", peek(&p, 1)) &&
	    peek(&p, 1)) {
		out->fmt = peek(&p, 0);
		p.pos++;
	}
	if (peek(&p, 0) == '!' || (peek(&p, 0) == '@' && peek(&p, 1) == '(')) {
		ret = parse_cast(&p, out);
		if (ret)
			return ret;
	}
	ret = parse_base(&p, out);
	if (ret)
		return ret;
	if ((out->base == BASE_COMM || out->base == BASE_STACK) && out->cast == CAST_NONE &&
	    p.pos < p.end)
		return expr_error(err, -EINVAL, here(&p, p.end - p.pos),
				  "%s takes no members", out->base == BASE_COMM ? "$comm" : "$stack");
	return parse_chain(&p, out);
}

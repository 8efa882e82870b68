// SPDX-License-Identifier: MIT
/*
 * Splitting an expression line into its parts:
 *
 *     KIND TARGET [NAME=VALUE ...] [a:AGGREGATION] [f:FILTER] [a:AGGREGATION]
 *
 * Words are separated by blanks outside parentheses, brackets and quotes, so
 * "@(struct iphdr *)l3%0->saddr" is one word.  The filter runs from "f:" to
 * the end of the line, or to an "a:" word, and may contain blanks (the
 * original tool cut it at the first blank).  The aggregation is one word:
 * "a:count(comm, pid)" (blanks inside its parentheses are fine).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/internal.h"

static const char *const reserved_names[] = {
	"common_pid", "common_preempt_count", "common_flags", "common_type",
};

int expr_error(struct surf_expr_error *err, int code, struct span at, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->pos = at.pos;
	err->len = at.len;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

static struct span span(size_t pos, size_t len)
{
	return (struct span){ pos, len };
}

/* End of the word starting at pos, checking that brackets and quotes balance. */
static int word_end(const char *line, size_t pos, size_t *end, struct surf_expr_error *err)
{
	size_t open[64];
	char closer[64];
	int depth = 0;
	size_t i;

	for (i = pos; line[i]; i++) {
		char c = line[i];

		if (c == '"' || c == '\'') {
			size_t q = i;

			for (i++; line[i] && line[i] != c; i++)
				if (line[i] == '\\' && line[i + 1])
					i++;
			if (!line[i])
				return expr_error(err, -EINVAL, span(q, 1),
						  "the quote %c is not closed", c);
			continue;
		}
		if (c == '(' || c == '[') {
			if (depth == 64)
				return expr_error(err, -EINVAL, span(i, 1), "nested too deeply");
			open[depth] = i;
			closer[depth++] = c == '(' ? ')' : ']';
			continue;
		}
		if (c == ')' || c == ']') {
			if (!depth)
				return expr_error(err, -EINVAL, span(i, 1),
						  "unbalanced '%c': nothing to close", c);
			if (closer[depth - 1] != c)
				return expr_error(err, -EINVAL, span(i, 1),
						  "'%c' closes a '%c'; expected '%c'", c,
						  closer[depth - 1] == ')' ? '(' : '[',
						  closer[depth - 1]);
			depth--;
			continue;
		}
		if (isspace((unsigned char)c) && !depth)
			break;
	}
	if (depth)
		return expr_error(err, -EINVAL, span(open[depth - 1], 1),
				  "this '%c' is not closed", line[open[depth - 1]]);
	*end = i;
	return 0;
}

static size_t skip_blanks(const char *line, size_t i)
{
	while (line[i] && isspace((unsigned char)line[i]))
		i++;
	return i;
}

static bool is_ident(const char *s, size_t len)
{
	if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static int add_arg(const char *line, struct ast_line *out, size_t pos, size_t end,
		   struct surf_expr_error *err)
{
	const char *eq = memchr(line + pos, '=', end - pos);
	struct ast_arg *arg;
	size_t nlen;

	if (!eq)
		return expr_error(err, -EINVAL, span(pos, end - pos),
				  "an argument is NAME=VALUE, e.g. comm=%%0->comm");
	nlen = (size_t)(eq - (line + pos));
	if (!is_ident(line + pos, nlen) || nlen >= EXPR_MAX_NAME)
		return expr_error(err, -EINVAL, span(pos, nlen ? nlen : 1),
				  "'%.*s' is not a valid argument name (letters, digits, '_')",
				  (int)nlen, line + pos);
	/* The kernel's MAX_ARG_NAME_LEN (32) counts the NUL. */
	if (nlen > 31)
		return expr_error(err, -ENAMETOOLONG, span(pos + 31, nlen - 31), "an argument "
				  "name has at most 31 characters (the kernel's limit); this one "
				  "has %zu", nlen);
	if (eq + 1 == line + end)
		return expr_error(err, -EINVAL, span(end, 1), "missing a value after '='");
	if (out->nargs == EXPR_MAX_ARGS)
		return expr_error(err, -E2BIG, span(pos, end - pos),
				  "too many arguments: the kernel takes at most %d",
				  EXPR_MAX_ARGS);

	for (size_t i = 0; i < sizeof(reserved_names) / sizeof(reserved_names[0]); i++)
		if (strlen(reserved_names[i]) == nlen && !strncmp(reserved_names[i], line + pos, nlen))
			return expr_error(err, -EINVAL, span(pos, nlen),
					  "'%s' is a name the kernel reserves; pick another",
					  reserved_names[i]);
	for (int i = 0; i < out->nargs; i++)
		if (strlen(out->args[i].name) == nlen && !strncmp(out->args[i].name, line + pos, nlen))
			return expr_error(err, -EINVAL, span(pos, nlen),
					  "the name '%s' is used twice", out->args[i].name);

	arg = &out->args[out->nargs++];
	memset(arg, 0, sizeof(*arg));
	memcpy(arg->name, line + pos, nlen);
	arg->name_span = span(pos, nlen);
	arg->value_span = span(pos + nlen + 1, end - pos - nlen - 1);
	return 0;
}

int expr_split_line(const char *line, struct ast_line *out, struct surf_expr_error *err)
{
	size_t i, end, tlen;
	int ret;

	memset(out, 0, sizeof(*out));
	out->args = calloc(EXPR_MAX_ARGS, sizeof(*out->args));
	if (!out->args)
		return -ENOMEM;

	i = skip_blanks(line, 0);
	if (!line[i])
		return expr_error(err, -EINVAL, span(i, 1),
				  "empty expression: expected e.g. 'p FUNCTION NAME=VALUE'");
	ret = word_end(line, i, &end, err);
	if (ret)
		return ret;
	/* "J!": the return of a Java method, as bpftrace's "uretprobe" to "uprobe". */
	if (end - i == 2 && !strncmp(line + i, "J!", 2))
		out->java_return = true;
	else if (end - i != 1 || !strchr("prePRUJ", line[i]))
		return expr_error(err, -EINVAL, span(i, end - i),
				  "unknown probe kind '%.*s': use p (kernel function entry), "
				  "r (kernel function return), e (tracepoint), P (user function "
				  "entry), R (user function return), U (USDT probe), J or J! "
				  "(Java method entry or return)",
				  (int)(end - i), line + i);
	out->kind = line[i];
	out->kind_span = span(i, end - i);

	i = skip_blanks(line, end);
	if (!line[i])
		return expr_error(err, -EINVAL, span(i, 1), "missing the %s after '%c'",
				  out->kind == 'e' ? "tracepoint (GROUP/EVENT)" :
				  out->kind == 'P' || out->kind == 'R' ? "user symbol (BINARY:SYMBOL)" :
				  out->kind == 'U' ? "USDT probe (BINARY:PROVIDER:NAME)" :
				  out->kind == 'J' ? "Java method (CLASS::METHOD)" :
									"function name",
				  out->kind);
	ret = word_end(line, i, &end, err);
	if (ret)
		return ret;
	tlen = end - i;
	if (tlen >= sizeof(out->target))
		return expr_error(err, -ENAMETOOLONG, span(i, tlen), "probe point too long");
	memcpy(out->target, line + i, tlen);
	out->target_span = span(i, tlen);

	for (i = skip_blanks(line, end); line[i]; i = skip_blanks(line, end)) {
		if (line[i] == 'a' && line[i + 1] == ':') {
			ret = word_end(line, i, &end, err);
			if (ret)
				return ret;
			if (out->agg_span.len)
				return expr_error(err, -EINVAL, span(i, end - i), "one a: clause "
						  "per expression (this is the second)");
			if (end == i + 2)
				return expr_error(err, -EINVAL, span(i, 2), "empty aggregation "
						  "after 'a:', e.g. a:count(comm)");
			out->agg_span = span(i + 2, end - i - 2);
			continue;
		}
		if (out->filter_span.len || out->agg_span.len) {
			/* After a: or f: come only f: and a:, not arguments. */
			if (!(line[i] == 'f' && line[i + 1] == ':')) {
				ret = word_end(line, i, &end, err);
				return ret ? ret : expr_error(err, -EINVAL, span(i, end - i),
						  "arguments come before the a: and f: clauses");
			}
		}
		if (line[i] == 'f' && line[i + 1] == ':') {
			size_t fend = i + 2, last = i + 2;

			if (out->filter_span.len)
				return expr_error(err, -EINVAL, span(i, 2), "one f: clause per "
						  "expression (this is the second)");
			/* The filter's words, quotes and brackets checked, up to an a: word. */
			for (size_t j = skip_blanks(line, i + 2); line[j]; j = skip_blanks(line, end)) {
				if (line[j] == 'a' && line[j + 1] == ':' && j > i + 2 &&
				    isspace((unsigned char)line[j - 1]))
					break;
				ret = word_end(line, j, &end, err);
				if (ret)
					return ret;
				if (end == j)
					end = j + 1;	/* a lone closing bracket: word_end said */
				last = end;
			}
			fend = last;
			if (fend == i + 2)
				return expr_error(err, -EINVAL, span(i, 2),
						  "empty filter after 'f:'");
			out->filter_span = span(i + 2, fend - i - 2);
			end = fend;
			continue;
		}
		ret = word_end(line, i, &end, err);
		if (ret)
			return ret;
		ret = add_arg(line, out, i, end, err);
		if (ret)
			return ret;
	}
	return 0;
}

void expr_free_line(struct ast_line *line)
{
	free(line->args);
	line->args = NULL;
}

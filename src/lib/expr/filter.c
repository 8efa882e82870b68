// SPDX-License-Identifier: MIT
/*
 * Filters: ftrace's own syntax (FIELD OP VALUE joined by &&, || and
 * parentheses, ! to negate), checked here so that a typo gets a caret instead
 * of a bare EINVAL from the kernel, and rewritten where an argument's name
 * asks for a conversion: "ip_src==127.0.0.1" becomes "ip_src==0x100007f",
 * "b16_dport==9988" becomes the byte-swapped number.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/internal.h"

struct fparser {
	const char *line;
	size_t pos, end;
	const char *const *fields;
	const char *classes;
	int nfields;
	const struct surf_arg *args;
	int nargs;
	char *out;
	size_t out_len, copied;	/* line[copied, pos) is still to be copied to out */
	struct surf_expr_error *err;
};

static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">", "&", "~" };

static struct span fspan(size_t pos, size_t len)
{
	return (struct span){ pos, len ? len : 1 };
}

static void fskip(struct fparser *p)
{
	while (p->pos < p->end && isspace((unsigned char)p->line[p->pos]))
		p->pos++;
}

static bool at(const struct fparser *p, const char *s)
{
	size_t n = strlen(s);

	return p->end - p->pos >= n && !strncmp(p->line + p->pos, s, n);
}

static void emit(struct fparser *p, const char *s, size_t n)
{
	char *grown = realloc(p->out, p->out_len + n + 1);

	if (!grown)
		return;
	p->out = grown;
	memcpy(p->out + p->out_len, s, n);
	p->out_len += n;
	p->out[p->out_len] = '\0';
}

/* Copy the original text up to the current position. */
static void flush(struct fparser *p, size_t upto)
{
	if (upto > p->copied)
		emit(p, p->line + p->copied, upto - p->copied);
	p->copied = upto;
}

static const struct surf_arg *find_arg(const struct fparser *p, const char *name, size_t len)
{
	for (int i = 0; i < p->nargs; i++)
		if (strlen(p->args[i].name) == len && !strncmp(p->args[i].name, name, len))
			return &p->args[i];
	return NULL;
}

static int convert_value(struct fparser *p, const struct surf_arg *arg, size_t vpos, size_t vlen)
{
	char buf[64], out[64];
	struct in_addr addr;
	uint64_t v, max;
	char *endp;

	if (vlen >= sizeof(buf))
		return expr_error(p->err, -EINVAL, fspan(vpos, vlen), "value too long");
	memcpy(buf, p->line + vpos, vlen);
	buf[vlen] = '\0';

	if (arg->conv == SURF_CONV_IPV4) {
		if (inet_pton(AF_INET, buf, &addr) != 1)
			return expr_error(p->err, -EINVAL, fspan(vpos, vlen), "%s takes an IPv4 "
					  "address such as 127.0.0.1", arg->name);
		/* The u32 a fetch of the network-order field reads on this host. */
		snprintf(out, sizeof(out), "0x%" PRIx32, (uint32_t)addr.s_addr);
	} else {
		errno = 0;
		v = strtoull(buf, &endp, arg->conv == SURF_CONV_BSWAP_HEX ? 16 : 0);
		max = arg->conv_bits == 64 ? UINT64_MAX : (1ULL << arg->conv_bits) - 1;
		if (*endp || errno || !vlen)
			return expr_error(p->err, -EINVAL, fspan(vpos, vlen), "%s takes a number%s",
					  arg->name, arg->conv == SURF_CONV_BSWAP_HEX ? " in hex" : "");
		if (v > max)
			return expr_error(p->err, -ERANGE, fspan(vpos, vlen), "%s is wider than "
					  "%d bits", buf, arg->conv_bits);
		v = arg->conv_bits == 16 ? __builtin_bswap16((uint16_t)v) :
		    arg->conv_bits == 32 ? __builtin_bswap32((uint32_t)v) : __builtin_bswap64(v);
		/* Hex keeps its 0x: the kernel would read bare hex digits as decimal. */
		snprintf(out, sizeof(out), arg->conv == SURF_CONV_BSWAP_HEX ? "0x%" PRIx64 :
									   "%" PRIu64, v);
	}
	flush(p, vpos);
	emit(p, out, strlen(out));
	p->copied = vpos + vlen;
	return 0;
}

/* The kernel's num_buf[24] in parse_pred(): a longer number is refused. */
#define KERNEL_NUM_MAX 23

/*
 * kstrtoull()/kstrtoll() with base 0, as the kernel's filter reads a number:
 * 0x hex, 0 octal, else decimal, every character a digit, no overflow.
 */
static bool kernel_number(const char *s, size_t len, bool is_signed)
{
	uint64_t v = 0, limit = UINT64_MAX;
	unsigned int base = 10;
	size_t i = 0, digits = 0;

	if (len && s[0] == '-') {
		if (!is_signed)
			return false;
		i = 1;
		limit = (uint64_t)INT64_MAX + 1;
	} else if (is_signed) {
		limit = INT64_MAX;
	}
	if (i < len && s[i] == '0') {
		base = 8;
		if (i + 2 < len && (s[i + 1] | 0x20) == 'x' && isxdigit((unsigned char)s[i + 2])) {
			base = 16;
			i += 2;
		}
	}
	for (; i < len; i++, digits++) {
		char c = (char)(s[i] | 0x20);
		unsigned int d = isdigit((unsigned char)s[i]) ? (unsigned int)(s[i] - '0') :
				 c >= 'a' && c <= 'f' ? (unsigned int)(c - 'a' + 10) : 99;

		if (d >= base || v > (limit - d) / base)
			return false;
		v = v * base + d;
	}
	return digits > 0;
}

/* The field's class, 0 when not known. */
static char field_class(const struct fparser *p, size_t fpos, size_t flen)
{
	static const char *const strings[] = { "COMM", "comm" };

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (strlen(strings[i]) == flen && !strncmp(strings[i], p->line + fpos, flen))
			return 's';
	for (int i = 0; p->fields && p->classes && i < p->nfields; i++)
		if (strlen(p->fields[i]) == flen && !strncmp(p->fields[i], p->line + fpos, flen))
			return p->classes[i];
	return 0;
}

/*
 * The value as the kernel's parse_pred() reads it: a quoted string for a
 * string field (==, != or ~), a number for a number field (any operator but
 * ~).  Returns the value's length or an error.
 */
static int check_value(struct fparser *p, size_t fpos, size_t flen, const char *op, char cls,
		       size_t vpos, size_t *vlen)
{
	const char *v = p->line + vpos;
	char c = vpos < p->end ? *v : '\0';
	size_t n = 0;

	if (c == '"' || c == '\'') {
		if (cls && cls != 's')
			return expr_error(p->err, -EINVAL, fspan(vpos, *vlen), "'%.*s' is a number: "
					  "compare it with a number, not a string", (int)flen,
					  p->line + fpos);
		if (cls == 's' && strcmp(op, "==") && strcmp(op, "!=") && strcmp(op, "~"))
			return expr_error(p->err, -EINVAL, fspan(vpos - strlen(op), strlen(op)),
					  "a string compares only with ==, != or ~");
		return 0;
	}
	if (!isdigit((unsigned char)c) && c != '-') {
		/* Show the whole character under the caret, not its first byte. */
		while (vpos + n < p->end && (n == 0 || (p->line[vpos + n] & 0xc0) == 0x80))
			n++;
		return expr_error(p->err, -EINVAL, fspan(vpos, n), cls == 's' ?
				  "expected a quoted string here, e.g. \"bash\"" :
				  "expected a number or a quoted string here");
	}
	if (cls == 's')
		return expr_error(p->err, -EINVAL, fspan(vpos, *vlen), "'%.*s' is a string: quote "
				  "the value, e.g. \"%.*s\"", (int)flen, p->line + fpos, (int)*vlen, v);
	if (!strcmp(op, "~"))
		return expr_error(p->err, -EINVAL, fspan(vpos - 1, 1), "~ (a glob) compares "
				  "strings only; '%.*s' is a number", (int)flen, p->line + fpos);
	/* The kernel's number: an optional '-', then letters and digits. */
	n = c == '-';
	while (vpos + n < p->end && isalnum((unsigned char)v[n]))
		n++;
	*vlen = n;
	if (n > KERNEL_NUM_MAX)
		return expr_error(p->err, -ERANGE, fspan(vpos, n), "the kernel reads numbers of "
				  "at most %d characters", KERNEL_NUM_MAX);
	if (!kernel_number(v, n, cls != 'u'))
		return expr_error(p->err, -EINVAL, fspan(vpos, n), cls == 'u' && c == '-' ?
				  "'%.*s' is unsigned: it takes no negative number" :
				  "'%.*s' takes an integer (decimal, 0x hex or 0 octal) that fits "
				  "64 bits", (int)flen, p->line + fpos);
	return 0;
}

static int check_field(struct fparser *p, size_t fpos, size_t flen)
{
	char name[EXPR_MAX_NAME];
	const char *near;

	/* Fields the kernel's filters know on every event (trace_define_generic_fields). */
	static const char *const generic[] = { "COMM", "comm", "CPU", "cpu", "common_cpu" };

	if (!p->fields)
		return 0;
	for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
		if (strlen(generic[i]) == flen && !strncmp(generic[i], p->line + fpos, flen))
			return 0;
	for (int i = 0; i < p->nfields; i++)
		if (strlen(p->fields[i]) == flen && !strncmp(p->fields[i], p->line + fpos, flen))
			return 0;
	snprintf(name, sizeof(name), "%.*s", (int)flen, p->line + fpos);
	near = expr_closest(name, p->fields, p->nfields);
	return expr_error(p->err, -ENOENT, fspan(fpos, flen), "the filter names '%s', which is "
			  "not a field of this event%s%s%s", name, near ? " (did you mean '" : "",
			  near ? near : "", near ? "'?)" : "");
}

static int parse_pred(struct fparser *p)
{
	size_t fpos = p->pos, flen = 0, vpos, vlen = 0;
	const struct surf_arg *arg;
	const char *op = NULL;
	bool ustring = false, function = false;
	int ret;

	while (p->pos + flen < p->end &&
	       (isalnum((unsigned char)p->line[p->pos + flen]) || p->line[p->pos + flen] == '_'))
		flen++;
	if (!flen)
		return expr_error(p->err, -EINVAL, fspan(p->pos, 1), "expected a field name here");
	ret = check_field(p, fpos, flen);
	if (ret)
		return ret;
	p->pos += flen;
	/* ftrace field modifiers: filename.ustring, call_site.function... */
	if (p->pos < p->end && p->line[p->pos] == '.') {
		size_t m = 1;

		while (p->pos + m < p->end &&
		       (isalnum((unsigned char)p->line[p->pos + m]) || p->line[p->pos + m] == '_'))
			m++;
		if (m == 1)
			return expr_error(p->err, -EINVAL, fspan(p->pos, 1), "expected a field "
					  "modifier after '.', e.g. .ustring");
		/* The two the kernel's parse_pred() knows. */
		ustring = m == 8 && !strncmp(p->line + p->pos, ".ustring", 8);
		function = m == 9 && !strncmp(p->line + p->pos, ".function", 9);
		if (!ustring && !function)
			return expr_error(p->err, -EINVAL, fspan(p->pos, m), "unknown field modifier "
					  "'%.*s': the kernel has .ustring (a user-space string) and "
					  ".function (a kernel address)", (int)m, p->line + p->pos);
		p->pos += m;
	}
	fskip(p);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (at(p, ops[i])) {
			op = ops[i];
			p->pos += strlen(ops[i]);
			goto value;
		}
	}
	return expr_error(p->err, -EINVAL, fspan(p->pos, 1), "expected a comparison after '%.*s' "
			  "(==, !=, <, <=, >, >=, & or ~)", (int)flen, p->line + fpos);
value:
	fskip(p);
	vpos = p->pos;
	if (p->pos < p->end && (p->line[p->pos] == '"' || p->line[p->pos] == '\'')) {
		char q = p->line[p->pos];

		for (vlen = 1; vpos + vlen < p->end && p->line[vpos + vlen] != q; vlen++)
			;
		if (vpos + vlen >= p->end)
			return expr_error(p->err, -EINVAL, fspan(vpos, 1), "unclosed quote");
		vlen++;
	} else {
		while (vpos + vlen < p->end && !isspace((unsigned char)p->line[vpos + vlen]) &&
		       !strchr("()&|", p->line[vpos + vlen]))
			vlen++;
	}
	if (!vlen)
		return expr_error(p->err, -EINVAL, fspan(vpos, 1), "expected a value to compare "
				  "'%.*s' with", (int)flen, p->line + fpos);
	arg = find_arg(p, p->line + fpos, flen);
	if (arg && arg->conv != SURF_CONV_NONE) {
		p->pos = vpos + vlen;
		return convert_value(p, arg, vpos, vlen);
	}
	if (function && strcmp(op, "==") && strcmp(op, "!="))
		return expr_error(p->err, -EINVAL, fspan(vpos - strlen(op), strlen(op)),
				  ".function compares with == or != only");
	/* .function takes a function name; CPU masks are values of their own. */
	if (!function && !(vlen >= 5 && !strncmp(p->line + vpos, "CPUS{", 5))) {
		ret = check_value(p, fpos, flen, op, ustring ? 's' : field_class(p, fpos, flen),
				  vpos, &vlen);
		if (ret)
			return ret;
	}
	p->pos = vpos + vlen;
	return 0;
}

static int parse_or(struct fparser *p, int depth);

static int parse_unary(struct fparser *p, int depth)
{
	size_t open;
	int ret;

	fskip(p);
	if (p->pos >= p->end)
		return expr_error(p->err, -EINVAL, fspan(p->end, 1), "the filter ends where a "
				  "condition is expected");
	if (at(p, "!") && !at(p, "!=")) {
		p->pos++;
		return parse_unary(p, depth + 1);
	}
	if (at(p, "(")) {
		if (depth > 64)
			return expr_error(p->err, -EINVAL, fspan(p->pos, 1), "nested too deeply");
		open = p->pos++;
		ret = parse_or(p, depth + 1);
		if (ret)
			return ret;
		fskip(p);
		if (!at(p, ")"))
			return expr_error(p->err, -EINVAL, fspan(open, 1), "this '(' is not closed");
		p->pos++;
		return 0;
	}
	return parse_pred(p);
}

static int parse_and(struct fparser *p, int depth)
{
	int ret = parse_unary(p, depth);

	while (!ret) {
		fskip(p);
		if (!at(p, "&&"))
			break;
		p->pos += 2;
		ret = parse_unary(p, depth);
	}
	return ret;
}

static int parse_or(struct fparser *p, int depth)
{
	int ret = parse_and(p, depth);

	while (!ret) {
		fskip(p);
		if (!at(p, "||"))
			break;
		p->pos += 2;
		ret = parse_and(p, depth);
	}
	return ret;
}

int expr_compile_filter(const char *line, struct span filter, const char *const *fields,
			const char *classes, int nfields, const struct surf_arg *args, int nargs, char **out,
			struct surf_expr_error *err)
{
	struct fparser p = {
		.line = line, .pos = filter.pos, .end = filter.pos + filter.len,
		.fields = fields, .classes = classes, .nfields = nfields, .args = args, .nargs = nargs,
		.copied = filter.pos, .err = err,
	};
	int ret;

	ret = parse_or(&p, 0);
	if (!ret) {
		fskip(&p);
		if (p.pos < p.end)
			ret = expr_error(err, -EINVAL, fspan(p.pos, 1), at(&p, ")") ?
					 "unbalanced ')': nothing to close" :
					 "expected '&&', '||' or the end of the filter");
	}
	if (!ret) {
		flush(&p, p.end);
		if (!p.out)
			emit(&p, "", 0);
		*out = p.out;
		return p.out ? 0 : -ENOMEM;
	}
	free(p.out);
	return ret;
}

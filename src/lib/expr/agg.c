// SPDX-License-Identifier: MIT
/*
 * The a: clause of an expression (issue 15): which aggregation, of which
 * value, by which keys, checked against the expression's arguments and the
 * tracepoint's fields before anything reaches the kernel, each error with a
 * caret under the part that is wrong.
 *
 *   count(KEY...)                     hist(VALUE, KEY...)
 *   lhist(VALUE, MIN, MAX, STEP, KEY...)
 *   sum|avg|min|max|stats(VALUE, KEY...)
 *   lat(KEY...)                       on a return probe: entry to return, per thread
 *   lat(EVENT.NAME==NAME, KEY...)     from EVENT to this one, matched on the values
 *
 * KEY: an argument, a tracepoint field, comm, pid, tid, cpu, kstack, ustack.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/internal.h"

/* Linear histograms: at most this many buckets (plus under and over). */
#define MAX_LHIST_BUCKETS 1000
#define MAX_AGG_KEYS 8

static const struct {
	const char *name;
	enum surf_agg_kind kind;
	bool value;		/* takes a VALUE first */
} kinds[] = {
	{ "count", SURF_AGG_COUNT, false }, { "hist", SURF_AGG_HIST, true },
	{ "lhist", SURF_AGG_LHIST, true },  { "sum", SURF_AGG_SUM, true },
	{ "avg", SURF_AGG_AVG, true },	    { "min", SURF_AGG_MIN, true },
	{ "max", SURF_AGG_MAX, true },	    { "stats", SURF_AGG_STATS, true },
	{ "lat", SURF_AGG_LAT, false },
};

static const struct {
	const char *name;
	enum surf_agg_src src;
} builtins[] = {
	{ "comm", SURF_AGG_COMM }, { "pid", SURF_AGG_PID },	  { "tid", SURF_AGG_TID },
	{ "cpu", SURF_AGG_CPU },   { "kstack", SURF_AGG_KSTACK }, { "ustack", SURF_AGG_USTACK },
};

const char *surf_agg_kind__name(enum surf_agg_kind kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "?";
}

struct agg_ctx {
	const char *line;
	const struct surf_arg *args;
	int nargs;
	const char *const *fields;	/* NULL: the tracepoint's fields are not known */
	const char *classes;
	int nfields;
	struct surf_expr_error *err;
};

static struct span trim(const char *line, struct span s)
{
	while (s.len && isspace((unsigned char)line[s.pos])) {
		s.pos++;
		s.len--;
	}
	while (s.len && isspace((unsigned char)line[s.pos + s.len - 1]))
		s.len--;
	return s;
}

/* Split "a, b(c, d), e" at its top-level commas into at most max spans. */
static int split_args(const char *line, struct span in, struct span *out, int max)
{
	int n = 0, depth = 0;
	size_t start = in.pos;
	char quote = 0;

	for (size_t i = in.pos; i <= in.pos + in.len; i++) {
		char c = i < in.pos + in.len ? line[i] : ',';

		if (quote) {
			if (c == '\\')
				i++;
			else if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '"' || c == '\'')
			quote = c;
		else if (c == '(' || c == '[')
			depth++;
		else if (c == ')' || c == ']')
			depth--;
		else if (c == ',' && !depth) {
			if (n == max)
				return -E2BIG;
			out[n++] = trim(line, (struct span){ start, i - start });
			start = i + 1;
		}
	}
	return n;
}

/* All the names a key or a value may be, for "did you mean". */
static int known_names(const struct agg_ctx *c, const char **names, int max)
{
	int n = 0;

	for (int i = 0; i < c->nargs && n < max; i++)
		names[n++] = c->args[i].name;
	for (int i = 0; c->fields && i < c->nfields && n < max; i++)
		names[n++] = c->fields[i];
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]) && n < max; i++)
		names[n++] = builtins[i].name;
	return n;
}

static bool arg_is_string(const struct surf_arg *a)
{
	return a->type && (!strcmp(a->type, "string") || !strcmp(a->type, "ustring") ||
			   !strcmp(a->type, "symstr"));
}

/* A key or value name into ref; number: it must be a number (a value). */
static int resolve(const struct agg_ctx *c, struct span at, bool number, const char *what,
		   struct surf_agg_ref *ref)
{
	const char *names[EXPR_MAX_ARGS + 256 + 8];
	char name[EXPR_MAX_NAME + 64];
	const char *close;

	ref->pos = at.pos;
	ref->len = at.len;
	if (!at.len)
		return expr_error(c->err, -EINVAL, (struct span){ at.pos, 1 }, "missing %s", what);
	if (at.len >= sizeof(name))
		return expr_error(c->err, -EINVAL, at, "not a name: %s", what);
	memcpy(name, c->line + at.pos, at.len);
	name[at.len] = '\0';
	ref->index = -1;
	for (int i = 0; i < c->nargs; i++) {
		if (strcmp(c->args[i].name, name))
			continue;
		if (number && arg_is_string(&c->args[i]))
			return expr_error(c->err, -EINVAL, at, "%s must be a number: '%s' is a "
					  "string", what, name);
		ref->src = SURF_AGG_ARG;
		ref->index = i;
		return (ref->name = strdup(name)) ? 0 : -ENOMEM;
	}
	for (int i = 0; c->fields && i < c->nfields; i++) {
		if (strcmp(c->fields[i], name))
			continue;
		if (number && c->classes && c->classes[i] == SURF_FILTER_STRING)
			return expr_error(c->err, -EINVAL, at, "%s must be a number: the field "
					  "'%s' is a string", what, name);
		ref->src = SURF_AGG_FIELD;
		return (ref->name = strdup(name)) ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		if (strcmp(builtins[i].name, name))
			continue;
		if (number && builtins[i].src != SURF_AGG_PID && builtins[i].src != SURF_AGG_TID &&
		    builtins[i].src != SURF_AGG_CPU)
			return expr_error(c->err, -EINVAL, at, "%s must be a number: '%s' is not "
					  "one", what, name);
		ref->src = builtins[i].src;
		return (ref->name = strdup(name)) ? 0 : -ENOMEM;
	}
	close = expr_closest(name, names, known_names(c, names, (int)(sizeof(names) / sizeof(names[0]))));
	return expr_error(c->err, -ENOENT, at, "unknown %s '%s'%s%s%s: use an argument of the "
			  "expression%s, or comm, pid, tid, cpu, kstack, ustack", what, name,
			  close ? " (did you mean '" : "", close ? close : "", close ? "'?)" : "",
			  c->fields ? ", a field of the tracepoint" : "");
}

static int parse_int(const struct agg_ctx *c, struct span at, const char *what, int64_t *out)
{
	char buf[64], *end;

	if (!at.len || at.len >= sizeof(buf))
		return expr_error(c->err, -EINVAL, at.len ? at : (struct span){ at.pos, 1 },
				  "expected a number for %s", what);
	memcpy(buf, c->line + at.pos, at.len);
	buf[at.len] = '\0';
	errno = 0;
	*out = strtoll(buf, &end, 0);
	if (*end || errno)
		return expr_error(c->err, -EINVAL, at, "expected a number for %s, not '%s'", what,
				  buf);
	return 0;
}

/* lat(EVENT.NAME==NAME, ...): the match against the start event. */
static int parse_lat_match(const struct agg_ctx *c, struct span at, struct surf_agg *a)
{
	const char *s = c->line + at.pos, *eq = NULL, *dot;

	for (size_t i = 0; i + 1 < at.len; i++)
		if (s[i] == '=' && s[i + 1] == '=')
			eq = s + i;
	dot = memchr(s, '.', at.len);
	if (!eq || !dot || dot > eq)
		return expr_error(c->err, -EINVAL, at, "a latency between two events is "
				  "lat(EVENT.NAME==NAME): the start event's argument equal to ours");
	a->lat_event = strndup(s, (size_t)(dot - s));
	a->lat_start = strndup(dot + 1, (size_t)(eq - dot - 1));
	if (!a->lat_event || !a->lat_start)
		return -ENOMEM;
	{
		struct span ours = trim(c->line, (struct span){ (size_t)(eq + 2 - c->line),
					(size_t)(s + at.len - eq - 2) });

		return resolve(c, ours, false, "latency match", &a->value);
	}
}

int expr_compile_agg(const char *line, struct span at, const struct surf_arg *args, int nargs,
		     const char *const *fields, const char *classes, int nfields,
		     bool is_return, struct surf_agg **out, struct surf_expr_error *err)
{
	struct agg_ctx c = { line, args, nargs, fields, classes, nfields, err };
	const char *s = line + at.pos, *open = memchr(s, '(', at.len);
	struct span parts[MAX_AGG_KEYS + 5], name;
	struct surf_agg *a;
	size_t k;
	int n, first = 0, ret = 0;

	*out = NULL;
	name = (struct span){ at.pos, open ? (size_t)(open - s) : at.len };
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strlen(kinds[k].name) == name.len && !strncmp(kinds[k].name, s, name.len))
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return expr_error(err, -EINVAL, name, "unknown aggregation '%.*s': use count, hist, "
				  "lhist, sum, avg, min, max, stats or lat", (int)name.len, s);
	if (!open || s[at.len - 1] != ')')
		return expr_error(err, -EINVAL, (struct span){ at.pos + name.len, 1 },
				  "expected '(' after %s: e.g. a:%s(%s)", kinds[k].name,
				  kinds[k].name, kinds[k].value ? "VALUE, comm" : "comm");
	n = split_args(line, (struct span){ (size_t)(open + 1 - line),
					   (size_t)(s + at.len - 1 - open - 1) }, parts,
		       (int)(sizeof(parts) / sizeof(parts[0])));
	if (n < 0)
		return expr_error(err, -E2BIG, at, "too many keys: at most %d", MAX_AGG_KEYS);
	if (n == 1 && !parts[0].len)
		n = 0;	/* count() */
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->kind = kinds[k].kind;
	if (kinds[k].value) {
		if (!n) {
			ret = expr_error(err, -EINVAL, (struct span){ (size_t)(open + 1 - line), 1 },
					 "%s needs a value first, e.g. a:%s(size)", kinds[k].name,
					 kinds[k].name);
			goto out;
		}
		ret = resolve(&c, parts[0], true, "value", &a->value);
		first = 1;
	}
	if (!ret && a->kind == SURF_AGG_LHIST) {
		if (n < 4) {
			ret = expr_error(err, -EINVAL, at, "lhist takes the value, MIN, MAX and "
					 "STEP: e.g. a:lhist(size, 0, 1000, 100)");
			goto out;
		}
		ret = parse_int(&c, parts[1], "MIN", &a->lmin);
		if (!ret)
			ret = parse_int(&c, parts[2], "MAX", &a->lmax);
		if (!ret)
			ret = parse_int(&c, parts[3], "STEP", &a->lstep);
		if (!ret && a->lstep <= 0)
			ret = expr_error(err, -EINVAL, parts[3], "STEP must be above 0");
		if (!ret && a->lmax <= a->lmin)
			ret = expr_error(err, -EINVAL, parts[2], "MAX must be above MIN");
		if (!ret && (a->lmax - a->lmin) / a->lstep > MAX_LHIST_BUCKETS)
			ret = expr_error(err, -E2BIG, parts[3], "%" PRId64 " buckets: at most %d",
					 (a->lmax - a->lmin) / a->lstep, MAX_LHIST_BUCKETS);
		first = 4;
	}
	if (!ret && a->kind == SURF_AGG_LAT) {
		if (n && memchr(line + parts[0].pos, '=', parts[0].len)) {
			ret = parse_lat_match(&c, parts[0], a);
			first = 1;
		} else if (!is_return) {
			ret = expr_error(err, -EINVAL, at, "lat() without a start event measures "
					 "from a function's entry to its return: use it on r, R or J!, "
					 "or name the start, e.g. lat(f0.s==s)");
		}
	}
	if (!ret && n - first > MAX_AGG_KEYS)
		ret = expr_error(err, -E2BIG, parts[first + MAX_AGG_KEYS], "too many keys: at "
				 "most %d", MAX_AGG_KEYS);
	if (!ret && n > first) {
		a->keys = calloc((size_t)(n - first), sizeof(*a->keys));
		if (!a->keys)
			ret = -ENOMEM;
	}
	for (int i = first; !ret && i < n; i++) {
		ret = resolve(&c, parts[i], false, "key", &a->keys[a->nkeys]);
		if (!ret)
			a->nkeys++;
	}
out:
	if (ret) {
		expr_free_agg(a);
		return ret;
	}
	*out = a;
	return 0;
}

void expr_free_agg(struct surf_agg *a)
{
	if (!a)
		return;
	for (int i = 0; i < a->nkeys; i++)
		free(a->keys[i].name);
	free(a->keys);
	free(a->value.name);
	free(a->lat_event);
	free(a->lat_start);
	free(a);
}

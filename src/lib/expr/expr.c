// SPDX-License-Identifier: MIT
/*
 * surf_expr__compile(): one expression line from text to a struct
 * surf_probe_def, and the helpers that go with it (definition text, error
 * printing with a caret, display conversions).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <surf/dynevent.h>

#include "sys/opts.h"
#include "expr/internal.h"
#include "sys/util.h"

static const char *const common_fields[] = {
	"common_pid", "common_preempt_count", "common_flags", "common_type",
};
/* common_pid is an int; the others are unsigned (enum surf_filter_class). */
static const char common_field_classes[] = { '-', 'u', 'u', 'u' };
#define NCOMMON (int)(sizeof(common_fields) / sizeof(common_fields[0]))
#define MAX_EVENT_FIELDS 128

/* --- suggestions ------------------------------------------------------------ */

const char *expr_closest(const char *word, const char *const *candidates, int n)
{
	size_t best = SIZE_MAX, limit = strlen(word) / 3 + 1;
	const char *found = NULL;

	if (limit < 2)
		limit = 2;
	for (int i = 0; i < n; i++) {
		size_t d;

		if (!candidates[i])
			continue;
		d = surf_edit_distance(word, candidates[i]);
		if (d < best) {
			best = d;
			found = candidates[i];
		}
	}
	return best <= limit ? found : NULL;
}

struct closest_func {
	const char *word;
	size_t best, limit;
	char found[128];
};

static int closest_func_cb(void *ctx, struct surf_typeview *view, const char *name, uint64_t proto)
{
	struct closest_func *c = ctx;
	size_t d;

	(void)view;
	(void)proto;
	/* ~60000 names: a bounded distance gives up on most after a row or two. */
	d = surf_edit_distance_max(c->word, name, c->best == SIZE_MAX ? c->limit : c->best);
	if (d < c->best) {
		c->best = d;
		snprintf(c->found, sizeof(c->found), "%s", name);
	}
	return 0;
}

/* --- errors ------------------------------------------------------------------- */

/*
 * Terminal columns of line[from, to) as UTF-8: continuation bytes take none,
 * East Asian wide characters (CJK, Hangul, fullwidth forms) two.  Without
 * the locale: the caret must line up whatever the library's caller set.
 */
static size_t display_columns(const char *line, size_t from, size_t to)
{
	size_t cols = 0;

	for (size_t i = from; i < to; i++) {
		unsigned char c = (unsigned char)line[i];
		uint32_t cp;

		if ((c & 0xc0) == 0x80)
			continue;
		if (c < 0xe0) {
			cols++;
			continue;
		}
		cp = c < 0xf0 ? c & 0x0f : c & 0x07;
		for (size_t k = i + 1; k < to && ((unsigned char)line[k] & 0xc0) == 0x80 &&
				       k < i + 4; k++)
			cp = cp << 6 | ((unsigned char)line[k] & 0x3f);
		cols += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
			(cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
			(cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
			(cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
			(cp >= 0x20000 && cp <= 0x3fffd) ? 2 : 1;
	}
	return cols;
}

/* Where a byte offset falls back to the start of its UTF-8 character. */
static size_t char_start(const char *line, size_t pos)
{
	while (pos && ((unsigned char)line[pos] & 0xc0) == 0x80)
		pos--;
	return pos;
}

int expr_char_len(const char *s)
{
	unsigned char c = (unsigned char)s[0];
	int n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	for (int k = 1; k < n; k++)
		if (((unsigned char)s[k] & 0xc0) != 0x80)
			return 1;
	return n;
}

void surf_expr_error__print(FILE *out, const char *prog, const char *line,
			    const struct surf_expr_error *err)
{
	size_t len = strlen(line), pos = err->pos, end, cols;

	fprintf(out, "%s: %s\n", prog ? prog : "surftrace", err->msg);
	fputs("  ", out);
	for (size_t i = 0; i < len; i++)
		fputc(line[i] == '\t' || line[i] == '\n' ? ' ' : line[i], out);
	fputs("\n  ", out);
	if (pos > len)
		pos = len;
	pos = char_start(line, pos);
	end = pos + (err->len ? err->len : 1);
	if (end > len)
		end = len;
	/* Never half a character: the span ends after its last character's bytes. */
	while (end < len && ((unsigned char)line[end] & 0xc0) == 0x80)
		end++;
	for (size_t i = display_columns(line, 0, pos); i; i--)
		fputc(' ', out);
	cols = display_columns(line, pos, end);
	fputc('^', out);
	for (size_t i = 1; i < cols; i++)
		fputc('~', out);
	fputc('\n', out);
}

/* --- the probe point ------------------------------------------------------------ */

static struct span sub(struct span s, size_t off, size_t len)
{
	return (struct span){ s.pos + off, len ? len : 1 };
}

/* "sym+off" (decimal or hex offset). */
static int split_symbol(const struct ast_line *al, char *sym, size_t symlen, uint64_t *off,
			struct surf_expr_error *err)
{
	const char *t = al->target, *plus = strchr(t, '+');
	size_t n = plus ? (size_t)(plus - t) : strlen(t);
	char *endp;

	if (!n || n >= symlen)
		return expr_error(err, -EINVAL, al->target_span, "expected a function name");
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && t[i] != '_' && t[i] != '.' &&
		    !(t[i] == '@' && strchr("PRU", al->kind)))
			return expr_error(err, -EINVAL, sub(al->target_span, i,
							  (size_t)expr_char_len(t + i)),
					  "'%.*s' cannot be part of a function name",
					  expr_char_len(t + i), t + i);
	memcpy(sym, t, n);
	sym[n] = '\0';
	*off = 0;
	if (plus) {
		errno = 0;
		*off = strtoull(plus + 1, &endp, 0);
		/* A digit first: strtoull would take "-1" and wrap it. */
		if (!isdigit((unsigned char)plus[1]) || *endp || errno)
			return expr_error(err, -EINVAL, sub(al->target_span, n, strlen(plus)),
					  "the offset after '+' must be a number (decimal or 0x hex)");
	}
	return 0;
}

/* The name BTF knows for a GCC clone such as "tcp_v4_rcv.isra.0". */
static void clone_base_name(char *sym)
{
	static const char *const suffixes[] = { ".isra.", ".constprop.", ".part.", ".cold" };

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char *s = strstr(sym, suffixes[i]);

		if (s)
			*s = '\0';
	}
}

/* FUNC+OFF must stay inside FUNC: past its end is the next function. */
static int check_kernel_offset(const struct ast_line *al, const struct surf_expr_env *env,
			       const struct surf_probe_def *def, size_t symlen,
			       struct surf_expr_error *err)
{
	struct span off_span = sub(al->target_span, symlen, strlen(al->target) - symlen);
	char why[512] = "";
	uint64_t size = 0;
	int ret;

	if (!def->offset || !env)
		return 0;
	if (env->kernel_symbol && !env->kernel_symbol(env->ctx, def->symbol, &size) && size &&
	    def->offset >= size)
		return expr_error(err, -ERANGE, off_span, "+0x%" PRIx64 " is past the end of %s: it "
				  "is 0x%" PRIx64 " bytes long (/proc/kallsyms)", def->offset,
				  def->symbol, size);
	/*
	 * Inside an instruction, the kernel refuses the probe (x86 decodes the
	 * function to check) or, where it cannot tell, breaks the code there:
	 * said here, before anything is written.  Code that cannot be read
	 * here is left to the kernel.
	 */
	if (!env->kernel_insn)
		return 0;
	ret = env->kernel_insn(env->ctx, def->symbol, def->offset, why, sizeof(why));
	if (ret == -EILSEQ || ret == -ERANGE)
		return expr_error(err, ret, off_span, "%s", why);
	return 0;
}

static int setup_kprobe(struct compile_ctx *cc, const struct ast_line *al,
			const struct surf_expr_env *env, struct surf_probe_def *def,
			struct surf_expr_error *err)
{
	char sym[256], base[256], traced[256];
	int ret;

	ret = split_symbol(al, sym, sizeof(sym), &def->offset, err);
	if (ret)
		return ret;
	if (al->kind == 'r' && def->offset)
		return expr_error(err, -EINVAL, al->target_span, "a return probe (r) takes a "
				  "function name without +offset");
	snprintf(base, sizeof(base), "%s", sym);
	clone_base_name(base);
	ret = surf_types__find_func(cc->types, base, &cc->view, &cc->proto);
	if (ret) {
		size_t limit = strlen(base) / 3 + 1 < 2 ? 2 : strlen(base) / 3 + 1;
		struct closest_func c = { .word = base, .best = SIZE_MAX, .limit = limit };

		/*
		 * In the kernel but not in BTF: pahole leaves out a function whose
		 * GCC clone changed its parameters (__netif_receive_skb_core on
		 * Debian's 6.1); a near name would be another function.
		 */
		if (env && env->kernel_function && !strchr(sym, '.') &&
		    env->kernel_function(env->ctx, sym, traced, sizeof(traced)) == 0)
			return expr_error(err, -ENOENT, sub(al->target_span, 0, strlen(sym)),
					  "'%s' is in the kernel%s%s%s, but %s has no prototype "
					  "for it (a compiler clone changed its parameters): its "
					  "arguments cannot be typed", sym, strcmp(traced, sym) ?
					  " (as " : "", strcmp(traced, sym) ? traced : "",
					  strcmp(traced, sym) ? ")" : "",
					  surf_types__describe(cc->types));
		surf_types__for_each_func(cc->types, closest_func_cb, &c);
		if (c.best <= limit)
			return expr_error(err, -ENOENT, sub(al->target_span, 0, strlen(sym)),
					  "unknown function '%s' in %s (did you mean '%s'?)", base,
					  surf_types__describe(cc->types), c.found);
		return expr_error(err, -ENOENT, sub(al->target_span, 0, strlen(sym)),
				  "unknown function '%s' in %s", base,
				  surf_types__describe(cc->types));
	}
	cc->have_proto = true;
	cc->in_function = def->offset != 0;
	cc->func = al->target;
	if (env && env->kernel_function && !strchr(sym, '.')) {
		ret = env->kernel_function(env->ctx, sym, traced, sizeof(traced));
		if (ret == -ENOENT)
			return expr_error(err, -ENOENT, sub(al->target_span, 0, strlen(sym)),
					  "'%s' cannot be probed: it is not in available_filter_"
					  "functions (inlined everywhere, or notrace)", sym);
		if (ret == 0 && strcmp(traced, sym)) {
			/* GCC's clone is what exists: probe it under its real name. */
			def->symbol = strdup(traced);
			if (asprintf(&def->location, "%s%s", traced, al->target + strlen(sym)) < 0)
				return -ENOMEM;
		}
	}
	if (!def->symbol)
		def->symbol = strdup(sym);
	if (!def->symbol)
		return -ENOMEM;
	ret = check_kernel_offset(al, env, def, strlen(sym), err);
	if (ret)
		return ret;
	if (!def->location)
		def->location = strdup(al->target);
	if (surf_typeview__module(cc->view))
		def->module = strdup(surf_typeview__module(cc->view));
	return def->symbol && def->location ? 0 : -ENOMEM;
}

static int setup_event(const struct ast_line *al, const struct surf_expr_env *env,
		       struct surf_probe_def *def, struct surf_event_field *fields, int *nfields,
		       struct surf_expr_error *err)
{
	const char *t = al->target;
	size_t n = strcspn(t, "/:");
	int ret;

	if (!t[n] || !n || !t[n + 1] || strchr(t + n + 1, '/') || strchr(t + n + 1, ':'))
		return expr_error(err, -EINVAL, al->target_span, "a tracepoint is GROUP/EVENT, e.g. "
				  "sched/sched_switch");
	def->group = strndup(t, n);
	def->event = strdup(t + n + 1);
	if (!def->group || !def->event)
		return -ENOMEM;
	if (asprintf(&def->location, "%s/%s", def->group, def->event) < 0)
		return -ENOMEM;
	*nfields = -1;
	if (!env || !env->event_fields)
		return 0;
	ret = env->event_fields(env->ctx, def->group, def->event, fields, MAX_EVENT_FIELDS);
	if (ret == -EOPNOTSUPP)
		return 0;	/* the fields cannot be known here: not checked */
	if (ret < 0)
		return expr_error(err, ret, al->target_span, "unknown tracepoint '%s/%s'%s",
				  def->group, def->event, ret == -ENOENT ?
				  " (see surftrace -l 'GROUP:*')" : "");
	*nfields = ret;
	return 0;
}

/*
 * NAME=FIELD on a tracepoint: a name for one of its fields, e.g. sz=count,
 * for an a: clause, or for another expression's lat(f0.NAME==...).  The argument's fetch is the field's name; a
 * string field is typed "string".
 */
static int event_alias(const char *line, const struct ast_arg *aa,
		       const struct surf_event_field *fields, int nfields, struct surf_arg *out,
		       struct surf_expr_error *err)
{
	const char *v = line + aa->value_span.pos;
	size_t n = aa->value_span.len;
	char field[EXPR_MAX_NAME];
	int found = -1;

	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)v[i]) || v[i] == '_') || isdigit((unsigned char)v[0]) ||
		    n >= sizeof(field))
			return expr_error(err, -EINVAL, aa->value_span, "a tracepoint records "
					  "its own fields: NAME= names one of them (for a: clauses), "
					  "e.g. sz=count");
	memcpy(field, v, n);
	field[n] = '\0';
	for (int i = 0; i < nfields; i++)
		if (!strcmp(fields[i].name, field))
			found = i;
	if (nfields >= 0 && found < 0) {
		const char *names[MAX_EVENT_FIELDS];
		const char *close;

		for (int i = 0; i < nfields; i++)
			names[i] = fields[i].name;
		close = expr_closest(field, names, nfields);
		return expr_error(err, -ENOENT, aa->value_span, "the tracepoint has no field "
				  "'%s'%s%s%s", field, close ? " (did you mean '" : "",
				  close ? close : "", close ? "'?)" : "");
	}
	out->name = strdup(aa->name);
	out->fetch = strdup(field);
	if (found >= 0 && fields[found].cls == SURF_FILTER_STRING)
		out->type = strdup("string");
	return out->name && out->fetch ? 0 : -ENOMEM;
}

static int setup_uprobe(struct compile_ctx *cc, const struct ast_line *al,
			const struct surf_expr_env *env, struct surf_probe_def *def,
			struct surf_expr_error *err)
{
	const char *t = al->target, *colon = strrchr(t, ':');
	char path[4096], bin[1024], sym[256], why[256] = "";
	struct ast_line symline = *al;
	uint64_t off;
	int ret;

	if (!colon || colon == t || !colon[1])
		return expr_error(err, -EINVAL, al->target_span, "a user probe point is "
				  "BINARY:SYMBOL, e.g. bash:readline or libc:malloc");
	snprintf(bin, sizeof(bin), "%.*s", (int)(colon - t), t);
	snprintf(symline.target, sizeof(symline.target), "%s", colon + 1);
	symline.target_span = sub(al->target_span, (size_t)(colon + 1 - t), strlen(colon + 1));
	ret = split_symbol(&symline, sym, sizeof(sym), &def->offset, err);
	if (ret)
		return ret;
	if (al->kind == 'R' && def->offset)
		return expr_error(err, -EINVAL, al->target_span, "a return probe (R) takes a "
				  "symbol without +offset");
	if (!env || !env->resolve_user)
		return expr_error(err, -EOPNOTSUPP, al->target_span, "user-space probes need ELF "
				  "symbol resolution, which this build does not provide");
	/* With its +OFF: the ELF side checks that it starts an instruction of sym. */
	ret = env->resolve_user(env->ctx, bin, symline.target, path, sizeof(path), &off, why,
				sizeof(why));
	if (ret)
		return expr_error(err, ret, def->offset && (ret == -ERANGE || ret == -EILSEQ) ?
				  sub(symline.target_span, strlen(sym), strlen(symline.target) -
				      strlen(sym)) : al->target_span,
				  "%s", why[0] ? why : "cannot resolve this user symbol");
	def->symbol = strdup(sym);
	def->path = strdup(path);
	if (!def->symbol || !def->path ||
	    asprintf(&def->location, "%s:0x%" PRIx64, path, off) < 0)
		return -ENOMEM;
	cc->in_function = def->offset != 0;
	cc->func = def->symbol;
	cc->binary = def->path;
	/*
	 * Casts and hints too use the binary's own types, never the kernel's.
	 * A probe without values needs none: not reading the DWARF (libc's
	 * debug file is 50 ms) keeps 'P libc:malloc' quick to start.
	 */
	cc->types = env->user_types && al->nargs ? env->user_types(env->ctx, path) : NULL;
	cc->view = cc->types ? surf_types__main_view(cc->types) : NULL;
	if (cc->types && surf_types__find_func(cc->types, sym, &cc->view, &cc->proto) == 0)
		cc->have_proto = true;
	return 0;
}

/* U BIN:PROVIDER:NAME */
static int setup_usdt(struct compile_ctx *cc, const struct ast_line *al,
		      const struct surf_expr_env *env, struct surf_probe_def *def,
		      struct surf_usdt_probe *usdt, struct surf_expr_error *err)
{
	const char *t = al->target, *c2 = strrchr(t, ':'), *c1;
	char path[4096], bin[1024], provider[128], name[128], why[512] = "";
	int ret;

	c1 = c2 && c2 > t ? memrchr(t, ':', (size_t)(c2 - t)) : NULL;
	if (!c1 || c1 == t || c2 == c1 + 1 || !c2[1])
		return expr_error(err, -EINVAL, al->target_span, "a USDT probe is "
				  "BINARY:PROVIDER:NAME, e.g. ./server:myapp:request");
	snprintf(bin, sizeof(bin), "%.*s", (int)(c1 - t), t);
	snprintf(provider, sizeof(provider), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
	snprintf(name, sizeof(name), "%s", c2 + 1);
	if (!env || !env->resolve_usdt)
		return expr_error(err, -EOPNOTSUPP, al->target_span, "USDT probes need ELF note "
				  "resolution, which this build does not provide");
	ret = env->resolve_usdt(env->ctx, bin, provider, name, path, sizeof(path), usdt, why,
				sizeof(why));
	/* -EOPNOTSUPP: found, but some arguments cannot be fetched (named if used). */
	if (ret && ret != -EOPNOTSUPP)
		return expr_error(err, ret, al->target_span, "%s", why[0] ? why :
				  "cannot resolve this USDT probe");
	def->symbol = strdup(c1 + 1);
	def->path = strdup(path);
	if (!def->symbol || !def->path)
		return -ENOMEM;
	ret = usdt->semaphore_offset ?
		      asprintf(&def->location, "%s:0x%" PRIx64 "(0x%" PRIx64 ")", path, usdt->offset,
			       usdt->semaphore_offset) :
		      asprintf(&def->location, "%s:0x%" PRIx64, path, usdt->offset);
	if (ret < 0)
		return -ENOMEM;
	cc->usdt = usdt;
	cc->func = def->symbol;
	cc->binary = def->path;
	return 0;
}

/* --- the whole line ---------------------------------------------------------------- */

/* How the kernel's filter treats a probe argument of this fetch type. */
static char arg_class(const char *type)
{
	if (!type)
		return 'u';	/* the kernel's default fetch type is unsigned (x64/u64) */
	if (strchr(type, '['))
		return 0;
	if (!strcmp(type, "string") || !strcmp(type, "ustring") || !strcmp(type, "symstr"))
		return 's';
	return type[0] == 's' && isdigit((unsigned char)type[1]) ? '-' : 'u';
}

static int compile_agg(const char *line, const struct ast_line *al, struct surf_probe_def *def,
		       const struct surf_event_field *event_fields, int nevent,
		       struct surf_expr_error *err)
{
	const char *names[MAX_EVENT_FIELDS];
	char classes[MAX_EVENT_FIELDS];
	int ret;

	if (!al->agg_span.len)
		return 0;
	for (int i = 0; i < nevent; i++) {
		names[i] = event_fields[i].name;
		classes[i] = (char)event_fields[i].cls;
	}
	ret = expr_compile_agg(line, al->agg_span, def->args, def->nargs,
			       def->kind == SURF_PROBE_EVENT && nevent >= 0 ? names : NULL, classes,
			       nevent > 0 ? nevent : 0,
			       def->kind == SURF_PROBE_KRETPROBE || def->kind == SURF_PROBE_URETPROBE ||
			       def->java_return,
			       &def->agg, err);
	if (!ret) {	/* for errors found later, in the generated program */
		def->agg->pos = al->agg_span.pos;
		def->agg->len = al->agg_span.len;
		def->agg->filter_pos = al->filter_span.pos;
		def->agg->filter_len = al->filter_span.len;
	}
	return ret;
}

static int compile_filter(const char *line, const struct ast_line *al, struct surf_probe_def *def,
			  const struct surf_event_field *event_fields, int nevent,
			  struct surf_expr_error *err)
{
	const char *names[EXPR_MAX_ARGS + MAX_EVENT_FIELDS + NCOMMON];
	char classes[EXPR_MAX_ARGS + MAX_EVENT_FIELDS + NCOMMON];
	int n = 0;

	if (!al->filter_span.len)
		return 0;
	for (int i = 0; i < NCOMMON; i++) {
		classes[n] = common_field_classes[i];
		names[n++] = common_fields[i];
	}
	for (int i = 0; i < def->nargs; i++) {
		classes[n] = arg_class(def->args[i].type);
		names[n++] = def->args[i].name;
	}
	for (int i = 0; i < nevent; i++) {
		classes[n] = (char)event_fields[i].cls;
		names[n++] = event_fields[i].name;
	}
	return expr_compile_filter(line, al->filter_span,
				   def->kind == SURF_PROBE_EVENT && nevent < 0 ? NULL : names, classes, n,
				   def->args, def->nargs, &def->filter, err);
}

int surf_expr__compile(struct surf_types *types, const char *line,
		       const struct surf_expr_opts *opts, struct surf_probe_def **out,
		       struct surf_expr_error *err)
{
	struct compile_ctx cc = { .line = line, .types = types, .err = err };
	struct surf_expr_opts o;
	struct surf_event_field *event_fields = NULL;
	struct surf_usdt_probe *usdt = NULL;
	struct surf_probe_def *def;
	struct ast_line al;
	int ret, nevent = -1;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!OPTS_VALID(opts, struct surf_expr_opts))
		return -EINVAL;
	OPTS_COPY(&o, opts);
	cc.env = o.env;
	cc.arch = o.arch ? o.arch : surf_arch__host();
	cc.view = types ? surf_types__main_view(types) : NULL;
	def = calloc(1, sizeof(*def));
	if (!def)
		return -ENOMEM;

	ret = expr_split_line(line, &al, err);
	if (ret)
		goto out;
	def->kind = al.kind == 'J' ? SURF_PROBE_USDT : (enum surf_probe_kind)al.kind;
	cc.kind = def->kind;
	def->name = strdup(o.name ? o.name : "f0");
	for (int i = 0; i < al.nargs && !ret && al.kind != 'e'; i++)
		ret = expr_parse_value(line, al.args[i].value_span, &al.args[i].value, err);
	if (ret)
		goto out;

	switch (al.kind) {
	case 'p':
	case 'r':
		if (!types) {
			ret = expr_error(err, -ENOENT, al.target_span, "no kernel types loaded");
			goto out;
		}
		ret = setup_kprobe(&cc, &al, cc.env, def, err);
		break;
	case 'e':
		event_fields = calloc(MAX_EVENT_FIELDS, sizeof(*event_fields));
		ret = event_fields ? setup_event(&al, cc.env, def, event_fields, &nevent, err) : -ENOMEM;
		break;
	case 'U':
		usdt = calloc(1, sizeof(*usdt));
		ret = usdt ? setup_usdt(&cc, &al, cc.env, def, usdt, err) : -ENOMEM;
		break;
	case 'J':	/* its arguments are HotSpot's, set up with the probe */
		usdt = calloc(1, sizeof(*usdt));
		ret = usdt ? expr_setup_java(&cc, &al, def, usdt) : -ENOMEM;
		if (!ret)
			ret = compile_agg(line, &al, def, NULL, -1, err);
		goto out;
	default:
		ret = setup_uprobe(&cc, &al, cc.env, def, err);
		break;
	}
	if (ret)
		goto out;

	def->args = calloc(al.nargs ? (size_t)al.nargs : 1, sizeof(*def->args));
	if (!def->args) {
		ret = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < al.nargs; i++) {
		ret = al.kind == 'e' ? event_alias(line, &al.args[i], event_fields, nevent,
						   &def->args[i], err) :
				       expr_compile_arg(&cc, &al.args[i], &def->args[i]);
		def->nargs = i + 1;
		if (ret)
			goto out;
	}
	ret = compile_filter(line, &al, def, event_fields, nevent, err);
	if (!ret)
		ret = compile_agg(line, &al, def, event_fields, nevent, err);
out:
	/* calloc'ed: the names the callback did not fill are NULL. */
	if (event_fields)
		surf_event_fields__clear(event_fields, MAX_EVENT_FIELDS);
	free(event_fields);
	free(usdt);
	expr_free_line(&al);
	if (ret) {
		if (err && !err->msg[0])
			expr_error(err, ret, (struct span){ 0, strlen(line) }, "%s", strerror(-ret));
		surf_probe_def__free(def);
		return ret;
	}
	*out = def;
	return 0;
}

void surf_event_fields__clear(struct surf_event_field *fields, int n)
{
	for (int i = 0; fields && i < n; i++) {
		free(fields[i].name);
		fields[i].name = NULL;
	}
}

bool surf_probe_kind__is_user(enum surf_probe_kind kind)
{
	return kind == SURF_PROBE_UPROBE || kind == SURF_PROBE_URETPROBE || kind == SURF_PROBE_USDT;
}

void surf_probe_def__free(struct surf_probe_def *def)
{
	if (!def)
		return;
	for (int i = 0; i < def->nargs; i++) {
		free(def->args[i].name);
		free(def->args[i].fetch);
		free(def->args[i].type);
	}
	free(def->args);
	free(def->name);
	free(def->symbol);
	free(def->location);
	free(def->path);
	free(def->group);
	free(def->event);
	free(def->filter);
	free(def->module);
	free(def->java_class);
	free(def->java_method);
	expr_free_agg(def->agg);
	free(def);
}

size_t surf_probe_def__definition_size(const struct surf_probe_def *def, const char *group)
{
	size_t len = 64 + strlen(def->name) + (group ? strlen(group) : 0) +
		     (def->location ? strlen(def->location) : 0);

	for (int i = 0; i < def->nargs; i++)
		len += strlen(def->args[i].name) + strlen(def->args[i].fetch) +
		       (def->args[i].type ? strlen(def->args[i].type) + 1 : 0) + 2;
	return len;
}

int surf_probe_def__build(const struct surf_probe_def *def, const char *group,
			  struct surf_dynevent_cmd *cmd)
{
	enum surf_dynevent_type type;
	char event[256];

	switch (def->kind) {
	case SURF_PROBE_KPROBE: type = SURF_DYNEVENT_KPROBE; break;
	case SURF_PROBE_KRETPROBE: type = SURF_DYNEVENT_KRETPROBE; break;
	case SURF_PROBE_UPROBE:
	case SURF_PROBE_USDT: type = SURF_DYNEVENT_UPROBE; break;
	case SURF_PROBE_URETPROBE: type = SURF_DYNEVENT_URETPROBE; break;
	default: return -EINVAL;
	}
	snprintf(event, sizeof(event), "%s%s%s", group ? group : "", group ? "/" : "", def->name);
	surf_dynevent_cmd__start(cmd, type, event, def->location, (char *)NULL);
	for (int i = 0; i < def->nargs; i++)
		surf_dynevent_cmd__add_arg(cmd, &def->args[i]);
	return cmd->err;
}

char *surf_probe_def__definition(const struct surf_probe_def *def, const char *group)
{
	size_t len = surf_probe_def__definition_size(def, group);
	struct surf_dynevent_cmd cmd;
	char *buf;

	if (def->kind == SURF_PROBE_EVENT)
		return NULL;
	buf = malloc(len);
	if (!buf)
		return NULL;
	surf_dynevent_cmd__init(&cmd, buf, len);
	if (surf_probe_def__build(def, group, &cmd)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int surf_arg__format_value(const struct surf_arg *arg, uint64_t value, char *buf, size_t len)
{
	switch (arg->conv) {
	case SURF_CONV_IPV4:
		/* The fetched u32 holds the address bytes in network order. */
		return snprintf(buf, len, "%u.%u.%u.%u", (unsigned)(value & 0xff),
				(unsigned)((value >> 8) & 0xff), (unsigned)((value >> 16) & 0xff),
				(unsigned)((value >> 24) & 0xff));
	case SURF_CONV_BSWAP_DEC:
	case SURF_CONV_BSWAP_HEX:
		value = arg->conv_bits == 16 ? __builtin_bswap16((uint16_t)value) :
			arg->conv_bits == 32 ? __builtin_bswap32((uint32_t)value) :
					       __builtin_bswap64(value);
		return snprintf(buf, len, arg->conv == SURF_CONV_BSWAP_HEX ? "0x%" PRIx64 :
									      "%" PRIu64, value);
	default:
		return snprintf(buf, len, "%" PRIu64, value);
	}
}

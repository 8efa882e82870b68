// SPDX-License-Identifier: MIT
/*
 * J CLASS::METHOD and J! CLASS::METHOD: Java method entry and return, from
 * the USDT probes HotSpot's libjvm.so carries (hotspot:method__entry and
 * method__return, fired when the JVM runs with -XX:+DTraceMethodProbes).
 *
 * Both probes pass (thread id, class name, its length, method name, its
 * length, signature, its length): the names are HotSpot Symbols, bytes
 * with a length and no NUL, so a string fetch would read past their end.
 * The event records pointers and lengths only; the names are read with
 * exactly their length in the kernel at the event (engine/ustr.c for
 * streaming, gen/agg.c for a:), where the class and method patterns are
 * matched too.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/internal.h"

/* The arguments of method__entry/method__return, in the notes' order. */
enum { J_THREAD, J_CLASS, J_CLASS_LEN, J_METHOD, J_METHOD_LEN, J_SIG, J_SIG_LEN, J_NARGS };

/* What each event shows, in this order: (name, note argument, its length's index here). */
static const struct {
	const char *name;
	int note_arg;
	int len_at;		/* 1 + index in this table of the length; 0: none */
	bool hidden;
} java_fields[] = {
	{ "class", J_CLASS, 2, false },		{ "class_len", J_CLASS_LEN, 0, true },
	{ "method", J_METHOD, 4, false },	{ "method_len", J_METHOD_LEN, 0, true },
	{ "signature", J_SIG, 6, false },	{ "signature_len", J_SIG_LEN, 0, true },
	{ "thread", J_THREAD, 0, false },
};

static bool pattern_char(char c, bool is_class)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || c == '*' || c == '?' || c == '<' || c == '>' ||
	       (is_class && (c == '.' || c == '/'));
}

/*
 * One part of CLASS::METHOD, checked and normalized: a class in the JNI
 * form the seed's attachJavaSym takes ("Lcom/acme/Foo;") or with slashes
 * becomes "com.acme.Foo", as Java users write it.
 */
static int java_part(struct compile_ctx *cc, const struct ast_line *al, size_t at, size_t len,
		     bool is_class, char **out)
{
	const char *p = al->target + at;
	struct span sp = { al->target_span.pos + at, len };
	char *s;

	if (is_class && len > 2 && p[0] == 'L' && p[len - 1] == ';') {
		p++;
		len -= 2;
		sp.pos++;
	}
	if (!len)
		return expr_error(cc->err, -EINVAL, sp.len ? sp : (struct span){ sp.pos, 1 },
				  "a Java method is CLASS::METHOD, e.g. com.acme.Server::handle "
				  "(globs allowed: 'com.acme.*::handle*')");
	for (size_t i = 0; i < len; i++)
		if (!pattern_char(p[i], is_class))
			return expr_error(cc->err, -EINVAL, (struct span){ sp.pos + i, 1 },
					  "'%c' cannot be in a Java %s name (or glob)", p[i],
					  is_class ? "class" : "method");
	s = strndup(p, len);
	if (!s)
		return -ENOMEM;
	for (char *c = s; *c; c++)
		if (*c == '/')
			*c = '.';
	*out = s;
	return 0;
}

int expr_setup_java(struct compile_ctx *cc, const struct ast_line *al, struct surf_probe_def *def,
		    struct surf_usdt_probe *usdt)
{
	const struct surf_expr_env *env = cc->env;
	const char *t = al->target, *sep = strstr(t, "::"), *name;
	char path[4096], why[512] = "";
	int ret;

	if (!sep)
		return expr_error(cc->err, -EINVAL, al->target_span, "a Java method is "
				  "CLASS::METHOD, e.g. com.acme.Server::handle (globs allowed: "
				  "'com.acme.*::handle*')");
	ret = java_part(cc, al, 0, (size_t)(sep - t), true, &def->java_class);
	if (!ret)
		ret = java_part(cc, al, (size_t)(sep - t) + 2, strlen(sep + 2), false,
				&def->java_method);
	if (ret)
		return ret;
	if (al->nargs)
		return expr_error(cc->err, -EINVAL, al->args[0].name_span, "J shows the fields "
				  "class, method, signature and thread, and takes no NAME=VALUE "
				  "(a: clauses use those names)");
	if (al->filter_span.len)
		return expr_error(cc->err, -EINVAL, (struct span){ al->filter_span.pos - 2, 2 },
				  "J selects methods by its CLASS::METHOD pattern: f: is not "
				  "available on J");
	def->java_return = al->java_return;
	name = al->java_return ? "method__return" : "method__entry";
	if (!env || !env->resolve_usdt)
		return expr_error(cc->err, -EOPNOTSUPP, al->target_span, "Java methods need ELF "
				  "note resolution, which this build does not provide");
	/* "libjvm.so": the caller finds the JVM (the -p process's, or the command's). */
	ret = env->resolve_usdt(env->ctx, "libjvm.so", "hotspot", name, path, sizeof(path), usdt,
				why, sizeof(why));
	if (ret && ret != -EOPNOTSUPP)
		return expr_error(cc->err, ret, al->target_span, "%s", why[0] ? why :
				  "cannot find HotSpot's method probes (libjvm.so)");
	if (usdt->nargs != J_NARGS)
		return expr_error(cc->err, -ENOTSUP, al->target_span, "hotspot:%s in %s has %d "
				  "arguments, not the %d of HotSpot's (thread, class, length, "
				  "method, length, signature, length)", name, path, usdt->nargs,
				  J_NARGS);
	def->symbol = strndup(t, sizeof(al->target));
	def->path = strdup(path);
	def->args = calloc(J_NARGS, sizeof(*def->args));
	if (!def->symbol || !def->path || !def->args ||
	    asprintf(&def->location, "%s:0x%" PRIx64, path, usdt->offset) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(java_fields) / sizeof(java_fields[0]); i++) {
		const struct surf_usdt_arg *a = &usdt->args[java_fields[i].note_arg];
		struct surf_arg *arg = &def->args[def->nargs++];
		char type[8];

		if (!a->fetch[0] || (a->size != 4 && a->size != 8))
			return expr_error(cc->err, -ENOTSUP, al->target_span, "argument %d of "
					  "hotspot:%s ('%s') has a form uprobes cannot fetch",
					  java_fields[i].note_arg, name, usdt->arg_text);
		snprintf(type, sizeof(type), "%c%d", a->is_signed ? 's' : 'u', a->size * 8);
		arg->name = strdup(java_fields[i].name);
		arg->fetch = strdup(a->fetch);
		arg->type = strdup(java_fields[i].len_at ? "u64" : type);
		if (!arg->name || !arg->fetch || !arg->type)
			return -ENOMEM;
		arg->len_arg = java_fields[i].len_at;
		arg->hidden = java_fields[i].hidden;
		if (java_fields[i].note_arg == J_CLASS)
			arg->conv = SURF_CONV_JAVA_CLASS;
	}
	cc->usdt = usdt;
	cc->func = def->symbol;
	cc->binary = def->path;
	return 0;
}

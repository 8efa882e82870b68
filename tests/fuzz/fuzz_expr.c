// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the expression compiler (surf_expr__compile).
 *
 * Each input is one expression line, compiled against the running kernel's
 * types (opened once).  An input holding '\n' is also split and each of its
 * lines compiled on its own, so that dictionary-built inputs can carry several
 * lines.  On success the definition line is built and freed; on error the
 * caret printer runs into /dev/null.
 *
 * Besides the sanitizers, the target checks what surf/expr.h promises and
 * aborts (a crash for libFuzzer) when it does not hold:
 *   - an error is a negative errno, *out stays untouched, err.msg is a
 *     NUL-terminated non-empty string, and [pos, pos+len) lies within the line
 *     (an error "at the end" may point one byte past it);
 *   - a success returns 0 with a definition that has a name, a kind among
 *     p/r/e/P/R, 0 <= nargs <= 128 and args with names and fetches;
 *     surf_probe_def__definition() is not NULL except for tracepoints.
 *
 * FUZZ_EXPR_LAX=1 in the environment only reports such violations (the first
 * ten) instead of aborting, to fuzz past a known one.
 *
 * Build: make build/fuzz-expr; run: tests/fuzz/run.sh [SECONDS].
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <surf/expr.h>
#include <surf/types.h>

#define MAX_INPUT 4096

static struct surf_types *types;
static FILE *devnull;
static int ready;
static int lax;		/* FUZZ_EXPR_LAX=1: report contract violations, do not abort */

static void violation(const char *line, const char *what)
{
	if (lax) {
		static int shown;
		if (shown++ < 10)
			fprintf(stderr, "fuzz_expr: contract violated (lax): %s: \"%s\"\n", what, line);
		return;
	}
	fprintf(stderr, "fuzz_expr: contract violated: %s\n  line: \"%s\"\n", what, line);
	abort();
}

static void check_def(const char *line, const struct surf_probe_def *def)
{
	if (!def || def == (const struct surf_probe_def *)line) {
		violation(line, "success without a definition");
		return;
	}
	if (!def->name)
		violation(line, "definition without a name");
	switch (def->kind) {
	case SURF_PROBE_KPROBE:
	case SURF_PROBE_KRETPROBE:
	case SURF_PROBE_EVENT:
	case SURF_PROBE_UPROBE:
	case SURF_PROBE_URETPROBE:
		break;
	default:
		violation(line, "definition with an unknown kind");
	}
	if (def->nargs < 0 || def->nargs > 128)
		violation(line, "nargs out of [0, 128]");
	if (def->nargs && !def->args)
		violation(line, "nargs > 0 but args is NULL");
	for (int i = 0; i < def->nargs; i++) {
		const struct surf_arg *arg = &def->args[i];
		char buf[64];

		if (!arg->name || !arg->fetch) {
			violation(line, "argument without a name or a fetch");
			continue;
		}
		/* Touch the strings so that ASan sees any dangling one. */
		(void)strlen(arg->name);
		(void)strlen(arg->fetch);
		if (arg->type)
			(void)strlen(arg->type);
		if (arg->conv != SURF_CONV_NONE) {
			surf_arg__format_value(arg, 0x0100007fULL, buf, sizeof(buf));
			surf_arg__format_value(arg, UINT64_MAX, buf, sizeof(buf));
			surf_arg__format_value(arg, 0, buf, 1);
		}
	}
	if (def->filter)
		(void)strlen(def->filter);

	char *text = surf_probe_def__definition(def, NULL);
	if (!text && def->kind != SURF_PROBE_EVENT)
		violation(line, "no definition text for a non-tracepoint probe");
	free(text);
	text = surf_probe_def__definition(def, "surftrace");
	free(text);
}

static void check_error(const char *line, int ret, const struct surf_probe_def *def,
			const struct surf_expr_error *err)
{
	size_t n = strlen(line);

	if (ret >= 0)
		violation(line, "non-negative return without a definition");
	if (def != (const struct surf_probe_def *)line)
		violation(line, "*out written on error");
	if (!memchr(err->msg, '\0', sizeof(err->msg)))
		violation(line, "err.msg not NUL-terminated");
	if (!err->msg[0])
		violation(line, "error with an empty message");
	if (err->pos > n + 1 || err->len > n + 1 - err->pos)
		violation(line, "error range outside the line");
	surf_expr_error__print(devnull, "surftrace", line, err);
}

static void compile_one(const char *line)
{
	struct surf_expr_opts opts = { .sz = sizeof(opts), .arch = NULL, .name = NULL, .env = NULL };
	struct surf_expr_error err;
	/* A sentinel that no successful compile can return, to see *out is left alone. */
	struct surf_probe_def *def = (struct surf_probe_def *)line;
	int ret;

	memset(&err, 0xa5, sizeof(err));
	err.msg[sizeof(err.msg) - 1] = '\0';
	ret = surf_expr__compile(types, line, &opts, &def, &err);
	if (ret == 0) {
		check_def(line, def);
		if (def != (struct surf_probe_def *)line)
			surf_probe_def__free(def);
	} else {
		check_error(line, ret, def, &err);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *e = getenv("FUZZ_EXPR_LAX");

	lax = e && *e && strcmp(e, "0");
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		return 0;
	if (surf_types__open(&types, NULL) < 0) {
		fprintf(stderr, "fuzz_expr: cannot open the kernel's types; every input is ignored\n");
		types = NULL;
		return 0;
	}
	ready = 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[MAX_INPUT + 1];

	if (!ready || size > MAX_INPUT)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';

	/* The whole input as one line (it ends at its first NUL, as a C string does). */
	compile_one(buf);

	/* Then each '\n'-separated line on its own. */
	size_t len = strlen(buf);
	if (!memchr(buf, '\n', len))
		return 0;
	char *line = buf;
	for (;;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		compile_one(line);
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
}

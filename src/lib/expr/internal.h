/* SPDX-License-Identifier: MIT */
/*
 * Inside the expression compiler.  Three steps, as in ply and perf probe:
 *   line.c     splits a line into kind, target, arguments and filter;
 *   parse.c    parses each argument's value into an AST (struct ast_value);
 *   compile.c  resolves the AST against the types into a fetch argument;
 *   filter.c   checks and converts the filter.
 * Every node keeps its byte position in the line for error carets.
 */
#ifndef SURF_EXPR_INTERNAL_H
#define SURF_EXPR_INTERNAL_H

#include <stdarg.h>

#include <surf/expr.h>

#define EXPR_MAX_ARGS 128	/* the kernel's MAX_TRACE_ARGS */
#define EXPR_MAX_CHAIN 32
#define EXPR_MAX_NAME 128

/* A piece of the line: [pos, pos+len). */
struct span {
	size_t pos, len;
};

enum base_kind {
	BASE_ARG,	/* %0 */
	BASE_REG,	/* %di */
	BASE_SYM,	/* @jiffies */
	BASE_ADDR,	/* @0xffffffff81000000 */
	BASE_RETVAL,	/* $retval */
	BASE_STACK,	/* $stack, $stack3 */
	BASE_COMM,	/* $comm */
};

enum cast_kind {
	CAST_NONE,
	CAST_TYPE,	/* !(struct file *) */
	CAST_SKB,	/* @(struct iphdr *)l3: the header skb->data points at */
};

enum step_kind {
	STEP_ARROW,	/* ->name */
	STEP_DOT,	/* .name */
	STEP_INDEX,	/* [i] */
};

struct ast_step {
	enum step_kind kind;
	char name[EXPR_MAX_NAME];
	uint64_t index;
	struct span span;	/* the member name or the index */
};

/* A C type as written in a cast: "struct file *", "unsigned long", "u64". */
struct ast_ctype {
	enum surf_type_kind tag;	/* STRUCT/UNION/ENUM when a keyword was used, else ANY */
	char name[EXPR_MAX_NAME];	/* without the keyword, words joined by one space */
	int ptr;			/* number of '*' */
	struct span span;
};

struct ast_value {
	char fmt;			/* 'S', 'U', 'X' or 0 */
	enum cast_kind cast;
	struct ast_ctype ctype;
	int layer;			/* CAST_SKB: 2, 3 or 4 */
	enum base_kind base;
	char base_name[EXPR_MAX_NAME];	/* register, symbol */
	uint64_t base_num;		/* %N, @0xADDR, $stackN (-1: none) */
	struct span base_span;
	struct ast_step chain[EXPR_MAX_CHAIN];
	int nchain;
};

struct ast_arg {
	struct span name_span;
	char name[EXPR_MAX_NAME];
	struct span value_span;
	struct ast_value value;
};

struct ast_line {
	char kind;
	bool java_return;		/* "J!" */
	struct span kind_span;
	struct span target_span;
	char target[512];
	struct ast_arg *args;
	int nargs;
	struct span filter_span;	/* len 0: no filter */
	struct span agg_span;		/* after "a:"; len 0: no aggregation */
};

/* Set err (if not NULL) and return code. */
int expr_error(struct surf_expr_error *err, int code, struct span at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

int expr_split_line(const char *line, struct ast_line *out, struct surf_expr_error *err);
void expr_free_line(struct ast_line *line);
int expr_parse_value(const char *line, struct span value, struct ast_value *out,
		     struct surf_expr_error *err);

struct compile_ctx {
	const char *line;
	struct surf_types *types;
	struct surf_typeview *view;	/* where the probed function lives */
	const struct surf_arch *arch;
	enum surf_probe_kind kind;
	bool in_function;		/* sym+off: registers hold no parameters */
	bool have_proto;
	uint64_t proto;
	const char *func;
	const char *binary;		/* P/R/U: the user binary */
	const struct surf_usdt_probe *usdt;	/* U, J: the probe's arguments */
	const struct surf_expr_env *env;	/* NULL: nothing is checked against the system */
	struct surf_expr_error *err;
};

int expr_compile_arg(struct compile_ctx *cc, const struct ast_arg *arg, struct surf_arg *out);
/* J/J! (java.c): def's probe, location and arguments; cc->err says what is wrong. */
int expr_setup_java(struct compile_ctx *cc, const struct ast_line *al, struct surf_probe_def *def,
		    struct surf_usdt_probe *usdt);

/* Check a filter and convert ip_/bNN_/BNN_ values; *out is malloc'ed. */
/* classes[i]: fields[i]'s enum surf_filter_class, as a char (0: not known). */
int expr_compile_filter(const char *line, struct span filter, const char *const *fields,
			const char *classes, int nfields, const struct surf_arg *args, int nargs, char **out,
			struct surf_expr_error *err);

/*
 * Check the a: clause at span against the arguments and the tracepoint's
 * fields (names, classes; fields NULL: not known) into *out (malloc'ed).
 */
struct surf_agg;
int expr_compile_agg(const char *line, struct span at, const struct surf_arg *args, int nargs,
		     const char *const *fields, const char *classes, int nfields,
		     bool is_return, struct surf_agg **out, struct surf_expr_error *err);
void expr_free_agg(struct surf_agg *agg);

/* The closest of candidates to word (edit distance), or NULL if none is close. */
/* Bytes of the UTF-8 character at s (1 for a stray byte): quote it whole in messages. */
int expr_char_len(const char *s);

const char *expr_closest(const char *word, const char *const *candidates, int n);

#endif

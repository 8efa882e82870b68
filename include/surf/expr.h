/* SPDX-License-Identifier: MIT */
/*
 * surf/expr.h - the surftrace expression compiler.
 *
 * One expression line describes one probe:
 *
 *     KIND TARGET [NAME=VALUE ...] [f:FILTER]
 *
 *     p wake_up_new_task comm=%0->comm f:comm=="bash"
 *
 * and compiles, with the types of a struct surf_types, into the text the
 * kernel takes (kprobe_events / uprobe_events definition, ftrace filter).
 * The compiler never touches tracefs: what it needs from the running system
 * (tracepoint fields, user binary symbols) comes through callbacks in the
 * options, so that it runs anywhere and can be tested with fixtures.
 *
 * Errors carry the byte range of the bad part of the line, so that callers
 * can print a caret under it (surf_expr_error__format()).
 */
#ifndef SURF_EXPR_H
#define SURF_EXPR_H

#include "surf/api.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <surf/arch.h>
#include <surf/types.h>
#include <surf/usdt.h>

#ifdef __cplusplus
extern "C" {
#endif

enum surf_probe_kind {
	SURF_PROBE_KPROBE = 'p',
	SURF_PROBE_KRETPROBE = 'r',
	SURF_PROBE_EVENT = 'e',		/* an existing tracepoint */
	SURF_PROBE_UPROBE = 'P',
	SURF_PROBE_URETPROBE = 'R',
	SURF_PROBE_USDT = 'U',		/* a USDT probe (.note.stapsdt) of a user binary */
	/*
	 * "J CLASS::METHOD" and "J! CLASS::METHOD" (Java method entry and
	 * return) compile to SURF_PROBE_USDT on HotSpot's hotspot:method__entry
	 * or method__return, with java_class and java_method set.
	 */
};

/* How an argument's value is shown, from its name's prefix (ip_, b16_, B32_...). */
enum surf_arg_conv {
	SURF_CONV_NONE,
	SURF_CONV_IPV4,		/* ip_: a network-order u32 shown as a dotted quad */
	SURF_CONV_BSWAP_DEC,	/* b16_/b32_/b64_: byte-swapped, decimal */
	SURF_CONV_BSWAP_HEX,	/* B16_/B32_/B64_: byte-swapped, hex */
	SURF_CONV_JAVA_CLASS,	/* a JVM class name ("java/lang/Thread"), shown with dots */
};

struct surf_arg {
	char *name;
	char *fetch;		/* where the value is: "+0x6d8(%di)" */
	char *type;		/* how to read it ("string", "u32"); NULL: the kernel's default */
	enum surf_arg_conv conv;
	int conv_bits;		/* 16, 32, 64 for the byte swaps */
	/*
	 * The process passes a string as (pointer, length), not NUL-terminated
	 * (HotSpot's names): this argument is the pointer, and len_arg is 1 +
	 * the index of the argument holding the length.  Exactly that many
	 * bytes are read, in the kernel at the event.  0: not such a string.
	 */
	int len_arg;
	bool hidden;		/* the length of such a string: not shown */
};

/* A compiled expression line. */
/*
 * An aggregation clause (a:) of an expression, checked against its
 * arguments and the tracepoint's fields: what is counted or measured, by
 * which keys.  The BPF program that does it is generated from this
 * (issue 15).
 */
enum surf_agg_kind {
	SURF_AGG_COUNT = 1,	/* count(KEY...) */
	SURF_AGG_HIST,		/* hist(VALUE, KEY...): power-of-two buckets */
	SURF_AGG_LHIST,		/* lhist(VALUE, MIN, MAX, STEP, KEY...): linear buckets */
	SURF_AGG_SUM,		/* sum(VALUE, KEY...) */
	SURF_AGG_AVG,
	SURF_AGG_MIN,
	SURF_AGG_MAX,
	SURF_AGG_STATS,		/* count, sum, avg, min and max */
	SURF_AGG_LAT,		/* lat(KEY...) or lat(EVENT.NAME==NAME, KEY...): ns, power of two */
};

enum surf_agg_src {
	SURF_AGG_ARG = 1,	/* an argument of the expression (index) */
	SURF_AGG_FIELD,		/* a field of the tracepoint */
	SURF_AGG_COMM,		/* the thread's name */
	SURF_AGG_PID,		/* process id (tgid) */
	SURF_AGG_TID,
	SURF_AGG_CPU,
	SURF_AGG_KSTACK,	/* the kernel call stack */
	SURF_AGG_USTACK,	/* the user call stack */
};

struct surf_agg_ref {
	enum surf_agg_src src;
	char *name;
	int index;		/* SURF_AGG_ARG: into def->args; else -1 */
	size_t pos, len;	/* where the expression line names it */
};

struct surf_agg {
	enum surf_agg_kind kind;
	struct surf_agg_ref value;	/* the measured value; src 0 for count and lat */
	int64_t lmin, lmax, lstep;	/* lhist */
	struct surf_agg_ref *keys;
	int nkeys;
	/* lat between two events: start event name, its argument, and ours (value). */
	char *lat_event;
	char *lat_start;
	/* Where the line has the a: clause and the f: clause (len 0: none). */
	size_t pos, len, filter_pos, filter_len;
};

SURF_API const char *surf_agg_kind__name(enum surf_agg_kind kind);

struct surf_probe_def {
	enum surf_probe_kind kind;
	char *name;		/* event name, "f0" */
	char *symbol;		/* p/r: function; P/R: symbol; e: NULL */
	uint64_t offset;	/* p/P: offset inside the function (sym+OFF) */
	char *location;		/* p/r: "sym[+off]"; P/R/U: "/abs/path:0xOFF[(0xSEM)]"; e: "group/event" */
	char *path;		/* P/R: the binary */
	char *group;		/* e: tracepoint system */
	char *event;		/* e: tracepoint name */
	struct surf_arg *args;
	int nargs;
	char *filter;		/* converted ftrace filter, NULL when none */
	char *module;		/* p/r: module defining the function, NULL for vmlinux */
	struct surf_agg *agg;	/* a: clause, NULL when none */
	/*
	 * J/J!: the class and method patterns as written (globs; a class with
	 * dots), matched against every method event; NULL for other kinds.
	 */
	char *java_class, *java_method;
	bool java_return;	/* J!: method__return */
};

/* An error with the byte range [pos, pos+len) of the expression it is about. */
struct surf_expr_error {
	int code;		/* negative errno */
	size_t pos, len;
	char msg[512];
};

/*
 * How the kernel's event filter compares a field (its filter_assign_type()),
 * so that a filter it would refuse is refused at compile time.
 */
enum surf_filter_class {
	SURF_FILTER_UNCHECKED = 0,		/* not checked */
	SURF_FILTER_STRING = 's',
	SURF_FILTER_SIGNED = '-',
	SURF_FILTER_UNSIGNED = 'u',
};

struct surf_event_field {
	char *name;			/* malloc'ed by whoever fills it */
	enum surf_filter_class cls;
};
/* Free the names of n fields (and set them NULL). */
SURF_API void surf_event_fields__clear(struct surf_event_field *fields, int n);

/* What the compiler asks the system; each callback may be NULL. */
struct surf_expr_env {
	/*
	 * Fields of tracepoint group/event into fields[] (at most max), returning
	 * the count, or -ENOENT when the event does not exist.  NULL: not checked.
	 * Names are malloc'ed (surf_tracefs__event_fields does it): the compiler
	 * frees them with surf_event_fields__clear().
	 */
	int (*event_fields)(void *ctx, const char *group, const char *event,
			    struct surf_event_field *fields, int max);
	/*
	 * Resolve a user-space BIN:SYM[+OFF] to an absolute path and the file
	 * offset of that place (surf_elf__symbol_offset): -EILSEQ when OFF is
	 * not the start of an instruction of SYM, -ERANGE when it is past its
	 * end.  NULL: P/R probes are rejected with an error saying so.
	 */
	int (*resolve_user)(void *ctx, const char *bin, const char *sym, char *path,
			    size_t path_len, uint64_t *offset, char *errbuf, size_t errlen);
	/*
	 * Resolve a USDT probe BIN:PROVIDER:NAME: the binary's absolute path,
	 * and the probe (struct surf_usdt_probe, see surf/usdt.h).  NULL: U
	 * probes are rejected with an error saying so.
	 */
	int (*resolve_usdt)(void *ctx, const char *bin, const char *provider, const char *name,
			    char *path, size_t path_len, struct surf_usdt_probe *probe,
			    char *errbuf, size_t errlen);
	/*
	 * The name a kernel function can be probed by (itself, or a .isra/
	 * .constprop/.part clone): 0, -ENOENT when it cannot be probed, any other
	 * error when this cannot be known (then the name is used as written).
	 */
	int (*kernel_function)(void *ctx, const char *sym, char *out, size_t len);
	/* Types of a user binary (DWARF), NULL when it has none. */
	struct surf_types *(*user_types)(void *ctx, const char *path);
	/*
	 * Whether the kernel has symbol name, and its size (0: not known), for
	 * "FUNC+OFF" and "@sym": 0, -ENOENT when it has none, -EADDRNOTAVAIL
	 * when it is not listed by a kernel that lists no variables (no
	 * CONFIG_KALLSYMS_ALL: the kernel resolves no variable by name), any
	 * other error when this cannot be known.  NULL: not checked.
	 */
	int (*kernel_symbol)(void *ctx, const char *name, uint64_t *size);
	/*
	 * Whether "p FUNC+OFF" starts an instruction of FUNC
	 * (surf_disasm__kernel_insn): 0 yes; -EILSEQ inside one, -ERANGE past
	 * the end, errbuf saying which instruction and the boundaries around
	 * it; any other error when the code cannot be read (then the kernel
	 * checks it itself).  NULL: not checked.
	 */
	int (*kernel_insn)(void *ctx, const char *sym, uint64_t off, char *errbuf, size_t errlen);
	void *ctx;
};

struct surf_expr_opts {
	size_t sz;			/* sizeof(struct surf_expr_opts) */
	const struct surf_arch *arch;	/* NULL: this machine's */
	const char *name;		/* event name; NULL: "f0" */
	const struct surf_expr_env *env;
};

/*
 * Compile one expression line.  On error returns a negative errno and fills
 * *err (when not NULL); *out is set only on success.
 */
SURF_API int surf_expr__compile(struct surf_types *types, const char *line,
		       const struct surf_expr_opts *opts, struct surf_probe_def **out,
		       struct surf_expr_error *err);
SURF_API void surf_probe_def__free(struct surf_probe_def *def);
/* A probe in user space (P, R, U): a uprobe in uprobe_events. */
SURF_API bool surf_probe_kind__is_user(enum surf_probe_kind kind);

/*
 * The kernel definition line, e.g. "p:f0 wake_up_new_task comm=+0x6d8(%di):string",
 * with "GROUP/" before the name when group is not NULL.  Caller frees.
 * NULL for tracepoints (they need no definition).
 */
SURF_API char *surf_probe_def__definition(const struct surf_probe_def *def, const char *group);
/*
 * The same definition built into cmd (surf/dynevent.h), started by this
 * call: the event is GROUP/NAME (NAME alone when group is NULL).  The
 * engine creates its events from it.  -EINVAL for tracepoints.
 */
struct surf_dynevent_cmd;
SURF_API int surf_probe_def__build(const struct surf_probe_def *def, const char *group,
				   struct surf_dynevent_cmd *cmd);
/* Bytes the definition takes, its NUL included (a buffer for surf_probe_def__build). */
SURF_API size_t surf_probe_def__definition_size(const struct surf_probe_def *def,
						const char *group);

/*
 * Print an error as
 *     surftrace: 'comm2' is not a member of struct task_struct (did you mean 'comm'?)
 *       p wake_up_new_task comm=%0->comm2
 *                                   ^~~~~
 */
SURF_API void surf_expr_error__print(FILE *out, const char *prog, const char *line,
			    const struct surf_expr_error *err);

/* Convert a value of a prefixed argument for display (ip_, bNN_, BNN_). */
SURF_API int surf_arg__format_value(const struct surf_arg *arg, uint64_t value, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lesson.h - what the user-space halves of the bcc tutorial lessons share:
 * loading NAME.so (surfcc's build of NAME.bpf.c) with one clear message on
 * each failure, Ctrl-C and time limits, kernel function names for the
 * --kprobe variants, option parsing, and the kernel's trace pipe read the
 * way bcc's trace_readline()/trace_fields() read it.
 */
#ifndef LESSON_H
#define LESSON_H

#include <argp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <clcc.h>

/* ---- running --------------------------------------------------------- */

/*
 * Set by SIGINT, SIGTERM and the lesson_stop_after() alarm.  The handlers
 * are installed without SA_RESTART, so a blocking poll or read returns
 * -EINTR and the loop around it sees the flag.
 */
extern volatile sig_atomic_t lesson_exiting;
void lesson_handle_signals(void);
/* Stop (lesson_exiting = 1) after seconds; 0: never. */
void lesson_stop_after(unsigned int seconds);

/*
 * clcc_init(TOOL.so) (next to the program, see clcc.h), then init() without
 * attaching, so that globals can be set in between: lesson_open,
 * clcc_set_global, lesson_load.  lesson_open returns NULL, the others a
 * negative errno; every failure has printed one message (clcc's own
 * "clcc: ..." for the clcc calls).
 */
struct clcc_struct *lesson_open(const char *tool);
int lesson_load(struct clcc_struct *p, const char *tool, bool verbose);
/* The id of map name, or -ENOENT. */
int lesson_map(struct clcc_struct *p, const char *name);
/* tracepoint is "category:name". */
int lesson_attach_tp(struct clcc_struct *p, const char *tool, const char *func,
		     const char *tracepoint);
int lesson_attach_kprobe(struct clcc_struct *p, const char *func, const char *sym,
			 bool retprobe);
void lesson_close(struct clcc_struct *p);

/*
 * Run the callbacks of perf output or ring buffer map id (set_event_cb)
 * until Ctrl-C, SIGTERM or the -d time limit.  0, or a negative errno after
 * a message.
 */
int lesson_event_loop(struct clcc_struct *p, const char *tool, int id);

/*
 * Attach tp_func to syscalls:sys_enter_SYSCALL or, with kprobe, kprobe_func
 * to the syscall's kernel function (lesson_syscall_fnname).
 */
int lesson_attach_syscall(struct clcc_struct *p, const char *tool, const char *syscall,
			  const char *tp_func, const char *kprobe_func, bool kprobe);
/*
 * The hello lessons' probes on process creation: programs hello_clone and
 * hello_clone3 on syscalls:sys_enter_clone/clone3 or, with kprobe,
 * hello_kprobe on kernel_clone (_do_fork before 5.10).
 */
int lesson_attach_clone(struct clcc_struct *p, const char *tool, bool kprobe);

/*
 * bcc's get_syscall_fnname(): the kernel function of system call name
 * ("__x64_sys_sync" on x86_64), from /proc/kallsyms.  0 or -ENOENT.
 */
int lesson_syscall_fnname(const char *name, char *buf, size_t len);
/*
 * The kprobe-able kernel function name or a compiler clone of it
 * ("finish_task_switch.isra.0"), from available_filter_functions, then
 * /proc/kallsyms.  0 or -ENOENT.
 */
int lesson_kernel_function(const char *name, char *buf, size_t len);

/* ---- options --------------------------------------------------------- */

/* The options every lesson has: -v, -d SECONDS, and -h as --help. */
struct lesson_env {
	bool verbose;		/* -v: libbpf's debug messages */
	unsigned int duration;	/* -d: stop after this many seconds; 0: at Ctrl-C */
	bool kprobe;		/* --kprobe, in the lessons that have it */
};
extern struct lesson_env lesson_env;
/* Put { &lesson_argp, 0, NULL, 0 } in a tool's argp children. */
extern const struct argp lesson_argp;

/*
 * arg as an integer in [min, max], or argp_error() naming what, e.g.
 * "invalid interval 'x': want a whole number from 1 to 3600".
 */
long lesson_parse_long(struct argp_state *state, const char *what, const char *arg,
		       long min, long max);

/*
 * The positional "[interval [count]]" of the histogram lessons: call from
 * ARGP_KEY_ARG.  interval in seconds (1..3600), count (1..1000000).
 */
void lesson_interval_arg(struct argp_state *state, const char *arg, unsigned int *interval,
			 unsigned int *count);

/*
 * Print histogram map id (clcc_print_log2_hist_map, bcc's format) every
 * interval seconds, clearing it each time, count times (0: until Ctrl-C);
 * or, with interval 0, once at Ctrl-C / the -d limit.  0 or -errno.
 */
int lesson_hist_loop(struct clcc_struct *p, const char *tool, int id, const char *unit,
		     unsigned int interval, unsigned int count);

/* ---- a whole lesson -------------------------------------------------- */

struct trace_fields;

/*
 * What is particular to one lesson; lesson_main() does the rest.  Its
 * options are options plus, with kprobe_doc, --kprobe (lesson_env.kprobe)
 * and the common ones (lesson_argp); a positional argument that parser
 * leaves (ARGP_ERR_UNKNOWN) is "unexpected argument 'ARG'".
 */
struct lesson {
	const char *tool;
	const char *doc;			/* --help: USAGE and EXAMPLES */
	const char *args_doc;			/* NULL: no arguments */
	const struct argp_option *options;	/* NULL: none of its own */
	argp_parser_t parser;			/* NULL: none */
	const char *kprobe_doc;			/* --kprobe's help; NULL: no --kprobe */

	/* Before loading, to set globals (clcc_set_global); may be NULL. */
	int (*setup)(struct clcc_struct *p);
	/* After loading (and once the trace pipe is open): the probes. */
	int (*attach)(struct clcc_struct *p);
	/* Its map, found after loading and given to event and run; may be NULL. */
	const char *map;
	/* Printed once attached: a line, or the columns TIME(s) COMM PID column. */
	const char *header;
	const char *column;

	/* The output until Ctrl-C, SIGTERM or -d, one of: */
	void (*trace_line)(const char *line, void *ctx);	/* trace_pipe_loop */
	void (*event)(void *ctx, int cpu, void *data, unsigned int size); /* map's events */
	int (*run)(struct clcc_struct *p, int map);	/* 0 or a negative errno */
};

/*
 * Parse the options, then open, set up, load, attach, print the header and
 * run until Ctrl-C, SIGTERM or the -d time limit, and close.  The exit
 * code: 0; 1 after a failure (with its message); 2 when argp_parse() fails
 * without exiting (bad options exit 64 from argp_error()).
 */
int lesson_main(const struct lesson *l, int argc, char **argv);

/*
 * The attach of the lessons on clone() (lesson_attach_clone) and on sync(2)
 * (programs sync_tp and sync_kprobe, lesson_attach_syscall), with
 * lesson_env.kprobe, and the help of their --kprobe.
 */
int lesson_attach_hello(struct clcc_struct *p);
int lesson_attach_sync(struct clcc_struct *p);
/*
 * The quick-sync lessons' -t MS (lesson_threshold_ms, default 1000):
 * options, parser, and setup setting the BPF global threshold_ms.
 */
extern unsigned long long lesson_threshold_ms;
extern const struct argp_option lesson_threshold_opts[];
error_t lesson_threshold_parse(int key, char *arg, struct argp_state *state);
int lesson_set_threshold(struct clcc_struct *p);

#define LESSON_CLONE_KPROBE_DOC \
	"Trace kernel_clone with a kprobe instead of the syscalls:sys_enter_clone/clone3 tracepoints"
#define LESSON_SYNC_KPROBE_DOC \
	"Trace the sync syscall's kernel function with a kprobe instead of the " \
	"syscalls:sys_enter_sync tracepoint"

/* A trace_fields() line as the columns TIME(s) COMM PID, then msg. */
void trace_print_fields(const struct trace_fields *f, const char *msg);

/* ---- the trace pipe -------------------------------------------------- */

struct trace_pipe {
	int fd;
	size_t len;		/* bytes of a partial line in buf */
	char buf[8192];
};

/*
 * Open the trace pipe (tracefs at /sys/kernel/tracing or under debugfs)
 * and drop what is already in it: lines written before this tool attached
 * are not its own.  Warns when tracing_on is 0 (bpf_printk output is then
 * dropped).  0, or a negative errno after a "TOOL: ..." message.
 */
int trace_pipe_open(struct trace_pipe *tp, const char *tool);
void trace_pipe_close(struct trace_pipe *tp);
/*
 * The next line, without its newline, waiting up to timeout_ms (-1:
 * forever).  1: a line; 0: none yet (time out, or a signal); negative errno.
 */
int trace_readline(struct trace_pipe *tp, char *line, size_t size, int timeout_ms);

/*
 * Call fn for each line of the trace pipe until Ctrl-C, SIGTERM or the -d
 * time limit.  0, or a negative errno after a message.
 */
int trace_pipe_loop(struct trace_pipe *tp, const char *tool,
		    void (*fn)(const char *line, void *ctx), void *ctx);

#define TRACE_TASK_LEN 32

/* One trace pipe line in bcc's trace_fields() tuple. */
struct trace_fields {
	char task[TRACE_TASK_LEN];	/* comm; "<...>" when the kernel forgot it */
	int pid;
	int cpu;
	char flags[16];			/* "d..1." (absent with irq-info off: "") */
	double ts;			/* seconds, trace clock */
	const char *msg;		/* what bpf_printk printed, in line */
};

/*
 * Take line apart:
 *	"  surfbcc_hello-4242    [001] ...21  1234.567890: bpf_trace_printk: Hello, World!"
 * 0, or -EINVAL for a line that is not a record ("CPU:1 [LOST 3 EVENTS]").
 * A task the kernel shows as "<...>" is looked up in /proc/PID/comm while
 * the process still exists.
 */
int trace_fields(const char *line, struct trace_fields *f);

#endif

// SPDX-License-Identifier: MIT
/*
 * One surftrace run, from expressions to a clean exit.
 *
 * Cleanup is the point of most of this file: signal handlers only raise a
 * flag, the loop notices it, and the one teardown path (surf_engine__free)
 * runs for Ctrl-C, SIGTERM, SIGHUP, SIGQUIT, a closed pipe, a time or count
 * limit, the end of the traced command, and errors during set-up alike.
 * Only SIGKILL escapes it; the next run removes what that left.
 *
 * Records may never stop coming (a run tracing what its own output causes,
 * through a terminal or another process): the engine hands them out in
 * bounded batches and every loop here checks for a stop between them, and
 * the events are disabled before the last records are read, so that the
 * end is bounded too.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include <surf/agg.h>
#include <surf/disasm.h>
#include <surf/elf.h>
#include <surf/engine.h>
#include <surf/expr.h>
#include <surf/out.h>
#include <surf/script.h>
#include <surf/syms.h>
#include <surf/tracefs.h>
#include <surf/types.h>

#include "common.h"
#include "java.h"
#include "kernel_types.h"
#include "trace_run.h"

#define POLL_MS 100
/* After SIGTERM, the traced command's time to exit before SIGKILL. */
#define COMMAND_GRACE_MS 1000
/*
 * Stopped by -t or a signal, the time left to print what the rings still
 * hold: an output slower than the events (a terminal, a probe on a function
 * that printing calls) can leave seconds of them.  What it cannot print is
 * counted and reported.
 */
#define FINAL_PRINT_S 0.5

/*
 * strerror() for what the kernel and libbpf answered.  The kernel's internal
 * ENOTSUPP (524) leaks out of tracefs writes and perf_event_open (e.g. a
 * uprobe on an instruction the kernel cannot single-step), and libbpf has
 * codes of its own from 4000 (4001: not an ELF or BTF file); libc names
 * both "Unknown error".
 */
static const char *kernel_strerror(int err)
{
	static char buf[128];

	if (err == 524)
		return "the kernel does not support this here (ENOTSUPP)";
	if (err >= __LIBBPF_ERRNO__START && err < __LIBBPF_ERRNO__END &&
	    !libbpf_strerror(err, buf, sizeof(buf)))
		return buf;
	return strerror(err);
}

struct run {
	const struct trace_run_opts *o;
	FILE *err;
	struct surf_types *types;
	struct surf_probe_def **defs;
	int ndefs;
	char tracefs[512];
	struct surf_engine *engine;
	struct surf_out *out;
	unsigned long long seen;
	bool limit_reached;
	pid_t child;
	int child_gate;		/* write end: closing it lets the command run */
	int child_status;
	bool child_done;
	bool child_released;	/* it ran (its status counts) */
	bool child_stopped;	/* we ended it (-t, -n, a signal): its status does not count */
	int target_fd;		/* -p: a pidfd, readable once the process has exited; or -1 */
	sig_atomic_t signals_at_stop;	/* signals received when tracing stopped */
	struct surf_ksyms *ksyms;	/* /proc/kallsyms, read when first needed */
	int ksyms_err;
	struct surf_types *user_types[16];	/* DWARF of user binaries, by path */
	char user_paths[16][512];
	int nuser;
};

static int event_fields(void *ctx, const char *group, const char *event,
			struct surf_event_field *fields, int max)
{
	const struct run *r = ctx;

	/* Without tracefs the fields cannot be checked: accept any. */
	if (!r->tracefs[0])
		return -EOPNOTSUPP;
	return surf_tracefs__event_fields(r->tracefs, group, event, fields, max);
}

/* BIN as the user wrote it (a path, a library name, "libc") to a file, for -p's process too. */
static int find_binary(const struct run *r, const char *bin, char *path, size_t path_len,
		       char *errbuf, size_t errlen)
{
	int ret;

	if (!strcmp(bin, "libjvm.so")) {	/* J: the JVM's, wherever it is */
		ret = cmd_java_find_libjvm(r->o->pid, r->o->command, path, path_len);
		if (ret == -ENOEXEC)
			snprintf(errbuf, errlen, "process %d is not a Java VM (no libjvm.so in "
				 "its maps)", r->o->pid);
		else if (ret == -ESRCH)
			snprintf(errbuf, errlen, "-p %d: no such process", r->o->pid);
		else if (ret)
			snprintf(errbuf, errlen, "cannot find a Java VM (libjvm.so): give -p PID "
				 "of a running one, -c 'java ...', or set JAVA_HOME");
		return ret;
	}
	ret = surf_elf__find_binary(bin, r->o->pid, path, path_len);
	if (ret)
		snprintf(errbuf, errlen, "cannot find the binary or library '%s'", bin);
	return ret;
}

static int resolve_user(void *ctx, const char *bin, const char *sym, char *path, size_t path_len,
			uint64_t *offset, char *errbuf, size_t errlen)
{
	const struct run *r = ctx;
	int ret = find_binary(r, bin, path, path_len, errbuf, errlen);

	return ret ? ret : surf_elf__symbol_offset(path, sym, offset, errbuf, errlen);
}

static int kernel_function(void *ctx, const char *sym, char *out, size_t len)
{
	const struct run *r = ctx;

	if (!r->tracefs[0] || r->o->btf_path || r->o->vmlinux_path)
		return -EOPNOTSUPP;	/* another kernel's types: this one's list says nothing */
	return surf_tracefs__traceable_cached(r->tracefs, cmd_cache_dir(), sym, out, len);
}

static int resolve_usdt(void *ctx, const char *bin, const char *provider, const char *name,
			char *path, size_t path_len, struct surf_usdt_probe *probe, char *errbuf,
			size_t errlen)
{
	const struct run *r = ctx;
	const struct surf_arch *arch = r->o->arch ? surf_arch__find(r->o->arch) : NULL;
	int ret = find_binary(r, bin, path, path_len, errbuf, errlen);

	/* No -a: the binary's own machine decides how its notes read. */
	return ret ? ret : surf_usdt__find(path, provider, name, arch, probe, errbuf, errlen);
}

static int kernel_symbol(void *ctx, const char *name, uint64_t *size)
{
	struct run *r = ctx;
	struct surf_sym sym;
	int ret;

	if (r->o->btf_path || r->o->vmlinux_path)
		return -EOPNOTSUPP;	/* another kernel's types: this one's symbols say nothing */
	if (!r->ksyms && !r->ksyms_err)
		r->ksyms_err = surf_ksyms__load_cached(&r->ksyms, cmd_cache_dir());
	if (!r->ksyms)
		return -EOPNOTSUPP;
	ret = surf_ksyms__symbol(r->ksyms, name, &sym);
	*size = sym.size;
	return ret == -ENODATA && surf_ksyms__code_only(r->ksyms) ? -EADDRNOTAVAIL : ret;
}

/*
 * FUNC+OFF against FUNC's instructions, read from /proc/kcore, or the -v
 * vmlinux (the user's word that it is this kernel's), or this release's
 * debug vmlinux: errors other than -EILSEQ/-ERANGE leave it to the kernel.
 */
static int kernel_insn(void *ctx, const char *sym, uint64_t off, char *errbuf, size_t errlen)
{
	const struct run *r = ctx;
	struct surf_kdisasm_opts kopts = { .sz = sizeof(kopts), .vmlinux = r->o->vmlinux_path };

	if (r->o->btf_path)
		return -EOPNOTSUPP;	/* another kernel's types: its code is not here */
	return surf_disasm__kernel_insn(sym, off, &kopts, errbuf, errlen);
}

/* The DWARF types of a user binary, opened once; NULL when it has none. */
static struct surf_types *user_types(void *ctx, const char *path)
{
	struct run *r = ctx;
	struct surf_types_opts topts = { .sz = sizeof(topts), .elf_path = path };
	struct surf_types *t = NULL;

	for (int i = 0; i < r->nuser; i++)
		if (!strcmp(r->user_paths[i], path))
			return r->user_types[i];
	if (r->nuser == 16)
		return NULL;
	if (surf_types__open(&t, &topts))
		t = NULL;
	snprintf(r->user_paths[r->nuser], sizeof(r->user_paths[0]), "%s", path);
	r->user_types[r->nuser++] = t;
	return t;
}

static int compile_all(struct run *r)
{
	const struct trace_run_opts *o = r->o;
	struct cmd_types_opts topts = {
		.prog = "surftrace", .btf_path = o->btf_path, .vmlinux_path = o->vmlinux_path,
		.db_dir = o->btf_db_dir, .module_paths = o->module_paths,
	};
	struct surf_expr_env env = { .event_fields = event_fields, .resolve_user = resolve_user,
				       .resolve_usdt = resolve_usdt,
				       .kernel_function = kernel_function,
				       .kernel_symbol = kernel_symbol,
				       .kernel_insn = kernel_insn,
				       .user_types = user_types };
	struct surf_expr_opts eopts = { .sz = sizeof(eopts), .env = &env };
	int ret, status = 0;
	char name[16];

	if (o->arch) {
		eopts.arch = surf_arch__find(o->arch);
		if (!eopts.arch) {
			fprintf(r->err, "surftrace: unknown architecture '%s' (known: %s)\n", o->arch,
				surf_arch__names());
			return EXIT_BAD_INPUT;
		}
	}
	status = cmd_open_kernel_types(&topts, r->err, &r->types);
	if (status)
		return status;
	/*
	 * Tracepoint fields come from tracefs; without it they are not checked.
	 * -S and -o touch nothing, not even the mount table: they use tracefs
	 * only when it is mounted already.
	 */
	if (surf_tracefs__find(r->tracefs, sizeof(r->tracefs), !o->show && !o->script))
		r->tracefs[0] = '\0';
	env.ctx = r;

	r->defs = calloc((size_t)o->nexprs + 1, sizeof(*r->defs));
	if (!r->defs)
		return 1;
	r->ndefs = o->nexprs;
	/* Everything first: one bad expression means nothing is set up. */
	for (int i = 0; i < o->nexprs; i++) {
		struct surf_expr_error err;

		snprintf(name, sizeof(name), "f%d", i);
		eopts.name = name;
		ret = surf_expr__compile(r->types, o->exprs[i], &eopts, &r->defs[i], &err);
		if (ret) {
			surf_expr_error__print(r->err, "surftrace", o->exprs[i], &err);
			status = EXIT_BAD_INPUT;
		}
	}
	return status;
}

static int write_script(struct run *r, bool full, const char *path)
{
	struct surf_script_opts sopts = { .sz = sizeof(sopts), .stack = r->o->stack, .full = full };
	FILE *f = path ? fopen(path, "we") : (r->o->out ? r->o->out : stdout);
	int ret;

	if (!f) {
		fprintf(r->err, "surftrace: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	ret = surf_script__write(f, r->defs, r->ndefs, &sopts);
	if (path && fclose(f))
		ret = -errno;
	else if (!path)
		fflush(f);
	if (ret) {
		fprintf(r->err, "surftrace: writing %s failed: %s\n", path ? path : "the commands",
			kernel_strerror(-ret));
		return 1;
	}
	return 0;
}

/* Counts events for -n before printing them. */
static void on_record(void *ctx, const struct surf_record *rec)
{
	struct run *r = ctx;

	if (r->limit_reached)
		return;
	surf_out__record(r->out, rec);
	if (r->o->max_events && ++r->seen >= r->o->max_events)
		r->limit_reached = true;
}

static bool executable_file(const char *file)
{
	struct stat st;

	return !stat(file, &st) && S_ISREG(st.st_mode) && !access(file, X_OK);
}

/* An executable file: a path with a slash, or found on PATH as the shell would. */
static bool is_program(const char *word)
{
	const char *path = getenv("PATH");
	char file[4096];

	if (strchr(word, '/'))
		return executable_file(word);
	if (!path || !*path)
		path = "/usr/bin:/bin";
	for (;;) {
		size_t dirlen = strcspn(path, ":");

		/* An empty entry is the current directory. */
		snprintf(file, sizeof(file), "%.*s/%s", dirlen ? (int)dirlen : 1,
			 dirlen ? path : ".", word);
		if (executable_file(file))
			return true;
		if (!path[dirlen])
			return false;
		path += dirlen + 1;
	}
}

/*
 * "exec CMD" behaves as "CMD" under sh -c only for one simple command that
 * runs a program: no shell syntax (lists, redirections, expansions, quotes,
 * assignments), and a first word that is neither a builtin nor a keyword of
 * POSIX sh or dash (`exec exit 3` fails; `exec echo` runs /bin/echo, which
 * is not dash's echo).
 */
static bool exec_is_equivalent(const char *command)
{
	static const char *const shell_words[] = {
		"!", ".", ":", "[", "alias", "bg", "break", "case", "cd", "chdir", "command",
		"continue", "do", "done", "echo", "elif", "else", "esac", "eval", "exec", "exit",
		"export", "false", "fc", "fg", "fi", "for", "getopts", "hash", "if", "in", "jobs",
		"kill", "local", "printf", "pwd", "read", "readonly", "return", "set", "shift",
		"test", "then", "times", "trap", "true", "type", "ulimit", "umask", "unalias",
		"unset", "until", "wait", "while",
	};
	char word[256];
	size_t n;

	if (strpbrk(command, ";&|<>()$`\\\"'*?[]{}~#\n=!"))
		return false;
	command += strspn(command, " \t");
	n = strcspn(command, " \t");
	if (!n || n >= sizeof(word))
		return false;
	memcpy(word, command, n);
	word[n] = '\0';
	for (size_t i = 0; i < sizeof(shell_words) / sizeof(shell_words[0]); i++)
		if (!strcmp(word, shell_words[i]))
			return false;
	return is_program(word);
}

/* Start the command stopped at a gate, so that no event of it is missed. */
static int spawn_command(struct run *r)
{
	int gate[2];

	if (pipe2(gate, O_CLOEXEC))
		return -errno;
	r->child = fork();
	if (r->child < 0) {
		close(gate[0]);
		close(gate[1]);
		return -errno;
	}
	if (r->child == 0) {
		char c;

		close(gate[1]);
		/* EOF without a byte: the tracer gave up; do not run the command. */
		if (read(gate[0], &c, 1) != 1)
			_exit(127);
		/*
		 * A simple external command replaces the shell ("exec"), so that
		 * the pid we trace is the command's own: per-pid filters then see
		 * it.  Anything else runs as sh -c runs it.
		 */
		if (exec_is_equivalent(r->o->command)) {
			char *cmd;

			if (asprintf(&cmd, "exec %s", r->o->command) > 0)
				execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		}
		execl("/bin/sh", "sh", "-c", r->o->command, (char *)NULL);
		_exit(127);
	}
	close(gate[0]);
	r->child_gate = gate[1];
	return 0;
}

static void release_command(struct run *r)
{
	r->child_released = true;
	if (r->child_gate >= 0) {
		if (write(r->child_gate, "g", 1) != 1)
			kill(r->child, SIGKILL);
		close(r->child_gate);
		r->child_gate = -1;
	}
}

static void reap_command(struct run *r, bool wait_for_it)
{
	if (r->child <= 0 || r->child_done)
		return;
	if (waitpid(r->child, &r->child_status, wait_for_it ? 0 : WNOHANG) == r->child)
		r->child_done = true;
}

/* -p: the traced process has exited. */
static bool target_gone(const struct run *r)
{
	struct pollfd p = { .fd = r->target_fd, .events = POLLIN };

	if (r->o->pid <= 0)
		return false;
	if (r->target_fd >= 0)
		return poll(&p, 1, 0) == 1;
	return kill(r->o->pid, 0) && errno == ESRCH;
}

/*
 * End the command that tracing outlived (-t, -n, a signal): SIGTERM, then
 * SIGKILL after a grace period, or at once on a signal after the one that
 * stopped tracing, so that a command that ignores SIGTERM cannot keep
 * surftrace running.
 */
static void terminate_command(struct run *r)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	kill(r->child, SIGTERM);
	for (int ms = 0; ms < COMMAND_GRACE_MS && cmd_signal_count == r->signals_at_stop; ms += 10) {
		reap_command(r, false);
		if (r->child_done)
			return;
		nanosleep(&tick, NULL);
	}
	kill(r->child, SIGKILL);
	reap_command(r, true);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Why opening files failed when it is a limit, not the kernel refusing:
 * every event is a perf file per CPU, so the limit comes quickly.
 */
static const char *files_limit(int err, char *buf, size_t len)
{
	struct rlimit rl;

	if (err == -ENFILE)
		return "the system's open-files limit is reached (fs.file-max)";
	if (err != -EMFILE)
		return NULL;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return "the open-files limit is reached (ulimit -n)";
	snprintf(buf, len, "the open-files limit (ulimit -n: %llu) is too low: each event takes a "
		 "file per CPU (%ld here), and each CPU a ring", (unsigned long long)rl.rlim_cur,
		 sysconf(_SC_NPROCESSORS_CONF));
	return buf;
}

static int add_probes(struct run *r)
{
	for (int i = 0; i < r->ndefs && !cmd_stop_signal; i++) {
		enum surf_probe_kind kind = r->defs[i]->kind;
		int ret;

		if ((kind == SURF_PROBE_KPROBE || kind == SURF_PROBE_KRETPROBE) &&
		    !surf_tracefs__has_kprobes(r->tracefs)) {
			fprintf(r->err, "surftrace: cannot trace '%s': %s\n", r->o->exprs[i],
				surf_kernel__missing(SURF_FEATURE_KPROBES));
			return 1;
		}
		ret = surf_engine__add_probe(r->engine, r->defs[i], on_record, r, NULL);
		if (ret) {
			const char *why = surf_engine__last_error(r->engine);
			char buf[256];
			const char *limit = files_limit(ret, buf, sizeof(buf));

			if (limit) {
				fprintf(r->err, "surftrace: cannot trace '%s': %s\n", r->o->exprs[i],
					limit);
				return 1;
			}

			if (!r->o->quiet)
				fputs(surf_engine__commands(r->engine), r->err);
			fprintf(r->err, "surftrace: the kernel refused '%s': %s\n", r->o->exprs[i],
				kernel_strerror(-ret));
			if (why[0])
				fprintf(r->err, "%s\n", why);
			return ret == -EINVAL || ret == -ENOENT ? EXIT_BAD_INPUT : 1;
		}
	}
	return 0;
}

static void report(struct run *r)
{
	struct surf_engine_stats st;

	surf_engine__stats(r->engine, &st);
	if (r->o->quiet && !st.lost && !st.dropped && !st.throttled && !st.unread)
		return;
	/* What was printed: with -n the rings may hold more than was asked for. */
	fprintf(r->err, "surftrace: %llu events, %llu lost", surf_out__count(r->out),
		(unsigned long long)st.lost);
	if (st.lost) {
		fputs(" (per CPU:", r->err);
		for (int c = 0; c < surf_engine__ncpus(r->engine); c++) {
			uint64_t n = surf_engine__lost_on_cpu(r->engine, c);

			if (n)
				fprintf(r->err, " %d:%llu", c, (unsigned long long)n);
		}
		fputs("; a larger buffer helps: -b PAGES)", r->err);
	}
	if (st.unread)
		fprintf(r->err, ", %llu not shown (the output fell behind the events; they were still "
			"in the buffers when the run stopped)", (unsigned long long)st.unread);
	if (st.throttled)
		fprintf(r->err, ", sampling throttled %llu times by the kernel (records missing, "
			"uncounted: see kernel.perf_event_max_sample_rate)",
			(unsigned long long)st.throttled);
	fputc('\n', r->err);
}

/* An expression's target ("libc:malloc" of "R libc:malloc a:lat()"), and its length. */
static const char *target_of(const char *expr)
{
	expr += strspn(expr, " \t");
	expr += strcspn(expr, " \t");
	return expr + strspn(expr, " \t");
}

static int target_len(const char *expr)
{
	return (int)strcspn(target_of(expr), " \t");
}

/* Is def the entry of the function ret returns from (same binary and place, or symbol)? */
static bool is_entry_of(const struct surf_probe_def *def, const struct surf_probe_def *ret)
{
	if (ret->java_return)	/* J!: J of the same methods */
		return def->java_class && !def->java_return &&
		       !strcmp(def->java_class, ret->java_class) &&
		       !strcmp(def->java_method, ret->java_method) && !strcmp(def->path, ret->path);
	if (ret->kind == SURF_PROBE_URETPROBE)
		return def->kind == SURF_PROBE_UPROBE && def->path && ret->path &&
		       !strcmp(def->path, ret->path) && !strcmp(def->location, ret->location);
	return ret->kind == SURF_PROBE_KRETPROBE && def->kind == SURF_PROBE_KPROBE &&
	       !strcmp(def->symbol, ret->symbol) && !def->offset;
}

/*
 * The start of each lat(): for lat() the nearest expression before it on
 * the same function's entry, for lat(fN.S==V) expression fN.  starts[i]:
 * the index of def i's start, or -1.  EXIT_BAD_INPUT when one is missing.
 */
static int find_lat_starts(struct run *r, int *starts)
{
	for (int i = 0; i < r->ndefs; i++) {
		const struct surf_agg *a = r->defs[i]->agg;

		starts[i] = -1;
		if (!a || a->kind != SURF_AGG_LAT)
			continue;
		for (int j = 0; j < r->ndefs; j++) {
			if (j == i)
				continue;
			if (a->lat_event ? !strcmp(r->defs[j]->name, a->lat_event)
					 : j < i && is_entry_of(r->defs[j], r->defs[i]))
				starts[i] = j;
		}
		if (starts[i] >= 0)
			continue;
		if (a->lat_event)
			fprintf(r->err, "surftrace: f%d: lat(%s.%s==...) names %s, which is not one "
				"of the expressions (f0 is the first)\n", i, a->lat_event,
				a->lat_start, a->lat_event);
		else
			fprintf(r->err, "surftrace: f%d: lat() measures from the entry of %s: give "
				"its entry expression before it, e.g. '%s %.*s'\n", i,
				r->defs[i]->symbol ? r->defs[i]->symbol : r->defs[i]->location,
				r->defs[i]->java_return ? "J" :
				r->defs[i]->kind == SURF_PROBE_URETPROBE ? "P" : "p",
				target_len(r->o->exprs[i]), target_of(r->o->exprs[i]));
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static struct surf_aggregator_opts aggregator_opts(const struct run *r, const int *starts,
						   int i, int pid)
{
	struct surf_aggregator_opts o = {
		.sz = sizeof(o), .tracefs = r->tracefs[0] ? r->tracefs : NULL, .arch = r->o->arch,
		.max_entries = r->o->map_entries, .pid = pid, .cache_dir = cmd_cache_dir(),
		.start = starts[i] >= 0 ? r->defs[starts[i]] : NULL,
	};

	return o;
}

/* Errors of the aggregator that are the user's input: exit 2. */
static int aggregator_status(int ret)
{
	return ret == -EOPNOTSUPP || ret == -ENOENT || ret == -EINVAL || ret == -E2BIG ?
	       EXIT_BAD_INPUT : 1;
}

/* -S with a: clauses: the maps and programs, nothing loaded. */
static int show_aggregate(struct run *r, const int *starts, const char *script)
{
	FILE *out = r->o->out ? r->o->out : stdout;

	if (script) {
		fprintf(r->err, "surftrace: -o writes tracefs commands; an aggregation has none "
			"(see -S for its program)\n");
		return EXIT_BAD_INPUT;
	}
	for (int i = 0; i < r->ndefs; i++) {
		struct surf_aggregator_opts aopts = aggregator_opts(r, starts, i, r->o->pid);
		char why[512] = "";
		int ret;

		if (!r->defs[i]->agg)
			continue;
		ret = surf_aggregator__listing(r->defs[i], &aopts, out, why, sizeof(why));
		if (ret) {
			fprintf(r->err, "surftrace: f%d: %s\n", i, why[0] ? why : strerror(-ret));
			return aggregator_status(ret);
		}
	}
	return 0;
}

/* "[15:04:05]": the wall clock heading an interval's output. */
static void print_clock(FILE *out)
{
	time_t t = time(NULL);
	struct tm tm;
	char buf[16];

	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	fprintf(out, "[%s]\n", buf);
}

/* Every aggregation's map printed; with totals, its events and losses added up. */
static int print_aggregates(struct run *r, struct surf_aggregator **aggs,
			    unsigned long long *events, unsigned long long *dropped)
{
	struct surf_agg_print_opts popts = { .sz = sizeof(popts), .top = r->o->top,
					     .json = r->o->json };
	FILE *out = r->o->out ? r->o->out : stdout;

	for (int i = 0; i < r->ndefs; i++) {
		unsigned long long n, lost;
		int ret;

		if (!aggs[i])
			continue;
		ret = surf_aggregator__print(aggs[i], out, &popts);
		if (!ret && events)
			ret = surf_aggregator__counts(aggs[i], &n, &lost);
		if (ret) {
			fprintf(r->err, "surftrace: f%d: reading the map: %s\n", i,
				kernel_strerror(-ret));
			return 1;
		}
		if (events) {
			*events += n;
			*dropped += lost;
		}
	}
	fflush(out);
	return 0;
}

/*
 * Expressions with a: clauses: each a BPF program and map (surf/agg.h),
 * attached, read and printed when the run ends (signal, -t, the end of -c's
 * command or -p's process) and every -i.
 */
static int trace_aggregate(struct run *r, const int *starts)
{
	const struct trace_run_opts *o = r->o;
	struct surf_aggregator **aggs = calloc((size_t)r->ndefs, sizeof(*aggs));
	double deadline = o->duration > 0 ? now() + o->duration : 0, next_print = 0;
	FILE *out = o->out ? o->out : stdout;
	unsigned long long events = 0, dropped = 0;
	int status = 0, ret, pid = o->pid;

	if (!aggs)
		return 1;
	if (pid > 0 && kill(pid, 0) && errno == ESRCH) {
		fprintf(r->err, "surftrace: -p %d: no such process\n", pid);
		free(aggs);
		return 1;
	}
	if (pid > 0)
		r->target_fd = (int)syscall(SYS_pidfd_open, pid, 0);
	/* -c: started now, held at its gate until the programs are attached. */
	if (o->command) {
		ret = spawn_command(r);
		if (ret) {
			fprintf(r->err, "surftrace: cannot start '%s': %s\n", o->command,
				kernel_strerror(-ret));
			free(aggs);
			return 1;
		}
		pid = r->child;
	}
	for (int i = 0; i < r->ndefs && !status; i++) {
		struct surf_aggregator_opts aopts = aggregator_opts(r, starts, i, pid);
		struct surf_expr_error blame = { .len = 0 };
		char why[512] = "";

		if (!r->defs[i]->agg)
			continue;
		aopts.error = &blame;
		ret = surf_aggregator__new(&aggs[i], r->defs[i], &aopts, why, sizeof(why));
		if (ret && blame.len) {	/* the verifier's refusal, under the part it is about */
			surf_expr_error__print(r->err, "surftrace", o->exprs[i], &blame);
			status = 1;
		} else if (ret) {
			fprintf(r->err, "surftrace: f%d: %s\n", i, why[0] ? why : kernel_strerror(-ret));
			status = aggregator_status(ret);
		}
	}
	for (int i = 0; i < r->ndefs && !status; i++) {
		ret = aggs[i] ? surf_aggregator__attach(aggs[i]) : 0;
		if (ret) {
			fprintf(r->err, "surftrace: f%d: cannot attach to %s: %s\n", i,
				r->defs[i]->location, kernel_strerror(-ret));
			status = 1;
		}
	}
	if (!status && !o->quiet)
		fprintf(r->err, "surftrace: aggregating in the kernel%s; Ctrl-C to print\n",
			deadline ? " until the time is up" : "");
	if (!status)
		release_command(r);
	if (o->interval > 0)
		next_print = now() + o->interval;
	/* Until a signal, -t, or the end of -c's command or -p's process. */
	while (!status && !cmd_stop_signal && (!deadline || now() < deadline)) {
		/*
		 * Asleep until the next thing to do: signals end the sleep, -p's
		 * pidfd too; -c's end is polled (SIGCHLD is not caught).
		 */
		double wait = o->command ? 0.01 : 0.2, t = now();
		struct pollfd pfd = { .fd = r->target_fd, .events = POLLIN };

		if (deadline && deadline - t < wait)
			wait = deadline - t;
		if (next_print && next_print - t < wait)
			wait = next_print - t;
		reap_command(r, false);
		if (r->child_done || target_gone(r))
			break;
		if (next_print && now() >= next_print) {
			if (!o->json)
				print_clock(out);
			status = print_aggregates(r, aggs, NULL, NULL);
			if (!o->json)
				fputc('\n', out);
			next_print += o->interval;
			continue;
		}
		poll(&pfd, r->target_fd >= 0 ? 1 : 0, wait > 0 ? (int)(wait * 1000) + 1 : 0);
	}
	if (!status)
		status = print_aggregates(r, aggs, &events, &dropped);
	/* As a streaming run ends (-q: only when something was lost): lost, no room in a map. */
	if (!status && (!o->quiet || dropped))
		fprintf(r->err, "surftrace: %llu events, %llu lost%s\n", events, dropped,
			dropped ? " (a map was full)" : "");
	for (int i = 0; i < r->ndefs; i++)
		surf_aggregator__free(aggs[i]);
	free(aggs);
	return status;
}

static int trace_live(struct run *r)
{
	const struct trace_run_opts *o = r->o;
	struct surf_engine_opts eopts = {
		.sz = sizeof(eopts), .ring_pages = o->ring_pages, .callchain = o->stack,
		.pid = o->pid, .inherit = o->pid > 0 || o->command, .exclude_self = !o->self,
		.cache_dir = cmd_cache_dir(),
	};
	struct surf_out_opts oopts = {
		.sz = sizeof(oopts), .out = o->out, .json = o->json, .cache_dir = cmd_cache_dir(),
	};
	double deadline = o->duration > 0 ? now() + o->duration : 0;
	double print_until;
	bool ended;
	int ret, status = 0;

	if (geteuid() != 0)
		fprintf(r->err, "surftrace: warning: not root; creating events and opening "
				"them usually needs root\n");
	if (o->command) {
		ret = spawn_command(r);
		if (ret) {
			fprintf(r->err, "surftrace: cannot start '%s': %s\n", o->command,
				kernel_strerror(-ret));
			return 1;
		}
		eopts.pid = r->child;
	}
	/* -p: the run ends with the process, as with -c (a thread id: checked by kill). */
	if (o->pid > 0)
		r->target_fd = (int)syscall(SYS_pidfd_open, o->pid, 0);
	ret = surf_engine__new(&r->engine, &eopts);
	if (ret) {
		char buf[256];
		const char *limit = files_limit(ret, buf, sizeof(buf));

		fprintf(r->err, "surftrace: cannot set up tracing: %s%s\n",
			limit ? limit : kernel_strerror(-ret),
			ret == -ESRCH ? " (no such process)" : ret == -ENOENT ?
			" (no tracefs: is CONFIG_FTRACE on?)" : "");
		return 1;
	}
	oopts.engine = r->engine;
	if (surf_out__new(&r->out, &oopts))
		return 1;
	status = add_probes(r);
	if (!o->quiet && !status)
		fputs(surf_engine__commands(r->engine), r->err);
	if (status || cmd_stop_signal)
		return status;
	ret = surf_engine__start(r->engine);
	if (ret) {
		fprintf(r->err, "surftrace: cannot enable the events: %s\n", kernel_strerror(-ret));
		return 1;
	}
	release_command(r);

	/* Each poll is one bounded batch: a stop is noticed between two. */
	while (!cmd_stop_signal && !r->limit_reached) {
		int timeout = POLL_MS;

		/* -t ends on time, not up to a poll later. */
		if (deadline) {
			double left_ms = (deadline - now()) * 1000;

			timeout = left_ms <= 0 ? 0 : left_ms < POLL_MS ? (int)left_ms + 1 : POLL_MS;
		}
		ret = surf_engine__poll(r->engine, timeout);
		if (ret < 0 && ret != -EINTR) {
			fprintf(r->err, "surftrace: reading events failed: %s\n", kernel_strerror(-ret));
			status = 1;
			break;
		}
		/*
		 * Caught up: what is printed goes out now, not when a stdio buffer
		 * fills (a pipe to grep would wait seconds at a low rate); in a
		 * flood the batches are full and the buffer is written when full.
		 */
		if (ret > 0 && ret < SURF_ENGINE_BATCH)
			surf_out__flush(r->out);
		if (surf_out__error(r->out))
			break;	/* the reader went away (EPIPE), or a write failed */
		if (deadline && now() >= deadline)
			break;
		reap_command(r, false);
		if (r->child_done || target_gone(r))
			break;
	}
	/*
	 * The events off, then what the rings hold: nothing is written after
	 * the stop.  All of it when the command or process ended; else for
	 * FINAL_PRINT_S at most, and not after a further signal.
	 */
	r->signals_at_stop = cmd_signal_count;
	ended = r->child_done || target_gone(r);
	print_until = now() + FINAL_PRINT_S;
	surf_engine__stop(r->engine);
	while (!r->limit_reached && !surf_out__error(r->out) &&
	       (ret = surf_engine__poll(r->engine, 0)) > 0)
		if (cmd_signal_count != r->signals_at_stop || (!ended && now() >= print_until))
			break;
	if (ret > 0 && !r->limit_reached && !surf_out__error(r->out))
		surf_engine__discard(r->engine);
	/* A reader gone (EPIPE) or a signal in a blocked write (EINTR) is a stop, not a failure. */
	ret = surf_out__flush(r->out);
	if (ret && ret != EPIPE && ret != EINTR) {
		fprintf(r->err, "surftrace: writing the output failed: %s\n", strerror(ret));
		status = 1;
	}
	report(r);
	return status;
}

/* The traced command's failure as the shell reports it: its exit status, or 128 + signal. */
static int command_status(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return 0;
}

/*
 * J expressions: HotSpot fires its method probes only when started with
 * -XX:+DTraceMethodProbes.  -c gets it through JAVA_TOOL_OPTIONS (read by
 * every JVM, whatever starts it); a -p JVM without it would show nothing.
 */
static int java_setup(struct run *r)
{
	bool java = false;
	int ret;

	for (int i = 0; i < r->ndefs; i++)
		java |= r->defs[i]->java_class != NULL;
	if (java && r->o->script) {
		fprintf(r->err, "surftrace: -o: a J expression needs BPF to read HotSpot's names "
			"at the event, which a tracefs script cannot do\n");
		return EXIT_BAD_INPUT;
	}
	if (!java || r->o->show)
		return 0;
	if (r->o->command && cmd_java_set_flag_env()) {
		fprintf(r->err, "surftrace: cannot set JAVA_TOOL_OPTIONS: %s\n", strerror(errno));
		return 1;
	}
	if (r->o->pid <= 0)
		return 0;
	ret = cmd_java_method_probes(r->o->pid);
	if (ret == 0) {
		fprintf(r->err, "surftrace: the JVM %d was started without "
			"-XX:+DTraceMethodProbes: HotSpot fires its method probes only when that "
			"flag (or -XX:+ExtendedDTraceProbes) is given at launch; restart it with "
			"the flag, or start it with surftrace -c, which adds it\n", r->o->pid);
		return 1;
	}
	if (ret < 0)
		fprintf(r->err, "surftrace: warning: cannot tell whether the JVM %d runs with "
			"-XX:+DTraceMethodProbes (not on its command line; jcmd could not ask it): "
			"without it, J shows nothing\n", r->o->pid);
	return 0;
}

int trace_run(const struct trace_run_opts *opts)
{
	struct run r = { .o = opts, .child_gate = -1, .target_fd = -1 };
	struct sigaction saved[CMD_NSIGNALS];
	int status, out_fd, naggs, *starts = NULL;

	r.err = opts->err ? opts->err : stderr;
	/*
	 * Before any open: a closed stdout's number would go to the next file
	 * opened.  (A stream in memory has no number.)
	 */
	out_fd = fileno(opts->out ? opts->out : stdout);
	if (!opts->script && out_fd >= 0 && fcntl(out_fd, F_GETFL) < 0) {
		fprintf(r.err, "surftrace: writing the output failed: %s\n", strerror(errno));
		return 1;
	}
	cmd_signals_install(saved);
	status = compile_all(&r);
	if (!status)
		status = java_setup(&r);
	if (status)
		goto out;
	naggs = 0;
	starts = calloc(r.ndefs > 0 ? (size_t)r.ndefs : 1, sizeof(*starts));
	if (!starts) {
		status = 1;
		goto out;
	}
	for (int i = 0; i < r.ndefs; i++)
		naggs += r.defs[i]->agg != NULL;
	/* Names of tracepoint fields serve a: clauses and lat() starts only. */
	for (int j = 0; j < r.ndefs && !naggs; j++) {
		if (r.defs[j]->kind != SURF_PROBE_EVENT || !r.defs[j]->nargs)
			continue;
		fprintf(r.err, "surftrace: f%d: a tracepoint shows its own fields: "
			"NAME=FIELD (%s=) is for a: clauses and lat() starts\n", j,
			r.defs[j]->args[0].name);
		status = EXIT_BAD_INPUT;
		goto out;
	}
	if (!naggs && (opts->interval > 0 || opts->top || opts->map_entries)) {
		fprintf(r.err, "surftrace: %s is for a: clauses, and no expression has one\n",
			opts->interval > 0 ? "-i" : opts->top ? "--top" : "--map-entries");
		status = EXIT_BAD_INPUT;
		goto out;
	}
	if (naggs) {
		int nstreamed = 0;

		status = find_lat_starts(&r, starts);
		if (status)
			goto out;
		/* In-kernel aggregation: every expression aggregates or starts a lat(). */
		for (int i = 0; i < r.ndefs; i++) {
			bool is_start = false;

			for (int j = 0; j < r.ndefs; j++)
				is_start |= starts[j] == i;
			nstreamed += !r.defs[i]->agg && !is_start;
		}
		if (nstreamed) {
			fprintf(r.err, "surftrace: streaming events and aggregating them in one run "
				"is not done yet: give a: to every expression or to none\n");
			status = 1;
			goto out;
		}
		status = opts->show || opts->script ? show_aggregate(&r, starts, opts->script) :
						      trace_aggregate(&r, starts);
		goto out;
	}
	if (opts->script)
		status = write_script(&r, true, opts->script);
	if (!status && opts->show)
		status = write_script(&r, false, NULL);
	if (!status && !opts->show && !opts->script)
		status = trace_live(&r);
out:
	/*
	 * The events go first, whatever the command does; the engine before the
	 * output too: its workers may still be printing.
	 */
	surf_engine__free(r.engine);
	if (r.child > 0 && !r.child_done) {
		r.child_stopped = true;
		if (r.child_gate >= 0) {
			close(r.child_gate);	/* never released: it exits at once */
			reap_command(&r, true);
		} else {
			terminate_command(&r);	/* tracing stopped first (-t, -n, a signal) */
		}
	}
	if (!status && r.child_released && r.child_done && !r.child_stopped)
		status = command_status(r.child_status);
	if (r.target_fd >= 0)
		close(r.target_fd);
	surf_out__free(r.out);
	for (int i = 0; i < r.ndefs; i++)
		surf_probe_def__free(r.defs[i]);
	free(r.defs);
	surf_types__close(r.types);
	for (int i = 0; i < r.nuser; i++)
		surf_types__close(r.user_types[i]);
	surf_ksyms__free(r.ksyms);
	free(starts);
	cmd_signals_restore(saved);
	if (!status && cmd_stop_signal && cmd_stop_signal != SIGINT && cmd_stop_signal != SIGPIPE)
		status = 128 + cmd_stop_signal;
	return status;
}

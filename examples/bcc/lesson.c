// SPDX-License-Identifier: GPL-2.0
/* lesson.c - see lesson.h. */
#include "lesson.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <surf/tracefs.h>

volatile sig_atomic_t lesson_exiting;

static void on_signal(int sig)
{
	(void)sig;
	lesson_exiting = 1;
}

void lesson_handle_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: interrupt poll() and read() */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void lesson_stop_after(unsigned int seconds)
{
	if (seconds)
		alarm(seconds);
}

/* ---- loading --------------------------------------------------------- */

/*
 * A tracefs file; tracefs is mounted as surftrace mounts it when it is not
 * (after a fresh boot).  -1 with errno set on failure.
 */
static int tracefs_open(const char *file, int flags)
{
	char path[PATH_MAX];
	int err = surf_tracefs__find(path, sizeof(path) - 64, true);

	if (err) {
		errno = -err;
		return -1;
	}
	snprintf(path + strlen(path), 64, "/%s", file);
	return open(path, flags | O_CLOEXEC);
}

struct clcc_struct *lesson_open(const char *tool)
{
	char so[PATH_MAX];
	struct clcc_struct *p;

	snprintf(so, sizeof(so), "%s.so", tool);
	p = clcc_init(so);	/* says why it failed */
	return p;
}

/* clcc prints its own message for every failure below ("clcc: ..."). */

int lesson_load(struct clcc_struct *p, const char *tool, bool verbose)
{
	int err = p->init(verbose ? 3 : -1, 0);

	if (err && geteuid() != 0)
		fprintf(stderr, "%s: loading BPF programs needs root (CAP_BPF and CAP_PERFMON)\n",
			tool);
	return err;
}

int lesson_map(struct clcc_struct *p, const char *name)
{
	int id = p->get_maps_id((char *)name);

	return id < 0 ? -ENOENT : id;
}

int lesson_attach_tp(struct clcc_struct *p, const char *tool, const char *func,
		     const char *tracepoint)
{
	char category[64];
	const char *colon = strchr(tracepoint, ':');

	if (!colon || (size_t)(colon - tracepoint) >= sizeof(category)) {
		fprintf(stderr, "%s: bad tracepoint '%s'\n", tool, tracepoint);
		return -EINVAL;
	}
	memcpy(category, tracepoint, colon - tracepoint);
	category[colon - tracepoint] = '\0';
	return p->attach_tracepoint(func, category, colon + 1);
}

int lesson_attach_kprobe(struct clcc_struct *p, const char *func, const char *sym,
			 bool retprobe)
{
	return retprobe ? p->attach_kretprobe(func, sym) : p->attach_kprobe(func, sym);
}

int lesson_event_loop(struct clcc_struct *p, const char *tool, int id)
{
	while (!lesson_exiting) {
		int err = p->event_loop(id, 1);

		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "%s: reading events: %s\n", tool, strerror(-err));
			return err;
		}
	}
	return 0;
}

void lesson_close(struct clcc_struct *p)
{
	if (p)
		clcc_deinit(p);	/* exit()s first */
}

/* ---- kernel function names ------------------------------------------- */

/* The first symbol of /proc/kallsyms accepted by match(name, want). */
static int kallsyms_find(bool (*match)(const char *, const char *), const char *want,
			 char *buf, size_t len)
{
	char line[512], sym[256];
	FILE *f = fopen("/proc/kallsyms", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %255s", sym) == 1 && match(sym, want)) {
			snprintf(buf, len, "%s", sym);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

static bool same(const char *sym, const char *want)
{
	return strcmp(sym, want) == 0;
}

int lesson_syscall_fnname(const char *name, char *buf, size_t len)
{
	static const char *const prefixes[] = { "__x64_sys_", "__arm64_sys_", "__se_sys_", "sys_" };
	char want[128];

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		snprintf(want, sizeof(want), "%s%s", prefixes[i], name);
		if (kallsyms_find(same, want, buf, len) == 0)
			return 0;
	}
	return -ENOENT;
}

/* sym is want, or want followed by a compiler suffix: ".isra.0", ".constprop.0"... */
static bool same_or_clone(const char *sym, const char *want)
{
	size_t n = strlen(want);

	return strncmp(sym, want, n) == 0 && (sym[n] == '\0' || sym[n] == '.');
}

int lesson_kernel_function(const char *name, char *buf, size_t len)
{
	char line[512], sym[256];
	int fd = tracefs_open("available_filter_functions", O_RDONLY);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	bool found = false;

	if (fd >= 0 && !f)
		close(fd);
	while (f && !found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s", sym) == 1 && same_or_clone(sym, name)) {
			snprintf(buf, len, "%s", sym);
			found = true;
		}
	if (f)
		fclose(f);
	return found ? 0 : kallsyms_find(same_or_clone, name, buf, len);
}

int lesson_attach_syscall(struct clcc_struct *p, const char *tool, const char *syscall,
			  const char *tp_func, const char *kprobe_func, bool kprobe)
{
	char name[128];

	if (!kprobe) {
		snprintf(name, sizeof(name), "syscalls:sys_enter_%s", syscall);
		return lesson_attach_tp(p, tool, tp_func, name);
	}
	if (lesson_syscall_fnname(syscall, name, sizeof(name))) {
		fprintf(stderr, "%s: no kernel function for the %s syscall in /proc/kallsyms\n",
			tool, syscall);
		return -ENOENT;
	}
	return lesson_attach_kprobe(p, kprobe_func, name, false);
}

int lesson_attach_clone(struct clcc_struct *p, const char *tool, bool kprobe)
{
	char fn[128];

	if (!kprobe)
		return lesson_attach_tp(p, tool, "hello_clone", "syscalls:sys_enter_clone") ?:
		       lesson_attach_tp(p, tool, "hello_clone3", "syscalls:sys_enter_clone3");
	if (lesson_kernel_function("kernel_clone", fn, sizeof(fn)) &&
	    lesson_kernel_function("_do_fork", fn, sizeof(fn))) {
		fprintf(stderr, "%s: no kernel_clone or _do_fork to probe in this kernel\n", tool);
		return -ENOENT;
	}
	return lesson_attach_kprobe(p, "hello_kprobe", fn, false);
}

/* ---- options --------------------------------------------------------- */

struct lesson_env lesson_env;

static const struct argp_option common_opts[] = {
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS (default: at Ctrl-C)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages while loading", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show this help", 0 },
	{ 0 },
};

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'd':
		lesson_env.duration = (unsigned int)lesson_parse_long(state, "duration", arg, 1,
								       366L * 86400);
		return 0;
	case 'v':
		lesson_env.verbose = true;
		return 0;
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp lesson_argp = { common_opts, common_parse, NULL, NULL, NULL, NULL, NULL };

long lesson_parse_long(struct argp_state *state, const char *what, const char *arg,
		       long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		argp_error(state, "invalid %s '%s': want a whole number from %ld to %ld", what,
			   arg, min, max);
	return v;
}

void lesson_interval_arg(struct argp_state *state, const char *arg, unsigned int *interval,
			 unsigned int *count)
{
	if (state->arg_num == 0)
		*interval = (unsigned int)lesson_parse_long(state, "interval", arg, 1, 3600);
	else if (state->arg_num == 1)
		*count = (unsigned int)lesson_parse_long(state, "count", arg, 1, 1000000);
	else
		argp_error(state, "unexpected argument '%s': want [interval [count]]", arg);
}

/* Sleep for seconds, or until a signal sets lesson_exiting. */
static void nap(unsigned int seconds)
{
	while (seconds && !lesson_exiting)
		seconds = sleep(seconds);
}

static int print_hist(struct clcc_struct *p, const char *tool, int id, const char *unit)
{
	int err;

	printf("\n");
	err = clcc_print_log2_hist_map(p, id, unit);
	if (err)
		fprintf(stderr, "%s: reading the histogram: %s\n", tool, strerror(-err));
	fflush(stdout);
	return err;
}

int lesson_hist_loop(struct clcc_struct *p, const char *tool, int id, const char *unit,
		     unsigned int interval, unsigned int count)
{
	int err;

	if (!interval) {
		while (!lesson_exiting)
			pause();
		return print_hist(p, tool, id, unit);
	}
	for (unsigned int i = 0; !count || i < count; i++) {
		nap(interval);
		err = print_hist(p, tool, id, unit);
		if (!err)
			err = clcc_map_clear(p, id);
		if (err || lesson_exiting)
			return err;
	}
	return 0;
}

/* ---- the trace pipe -------------------------------------------------- */

int trace_pipe_open(struct trace_pipe *tp, const char *tool)
{
	char on = '1', drain[4096];
	int fd;

	tp->len = 0;
	tp->fd = tracefs_open("trace_pipe", O_RDONLY | O_NONBLOCK);
	if (tp->fd < 0) {
		int err = -errno;

		if (err == -EBUSY)
			fprintf(stderr, "%s: the trace pipe is busy: another program is reading it "
				"(the kernel allows one reader at a time)\n", tool);
		else
			fprintf(stderr, "%s: cannot open the trace pipe: %s (is tracefs mounted on "
				"/sys/kernel/tracing?)\n", tool, strerror(-err));
		return err;
	}
	while (read(tp->fd, drain, sizeof(drain)) > 0)
		;
	fd = tracefs_open("tracing_on", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, &on, 1) == 1 && on == '0')
			fprintf(stderr, "%s: warning: tracing is off (tracing_on is 0): bpf_printk "
				"output is dropped; echo 1 > /sys/kernel/tracing/tracing_on\n", tool);
		close(fd);
	}
	return 0;
}

void trace_pipe_close(struct trace_pipe *tp)
{
	if (tp->fd >= 0)
		close(tp->fd);
	tp->fd = -1;
}

/* Move the first complete line of tp->buf into line. */
static bool take_line(struct trace_pipe *tp, char *line, size_t size)
{
	char *nl = memchr(tp->buf, '\n', tp->len);
	size_t n, keep;

	if (!nl) {
		if (tp->len < sizeof(tp->buf))
			return false;
		nl = tp->buf + tp->len - 1;	/* a line longer than the buffer: cut it */
	}
	n = nl - tp->buf;
	keep = n < size ? n : size - 1;
	memcpy(line, tp->buf, keep);
	line[keep] = '\0';
	tp->len -= n + 1;
	memmove(tp->buf, nl + 1, tp->len);
	return true;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int trace_readline(struct trace_pipe *tp, char *line, size_t size, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = tp->fd, .events = POLLIN };

	for (;;) {
		long long left;
		ssize_t n;

		if (take_line(tp, line, size))
			return 1;
		n = read(tp->fd, tp->buf + tp->len, sizeof(tp->buf) - tp->len);
		if (n > 0) {
			tp->len += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		left = deadline < 0 ? 100 : deadline - now_ms();
		if (lesson_exiting || left <= 0)
			return 0;
		/*
		 * poll() on the trace pipe may wake only once the buffer fills
		 * enough, so wait at most 100 ms and read again.
		 */
		if (poll(&pfd, 1, left > 100 ? 100 : (int)left) < 0) {
			if (errno != EINTR)
				return -errno;
			return 0;
		}
	}
}

int trace_pipe_loop(struct trace_pipe *tp, const char *tool,
		    void (*fn)(const char *line, void *ctx), void *ctx)
{
	char line[4096];

	while (!lesson_exiting) {
		int n = trace_readline(tp, line, sizeof(line), -1);

		if (n < 0) {
			fprintf(stderr, "%s: reading the trace pipe: %s\n", tool, strerror(-n));
			return n;
		}
		if (n > 0 && line[0])	/* a message ending in \n leaves an empty line */
			fn(line, ctx);
	}
	return 0;
}

/* The comm of pid from /proc, or false. */
static bool proc_comm(int pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

int trace_fields(const char *line, struct trace_fields *f)
{
	const char *cpu = NULL, *p, *dash, *ts_end, *sym_end;
	char *end;
	size_t n;

	memset(f, 0, sizeof(*f));
	/*
	 * "%16s-%-7d [%03d] FLAGS TS: SYM: MSG".  A comm may hold blanks and
	 * dashes, so find the CPU field "[ddd]" first and split the text
	 * before it at its last '-'.
	 */
	for (p = strchr(line, '['); p; p = strchr(p + 1, '[')) {
		const char *q = p + 1;

		while (isdigit((unsigned char)*q))
			q++;
		if (q > p + 1 && *q == ']' && p > line && p[-1] == ' ') {
			cpu = p;
			break;
		}
	}
	if (!cpu)
		return -EINVAL;
	for (p = cpu; p > line && p[-1] == ' '; p--)
		;
	for (dash = p; dash > line && dash[-1] != '-'; dash--)
		;
	if (dash == line || !isdigit((unsigned char)*dash))
		return -EINVAL;
	f->pid = (int)strtol(dash, NULL, 10);
	for (p = line; *p == ' '; p++)
		;
	n = (size_t)(dash - 1 - p);
	if (n >= sizeof(f->task))
		n = sizeof(f->task) - 1;
	memcpy(f->task, p, n);
	f->task[n] = '\0';
	f->cpu = (int)strtol(cpu + 1, NULL, 10);

	/* After "]": optional flags, then the timestamp that ends with ':'. */
	p = strchr(cpu, ']') + 1;
	ts_end = strchr(p, ':');
	if (!ts_end)
		return -EINVAL;
	{
		const char *tok = ts_end;

		while (tok > p && tok[-1] != ' ')
			tok--;
		f->ts = strtod(tok, &end);
		if (end != ts_end)
			return -EINVAL;
		while (p < tok && *p == ' ')
			p++;
		n = (size_t)(tok - p);
		while (n && p[n - 1] == ' ')
			n--;
		if (n >= sizeof(f->flags))
			n = sizeof(f->flags) - 1;
		memcpy(f->flags, p, n);
		f->flags[n] = '\0';
	}
	/* ": bpf_trace_printk: MSG" (older kernels: ": 0x1: MSG" or ": : MSG"). */
	sym_end = strchr(ts_end + 1, ':');
	if (!sym_end)
		return -EINVAL;
	f->msg = sym_end[1] == ' ' ? sym_end + 2 : sym_end + 1;
	if (strcmp(f->task, "<...>") == 0)
		proc_comm(f->pid, f->task, sizeof(f->task));
	return 0;
}

/* ---- a whole lesson -------------------------------------------------- */

void trace_print_fields(const struct trace_fields *f, const char *msg)
{
	printf("%-18.9f %-16s %-6d %s\n", f->ts, f->task, f->pid, msg);
}

static const struct lesson *lesson;

static error_t lesson_parse(int key, char *arg, struct argp_state *state)
{
	error_t err = ARGP_ERR_UNKNOWN;

	if (key == 'k' && lesson->kprobe_doc) {
		lesson_env.kprobe = true;
		return 0;
	}
	if (lesson->parser)
		err = lesson->parser(key, arg, state);
	if (err == ARGP_ERR_UNKNOWN && key == ARGP_KEY_ARG) {
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	}
	return err;
}

/* The lesson's options, then --kprobe: the order of its --help. */
static int lesson_parse_args(const struct lesson *l, int argc, char **argv)
{
	static const struct argp_child children[] = { { &lesson_argp, 0, NULL, 0 }, { 0 } };
	static struct argp_option opts[16];
	struct argp argp = { opts, lesson_parse, l->args_doc, l->doc, children, NULL, NULL };
	size_t n = 0;

	lesson = l;
	for (const struct argp_option *o = l->options; o && (o->name || o->key); o++)
		if (n < sizeof(opts) / sizeof(opts[0]) - 2)
			opts[n++] = *o;
	if (l->kprobe_doc)
		opts[n++] = (struct argp_option){ "kprobe", 'k', NULL, 0, l->kprobe_doc, 0 };
	opts[n] = (struct argp_option){ 0 };
	return argp_parse(&argp, argc, argv, 0, NULL, NULL) ? -EINVAL : 0;
}

int lesson_attach_hello(struct clcc_struct *p)
{
	return lesson_attach_clone(p, lesson->tool, lesson_env.kprobe);
}

int lesson_attach_sync(struct clcc_struct *p)
{
	return lesson_attach_syscall(p, lesson->tool, "sync", "sync_tp", "sync_kprobe",
				     lesson_env.kprobe);
}

unsigned long long lesson_threshold_ms = 1000;

const struct argp_option lesson_threshold_opts[] = {
	{ "threshold", 't', "MS", 0, "Report syncs closer than MS milliseconds (default 1000)", 0 },
	{ 0 },
};

error_t lesson_threshold_parse(int key, char *arg, struct argp_state *state)
{
	if (key != 't')
		return ARGP_ERR_UNKNOWN;
	lesson_threshold_ms = (unsigned long long)lesson_parse_long(state, "threshold", arg, 1,
								     86400000);
	return 0;
}

int lesson_set_threshold(struct clcc_struct *p)
{
	return clcc_set_global(p, "threshold_ms", &lesson_threshold_ms,
			       sizeof(lesson_threshold_ms));
}

int lesson_main(const struct lesson *l, int argc, char **argv)
{
	struct trace_pipe tp = { .fd = -1 };
	struct clcc_struct *p;
	int err, id = -1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (lesson_parse_args(l, argc, argv))
		return 2;
	lesson_handle_signals();
	p = lesson_open(l->tool);
	if (!p)
		return 1;
	err = (l->setup ? l->setup(p) : 0) ?: lesson_load(p, l->tool, lesson_env.verbose);
	if (!err && l->map)
		err = (id = lesson_map(p, l->map)) < 0 ? id : 0;
	if (!err && l->event)
		err = p->set_event_cb(id, l->event, NULL);
	if (!err && l->trace_line)
		err = trace_pipe_open(&tp, l->tool);
	if (!err)
		err = l->attach(p);
	if (!err) {
		if (l->header)
			printf("%s\n", l->header);
		if (l->column)
			printf("%-18s %-16s %-6s %s\n", "TIME(s)", "COMM", "PID", l->column);
		lesson_stop_after(lesson_env.duration);
		if (l->trace_line)
			err = trace_pipe_loop(&tp, l->tool, l->trace_line, NULL);
		else if (l->event)
			err = lesson_event_loop(p, l->tool, id);
		else
			err = l->run(p, id);
	}
	trace_pipe_close(&tp);
	lesson_close(p);
	return err ? 1 : 0;
}

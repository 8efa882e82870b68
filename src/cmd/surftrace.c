// SPDX-License-Identifier: MIT
/*
 * surftrace - trace kernel and user functions with C expressions.
 * This file only parses options and calls libsurf.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <surf/expr.h>
#include <surf/disasm.h>
#include <surf/elf.h>
#include <surf/elflist.h>
#include <surf/usdt.h>
#include <surf/tracefs.h>
#include <surf/types.h>

#include "common.h"
#include "kernel_types.h"
#include "trace_run.h"

#define MAX_EXPRS 256

static const char usage_text[] =
"Usage: surftrace [OPTIONS] EXPRESSION...\n"
"Trace kernel functions, tracepoints, user functions, USDT probes and Java methods;\n"
"arguments are C expressions typed by the kernel's BTF or the binary's DWARF.\n"
"\n"
"An expression is  KIND TARGET [NAME=VALUE ...] [a:AGGREGATION] [f:FILTER]\n"
"  KIND     p kernel function entry (SYM[+OFF])   r kernel function return\n"
"           e tracepoint (GROUP/EVENT)\n"
"           P user function entry (BIN:SYM[+OFF])  R user function return\n"
"           U USDT probe (BIN:PROVIDER:NAME), arguments %0..%N\n"
"           J Java method entry (CLASS::METHOD, globs), J! its return: fields\n"
"           class, method, signature, thread (the JVM needs -XX:+DTraceMethodProbes)\n"
"           BIN: a path, a program on PATH, or a library ('libc')\n"
"  VALUE    [S|U|X] [!(TYPE)] BASE [->member | .member | [index]]...\n"
"           BASE: %N (argument N), %REG, $retval, @symbol, @0xADDR, $stack, $comm\n"
"           S signed, U unsigned (default), X hex\n"
"  FILTER   ftrace filter on the arguments: f:comm==\"bash\"&&pid>100\n"
"  a:AGGREGATION  counted in the kernel by BPF, printed at the end:\n"
"           count(KEY...), hist(VALUE, KEY...), lhist(VALUE, MIN, MAX, STEP, KEY...),\n"
"           sum|avg|min|max|stats(VALUE, KEY...); KEY, VALUE: a field, a NAME=FIELD\n"
"           name, comm, pid, tid, cpu; KEY also kstack, ustack, strings;\n"
"           lat(KEY...) on r/R/J!: ns from the entry (its p/P/J expression too),\n"
"           lat(fN.S==V, KEY...): ns from expression fN whose S equals our V\n"
"\n"
"Options:\n"
"  -S, --show          print the tracefs commands and exit (touches nothing;\n"
"                      tracepoints are checked when tracefs is mounted)\n"
"  -q, --quiet         trace without printing the commands and the summary\n"
"      --json          one JSON object per event\n"
"      --self          trace surftrace itself too (by default its own records\n"
"                      are left out: printing an event could cause the next)\n"
"  -p, --pid=PID       only this process (and its threads and children); stop\n"
"                      when it exits\n"
"  -c, --command=CMD   run CMD as sh -c does, trace only it, stop when it exits\n"
"  -t, --time=SECONDS  stop after SECONDS\n"
"  -n, --count=N       stop after N events\n"
"  -b, --buffer=PAGES  ring buffer pages per CPU (power of two, default 1024)\n"
"  -i, --interval=SECONDS  a: print the totals so far every SECONDS too\n"
"      --top=N         a: tables show their N largest entries\n"
"      --map-entries=N a: room for N keys per aggregation (default 10240)\n"
"  -o, --output=FILE   write the commands as a replayable shell script\n"
"  -f, --file=FILE     read more expressions from FILE, one per line\n"
"  -s, --stack         add the call chain to every event: kernel frames, then\n"
"                      the process's user frames (a user probe has only these)\n"
"  -a, --arch=ARCH     register names of ARCH: x86_64 (default here), aarch64\n"
"  -d, --db=FILE|DIR   take kernel types from this BTF file (another kernel),\n"
"                      or look in DIR first for this kernel's (type database)\n"
"  -v, --vmlinux=FILE  take kernel types from a vmlinux (.BTF or DWARF); with\n"
"                      -F FUNC, the code (and its source lines) too\n"
"  -m, --module=FILE.ko  types of a module without BTF from its DWARF\n"
"                      (loaded ones are found under /lib/modules too)\n"
"  -l, --list=PATTERN  list functions ('tcp_*'), tracepoints ('sched:*') or a\n"
"                      struct's layout ('struct task_struct'); in a user\n"
"                      binary: functions ('libc:str*'), a struct's layout\n"
"                      ('BIN:struct NAME'), USDT probes ('BIN:usdt[:GLOB]')\n"
"  -F, --disassemble=BIN:FUNC  disassemble a user function with offsets, to\n"
"                      pick a place for 'P BIN:FUNC+OFF'\n"
"  -F, --disassemble=FUNC  the same for a kernel function, for 'p FUNC+OFF':\n"
"                      from /proc/kcore, or a vmlinux (-v, or this release's\n"
"                      /usr/lib/debug/boot/vmlinux-RELEASE)\n"
"      --gen-btf=SOURCE [OUTPUT]  write the BTF of a vmlinux, a kernel image\n"
"                      (vmlinuz) or a module (.ko with DWARF) for the type\n"
"                      database (OUTPUT: RELEASE.btf or MODULE.btf here)\n"
"      --version       print the version and exit\n"
"  -h, --help          this help\n"
"\n"
"Examples:\n"
"  surftrace 'p wake_up_new_task comm=%0->comm f:comm==\"bash\"'\n"
"  surftrace 'p wake_up_new_task users=S%0->mm->mm_users'\n"
"  surftrace 'r do_filp_open pos=$retval->f_pos'\n"
"  surftrace 'p do_filp_open+121 pos=X!(struct file *)%ax->f_pos'\n"
"  surftrace 'p ip_rcv ip_src=@(struct iphdr *)l3%0->saddr f:ip_src==127.0.0.1'\n"
"  surftrace 'e sched/sched_switch f:prev_pid==1'\n"
"  surftrace -t 5 'e syscalls/sys_enter_openat f:filename.ustring~\"*.conf\"'\n"
"  surftrace --json -c 'ls /tmp' 'e sched/sched_process_exec'\n"
"  surftrace -c 'ls -l /usr/bin' 'e syscalls/sys_enter_write sz=count a:hist(sz)'\n"
"  surftrace -t 5 --top 10 'e sched/sched_switch a:count(prev_comm)'\n"
"  surftrace -c 'ls -R /usr/share/doc' 'e syscalls/sys_enter_getdents64 a:count(kstack)'\n"
"  surftrace -t 2 'P libc:malloc' 'R libc:malloc a:lat(comm)'\n"
"  surftrace -i 1 -t 3 'e block/block_rq_issue s=sector' \\\n"
"            'e block/block_rq_complete s=sector a:lat(f0.s==s)'\n"
"  surftrace -S 'p wake_up_new_task comm=%0->comm'\n"
"  surftrace -c 'sleep 1' 'P libc:nanosleep t=%0->tv_sec'\n"
"  surftrace 'R libc:fopen file=$retval f:file==0'\n"
"  surftrace -c 'java -cp build/helpers JavaCalls 3' 'J JavaCalls::square'\n"
"  surftrace -c 'java -cp build/helpers JavaCalls 3' 'J JavaCalls::*' 'J! JavaCalls::* a:lat(method)'\n"
"  surftrace -F libc:nanosleep\n"
"  surftrace -l 'tcp_v4_*'\n"
"  surftrace -l 'struct sk_buff'\n"
"  surftrace -l 'libc:str*'\n"
"  surftrace --gen-btf /sys/kernel/btf/vmlinux $(uname -r).btf   # for -d elsewhere\n"
"\n"
"Exit status: 0 on success, 2 on a bad expression or option, 1 on other errors;\n"
"with -c, when the command failed: its exit status, or 128+N if signal N killed it.\n";

struct options {
	struct trace_run_opts run;
	const char *list;
	const char *disasm;	/* -F BIN:FUNC */
	const char *gen_btf;	/* --gen-btf SOURCE [OUTPUT] */
	const char *gen_btf_out;
	const char *exprs[MAX_EXPRS];
	char *owned[MAX_EXPRS];	/* lines read from -f */
	int nexprs;
};

static int add_expr(struct options *o, const char *e, char *owned)
{
	if (o->nexprs == MAX_EXPRS) {
		fprintf(stderr, "surftrace: too many expressions (at most %d)\n", MAX_EXPRS);
		free(owned);
		return -E2BIG;
	}
	o->owned[o->nexprs] = owned;
	o->exprs[o->nexprs++] = e;
	return 0;
}

/* -EINVAL: bad input (exit 2); other errors: the system's (exit 1). */
static int read_expr_file(struct options *o, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *line = NULL, *nul;
	size_t cap = 0;
	ssize_t n;
	int ret = 0, lineno = 0;
	struct stat st;

	if (!f) {
		ret = -errno;
		fprintf(stderr, "surftrace: cannot open %s: %s\n", path, strerror(errno));
		return ret == -EISDIR ? -EINVAL : ret;
	}
	/* fopen succeeds on a directory; reading it fails with EISDIR. */
	if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "surftrace: -f %s is a directory, not a file of expressions\n",
			path);
		ret = -EINVAL;
	}
	while (!ret && (n = getline(&line, &cap, f)) >= 0) {
		char *s = line;

		lineno++;
		/* A NUL would silently cut the expression short: everything after it lost. */
		nul = memchr(line, '\0', (size_t)n);
		if (nul) {
			fprintf(stderr, "surftrace: %s:%d: a NUL byte at column %zu: an expression is "
				"text\n", path, lineno, (size_t)(nul - line) + 1);
			ret = -EINVAL;
			break;
		}

		while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			s[--n] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		s = strdup(s);
		ret = s ? add_expr(o, s, s) : -ENOMEM;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

/*
 * An option's number, whole string, in [min, max]: no trailing junk, no NaN
 * or infinity, no fraction where a count is meant, a range that says itself.
 */
static int parse_number(const char *opt, const char *arg, bool integer, double min, double max,
			double *out)
{
	char *end;

	errno = 0;
	if (integer) {
		unsigned long long u;

		/* strtoull would take "-1" and " 1": only digits here. */
		u = arg[0] >= '0' && arg[0] <= '9' ? strtoull(arg, &end, 10) : 0;
		if (arg[0] < '0' || arg[0] > '9' || *end || errno || (double)u < min ||
		    (double)u > max) {
			fprintf(stderr, "surftrace: %s takes a whole number from %.0f to %.0f, not "
				"'%s'\n", opt, min, max, arg);
			return -EINVAL;
		}
		*out = (double)u;
		return 0;
	}
	*out = strtod(arg, &end);
	if (end == arg || *end || errno || !isfinite(*out) || *out < min || *out > max) {
		fprintf(stderr, "surftrace: %s takes a number of seconds from %g to %.0f, not '%s'\n",
			opt, min, max, arg);
		return -EINVAL;
	}
	return 0;
}

/* -m FILE.ko, repeatable: one colon-separated list for the library. */
static int add_module(struct trace_run_opts *r, const char *path)
{
	static char list[8192];
	size_t n = strlen(list);

	if (access(path, R_OK)) {
		fprintf(stderr, "surftrace: -m %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (strchr(path, ':') || n + strlen(path) + 2 > sizeof(list)) {
		fprintf(stderr, "surftrace: -m %s: %s\n", path, strchr(path, ':') ?
			"a module path with ':' is not supported" : "too many modules");
		return -EINVAL;
	}
	snprintf(list + n, sizeof(list) - n, "%s%s", n ? ":" : "", path);
	r->module_paths = list;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_JSON = 256, OPT_SELF, OPT_VERSION, OPT_TOP, OPT_MAP_ENTRIES, OPT_GEN_BTF };
	static const struct option longopts[] = {
		{ "show", no_argument, NULL, 'S' },	 { "output", required_argument, NULL, 'o' },
		{ "file", required_argument, NULL, 'f' }, { "stack", no_argument, NULL, 's' },
		{ "arch", required_argument, NULL, 'a' }, { "db", required_argument, NULL, 'd' },
		{ "vmlinux", required_argument, NULL, 'v' }, { "module", required_argument, NULL, 'm' },
		{ "list", required_argument, NULL, 'l' }, { "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, OPT_JSON },  { "self", no_argument, NULL, OPT_SELF },  { "pid", required_argument, NULL, 'p' },
		{ "command", required_argument, NULL, 'c' },
		{ "time", required_argument, NULL, 't' }, { "count", required_argument, NULL, 'n' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "interval", required_argument, NULL, 'i' }, { "top", required_argument, NULL, OPT_TOP },
		{ "map-entries", required_argument, NULL, OPT_MAP_ENTRIES },
		{ "disassemble", required_argument, NULL, 'F' },
		{ "gen-btf", required_argument, NULL, OPT_GEN_BTF },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },	 { NULL, 0, NULL, 0 },
	};
	struct trace_run_opts *r = &o->run;
	const char *files[16];
	int c, nfiles = 0, ret;
	double v;

	while ((c = getopt_long(argc, argv, "So:f:sa:d:v:m:l:qp:c:t:n:b:F:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'S': r->show = true; break;
		case 'o': r->script = optarg; break;
		case 's': r->stack = true; break;
		case 'a': r->arch = optarg; break;
		case 'd': {
			struct stat st;

			/* a directory is the type database; a file, the types themselves */
			if (!stat(optarg, &st) && S_ISDIR(st.st_mode))
				r->btf_db_dir = optarg;
			else
				r->btf_path = optarg;
			break;
		}
		case 'v': r->vmlinux_path = optarg; break;
		case 'm':
			if (add_module(r, optarg))
				return EXIT_BAD_INPUT;
			break;
		case 'l': o->list = optarg; break;
		case 'F': o->disasm = optarg; break;
		case OPT_GEN_BTF: o->gen_btf = optarg; break;
		case 'q': r->quiet = true; break;
		case OPT_JSON: r->json = true; break;
		case OPT_SELF: r->self = true; break;
		case 'c': r->command = optarg; break;
		case 'p':
			/* A pid: 1 up to the kernel's PID_MAX_LIMIT (4194304). */
			if (parse_number("-p", optarg, true, 1, 4194304, &v))
				return EXIT_BAD_INPUT;
			r->pid = (int)v;
			break;
		case 't':
			/* Up to a year: beyond it a typo is likelier than a plan. */
			if (parse_number("-t", optarg, false, 0.001, 365 * 24 * 3600.0, &v))
				return EXIT_BAD_INPUT;
			r->duration = v;
			break;
		case 'n':
			if (parse_number("-n", optarg, true, 1, 1e15, &v))
				return EXIT_BAD_INPUT;
			r->max_events = (unsigned long long)v;
			break;
		case 'i':
			if (parse_number("-i", optarg, false, 0.01, 365 * 24 * 3600.0, &v))
				return EXIT_BAD_INPUT;
			r->interval = v;
			break;
		case OPT_TOP:
			if (parse_number("--top", optarg, true, 1, 1e9, &v))
				return EXIT_BAD_INPUT;
			r->top = (unsigned int)v;
			break;
		case OPT_MAP_ENTRIES:
			if (parse_number("--map-entries", optarg, true, 1, 4e9, &v))
				return EXIT_BAD_INPUT;
			r->map_entries = (unsigned int)v;
			break;
		case 'b':
			/* Pages per CPU, a power of two; 65536 pages is 256 MiB per CPU. */
			if (parse_number("-b", optarg, true, 1, 65536, &v))
				return EXIT_BAD_INPUT;
			r->ring_pages = (unsigned int)v;
			break;
		case 'f':
			if (nfiles == 16) {
				fprintf(stderr, "surftrace: too many -f files\n");
				return EXIT_BAD_INPUT;
			}
			files[nfiles++] = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case OPT_VERSION:
			cmd_print_version("surftrace");
			exit(0);
		default:
			fputs("Try 'surftrace --help' for more information.\n", stderr);
			return EXIT_BAD_INPUT;
		}
	}
	if (o->gen_btf) {
		if (argc - optind > 1) {
			fprintf(stderr, "surftrace: --gen-btf SOURCE [OUTPUT]: one output file, not "
				"'%s' too\n", argv[optind + 1]);
			return EXIT_BAD_INPUT;
		}
		o->gen_btf_out = optind < argc ? argv[optind] : NULL;
		return 0;
	}
	for (int i = optind; i < argc; i++)
		if (add_expr(o, argv[i], NULL))
			return EXIT_BAD_INPUT;
	for (int i = 0; i < nfiles; i++) {
		ret = read_expr_file(o, files[i]);
		if (ret)
			return ret == -E2BIG || ret == -EINVAL ? EXIT_BAD_INPUT : 1;
	}
	if (r->btf_path && r->vmlinux_path) {
		fprintf(stderr, "surftrace: -d and -v both name a type source: pick one\n");
		return EXIT_BAD_INPUT;
	}
	if (r->ring_pages && (r->ring_pages & (r->ring_pages - 1))) {
		fprintf(stderr, "surftrace: -b takes a power of two from 1 to 65536 (pages per "
			"CPU), not %u\n", r->ring_pages);
		return EXIT_BAD_INPUT;
	}
	if (r->pid && r->command) {
		fprintf(stderr, "surftrace: -p and -c both choose the process: pick one\n");
		return EXIT_BAD_INPUT;
	}
	if (!o->list && !o->disasm && !o->nexprs) {
		fprintf(stderr, "surftrace: no expression given\n"
				"Try 'surftrace --help' for more information.\n");
		return EXIT_BAD_INPUT;
	}
	r->sz = sizeof(*r);
	r->exprs = o->exprs;
	r->nexprs = o->nexprs;
	return 0;
}

static struct cmd_types_opts types_opts(const struct options *o)
{
	return (struct cmd_types_opts){ .prog = "surftrace", .btf_path = o->run.btf_path,
					.vmlinux_path = o->run.vmlinux_path,
					.db_dir = o->run.btf_db_dir,
					.module_paths = o->run.module_paths };
}

/*
 * -l BIN:GLOB (functions), -l 'BIN:struct NAME' (DWARF layout) and
 * -l BIN:usdt:GLOB (USDT probes), when BIN names a binary or library;
 * anything else is left to the kernel listings.  True when handled.
 */
static bool user_list(const struct options *o, const char *p, int *ret)
{
	const char *colon = strchr(p, ':');
	char bin[1024], path[4096];

	if (!colon || colon == p || (size_t)(colon - p) >= sizeof(bin))
		return false;
	snprintf(bin, sizeof(bin), "%.*s", (int)(colon - p), p);
	if (surf_elf__find_binary(bin, o->run.pid, path, sizeof(path)))
		return false;
	p = colon + 1;
	if (!strncmp(p, "usdt:", 5) || !strcmp(p, "usdt")) {
		*ret = surf_usdt__print(path, p[4] ? p + 5 : "*", stdout);
	} else if (!strncmp(p, "struct ", 7) || !strncmp(p, "union ", 6)) {
		struct surf_types_opts topts = { .sz = sizeof(topts), .elf_path = path };
		struct surf_types *t;
		bool is_union = p[0] == 'u';

		*ret = surf_types__open(&t, &topts);
		if (*ret) {
			fprintf(stderr, "surftrace: %s has no debug info (DWARF): %s\n", path,
				strerror(-*ret));
			*ret = 0;
			return true;
		}
		*ret = surf_typeview__print_struct(surf_types__main_view(t), is_union ?
						   SURF_TYPE_UNION : SURF_TYPE_STRUCT,
						   p + (is_union ? 6 : 7), stdout);
		surf_types__close(t);
	} else {
		*ret = surf_elf__print_symbols(path, *p ? p : "*", stdout);
	}
	return true;
}

/*
 * -F FUNC: a kernel function, from /proc/kcore or a vmlinux (-v, else this
 * release's debug vmlinux).  Exit 2 for a function the kernel does not
 * have, 1 when its code cannot be read here (the message says what would do).
 */
static int disassemble_kernel(const char *func, const char *vmlinux)
{
	struct surf_kdisasm_opts kopts = { .sz = sizeof(kopts), .vmlinux = vmlinux };
	char tracefs[4096], err[1024] = "";
	int ret;

	/* Only a tracefs already mounted: a listing changes nothing on the system. */
	if (!surf_tracefs__find(tracefs, sizeof(tracefs), false))
		kopts.tracefs = tracefs;
	ret = surf_disasm__print_kernel(func, &kopts, stdout, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "surftrace: %s\n", err[0] ? err : strerror(-ret));
		return ret == -ENOENT || ret == -EINVAL ? EXIT_BAD_INPUT : 1;
	}
	return 0;
}

static int disassemble(const char *what, int pid, const char *vmlinux)
{
	const char *colon = strrchr(what, ':');
	char bin[1024], path[4096], err[512] = "";
	int ret;

	if (!colon)
		return disassemble_kernel(what, vmlinux);
	if (colon == what || !colon[1]) {
		fprintf(stderr, "surftrace: -F takes FUNCTION (kernel) or BINARY:FUNCTION, e.g. "
			"do_filp_open or bash:readline\n");
		return EXIT_BAD_INPUT;
	}
	snprintf(bin, sizeof(bin), "%.*s", (int)(colon - what), what);
	if (surf_elf__find_binary(bin, pid, path, sizeof(path))) {
		fprintf(stderr, "surftrace: cannot find the binary or library '%s'\n", bin);
		return EXIT_BAD_INPUT;
	}
	ret = surf_disasm__print(path, colon + 1, stdout, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "surftrace: %s\n", err[0] ? err : strerror(-ret));
		return ret == -ENOENT || ret == -EINVAL ? EXIT_BAD_INPUT : 1;
	}
	return 0;
}

static int list(const struct options *o, struct surf_types *types)
{
	const char *p = o->list;
	char tracefs[4096];
	int ret;

	if (user_list(o, p, &ret))
		;
	else if (!strncmp(p, "struct ", 7) || !strncmp(p, "union ", 6)) {
		bool is_union = p[0] == 'u';

		ret = surf_typeview__print_struct(surf_types__main_view(types),
						  is_union ? SURF_TYPE_UNION : SURF_TYPE_STRUCT,
						  p + (is_union ? 6 : 7), stdout);
	} else if (strchr(p, ':')) {
		ret = surf_tracefs__find(tracefs, sizeof(tracefs), true);
		if (ret) {
			fprintf(stderr, "surftrace: tracefs is not available: %s\n", strerror(-ret));
			return 1;
		}
		ret = surf_tracefs__print_events(tracefs, p, stdout);
	} else {
		ret = surf_types__print_funcs(types, p, stdout);
	}
	if (ret <= 0) {
		fprintf(stderr, "surftrace: nothing matches '%s'%s%s\n", p, ret < 0 ? ": " : "",
			ret < 0 ? strerror(-ret) : "");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct options o;
	struct surf_types *types = NULL;
	int status;

	cmd_print_init("surftrace", false);
	status = parse_options(argc, argv, &o);
	if (status)
		return status;
	if (o.gen_btf) {
		struct cmd_types_opts t = types_opts(&o);

		status = cmd_gen_btf(&t, o.gen_btf, o.gen_btf_out);
	} else if (o.disasm) {
		status = disassemble(o.disasm, o.run.pid, o.run.vmlinux_path);
	} else if (o.list) {
		struct cmd_types_opts t = types_opts(&o);

		status = cmd_open_kernel_types(&t, stderr, &types);
		if (status)
			return status;
		status = list(&o, types);
		surf_types__close(types);
	} else {
		status = trace_run(&o.run);
	}
	for (int i = 0; i < o.nexprs; i++)
		free(o.owned[i]);
	return status;
}

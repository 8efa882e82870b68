// SPDX-License-Identifier: MIT
/*
 * surftrace - trace kernel and user functions with C expressions.
 * This file only parses options and calls libsurf.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <surf/expr.h>
#include <surf/script.h>
#include <surf/tracefs.h>
#include <surf/types.h>

#define EXIT_BAD_INPUT 2
#define MAX_EXPRS 256

static const char usage_text[] =
"Usage: surftrace [OPTIONS] EXPRESSION...\n"
"Trace kernel functions, tracepoints and user functions; arguments are C\n"
"expressions resolved from the kernel's BTF.\n"
"\n"
"An expression is  KIND TARGET [NAME=VALUE ...] [f:FILTER]\n"
"  KIND     p kernel function entry   r kernel function return\n"
"           e tracepoint (GROUP/EVENT) P user function entry (BIN:SYM)\n"
"           R user function return\n"
"  VALUE    [S|U|X] [!(TYPE)] BASE [->member | .member | [index]]...\n"
"           BASE: %N (argument N), %REG, $retval, @symbol, @0xADDR, $stack, $comm\n"
"           S signed, U unsigned (default), X hex\n"
"  FILTER   ftrace filter on the arguments: f:comm==\"bash\"&&pid>100\n"
"\n"
"Options:\n"
"  -S, --show          print the tracefs commands and exit (touches nothing)\n"
"  -o, --output=FILE   write the commands as a replayable shell script\n"
"  -f, --file=FILE     read more expressions from FILE, one per line\n"
"  -s, --stack         add the kernel stack to every event\n"
"  -a, --arch=ARCH     register names of ARCH: x86_64 (default here), aarch64\n"
"  -d, --db=FILE       take kernel types from this BTF file (another kernel)\n"
"  -v, --vmlinux=FILE  take kernel types from a vmlinux (.BTF or DWARF)\n"
"  -l, --list=PATTERN  list functions ('tcp_*'), tracepoints ('sched:*') or a\n"
"                      struct's layout ('struct task_struct')\n"
"  -h, --help          this help\n"
"\n"
"Examples:\n"
"  surftrace 'p wake_up_new_task comm=%0->comm f:comm==\"bash\"'\n"
"  surftrace 'p wake_up_new_task users=S%0->mm->mm_users'\n"
"  surftrace 'r do_filp_open pos=$retval->f_pos'\n"
"  surftrace 'p do_filp_open+121 pos=X!(struct file *)%ax->f_pos'\n"
"  surftrace 'p __netif_receive_skb_core proto=@(struct iphdr *)l3%0->protocol \\\n"
"             ip_src=@(struct iphdr *)l3%0->saddr f:proto==1&&ip_src==127.0.0.1'\n"
"  surftrace 'e sched/sched_stat_wait f:delay>1000000'\n"
"  surftrace -S 'p wake_up_new_task comm=%0->comm'\n"
"  surftrace -l 'tcp_v4_*'    surftrace -l 'struct sk_buff'\n"
"\n"
"Exit status: 0 on success, 2 on a bad expression or option, 1 on other errors.\n";

struct options {
	bool show, stack;
	const char *output, *arch, *db, *vmlinux, *list;
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

static int read_expr_file(struct options *o, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	if (!f) {
		fprintf(stderr, "surftrace: cannot open %s: %s\n", path, strerror(errno));
		return -errno;
	}
	while (!ret && (n = getline(&line, &cap, f)) >= 0) {
		char *s = line;

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

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "show", no_argument, NULL, 'S' },	 { "output", required_argument, NULL, 'o' },
		{ "file", required_argument, NULL, 'f' }, { "stack", no_argument, NULL, 's' },
		{ "arch", required_argument, NULL, 'a' }, { "db", required_argument, NULL, 'd' },
		{ "vmlinux", required_argument, NULL, 'v' },
		{ "list", required_argument, NULL, 'l' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *files[16];
	int c, nfiles = 0, ret;

	while ((c = getopt_long(argc, argv, "So:f:sa:d:v:l:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'S': o->show = true; break;
		case 'o': o->output = optarg; break;
		case 's': o->stack = true; break;
		case 'a': o->arch = optarg; break;
		case 'd': o->db = optarg; break;
		case 'v': o->vmlinux = optarg; break;
		case 'l': o->list = optarg; break;
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
		default:
			fputs("Try 'surftrace --help' for more information.\n", stderr);
			return EXIT_BAD_INPUT;
		}
	}
	for (int i = optind; i < argc; i++)
		if (add_expr(o, argv[i], NULL))
			return EXIT_BAD_INPUT;
	for (int i = 0; i < nfiles; i++) {
		ret = read_expr_file(o, files[i]);
		if (ret)
			return ret == -E2BIG ? EXIT_BAD_INPUT : 1;
	}
	if (o->db && o->vmlinux) {
		fprintf(stderr, "surftrace: -d and -v both name a type source: pick one\n");
		return EXIT_BAD_INPUT;
	}
	if (!o->list && !o->nexprs) {
		fprintf(stderr, "surftrace: no expression given\n"
				"Try 'surftrace --help' for more information.\n");
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* The compiler asks for tracepoint fields through this. */
static int event_fields(void *ctx, const char *group, const char *event, char names[][64],
			int max)
{
	const char *tracefs = ctx;

	return surf_tracefs__event_fields(tracefs, group, event, names, max);
}

static int open_types(const struct options *o, struct surf_types **types)
{
	struct surf_types_opts topts = {
		.sz = sizeof(topts), .btf_path = o->db, .vmlinux_path = o->vmlinux,
	};
	int ret = surf_types__open(types, &topts);

	if (ret)
		fprintf(stderr, "surftrace: cannot load kernel types from %s: %s%s\n",
			o->db ? o->db : o->vmlinux ? o->vmlinux : "/sys/kernel/btf/vmlinux",
			strerror(-ret), !o->db && !o->vmlinux ?
			" (this kernel has no BTF: pass -d BTF_FILE or -v VMLINUX)" : "");
	return ret;
}

static int list(const struct options *o, struct surf_types *types)
{
	const char *p = o->list;
	char tracefs[4096];
	int ret;

	if (!strncmp(p, "struct ", 7) || !strncmp(p, "union ", 6)) {
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

static int write_script(const struct options *o, struct surf_probe_def **defs, int n, bool full,
			const char *path)
{
	struct surf_script_opts sopts = { .sz = sizeof(sopts), .stack = o->stack, .full = full };
	FILE *out = path ? fopen(path, "we") : stdout;
	int ret;

	if (!out) {
		fprintf(stderr, "surftrace: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	ret = surf_script__write(out, defs, n, &sopts);
	if (path && fclose(out))
		ret = -errno;
	if (ret) {
		fprintf(stderr, "surftrace: writing %s failed: %s\n", path ? path : "stdout",
			strerror(-ret));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct options o;
	struct surf_probe_def *defs[MAX_EXPRS] = { 0 };
	struct surf_types *types = NULL;
	struct surf_expr_env env = { .event_fields = event_fields };
	struct surf_expr_opts eopts = { .sz = sizeof(eopts), .env = &env };
	char tracefs[4096] = "", name[16];
	int ret, status = 0;

	ret = parse_options(argc, argv, &o);
	if (ret)
		return ret;
	if (o.arch) {
		eopts.arch = surf_arch__find(o.arch);
		if (!eopts.arch) {
			fprintf(stderr, "surftrace: unknown architecture '%s' (known: %s)\n", o.arch,
				surf_arch__names());
			return EXIT_BAD_INPUT;
		}
	}
	if (open_types(&o, &types))
		return 1;
	if (o.list) {
		status = list(&o, types);
		goto out;
	}
	/* Tracepoint fields come from tracefs; without it they are not checked. */
	if (surf_tracefs__find(tracefs, sizeof(tracefs), true) == 0)
		env.ctx = tracefs;
	else
		env.event_fields = NULL;

	/* Compile everything first: a bad expression means nothing is set up. */
	for (int i = 0; i < o.nexprs; i++) {
		struct surf_expr_error err;

		snprintf(name, sizeof(name), "f%d", i);
		eopts.name = name;
		ret = surf_expr__compile(types, o.exprs[i], &eopts, &defs[i], &err);
		if (ret) {
			surf_expr_error__print(stderr, "surftrace", o.exprs[i], &err);
			status = EXIT_BAD_INPUT;
		}
	}
	if (status)
		goto out;
	if (o.output)
		status = write_script(&o, defs, o.nexprs, true, o.output);
	if (!status && (o.show || !o.output))
		status = write_script(&o, defs, o.nexprs, false, NULL);
	if (!status && !o.show && !o.output) {
		fprintf(stderr, "surftrace: live tracing is not in this build yet: use -S or -o\n");
		status = 1;
	}
out:
	for (int i = 0; i < o.nexprs; i++) {
		surf_probe_def__free(defs[i]);
		free(o.owned[i]);
	}
	surf_types__close(types);
	return status;
}

// SPDX-License-Identifier: MIT
/*
 * surfcc - compile a BPF program that includes "lbc.h" into a .so for
 * clcc_init() (coolbpf's `coolbpf -f FILE`, compiled here, not remotely).
 * Options only: the work is surf_bpfcc__build() in libsurf.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <surf/bpf.h>

#include "common.h"

#define MAX_LIST 128

static const char usage[] =
	"usage: surfcc [options] FILE.bpf.c\n"
	"\n"
	"Compile a BPF program (that includes \"lbc.h\") with clang against this\n"
	"machine's kernel types, into FILE.so for clcc_init() (clcc.h).\n"
	"\n"
	"options:\n"
	"  -f, --file FILE         the source (or give it as the argument)\n"
	"  -o, --obj               write the BPF object FILE.bpf.o only\n"
	"      --output PATH       the output file (default: FILE.so or FILE.bpf.o here)\n"
	"  -I, -i, --include DIR   add an include directory (before lbc.h's)\n"
	"  -D NAME[=VALUE]         define a macro (-DLBC_DEBUG: lbc_debug() prints)\n"
	"  -e, --env 'FLAGS'       more clang flags, blank-separated ('-DX=1 -DY')\n"
	"  -a, --arch ARCH         target architecture (x86, arm64...; default: this machine)\n"
	"      --btf FILE          kernel BTF to generate vmlinux.h from\n"
	"                          (default /sys/kernel/btf/vmlinux)\n"
	"      --vmlinux-h FILE    use this vmlinux.h instead\n"
	"      --cache-dir DIR     where generated vmlinux.h files are kept\n"
	"                          (default $XDG_CACHE_HOME/surfcc or ~/.cache/surfcc)\n"
	"      --gen-vmlinux-h OUT only write the vmlinux.h of the kernel (or --btf) to OUT\n"
	"      --print-vmlinux-h   only print the path of the cached vmlinux.h\n"
	"  -v, --verbose           show the commands\n"
	"      --version           print the version and exit\n"
"  -h, --help              this help\n"
	"\n"
	"examples:\n"
	"  surfcc hello.bpf.c                   # -> hello.so\n"
	"  surfcc -f hello.bpf.c -o             # -> hello.bpf.o\n"
	"  surfcc -DLBC_DEBUG -I inc x.bpf.c    # a macro, an include directory\n"
	"  surfcc --output build/x.so src/x.bpf.c\n"
	"  surfcc --gen-vmlinux-h vmlinux.h     # what bpftool btf dump ... format c prints\n"
	"\n"
	"Load the .so from C:\n"
	"  struct clcc_struct *p = clcc_init(\"hello.so\");\n"
	"  if (!p || p->init(-1, 1)) exit(1);   /* load and attach */\n"
	"See surfcc(1) and clcc.h.\n";

static void on_msg(void *ctx, enum surf_bpfcc_msg kind, const char *text)
{
	(void)ctx;
	if (kind == SURF_BPFCC_CMD)
		fprintf(stderr, "+ %s\n", text);
	else
		fprintf(stderr, "%s\n", text);
}

static int add(const char **list, size_t *n, const char *s)
{
	if (*n >= MAX_LIST) {
		fprintf(stderr, "surfcc: too many options\n");
		return -1;
	}
	list[(*n)++] = s;
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_OUTPUT = 256, OPT_BTF, OPT_VMH, OPT_CACHE, OPT_GEN_VMH, OPT_PRINT_VMH,
	       OPT_VERSION };
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "obj", no_argument, NULL, 'o' },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "include", required_argument, NULL, 'I' },
		{ "env", required_argument, NULL, 'e' },
		{ "arch", required_argument, NULL, 'a' },
		{ "btf", required_argument, NULL, OPT_BTF },
		{ "vmlinux-h", required_argument, NULL, OPT_VMH },
		{ "cache-dir", required_argument, NULL, OPT_CACHE },
		{ "gen-vmlinux-h", required_argument, NULL, OPT_GEN_VMH },
		{ "print-vmlinux-h", no_argument, NULL, OPT_PRINT_VMH },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *incs[MAX_LIST], *cflags[MAX_LIST];
	struct surf_bpfcc_opts o = { .sz = sizeof(o), .msg = on_msg };
	const char *gen_vmh = NULL;
	bool print_vmh = false;
	char err[8192], path[4096];
	char *defs[MAX_LIST];
	size_t ndefs = 0;
	int c, rc;

	o.incs = incs;
	o.cflags = cflags;
	while ((c = getopt_long(argc, argv, "f:oI:i:D:e:a:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.src = optarg;
			break;
		case 'o':
			o.obj_only = true;
			break;
		case OPT_OUTPUT:
			o.out = optarg;
			break;
		case 'I':
		case 'i':
			if (add(incs, &o.n_incs, optarg))
				return 2;
			break;
		case 'D':
			if (ndefs >= MAX_LIST || asprintf(&defs[ndefs], "-D%s", optarg) < 0)
				return 2;
			if (add(cflags, &o.n_cflags, defs[ndefs++]))
				return 2;
			break;
		case 'e':
			for (char *tok = strtok(optarg, " \t"); tok; tok = strtok(NULL, " \t"))
				if (add(cflags, &o.n_cflags, tok))
					return 2;
			break;
		case 'a':
			o.arch = optarg;
			break;
		case OPT_BTF:
			o.btf = optarg;
			break;
		case OPT_VMH:
			o.vmlinux_h = optarg;
			break;
		case OPT_CACHE:
			o.cache_dir = optarg;
			break;
		case OPT_GEN_VMH:
			gen_vmh = optarg;
			break;
		case OPT_PRINT_VMH:
			print_vmh = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case OPT_VERSION:
			cmd_print_version("surfcc");
			return 0;
		default:
			fprintf(stderr, "Try 'surfcc --help'.\n");
			return 2;
		}
	}
	if (gen_vmh) {
		if (surf_btf__write_vmlinux_h(o.btf, gen_vmh, err, sizeof(err))) {
			fprintf(stderr, "surfcc: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (print_vmh) {
		if (surf_bpfcc__vmlinux_h(o.btf, o.cache_dir, path, sizeof(path), err, sizeof(err))) {
			fprintf(stderr, "surfcc: %s\n", err);
			return 1;
		}
		puts(path);
		return 0;
	}
	if (optind < argc) {
		if (o.src || optind + 1 < argc) {
			fprintf(stderr, "surfcc: one source file at a time\nTry 'surfcc --help'.\n");
			return 2;
		}
		o.src = argv[optind];
	}
	if (!o.src) {
		fprintf(stderr, "surfcc: no source file\nTry 'surfcc --help'.\n");
		return 2;
	}
	rc = surf_bpfcc__build(&o, err, sizeof(err));
	for (size_t i = 0; i < ndefs; i++)
		free(defs[i]);
	if (rc) {
		fprintf(stderr, "surfcc: %s\n", err);
		return 1;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * surf/bpf.h - building BPF tools the clcc way (what surfcc does): a
 * FILE.bpf.c that includes "lbc.h" is compiled with clang against a
 * vmlinux.h generated from this machine's BTF, and wrapped into FILE.so,
 * which clcc_init() (clcc.h) loads.
 *
 * The .so holds the BPF object (as the symbols lbc_bpf_obj ..
 * lbc_bpf_obj_end), a JSON description of its maps (lbc_get_map_types()),
 * and the lbc_* entry points of coolbpf's .so files, each a trampoline into
 * the clcc runtime of libsurf (bound by clcc_init()).  It needs no library.
 */
#ifndef SURF_BPF_H
#define SURF_BPF_H

#include "surf/api.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Messages from a build: the commands (verbose) and the compilers' diagnostics. */
enum surf_bpfcc_msg {
	SURF_BPFCC_CMD,		/* a command about to run (only with verbose) */
	SURF_BPFCC_DIAG,	/* a line a compiler printed (clang's file:line:col ...) */
	SURF_BPFCC_NOTE,	/* something surfcc did (generated vmlinux.h ...) */
};

struct surf_bpfcc_opts {
	size_t sz;			/* sizeof(struct surf_bpfcc_opts), or 0 */
	const char *src;		/* FILE.bpf.c */
	/*
	 * The output: FILE.so (or FILE.bpf.o with obj_only); NULL: in the
	 * current directory, named after src without ".bpf.c" / ".c".
	 */
	const char *out;
	bool obj_only;			/* stop at the BPF object */
	bool verbose;			/* report the commands (SURF_BPFCC_CMD) */
	const char *const *incs;	/* extra include directories, before ours */
	size_t n_incs;
	const char *const *cflags;	/* extra clang arguments (-DX=1 ...) */
	size_t n_cflags;
	/* The directory of lbc.h; NULL: $SURFCC_LBC_DIR, then next to the program. */
	const char *lbc_dir;
	/* vmlinux.h to use; NULL: generated from btf (cached, see below). */
	const char *vmlinux_h;
	/* Kernel BTF to generate vmlinux.h from; NULL: /sys/kernel/btf/vmlinux. */
	const char *btf;
	/* Cache of generated vmlinux.h; NULL: $SURFCC_CACHE_DIR, $XDG_CACHE_HOME/surfcc, ~/.cache/surfcc. */
	const char *cache_dir;
	/* "x86", "arm64"... for -D__TARGET_ARCH_; NULL: this machine's. */
	const char *arch;
	/* Receives every message; may be NULL. */
	void (*msg)(void *ctx, enum surf_bpfcc_msg kind, const char *text);
	void *msg_ctx;
};

/*
 * Build opts->src.  0, or a negative errno with errbuf saying what went
 * wrong ("clang: not found", "hello.bpf.c: compilation failed" after the
 * diagnostics went to msg, libbpf's reason for an object it cannot open...).
 */
SURF_API int surf_bpfcc__build(const struct surf_bpfcc_opts *opts, char *errbuf, size_t errlen);

/*
 * The path of a vmlinux.h for BTF file btf (NULL: the running kernel's),
 * generated into cache_dir/<hash of the BTF>/vmlinux.h when not there yet
 * (cache_dir NULL: the default above).
 */
SURF_API int surf_bpfcc__vmlinux_h(const char *btf, const char *cache_dir, char *path, size_t len,
			  char *errbuf, size_t errlen);

/* Write the C declarations of every type of BTF file btf (NULL: the kernel's) to out. */
SURF_API int surf_btf__write_vmlinux_h(const char *btf, const char *out, char *errbuf, size_t errlen);

/* Where lbc.h is (see opts->lbc_dir). */
SURF_API int surf_bpfcc__lbc_dir(char *path, size_t len);

#ifdef __cplusplus
}
#endif
#endif

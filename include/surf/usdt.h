/* SPDX-License-Identifier: MIT */
/*
 * surf/usdt.h - USDT (SystemTap SDT) probes of user binaries: the
 * .note.stapsdt notes that <sys/sdt.h> (DTRACE_PROBEn, STAP_PROBEn) leaves
 * in a program, turned into what uprobe_events takes:
 *
 *	p:GRP/EV PATH:0x<offset>[(0x<semaphore_offset>)] a0=<args[0].fetch>:<type> ...
 *
 * where <type> is surf_usdt_arg__type() ("s32", "u64"...).
 */
#ifndef SURF_USDT_H
#define SURF_USDT_H

#include "surf/api.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct surf_arch;

#define SURF_USDT_MAX_ARGS 12

struct surf_usdt_arg {
	char fetch[64];		/* uprobe fetch argument: "%di", "+16(%sp)", "\5", "@+0x4010";
				 * "" when the spec cannot be expressed (see surf_usdt__find) */
	int size;		/* bytes: 1, 2, 4 or 8 */
	bool is_signed;
};

struct surf_usdt_probe {
	char provider[64], name[64];
	uint64_t offset;		/* file offset of the probe's pc, for uprobe_events */
	uint64_t semaphore_offset;	/* file offset of the semaphore, 0 if none */
	int nargs;
	struct surf_usdt_arg args[SURF_USDT_MAX_ARGS];
	char arg_text[256];		/* the note's argument string, "-4@%edi 8@%rax" */
	int nsites;			/* notes with this provider:name (inlined copies);
					 * offset/args are those of the first */
};

/*
 * Find probe PROVIDER:NAME in the ELF at path.  provider NULL or "" matches
 * any provider (an error when the name is in two providers).  arch NULL: the
 * ELF's own e_machine; otherwise it must agree with it.
 *
 * 0 and *out filled.  -ENOENT: no such probe (errbuf names the closest, or
 * says the file has no USDT probes).  -ENOEXEC: not an ELF.  -EOPNOTSUPP: an
 * argument has no uprobe fetch form (a scaled index "-96(%rbp,%rax,8)", an
 * SSE register...): *out is still complete, that argument's fetch is "", and
 * errbuf names the first such argument ("USDT p:n arg1 '8@-96(%rbp,%rax,8)':
 * ...", counted from 0), so a caller whose expression does not use it may go
 * ahead.
 *
 * With nsites > 1 only the first site is described: one uprobe per site is
 * not done yet.
 */
SURF_API int surf_usdt__find(const char *path, const char *provider, const char *name,
		    const struct surf_arch *arch, struct surf_usdt_probe *out,
		    char *errbuf, size_t errlen);

/*
 * One argument spec of a note ("-4@%edi", "8@-16(%rbp)", "4@$5", "-4@[sp, 12]")
 * as a fetch argument for arch (x86_64, x86 or aarch64).  Symbolic forms
 * ("counter(%rip)") need the binary: surf_usdt__find resolves them, this
 * returns -EOPNOTSUPP.  0, -EINVAL (malformed), -EOPNOTSUPP; errbuf says why.
 */
SURF_API int surf_usdt__translate_arg(const char *spec, const struct surf_arch *arch,
			     struct surf_usdt_arg *out, char *errbuf, size_t errlen);

/* The fetch type of an argument: "s8".."s64", "u8".."u64". */
SURF_API const char *surf_usdt_arg__type(const struct surf_usdt_arg *arg);

/*
 * List the probes whose "provider:name" matches glob (NULL: all), one line
 * per provider:name, in the order of the notes:
 *	provider:name  (N args: <arg text>) [semaphore] [K sites]
 * The number listed, or a negative errno (-ENOEXEC: not an ELF).
 */
SURF_API int surf_usdt__print(const char *path, const char *glob, FILE *out);

#ifdef __cplusplus
}
#endif
#endif

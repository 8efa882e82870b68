/* SPDX-License-Identifier: MIT */
/*
 * surf/arch.h - register names of the architectures surftrace compiles for.
 * The index of a register in regs[] is what "%N" means: the first nargs
 * entries are the function argument registers of the C calling convention.
 */
#ifndef SURF_ARCH_H
#define SURF_ARCH_H

#include "surf/api.h"

#ifdef __cplusplus
extern "C" {
#endif

struct surf_arch {
	const char *name;		/* "x86_64", "aarch64" */
	const char *const *regs;	/* register names as the kernel spells them */
	int nregs;
	int nargs;			/* arguments passed in regs[0..nargs-1] */
	int ptr_size;
};

/* By name ("x86_64", "amd64", "x86", "aarch64", "arm64"); NULL when unknown. */
SURF_API const struct surf_arch *surf_arch__find(const char *name);
/* The architecture this program was built for. */
SURF_API const struct surf_arch *surf_arch__host(void);
/* Index of a register name in arch->regs, or -1. */
SURF_API int surf_arch__reg_index(const struct surf_arch *arch, const char *name);
/* The supported names, comma separated, for error messages. */
SURF_API const char *surf_arch__names(void);

#ifdef __cplusplus
}
#endif
#endif

// SPDX-License-Identifier: MIT
#include <string.h>

#include <surf/arch.h>

/* SysV x86-64: arguments in di, si, dx, cx, r8, r9; then the other registers. */
static const char *const x86_64_regs[] = {
	"di", "si", "dx", "cx", "r8", "r9", "ax", "bx", "sp", "bp",
	"r10", "r11", "r12", "r13", "r14", "r15", "ip", "flags", "cs", "ss",
};

/* The i386 kernel passes the first three arguments in ax, dx, cx (regparm(3)). */
static const char *const x86_regs[] = {
	"ax", "dx", "cx", "bx", "si", "di", "bp", "sp", "ip", "flags",
};

/* AAPCS64: arguments in x0..x7. */
static const char *const aarch64_regs[] = {
	"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
	"x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20",
	"x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30",
	"sp", "pc", "pstate",
};

#define ARCH(n, r, a, p) { n, r, sizeof(r) / sizeof(r[0]), a, p }

static const struct surf_arch arches[] = {
	ARCH("x86_64", x86_64_regs, 6, 8),
	ARCH("x86", x86_regs, 3, 4),
	ARCH("aarch64", aarch64_regs, 8, 8),
};

static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "amd64", "x86_64" }, { "x86-64", "x86_64" }, { "i386", "x86" },
	{ "i686", "x86" }, { "arm64", "aarch64" },
};

const struct surf_arch *surf_arch__find(const char *name)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i].alias))
			name = aliases[i].name;
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(name, arches[i].name))
			return &arches[i];
	return NULL;
}

const struct surf_arch *surf_arch__host(void)
{
#if defined(__aarch64__)
	return surf_arch__find("aarch64");
#elif defined(__i386__)
	return surf_arch__find("x86");
#else
	return surf_arch__find("x86_64");
#endif
}

int surf_arch__reg_index(const struct surf_arch *arch, const char *name)
{
	for (int i = 0; i < arch->nregs; i++)
		if (!strcmp(arch->regs[i], name))
			return i;
	return -1;
}

const char *surf_arch__names(void)
{
	return "x86_64 (amd64), x86 (i386), aarch64 (arm64)";
}

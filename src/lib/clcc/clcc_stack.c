// SPDX-License-Identifier: MIT
/*
 * Call stacks from an LBC_STACK map, and naming addresses: kernel ones from
 * /proc/kallsyms (surf_ksyms), user ones from the process's mappings and
 * ELF symbols (surf_usyms).  Kept apart from clcc.c so that a tool that
 * prints no stacks does not link the ELF reader.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <clcc.h>
#include <surf/syms.h>

#include "clcc/clcc_impl.h"

/* Kernel addresses have the top bit set on the 64-bit architectures we run on. */
static bool is_kernel(unsigned long addr)
{
	return (long)addr < 0;
}

int clcc_get_call_stack(int table_id, int stack_id, struct clcc_call_stack *pstack,
			struct clcc_struct *pclcc)
{
	struct clcc_impl *c = clcc__impl(pclcc);
	uint64_t frames[CLCC_MAX_STACK_DEPTH];
	int err, i;

	if (!c || !pstack)
		return 1;
	if (stack_id < 0) {
		clcc__err(c, -EINVAL, "clcc_get_call_stack: no stack (stack id %d: %s)", stack_id,
			  strerror(-stack_id));
		return 1;
	}
	memset(frames, 0, sizeof(frames));
	err = pclcc->map_lookup_elem(table_id, &stack_id, frames);
	if (err) {
		if (err == -ENOENT)
			clcc__err(c, err, "clcc_get_call_stack: no stack with id %d", stack_id);
		return 1;
	}
	for (i = 0; i < CLCC_MAX_STACK_DEPTH && frames[i]; i++)
		pstack->stack[i] = (unsigned long)frames[i];
	pstack->depth = i;
	for (; i < CLCC_MAX_STACK_DEPTH; i++)
		pstack->stack[i] = 0;
	return 0;
}

static void free_usyms(struct clcc_impl *c)
{
	surf_usyms__free(c->usyms);
	c->usyms = NULL;
}

int clcc_symbolize(struct clcc_struct *p, int pid, unsigned long addr, char *buf, size_t len)
{
	struct clcc_impl *c = clcc__impl(p);
	struct surf_sym s;
	int err;

	if (!c || !buf || !len)
		return -EINVAL;
	if (is_kernel(addr)) {
		err = clcc__ksyms(c);
		if (!err)
			err = surf_ksyms__find(c->ksyms, addr, &s);
		if (err) {
			snprintf(buf, len, "0x%lx", addr);
			return err;
		}
		if (s.module)
			snprintf(buf, len, "%s+0x%" PRIx64 " [%s]", s.name, addr - s.addr, s.module);
		else
			snprintf(buf, len, "%s+0x%" PRIx64, s.name, addr - s.addr);
		return 0;
	}
	if (pid <= 0) {
		snprintf(buf, len, "0x%lx", addr);
		return -ENOENT;
	}
	if (!c->usyms) {
		err = surf_usyms__new(&c->usyms);
		if (err) {
			snprintf(buf, len, "0x%lx", addr);
			return err;
		}
		c->stack_cleanup = free_usyms;
	}
	err = surf_usyms__find(c->usyms, pid, addr, &s);
	if (err) {
		snprintf(buf, len, "0x%lx", addr);
		return err;
	}
	if (s.module) {
		const char *base = strrchr(s.module, '/');

		snprintf(buf, len, "%s+0x%" PRIx64 " (%s)", s.name, addr - s.addr,
			 base ? base + 1 : s.module);
	} else {
		snprintf(buf, len, "%s+0x%" PRIx64, s.name, addr - s.addr);
	}
	return 0;
}

void clcc_print_stack(struct clcc_call_stack *pstack, struct clcc_struct *pclcc)
{
	char name[512];

	if (!pstack || !pclcc)
		return;
	for (int i = 0; i < pstack->depth && i < CLCC_MAX_STACK_DEPTH; i++) {
		unsigned long addr = pstack->stack[i];

		clcc_symbolize(pclcc, is_kernel(addr) ? 0 : pstack->pid, addr, name, sizeof(name));
		printf("0x%lx: %s\n", addr, name);
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 3, hello_fields: the same hello as hello_world, on clone() and
 * clone3(); user space takes the trace pipe line apart into fields.
 */
#include "lbc.h"

static __always_inline int hello(void)
{
	bpf_printk("Hello, World!");
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_clone")
int hello_clone(void *ctx)
{
	return hello();
}

SEC("tracepoint/syscalls/sys_enter_clone3")
int hello_clone3(void *ctx)
{
	return hello();
}

SEC("kprobe/kernel_clone")
int hello_kprobe(struct pt_regs *ctx)
{
	return hello();
}

char LICENSE[] SEC("license") = "GPL";

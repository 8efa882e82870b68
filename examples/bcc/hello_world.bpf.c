// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 1, hello_world: write "Hello, World!" to the kernel's trace pipe
 * every time a process calls clone().
 *
 * bcc put this on a kprobe of sys_clone.  Kernels without kprobes (and every
 * kernel, for stability) have the syscall tracepoints; fork() goes through
 * clone and pthread_create()/posix_spawn() through clone3, so both are here.
 * hello_kprobe is the original kprobe form (hello_world --kprobe).
 */
#include "lbc.h"

static __always_inline int say_hello(void)
{
	bpf_printk("Hello, World!");
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_clone")
int hello_clone(void *ctx)
{
	return say_hello();
}

SEC("tracepoint/syscalls/sys_enter_clone3")
int hello_clone3(void *ctx)
{
	return say_hello();
}

SEC("kprobe/kernel_clone")
int hello_kprobe(struct pt_regs *ctx)
{
	return say_hello();
}

char LICENSE[] SEC("license") = "GPL";

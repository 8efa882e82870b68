// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 2, sys_sync: a line in the trace pipe for every sync(2).
 * sync_tp is on the syscalls:sys_enter_sync tracepoint; sync_kprobe is the
 * lesson's kprobe on the syscall function (sys_sync --kprobe).
 */
#include "lbc.h"

SEC("tracepoint/syscalls/sys_enter_sync")
int sync_tp(void *ctx)
{
	bpf_printk("sys_sync() called");
	return 0;
}

SEC("kprobe/__x64_sys_sync")
int sync_kprobe(struct pt_regs *ctx)
{
	bpf_printk("sys_sync() called");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

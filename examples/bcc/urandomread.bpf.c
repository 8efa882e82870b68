// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 12, urandomread: how many random bits each caller asked for.
 *
 * The lesson's random:urandom_read tracepoint left the kernel in 5.18.  The
 * getrandom(2) syscall is where programs get random bytes today (glibc's
 * arc4random, Python's os.urandom, OpenSSL): getrandom_tp prints its count in
 * bits.  urandom_kprobe is on urandom_read_iter(), the read() of /dev/urandom
 * (urandomread --kprobe, kernels with kprobes).
 */
#include "lbc.h"

SEC("tracepoint/syscalls/sys_enter_getrandom")
int getrandom_tp(struct trace_event_raw_sys_enter *ctx)
{
	/* getrandom(void *buf, size_t count, unsigned int flags) */
	bpf_printk("%llu", (u64)ctx->args[1] * 8);
	return 0;
}

SEC("kprobe/urandom_read_iter")
int urandom_kprobe(struct pt_regs *ctx)
{
	struct iov_iter *iter = (struct iov_iter *)PT_REGS_PARM2(ctx);

	bpf_printk("%llu", (u64)BPF_CORE_READ(iter, count) * 8);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

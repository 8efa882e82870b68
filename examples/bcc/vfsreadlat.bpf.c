// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 11, vfsreadlat: a histogram of read latency in microseconds.
 *
 * The lesson times vfs_read() from a kprobe to a kretprobe (read_entry_kprobe
 * and read_return_kprobe, vfsreadlat --kprobe); where kprobes do not exist the
 * read(2) syscall is timed from syscalls:sys_enter_read to
 * syscalls:sys_exit_read.  The start time is kept per thread.
 */
#include "lbc.h"

LBC_HASH(start, u32, u64, 10240);
LBC_HIST(dist, 64);

const volatile u32 targ_tgid = 0;	/* only this process (-p); 0: every process */

static __always_inline int read_entry(void)
{
	u64 id = bpf_get_current_pid_tgid(), ts;
	u32 tid = (u32)id;

	if (targ_tgid && targ_tgid != id >> 32)
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &tid, &ts, BPF_ANY);
	return 0;
}

static __always_inline int read_return(void)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	u64 *tsp = bpf_map_lookup_elem(&start, &tid);

	if (!tsp)
		return 0;
	lbc_hist_log2_add(&dist, (bpf_ktime_get_ns() - *tsp) / 1000);
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int read_entry_tp(void *ctx)
{
	return read_entry();
}

SEC("tracepoint/syscalls/sys_exit_read")
int read_return_tp(void *ctx)
{
	return read_return();
}

SEC("kprobe/vfs_read")
int read_entry_kprobe(struct pt_regs *ctx)
{
	return read_entry();
}

SEC("kretprobe/vfs_read")
int read_return_kprobe(struct pt_regs *ctx)
{
	return read_return();
}

char LICENSE[] SEC("license") = "GPL";

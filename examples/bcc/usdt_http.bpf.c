// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 15, USDT: the path of every request a server announces through its
 * statically defined tracepoint http__server__request (node's probe in the
 * lesson; http_server_sdt, the toy server beside this file, has the same
 * probe with (method, path, fd) as arguments).  The argument locations come
 * from the program's .note.stapsdt; bpf_usdt_arg() fetches them.
 */
#include "lbc.h"
#include <bpf/usdt.bpf.h>

#define PATH_ARG 1	/* 0-based: method, path, fd */

SEC("usdt")
int do_trace(struct pt_regs *ctx)
{
	char path[128] = {};
	long addr = 0;

	if (bpf_usdt_arg(ctx, PATH_ARG, &addr) < 0 || !addr)
		return 0;
	bpf_probe_read_user_str(path, sizeof(path), (const void *)addr);
	bpf_printk("path:%s", path);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

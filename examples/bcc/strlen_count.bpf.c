// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 14, strlen_count: how often each string is passed to libc's
 * strlen().  A uprobe at the function's entry reads its argument from user
 * memory and counts it in a hash keyed by the string itself.
 */
#include "lbc.h"
#include "strlen_count.h"

LBC_HASH(counts, struct strlen_key, u64, 10240);

SEC("uprobe")
int count(struct pt_regs *ctx)
{
	const char *s = (const char *)PT_REGS_PARM1(ctx);
	struct strlen_key key = {};
	u64 one = 1, *val;

	if (!s)
		return 0;
	bpf_probe_read_user_str(&key.c, sizeof(key.c), s);
	val = bpf_map_lookup_elem(&counts, &key);
	if (val)
		__sync_fetch_and_add(val, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

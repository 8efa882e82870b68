// SPDX-License-Identifier: GPL-2.0
/*
 * hw_breakpoint: the program of clcc_attach_breakpoint / attachJavaSym,
 * run at each entry of a function through an execute hardware breakpoint:
 * counts the calls by the value of the second argument's register
 * (ctx->regs.si on x86_64, the seed's Java example's first int argument).
 */
#include "lbc.h"

LBC_HASH(args, u64, u64, 64);

SEC("perf_event")
int on_bp(struct bpf_perf_event_data *ctx)
{
	u64 si = ctx->regs.si, one = 1, *n = bpf_map_lookup_elem(&args, &si);

	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&args, &si, &one, BPF_ANY);
	return 0;
}

char _license[] SEC("license") = "GPL";

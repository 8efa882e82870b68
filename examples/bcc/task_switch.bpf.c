// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 16, task_switch: count context switches by (previous, next) task.
 *
 * switch_tp is on sched:sched_switch, which names both tasks; the lesson's
 * kprobe of finish_task_switch(prev) runs in the next task, so there "next"
 * is the current thread (switch_kprobe, task_switch --kprobe).
 */
#include "lbc.h"
#include "task_switch.h"

LBC_HASH(stats, struct switch_key, u64, 10240);

static __always_inline int count_switch(u32 prev, u32 next)
{
	struct switch_key key = { .prev_pid = prev, .curr_pid = next };
	u64 one = 1, *val = bpf_map_lookup_elem(&stats, &key);

	if (val)
		__sync_fetch_and_add(val, 1);
	else
		bpf_map_update_elem(&stats, &key, &one, BPF_NOEXIST);
	return 0;
}

SEC("tracepoint/sched/sched_switch")
int switch_tp(struct trace_event_raw_sched_switch *ctx)
{
	return count_switch(ctx->prev_pid, ctx->next_pid);
}

SEC("kprobe/finish_task_switch")
int switch_kprobe(struct pt_regs *ctx)
{
	struct task_struct *prev = (struct task_struct *)PT_REGS_PARM1(ctx);

	return count_switch(_(prev->pid), (u32)bpf_get_current_pid_tgid());
}

char LICENSE[] SEC("license") = "GPL";

/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by task_switch.bpf.c and task_switch.c. */
#ifndef TASK_SWITCH_H
#define TASK_SWITCH_H

struct switch_key {
	unsigned int prev_pid;	/* the task that gave up the CPU (thread id) */
	unsigned int curr_pid;	/* the task that got it */
};

#endif

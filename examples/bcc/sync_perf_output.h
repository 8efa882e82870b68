/* SPDX-License-Identifier: GPL-2.0 */
/* The record sync_perf_output.bpf.c sends and sync_perf_output.c reads. */
#ifndef SYNC_PERF_OUTPUT_H
#define SYNC_PERF_OUTPUT_H

#define SYNC_COMM_LEN 16

struct sync_event {
	unsigned int pid;
	unsigned int uid;
	unsigned long long ts;		/* ns since boot of this sync */
	unsigned long long delta;	/* ns since the previous sync */
	char comm[SYNC_COMM_LEN];
};

#endif

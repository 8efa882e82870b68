/* SPDX-License-Identifier: GPL-2.0 */
/* The record hello_perf_output.bpf.c sends and hello_perf_output.c reads. */
#ifndef HELLO_PERF_OUTPUT_H
#define HELLO_PERF_OUTPUT_H

#define HELLO_COMM_LEN 16

struct hello_event {
	unsigned int pid;
	unsigned int tid;
	unsigned long long ts;		/* ns since boot (bpf_ktime_get_ns) */
	char comm[HELLO_COMM_LEN];
};

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Failure injection for the error paths tests cannot reach otherwise (an
 * allocation or a syscall failing in the middle of a set-up).  A test arms
 * a site with a countdown: the Nth time the code passes it, surf_fault()
 * says "fail here".  Inside libsurf only (hidden in libsurf.so); one load
 * and a branch where it is not armed.
 */
#ifndef SURF_SYS_FAULT_H
#define SURF_SYS_FAULT_H

#include <stdbool.h>

enum surf_fault_site {
	SURF_FAULT_RING_SCRATCH,	/* ring_open: the ring's scratch buffer */
	SURF_FAULT_EPOLL_ADD,		/* open_rings: epoll_ctl of a ring */
	SURF_FAULT_ID_TABLE,		/* engine_add_id: growing the id table */
	SURF_FAULT_EVENT_FD,		/* open_event_fds: a perf event of an event */
	SURF_FAULT_BELL_FD,		/* bells_event_open: a doorbell of an event */
	SURF_FAULT_BTF_MMAP,		/* blob_open_raw: BTF that cannot be mapped (before 6.16) */
	SURF_FAULT_GEN_BAD_KEY,		/* gen_agg_program: a key's code the verifier refuses */
	SURF_FAULT_NR
};

extern int surf_fault_countdown[SURF_FAULT_NR];

static inline bool surf_fault(enum surf_fault_site site)
{
	return surf_fault_countdown[site] > 0 && --surf_fault_countdown[site] == 0;
}

#endif

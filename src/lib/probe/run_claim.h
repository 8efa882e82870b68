/* SPDX-License-Identifier: MIT */
/*
 * Names of a run's own things in tracefs (a dynamic event group, an
 * instance), unique across PID namespaces and containers sharing tracefs, and
 * the proof of life a later run checks before it removes what a killed run
 * left.  Inside libsurf only.
 */
#ifndef SURF_RUN_CLAIM_H
#define SURF_RUN_CLAIM_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A name with its NUL: tracefs refuses groups and events of 64 characters or
 * more (MAX_EVENT_NAME_LEN, 64 from 6.1 to 6.18).  Ours are 33 at most.
 */
#define SURF_RUN_NAME_MAX 64

struct surf_run_claim {
	char name[SURF_RUN_NAME_MAX];	/* PREFIX<pid>_<token>, or PREFIX<pid> without a lock */
	int fd;				/* tracefs README, holding the lock, when held */
	bool held;
};

/*
 * Make a name for this run and take its lock.  pid is the process's pid in
 * the initial PID namespace (0: unknown).  Where the lock cannot be taken the
 * name is the old PREFIX<pid>, judged by its pid alone.  0 or a negative errno.
 */
int surf_run_claim__take(struct surf_run_claim *claim, const char *tracefs, const char *prefix,
			 int pid);
/* Give the lock up: after everything the name stands for is gone. */
void surf_run_claim__release(struct surf_run_claim *claim);
/*
 * Whether name (len bytes) is PREFIX<pid>_<token> whose run no longer holds
 * its lock, or PREFIX<pid> whose process is gone: provably dead.  Other names,
 * and those whose lock cannot be checked, are not.  *pid: the pid in it.
 */
bool surf_run_claim__dead(const char *tracefs, const char *prefix, const char *name, size_t len,
			  long *pid);
/* This process's pid in the initial PID namespace, 0 when it runs in another one. */
int surf_initial_pid(void);

#endif

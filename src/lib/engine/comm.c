// SPDX-License-Identifier: MIT
/*
 * Thread names for output.  Perf samples carry pid/tid but no name, so names
 * come from the kernel's COMM records (exec and prctl renames) and, for
 * threads seen before they were renamed, from /proc once.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/internal.h"


static struct comm_slot *comm_slot(struct surf_engine *e, int tid, bool create)
{
	if (!e->comms) {
		if (!create)
			return NULL;
		e->comms_cap = 4096;
		e->comms = calloc(e->comms_cap, sizeof(*e->comms));
		if (!e->comms)
			return NULL;
	}
	for (size_t n = 0, i = ((size_t)tid * 2654435761u) & (e->comms_cap - 1); n < e->comms_cap;
	     n++, i = (i + 1) & (e->comms_cap - 1)) {
		if (e->comms[i].tid == tid)
			return &e->comms[i];
		if (!e->comms[i].tid) {
			if (!create)
				return NULL;
			e->comms[i].tid = tid;
			return &e->comms[i];
		}
	}
	/* Full: start over rather than grow without bound. */
	memset(e->comms, 0, e->comms_cap * sizeof(*e->comms));
	return create ? comm_slot(e, tid, true) : NULL;
}

void comm_set(struct surf_engine *e, int tid, const char *comm)
{
	struct comm_slot *s = comm_slot(e, tid, true);

	if (s)
		snprintf(s->comm, sizeof(s->comm), "%.*s", (int)sizeof(s->comm) - 1, comm);
}

const char *surf_engine__comm(struct surf_engine *e, int tid)
{
	struct comm_slot *s;
	char path[64], buf[32];
	ssize_t n;
	int fd;

	if (tid == 0)
		return "<idle>";
	s = comm_slot(e, tid, false);
	if (s)
		return s->comm;
	snprintf(path, sizeof(path), "/proc/%d/comm", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "<...>";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return "<...>";
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	comm_set(e, tid, buf);
	s = comm_slot(e, tid, false);
	return s ? s->comm : "<...>";
}

void comm_free(struct surf_engine *e)
{
	free(e->comms);
	e->comms = NULL;
}

/* SPDX-License-Identifier: MIT */
/* Inside libsurf only: an event's libtraceevent view, for the output code. */
#ifndef SURF_ENGINE_TEP_H
#define SURF_ENGINE_TEP_H

struct surf_event;
struct tep_event;

/* The event's format as libtraceevent parsed it (NULL for raw perf events). */
struct tep_event *surf_event__tep_event(const struct surf_event *ev);

#endif

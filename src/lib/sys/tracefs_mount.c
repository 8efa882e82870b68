// SPDX-License-Identifier: MIT
/*
 * Finding (and mounting) tracefs, and the kernel features our programs
 * check.  Kept apart from tracefs.c so that what needs only this (clcc and
 * the tools on it) links with libbpf, libelf and libz alone: tracefs.c
 * needs libtraceevent.
 */
#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <surf/tracefs.h>

#define TRACEFS_MOUNT "/sys/kernel/tracing"

static bool has_events(const char *dir)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/events", dir);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int surf_tracefs__find(char *buf, size_t len, bool mount_it)
{
	struct mntent *m;
	FILE *f;

	f = setmntent("/proc/self/mounts", "re");
	if (f) {
		while ((m = getmntent(f))) {
			if (!strcmp(m->mnt_type, "tracefs") && has_events(m->mnt_dir)) {
				snprintf(buf, len, "%s", m->mnt_dir);
				endmntent(f);
				return 0;
			}
		}
		endmntent(f);
	}
	/* Old layout: tracefs automounted under debugfs. */
	if (has_events("/sys/kernel/debug/tracing")) {
		snprintf(buf, len, "/sys/kernel/debug/tracing");
		return 0;
	}
	if (!mount_it)
		return -ENOENT;
	if (mount("nodev", TRACEFS_MOUNT, "tracefs", 0, NULL) && errno != EBUSY)
		return -errno;
	if (!has_events(TRACEFS_MOUNT))
		return -ENOENT;
	snprintf(buf, len, "%s", TRACEFS_MOUNT);
	return 0;
}

const char *surf_kernel__missing(enum surf_kernel_feature feature)
{
	switch (feature) {
	case SURF_FEATURE_KPROBES:
		return "this kernel has no kprobes (CONFIG_KPROBES / kprobe_events missing)";
	case SURF_FEATURE_FUNCTION_GRAPH:
		return "this kernel has no function_graph tracer (CONFIG_FUNCTION_GRAPH_TRACER / "
		       "function_graph missing from available_tracers)";
	case SURF_FEATURE_BTF:
		return "this kernel has no BTF (CONFIG_DEBUG_INFO_BTF / /sys/kernel/btf/vmlinux "
		       "missing)";
	}
	return "this kernel lacks a feature";
}

bool surf_tracefs__has_kprobes(const char *tracefs)
{
	char found[4096], path[4096 + 32];

	if (access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0)
		return true;
	if (!tracefs) {
		if (surf_tracefs__find(found, sizeof(found), true))
			return false;
		tracefs = found;
	}
	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
	return access(path, F_OK) == 0;
}

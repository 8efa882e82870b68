// SPDX-License-Identifier: MIT
/* tracefs readers against a fixture directory laid out like tracefs. */
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include <surf/tracefs.h>

#include "test.h"

static char dir[64];

static const char *fixture(void)
{
	static bool made;
	char path[256];
	FILE *f;

	if (made)
		return dir;
	if (test_tmpdir(dir, sizeof(dir), "surf-tracefs"))
		return NULL;
	snprintf(path, sizeof(path), "%s/available_filter_functions", dir);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs("tcp_v4_rcv\nip_rcv_finish_core.isra.0\nfoo_bar\nfoo.constprop.0\nfoo\n"
	      "mod_func [mymod]\nclone_only.part.0\n", f);
	fclose(f);
	made = true;
	return dir;
}

TEST(test_tracefs_traceable_names)
{
	char out[64];

	CHECK(fixture());
	CHECK_INT(surf_tracefs__traceable(dir, "tcp_v4_rcv", out, sizeof(out)), ==, 0);
	CHECK_STR(out, "tcp_v4_rcv");
	/* Only a clone exists: probe it by its real name. */
	CHECK_INT(surf_tracefs__traceable(dir, "ip_rcv_finish_core", out, sizeof(out)), ==, 0);
	CHECK_STR(out, "ip_rcv_finish_core.isra.0");
	CHECK_INT(surf_tracefs__traceable(dir, "clone_only", out, sizeof(out)), ==, 0);
	CHECK_STR(out, "clone_only.part.0");
	/* The exact name wins over a clone listed before it; a prefix is not a match. */
	CHECK_INT(surf_tracefs__traceable(dir, "foo", out, sizeof(out)), ==, 0);
	CHECK_STR(out, "foo");
	CHECK_INT(surf_tracefs__traceable(dir, "mod_func", out, sizeof(out)), ==, 0);
	CHECK_STR(out, "mod_func");
	CHECK_INT(surf_tracefs__traceable(dir, "tcp_v4", out, sizeof(out)), ==, -2);
	CHECK_INT(surf_tracefs__traceable("/nonexistent", "x", out, sizeof(out)), <, 0);
}

/* kprobes are there when tracefs has kprobe_events (or the kernel the kprobe PMU). */
TEST(test_tracefs_has_kprobes)
{
	bool pmu = access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0;
	char path[256];
	FILE *f;

	CHECK(fixture());
	CHECK(surf_tracefs__has_kprobes(dir) == pmu);
	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	f = fopen(path, "w");
	CHECK(f);
	fclose(f);
	CHECK(surf_tracefs__has_kprobes(dir));
	unlink(path);
}

/* One sentence per missing feature, for every program: what, and the kernel option. */
TEST(test_tracefs_missing_feature_sentences)
{
	CHECK_STR(surf_kernel__missing(SURF_FEATURE_KPROBES),
		  "this kernel has no kprobes (CONFIG_KPROBES / kprobe_events missing)");
	CHECK_STR(surf_kernel__missing(SURF_FEATURE_FUNCTION_GRAPH),
		  "this kernel has no function_graph tracer (CONFIG_FUNCTION_GRAPH_TRACER / "
		  "function_graph missing from available_tracers)");
	CHECK_STR(surf_kernel__missing(SURF_FEATURE_BTF),
		  "this kernel has no BTF (CONFIG_DEBUG_INFO_BTF / /sys/kernel/btf/vmlinux missing)");
}

// SPDX-License-Identifier: MIT
/*
 * The dynamic-event builder (surf/dynevent.h): the commands it builds, the
 * errors it keeps, and, against this kernel's tracefs, a uprobe created,
 * enabled through its event file, refused with the kernel's own reason,
 * and deleted.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <surf/dynevent.h>
#include <surf/elf.h>
#include <surf/expr.h>
#include <surf/tracefs.h>

#include "sys/util.h"
#include "test.h"

TEST(test_dynevent_builds_the_kernels_commands)
{
	char buf[256];
	struct surf_dynevent_cmd cmd;
	struct surf_arg arg = { .name = "comm", .fetch = "+0xba0(%di)", .type = "string" };

	surf_kprobe_event_cmd_init(&cmd, buf, sizeof(buf));
	CHECK_INT(surf_kprobe_event_gen_cmd_start(&cmd, "gen_kprobe_test", "do_sys_open",
						  "dfd=%ax", "filename=%dx"), ==, 0);
	CHECK_INT(surf_kprobe_event_add_fields(&cmd, "flags=%cx", "mode=+4($stack)"), ==, 0);
	CHECK_STR(buf, "p:gen_kprobe_test do_sys_open dfd=%ax filename=%dx flags=%cx mode=+4($stack)");
	CHECK_STR(cmd.group, "kprobes");
	CHECK_INT(cmd.nfields, ==, 4);

	surf_dynevent_cmd__init(&cmd, buf, sizeof(buf));
	CHECK_INT(surf_kretprobe_event_gen_cmd_start(&cmd, "grp/ret", "do_sys_open", "r=$retval"),
		  ==, 0);
	CHECK_INT(surf_dynevent_cmd__add_arg(&cmd, &arg), ==, 0);
	CHECK_STR(buf, "r:grp/ret do_sys_open r=$retval comm=+0xba0(%di):string");
	CHECK_STR(cmd.group, "grp");

	surf_uprobe_event_cmd_init(&cmd, buf, sizeof(buf));
	CHECK_INT(surf_dynevent_cmd__start(&cmd, SURF_DYNEVENT_URETPROBE, "u/x", "/bin/true:0x10",
					   (char *)NULL), ==, 0);
	CHECK_STR(buf, "r:u/x /bin/true:0x10");
}

TEST(test_dynevent_keeps_the_first_error)
{
	char buf[48];
	struct surf_dynevent_cmd cmd;

	/* a field without =, then steps that must not run */
	surf_dynevent_cmd__init(&cmd, buf, sizeof(buf));
	CHECK_INT(surf_kprobe_event_gen_cmd_start(&cmd, "e", "f", "bad"), ==, -EINVAL);
	CHECK_CONTAINS(cmd.error, "'bad' is not NAME=FETCH");
	CHECK_INT(surf_kprobe_event_add_fields(&cmd, "x=%ax"), ==, -EINVAL);
	CHECK_INT(surf_kprobe_event_gen_cmd_end(&cmd, "/nonexistent"), ==, -EINVAL);
	CHECK_CONTAINS(cmd.error, "'bad' is not NAME=FETCH");

	/* longer than the buffer */
	surf_dynevent_cmd__init(&cmd, buf, sizeof(buf));
	surf_kprobe_event_gen_cmd_start(&cmd, "e", "f", "a=%ax");
	CHECK_INT(surf_kprobe_event_add_fields(&cmd, "long_name_that_does_not_fit=+0x1000(%di)"),
		  ==, -E2BIG);
	CHECK_INT((int)strlen(buf), <, (int)sizeof(buf));

	/* bad names, places and orders */
	surf_dynevent_cmd__init(&cmd, buf, sizeof(buf));
	CHECK_INT(surf_kprobe_event_gen_cmd_start(&cmd, "e", "f", "9x=%ax"), ==, -EINVAL);
	surf_dynevent_cmd__init(&cmd, buf, sizeof(buf));
	CHECK_INT(surf_uprobe_event_gen_cmd_start(&cmd, "e", "bin:0x10", "a=%ax"), ==, -EINVAL);
	CHECK_CONTAINS(cmd.error, "/PATH:0xOFFSET");
	surf_dynevent_cmd__init(&cmd, buf, sizeof(buf));
	CHECK_INT(surf_kprobe_event_add_fields(&cmd, "a=%ax"), ==, -EINVAL);
	surf_dynevent_cmd__init(&cmd, buf, sizeof(buf));
	CHECK_INT(surf_kprobe_event_gen_cmd_start(&cmd, "a b", "f", "a=%ax"), ==, -EINVAL);
	surf_dynevent_cmd__init(&cmd, NULL, 0);
	CHECK_INT(surf_kprobe_event_gen_cmd_start(&cmd, "e", "f", "a=%ax"), ==, -EINVAL);
}

/* A function of this test binary to put the uprobe on. */
__attribute__((noinline)) int dynevent_test_target(int n)
{
	return n + 1;
}

TEST(test_dynevent_live_uprobe)
{
	char tracefs[256], self[PATH_MAX], place[PATH_MAX + 32], buf[SURF_DYNEVENT_CMD_LEN];
	char group[64], path[PATH_MAX + 512], why[256], *text;
	struct surf_dynevent_cmd cmd;
	uint64_t off;
	ssize_t n;

	if (geteuid() || surf_tracefs__find(tracefs, sizeof(tracefs), true))
		SKIP("needs root and tracefs");
	snprintf(path, sizeof(path), "%s/uprobe_events", tracefs);
	if (access(path, W_OK))
		SKIP("no uprobe_events");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0);
	self[n] = '\0';
	CHECK_INT(surf_elf__symbol_offset(self, "dynevent_test_target", &off, why, sizeof(why)),
		  ==, 0);
	snprintf(place, sizeof(place), "%s:0x%llx", self, (unsigned long long)off);
	snprintf(group, sizeof(group), "surf_unit_%d", (int)getpid());

	/* created: listed in uprobe_events as written */
	surf_uprobe_event_cmd_init(&cmd, buf, sizeof(buf));
	snprintf(path, sizeof(path), "%s/gen", group);
	surf_uprobe_event_gen_cmd_start(&cmd, path, place, "n=%di:s32");
	CHECK_INT(surf_uprobe_event_gen_cmd_end(&cmd, tracefs), ==, 0);
	snprintf(path, sizeof(path), "%s/uprobe_events", tracefs);
	text = surf_read_file(path, NULL);
	CHECK(text && strstr(text, group));
	free(text);

	/* enabled through its event file */
	CHECK_INT(surf_dynevent__enable(tracefs, group, "gen", true), ==, 0);
	snprintf(path, sizeof(path), "%s/events/%s/gen/enable", tracefs, group);
	text = surf_read_file(path, NULL);
	CHECK(text && text[0] == '1');
	free(text);
	dynevent_test_target(1);
	CHECK_INT(surf_dynevent__enable(tracefs, group, "gen", false), ==, 0);

	/* the same again: the kernel refuses, and says why */
	surf_uprobe_event_cmd_init(&cmd, buf, sizeof(buf));
	snprintf(path, sizeof(path), "%s/gen", group);
	surf_uprobe_event_gen_cmd_start(&cmd, path, place, "n=%di:s32");
	CHECK_INT(surf_uprobe_event_gen_cmd_end(&cmd, tracefs), ==, -EEXIST);
	/* a fetch the kernel does not know: its error_log's words */
	surf_uprobe_event_cmd_init(&cmd, buf, sizeof(buf));
	snprintf(path, sizeof(path), "%s/gen2", group);
	surf_uprobe_event_gen_cmd_start(&cmd, path, place, "n=%nosuchreg");
	CHECK_INT(surf_uprobe_event_gen_cmd_end(&cmd, tracefs), ==, -EINVAL);
	CHECK_CONTAINS(cmd.error, "uprobe");

	/* deleted, and a second delete says there is none */
	CHECK_INT(surf_dynevent__delete(tracefs, SURF_DYNEVENT_UPROBE, group, "gen"), ==, 0);
	CHECK_INT(surf_dynevent__delete(tracefs, SURF_DYNEVENT_UPROBE, group, "gen"), ==, -ENOENT);
	snprintf(path, sizeof(path), "%s/uprobe_events", tracefs);
	text = surf_read_file(path, NULL);
	CHECK(text && !strstr(text, group));
	free(text);
}

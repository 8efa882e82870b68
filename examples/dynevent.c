// SPDX-License-Identifier: MIT
/*
 * dynevent: the seeds' dynamic-event builder sequence (the kernel's own
 * kprobe_event_gen_test) from user space with libsurf: build an event
 * field by field, create it, enable it through its event file (in a
 * tracefs instance of its own), read what it records through the engine by
 * field name, delete it.
 *
 *   dynevent            uprobe + uretprobe on this program's poke(n, word)
 *   dynevent --kprobe   kprobe + kretprobe on do_sys_openat2 (a kernel with
 *                       kprobes), opening /etc/hostname three times
 *
 * Prints one line per event, "NAME field=value ...", between what it
 * created and deleted (in a group of its own, surf_gen_PID).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <surf/dynevent.h>
#include <surf/elf.h>
#include <surf/engine.h>
#include <surf/tracefs.h>

#if defined(__aarch64__)
#define ARG0 "%x0"
#define ARG1 "%x1"
#define ARG2 "%x2"
#else
#define ARG0 "%di"
#define ARG1 "%si"
#define ARG2 "%dx"
#endif

/* poke's results go somewhere: the compiler may not drop the calls */
static volatile int sink;

struct fields {
	const char *names[3];
	int index[3];
};

__attribute__((noinline)) int poke(int n, const char *word);
__attribute__((noinline)) int poke(int n, const char *word)
{
	/* something the compiler keeps: the probe needs a real call */
	return n * (int)strlen(word);
}

static void on_event(void *ctx, const struct surf_record *rec)
{
	struct fields *f = ctx;

	printf("%s", surf_event__name(rec->event));
	for (int i = 0; i < 3 && f->names[i]; i++) {
		const struct surf_field_info *fi;
		uint32_t len = 0;
		const char *s;

		/* by name, once: the index serves every later record */
		if (f->index[i] < 0)
			f->index[i] = surf_event__field(rec->event, f->names[i]);
		fi = f->index[i] >= 0 ? surf_event__field_info(rec->event, f->index[i]) : NULL;
		if (!fi)
			continue;
		if (fi->kind == SURF_FIELD_STRING) {
			s = surf_record__str(rec, f->index[i], &len);
			printf(" %s=\"%.*s\"", f->names[i], (int)len, s ? s : "");
		} else {
			printf(" %s=%lld", f->names[i],
			       (long long)(int64_t)surf_record__int(rec, f->index[i]));
		}
	}
	printf("\n");
}

/* Create one event; 0, or the kernel's reason printed. */
static int create(struct surf_dynevent_cmd *cmd)
{
	if (surf_dynevent_cmd__end(cmd, NULL)) {
		fprintf(stderr, "dynevent: cannot create %s: %s%s%s\n", cmd->buf,
			strerror(-cmd->err), cmd->error[0] ? ": " : "", cmd->error);
		return -1;
	}
	return 0;
}

/*
 * The document's way to turn the events on: their event files, here in a
 * tracefs instance of our own (its trace buffer is ours alone).  One call
 * with both on, then both off: a uprobe event is either ftrace's or perf's
 * at a time (the kernel answers EINTR), and the engine reads through perf.
 * The number of this program's calls the instance's buffer got.
 */
static int through_event_files(const char *group, const char *entry, const char *ret,
			       bool kprobe)
{
	char tracefs[256], instance[512], path[600], line[1024];
	int lines = -1;
	FILE *f;

	if (surf_tracefs__find(tracefs, sizeof(tracefs), true))
		return -1;
	snprintf(instance, sizeof(instance), "%s/instances/%s", tracefs, group);
	if (mkdir(instance, 0755))
		return -1;
	if (!surf_dynevent__enable(instance, group, entry, true) &&
	    !surf_dynevent__enable(instance, group, ret, true)) {
		if (kprobe) {
			int fd = open("/etc/hostname", O_RDONLY);

			if (fd >= 0)
				close(fd);
		} else {
			sink += poke(7, "file");
		}
		lines = 0;
	}
	surf_dynevent__enable(instance, group, entry, false);
	surf_dynevent__enable(instance, group, ret, false);
	snprintf(path, sizeof(path), "%s/trace", instance);
	f = lines ? NULL : fopen(path, "r");
	/* this program's call: the other lines are other processes' (a kprobe
	 * sees them all) and the enable files' own opens */
	while (f && fgets(line, sizeof(line), f))
		lines += line[0] != '#' && strstr(line, entry) &&
			 strstr(line, kprobe ? "filename=\"/etc/hostname\"" : "word=\"file\"");
	if (f)
		fclose(f);
	rmdir(instance);
	return lines;
}

int main(int argc, char **argv)
{
	bool kprobe = argc > 1 && !strcmp(argv[1], "--kprobe");
	enum surf_dynevent_type entry = kprobe ? SURF_DYNEVENT_KPROBE : SURF_DYNEVENT_UPROBE;
	enum surf_dynevent_type ret_type = kprobe ? SURF_DYNEVENT_KRETPROBE : SURF_DYNEVENT_URETPROBE;
	struct surf_engine_opts opts = { .sz = sizeof(opts), .pid = getpid() };
	struct fields entry_fields = { { "n", "word", NULL }, { -1, -1, -1 } };
	struct fields ret_fields = { { "ret", NULL, NULL }, { -1, -1, -1 } };
	char buf[SURF_DYNEVENT_CMD_LEN], group[64], event[128], place[PATH_MAX + 64], why[256];
	const char *entry_name = kprobe ? "gen_kprobe_test" : "gen_uprobe_test";
	const char *ret_name = kprobe ? "gen_kretprobe_test" : "gen_uretprobe_test";
	struct surf_dynevent_cmd cmd;
	struct surf_engine *engine;
	int status = 1, ret;

	snprintf(group, sizeof(group), "surf_gen_%d", (int)getpid());
	if (kprobe) {
		entry_fields = (struct fields){ { "dfd", "filename", "flags" }, { -1, -1, -1 } };
		snprintf(place, sizeof(place), "do_sys_openat2");
	} else {
		char self[PATH_MAX];
		uint64_t off;
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n <= 0)
			return 1;
		self[n] = '\0';
		if (surf_elf__symbol_offset(self, "poke", &off, why, sizeof(why))) {
			fprintf(stderr, "dynevent: no poke in %s: %s\n", self, why);
			return 1;
		}
		snprintf(place, sizeof(place), "%s:0x%llx", self, (unsigned long long)off);
	}

	/* The entry: started with two fields, one more added. */
	surf_dynevent_cmd__init(&cmd, buf, sizeof(buf));
	snprintf(event, sizeof(event), "%s/%s", group, entry_name);
	if (kprobe) {
		surf_dynevent_cmd__start(&cmd, entry, event, place, "dfd=" ARG0 ":s32",
					 "filename=+0(" ARG1 "):string", (char *)NULL);
		surf_dynevent_cmd__add_fields(&cmd, "flags=+0(" ARG2 "):x64", (char *)NULL);
	} else {
		surf_dynevent_cmd__start(&cmd, entry, event, place, "n=" ARG0 ":s32", (char *)NULL);
		surf_dynevent_cmd__add_fields(&cmd, "word=+0(" ARG1 "):ustring", (char *)NULL);
	}
	if (create(&cmd))
		return 1;
	printf("created %s: %d fields\n", cmd.event, cmd.nfields);

	/* The return. */
	surf_dynevent_cmd__init(&cmd, buf, sizeof(buf));
	snprintf(event, sizeof(event), "%s/%s", group, ret_name);
	surf_dynevent_cmd__start(&cmd, ret_type, event, place, "ret=$retval:s64", (char *)NULL);
	if (create(&cmd))
		goto delete_entry;
	printf("created %s: %d field\n", cmd.event, cmd.nfields);

	printf("through their event files: %d call\n",
	       through_event_files(group, entry_name, ret_name, kprobe));

	/* Read both through the engine, fields by name; this process only. */
	ret = surf_engine__new(&engine, &opts);
	if (ret) {
		fprintf(stderr, "dynevent: cannot set up tracing: %s\n", strerror(-ret));
		goto delete_all;
	}
	snprintf(event, sizeof(event), "e:%s/%s", group, entry_name);
	ret = surf_engine__add_raw(engine, event, NULL, on_event, &entry_fields, NULL);
	snprintf(event, sizeof(event), "e:%s/%s", group, ret_name);
	if (!ret)
		ret = surf_engine__add_raw(engine, event, NULL, on_event, &ret_fields, NULL);
	if (!ret)
		ret = surf_engine__start(engine);
	if (ret) {
		fprintf(stderr, "dynevent: %s\n", surf_engine__last_error(engine));
		goto free_engine;
	}
	for (int i = 1; i <= 3; i++) {
		if (kprobe) {
			int fd = open("/etc/hostname", O_RDONLY);

			if (fd >= 0)
				close(fd);
		} else {
			sink += poke(i, i == 2 ? "two" : "surf");
		}
	}
	surf_engine__drain(engine);	/* stop, and hand what the rings hold to on_event */
	status = 0;
free_engine:
	surf_engine__free(engine);
delete_all:
	surf_dynevent__delete(NULL, ret_type, group, ret_name);
delete_entry:
	ret = surf_dynevent__delete(NULL, entry, group, entry_name);
	if (ret)
		fprintf(stderr, "dynevent: cannot delete %s/%s: %s\n", group, entry_name,
			strerror(-ret));
	else
		printf("deleted %s, %s\n", entry_name, ret_name);
	return status;
}

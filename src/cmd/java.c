// SPDX-License-Identifier: MIT
/*
 * The JVM side of J expressions: which libjvm.so carries the method probes,
 * whether a running JVM fires them, and the flag that makes a JVM started
 * by -c fire them.
 *
 * HotSpot fires hotspot:method__entry/method__return only with
 * -XX:+DTraceMethodProbes (or -XX:+ExtendedDTraceProbes, which sets it)
 * given at launch: the interpreter's method entry code is generated at
 * start-up with or without the call, and the flag is not "manageable"
 * (jcmd VM.set_flag refuses it).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "java.h"

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* JAVA (a java launcher's path, links followed) to its JVM's libjvm.so. */
static bool libjvm_of_launcher(const char *java, char *path, size_t len)
{
	char real[PATH_MAX], *slash;

	if (!realpath(java, real))
		return false;
	slash = strrchr(real, '/');	/* .../bin/java -> .../ */
	if (!slash)
		return false;
	*slash = '\0';
	slash = strrchr(real, '/');
	if (!slash)
		return false;
	*slash = '\0';
	snprintf(path, len, "%s/lib/server/libjvm.so", real);
	return is_file(path);
}

/* A program as the shell finds it: a path with a slash, or the first on PATH. */
static bool on_path(const char *word, char *out, size_t len)
{
	const char *p = getenv("PATH");

	if (strchr(word, '/')) {
		snprintf(out, len, "%s", word);
		return !access(out, X_OK);
	}
	for (p = p && *p ? p : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(out, len, "%.*s/%s", n ? (int)n : 1, n ? p : ".", word);
		if (!access(out, X_OK) && is_file(out))
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

int cmd_java_find_libjvm(int pid, const char *command, char *path, size_t len)
{
	char line[PATH_MAX + 256], word[PATH_MAX], java[PATH_MAX];
	const char *home = getenv("JAVA_HOME");

	if (pid > 0) {	/* the process's own: any other JVM's offsets may differ */
		FILE *f;
		bool found = false;

		snprintf(line, sizeof(line), "/proc/%d/maps", pid);
		f = fopen(line, "re");
		if (!f)
			return -ESRCH;
		while (!found && fgets(line, sizeof(line), f)) {
			char *p = strchr(line, '/');
			size_t n;

			if (!p)
				continue;
			n = strcspn(p, "\n");
			p[n] = '\0';
			if (n >= 10 && !strcmp(p + n - 10, "/libjvm.so")) {
				snprintf(path, len, "%s", p);
				found = true;
			}
		}
		fclose(f);
		return found ? 0 : -ENOEXEC;
	}
	/* -c 'java ...': that launcher's JVM. */
	if (command && sscanf(command, " %4095s", word) == 1) {
		const char *base = strrchr(word, '/');

		base = base ? base + 1 : word;
		if (!strcmp(base, "java") && on_path(word, java, sizeof(java)) &&
		    libjvm_of_launcher(java, path, len))
			return 0;
	}
	if (home && *home) {
		snprintf(path, len, "%s/lib/server/libjvm.so", home);
		if (is_file(path))
			return 0;
	}
	if (on_path("java", java, sizeof(java)) && libjvm_of_launcher(java, path, len))
		return 0;
	return -ENOENT;
}

/* Does "-XX:+DTraceMethodProbes" or "-XX:+ExtendedDTraceProbes" occur in buf? */
static bool names_flag(const char *buf, size_t n)
{
	static const char *const flags[] = { "-XX:+DTraceMethodProbes", "-XX:+ExtendedDTraceProbes" };

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (memmem(buf, n, flags[i], strlen(flags[i])))
			return true;
	return false;
}

static bool file_names_flag(int pid, const char *what)
{
	char file[64], buf[65536];
	size_t n;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/%s", pid, what);
	f = fopen(file, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return names_flag(buf, n);
}

int cmd_java_method_probes(int pid)
{
	char cmd[128], buf[65536];
	size_t n = 0;
	FILE *p;

	/* The launch: its command line, or the options every JVM reads from the environment. */
	if (file_names_flag(pid, "cmdline") || file_names_flag(pid, "environ"))
		return 1;
	/* An @argfile, a -XX:Flags= file...: ask the JVM itself (jcmd is slow, so last). */
	snprintf(cmd, sizeof(cmd), "jcmd %d VM.flags 2>/dev/null", pid);
	p = popen(cmd, "re");
	if (!p)
		return -errno;
	n = fread(buf, 1, sizeof(buf), p);
	if (pclose(p) != 0 || !n)
		return -ENOENT;	/* no jcmd, or it could not attach */
	return names_flag(buf, n);
}

int cmd_java_set_flag_env(void)
{
	const char *old = getenv("JAVA_TOOL_OPTIONS");
	char *opts;
	int ret;

	if (old && names_flag(old, strlen(old)))
		return 0;
	if (asprintf(&opts, "%s%s-XX:+DTraceMethodProbes", old ? old : "",
		     old && *old ? " " : "") < 0)
		return -ENOMEM;
	ret = setenv("JAVA_TOOL_OPTIONS", opts, 1) ? -errno : 0;
	free(opts);
	return ret;
}

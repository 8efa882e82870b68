// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <surf/api.h>

#include "common.h"

volatile sig_atomic_t cmd_stop_signal, cmd_signal_count;

static const int stop_signals[CMD_NSIGNALS] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT };

static void on_signal(int sig)
{
	cmd_stop_signal = sig;
	cmd_signal_count++;
}

void cmd_signals_install(struct sigaction saved[CMD_NSIGNALS])
{
	struct sigaction sa;

	cmd_stop_signal = 0;
	cmd_signal_count = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < CMD_NSIGNALS; i++)
		sigaction(stop_signals[i], &sa, &saved[i]);
}

void cmd_signals_restore(const struct sigaction saved[CMD_NSIGNALS])
{
	for (int i = 0; i < CMD_NSIGNALS; i++)
		sigaction(stop_signals[i], &saved[i], NULL);
}

static const char *program = "surf";
static bool print_debug;

/* libbpf's own lines start "libbpf: " already: those are left as they are. */
static int print_prefixed(enum surf_print_level level, const char *fmt, va_list ap)
{
	char buf[8192];
	int n;

	if (level == SURF_DEBUG && !print_debug)
		return 0;
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return n;
	if (!strncmp(buf, "libbpf: ", 8) || !strncmp(buf, "clcc: ", 6))
		return fprintf(stderr, "%s", buf);
	return fprintf(stderr, "%s: %s", program, buf);
}

void cmd_print_init(const char *name, bool verbose)
{
	program = name;
	print_debug = verbose;
	surf_set_print(print_prefixed);
}

const char *cmd_cache_dir(void)
{
	static char dir[4096];
	const char *env = getenv("SURFTRACE_CACHE"), *base;

	if (env)
		return *env ? env : NULL;
	if ((base = getenv("XDG_CACHE_HOME")) && *base == '/')
		snprintf(dir, sizeof(dir), "%s/surftrace", base);
	else if ((base = getenv("HOME")) && *base == '/')
		snprintf(dir, sizeof(dir), "%s/.cache/surftrace", base);
	else
		return NULL;
	return dir;
}

void cmd_print_version(const char *name)
{
	printf("%s %s (libsurf %s)\n", name, SURF_VERSION, surf_version());
}

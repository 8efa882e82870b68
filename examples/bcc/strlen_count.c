// SPDX-License-Identifier: GPL-2.0
/*
 * strlen_count - lesson 14 of the bcc tutorial, in C: count the strings
 * passed to libc's strlen() and print them by count at the end.
 *
 * glibc's strlen is an IFUNC: the symbol is a resolver that picks an
 * implementation for this CPU (__strlen_avx2, __strlen_evex...) when libc is
 * loaded, and calls land in that implementation, never at "strlen" itself.
 * surf_elf__symbol_lookup() (libsurf) resolves the IFUNC the way the dynamic
 * linker does in this process and finds the implementation's file offset in
 * libc, from its symbols or its debug file (libc6-dbg); the uprobe goes
 * there.  Processes started with a different GLIBC_TUNABLES may use another
 * implementation.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <surf/elf.h>

#include "lesson.h"
#include "strlen_count.h"

#define TOOL "strlen_count"

static int pid = -1;
static const char *library = "libc", *function = "strlen";

const char *argp_program_version = TOOL " (surftrace bcc lessons) 1.0";
static const char doc[] =
	"Count the strings passed to strlen() in libc; print them at Ctrl-C, least\n"
	"frequent first.\n"
	"\n"
	"USAGE: " TOOL " [-p PID] [-l LIB] [-f FUNC] [-d SECONDS] [-v]\n"
	"\n"
	"EXAMPLES:\n"
	"    " TOOL "              # every process, until Ctrl-C\n"
	"    " TOOL " -p 181       # only process 181\n"
	"    " TOOL " -d 5         # for five seconds\n"
	"    " TOOL " -f strnlen   # another function taking a string first";

static const struct argp_option opts[] = {
	{ "pid", 'p', "PID", 0, "Only calls in this process", 0 },
	{ "lib", 'l', "LIB", 0, "The library or program (default libc)", 0 },
	{ "function", 'f', "FUNC", 0, "The function (default strlen); its first argument "
	  "must be a string", 0 },
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		pid = (int)lesson_parse_long(state, "pid", arg, 1, 4194304);
		return 0;
	case 'l':
		library = arg;
		return 0;
	case 'f':
		function = arg;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int attach(struct clcc_struct *p)
{
	char path[PATH_MAX], why[512];
	struct surf_elf_symbol sym;
	int err;

	err = surf_elf__find_binary(library, pid > 0 ? pid : 0, path, sizeof(path));
	if (err) {
		fprintf(stderr, "%s: cannot find %s: %s\n", TOOL, library, strerror(-err));
		return err;
	}
	err = surf_elf__symbol_lookup(path, function, &sym, why, sizeof(why));
	if (err) {
		fprintf(stderr, "%s: %s\n", TOOL, why);
		return err;
	}
	err = p->attach_uprobe("count", pid, path, sym.offset);	/* says why it failed */
	if (err)
		return err;
	if (sym.ifunc)
		printf("%s is an IFUNC: tracing %s, its implementation on this CPU (0x%llx in %s)\n",
		       function, sym.name, (unsigned long long)sym.offset, path);
	return 0;
}

struct entry {
	struct strlen_key key;
	unsigned long long count;
};

static int by_count(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return memcmp(x->key.c, y->key.c, sizeof(x->key.c));
}

/* The string as a C literal would spell it: \" \\ \n \t \xNN. */
static void print_escaped(const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			printf("\\n");
		else if (c == '\t')
			printf("\\t");
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static int print_counts(struct clcc_struct *p, int id)
{
	struct entry *all = NULL;
	struct strlen_key key, next;
	size_t n = 0, cap = 0;
	const void *prev = NULL;
	int err;

	while ((err = p->map_get_next_key(id, prev, &next)) == 0) {
		if (n == cap) {
			struct entry *more = realloc(all, (cap = cap ? 2 * cap : 1024) * sizeof(*all));

			if (!more) {
				free(all);
				fprintf(stderr, "%s: out of memory\n", TOOL);
				return -ENOMEM;
			}
			all = more;
		}
		all[n].key = next;
		if (p->map_lookup_elem(id, &next, &all[n].count) == 0)
			n++;
		key = next;
		prev = &key;
	}
	if (err != -ENOENT) {
		fprintf(stderr, "%s: reading the counts: %s\n", TOOL, strerror(-err));
		free(all);
		return err;
	}
	qsort(all, n, sizeof(*all), by_count);
	printf("%10s %s\n", "COUNT", "STRING");
	for (size_t i = 0; i < n; i++) {
		printf("%10llu \"", all[i].count);
		print_escaped(all[i].key.c, sizeof(all[i].key.c));
		printf("\"\n");
	}
	free(all);
	return 0;
}

static int run(struct clcc_struct *p, int map)
{
	printf("Tracing %s()... Hit Ctrl-C to end.\n", function);
	while (!lesson_exiting)
		pause();
	return print_counts(p, map);
}

static const struct lesson lesson = {
	.tool = TOOL,
	.doc = doc,
	.options = opts,
	.parser = parse_arg,
	.attach = attach,
	.map = "counts",
	.run = run,
};

int main(int argc, char **argv)
{
	return lesson_main(&lesson, argc, argv);
}

// SPDX-License-Identifier: MIT
/*
 * javamap: a JVM's JIT-compiled methods through libsurf's perf map reader
 * (surf/syms.h surf_jmap), the lookups under clcc_attach_java_sym and the
 * names of Java frames in user stacks.  The JVM writes /tmp/perf-PID.map on
 * `jcmd PID Compiler.perfmap` (JDK 17).
 *
 *   javamap PID METHOD   the compiled copies of METHOD ("Ltest;::square_test",
 *                        "test::square_test", "com.acme.*::handle*"), one
 *                        "0xSTART 0xSIZE NAME" line each; exit 1 when none
 *   javamap PID 0xADDR   what a stack shows for that address of process PID
 *                        ("NAME+0xOFF/0xSIZE"); exit 1 when it has no name
 *   javamap --hwbp       whether this machine delivers execute hardware
 *                        breakpoints (clcc_hw_breakpoints): exit 0 yes, 1 no
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clcc.h>
#include <surf/syms.h>

#define MAX_MATCHES 64

static int lookup(int pid, const char *method)
{
	struct surf_sym syms[MAX_MATCHES];
	struct surf_jmap *m;
	int n, err = surf_jmap__open(&m, pid);

	if (err) {
		fprintf(stderr, "javamap: no perf map for %d (%s): run `jcmd %d Compiler.perfmap`\n",
			pid, strerror(-err), pid);
		return 2;
	}
	n = surf_jmap__lookup(m, method, syms, MAX_MATCHES);
	if (n < 0)
		fprintf(stderr, "javamap: '%s': %s\n", method, strerror(-n));
	else if (n == 0)
		fprintf(stderr, "javamap: %s is not in %s (not JIT-compiled)\n", method,
			surf_jmap__file(m));
	for (int i = 0; i < n && i < MAX_MATCHES; i++)
		printf("0x%llx 0x%llx %s\n", (unsigned long long)syms[i].addr,
		       (unsigned long long)syms[i].size, syms[i].name);
	surf_jmap__free(m);
	return n > 0 ? 0 : n == 0 ? 1 : 2;
}

static int name_of(int pid, unsigned long long addr)
{
	struct surf_usyms *u;
	struct surf_sym s;
	char buf[1024];
	int err;

	if (surf_usyms__new(&u))
		return 2;
	err = surf_usyms__find(u, pid, addr, &s);
	surf_sym__format(err ? NULL : &s, addr, buf, sizeof(buf));
	printf("%s\n", buf);
	surf_usyms__free(u);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	char why[256];
	char *end;
	int pid, r;

	if (argc == 2 && !strcmp(argv[1], "--hwbp")) {
		r = clcc_hw_breakpoints(why, sizeof(why));
		printf("hardware breakpoints: %s (%s)\n",
		       r > 0 ? "delivered" : r == 0 ? "not delivered" : "unavailable", why);
		return r > 0 ? 0 : 1;
	}
	if (argc != 3 || (pid = (int)strtol(argv[1], &end, 10)) <= 0 || *end) {
		fprintf(stderr, "usage: javamap PID METHOD | javamap PID 0xADDR | javamap --hwbp\n");
		return 2;
	}
	if (!strncmp(argv[2], "0x", 2))
		return name_of(pid, strtoull(argv[2], NULL, 16));
	return lookup(pid, argv[2]);
}

// SPDX-License-Identifier: MIT
/*
 * A JIT's perf map, /tmp/perf-PID.map: one "START SIZE NAME" line per piece
 * of generated code, START and SIZE in hex (with or without 0x).  HotSpot
 * writes it on `jcmd PID Compiler.perfmap` (JDK 17) as a snapshot of its
 * code cache, methods named "RET CLASS.METHOD(ARGS)":
 *
 *	0x00007f564ced5700 0x0000000000002280 void test.square_test(int)
 *
 * and stubs by a bare name ("Interpreter", "I2C/C2I adapters").  perf,
 * perf-map-agent and node --perf-basic-prof write the same format.
 *
 * The entries are kept sorted by start address for surf_jmap__find (a user
 * stack's JIT frames) and scanned by surf_jmap__lookup (a method's address
 * from its name).  A file written again (a new snapshot) is reread by
 * surf_jmap__refresh when its mtime or size changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <surf/syms.h>

/* Overlapping entries (a rewritten region in an appended map): how far back to look. */
#define MAX_NESTED 8

struct jent {
	uint64_t start, size;
	uint32_t name;		/* offset into names */
	uint32_t line;		/* later lines describe newer code */
};

struct surf_jmap {
	char path[64];
	struct jent *ents;
	size_t n;
	char *names;
	struct timespec mtime;
	off_t size;
	ino_t ino;
};

int surf_jmap__path(int pid, char *buf, size_t len)
{
	if (pid <= 0)
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "/tmp/perf-%d.map", pid) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct jent *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/* Parse the file at m->path into m's arrays (replacing them on success). */
static int jmap_read(struct surf_jmap *m)
{
	struct jent *ents = NULL, *tmp;
	size_t n = 0, cap = 0, nlen = 0, ncap = 0;
	char *names = NULL, *line = NULL, *ntmp;
	size_t line_cap = 0;
	struct stat st;
	ssize_t len;
	uint32_t lineno = 0;
	FILE *f;
	int err = 0;

	f = fopen(m->path, "re");
	if (!f)
		return -errno;
	if (fstat(fileno(f), &st)) {
		err = -errno;
		fclose(f);
		return err;
	}
	while ((len = getline(&line, &line_cap, f)) > 0) {
		char *p = line, *e;
		uint64_t start, size;
		size_t l;

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		start = strtoull(p, &e, 16);
		if (e == p || *e != ' ')
			continue;
		p = e;
		size = strtoull(p, &e, 16);
		if (e == p || *e != ' ' || !size)
			continue;
		p = e + 1;
		l = strlen(p);
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			tmp = realloc(ents, cap * sizeof(*ents));
			if (!tmp) {
				err = -ENOMEM;
				break;
			}
			ents = tmp;
		}
		if (nlen + l + 1 > ncap) {
			ncap = (nlen + l + 1) * 2 + 4096;
			ntmp = realloc(names, ncap);
			if (!ntmp) {
				err = -ENOMEM;
				break;
			}
			names = ntmp;
		}
		if (nlen + l + 1 > UINT32_MAX) {
			err = -EFBIG;
			break;
		}
		memcpy(names + nlen, p, l + 1);
		ents[n++] = (struct jent){ start, size, (uint32_t)nlen, lineno };
		nlen += l + 1;
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	fclose(f);
	if (err) {
		free(ents);
		free(names);
		return err;
	}
	if (n)
		qsort(ents, n, sizeof(*ents), ent_cmp);
	free(m->ents);
	free(m->names);
	m->ents = ents;
	m->n = n;
	m->names = names;
	m->mtime = st.st_mtim;
	m->size = st.st_size;
	m->ino = st.st_ino;
	return 0;
}

int surf_jmap__load(struct surf_jmap **out, const char *path)
{
	struct surf_jmap *m;
	int err;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if ((size_t)snprintf(m->path, sizeof(m->path), "%s", path) >= sizeof(m->path)) {
		free(m);
		return -ENAMETOOLONG;
	}
	err = jmap_read(m);
	if (err) {
		free(m);
		return err;
	}
	*out = m;
	return 0;
}

int surf_jmap__open(struct surf_jmap **out, int pid)
{
	char path[64];
	int err = surf_jmap__path(pid, path, sizeof(path));

	if (err) {
		*out = NULL;
		return err;
	}
	return surf_jmap__load(out, path);
}

int surf_jmap__refresh(struct surf_jmap *m)
{
	struct stat st;
	int err;

	if (stat(m->path, &st))
		return -errno;
	if (st.st_ino == m->ino && st.st_size == m->size &&
	    st.st_mtim.tv_sec == m->mtime.tv_sec && st.st_mtim.tv_nsec == m->mtime.tv_nsec)
		return 0;
	err = jmap_read(m);
	return err ? err : 1;
}

void surf_jmap__free(struct surf_jmap *m)
{
	if (!m)
		return;
	free(m->ents);
	free(m->names);
	free(m);
}

const char *surf_jmap__file(const struct surf_jmap *m)
{
	return m->path;
}

int64_t surf_jmap__mtime(const struct surf_jmap *m)
{
	return (int64_t)m->mtime.tv_sec;
}

size_t surf_jmap__count(const struct surf_jmap *m)
{
	return m->n;
}

static void to_sym(const struct surf_jmap *m, const struct jent *e, struct surf_sym *out)
{
	out->name = m->names + e->name;
	out->addr = e->start;
	out->size = e->size;
	out->module = m->path;
}

int surf_jmap__find(const struct surf_jmap *m, uint64_t addr, struct surf_sym *out)
{
	const struct jent *best = NULL;
	size_t lo = 0, hi = m->n;

	memset(out, 0, sizeof(*out));
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->ents[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Of the entries holding addr, the one from the latest line: the newest code. */
	for (size_t i = lo; i-- > 0 && lo - i <= MAX_NESTED;) {
		const struct jent *e = &m->ents[i];

		if (addr - e->start < e->size && (!best || e->line > best->line))
			best = e;
	}
	if (!best)
		return -ENOENT;
	to_sym(m, best, out);
	return 0;
}

/*
 * A method name of the map split into its class ("pkg.Class", dots) and
 * method, and its argument list without spaces: "void a.b.C.m(int, long)"
 * gives "a.b.C", "m", "(int,long)".  Stubs (no parenthesis) give -ENOENT.
 */
static int split_entry(const char *name, char *cls, size_t clen, char *meth, size_t mlen,
		       char *args, size_t alen)
{
	const char *paren = strchr(name, '('), *start, *dot, *close;
	size_t w = 0;

	if (!paren || paren == name)
		return -ENOENT;
	for (start = paren; start > name && start[-1] != ' '; start--)
		;
	for (dot = paren; dot > start && dot[-1] != '.'; dot--)
		;
	if (dot == start)	/* no class: not a Java method */
		return -ENOENT;
	if ((size_t)(dot - 1 - start) >= clen || (size_t)(paren - dot) >= mlen)
		return -ENAMETOOLONG;
	memcpy(cls, start, dot - 1 - start);
	cls[dot - 1 - start] = '\0';
	memcpy(meth, dot, paren - dot);
	meth[paren - dot] = '\0';
	close = strchr(paren, ')');
	if (!close)
		return -ENOENT;
	for (const char *p = paren; p <= close; p++)
		if (*p != ' ' && w + 1 < alen)
			args[w++] = *p;
	args[w] = '\0';
	return 0;
}

int surf_jmap__parse_method(const char *pattern, char *cls, size_t clen, char *meth, size_t mlen,
			    char *args, size_t alen)
{
	char buf[1024], *p, *sep, *paren;
	size_t w = 0;

	if (!pattern || !*pattern || clen < 2 || mlen < 2 || alen < 1)
		return -EINVAL;
	if (strlen(pattern) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, pattern);
	args[0] = '\0';
	/* "(int, long)": the argument types, as the map writes them. */
	paren = strchr(buf, '(');
	if (paren) {
		char *close = strchr(paren, ')');

		if (!close || close[1])
			return -EINVAL;
		for (p = paren; p <= close; p++)
			if (*p != ' ' && w + 1 < alen)
				args[w++] = *p;
		args[w] = '\0';
		*paren = '\0';
	}
	/* "Ltest;::square_test", "test::square_test", or "test.square_test". */
	sep = strstr(buf, "::");
	if (sep) {
		*sep = '\0';
		sep += 2;
	} else {
		sep = strrchr(buf, '.');
		if (sep)
			*sep++ = '\0';
	}
	if (!sep) {		/* a bare method name: of any class */
		sep = buf;
		p = "*";
	} else {
		p = buf;
		/* JNI's class descriptor: "Lcom/acme/Foo;" */
		if (p[0] == 'L' && p[1] && p[strlen(p) - 1] == ';') {
			p[strlen(p) - 1] = '\0';
			p++;
		}
		for (char *q = p; *q; q++)
			if (*q == '/')
				*q = '.';
	}
	if (!*p || !*sep || strchr(sep, '.') || strchr(sep, ':'))
		return -EINVAL;
	if (strlen(p) >= clen || strlen(sep) >= mlen)
		return -ENAMETOOLONG;
	strcpy(cls, p);
	strcpy(meth, sep);
	return 0;
}

int surf_jmap__lookup(const struct surf_jmap *m, const char *pattern, struct surf_sym *out,
		      size_t max)
{
	char pcls[512], pmeth[256], pargs[512];
	size_t found = 0;
	int err;

	err = surf_jmap__parse_method(pattern, pcls, sizeof(pcls), pmeth, sizeof(pmeth), pargs,
				      sizeof(pargs));
	if (err)
		return err;
	for (size_t i = 0; i < m->n; i++) {
		const struct jent *e = &m->ents[i];
		char cls[512], meth[256], args[512];
		bool dup = false;

		if (split_entry(m->names + e->name, cls, sizeof(cls), meth, sizeof(meth), args,
				sizeof(args)))
			continue;
		if (fnmatch(pmeth, meth, 0) || fnmatch(pcls, cls, 0))
			continue;
		if (*pargs && fnmatch(pargs, args, 0))
			continue;
		/* One answer per address (appended maps repeat entries). */
		for (size_t j = 0; j < found && j < max; j++)
			if (out[j].addr == e->start)
				dup = true;
		if (dup)
			continue;
		if (found < max)
			to_sym(m, e, &out[found]);
		found++;
	}
	return found > INT32_MAX ? INT32_MAX : (int)found;
}

// SPDX-License-Identifier: MIT
/*
 * The clcc runtime: clcc_init() dlopen()s a .so that surfcc wrote, binds
 * its lbc_* trampolines to this file's functions and a state of its own
 * (internal.h), and opens the embedded BPF object with libbpf.  init()
 * loads it, auto-attaches what can be, and from then on the map, event and
 * attach calls are thin layers over libbpf with clear errors.
 *
 * libbpf's messages go through a print callback installed only while clcc
 * calls into libbpf: shown according to init()'s log level, and kept so
 * that a failure can quote them (the last lines of a verifier log).
 *
 * Memory: libbpf reads the kernel's BTF only when the object has CO-RE
 * relocations, and frees it at the end of the load; kallsyms is read only
 * for ksym_search(), stacks, or to explain a failed kprobe attach.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <clcc.h>
#include <surf/syms.h>
#include <surf/tracefs.h>

#include "clcc/clcc_impl.h"
#include "sys/log.h"
#include "clcc/internal.h"

#define DEFAULT_PERF_PAGES 64
#define LOG_TAIL_LINES 12
#define LIBBPF_LOG_MAX (8u << 20)

/* ---- errors and libbpf's messages ----------------------------------- */

int clcc__err(struct clcc_impl *c, int err, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	n = strlen(c->err);
	while (n && c->err[n - 1] == '\n')
		c->err[--n] = 0;
	/* CLCC_QUIET: the seeds' way to keep them for clcc_last_error() alone. */
	if (!getenv("CLCC_QUIET"))
		surf_pr_warn("clcc: %s\n", c->err);
	return err;
}

static void log_append(struct clcc_impl *c, const char *s, size_t n)
{
	if (c->log_len + n + 1 > c->log_cap) {
		size_t cap = (c->log_len + n + 1) * 2;
		char *p;

		if (cap > LIBBPF_LOG_MAX + 1) {
			/* keep the tail */
			size_t keep = c->log_len > LIBBPF_LOG_MAX / 2 ? LIBBPF_LOG_MAX / 2 : c->log_len;

			memmove(c->log, c->log + c->log_len - keep, keep);
			c->log_len = keep;
			cap = LIBBPF_LOG_MAX + 1;
			if (n + keep + 1 > cap)
				return;
		}
		p = realloc(c->log, cap);
		if (!p)
			return;
		c->log = p;
		c->log_cap = cap;
	}
	memcpy(c->log + c->log_len, s, n);
	c->log_len += n;
	c->log[c->log_len] = 0;
}

/*
 * libbpf's text during one of our calls: warnings are kept for
 * clcc_last_error(), and what init's log_level asks for is said through the
 * library's print callback.
 */
static void rt_capture(void *ctx, enum surf_print_level level, const char *text, size_t len)
{
	struct clcc_impl *c = ctx;
	int lvl = (int)level;

	if (lvl > 0 && lvl > c->log_level)
		return;
	if (level == SURF_WARN) {
		/* libbpf's messages start "libbpf: "; keep them without */
		size_t skip = strncmp(text, "libbpf: ", 8) ? 0 : 8;

		log_append(c, text + skip, len - skip);
	}
	if (c->log_level >= lvl)
		surf_print(level, "%s", text);
}

void clcc__libbpf_begin(struct clcc_impl *c)
{
	c->log_len = 0;
	if (c->log)
		c->log[0] = 0;
	surf_libbpf_capture_begin(rt_capture, c);
}

void clcc__libbpf_end(struct clcc_impl *c)
{
	surf_libbpf_capture_end();
}

/* The last line libbpf warned about (without "libbpf: "), or "". */
static void last_warning(struct clcc_impl *c, char *buf, size_t len)
{
	char *end, *start;

	buf[0] = 0;
	if (!c->log_len)
		return;
	end = c->log + c->log_len;
	while (end > c->log && end[-1] == '\n')
		end--;
	start = end;
	while (start > c->log && start[-1] != '\n')
		start--;
	snprintf(buf, len, "%.*s", (int)(end - start), start);
}

/*
 * After a failed load: the program the verifier rejected and the last lines
 * of its log, from what libbpf printed.
 */
static bool verifier_tail(struct clcc_impl *c, char *prog, size_t plen, char *out, size_t olen)
{
	static const char begin[] = "-- BEGIN PROG LOAD LOG --\n";
	static const char end_mark[] = "-- END PROG LOAD LOG --";
	char *b = NULL, *p, *e, *q;
	int lines = 0;

	if (!c->log)
		return false;
	for (p = c->log; (p = strstr(p, begin)); p++)
		b = p;
	if (!b)
		return false;
	/* "prog 'NAME': -- BEGIN PROG LOAD LOG --" */
	prog[0] = 0;
	for (q = b; q > c->log && q[-1] != '\n'; q--)
		;
	if (!strncmp(q, "prog '", 6)) {
		char *qe = strstr(q + 6, "': ");

		if (qe && qe < b)
			snprintf(prog, plen, "%.*s", (int)(qe - q - 6), q + 6);
	}
	b += sizeof(begin) - 1;
	e = strstr(b, end_mark);
	if (!e)
		e = c->log + c->log_len;
	while (e > b && (e[-1] == '\n' || e[-1] == ' '))
		e--;
	for (p = e; p > b; p--) {
		if (p[-1] == '\n' && ++lines == LOG_TAIL_LINES)
			break;
	}
	out[0] = 0;
	for (size_t n = 0; p < e && n + 8 < olen;) {
		char *nl = memchr(p, '\n', e - p);
		size_t l = nl ? (size_t)(nl - p) : (size_t)(e - p);

		n += snprintf(out + n, olen - n, "  %.*s\n", (int)l, p);
		p += l + (nl ? 1 : 0);
	}
	return true;
}

/* ---- the object ------------------------------------------------------- */

static void free_maps(struct clcc_impl *c)
{
	for (int i = 0; i < c->nmaps; i++) {
		perf_buffer__free(c->bufs[i].pb);
		ring_buffer__free(c->bufs[i].rb);
		free(c->bufs[i].scratch);
	}
	free(c->maps);
	free(c->bufs);
	c->maps = NULL;
	c->bufs = NULL;
	c->nmaps = 0;
	if (c->epfd >= 0)
		close(c->epfd);
	c->epfd = -1;
}

/*
 * The .so's minimal BTF as a file for libbpf's btf_custom_path, when the
 * running kernel's BTF is the one it was cut from (same size, same hash):
 * then libbpf never reads the kernel's 5 MB BTF.  An fd, or -1.
 */
static int min_btf_fd(struct clcc_impl *c)
{
	const unsigned char *start = dlsym(c->dl, "lbc_btf_min");
	const unsigned char *end = dlsym(c->dl, "lbc_btf_min_end");
	const unsigned long long *hash = dlsym(c->dl, "lbc_btf_hash");
	const unsigned long long *size = dlsym(c->dl, "lbc_btf_size");
	const char *kbtf = "/sys/kernel/btf/vmlinux";
	struct stat st;
	uint64_t h;
	int fd;

	if (!start || !end || !hash || !size || end <= start || !*size)
		return -1;
	if (getenv("CLCC_NO_MIN_BTF"))
		return -1;
	if (stat(kbtf, &st) || (unsigned long long)st.st_size != *size)
		return -1;
	if (surf_bpf__hash_file(kbtf, &h) || h != *hash)
		return -1;
	fd = memfd_create("clcc-btf", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, start, end - start) != end - start) {
		close(fd);
		return -1;
	}
	return fd;
}

int clcc__open(struct clcc_impl *c)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = c->name);
	struct bpf_map *m;
	char why[512], btf_path[64];
	int n = 0, err;

	if (c->obj)
		return 0;
	if (c->btf_fd < 0)
		c->btf_fd = min_btf_fd(c);
	if (c->btf_fd >= 0) {
		snprintf(btf_path, sizeof(btf_path), "/proc/self/fd/%d", c->btf_fd);
		oo.btf_custom_path = btf_path;
	}
	clcc__libbpf_begin(c);
	c->obj = bpf_object__open_mem(c->obj_buf, c->obj_size, &oo);
	err = c->obj ? 0 : -errno;
	clcc__libbpf_end(c);
	if (err) {
		c->obj = NULL;
		last_warning(c, why, sizeof(why));
		return clcc__err(c, err, "cannot open the BPF object of %s: %s%s%s", c->so_path,
				 strerror(-err), *why ? "\n  libbpf: " : "", why);
	}
	bpf_object__for_each_map(m, c->obj)
		n++;
	c->maps = calloc(n ? n : 1, sizeof(*c->maps));
	c->bufs = calloc(n ? n : 1, sizeof(*c->bufs));
	if (!c->maps || !c->bufs) {
		free_maps(c);
		bpf_object__close(c->obj);
		c->obj = NULL;
		return clcc__err(c, -ENOMEM, "out of memory");
	}
	n = 0;
	bpf_object__for_each_map(m, c->obj)
		c->maps[n++] = m;
	c->nmaps = n;
	return 0;
}

static void destroy_links(struct clcc_impl *c)
{
	for (size_t i = 0; i < c->nlinks; i++)
		bpf_link__destroy(c->links[i]);
	free(c->links);
	c->links = NULL;
	c->nlinks = c->caplinks = 0;
}

static void rt_exit(void *ctx)
{
	struct clcc_impl *c = ctx;

	destroy_links(c);
	clcc__unmap_globals(c);
	free_maps(c);
	if (c->obj)
		bpf_object__close(c->obj);
	c->obj = NULL;
	c->loaded = false;
	if (c->btf_fd >= 0)
		close(c->btf_fd);
	c->btf_fd = -1;
	if (c->ksyms)
		surf_ksyms__free(c->ksyms);
	c->ksyms = NULL;
	if (c->stack_cleanup)
		c->stack_cleanup(c);
}

int clcc__add_link(struct clcc_impl *c, struct bpf_link *link)
{
	if (c->nlinks == c->caplinks) {
		size_t cap = c->caplinks ? c->caplinks * 2 : 8;
		struct bpf_link **p = realloc(c->links, cap * sizeof(*p));

		if (!p) {
			bpf_link__destroy(link);
			return -ENOMEM;
		}
		c->links = p;
		c->caplinks = cap;
	}
	c->links[c->nlinks++] = link;
	return 0;
}

/* ---- attach errors ---------------------------------------------------- */

/*
 * libbpf reads tracepoint ids (and, where the kernel has no kprobe or uprobe
 * PMU, creates its probes) in /sys/kernel/tracing or debugfs's tracing, and
 * mounts neither; after a fresh boot tracefs is not mounted.  So mount it as
 * surftrace does before the first attach that may need it.  A failure (not
 * root) is left to the attach itself to report.
 */
void clcc__need_tracefs(struct clcc_impl *c)
{
	char dir[PATH_MAX];

	if (c->tracefs_ready)
		return;
	c->tracefs_ready = surf_tracefs__find(dir, sizeof(dir), true) == 0;
}

static bool tracepoint_exists(const char *cat, const char *name)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char p[PATH_MAX];

	for (size_t i = 0; i < 2; i++) {
		if (access(roots[i], F_OK))
			continue;
		snprintf(p, sizeof(p), "%s/events/%s/%s", roots[i], cat, name);
		if (access(p, F_OK) == 0)
			return true;
		snprintf(p, sizeof(p), "%s/events", roots[i]);
		if (access(p, F_OK) == 0)
			return false;
	}
	return true;	/* no tracefs to tell: let the error speak */
}

/* Is there a tracepoint named name, in any category (available_events)? */
static bool raw_tracepoint_exists(const char *name)
{
	static const char *const files[] = {
		"/sys/kernel/tracing/available_events", "/sys/kernel/debug/tracing/available_events",
	};
	char line[512];

	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");
		bool found = false;

		if (!f)
			continue;
		while (!found && fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');

			line[strcspn(line, "\n")] = 0;
			found = colon && !strcmp(colon + 1, name);
		}
		fclose(f);
		return found;
	}
	return true;	/* cannot tell */
}

static bool ksym_exists(struct clcc_impl *c, const char *sym)
{
	uint64_t addr;

	if (!c->ksyms && surf_ksyms__load(&c->ksyms, NULL))
		return true;	/* cannot tell */
	return surf_ksyms__lookup(c->ksyms, sym, &addr) == 0;
}

static int kprobe_unavailable(struct clcc_impl *c, const char *func, bool ret, const char *sym)
{
	return clcc__err(c, -EOPNOTSUPP, "cannot attach '%s' to %s '%s': %s", func,
			 ret ? "kretprobe" : "kprobe", sym, surf_kernel__missing(SURF_FEATURE_KPROBES));
}

/* A message for a failed attach of prog (kind "kprobe", target "vfs_read"...). */
static int attach_failed(struct clcc_impl *c, const char *func, const char *kind,
			 const char *target, int err)
{
	char why[512];

	last_warning(c, why, sizeof(why));
	if (!strcmp(kind, "kprobe") || !strcmp(kind, "kretprobe")) {
		char sym[256];

		snprintf(sym, sizeof(sym), "%s", target);
		sym[strcspn(sym, "+")] = 0;
		if (!surf_tracefs__has_kprobes(NULL))
			return kprobe_unavailable(c, func, kind[4] == 'r', target);
		if (!ksym_exists(c, sym))
			return clcc__err(c, err, "cannot attach '%s' to %s '%s': no such kernel "
					 "function (not in /proc/kallsyms)", func, kind, sym);
		return clcc__err(c, err, "cannot attach '%s' to %s '%s': %s (inlined, notrace "
				 "or blacklisted functions cannot be probed)", func, kind, target,
				 strerror(-err));
	}
	if (!strcmp(kind, "tracepoint")) {
		char cat[256];
		const char *slash = strchr(target, '/');

		snprintf(cat, sizeof(cat), "%.*s", slash ? (int)(slash - target) : 0, target);
		if (slash && !tracepoint_exists(cat, slash + 1))
			return clcc__err(c, err, "cannot attach '%s': no tracepoint '%s:%s'", func,
					 cat, slash + 1);
		if (err == -EACCES)
			return clcc__err(c, err, "cannot attach '%s' to tracepoint '%s': %s (the "
					 "program reads past the end of the tracepoint's record: "
					 "check its context struct against the event's format file)",
					 func, target, strerror(-err));
	}
	if (!strcmp(kind, "usdt") && err == -ENOENT)
		return clcc__err(c, err, "cannot attach '%s': no USDT probe '%s'%s%s", func, target,
				 *why ? "\n  libbpf: " : "", why);
	if (!strcmp(kind, "raw_tracepoint") && !raw_tracepoint_exists(target))
		return clcc__err(c, -ENOENT, "cannot attach '%s': no raw tracepoint '%s'", func,
				 target);
	return clcc__err(c, err, "cannot attach '%s' to %s '%s': %s%s%s", func, kind, target,
			 strerror(-err), *why ? "\n  libbpf: " : "", why);
}

/* ---- init ------------------------------------------------------------- */

/* "kprobe/vfs_read" -> kind "kprobe", target "vfs_read"; false: no target. */
static bool sec_target(const char *sec, char *kind, size_t klen, const char **target)
{
	static const struct { const char *prefix, *kind; } kinds[] = {
		{ "kprobe/", "kprobe" }, { "kretprobe/", "kretprobe" },
		{ "tracepoint/", "tracepoint" }, { "tp/", "tracepoint" },
		{ "raw_tracepoint/", "raw_tracepoint" }, { "raw_tp/", "raw_tracepoint" },
		{ "tp_btf/", "tp_btf" }, { "fentry/", "fentry" }, { "fexit/", "fexit" },
		{ "uprobe/", "uprobe" }, { "uretprobe/", "uretprobe" }, { "usdt/", "usdt" },
		{ "ksyscall/", "ksyscall" }, { "kretsyscall/", "kretsyscall" },
		{ "kprobe.multi/", "kprobe.multi" }, { "kretprobe.multi/", "kretprobe.multi" },
		{ "lsm/", "lsm" }, { "iter/", "iter" },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);

		if (strncmp(sec, kinds[i].prefix, n))
			continue;
		snprintf(kind, klen, "%s", kinds[i].kind);
		*target = sec + n;
		if (!**target)
			return false;
		/* uprobe/usdt need "PATH:FUNC"; "uprobe/\*" is attached by hand */
		if ((!strcmp(kinds[i].kind, "uprobe") || !strcmp(kinds[i].kind, "uretprobe") ||
		     !strcmp(kinds[i].kind, "usdt")) && !strchr(*target, ':'))
			return false;
		return true;
	}
	return false;
}

static int attach_all(struct clcc_impl *c)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, c->obj) {
		const char *sec = bpf_program__section_name(prog);
		const char *func = bpf_program__name(prog), *target;
		struct bpf_link *link;
		char kind[32];
		int err;

		if (!bpf_program__autoload(prog) || !bpf_program__autoattach(prog))
			continue;
		if (!sec_target(sec, kind, sizeof(kind), &target))
			continue;
		clcc__need_tracefs(c);
		if ((!strcmp(kind, "kprobe") || !strcmp(kind, "kretprobe")) &&
		    !surf_tracefs__has_kprobes(NULL))
			return kprobe_unavailable(c, func, kind[4] == 'r', target);
		clcc__libbpf_begin(c);
		link = bpf_program__attach(prog);
		err = link ? 0 : -errno;
		clcc__libbpf_end(c);
		if (err == -EOPNOTSUPP)
			continue;	/* libbpf cannot auto-attach this kind */
		if (err)
			return attach_failed(c, func, kind, target, err);
		err = clcc__add_link(c, link);
		if (err)
			return clcc__err(c, err, "out of memory");
	}
	return 0;
}

static int rt_init(void *ctx, int log_level, int attach)
{
	struct clcc_impl *c = ctx;
	char prog[128], tail[8192], why[512];
	int err;

	if (c->loaded)
		return clcc__err(c, -EALREADY, "%s is already loaded (init called twice)", c->so_path);
	c->log_level = log_level < -1 ? -1 : log_level;
	err = clcc__open(c);
	if (err)
		return err;
	clcc__libbpf_begin(c);
	err = bpf_object__load(c->obj);
	err = err ? (errno ? -errno : err) : 0;
	clcc__libbpf_end(c);
	if (err) {
		if (verifier_tail(c, prog, sizeof(prog), tail, sizeof(tail)))
			clcc__err(c, err, "cannot load %s: the verifier rejected program '%s' (%s); "
				  "the last lines of its log:\n%s", c->so_path, prog, strerror(-err),
				  tail);
		else {
			last_warning(c, why, sizeof(why));
			clcc__err(c, err, "cannot load %s: %s%s%s", c->so_path, strerror(-err),
				  *why ? "\n  libbpf: " : "", why);
		}
		rt_exit(c);
		return err;
	}
	c->loaded = true;
	if (c->btf_fd >= 0) {
		close(c->btf_fd);	/* libbpf is done with it */
		c->btf_fd = -1;
	}
	if (attach) {
		err = attach_all(c);
		if (err) {
			rt_exit(c);
			return err;
		}
	}
	return 0;
}

/* ---- maps ------------------------------------------------------------- */

static int rt_get_maps_id(void *ctx, char *name)
{
	struct clcc_impl *c = ctx;
	struct bpf_map *m;
	char list[1024];
	size_t n = 0;

	if (!name)
		return clcc__err(c, -EINVAL, "get_maps_id: no name"), -1;
	if (!c->obj && clcc__open(c))
		return -1;
	for (int i = 0; i < c->nmaps; i++)
		if (!strcmp(bpf_map__name(c->maps[i]), name))
			return i;
	m = bpf_object__find_map_by_name(c->obj, name);
	for (int i = 0; m && i < c->nmaps; i++)
		if (c->maps[i] == m)
			return i;
	list[0] = 0;
	for (int i = 0; i < c->nmaps && n < sizeof(list) - 64; i++)
		n += snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
			      bpf_map__name(c->maps[i]));
	clcc__err(c, -ENOENT, "no map named '%s' in %s (maps: %s)", name, c->so_path,
		  c->nmaps ? list : "none");
	return -1;
}

/* The fd of map id, or a negative errno (with a message). */
int clcc__map_fd(struct clcc_impl *c, int id, const char *op)
{
	if (!c->obj || id < 0 || id >= c->nmaps)
		return clcc__err(c, -EINVAL, "%s: no map with id %d in %s", op, id, c->so_path);
	if (!c->loaded)
		return clcc__err(c, -EBADF, "%s: map '%s' is not loaded yet: call init() first", op,
				 bpf_map__name(c->maps[id]));
	return bpf_map__fd(c->maps[id]);
}

/*
 * The seeds' six map calls: one path (the map's fd, checked, with the
 * operation named in the error; then libbpf), entered through the
 * signatures the .so's trampolines call.
 */
enum map_op { MAP_LOOKUP, MAP_LOOKUP_FLAGS, MAP_LOOKUP_AND_DELETE, MAP_DELETE, MAP_UPDATE,
	      MAP_NEXT_KEY };

static int map_op(void *ctx, enum map_op op, int id, const void *key, void *value,
		  unsigned long flags)
{
	static const char *const names[] = {
		[MAP_LOOKUP] = "map_lookup_elem", [MAP_LOOKUP_FLAGS] = "map_lookup_elem_flags",
		[MAP_LOOKUP_AND_DELETE] = "map_lookup_and_delete_elem",
		[MAP_DELETE] = "map_delete_elem", [MAP_UPDATE] = "map_update_elem",
		[MAP_NEXT_KEY] = "map_get_next_key",
	};
	int fd = clcc__map_fd(ctx, id, names[op]);

	if (fd < 0)
		return fd;
	switch (op) {
	case MAP_LOOKUP:
		return bpf_map_lookup_elem(fd, key, value);
	case MAP_LOOKUP_FLAGS:
		return bpf_map_lookup_elem_flags(fd, key, value, flags);
	case MAP_LOOKUP_AND_DELETE:
		return bpf_map_lookup_and_delete_elem(fd, key, value);
	case MAP_DELETE:
		return bpf_map_delete_elem(fd, key);
	case MAP_UPDATE:
		return bpf_map_update_elem(fd, key, value, flags);
	case MAP_NEXT_KEY:
		return bpf_map_get_next_key(fd, key, value);
	}
	return -EINVAL;
}

static int rt_map_lookup_elem(void *ctx, int id, const void *key, void *value)
{
	return map_op(ctx, MAP_LOOKUP, id, key, value, 0);
}

static int rt_map_lookup_elem_flags(void *ctx, int id, const void *key, void *value,
				    unsigned long flags)
{
	return map_op(ctx, MAP_LOOKUP_FLAGS, id, key, value, flags);
}

static int rt_map_lookup_and_delete_elem(void *ctx, int id, const void *key, void *value)
{
	return map_op(ctx, MAP_LOOKUP_AND_DELETE, id, key, value, 0);
}

static int rt_map_delete_elem(void *ctx, int id, const void *key)
{
	return map_op(ctx, MAP_DELETE, id, key, NULL, 0);
}

static int rt_map_update_elem(void *ctx, int id, const void *key, void *value)
{
	return map_op(ctx, MAP_UPDATE, id, key, value, BPF_ANY);
}

static int rt_map_get_next_key(void *ctx, int id, const void *key, void *next)
{
	return map_op(ctx, MAP_NEXT_KEY, id, key, next, 0);
}

/* ---- events ----------------------------------------------------------- */

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct clcc_buf *b = ctx;

	/*
	 * A perf record's data is only 4-byte aligned: copied to an aligned
	 * buffer, callbacks may cast it to a struct with 8-byte members.
	 */
	if ((uintptr_t)data & 7) {
		if (size > b->scratch_len) {
			size_t len = size < 256 ? 256 : (size_t)size * 2;
			void *p = realloc(b->scratch, len);

			if (p) {
				b->scratch = p;
				b->scratch_len = len;
			}
		}
		if (size <= b->scratch_len) {
			memcpy(b->scratch, data, size);
			data = b->scratch;
		}
	}
	b->cb(&b->c->pub, cpu, data, size);
	b->handled++;
}

static void on_lost(void *ctx, int cpu, __u64 cnt)
{
	struct clcc_buf *b = ctx;

	if (b->lost)
		b->lost(&b->c->pub, cpu, cnt);
	else
		surf_pr_warn("Lost %llu events on CPU #%d!\n", (unsigned long long)cnt, cpu);
}

static int on_ring(void *ctx, void *data, size_t size)
{
	struct clcc_buf *b = ctx;

	b->cb(&b->c->pub, -1, data, (unsigned int)size);
	b->handled++;
	return 0;
}

/*
 * Add buffer id to the epoll set of clcc_poll(), now that it exists: built
 * lazily on the first poll, the set would take the wakeup of the records
 * written before it (see clcc_buf.unread), which the poll then missed.
 */
static int watch_buf(struct clcc_impl *c, int id)
{
	struct clcc_buf *b = &c->bufs[id];
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)id };
	int fd = b->pb ? perf_buffer__epoll_fd(b->pb) : ring_buffer__epoll_fd(b->rb);

	if (c->epfd < 0) {
		c->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (c->epfd < 0)
			return clcc__err(c, -errno, "epoll_create1: %s", strerror(errno));
	}
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev))
		return clcc__err(c, -errno, "epoll_ctl: %s", strerror(errno));
	b->unread = true;
	return 0;
}

static int rt_set_event_cb(void *ctx, int id, void (*cb)(void *, int, void *, unsigned int),
			   void (*lost)(void *, int, unsigned long long))
{
	struct clcc_impl *c = ctx;
	struct clcc_buf *b;
	enum bpf_map_type type;
	int fd = clcc__map_fd(c, id, "set_event_cb"), err = 0;

	if (fd < 0)
		return fd;
	if (!cb)
		return clcc__err(c, -EINVAL, "set_event_cb: no callback");
	b = &c->bufs[id];
	/* closing the old buffer's epoll fd takes it out of c->epfd */
	perf_buffer__free(b->pb);
	ring_buffer__free(b->rb);
	b->pb = NULL;
	b->rb = NULL;
	b->c = c;
	b->cb = cb;
	b->lost = lost;
	type = bpf_map__type(c->maps[id]);
	clcc__libbpf_begin(c);
	if (type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		b->pb = perf_buffer__new(fd, c->perf_pages, on_sample, on_lost, b, NULL);
		if (!b->pb)
			err = -errno;
	} else if (type == BPF_MAP_TYPE_RINGBUF) {
		b->rb = ring_buffer__new(fd, on_ring, b, NULL);
		if (!b->rb)
			err = -errno;
	} else {
		clcc__libbpf_end(c);
		return clcc__err(c, -EINVAL, "set_event_cb: map '%s' is a %s map, not a perf "
				 "output (LBC_PERF_OUTPUT) or a ring buffer (LBC_RINGBUF)",
				 bpf_map__name(c->maps[id]), libbpf_bpf_map_type_str(type));
	}
	clcc__libbpf_end(c);
	if (err)
		return clcc__err(c, err, "set_event_cb: cannot open the buffers of '%s': %s",
				 bpf_map__name(c->maps[id]), strerror(-err));
	err = watch_buf(c, id);
	if (err) {		/* no buffer rather than one nobody polls */
		perf_buffer__free(b->pb);
		ring_buffer__free(b->rb);
		b->pb = NULL;
		b->rb = NULL;
	}
	return err;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read every record of b: the count, or a negative errno. */
static int consume_buf(struct clcc_buf *b)
{
	int err;

	b->handled = 0;
	b->unread = false;
	err = b->pb ? perf_buffer__consume(b->pb) : ring_buffer__consume(b->rb);
	return err < 0 ? err : (int)b->handled;
}

static int poll_one(struct clcc_buf *b, int ms)
{
	if (b->unread) {
		int n = consume_buf(b);

		if (n)
			return n;
	}
	return b->pb ? perf_buffer__poll(b->pb, ms) : ring_buffer__poll(b->rb, ms);
}

int clcc_poll(struct clcc_struct *p, int timeout_ms)
{
	struct clcc_impl *c = clcc__impl(p);
	struct epoll_event evs[16];
	int n, handled = 0, nbufs = 0;

	if (!c)
		return -EINVAL;
	for (int i = 0; i < c->nmaps; i++) {
		struct clcc_buf *b = &c->bufs[i];

		if (!b->pb && !b->rb)
			continue;
		nbufs++;
		if (b->unread) {
			n = consume_buf(b);
			if (n < 0)
				return n;
			handled += n;
		}
	}
	if (!nbufs)
		return clcc__err(c, -EINVAL, "no events to poll: call set_event_cb() first");
	n = epoll_wait(c->epfd, evs, 16, handled ? 0 : timeout_ms);
	if (n < 0)
		return handled ? handled : -errno;
	for (int i = 0; i < n; i++) {
		int got = consume_buf(&c->bufs[evs[i].data.u32]);

		if (got < 0)
			return got;
		handled += got;
	}
	return handled;
}

static int rt_event_loop(void *ctx, int id, int timeout)
{
	struct clcc_impl *c = ctx;
	long long deadline = timeout > 0 ? now_ms() + (long long)timeout * 1000 : 0;

	if (id != -1) {
		int fd = clcc__map_fd(c, id, "event_loop");

		if (fd < 0)
			return fd;
		if (!c->bufs[id].pb && !c->bufs[id].rb)
			return clcc__err(c, -EINVAL, "event_loop: no callback for map '%s': call "
					 "set_event_cb() first", bpf_map__name(c->maps[id]));
	}
	for (;;) {
		long long left = timeout < 0 ? -1 : timeout == 0 ? 0 : deadline - now_ms();
		int ms = left < 0 ? -1 : left > INT_MAX ? INT_MAX : (int)left, err;

		if (timeout > 0 && left <= 0)
			return 0;
		err = id == -1 ? clcc_poll(&c->pub, ms) : poll_one(&c->bufs[id], ms);
		if (err < 0)
			return err;	/* -EINTR: a signal */
		if (timeout == 0)
			return 0;
	}
}

/* ---- attach ----------------------------------------------------------- */

/* The loaded program named func, or NULL (with a message). */
struct bpf_program *clcc__prog(struct clcc_impl *c, const char *func, const char *op, int *err)
{
	struct bpf_program *prog;
	char list[1024];
	size_t n = 0;

	if (!c->obj || !c->loaded) {
		*err = clcc__err(c, -EBADF, "%s: %s is not loaded: call init() first", op,
				 c->so_path);
		return NULL;
	}
	prog = func ? bpf_object__find_program_by_name(c->obj, func) : NULL;
	if (prog)
		return prog;
	*err = -ENOENT;
	list[0] = 0;
	bpf_object__for_each_program(prog, c->obj)
		if (n < sizeof(list) - 64)
			n += snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
				      bpf_program__name(prog));
	clcc__err(c, -ENOENT, "%s: no BPF program '%s' in %s (programs: %s)", op,
		  func ? func : "(null)", c->so_path, n ? list : "none");
	return NULL;
}

/* Record link, or explain why it is NULL. */
int clcc__attached(struct clcc_impl *c, struct bpf_link *link, int err, const char *func,
		   const char *kind, const char *target)
{
	if (!link)
		return attach_failed(c, func, kind, target, err ? err : -EINVAL);
	err = clcc__add_link(c, link);
	return err ? clcc__err(c, err, "out of memory") : 0;
}

static int attach_kprobe(struct clcc_impl *c, const char *func, const char *sym, bool ret)
{
	int perr = 0;
	const char *op = ret ? "attach_kretprobe" : "attach_kprobe";
	struct bpf_program *prog = clcc__prog(c, func, op, &perr);
	struct bpf_link *link;
	int err;

	if (!prog)
		return perr;
	if (!sym || !*sym)
		return clcc__err(c, -EINVAL, "%s: no kernel function named", op);
	clcc__need_tracefs(c);
	if (!surf_tracefs__has_kprobes(NULL))
		return kprobe_unavailable(c, func, ret, sym);
	clcc__libbpf_begin(c);
	link = bpf_program__attach_kprobe(prog, ret, sym);
	err = link ? 0 : -errno;
	clcc__libbpf_end(c);
	return clcc__attached(c, link, err, func, ret ? "kretprobe" : "kprobe", sym);
}

static int rt_attach_kprobe(void *ctx, const char *func, const char *sym)
{
	return attach_kprobe(ctx, func, sym, false);
}

static int rt_attach_kretprobe(void *ctx, const char *func, const char *sym)
{
	return attach_kprobe(ctx, func, sym, true);
}

int clcc__attach_uprobe(struct clcc_impl *c, const char *func, int pid, const char *path,
			unsigned long off, bool ret)
{
	int perr = 0;
	const char *op = ret ? "attach_uretprobe" : "attach_uprobe";
	struct bpf_program *prog = clcc__prog(c, func, op, &perr);
	struct bpf_link *link;
	char target[PATH_MAX + 32];
	int err;

	if (!prog)
		return perr;
	if (!path || access(path, R_OK))
		return clcc__err(c, path ? -errno : -EINVAL, "%s: cannot attach '%s': no file '%s'",
				 op, func, path ? path : "(null)");
	snprintf(target, sizeof(target), "%s:0x%lx", path, off);
	clcc__need_tracefs(c);
	clcc__libbpf_begin(c);
	link = bpf_program__attach_uprobe(prog, ret, pid, path, off);
	err = link ? 0 : -errno;
	clcc__libbpf_end(c);
	return clcc__attached(c, link, err, func, ret ? "uretprobe" : "uprobe", target);
}

static int rt_attach_uprobe(void *ctx, const char *func, int pid, const char *path,
			    unsigned long off)
{
	return clcc__attach_uprobe(ctx, func, pid, path, off, false);
}

static int rt_attach_uretprobe(void *ctx, const char *func, int pid, const char *path,
			       unsigned long off)
{
	return clcc__attach_uprobe(ctx, func, pid, path, off, true);
}

static int rt_attach_tracepoint(void *ctx, const char *func, const char *cat, const char *name)
{
	struct clcc_impl *c = ctx;
	int perr = 0;
	struct bpf_program *prog = clcc__prog(c, func, "attach_tracepoint", &perr);
	struct bpf_link *link;
	char target[512];
	int err;

	if (!prog)
		return perr;
	if (!cat || !name)
		return clcc__err(c, -EINVAL, "attach_tracepoint: no category or name");
	snprintf(target, sizeof(target), "%s/%s", cat, name);
	clcc__need_tracefs(c);
	if (!tracepoint_exists(cat, name))
		return clcc__err(c, -ENOENT, "cannot attach '%s': no tracepoint '%s:%s'", func, cat,
				 name);
	clcc__libbpf_begin(c);
	link = bpf_program__attach_tracepoint(prog, cat, name);
	err = link ? 0 : -errno;
	clcc__libbpf_end(c);
	return clcc__attached(c, link, err, func, "tracepoint", target);
}

static int rt_attach_raw_tracepoint(void *ctx, const char *func, const char *name)
{
	struct clcc_impl *c = ctx;
	int perr = 0;
	struct bpf_program *prog = clcc__prog(c, func, "attach_raw_tracepoint", &perr);
	struct bpf_link *link;
	int err;

	if (!prog)
		return perr;
	if (!name)
		return clcc__err(c, -EINVAL, "attach_raw_tracepoint: no name");
	clcc__libbpf_begin(c);
	link = bpf_program__attach_raw_tracepoint(prog, name);
	err = link ? 0 : -errno;
	clcc__libbpf_end(c);
	return clcc__attached(c, link, err, func, "raw_tracepoint", name);
}

/* Attachments to a file descriptor or index: perf event, cgroup, netns, xdp. */
enum fd_attach { ATTACH_PERF_EVENT, ATTACH_CGROUP, ATTACH_NETNS, ATTACH_XDP };

static int attach_fd(struct clcc_impl *c, const char *func, enum fd_attach how, int fd)
{
	static const char *const ops[] = { "attach_perf_event", "attach_cgroup", "attach_netns",
					   "attach_xdp" };
	static const char *const kinds[] = { "perf event", "cgroup", "netns", "xdp" };
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	char target[32];
	int err = 0;

	prog = clcc__prog(c, func, ops[how], &err);
	if (!prog)
		return err;
	snprintf(target, sizeof(target), "%s %d", how == ATTACH_XDP ? "ifindex" : "fd", fd);
	clcc__libbpf_begin(c);
	switch (how) {
	case ATTACH_PERF_EVENT:
		link = bpf_program__attach_perf_event(prog, fd);
		break;
	case ATTACH_CGROUP:
		link = bpf_program__attach_cgroup(prog, fd);
		break;
	case ATTACH_NETNS:
		link = bpf_program__attach_netns(prog, fd);
		break;
	case ATTACH_XDP:
		link = bpf_program__attach_xdp(prog, fd);
		break;
	}
	err = link ? 0 : -errno;
	clcc__libbpf_end(c);
	return clcc__attached(c, link, err, func, kinds[how], target);
}

static int rt_attach_perf_event(void *ctx, const char *func, int pfd)
{
	return attach_fd(ctx, func, ATTACH_PERF_EVENT, pfd);
}

static int rt_attach_cgroup(void *ctx, const char *func, int fd)
{
	return attach_fd(ctx, func, ATTACH_CGROUP, fd);
}

static int rt_attach_netns(void *ctx, const char *func, int fd)
{
	return attach_fd(ctx, func, ATTACH_NETNS, fd);
}

static int rt_attach_xdp(void *ctx, const char *func, int ifindex)
{
	return attach_fd(ctx, func, ATTACH_XDP, ifindex);
}

/* ---- kernel symbols --------------------------------------------------- */

int clcc__ksyms(struct clcc_impl *c)
{
	int err;

	if (c->ksyms)
		return 0;
	err = surf_ksyms__load(&c->ksyms, NULL);
	if (err)
		return clcc__err(c, err, "cannot read /proc/kallsyms: %s", strerror(-err));
	return 0;
}

static struct clcc_ksym *rt_ksym_search(void *ctx, unsigned long addr)
{
	struct clcc_impl *c = ctx;
	struct surf_sym s;

	if (clcc__ksyms(c) || surf_ksyms__find(c->ksyms, addr, &s))
		return NULL;
	c->ksym.addr = (long)s.addr;
	c->ksym.name = (char *)s.name;
	return &c->ksym;
}

/* ---- binding a .so ---------------------------------------------------- */

typedef void (*lbc_fn_t)(void);

static const lbc_fn_t rt_fns[LBC_RT_NR] = {
	[LBC_RT_INIT] = (lbc_fn_t)rt_init,
	[LBC_RT_EXIT] = (lbc_fn_t)rt_exit,
	[LBC_RT_GET_MAPS_ID] = (lbc_fn_t)rt_get_maps_id,
	[LBC_RT_SET_EVENT_CB] = (lbc_fn_t)rt_set_event_cb,
	[LBC_RT_EVENT_LOOP] = (lbc_fn_t)rt_event_loop,
	[LBC_RT_MAP_LOOKUP_ELEM] = (lbc_fn_t)rt_map_lookup_elem,
	[LBC_RT_MAP_LOOKUP_ELEM_FLAGS] = (lbc_fn_t)rt_map_lookup_elem_flags,
	[LBC_RT_MAP_LOOKUP_AND_DELETE_ELEM] = (lbc_fn_t)rt_map_lookup_and_delete_elem,
	[LBC_RT_MAP_DELETE_ELEM] = (lbc_fn_t)rt_map_delete_elem,
	[LBC_RT_MAP_UPDATE_ELEM] = (lbc_fn_t)rt_map_update_elem,
	[LBC_RT_MAP_GET_NEXT_KEY] = (lbc_fn_t)rt_map_get_next_key,
	[LBC_RT_ATTACH_PERF_EVENT] = (lbc_fn_t)rt_attach_perf_event,
	[LBC_RT_ATTACH_KPROBE] = (lbc_fn_t)rt_attach_kprobe,
	[LBC_RT_ATTACH_KRETPROBE] = (lbc_fn_t)rt_attach_kretprobe,
	[LBC_RT_ATTACH_UPROBE] = (lbc_fn_t)rt_attach_uprobe,
	[LBC_RT_ATTACH_URETPROBE] = (lbc_fn_t)rt_attach_uretprobe,
	[LBC_RT_ATTACH_TRACEPOINT] = (lbc_fn_t)rt_attach_tracepoint,
	[LBC_RT_ATTACH_RAW_TRACEPOINT] = (lbc_fn_t)rt_attach_raw_tracepoint,
	[LBC_RT_ATTACH_CGROUP] = (lbc_fn_t)rt_attach_cgroup,
	[LBC_RT_ATTACH_NETNS] = (lbc_fn_t)rt_attach_netns,
	[LBC_RT_ATTACH_XDP] = (lbc_fn_t)rt_attach_xdp,
	[LBC_RT_KSYM_SEARCH] = (lbc_fn_t)rt_ksym_search,
};

/* The .so's entry points, in struct clcc_struct's order. */
static const struct {
	const char *sym;
	size_t off;
} entry_points[] = {
#define EP(sym, member) { sym, offsetof(struct clcc_struct, member) }
	EP("lbc_bpf_init", init),
	EP("lbc_bpf_exit", exit),
	EP("lbc_bpf_get_maps_id", get_maps_id),
	EP("lbc_set_event_cb", set_event_cb),
	EP("lbc_event_loop", event_loop),
	EP("lbc_map_lookup_elem", map_lookup_elem),
	EP("lbc_map_lookup_elem_flags", map_lookup_elem_flags),
	EP("lbc_map_lookup_and_delete_elem", map_lookup_and_delete_elem),
	EP("lbc_map_delete_elem", map_delete_elem),
	EP("lbc_map_update_elem", map_update_elem),
	EP("lbc_map_get_next_key", map_get_next_key),
	EP("lbc_attach_perf_event", attach_perf_event),
	EP("lbc_attach_kprobe", attach_kprobe),
	EP("lbc_attach_kretprobe", attach_kretprobe),
	EP("lbc_attach_uprobe", attach_uprobe),
	EP("lbc_attach_uretprobe", attach_uretprobe),
	EP("lbc_attach_tracepoint", attach_tracepoint),
	EP("lbc_attach_raw_tracepoint", attach_raw_tracepoint),
	EP("lbc_attach_cgroup", attach_cgroup),
	EP("lbc_attach_netns", attach_netns),
	EP("lbc_attach_xdp", attach_xdp),
	EP("lbc_get_map_types", get_map_types),
	EP("lbc_ksym_search", ksym_search),
#undef EP
};

struct clcc_impl *clcc__impl(struct clcc_struct *p)
{
	return p ? (struct clcc_impl *)p : NULL;
}

/* so_path without '/': next to the program, else in the current directory. */
static void resolve_so(const char *so_path, char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (strchr(so_path, '/')) {
		snprintf(out, len, "%s", so_path);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash) {
			snprintf(out, len, "%.*s/%s", (int)(slash - exe), exe, so_path);
			if (access(out, R_OK) == 0)
				return;
		}
	}
	snprintf(out, len, "./%s", so_path);
}

static void *need_sym(struct clcc_impl *c, const char *sym)
{
	void *p = dlsym(c->dl, sym);

	if (!p)
		clcc__err(c, -ENOEXEC, "%s was not built by surfcc: it has no %s", c->so_path, sym);
	return p;
}

struct clcc_struct *clcc_init(const char *so_path)
{
	struct clcc_impl *c;
	const unsigned char *start, *end;
	const int *abi;
	void **rt_ctx;
	const lbc_fn_t **rt_tab;
	const char *base;
	size_t n;
	int err = -ENOEXEC;

	if (!so_path || !*so_path) {
		surf_pr_warn("clcc: clcc_init: no .so named\n");
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		surf_pr_warn("clcc: out of memory\n");
		errno = ENOMEM;
		return NULL;
	}
	c->epfd = -1;
	c->btf_fd = -1;
	c->perf_pages = DEFAULT_PERF_PAGES;
	c->log_level = -1;
	resolve_so(so_path, c->so_path, sizeof(c->so_path));
	base = strrchr(c->so_path, '/');
	base = base ? base + 1 : c->so_path;
	n = strcspn(base, ".");
	snprintf(c->name, sizeof(c->name), "%.*s", (int)(n ? n : strlen(base)), base);

	c->dl = dlopen(c->so_path, RTLD_NOW | RTLD_LOCAL);
	if (!c->dl) {
		const char *why = dlerror();

		err = access(c->so_path, R_OK) ? -errno : -ENOEXEC;
		if (err == -ENOENT)
			clcc__err(c, err, "cannot load %s: no such file (build it with surfcc)",
				  c->so_path);
		else
			clcc__err(c, err, "cannot load %s: %s", c->so_path, why ? why : "dlopen failed");
		goto fail;
	}
	abi = need_sym(c, "lbc_abi_version");
	start = need_sym(c, "lbc_bpf_obj");
	end = need_sym(c, "lbc_bpf_obj_end");
	rt_ctx = need_sym(c, "lbc_rt_ctx");
	rt_tab = need_sym(c, "lbc_rt_fns");
	if (!abi || !start || !end || !rt_ctx || !rt_tab)
		goto fail;
	if (*abi != LBC_ABI_VERSION) {
		clcc__err(c, err, "%s was built by another surfcc (ABI %d, this is %d): rebuild it",
			  c->so_path, *abi, LBC_ABI_VERSION);
		goto fail;
	}
	if (*rt_tab) {
		err = -EBUSY;
		clcc__err(c, err, "%s is already loaded by this process", c->so_path);
		goto fail;
	}
	for (size_t i = 0; i < sizeof(entry_points) / sizeof(entry_points[0]); i++) {
		void *fn = need_sym(c, entry_points[i].sym);

		if (!fn)
			goto fail;
		memcpy((char *)&c->pub + entry_points[i].off, &fn, sizeof(fn));
	}
	c->obj_buf = start;
	c->obj_size = (size_t)(end - start);
	c->rt_ctx = rt_ctx;
	c->rt_tab = (const void **)rt_tab;
	*rt_ctx = c;
	*rt_tab = rt_fns;
	c->pub.handle = c->dl;
	err = clcc__open(c);
	if (err) {
		*rt_tab = NULL;
		*rt_ctx = NULL;
		goto fail;
	}
	return &c->pub;
fail:
	if (c->dl)
		dlclose(c->dl);
	free(c->log);
	free(c);
	errno = -err;
	return NULL;
}

void clcc_deinit(struct clcc_struct *p)
{
	struct clcc_impl *c = clcc__impl(p);

	if (!c)
		return;
	rt_exit(c);
	*c->rt_tab = NULL;
	*c->rt_ctx = NULL;
	dlclose(c->dl);
	free(c->log);
	free(c);
}

const char *clcc_last_error(struct clcc_struct *p)
{
	struct clcc_impl *c = clcc__impl(p);

	return c ? c->err : "";
}

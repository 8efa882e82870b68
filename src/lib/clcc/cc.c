// SPDX-License-Identifier: MIT
/*
 * surfcc's build: FILE.bpf.c -> (clang -target bpf) FILE.bpf.o -> FILE.so.
 *
 *  1. vmlinux.h: given, or generated from the kernel's BTF into the cache;
 *  2. clang -g -O2 -target bpf -D__TARGET_ARCH_<arch> with the include path
 *     [user dirs] [vmlinux.h's dir] [lbc.h's dir], its diagnostics passed on
 *     line by line;
 *  3. libbpf opens the object (not loading it): an object libbpf would not
 *     load (legacy "maps" section...) fails here, with libbpf's reason, and
 *     the maps are described in JSON for lbc_get_map_types();
 *  4. a small C file (sogen.c) .incbin's the object, compiled by cc into
 *     a .so that needs no library, written next to the output and renamed
 *     into place (a running tool keeps its old mapping).
 */
#include <errno.h>
#include <spawn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <surf/bpf.h>

#include "sys/opts.h"
#include "clcc/internal.h"
#include "sys/log.h"

#define MAX_ARGS 256

/* snprintf where truncation is acceptable (or impossible) */
static void fmt(char *buf, size_t len, const char *f, ...) __attribute__((format(printf, 3, 4)));

static void fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, len, f, ap);
	va_end(ap);
}

struct build {
	const struct surf_bpfcc_opts *o;
	char *err;
	size_t errlen;
	char tmpdir[PATH_MAX];
};

static void msg(struct build *b, enum surf_bpfcc_msg kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void msg(struct build *b, enum surf_bpfcc_msg kind, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	if (!b->o->msg)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	b->o->msg(b->o->msg_ctx, kind, buf);
}

static int fail(struct build *b, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct build *b, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
	return err;
}

/* An executable named name on PATH (or name itself when it has a '/'). */
static bool find_exe(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (!name || !*name)
		return false;
	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return access(out, X_OK) == 0;
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (end == p)
			continue;
		if (snprintf(out, len, "%.*s/%s", (int)(end - p), p, name) >= (int)len)
			continue;
		if (access(out, X_OK) == 0)
			return true;
	}
	return false;
}

/* The first of env, then names, that is found. */
static bool find_tool(const char *env, const char *const *names, char *out, size_t len)
{
	const char *e = env ? getenv(env) : NULL;

	if (e && *e)
		return find_exe(e, out, len);
	for (; *names; names++)
		if (find_exe(*names, out, len))
			return true;
	return false;
}

static void show_cmd(struct build *b, char *const argv[])
{
	char line[8192];
	size_t n = 0;

	if (!b->o->verbose)
		return;
	for (int i = 0; argv[i] && n < sizeof(line) - 1; i++) {
		bool quote = strpbrk(argv[i], " \t\"'$\\") != NULL || !*argv[i];

		n += snprintf(line + n, sizeof(line) - n, "%s%s%s%s", i ? " " : "",
			      quote ? "'" : "", argv[i], quote ? "'" : "");
	}
	msg(b, SURF_BPFCC_CMD, "%s", line);
}

/*
 * Run argv (argv[0] a path), its stdout and stderr passed on as DIAG lines.
 * Returns its exit status (>= 0), or -errno when it could not run.
 */
static int run(struct build *b, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	int pfd[2], status, err;
	pid_t pid;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	show_cmd(b, argv);
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	/*
	 * posix_spawn, not fork: a library must not fork its caller (a large or
	 * threaded process), and spawn reports an exec failure as its result.
	 */
	err = posix_spawn_file_actions_init(&fa);
	if (!err)
		err = posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	if (!err)
		err = posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	if (!err)
		err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		close(pfd[0]);
		close(pfd[1]);
		return -err;
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	if (!f) {
		close(pfd[0]);
	} else {
		while ((n = getline(&line, &cap, f)) > 0) {
			if (line[n - 1] == '\n')
				line[n - 1] = 0;
			msg(b, SURF_BPFCC_DIAG, "%s", line);
		}
		free(line);
		fclose(f);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static const char *host_arch(void)
{
	static struct utsname u;

	if (uname(&u))
		return "x86";
	if (!strcmp(u.machine, "x86_64") || !strncmp(u.machine, "i", 1))
		return "x86";
	if (!strcmp(u.machine, "aarch64") || !strncmp(u.machine, "arm64", 5))
		return "arm64";
	if (!strncmp(u.machine, "arm", 3))
		return "arm";
	if (!strncmp(u.machine, "riscv", 5))
		return "riscv";
	if (!strncmp(u.machine, "s390", 4))
		return "s390";
	if (!strncmp(u.machine, "ppc", 3))
		return "powerpc";
	if (!strncmp(u.machine, "loongarch", 9))
		return "loongarch";
	if (!strncmp(u.machine, "mips", 4))
		return "mips";
	return u.machine;
}

/* /usr/include/<multiarch> (asm/types.h for <linux/types.h>), or "". */
static void multiarch_dir(char *buf, size_t len)
{
	struct utsname u;

	buf[0] = 0;
	if (uname(&u))
		return;
	snprintf(buf, len, "/usr/include/%s-linux-gnu", u.machine);
	if (access(buf, R_OK) == 0)
		return;
	if (!strncmp(u.machine, "arm", 3))
		snprintf(buf, len, "/usr/include/arm-linux-gnueabihf");
	if (access(buf, R_OK))
		buf[0] = 0;
}

static bool dir_has_lbc(const char *dir)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s/lbc.h", dir) >= (int)sizeof(p))
		return false;
	return access(p, R_OK) == 0;
}

int surf_bpfcc__lbc_dir(char *path, size_t len)
{
	static const char *const rel[] = {
		"../bpf", "../share/surftrace/bpf", "../../bpf", NULL,
	};
	/* Where `make install` put lbc.h (the build's DATADIR), then the usual prefixes. */
	static const char *const abs[] = {
#ifdef SURF_DATADIR
		SURF_DATADIR "/bpf",
#endif
		"/usr/local/share/surftrace/bpf", "/usr/share/surftrace/bpf", NULL,
	};
	const char *env = getenv("SURFCC_LBC_DIR");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		snprintf(path, len, "%s", env);
		return dir_has_lbc(path) ? 0 : -ENOENT;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		for (int i = 0; rel[i]; i++) {
			snprintf(path, len, "%s/%s", exe, rel[i]);
			if (dir_has_lbc(path))
				return 0;
		}
	}
	env = getenv("SURF_ROOT");
	if (env && *env) {
		snprintf(path, len, "%s/bpf", env);
		if (dir_has_lbc(path))
			return 0;
	}
	for (int i = 0; abs[i]; i++) {
		snprintf(path, len, "%s", abs[i]);
		if (dir_has_lbc(path))
			return 0;
	}
	return -ENOENT;
}

/* "dir/hello.bpf.c" -> "hello" */
static void stem(const char *src, char *out, size_t len)
{
	const char *base = strrchr(src, '/');
	size_t n;

	base = base ? base + 1 : src;
	n = strlen(base);
	if (n > 6 && !strcmp(base + n - 6, ".bpf.c"))
		n -= 6;
	else if (n > 2 && !strcmp(base + n - 2, ".c"))
		n -= 2;
	snprintf(out, len, "%.*s", (int)n, base);
}

/* ---- the map description -------------------------------------------- */

struct strbuf {
	char *s;
	size_t len, cap;
};

static void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(sb->s ? sb->s + sb->len : NULL, sb->s ? sb->cap - sb->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (sb->s && sb->len + n < sb->cap) {
			sb->len += n;
			return;
		}
		size_t cap = (sb->cap + n + 1) * 2;
		char *p = realloc(sb->s, cap);

		if (!p)
			return;
		sb->s = p;
		sb->cap = cap;
	}
}

/* A C name for BTF type id: "u32", "struct data_t", "char[16]", "void *". */
static void type_name(const struct btf *btf, __u32 id, char *buf, size_t len, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name;
	char inner[256];

	if (!id || !t) {
		snprintf(buf, len, "void");
		return;
	}
	name = btf__name_by_offset(btf, t->name_off);
	if (depth > 8) {
		snprintf(buf, len, "?");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPEDEF:
		snprintf(buf, len, "%s", name && *name ? name : "?");
		return;
	case BTF_KIND_STRUCT:
		snprintf(buf, len, "struct %s", name && *name ? name : "(anon)");
		return;
	case BTF_KIND_UNION:
		snprintf(buf, len, "union %s", name && *name ? name : "(anon)");
		return;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		snprintf(buf, len, "enum %s", name && *name ? name : "(anon)");
		return;
	case BTF_KIND_PTR:
		type_name(btf, t->type, inner, sizeof(inner), depth + 1);
		fmt(buf, len, "%s *", inner);
		return;
	case BTF_KIND_ARRAY:
		type_name(btf, btf_array(t)->type, inner, sizeof(inner), depth + 1);
		fmt(buf, len, "%s[%u]", inner, btf_array(t)->nelems);
		return;
	case BTF_KIND_DATASEC:
		snprintf(buf, len, "%s", name && *name ? name : "?");
		return;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		type_name(btf, t->type, buf, len, depth + 1);
		return;
	default:
		snprintf(buf, len, "?");
	}
}

static void json_str(struct strbuf *sb, const char *s)
{
	sb_printf(sb, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_printf(sb, "\\%c", c);
		else if (c < 0x20)
			sb_printf(sb, "\\u%04x", c);
		else
			sb_printf(sb, "%c", c);
	}
	sb_printf(sb, "\"");
}

/*
 * A type's layout as JSON, for front ends that decode records and map
 * values themselves (pylcc): {"kind": "int", "size": 4, "signed": true},
 * "char" for plain char (a char array is text; u8, unsigned char are ints),
 * "bool", {"kind": "array", "size", "len", "elem"},
 * {"kind": "struct"|"union", "name", "size", "members": [{"name", "offset"
 * (bytes), "bit_offset" and "bits" for bitfields, "type"}]}, "ptr", "enum"
 * (an int), "float"; typedefs and qualifiers are looked through.
 */
static void layout_json(struct strbuf *sb, const struct btf *btf, __u32 id, int depth)
{
	const struct btf_type *t;
	__s64 size;

	id = btf__resolve_type(btf, id) < 0 ? id : (__u32)btf__resolve_type(btf, id);
	t = btf__type_by_id(btf, id);
	size = t ? btf__resolve_size(btf, id) : 0;
	if (!t || depth > 16 || size < 0) {
		sb_printf(sb, "{\"kind\": \"void\", \"size\": 0}");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		__u32 enc = btf_int_encoding(t);
		const char *name = btf__name_by_offset(btf, t->name_off);

		sb_printf(sb, "{\"kind\": \"%s\", \"size\": %lld, \"signed\": %s}",
			  (enc & BTF_INT_CHAR) || (name && !strcmp(name, "char")) ? "char" :
			  (enc & BTF_INT_BOOL) ? "bool" : "int", (long long)size,
			  enc & BTF_INT_SIGNED ? "true" : "false");
		return;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		sb_printf(sb, "{\"kind\": \"int\", \"size\": %lld, \"signed\": %s}",
			  (long long)size, btf_kflag(t) ? "true" : "false");
		return;
	case BTF_KIND_FLOAT:
		sb_printf(sb, "{\"kind\": \"float\", \"size\": %lld}", (long long)size);
		return;
	case BTF_KIND_PTR:
		sb_printf(sb, "{\"kind\": \"ptr\", \"size\": %lld}", (long long)size);
		return;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);

		sb_printf(sb, "{\"kind\": \"array\", \"size\": %lld, \"len\": %u, \"elem\": ",
			  (long long)size, a->nelems);
		layout_json(sb, btf, a->type, depth + 1);
		sb_printf(sb, "}");
		return;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);
		const char *name = btf__name_by_offset(btf, t->name_off);

		sb_printf(sb, "{\"kind\": \"%s\", \"name\": ",
			  btf_kind(t) == BTF_KIND_STRUCT ? "struct" : "union");
		json_str(sb, name ? name : "");
		sb_printf(sb, ", \"size\": %lld, \"members\": [", (long long)size);
		for (int i = 0; i < btf_vlen(t); i++, m++) {
			const char *mname = btf__name_by_offset(btf, m->name_off);
			__u32 bits = btf_member_bitfield_size(t, i), off = btf_member_bit_offset(t, i);

			sb_printf(sb, "%s{\"name\": ", i ? ", " : "");
			json_str(sb, mname ? mname : "");
			sb_printf(sb, ", \"offset\": %u", off / 8);
			if (bits)
				sb_printf(sb, ", \"bit_offset\": %u, \"bits\": %u", off, bits);
			sb_printf(sb, ", \"type\": ");
			layout_json(sb, btf, m->type, depth + 1);
			sb_printf(sb, "}");
		}
		sb_printf(sb, "]}");
		return;
	}
	default:
		sb_printf(sb, "{\"kind\": \"void\", \"size\": %lld}", (long long)size);
	}
}

/*
 * The record type LBC_PERF_OUTPUT(NAME, CELL, ...) or LBC_RINGBUF_OUTPUT
 * declared: lbc.h leaves a CELL * variable lbc__cell_NAME in section
 * .lbc.cells for its BTF.
 */
static __u32 cell_type(const struct btf *btf, const char *map)
{
	char var[256];
	__s32 id;
	const struct btf_type *t;

	snprintf(var, sizeof(var), "lbc__cell_%s", map);
	id = btf__find_by_name_kind(btf, var, BTF_KIND_VAR);
	t = id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;
	if (!t)
		return 0;
	t = btf__type_by_id(btf, t->type);
	return t && btf_is_ptr(t) ? t->type : 0;
}

static const char *map_type_name(enum bpf_map_type t)
{
	switch (t) {
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY: return "event";
	case BPF_MAP_TYPE_HASH: return "hash";
	case BPF_MAP_TYPE_ARRAY: return "array";
	case BPF_MAP_TYPE_LRU_HASH: return "lruHash";
	case BPF_MAP_TYPE_PERCPU_HASH: return "perHash";
	case BPF_MAP_TYPE_PERCPU_ARRAY: return "perArray";
	case BPF_MAP_TYPE_LRU_PERCPU_HASH: return "lruPerHash";
	case BPF_MAP_TYPE_STACK_TRACE: return "stack";
	case BPF_MAP_TYPE_RINGBUF: return "ringbuf";
	default: {
		const char *s = libbpf_bpf_map_type_str(t);

		return s ? s : "unknown";
	}
	}
}

static uint64_t fnv_file(const char *path, uint64_t h)
{
	FILE *f = fopen(path, "r");
	int c;

	if (!f)
		return h;
	while ((c = getc(f)) != EOF)
		h = (h ^ (unsigned char)c) * 0x100000001b3ull;
	fclose(f);
	return h;
}

/* libbpf's messages while the object is opened, kept for the error. */
static void capture_open_log(void *ctx, enum surf_print_level level, const char *text, size_t len)
{
	if (level != SURF_DEBUG)
		sb_printf(ctx, "%s", strncmp(text, "libbpf: ", 8) ? text : text + 8);
}

static int describe(struct build *b, const char *obj_path, const char *name, char **json)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = name);
	struct strbuf sb = { 0 }, log = { 0 };
	struct bpf_object *obj;
	struct bpf_map *map;
	const struct btf *btf;
	struct utsname u;
	uint64_t h = 0xcbf29ce484222325ull;
	bool first = true;
	int err;

	surf_libbpf_capture_begin(capture_open_log, &log);
	obj = bpf_object__open_file(obj_path, &oo);
	surf_libbpf_capture_end();
	if (!obj) {
		err = -errno;
		/* the last line libbpf said is the most specific */
		char *last = log.s, *p;

		while (last && *last && last[strlen(last) - 1] == '\n')
			last[strlen(last) - 1] = 0;
		if (last && (p = strrchr(last, '\n')))
			last = p + 1;
		fail(b, err, "libbpf cannot open the object built from %s: %s%s%s", b->o->src,
		     strerror(-err), last && *last ? "\n  libbpf: " : "", last ? last : "");
		free(log.s);
		return err;
	}
	free(log.s);
	if (!bpf_object__next_program(obj, NULL)) {
		bpf_object__close(obj);
		return fail(b, -EINVAL, "no BPF program in %s: a program is a function in a "
			    "SEC(\"...\") section, e.g. SEC(\"tp/sched/sched_switch\")", b->o->src);
	}

	h = fnv_file(b->o->src, h);
	for (size_t i = 0; i < b->o->n_cflags; i++)
		for (const char *s = b->o->cflags[i]; *s; s++)
			h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	btf = bpf_object__btf(obj);
	sb_printf(&sb, "{\"hash\": \"%016llx\", \"arch\": ", (unsigned long long)h);
	json_str(&sb, u.machine);
	sb_printf(&sb, ", \"kern_version\": ");
	json_str(&sb, u.release);
	sb_printf(&sb, ", \"maps\": {");
	bpf_object__for_each_map(map, obj) {
		char kt[256] = "", vt[256] = "";

		if (btf && bpf_map__btf_key_type_id(map))
			type_name(btf, bpf_map__btf_key_type_id(map), kt, sizeof(kt), 0);
		if (btf && bpf_map__btf_value_type_id(map))
			type_name(btf, bpf_map__btf_value_type_id(map), vt, sizeof(vt), 0);
		sb_printf(&sb, "%s", first ? "" : ", ");
		first = false;
		json_str(&sb, bpf_map__name(map));
		sb_printf(&sb, ": {\"type\": \"%s\", ", map_type_name(bpf_map__type(map)));
		if (*kt) {
			sb_printf(&sb, "\"fktype\": ");
			json_str(&sb, kt);
			sb_printf(&sb, ", ");
		}
		if (*vt) {
			sb_printf(&sb, "\"fvtype\": ");
			json_str(&sb, vt);
			sb_printf(&sb, ", ");
		}
		sb_printf(&sb, "\"key_size\": %u, \"value_size\": %u, \"max_entries\": %u",
			  bpf_map__key_size(map), bpf_map__value_size(map),
			  bpf_map__max_entries(map));
		if (btf && bpf_map__btf_key_type_id(map)) {
			sb_printf(&sb, ", \"key\": ");
			layout_json(&sb, btf, bpf_map__btf_key_type_id(map), 0);
		}
		if (btf && bpf_map__btf_value_type_id(map)) {
			sb_printf(&sb, ", \"value\": ");
			layout_json(&sb, btf, bpf_map__btf_value_type_id(map), 0);
		}
		if (btf && cell_type(btf, bpf_map__name(map))) {
			char ct[256];

			type_name(btf, cell_type(btf, bpf_map__name(map)), ct, sizeof(ct), 0);
			sb_printf(&sb, ", \"fvtype\": ");
			json_str(&sb, ct);
			sb_printf(&sb, ", \"cell\": ");
			layout_json(&sb, btf, cell_type(btf, bpf_map__name(map)), 0);
		}
		sb_printf(&sb, "}");
	}
	sb_printf(&sb, "}}");
	bpf_object__close(obj);
	if (!sb.s)
		return fail(b, -ENOMEM, "out of memory");
	*json = sb.s;
	return 0;
}

/* ---- the steps -------------------------------------------------------- */

static int compile_bpf(struct build *b, const char *obj_out)
{
	static const char *const clangs[] = {
		"clang", "clang-19", "clang-18", "clang-17", "clang-16", "clang-15", "clang-14",
		"clang-13", NULL,
	};
	const struct surf_bpfcc_opts *o = b->o;
	char clang[PATH_MAX], lbc[PATH_MAX], vmh[PATH_MAX], vmdir[PATH_MAX], march[PATH_MAX];
	char archdef[64];
	char *argv[MAX_ARGS];
	char *incs[MAX_ARGS];
	int argc = 0, ninc = 0, st, err;

	if (access(o->src, R_OK))
		return fail(b, -errno, "%s: %s", o->src, strerror(errno));
	if (!find_tool("SURFCC_CLANG", clangs, clang, sizeof(clang)))
		return fail(b, -ENOENT, "clang not found: install clang (apt-get install clang) "
			    "or name it with SURFCC_CLANG");
	if (o->lbc_dir) {
		snprintf(lbc, sizeof(lbc), "%s", o->lbc_dir);
		if (!dir_has_lbc(lbc))
			return fail(b, -ENOENT, "no lbc.h in %s", lbc);
	} else if (surf_bpfcc__lbc_dir(lbc, sizeof(lbc))) {
		return fail(b, -ENOENT, "lbc.h not found: set SURFCC_LBC_DIR to the directory "
			    "that has it (surftrace's bpf/)");
	}
	if (o->vmlinux_h) {
		if (access(o->vmlinux_h, R_OK))
			return fail(b, -errno, "%s: %s", o->vmlinux_h, strerror(errno));
		snprintf(vmh, sizeof(vmh), "%s", o->vmlinux_h);
	} else {
		err = surf_bpfcc__vmlinux_h(o->btf, o->cache_dir, vmh, sizeof(vmh), b->err, b->errlen);
		if (err)
			return err;
	}
	/* -I takes a directory: vmlinux.h under another name goes in a symlink. */
	{
		const char *base = strrchr(vmh, '/');

		if (strcmp(base ? base + 1 : vmh, "vmlinux.h")) {
			char link[PATH_MAX + 16];

			snprintf(link, sizeof(link), "%s/vmlinux.h", b->tmpdir);
			if (vmh[0] != '/') {
				char cwd[PATH_MAX], abs[PATH_MAX * 2];

				if (!getcwd(cwd, sizeof(cwd)))
					return fail(b, -errno, "getcwd: %s", strerror(errno));
				snprintf(abs, sizeof(abs), "%s/%s", cwd, vmh);
				err = symlink(abs, link);
			} else {
				err = symlink(vmh, link);
			}
			if (err)
				return fail(b, -errno, "symlink: %s", strerror(errno));
			snprintf(vmdir, sizeof(vmdir), "%s", b->tmpdir);
		} else if (base) {
			snprintf(vmdir, sizeof(vmdir), "%.*s", (int)(base - vmh), vmh);
			if (!*vmdir)
				strcpy(vmdir, "/");
		} else {
			strcpy(vmdir, ".");
		}
	}
	fmt(archdef, sizeof(archdef), "-D__TARGET_ARCH_%s", o->arch ? o->arch : host_arch());
	multiarch_dir(march, sizeof(march));

	argv[argc++] = clang;
	argv[argc++] = "-g";
	argv[argc++] = "-O2";
	argv[argc++] = "-target";
	argv[argc++] = "bpf";
	argv[argc++] = "-mcpu=v3";
	argv[argc++] = archdef;
	for (size_t i = 0; i < o->n_incs && argc < MAX_ARGS - 32; i++) {
		if (asprintf(&incs[ninc], "-I%s", o->incs[i]) < 0)
			break;
		argv[argc++] = incs[ninc++];
	}
	argv[argc++] = "-I";
	argv[argc++] = vmdir;
	argv[argc++] = "-I";
	argv[argc++] = lbc;
	if (*march) {
		argv[argc++] = "-idirafter";
		argv[argc++] = march;
	}
	for (size_t i = 0; i < o->n_cflags && argc < MAX_ARGS - 8; i++)
		argv[argc++] = (char *)o->cflags[i];
	argv[argc++] = "-c";
	argv[argc++] = (char *)o->src;
	argv[argc++] = "-o";
	argv[argc++] = (char *)obj_out;
	argv[argc] = NULL;
	st = run(b, argv);
	for (int i = 0; i < ninc; i++)
		free(incs[i]);
	if (st < 0)
		return fail(b, st, "cannot run %s: %s", clang, strerror(-st));
	if (st)
		return fail(b, -EINVAL, "%s: compilation failed (clang exited with status %d)",
			    o->src, st);
	return 0;
}

static void strip_debug(struct build *b, const char *obj)
{
	static const char *const strips[] = {
		"llvm-strip", "llvm-strip-19", "llvm-strip-18", "llvm-strip-17", "llvm-strip-16",
		"llvm-strip-15", "llvm-strip-14", NULL,
	};
	char exe[PATH_MAX];
	char *argv[] = { exe, "-g", (char *)obj, NULL };

	/* DWARF is not needed to load (BTF is kept): a smaller .so, if we can. */
	if (find_tool(NULL, strips, exe, sizeof(exe)))
		run(b, argv);
}

/*
 * The kernel types the object's CO-RE relocations use, for the loader to
 * relocate against instead of the kernel's whole BTF (see internal.h).
 * Optional: without bpftool, or for a vmlinux.h given by hand, the .so
 * carries none and loading reads the kernel's BTF.
 */
static bool min_btf(struct build *b, const char *obj, char *out, size_t len, uint64_t *hash,
		    uint64_t *size)
{
	static const char *const tools[] = {
		"bpftool", "/usr/sbin/bpftool", "/sbin/bpftool", "/usr/local/sbin/bpftool", NULL,
	};
	const char *btf = b->o->btf ? b->o->btf : "/sys/kernel/btf/vmlinux";
	char exe[PATH_MAX];
	char *argv[] = { exe, "gen", "min_core_btf", (char *)btf, out, (char *)obj, NULL };
	struct stat st;

	if (b->o->vmlinux_h)
		return false;
	if (!find_tool("SURFCC_BPFTOOL", tools, exe, sizeof(exe))) {
		if (b->o->verbose)
			msg(b, SURF_BPFCC_NOTE, "surfcc: note: no bpftool, no minimal BTF: the "
			    "tool will read the kernel's BTF when it loads (slower, more memory)");
		return false;
	}
	if (stat(btf, &st) || surf_bpf__hash_file(btf, hash))
		return false;
	*size = (uint64_t)st.st_size;
	fmt(out, len, "%s/min.btf", b->tmpdir);
	if (run(b, argv)) {
		msg(b, SURF_BPFCC_NOTE, "surfcc: note: bpftool gen min_core_btf failed: the tool "
		    "will read the kernel's BTF when it loads");
		unlink(out);
		return false;
	}
	return true;
}

static int link_so(struct build *b, const char *obj, const char *name, const char *json,
		   const char *out)
{
	char btf[PATH_MAX + 16];
	uint64_t btf_hash = 0, btf_size = 0;
	bool have_btf;
	static const char *const ccs[] = { "cc", "gcc", "clang", NULL };
	char cc[PATH_MAX], csrc[PATH_MAX + 16], tmp[PATH_MAX + 16], abs_obj[PATH_MAX];
	char *argv[] = { cc, "-shared", "-fPIC", "-nostdlib", "-O1", "-o", tmp, csrc, NULL };
	const char *slash;
	int st, err;

	if (!find_tool("CC", ccs, cc, sizeof(cc)))
		return fail(b, -ENOENT, "no C compiler (cc) to build the .so: install gcc, "
			    "or name one with CC");
	if (!realpath(obj, abs_obj))
		return fail(b, -errno, "%s: %s", obj, strerror(errno));
	fmt(csrc, sizeof(csrc), "%s/%s.so.c", b->tmpdir, name);
	have_btf = min_btf(b, abs_obj, btf, sizeof(btf), &btf_hash, &btf_size);
	err = surf_bpfcc__write_so_c(csrc, b->o->src, abs_obj, json, have_btf ? btf : NULL,
				     btf_hash, btf_size);
	if (err)
		return fail(b, err, "cannot write %s: %s", csrc, strerror(-err));
	/* next to the output, so that the rename stays on one file system */
	slash = strrchr(out, '/');
	snprintf(tmp, sizeof(tmp), "%.*s.surfcc-%d.so", slash ? (int)(slash - out + 1) : 0, out,
		 (int)getpid());
	st = run(b, argv);
	if (st) {
		unlink(tmp);
		if (st < 0)
			return fail(b, st, "cannot run %s: %s", cc, strerror(-st));
		return fail(b, -EINVAL, "building %s failed (%s exited with status %d)", out, cc, st);
	}
	if (have_btf)
		unlink(btf);
	if (rename(tmp, out)) {
		err = -errno;
		unlink(tmp);
		return fail(b, err, "cannot create %s: %s", out, strerror(-err));
	}
	return 0;
}

static void rm_tmpdir(const char *dir)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/vmlinux.h", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/min.btf", dir);
	unlink(p);
	rmdir(dir);
}

int surf_bpfcc__build(const struct surf_bpfcc_opts *opts, char *errbuf, size_t errlen)
{
	struct surf_bpfcc_opts copy = { 0 };
	const struct surf_bpfcc_opts *o = &copy;
	struct build b = { .o = o, .err = errbuf, .errlen = errlen };
	char name[256], out[PATH_MAX], obj[PATH_MAX + 32], so_c[PATH_MAX + 300];
	const char *tmp = getenv("TMPDIR");
	char *json = NULL;
	int err;

	if (errlen)
		errbuf[0] = 0;
	if (!OPTS_VALID(opts, struct surf_bpfcc_opts))
		return fail(&b, -EINVAL, "invalid options (sz %zu)", opts->sz);
	OPTS_COPY(&copy, opts);
	if (!opts || !o->src || !*o->src)
		return fail(&b, -EINVAL, "no source file");
	stem(o->src, name, sizeof(name));
	if (!*name)
		return fail(&b, -EINVAL, "%s: no name to give the output", o->src);
	if (o->out)
		snprintf(out, sizeof(out), "%s", o->out);
	else
		snprintf(out, sizeof(out), "%s%s", name, o->obj_only ? ".bpf.o" : ".so");

	snprintf(b.tmpdir, sizeof(b.tmpdir), "%s/surfcc.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(b.tmpdir))
		return fail(&b, -errno, "cannot create a directory in %s: %s",
			    tmp && *tmp ? tmp : "/tmp", strerror(errno));
	fmt(obj, sizeof(obj), "%s/%s.bpf.o", b.tmpdir, name);

	err = compile_bpf(&b, obj);
	if (!err)
		err = describe(&b, obj, name, &json);
	if (!err && o->obj_only) {
		char *argv[] = { "/bin/cp", obj, out, NULL };

		/* keep the object as clang wrote it */
		if (rename(obj, out)) {
			if (errno != EXDEV)
				err = fail(&b, -errno, "cannot create %s: %s", out, strerror(errno));
			else if (run(&b, argv))
				err = fail(&b, -EIO, "cannot copy the object to %s", out);
		}
	} else if (!err) {
		strip_debug(&b, obj);
		err = link_so(&b, obj, name, json, out);
	}
	free(json);
	unlink(obj);
	fmt(so_c, sizeof(so_c), "%s/%s.so.c", b.tmpdir, name);
	unlink(so_c);
	rm_tmpdir(b.tmpdir);
	return err;
}

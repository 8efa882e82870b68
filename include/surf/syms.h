/* SPDX-License-Identifier: MIT */
/*
 * surf/syms.h - addresses to symbol names: the kernel's (/proc/kallsyms) and
 * a process's (/proc/PID/maps plus the ELF symbol tables of its mappings).
 * Used for call chains and for the "(func+0x0/0x280)" of kprobe events.
 */
#ifndef SURF_SYMS_H
#define SURF_SYMS_H

#include "surf/api.h"

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct surf_sym {
	const char *name;
	uint64_t addr;		/* start of the symbol */
	uint64_t size;		/* 0 when unknown */
	const char *module;	/* kernel: module name or NULL; user: the mapped file */
};

struct surf_ksyms;

/* Load /proc/kallsyms (or another file in its format, for tests). */
SURF_API int surf_ksyms__load(struct surf_ksyms **out, const char *path);
/*
 * The same for the running kernel, with vmlinux's part kept in cache_dir
 * (created when missing) per kernel release and boot: later runs map it
 * instead of reading /proc/kallsyms (tens of milliseconds of kernel time),
 * and read the file only for what it does not hold (modules' symbols, BPF
 * programs').  Answers are those of surf_ksyms__load.  NULL cache_dir: no
 * cache.
 */
SURF_API int surf_ksyms__load_cached(struct surf_ksyms **out, const char *cache_dir);
SURF_API void surf_ksyms__free(struct surf_ksyms *ksyms);
/* The symbol containing addr (size from the next symbol when not known); -ENOENT. */
SURF_API int surf_ksyms__find(const struct surf_ksyms *ksyms, uint64_t addr, struct surf_sym *out);
/* The address of a symbol by name; -ENOENT. */
SURF_API int surf_ksyms__lookup(const struct surf_ksyms *ksyms, const char *name, uint64_t *addr);
/*
 * A symbol by name, with its size as the kernel reckons it for "FUNC+OFF"
 * (up to the next symbol; 0 when not known): -ENOENT when there is none,
 * -ENODATA when nothing can be told: the file shows no addresses
 * (kptr_restrict), or the name is missing from a kernel that lists only its
 * code (no CONFIG_KALLSYMS_ALL).  out->name may be an alias at the same
 * address.
 */
SURF_API int surf_ksyms__symbol(const struct surf_ksyms *ksyms, const char *name, struct surf_sym *out);
/*
 * Whether the table lists functions only (a kernel built without
 * CONFIG_KALLSYMS_ALL): then the kernel itself cannot resolve a variable
 * by name either (a probe's @jiffies), its lookup reading the same table.
 */
SURF_API bool surf_ksyms__code_only(const struct surf_ksyms *ksyms);

struct surf_usyms;	/* a cache of processes and ELF files */

SURF_API int surf_usyms__new(struct surf_usyms **out);
SURF_API void surf_usyms__free(struct surf_usyms *usyms);
/* The symbol containing addr in process pid; out->module is the file. */
SURF_API int surf_usyms__find(struct surf_usyms *usyms, int pid, uint64_t addr, struct surf_sym *out);
/* Forget what is cached about pid (it exited or exec'ed). */
SURF_API void surf_usyms__forget(struct surf_usyms *usyms, int pid);

/*
 * A JIT's perf map, /tmp/perf-PID.map ("START SIZE NAME" lines, hex), as a
 * JVM writes it on `jcmd PID Compiler.perfmap` (JDK 17; methods named
 * "void test.square_test(int)").  surf_usyms__find names the addresses of a
 * process's anonymous executable mappings from it, rereading it when it
 * changes.  The strings of a struct surf_sym it gives stay valid until the
 * next surf_jmap__refresh that rereads the file, or surf_jmap__free.
 */
struct surf_jmap;

/* "/tmp/perf-PID.map" into buf. */
SURF_API int surf_jmap__path(int pid, char *buf, size_t len);
/* Load pid's map (-ENOENT: none; the JVM writes it on jcmd PID Compiler.perfmap). */
SURF_API int surf_jmap__open(struct surf_jmap **out, int pid);
/* Load a map from a file of that format (tests). */
SURF_API int surf_jmap__load(struct surf_jmap **out, const char *path);
/* Reread the file if its mtime, size or inode changed: 1 reread, 0 unchanged, -errno. */
SURF_API int surf_jmap__refresh(struct surf_jmap *m);
SURF_API void surf_jmap__free(struct surf_jmap *m);
SURF_API const char *surf_jmap__file(const struct surf_jmap *m);
/* When the file was last written (seconds since the epoch). */
SURF_API int64_t surf_jmap__mtime(const struct surf_jmap *m);
SURF_API size_t surf_jmap__count(const struct surf_jmap *m);
/* The entry holding addr (the latest line's when several do); -ENOENT. */
SURF_API int surf_jmap__find(const struct surf_jmap *m, uint64_t addr, struct surf_sym *out);
/*
 * The compiled code of a Java method by name: "Ltest;::square_test" (JNI's
 * class descriptor), "test::square_test", "test.square_test",
 * "com/acme/Foo::bar", globs of class and method ("com.acme.*::handle*"),
 * optionally with the argument types as the map writes them
 * ("test.square_test(int)"; "()" for none).  Fills up to max entries of out,
 * one per address (tiered compilation leaves several copies of a method
 * until the older ones are flushed), and returns how many there are (0:
 * none), or -EINVAL for a pattern that names no method.
 */
SURF_API int surf_jmap__lookup(const struct surf_jmap *m, const char *pattern, struct surf_sym *out,
			       size_t max);
/* A method pattern as surf_jmap__lookup reads it: class glob, method glob, "(args)" or "". */
SURF_API int surf_jmap__parse_method(const char *pattern, char *cls, size_t clen, char *meth,
				     size_t mlen, char *args, size_t alen);

/* Format "name+0xoff/0xsize" (or "[module]" / "0xaddr" when unknown) into buf. */
SURF_API int surf_sym__format(const struct surf_sym *sym, uint64_t addr, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif

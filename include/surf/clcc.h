/* SPDX-License-Identifier: MIT */
/*
 * clcc.h - load and drive a BPF program that surfcc compiled into a .so
 * (coolbpf's clcc API, §7.4 of its manual, on libbpf 1.x).
 *
 *	surfcc hello.bpf.c                       -> hello.so
 *	cc -Iinclude hello.c build/libsurf.a -Wl,--as-needed -lbpf -ltraceevent -lelf -ldw \
 *		-lz -llzma -o hello
 *
 *	struct clcc_struct *p = clcc_init("hello.so");
 *	if (!p || p->init(-1, 1))            // load, attach every program
 *		return 1;
 *	int id = p->get_maps_id("e_out");
 *	p->set_event_cb(id, on_event, NULL);
 *	p->event_loop(id, -1);               // until a signal (-EINTR)
 *	p->exit();
 *	clcc_deinit(p);
 *
 * Conventions (the seed's): functions return 0 on success and a negative
 * errno on failure; get_maps_id returns -1 for an unknown map; clcc_init
 * returns NULL (errno set).  Failures print one clear "clcc: ..." message
 * on stderr whatever the log level (the last one is also kept, see
 * clcc_last_error(); CLCC_QUIET in the environment silences them); init's
 * log_level only governs libbpf's own messages.
 *
 * The struct's function pointers take no handle: each one is a trampoline
 * in the loaded .so bound to that .so's state, so several .so files can be
 * loaded side by side.  Nothing here is thread-safe: use one clcc_struct
 * from one thread at a time.
 *
 * Link with libsurf (build/libsurf.a), -Wl,--as-needed and the Makefile's
 * $(LIBS), as above, and the linker keeps only the libraries the tool uses.
 * The least a tool needs is -lbpf -lelf -lz; clcc_attach_uprobe_sym,
 * clcc_attach_usdt and clcc_attach_perf_event_all also need -llzma (for
 * binaries' compressed MiniDebugInfo); capstone, which checks that a probe
 * offset is on an instruction boundary, is loaded when first needed.
 * tests/cli/test_link.sh links both kinds.
 */
#ifndef CLCC_H
#define CLCC_H

#include "surf/api.h"

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLCC_MAX_STACK_DEPTH 127	/* PERF_MAX_STACK_DEPTH, as lbc.h's LBC_STACK */

/*
 * A kernel symbol, as the old clcc's ksym_search returned it (as struct ksym,
 * a name libbpf-tools' trace_helpers.h also defines: prefixed here).
 */
struct clcc_ksym {
	long addr;		/* start of the symbol */
	char *name;		/* owned by clcc: valid until exit() */
};

struct clcc_call_stack {
	unsigned long stack[CLCC_MAX_STACK_DEPTH];
	int depth;
	/*
	 * surftrace addition: the process a user-space stack belongs to, for
	 * clcc_print_stack() to name its frames (0: kernel stack, or print user
	 * addresses raw).  clcc_get_call_stack() does not change it.
	 */
	int pid;
};

struct clcc_struct {
	/*
	 * member: handle
	 * description: so file file handle pointer, it should not be modified or accessed.
	 */
	void *handle;
	/*
	 * member: status
	 * description: reserved.
	 */
	int status;
	/*
	 * member: init
	 * description: load the BPF object into the kernel and, with attach != 0,
	 *   attach every program whose SEC() names its target
	 *   ("tracepoint/sched/sched_switch", "kprobe/vfs_read", "raw_tp/...",
	 *   "uprobe/PATH:FUNC"...).  Programs whose SEC() has no target
	 *   ("kprobe", "uprobe/\*", "perf_event", "xdp") are left for the
	 *   attach_* calls.  Any attach failure fails init (and unloads).
	 * arg1: print level of libbpf's messages, 0 (warnings) ~3 (debug); -1: none.
	 * arg2: attach, 0: do not attach, !0: attach
	 * return: 0 if success.  A verifier rejection prints the last lines of
	 *   the verifier's log.
	 */
	int (*init)(int log_level, int attach);
	/*
	 * member: exit
	 * description: detach and unload.  init may be called again; globals
	 *   set with clcc_set_global() before the first init are then back to
	 *   their initial values.
	 */
	void (*exit)(void);
	/*
	 * member: get_maps_id
	 * description: get map id from map name which quote in LBC_XXX().
	 *   Global variables are maps too: ".bss", ".data", ".rodata".
	 * arg1: map name, eg: LBC_PERF_OUTPUT(e_out, struct data_t, 128) -> "e_out".
	 * return: >=0, -1 (and a message) when there is no such map.
	 */
	int (*get_maps_id)(char *event);
	/*
	 * member: set_event_cb
	 * description: set the callbacks for a perf output map (LBC_PERF_OUTPUT)
	 *   or a ring buffer (LBC_RINGBUF; there cpu is -1 and lost is never
	 *   called).  ctx is this struct clcc_struct *.  With lost == NULL, lost
	 *   records are reported on stderr ("Lost N events on CPU #c!").
	 * return: 0 if success.
	 */
	int (*set_event_cb)(int id,
			    void (*cb)(void *ctx, int cpu, void *data, unsigned int size),
			    void (*lost)(void *ctx, int cpu, unsigned long long cnt));
	/*
	 * member: event_loop
	 * description: poll the events of map id (or of every map with a
	 *   callback when id is -1) and run the callbacks.
	 * arg2: timeout in seconds; -1 never times out; 0 polls once.
	 * return: 0 when the time is up, -EINTR when a signal arrived (Ctrl-C
	 *   with a handler installed), another negative errno on error.
	 */
	int (*event_loop)(int id, int timeout);
	/*
	 * map operations: 0 if success, a negative errno (-ENOENT: no such key).
	 * Per-CPU maps read and write clcc_num_cpus() values, each rounded up to
	 * 8 bytes.
	 */
	int (*map_lookup_elem)(int id, const void *key, void *value);
	int (*map_lookup_elem_flags)(int id, const void *key, void *value, unsigned long int flags);
	int (*map_lookup_and_delete_elem)(int id, const void *key, void *value);
	int (*map_delete_elem)(int id, const void *key);
	int (*map_update_elem)(int id, const void *key, void *value);	/* BPF_ANY */
	/* key NULL gives the first key; -ENOENT after the last one. */
	int (*map_get_next_key)(int id, const void *key, void *next_key);
	/*
	 * attach calls: func is the BPF program's function name.  0 if success,
	 * else a negative errno and a message naming what is missing.  A program
	 * may be attached several times (several probes); exit() detaches all.
	 */
	int (*attach_perf_event)(const char *func, int pfd);
	/* kprobes: "this kernel has no kprobes (...)" (-EOPNOTSUPP) where they are not. */
	int (*attach_kprobe)(const char *func, const char *sym);
	int (*attach_kretprobe)(const char *func, const char *sym);
	/* pid -1: every process; func_offset: file offset in binary_path. */
	int (*attach_uprobe)(const char *func, int pid, const char *binary_path,
			     unsigned long func_offset);
	int (*attach_uretprobe)(const char *func, int pid, const char *binary_path,
				unsigned long func_offset);
	int (*attach_tracepoint)(const char *func, const char *tp_category, const char *tp_name);
	int (*attach_raw_tracepoint)(const char *func, const char *tp_name);
	int (*attach_cgroup)(const char *func, int cgroup_fd);
	int (*attach_netns)(const char *func, int netns);
	int (*attach_xdp)(const char *func, int ifindex);
	/*
	 * member: get_map_types
	 * description: JSON written by surfcc: {"hash":..., "arch":...,
	 *   "kern_version":..., "maps": {NAME: {"type":"hash", "fktype":"u32",
	 *   "fvtype":"u64", "key_size":4, "value_size":8, "max_entries":1024}}}
	 */
	const char *(*get_map_types)(void);
	/*
	 * member: ksym_search
	 * description: get symbol from kernel addr (/proc/kallsyms, loaded on
	 *   first use).
	 * return: the symbol containing addr, NULL if none.  The struct is
	 *   overwritten by the next call.
	 */
	struct clcc_ksym *(*ksym_search)(unsigned long addr);
};

/*
 * Load an so.  so_path without a '/' is looked for next to the running
 * program first, then in the current directory.  Returns NULL with errno
 * set (and a message) on failure.  The BPF object is opened (parsed, not
 * loaded) here, so that globals can be set before init().
 */
SURF_API struct clcc_struct *clcc_init(const char *so_path);

/* Release an so (exit()ing it first if needed); p is freed. */
SURF_API void clcc_deinit(struct clcc_struct *p);

/*
 * Get call stack from table (an LBC_STACK map id) and stack id (from
 * bpf_get_stackid()).  pstack->depth is the number of frames.
 * return: 0 if success, 1 on failure (the seed's convention).
 */
SURF_API int clcc_get_call_stack(int table_id, int stack_id, struct clcc_call_stack *pstack,
			struct clcc_struct *pclcc);

/*
 * Print call stack, one frame a line: "0x%lx: name+0xoff".  Kernel frames
 * are named from /proc/kallsyms, user frames (pstack->pid > 0) from the
 * process's mappings and ELF symbols.
 */
SURF_API void clcc_print_stack(struct clcc_call_stack *pstack, struct clcc_struct *pclcc);

/* ---- surftrace extensions ------------------------------------------- */

/* The last error message of p ("" when none). */
SURF_API const char *clcc_last_error(struct clcc_struct *p);

/* The number of possible CPUs (the value count of per-CPU maps), or -errno. */
SURF_API int clcc_num_cpus(void);

struct clcc_map_info {
	const char *name;
	unsigned int type;		/* enum bpf_map_type */
	unsigned int key_size, value_size, max_entries;
	int fd;				/* -1 before init() */
};
SURF_API int clcc_map_info(struct clcc_struct *p, int id, struct clcc_map_info *info);

/* Delete every key of a hash map, or zero every slot of an array. */
SURF_API int clcc_map_clear(struct clcc_struct *p, int id);

/*
 * Global variables of the BPF program (libbpf-tools' `const volatile`
 * settings, or .data/.bss counters).  Before init() any global may be
 * set; after it, those in .data and .bss (not `const`) are read and written
 * in place.  size must be the variable's size.  -ENOENT: no such variable.
 */
SURF_API int clcc_set_global(struct clcc_struct *p, const char *name, const void *val, size_t size);
SURF_API int clcc_get_global(struct clcc_struct *p, const char *name, void *val, size_t size);

/*
 * Poll every map that has a callback once, waiting up to timeout_ms
 * (-1: forever).  Returns the number of records handled, or -EINTR / -errno.
 */
SURF_API int clcc_poll(struct clcc_struct *p, int timeout_ms);

/* Pages per CPU for perf output buffers made by set_event_cb after this (default 64). */
SURF_API void clcc_set_perf_pages(struct clcc_struct *p, int pages);

/*
 * Attach func to a user function by name: the symbol is resolved to its file
 * offset in binary ("bash", "libc", a path; see surf/elf.h).  pid -1: every
 * process.  retprobe != 0: on return.
 */
SURF_API int clcc_attach_uprobe_sym(struct clcc_struct *p, const char *func, int pid,
			   const char *binary, const char *sym, int retprobe);

/*
 * Attach func (SEC("usdt"), using <bpf/usdt.bpf.h>'s BPF_USDT() or
 * bpf_usdt_arg()) to the USDT probe provider:name of binary ("libc", a
 * program on PATH, a path).  pid -1: every process using the binary.
 */
SURF_API int clcc_attach_usdt(struct clcc_struct *p, const char *func, int pid, const char *binary,
		     const char *provider, const char *name);

/*
 * bcc's attach_perf_event: open a perf event (type, config) on every online
 * CPU, sampling every `period` events or, with freq != 0, `period` times a
 * second, for every process (pid -1) or one, and attach func to each.
 * Needs -llzma at link time (it is linked with the uprobe helpers).
 */
SURF_API int clcc_attach_perf_event_all(struct clcc_struct *p, const char *func, unsigned int type,
			       unsigned long long config, unsigned long long period, int freq,
			       int pid);

/*
 * Attach func (SEC("perf_event"), struct bpf_perf_event_data *ctx) to the
 * JIT-compiled code of a Java method of JVM pid: ctx->regs are the method's
 * registers at its entry (x86_64 HotSpot passes a static method's first int
 * argument in regs.si).  method: "Ltest;::square_test" (the seed's JNI
 * form), "test::square_test", "test.square_test", globs of class and method
 * ("com.acme.*::handle*"), optionally with argument types
 * ("test.square_test(int)").  Every compiled copy of the method (tiered
 * compilation keeps the older ones a while) gets an execute hardware
 * breakpoint in every thread of pid (inherited by the threads they create),
 * at most 4 (x86's debug registers).
 *
 * The addresses come from the JVM's perf map, /tmp/perf-PID.map, which
 * `jcmd PID Compiler.perfmap` writes (the library never runs it: pylcc's
 * attachJavaSym does).  Errors: -ENOENT no map, or the method is not in it
 * (not JIT-compiled yet: trace it with surftrace -p PID 'J CLASS::METHOD',
 * the JVM's USDT probes); -ESTALE the map is older than the process or
 * names code no longer mapped (run jcmd again); -E2BIG more than 4 copies;
 * -EOPNOTSUPP this machine does not deliver hardware breakpoints (a self
 * test, once per process: a breakpoint on one of our own functions, called
 * 5 times, must count 5; hypervisors often accept the event and never raise
 * the debug exception).
 */
SURF_API int clcc_attach_java_sym(struct clcc_struct *p, const char *func, int pid,
				  const char *method);

/*
 * The mechanism under clcc_attach_java_sym: an execute hardware breakpoint
 * at addr in every thread of process pid, running func.  The same errors.
 */
SURF_API int clcc_attach_breakpoint(struct clcc_struct *p, const char *func, int pid,
				    unsigned long addr);

/*
 * Does this machine deliver execute hardware breakpoints to user space?
 * The self test of clcc_attach_java_sym (its answer is kept): 1 yes, 0 no,
 * -errno when none can be opened; why (may be NULL) says what was seen.
 */
SURF_API int clcc_hw_breakpoints(char *why, size_t len);

/* Is there a program named func (0 / -ENOENT)? */
SURF_API int clcc_has_program(struct clcc_struct *p, const char *func);

/*
 * Format addr as "name+0xoff" (a kernel address; "name+0xoff [module]" in a
 * module) or "name+0xoff (file)" (a user address of process pid > 0);
 * "0x..." and a negative errno when it cannot be named.
 */
SURF_API int clcc_symbolize(struct clcc_struct *p, int pid, unsigned long addr, char *buf, size_t len);

/*
 * Histograms, printed exactly as bcc's Python tools print them
 * (table.print_log2_hist / print_linear_hist):
 *
 *	     usecs               : count     distribution
 *	         0 -> 1          : 0        |                                        |
 *	         2 -> 3          : 4        |****************************************|
 *
 * vals[i] counts the values v with 2^i <= v < 2^(i+1) (slot 0 also counts
 * 0), as lbc_hist_log2_add() fills them.  Rows go from slot 0 to the last
 * non-zero slot; nothing is printed when every slot is 0.  With
 * CLCC_HIST_STRIP_LEADING_ZERO the rows before the first non-zero slot are
 * left out.  Linear rows are labelled base + i * step (bcc: the slot
 * number, i.e. base 0, step 1).
 */
#define CLCC_HIST_STRIP_LEADING_ZERO 1
SURF_API void clcc_print_log2_hist(const unsigned long long *vals, int n, const char *unit);
SURF_API void clcc_print_linear_hist(const unsigned long long *vals, int n, long long base,
			    long long step, const char *unit);
SURF_API void clcc_fprint_log2_hist(FILE *f, const unsigned long long *vals, int n, const char *unit,
			   int flags);
SURF_API void clcc_fprint_linear_hist(FILE *f, const unsigned long long *vals, int n, long long base,
			     long long step, const char *unit, int flags);

/*
 * Read up to n slots of a histogram map (LBC_HIST, an array or per-CPU
 * array of u64, or a hash keyed by a u32 slot) into vals, summing CPUs.
 * Returns the number of slots read, or -errno.
 */
SURF_API int clcc_hist_read(struct clcc_struct *p, int id, unsigned long long *vals, int n);
/* clcc_hist_read then clcc_print_log2_hist / clcc_print_linear_hist. */
SURF_API int clcc_print_log2_hist_map(struct clcc_struct *p, int id, const char *unit);
SURF_API int clcc_print_linear_hist_map(struct clcc_struct *p, int id, long long base, long long step,
			       const char *unit);

#ifdef __cplusplus
}
#endif
#endif /* CLCC_H */

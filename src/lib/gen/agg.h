/* SPDX-License-Identifier: MIT */
/*
 * The BPF programs and maps of an a: clause (issue 15): the program computes
 * the keys and the value of each event and updates a per-CPU hash map; the
 * reader sums the CPUs.  lat() adds a start program that records times in a
 * hash by thread or value; -p and -c a program that follows forks into a
 * hash of processes.  Internal to libsurf (surf/agg.h is the API).
 *
 * Map key: the keys, each at an 8-byte aligned offset (comm: 16 bytes,
 * strings: their array's size rounded up to 8, or GEN_AGG_STR_KEY; numbers
 * and stack ids: 8), then for histograms a u64 bucket.  Map value: u64
 * count for count and histograms; for sum, avg, min, max and stats four
 * u64: count, sum, min, max.
 */
#ifndef SURF_GEN_AGG_H
#define SURF_GEN_AGG_H

#include <stdint.h>

#include <surf/expr.h>

struct gen;

#define GEN_AGG_MAX_KEY 256
/* Bytes a string key keeps when its length is not fixed (pointers, __data_loc). */
#define GEN_AGG_STR_KEY 64

/* Where a string key's bytes are. */
enum gen_str {
	GEN_STR_NONE,		/* a number */
	GEN_STR_ARRAY,		/* a char array in the record, at offset */
	GEN_STR_DATA_LOC,	/* a __data_loc string of the record: u32 at offset (len << 16 | start) */
	GEN_STR_PTR,		/* an argument's string: at the address its fetch text reads */
	GEN_STR_PTR_LEN,	/* a (pointer, length) string (J's names): exactly that long */
};

/* Where a key or the value comes from, resolved for code generation. */
struct gen_agg_src {
	enum surf_agg_src src;
	int offset, size;	/* SURF_AGG_FIELD: in the record */
	bool is_signed;
	enum gen_str str;
	int key_size;		/* bytes in the map key, a multiple of 8; 0: the source's default */
	const char *fetch;	/* SURF_AGG_ARG: fetch text and type */
	const char *type;
	const char *len_fetch;	/* GEN_STR_PTR_LEN: the length's fetch text and type */
	const char *len_type;
	bool dots;		/* a JVM class name: shown with dots for its slashes */
};

/* What a program does with the event. */
enum gen_agg_role {
	GEN_AGG_UPDATE,		/* count, measure or lat(): the aggregation map */
	GEN_AGG_LAT_START,	/* a lat() start: its time by lat_key into the start map */
};

struct gen_agg_desc {
	enum gen_agg_role role;
	enum surf_agg_kind kind;
	struct gen_agg_src keys[8];
	int nkeys;
	struct gen_agg_src value;	/* not for count */
	int64_t lmin, lmax, lstep;
	bool tracepoint;		/* ctx is the record; else pt_regs */
	const char *arch;
	bool user;
	/* f:, in ftrace's syntax, and where each name it uses comes from. */
	const char *filter;
	struct { char name[64]; struct gen_agg_src src; } fnames[8];
	int nfnames;
	/* lat(): the start's time by this key (the thread, or a value matched across events). */
	struct gen_agg_src lat_key;
	/*
	 * J's lat(): the method too (its name's pointer, one per method in
	 * HotSpot), so that a glob's nested methods each find their own entry:
	 * the start map's key is 16 bytes, the thread then this.  NULL: none.
	 */
	const char *lat_method_fetch;
	int map_fd;
	int drops_fd;		/* a per-CPU array of one u64: updates the map refused (full); GEN_MAP_NONE: none */
	int start_fd;		/* lat(): hash of u64 lat_key -> u64 ns */
	int stack_fd;		/* kstack, ustack keys: the stack trace map */
	int pids_fd;		/* only processes in this hash (u32 tgid -> u8) count; GEN_MAP_NONE: all */
	/* J: the class and method patterns, matched before anything else. */
	struct gen_agg_java {
		const char *glob;
		bool is_class;
		const char *ptr_fetch, *len_fetch, *len_type;
	} java[2];
	int njava;
};

/* The parts of an a: program (gen_mark): what the verifier's refusal is blamed on. */
enum gen_agg_part {
	GEN_PART_PROGRAM,	/* the generator's own frame: map updates, buckets */
	GEN_PART_FILTER,	/* f: */
	GEN_PART_VALUE,		/* the measured value */
	GEN_PART_LAT,		/* lat()'s match */
	GEN_PART_KEY,		/* key i: GEN_PART_KEY + i */
};

/* Bytes of the start map's key of a lat() (gen_agg_desc.lat_method_fetch). */
static inline int gen_agg_lat_key_size(const struct gen_agg_desc *d)
{
	return d->lat_method_fetch ? 16 : 8;
}
/* Key and value sizes of the map for desc. */
int gen_agg_key_size(const struct gen_agg_desc *d);
int gen_agg_value_size(const struct gen_agg_desc *d);
/*
 * Emit the whole program; 0 or the first error (gen_finish's), or the
 * filter's (-EINVAL, -EOPNOTSUPP) with a sentence in errbuf.
 */
int gen_agg_program(struct gen *g, const struct gen_agg_desc *d, char *errbuf, size_t errlen);
/*
 * Every entry of the map, the CPUs' values summed (for the four-value
 * layout: counts and sums added, min and max of the CPUs that saw the key):
 * cb(ctx, key, values) for each, values[0..3] or values[0].  0 or -errno.
 */
int gen_agg_read(const struct gen_agg_desc *d, int map_fd,
		 int (*cb)(void *ctx, const void *key, const uint64_t *values), void *ctx);
/*
 * The program that keeps pids_fd whole: on sched/sched_process_fork, a
 * child of a process in the map joins it.  child_pid_offset: the field's
 * offset in the tracepoint's record.
 */
int gen_agg_fork_program(struct gen *g, int pids_fd, int child_pid_offset);
/* The bytes a key takes in the map key. */
int gen_agg_src_size(const struct gen_agg_src *s);
/* A kstack or ustack key: the stack id (negative: not recorded), and for ustack the tgid. */
static inline int gen_agg_stack_id(uint64_t key) { return (int32_t)(uint32_t)key; }
static inline int gen_agg_stack_pid(uint64_t key) { return (int)(key >> 32); }
/* The bucket of a power-of-two histogram: 0 for 0, else floor(log2(v)) + 1. */
unsigned gen_agg_log2_bucket(uint64_t v);

#endif

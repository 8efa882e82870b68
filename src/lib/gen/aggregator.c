// SPDX-License-Identifier: MIT
/*
 * surf/agg.h: an a: clause from compiled expression to printed result.
 * The program and its map live in file descriptors only (nothing pinned),
 * so closing them, or the process dying, leaves nothing in the kernel.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <surf/agg.h>
#include <surf/arch.h>

#include "gen/agg.h"
#include "gen/aggregator.h"
#include "gen/desc.h"
#include "gen/gen.h"
#include "sys/opts.h"
#include "sys/util.h"

#define LOG_SIZE (64 * 1024)
#define DEFAULT_ENTRIES 10240
#define DEFAULT_MAX_MAP_BYTES (256ull << 20)
#define STACK_ENTRIES 4096
/* The per-entry cost of a hash map beyond key and value (struct htab_elem, rounded up). */
#define HASH_OVERHEAD 64

/* Kernel and user probes run BPF programs of the kprobe type, on pt_regs. */
static enum bpf_prog_type prog_type(const struct surf_probe_def *def)
{
	return !def || def->kind == SURF_PROBE_EVENT ? BPF_PROG_TYPE_TRACEPOINT
						     : BPF_PROG_TYPE_KPROBE;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void prog_init(struct agg_prog *p)
{
	p->prog_fd = p->perf_fd = -1;
	p->desc.map_fd = p->desc.drops_fd = p->desc.start_fd = GEN_MAP_NONE;
	p->desc.stack_fd = p->desc.pids_fd = GEN_MAP_NONE;
}

static void prog_close(struct agg_prog *p)
{
	close_fd(&p->perf_fd);
	close_fd(&p->prog_fd);
}

/* Every descriptor closed, the programs first: nothing may update a map being closed. */
static void tear_down(struct surf_aggregator *a)
{
	prog_close(&a->main);
	prog_close(&a->start);
	prog_close(&a->fork);
	close_fd(&a->map_fd);
	close_fd(&a->drops_fd);
	close_fd(&a->start_fd);
	close_fd(&a->stack_fd);
	close_fd(&a->pids_fd);
}

void surf_aggregator__free(struct surf_aggregator *a)
{
	if (!a)
		return;
	tear_down(a);
	surf_ksyms__free(a->ksyms);
	surf_usyms__free(a->usyms);
	free(a);
}

static struct surf_aggregator *aggregator_alloc(const struct surf_probe_def *def)
{
	struct surf_aggregator *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->def = def;
	a->map_fd = a->drops_fd = a->start_fd = a->stack_fd = a->pids_fd = -1;
	prog_init(&a->main);
	prog_init(&a->start);
	prog_init(&a->fork);
	return a;
}

/* A tracepoint's format text and id from tracefs. */
static int read_format(const char *tracefs, const char *location, char **format, size_t *len,
		       int *tp_id, char *errbuf, size_t errlen)
{
	char path[4200], *id;
	int ret;

	if (!tracefs) {
		snprintf(errbuf, errlen, "the program of a tracepoint needs its format: "
			 "tracefs is not mounted");
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/events/%s/format", tracefs, location);
	*format = surf_read_file(path, len);
	snprintf(path, sizeof(path), "%s/events/%s/id", tracefs, location);
	id = surf_read_file(path, NULL);
	if (!*format || !id) {
		ret = -errno;
		snprintf(errbuf, errlen, "cannot read %s's format: %s", location, strerror(errno));
		free(*format);
		*format = NULL;
		free(id);
		return ret;
	}
	*tp_id = atoi(id);
	free(id);
	return 0;
}

/* An expression's program described (start: as the start of lat for lat_of). */
static int describe_prog(struct agg_prog *p, const struct surf_probe_def *def,
			 const struct surf_aggregator_opts *o, const struct surf_agg *lat_of,
			 char *errbuf, size_t errlen)
{
	const char *arch = o->arch ? o->arch : surf_arch__host()->name;
	char *format = NULL;
	size_t len = 0;
	int ret = 0;

	p->def = def;
	if (def->kind == SURF_PROBE_EVENT)
		ret = read_format(o->tracefs, def->location, &format, &len, &p->tp_id, errbuf,
				  errlen);
	if (!ret && lat_of)
		ret = gen_agg_describe_start(def, format, len, arch, lat_of, &p->desc, errbuf,
					     errlen);
	else if (!ret)
		ret = gen_agg_describe(def, format, len, arch, &p->desc, errbuf, errlen);
	free(format);
	return ret;
}

/* The fork program's tracepoint: where its record keeps the child's pid. */
static int describe_fork(struct agg_prog *p, const struct surf_aggregator_opts *o,
			 int *child_offset, char *errbuf, size_t errlen)
{
	char *format = NULL;
	size_t len = 0;
	int ret = read_format(o->tracefs, "sched/sched_process_fork", &format, &len, &p->tp_id,
			      errbuf, errlen);

	if (!ret) {
		*child_offset = gen_tp_field_offset(format, len, "child_pid", 4);
		if (*child_offset < 0) {
			ret = *child_offset;
			snprintf(errbuf, errlen, "sched/sched_process_fork has no 4-byte child_pid: "
				 "cannot follow the children of -p");
		}
	}
	free(format);
	return ret;
}

static bool has_stack_key(const struct gen_agg_desc *d)
{
	for (int i = 0; i < d->nkeys; i++)
		if (d->keys[i].src == SURF_AGG_KSTACK || d->keys[i].src == SURF_AGG_USTACK)
			return true;
	return false;
}

static unsigned long long hash_bytes(unsigned long long entries, int key, int value, int ncpus)
{
	return entries * (unsigned long long)((key + 7) / 8 * 8 + HASH_OVERHEAD +
					      (value + 7) / 8 * 8 * ncpus);
}

/*
 * What new and listing share: the options checked, the programs described
 * (the expression's, its lat() start's, the fork follower's), the maps'
 * memory bounded.
 */
static int describe_all(struct surf_aggregator *a, const struct surf_aggregator_opts *opts,
			struct surf_aggregator_opts *o, int *child_offset, char *errbuf,
			size_t errlen)
{
	const struct surf_probe_def *def = a->def;
	unsigned long long bytes, limit;
	int ret, ncpus = libbpf_num_possible_cpus();

	if (errlen)
		errbuf[0] = '\0';
	if (!OPTS_VALID(opts, struct surf_aggregator_opts) || !def || !def->agg)
		return -EINVAL;
	OPTS_COPY(o, opts);
	if (!o->max_entries)
		o->max_entries = DEFAULT_ENTRIES;
	if ((def->agg->kind == SURF_AGG_LAT) != !!o->start) {
		snprintf(errbuf, errlen, o->start ? "a start expression is for lat() only" :
			 "lat() needs the expression of its start");
		return -EINVAL;
	}
	ret = describe_prog(&a->main, def, o, NULL, errbuf, errlen);
	if (!ret && o->start)
		ret = describe_prog(&a->start, o->start, o, def->agg, errbuf, errlen);
	if (!ret && o->pid > 0)
		ret = describe_fork(&a->fork, o, child_offset, errbuf, errlen);
	if (ret)
		return ret;
	/* Preallocated in the kernel: refused before anything is created. */
	limit = o->max_map_bytes ? o->max_map_bytes : DEFAULT_MAX_MAP_BYTES;
	bytes = hash_bytes(o->max_entries, gen_agg_key_size(&a->main.desc),
			   gen_agg_value_size(&a->main.desc), ncpus > 0 ? ncpus : 1);
	if (o->start)
		bytes += hash_bytes(o->max_entries, 8, 8, 1);
	if (has_stack_key(&a->main.desc))
		bytes += STACK_ENTRIES * (unsigned long long)(STACK_DEPTH * 8 + HASH_OVERHEAD);
	if (bytes > limit) {
		snprintf(errbuf, errlen, "the maps would take up to %llu MiB of kernel memory "
			 "(%u entries of %d-byte keys and %d-byte values on %d CPUs): more than "
			 "the limit of %llu MiB; ask for fewer entries", bytes >> 20,
			 o->max_entries, gen_agg_key_size(&a->main.desc),
			 gen_agg_value_size(&a->main.desc), ncpus, limit >> 20);
		return -E2BIG;
	}
	return 0;
}

static int create_map(int *fd, enum bpf_map_type type, const char *name, int key, int value,
		      unsigned int entries, __u32 flags, char *errbuf, size_t errlen)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = flags);

	*fd = bpf_map_create(type, name, (__u32)key, (__u32)value, entries, &mo);
	if (*fd >= 0)
		return 0;
	snprintf(errbuf, errlen, "cannot create the map %s: %s", name, strerror(errno));
	return -errno;
}

/*
 * The maps the programs use, created.  Hash maps without preallocation
 * (hash_flags BPF_F_NO_PREALLOC) are created at once; preallocated, 10240
 * entries take 4 ms here, a fifth of a start.
 */
static int create_maps(struct surf_aggregator *a, const struct surf_aggregator_opts *o,
		       __u32 hash_flags, char *errbuf, size_t errlen)
{
	struct gen_agg_desc *d = &a->main.desc;
	int ret;

	ret = create_map(&a->map_fd, BPF_MAP_TYPE_PERCPU_HASH, "surf_agg", gen_agg_key_size(d),
			 gen_agg_value_size(d), o->max_entries, hash_flags, errbuf, errlen);
	if (!ret)
		ret = create_map(&a->drops_fd, BPF_MAP_TYPE_PERCPU_ARRAY, "surf_agg_drops", 4, 8,
				 1, 0, errbuf, errlen);
	if (!ret && o->start)
		ret = create_map(&a->start_fd, BPF_MAP_TYPE_HASH, "surf_agg_start",
				 gen_agg_lat_key_size(d), 8,
				 o->max_entries, hash_flags, errbuf, errlen);
	if (!ret && has_stack_key(d))
		ret = create_map(&a->stack_fd, BPF_MAP_TYPE_STACK_TRACE, "surf_agg_stacks", 4,
				 STACK_DEPTH * 8, STACK_ENTRIES, 0, errbuf, errlen);
	if (!ret && o->pid > 0) {
		__u32 pid = (__u32)o->pid;
		__u8 one = 1;

		ret = create_map(&a->pids_fd, BPF_MAP_TYPE_HASH, "surf_agg_pids", 4, 1,
				 o->max_entries, hash_flags, errbuf, errlen);
		if (!ret && bpf_map_update_elem(a->pids_fd, &pid, &one, BPF_ANY))
			ret = -errno;
	}
	return ret;
}

/*
 * Each program's desc told the maps it uses: their descriptors, or for a
 * listing their names.
 */
static void assign_maps(struct surf_aggregator *a, const struct surf_aggregator_opts *o,
			bool listing)
{
	struct agg_prog *progs[] = { &a->main, &a->start };
	int pids = o->pid <= 0 ? GEN_MAP_NONE : listing ? GEN_MAP_PIDS : a->pids_fd;

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct gen_agg_desc *d = &progs[i]->desc;

		d->map_fd = listing ? GEN_MAP_AGG : a->map_fd;
		d->drops_fd = listing ? GEN_MAP_DROPS : a->drops_fd;
		d->start_fd = !o->start ? GEN_MAP_NONE : listing ? GEN_MAP_START : a->start_fd;
		d->stack_fd = !has_stack_key(d) ? GEN_MAP_NONE : listing ? GEN_MAP_STACKS
									: a->stack_fd;
		d->pids_fd = pids;
	}
	a->fork.desc.pids_fd = pids;
}

static int generate(struct gen *g, const struct agg_prog *p, int child_offset, char *errbuf,
		    size_t errlen)
{
	int ret;

	gen_init(g);
	ret = p->def ? gen_agg_program(g, &p->desc, errbuf, errlen)
		     : gen_agg_fork_program(g, p->desc.pids_fd, child_offset);
	if (ret && !errbuf[0])
		snprintf(errbuf, errlen, "generating the program: %s", strerror(-ret));
	return ret;
}

/*
 * The verifier's reason and the instruction it stopped at, from its log:
 * the last line that is neither an instruction nor the statistics, and
 * the last "N: (op) ..." line before it.  *insn: N, or -1.
 */
static void verifier_reason(char *log, char *out, size_t len, int *insn)
{
	char *reason = NULL, *at = NULL;

	*insn = -1;
	for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
		char *end;
		long n = strtol(line, &end, 10);

		if (end != line && end[0] == ':' && end[1] == ' ' && end[2] == '(') {
			at = line;
			*insn = (int)n;
		} else if (strncmp(line, "processed ", 10) && strncmp(line, "verification time", 17) &&
			   strncmp(line, "stack depth", 11)) {
			reason = line;
		}
	}
	if (reason && at)
		snprintf(out, len, "%s (at %s)", reason, at);
	else
		snprintf(out, len, "%s", reason ? reason : "(no log)");
}

/* The part of def's line that instruction insn computes. */
static void blame(const struct agg_prog *p, const struct gen *g, int insn, int code,
		  const char *msg, struct surf_expr_error *err)
{
	const struct surf_agg *a = p->def ? p->def->agg : NULL;
	int part = insn >= 0 ? gen_part_of(g, insn) : GEN_PART_PROGRAM;

	memset(err, 0, sizeof(*err));
	err->code = code;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	if (!a || p->desc.role != GEN_AGG_UPDATE)
		return;		/* a start's or the fork follower's: no part of this line */
	if (part == GEN_PART_FILTER && a->filter_len) {
		err->pos = a->filter_pos;
		err->len = a->filter_len;
	} else if ((part == GEN_PART_VALUE || (part == GEN_PART_LAT && a->lat_event)) &&
		   a->value.len) {
		err->pos = a->value.pos;
		err->len = a->value.len;
	} else if (part >= GEN_PART_KEY && part - GEN_PART_KEY < a->nkeys) {
		err->pos = a->keys[part - GEN_PART_KEY].pos;
		err->len = a->keys[part - GEN_PART_KEY].len;
	} else {
		err->pos = a->pos;
		err->len = a->len;
	}
}

/* The program loaded; refused, the verifier's reason in errbuf and *error. */
static int load(struct agg_prog *p, int child_offset, struct surf_expr_error *error,
		char *errbuf, size_t errlen)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lo);
	struct gen g;
	int ret = generate(&g, p, child_offset, errbuf, errlen);

	if (!ret) {
		p->prog_fd = bpf_prog_load(prog_type(p->def), "surf_agg", "GPL", g.insns,
					   (size_t)g.n, &lo);
		ret = p->prog_fd < 0 ? -errno : 0;
	}
	if (ret && p->prog_fd < 0 && !errbuf[0]) {
		/* Again with the verifier's log: its last line says why. */
		char *log = calloc(1, LOG_SIZE);

		lo.log_buf = log;
		lo.log_size = log ? LOG_SIZE : 0;
		lo.log_level = log ? 1 : 0;
		p->prog_fd = bpf_prog_load(prog_type(p->def), "surf_agg", "GPL", g.insns,
					   (size_t)g.n, &lo);
		ret = p->prog_fd < 0 ? -errno : 0;
		if (ret && log) {
			char reason[512];
			int insn;

			verifier_reason(log, reason, sizeof(reason), &insn);
			snprintf(errbuf, errlen, "the verifier refused the program of %s: %s",
				 p->def ? p->def->name : "the fork follower", reason);
			if (error)
				blame(p, &g, insn, ret, errbuf, error);
		} else if (ret) {
			snprintf(errbuf, errlen, "cannot load the program: %s", strerror(-ret));
		}
		free(log);
	}
	gen_free(&g);
	return ret;
}

/* Maps created and programs loaded; what a failure left open is closed by the caller. */
static int set_up(struct surf_aggregator *a, const struct surf_aggregator_opts *o,
		  int child_offset, __u32 hash_flags, char *errbuf, size_t errlen)
{
	int ret = create_maps(a, o, hash_flags, errbuf, errlen);

	if (!ret) {
		assign_maps(a, o, false);
		ret = load(&a->main, 0, o->error, errbuf, errlen);
	}
	if (!ret && o->start)
		ret = load(&a->start, 0, o->error, errbuf, errlen);
	if (!ret && o->pid > 0)
		ret = load(&a->fork, child_offset, o->error, errbuf, errlen);
	return ret;
}

int surf_aggregator__new(struct surf_aggregator **out, const struct surf_probe_def *def,
			 const struct surf_aggregator_opts *opts, char *errbuf, size_t errlen)
{
	struct surf_aggregator_opts o;
	struct surf_aggregator *a;
	int child_offset = 0, ret;

	*out = NULL;
	a = aggregator_alloc(def);
	if (!a)
		return -ENOMEM;
	ret = describe_all(a, opts, &o, &child_offset, errbuf, errlen);
	if (!ret && o.cache_dir)
		snprintf(a->cache_dir, sizeof(a->cache_dir), "%s", o.cache_dir);
	if (!ret)
		ret = set_up(a, &o, child_offset, BPF_F_NO_PREALLOC, errbuf, errlen);
	if (ret && strstr(errbuf, "preallocated")) {
		/* Before 6.1, tracing programs use preallocated hash maps only. */
		tear_down(a);
		errbuf[0] = '\0';
		if (o.error)
			memset(o.error, 0, sizeof(*o.error));
		ret = set_up(a, &o, child_offset, 0, errbuf, errlen);
	}
	if (ret) {
		surf_aggregator__free(a);
		return ret;
	}
	*out = a;
	return 0;
}

/* The perf PMU's type ("kprobe", "uprobe") and its retprobe config bit. */
static int pmu(const char *name, int *retprobe_bit)
{
	char path[128], *text;
	int type;

	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/type", name);
	text = surf_read_file(path, NULL);
	if (!text)
		return -errno;
	type = atoi(text);
	free(text);
	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/format/retprobe", name);
	text = surf_read_file(path, NULL);
	*retprobe_bit = text && !strncmp(text, "config:", 7) ? atoi(text + 7) : 0;
	free(text);
	return type;
}

/* The program held by a perf event on its tracepoint or probe, enabled. */
static int attach(struct agg_prog *p)
{
	const struct surf_probe_def *def = p->def;
	/*
	 * Counting, not sampling: the program returns 1 (other perf readers of
	 * the event keep their records), after which a sampling event of ours
	 * would have the kernel prepare a sample per event for no buffer.
	 */
	struct perf_event_attr attr = { .size = sizeof(attr) };
	int type, bit = 0;

	if (!def || def->kind == SURF_PROBE_EVENT) {
		attr.type = PERF_TYPE_TRACEPOINT;
		attr.config = (__u64)p->tp_id;
	} else {
		bool user = surf_probe_kind__is_user(def->kind);
		bool ret = def->kind == SURF_PROBE_KRETPROBE || def->kind == SURF_PROBE_URETPROBE;
		const char *colon = user ? strrchr(def->location, ':') : NULL;

		type = pmu(user ? "uprobe" : "kprobe", &bit);
		if (type < 0)
			return type;
		attr.type = (__u32)type;
		if (ret)
			attr.config = 1ull << bit;
		if (user) {	/* "/abs/path:0xOFF[(0xSEM)]": the file, the offset, a semaphore */
			char *end;

			if (!colon || !def->path)
				return -EINVAL;
			attr.config1 = (__u64)(uintptr_t)def->path;
			attr.config2 = strtoull(colon + 1, &end, 16);
			/* USDT: the kernel counts tracers in the semaphore while attached. */
			if (*end == '(')
				attr.config |= strtoull(end + 1, NULL, 16) << 32;
		} else {
			attr.config1 = (__u64)(uintptr_t)def->symbol;
			attr.config2 = def->offset;
		}
	}
	/* A BPF program on a probe runs on every CPU and task: one perf event holds it. */
	p->perf_fd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (p->perf_fd < 0)
		return -errno;
	if (ioctl(p->perf_fd, PERF_EVENT_IOC_SET_BPF, p->prog_fd) ||
	    ioctl(p->perf_fd, PERF_EVENT_IOC_ENABLE, 0))
		return -errno;
	return 0;
}

int surf_aggregator__attach(struct surf_aggregator *a)
{
	int ret = 0;

	/* Children followed before anything counts; starts recorded before ends look. */
	if (a->fork.prog_fd >= 0)
		ret = attach(&a->fork);
	if (!ret && a->start.prog_fd >= 0)
		ret = attach(&a->start);
	if (!ret)
		ret = attach(&a->main);
	return ret;
}

static int count_events(void *ctx, const void *key, const uint64_t *values)
{
	(void)key;
	*(unsigned long long *)ctx += values[0];
	return 0;
}

int surf_aggregator__counts(struct surf_aggregator *a, unsigned long long *events,
			    unsigned long long *dropped)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *per_cpu;
	__u32 zero = 0;
	int ret;

	*events = *dropped = 0;
	ret = gen_agg_read(&a->main.desc, a->map_fd, count_events, events);
	if (ret || ncpus <= 0)
		return ret ? ret : -EINVAL;
	per_cpu = calloc((size_t)ncpus, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(a->drops_fd, &zero, per_cpu))
		ret = -errno;
	for (int c = 0; !ret && c < ncpus; c++)
		*dropped += per_cpu[c];
	free(per_cpu);
	return ret;
}

static void list_prog(FILE *out, const struct agg_prog *p, const struct gen *g, const char *what)
{
	char line[160];

	fprintf(out, "# %s: %s, a %s program of %d instructions\n",
		p->def ? p->def->name : "sched/sched_process_fork", what,
		prog_type(p->def) == BPF_PROG_TYPE_TRACEPOINT ? "tracepoint" : "kprobe", g->n);
	for (int i = 0, step; i < g->n; i += step) {
		step = gen_format(g->insns, g->n, i, line, sizeof(line));
		fprintf(out, "%4d: %s\n", i, line);
	}
}

int surf_aggregator__listing(const struct surf_probe_def *def,
			     const struct surf_aggregator_opts *opts, FILE *out, char *errbuf,
			     size_t errlen)
{
	struct surf_aggregator *a = aggregator_alloc(def);
	struct surf_aggregator_opts o;
	int child_offset = 0, ret;
	struct gen g;
	char what[64];

	if (!a)
		return -ENOMEM;
	ret = describe_all(a, opts, &o, &child_offset, errbuf, errlen);
	if (ret)
		goto out;
	assign_maps(a, &o, true);
	fprintf(out, "# map[agg]: per-CPU hash, key %d bytes, value %d bytes, %u entries\n",
		gen_agg_key_size(&a->main.desc), gen_agg_value_size(&a->main.desc),
		o.max_entries);
	fprintf(out, "# map[drops]: per-CPU array of one u64 (updates a full map refused)\n");
	if (o.start)
		fprintf(out, "# map[start]: hash, u64 key -> u64 ns, %u entries\n", o.max_entries);
	if (has_stack_key(&a->main.desc))
		fprintf(out, "# map[stacks]: stack traces of %d frames, %d entries\n", STACK_DEPTH,
			STACK_ENTRIES);
	if (o.pid > 0)
		fprintf(out, "# map[pids]: hash of the processes counted, u32 tgid -> u8, "
			"%u entries\n", o.max_entries);
	struct agg_prog *progs[] = { &a->main, &a->start, &a->fork };
	for (size_t i = 0; !ret && i < sizeof(progs) / sizeof(progs[0]); i++) {
		if (i == 1 && !o.start)
			continue;
		if (i == 2 && o.pid <= 0)
			continue;
		ret = generate(&g, progs[i], child_offset, errbuf, errlen);
		snprintf(what, sizeof(what), i == 0 ? "a:%s" : i == 1 ? "the start of %s" :
			 "children of -p join map[pids]", surf_agg_kind__name(def->agg->kind));
		if (!ret)
			list_prog(out, progs[i], &g, what);
		gen_free(&g);
	}
out:
	surf_aggregator__free(a);
	return ret;
}

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
#include "gen/desc.h"
#include "gen/gen.h"
#include "sys/opts.h"
#include "sys/util.h"

#define LOG_SIZE (64 * 1024)

struct surf_aggregator {
	const struct surf_probe_def *def;
	struct gen_agg_desc desc;
	int tp_id;
	int map_fd, drops_fd, prog_fd, perf_fd;
};

/* Kernel and user probes run BPF programs of the kprobe type, on pt_regs. */
static enum bpf_prog_type prog_type(const struct surf_probe_def *def)
{
	return def->kind == SURF_PROBE_EVENT ? BPF_PROG_TYPE_TRACEPOINT : BPF_PROG_TYPE_KPROBE;
}

void surf_aggregator__free(struct surf_aggregator *a)
{
	if (!a)
		return;
	if (a->perf_fd >= 0)
		close(a->perf_fd);
	if (a->prog_fd >= 0)
		close(a->prog_fd);
	if (a->map_fd >= 0)
		close(a->map_fd);
	if (a->drops_fd >= 0)
		close(a->drops_fd);
	free(a);
}

/*
 * What new and listing share: the options checked, what is not done yet
 * refused, the tracepoint's format and id read, the clause described.
 */
static int prepare(const struct surf_probe_def *def, const struct surf_aggregator_opts *opts,
		   struct gen_agg_desc *d, int *tp_id, char *errbuf, size_t errlen)
{
	struct surf_aggregator_opts o;
	char path[4200], *format = NULL, *id = NULL;
	size_t len = 0;
	int ret;

	if (errlen)
		errbuf[0] = '\0';
	if (!OPTS_VALID(opts, struct surf_aggregator_opts) || !def || !def->agg)
		return -EINVAL;
	OPTS_COPY(&o, opts);
	if (def->kind == SURF_PROBE_USDT) {
		snprintf(errbuf, errlen, "in-kernel aggregation of USDT probes is not done yet");
		return -EOPNOTSUPP;
	}
	if (def->kind == SURF_PROBE_EVENT) {
		if (!o.tracefs) {
			snprintf(errbuf, errlen, "the program of a tracepoint needs its format: "
				 "tracefs is not mounted");
			return -ENOENT;
		}
		snprintf(path, sizeof(path), "%s/events/%s/format", o.tracefs, def->location);
		format = surf_read_file(path, &len);
		snprintf(path, sizeof(path), "%s/events/%s/id", o.tracefs, def->location);
		id = surf_read_file(path, NULL);
		if (!format || !id) {
			ret = -errno;
			snprintf(errbuf, errlen, "cannot read %s's format: %s", def->location,
				 strerror(errno));
			free(format);
			free(id);
			return ret;
		}
		*tp_id = atoi(id);
	}
	ret = gen_agg_describe(def, format, len, o.arch ? o.arch : surf_arch__host()->name, d,
			       errbuf, errlen);
	free(format);
	free(id);
	return ret;
}

int surf_aggregator__new(struct surf_aggregator **out, const struct surf_probe_def *def,
			 const struct surf_aggregator_opts *opts, char *errbuf, size_t errlen)
{
	unsigned int entries = OPTS_GET(opts, max_entries, 0);
	struct surf_aggregator *a;
	struct gen g;
	int ret;

	*out = NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->def = def;
	a->map_fd = a->drops_fd = a->prog_fd = a->perf_fd = -1;
	ret = prepare(def, opts, &a->desc, &a->tp_id, errbuf, errlen);
	if (ret)
		goto fail;
	a->map_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "surf_agg",
				   (__u32)gen_agg_key_size(&a->desc),
				   (__u32)gen_agg_value_size(&a->desc), entries ? entries : 10240, NULL);
	if (a->map_fd < 0) {
		ret = -errno;
		snprintf(errbuf, errlen, "cannot create the map: %s", strerror(errno));
		goto fail;
	}
	a->desc.map_fd = a->map_fd;
	a->drops_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "surf_agg_drops", 4, 8, 1, NULL);
	if (a->drops_fd < 0) {
		ret = -errno;
		snprintf(errbuf, errlen, "cannot create the map: %s", strerror(errno));
		goto fail;
	}
	a->desc.drops_fd = a->drops_fd;
	gen_init(&g);
	ret = gen_agg_program(&g, &a->desc, errbuf, errlen);
	if (!ret) {
		LIBBPF_OPTS(bpf_prog_load_opts, lo);

		a->prog_fd = bpf_prog_load(prog_type(def), "surf_agg", "GPL", g.insns, (size_t)g.n,
					   &lo);
		if (a->prog_fd < 0) {
			/* Again with the verifier's log: its last line says why. */
			char *log = calloc(1, LOG_SIZE);

			lo.log_buf = log;
			lo.log_size = log ? LOG_SIZE : 0;
			lo.log_level = log ? 1 : 0;
			a->prog_fd = bpf_prog_load(prog_type(def), "surf_agg", "GPL", g.insns,
						   (size_t)g.n, &lo);
			ret = a->prog_fd < 0 ? -errno : 0;
			if (ret && log) {
				char *last = log + strlen(log);

				while (last > log && last[-1] == '\n')
					*--last = '\0';
				last = strrchr(log, '\n');
				snprintf(errbuf, errlen, "the verifier refused the program: %s",
					 last ? last + 1 : log);
			}
			free(log);
		}
	} else if (!errbuf[0]) {
		snprintf(errbuf, errlen, "generating the program: %s", strerror(-ret));
	}
	gen_free(&g);
	if (ret)
		goto fail;
	*out = a;
	return 0;
fail:
	surf_aggregator__free(a);
	return ret;
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

int surf_aggregator__attach(struct surf_aggregator *a)
{
	const struct surf_probe_def *def = a->def;
	struct perf_event_attr attr = { .size = sizeof(attr), .sample_period = 1 };
	int type, bit = 0;

	if (def->kind == SURF_PROBE_EVENT) {
		attr.type = PERF_TYPE_TRACEPOINT;
		attr.config = (__u64)a->tp_id;
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
		if (user) {	/* "/abs/path:0xOFF": the file and the offset in it */
			if (!colon || !def->path)
				return -EINVAL;
			attr.config1 = (__u64)(uintptr_t)def->path;
			attr.config2 = strtoull(colon + 1, NULL, 16);
		} else {
			attr.config1 = (__u64)(uintptr_t)def->symbol;
			attr.config2 = def->offset;
		}
	}
	/* A BPF program on a probe runs on every CPU and task: one perf event holds it. */
	a->perf_fd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (a->perf_fd < 0)
		return -errno;
	if (ioctl(a->perf_fd, PERF_EVENT_IOC_SET_BPF, a->prog_fd) ||
	    ioctl(a->perf_fd, PERF_EVENT_IOC_ENABLE, 0))
		return -errno;
	return 0;
}

/* --- printing ---------------------------------------------------------------------------- */

struct entry {
	uint8_t *key;
	uint64_t v[4];
};

struct collected {
	struct entry *e;
	size_t n, cap;
	int key_size;
	int err;
};

static int collect(void *ctx, const void *key, const uint64_t *values)
{
	struct collected *c = ctx;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct entry *p = realloc(c->e, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		c->e = p;
		c->cap = cap;
	}
	c->e[c->n].key = malloc((size_t)c->key_size);
	if (!c->e[c->n].key)
		return -ENOMEM;
	memcpy(c->e[c->n].key, key, (size_t)c->key_size);
	memcpy(c->e[c->n].v, values, sizeof(c->e[c->n].v));
	c->n++;
	return 0;
}

static int keys_size(const struct gen_agg_desc *d)
{
	int n = 0;

	for (int i = 0; i < d->nkeys; i++)
		n += d->keys[i].src == SURF_AGG_COMM ? 16 : 8;
	return n;
}

/* Histograms: by key, then bucket; tables: by value, largest first. */
static uint64_t sort_value(const struct gen_agg_desc *d, const struct entry *e)
{
	switch (d->kind) {
	case SURF_AGG_SUM:
		return e->v[1];
	case SURF_AGG_AVG:
		return e->v[0] ? e->v[1] / e->v[0] : 0;
	case SURF_AGG_MIN:
		return e->v[2];
	case SURF_AGG_MAX:
		return e->v[3];
	default:
		return e->v[0];
	}
}

static int cmp_entry(const void *x, const void *y, void *ctx)
{
	const struct gen_agg_desc *d = ctx;
	const struct entry *a = x, *b = y;
	int ks = keys_size(d);

	if (d->kind == SURF_AGG_HIST || d->kind == SURF_AGG_LHIST) {
		int c = memcmp(a->key, b->key, (size_t)ks);
		uint64_t ba, bb;

		if (c)
			return c;
		memcpy(&ba, a->key + ks, 8);
		memcpy(&bb, b->key + ks, 8);
		return (ba > bb) - (ba < bb);
	}
	return (sort_value(d, a) < sort_value(d, b)) - (sort_value(d, a) > sort_value(d, b));
}

static void print_keys(FILE *out, const struct surf_aggregator *a, const uint8_t *key)
{
	const struct surf_agg *agg = a->def->agg;
	int off = 0;

	for (int i = 0; i < a->desc.nkeys; i++) {
		const struct gen_agg_src *k = &a->desc.keys[i];

		if (k->src == SURF_AGG_COMM) {
			fprintf(out, "%s%s=%.16s", i ? " " : "", agg->keys[i].name,
				(const char *)key + off);
			off += 16;
		} else {
			int64_t v;

			memcpy(&v, key + off, 8);
			fprintf(out, "%s%s=%" PRId64, i ? " " : "", agg->keys[i].name, v);
			off += 8;
		}
	}
}

static void print_bar(FILE *out, uint64_t n, uint64_t max)
{
	int stars = max ? (int)(n * 40 / max) : 0;

	fprintf(out, "|%.*s%*s|\n", stars, "****************************************",
		40 - stars, "");
}

/* One histogram, entries [from, to) of one key, in bcc's layout. */
static void print_hist(FILE *out, const struct surf_aggregator *a, const struct entry *e,
		       size_t n)
{
	int ks = keys_size(&a->desc);
	const struct gen_agg_desc *d = &a->desc;
	uint64_t counts[1100] = { 0 }, max = 0;
	int w, last = -1, nb = d->kind == SURF_AGG_LHIST ? (int)((d->lmax - d->lmin) / d->lstep) + 2 : 65;

	for (size_t i = 0; i < n; i++) {
		uint64_t b;

		memcpy(&b, e[i].key + ks, 8);
		if (b < 1100)
			counts[b] += e[i].v[0];
	}
	if (d->kind == SURF_AGG_HIST) {	/* value 0 shows in the first row, "0 -> 1" */
		counts[1] += counts[0];
		counts[0] = 0;
	}
	for (int b = 0; b < nb; b++) {
		if (counts[b] > max)
			max = counts[b];
		if (counts[b])
			last = b;
	}
	/* bcc's two widths: values up to 2^32 in 10 columns, larger ones in 20. */
	w = d->kind == SURF_AGG_HIST ? (last <= 32 ? 10 : 20) : 10;
	for (int b = 0; d->kind == SURF_AGG_LHIST && b < nb; b++)
		if (counts[b] && (d->lmax > 999999999 || d->lmin < -99999999))
			w = 20;
	fprintf(out, "%*s%-*s : count     distribution\n", w - 5, "", 2 * w - 1,
		a->def->agg->value.name);
	for (int b = d->kind == SURF_AGG_HIST ? 1 : 0; b <= last; b++) {
		if (d->kind == SURF_AGG_HIST) {
			uint64_t low = (1ull << (b - 1)), high = b == 64 ? UINT64_MAX : (1ull << b) - 1;

			if (low == high)
				low--;
			fprintf(out, "%*" PRIu64 " -> %-*" PRIu64 " : %-8" PRIu64 " ", w, low, w, high,
				counts[b]);
		} else if (b == 0) {
			fprintf(out, "%*s  < %-*" PRId64 " : %-8" PRIu64 " ", w, "", w, d->lmin,
				counts[b]);
		} else if (b == nb - 1) {
			fprintf(out, "%*s >= %-*" PRId64 " : %-8" PRIu64 " ", w, "", w, d->lmax,
				counts[b]);
		} else {
			int64_t low = d->lmin + (b - 1) * d->lstep;

			fprintf(out, "%*" PRId64 " -> %-*" PRId64 " : %-8" PRIu64 " ", w, low, w,
				low + d->lstep - 1, counts[b]);
		}
		print_bar(out, counts[b], max);
	}
}

int surf_aggregator__print(struct surf_aggregator *a, FILE *out)
{
	struct collected c = { .key_size = gen_agg_key_size(&a->desc) };
	const struct surf_agg *agg = a->def->agg;
	int ret = gen_agg_read(&a->desc, a->map_fd, collect, &c);

	if (ret)
		goto out;
	qsort_r(c.e, c.n, sizeof(*c.e), cmp_entry, &a->desc);
	fprintf(out, "%s: a:%s\n", a->def->name, surf_agg_kind__name(agg->kind));
	if (agg->kind == SURF_AGG_HIST || agg->kind == SURF_AGG_LHIST) {
		int ks = keys_size(&a->desc);

		for (size_t i = 0, j; i < c.n; i = j) {
			for (j = i + 1; j < c.n && !memcmp(c.e[i].key, c.e[j].key, (size_t)ks); j++)
				;
			if (a->desc.nkeys) {
				print_keys(out, a, c.e[i].key);
				fputs("\n", out);
			}
			print_hist(out, a, c.e + i, j - i);
			if (j < c.n)
				fputs("\n", out);
		}
	} else {
		for (size_t i = 0; i < c.n; i++) {
			const uint64_t *v = c.e[i].v;

			print_keys(out, a, c.e[i].key);
			if (a->desc.nkeys)
				fputs(": ", out);
			switch (agg->kind) {
			case SURF_AGG_SUM:
				fprintf(out, "%" PRId64 "\n", (int64_t)v[1]);
				break;
			case SURF_AGG_AVG:
				fprintf(out, "%" PRId64 "\n", v[0] ? (int64_t)v[1] / (int64_t)v[0] : 0);
				break;
			case SURF_AGG_MIN:
				fprintf(out, "%" PRId64 "\n", (int64_t)v[2]);
				break;
			case SURF_AGG_MAX:
				fprintf(out, "%" PRId64 "\n", (int64_t)v[3]);
				break;
			case SURF_AGG_STATS:
				fprintf(out, "count %" PRIu64 " sum %" PRId64 " avg %" PRId64 " min %"
					PRId64 " max %" PRId64 "\n", v[0], (int64_t)v[1],
					v[0] ? (int64_t)v[1] / (int64_t)v[0] : 0, (int64_t)v[2],
					(int64_t)v[3]);
				break;
			default:
				fprintf(out, "%" PRIu64 "\n", v[0]);
				break;
			}
		}
	}
out:
	for (size_t i = 0; i < c.n; i++)
		free(c.e[i].key);
	free(c.e);
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
	ret = gen_agg_read(&a->desc, a->map_fd, count_events, events);
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

int surf_aggregator__listing(const struct surf_probe_def *def,
			     const struct surf_aggregator_opts *opts, FILE *out, char *errbuf,
			     size_t errlen)
{
	unsigned int entries = OPTS_GET(opts, max_entries, 0);
	struct gen_agg_desc d;
	char line[160];
	struct gen g;
	int tp_id, ret = prepare(def, opts, &d, &tp_id, errbuf, errlen);

	if (ret)
		return ret;
	d.map_fd = GEN_MAP_AGG;
	d.drops_fd = GEN_MAP_DROPS;
	gen_init(&g);
	ret = gen_agg_program(&g, &d, errbuf, errlen);
	if (!ret) {
		fprintf(out, "# %s: a:%s, a %s program of %d instructions\n", def->name,
			surf_agg_kind__name(def->agg->kind),
			def->kind == SURF_PROBE_EVENT ? "tracepoint" : "kprobe", g.n);
		fprintf(out, "# map[agg]: per-CPU hash, key %d bytes, value %d bytes, %u entries\n",
			gen_agg_key_size(&d), gen_agg_value_size(&d),
			entries ? entries : 10240);
		fprintf(out, "# map[drops]: per-CPU array of one u64 (updates a full map refused)\n");
		for (int i = 0, step; i < g.n; i += step) {
			step = gen_format(g.insns, g.n, i, line, sizeof(line));
			fprintf(out, "%4d: %s\n", i, line);
		}
	} else if (!errbuf[0]) {
		snprintf(errbuf, errlen, "generating the program: %s", strerror(-ret));
	}
	gen_free(&g);
	return ret;
}

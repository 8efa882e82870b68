// SPDX-License-Identifier: MIT
/*
 * surf/agg.h: what an aggregator's map holds, printed: histograms in bcc's
 * layout, tables sorted by value, or one JSON object per aggregation.
 * Keys are decoded by what the generator put there: numbers (8 bytes),
 * strings (zero-padded), stack ids (frames read from the stack map and
 * named from kallsyms or the process's maps).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <surf/agg.h>
#include <surf/syms.h>

#include "gen/agg.h"
#include "gen/aggregator.h"
#include "sys/opts.h"

/* Buckets a histogram can have: 65 powers of two, or lhist's at most 1000 and two more. */
#define MAX_BUCKETS 1100

struct entry {
	uint8_t *key;
	uint64_t v[4];
};

struct collected {
	struct entry *e;
	size_t n, cap;
	int key_size;
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

static bool is_hist(enum surf_agg_kind k)
{
	return k == SURF_AGG_HIST || k == SURF_AGG_LHIST || k == SURF_AGG_LAT;
}

/* The bytes of the keys, before a histogram's bucket. */
static int keys_size(const struct gen_agg_desc *d)
{
	return gen_agg_key_size(d) - (is_hist(d->kind) ? 8 : 0);
}

/* Tables' order: by value, largest first. */
static int64_t sort_value(const struct gen_agg_desc *d, const struct entry *e)
{
	switch (d->kind) {
	case SURF_AGG_SUM:
		return (int64_t)e->v[1];
	case SURF_AGG_AVG:
		return e->v[0] ? (int64_t)e->v[1] / (int64_t)e->v[0] : 0;
	case SURF_AGG_MIN:
		return (int64_t)e->v[2];
	case SURF_AGG_MAX:
		return (int64_t)e->v[3];
	default:
		return (int64_t)e->v[0];
	}
}

/* Histograms by key, then bucket; tables by value, largest first, then key. */
static int cmp_entry(const void *x, const void *y, void *ctx)
{
	const struct gen_agg_desc *d = ctx;
	const struct entry *a = x, *b = y;
	int ks = keys_size(d), c;

	if (is_hist(d->kind)) {
		uint64_t ba, bb;

		c = memcmp(a->key, b->key, (size_t)ks);
		if (c)
			return c;
		memcpy(&ba, a->key + ks, 8);
		memcpy(&bb, b->key + ks, 8);
		return (ba > bb) - (ba < bb);
	}
	if (sort_value(d, a) != sort_value(d, b))
		return sort_value(d, a) < sort_value(d, b) ? 1 : -1;
	return memcmp(a->key, b->key, (size_t)ks);
}

/* --- keys ------------------------------------------------------------------------------ */

static void put_json_str(FILE *out, const char *s, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* Frame i of stack key k into buf; 0 past the last frame. */
static int stack_frame(struct surf_aggregator *a, enum surf_agg_src src, uint64_t key,
		       const uint64_t *ips, int i, char *buf, size_t len)
{
	struct surf_sym sym;
	int ret;

	if (i >= STACK_DEPTH || !ips[i])
		return 0;
	if (src == SURF_AGG_KSTACK) {
		if (!a->ksyms)
			surf_ksyms__load_cached(&a->ksyms, a->cache_dir[0] ? a->cache_dir : NULL);
		ret = a->ksyms ? surf_ksyms__find(a->ksyms, ips[i], &sym) : -ENOENT;
	} else {
		if (!a->usyms)
			surf_usyms__new(&a->usyms);
		ret = a->usyms ? surf_usyms__find(a->usyms, gen_agg_stack_pid(key), ips[i], &sym)
			       : -ENOENT;
	}
	if (ret)
		snprintf(buf, len, "0x%" PRIx64, ips[i]);
	else
		surf_sym__format(&sym, ips[i], buf, len);
	return 1;
}

/* The frames of a stack key, read from the stack map; false when it was not recorded. */
static bool stack_ips(struct surf_aggregator *a, uint64_t key, uint64_t *ips)
{
	__u32 id = (__u32)gen_agg_stack_id(key);

	memset(ips, 0, STACK_DEPTH * sizeof(*ips));
	return gen_agg_stack_id(key) >= 0 && !bpf_map_lookup_elem(a->stack_fd, &id, ips);
}

static void print_stack(FILE *out, struct surf_aggregator *a, const struct gen_agg_src *k,
			const char *name, uint64_t key, bool json)
{
	uint64_t ips[STACK_DEPTH];
	char frame[512];
	bool ok = stack_ips(a, key, ips);

	if (json)
		fputc('[', out);
	else
		fprintf(out, "\n    %s:", name);
	if (!ok) {
		snprintf(frame, sizeof(frame), "[not recorded: %s]",
			 gen_agg_stack_id(key) == -EEXIST ? "another stack had its slot" :
			 strerror(-gen_agg_stack_id(key)));
		if (json)
			put_json_str(out, frame, sizeof(frame));
		else
			fprintf(out, "\n        %s", frame);
	}
	for (int i = 0; ok && stack_frame(a, k->src, key, ips, i, frame, sizeof(frame)); i++) {
		if (json) {
			if (i)
				fputs(", ", out);
			put_json_str(out, frame, sizeof(frame));
		} else {
			fprintf(out, "\n        %s", frame);
		}
	}
	if (json)
		fputc(']', out);
}

/* The keys: "name=value ..." (stacks on the lines after), or a JSON array. */

/* A string key's bytes as shown: a JVM class name with dots ("java.lang.Thread"). */
static const char *str_key(const struct gen_agg_src *k, const uint8_t *bytes, char *buf,
			   size_t len)
{
	size_t n = (size_t)gen_agg_src_size(k);

	if (!k->dots || n > len)
		return (const char *)bytes;
	for (size_t i = 0; i < n; i++)
		buf[i] = bytes[i] == '/' ? '.' : (char)bytes[i];
	return buf;
}

static void print_keys(FILE *out, struct surf_aggregator *a, const uint8_t *key, bool json,
		       bool stacks)
{
	const struct surf_agg *agg = a->def->agg;
	const struct gen_agg_desc *d = &a->main.desc;
	int off = 0, n = 0;

	if (json)
		fputc('[', out);
	for (int i = 0; i < d->nkeys; off += gen_agg_src_size(&d->keys[i]), i++) {
		const struct gen_agg_src *k = &d->keys[i];
		bool is_stack = k->src == SURF_AGG_KSTACK || k->src == SURF_AGG_USTACK;
		bool is_str = k->src == SURF_AGG_COMM || k->str;
		char name[GEN_AGG_MAX_KEY];
		const char *str = NULL;
		int64_t v;

		memcpy(&v, key + off, 8);
		if (is_stack && (json || stacks)) {
			if (json && n++)
				fputs(", ", out);
			print_stack(out, a, k, agg->keys[i].name, (uint64_t)v, json);
			continue;
		}
		if (is_stack || (stacks && !json))
			continue;
		if (json && n++)
			fputs(", ", out);
		else if (!json && n++)
			fputc(' ', out);
		if (is_str)
			str = str_key(k, key + off, name, sizeof(name));
		if (json && is_str)
			put_json_str(out, str, (size_t)gen_agg_src_size(k));
		else if (json)
			fprintf(out, "%" PRId64, v);
		else if (is_str)
			fprintf(out, "%s=%.*s", agg->keys[i].name, gen_agg_src_size(k), str);
		else
			fprintf(out, "%s=%" PRId64, agg->keys[i].name, v);
	}
	if (json)
		fputc(']', out);
}

/* --- values ---------------------------------------------------------------------------- */

static void print_value(FILE *out, enum surf_agg_kind kind, const uint64_t *v, bool json)
{
	int64_t avg = v[0] ? (int64_t)v[1] / (int64_t)v[0] : 0;

	switch (kind) {
	case SURF_AGG_SUM:
		fprintf(out, "%" PRId64, (int64_t)v[1]);
		break;
	case SURF_AGG_AVG:
		fprintf(out, "%" PRId64, avg);
		break;
	case SURF_AGG_MIN:
		fprintf(out, "%" PRId64, (int64_t)v[2]);
		break;
	case SURF_AGG_MAX:
		fprintf(out, "%" PRId64, (int64_t)v[3]);
		break;
	case SURF_AGG_STATS:
		fprintf(out, json ? "{\"count\": %" PRIu64 ", \"sum\": %" PRId64 ", \"avg\": %"
			PRId64 ", \"min\": %" PRId64 ", \"max\": %" PRId64 "}" :
			"count %" PRIu64 " sum %" PRId64 " avg %" PRId64 " min %" PRId64 " max %"
			PRId64, v[0], (int64_t)v[1], avg, (int64_t)v[2], (int64_t)v[3]);
		break;
	default:
		fprintf(out, "%" PRIu64, v[0]);
		break;
	}
}

/* A histogram's counts by bucket (value 0 of a power-of-two one shown with 1, as bcc). */
static int bucket_counts(const struct gen_agg_desc *d, const struct entry *e, size_t n,
			 uint64_t *counts, bool merge_zero)
{
	int ks = keys_size(d);
	int nb = d->kind == SURF_AGG_LHIST ? (int)((d->lmax - d->lmin) / d->lstep) + 2 : 65;

	memset(counts, 0, MAX_BUCKETS * sizeof(*counts));
	for (size_t i = 0; i < n; i++) {
		uint64_t b;

		memcpy(&b, e[i].key + ks, 8);
		if (b < MAX_BUCKETS)
			counts[b] += e[i].v[0];
	}
	if (merge_zero && d->kind != SURF_AGG_LHIST) {
		counts[1] += counts[0];
		counts[0] = 0;
	}
	return nb;
}

static void print_bar(FILE *out, uint64_t n, uint64_t max)
{
	int stars = max ? (int)(n * 40 / max) : 0;

	fprintf(out, "|%.*s%*s|\n", stars, "****************************************",
		40 - stars, "");
}

/* One histogram in bcc's layout. */
static void print_hist(FILE *out, const struct surf_aggregator *a, const struct entry *e,
		       size_t n)
{
	const struct gen_agg_desc *d = &a->main.desc;
	bool log2 = d->kind != SURF_AGG_LHIST;
	uint64_t counts[MAX_BUCKETS], max = 0;
	int w, last = -1, nb = bucket_counts(d, e, n, counts, true);
	const char *unit = d->kind == SURF_AGG_LAT ? "nsecs" : a->def->agg->value.name;

	for (int b = 0; b < nb; b++) {
		if (counts[b] > max)
			max = counts[b];
		if (counts[b])
			last = b;
	}
	/* bcc's two widths: values up to 2^32 in 10 columns, larger ones in 20. */
	w = log2 ? (last <= 32 ? 10 : 20) : 10;
	if (!log2 && (d->lmax > 999999999 || d->lmin < -99999999))
		w = 20;
	fprintf(out, "%*s%-*s : count     distribution\n", w - 5, "", 2 * w - 1, unit);
	for (int b = log2 ? 1 : 0; b <= last; b++) {
		if (log2) {
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

/* A histogram's non-empty buckets as JSON; an open end of lhist's is null. */
static void print_hist_json(FILE *out, const struct gen_agg_desc *d, const struct entry *e,
			    size_t n)
{
	uint64_t counts[MAX_BUCKETS];
	int nb = bucket_counts(d, e, n, counts, false), k = 0;

	fputs("[", out);
	for (int b = 0; b < nb; b++) {
		if (!counts[b])
			continue;
		fputs(k++ ? ", " : "", out);
		if (d->kind != SURF_AGG_LHIST)
			fprintf(out, "{\"low\": %" PRIu64 ", \"high\": %" PRIu64,
				(uint64_t)(b ? 1ull << (b - 1) : 0),
				(uint64_t)(b == 64 ? UINT64_MAX : b ? (1ull << b) - 1 : 0));
		else if (b == 0)
			fprintf(out, "{\"low\": null, \"high\": %" PRId64, d->lmin - 1);
		else if (b == nb - 1)
			fprintf(out, "{\"low\": %" PRId64 ", \"high\": null", d->lmax);
		else
			fprintf(out, "{\"low\": %" PRId64 ", \"high\": %" PRId64,
				d->lmin + (b - 1) * d->lstep, d->lmin + b * d->lstep - 1);
		fprintf(out, ", \"count\": %" PRIu64 "}", counts[b]);
	}
	fputs("]", out);
}

static bool has_stacks(const struct gen_agg_desc *d)
{
	for (int i = 0; i < d->nkeys; i++)
		if (d->keys[i].src == SURF_AGG_KSTACK || d->keys[i].src == SURF_AGG_USTACK)
			return true;
	return false;
}

int surf_aggregator__print(struct surf_aggregator *a, FILE *out,
			   const struct surf_agg_print_opts *opts)
{
	const struct gen_agg_desc *d = &a->main.desc;
	struct collected c = { .key_size = gen_agg_key_size(d) };
	const struct surf_agg *agg = a->def->agg;
	struct surf_agg_print_opts o;
	bool stacks = has_stacks(d);
	int ks = keys_size(d), ret;
	size_t n;

	if (!OPTS_VALID(opts, struct surf_agg_print_opts))
		return -EINVAL;
	OPTS_COPY(&o, opts);
	ret = gen_agg_read(d, a->map_fd, collect, &c);
	if (ret)
		goto out;
	qsort_r(c.e, c.n, sizeof(*c.e), cmp_entry, (void *)d);
	n = !is_hist(d->kind) && o.top && o.top < c.n ? o.top : c.n;
	if (o.json) {
		fputs("{\"probe\": ", out);
		put_json_str(out, a->def->name, strlen(a->def->name));
		fprintf(out, ", \"agg\": \"%s\", \"entries\": [", surf_agg_kind__name(agg->kind));
	} else {
		fprintf(out, "%s: a:%s\n", a->def->name, surf_agg_kind__name(agg->kind));
	}
	for (size_t i = 0, j; i < n; i = j) {
		j = i + 1;
		if (is_hist(d->kind))	/* one histogram: the entries of one key */
			while (j < n && !memcmp(c.e[i].key, c.e[j].key, (size_t)ks))
				j++;
		if (o.json) {
			fputs(i ? ", {\"key\": " : "{\"key\": ", out);
			print_keys(out, a, c.e[i].key, true, false);
			if (is_hist(d->kind)) {
				fputs(", \"buckets\": ", out);
				print_hist_json(out, d, c.e + i, j - i);
			} else {
				fputs(", \"value\": ", out);
				print_value(out, agg->kind, c.e[i].v, true);
			}
			fputc('}', out);
			continue;
		}
		if (is_hist(d->kind)) {
			if (d->nkeys) {
				print_keys(out, a, c.e[i].key, false, false);
				print_keys(out, a, c.e[i].key, false, true);
				fputc('\n', out);
			}
			print_hist(out, a, c.e + i, j - i);
			if (j < n)
				fputc('\n', out);
			continue;
		}
		print_keys(out, a, c.e[i].key, false, false);
		if (d->nkeys && !(stacks && d->nkeys == 1))
			fputs(": ", out);
		print_value(out, agg->kind, c.e[i].v, false);
		if (stacks)
			print_keys(out, a, c.e[i].key, false, true);
		fputc('\n', out);
	}
	if (o.json)
		fputs("]}\n", out);
	else if (n < c.n)
		fprintf(out, "(%zu more entries)\n", c.n - n);
out:
	for (size_t i = 0; i < c.n; i++)
		free(c.e[i].key);
	free(c.e);
	return ret;
}

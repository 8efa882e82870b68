// SPDX-License-Identifier: MIT
/*
 * From a compiled expression with an a: clause to what the generator needs
 * (gen_agg_desc): tracepoint fields located in the event's format (parsed
 * by libtraceevent), arguments of kernel and user probes as their fetch
 * text.  What the generator cannot do yet is refused here with a sentence,
 * before anything is loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include "gen/agg.h"
#include "gen/desc.h"
#include "gen/filter.h"
#include "gen/gen.h"

/* Bytes a string key keeps: its array's, rounded up to 8, or GEN_AGG_STR_KEY. */
static int str_key_size(int size)
{
	return size > 0 && size < GEN_AGG_STR_KEY ? (size + 7) / 8 * 8 : GEN_AGG_STR_KEY;
}

/*
 * A field of the record as a source: a number, or as a key (as_key) a
 * string, in place (char array) or at its __data_loc.
 */
static int field_src(struct tep_event *ev, const char *name, bool as_key,
		     struct gen_agg_src *out, char *errbuf, size_t errlen)
{
	struct tep_format_field *f = ev ? tep_find_field(ev, name) : NULL;
	bool str = f && (f->flags & (TEP_FIELD_IS_STRING | TEP_FIELD_IS_DYNAMIC));

	if (!f) {
		snprintf(errbuf, errlen, "the tracepoint's format has no field '%s'", name);
		return -ENOENT;
	}
	if (str && !as_key) {
		snprintf(errbuf, errlen, "'%s' is a string: a number is needed here", name);
		return -EINVAL;
	}
	out->src = SURF_AGG_FIELD;
	out->offset = f->offset;
	out->size = f->size;
	out->is_signed = f->flags & TEP_FIELD_IS_SIGNED;
	if (str && (f->flags & TEP_FIELD_IS_DYNAMIC)) {
		out->str = GEN_STR_DATA_LOC;
		out->key_size = GEN_AGG_STR_KEY;
		return 0;
	}
	if (str) {
		out->str = GEN_STR_ARRAY;
		out->key_size = str_key_size(f->size);
		return 0;
	}
	if (f->flags & TEP_FIELD_IS_ARRAY) {
		snprintf(errbuf, errlen, "'%s' is an array of numbers: pick a number or a string",
			 name);
		return -EINVAL;
	}
	if (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8) {
		snprintf(errbuf, errlen, "'%s' has %d bytes: not a number", name, f->size);
		return -EINVAL;
	}
	return 0;
}

/* A source by reference: a key (as_key: strings and stacks allowed) or a number. */
static int ref_src(const struct surf_probe_def *def, struct tep_event *ev,
		   const struct surf_agg_ref *r, bool as_key, struct gen_agg_src *out,
		   char *errbuf, size_t errlen)
{
	const struct surf_arg *arg = r->index >= 0 ? &def->args[r->index] : NULL;

	memset(out, 0, sizeof(*out));
	switch (r->src) {
	case SURF_AGG_ARG:
		if (def->kind == SURF_PROBE_EVENT)	/* NAME=FIELD: the fetch is the field */
			return field_src(ev, arg->fetch, as_key, out, errbuf, errlen);
		out->src = SURF_AGG_ARG;
		out->fetch = arg->fetch;
		out->type = arg->type;
		if (arg->len_arg > 0 && arg->len_arg <= def->nargs) {	/* J's names */
			if (!as_key) {
				snprintf(errbuf, errlen, "'%s' is a string: a number is needed here",
					 r->name);
				return -EINVAL;
			}
			out->str = GEN_STR_PTR_LEN;
			out->key_size = GEN_AGG_STR_KEY;
			out->len_fetch = def->args[arg->len_arg - 1].fetch;
			out->len_type = def->args[arg->len_arg - 1].type;
			out->dots = arg->conv == SURF_CONV_JAVA_CLASS;
			return 0;
		}
		if (arg->type && (!strcmp(arg->type, "string") || !strcmp(arg->type, "ustring"))) {
			if (!as_key) {
				snprintf(errbuf, errlen, "'%s' is a string: a number is needed here",
					 r->name);
				return -EINVAL;
			}
			out->str = GEN_STR_PTR;
			out->key_size = GEN_AGG_STR_KEY;
		}
		return 0;
	case SURF_AGG_FIELD:
		return field_src(ev, r->name, as_key, out, errbuf, errlen);
	case SURF_AGG_KSTACK:
	case SURF_AGG_USTACK:
	case SURF_AGG_COMM:
		if (!as_key) {
			snprintf(errbuf, errlen, "'%s' is not a number: it can only be a key",
				 r->name);
			return -EINVAL;
		}
		out->src = r->src;
		return 0;
	default:
		out->src = r->src;
		return 0;
	}
}

struct filter_names {
	const struct surf_probe_def *def;
	struct tep_event *ev;
	struct gen_agg_desc *d;
	char *errbuf;
	size_t errlen;
};

/* gen_filter's loader, emitting nothing: each name f: compares resolved to its source. */
static int resolve_filter_name(void *ctx, const char *name, bool *is_signed)
{
	struct filter_names *c = ctx;
	struct gen_agg_desc *d = c->d;
	struct surf_agg_ref ref = { .name = (char *)name, .index = -1 };
	int ret;

	*is_signed = false;
	for (int i = 0; i < d->nfnames; i++)
		if (!strcmp(d->fnames[i].name, name))
			return 0;
	if (d->nfnames == (int)(sizeof(d->fnames) / sizeof(d->fnames[0]))) {
		snprintf(c->errbuf, c->errlen, "f: names more than %zu values",
			 sizeof(d->fnames) / sizeof(d->fnames[0]));
		return -E2BIG;
	}
	for (int i = 0; i < c->def->nargs; i++)
		if (!strcmp(c->def->args[i].name, name)) {
			ref.src = SURF_AGG_ARG;
			ref.index = i;
		}
	if (!ref.src)
		ref.src = !strcmp(name, "common_pid") ? SURF_AGG_TID : SURF_AGG_FIELD;
	ret = ref_src(c->def, c->ev, &ref, false, &d->fnames[d->nfnames].src, c->errbuf,
		      c->errlen);
	if (ret == -EINVAL && strstr(c->errbuf, "a string")) {
		snprintf(c->errbuf, c->errlen, "f: compares '%s', a string or an array: string "
			 "comparisons are not done in BPF yet", name);
		ret = -EOPNOTSUPP;
	}
	if (ret)
		return ret;
	snprintf(d->fnames[d->nfnames++].name, sizeof(d->fnames[0].name), "%s", name);
	return 0;
}

/*
 * The names f: compares, each resolved to its source: the filter parsed
 * by the generator itself (into a scratch program), so that both agree on
 * what a name is.
 */
static int filter_names(const struct surf_probe_def *def, struct tep_event *ev,
			struct gen_agg_desc *d, char *errbuf, size_t errlen)
{
	struct filter_names c = { def, ev, d, errbuf, errlen };
	struct gen g;
	int ret;

	d->filter = def->filter;
	gen_init(&g);
	ret = gen_filter(&g, def->filter, resolve_filter_name, &c, gen_label(&g), errbuf, errlen);
	gen_free(&g);
	return ret;
}

/* J: its class and method patterns, with the arguments holding the names. */
static void java_globs(const struct surf_probe_def *def, struct gen_agg_desc *d)
{
	const char *globs[2] = { def->java_class, def->java_method };
	const char *names[2] = { "class", "method" };

	for (int j = 0; j < 2; j++)
		for (int i = 0; i < def->nargs; i++) {
			const struct surf_arg *a = &def->args[i];

			if (strcmp(a->name, names[j]) || a->len_arg <= 0 || a->len_arg > def->nargs)
				continue;
			d->java[d->njava++] = (struct gen_agg_java){
				.glob = globs[j], .is_class = j == 0, .ptr_fetch = a->fetch,
				.len_fetch = def->args[a->len_arg - 1].fetch,
				.len_type = def->args[a->len_arg - 1].type,
			};
		}
}

/* J: where the method's name is (its Symbol: one per method name); NULL for others. */
static const char *java_method_fetch(const struct surf_probe_def *def)
{
	for (int i = 0; def->java_class && i < def->nargs; i++)
		if (!strcmp(def->args[i].name, "method") && def->args[i].len_arg)
			return def->args[i].fetch;
	return NULL;
}

/* The event's format parsed (e expressions; NULL *ev for probes), common fields of d set. */
static int describe_common(const struct surf_probe_def *def, char *format, size_t format_len,
			   const char *arch, struct tep_handle **tep, struct tep_event **ev,
			   struct gen_agg_desc *d, char *errbuf, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	*tep = NULL;
	*ev = NULL;
	if (def->kind == SURF_PROBE_EVENT) {
		*tep = tep_alloc();
		if (!*tep)
			return -ENOMEM;
		if (!format || tep_parse_format(*tep, ev, format, format_len, def->group) !=
				       TEP_ERRNO__SUCCESS) {
			snprintf(errbuf, errlen, "cannot parse the format of %s", def->location);
			return -EINVAL;
		}
	}
	if (def->java_class)
		java_globs(def, d);
	d->tracepoint = def->kind == SURF_PROBE_EVENT;
	d->user = surf_probe_kind__is_user(def->kind);
	d->arch = arch;
	d->map_fd = d->drops_fd = d->start_fd = d->stack_fd = d->pids_fd = GEN_MAP_NONE;
	return 0;
}

static int describe_filter(const struct surf_probe_def *def, struct tep_event *ev,
			   struct gen_agg_desc *d, char *errbuf, size_t errlen)
{
	return def->filter ? filter_names(def, ev, d, errbuf, errlen) : 0;
}

int gen_agg_describe(const struct surf_probe_def *def, char *format, size_t format_len,
		     const char *arch, struct gen_agg_desc *d, char *errbuf, size_t errlen)
{
	const struct surf_agg *a = def->agg;
	struct tep_handle *tep;
	struct tep_event *ev;
	int ret;

	if (!a)
		return -EINVAL;
	ret = describe_common(def, format, format_len, arch, &tep, &ev, d, errbuf, errlen);
	d->role = GEN_AGG_UPDATE;
	d->kind = a->kind;
	d->lmin = a->lmin;
	d->lmax = a->lmax;
	d->lstep = a->lstep;
	if (!ret && a->kind == SURF_AGG_LAT) {	/* matched by the thread, or by a value */
		d->lat_key.src = SURF_AGG_TID;
		if (a->lat_event)
			ret = ref_src(def, ev, &a->value, false, &d->lat_key, errbuf, errlen);
		else
			d->lat_method_fetch = java_method_fetch(def);
	} else if (!ret && a->value.src) {
		ret = ref_src(def, ev, &a->value, false, &d->value, errbuf, errlen);
	}
	for (int i = 0; !ret && i < a->nkeys; i++) {
		ret = ref_src(def, ev, &a->keys[i], true, &d->keys[i], errbuf, errlen);
		d->nkeys = i + 1;
	}
	if (!ret)
		ret = describe_filter(def, ev, d, errbuf, errlen);
	if (!ret && gen_agg_key_size(d) > GEN_AGG_MAX_KEY) {
		snprintf(errbuf, errlen, "the keys take %d bytes: at most %d",
			 gen_agg_key_size(d), GEN_AGG_MAX_KEY);
		ret = -E2BIG;
	}
	tep_free(tep);
	return ret;
}

int gen_agg_describe_start(const struct surf_probe_def *start, char *format, size_t format_len,
			   const char *arch, const struct surf_agg *lat, struct gen_agg_desc *d,
			   char *errbuf, size_t errlen)
{
	struct tep_handle *tep;
	struct tep_event *ev;
	int ret = describe_common(start, format, format_len, arch, &tep, &ev, d, errbuf, errlen);

	d->role = GEN_AGG_LAT_START;
	d->kind = SURF_AGG_LAT;
	d->lat_key.src = SURF_AGG_TID;
	if (!lat->lat_start)
		d->lat_method_fetch = java_method_fetch(start);
	if (!ret && lat->lat_start) {	/* lat(f0.s==s): f0's s */
		struct surf_agg_ref ref = { .src = SURF_AGG_FIELD, .name = lat->lat_start,
					    .index = -1 };

		for (int i = 0; i < start->nargs; i++)
			if (!strcmp(start->args[i].name, lat->lat_start)) {
				ref.src = SURF_AGG_ARG;
				ref.index = i;
			}
		if (ref.src == SURF_AGG_FIELD && (!ev || !tep_find_field(ev, lat->lat_start))) {
			snprintf(errbuf, errlen, "lat(%s.%s==...): %s has no argument%s named '%s'",
				 lat->lat_event, lat->lat_start, start->name, ev ? " or field" : "",
				 lat->lat_start);
			ret = -EINVAL;
		} else {
			ret = ref_src(start, ev, &ref, false, &d->lat_key, errbuf, errlen);
		}
	}
	if (!ret)
		ret = describe_filter(start, ev, d, errbuf, errlen);
	tep_free(tep);
	return ret;
}

int gen_tp_field_offset(char *format, size_t format_len, const char *name, int size)
{
	struct tep_handle *tep = tep_alloc();
	struct tep_format_field *f;
	struct tep_event *ev = NULL;
	int ret = -ENOENT;

	if (!tep)
		return -ENOMEM;
	if (tep_parse_format(tep, &ev, format, format_len, "") == TEP_ERRNO__SUCCESS) {
		f = tep_find_field(ev, name);
		if (f && f->size == size)
			ret = f->offset;
	}
	tep_free(tep);
	return ret;
}

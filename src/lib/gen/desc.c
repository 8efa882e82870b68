// SPDX-License-Identifier: MIT
/*
 * From a compiled expression with an a: clause to what the generator needs
 * (gen_agg_desc): tracepoint fields located in the event's format (parsed
 * by libtraceevent), arguments of kernel and user probes as their fetch
 * text.  What the generator cannot do yet is refused here with a sentence,
 * before anything is loaded.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include "gen/agg.h"
#include "gen/desc.h"

/* A field of the record as a number source; -EOPNOTSUPP for strings and arrays. */
static int field_src(struct tep_event *ev, const char *name, struct gen_agg_src *out,
		     char *errbuf, size_t errlen)
{
	struct tep_format_field *f = ev ? tep_find_field(ev, name) : NULL;

	if (!f) {
		snprintf(errbuf, errlen, "the tracepoint's format has no field '%s'", name);
		return -ENOENT;
	}
	if (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC | TEP_FIELD_IS_STRING)) {
		snprintf(errbuf, errlen, "'%s' is %s: aggregating by it is not done yet", name,
			 f->flags & TEP_FIELD_IS_DYNAMIC ? "a string" : "an array");
		return -EOPNOTSUPP;
	}
	if (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8) {
		snprintf(errbuf, errlen, "'%s' has %d bytes: not a number", name, f->size);
		return -EOPNOTSUPP;
	}
	out->src = SURF_AGG_FIELD;
	out->offset = f->offset;
	out->size = f->size;
	out->is_signed = f->flags & TEP_FIELD_IS_SIGNED;
	return 0;
}

static int ref_src(const struct surf_probe_def *def, struct tep_event *ev,
		   const struct surf_agg_ref *r, struct gen_agg_src *out, char *errbuf,
		   size_t errlen)
{
	memset(out, 0, sizeof(*out));
	switch (r->src) {
	case SURF_AGG_ARG:
		if (def->kind == SURF_PROBE_EVENT)	/* NAME=FIELD: the fetch is the field */
			return field_src(ev, def->args[r->index].fetch, out, errbuf, errlen);
		if (def->args[r->index].type && !strcmp(def->args[r->index].type, "string")) {
			snprintf(errbuf, errlen, "'%s' is a string: aggregating by it is not done "
				 "yet", r->name);
			return -EOPNOTSUPP;
		}
		out->src = SURF_AGG_ARG;
		out->fetch = def->args[r->index].fetch;
		out->type = def->args[r->index].type;
		return 0;
	case SURF_AGG_FIELD:
		return field_src(ev, r->name, out, errbuf, errlen);
	case SURF_AGG_KSTACK:
	case SURF_AGG_USTACK:
		snprintf(errbuf, errlen, "%s keys are not done yet", r->name);
		return -EOPNOTSUPP;
	default:
		out->src = r->src;
		return 0;
	}
}

/* The names f: compares (a name, then an operator), each resolved to its source. */
static int filter_names(const struct surf_probe_def *def, struct tep_event *ev,
			struct gen_agg_desc *d, char *errbuf, size_t errlen)
{
	const char *s = def->filter;

	d->filter = def->filter;
	while (*s) {
		struct surf_agg_ref ref = { .index = -1 };
		char name[64];
		size_t n = 0;
		int ret;

		if (*s == '"' || *s == '\'') {	/* a string: skipped whole */
			char q = *s++;

			while (*s && *s != q)
				s += *s == '\\' && s[1] ? 2 : 1;
			s += *s ? 1 : 0;
			continue;
		}
		if (!(isalpha((unsigned char)*s) || *s == '_')) {
			/* a number's digits and letters (0x1f) are not names */
			if (isdigit((unsigned char)*s))
				while (isalnum((unsigned char)*s))
					s++;
			else
				s++;
			continue;
		}
		while (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '.')
			n++;
		if (n >= sizeof(name)) {
			snprintf(errbuf, errlen, "a name of f: is too long");
			return -EINVAL;
		}
		memcpy(name, s, n);
		name[n] = '\0';
		s += n;
		for (int i = 0; i < d->nfnames; i++)
			if (!strcmp(d->fnames[i].name, name))
				goto next;
		if (d->nfnames == (int)(sizeof(d->fnames) / sizeof(d->fnames[0]))) {
			snprintf(errbuf, errlen, "f: names more than %zu values",
				 sizeof(d->fnames) / sizeof(d->fnames[0]));
			return -E2BIG;
		}
		ref.name = name;
		for (int i = 0; i < def->nargs; i++)
			if (!strcmp(def->args[i].name, name)) {
				ref.src = SURF_AGG_ARG;
				ref.index = i;
			}
		if (!ref.src)
			ref.src = !strcmp(name, "common_pid") ? SURF_AGG_TID : SURF_AGG_FIELD;
		ret = ref_src(def, ev, &ref, &d->fnames[d->nfnames].src, errbuf, errlen);
		if (ret == -EOPNOTSUPP)
			snprintf(errbuf, errlen, "f: compares '%s', a string or an array: string "
				 "comparisons are not done in BPF yet", name);
		if (ret)
			return ret;
		snprintf(d->fnames[d->nfnames++].name, sizeof(d->fnames[0].name), "%s", name);
next:;
	}
	return 0;
}

int gen_agg_describe(const struct surf_probe_def *def, char *format, size_t format_len,
		     const char *arch, struct gen_agg_desc *d, char *errbuf, size_t errlen)
{
	const struct surf_agg *a = def->agg;
	struct tep_handle *tep = NULL;
	struct tep_event *ev = NULL;
	int ret = 0;

	memset(d, 0, sizeof(*d));
	if (!a)
		return -EINVAL;
	if (a->kind == SURF_AGG_LAT) {
		snprintf(errbuf, errlen, "lat() is not done yet");
		return -EOPNOTSUPP;
	}
	if (def->kind == SURF_PROBE_EVENT) {
		tep = tep_alloc();
		if (!tep)
			return -ENOMEM;
		if (!format || tep_parse_format(tep, &ev, format, format_len, def->group) !=
				       TEP_ERRNO__SUCCESS) {
			snprintf(errbuf, errlen, "cannot parse the format of %s", def->location);
			tep_free(tep);
			return -EINVAL;
		}
	}
	d->kind = a->kind;
	d->lmin = a->lmin;
	d->lmax = a->lmax;
	d->lstep = a->lstep;
	d->tracepoint = def->kind == SURF_PROBE_EVENT;
	d->user = surf_probe_kind__is_user(def->kind);
	d->arch = arch;
	if (a->value.src)
		ret = ref_src(def, ev, &a->value, &d->value, errbuf, errlen);
	for (int i = 0; !ret && i < a->nkeys; i++) {
		ret = ref_src(def, ev, &a->keys[i], &d->keys[i], errbuf, errlen);
		d->nkeys = i + 1;
	}
	if (!ret && def->filter)
		ret = filter_names(def, ev, d, errbuf, errlen);
	if (!ret && gen_agg_key_size(d) > GEN_AGG_MAX_KEY) {
		snprintf(errbuf, errlen, "the keys take %d bytes: at most %d",
			 gen_agg_key_size(d), GEN_AGG_MAX_KEY);
		ret = -E2BIG;
	}
	tep_free(tep);
	return ret;
}

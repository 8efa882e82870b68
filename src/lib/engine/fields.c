// SPDX-License-Identifier: MIT
/*
 * Fields of an event: the format is parsed once with libtraceevent into a
 * flat table, and records are then read through integer handles with plain
 * bounds-checked loads.  libtraceevent's own accessors look fields up by name
 * (a linear strcmp) and do not check bounds, so they stay off the hot path.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include <traceevent/event-parse.h>

#include "engine/internal.h"
#include "types/provider.h"

/*
 * A syscall argument that is a NUL-terminated string the caller passes in:
 * every "const char *", and the few "char *" that are (mount's and utime's:
 * the others, read's buf, getcwd's buf..., are buffers the kernel fills, and
 * "const char *const *" is execve's argv, an array).
 */
static bool is_input_string(const struct tep_format_field *tf)
{
	static const char *const char_star_inputs[] = { "filename", "dev_name", "dir_name", "type" };

	if (!strcmp(tf->type, "const char *"))
		return true;
	if (strcmp(tf->type, "char *"))
		return false;
	for (size_t i = 0; i < sizeof(char_star_inputs) / sizeof(char_star_inputs[0]); i++)
		if (!strcmp(tf->name, char_star_inputs[i]))
			return true;
	return false;
}

static void fill_field(struct field *f, const struct tep_format_field *tf, bool common,
		       bool syscall)
{
	unsigned long flags = tf->flags;

	f->info.name = tf->name;
	f->info.offset = (uint32_t)tf->offset;
	f->info.size = (uint32_t)tf->size;
	f->info.is_signed = flags & TEP_FIELD_IS_SIGNED;
	f->info.dynamic = flags & TEP_FIELD_IS_DYNAMIC;
	f->info.common = common;
	f->rel = flags & TEP_FIELD_IS_RELATIVE;
	f->bytes = (uint32_t)tf->size;
	/*
	 * A string as the kernel's filters and "fields" output have it: an array
	 * of char.  libtraceevent also calls u8 arrays strings, but those are
	 * bytes (an IPv4 address stops at its first zero as a string).
	 */
	if ((flags & TEP_FIELD_IS_STRING) && strstr(tf->type, "char")) {
		f->info.kind = SURF_FIELD_STRING;
		f->info.size = 1;
	} else if (flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)) {
		f->info.kind = SURF_FIELD_ARRAY;
		if (tf->elementsize > 0)
			f->info.size = (uint32_t)tf->elementsize;
	} else {
		f->info.kind = SURF_FIELD_INT;
		/* Decided once here, not per record: output reads these strings. */
		f->info.user_string = syscall && tf->size == 8 && is_input_string(tf);
	}
}

static int enum_cmp(const void *a, const void *b)
{
	return strcmp(((const struct enum_const *)a)->name, ((const struct enum_const *)b)->name);
}

static int add_enum_const(void *ctx, const char *name, int64_t value)
{
	struct surf_engine *e = ctx;

	if (e->nenums == e->enums_cap) {
		size_t cap = e->enums_cap ? e->enums_cap * 2 : 4096;
		struct enum_const *grown = realloc(e->enums, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		e->enums = grown;
		e->enums_cap = cap;
	}
	e->enums[e->nenums].name = name;
	e->enums[e->nenums++].value = value;
	return 0;
}

/*
 * The enum constants of the running kernel, from its BTF, once: mapped, not
 * parsed whole (names point into the mapping, kept until the engine goes).
 */
static void load_enums(struct surf_engine *e)
{
	e->enums_tried = true;
	if (surf_btf_view_open_vmlinux(&e->btf, "/sys/kernel/btf", e->opts.cache_dir)) {
		e->btf = NULL;
		return;
	}
	if (surf_btf_view_for_each_enumerator(e->btf, add_enum_const, e))
		e->nenums = 0;
	qsort(e->enums, e->nenums, sizeof(*e->enums), enum_cmp);
}

void fields_free_enums(struct surf_engine *e)
{
	free(e->enums);
	if (e->btf)
		e->btf->ops->destroy(e->btf);
}

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/*
 * The print format as libtraceevent can evaluate it.  The kernel's output
 * evaluates it compiled, so two things it cannot see have to be done here:
 * - enum constants that the format names without a TRACE_DEFINE_ENUM
 *   (__print_symbolic(REC->mode, { HRTIMER_MODE_ABS, "ABS" }, ...)) become
 *   their values from the kernel's BTF (live engines only: an offline format
 *   may come from another kernel);
 * - a parenthesised OR of constants, "(0x00040000 | 0x00080000)", becomes its
 *   value: libtraceevent 1.7 drops such parentheses, so that
 *   "flags & (A | B)" reads as "(flags & A) | B" (timer_start's flags);
 * - a raw tab in a string becomes \t, which libtraceevent can parse.
 * Returns a new string, or NULL when there is nothing to change.
 */
static char *evaluable_format(struct surf_engine *e, const char *format, size_t size)
{
	const char *fmt = strstr(format, "\nprint fmt:"), *p;
	char *out, *o;
	bool quoted = false, changed = false;

	if (!fmt)
		return NULL;
	out = malloc(size * 2 + 64);	/* a value is never much longer than its name */
	if (!out)
		return NULL;
	o = out + (fmt - format);
	memcpy(out, format, (size_t)(fmt - format));
	for (p = fmt; p < format + size && *p;) {
		if (*p == '"' && p[-1] != '\\')
			quoted = !quoted;
		if (quoted && *p == '\t') {
			/* libtraceevent fails on a raw tab in a string ("%s\tNode", ma_op) */
			*o++ = '\\';
			*o++ = 't';
			p++;
			changed = true;
			continue;
		}
		if (!quoted && *p == '(' && (isdigit((unsigned char)p[1]))) {
			/* (N | N | ...) */
			const char *q = p + 1;
			uint64_t v = 0;
			bool ok = true;

			for (;;) {
				char *end;
				uint64_t n = strtoull(q, &end, 0);

				if (end == q) {
					ok = false;
					break;
				}
				v |= n;
				q = end + strspn(end, " ");
				if (*q == ')')
					break;
				if (*q != '|') {
					ok = false;
					break;
				}
				q += 1 + strspn(q + 1, " ");
			}
			if (ok && strchr(p, '|') && strchr(p, '|') < q) {
				o += sprintf(o, "0x%" PRIx64, v);
				p = q + 1;
				changed = true;
				continue;
			}
		}
		if (!quoted && (isupper((unsigned char)*p) || *p == '_') && !is_ident(p[-1]) &&
		    p[-1] != '>' && !e->opts.offline) {
			struct enum_const key, *c;
			size_t n = 0;
			char name[128];

			while (is_ident(p[n]))
				n++;
			/* REC->field is no constant: only a real name costs a BTF load. */
			if (n < sizeof(name) && strncmp(p + n, "->", 2)) {
				memcpy(name, p, n);
				name[n] = '\0';
				if (!e->enums_tried)
					load_enums(e);
				key.name = name;
				c = e->nenums ? bsearch(&key, e->enums, e->nenums, sizeof(*e->enums),
							enum_cmp) : NULL;
				if (c) {
					o += sprintf(o, "%" PRId64, c->value);
					p += n;
					changed = true;
					continue;
				}
			}
			memcpy(o, p, n);
			o += n;
			p += n;
			continue;
		}
		*o++ = *p++;
	}
	*o = '\0';
	if (!changed) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * A probe's fields to the arguments they record: J's names are strings
 * passed as (pointer, length), read at the event with their length (ustr.c).
 */
static void link_args(struct surf_event *ev)
{
	const struct surf_probe_def *def = ev->def;

	for (int a = 0; def && a < def->nargs; a++) {
		const struct surf_arg *arg = &def->args[a];
		int f = surf_event__field(ev, arg->name), len;

		if (f < 0)
			continue;
		ev->fields[f].arg = arg;
		ev->fields[f].info.hidden = arg->hidden;
		if (arg->len_arg > 0 && arg->len_arg <= def->nargs &&
		    (len = surf_event__field(ev, def->args[arg->len_arg - 1].name)) >= 0) {
			ev->fields[f].len_field = len + 1;
			ev->fields[f].info.user_string = true;
		}
	}
}

int fields_from_format(struct surf_engine *e, struct surf_event *ev, const char *group,
		       char *format, size_t size)
{
	struct tep_format_field *tf;
	char *evaluable = evaluable_format(e, format, size);
	int n = 0, i = 0, ret;

	if (evaluable) {
		format = evaluable;
		size = strlen(evaluable);
	}
	ret = tep_parse_format(e->tep, &ev->tep, format, size, group);
	free(evaluable);
	if (ret != TEP_ERRNO__SUCCESS || !ev->tep)
		return -EINVAL;
	for (tf = ev->tep->format.common_fields; tf; tf = tf->next)
		n++;
	for (tf = ev->tep->format.fields; tf; tf = tf->next)
		n++;
	ev->fields = calloc((size_t)n, sizeof(*ev->fields));
	if (!ev->fields)
		return -ENOMEM;
	for (tf = ev->tep->format.common_fields; tf; tf = tf->next)
		fill_field(&ev->fields[i++], tf, true, false);
	for (tf = ev->tep->format.fields; tf; tf = tf->next)
		fill_field(&ev->fields[i++], tf, false, !strcmp(group, "syscalls"));
	ev->nfields = n;
	link_args(ev);
	return 0;
}

int surf_event__nfields(const struct surf_event *ev)
{
	return ev->nfields;
}

const struct surf_field_info *surf_event__field_info(const struct surf_event *ev, int field)
{
	return field >= 0 && field < ev->nfields ? &ev->fields[field].info : NULL;
}

int surf_event__field(const struct surf_event *ev, const char *name)
{
	for (int i = 0; i < ev->nfields; i++)
		if (!strcmp(ev->fields[i].info.name, name))
			return i;
	return -ENOENT;
}

static const struct field *field_of(const struct surf_record *rec, int field)
{
	const struct surf_event *ev = rec->event;

	if ((unsigned)field >= (unsigned)ev->nfields)
		return NULL;
	return &ev->fields[field];
}

uint64_t surf_record__int(const struct surf_record *rec, int field)
{
	const struct field *f = field_of(rec, field);
	const uint8_t *p;

	if (!f || f->info.kind != SURF_FIELD_INT || f->info.offset + f->info.size > rec->raw_size)
		return 0;
	p = rec->raw + f->info.offset;
	switch (f->info.size) {
	case 1: {
		uint8_t v = *p;

		return f->info.is_signed ? (uint64_t)(int64_t)(int8_t)v : v;
	}
	case 2: {
		uint16_t v;

		memcpy(&v, p, 2);
		return f->info.is_signed ? (uint64_t)(int64_t)(int16_t)v : v;
	}
	case 4: {
		uint32_t v;

		memcpy(&v, p, 4);
		return f->info.is_signed ? (uint64_t)(int64_t)(int32_t)v : v;
	}
	case 8: {
		uint64_t v;

		memcpy(&v, p, 8);
		return v;
	}
	default:
		return 0;
	}
}

const void *surf_record__data(const struct surf_record *rec, int field, uint32_t *len)
{
	const struct field *f = field_of(rec, field);
	uint32_t loc, off, n;

	if (!f || f->info.offset + (f->info.dynamic ? 4 : f->info.size) > rec->raw_size)
		return NULL;
	if (!f->info.dynamic) {
		if (f->info.offset + f->bytes > rec->raw_size)
			return NULL;
		*len = f->bytes;
		return rec->raw + f->info.offset;
	}
	/* __data_loc: u16 offset, u16 length; __rel_loc counts from the field's end. */
	memcpy(&loc, rec->raw + f->info.offset, 4);
	off = loc & 0xffff;
	n = loc >> 16;
	if (f->rel)
		off += f->info.offset + 4;
	if (off > rec->raw_size || n > rec->raw_size - off)
		return NULL;
	*len = n;
	return rec->raw + off;
}

const char *surf_record__str(const struct surf_record *rec, int field, uint32_t *len)
{
	const struct field *f = field_of(rec, field);
	const char *s;
	uint32_t n;

	if (!f || f->info.kind != SURF_FIELD_STRING)
		return NULL;
	s = surf_record__data(rec, field, &n);
	if (!s)
		return NULL;
	/* Up to the NUL, never past the field. */
	*len = (uint32_t)strnlen(s, n);
	return s;
}

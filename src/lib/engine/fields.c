// SPDX-License-Identifier: MIT
/*
 * Fields of an event: the format is parsed once with libtraceevent into a
 * flat table, and records are then read through integer handles with plain
 * bounds-checked loads.  libtraceevent's own accessors look fields up by name
 * (a linear strcmp) and do not check bounds, so they stay off the hot path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include "engine/internal.h"

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
	if (flags & TEP_FIELD_IS_STRING) {
		f->info.kind = SURF_FIELD_STRING;
		f->info.size = 1;
	} else if (flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)) {
		f->info.kind = SURF_FIELD_ARRAY;
		if (tf->elementsize > 0)
			f->info.size = (uint32_t)tf->elementsize;
	} else {
		f->info.kind = SURF_FIELD_INT;
		/* Decided once here, not per record: output reads these strings. */
		f->info.user_string = syscall && tf->size == 8 && strstr(tf->type, "char *") &&
				      !strstr(tf->type, "**");
	}
}

int fields_from_format(struct surf_engine *e, struct surf_event *ev, const char *group,
		       char *format, size_t size)
{
	struct tep_format_field *tf;
	int n = 0, i = 0;

	if (tep_parse_format(e->tep, &ev->tep, format, size, group) != TEP_ERRNO__SUCCESS ||
	    !ev->tep)
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

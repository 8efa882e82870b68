// SPDX-License-Identifier: MIT
/*
 * Records as text lines in ftrace's format, or as JSON lines.
 *
 * This is the hot path of `surftrace > file`: each line is built in a local
 * buffer with hand-rolled number formatting and written with one fwrite, as
 * printf's format parsing costs more than the ring reading itself.
 * Tracepoints, syscalls included, keep their kernel print format
 * (libtraceevent renders it): lines read as the kernel's own trace file.
 * Dynamic probes are printed field by field, as name=value.  A syscall's
 * char * argument is the pointer the kernel recorded (the string is not in
 * the record on kernels 6.1 to 6.18); the string is shown only when it was
 * read in the kernel at the event (surf_record__user_str), never read from
 * the process afterwards, when it may already be another one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>
#include <traceevent/trace-seq.h>

#include <surf/out.h>
#include <surf/syms.h>

#include "engine/tep.h"
#include "sys/opts.h"

#define LINE_MAX_BYTES 65536

/* Trace flags in common_flags (include/linux/trace_events.h). */
#define TF_IRQS_OFF 0x01
#define TF_NEED_RESCHED_LAZY 0x02
#define TF_NEED_RESCHED 0x04
#define TF_HARDIRQ 0x08
#define TF_SOFTIRQ 0x10
#define TF_PREEMPT_RESCHED 0x20
#define TF_NMI 0x40

/* perf call chain context markers */
#define CTX_KERNEL ((uint64_t)-128)
#define CTX_USER ((uint64_t)-512)
#define CTX_MAX ((uint64_t)-4095)

struct line {
	char buf[LINE_MAX_BYTES];
	size_t len;
};

struct surf_out {
	struct surf_out_opts opts;
	FILE *out;
	struct surf_ksyms *ksyms;
	bool ksyms_tried;
	bool resolver_set;	/* on the engine's tep, for %pS */
	bool text_end_known;
	uint64_t text_end;	/* _etext when kallsyms lists code only, else 0 */
	struct surf_usyms *usyms;
	struct trace_seq seq;
	unsigned long long count;
	int error;
	struct line line;
};

/* --- building a line ---------------------------------------------------------- */

static void put(struct line *l, const char *s, size_t n)
{
	if (l->len + n >= LINE_MAX_BYTES)
		n = LINE_MAX_BYTES - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static void putc_(struct line *l, char c)
{
	if (l->len + 1 < LINE_MAX_BYTES)
		l->buf[l->len++] = c;
}

static void put_u64(struct line *l, uint64_t v)
{
	char tmp[24];
	int i = 24;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(l, tmp + i, (size_t)(24 - i));
}

static void put_s64(struct line *l, int64_t v)
{
	if (v < 0) {
		putc_(l, '-');
		put_u64(l, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(l, (uint64_t)v);
	}
}

static void put_hex(struct line *l, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int i = 16;

	do {
		tmp[--i] = digits[v & 15];
		v >>= 4;
	} while (v);
	put(l, "0x", 2);
	put(l, tmp + i, (size_t)(16 - i));
}

/* Right-aligned in width (ftrace pads names and times). */
static void put_padded(struct line *l, const char *s, int width, bool left)
{
	int n = (int)strlen(s);

	if (left)
		puts_(l, s);
	for (int i = n; i < width; i++)
		putc_(l, ' ');
	if (!left)
		puts_(l, s);
}

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and past U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * A JSON string that is always valid UTF-8: kernel strings are bytes, and a
 * byte that does not start a valid UTF-8 sequence becomes \u00XX (the code
 * point of the same number, as Latin-1 would read it).
 */
static void put_json_str(struct line *l, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	putc_(l, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		size_t len = utf8_sequence(u + i, n - i);

		if (c == '"' || c == '\\') {
			putc_(l, '\\');
			putc_(l, (char)c);
		} else if (c < 0x20 || c == 0x7f || !len) {
			char esc[8];

			snprintf(esc, sizeof(esc), "\\u%04x", c);
			puts_(l, esc);
		} else {
			put(l, s + i, len);
			i += len;
			continue;
		}
		i++;
	}
	putc_(l, '"');
}

/* --- pieces of a record ------------------------------------------------------- */

static void put_flags(struct line *l, const struct surf_record *rec)
{
	uint8_t flags = rec->raw_size > 3 ? rec->raw[2] : 0;
	uint8_t preempt = rec->raw_size > 3 ? rec->raw[3] : 0;
	bool nmi = flags & TF_NMI, hard = flags & TF_HARDIRQ, soft = flags & TF_SOFTIRQ;
	char f[5];

	f[0] = flags & TF_IRQS_OFF ? 'd' : '.';
	if ((flags & TF_NEED_RESCHED) && (flags & TF_PREEMPT_RESCHED))
		f[1] = 'N';
	else if (flags & TF_NEED_RESCHED)
		f[1] = 'n';
	else if (flags & TF_PREEMPT_RESCHED)
		f[1] = 'p';
	else if (flags & TF_NEED_RESCHED_LAZY)
		f[1] = 'L';
	else
		f[1] = '.';
	f[2] = nmi && hard ? 'Z' : nmi ? 'z' : hard && soft ? 'H' : hard ? 'h' : soft ? 's' : '.';
	f[3] = (preempt & 0xf) ? "0123456789abcdef"[preempt & 0xf] : '.';
	f[4] = (preempt >> 4) ? "0123456789abcdef"[preempt >> 4] : '.';
	put(l, f, 5);
}

static struct surf_ksyms *ksyms(struct surf_out *o)
{
	if (!o->ksyms_tried) {
		o->ksyms_tried = true;
		if (surf_ksyms__load_cached(&o->ksyms, o->opts.cache_dir))
			o->ksyms = NULL;
	}
	return o->ksyms;
}

static void put_ksym(struct surf_out *o, struct line *l, uint64_t addr, bool with_offset)
{
	struct surf_sym sym;
	char buf[512];

	if (ksyms(o) && surf_ksyms__find(o->ksyms, addr, &sym) == 0) {
		if (with_offset)
			surf_sym__format(&sym, addr, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%s", sym.name);
		puts_(l, buf);
	} else {
		put_hex(l, addr);
	}
}

static void put_usym(struct surf_out *o, struct line *l, int pid, uint64_t addr)
{
	struct surf_sym sym;
	char buf[512];

	if (!o->usyms && surf_usyms__new(&o->usyms))
		o->usyms = NULL;
	if (o->usyms && surf_usyms__find(o->usyms, pid, addr, &sym) == 0) {
		surf_sym__format(&sym, addr, buf, sizeof(buf));
		puts_(l, buf);
	} else {
		put_hex(l, addr);
	}
}

static const struct surf_arg *def_arg(const struct surf_probe_def *def, const char *name)
{
	if (!def)
		return NULL;
	for (int i = 0; i < def->nargs; i++)
		if (!strcmp(def->args[i].name, name))
			return &def->args[i];
	return NULL;
}

/* An integer argument as its fetch type asks: u32 decimal, x32 hex, s32 signed. */
static void put_int_value(struct line *l, const struct surf_field_info *fi,
			  const struct surf_arg *arg, uint64_t v)
{
	char buf[64];
	char kind = arg && arg->type ? arg->type[0] : 0;

	if (fi->size < 8 && !fi->is_signed)
		v &= (1ULL << (fi->size * 8)) - 1;
	if (arg && arg->conv != SURF_CONV_NONE) {
		surf_arg__format_value(arg, v, buf, sizeof(buf));
		puts_(l, buf);
		return;
	}
	if (kind == 'x' || (arg && !arg->type)) {
		if (fi->size < 8)
			v &= (1ULL << (fi->size * 8)) - 1;
		put_hex(l, v);
	} else if (kind == 's' || (!arg && fi->is_signed)) {
		int64_t s = (int64_t)v;

		if (fi->size < 8 && (v >> (fi->size * 8 - 1)) & 1)
			s = (int64_t)(v | ~((1ULL << (fi->size * 8)) - 1));
		put_s64(l, s);
	} else {
		if (fi->size < 8)
			v &= (1ULL << (fi->size * 8)) - 1;
		put_u64(l, v);
	}
}

static void put_string_value(struct line *l, const char *s, uint32_t n, bool json)
{
	if (json) {
		put_json_str(l, s, n);
	} else {
		putc_(l, '"');
		put(l, s, n);
		putc_(l, '"');
	}
}

/* One field as "name=value" (text) or "\"name\":value" (JSON). */
static void put_field(struct surf_out *o, struct line *l, const struct surf_record *rec, int i,
		      const struct surf_arg *arg, bool json)
{
	const struct surf_field_info *fi = surf_event__field_info(rec->event, i);
	const char *s;
	uint32_t n;

	if (json) {
		put_json_str(l, fi->name, strlen(fi->name));
		putc_(l, ':');
	} else {
		puts_(l, fi->name);
		putc_(l, '=');
	}
	switch (fi->kind) {
	case SURF_FIELD_STRING:
		s = surf_record__str(rec, i, &n);
		put_string_value(l, s ? s : "", s ? n : 0, json);
		break;
	case SURF_FIELD_INT: {
		uint64_t v = surf_record__int(rec, i);

		/* A char * syscall argument or a J name, read at the event. */
		if (fi->user_string && (s = surf_record__user_str(rec, i, &n))) {
			char name[256];

			/* HotSpot's "java/lang/Thread" as Java writes it. */
			if (arg && arg->conv == SURF_CONV_JAVA_CLASS && n <= sizeof(name)) {
				for (uint32_t c = 0; c < n; c++)
					name[c] = s[c] == '/' ? '.' : s[c];
				s = name;
			}
			put_string_value(l, s, n, json);
			break;
		}

		if (json && arg && arg->conv != SURF_CONV_NONE) {
			char buf[64];

			surf_arg__format_value(arg, v, buf, sizeof(buf));
			put_json_str(l, buf, strlen(buf));
		} else if (json) {
			if (fi->is_signed)
				put_s64(l, (int64_t)v);
			else
				put_u64(l, fi->size < 8 ? v & ((1ULL << (fi->size * 8)) - 1) : v);
		} else {
			put_int_value(l, fi, arg, v);
		}
		break;
	}
	default: {
		const uint8_t *p = surf_record__data(rec, i, &n);

		putc_(l, json ? '"' : '{');
		for (uint32_t k = 0; p && k < n; k++) {
			char hx[4];

			snprintf(hx, sizeof(hx), "%02x", p[k]);
			puts_(l, hx);
		}
		putc_(l, json ? '"' : '}');
		break;
	}
	}
}

static bool is_probe_field(const char *name)
{
	return !strncmp(name, "__probe_", 8);
}

/* "(func+0x0/0x280)" for kprobes, "(caller+0x1b/0x260 <- func)" for kretprobes. */
static void put_probe_location(struct surf_out *o, struct line *l, const struct surf_record *rec)
{
	const struct surf_event *ev = rec->event;
	int ip = surf_event__field(ev, "__probe_ip");
	int func = surf_event__field(ev, "__probe_func");
	int ret_ip = surf_event__field(ev, "__probe_ret_ip");
	const struct surf_probe_def *def = surf_event__def(ev);
	bool user = def && surf_probe_kind__is_user(def->kind);

	putc_(l, '(');
	if (ip >= 0) {
		if (user)
			put_hex(l, surf_record__int(rec, ip));
		else
			put_ksym(o, l, surf_record__int(rec, ip), true);
	} else if (func >= 0 && ret_ip >= 0) {
		if (user) {
			put_hex(l, surf_record__int(rec, ret_ip));
			puts_(l, " <- ");
			put_hex(l, surf_record__int(rec, func));
		} else {
			put_ksym(o, l, surf_record__int(rec, ret_ip), true);
			puts_(l, " <- ");
			put_ksym(o, l, surf_record__int(rec, func), false);
		}
	}
	putc_(l, ')');
}

static bool is_dynamic_probe(const struct surf_record *rec)
{
	const struct surf_event *ev = rec->event;

	return surf_event__field(ev, "__probe_ip") >= 0 || surf_event__field(ev, "__probe_func") >= 0;
}

/*
 * Whether the kernel's own %ps would name this address: without
 * CONFIG_KALLSYMS_ALL (kallsyms then has no data symbols, not even jiffies)
 * it names only code, and prints the kernel's data addresses as numbers.
 */
static bool kernel_names(struct surf_out *o, const struct surf_sym *sym)
{
	uint64_t addr;

	if (!o->text_end_known) {
		o->text_end_known = true;
		if (surf_ksyms__lookup(o->ksyms, "jiffies", &addr) &&
		    !surf_ksyms__lookup(o->ksyms, "_etext", &addr))
			o->text_end = addr;
	}
	return sym->module || !o->text_end || sym->addr < o->text_end;
}

/* libtraceevent's function resolver: the kernel symbol holding *addrp, from kallsyms. */
static char *resolve_function(void *priv, unsigned long long *addrp, char **modp)
{
	struct surf_out *o = priv;
	struct surf_sym sym;

	if (!ksyms(o) || surf_ksyms__find(o->ksyms, *addrp, &sym) || !kernel_names(o, &sym))
		return NULL;
	*addrp = sym.addr;
	*modp = (char *)sym.module;
	return (char *)sym.name;
}

static void put_info_text(struct surf_out *o, struct line *l, const struct surf_record *rec)
{
	const struct surf_event *ev = rec->event;
	const struct surf_probe_def *def = surf_event__def(ev);
	struct tep_event *te = surf_event__tep_event(ev);
	int nf = surf_event__nfields(ev);

	/* A print format libtraceevent cannot parse: the fields, rather than its "[FAILED TO PARSE]". */
	if (is_dynamic_probe(rec) || !te || (te->flags & TEP_EVENT_FL_FAILED)) {
		/* J: the method's names say where; HotSpot's probe address would not. */
		if (is_dynamic_probe(rec) && !(def && def->java_class))
			put_probe_location(o, l, rec);
		for (int i = 0; i < nf; i++) {
			const struct surf_field_info *fi = surf_event__field_info(ev, i);

			if (fi->common || fi->hidden || is_probe_field(fi->name) ||
			    !strcmp(fi->name, "__syscall_nr"))
				continue;
			if (l->len && l->buf[l->len - 1] != ' ' && l->buf[l->len - 1] != ':')
				putc_(l, ' ');
			put_field(o, l, rec, i, def_arg(def, fi->name), false);
		}
		return;
	}
	{
		struct tep_record r = {
			.ts = rec->time_ns, .cpu = rec->cpu, .size = (int)rec->raw_size,
			.data = (void *)(uintptr_t)rec->raw,
		};

		if (!o->resolver_set) {
			/* %pS and friends print kernel symbols, as the kernel's trace does. */
			o->resolver_set = true;
			tep_set_function_resolver(te->tep, resolve_function, o);
		}
		trace_seq_reset(&o->seq);
		tep_print_event(te->tep, &o->seq, &r, "%s", TEP_PRINT_INFO);
		trace_seq_terminate(&o->seq);
		put(l, o->seq.buffer, o->seq.len);
	}
	/*
	 * The kernel's line shows a syscall's char * arguments as pointers;
	 * the strings read at the event follow it, as name="string".
	 */
	for (int i = 0; i < nf; i++) {
		const struct surf_field_info *fi = surf_event__field_info(ev, i);
		uint32_t n;
		const char *s = fi->user_string ? surf_record__user_str(rec, i, &n) : NULL;

		if (s) {
			putc_(l, ' ');
			puts_(l, fi->name);
			putc_(l, '=');
			put_string_value(l, s, n, false);
		}
	}
}

static void put_stack_text(struct surf_out *o, struct line *l, const struct surf_record *rec)
{
	bool user = false;

	for (uint32_t i = 0; i < rec->nr_callchain; i++) {
		uint64_t a = rec->callchain[i];

		if (a >= CTX_MAX) {
			user = a == CTX_USER;
			continue;
		}
		puts_(l, " => ");
		if (user)
			put_usym(o, l, rec->pid, a);
		else
			put_ksym(o, l, a, true);
		putc_(l, '\n');
	}
}

static void put_text(struct surf_out *o, struct line *l, const struct surf_record *rec)
{
	struct surf_engine *e = o->opts.engine;
	char usec[8];
	uint64_t us = rec->time_ns / 1000;

	put_padded(l, e ? surf_engine__comm(e, rec->tid) : "<...>", 16, false);
	putc_(l, '-');
	{
		char pid[16];
		int n = snprintf(pid, sizeof(pid), "%d", rec->tid);

		put(l, pid, (size_t)n);
		for (int i = n; i < 7; i++)
			putc_(l, ' ');
	}
	puts_(l, " [");
	if (rec->cpu < 100)
		putc_(l, '0');
	if (rec->cpu < 10)
		putc_(l, '0');
	put_u64(l, (uint64_t)rec->cpu);
	puts_(l, "] ");
	put_flags(l, rec);
	putc_(l, ' ');
	{
		char secs[24];
		int n = snprintf(secs, sizeof(secs), "%" PRIu64, us / 1000000);

		for (int i = n; i < 5; i++)
			putc_(l, ' ');
		put(l, secs, (size_t)n);
	}
	snprintf(usec, sizeof(usec), ".%06u", (unsigned)(us % 1000000));
	puts_(l, usec);
	puts_(l, ": ");
	puts_(l, surf_event__name(rec->event));
	puts_(l, ": ");
	put_info_text(o, l, rec);
	putc_(l, '\n');
	if (rec->nr_callchain)
		put_stack_text(o, l, rec);
}

static void put_json(struct surf_out *o, struct line *l, const struct surf_record *rec)
{
	const struct surf_event *ev = rec->event;
	const struct surf_probe_def *def = surf_event__def(ev);
	struct surf_engine *e = o->opts.engine;
	const char *comm = e ? surf_engine__comm(e, rec->tid) : "<...>";
	char num[64];
	int nf = surf_event__nfields(ev), probe_ip;
	bool first = true;

	snprintf(num, sizeof(num), "{\"time\":%" PRIu64 ".%09" PRIu64 ",\"cpu\":%d,\"pid\":%d,"
		 "\"tid\":%d,\"comm\":", rec->time_ns / 1000000000, rec->time_ns % 1000000000,
		 rec->cpu, rec->pid, rec->tid);
	puts_(l, num);
	put_json_str(l, comm, strlen(comm));
	puts_(l, ",\"event\":");
	put_json_str(l, surf_event__name(ev), strlen(surf_event__name(ev)));
	puts_(l, ",\"group\":");
	put_json_str(l, surf_event__group(ev), strlen(surf_event__group(ev)));
	probe_ip = surf_event__field(ev, "__probe_ip");
	if (probe_ip >= 0 && !(def && (def->kind == SURF_PROBE_UPROBE ||
				       def->kind == SURF_PROBE_USDT))) {
		struct line loc = { .len = 0 };

		put_ksym(o, &loc, surf_record__int(rec, probe_ip), true);
		puts_(l, ",\"probe\":");
		put_json_str(l, loc.buf, loc.len);
	}
	puts_(l, ",\"fields\":{");
	for (int i = 0; i < nf; i++) {
		const struct surf_field_info *fi = surf_event__field_info(ev, i);

		/* The probe's own address is in "probe", not among the user's names. */
		if (fi->common || fi->hidden || is_probe_field(fi->name))
			continue;
		if (!first)
			putc_(l, ',');
		first = false;
		put_field(o, l, rec, i, def_arg(def, fi->name), true);
	}
	putc_(l, '}');
	if (rec->nr_callchain) {
		bool user = false, firstf = true;

		puts_(l, ",\"stack\":[");
		for (uint32_t i = 0; i < rec->nr_callchain; i++) {
			struct line frame = { .len = 0 };
			uint64_t a = rec->callchain[i];

			if (a >= CTX_MAX) {
				user = a == CTX_USER;
				continue;
			}
			if (user)
				put_usym(o, &frame, rec->pid, a);
			else
				put_ksym(o, &frame, a, true);
			if (!firstf)
				putc_(l, ',');
			firstf = false;
			put_json_str(l, frame.buf, frame.len);
		}
		putc_(l, ']');
	}
	puts_(l, "}\n");
}

void surf_out__record(void *ctx, const struct surf_record *rec)
{
	struct surf_out *o = ctx;
	struct line *l = &o->line;

	if (o->error)
		return;
	l->len = 0;
	if (o->opts.json)
		put_json(o, l, rec);
	else
		put_text(o, l, rec);
	errno = 0;
	if (fwrite(l->buf, 1, l->len, o->out) != l->len)
		o->error = errno ? errno : EIO;
	o->count++;
}

int surf_out__new(struct surf_out **out, const struct surf_out_opts *opts)
{
	struct surf_out *o;

	if (!OPTS_VALID(opts, struct surf_out_opts))
		return -EINVAL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	OPTS_COPY(&o->opts, opts);
	o->out = o->opts.out ? o->opts.out : stdout;
	trace_seq_init(&o->seq);
	*out = o;
	return 0;
}

void surf_out__free(struct surf_out *o)
{
	if (!o)
		return;
	trace_seq_destroy(&o->seq);
	surf_ksyms__free(o->ksyms);
	surf_usyms__free(o->usyms);
	free(o);
}

unsigned long long surf_out__count(const struct surf_out *o)
{
	return o->count;
}

int surf_out__error(const struct surf_out *o)
{
	return o->error;
}

int surf_out__flush(struct surf_out *o)
{
	/* A buffered stream fails at its flush (a full disk): that error is the output's too. */
	errno = 0;
	if (fflush(o->out) && !o->error)
		o->error = errno ? errno : EIO;
	return o->error;
}

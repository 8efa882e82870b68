// SPDX-License-Identifier: MIT
/*
 * The a: clause (src/lib/expr/agg.c): the forms issue 15 requires compile
 * to what they mean, beside f: in either order; every bad input is one
 * error with the caret under the part that is wrong.  Tracepoint fields
 * come from a fake environment with the fields (and classes) this kernel's
 * format files give for the two events.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <surf/expr.h>

#include "test.h"

static int fake_fields(void *ctx, const char *group, const char *event,
		       struct surf_event_field *fields, int max)
{
	static const struct { const char *ev, *name; char cls; } all[] = {
		{ "sys_enter_read", "__syscall_nr", '-' }, { "sys_enter_read", "fd", 'u' },
		{ "sys_enter_read", "buf", 'u' },	   { "sys_enter_read", "count", 'u' },
		{ "sched_switch", "prev_comm", 's' },	   { "sched_switch", "prev_pid", '-' },
		{ "sched_switch", "next_comm", 's' },	   { "sched_switch", "next_pid", '-' },
		{ "block_rq_complete", "sector", 'u' },	   { "block_rq_issue", "sector", 'u' },
	};
	int n = 0;

	(void)ctx;
	(void)group;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]) && n < max; i++) {
		if (strcmp(all[i].ev, event))
			continue;
		fields[n].name = strdup(all[i].name);
		fields[n++].cls = (enum surf_filter_class)all[i].cls;
	}
	return n ? n : -ENOENT;
}

static int fake_user(void *ctx, const char *bin, const char *sym, char *path, size_t path_len,
		     uint64_t *offset, char *errbuf, size_t errlen)
{
	(void)ctx;
	(void)sym;
	(void)errbuf;
	(void)errlen;
	snprintf(path, path_len, "/usr/bin/%s", bin);
	*offset = 0x1130;
	return 0;
}

static int compile(const char *line, struct surf_probe_def **def, struct surf_expr_error *err)
{
	struct surf_expr_env env = { .event_fields = fake_fields, .resolve_user = fake_user };
	struct surf_expr_opts o = { .sz = sizeof(o), .env = &env, .arch = surf_arch__find("x86_64") };

	return surf_expr__compile(NULL, line, &o, def, err);
}

/* "kind value|key,key" of a compiled a: clause, e.g. "hist sz(arg)|comm(5)". */
static void describe(const struct surf_agg *a, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s", surf_agg_kind__name(a->kind));

	if (a->value.src)
		n += (size_t)snprintf(buf + n, len - n, " %s(%d)", a->value.name, a->value.src);
	if (a->kind == SURF_AGG_LHIST)
		n += (size_t)snprintf(buf + n, len - n, " [%lld,%lld,%lld]", (long long)a->lmin,
				      (long long)a->lmax, (long long)a->lstep);
	if (a->lat_event)
		n += (size_t)snprintf(buf + n, len - n, " from %s.%s", a->lat_event, a->lat_start);
	n += (size_t)snprintf(buf + n, len - n, "|");
	for (int i = 0; i < a->nkeys; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s(%d)", i ? "," : "", a->keys[i].name,
				      a->keys[i].src);
}

TEST(test_agg_forms)
{
	static const struct { const char *line, *want, *filter; } ok[] = {
		{ "e sched/sched_switch a:count(prev_comm)", "count|prev_comm(2)", NULL },
		{ "e sched/sched_switch a:count()", "count|", NULL },
		{ "e sched/sched_switch a:count(comm, pid, tid, cpu, kstack, ustack)",
		  "count|comm(3),pid(4),tid(5),cpu(6),kstack(7),ustack(8)", NULL },
		{ "e syscalls/sys_enter_read sz=count a:hist(sz)", "hist sz(1)|", NULL },
		{ "e syscalls/sys_enter_read sz=count a:hist(sz,comm)", "hist sz(1)|comm(3)", NULL },
		{ "e syscalls/sys_enter_read sz=count a:lhist(sz, 0, 1000, 100, fd)",
		  "lhist sz(1) [0,1000,100]|fd(2)", NULL },
		{ "e syscalls/sys_enter_read a:sum(count, comm)", "sum count(2)|comm(3)", NULL },
		{ "e syscalls/sys_enter_read a:avg(count)", "avg count(2)|", NULL },
		{ "e syscalls/sys_enter_read a:min(count)", "min count(2)|", NULL },
		{ "e syscalls/sys_enter_read a:max(count)", "max count(2)|", NULL },
		{ "e syscalls/sys_enter_read a:stats(count, pid)", "stats count(2)|pid(4)", NULL },
		{ "e syscalls/sys_enter_read a:count(comm) f:fd == 3 && count > 1",
		  "count|comm(3)", "fd == 3 && count > 1" },
		{ "e syscalls/sys_enter_read f:fd == 3 && count > 1 a:count(comm)",
		  "count|comm(3)", "fd == 3 && count > 1" },
		{ "R libc:malloc a:lat()", "lat|", NULL },
		{ "R libc:malloc a:lat(comm)", "lat|comm(3)", NULL },
		{ "e block/block_rq_complete s=sector a:lat(f0.s==s)", "lat s(1) from f0.s|", NULL },
		{ "P libc:malloc a:count(ustack)", "count|ustack(8)", NULL },
	};
	char got[512];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct surf_probe_def *def = NULL;
		struct surf_expr_error err;

		if (compile(ok[i].line, &def, &err)) {
			test_fail(__FILE__, __LINE__, "'%s': %s", ok[i].line, err.msg);
			continue;
		}
		if (!def->agg) {
			test_fail(__FILE__, __LINE__, "'%s': no aggregation", ok[i].line);
		} else {
			describe(def->agg, got, sizeof(got));
			if (strcmp(got, ok[i].want))
				test_fail(__FILE__, __LINE__, "'%s': %s, want %s", ok[i].line, got,
					  ok[i].want);
		}
		if (ok[i].filter && (!def->filter || strcmp(def->filter, ok[i].filter)))
			test_fail(__FILE__, __LINE__, "'%s': filter '%s', want '%s'", ok[i].line,
				  def->filter ? def->filter : "(none)", ok[i].filter);
		surf_probe_def__free(def);
	}
}

TEST(test_agg_errors_point_at_the_bad_part)
{
	static const struct { const char *line, *msg, *under; } bad[] = {
		{ "e sched/sched_switch a:bogus(x)", "unknown aggregation 'bogus'", "bogus" },
		{ "e sched/sched_switch a:count", "expected '(' after count", "" },
		{ "e sched/sched_switch a:", "empty aggregation", "a:" },
		{ "e sched/sched_switch a:count(prev_com)", "did you mean 'prev_comm'", "prev_com" },
		{ "e sched/sched_switch a:sum(prev_comm)", "must be a number", "prev_comm" },
		{ "e sched/sched_switch c=prev_comm a:hist(c)", "'c' is a string", "c" },
		{ "e sched/sched_switch a:sum(comm)", "must be a number", "comm" },
		{ "e sched/sched_switch a:hist()", "needs a value first", "" },
		{ "e syscalls/sys_enter_read a:lhist(count, 0, 100, 0)", "STEP must be above 0", "0" },
		{ "e syscalls/sys_enter_read a:lhist(count, 100, 100, 1)", "MAX must be above MIN",
		  "100" },
		{ "e syscalls/sys_enter_read a:lhist(count, 0, 100000, 1)", "buckets: at most", "1" },
		{ "e syscalls/sys_enter_read a:lhist(count, 0, x, 1)", "expected a number for MAX",
		  "x" },
		{ "e syscalls/sys_enter_read a:lhist(count, 0)", "lhist takes the value, MIN, MAX",
		  "lhist(count, 0)" },
		{ "e sched/sched_switch a:lat()", "use it on r, R or J!", "lat()" },
		{ "e block/block_rq_complete a:lat(f0.sector=sector)", "lat(EVENT.NAME==NAME)",
		  "f0.sector=sector" },
		{ "e sched/sched_switch a:count(comm) a:count(pid)", "one a: clause",
		  "a:count(pid)" },
		{ "e sched/sched_switch a:count(comm) x=prev_pid", "arguments come before",
		  "x=prev_pid" },
		{ "e sched/sched_switch a:count(pid,pid,pid,pid,pid,pid,pid,pid,pid)",
		  "too many keys", "pid" },
		{ "e syscalls/sys_enter_read sz=cont a:hist(sz)", "did you mean 'count'", "cont" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct surf_probe_def *def = NULL;
		struct surf_expr_error err;
		const char *line = bad[i].line;
		size_t want_len = strlen(bad[i].under);

		if (!compile(line, &def, &err)) {
			test_fail(__FILE__, __LINE__, "'%s' compiled", line);
			surf_probe_def__free(def);
			continue;
		}
		if (!strstr(err.msg, bad[i].msg))
			test_fail(__FILE__, __LINE__, "'%s': '%s' lacks '%s'", line, err.msg,
				  bad[i].msg);
		/* An empty "under": a one-column caret; else exactly under that text. */
		if (want_len ? err.pos + want_len > strlen(line) ||
				       strncmp(line + err.pos, bad[i].under, want_len) ||
				       err.len != want_len :
			       err.len != 1)
			test_fail(__FILE__, __LINE__, "'%s': caret at %zu+%zu, want under '%s'",
				  line, err.pos, err.len, bad[i].under);
	}
}

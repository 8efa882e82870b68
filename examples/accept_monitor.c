// SPDX-License-Identifier: MIT
/*
 * accept_monitor: the seed's accept example, with the fetch arguments
 * compiled from a surftrace expression against this kernel's BTF instead of
 * hand-written offsets: a kretprobe on inet_csk_accept printing both ends of
 * every accepted TCP connection.  Needs kprobes (the kernel VM tier runs it).
 *
 *   ================accept===================
 *   local_addr 127.0.0.1
 *   remote_addr 127.0.0.1
 *   local_port 22
 *   remote_port 56940
 *   pid 899
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <surf/engine.h>
#include <surf/expr.h>
#include <surf/types.h>

static volatile sig_atomic_t stop;

static const char expr[] =
	"r inet_csk_accept ip_remote=$retval->__sk_common.skc_daddr "
	"ip_local=$retval->__sk_common.skc_rcv_saddr "
	"b16_remote_port=$retval->__sk_common.skc_dport "
	"local_port=$retval->__sk_common.skc_num";

struct accept_fields {
	const struct surf_probe_def *def;
	int remote, local, rport, lport;
	long max;
	long seen;
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_accept(void *ctx, const struct surf_record *rec)
{
	struct accept_fields *f = ctx;
	char remote[32], local[32], rport[16];

	surf_arg__format_value(&f->def->args[0], surf_record__int(rec, f->remote), remote,
			       sizeof(remote));
	surf_arg__format_value(&f->def->args[1], surf_record__int(rec, f->local), local,
			       sizeof(local));
	surf_arg__format_value(&f->def->args[2], surf_record__int(rec, f->rport), rport,
			       sizeof(rport));
	printf("\n================accept===================\nlocal_addr %s\nremote_addr %s\n"
	       "local_port %u\nremote_port %s\npid %d\n"
	       "=========================================\n", local, remote,
	       (unsigned)surf_record__int(rec, f->lport), rport, rec->pid);
	fflush(stdout);
	if (f->max && ++f->seen >= f->max)
		stop = 1;
}

int main(int argc, char **argv)
{
	struct surf_engine_opts opts = { .sz = sizeof(opts) };
	struct accept_fields f = { .max = argc > 1 ? atol(argv[1]) : 0 };
	struct surf_probe_def *def = NULL;
	struct surf_engine *engine = NULL;
	struct surf_types *types = NULL;
	struct surf_expr_error err;
	struct surf_event *ev;
	int ret, status = 1;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ret = surf_types__open(&types, NULL);
	if (ret) {
		fprintf(stderr, "accept_monitor: no kernel BTF: %s\n", strerror(-ret));
		return 1;
	}
	if (surf_expr__compile(types, expr, NULL, &def, &err)) {
		surf_expr_error__print(stderr, "accept_monitor", expr, &err);
		goto out;
	}
	f.def = def;
	ret = surf_engine__new(&engine, &opts);
	if (ret) {
		fprintf(stderr, "accept_monitor: cannot set up tracing: %s\n", strerror(-ret));
		goto out;
	}
	ret = surf_engine__add_probe(engine, def, on_accept, &f, &ev);
	if (ret) {
		fprintf(stderr, "accept_monitor: the kernel refused the kretprobe: %s\n%s\n",
			strerror(-ret), surf_engine__last_error(engine));
		goto out;
	}
	f.remote = surf_event__field(ev, "ip_remote");
	f.local = surf_event__field(ev, "ip_local");
	f.rport = surf_event__field(ev, "b16_remote_port");
	f.lport = surf_event__field(ev, "local_port");
	fprintf(stderr, "%s", surf_engine__commands(engine));
	surf_engine__start(engine);
	while (!stop)
		surf_engine__poll(engine, 100);
	surf_engine__drain(engine);
	status = 0;
out:
	surf_engine__free(engine);
	surf_probe_def__free(def);
	surf_types__close(types);
	return status;
}

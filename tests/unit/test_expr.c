// SPDX-License-Identifier: MIT
/*
 * The expression compiler against BTF built from tests/fixtures/kfixture.c:
 * every expected offset comes from offsetof() on the same declarations, so
 * the C compiler is the oracle.  Runs on any kernel (no tracefs, no kprobes).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <surf/expr.h>
#include <surf/script.h>

#include "../fixtures/kfixture.h"
#include "test.h"

static struct surf_types *fixture_types(void)
{
	static struct surf_types *types;
	static bool tried;
	struct surf_types_opts opts = { .sz = sizeof(opts) };
	char dir[256], obj[300];

	if (tried)
		return types;
	tried = true;
	if (test_tmpdir(dir, sizeof(dir), "surf-kfixture"))
		return NULL;
	snprintf(obj, sizeof(obj), "%s/kfixture.o", dir);
	if (test_sh(NULL, "gcc -g -O0 -c '%s' -o '%s' && pahole -J '%s' 2>/dev/null",
		    test_fixture_path("tests/fixtures/kfixture.c"), obj, obj) == 0) {
		opts.btf_path = obj;
		if (surf_types__open(&types, &opts))
			types = NULL;
	}
	test_rmtree(dir);
	return types;
}

/* Compile with the fixture; returns the definition (static buffer) or NULL with err. */
static const char *compile(const char *line, struct surf_expr_error *err)
{
	static char out[4096];
	struct surf_expr_opts opts = { .sz = sizeof(opts), .arch = surf_arch__find("x86_64") };
	struct surf_probe_def *def;
	char *text;

	if (surf_expr__compile(fixture_types(), line, &opts, &def, err))
		return NULL;
	text = surf_probe_def__definition(def, NULL);
	snprintf(out, sizeof(out), "%s%s%s", text ? text : def->location,
		 def->filter ? " | " : "", def->filter ? def->filter : "");
	free(text);
	surf_probe_def__free(def);
	return out;
}

static void check_error(const char *line, const char *msg, const char *under);
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	static char bufs[4][1024];
	static int i;
	va_list ap;

	i = (i + 1) % 4;
	va_start(ap, f);
	vsnprintf(bufs[i], sizeof(bufs[i]), f, ap);
	va_end(ap);
	return bufs[i];
}

#define NEED_FIXTURE()                                                         \
	do {                                                                   \
		if (!fixture_types())                                          \
			SKIP("cannot build fixture BTF (gcc and pahole needed)"); \
	} while (0)

#define OFF(type, member) ((unsigned)offsetof(struct type, member))

TEST(test_expr_entry_and_return_without_args)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p wake_up_new_task", NULL), "p:f0 wake_up_new_task");
	CHECK_STR(compile("r  wake_up_new_task ", NULL), "r:f0 wake_up_new_task");
}

TEST(test_expr_param_types_give_sizes)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p do_filp_open dfd=%0", NULL), "p:f0 do_filp_open dfd=%di:u32");
	CHECK_STR(compile("p do_filp_open dfd=X%0", NULL), "p:f0 do_filp_open dfd=%di:x32");
	CHECK_STR(compile("p do_filp_open dfd=S%0", NULL), "p:f0 do_filp_open dfd=%di:s32");
	CHECK_STR(compile("p do_filp_open f=%2", NULL), "p:f0 do_filp_open f=%dx:u64");
}

TEST(test_expr_char_pointer_param_is_a_string)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p do_filp_open name=%1", NULL),
		  "p:f0 do_filp_open name=+0x0(%si):string");
}

TEST(test_expr_member_char_array_is_string)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p wake_up_new_task comm=%0->comm", NULL),
		  fmt("p:f0 wake_up_new_task comm=+0x%x(%%di):string", OFF(task_struct, comm)));
}

TEST(test_expr_member_chain_through_pointers)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p wake_up_new_task u=S%0->mm->mm_users", NULL),
		  fmt("p:f0 wake_up_new_task u=+0x%x(+0x%x(%%di)):s32", OFF(mm_struct, mm_users),
		      OFF(task_struct, mm)));
	CHECK_STR(compile("p wake_up_new_task c=%0->parent->parent->comm", NULL),
		  fmt("p:f0 wake_up_new_task c=+0x%x(+0x%x(+0x%x(%%di))):string",
		      OFF(task_struct, comm), OFF(task_struct, parent), OFF(task_struct, parent)));
}

TEST(test_expr_dot_folds_into_one_dereference)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p wake_up_new_task n=%0->se.run_node.rb_left", NULL),
		  fmt("p:f0 wake_up_new_task n=+0x%x(%%di):u64",
		      OFF(task_struct, se.run_node.rb_left)));
}

TEST(test_expr_member_chain_through_anonymous_union)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p wake_up_new_task a=%0->pid b=%0->pid16", NULL),
		  fmt("p:f0 wake_up_new_task a=+0x%x(%%di):u32 b=+0x%x(%%di):u16",
		      OFF(task_struct, pid), OFF(task_struct, pid16)));
}

TEST(test_expr_array_index_of_structs)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p wake_up_new_task n=%0->children[2].prev", NULL),
		  fmt("p:f0 wake_up_new_task n=+0x%x(%%di):u64", OFF(task_struct, children[2].prev)));
	CHECK_STR(compile("p wake_up_new_task n=%0->arr2d[5]", NULL),
		  fmt("p:f0 wake_up_new_task n=+0x%x(%%di):u32", OFF(task_struct, arr2d[1][2])));
	CHECK_STR(compile("p wake_up_new_task n=X%0->mm->pgd[3]", NULL),
		  fmt("p:f0 wake_up_new_task n=+0x%x(+0x%x(%%di)):x64", OFF(mm_struct, pgd[3]),
		      OFF(task_struct, mm)));
}

TEST(test_expr_pointer_index_dereferences)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p do_filp_open c=%1[3]", NULL),
		  "p:f0 do_filp_open c=+0x3(%si):u8");
}

TEST(test_expr_bitfields_emit_kernel_bitfield_type)
{
	struct task_struct t;
	const unsigned char *bytes = (const unsigned char *)&t;
	unsigned first = 0;

	NEED_FIXTURE();
	/* Find the bitfield's first bit the way the C compiler laid it out. */
	memset(&t, 0, sizeof(t));
	t.prio_class = 0x1f;
	while (!(bytes[first / 8] & (1u << (first % 8))))
		first++;
	CHECK_STR(compile("p wake_up_new_task c=%0->prio_class", NULL),
		  fmt("p:f0 wake_up_new_task c=+0x%x(%%di):b5@%u/32", first / 32 * 4, first % 32));
	CHECK_STR(compile("p netif_receive ihl=%2->ihl v=%2->version", NULL),
		  "p:f0 netif_receive ihl=+0x0(%dx):b4@0/8 v=+0x0(%dx):b4@4/8");
}

TEST(test_expr_wrapped_scalar_struct_reads_as_scalar)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p wake_up_new_task u=%0->mm->mm_users", NULL),
		  fmt("p:f0 wake_up_new_task u=+0x%x(+0x%x(%%di)):u32", OFF(mm_struct, mm_users),
		      OFF(task_struct, mm)));
}

TEST(test_expr_retval_has_the_return_type)
{
	NEED_FIXTURE();
	CHECK_STR(compile("r do_filp_open filp=$retval", NULL),
		  "r:f0 do_filp_open filp=$retval:u64");
	CHECK_STR(compile("r do_filp_open pos=$retval->f_pos", NULL),
		  fmt("r:f0 do_filp_open pos=+0x%x($retval):u64", OFF(file, f_pos)));
}

TEST(test_expr_casts)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p do_filp_open+121 filp=X!(u64)%ax", NULL),
		  "p:f0 do_filp_open+121 filp=%ax:x64");
	CHECK_STR(compile("p do_filp_open+121 pos=X!(struct file*)%ax->f_pos", NULL),
		  fmt("p:f0 do_filp_open+121 pos=+0x%x(%%ax):x64", OFF(file, f_pos)));
	CHECK_STR(compile("p do_filp_open+0x10 r=%bx", NULL), "p:f0 do_filp_open+0x10 r=%bx:u64");
	CHECK_STR(compile("p do_filp_open s=!(char *)%2", NULL),
		  "p:f0 do_filp_open s=+0x0(%dx):string");
	CHECK_STR(compile("p do_filp_open s=!(unsigned long)%0 t=!(short)%0", NULL),
		  "p:f0 do_filp_open s=%di:u64 t=%di:u16");
}

TEST(test_expr_globals_and_addresses)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p wake_up_new_task point=@task_group_cache", NULL),
		  "p:f0 wake_up_new_task point=@task_group_cache");
	CHECK_STR(compile("p wake_up_new_task n=!(struct kmem_cache*)@task_group_cache->name "
			  "s=!(struct kmem_cache *)@0xffffffff8647bc30->size", NULL),
		  fmt("p:f0 wake_up_new_task n=+0x0(+0x%x(@task_group_cache)):string "
		      "s=+0x%x(@0xffffffff8647bc30):u32", OFF(kmem_cache, name),
		      OFF(kmem_cache, size)));
	CHECK_STR(compile("p wake_up_new_task c=$comm s=$stack s3=$stack3", NULL),
		  "p:f0 wake_up_new_task c=$comm s=$stack s3=$stack3");
}

TEST(test_expr_packet_headers_at_layers)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p netif_receive proto=@(struct iphdr *)l3%0->protocol "
			  "ip_src=@(struct iphdr *)%0->saddr data=X@(struct iphdr *)l3%0->sdata[1] "
			  "f:proto==1&&ip_src==127.0.0.1", NULL),
		  fmt("p:f0 netif_receive proto=+0x%x(+0x%x(%%di)):u8 ip_src=+0x%x(+0x%x(%%di)):u32 "
		      "data=+0x%x(+0x%x(%%di)):x16 | proto==1&&ip_src==0x100007f",
		      OFF(iphdr, protocol), OFF(sk_buff, data), OFF(iphdr, saddr),
		      OFF(sk_buff, data), (unsigned)sizeof(struct iphdr) + 2, OFF(sk_buff, data)));
	CHECK_STR(compile("p netif_receive p=@(struct iphdr *)l2%0->protocol "
			  "d=@(struct udphdr *)l3%0->dest b=@(struct udphdr*)l3%0->Sdata[0] "
			  "a=@(struct tcphdr *)l4%0->ack_seq", NULL),
		  fmt("p:f0 netif_receive p=+0x%x(+0x%x(%%di)):u8 d=+0x%x(+0x%x(%%di)):u16 "
		      "b=+0x%x(+0x%x(%%di)):string a=+0x%x(+0x%x(%%di)):u32",
		      14 + OFF(iphdr, protocol), OFF(sk_buff, data), 20 + OFF(udphdr, dest),
		      OFF(sk_buff, data), 20 + 8, OFF(sk_buff, data), OFF(tcphdr, ack_seq),
		      OFF(sk_buff, data)));
}

/*
 * A packet cast reads from a struct sk_buff *: anything else typed is refused
 * (it read a task_struct as a packet), and a struct sk_buff ** (as
 * __netif_receive_skb_core takes since 5.8) is read through with [0].
 */
TEST(test_expr_packet_cast_base_is_an_sk_buff)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p netif_receive_core proto=@(struct iphdr *)l3%0[0]->protocol "
			  "d=X@(struct iphdr *)%0[0]->sdata[1]", NULL),
		  fmt("p:f0 netif_receive_core proto=+0x%x(+0x%x(+0x0(%%di))):u8 "
		      "d=+0x%x(+0x%x(+0x0(%%di))):x16", OFF(iphdr, protocol), OFF(sk_buff, data),
		      (unsigned)sizeof(struct iphdr) + 2, OFF(sk_buff, data)));
	/* Registers inside a function have no type: the user's word is taken. */
	CHECK_STR(compile("p netif_receive+4 p=@(struct iphdr *)%ax->protocol", NULL),
		  fmt("p:f0 netif_receive+4 p=+0x%x(+0x%x(%%ax)):u8", OFF(iphdr, protocol),
		      OFF(sk_buff, data)));
	check_error("p wake_up_new_task x=@(struct iphdr *)l3%0->protocol",
		    "reads from a struct sk_buff *, but %0 (p) is struct task_struct *", "%0");
	check_error("p netif_receive_core x=@(struct iphdr *)l3%0->protocol",
		    "is struct sk_buff **: write %0[0] for the sk_buff it points to", "%0");
	check_error("p netif_receive x=@(struct iphdr *)l3%1->protocol",
		    "but %1 (eth) is struct ethhdr *", "%1");
	check_error("p netif_receive_core x=@(struct iphdr *)%0[0][0]->protocol",
		    "but %0[0][0] is struct sk_buff", "%0[0][0]");
	check_error("p netif_receive_core x=@(struct iphdr *)%0[0]", "follow it with '->'",
		    "%0");
}

/* The kernel's functions as available_filter_functions lists them, for one test. */
static int clone_only(void *ctx, const char *sym, char *out, size_t len)
{
	(void)ctx;
	if (strcmp(sym, "netif_receive_skb_kore"))
		return -ENOENT;
	snprintf(out, len, "%s.constprop.0", sym);
	return 0;
}

/*
 * A function the kernel has but BTF does not (pahole leaves out a function
 * whose GCC clone changed its parameters: __netif_receive_skb_core on
 * Debian's 6.1) is said to be so, not "did you mean" a near name, which is
 * another function.
 */
TEST(test_expr_function_without_prototype)
{
	struct surf_expr_env env = { .kernel_function = clone_only };
	struct surf_expr_opts opts = { .sz = sizeof(opts), .arch = surf_arch__find("x86_64"),
				       .env = &env };
	const char *line = "p netif_receive_skb_kore x=@(struct iphdr *)%0->protocol";
	struct surf_probe_def *def;
	struct surf_expr_error err;

	NEED_FIXTURE();
	CHECK_INT(surf_expr__compile(fixture_types(), line, &opts, &def, &err), ==, -ENOENT);
	CHECK_CONTAINS(err.msg, "'netif_receive_skb_kore' is in the kernel (as "
			       "netif_receive_skb_kore.constprop.0), but ");
	CHECK_CONTAINS(err.msg, "has no prototype for it");
	CHECK_INT(err.pos, ==, 2);
	CHECK_INT(err.len, ==, strlen("netif_receive_skb_kore"));
}

TEST(test_expr_filter_conversions)
{
	const char *out;

	NEED_FIXTURE();
	out = compile("p netif_receive ip_dst=@(struct iphdr *)l3%0->daddr "
		      "b16_dest=@(struct udphdr*)l3%0->dest B32_x=%1 "
		      "f:ip_dst==10.0.1.221&&b16_dest==9988 && (B32_x==0x01020304)", NULL);
	CHECK(out && strstr(out, "| "));
	CHECK_STR(strstr(out, "| ") + 2, "ip_dst==0xdd01000a&&b16_dest==1063 && (B32_x==0x4030201)");
}

TEST(test_expr_filter_with_spaces_strings_and_negation)
{
	NEED_FIXTURE();
	CHECK_STR(compile("p wake_up_new_task comm=%0->comm pid=%0->pid "
			  "f:comm == \"my prog\" && !(pid < 100 || pid > 200)", NULL),
		  fmt("p:f0 wake_up_new_task comm=+0x%x(%%di):string pid=+0x%x(%%di):u32 | "
		      "comm == \"my prog\" && !(pid < 100 || pid > 200)", OFF(task_struct, comm),
		      OFF(task_struct, pid)));
	CHECK_STR(compile("p wake_up_new_task f:common_pid==1", NULL),
		  "p:f0 wake_up_new_task | common_pid==1");
}

TEST(test_expr_aarch64_registers)
{
	struct surf_expr_opts opts = { .sz = sizeof(opts), .arch = surf_arch__find("arm64") };
	struct surf_probe_def *def;
	char *text;

	NEED_FIXTURE();
	CHECK_INT(surf_expr__compile(fixture_types(), "p do_filp_open a=%0 b=%1 r=%x19", &opts, &def,
				     NULL), ==, 0);
	text = surf_probe_def__definition(def, "g");
	CHECK_STR(text, "p:g/f0 do_filp_open a=%x0:u32 b=+0x0(%x1):string r=%x19:u64");
	free(text);
	surf_probe_def__free(def);
}

/* An error: exit code, message substring, and the caret's column and width. */
static void check_error(const char *line, const char *msg, const char *under)
{
	struct surf_expr_error err;

	if (compile(line, &err)) {
		test_fail(__FILE__, __LINE__, "'%s' compiled", line);
		return;
	}
	if (!strstr(err.msg, msg))
		test_fail(__FILE__, __LINE__, "'%s': message '%s' lacks '%s'", line, err.msg, msg);
	if (err.pos + strlen(under) > strlen(line) || strncmp(line + err.pos, under, strlen(under)) ||
	    err.len != strlen(under))
		test_fail(__FILE__, __LINE__, "'%s': caret at %zu+%zu, want under '%s'", line,
			  err.pos, err.len, under);
}

TEST(test_expr_errors_point_at_the_bad_part)
{
	NEED_FIXTURE();
	check_error("p wake_up_new_task c=%0->comn", "did you mean 'comm'", "comn");
	check_error("p wake_up_new_tsk", "unknown function 'wake_up_new_tsk'", "wake_up_new_tsk");
	check_error("p wake_up_new_task c=%0.comm", "use '->'", ".comm");
	check_error("p wake_up_new_task c=%0->se->vruntime", "use '.'", "->vruntime");
	check_error("p wake_up_new_task c=%0->comm[16]", "out of bounds", "16");
	check_error("p wake_up_new_task c=%0->se", "pick a member", "se");
	check_error("p wake_up_new_task c=%0->children", "add an index", "children");
	check_error("p wake_up_new_task c=%0->arr2d[1][2]", "index them as one array", "2");
	check_error("p wake_up_new_task c=%1", "1 parameter", "%1");
	check_error("p many g=%6", "passed on the stack", "%6");
	check_error("p wake_up_new_task a=%0 a=%0", "used twice", "a");
	check_error("p wake_up_new_task a=%rdi", "not a register of x86_64", "%rdi");
	check_error("p wake_up_new_task a=%0 f:(a==1", "not closed", "(");
	check_error("p wake_up_new_task a=%0 f:a==1)", "unbalanced", ")");
	check_error("p wake_up_new_task a=%0 f:b==1", "not a field", "b");
	check_error("p wake_up_new_task a=%0 f:a 1", "expected a comparison", "1");
	check_error("x wake_up_new_task", "unknown probe kind", "x");
	check_error("p wake_up_new_task a=$retval", "function return", "$retval");
	check_error("r wake_up_new_task+4", "without +offset", "wake_up_new_task+4");
	check_error("p wake_up_new_task a=%0->pid->x", "needs a pointer", "->x");
	check_error("p wake_up_new_task a=%0->prio_class.x", "bitfield", ".x");
	check_error("p wake_up_new_task a=@sym->x", "cast it", "->x");
	check_error("p wake_up_new_task a=!(struct nosuch *)%0->x", "unknown type", "struct nosuch *");
	check_error("p wake_up_new_task a=%0-comm", "followed by '>'", "-");
	check_error("p wake_up_new_task common_pid=%0", "reserves", "common_pid");
	check_error("p wake_up_new_task a", "NAME=VALUE", "a");
	check_error("p wake_up_new_task a=%0->comm f:", "empty filter", "f:");
	check_error("p netif_receive a=@(struct ethhdr *)l3%0->h_proto", "layer 2", "struct ethhdr *");
	check_error("p netif_receive a=@(struct iphdr *)l3%0->nosuch", "not a member", "nosuch");
	check_error("p netif_receive ip_a=%1 f:ip_a==1.2.3", "IPv4", "1.2.3");
	check_error("p netif_receive b16_a=%1 f:b16_a==70000", "wider than 16 bits", "70000");
	check_error("e sched", "GROUP/EVENT", "sched");
	check_error("e sched/sched_switch x=1", "NAME= names one of them", "1");
	check_error("P bash", "BINARY:SYMBOL", "bash");
}

TEST(test_expr_error_print_draws_a_caret)
{
	struct surf_expr_error err = { .code = -22, .pos = 4, .len = 3, .msg = "bad thing" };
	struct test_capture c;
	char *buf;

	surf_expr_error__print(test_capture_open(&c), "surftrace", "p a\tbcd e", &err);
	buf = test_capture_close(&c);
	CHECK_STR(buf, "surftrace: bad thing\n  p a bcd e\n      ^~~\n");
	free(buf);
}

TEST(test_expr_format_value_conversions)
{
	struct surf_arg ip = { .conv = SURF_CONV_IPV4, .conv_bits = 32 };
	struct surf_arg b16 = { .conv = SURF_CONV_BSWAP_DEC, .conv_bits = 16 };
	struct surf_arg B32 = { .conv = SURF_CONV_BSWAP_HEX, .conv_bits = 32 };
	char buf[64];

	surf_arg__format_value(&ip, 0x100007f, buf, sizeof(buf));
	CHECK_STR(buf, "127.0.0.1");
	surf_arg__format_value(&b16, 1063, buf, sizeof(buf));
	CHECK_STR(buf, "9988");
	surf_arg__format_value(&B32, 0x04030201, buf, sizeof(buf));
	CHECK_STR(buf, "0x1020304");
}

/*
 * A definition built by hand, as a library user does: the fetch type is in
 * .type, not in .fetch, and must reach the kernel (it read 8 bytes, the
 * kernel's default, where u32 was asked).
 */
TEST(test_expr_hand_built_def_keeps_arg_types)
{
	struct surf_arg args[] = {
		{ .name = "a", .fetch = "+0(%si)", .type = "u32" },
		{ .name = "s", .fetch = "+0(%di)", .type = "string" },
		{ .name = "d", .fetch = "%dx" },
	};
	struct surf_probe_def def = {
		.kind = SURF_PROBE_KPROBE, .name = "h", .symbol = "do_filp_open",
		.location = "do_filp_open", .args = args, .nargs = 3,
	};
	struct surf_script_opts so = { .sz = sizeof(so) };
	struct surf_probe_def *defs[] = { &def };
	struct test_capture c;
	char *text, *buf;

	text = surf_probe_def__definition(&def, "g");
	CHECK_STR(text, "p:g/h do_filp_open a=+0(%si):u32 s=+0(%di):string d=%dx");
	free(text);
	surf_script__write(test_capture_open(&c), defs, 1, &so);
	buf = test_capture_close(&c);
	CHECK_CONTAINS(buf, "echo 'p:h do_filp_open a=+0(%si):u32 s=+0(%di):string d=%dx' >> ");
	free(buf);
}

TEST(test_expr_script_replays_and_cleans_up)
{
	struct surf_probe_def *defs[2];
	struct surf_script_opts so = { .sz = sizeof(so), .full = true };
	struct test_capture c;
	char *buf;

	NEED_FIXTURE();
	CHECK(!surf_expr__compile(fixture_types(), "p wake_up_new_task c=%0->comm f:c==\"a'b\"",
				  NULL, &defs[0], NULL));
	CHECK(!surf_expr__compile(fixture_types(), "e sched/sched_switch f:prev_pid==1", NULL,
				  &defs[1], NULL));
	surf_script__write(test_capture_open(&c), defs, 2, &so);
	buf = test_capture_close(&c);
	CHECK_CONTAINS(buf, "trap ':' INT QUIT TERM PIPE HUP\n");
	/* Each run of the script names its instance and group: $G, from the kernel's uuid. */
	CHECK_CONTAINS(buf, "IFS=- read -r a b c d e < /proc/sys/kernel/random/uuid || exit 1\n"
			    "G=surftrace_sh_$a$b$e\n"
			    "mkdir /sys/kernel/tracing/instances/$G || exit 1\n");
	CHECK_CONTAINS(buf, fmt("echo \"p:$G/f0\" 'wake_up_new_task c=+0x%x(%%di):string' >> "
				"/sys/kernel/tracing/kprobe_events\n", OFF(task_struct, comm)));
	CHECK_CONTAINS(buf, "echo 'c==\"a'\\''b\"' > /sys/kernel/tracing/instances/$G/"
			    "events/$G/f0/filter\n");
	CHECK_CONTAINS(buf, "cat /sys/kernel/tracing/instances/$G/trace_pipe\n");
	CHECK_CONTAINS(buf, "echo \"-:$G/f0\" >> /sys/kernel/tracing/kprobe_events\n");
	CHECK_CONTAINS(buf, "echo 0 > /sys/kernel/tracing/instances/$G/events/sched/"
			    "sched_switch/filter\n");
	CHECK_CONTAINS(buf, "rmdir /sys/kernel/tracing/instances/$G\n");
	free(buf);
	surf_probe_def__free(defs[0]);
	surf_probe_def__free(defs[1]);
}

__attribute__((destructor)) static void free_fixture(void)
{
	surf_types__close(fixture_types());
}

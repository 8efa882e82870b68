// SPDX-License-Identifier: MIT
/*
 * The BPF instruction builder and its listing (src/lib/gen): labels and
 * their errors, a golden listing, and the listing of a program the kernel
 * loaded against the kernel's own (`bpftool prog dump xlated`), line by
 * line, for every instruction form the generator can emit.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include <surf/tracefs.h>

#include "gen/gen.h"
#include "test.h"

/* The whole listing, one instruction a line ("N: (code) text"). */
static char *listing(const struct gen *g)
{
	size_t cap = 64 * (size_t)(g->n + 1), len = 0;
	char *out = malloc(cap), line[160];
	int step;

	if (!out)
		return NULL;
	out[0] = '\0';
	for (int i = 0; i < g->n; i += step) {
		step = gen_format(g->insns, g->n, i, line, sizeof(line));
		len += (size_t)snprintf(out + len, cap - len, "%d: %s\n", i, line);
	}
	return out;
}

TEST(test_gen_labels_golden)
{
	struct gen g;
	int out, again;
	char *text;

	gen_init(&g);
	out = gen_label(&g);
	again = gen_label(&g);
	gen_emit(&g, G_MOV64_REG(BPF_REG_6, BPF_REG_1));
	gen_place(&g, again);
	gen_emit(&g, G_LDX(BPF_DW, BPF_REG_1, BPF_REG_6, 8));
	gen_jmp_imm(&g, BPF_JEQ, BPF_REG_1, 0, out);		/* forward */
	gen_emit(&g, G_ALU64_IMM(BPF_ADD, BPF_REG_1, -1));
	gen_emit(&g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_1, -8));
	gen_jmp_reg(&g, BPF_JSGT, BPF_REG_1, BPF_REG_6, again);	/* backward */
	gen_ld_map_fd(&g, BPF_REG_1, 7);
	gen_emit(&g, G_CALL(BPF_FUNC_map_lookup_elem));
	gen_place(&g, out);
	gen_emit(&g, G_MOV64_IMM(BPF_REG_0, 0));
	gen_emit(&g, G_EXIT());
	CHECK_INT(gen_finish(&g), ==, 0);
	text = listing(&g);
	CHECK_STR(text, "0: (bf) r6 = r1\n"
			"1: (79) r1 = *(u64 *)(r6 +8)\n"
			"2: (15) if r1 == 0x0 goto pc+6\n"
			"3: (07) r1 += -1\n"
			"4: (7b) *(u64 *)(r10 -8) = r1\n"
			"5: (6d) if r1 s> r6 goto pc-5\n"
			"6: (18) r1 = map[fd:7]\n"
			"8: (85) call bpf_map_lookup_elem#1\n"
			"9: (b7) r0 = 0\n"
			"10: (95) exit\n");
	free(text);
	gen_free(&g);
}

TEST(test_gen_errors)
{
	struct gen g;
	int l;

	/* A jump to a label never placed. */
	gen_init(&g);
	l = gen_label(&g);
	gen_goto(&g, l);
	CHECK_INT(gen_finish(&g), ==, -EINVAL);
	gen_free(&g);
	/* A label placed twice. */
	gen_init(&g);
	l = gen_label(&g);
	gen_place(&g, l);
	gen_place(&g, l);
	CHECK_INT(gen_finish(&g), ==, -EINVAL);
	gen_free(&g);
	/* Too long: the first error stays, and nothing more is written. */
	gen_init(&g);
	for (int i = 0; i < GEN_MAX_INSNS + 10; i++)
		gen_emit(&g, G_MOV64_IMM(BPF_REG_0, i));
	CHECK_INT(g.n, ==, GEN_MAX_INSNS);
	CHECK_INT(gen_finish(&g), ==, -E2BIG);
	gen_free(&g);
}

/* Every form: ALU64 and ALU32 with immediates and registers, byte swaps, loads, stores, jumps, calls. */
static void every_form(struct gen *g)
{
	static const int alu[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH,
				   BPF_XOR, BPF_ARSH };
	static const int jmp[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT,
				   BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE };

	/* Values the verifier cannot know: no branch is dead, nothing folded. */
	gen_emit(g, G_CALL(BPF_FUNC_ktime_get_ns));
	gen_emit(g, G_MOV64_REG(BPF_REG_6, BPF_REG_0));
	gen_emit(g, G_CALL(BPF_FUNC_ktime_get_ns));
	gen_emit(g, G_MOV64_REG(BPF_REG_7, BPF_REG_0));
	for (size_t i = 0; i < sizeof(alu) / sizeof(alu[0]); i++) {
		int shift = alu[i] == BPF_LSH || alu[i] == BPF_RSH || alu[i] == BPF_ARSH;

		gen_emit(g, G_ALU64_IMM(alu[i], BPF_REG_6, shift ? 3 : -77));
		gen_emit(g, G_ALU32_IMM(alu[i], BPF_REG_7, shift ? 5 : 1000));
		if (!shift)
			gen_emit(g, G_ALU64_REG(alu[i], BPF_REG_6, BPF_REG_7));
	}
	gen_emit(g, G_ALU64_IMM(BPF_DIV, BPF_REG_6, 10));
	gen_emit(g, G_ALU64_IMM(BPF_MOD, BPF_REG_6, 1000));
	gen_emit(g, gen_insn(BPF_ALU64 | BPF_NEG, BPF_REG_6, 0, 0, 0));
	gen_emit(g, gen_insn(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_7, 0, 0, 16));
	gen_emit(g, gen_insn(BPF_ALU | BPF_END | BPF_TO_LE, BPF_REG_7, 0, 0, 32));
	gen_emit(g, G_MOV32_REG(BPF_REG_8, BPF_REG_7));
	gen_ld_imm64(g, BPF_REG_9, 0x1122334455667788ull);
	/* The stack: stores of each size, loads back, an atomic add. */
	gen_emit(g, G_ST(BPF_DW, BPF_REG_10, -8, 5));
	gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_6, -16));
	gen_emit(g, G_STX(BPF_W, BPF_REG_10, BPF_REG_7, -20));
	gen_emit(g, G_STX(BPF_H, BPF_REG_10, BPF_REG_7, -22));
	gen_emit(g, G_STX(BPF_B, BPF_REG_10, BPF_REG_7, -23));
	gen_emit(g, G_ST(BPF_B, BPF_REG_10, -24, 1));
	gen_emit(g, G_LDX(BPF_DW, BPF_REG_1, BPF_REG_10, -16));
	gen_emit(g, G_LDX(BPF_W, BPF_REG_2, BPF_REG_10, -20));
	gen_emit(g, G_LDX(BPF_H, BPF_REG_3, BPF_REG_10, -22));
	gen_emit(g, G_LDX(BPF_B, BPF_REG_4, BPF_REG_10, -23));
	gen_emit(g, G_XADD64(BPF_REG_10, BPF_REG_1, -8));
	/* Each jump, on a register and an immediate, around one instruction. */
	gen_emit(g, G_CALL(BPF_FUNC_ktime_get_ns));
	gen_emit(g, G_MOV64_REG(BPF_REG_6, BPF_REG_0));
	gen_emit(g, G_CALL(BPF_FUNC_ktime_get_ns));
	gen_emit(g, G_MOV64_REG(BPF_REG_7, BPF_REG_0));
	for (size_t i = 0; i < sizeof(jmp) / sizeof(jmp[0]); i++) {
		int skip = gen_label(g);

		gen_jmp_reg(g, jmp[i], BPF_REG_6, BPF_REG_7, skip);
		gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_8, 1));
		gen_place(g, skip);
		skip = gen_label(g);
		gen_jmp_imm(g, jmp[i], BPF_REG_6, (int32_t)(i * 1000 + 1), skip);
		gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_8, 2));
		gen_place(g, skip);
	}
	/* A read of kernel memory onto the stack (the address may fault: fine). */
	gen_emit(g, G_MOV64_REG(BPF_REG_1, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_1, -32));
	gen_emit(g, G_MOV64_IMM(BPF_REG_2, 8));
	gen_emit(g, G_MOV64_REG(BPF_REG_3, BPF_REG_9));
	gen_emit(g, G_CALL(BPF_FUNC_probe_read_kernel));
	gen_emit(g, G_MOV64_REG(BPF_REG_0, BPF_REG_8));
	gen_emit(g, G_ALU64_IMM(BPF_AND, BPF_REG_0, 1));
	gen_emit(g, G_EXIT());
}

TEST(test_gen_listing_matches_bpftool)
{
	char *ours = NULL, *theirs = NULL;
	static char log[65536];
	struct bpf_prog_info info = { 0 };
	__u32 info_len = sizeof(info);
	struct gen g;
	int fd;

	if (geteuid() != 0)
		SKIP("loading BPF needs root");
	if (system("command -v bpftool >/dev/null 2>&1"))
		SKIP("no bpftool");
	gen_init(&g);
	every_form(&g);
	CHECK_INT(gen_finish(&g), ==, 0);
	{
		/* The log only when the kernel refuses (a full log is an error of its own). */
		LIBBPF_OPTS(bpf_prog_load_opts, o);

		fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "surf_gen_test", "GPL", g.insns,
				   (size_t)g.n, &o);
		if (fd < 0) {
			o.log_buf = log;
			o.log_size = sizeof(log);
			o.log_level = 1;
			fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "surf_gen_test", "GPL",
					   g.insns, (size_t)g.n, &o);
		}
	}
	if (fd < 0) {
		gen_free(&g);
		test_fail(__FILE__, __LINE__, "the kernel refused the program: %s",
			  log[0] ? log + (strlen(log) > 600 ? strlen(log) - 600 : 0) : "");
		return;
	}
	CHECK_INT(bpf_obj_get_info_by_fd(fd, &info, &info_len), ==, 0);
	/* xlated calls carry the helper's address, not its id: names are compared. */
	theirs = test_output("bpftool prog dump xlated id %u | sed -E 's/^ +//; s/(call [a-z_]+)#-?[0-9]+/\\1/'",
			     info.id);
	close(fd);
	ours = listing(&g);
	gen_free(&g);
	if (ours) {	/* the same for ours: "call bpf_x#5" -> "call bpf_x" */
		char *w = ours;

		for (char *p = ours; *p;) {
			if (*p == '#' && p > ours && p[-1] >= 'a' && p[-1] <= 'z') {
				while (p[1] >= '0' && p[1] <= '9')
					p++;
				p++;
				continue;
			}
			*w++ = *p++;
		}
		*w = '\0';
	}
	if (!theirs || !ours || strcmp(ours, theirs)) {
		test_fail(__FILE__, __LINE__, "listings differ:\nours:\n%s\nbpftool:\n%s",
			  ours ? ours : "(null)", theirs ? theirs : "(null)");
	}
	free(ours);
	free(theirs);
}

/* --- fetch text to BPF (src/lib/gen/fetch.c) ------------------------------- */

/* r0 into slot i of an array map of u64 (how the tests below read what a program saw). */
static void store_slot(struct gen *g, int map, int i)
{
	gen_emit(g, G_STX(BPF_DW, BPF_REG_10, BPF_REG_0, -16));
	gen_emit(g, G_ST(BPF_W, BPF_REG_10, -20, i));
	gen_ld_map_fd(g, BPF_REG_1, map);
	gen_emit(g, G_MOV64_REG(BPF_REG_2, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_2, -20));
	gen_emit(g, G_MOV64_REG(BPF_REG_3, BPF_REG_10));
	gen_emit(g, G_ALU64_IMM(BPF_ADD, BPF_REG_3, -16));
	gen_emit(g, G_MOV64_IMM(BPF_REG_4, BPF_ANY));
	gen_emit(g, G_CALL(BPF_FUNC_map_update_elem));
}

#include "gen/fetch.h"

static char *fetch_listing(const char *arch, bool user, const char *text, const char *type,
			   int *ret)
{
	struct gen_fetch_opts o = { .arch = arch, .user = user, .ctx_reg = BPF_REG_6,
				    .scratch = -8 };
	struct gen g;
	char *out;

	gen_init(&g);
	*ret = gen_fetch_value(&g, &o, text, type);
	out = *ret ? NULL : listing(&g);
	gen_free(&g);
	return out;
}

TEST(test_gen_fetch_golden)
{
	int ret;
	char *t;

	/* A register's low 32 bits. */
	t = fetch_listing("x86_64", false, "%di", "x32", &ret);
	CHECK_INT(ret, ==, 0);
	CHECK_STR(t, "0: (79) r0 = *(u64 *)(r6 +112)\n"
		     "1: (67) r0 <<= 32\n"
		     "2: (77) r0 >>= 32\n");
	free(t);
	/* Two dereferences, a signed int at the end: wake_up_new_task's mm->mm_users. */
	t = fetch_listing("x86_64", false, "+0x84(+0x470(%di))", "s32", &ret);
	CHECK_INT(ret, ==, 0);
	CHECK_STR(t, "0: (79) r0 = *(u64 *)(r6 +112)\n"
		     "1: (bf) r3 = r0\n"
		     "2: (07) r3 += 1136\n"
		     "3: (7a) *(u64 *)(r10 -8) = 0\n"
		     "4: (bf) r1 = r10\n"
		     "5: (07) r1 += -8\n"
		     "6: (b7) r2 = 8\n"
		     "7: (85) call bpf_probe_read_kernel#113\n"
		     "8: (79) r0 = *(u64 *)(r10 -8)\n"
		     "9: (bf) r3 = r0\n"
		     "10: (07) r3 += 132\n"
		     "11: (7a) *(u64 *)(r10 -8) = 0\n"
		     "12: (bf) r1 = r10\n"
		     "13: (07) r1 += -8\n"
		     "14: (b7) r2 = 4\n"
		     "15: (85) call bpf_probe_read_kernel#113\n"
		     "16: (61) r0 = *(u32 *)(r10 -8)\n"
		     "17: (67) r0 <<= 32\n"
		     "18: (c7) r0 s>>= 32\n");
	free(t);
	/* User memory, aarch64's $retval, a bitfield of a u32. */
	t = fetch_listing("aarch64", true, "+0x10($retval)", "b3@5/32", &ret);
	CHECK_INT(ret, ==, 0);
	CHECK_STR(t, "0: (79) r0 = *(u64 *)(r6 +0)\n"
		     "1: (bf) r3 = r0\n"
		     "2: (07) r3 += 16\n"
		     "3: (7a) *(u64 *)(r10 -8) = 0\n"
		     "4: (bf) r1 = r10\n"
		     "5: (07) r1 += -8\n"
		     "6: (b7) r2 = 4\n"
		     "7: (85) call bpf_probe_read_user#112\n"
		     "8: (61) r0 = *(u32 *)(r10 -8)\n"
		     "9: (67) r0 <<= 56\n"
		     "10: (77) r0 >>= 61\n");
	free(t);
	/* What does not parse, and what is not a number. */
	static const struct { const char *text, *type; int ret; } bad[] = {
		{ "%zz", "u64", -ENOENT }, { "+0x8(%di", "u64", -EINVAL },
		{ "+0x8(%di))", "u64", -EINVAL }, { "%di", "u12", -EINVAL },
		{ "%di", "b9@30/32", -EINVAL }, { "+0x6d8(%di)", "string", -EOPNOTSUPP },
		{ "$comm", NULL, -EOPNOTSUPP }, { "@jiffies", "u64", -EOPNOTSUPP },
		{ "+0x100000000(%di)", "u64", -ERANGE },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = fetch_listing("x86_64", false, bad[i].text, bad[i].type, &ret);
		free(t);
		if (ret != bad[i].ret)
			test_fail(__FILE__, __LINE__, "%s:%s: %d, want %d", bad[i].text,
				  bad[i].type ? bad[i].type : "(none)", ret, bad[i].ret);
	}
}

/* The kernel's verifier takes what fetch emits, in a kprobe program, for each form. */
TEST(test_gen_fetch_verifier_accepts)
{
	static const struct { const char *text, *type; bool user; } forms[] = {
		{ "%di", "u64", false }, { "%si", "s16", false }, { "$retval", "x8", false },
		{ "+0x6d8(%di)", "u8", false }, { "+0x84(+0x470(%di))", "s32", false },
		{ "-0x10(+0x8(+0x0(%dx)))", "b4@2/16", false }, { "@0xffffffff81000000", "u64", false },
		{ "+0x0(%si)", "u32", true },
	};

	if (geteuid() != 0)
		SKIP("loading BPF needs root");
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct gen_fetch_opts o = { .arch = "x86_64", .user = forms[i].user,
					    .ctx_reg = BPF_REG_6, .scratch = -8 };
		LIBBPF_OPTS(bpf_prog_load_opts, lo);
		struct gen g;
		int fd;

		gen_init(&g);
		gen_emit(&g, G_MOV64_REG(BPF_REG_6, BPF_REG_1));
		CHECK_INT(gen_fetch_value(&g, &o, forms[i].text, forms[i].type), ==, 0);
		gen_emit(&g, G_EXIT());
		CHECK_INT(gen_finish(&g), ==, 0);
		fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "surf_fetch", "GPL", g.insns,
				   (size_t)g.n, &lo);
		gen_free(&g);
		if (fd < 0)
			test_fail(__FILE__, __LINE__, "%s:%s refused: %s", forms[i].text,
				  forms[i].type, strerror(errno));
		else
			close(fd);
	}
}

/*
 * The oracle for fetch: the compiler's own fetch text for a two-pointer
 * member chain and two bitfields of a user program (tests/helpers/tstruct.c,
 * whose values are known: count 10 * i, level i, kind 5, next->id 100 + i),
 * evaluated by the generated BPF in a uprobe on that program.  The kernel's
 * own evaluation of the same text is checked by tests/cli/test_uprobes.sh.
 */
TEST(test_gen_fetch_reads_what_the_fixture_holds)
{
	static const char *const want_names[] = { "c", "l", "k", "id" };
	static const long long want[] = { 30, 3, 5, 103 };
	char cwd[PATH_MAX], bin[PATH_MAX + 32], *out, *line, *p;
	char fetches[4][128], types[4][32];
	unsigned long long offset;
	struct perf_event_attr attr = { .size = sizeof(attr) };
	int map, prog, pfd = -1, gate[2], type, nargs = 0;
	pid_t child;
	FILE *f;

	if (geteuid() != 0)
		SKIP("uprobes and BPF need root");
	CHECK(getcwd(cwd, sizeof(cwd)));
	snprintf(bin, sizeof(bin), "%s/build/helpers/tstruct", cwd);
	if (access(bin, X_OK) || access("build/surftrace", X_OK))
		SKIP("build/helpers/tstruct or build/surftrace not built");
	f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	if (!f)
		SKIP("no uprobe PMU");
	CHECK(fscanf(f, "%d", &type) == 1);
	fclose(f);
	out = test_output("build/surftrace -S 'P %s:probe_me c=%%0->count l=%%0->in->flags.level "
			  "k=%%0->in->flags.kind id=S%%0->in->next->id' 2>&1", bin);
	CHECK(out);
	line = strstr(out, "tstruct:0x");
	CHECK(line);
	offset = strtoull(line + strlen("tstruct:"), &p, 16);
	/* " name=FETCH:TYPE" x 4, up to the closing quote. */
	while (*p == ' ' && nargs < 4) {
		char *eq = strchr(p, '='), *end = strpbrk(p + 1, " '"), *colon;

		CHECK(eq && end);
		colon = memrchr(eq, ':', (size_t)(end - eq));
		CHECK(colon);
		CHECK(!strncmp(p + 1, want_names[nargs], (size_t)(eq - p - 1)));
		snprintf(fetches[nargs], sizeof(fetches[0]), "%.*s", (int)(colon - eq - 1), eq + 1);
		snprintf(types[nargs], sizeof(types[0]), "%.*s", (int)(end - colon - 1), colon + 1);
		nargs++;
		p = end;
	}
	free(out);
	CHECK_INT(nargs, ==, 4);

	map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "surf_fetch", 4, 8, 4, NULL);
	CHECK(map >= 0);
	{
		struct gen_fetch_opts o = { .arch = "x86_64", .user = true, .ctx_reg = BPF_REG_6,
					    .scratch = -8 };
		LIBBPF_OPTS(bpf_prog_load_opts, lo);
		struct gen g;

		gen_init(&g);
		gen_emit(&g, G_MOV64_REG(BPF_REG_6, BPF_REG_1));
		for (int i = 0; i < nargs; i++) {
			CHECK_INT(gen_fetch_value(&g, &o, fetches[i], types[i]), ==, 0);
			store_slot(&g, map, i);
		}
		/* 1: other perf readers of the probe keep their records. */
		gen_emit(&g, G_MOV64_IMM(BPF_REG_0, 1));
		gen_emit(&g, G_EXIT());
		CHECK_INT(gen_finish(&g), ==, 0);
		prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "surf_fetch", "GPL", g.insns,
				     (size_t)g.n, &lo);
		gen_free(&g);
	}
	if (prog < 0) {
		close(map);
		CHECK(prog >= 0);
	}
	/* The program waits at a gate while its uprobe is set, then runs probe_me 3 times. */
	CHECK_INT(pipe(gate), ==, 0);
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		char c;

		close(gate[1]);
		if (read(gate[0], &c, 1) != 1)
			_exit(1);
		dup2(open("/dev/null", O_WRONLY), 1);	/* it prints its sum */
		execl(bin, "tstruct", "3", (char *)NULL);
		_exit(127);
	}
	close(gate[0]);
	attr.type = (__u32)type;
	attr.config1 = (__u64)(uintptr_t)bin;
	attr.config2 = offset;
	attr.sample_period = 1;
	attr.disabled = 1;
	pfd = (int)syscall(SYS_perf_event_open, &attr, child, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0 || ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) ||
	    ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0))
		test_fail(__FILE__, __LINE__, "attaching the uprobe: %s", strerror(errno));
	CHECK_INT(write(gate[1], "g", 1), ==, 1);
	close(gate[1]);
	waitpid(child, NULL, 0);
	for (int i = 0; i < 4; i++) {
		__u32 key = (__u32)i;
		long long v = -1;

		CHECK_INT(bpf_map_lookup_elem(map, &key, &v), ==, 0);
		if (v != want[i])
			test_fail(__FILE__, __LINE__, "%s=%s:%s read %lld, the program held %lld",
				  want_names[i], fetches[i], types[i], v, want[i]);
	}
	if (pfd >= 0)
		close(pfd);
	close(prog);
	close(map);
}

/*
 * Tracepoint fields from the record, at the offsets the kernel's format
 * file gives: a BPF program on this process's sys_enter_write reads
 * __syscall_nr, fd and count of write(1000077, NULL, 12345); common_pid,
 * in the first 8 bytes, is refused (the verifier would).
 */
TEST(test_gen_field_reads_the_record)
{
	static const char *const names[] = { "__syscall_nr", "fd", "count", "common_pid" };
	static const long long want[] = { SYS_write, 1000077, 12345 };
	int off[4], size[4], sgn[4], id = -1, map, prog, pfd;
	char line[512], path[4200], tfs[4096];
	FILE *f;

	if (geteuid() != 0)
		SKIP("BPF needs root");
	if (surf_tracefs__find(tfs, sizeof(tfs), true))
		SKIP("no tracefs");
	for (int i = 0; i < 4; i++)
		off[i] = -1;
	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_write/format", tfs);
	f = fopen(path, "r");
	if (!f)
		SKIP("no syscalls:sys_enter_write");
	while (fgets(line, sizeof(line), f)) {
		char *semi = strchr(line, ';'), *name;
		int o, s, g;

		if (sscanf(line, "ID: %d", &o) == 1)
			id = o;
		if (!semi || !strstr(line, "field:"))
			continue;
		*semi = '\0';
		name = strrchr(line, ' ');
		if (sscanf(semi + 1, " offset:%d; size:%d; signed:%d;", &o, &s, &g) != 3 || !name)
			continue;
		name = name[1] == '*' ? name + 2 : name + 1;
		for (int i = 0; i < 4; i++)
			if (!strcmp(name, names[i])) {
				off[i] = o;
				size[i] = s;
				sgn[i] = g;
			}
	}
	fclose(f);
	CHECK(id > 0);
	for (int i = 0; i < 4; i++)
		CHECK(off[i] >= 0);
	map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "surf_field", 4, 8, 4, NULL);
	CHECK(map >= 0);
	{
		LIBBPF_OPTS(bpf_prog_load_opts, lo);
		struct gen g;
		int other;

		gen_init(&g);
		CHECK_INT(gen_field_value(&g, BPF_REG_6, off[3], size[3], sgn[3]), ==, -EACCES);
		gen_emit(&g, G_MOV64_REG(BPF_REG_6, BPF_REG_1));
		/*
		 * This process's writes only: the program runs at every process's
		 * sys_enter_write (the tracepoint's, whoever the perf event is for),
		 * and a test runner's output write came last once.
		 */
		other = gen_label(&g);
		gen_emit(&g, G_CALL(BPF_FUNC_get_current_pid_tgid));
		gen_emit(&g, G_ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
		gen_jmp_imm(&g, BPF_JNE, BPF_REG_0, getpid(), other);
		for (int i = 0; i < 3; i++) {
			CHECK_INT(gen_field_value(&g, BPF_REG_6, off[i], size[i], sgn[i]), ==, 0);
			store_slot(&g, map, i);
		}
		gen_place(&g, other);
		/* 1: other perf readers of sys_enter_write keep their records. */
		gen_emit(&g, G_MOV64_IMM(BPF_REG_0, 1));
		gen_emit(&g, G_EXIT());
		CHECK_INT(gen_finish(&g), ==, 0);
		prog = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "surf_field", "GPL", g.insns,
				     (size_t)g.n, &lo);
		gen_free(&g);
	}
	if (prog < 0) {
		close(map);
		CHECK(prog >= 0);
	}
	{
		struct perf_event_attr attr = { .size = sizeof(attr), .type = PERF_TYPE_TRACEPOINT,
						.config = (__u64)id, .sample_period = 1 };

		pfd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	}
	if (pfd < 0 || ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog))
		test_fail(__FILE__, __LINE__, "attaching to sys_enter_write: %s", strerror(errno));
	syscall(SYS_write, 1000077, NULL, 12345);
	if (pfd >= 0)
		close(pfd);
	for (int i = 0; i < 3; i++) {
		__u32 key = (__u32)i;
		long long v = -1;

		CHECK_INT(bpf_map_lookup_elem(map, &key, &v), ==, 0);
		if (v != want[i])
			test_fail(__FILE__, __LINE__, "%s (offset %d, size %d): %lld, want %lld",
				  names[i], off[i], size[i], v, want[i]);
	}
	close(prog);
	close(map);
}

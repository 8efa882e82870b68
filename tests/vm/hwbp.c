// SPDX-License-Identifier: MIT
/*
 * hwbp: does this (virtual) CPU deliver execute hardware breakpoints to a
 * BPF program, the mechanism of clcc_attach_java_sym, on a C function?
 * Static, without libbpf (the guest has no libraries of ours but libsurf's
 * programs' own): raw perf_event_open and a hand-assembled
 * BPF_PROG_TYPE_PERF_EVENT program.
 *
 * Two breakpoints on target(): one counting (read() gives the count), one
 * sampling every hit into the BPF program, which counts its runs in an
 * array map and keeps the second argument's register (ctx->regs.si on
 * x86_64, regs[1] on arm64: the register attachJavaSym's seed example
 * reads).  target(i, 99) is called CALLS times.  Prints
 *	counted N of CALLS, bpf runs N, arg 99
 * and exits 0 when both are CALLS and the argument is 99; 1 otherwise;
 * 2 when something could not be set up (the reason on stderr).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CALLS 5

#if defined(__aarch64__)
#define BP_LEN HW_BREAKPOINT_LEN_4
#define ARG2_OFF 8		/* struct user_pt_regs: regs[1] */
#else
#define BP_LEN sizeof(long)
#define ARG2_OFF 104		/* struct pt_regs: r15 ... rdx, then rsi */
#endif

__attribute__((noinline)) static int target(int i, int arg)
{
	__asm__ volatile("" ::: "memory");
	return i + arg;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static long bp_open(int sample)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_BREAKPOINT;
	attr.size = sizeof(attr);
	attr.bp_type = HW_BREAKPOINT_X;
	attr.bp_addr = (uint64_t)(uintptr_t)target;
	attr.bp_len = BP_LEN;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	attr.sample_period = sample ? 1 : 0;
	return syscall(__NR_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

int main(void)
{
	int (*volatile fn)(int, int) = target;
	uint64_t count = 0, val[2] = { 0, 0 };
	union bpf_attr a;
	char log[4096] = "";
	long cfd, sfd, map, prog;
	uint32_t key = 0;
	volatile int sink = 0;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = sizeof(val);
	a.max_entries = 1;
	map = sys_bpf(BPF_MAP_CREATE, &a);
	if (map < 0) {
		fprintf(stderr, "hwbp: cannot create a map: %s\n", strerror(errno));
		return 2;
	}
	struct bpf_insn insns[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),		/* r6 = ctx */
		INSN(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0),		/* key = 0 */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),		/* r2 = &key */
		INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, (int)map),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4, 0),		/* no value: out */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1),
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 0, 1, 0, BPF_ADD),	/* val[0] += 1 */
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 1, 6, ARG2_OFF, 0),	/* the argument */
		INSN(BPF_STX | BPF_MEM | BPF_DW, 0, 1, 8, 0),		/* val[1] = it */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_PERF_EVENT;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	prog = sys_bpf(BPF_PROG_LOAD, &a);
	if (prog < 0) {
		fprintf(stderr, "hwbp: cannot load the program: %s\n%s\n", strerror(errno), log);
		return 2;
	}
	cfd = bp_open(0);
	sfd = bp_open(1);
	if (cfd < 0 || sfd < 0) {
		fprintf(stderr, "hwbp: cannot open an execute breakpoint: %s\n", strerror(errno));
		return 2;
	}
	if (ioctl((int)sfd, PERF_EVENT_IOC_SET_BPF, (int)prog) ||
	    ioctl((int)sfd, PERF_EVENT_IOC_ENABLE, 0)) {
		fprintf(stderr, "hwbp: cannot attach the program: %s\n", strerror(errno));
		return 2;
	}
	for (int i = 0; i < CALLS; i++)
		sink += fn(i, 99);
	if (read((int)cfd, &count, sizeof(count)) != sizeof(count))
		count = 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)map;
	a.key = (uint64_t)(uintptr_t)&key;
	a.value = (uint64_t)(uintptr_t)val;
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a)) {
		fprintf(stderr, "hwbp: cannot read the map: %s\n", strerror(errno));
		return 2;
	}
	printf("counted %llu of %d, bpf runs %llu, arg %llu\n", (unsigned long long)count, CALLS,
	       (unsigned long long)val[0], (unsigned long long)val[1]);
	return count == CALLS && val[0] == CALLS && val[1] == 99 ? 0 : 1;
}

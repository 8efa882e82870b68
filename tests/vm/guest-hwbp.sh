# Sourced by guest-tests.sh: execute hardware breakpoints running a BPF
# program (the mechanism of clcc_attach_java_sym / pylcc attachJavaSym), on a
# C function of tests/vm/hwbp.c: CALLS calls of target(i, 99) must count 5,
# run the program 5 times and show 99 in the second argument's register.
# libsurf's self test (javamap --hwbp, clcc_hw_breakpoints) must say the
# same; where the CPU does not deliver them, it must say so clearly.
if [ -x /surf/bin/hwbp ]; then
	/surf/bin/hwbp >$W/hwbp.out 2>$W/hwbp.err; hrc=$?
	if [ -x /surf/examples/javamap ]; then
		/surf/examples/javamap --hwbp >$W/hwbp_lib.out 2>&1; lrc=$?
	else lrc=none; fi
	if [ $hrc = 0 ] && grep -qx 'counted 5 of 5, bpf runs 5, arg 99' $W/hwbp.out; then
		pass hwbp_bpf_on_c_function $W/hwbp.out
		if [ "$lrc" = 0 ] && grep -qx 'hardware breakpoints: delivered (an execute breakpoint on a function of this process counted 5 of 5 calls)' $W/hwbp_lib.out; then
			pass hwbp_selftest_agrees $W/hwbp_lib.out
		else fail hwbp_selftest_agrees "javamap --hwbp exit $lrc" $W/hwbp_lib.out; fi
	elif [ $hrc = 1 ] && grep -qx 'counted 0 of 5, bpf runs 0, arg 0' $W/hwbp.out; then
		# Accepted by the kernel and never raised: what the self test is for.
		if [ "$lrc" = 1 ] && grep -qx 'hardware breakpoints: not delivered (an execute breakpoint on a function of this process counted 0 of 5 calls)' $W/hwbp_lib.out; then
			pass hwbp_not_delivered_reported $W/hwbp_lib.out
		else fail hwbp_not_delivered_reported "javamap --hwbp exit $lrc" $W/hwbp.out $W/hwbp_lib.out; fi
	else fail hwbp_bpf_on_c_function "exit $hrc" $W/hwbp.out $W/hwbp.err; fi
else
	skip hwbp_bpf_on_c_function "/surf/bin/hwbp was not built"
fi
# The library's way (clcc_attach_breakpoint: an event per thread, inherited
# by the threads created after it, libbpf's perf_event attach): the BPF
# program counts 5 calls with 99 from the main thread, 3 with 77 from a
# thread created after the attach.
if [ "$(uname -m)" != x86_64 ]; then
	skip hwbp_clcc_attach_breakpoint "the BPF objects are built on this x86_64 machine's vmlinux.h"
elif [ -x /surf/bcc/hw_breakpoint ]; then
	(cd /surf/bcc && ./hw_breakpoint) >$W/hwbp_clcc.out 2>&1; crc=$?
	if [ $hrc = 0 ]; then
		if [ $crc = 0 ] && grep -qx 'si 99: 5' $W/hwbp_clcc.out && grep -qx 'si 77: 3' $W/hwbp_clcc.out; then
			pass hwbp_clcc_attach_breakpoint $W/hwbp_clcc.out
		else fail hwbp_clcc_attach_breakpoint "exit $crc" $W/hwbp_clcc.out; fi
	elif [ $crc = 3 ] && grep -qF 'hardware breakpoints are not delivered on this machine' $W/hwbp_clcc.out; then
		pass hwbp_clcc_attach_breakpoint_refused $W/hwbp_clcc.out
	else fail hwbp_clcc_attach_breakpoint_refused "exit $crc" $W/hwbp_clcc.out; fi
else
	skip hwbp_clcc_attach_breakpoint "the bcc examples were not built (make bcc-examples)"
fi

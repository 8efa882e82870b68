#!/bin/sh
# Kernel disassembly (surftrace -F FUNC) from /proc/kcore, and probes inside
# a function: sourced by guest-tests.sh (its helpers: st, pass, fail, skip).
# The seed's example: a probe right after do_filp_open's call to
# path_openat, where %ax holds what path_openat returned, which is what
# do_filp_open returns unless the lookup is retried (-ECHILD, -ESTALE).
if [ "$(uname -m)" != x86_64 ]; then
	skip kdisasm_do_filp_open "the arm64 programs are static: no capstone to load for -F"
else
st kdis -F do_filp_open
# "<+121>  do_filp_open+0x79  0xffffffff...:  callq   0xffffffff... <path_openat>"
call=$(grep -m1 -E '^<\+[0-9]+> .*call[q]? +0x[0-9a-f]+ <path_openat>$' $W/kdis.out)
next=$(grep -A1 -F -x -- "$call" $W/kdis.out | sed -n 2p)
OFF=$(echo "$next" | sed -n 's/^<+\([0-9]*\)>.*/\1/p')
if [ $RC = 0 ] && head -1 $W/kdis.out | grep -q '^# do_filp_open: x86_64, [0-9]* bytes at 0xffffffff[0-9a-f]*, read from /proc/kcore' &&
   grep -q "^# kprobes: every offset listed starts an instruction: 'p do_filp_open+OFF'" $W/kdis.out &&
   grep -qE '^<\+0> +do_filp_open\+0x0 +0xffffffff[0-9a-f]+:  ' $W/kdis.out &&
   [ -n "$call" ] && [ -n "$OFF" ]; then
	pass kdisasm_do_filp_open $W/kdis.out 'path_openat|^# '
	head -6 $W/kdis.out | sed 's/^/#   /'; echo '#   ...'
	grep -B4 -A1 -F -x -- "$call" $W/kdis.out | sed 's/^/#   /'
else fail kdisasm_do_filp_open "exit $RC; call '$call', next '$next'" $W/kdis.out $W/kdis.err; OFF=; fi

st kdis_unknown -F do_filp_opn
if [ $RC = 2 ] && grep -qF "no kernel function 'do_filp_opn' in /proc/kallsyms (did you mean 'do_filp_open'?)" $W/kdis_unknown.err
then pass kdisasm_unknown_function $W/kdis_unknown.err
else fail kdisasm_unknown_function "exit $RC (want 2)" $W/kdis_unknown.err; fi

# +1 is inside the first instruction (ftrace's 5-byte nop, or endbr64):
# refused before anything is written, with -S and live alike.
st kdis_inside -S 'p do_filp_open+1'
st kdis_inside_live -q -t 1 'p do_filp_open+1'
if [ $RC = 2 ] && grep -qE '^surftrace: do_filp_open\+0x1 is inside the instruction at do_filp_open\+0x0 \(.*, [0-9]+ bytes\): probe do_filp_open\+0x0 or do_filp_open\+0x[0-9a-f]+ \(/proc/kcore' $W/kdis_inside_live.err &&
   cmp -s $W/kdis_inside.err $W/kdis_inside_live.err && [ ! -s $W/kdis_inside.out ] &&
   ! grep -q 'do_filp_open+1' $KE && clean kdis_inside_live; then
	pass kprobe_offset_inside_insn $W/kdis_inside_live.err
else fail kprobe_offset_inside_insn "exit $RC (want 2), -S and live must say the same" $W/kdis_inside.err $W/kdis_inside_live.err $W/kdis_inside_live.left; fi

if [ -n "$OFF" ]; then
	echo kdisasm >$W/kdis-file
	st kdis_live -c "cat $W/kdis-file" "p do_filp_open+$OFF filp=%ax" 'r do_filp_open ret=$retval'
	# Pairs of one thread: its f0 (after path_openat) then its f1 (the return).
	pairs=$(awk '$0 ~ / f[01]: / {
		task = $1; ev = ($0 ~ / f0: /) ? "f0" : "f1"; v = $NF; sub(/^[a-z]*=/, "", v)
		if (ev == "f0") { ax[task] = v; next }
		if (task in ax) {
			if (ax[task] == v) same++
			else if (ax[task] == "18446744073709551606" || ax[task] == "18446744073709551500") retried++
			else { bad++; print "mismatch " task " ax=" ax[task] " ret=" v > "/dev/stderr" }
			delete ax[task]
		} }
		END { printf "%d %d %d\n", same, retried, bad }' $W/kdis_live.out 2>$W/kdis_pairs.err)
	# Not set --: this file is sourced, and the suites after it read $1.
	same=${pairs%% *}; rest=${pairs#* }; retried=${rest%% *}; bad=${rest#* }
	if [ $RC = 0 ] && [ "${same:-0}" -ge 1 ] && [ "${bad:-1}" = 0 ] && clean kdis_live &&
	   grep -q "kdisasm" $W/kdis_live.out; then
		pass kprobe_after_call_ax_is_retval $W/kdis_live.out " f[01]: "
		echo "# $same pairs equal, $retried retried lookups"
	else fail kprobe_after_call_ax_is_retval "exit $RC; pairs equal/retried/other: $pairs" \
		$W/kdis_pairs.err $W/kdis_live.out $W/kdis_live.err; fi
else skip kprobe_after_call_ax_is_retval "no offset after the call to path_openat"; fi
fi

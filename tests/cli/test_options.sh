#!/bin/bash
# Options: -f, -o, -l, -a, -d, -v, --help.
source "$(dirname "$0")/lib.sh"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
KE=/sys/kernel/tracing/kprobe_events
comm=$(printf '0x%x' "$(poff task_struct comm)")

# -f: one expression per line, blank lines and comments skipped, names by position.
printf '%s\n' 'p wake_up_new_task comm=%0->comm' '' '# a comment' 'r do_filp_open ret=X$retval' >"$TMP/exprs"
out=$($ST -S -f "$TMP/exprs" 'p do_filp_open dfd=%0' 2>&1)
if grep -qxF "echo 'p:f0 do_filp_open dfd=%di:u32' >> $KE" <<<"$out" &&
   grep -qxF "echo 'p:f1 wake_up_new_task comm=+$comm(%di):string' >> $KE" <<<"$out" &&
   grep -qxF "echo 'r:f2 do_filp_open ret=\$retval:x64' >> $KE" <<<"$out"; then pass file_option
else fail file_option "$out"; fi

# -o: a whole script that sets up, streams and cleans up; sh -n accepts it.
# Each of its runs names its instance and group $G (test_lifecycle runs two).
$ST -S -o "$TMP/trace.sh" 'p wake_up_new_task comm=%0->comm f:comm=="bash"' 'e sched/sched_switch' >/dev/null
if sh -n "$TMP/trace.sh" && grep -qF "trap ':' INT QUIT TERM PIPE HUP" "$TMP/trace.sh" &&
   grep -qF 'cat /sys/kernel/tracing/instances/$G/trace_pipe' "$TMP/trace.sh" &&
   grep -qF "echo \"-:\$G/f0\" >> $KE" "$TMP/trace.sh" &&
   grep -qF 'rmdir /sys/kernel/tracing/instances/$G' "$TMP/trace.sh"; then
	pass output_script
else fail output_script "$(cat "$TMP/trace.sh")"; fi

# -s turns the stack option on.
expect_line stack_option "echo 1 > /sys/kernel/tracing/instances/surftrace/options/stacktrace" \
	$ST -S -s 'p wake_up_new_task'

# -a aarch64 register names.
expect_line arch_aarch64 "echo 'p:f0 do_filp_open dfd=%x0:u32' >> $KE" \
	$ST -a aarch64 -S 'p do_filp_open dfd=%0'

# -l functions with prototypes, tracepoints, struct layout with offsets.
expect_line list_functions "void wake_up_new_task(struct task_struct *p);" $ST -l 'wake_up_new_*'
expect_line list_tracepoints "sched:sched_switch" $ST -l 'sched:*'
out=$($ST -l 'struct task_struct' 2>&1)
if grep -qE "^	char comm\[16\]; +/\* +$(poff task_struct comm) +16 \*/$" <<<"$out"; then
	pass list_struct
else fail list_struct "$(head -5 <<<"$out")"; fi
expect_error list_nothing 1 "nothing matches 'no_such_fn_*'" "" $ST -l 'no_such_fn_*'

# -d: types from a BTF file (here a copy of this kernel's).
cp $VMLINUX_BTF "$TMP/other.btf"
expect_line db_btf_file "echo 'p:f0 wake_up_new_task comm=+$comm(%di):string' >> $KE" \
	$ST -d "$TMP/other.btf" -S 'p wake_up_new_task comm=%0->comm'
# A file the user named that is missing is bad input (2); the kernel's own missing BTF is 1.
expect_error db_missing 2 "cannot load kernel types from $TMP/nope" "" $ST -d "$TMP/nope" -S 'p x'

# -v: a vmlinux ELF with a .BTF section, and one with only DWARF.
echo 'int surf_dummy;' | gcc -c -x c - -o "$TMP/dummy.o"
if objcopy --add-section .BTF="$VMLINUX_BTF" "$TMP/dummy.o" "$TMP/vmlinux-btf" 2>/dev/null; then
	expect_line vmlinux_btf "echo 'p:f0 wake_up_new_task comm=+$comm(%di):string' >> $KE" \
		$ST -v "$TMP/vmlinux-btf" -S 'p wake_up_new_task comm=%0->comm'
else skip vmlinux_btf "objcopy cannot add a .BTF section"; fi
gcc -g -O0 -c "$ROOT/tests/fixtures/kfixture.c" -o "$TMP/vmlinux-dwarf"
expect_line vmlinux_dwarf "echo 'p:f0 wake_up_new_task comm=+0x$(printf '%x' \
	"$(printf '#include "%s"\n#include <stddef.h>\n#include <stdio.h>\nint main(void){printf("%%zu", offsetof(struct task_struct, comm));}' \
	"$ROOT/tests/fixtures/kfixture.h" | gcc -x c - -o "$TMP/off" && "$TMP/off")")(%di):string' >> $KE" \
	$ST -v "$TMP/vmlinux-dwarf" -S 'p wake_up_new_task comm=%0->comm'

# --help has examples; man page exists.
expect_line help_examples "Examples:" $ST --help
if grep -q '^\.SH EXAMPLES' "$ROOT/man/surftrace.1" 2>/dev/null &&
   { ! command -v man >/dev/null || man -l "$ROOT/man/surftrace.1" 2>/dev/null | grep -q EXAMPLES; }; then
	pass man_page
else fail man_page "man/surftrace.1 missing or without EXAMPLES"; fi

# Numeric options: the whole string, in range, exit 2 naming the option.
for a in '-t nan' '-t inf' '-t 1x' '-t 0' '-p 0' '-p 4294967297' '-p 1e20' '-p 2.9' '-b 0' \
	 '-b 0.5' '-b 4294967296' '-b 1048576' '-b 3' '-n 0' '-n -1' '-n 1.5'; do
	set -- $a
	expect_error "numeric_option($a)" 2 "surftrace: $1 takes" "" \
		timeout 10 $ST -S "$1" "$2" 'e sched/sched_switch'
done
expect_line numeric_options_ok "exit 0" \
	sh -c "$ST -S -t 0.5 -p 1 -n 5 -b 64 'e sched/sched_switch' >/dev/null 2>&1; echo exit \$?"

# -f: a NUL byte would cut the expression short; a directory is no file.
printf 'e sched/sched_switch f:prev_pid==1\0&& BOGUS\n' >"$TMP/nul"
expect_error file_nul 2 "$TMP/nul:1: a NUL byte at column 35" "" $ST -S -f "$TMP/nul"
expect_error file_directory 2 "-f $TMP is a directory" "" $ST -S -f "$TMP"

# -d with a file that is no BTF: libbpf's own error code named, bad input.
echo junk >"$TMP/junk.btf"
expect_error btf_file_junk 2 "cannot load kernel types from $TMP/junk.btf: BPF object format invalid" "" \
	$ST -d "$TMP/junk.btf" -S 'e sched/sched_switch'
# --version: the program's and libsurf's, from the one version in surf/api.h.
V=$(sed -n 's/^#define SURF_VERSION "\(.*\)"/\1/p' "$ROOT/include/surf/api.h")
for prog in surftrace surfgraph surfcc; do
	out=$("$ROOT/build/$prog" --version 2>&1); rc=$?
	if [ $rc = 0 ] && [ "$out" = "$prog $V (libsurf $V)" ]; then pass "version_$prog ($out)"
	else fail "version_$prog" "exit $rc: $out (want '$prog $V (libsurf $V)')"; fi
done
summary

#!/bin/bash
# surftrace -F for kernel functions (issue 18 part 3) as far as this machine
# allows, and source lines in disassembly.  Here the kernel has no
# /proc/kcore and no debug vmlinux is installed: -F FUNC must say what it
# needs (exit 1), an unknown function get the closest kallsyms name (exit
# 2), and a probe offset that cannot be checked must not be blocked.  The
# vmlinux path (-v FILE) is an ELF read through its symbol table and DWARF:
# a small program built here with -g stands in for it.  The listing from
# /proc/kcore and a live probe after a call run in the VM tier
# (tests/vm/guest-kdisasm.sh).
source "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
REL=$(uname -r)

# --- the kernel's code, where it cannot be read -------------------------------------
if [ ! -e /proc/kcore ] && [ ! -e "/usr/lib/debug/boot/vmlinux-$REL" ]; then
	expect_error kdisasm_needs_kcore_or_vmlinux 1 \
		"surftrace: cannot read the code of do_filp_open: this kernel does not provide /proc/kcore (built without CONFIG_PROC_KCORE), and there is no /usr/lib/debug/boot/vmlinux-$REL: give the kernel's vmlinux with -v FILE" \
		"" "$ST" -F do_filp_open
	# The kernel checks the offset itself then: -S shows the probe.
	expect_line kprobe_offset_unchecked_without_code \
		"echo 'p:f0 do_filp_open+1' >> /sys/kernel/tracing/kprobe_events" "$ST" -S 'p do_filp_open+1'
else
	skip kdisasm_needs_kcore_or_vmlinux "this kernel has /proc/kcore or its debug vmlinux"
fi
if grep -qw do_filp_open /proc/kallsyms && [ "$(awk '$3=="do_filp_open"{print $1; exit}' /proc/kallsyms)" != 0000000000000000 ]; then
	expect_error kdisasm_unknown_function 2 \
		"surftrace: no kernel function 'do_filp_opn' in /proc/kallsyms (did you mean 'do_filp_open'?)" \
		"" "$ST" -F do_filp_opn
	# A variable (or a section marker, on a kernel that lists only code) is not code.
	data=$(awk '$2 ~ /^[dDbBrR]$/ && $3 !~ /\[/ { print $3; exit }' /proc/kallsyms)
	if [ -n "$data" ]; then
		expect_error kdisasm_not_a_function 2 "surftrace: '$data' in /proc/kallsyms is not a function" \
			"" "$ST" -F "$data"
	fi
else skip kdisasm_unknown_function "kallsyms shows no addresses here"; fi
expect_error disassemble_empty_function 2 "-F takes FUNCTION (kernel) or BINARY:FUNCTION" "" \
	"$ST" -F 'bash:'

# --- source lines and call targets: a user function built with -g -------------------
cat >"$TMP/kd.c" <<'C'
int helper(int x)
{
	return x * 3 + 1;
}

int func(int a)
{
	int b = helper(a);

	return b + 2;
}

int main(int argc, char **argv)
{
	(void)argv;
	return func(argc) == 5 ? 0 : 1;
}
C
gcc -g -O0 -fno-pie -no-pie -o "$TMP/kd" "$TMP/kd.c"
gcc -O0 -fno-pie -no-pie -o "$TMP/kd-nodebug" "$TMP/kd.c"
line_b=$(grep -n 'int b = helper' "$TMP/kd.c" | cut -d: -f1)
helper=$(nm "$TMP/kd" | awk '$3=="helper"{print $1}' | sed 's/^0*//')
out=$("$ST" -F "$TMP/kd:func" 2>&1)
# The call's address, as the DWARF line table places it (addr2line, binutils).
call_addr=$(grep -oE '0x[0-9a-f]+:  callq? +0x[0-9a-f]+ <helper>$' <<<"$out" | cut -d: -f1)
want_line=$(addr2line -e "$TMP/kd" "$call_addr" 2>/dev/null)
# The last FILE:LINE line printed before the call's line.
got_line=$(awk '/^[^<#]/ { src = $0 } / <helper>$/ { print src; exit }' <<<"$out")
if [ -n "$call_addr" ] && grep -qE "^<\+[0-9]+> +func\+0x[0-9a-f]+ +$call_addr:  callq? +0x$helper <helper>$" <<<"$out" &&
   [ "$got_line" = "$TMP/kd.c:$line_b" ] && [ "$want_line" = "$got_line" ]; then
	pass disassemble_source_lines
	grep -E "^$TMP/kd.c:$line_b$|<helper>$" <<<"$out" | sed 's/^/  # /'
else fail disassemble_source_lines "want $TMP/kd.c:$line_b (addr2line: $want_line) before the call to helper (0x$helper), got '$got_line'" "$out"; fi
out=$("$ST" -F "$TMP/kd-nodebug:func" 2>&1)
if ! grep -q '^/' <<<"$out" && grep -qE "<helper>$" <<<"$out"; then pass disassemble_no_dwarf_no_lines
else fail disassemble_no_dwarf_no_lines "$out"; fi

# --- -v FILE: the code from an ELF's symbol table, as for a vmlinux ------------------
out=$("$ST" -v "$TMP/kd" -F func 2>&1)
if grep -qx "# func: $(uname -m), $((0x$(nm -S "$TMP/kd" | awk '$4=="func"{print $2}'))) bytes at 0x$(nm "$TMP/kd" | awk '$3=="func"{print $1}' | sed 's/^0*//'), read from $TMP/kd (the code as built: the running kernel patches some of it)" <<<"$out" &&
   grep -qx "# kprobes: every offset listed starts an instruction: 'p func+OFF' may go at any of them (checked against this vmlinux, not the running kernel)" <<<"$out" &&
   grep -qx "$TMP/kd.c:$line_b" <<<"$out" && grep -qE '<helper>$' <<<"$out"; then
	pass kdisasm_vmlinux_file
else fail kdisasm_vmlinux_file "$out"; fi
[ "$(uname -m)" = x86_64 ] || { summary; exit; }
# func: push %rbp (1 byte) at +0, mov %rsp,%rbp (3 bytes) at +1: +2 is inside.
second=$(objdump -d --no-show-raw-insn "$TMP/kd" | awk '/<func>:/ { f = 1; next } f && NF { n++ } f && n == 2 { print; exit }')
if grep -q 'mov *%rsp,%rbp' <<<"$second"; then
	expect_error kprobe_offset_inside_insn 2 \
		"surftrace: func+0x2 is inside the instruction at func+0x1 (movq %rsp, %rbp, 3 bytes): probe func+0x1 or func+0x4 ($TMP/kd; see surftrace -F func)" \
		"        ^~" "$ST" -v "$TMP/kd" -S 'p func+2'
	expect_line kprobe_offset_on_boundary "echo 'p:f0 func+4' >> /sys/kernel/tracing/kprobe_events" \
		"$ST" -v "$TMP/kd" -S 'p func+4'
else skip kprobe_offset_inside_insn "gcc did not start func with push %rbp; mov %rsp,%rbp: $second"; fi
size=$(nm -S "$TMP/kd" | awk '$4=="func"{print $2}' | sed 's/^0*//')
expect_error kprobe_offset_past_end 2 "+0x40 is past the end of func: it is 0x$size bytes long ($TMP/kd)" "" \
	"$ST" -v "$TMP/kd" -S 'p func+0x40'
expect_error kdisasm_vmlinux_unknown 2 "no function 'fnuc' in $TMP/kd (did you mean 'func'?)" "" \
	"$ST" -v "$TMP/kd" -F fnuc

summary

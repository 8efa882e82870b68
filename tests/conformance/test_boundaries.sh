#!/bin/bash
# Every instruction boundary (objdump's) of the functions of a test program
# (tests/helpers/tbounds.c, built -O0 PIE and -O2 non-PIE) and of the libc
# functions it calls: each probed live with P BIN:FUNC+OFF while the program
# runs, whose output must not change and where each probe must fire as often
# as gdb sees the instruction run; every other offset, and the function's
# size, refused with exit 2 (bounds.py).  The kernel side with -S: p FUNC+OFF
# past the function's size (the next symbol in /proc/kallsyms) is refused,
# and so is @symbol when kallsyms lists variables and has no such symbol.
source "$(dirname "$0")/../cli/lib.sh"
DIR=$ROOT/tests/conformance
H=$ROOT/build/helpers
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

for tool in objdump gdb python3 gcc; do
	if ! command -v $tool >/dev/null; then
		skip boundaries "$tool is missing (scripts/deps.sh installs it)"; summary; exit
	fi
done
if [ "$(id -u)" != 0 ]; then
	skip boundaries "needs root to create uprobes and read kallsyms addresses"; summary; exit
fi
clean_before=$(our_groups)

# The kernel side, with -S.  kallsyms gives no sizes: a function ends where
# the next symbol starts, as the kernel's own kallsyms_lookup_size_offset says.
# (vmlinux is listed in address order.)
size=$(awk '$3 == "wake_up_new_task" && $2 ~ /^[tT]$/ { a = $1; next }
	a && $1 != a { print a, $1; exit }' /proc/kallsyms)
size=$(set -- $size; [ $# = 2 ] && echo $((0x$2 - 0x$1)))
if [ -n "$size" ] && [ "$size" -gt 0 ]; then
	caret=$(printf '%*s^%s' 20 '' "$(printf '%*s' ${#size} '' | tr ' ' '~')")
	expect_error kernel_offset_past_end 2 "is past the end of wake_up_new_task" "$caret" \
		$ST -S "p wake_up_new_task+$size"
	if $ST -S "p wake_up_new_task+$((size - 1))" >/dev/null 2>&1; then pass kernel_offset_last_byte
	else fail kernel_offset_last_byte "$($ST -S "p wake_up_new_task+$((size - 1))" 2>&1)"; fi
else
	skip kernel_offset_past_end "no wake_up_new_task in /proc/kallsyms"
fi
# Without CONFIG_KALLSYMS_ALL only code is listed: a variable cannot be checked.
if grep -qE '^[0-9a-f]+ [db] ' /proc/kallsyms; then
	expect_error kernel_symbol_unknown 2 "the kernel has no symbol 'surf_no_such_var'" "" \
		$ST -S 'p wake_up_new_task x=@surf_no_such_var'
	var=$(awk '$2 ~ /^[dDbB]$/ && $4=="" {print $3; exit}' /proc/kallsyms)
	if $ST -S "p wake_up_new_task x=@$var" >/dev/null 2>&1; then pass kernel_symbol_known
	else fail kernel_symbol_known "$($ST -S "p wake_up_new_task x=@$var" 2>&1)"; fi
else
	skip kernel_symbol_unknown "this kernel lists no variables in /proc/kallsyms (no CONFIG_KALLSYMS_ALL)"
fi

# The user side: every boundary, live.
funcs=sum_loop,classify,mix,fill,hash_str,twice,apply,global_bump,cmp_int,use_libc
libc=$(realpath -e "$(gcc -print-file-name=libc.so.6)")
gcc -g -O2 -no-pie -Wl,-z,now -o "$TMP/tbounds-O2" "$ROOT/tests/helpers/tbounds.c"
total=0
start=$(date +%s)
for run in "$H/tbounds|$H/tbounds:$funcs|$libc:atoi,strtol,div,labs,abs,ffs,bsearch" \
	   "$TMP/tbounds-O2|$TMP/tbounds-O2:$funcs"; do
	IFS='|' read -r prog specs <<<"$run"
	IFS='|' read -ra specs <<<"$specs"
	name=boundaries_$(basename "$prog")
	out=$(timeout 150 python3 "$DIR/bounds.py" "$ST" "$prog" "${specs[@]}" 2>&1); rc=$?
	line=$(grep -E '^[0-9]+ boundaries probed' <<<"$out")
	grep "^the kernel cannot probe" <<<"$out"
	echo "$(basename "$prog"): $line"
	total=$((total + ${line%% *}))
	if [ $rc = 0 ] && [ -n "$line" ]; then pass "$name"
	else fail "$name" "exit $rc" "$(head -40 <<<"$out")"; fi
done
echo "$total boundaries probed ($(($(date +%s) - start)) s)"

if [ "$(our_groups)" = "$clean_before" ]; then pass uprobe_events_clean
else fail uprobe_events_clean "left: $(our_groups)"; fi
summary

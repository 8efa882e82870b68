#!/bin/bash
# Filters and argument names are checked by the kernel's own rules at compile
# time (kernel/trace/trace_events_filter.c parse_pred, trace_probe.c): what -S
# accepts the kernel accepts, what it refuses gets a caret, exit 2, and
# nothing written to the kernel.
source "$(dirname "$0")/lib.sh"
TUP=$ROOT/build/helpers/tuprobe
[ -n "$ROOT" ] || TUP=$(dirname "$0")/../../build/helpers/tuprobe

# ours_in_kernel: our dynamic event groups and instances, one per line, sorted.
ours_in_kernel() {
	{ grep -ohE "surf[a-z]*_[0-9]+(_[0-9a-f]+)?/" $TFS/uprobe_events $TFS/kprobe_events 2>/dev/null
	  ls $TFS/instances 2>/dev/null; } | sort -u
}

# refused NAME BEFORE BAD: the expression BEFORE+BAD is refused with a
# caret under the first character of BAD (in display columns: wc -L), -S and live.
refused() {
	local name=$1 expr=$2$3 col out rc pid caret before
	col=$(printf %s "$2" | LC_ALL=C.UTF-8 wc -L)
	caret="  $(printf '%*s' "$col" '')^"
	out=$($ST -S "$expr" 2>&1); rc=$?
	if [ $rc != 2 ] || ! grep -q -- "^${caret//\~/.}" <<<"$out"; then
		fail "$name(-S)" "exit $rc, want 2 with a caret at column $col" "$out"; return
	fi
	# What is there before the run: a group or instance of a killed run whose
	# pid this run reuses is not this run's (issue 12: names carry a token).
	before=$(ours_in_kernel)
	out=$(timeout 20 $ST -t 0.2 "$expr" 2>&1 & pid=$!; wait $pid; echo "rc=$? pid=$pid")
	rc=$(grep -o 'rc=[0-9]*' <<<"$out"); pid=$(grep -o 'pid=[0-9]*' <<<"$out"); pid=${pid#pid=}
	if [ "$rc" != rc=2 ] || ! grep -q -- "^${caret//\~/.}" <<<"$out"; then
		fail "$name(live)" "$rc, want 2 with a caret" "$out"; return
	fi
	if comm -13 <(echo "$before") <(ours_in_kernel) | grep -qE "_${pid}(_|/|$)"; then
		fail "$name(live)" "events of run $pid left in the kernel"; return
	fi
	pass "$name"
}

if [ "$(id -u)" != 0 ] || [ ! -d $TFS/events/sched/sched_switch ]; then
	skip filters "needs root and tracefs"; summary; exit
fi
refused float 'e sched/sched_switch f:prev_pid==3' .5
refused chained 'e sched/sched_switch f:prev_pid==1' '=="bash"'
refused exponent 'e sched/sched_switch f:prev_pid>' 1e
refused zero_padded 'e sched/sched_switch f:prev_pid>' "$(printf '0%.0s' {1..30})1"
refused cjk_value 'e sched/sched_switch f:prev_pid>' 中100
refused cjk_after_cjk 'e sched/sched_switch f:prev_comm=="中文" && ' 'BOGUS==1'
refused string_on_number 'e sched/sched_switch f:prev_pid==' '"bash"'
refused number_on_string 'e sched/sched_switch f:prev_comm==' 1
refused empty '' ''
if [ -x "$TUP" ]; then
	refused negative_on_u32 "R $TUP:func r=\$retval f:r>" -2147483648
	refused cjk_on_arg "P $TUP:func sz=%0 f:sz>" 中100
	refused exponent_on_arg "P $TUP:func sz=%0 f:sz>" 1e
	long=$(printf 'a%.0s' {1..32})
	refused name_too_long "P $TUP:func ${long:1}" "a=%0"
	expect_line name_31_ok "surftrace: exit 0" \
		sh -c "$ST -S 'P $TUP:func ${long:1}=%0' >/dev/null 2>&1; echo surftrace: exit \$?"
else skip uprobe_filters "no $TUP (make builds it)"; fi

# Random filters (seeded, printed): -S must accept exactly what the kernel
# accepts on the same event, written to a private instance's filter.
seed=${FILTER_SEED:-$RANDOM}; RANDOM=$seed
inst=$TFS/instances/surftrace_filtertest_$$
mkdir "$inst" || { fail random_filters "cannot create $inst"; summary; exit; }
trap 'rmdir "$inst" 2>/dev/null' EXIT
fields=(prev_pid next_prio prev_state prev_comm next_comm common_pid common_type common_flags)
ops=('==' '!=' '<' '>=' '&' '~')
values=(1 -1 0x10 0x 08 017 3.5 1e '"bash"' "'b*'" 18446744073709551615 18446744073709551616
	-9223372036854775808 -9223372036854775809 9223372036854775807 0000000000000000000001
	000000000000000000000001 中1 abc '1=="x"' '(1)' ' 1' '-0x10' 2147483648 0X1f 1a)
disagree=0 n=0 t_end=$((SECONDS + 30))
for i in $(seq 300); do
	[ $SECONDS -lt $t_end ] || break
	f="${fields[RANDOM % ${#fields[@]}]}${ops[RANDOM % ${#ops[@]}]}${values[RANDOM % ${#values[@]}]}"
	[ $((RANDOM % 3)) = 0 ] && f="$f && ${fields[RANDOM % ${#fields[@]}]}==${values[RANDOM % ${#values[@]}]}"
	$ST -S "e sched/sched_switch f:$f" >/dev/null 2>&1; s=$?
	echo "$f" > "$inst/events/sched/sched_switch/filter" 2>/dev/null && k=0 || k=2
	echo 0 > "$inst/events/sched/sched_switch/filter" 2>/dev/null
	n=$((n + 1))
	if [ "$s" != "$k" ]; then
		disagree=$((disagree + 1))
		[ $disagree -le 10 ] && echo "  seed $seed: '$f': -S exit $s, kernel $([ $k = 0 ] && echo accepts || echo refuses)"
	fi
done
if [ $disagree = 0 ]; then pass "random_filters ($n, seed $seed)"
else fail random_filters "$disagree of $n disagree (replay: FILTER_SEED=$seed)"; fi
summary

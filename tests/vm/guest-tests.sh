#!/bin/sh
# The VM tier's tests, run by /init inside Debian's 6.1 kernel under qemu
# (POSIX sh for busybox ash).  That kernel has what the host's lacks:
# kprobes, kretprobes and their events.  Every test makes something happen
# whose values it knows (a process name, a file name, an inode, a port, a
# pid, jiffies) and checks that the traced event carries them; every run must
# leave no surftrace_ group in kprobe_events/uprobe_events.
# Prints "ok NAME" / "FAIL NAME" + details / "skip NAME" + reason, and last
# "N passed, N failed, N skipped".
S=/surf
ST=$S/surftrace
B=$S/bin
TFS=/sys/kernel/tracing
KE=$TFS/kprobe_events
UE=$TFS/uprobe_events
W=/tmp/vmt
mkdir -p $W
PASSED=0 FAILED=0 SKIPPED=0

# pass NAME [FILE [PATTERN]]: and, for the log, the lines of FILE that made
# it pass (up to 3, "# " in front: the host keeps them off the console)
pass() {
	PASSED=$((PASSED + 1)); echo "ok $1"
	[ -n "${2:-}" ] && grep -E -- "${3:-.}" "$2" | head -3 | sed 's/^/#   /'
	return 0
}
fail() {
	FAILED=$((FAILED + 1)); echo "FAIL $1"; shift
	for f in "$@"; do
		if [ -f "$f" ]; then echo "  --- ${f##*/}:"; sed 's/^/  /' "$f" | head -40
		else echo "  $f"; fi
	done
}
skip() { SKIPPED=$((SKIPPED + 1)); echo "skip $1"; echo "  skipped: $2"; }

# Our groups left in the dynamic event files (should be none between runs).
leftovers() { cat $KE $UE 2>/dev/null | grep 'surftrace_'; }

# st NAME ARGS...: run surftrace (60 s at most), stdout to $W/NAME.out,
# stderr to $W/NAME.err, exit status in RC, leftover events in $W/NAME.left.
st() {
	n=$1; shift
	timeout 60 $ST "$@" >$W/$n.out 2>$W/$n.err
	RC=$?
	leftovers >$W/$n.left
}
clean() { [ ! -s "$W/$1.left" ]; }
# count PATTERN FILE: lines of FILE with the fixed string PATTERN
count() { grep -cF -- "$1" "$2"; }
# field NAME LINE: the value of NAME=VALUE in an event line
field() { echo "$2" | sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p"; }
# wait_group PID: until the events of surftrace_PID_TOKEN exist (20 s at most)
wait_group() {
	i=0
	while ! cat $KE $UE 2>/dev/null | grep -q "surftrace_$1_"; do
		i=$((i + 1)); [ $i -gt 200 ] && return 1
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
}
# wait_tracing PID: until PID (surftrace, or a program on the engine) has its
# events on (30 s at most).  They say nothing then, but they enable every
# event before they first wait for records, in epoll_wait.
wait_tracing() {
	i=0
	until grep -q epoll /proc/$1/wchan 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 1500 ] && return 1
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.02
	done
}
# wait_output FILE PATTERN SECONDS: until FILE has a line matching PATTERN
wait_output() {
	i=0
	until grep -q -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt $(($3 * 50)) ] && return 1
		sleep 0.02
	done
}
# wait_exit PID SECONDS [SIGNAL]: until PID has exited; 1 if it had to be
# killed (with SIGNAL, 9 by default)
wait_exit() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $(($2 * 10)) ]; then kill -"${3:-9}" "$1" 2>/dev/null; return 1; fi
		sleep 0.1
	done
}

echo "vm: surftrace $(ls -l $ST | awk '{ print $5 }') bytes; kprobes: $([ -f $KE ] && echo yes || echo no);" \
	"btf: $([ -r /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
if [ ! -f $KE ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	fail environment "no $KE or no /sys/kernel/btf/vmlinux: not the kernel this tier needs"
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	exit 1
fi
cp $B/surfprobe-child /tmp/surfprobe-child
KNOWN=/tmp/surf-known-path
echo hello >$KNOWN
MISSING=/tmp/surf-missing-path
# The registers of this architecture's calling convention, as kprobe_events
# names them (surftrace's map, src/lib/sys/arch.c): first argument, return
# value; and the prefix of its syscall functions.
case $(uname -m) in
aarch64) ARG0=%x0 RET=%x0 SYS=__arm64_sys_ ;;
*)       ARG0=%di RET=%ax SYS=__x64_sys_ ;;
esac

# --- the offsets this kernel gets ------------------------------------------
st show -S 'p wake_up_new_task comm=%0->comm u=S%0->mm->mm_users'
line=$(grep "kprobe_events" $W/show.out)
echo "vm: guest offsets ($(uname -r) $(uname -m)): $line"
# The issue's two lines, for the note: each kernel's own offsets.
for e in 'p wake_up_new_task comm=%0->comm' 'r do_filp_open pos=$retval->f_pos'; do
	echo "vm: offsets $(uname -r) $(uname -m): $e -> $($ST -S "$e" 2>&1 | grep kprobe_events |
		sed "s/^echo '\(.*\)' >> .*/\1/")"
done
comm_off=$(echo "$line" | sed -n "s/.*comm=+\(0x[0-9a-f]*\)($ARG0):string.*/\1/p")
# -l prints the layout the compiler used: the -S offset must be comm's.
st layout -l 'struct task_struct'
if [ $RC = 0 ] && [ -n "$comm_off" ] &&
   echo "$line" | grep -qE "^echo 'p:f0 wake_up_new_task comm=\+0x[0-9a-f]+\($ARG0\):string u=\+0x[0-9a-f]+\(\+0x[0-9a-f]+\($ARG0\)\):s32' >> $KE\$" &&
   [ "$(awk '$2 ~ /^comm\[/ { print $(NF - 2) }' $W/layout.out)" = "$((comm_off))" ]; then
	pass show_offsets $W/show.out kprobe_events
else fail show_offsets "comm offset '$comm_off'" $W/show.out $W/show.err "layout: $(grep -F ' comm[' $W/layout.out)"; fi

# --- start-up with kprobe expressions: available_filter_functions once a boot -
# The cache (issue 14) gives the answers the list gives; its file is named
# after this boot; its timing against the uncached run is printed.
uptime_cs() { awk '{ split($1, a, "."); print a[1] * 100 + a[2] }' /proc/uptime; }
E1='p wake_up_new_task comm=%0->comm f:comm=="bash"'
E2='r do_filp_open pos=$retval->f_pos'
E3='p do_filp_open dfd=X%0 name=%1->name'
rm -rf /tmp/surf-cache
t0=$(uptime_cs)
for i in 1 2 3 4 5; do SURFTRACE_CACHE= st nocache -S "$E1" "$E2" "$E3"; done
t1=$(uptime_cs)
SURFTRACE_CACHE=/tmp/surf-cache st cold -S "$E1" "$E2" "$E3"
t2=$(uptime_cs)
for i in 1 2 3 4 5; do SURFTRACE_CACHE=/tmp/surf-cache st warm -S "$E1" "$E2" "$E3"; done
t3=$(uptime_cs)
boot=$(cat /proc/sys/kernel/random/boot_id)
echo "vm: -S with 3 kprobe expressions: $(( (t1 - t0) * 10 / 5 )) ms without the cache," \
	"$(( (t2 - t1) * 10 )) ms filling it, $(( (t3 - t2) * 10 / 5 )) ms with it" \
	"(available_filter_functions: $(wc -l </sys/kernel/tracing/available_filter_functions) lines)"
if [ $RC = 0 ] && cmp -s $W/nocache.out $W/warm.out && cmp -s $W/nocache.out $W/cold.out &&
   ls /tmp/surf-cache | grep -q "^filter-functions\.$(uname -r)\.$boot\."; then
	pass kprobe_startup_cache
else fail kprobe_startup_cache "exit $RC; cache: $(ls /tmp/surf-cache 2>&1)" $W/warm.out $W/warm.err; fi
# A function only a clone of which is traceable, and one that is not traceable:
# the same answers through the cache as without it.
clone=$(awk '{ have[$1] = 1; name[NR] = $1 }
	END { for (i = 1; i <= NR; i++) if (name[i] ~ /^[a-z_0-9]+\.(isra|constprop|part)\.[0-9]+$/) {
		b = name[i]; sub(/\..*/, "", b); if (!(b in have)) { print name[i]; exit } } }' \
	/sys/kernel/tracing/available_filter_functions)
base=${clone%%.*}
if [ -n "$clone" ]; then
	SURFTRACE_CACHE= st clone_nocache -S "p $base"; rc1=$RC
	SURFTRACE_CACHE=/tmp/surf-cache st clone_cache -S "p $base"
	if [ $rc1 = $RC ] && cmp -s $W/clone_nocache.out $W/clone_cache.out &&
	   cmp -s $W/clone_nocache.err $W/clone_cache.err; then
		pass kprobe_clone_through_cache
	else fail kprobe_clone_through_cache "$base -> $clone" $W/clone_cache.out $W/clone_cache.err; fi
else skip kprobe_clone_through_cache "no clone-only function found"; fi

# --- kprobe, member of the first argument: the comm of a known process -------
st fork_comm -q -c '/tmp/surfprobe-child 3' 'p wake_up_new_task comm=%0->comm'
cpid=$(grep -E '^[0-9]+$' $W/fork_comm.out)
# (+0x4 on kernels with IBT: the probe goes after the function's endbr64)
n=$(grep -c 'f0: (wake_up_new_task+0x[04]/' $W/fork_comm.out)
if [ $RC = 0 ] && [ "$n" = 3 ] && [ "$(count 'comm="surfprobe-child"' $W/fork_comm.out)" = 3 ] &&
   [ "$(count " surfprobe-child-$cpid " $W/fork_comm.out)" = 3 ] && clean fork_comm; then
	pass kprobe_comm_of_new_task $W/fork_comm.out f0:
else fail kprobe_comm_of_new_task "exit $RC, want 3 events comm=\"surfprobe-child\" from pid $cpid" \
	$W/fork_comm.out $W/fork_comm.err $W/fork_comm.left; fi

# --- member chain through two pointers: fork (new mm, 1 user), thread (2) ----
st mm_users -q -c '/tmp/surfprobe-child 2 1' 'p wake_up_new_task comm=%0->comm u=S%0->mm->mm_users'
us=$(grep 'f0:' $W/mm_users.out | sed -n 's/.* u=\(-*[0-9]*\).*/\1/p' | tr '\n' ' ')
if [ $RC = 0 ] && [ "$us" = "1 1 2 " ] && clean mm_users; then pass member_chain_mm_users $W/mm_users.out f0:
else fail member_chain_mm_users "exit $RC, want u=1 u=1 u=2 (2 forks, 1 thread), got '$us'" \
	$W/mm_users.out $W/mm_users.err $W/mm_users.left; fi

# --- numeric filter on the chain: only the thread --------------------------
st filter_num -q -c '/tmp/surfprobe-child 2 1' 'p wake_up_new_task u=S%0->mm->mm_users f:u==2'
if [ $RC = 0 ] && [ "$(count 'f0:' $W/filter_num.out)" = 1 ] && [ "$(count ' u=2' $W/filter_num.out)" = 1 ] &&
   clean filter_num; then pass filter_numeric_keeps_one $W/filter_num.out f0:
else fail filter_numeric_keeps_one "exit $RC, want exactly the thread's event u=2" \
	$W/filter_num.out $W/filter_num.err; fi

# --- string filter that matches nothing drops every event; the same run
# without it has them --------------------------------------------------------
st filter_none -q -c '/tmp/surfprobe-child 2' 'p wake_up_new_task comm=%0->comm f:comm=="nomatch"'
st filter_some -q -c '/tmp/surfprobe-child 2' 'p wake_up_new_task comm=%0->comm f:comm=="surfprobe-child"'
if [ $RC = 0 ] && [ "$(count 'f0:' $W/filter_none.out)" = 0 ] && [ "$(count 'f0:' $W/filter_some.out)" = 2 ] &&
   clean filter_none && clean filter_some; then pass filter_drops_events $W/filter_some.out f0:
else fail filter_drops_events "want 0 events with comm==\"nomatch\", 2 with comm==\"surfprobe-child\"" \
	$W/filter_none.out $W/filter_none.err $W/filter_some.out $W/filter_some.err; fi

# --- -n stops after N events --------------------------------------------------
st count -q -n 2 -c '/tmp/surfprobe-child 5' 'p wake_up_new_task comm=%0->comm'
if [ "$(count 'f0:' $W/count.out)" = 2 ] && clean count; then pass count_limit $W/count.out f0:
else fail count_limit "want 2 events" $W/count.out $W/count.err; fi

# --- kernel call chains with -s ---------------------------------------------
st stack -q -s -c '/tmp/surfprobe-child 1' 'p wake_up_new_task comm=%0->comm'
if [ $RC = 0 ] && [ "$(count 'f0:' $W/stack.out)" = 1 ] &&
   grep -qE '^ => (kernel_clone|__do_sys_clone)\+0x[0-9a-f]+/0x[0-9a-f]+$' $W/stack.out &&
   grep -qE '^ => (entry_SYSCALL_64|do_syscall_64|invoke_syscall|el0_svc)' $W/stack.out && clean stack; then
	pass stack_kernel_frames $W/stack.out 'f0:|kernel_clone|__do_sys_clone'
else fail stack_kernel_frames "want ' => kernel_clone+0x../0x..' (arm64 inlines it into __do_sys_clone) and the syscall entry" \
	$W/stack.out $W/stack.err; fi

# --- JSON: typed fields of a kprobe ------------------------------------------
st json -q --json -c '/tmp/surfprobe-child 1 1' 'p wake_up_new_task comm=%0->comm u=S%0->mm->mm_users'
if [ $RC = 0 ] && [ "$(count '"event":"f0"' $W/json.out)" = 2 ] &&
   [ "$(grep -c '"probe":"wake_up_new_task+0x[04]/0x[0-9a-f]*","fields":{.*"comm":"surfprobe-child","u":1}}$' $W/json.out)" = 1 ] &&
   [ "$(grep -c '"probe":"wake_up_new_task+0x[04]/0x[0-9a-f]*","fields":{.*"comm":"surfprobe-child","u":2}}$' $W/json.out)" = 1 ] &&
   clean json; then
	pass json_kprobe_fields $W/json.out fields
else fail json_kprobe_fields 'want fields "comm":"surfprobe-child","u":1 and "u":2' $W/json.out $W/json.err; fi

# --- kretprobe on the open syscall's body -------------------------------------
st list -l 'do_sys_open*'
# (6.1 declares it long, later kernels int)
if grep -qE '^(long int|int) do_sys_openat2\(int dfd, const char \*filename, struct open_how \*how\);$' $W/list.out; then
	pass list_do_sys_openat2 $W/list.out openat2
	st ret_missing -q -c "cat $MISSING" 'r do_sys_openat2 ret=S$retval'
	st ret_known -q -c "cat $KNOWN" 'r do_sys_openat2 ret=S$retval'
	fd=$(grep 'f0:' $W/ret_known.out | sed -n 's/.* ret=\(-*[0-9]*\)$/\1/p' | tail -1)
	# One open each (a static busybox cat opens nothing else): the caller's
	# return address <- do_sys_openat2, and its value.
	if [ "$(count 'f0:' $W/ret_missing.out)" = 1 ] && [ "$(count 'f0:' $W/ret_known.out)" = 1 ] &&
	   grep -q 'f0: ([a-z0-9_]*+0x[0-9a-f]*/0x[0-9a-f]* <- do_sys_openat2) ret=-2$' $W/ret_missing.out &&
	   grep -q 'f0: ([a-z0-9_]*+0x[0-9a-f]*/0x[0-9a-f]* <- do_sys_openat2) ret=[0-9]*$' $W/ret_known.out &&
	   [ -n "$fd" ] && [ "$fd" -ge 0 ] && [ "$fd" -lt 100 ] &&
	   grep -qx hello $W/ret_known.out && clean ret_missing && clean ret_known; then
		pass kretprobe_openat2_retval $W/ret_missing.out f0:; grep f0: $W/ret_known.out | sed "s/^/#   /"
	else fail kretprobe_openat2_retval "want ret=-2 for $MISSING, an fd >= 0 for $KNOWN (got '$fd')" \
		$W/ret_missing.out $W/ret_missing.err $W/ret_known.out $W/ret_known.err; fi
else
	fail list_do_sys_openat2 "no do_sys_openat2 prototype" $W/list.out $W/list.err
	skip kretprobe_openat2_retval "no do_sys_openat2 on this kernel"
fi

# --- entry probe, string through a struct member (struct filename *) ----------
st filename -q -c "cat $KNOWN" 'p do_filp_open dfd=S%0 name=%1->name'
if [ $RC = 0 ] && grep -q "f0: (do_filp_open+0x[04]/0x[0-9a-f]*) dfd=-100 name=\"$KNOWN\"\$" $W/filename.out &&
   clean filename; then pass kprobe_filename_member $W/filename.out "$KNOWN"
else fail kprobe_filename_member "want dfd=-100 name=\"$KNOWN\"" $W/filename.out $W/filename.err; fi

# --- string filter in the kernel on that member --------------------------------
st filename_f -q -c "cat $KNOWN; cat $MISSING" "p do_filp_open name=%1->name f:name==\"$MISSING\""
if [ "$(count 'f0:' $W/filename_f.out)" = 1 ] && [ "$(count "name=\"$MISSING\"" $W/filename_f.out)" = 1 ] &&
   clean filename_f; then pass filter_string_member $W/filename_f.out f0:
else fail filter_string_member "want the one open of $MISSING" $W/filename_f.out $W/filename_f.err; fi

# --- return value with its type, and a cast of a register, to the inode ---------
ino=$(stat -c %i $KNOWN)
st cast -q -c "cat $KNOWN" "r do_filp_open ino=\$retval->f_inode->i_ino cino=!(struct file *)$RET->f_inode->i_ino pos=X!(struct file *)$RET->f_pos"
l=$(grep 'f0:' $W/cast.out | grep " ino=$ino ")
if [ $RC = 0 ] && [ -n "$ino" ] && [ "$(field cino "$l")" = "$ino" ] && [ "$(field pos "$l")" = 0x0 ] &&
   clean cast; then pass cast_register_struct_file $W/cast.out " ino=$ino "
else fail cast_register_struct_file "want ino=$ino cino=$ino pos=0x0 for $KNOWN" $W/cast.out $W/cast.err; fi

# --- a global: jiffies, between two readings of /proc/schedstat's timestamp -----
# A kernel without CONFIG_KALLSYMS_ALL (Debian's arm64) lists no variables in
# kallsyms, where the kernel looks @jiffies up too: surftrace refuses it then,
# saying why, and the kernel does refuse it (checked through tracefs).
if grep -q ' [dD] jiffies$' /proc/kallsyms; then
	j0=$(awk '/^timestamp/ { print $2 }' /proc/schedstat)
	st jiffies -q -c "cat $KNOWN" "p do_filp_open j=@jiffies name=%1->name f:name==\"$KNOWN\""
	j1=$(awk '/^timestamp/ { print $2 }' /proc/schedstat)
	j=$(field j "$(grep 'f0:' $W/jiffies.out)")
	# (a symbol without a BTF type is fetched as ftrace's default, x64: hex)
	case $j in 0x[0-9a-f]*|[0-9]*) jd=$((j)) ;; *) jd= ;; esac
	if [ $RC = 0 ] && [ -n "$j" ] && [ -n "$jd" ] && [ "$jd" != 0 ] && [ -n "$j0" ] && [ -n "$j1" ] &&
	   [ "$j0" -le "$jd" ] && [ "$jd" -le "$j1" ] && clean jiffies; then
		pass global_jiffies $W/jiffies.out f0:; echo "#   j=$jd; schedstat jiffies before $j0, after $j1"
	else fail global_jiffies "want $j0 <= j <= $j1, got '$j' ($jd)" $W/jiffies.out $W/jiffies.err; fi
	NOSYM="no symbol 'surf_no_such_symbol'"
else
	st jiffies -q 'p do_filp_open j=@jiffies'
	krc=1
	if echo 'p:surf_test_jiffies do_filp_open j=@jiffies' >>$KE 2>/dev/null; then
		echo 1 >$TFS/events/kprobes/surf_test_jiffies/enable 2>/dev/null && krc=0
		echo 0 >$TFS/events/kprobes/surf_test_jiffies/enable 2>/dev/null
		echo '-:surf_test_jiffies' >>$KE 2>/dev/null
	fi
	if [ $RC = 2 ] && [ $krc != 0 ] && grep -q "lists functions only (built without CONFIG_KALLSYMS_ALL)" $W/jiffies.err &&
	   clean jiffies; then pass global_refused_without_kallsyms_all $W/jiffies.err KALLSYMS
	else fail global_refused_without_kallsyms_all "exit $RC (want 2); the kernel's own answer: $krc" \
		$W/jiffies.err; fi
	NOSYM="lists functions only"
fi
# -S checks what the kernel would refuse: @sym missing from kallsyms, FUNC+OFF
# past FUNC's end (the next symbol).
st nosym -S 'p do_filp_open j=@surf_no_such_symbol'
nosym_rc=$RC
st pastend -S 'p do_filp_open+0x100000'
if [ $nosym_rc = 2 ] && [ $RC = 2 ] && grep -q "past the end of do_filp_open" $W/pastend.err &&
   grep -q "$NOSYM" $W/nosym.err; then pass kallsyms_checks $W/nosym.err
else fail kallsyms_checks $W/nosym.err $W/pastend.err; fi

# --- uprobes with DWARF types (helpers built -g) -----------------------------------
st uprobe -q -c "$S/helpers/tuprobe 3" "P $S/helpers/tuprobe:func v=%0 a=%1->a b=%1->b" "R $S/helpers/tuprobe:func r=\$retval"
if [ $RC = 0 ] && grep -q 'f0: (0x[0-9a-f]*) v=1 a=2 b=3$' $W/uprobe.out &&
   grep -q 'f0: (0x[0-9a-f]*) v=3 a=6 b=9$' $W/uprobe.out &&
   [ "$(grep -c 'f1: (0x[0-9a-f]* <- 0x[0-9a-f]*) r=\(6\|12\|18\)$' $W/uprobe.out)" = 3 ] &&
   grep -qx 36 $W/uprobe.out && clean uprobe; then pass uprobe_members_retval $W/uprobe.out "v=1|r=6"
else fail uprobe_members_retval "want v=1 a=2 b=3 .. v=3 a=6 b=9, r=6,12,18" $W/uprobe.out $W/uprobe.err; fi

# --- packet casts: real loopback packets of known ports, protocol, payload -----
# A packet cast reads skb->data of a struct sk_buff *.  Since Linux 5.8
# __netif_receive_skb_core takes struct sk_buff **pskb: taken for an sk_buff it
# read garbage.  Where BTF has its prototype (6.18; Debian's 6.1 has none:
# GCC's clone of it changed its parameters), the line without [0] is refused
# with a hint and %0[0] reads through the pointer; where it has none, the line
# is refused as a function the kernel has but BTF cannot type (nothing
# untyped is read).
st pskb_proto -l '__netif_receive_skb_core'
st pskb_bare -S 'p __netif_receive_skb_core proto=@(struct iphdr *)l3%0->protocol'
if grep -qF '__netif_receive_skb_core(struct sk_buff **pskb, ' $W/pskb_proto.out; then
	PSKB=1
	hint='is struct sk_buff **: write %0[0] for the sk_buff it points to'
else
	PSKB=0
	hint="'__netif_receive_skb_core' is in the kernel"
fi
if [ $RC = 2 ] && grep -qF "$hint" $W/pskb_bare.err && clean pskb_bare; then
	pass packet_cast_pskb_refused $W/pskb_bare.err .
else fail packet_cast_pskb_refused "exit $RC, want 2 and '$hint'" $W/pskb_proto.out $W/pskb_bare.out $W/pskb_bare.err; fi

# pkt NAME SENDER EXPR...: surftrace -q -n 1 EXPR, and once it is tracing,
# SENDER (a command) once; SENDER's output goes to $W/NAME.snd.
pkt() {
	n=$1 sender=$2; shift 2
	: >$W/$n.snd
	$ST -q -n 1 "$@" >$W/$n.out 2>$W/$n.err &
	sp=$!
	wait_tracing $sp && $sender >>$W/$n.snd 2>&1
	wait_exit $sp 20 TERM; wait $sp; RC=$?
	leftovers >$W/$n.left
}
# A UDP datagram received: protocol, addresses, ports, payload; through pskb
# where BTF types __netif_receive_skb_core, else at ip_rcv (a struct sk_buff *).
if [ $PSKB = 1 ]; then rx_func=__netif_receive_skb_core rx_skb='%0[0]'
else rx_func=ip_rcv rx_skb=%0; fi
pkt udp_rx "$B/udp_send 6601" "p $rx_func proto=@(struct iphdr *)l3$rx_skb->protocol ip_src=@(struct iphdr *)l3$rx_skb->saddr ip_dst=@(struct iphdr *)l3$rx_skb->daddr b16_sport=@(struct udphdr *)l3$rx_skb->source b16_dport=@(struct udphdr *)l3$rx_skb->dest body=@(struct udphdr *)l3$rx_skb->Sdata[0] f:proto==17&&b16_dport==6601"
l=$(grep 'f0:' $W/udp_rx.out | head -1)
sport=$(field b16_sport "$l")
if [ $RC = 0 ] && [ "$(field proto "$l")" = 17 ] && [ "$(field ip_src "$l")" = 127.0.0.1 ] &&
   [ "$(field ip_dst "$l")" = 127.0.0.1 ] && [ "$(field b16_dport "$l")" = 6601 ] &&
   [ -n "$sport" ] && grep -qx "sport $sport" $W/udp_rx.snd &&
   [ "$(field body "$l")" = '"surftrace-udp"' ] && clean udp_rx; then
	pass packet_cast_udp_receive_$rx_func $W/udp_rx.out f0:
else fail packet_cast_udp_receive_$rx_func "exit $RC; want proto=17 127.0.0.1 -> 127.0.0.1, dport 6601, a sport udp_send printed, body \"surftrace-udp\"" \
	$W/udp_rx.out $W/udp_rx.err $W/udp_rx.snd $W/udp_rx.left; fi

# The documented example (README, man page, --help), as written: a ping of 127.0.0.1.
pkt icmp_rx "ping -c 1 -W 1 127.0.0.1" 'p ip_rcv proto=@(struct iphdr *)l3%0->protocol ip_src=@(struct iphdr *)l3%0->saddr f:proto==1&&ip_src==127.0.0.1'
l=$(grep 'f0:' $W/icmp_rx.out | head -1)
if [ $RC = 0 ] && [ "$(field proto "$l")" = 1 ] && [ "$(field ip_src "$l")" = 127.0.0.1 ] &&
   grep -q '1 packets received' $W/icmp_rx.snd && clean icmp_rx; then
	pass packet_cast_documented_ping $W/icmp_rx.out f0:
else fail packet_cast_documented_ping "exit $RC; want proto=1 ip_src=127.0.0.1" \
	$W/icmp_rx.out $W/icmp_rx.err $W/icmp_rx.snd; fi
# and the shorter one of --help
pkt help_rx "ping -c 1 -W 1 127.0.0.1" 'p ip_rcv ip_src=@(struct iphdr *)l3%0->saddr f:ip_src==127.0.0.1'
l=$(grep 'f0:' $W/help_rx.out | head -1)
if [ $RC = 0 ] && [ "$(field ip_src "$l")" = 127.0.0.1 ] && clean help_rx; then
	pass packet_cast_documented_help $W/help_rx.out f0:
else fail packet_cast_documented_help "exit $RC; want ip_src=127.0.0.1" $W/help_rx.out $W/help_rx.err $W/help_rx.snd; fi

# A struct sk_buff * parameter (ip_rcv): the TCP SYN of a loopback connect.
pkt tcp_rx "$B/tcp_accept 6603" 'p ip_rcv proto=@(struct iphdr *)%0->protocol b16_sport=@(struct tcphdr *)l3%0->source b16_dport=@(struct tcphdr *)l3%0->dest f:proto==6&&b16_dport==6603'
l=$(grep 'f0:' $W/tcp_rx.out | head -1)
sport=$(field b16_sport "$l")
if [ $RC = 0 ] && [ "$(field proto "$l")" = 6 ] && [ "$(field b16_dport "$l")" = 6603 ] &&
   [ -n "$sport" ] && grep -qx "client_port $sport" $W/tcp_rx.snd && clean tcp_rx; then
	pass packet_cast_tcp_ip_rcv $W/tcp_rx.out f0:
else fail packet_cast_tcp_ip_rcv "exit $RC; want proto=6 dport 6603 and a client port tcp_accept printed" \
	$W/tcp_rx.out $W/tcp_rx.err $W/tcp_rx.snd; fi

# Layer 2: skb->data is at the Ethernet header on transmit (__dev_queue_xmit).
pkt udp_tx "$B/udp_send 6602" 'p __dev_queue_xmit b16_eth=@(struct ethhdr *)l2%0->h_proto proto=@(struct iphdr *)l2%0->protocol b16_dport=@(struct udphdr *)l2%0->dest body=@(struct udphdr *)l2%0->Sdata[0] f:proto==17&&b16_dport==6602'
l=$(grep 'f0:' $W/udp_tx.out | head -1)
if [ $RC = 0 ] && [ "$(field b16_eth "$l")" = 2048 ] && [ "$(field proto "$l")" = 17 ] &&
   [ "$(field b16_dport "$l")" = 6602 ] && [ "$(field body "$l")" = '"surftrace-udp"' ] && clean udp_tx; then
	pass packet_cast_l2_transmit $W/udp_tx.out f0:
else fail packet_cast_l2_transmit "exit $RC; want b16_eth=2048 (IPv4) proto=17 dport 6602 body \"surftrace-udp\"" \
	$W/udp_tx.out $W/udp_tx.err $W/udp_tx.snd; fi

# --- the engine library: accept_monitor's kretprobe on a real loopback accept ---
$S/examples/accept_monitor 1 >$W/accept.out 2>$W/accept.err &
ap=$!
: >$W/tcp.out
if wait_tracing $ap; then
	echo "port 5501" >>$W/tcp.out
	$B/tcp_accept 5501 >>$W/tcp.out 2>&1
fi
wait_exit $ap 20 TERM; wait $ap; arc=$?
leftovers >$W/accept.left
lport=$(sed -n 's/^local_port //p' $W/accept.out)
want_cport=$(awk -v p="$lport" '$1 == "port" { cur = $2 } $1 == "client_port" && cur == p { print $2 }' $W/tcp.out)
want_pid=$(awk -v p="$lport" '$1 == "port" { cur = $2 } $1 == "pid" && cur == p { print $2 }' $W/tcp.out)
if [ $arc = 0 ] && grep -qx 'local_addr 127.0.0.1' $W/accept.out && grep -qx 'remote_addr 127.0.0.1' $W/accept.out &&
   [ -n "$want_cport" ] && grep -qx "remote_port $want_cport" $W/accept.out &&
   grep -qx "pid $want_pid" $W/accept.out && clean accept; then
	pass accept_monitor_loopback $W/accept.out '^(local_port|remote_port|pid) '
else fail accept_monitor_loopback "exit $arc; want the accept on port '$lport': client port '$want_cport', pid '$want_pid'" \
	$W/accept.out $W/accept.err $W/tcp.out $W/accept.left; fi

# --- the engine library: exec_monitor (tracepoint) --------------------------------
$S/examples/exec_monitor 60 >$W/exec.out 2>$W/exec.err &
ep=$!
: >$W/execs
if wait_tracing $ep; then
	/tmp/surfprobe-child 0 >$W/execs
	wait_output $W/exec.out "^pid $(cat $W/execs)\$" 20
fi
kill -INT $ep 2>/dev/null
wait_exit $ep 15; wait $ep; erc=$?
p=$(cat $W/execs)
if [ $erc = 0 ] && [ -n "$p" ] &&
   grep -A1 -x 'filename /tmp/surfprobe-child' $W/exec.out | grep -qx "pid $p"; then
	pass exec_monitor_exec $W/exec.out surfprobe-child
else fail exec_monitor_exec "exit $erc; want filename /tmp/surfprobe-child with pid '$p'" \
	$W/exec.out $W/exec.err; fi

# --- the dynamic-event builder: the kernel's kprobe_event_gen_test from user space
echo surfvm >/etc/hostname
timeout 60 $S/examples/dynevent --kprobe >$W/dynevent.out 2>$W/dynevent.err
drc=$?
if [ $drc = 0 ] && grep -qx 'created gen_kprobe_test: 3 fields' $W/dynevent.out &&
   grep -qx 'through their event files: 1 call' $W/dynevent.out &&
   [ "$(grep -c '^gen_kprobe_test dfd=-100 filename="/etc/hostname" flags=[0-9]*$' $W/dynevent.out)" = 3 ] &&
   [ "$(grep -c '^gen_kretprobe_test ret=[0-9][0-9]*$' $W/dynevent.out)" = 3 ] &&
   grep -qx 'deleted gen_kprobe_test, gen_kretprobe_test' $W/dynevent.out &&
   ! grep -q surf_gen_ $KE; then pass dynevent_builder_kprobe $W/dynevent.out gen_
else fail dynevent_builder_kprobe "exit $drc" $W/dynevent.out $W/dynevent.err; fi

# --- cleanup on SIGINT and SIGTERM of a running trace, and after kill -9 --------
for sig in INT TERM; do
	$ST -q 'p do_filp_open name=%1->name' >$W/sig.out 2>$W/sig.err &
	p=$!
	if ! wait_tracing $p; then
		kill -9 $p 2>/dev/null; wait $p
		fail cleanup_on_SIG$sig "never set up" $W/sig.err; continue
	fi
	kill -$sig $p
	wait_exit $p 20; wait $p; rc=$?
	case $sig in INT) want=0 ;; TERM) want=143 ;; esac
	if [ -z "$(leftovers)" ] && [ $rc = $want ] && ! ls $TFS/events | grep -q "^surftrace_${p}_"; then
		pass cleanup_on_SIG$sig
	else fail cleanup_on_SIG$sig "exit $rc (want $want); left: $(leftovers)" $W/sig.err; fi
done
$ST -q 'p do_filp_open name=%1->name' >/dev/null 2>$W/kill9.err &
p=$!
if wait_group $p; then
	kill -9 $p; wait $p 2>/dev/null
	stale=$(leftovers | grep -c "surftrace_${p}_")
	st after_kill9 -q -c '/tmp/surfprobe-child 1' 'p wake_up_new_task comm=%0->comm'
	if [ "$stale" -ge 1 ] && [ "$(count 'comm="surfprobe-child"' $W/after_kill9.out)" = 1 ] &&
	   clean after_kill9; then pass cleanup_stale_after_kill9
	else fail cleanup_stale_after_kill9 "stale events of pid $p: $stale before, after:" \
		$W/after_kill9.left $W/after_kill9.out $W/after_kill9.err; fi
else kill -9 $p 2>/dev/null; fail cleanup_stale_after_kill9 "never set up" $W/kill9.err; fi

# --- nothing of ours left, and the kernel did not complain -----------------------
if [ -z "$(leftovers)" ] && ! ls $TFS/events | grep -q '^surftrace_'; then pass tracefs_clean_at_end
else fail tracefs_clean_at_end "$(leftovers)" "$(ls $TFS/events | grep '^surftrace_')"; fi
# --- more guest suites (surfgraph, BPF tools): tests/vm/guest-*.sh, sourced here
for extra in /surf/guest-*.sh; do
	[ -f "$extra" ] && [ "$extra" != /surf/guest-tests.sh ] && . "$extra"
done

dmesg >$W/dmesg
if ! grep -qE 'BUG:|Oops|general protection|Call Trace' $W/dmesg; then pass kernel_no_oops
else fail kernel_no_oops $W/dmesg; fi

echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"

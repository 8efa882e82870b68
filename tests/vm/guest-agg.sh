# Sourced by guest-tests.sh: in-kernel aggregation (a:, issue 15) with
# kprobe forms, exact numbers from build/helpers/aggwork (ten writes of
# known sizes to a bad fd), and nothing left in tracefs.
AW=/surf/helpers/aggwork
if [ -x $AW ]; then
	st agg_kprobe -q -c "$AW write 0 1 2 3 4 7 8 1000 1024 5000" 'p ksys_write a:count(comm)' \
		'r ksys_write r=$retval a:min(r, comm)'
	# Ten writes to a bad fd: ten entries, each returning -EBADF (-9, signed).
	if [ $RC = 0 ] && grep -qx 'comm=aggwork: 10' $W/agg_kprobe.out &&
	   grep -qx 'comm=aggwork: -9' $W/agg_kprobe.out && grep -q '^f1: a:min$' $W/agg_kprobe.out &&
	   clean agg_kprobe; then
		pass agg_kprobe_and_kretprobe $W/agg_kprobe.out aggwork
	else fail agg_kprobe_and_kretprobe "exit $RC; want comm=aggwork: 10 and comm=aggwork: -9" \
		$W/agg_kprobe.out $W/agg_kprobe.err $W/agg_kprobe.left; fi
	# The kernel's own argument: write(1000077, NULL, SIZE) of known sizes, %2 of ksys_write.
	st agg_kprobe_hist -q -c "$AW write 0 1 2 3 4 7 8 1000 1024 5000" \
		'p ksys_write fd=%0 sz=%2 a:stats(sz, fd)'
	if [ $RC = 0 ] && grep -qx 'fd=1000077: count 10 sum 7049 avg 704 min 0 max 5000' $W/agg_kprobe_hist.out; then
		pass agg_kprobe_argument_stats $W/agg_kprobe_hist.out 1000077
	else fail agg_kprobe_argument_stats "exit $RC; want fd=1000077: count 10 sum 7049 avg 704 min 0 max 5000" \
		$W/agg_kprobe_hist.out $W/agg_kprobe_hist.err; fi
	# f: in the program, on the kprobe's arguments: sizes of 1000 and more.
	st agg_kprobe_filter -q -c "$AW write 0 1 2 3 4 7 8 1000 1024 5000" \
		'p ksys_write fd=%0 sz=%2 a:count(comm) f:fd==1000077 && sz>=1000'
	if [ $RC = 0 ] && grep -qx 'comm=aggwork: 3' $W/agg_kprobe_filter.out &&
	   [ "$(grep -c '^comm=' $W/agg_kprobe_filter.out)" = 1 ]; then
		pass agg_kprobe_filter_in_bpf $W/agg_kprobe_filter.out aggwork
	else fail agg_kprobe_filter_in_bpf "exit $RC; want only comm=aggwork: 3" \
		$W/agg_kprobe_filter.out $W/agg_kprobe_filter.err; fi
	# lat() from a kprobe to its kretprobe, per thread: usleeps of 3 and 100 ms
	# (TCG's timers are coarse: the 3 ms ones anywhere under 16 ms).
	st agg_kretprobe_lat -q -c "$AW usleep 3000:5 100000:3" "p ${SYS}clock_nanosleep" \
		"r ${SYS}clock_nanosleep a:lat(comm)"
	got=$(awk '/^comm=/ { k = $1 } $2 == "->" && $5 > 0 { n[k] += $5; if ($3 > top[k]) top[k] = $3 }
		END { print n["comm=sl-3000"], top["comm=sl-3000"] < 16777216, n["comm=sl-100000"], top["comm=sl-100000"] }' \
		$W/agg_kretprobe_lat.out)
	if [ $RC = 0 ] && [ "$got" = "5 1 3 134217727" ]; then
		pass agg_kretprobe_lat $W/agg_kretprobe_lat.out sl-3000
	else fail agg_kretprobe_lat "exit $RC; want '5 1 3 134217727' (counts, 3 ms under 16 ms, 100 ms in 67108864 ->); got '$got'" \
		$W/agg_kretprobe_lat.out $W/agg_kretprobe_lat.err; fi
	# String and stack keys from a kprobe: the user's file name, the kernel's path.
	st agg_kprobe_keys -q -c "$AW write 1 2 3; cat /surf-agg-missing-1 /surf-agg-missing-1 2>/dev/null; true" \
		'p do_sys_openat2 fn=%1 a:count(fn)' 'p ksys_write a:count(comm, kstack)'
	if [ $RC = 0 ] && grep -qx 'fn=/surf-agg-missing-1: 2' $W/agg_kprobe_keys.out &&
	   grep -A8 '^comm=aggwork: 3' $W/agg_kprobe_keys.out | grep -qE '^        (ksys_write|do_syscall_64|__arm64_sys_write|invoke_syscall)\+'; then
		pass agg_kprobe_string_and_stack_keys $W/agg_kprobe_keys.out aggwork
	else fail agg_kprobe_string_and_stack_keys "exit $RC; want fn=/surf-agg-missing-1: 2, 3 writes under ksys_write" \
		$W/agg_kprobe_keys.out $W/agg_kprobe_keys.err; fi
else
	skip agg_kprobe "no $AW in the image"
fi

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
else
	skip agg_kprobe "no $AW in the image"
fi

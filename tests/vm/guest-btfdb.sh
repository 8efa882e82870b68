# Sourced by guest-tests.sh: the type database.  The host made this
# kernel's BTF file from its image (surftrace --gen-btf) and put it where
# surftrace looks by default (/usr/lib/surftrace/btf/RELEASE.btf); here the
# kernel's own BTF is hidden in a private mount namespace (an empty tmpfs
# over /sys/kernel/btf), and surftrace must compute the same offsets from
# the file and read the same values.
DB=/usr/lib/surftrace/btf/$(uname -r).btf
# nobtf CMD...: CMD without /sys/kernel/btf/vmlinux
nobtf() { unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$@"' sh "$@"; }
if [ ! -f "$DB" ]; then
	skip btfdb "the host put no $DB into the image"
elif ! unshare -m true 2>/dev/null; then
	skip btfdb "unshare -m does not work here"
else
	E1='p wake_up_new_task comm=%0->comm u=S%0->mm->mm_users'
	E2='r do_filp_open pos=$retval->f_pos ino=$retval->f_inode->i_ino'
	$ST -S "$E1" "$E2" >$W/db_own.out 2>&1
	nobtf $ST -S "$E1" "$E2" >$W/db_file.out 2>$W/db_file.err
	rc=$?
	nobtf ls /sys/kernel/btf >$W/db_hidden.out 2>&1
	if [ $rc = 0 ] && [ ! -s $W/db_hidden.out ] && grep -q kprobe_events $W/db_own.out &&
	   cmp -s $W/db_own.out $W/db_file.out; then
		pass btfdb_same_offsets_as_kernel_btf $W/db_file.out kprobe_events
	else fail btfdb_same_offsets_as_kernel_btf "exit $rc; sysfs btf seen: $(cat $W/db_hidden.out)" \
		$W/db_own.out $W/db_file.out $W/db_file.err; fi
	# Real values through the file's offsets: a known process name and inode.
	ino=$(stat -c %i $KNOWN)
	nobtf timeout 60 $ST -q -c "/tmp/surfprobe-child 1; cat $KNOWN" 'p wake_up_new_task comm=%0->comm' \
		'r do_filp_open ino=$retval->f_inode->i_ino' >$W/db_run.out 2>$W/db_run.err
	rc=$?
	if [ $rc = 0 ] && [ "$(count 'comm="surfprobe-child"' $W/db_run.out)" = 1 ] &&
	   grep -q " ino=$ino\$" $W/db_run.out && [ -z "$(leftovers)" ]; then
		pass btfdb_values $W/db_run.out "surfprobe-child| ino=$ino"
	else fail btfdb_values "exit $rc; want comm=surfprobe-child and ino=$ino" $W/db_run.out \
		$W/db_run.err; fi
	# Without the file either: exit 1, where it looked, how to make one.
	mv "$DB" "$DB.away"
	nobtf $ST -S "$E1" >$W/db_none.out 2>&1
	rc=$?
	mv "$DB.away" "$DB"
	if [ $rc = 1 ] && grep -qF "looked for /usr/lib/surftrace/btf/$(uname -r).btf" $W/db_none.out &&
	   grep -qF 'surftrace --gen-btf' $W/db_none.out; then pass btfdb_missing_says_where $W/db_none.out
	else fail btfdb_missing_says_where "exit $rc (want 1)" $W/db_none.out; fi
fi

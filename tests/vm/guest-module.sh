# Sourced by guest-tests.sh: a self-built module (tests/vm/module/surfmod.c,
# built on the host against this kernel's Debian headers by
# scripts/vm/module.sh) probed through its own types: its BTF when built
# with it, its DWARF when not (given with -m, then found by name under
# /lib/modules/RELEASE).  A write of N to /proc/surfmod calls
# surfmod_poke(o) with o->in->value == N, o->twice == 2N, o->tag == 7 and
# o->in->name == "surfmod": types vmlinux does not have (twice is unsigned
# long: read signed, S, for -31).
M=/surf/module
E='p surfmod_poke v=S%0->in->value t=S%0->twice tag=%0->tag name=%0->in->name'
# poke NAME N [SURFTRACE OPTIONS]: trace one write of N; the event line in $W/NAME.out
poke() {
	n=$1 v=$2; shift 2
	st "$n" -q -n 1 -c "sleep 0.5; echo $v >/proc/surfmod" "$@" "$E"
}
want_poke() {	# NAME N: the event of N, and nothing left behind
	grep -q "f0: .* v=$2 t=$(($2 * 2)) tag=7 name=\"surfmod\"\$" $W/$1.out && [ $RC = 0 ] && clean "$1"
}
if [ ! -f $M/btf/surfmod.ko ] || [ ! -f $M/dwarf/surfmod.ko ]; then
	skip module "the host built no surfmod.ko for this kernel (see the tier's output)"
elif ! insmod $M/btf/surfmod.ko 2>$W/insmod.err; then
	fail module_btf "insmod failed" $W/insmod.err
else
	if [ -e /sys/kernel/btf/surfmod ]; then
		poke mod_btf 4242
		if want_poke mod_btf 4242; then pass module_btf_types $W/mod_btf.out f0:
		else fail module_btf_types "want v=4242 t=8484 tag=7 name=surfmod" $W/mod_btf.out $W/mod_btf.err; fi
	else fail module_btf_types "no /sys/kernel/btf/surfmod for the BTF build"; fi
	rmmod surfmod
	insmod $M/dwarf/surfmod.ko
	if [ -e /sys/kernel/btf/surfmod ]; then
		fail module_dwarf "the DWARF-only build has BTF in sysfs"
	else
		# no BTF and not found: the error names the function
		st mod_none -S "$E"
		if [ $RC = 2 ] && grep -q surfmod_poke $W/mod_none.err; then pass module_without_types_is_bad_input
		else fail module_without_types_is_bad_input "exit $RC" $W/mod_none.err; fi
		poke mod_dwarf_m -31 -m $M/dwarf/surfmod.ko
		if want_poke mod_dwarf_m -31; then pass module_dwarf_types_given $W/mod_dwarf_m.out f0:
		else fail module_dwarf_types_given "want v=-31" $W/mod_dwarf_m.out $W/mod_dwarf_m.err; fi
		mkdir -p /lib/modules/$(uname -r)/updates
		cp $M/dwarf/surfmod.ko /lib/modules/$(uname -r)/updates/
		poke mod_dwarf_found 77
		if want_poke mod_dwarf_found 77; then pass module_dwarf_types_found $W/mod_dwarf_found.out f0:
		else fail module_dwarf_types_found "want v=77" $W/mod_dwarf_found.out $W/mod_dwarf_found.err; fi
		rm -rf /lib/modules/$(uname -r)/updates
		echo "vm: surfmod offsets ($(uname -r)): $($ST -S -m $M/dwarf/surfmod.ko "$E" 2>&1 | grep kprobe_events)"
	fi
	rmmod surfmod
fi

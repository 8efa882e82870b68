#!/bin/bash
# The dynamic-event builder's example (examples/dynevent.c, issue 18): a
# uprobe and a uretprobe built field by field on the example's own
# poke(n, word), created, enabled through their event files, read through
# the engine by field name, deleted: exact values, nothing left behind.
# (Its --kprobe form runs in the VM tier.)
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
EX=$ROOT/build/examples/dynevent
if [ "$(id -u)" != 0 ]; then skip dynevent "needs root (tracefs)"; summary; exit; fi
[ -x "$EX" ] || { fail dynevent "$EX is missing: run make"; summary; exit; }
out=$("$EX" 2>&1); rc=$?
want='created gen_uprobe_test: 2 fields
created gen_uretprobe_test: 1 field
through their event files: 1 call
gen_uprobe_test n=1 word="surf"
gen_uretprobe_test ret=4
gen_uprobe_test n=2 word="two"
gen_uretprobe_test ret=6
gen_uprobe_test n=3 word="surf"
gen_uretprobe_test ret=12
deleted gen_uprobe_test, gen_uretprobe_test'
if [ $rc = 0 ] && [ "$out" = "$want" ]; then pass dynevent_uprobe_fields_by_name
else fail dynevent_uprobe_fields_by_name "exit $rc" "$out"; fi
if ! grep -q 'surf_gen_' $TFS/uprobe_events && ! ls $TFS/events | grep -q '^surf_gen_'; then
	pass dynevent_deleted
else fail dynevent_deleted "$(grep surf_gen_ $TFS/uprobe_events)"; fi
# A field the kernel refuses: the kernel's reason, nothing created.
out=$("$EX" --kprobe 2>&1); rc=$?
if [ -e $TFS/kprobe_events ]; then
	skip dynevent_kprobe_here "this kernel has kprobes: the VM tier's case"
elif [ $rc != 0 ] && grep -q "cannot create p:surf_gen_[0-9]*/gen_kprobe_test do_sys_openat2" <<<"$out" &&
     ! grep -q surf_gen_ $TFS/uprobe_events; then
	pass dynevent_kprobe_refused_here
else fail dynevent_kprobe_refused_here "exit $rc" "$out"; fi
summary

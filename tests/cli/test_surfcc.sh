#!/bin/bash
# surfcc end to end, and clcc's answers to bad input through a small loader
# (tests/fixtures/bpf/clcc_run.c): every failure is one clear message and
# exit status 1, never a crash.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

CC_BIN=$ROOT/build/surfcc
FIX=$ROOT/tests/fixtures/bpf
TMP=$(mktemp -d /tmp/surfcc-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export SURFCC_CACHE_DIR=$TMP/cache

# expect_fail NAME WANT... -- CMD...: CMD exits 1 and prints every WANT.
expect_fail() {
	local name=$1; shift
	local wants=()
	while [ "$1" != "--" ]; do wants+=("$1"); shift; done
	shift
	local out rc
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" != 1 ]; then fail "$name" "exit $rc, want 1" "$out"; return; fi
	for w in "${wants[@]}"; do
		if ! grep -qF -- "$w" <<<"$out"; then fail "$name" "no '$w' in:" "$out"; return; fi
	done
	pass "$name"
}

if [ ! -x "$CC_BIN" ]; then
	skip surfcc "build/surfcc is not built"
	summary; exit
fi

# --- options -----------------------------------------------------------
out=$("$CC_BIN" --help 2>&1); rc=$?
if [ $rc = 0 ] && grep -q '^usage: surfcc' <<<"$out" && grep -q 'examples:' <<<"$out"; then
	pass help
else
	fail help "exit $rc" "$out"
fi
expect_error "no source" 2 "surfcc: no source file" "" "$CC_BIN"
expect_error "bad option" 2 "Try 'surfcc --help'" "" "$CC_BIN" --no-such-option
# A source with no program in a SEC() section: an error, not an empty tool.
printf '#include "lbc.h"\nint x;\n' >"$TMP/noprog.bpf.c"
expect_error "no program" 1 "surfcc: no BPF program in $TMP/noprog.bpf.c" "" \
	"$CC_BIN" --output "$TMP/noprog.so" "$TMP/noprog.bpf.c"
expect_fail "missing source" "no-such.bpf.c: No such file or directory" -- \
	"$CC_BIN" --output "$TMP/x.so" "$TMP/no-such.bpf.c"

if ! command -v clang >/dev/null && [ -z "$SURFCC_CLANG" ]; then
	skip build "no clang"
	summary; exit
fi
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	skip build "no kernel BTF"
	summary; exit
fi

# --- building ---------------------------------------------------------------
out=$(cd "$TMP" && "$CC_BIN" -v "$FIX/count.bpf.c" 2>&1); rc=$?
if [ $rc = 0 ] && [ -s "$TMP/count.so" ] && grep -q -- '-target bpf' <<<"$out" &&
	grep -q -- '-D__TARGET_ARCH_' <<<"$out"; then
	pass "build .so in the current directory, -v shows clang"
else
	fail "build .so" "exit $rc" "$out"
fi
syms=$(nm -D --defined-only "$TMP/count.so" 2>/dev/null | awk '{print $3}')
missing=""
for s in lbc_bpf_init lbc_bpf_exit lbc_bpf_get_maps_id lbc_set_event_cb lbc_event_loop \
	lbc_map_lookup_elem lbc_map_update_elem lbc_map_get_next_key lbc_attach_kprobe \
	lbc_attach_tracepoint lbc_attach_uprobe lbc_get_map_types lbc_ksym_search lbc_bpf_obj; do
	grep -qx "$s" <<<"$syms" || missing="$missing $s"
done
if [ -z "$missing" ]; then pass ".so exports coolbpf's lbc_* entry points"
else fail ".so exports" "missing:$missing"; fi
if [ -z "$(readelf -d "$TMP/count.so" 2>/dev/null | grep NEEDED)" ]; then
	pass ".so needs no library"
else
	fail ".so needs no library" "$(readelf -d "$TMP/count.so" | grep NEEDED)"
fi
if ls "$SURFCC_CACHE_DIR"/*/vmlinux.h >/dev/null 2>&1; then pass "vmlinux.h cached"
else fail "vmlinux.h cached" "$(ls -R "$SURFCC_CACHE_DIR" 2>&1)"; fi

out=$("$CC_BIN" -f "$FIX/count.bpf.c" -o --output "$TMP/count.bpf.o" 2>&1); rc=$?
if [ $rc = 0 ] && readelf -h "$TMP/count.bpf.o" 2>/dev/null | grep -q 'Linux BPF'; then
	pass "-o writes the BPF object"
else
	fail "-o writes the BPF object" "exit $rc" "$out"
fi
out=$("$CC_BIN" -DLBC_DEBUG -e '-DX=1 -DY' -I "$TMP" --output "$TMP/d.so" "$FIX/count.bpf.c" 2>&1)
rc=$?
if [ $rc = 0 ]; then pass "-D, -e, -I"; else fail "-D, -e, -I" "$out"; fi

vmh=$("$CC_BIN" --print-vmlinux-h 2>&1)
if [ -s "$vmh" ] && grep -q '__VMLINUX_H__' "$vmh" && grep -q 'struct task_struct {' "$vmh"; then
	pass "--print-vmlinux-h"
else
	fail "--print-vmlinux-h" "$vmh"
fi
if "$CC_BIN" --gen-vmlinux-h "$TMP/v.h" && cmp -s "$TMP/v.h" "$vmh"; then
	pass "--gen-vmlinux-h"
else
	fail "--gen-vmlinux-h" "differs from the cached one"
fi
if command -v bpftool >/dev/null || [ -x /usr/sbin/bpftool ]; then
	BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)
	# the same declarations (bpftool's own libbpf differs in details:
	# "(void)" for "()", mode(byte) on packed enums)
	if "$BPFTOOL" btf dump file /sys/kernel/btf/vmlinux format c 2>/dev/null |
		grep -E '^(struct|union|enum|typedef) ' | cmp -s - <(grep -E '^(struct|union|enum|typedef) ' "$vmh" |
		sed -E 's/\(\)([;)])/(void)\1/g'); then
		pass "vmlinux.h has what bpftool btf dump prints"
	else
		fail "vmlinux.h has what bpftool btf dump prints"
	fi
	out=$("$CC_BIN" --vmlinux-h "$TMP/v.h" --output "$TMP/v.so" "$FIX/count.bpf.c" 2>&1)
	if [ $? = 0 ]; then pass "--vmlinux-h FILE"; else fail "--vmlinux-h FILE" "$out"; fi
fi

# --- bad input at build time --------------------------------------------
expect_fail "compile error shows clang's file:line:col" \
	"broken.bpf.c:8:9: error: use of undeclared identifier 'undefined_thing'" \
	"surfcc: $FIX/broken.bpf.c: compilation failed" -- \
	"$CC_BIN" --output "$TMP/broken.so" "$FIX/broken.bpf.c"
if [ ! -e "$TMP/broken.so" ]; then pass "no output after a compile error"
else fail "no output after a compile error"; fi
expect_fail "legacy SEC(\"maps\") refused with libbpf's reason" \
	"legacy map definitions in 'maps' section are not supported" -- \
	"$CC_BIN" --output "$TMP/legacy.so" "$FIX/legacy.bpf.c"
expect_fail "no clang" "clang not found" -- \
	env SURFCC_CLANG=/no/such/clang "$CC_BIN" --output "$TMP/x.so" "$FIX/count.bpf.c"
expect_fail "no BTF" "cannot read BTF /no/such/btf" -- \
	"$CC_BIN" --btf /no/such/btf --output "$TMP/x.so" "$FIX/count.bpf.c"
expect_fail "no lbc.h" "lbc.h" -- \
	env SURFCC_LBC_DIR=/no/such/dir "$CC_BIN" --output "$TMP/x.so" "$FIX/count.bpf.c"

# --- loading: clcc through a loader ---------------------------------------
RUN=$TMP/clcc_run
# shellcheck disable=SC2086
if ! cc -Wall -Wextra -I"$ROOT/include" -o "$RUN" "$FIX/clcc_run.c" "$ROOT/build/libsurf.a" \
	-Wl,--as-needed -lbpf -ltraceevent -lelf -ldw -lz -llzma 2>"$TMP/cc.err"; then
	fail "clcc_run builds" "$(cat "$TMP/cc.err")"
	summary; exit
fi
if [ "$(id -u)" != 0 ]; then
	skip "loading" "needs root"
	summary; exit
fi
"$CC_BIN" --output "$TMP/probes.so" "$FIX/probes.bpf.c" &&
	"$CC_BIN" --output "$TMP/reject.so" "$FIX/reject.bpf.c" || fail "fixtures build"

expect_line "load, attach a tracepoint by hand, read a map" "hits[0] = 7" \
	"$RUN" "$TMP/probes.so" -n -t tp:syscalls:sys_enter_getppid -c hits:7
expect_line "uprobe by symbol (libc:malloc)" "attached (-s)" \
	"$RUN" "$TMP/probes.so" -n -s up:libc:malloc
expect_fail "missing map" "clcc: no map named 'nope'" "(maps: hits, probes.rodata)" -- \
	"$RUN" "$TMP/probes.so" -n -m nope
if [ -e /sys/bus/event_source/devices/kprobe/type ] || [ -e /sys/kernel/tracing/kprobe_events ]; then
	expect_fail "kprobe on a missing symbol" "'no_such_fn_xyz'" "no such kernel function" -- \
		"$RUN" "$TMP/probes.so" -n -k kp:no_such_fn_xyz
	expect_fail "kretprobe on a missing symbol" "'no_such_fn_xyz'" "no such kernel function" -- \
		"$RUN" "$TMP/probes.so" -n -K kp:no_such_fn_xyz
else
	expect_fail "kprobe here: kprobes unavailable" "kprobe 'vfs_read'" \
		"this kernel has no kprobes (CONFIG_KPROBES / kprobe_events missing)" -- \
		"$RUN" "$TMP/probes.so" -n -k kp:vfs_read
	expect_fail "kprobe on a missing symbol" "'no_such_fn_xyz'" \
		"this kernel has no kprobes (CONFIG_KPROBES / kprobe_events missing)" -- \
		"$RUN" "$TMP/probes.so" -n -k kp:no_such_fn_xyz
fi
expect_fail "missing tracepoint" "no tracepoint 'no_such_group:no_such_event'" -- \
	"$RUN" "$TMP/probes.so" -n -t tp:no_such_group:no_such_event
expect_fail "missing raw tracepoint" "no raw tracepoint 'no_such_raw_tp'" -- \
	"$RUN" "$TMP/probes.so" -n -r raw:no_such_raw_tp
expect_fail "missing program" "no BPF program 'nope'" "(programs: kp, tp, raw, up)" -- \
	"$RUN" "$TMP/probes.so" -n -t nope:syscalls:sys_enter_getppid
expect_fail "uprobe on a missing symbol" "no function 'no_such_sym_xyz'" -- \
	"$RUN" "$TMP/probes.so" -n -s up:libc:no_such_sym_xyz
expect_fail "uprobe on a missing file" "no file '/no/such/binary'" -- \
	"$RUN" "$TMP/probes.so" -n -u up:/no/such/binary:0
expect_fail "verifier rejection shows the log's last lines" \
	"the verifier rejected program 'reject_me'" "R1 invalid mem access" \
	"processed 3 insns" -- \
	"$RUN" "$TMP/reject.so"
expect_fail "missing .so" "no such file (build it with surfcc)" -- "$RUN" "$TMP/none.so"
libz=$(ldconfig -p 2>/dev/null | awk '/libz\.so\.1 /{print $NF; exit}')
[ -n "$libz" ] && expect_fail "not a surfcc .so" "was not built by surfcc" -- "$RUN" "$libz"
expect_fail "an object is not a .so" "cannot load" -- "$RUN" "$TMP/count.bpf.o"

summary

# Helpers for the command-line tests: source it, call check/expect_*, then summary.
# shellcheck shell=bash
ROOT=${SURF_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ST=$ROOT/build/surftrace
VMLINUX_BTF=/sys/kernel/btf/vmlinux
T_PASSED=0 T_FAILED=0 T_SKIPPED=0

pass() { T_PASSED=$((T_PASSED + 1)); echo "ok   $1"; }
fail() { T_FAILED=$((T_FAILED + 1)); echo "FAIL $1"; shift; for l in "$@"; do echo "  $l"; done; }
skip() { T_SKIPPED=$((T_SKIPPED + 1)); echo "skip $1"; echo "  skipped: $2"; }

# expect_line NAME WANT CMD...: the output of CMD has the line WANT.
expect_line() {
	local name=$1 want=$2; shift 2
	local out
	out=$("$@" 2>&1)
	if grep -qxF -- "$want" <<<"$out"; then pass "$name"
	else fail "$name" "want line: $want" "got:" "$out"; fi
}

# expect_error NAME STATUS MESSAGE-PART CARET-LINE CMD...
expect_error() {
	local name=$1 status=$2 msg=$3 caret=$4; shift 4
	local out rc
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" != "$status" ]; then fail "$name" "exit $rc, want $status" "$out"; return; fi
	if ! grep -qF -- "$msg" <<<"$out"; then fail "$name" "no '$msg' in:" "$out"; return; fi
	if [ -n "$caret" ] && ! grep -qxF -- "$caret" <<<"$out"; then
		fail "$name" "no caret line '$caret' in:" "$out"; return
	fi
	pass "$name"
}

# Offset in bytes of MEMBER in STRUCT (vmlinux BTF), as pahole prints it.
poff() {
	pahole -C "$1" "$VMLINUX_BTF" 2>/dev/null |
		awk -v m="$2" '{ line=$0; sub(/\/\*.*/, "", line);
			if (line ~ ("[ *]" m "(\\[[0-9]+\\])?;")) {
				c=$0; sub(/.*\/\*/, "", c); split(c, a, " "); sub(/:.*/, "", a[1]); print a[1]; exit } }'
}
hex() { printf '0x%x' "$1"; }

summary() { echo "$T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"; [ "$T_FAILED" = 0 ]; }

# Tests that check tracepoint names need tracefs mounted (surftrace -S never mounts it).
if [ "$(id -u)" = 0 ] && [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
fi

# For live tests: tracefs, and the surftrace groups left behind, i.e. those of
# processes that are gone (groups of live processes are other runs'):
# surftrace_PID_TOKEN, or surftrace_PID of older builds.
TFS=/sys/kernel/tracing
our_groups() {
	cat $TFS/uprobe_events $TFS/kprobe_events 2>/dev/null | grep -oE 'surftrace_[0-9]+(_[0-9a-f]+)?/' |
		tr -d / | sort -u | while read -r g; do
			p=${g#surftrace_}; kill -0 "${p%%_*}" 2>/dev/null || echo "$g"
		done
}

# wait_tracing PID [SECONDS]: until PID (surftrace, or a program on the
# engine) has its events on.  They say nothing then, but they enable every
# event before they first wait for records, in epoll_wait.  1 when PID has
# gone or SECONDS (30) have passed.
wait_tracing() {
	local end=$((SECONDS + ${2:-30}))
	until grep -q epoll "/proc/$1/wchan" 2>/dev/null; do
		kill -0 "$1" 2>/dev/null && [ $SECONDS -lt "$end" ] || return 1
		sleep 0.01
	done
}

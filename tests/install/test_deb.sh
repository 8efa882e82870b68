#!/bin/bash
# The Debian package in a fresh Debian bookworm root: `make deb`, then
# `apt-get install ./surftrace_*.deb` into a throwaway copy (an overlay) of
# the cached minbase root (scripts/debroot.sh, build/debroot/), where
# surftrace --version, surftrace -S, surfcc on a bcc lesson and a C program
# built with pkg-config must work.  The root has nothing but minbase, so a
# file or a dependency the package forgets fails here.  pkg-config is
# installed next to the package, as a user building against libsurf would
# (the package only recommends it); Recommends are not installed, so that
# Depends: alone must be enough.
#
# Runs in a private mount namespace, so that no mount outlives the test even
# when it is killed; the trap unmounts everything anyway.  apt's downloads
# are kept in build/debroot/archives, so only the first run fetches them.
# Skips, with the reason, when not root or when debootstrap or the network
# is unavailable.  SURF_DEB=FILE tests that .deb instead of running make deb.
if [ -z "${SURF_DEB_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	export SURF_DEB_NS=1
	exec unshare --mount --propagation private bash "$0" "$@"
fi
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
CACHE=$BUILD/debroot
VERSION=$(sed -n 's/^#define SURF_VERSION "\(.*\)"$/\1/p' include/surf/api.h)

if [ "$(id -u)" != 0 ]; then
	skip "debian package" "needs root (chroot, mount)"
	summary; exit
fi
for t in dpkg-deb dpkg-shlibdeps debootstrap; do
	if ! command -v $t >/dev/null; then
		skip "debian package" "no $t on this machine (make deps installs it)"
		summary; exit
	fi
done

# --- the package ---------------------------------------------------------
if [ -n "${SURF_DEB:-}" ]; then
	deb=$SURF_DEB
elif ! deb=$(make -s deb BUILD="$BUILD" 2>"$BUILD/deb.log" | tail -1) || [ ! -s "$deb" ]; then
	fail "make deb" "$(tail -20 "$BUILD/deb.log")"
	summary; exit
fi
ctrl=$(dpkg-deb -f "$deb")
if grep -qx "Package: surftrace" <<<"$ctrl" && grep -qx "Version: $VERSION" <<<"$ctrl" &&
   grep -qx "Architecture: $(dpkg --print-architecture)" <<<"$ctrl" &&
   grep -q '^Depends: .*libc6 (>= ' <<<"$ctrl" && grep -q '^Depends: .*clang' <<<"$ctrl"; then
	pass "make deb: $(basename "$deb") with Depends: from dpkg-shlibdeps"
else
	fail "make deb: control" "$ctrl"
fi
files=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
missing=""
for f in ./usr/bin/surftrace ./usr/bin/surfcc ./usr/bin/surfgraph ./usr/include/surf/api.h \
	 ./usr/share/surftrace/bpf/lbc.h ./usr/lib/python3/dist-packages/pylcc/lbcBase.py; do
	grep -qxF "$f" <<<"$files" || missing="$missing $f"
done
grep -q '/libsurf\.so\.0' <<<"$files" || missing="$missing libsurf.so.0"
grep -q '/pkgconfig/libsurf\.pc$' <<<"$files" || missing="$missing libsurf.pc"
grep -q '/man1/surftrace\.1\.gz$' <<<"$files" || missing="$missing surftrace.1.gz"
if [ -z "$missing" ]; then pass "the package has the programs, libsurf, headers, lbc.h, .pc, man pages, pylcc"
else fail "package contents" "missing:$missing"; fi

# --- the root ------------------------------------------------------------
if ! root=$(scripts/debroot.sh "$CACHE" 2>"$BUILD/debroot.err"); then
	skip "debian package" "no bookworm root: $(grep -v 'a few minutes, once' "$BUILD/debroot.err" | head -2 | tr '\n' ' ')"
	summary; exit
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/surf-debroot.XXXXXX")
M=$W/merged
MOUNTS=()
cleanup() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null
	done
	# Never through a mount that is still there (/dev, the apt cache).
	grep -qF " $W/" /proc/self/mounts || rm -rf --one-file-system "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mnt() { local dir=${*: -1}; mkdir -p "$dir" && mount "$@" && MOUNTS+=("$dir"); }

mkdir -p "$W/upper" "$W/work" "$M"
if ! mnt -t overlay overlay -o "lowerdir=$root,upperdir=$W/upper,workdir=$W/work" "$M"; then
	# No overlayfs: a copy (cheap on file systems with reflinks).
	cp -a --reflink=auto "$root/." "$M/"
fi
mnt -t proc proc "$M/proc"
mnt -t sysfs sysfs "$M/sys"		# /sys/kernel/btf/vmlinux for the types
if [ -d /sys/kernel/tracing/events ]; then
	mnt --bind /sys/kernel/tracing "$M/sys/kernel/tracing"
fi
mnt --bind /dev "$M/dev"
mkdir -p "$CACHE/archives/partial"
mnt --bind "$CACHE/archives" "$M/var/cache/apt/archives"
cp -L /etc/resolv.conf "$M/etc/resolv.conf" 2>/dev/null
in_root() { chroot "$M" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
	HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

# --- install ---------------------------------------------------------------
cp "$deb" "$M/tmp/"
debname=$(basename "$deb")
apt_install() {
	timeout 900 chroot "$M" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
		apt-get -q -y --no-install-recommends -o APT::Sandbox::User=root \
		install "/tmp/$debname" pkg-config >"$W/apt.log" 2>&1
}
if ! apt_install; then
	# The cached lists may be older than the mirror: fetch them anew.
	timeout 300 chroot "$M" apt-get -q -o APT::Sandbox::User=root update >>"$W/apt.log" 2>&1
	apt_install
fi
if in_root dpkg-query -W -f='${Status}' surftrace 2>/dev/null | grep -q "install ok installed"; then
	pass "apt-get install ./$debname into a fresh bookworm root"
elif grep -qE 'Could not resolve|Temporary failure|Failed to fetch|Unable to connect' "$W/apt.log"; then
	skip "debian package" "no network to the Debian mirror: $(grep -m1 -E 'Could not|Temporary|Failed|Unable' "$W/apt.log")"
	summary; exit
else
	fail "apt-get install ./$debname" "$(tail -25 "$W/apt.log")"
	summary; exit
fi

# --- the programs ----------------------------------------------------------
for prog in surftrace surfgraph surfcc; do
	out=$(in_root $prog --version 2>&1); rc=$?
	if [ $rc = 0 ] && [ "$out" = "$prog $VERSION (libsurf $VERSION)" ]; then
		pass "$prog --version: $out"
	else
		fail "$prog --version" "exit $rc" "$out"
	fi
done

expect_line "surftrace -S tracepoint" \
	"echo 1 > /sys/kernel/tracing/instances/surftrace/events/sched/sched_switch/enable" \
	in_root surftrace -S 'e sched/sched_switch'
if [ -r /sys/kernel/btf/vmlinux ]; then
	off=$(poff task_struct comm)
	if [ -n "$off" ]; then
		want="echo 'p:f0 wake_up_new_task comm=+$(hex "$off")(%di):string' >> /sys/kernel/tracing/kprobe_events"
	else
		want=$("$ST" -S 'p wake_up_new_task comm=%0->comm' 2>&1 | grep kprobe_events)
	fi
	expect_line "surftrace -S with a struct member (BTF)" "$want" \
		in_root surftrace -S 'p wake_up_new_task comm=%0->comm'
else
	skip "surftrace -S with a struct member" "no /sys/kernel/btf/vmlinux on this kernel"
fi

# capstone is not linked (loaded when first needed): Depends must bring it.
out=$(in_root surftrace -F libc:getppid 2>&1); rc=$?
if [ $rc = 0 ] && grep -qE '^<\+[0-9]+> +getppid\+0x[0-9a-f]+ .*syscall' <<<"$out" &&
   grep -q '^Depends: .*libcapstone' <<<"$ctrl"; then
	pass "surftrace -F disassembles: capstone, loaded at run time, from Depends"
else
	fail "surftrace -F in the root" "exit $rc" "$out" "$(grep '^Depends' <<<"$ctrl")"
fi

# surfcc on lesson 1 of the bcc tutorial: clang, lbc.h, libbpf's headers and
# a C compiler, all from the package's Depends; no SURFCC_LBC_DIR.
mkdir -p "$M/tmp/lesson"
cp examples/bcc/hello_world.bpf.c examples/bcc/hello_world.c examples/bcc/lesson.c \
	examples/bcc/*.h "$M/tmp/lesson/"
if [ -r /sys/kernel/btf/vmlinux ]; then
	out=$(in_root sh -c 'cd /tmp/lesson && timeout 120 surfcc hello_world.bpf.c' 2>&1); rc=$?
	if [ $rc = 0 ] && [ "$(head -c4 "$M/tmp/lesson/hello_world.so" 2>/dev/null | od -An -c | tr -d ' ')" = 177ELF ]; then
		pass "surfcc hello_world.bpf.c -> hello_world.so"
	else
		fail "surfcc on a lesson" "exit $rc" "$out"
	fi
	# The lesson's loader against the shared libsurf (clcc_* exported).
	out=$(in_root sh -c 'cd /tmp/lesson && CC=$(command -v cc || command -v clang) &&
		$CC -std=gnu11 -o hello_world hello_world.c lesson.c $(pkg-config --cflags --libs libsurf) &&
		./hello_world --help' 2>&1); rc=$?
	if [ $rc = 0 ] && grep -q 'hello_world' <<<"$out" && in_root ldd /tmp/lesson/hello_world | grep -qE 'libsurf\.so\.0 => (/usr)?/lib/libsurf\.so\.0 '; then
		pass "the lesson's loader built with pkg-config, linked to the installed libsurf.so.0"
	else
		fail "the lesson's loader" "exit $rc" "$out" "$(in_root ldd /tmp/lesson/hello_world 2>&1)"
	fi
else
	skip "surfcc on a lesson" "no /sys/kernel/btf/vmlinux for vmlinux.h"
fi

# A C program built with pkg-config against the installed headers and the
# shared libsurf.so.0: the library and the headers agree on the version.
mkdir -p "$M/tmp/prog"
cat >"$M/tmp/prog/v.c" <<'C'
#include <stdio.h>
#include <surf/api.h>

int main(void)
{
	printf("%s %s\n", surf_version(), SURF_VERSION);
	return 0;
}
C
# The compiler is whichever the package brought (clang; cc if there is one).
out=$(in_root sh -c 'cd /tmp/prog && CC=$(command -v cc || command -v clang) &&
	$CC -Wall -Wextra -Werror -std=c11 -o v v.c \
	$(pkg-config --cflags --libs libsurf) && ./v' 2>&1); rc=$?
if [ $rc = 0 ] && [ "$out" = "$VERSION $VERSION" ]; then
	pass "a C program built with pkg-config --cflags --libs libsurf: surf_version() $out"
else
	fail "C program with pkg-config" "exit $rc, want '$VERSION $VERSION'" "$out"
fi

summary

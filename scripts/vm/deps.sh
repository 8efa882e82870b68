#!/bin/sh
# Host packages the VM tier needs: qemu for x86_64 and arm64 guests (TCG
# only, no recommends), a static busybox for the x86_64 guest, cpio for the
# initramfs, and the arm64 cross compiler with its C library (the other
# arm64 libraries come from scripts/vm/arm64.sh's sysroot, not from this
# machine's dpkg).  Installs what is missing when run as root; quiet when
# everything is there.  Exit 1 if something is still missing (the caller
# then skips the tier).
PKGS="qemu-system-x86 qemu-system-arm busybox-static cpio gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "vm/deps.sh: missing packages:$missing (needs root and apt-get)" >&2
	exit 1
fi
echo "vm/deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
	apt-get update -qq >/dev/null 2>&1
	apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
fi
exit 0

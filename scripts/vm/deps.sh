#!/bin/sh
# Host packages the VM tier needs: qemu (TCG only, no recommends), a static
# busybox for the guest, cpio for the initramfs.  Installs what is missing
# when run as root; quiet when everything is there.  Exit 1 if something is
# still missing (the caller then skips the tier).
PKGS="qemu-system-x86 busybox-static cpio"
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

#!/bin/bash
# A Debian kernel for the VM tier, cached under VM-DIR/KERNEL/kernel/: prints
# the path of its image.  KERNEL is one of
#   6.1        linux-image-6.1.0-N-cloud-amd64-unsigned (bookworm)
#   6.12       linux-image-6.12.N+deb12-cloud-amd64-unsigned (bookworm-backports)
#   6.1-arm64  linux-image-6.1.0-N-arm64-unsigned (bookworm, arm64)
# The first run downloads the newest such package (or $SURF_VM_KERNEL) through
# the private apt configuration of scripts/vm/apt.sh and unpacks only /boot;
# later runs use the cache and touch no network.  The cache also keeps the
# kernel's config, VERSION ("package version release") and ARCH (x86_64 or
# aarch64).  Exit 1 (reason on stderr) when it cannot be had.
set -u
VM=${1:?usage: kernel.sh VM-DIR KERNEL}
ID=${2:?usage: kernel.sh VM-DIR KERNEL}
BUILD=${SURF_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
K=$VM/$ID/kernel
if [ -s "$K/vmlinuz" ]; then
	echo "$K/vmlinuz"
	exit 0
fi
case $ID in
6.1)       re='^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' arch=x86_64 deb_arch=amd64 ;;
6.12)      re='^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$' arch=x86_64 deb_arch=amd64 ;;
6.1-arm64) re='^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$' arch=aarch64 deb_arch=arm64 ;;
*) echo "kernel.sh: unknown kernel '$ID' (6.1, 6.12 or 6.1-arm64)" >&2; exit 1 ;;
esac
command -v dpkg-deb >/dev/null || { echo "no dpkg-deb on this machine" >&2; exit 1; }
APT="bash $(dirname "$0")/apt.sh $BUILD"
pkg=${SURF_VM_KERNEL:-$($APT search "$re" | tail -1)}
[ -n "$pkg" ] || { echo "apt knows no package matching $re" >&2; exit 1; }

rm -rf "$K.deb" && mkdir -p "$K.deb"
echo "vm: downloading $pkg ($deb_arch)" >&2
$APT download "$K.deb" "$pkg:$deb_arch" || exit 1
deb=$(ls "$K.deb/"*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "apt-get download $pkg left no .deb" >&2; exit 1; }
rm -rf "$K.tmp" && mkdir -p "$K.tmp"
if ! dpkg-deb --fsys-tarfile "$deb" | tar -xf - -C "$K.tmp" --wildcards './boot/*'; then
	echo "cannot unpack $deb" >&2
	exit 1
fi
v=$(ls "$K.tmp/boot/" | sed -n 's/^vmlinuz-//p' | head -1)
[ -n "$v" ] || { echo "$deb has no /boot/vmlinuz-*" >&2; exit 1; }
mv "$K.tmp/boot/vmlinuz-$v" "$K.tmp/vmlinuz"
mv "$K.tmp/boot/config-$v" "$K.tmp/config" 2>/dev/null
echo "$pkg $(dpkg-deb -f "$deb" Version) $v" > "$K.tmp/VERSION"
echo "$arch" > "$K.tmp/ARCH"
rm -rf "$K.tmp/boot" "$K" "$K.deb"
mv "$K.tmp" "$K"
echo "$K/vmlinuz"

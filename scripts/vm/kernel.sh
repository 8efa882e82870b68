#!/bin/bash
# Debian's 6.1 cloud kernel for the VM tier, cached under build/vm/kernel/:
# prints the path of its vmlinuz.  The first run downloads the newest
# linux-image-6.1.0-N-cloud-amd64-unsigned apt knows (or $SURF_VM_KERNEL) with
# `apt-get download` and unpacks only /boot from it; later runs use the cache
# and touch no network.  Exit 1 (reason on stderr) when it cannot be had.
set -u
VM=${1:?usage: kernel.sh VM-DIR}
K=$VM/kernel
if [ -s "$K/vmlinuz" ]; then
	echo "$K/vmlinuz"
	exit 0
fi
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
	{ echo "no apt-get/dpkg-deb on this machine" >&2; exit 1; }

newest() {
	apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' 2>/dev/null |
		awk '{ print $1 }' | sort -V | tail -1
}
pkg=${SURF_VM_KERNEL:-$(newest)}
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
	apt-get update -qq >/dev/null 2>&1
	pkg=$(newest)
fi
[ -n "$pkg" ] || { echo "apt knows no linux-image-6.1.0-*-cloud-amd64-unsigned" >&2; exit 1; }

mkdir -p "$VM/deb"
rm -f "$VM/deb/"*.deb
echo "vm: downloading $pkg" >&2
# -o APT::Sandbox::User=root: build/ need not be readable by _apt.
if ! (cd "$VM/deb" && apt-get -q -o APT::Sandbox::User=root download "$pkg" >/dev/null); then
	echo "apt-get download $pkg failed (no network to the Debian mirror?)" >&2
	exit 1
fi
deb=$(ls "$VM/deb/"*.deb 2>/dev/null | head -1)
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
rm -rf "$K.tmp/boot" "$K"
mv "$K.tmp" "$K"
echo "$K/vmlinuz"

#!/bin/sh
# Install the Debian packages surftrace needs to build and test, when missing.
# Idempotent and quiet when everything is there already.
set -e
PKGS="build-essential pkg-config clang llvm libbpf-dev libelf-dev libdw-dev zlib1g-dev \
libtraceevent-dev libtracefs-dev bpftool dwarves dwz bpftrace linux-perf \
systemtap-sdt-dev libcapstone-dev liblzma-dev libbz2-dev liblz4-dev libzstd-dev xz-utils binutils libc6-dbg gdb \
chromium libxml2-utils python3 strace debootstrap dpkg-dev openjdk-17-jdk-headless"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null

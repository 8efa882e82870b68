#!/bin/sh
# /init of the VM tier's guest (busybox ash): mount what surftrace needs,
# bring up loopback, run the tests, power off.  The host reads the verdict
# line the tests print on the serial console.
export PATH=/bin:/sbin:/surf:/surf/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
echo "vm: guest up: kernel $(uname -r), $(nproc) cpus, $(awk '/MemTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo)"
cd /tmp
sh /surf/guest-tests.sh
echo "vm: guest done"
sync
poweroff -f

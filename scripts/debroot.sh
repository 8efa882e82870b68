#!/bin/bash
# A fresh Debian bookworm root for the package test, cached under
# build/debroot/ (like the VM tier's kernel): `debootstrap --variant=minbase
# bookworm` once, with apt's lists fetched; later runs reuse it and touch no
# network.  Prints the path of the root.  Nothing is installed in it beyond
# minbase, so that the package's Depends: must bring everything surftrace
# needs; tests work on a throwaway copy (an overlay) and keep it fresh.
#
# The mirror is the one this machine's apt uses for bookworm (read from
# /etc/apt/sources.list{,.d/}, never changed), or $SURF_DEB_MIRROR.
# Exit 1 with the reason on stderr when it cannot be had (not root, no
# debootstrap, no network).
set -u
DIR=${1:-build/debroot}
R=$DIR/root
STAMP=$DIR/stamp

[ -s "$STAMP" ] && [ -x "$R/usr/bin/apt-get" ] && { echo "$R"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "debroot: needs root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null ||
	{ echo "debroot: no debootstrap (apt-get install debootstrap, or make deps)" >&2; exit 1; }

# "URI SUITE" for each Debian bookworm source of the host (one-line and
# deb822 formats), main component only.
host_sources() {
	{
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++
				print $i, $(i + 1) }'
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk 'BEGIN { RS = ""; FS = "\n" }
			{ t = u = s = ""
			  for (i = 1; i <= NF; i++) {
				if ($i ~ /^Types:/) t = $i
				if ($i ~ /^URIs:/) { u = $i; sub(/^URIs:[ \t]*/, "", u) }
				if ($i ~ /^Suites:/) { s = $i; sub(/^Suites:[ \t]*/, "", s) }
			  }
			  if (t !~ /[ \t]deb([ \t]|$)/) next
			  n = split(u, us, /[ \t]+/); m = split(s, ss, /[ \t]+/)
			  for (a = 1; a <= n; a++) for (b = 1; b <= m; b++) print us[a], ss[b] }' "$f"
		done
	} | awk '$2 ~ /^bookworm(-updates|-security|\/updates)?$/' | sort -u
}

exec 9>"$(mkdir -p "$DIR" && echo "$DIR/lock")"
flock 9
[ -s "$STAMP" ] && [ -x "$R/usr/bin/apt-get" ] && { echo "$R"; exit 0; }

srcs=$(host_sources)
mirror=${SURF_DEB_MIRROR:-$(awk '$2 == "bookworm" { print $1; exit }' <<<"$srcs")}
mirror=${mirror:-http://deb.debian.org/debian}
T=$DIR/root.tmp
umount_all() {
	for m in "$T/proc" "$T/sys" "$T/dev"; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
}
trap umount_all EXIT
rm -rf "$T"
echo "debroot: debootstrap --variant=minbase bookworm from $mirror (a few minutes, once)" >&2
if ! debootstrap --variant=minbase bookworm "$T" "$mirror" >"$DIR/debootstrap.log" 2>&1; then
	echo "debroot: debootstrap failed (no network to $mirror?): see $DIR/debootstrap.log" >&2
	tail -3 "$DIR/debootstrap.log" >&2
	rm -rf "$T"
	exit 1
fi
# The root's apt uses the host's bookworm sources (updates and security
# too, so that the versions the package was built against are there).
{
	echo "deb $mirror bookworm main"
	[ -n "${SURF_DEB_MIRROR:-}" ] || awk '$2 != "bookworm" { print "deb " $1 " " $2 " main" }' <<<"$srcs"
} >"$T/etc/apt/sources.list"
mount -t proc proc "$T/proc"
if ! chroot "$T" apt-get -q update >>"$DIR/debootstrap.log" 2>&1; then
	echo "debroot: apt-get update in the root failed: see $DIR/debootstrap.log" >&2
	umount_all
	rm -rf "$T"
	exit 1
fi
chroot "$T" apt-get clean
umount_all
trap - EXIT
rm -rf "$R"
mv "$T" "$R"
echo "bookworm minbase $mirror $(date -u +%FT%TZ)" >"$STAMP"
echo "$R"

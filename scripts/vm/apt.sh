#!/bin/bash
# Debian packages for the VM tier from a private apt configuration under
# BUILD/apt: bookworm, its updates and security suites and bookworm-backports
# (Debian's 6.12 kernel), for amd64 and arm64.  The machine's own sources,
# lists and dpkg architectures are never touched; nothing is installed.
#
#   apt.sh BUILD search REGEX       names of packages matching REGEX (any arch)
#   apt.sh BUILD download DIR PKG[:ARCH]...   the .debs into DIR
#
# The package lists are fetched once (BUILD/apt/lists) and again only when a
# name is not found in them (the mirror moved on).  Exit 1 with the reason
# on stderr when apt cannot give what was asked.
set -u
BUILD=${1:?usage: apt.sh BUILD search REGEX | download DIR PKG...}
CMD=${2:?usage: apt.sh BUILD search REGEX | download DIR PKG...}
shift 2
A=$BUILD/apt
case $A in /*) ;; *) A=$(pwd)/$A ;; esac
command -v apt-get >/dev/null || { echo "apt.sh: no apt-get on this machine" >&2; exit 1; }

setup() {
	[ -s "$A/apt.conf" ] && return
	mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/prefs"
	: >"$A/status"
	# The machine's mirror and keyring (deb.debian.org when it names none).
	local uri
	uri=$(grep -hsE '^(URIs:|deb ).*debian/?( |$)' /etc/apt/sources.list.d/* /etc/apt/sources.list |
	      grep -v security | sed -E 's/^URIs: *//; s/^deb (\[[^]]*\] )?//; s/ .*//' | head -1)
	uri=${uri:-http://deb.debian.org/debian}
	local key=/usr/share/keyrings/debian-archive-keyring.gpg
	cat >"$A/sources.list" <<EOF
deb [signed-by=$key] $uri bookworm main
deb [signed-by=$key] $uri bookworm-updates main
deb [signed-by=$key] $uri bookworm-backports main
deb [signed-by=$key] ${uri%/debian*}/debian-security bookworm-security main
EOF
	cat >"$A/apt.conf" <<EOF
Dir::State "$A";
Dir::State::lists "$A/lists";
Dir::State::status "$A/status";
Dir::Cache "$A/cache";
Dir::Etc::sourcelist "$A/sources.list";
Dir::Etc::sourceparts "/nonexistent";
Dir::Etc::preferencesparts "$A/prefs";
APT::Architecture "amd64";
APT::Architectures { "amd64"; "arm64"; };
APT::Sandbox::User "root";
Acquire::Languages "none";
EOF
}

update() {
	echo "vm: apt-get update (private lists in $A)" >&2
	APT_CONFIG=$A/apt.conf apt-get -q update >"$A/update.log" 2>&1 ||
		{ echo "apt.sh: apt-get update failed (no network to the mirror?):" >&2
		  tail -3 "$A/update.log" >&2; return 1; }
}

search() {
	APT_CONFIG=$A/apt.conf apt-cache search --names-only "$1" 2>/dev/null | awk '{ print $1 }' |
		sort -uV
}

setup
[ -n "$(ls "$A/lists" 2>/dev/null | grep -v partial)" ] || update || exit 1
case $CMD in
search)
	out=$(search "$1")
	[ -n "$out" ] || { update && out=$(search "$1"); }
	[ -n "$out" ] || { echo "apt.sh: no package matches '$1'" >&2; exit 1; }
	echo "$out"
	;;
download)
	dir=$1
	shift
	mkdir -p "$dir"
	if ! (cd "$dir" && APT_CONFIG=$A/apt.conf apt-get -q download "$@" >"$A/download.log" 2>&1); then
		update && (cd "$dir" && APT_CONFIG=$A/apt.conf apt-get -q download "$@" \
			>"$A/download.log" 2>&1) ||
			{ echo "apt.sh: apt-get download $* failed:" >&2; tail -3 "$A/download.log" >&2
			  exit 1; }
	fi
	;;
*)
	echo "apt.sh: unknown command '$CMD'" >&2
	exit 2
	;;
esac

#!/bin/bash
# A clcc tool links with the short link lines include/surf/clcc.h documents: the
# hello example of bpf/README.md with -lbpf -lelf -lz alone (libsurf.a's
# objects that clcc pulls in must not need libtraceevent, libdw or
# capstone), and a tool that attaches user probes by symbol with -llzma
# nothing more (capstone is loaded when needed).  Then the hello tool runs as bpf/README.md shows, on a
# fresh-boot tracefs (not mounted: clcc mounts it).
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

LIB=$ROOT/build/libsurf.a
TMP=$(mktemp -d /tmp/surf-link-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export SURFCC_CACHE_DIR=$TMP/cache

if [ ! -f "$LIB" ] || ! command -v cc >/dev/null; then
	skip link "needs build/libsurf.a and cc"
	summary; exit
fi

# The fenced blocks of bpf/README.md whose first line is "/* NAME: ...",
# each into $TMP/NAME.
awk -v dir="$TMP" '
	/^```/ { if (inb) { inb = 0; f = "" } else { inb = 1; first = 1 }; next }
	inb && first { first = 0; if ($0 ~ /^\/\* [a-z_]+(\.bpf)?\.[ch]:/) { f = $2; sub(/:$/, "", f) } }
	inb && f != "" { print > (dir "/" f) }' "$ROOT/bpf/README.md"

# link NAME SRC LIBS...: SRC links against libsurf.a with exactly LIBS.
link() {
	local name=$1 src=$2; shift 2
	local out
	if out=$(cd "$ROOT" && cc -Iinclude -o "$TMP/$name" "$src" "$LIB" -Wl,--as-needed "$@" 2>&1)
	then return 0; fi
	fail "link_$name" "cc -Iinclude $src build/libsurf.a -Wl,--as-needed $*" \
		"$(grep -o "undefined reference to \`[^']*'" <<<"$out" | sort -u | head -20)" \
		"$(grep -v 'undefined reference' <<<"$out" | head -5)"
	return 1
}

# only_needs NAME BIN LIB...: BIN's DT_NEEDED libraries are among LIB... and libc.
only_needs() {
	local name=$1 bin=$2 lib extra=""; shift 2
	for lib in $(readelf -d "$bin" | sed -nE 's/.*\(NEEDED\).*\[(lib[^.]*)\..*/\1/p'); do
		[[ " $* libc " == *" $lib "* ]] || extra="$extra $lib"
	done
	if [ -z "$extra" ]; then pass "$name"
	else fail "$name" "also needs:$extra"; fi
}

if [ ! -f "$TMP/hello.c" ] || [ ! -f "$TMP/hello.bpf.c" ] || [ ! -f "$TMP/hello.h" ]; then
	fail readme_hello "bpf/README.md has no hello.h, hello.bpf.c and hello.c blocks"
else
	pass readme_hello
fi

if [ -f "$TMP/hello.c" ] && link hello "$TMP/hello.c" -lbpf -lelf -lz; then
	only_needs link_hello "$TMP/hello" libbpf libelf libz
fi

cat >"$TMP/usym.c" <<'EOF'
#include <clcc.h>

int main(int argc, char **argv)
{
	struct clcc_struct *p = clcc_init(argv[1]);

	(void)argc;
	return !p || clcc_attach_uprobe_sym(p, "f", -1, "libc", "malloc", 0) ||
	       clcc_attach_usdt(p, "f", -1, "libc", "libc", "setjmp") ||
	       clcc_attach_perf_event_all(p, "f", 1, 0, 99, 1, -1);
}
EOF
if link usym "$TMP/usym.c" -lbpf -lelf -lz -llzma; then
	only_needs link_uprobe_sym "$TMP/usym" libbpf libelf libz liblzma
fi

# --- the hello tool runs as the README shows, tracefs not mounted ----------
why=""
[ "$(id -u)" = 0 ] || why="needs root"
[ -z "$why" ] && [ ! -r "$VMLINUX_BTF" ] && why="no kernel BTF"
[ -z "$why" ] && ! command -v unshare >/dev/null && why="no unshare"
[ -z "$why" ] && [ ! -x "$TMP/hello" ] && why="hello did not link"
if [ -z "$why" ] && ! out=$("$ROOT/build/surfcc" --output "$TMP/hello.so" "$TMP/hello.bpf.c" 2>&1); then
	grep -q 'clang not found' <<<"$out" && why="no clang" || why="surfcc: $out"
fi
if [ -n "$why" ]; then
	if [[ $why == surfcc:* ]]; then fail run_hello_fresh_tracefs "$why"
	else skip run_hello_fresh_tracefs "$why"; fi
else
	# What the README's console block shows after "# ./hello ...".
	want=$(awk '/^# \.\/hello /{ on = 1; next } on && /^```/{ exit } on' "$ROOT/bpf/README.md")
	cmd=$(sed -nE 's/^# \.\/hello (.*)/\1/p' "$ROOT/bpf/README.md" | head -1)
	# A private mount namespace: tracefs is unmounted there only.
	got=$(unshare -m sh -c 'umount /sys/kernel/tracing 2>/dev/null;
		umount /sys/kernel/debug/tracing 2>/dev/null; exec "$@"' sh \
		sh -c "exec \"\$0\" $cmd" "$TMP/hello" 2>&1)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then pass run_hello_fresh_tracefs
	else fail run_hello_fresh_tracefs "want:" "$want" "got:" "$got"; fi
fi

summary

#!/bin/bash
# surfgraph from the command line: every mode on saved traces
# (tests/fixtures/graph, recorded on a 6.1 kernel), option errors, the live
# path on this machine, and a flame graph rendered by headless Chromium
# (build/surfgraph-flame.png).
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
SG=$ROOT/build/surfgraph
FX=$ROOT/tests/fixtures/graph
T=$(mktemp -d /tmp/surfgraph-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

# expect_status NAME STATUS MESSAGE-PART CMD...: exit status and a line of its output.
expect_status() {
	local name=$1 status=$2 msg=$3; shift 3
	local out rc
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" != "$status" ]; then fail "$name" "exit $rc, want $status" "$out"; return; fi
	if ! grep -qF -- "$msg" <<<"$out"; then fail "$name" "no '$msg' in:" "$out"; return; fi
	pass "$name"
}

# same_output NAME EXPECTED-FILE CMD...: stdout equals the file, line by line.
same_output() {
	local name=$1 want=$2; shift 2
	local d
	if d=$(diff -u "$want" <("$@" 2>/dev/null)); then pass "$name"
	else fail "$name" "$(head -20 <<<"$d")"; fi
}

# ---- help and bad options ----
expect_status help 0 "Examples:" "$SG" --help
expect_status "help names -i" 0 "surfgraph -i trace.txt -f vfs_read" "$SG" -h
expect_status "no function" 2 "which function? Give -f FUNCTION" "$SG"
expect_status "unknown mode" 2 "unknown mode 'flame' (modes: svg, tree, walk, raw)" "$SG" -f vfs_read -m flame
expect_status "bad step" 2 "-s takes a whole number, not 'x'" "$SG" -f vfs_read -s x
expect_status "step outside svg" 2 "-s is for -m svg only" "$SG" -i "$FX/tiny.txt" -m tree -s 2
expect_status "pattern as function" 2 "'vfs_*' is not a function name" "$SG" -f 'vfs_*'
expect_status "stray argument" 2 "unexpected argument 'vfs_read'" "$SG" vfs_read
expect_status "bad max depth" 2 "--max-depth takes a whole number, not '0'" "$SG" -f f --max-depth 0
expect_status "bad duration" 2 "-d takes a number of seconds above 0" "$SG" -f f -d 0
expect_status "pid with -i" 2 "-p is for recording; with -i there is none" "$SG" -i "$FX/tiny.txt" -p 1
expect_status "bad buffer" 2 "-b takes a whole number, not '1M'" "$SG" -f f -b 1M
expect_status "unknown option" 2 "Try 'surfgraph --help'" "$SG" --flame
expect_status "missing input" 2 "cannot open $T/nope.txt: No such file" "$SG" -i "$T/nope.txt"
expect_status "function not in the trace" 1 \
	"no complete call of nosuch in $FX/vfs_read.txt: nothing to write (its outermost function is vfs_read)" \
	"$SG" -i "$FX/vfs_read.txt" -f nosuch
printf '# tracer: function\n#\n   bash-1  [000] .... 1.000: vfs_read <-ksys_read\n' > function.txt
expect_status "another tracer's trace" 2 "was made by the function tracer; surfgraph reads function_graph" \
	"$SG" -i function.txt
printf 'hello\nworld\n' > junk.txt
expect_status "not a trace" 2 "has no function_graph call lines" "$SG" -i junk.txt

# ---- -i, every mode ----
same_output "tree mode, tiny trace checked by hand" "$FX/tiny.expected.tree" "$SG" -i "$FX/tiny.txt" -m tree
same_output "walk mode, tiny trace checked by hand" "$FX/tiny.expected.walk" "$SG" -i "$FX/tiny.txt" -m walk
same_output "folded, tiny trace checked by hand" "$FX/tiny.expected.folded" "$SG" -i "$FX/tiny.txt" -s 0 --folded=-
same_output "tree mode, vfs_read" "$FX/vfs_read.expected.tree" "$SG" -i "$FX/vfs_read.txt" -m tree
same_output "walk mode, vfs_read" "$FX/vfs_read.expected.walk" "$SG" -i "$FX/vfs_read.txt" -m walk
same_output "stdin" "$FX/tiny.expected.tree" "$SG" -i - -m tree < "$FX/tiny.txt"
# raw: the lines of the calls, as they were (the stray mutex_unlock and headers left out)
grep -v -e '^#' -e 'mutex_unlock' "$FX/tiny.txt" > tiny.raw
same_output "raw mode" tiny.raw "$SG" -i "$FX/tiny.txt" -m raw
raw=$("$SG" -i "$FX/vfs_read-lost.txt" -m raw 2>/dev/null | grep -c 'LOST')
if [ "$raw" = 3 ]; then pass "raw mode keeps the LOST lines"; else fail "raw mode keeps the LOST lines" "$raw"; fi

mkdir svg && (cd svg && "$SG" -i "$FX/vfs_read.txt" > ../svg.out 2>&1); rc=$?
files=$(cd svg && ls | tr '\n' ' ')
want="vfs_read-1.svg vfs_read-2.svg vfs_read-3.svg vfs_read-4.svg vfs_read-5.svg vfs_read-6.svg vfs_read-7.svg vfs_read-8.svg vfs_read.svg "
if [ "$rc" = 0 ] && [ "$files" = "$want" ] && grep -qx "save vfs_read-8.svg" svg.out &&
   grep -qx "write vfs_read.svg" svg.out && grep -qx "surfgraph: 8 calls of vfs_read" svg.out; then
	pass "svg mode: one file per call and the merge"
else
	fail "svg mode: one file per call and the merge" "exit $rc, files: $files" "$(cat svg.out)"
fi
if command -v xmllint >/dev/null; then
	if out=$(xmllint --noout svg/*.svg 2>&1); then pass "the SVGs are well-formed XML"
	else fail "the SVGs are well-formed XML" "$out"; fi
else
	skip "the SVGs are well-formed XML" "no xmllint (libxml2-utils)"
fi
urls=$(grep -o 'https\?://[^"]*' svg/vfs_read.svg | sort -u | tr '\n' ' ')
if [ "$urls" = "http://www.w3.org/1999/xhtml http://www.w3.org/2000/svg " ]; then
	pass "the SVG loads nothing (namespaces only)"
else
	fail "the SVG loads nothing (namespaces only)" "$urls"
fi
mkdir step && (cd step && "$SG" -q -i "$FX/vfs_read.txt" -s 3)
files=$(cd step && ls | tr '\n' ' ')
if [ "$files" = "vfs_read-3.svg vfs_read-6.svg vfs_read.svg " ]; then pass "-s 3 writes every third call"
else fail "-s 3 writes every third call" "$files"; fi
mkdir step0 && (cd step0 && "$SG" -q -i "$FX/vfs_read.txt" -s 0 --folded)
files=$(cd step0 && ls | tr '\n' ' ')
if [ "$files" = "vfs_read.folded vfs_read.svg " ] && cmp -s step0/vfs_read.folded "$FX/vfs_read.expected.folded"; then
	pass "-s 0 and --folded: the merge only, and FUNCTION.folded"
else
	fail "-s 0 and --folded: the merge only, and FUNCTION.folded" "$files"
fi

# folded stacks against an independent computation (awk) on every trace of one task at a time
for t in vfs_read vfs_read-nocpu vfs_read-latency vfs_read-proc-tail-abstime vfs_read-kallsyms ksys_read:vfs_read ksys_read:ksys_read; do
	file=${t%%:*} fn=vfs_read
	[ "$t" != "$file" ] && fn=${t#*:}
	if d=$(diff <(awk -v fn="$fn" -f "$FX/folded.awk" "$FX/$file.txt" | sort) \
		    <("$SG" -q -i "$FX/$file.txt" -f "$fn" -s 0 --folded=- | sort)); then
		pass "folded stacks of $fn in $file.txt agree with awk"
	else
		fail "folded stacks of $fn in $file.txt agree with awk" "$(head -10 <<<"$d")"
	fi
done

# interrupts in ftrace's entry and exit code (two CPUs at once): every call
# kept, with [irq] nodes, and the calls and total time the trace's own, as
# an independent awk adds them up
for file in do_sys_openat2-irq do_sys_openat2-irq-proc; do
	want=$(awk -v fn=do_sys_openat2 -f "$FX/totals.awk" "$FX/$file.txt")
	"$SG" -q -i "$FX/$file.txt" -f do_sys_openat2 -s 0 -o "$file" >"$file.out" 2>&1
	got=$(awk '$1 == 0 && $4 == "do_sys_openat2" { print $3, $2; exit }' "$file.tree")
	if [ "$want" = "53 ${want#* }" ] && [ "$got" = "$want" ] && grep -q '^[0-9]* [0-9]* [0-9]* \[irq\]$' "$file.tree" &&
	   ! grep -q 'dropped' "$file.out"; then
		pass "every call of $file.txt kept, totals as awk adds them ($want)"
	else
		fail "every call of $file.txt kept, totals as awk adds them" "awk: $want, surfgraph: $got" \
			"$(cat "$file.out")"
	fi
done

# trees saved with -o come back with -i
"$SG" -q -i "$FX/vfs_read.txt" -m tree -o saved > tree.out 2>&1
"$SG" -q -i saved.tree -m tree > again.out 2>&1
if [ -s saved.tree ] && head -1 saved.tree | grep -qx "surfgraph-trees 1" && cmp -s tree.out again.out; then
	pass "-o NAME.tree read back with -i gives the same trees"
else
	fail "-o NAME.tree read back with -i gives the same trees" "$(diff tree.out again.out | head)"
fi
expect_status "walk needs the trace" 2 "holds trees, not a trace: -m walk needs the trace itself" \
	"$SG" -i saved.tree -m walk
n=$(for i in $(seq 6); do cat "$FX/vfs_read.txt"; done | "$SG" -q -i - -s 0 -o many 2>&1; grep -c '^tree call' many.tree)
if [ "$n" = 32 ] && grep -qx "tree merged 48" many.tree; then pass "-o keeps the last 32 calls and the merge of all"
else fail "-o keeps the last 32 calls and the merge of all" "$n calls kept"; fi

# what a recording may go through
expect_status "function below the graph function" 0 "surfgraph: 8 calls of vfs_read" \
	"$SG" -i "$FX/ksys_read.txt" -f vfs_read -m tree
expect_status "a task returning on another CPU" 0 "returned on another cpu" \
	"$SG" -i "$FX/vfs_read-migrate.txt" -m walk
expect_status "lost events are counted and reported" 0 \
	"6 calls of vfs_read, 2 dropped (lost events or unreadable lines), 1918 events lost (3 times)" \
	"$SG" -i "$FX/vfs_read-lost.txt" -m tree
expect_status "truncated lines are reported" 0 "6 calls of vfs_read, 2 dropped (lost events or unreadable lines), 2 unreadable lines" \
	"$SG" -i "$FX/vfs_read-truncated.txt" -m tree
expect_status "--max-depth" 0 "       6    shmem_file_read_iter" "$SG" -i "$FX/vfs_read.txt" -m tree --max-depth 1
if "$SG" -i "$FX/vfs_read.txt" -m tree --max-depth 1 2>/dev/null | grep -q '^ .*       shmem_get_folio_gfp'; then
	fail "--max-depth cuts deeper levels"
else
	pass "--max-depth cuts deeper levels"
fi
if "$SG" -i "$FX/vfs_read.txt" -m tree 2>/dev/null | grep -q '\[irq\]' &&
   ! "$SG" -i "$FX/vfs_read.txt" -m tree --no-irq 2>/dev/null | grep -q '\[irq\]\|irq_enter_rcu'; then
	pass "--no-irq leaves the interrupts out"
else
	fail "--no-irq leaves the interrupts out"
fi

# ---- live, on this machine ----
TRACEFS=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
[ -z "$TRACEFS" ] && [ -d /sys/kernel/debug/tracing/instances ] && TRACEFS=/sys/kernel/debug/tracing
if [ "$(id -u)" != 0 ]; then
	skip "live: no function_graph gives a clear error" "not root"
elif [ -z "$TRACEFS" ]; then
	skip "live: no function_graph gives a clear error" "no tracefs mounted"
elif ! grep -qw function_graph "$TRACEFS/available_tracers"; then
	# a run killed with -9 left its instance: the next run removes it
	stale=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
	mkdir "$TRACEFS/instances/surfgraph_$stale" 2>/dev/null
	out=$("$SG" -f vfs_read 2>&1); rc=$?
	if [ "$rc" = 1 ] && grep -qF "this kernel has no function_graph tracer" <<<"$out" &&
	   grep -qF "surfgraph -i FILE" <<<"$out"; then
		pass "live: no function_graph gives a clear error pointing to -i"
	else
		fail "live: no function_graph gives a clear error pointing to -i" "exit $rc" "$out"
	fi
	left=$(ls "$TRACEFS/instances" | grep '^surfgraph_')
	if [ -z "$left" ]; then pass "live: no surfgraph_ instance left (the stale one removed)"
	else fail "live: no surfgraph_ instance left (the stale one removed)" "$left"; fi
	expect_status "live: an untraceable pid" 2 "there is no process 999999999 to record" \
		"$SG" -f vfs_read -p 999999999
else
	# function_graph here: a short real recording of reads made once it records
	mkdir live
	(cd live && exec "$SG" -f vfs_read -d 2 -s 0 > ../live.out 2>&1) & sp=$!
	until grep -q "recording the calls" live.out 2>/dev/null || ! kill -0 $sp 2>/dev/null; do
		sleep 0.05
	done
	for i in 1 2 3; do dd if=/etc/passwd of=/dev/null 2>/dev/null; done
	wait $sp; rc=$?
	if [ "$rc" = 0 ] && [ -s live/vfs_read.svg ]; then pass "live: vfs_read.svg from 2 seconds"
	else fail "live: vfs_read.svg from 2 seconds" "exit $rc" "$(cat live.out)"; fi
	left=$(ls "$TRACEFS/instances" | grep '^surfgraph_')
	if [ -z "$left" ]; then pass "live: no surfgraph_ instance left"
	else fail "live: no surfgraph_ instance left" "$left"; fi
fi

# ---- the flame graph in a browser ----
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
if [ -z "$CHROME" ]; then
	skip "flame graph rendered by headless Chromium" "no chromium (scripts/deps.sh installs it)"
else
	PNG=$ROOT/build/surfgraph-flame.png
	rm -f "$PNG"
	cp svg/vfs_read.svg flame.svg
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--screenshot="$PNG" --window-size=1200,560 "file://$T/flame.svg" > chrome.log 2>&1
	if [ -s "$PNG" ] && [ "$(stat -c %s "$PNG")" -gt 20000 ]; then pass "flame graph rendered by headless Chromium: $PNG"
	else fail "flame graph rendered by headless Chromium" "$(tail -5 chrome.log)"; fi
	# the script runs: zoom on a frame and search, then read the page back
	sed 's|</svg>|<script type="text/ecmascript">window.addEventListener("load", function () { zoom(frames.filter(function (g) { return g.getAttribute("data-n") === "shmem_file_read_iter"; })[0]); box.value = "irq"; search("irq"); });</script></svg>|' \
		svg/vfs_read.svg > zoom.svg
	dom=$(timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --dump-dom "file://$T/zoom.svg" 2>/dev/null)
	if grep -q 'id="matched"[^>]*>matched: [0-9.]*% of vfs_read<' <<<"$dom" &&
	   grep -q 'class="f anc"' <<<"$dom" && grep -q 'style="display: none;"' <<<"$dom" &&
	   grep -q 'class="f m"' <<<"$dom"; then
		pass "the flame graph's zoom and search run in Chromium"
	else
		fail "the flame graph's zoom and search run in Chromium" "$(grep -o '<text id="matched"[^<]*' <<<"$dom")"
	fi
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--screenshot="$ROOT/build/surfgraph-flame-zoom.png" --window-size=1200,560 "file://$T/zoom.svg" > /dev/null 2>&1
fi

summary

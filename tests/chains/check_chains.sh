#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# check_chains.sh - random member chains of real kernel functions, compiled
# by `surftrace -S`, and the layout of every tracepoint record surftrace
# decodes, checked against gcc.
#
#     tests/chains/check_chains.sh [SEED [COUNT]]      (defaults: 1, 300)
#
# gen_chains picks COUNT random chains (p FUNC c=[S|X]%N->a.b[i]->c ..., and
# every fourth r FUNC c=[S|X]$retval->a.b[i]->c ...) from the running kernel's
# BTF.  The expected kprobe definition of each is computed
# by ONE C program that includes a vmlinux.h dumped by bpftool and uses only
# gcc's offsetof/sizeof (and, for bitfields, a runtime scan of a struct
# instance whose field is set to all ones): no offset or size of the expected
# text is read from BTF (only the sizes of odd-sized enums, which old bpftool
# leaves out of vmlinux.h, are put back from bpftool's raw listing: see 2.).
# The chains are then compiled by `surftrace -S -f FILE`, CHUNK (200) at a
# time as it takes at most 256 expressions, and every `echo 'p:fK ...'` line
# is compared with the expected text.
#
# Environment: SURFTRACE (default build/surftrace), CC (default gcc),
# BPFTOOL (default bpftool), CHUNK, CHAINS=FILE checks the chains of FILE (in
# gen_chains' format) instead of generated ones.  build/chains/ keeps the last
# run's files: chains.tsv, exprs.txt, oracle.c, expected.txt, got.out,
# got.txt, rejected.txt, surftrace.err, header_check.txt.
#
# Then (7.) tp_layout prints how surftrace lays out the record of every
# tracepoint in tracefs, and gcc's offsetof/sizeof over the struct
# trace_event_raw_* of each says what it should be (see there).
#
# Prints 'chains: ...' and 'tracepoints: ...' lines (with the number of events
# and fields checked), then one 'N passed, N failed' line (a chain or an event
# is one test); 'skipped: REASON' (exit 0) when gcc, bpftool, libbpf's headers
# or the kernel's BTF are missing.

set -u
cd "$(dirname "$0")/../.." || exit 2

SEED=${1:-1}
COUNT=${2:-300}
OUT=build/chains
SURF=${SURFTRACE:-build/surftrace}
CC=${CC:-gcc}
BPFTOOL=${BPFTOOL:-bpftool}
VMLINUX_BTF=/sys/kernel/btf/vmlinux

skip() {
	echo "skipped: $*"
	exit 0
}
die() {
	echo "check_chains: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

[ -r "$VMLINUX_BTF" ] || skip "no kernel BTF at $VMLINUX_BTF"
command -v "$CC" >/dev/null 2>&1 || skip "no C compiler ($CC)"
command -v "$BPFTOOL" >/dev/null 2>&1 || skip "no bpftool"
# bpftool may be a wrapper that exists but has no binary for this kernel
"$BPFTOOL" version >/dev/null 2>&1 || skip "bpftool does not run"
printf '#include <bpf/btf.h>\n' | "$CC" -E -x c - >/dev/null 2>&1 || skip "no libbpf headers (libbpf-dev)"

mkdir -p "$OUT" || die "cannot create $OUT"

# 1. the generator
GEN=$OUT/gen_chains
if [ ! -x "$GEN" ] || [ tests/chains/gen_chains.c -nt "$GEN" ]; then
	"$CC" -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra \
		-o "$GEN" tests/chains/gen_chains.c -lbpf || die "cannot build $GEN"
fi

# 2. vmlinux.h (kept while the kernel's BTF and this script are the same)
#
# bpftool before v7.2 (libbpf < 1.2) writes enums of a size other than 4 as
# plain enums, which gcc makes 4 bytes: a 1-byte `enum rw_hint i_write_hint`
# then moves every later member of struct inode by 8.  Such enums get the
# __attribute__((mode(...))) that newer bpftool writes, their sizes taken
# from bpftool's own raw listing.  Then every struct and union of a unique
# name is checked to have, with gcc, the size that listing gives: a
# difference is a fault of the header, reported as a warning (chains through
# such a struct may then fail through no fault of surftrace).
VMH=$OUT/vmlinux.h
SUM="$(cksum < "$VMLINUX_BTF") $(cksum < "$0")"
if [ ! -s "$VMH" ] || [ "$(cat "$OUT/vmlinux.h.sum" 2>/dev/null)" != "$SUM" ]; then
	rm -f "$OUT/vmlinux.h.sum" "$OUT/header_check.txt"
	"$BPFTOOL" btf dump file "$VMLINUX_BTF" format c > "$OUT/vmlinux.bpftool.h" ||
		die "bpftool btf dump failed"
	"$BPFTOOL" btf dump file "$VMLINUX_BTF" > "$OUT/btf.txt" 2>/dev/null ||
		die "bpftool btf dump (raw) failed"
	awk '
	FNR == NR {
		if ($0 ~ /^\[[0-9]+\] (ENUM|ENUM64|STRUCT|UNION|FWD) /) {
			name = $3; gsub(/\047/, "", name)
			cnt[name]++
			for (i = 4; i <= NF; i++)
				if ($i ~ /^size=/)
					sz[name] = substr($i, 6)
			if ($2 ~ /^ENUM/)
				isenum[name] = 1
		}
		next
	}
	FNR == 1 { print "/* bpftool output with the sizes of enums fixed by check_chains.sh */" }
	/^enum [A-Za-z_0-9]+ \{$/ { cur = $2; print; next }
	/^};$/ && cur != "" {
		if (cnt[cur] == 1 && isenum[cur] && sz[cur] != 4) {
			m = sz[cur] == 1 ? "QI" : sz[cur] == 2 ? "HI" : sz[cur] == 8 ? "DI" : ""
			if (m != "") {
				print "} __attribute__((mode(" m ")));"
				cur = ""
				next
			}
		}
		cur = ""
	}
	/^(struct|union|typedef) / { cur = "" }
	{ print }' "$OUT/btf.txt" "$OUT/vmlinux.bpftool.h" > "$VMH.tmp" || die "cannot fix vmlinux.h"
	mv "$VMH.tmp" "$VMH"
	# the header check
	awk '
	/^\[[0-9]+\] (ENUM|ENUM64|STRUCT|UNION|FWD) \047[^\047(]/ {
		name = $3; gsub(/\047/, "", name)
		cnt[name]++
		if ($2 == "STRUCT" || $2 == "UNION") {
			kind[name] = tolower($2)
			for (i = 4; i <= NF; i++)
				if ($i ~ /^size=/)
					sz[name] = substr($i, 6)
		}
	}
	END {
		print "#include \"vmlinux.h\""
		print "extern int printf(const char *, ...);"
		print "int main(void)\n{"
		for (n in cnt)
			if (cnt[n] == 1 && (n in kind))
				printf "\tif (sizeof(%s %s) != %s)\n\t\tprintf(\"%s %s: sizeof %%lu, bpftool %s\\n\", (unsigned long)sizeof(%s %s));\n", kind[n], n, sz[n], kind[n], n, sz[n], kind[n], n
		print "\treturn 0;\n}"
	}' "$OUT/btf.txt" > "$OUT/header_check.c"
	"$CC" -std=gnu11 -O0 -w -I"$OUT" -o "$OUT/header_check" "$OUT/header_check.c" ||
		die "vmlinux.h does not compile"
	"$OUT/header_check" > "$OUT/header_check.txt" || die "header check failed to run"
	echo "$SUM" > "$OUT/vmlinux.h.sum"
fi
if [ -s "$OUT/header_check.txt" ]; then
	echo "warning: $(wc -l < "$OUT/header_check.txt") structs of vmlinux.h differ in size from the kernel's BTF:"
	head -10 "$OUT/header_check.txt" | sed 's/^/warning:   /'
fi

# 3. the chains
if [ -n "${CHAINS:-}" ]; then
	cp "$CHAINS" "$OUT/chains.tsv" || die "cannot read $CHAINS"
else
	"$GEN" "$SEED" "$COUNT" > "$OUT/chains.tsv" || die "gen_chains failed"
fi
grep -v '^#' "$OUT/chains.tsv" | cut -f1 > "$OUT/exprs.txt"
NCHAINS=$(wc -l < "$OUT/exprs.txt")
[ "$NCHAINS" -ge 1 ] || die "no chains generated"

# 4. the oracle: one C program, offsets and sizes from gcc only
awk -F'\t' '
BEGIN {
	split("di si dx cx r8 r9", regs, " ")
	print "/* generated by tests/chains/check_chains.sh: do not edit */"
	print "#include \"vmlinux.h\""
	print "extern int printf(const char *, ...);"
	print "extern int snprintf(char *, unsigned long, const char *, ...);"
	print "#define OFF(T, D) ((unsigned long)__builtin_offsetof(T, D))"
	print "/* the value of an expression with top-level qualifiers and arrays dropped */"
	print "#define RVAL(x) ((void)0, (x))"
	print "#define IS_ARRAY(x) (!__builtin_types_compatible_p(__typeof__(x), __typeof__(RVAL(x))))"
	print "#define IS(x, T) __builtin_types_compatible_p(__typeof__(RVAL(x)), T)"
	print "static int oracle_errors;"
	print "static void bad(int k, const char *why)"
	print "{"
	print "\tprintf(\"%d\\tORACLE: %s\\n\", k, why);"
	print "\toracle_errors++;"
	print "}"
	print "/* lowest set bit and number of set bits of an object */"
	print "static void scan_bits(const unsigned char *p, unsigned long n, long *lo, int *cnt)"
	print "{"
	print "\t*lo = -1;"
	print "\t*cnt = 0;"
	print "\tfor (unsigned long i = 0; i < n * 8; i++)"
	print "\t\tif (p[i / 8] >> (i % 8) & 1) {"
	print "\t\t\tif (*lo < 0)"
	print "\t\t\t\t*lo = (long)i;"
	print "\t\t\t(*cnt)++;"
	print "\t\t}"
	print "}"
	k = 0
}
/^#/ { next }
{
	expr = $1; kind = $2; n = $3 + 0; root = $4; cont = $5
	nsegs = NF - 5
	split(expr, w, " "); probe = w[1]; func = w[2]
	base = $3 == "ret" ? "$retval" : "%%" regs[n + 1]
	printf "static void chain_%d(void)\n{\n", k
	printf "\ttypedef %s B0;\n", root
	for (j = 1; j < nsegs; j++)
		printf "\ttypedef __typeof__(*((B%d *)0)->%s) B%d;\n", j - 1, $(5 + j), j
	last = "B" (nsegs - 1); seg = $(5 + nsegs)
	printf "\tchar v[2][2048];\n\tint c = 0;\n\tchar text[2100];\n"
	printf "\tsnprintf(v[0], sizeof(v[0]), \"%s\");\n", base
	for (j = 1; j < nsegs; j++) {
		printf "\tsnprintf(v[!c], sizeof(v[0]), \"+0x%%lx(%%s)\", OFF(B%d, %s), v[c]);\n", j - 1, $(5 + j)
		printf "\tc = !c;\n"
	}
	x = "((" last " *)0)->" seg
	if (kind == "u" || kind == "s" || kind == "x") {
		printf "\tif (IS_ARRAY(%s) || __builtin_classify_type(RVAL(%s)) > 5)\n", x, x
		printf "\t\tbad(%d, \"not a scalar or pointer\");\n", k
		printf "\tif (sizeof(%s) != 1 && sizeof(%s) != 2 && sizeof(%s) != 4 && sizeof(%s) != 8)\n", x, x, x, x
		printf "\t\tbad(%d, \"size not 1, 2, 4 or 8\");\n", k
		printf "\tsnprintf(text, sizeof(text), \"+0x%%lx(%%s):%s%%lu\", OFF(%s, %s), v[c], (unsigned long)sizeof(%s) * 8);\n", kind, last, seg, x
	} else if (kind == "str") {
		printf "\tif (!IS_ARRAY(%s) || !(IS(&(%s)[0], char *) || IS(&(%s)[0], const char *)))\n", x, x, x
		printf "\t\tbad(%d, \"not a char array\");\n", k
		printf "\tsnprintf(text, sizeof(text), \"+0x%%lx(%%s):string\", OFF(%s, %s), v[c]);\n", last, seg
	} else if (kind == "strp") {
		printf "\tif (IS_ARRAY(%s) || !(IS(%s, char *) || IS(%s, const char *) ||\n", x, x, x
		printf "\t    IS(%s, unsigned char *) || IS(%s, const unsigned char *)))\n", x, x
		printf "\t\tbad(%d, \"not a char pointer\");\n", k
		printf "\tsnprintf(text, sizeof(text), \"+0x0(+0x%%lx(%%s)):string\", OFF(%s, %s), v[c]);\n", last, seg
	} else if (kind == "bf") {
		# offsetof cannot take a bitfield: set the field to all ones in
		# a zeroed instance and find its bits
		printf "\t{\n"
		printf "\t\ttypedef __typeof__(RVAL(*(%s *)0)) U;\n", last
		printf "\t\tstatic U inst;\n"
		printf "\t\tunsigned long cbytes = sizeof(%s), byte;\n", cont
		printf "\t\tlong lo;\n\t\tint bits;\n"
		printf "\t\tinst.%s = -1;\n", seg
		printf "\t\tscan_bits((const unsigned char *)&inst, sizeof(inst), &lo, &bits);\n"
		printf "\t\tif (lo < 0)\n\t\t\tbad(%d, \"bitfield has no bits\");\n", k
		printf "\t\tbyte = (unsigned long)lo / 8 / cbytes * cbytes;\n"
		printf "\t\tsnprintf(text, sizeof(text), \"+0x%%lx(%%s):b%%d@%%lu/%%lu\", byte, v[c], bits,\n"
		printf "\t\t\t (unsigned long)lo - byte * 8, cbytes * 8);\n"
		printf "\t}\n"
	} else {
		printf "\tbad(%d, \"unknown kind %s\");\n", k, kind
		printf "\ttext[0] = 0;\n"
	}
	printf "\tprintf(\"%d\\t%s:f%d %s c=%%s\\n\", text);\n", k, probe, k, func
	printf "}\n\n"
	k++
}
END {
	print "int main(void)"
	print "{"
	for (i = 0; i < k; i++)
		printf "\tchain_%d();\n", i
	print "\treturn oracle_errors != 0;"
	print "}"
}' "$OUT/chains.tsv" > "$OUT/oracle.c"

"$CC" -std=gnu11 -O0 -w -I"$OUT" -o "$OUT/oracle" "$OUT/oracle.c" 2> "$OUT/oracle.err" || {
	head -40 "$OUT/oracle.err" >&2
	die "the oracle program does not compile (see $OUT/oracle.err)"
}
"$OUT/oracle" > "$OUT/expected.txt"
# oracle errors are reported per chain below

# 5. surftrace, the chains in as few runs as it takes (it compiles at most
# 256 expressions in one run: runs of CHUNK).  Should it print no definition
# for some of a run's chains (it rejected one, or stopped at the first error),
# the first of those is compiled alone to get its error and the others go
# through another run.  Event names are by position in each run, and are
# renamed back to the chain's number (fK).
CHUNK=${CHUNK:-200}
if [ ! -x "$SURF" ]; then
	die "$SURF is not built (make $SURF)"
fi
mapfile -t EXPRS < "$OUT/exprs.txt"
pending=$(seq 0 $((NCHAINS - 1)))
: > "$OUT/got.txt"
: > "$OUT/rejected.txt"
: > "$OUT/surftrace.err"
: > "$OUT/got.out"
# echo 'p:fK FUNC ...' >> .../kprobe_events  ->  K<TAB>p<TAB>FUNC ... (the definition after the name)
defs() {
	sed -n "s/^echo '\\([pr]\\):f\\([0-9][0-9]*\\) \\([^']*\\)' >>.*kprobe_events\$/\\2\\t\\1\\t\\3/p" "$1"
}
runs=0
while [ -n "$pending" ] && [ "$runs" -lt 60 ]; do
	runs=$((runs + 1))
	chunk=$(echo "$pending" | head -n "$CHUNK")
	rest=$(echo "$pending" | tail -n +$((CHUNK + 1)))
	for k in $chunk; do printf '%s\n' "${EXPRS[$k]}"; done > "$OUT/batch.txt"
	"$SURF" -S -f "$OUT/batch.txt" > "$OUT/batch.out" 2>> "$OUT/surftrace.err"
	cat "$OUT/batch.out" >> "$OUT/got.out"
	# position in the run -> chain number
	defs "$OUT/batch.out" | awk -F'\t' -v map="$chunk" '
		BEGIN { n = split(map, m, /[ \n]+/); for (i = 1; i <= n; i++) idx[i - 1] = m[i] }
		($1 in idx) { printf "%s\t%s:f%s %s\n", idx[$1], $2, idx[$1], $3 }' >> "$OUT/got.txt"
	missing=$(for k in $chunk; do echo "$k"; done |
		awk -F'\t' 'FILENAME == ARGV[1] { got[$1] = 1; next } !($1 in got)' "$OUT/got.txt" -)
	if [ -z "$missing" ]; then
		pending=$rest
		continue
	fi
	first=$(echo "$missing" | head -1)
	"$SURF" -S "${EXPRS[$first]}" > "$OUT/one.out" 2> "$OUT/one.err"
	if [ -n "$(defs "$OUT/one.out")" ]; then
		defs "$OUT/one.out" | awk -F'\t' -v k="$first" '{ printf "%s\t%s:f%s %s\n", k, $2, k, $3; exit }' >> "$OUT/got.txt"
		printf '%s\t(compiled alone but not among the others)\n' "$first" >> "$OUT/rejected.txt"
	else
		printf '%s\t%s\n' "$first" "$(awk 'NF && n < 3 { gsub(/\t/, " "); printf "%s%s", n++ ? " | " : "", $0 }' "$OUT/one.err")" >> "$OUT/rejected.txt"
	fi
	pending=$(printf '%s\n%s\n' "$(echo "$missing" | tail -n +2)" "$rest" | grep -v '^$')
done

# 6. compare
awk -F'\t' '
FILENAME == ARGV[1] { exprs[FNR - 1] = $0; n = FNR; next }
FILENAME == ARGV[2] {
	if ($2 ~ /^ORACLE: /) oracle[$1] = substr($2, 9)
	else expected[$1] = $2
	next
}
FILENAME == ARGV[3] {
	if ($1 in got) dupl[$1] = 1
	got[$1] = $2
	next
}
FILENAME == ARGV[4] { rejected[$1] = $2; next }
END {
	pass = fail = 0
	for (k = 0; k < n; k++) {
		if (k in oracle) {
			printf "FAIL f%d (generator and gcc disagree: %s)\n  expr:     %s\n", k, oracle[k], exprs[k]
			fail++
		} else if (!(k in expected)) {
			printf "FAIL f%d (no expected text)\n  expr:     %s\n", k, exprs[k]
			fail++
		} else if (!(k in got)) {
			printf "FAIL f%d (surftrace rejected it)\n  expr:     %s\n  expected: %s\n  error:    %s\n", k, exprs[k], expected[k], (k in rejected) ? rejected[k] : "(not compiled: too many rejected expressions)"
			fail++
		} else if (k in dupl) {
			printf "FAIL f%d (surftrace printed more than one definition for it)\n  expr:     %s\n", k, exprs[k]
			fail++
		} else if (k in rejected) {
			printf "FAIL f%d (surftrace rejected it among the others, compiled it alone)\n  expr:     %s\n  expected: %s\n  alone:    %s\n", k, exprs[k], expected[k], got[k]
			fail++
		} else if (got[k] != expected[k]) {
			printf "FAIL f%d\n  expr:     %s\n  expected: %s\n  got:      %s\n", k, exprs[k], expected[k], got[k]
			fail++
		} else
			pass++
	}
	printf "chains: %d passed, %d failed\n", pass, fail
	print pass, fail > "/dev/stderr"
}' "$OUT/exprs.txt" "$OUT/expected.txt" "$OUT/got.txt" "$OUT/rejected.txt" 2> "$OUT/chains.count"
read -r CH_PASS CH_FAIL < "$OUT/chains.count"

# 7. tracepoint records.  surftrace decodes every tracepoint through the
# layout its format file gives (the engine's parser, dumped by tp_layout); the
# kernel's C declaration of the same record is struct trace_event_raw_CLASS
# in vmlinux.h.  BTF's raw listing only CHOOSES the struct: the one named
# after the event, else the only one whose member names (ent and __data
# aside, __data_loc_X as X) are the event's fields in order.  gcc's
# offsetof/sizeof and the sign of (T)-1 give the expected offset, size (of an
# element for arrays) and signedness of each field; a __data_loc field's
# offset is that of its 32-bit location word.  One event is one check: all
# its fields must agree.  The syscalls' events are laid out by struct
# syscall_trace_enter (arguments as unsigned long args[]) and
# syscall_trace_exit.  Events of no such struct (ftrace's own, several
# classes with the same fields) are counted as not checked.
TFS=/sys/kernel/tracing
if [ ! -d $TFS/events ] && [ "$(id -u)" = 0 ]; then
	mount -t tracefs nodev $TFS 2>/dev/null
fi
TP_PASS=0 TP_FAIL=0
if [ ! -r $TFS/events/sched/sched_switch/format ]; then
	echo "tracepoints: not checked (no tracefs at $TFS)"
elif [ ! -f build/libsurf.a ]; then
	die "build/libsurf.a is not built (make)"
else
	TPL=$OUT/tp_layout
	if [ ! -x "$TPL" ] || [ tests/chains/tp_layout.c -nt "$TPL" ] || [ build/libsurf.a -nt "$TPL" ]; then
		"$CC" -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Iinclude -o "$TPL" tests/chains/tp_layout.c \
			build/libsurf.a -lbpf -ltraceevent -lelf -ldw -lz -llzma || die "cannot build $TPL"
	fi
	"$TPL" $TFS > "$OUT/tp_got.txt" 2> "$OUT/tp_layout.err"
	[ -s "$OUT/tp_got.txt" ] || die "tp_layout printed nothing: $(head -3 "$OUT/tp_layout.err")"
	# The events and their structs, then one C program printing what gcc says.
	awk -F'\t' '
	FILENAME == ARGV[1] {
		if ($0 ~ /^\[[0-9]+\] /) {
			split($0, h, " ")
			name = h[3]; gsub(/\047/, "", name)
			id = substr(h[1], 2, length(h[1]) - 2); tkind[id] = h[2]
			if (match($0, / type_id=[0-9]+/)) tref[id] = substr($0, RSTART + 9, RLENGTH - 9)
			if (h[2] ~ /^(STRUCT|UNION|ENUM|ENUM64|FWD)$/) cnt[name]++
			cur = (h[2] == "STRUCT" && name ~ /^trace_event_raw_/) ? name : ""
			if (cur != "") { sig[cur] = ""; nm[cur] = 0 }
			next
		}
		if (cur != "" && $0 ~ /^\t\047/) {
			m = $0; sub(/^\t\047/, "", m); sub(/\047.*/, "", m)
			if (m == "ent" || m == "__data") next
			f = m; dyn = 0
			if (f ~ /^__(data|rel)_loc_/) { sub(/^__(data|rel)_loc_/, "", f); dyn = 1 }
			sig[cur] = sig[cur] "," f (dyn ? "@" : "")
			member[cur, f] = m
			match($0, / type_id=[0-9]+/); mtype[cur, f] = substr($0, RSTART + 9, RLENGTH - 9)
		}
		next
	}
	{
		ev = $1
		if (!(ev in evsig)) { order[nev++] = ev; evsig[ev] = "" }
		evsig[ev] = evsig[ev] "," $2 ($3 == "dyn" ? "@" : "")
		kind[ev, $2] = $3
		fields[ev] = fields[ev] SUBSEP $2
	}
	END {
		for (s in sig)
			if (cnt[s] != 1) continue
			else if (sig[s] in bysig) bysig[sig[s]] = "?"
			else bysig[sig[s]] = s
		print "/* generated by tests/chains/check_chains.sh: do not edit */"
		print "#include \"vmlinux.h\""
		print "extern int printf(const char *, ...);"
		print "#define OFF(T, D) ((unsigned long)__builtin_offsetof(T, D))"
		print "#define RVAL(x) ((void)0, (x))"
		print "#define SGN(x) ((__typeof__(RVAL(x)))-1 < (__typeof__(RVAL(x)))1)"
		print "#define IS_ARRAY(x) (!__builtin_types_compatible_p(__typeof__(x), __typeof__(RVAL(x))))"
		print "int main(void)\n{"
		for (i = 0; i < nev; i++) {
			ev = order[i]; split(ev, ge, "/")
			s = ("trace_event_raw_" ge[2] in sig) && cnt["trace_event_raw_" ge[2]] == 1 &&
			    sig["trace_event_raw_" ge[2]] == evsig[ev] ? "trace_event_raw_" ge[2] : bysig[evsig[ev]]
			n = split(substr(fields[ev], 2), fl, SUBSEP)
			# syscalls: struct syscall_trace_enter { ent; nr; args[] } holds
			# every argument as an unsigned long; syscall_trace_exit { ent; nr; ret }
			sc = ""
			if (ge[1] == "syscalls" && fl[1] == "__syscall_nr" && ge[2] ~ /^sys_enter_/)
				sc = "syscall_trace_enter"
			if (ge[1] == "syscalls" && fl[1] == "__syscall_nr" && ge[2] ~ /^sys_exit_/ && n == 2 && fl[2] == "ret")
				sc = "syscall_trace_exit"
			if (sc != "" && cnt[sc] == 1) {
				for (j = 1; j <= n; j++) {
					m = j == 1 ? "nr" : sc == "syscall_trace_exit" ? "ret" : "args[0]"
					x = "((struct " sc " *)0)->" m
					o = "OFF(struct " sc ", " (j == 1 ? "nr" : sc == "syscall_trace_exit" ? "ret" : "args") ")"
					if (j > 1 && sc == "syscall_trace_enter")
						o = "(" o " + " (j - 2) " * sizeof(" x "))"
					printf "\tprintf(\"%s\\t%s\\t%%s\\t%%lu\\t%%lu\\t%%d\\n\", IS_ARRAY(%s) ? \"array\" : \"int\", %s, (unsigned long)sizeof(%s), SGN(%s));\n", ev, fl[j], x, o, x, x
				}
				continue
			}
			if (s == "" || s == "?") { print ev > "/dev/stderr"; continue }
			for (j = 1; j <= n; j++) {
				f = fl[j]; x = "((struct " s " *)0)->" member[s, f]
				# BTF picks the formula (gcc refuses x[0] on a scalar); gcc
				# itself says whether it is an array
				for (t = mtype[s, f]; tkind[t] ~ /^(TYPEDEF|CONST|VOLATILE|RESTRICT|TYPE_TAG)$/; t = tref[t]) ;
				e = tkind[t] == "ARRAY" ? "(" x ")[0]" : x
				if (kind[ev, f] == "dyn")
					printf "\tprintf(\"%s\\t%s\\tdyn\\t%%lu\\t-\\t-\\n\", OFF(struct %s, %s));\n", ev, f, s, member[s, f]
				else
					printf "\tprintf(\"%s\\t%s\\t%%s\\t%%lu\\t%%lu\\t%%d\\n\", IS_ARRAY(%s) ? \"array\" : \"int\", OFF(struct %s, %s), (unsigned long)sizeof(%s), SGN(%s));\n", ev, f, x, s, member[s, f], e, e
			}
		}
		print "\treturn 0;\n}"
	}' "$OUT/btf.txt" "$OUT/tp_got.txt" > "$OUT/tp_oracle.c" 2> "$OUT/tp_unchecked.txt"
	# Linux builds with -funsigned-char since 6.2 (char fields say signed:0)
	kv=$(uname -r | awk -F. '{ print $1 * 1000 + $2 }')
	uchar=; [ "$kv" -ge 6002 ] && uchar=-funsigned-char
	"$CC" -std=gnu11 -O0 -w $uchar -I"$OUT" -o "$OUT/tp_oracle" "$OUT/tp_oracle.c" 2> "$OUT/tp_oracle.err" || {
		head -20 "$OUT/tp_oracle.err" >&2
		die "the tracepoint oracle does not compile (see $OUT/tp_oracle.err)"
	}
	"$OUT/tp_oracle" > "$OUT/tp_expected.txt"
	# string is how surftrace shows a char array: an array to gcc
	read -r TP_PASS TP_FAIL TP_FIELDS < <(awk -F'\t' '
	FILENAME == ARGV[1] { want[$1 FS $2] = $0; evs[$1] = 1; next }
	($1 in evs) {
		got = $0; sub(/\tstring\t/, "\tarray\t", got)
		nf++
		if (got != want[$1 FS $2]) {
			bad[$1] = 1
			printf "FAIL %s %s\n  expected (gcc): %s\n  got (surftrace): %s\n", $1, $2, want[$1 FS $2], $0 > "/dev/stderr"
		}
	}
	END {
		for (e in evs) if (e in bad) f++; else p++
		print p + 0, f + 0, nf + 0
	}' "$OUT/tp_expected.txt" "$OUT/tp_got.txt" 2> "$OUT/tp_fail.txt")
	head -40 "$OUT/tp_fail.txt"
	echo "tracepoints: $TP_PASS passed, $TP_FAIL failed ($TP_FIELDS fields); $(wc -l < "$OUT/tp_unchecked.txt") of $(cut -f1 "$OUT/tp_got.txt" | sort -u | wc -l) not checked (no struct trace_event_raw_* of their fields: see $OUT/tp_unchecked.txt)"
fi

echo "$((CH_PASS + TP_PASS)) passed, $((CH_FAIL + TP_FAIL)) failed"
[ $((CH_FAIL + TP_FAIL)) = 0 ]

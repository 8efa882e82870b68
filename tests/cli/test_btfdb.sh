#!/bin/bash
# The type database (issue 17): --gen-btf takes the kernel's BTF out of an
# ELF's .BTF, a raw image, and images compressed by each of the kernel's
# compressors, byte for byte what /sys/kernel/btf/vmlinux holds; pahole
# makes BTF of DWARF; and with the kernel's own BTF hidden (an empty tmpfs
# over /sys/kernel/btf in a private mount namespace) surftrace finds the
# file by release in -d DIR, in BTFHub's layout and in the default
# directories, and computes what it computes from the kernel's BTF.  The
# guests of the VM tier do the same with their kernels' real images.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
W=$(mktemp -d /tmp/surf-btfdb.XXXXXX)
trap 'rm -rf "$W"' EXIT
REL=$(uname -r)

if [ ! -r $VMLINUX_BTF ]; then skip btfdb "this kernel has no BTF to compare with"; summary; exit; fi
cp $VMLINUX_BTF "$W/kernel.btf"

# gen NAME SOURCE [OUT]: --gen-btf into OUT (default: the release's name in $W)
gen() {
	local name=$1 src=$2 out=${3:-}
	(cd "$W" && "$ST" --gen-btf "$src" $out >"$W/$name.out" 2>&1)
}

# --- a raw image: banner, then the blob at a 4-byte boundary, among other bytes
{ head -c 4096 /dev/urandom; printf 'Linux version 9.9.9-surf (test@example) #1 SMP\0\0'
  cat "$W/kernel.btf"; head -c 8192 /dev/urandom; } >"$W/Image"
if gen raw "$W/Image" && cmp -s "$W/kernel.btf" "$W/9.9.9-surf.btf"; then
	pass gen_btf_raw_image_is_the_kernels
else fail gen_btf_raw_image_is_the_kernels "$(cat "$W/raw.out")"; fi
grep -q "9.9.9-surf.btf: [0-9]* types for kernel 9.9.9-surf" "$W/raw.out" &&
	pass gen_btf_names_release || fail gen_btf_names_release "$(cat "$W/raw.out")"

# --- compressed images: a boot stub, then the compressed kernel, then more
for c in "gzip -9" "xz --check=crc32" "bzip2" "zstd -q -19 -c" "lz4 -l -q -c"; do
	tool=${c%% *}
	if ! command -v "$tool" >/dev/null; then skip "gen_btf_$tool" "no $tool here"; continue; fi
	rm -f "$W/9.9.9-surf.btf"
	{ head -c 16384 /dev/zero; $c <"$W/Image"; head -c 512 /dev/zero; } >"$W/vmlinuz.$tool"
	if gen "$tool" "$W/vmlinuz.$tool" && cmp -s "$W/kernel.btf" "$W/9.9.9-surf.btf"; then
		pass "gen_btf_${tool}_image"
	else fail "gen_btf_${tool}_image" "$(cat "$W/$tool.out")"; fi
done

# --- an ELF with a .BTF section (a vmlinux), output named
cp /bin/true "$W/vmlinux"
objcopy --add-section .BTF="$W/kernel.btf" "$W/vmlinux"
if gen elf "$W/vmlinux" "$W/elf.btf" && cmp -s "$W/kernel.btf" "$W/elf.btf"; then
	pass gen_btf_elf_section
else fail gen_btf_elf_section "$(cat "$W/elf.out")"; fi

# --- DWARF only: pahole encodes it (a helper built -g stands for a vmlinux)
if command -v pahole >/dev/null; then
	if gen dwarf "$ROOT/build/helpers/tstruct" "$W/tstruct.btf" &&
	   pahole -C outer "$W/tstruct.btf" 2>/dev/null | grep -q 'struct inner \*'; then
		pass gen_btf_from_dwarf_through_pahole
	else fail gen_btf_from_dwarf_through_pahole "$(cat "$W/dwarf.out")" \
		"$(pahole -C outer "$W/tstruct.btf" 2>&1 | head -5)"; fi
else skip gen_btf_from_dwarf_through_pahole "no pahole (dwarves)"; fi

# --- bad sources: exit 2, what is wrong
expect_error gen_btf_missing_file 2 "cannot read $W/nope" "" "$ST" --gen-btf "$W/nope"
head -c 100000 /dev/urandom >"$W/junk"
expect_error gen_btf_no_btf 2 "no BTF in it, and no DWARF" "" "$ST" --gen-btf "$W/junk" "$W/j.btf"
expect_error gen_btf_two_outputs 2 "one output file" "" "$ST" --gen-btf "$W/Image" a b

# --- lookups with the kernel's BTF hidden
E1='p wake_up_new_task comm=%0->comm u=S%0->mm->mm_users'
E2='r do_filp_open pos=$retval->f_pos'
if ! unshare -m true 2>/dev/null; then
	skip btfdb_lookup "unshare -m does not work here"; summary; exit
fi
# nobtf SETUP CMD...: CMD without /sys/kernel/btf/vmlinux, after SETUP (sh)
nobtf() {
	local setup=$1; shift
	unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf && $setup && exec \"\$@\"" sh "$@"
}
"$ST" -S "$E1" "$E2" >"$W/own.out" 2>&1
mkdir -p "$W/db" "$W/hub"
cp "$W/kernel.btf" "$W/db/$REL.btf"
nobtf true "$ST" -d "$W/db" -S "$E1" "$E2" >"$W/dir.out" 2>&1
if grep -q kprobe_events "$W/own.out" && cmp -s "$W/own.out" "$W/dir.out"; then
	pass btfdb_dir_same_offsets
else fail btfdb_dir_same_offsets "$(diff "$W/own.out" "$W/dir.out" | head -10)"; fi
# BTFHub's layout: ID/VERSION_ID/ARCH/RELEASE.btf
. /etc/os-release
arch=$(uname -m); [ "$arch" = aarch64 ] && arch=arm64
mkdir -p "$W/hub/$ID/$VERSION_ID/$arch"
cp "$W/kernel.btf" "$W/hub/$ID/$VERSION_ID/$arch/$REL.btf"
nobtf true "$ST" -d "$W/hub" -S "$E1" "$E2" >"$W/hub.out" 2>&1
if cmp -s "$W/own.out" "$W/hub.out"; then pass btfdb_btfhub_layout
else fail btfdb_btfhub_layout "$(diff "$W/own.out" "$W/hub.out" | head -10)"; fi
# The default place (/var/lib/surftrace/btf: a tmpfs over /var/lib in the namespace)
nobtf "mount -t tmpfs none /var/lib && mkdir -p /var/lib/surftrace/btf &&
       cp '$W/kernel.btf' /var/lib/surftrace/btf/$REL.btf" \
	"$ST" -l 'struct task_struct' >"$W/default.out" 2>&1
"$ST" -l 'struct task_struct' >"$W/default_own.out" 2>&1
if grep -q ' comm\[16\]' "$W/default.out" && cmp -s "$W/default.out" "$W/default_own.out"; then
	pass btfdb_default_dir
else fail btfdb_default_dir "$(head -5 "$W/default.out")"; fi
# None anywhere: exit 1, where it looked, how to make one; nothing else tried.
nobtf true "$ST" -d "$W/hub/$ID" -S "$E1" >"$W/none.out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -qF "this kernel has no BTF" "$W/none.out" &&
   grep -qF "looked for $W/hub/$ID/$REL.btf, $W/hub/$ID/$REL, $W/hub/$ID/$ID/$VERSION_ID/$arch/$REL.btf, /usr/lib/surftrace/btf/$REL.btf" "$W/none.out" &&
   grep -qF "surftrace --gen-btf" "$W/none.out"; then pass btfdb_none_says_where_and_how
else fail btfdb_none_says_where_and_how "exit $rc (want 1)" "$(cat "$W/none.out")"; fi
summary

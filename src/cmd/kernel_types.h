/* SPDX-License-Identifier: MIT */
#ifndef SURF_CMD_KERNEL_TYPES_H
#define SURF_CMD_KERNEL_TYPES_H

#include <stddef.h>
#include <stdio.h>

struct surf_types;

struct cmd_types_opts {
	const char *prog;		/* for messages: "surftrace" */
	const char *btf_path;		/* -d FILE: another kernel's (or this one's) BTF */
	const char *vmlinux_path;	/* -v */
	const char *db_dir;		/* -d DIR: searched first for this kernel's BTF */
	const char *module_paths;	/* -m: .ko files with DWARF, colon-separated */
};

/*
 * The kernel's types: 0, or the reason printed to err and the exit status
 * (2 for a file the user named, 1 when the kernel has none: the message
 * says where it looked and how to make one).
 */
int cmd_open_kernel_types(const struct cmd_types_opts *o, FILE *err, struct surf_types **types);

/*
 * --gen-btf SOURCE [OUT]: a vmlinux, a kernel image or a module into a BTF
 * file (OUT, else RELEASE.btf or MODULE.btf here).  The exit status.
 */
int cmd_gen_btf(const struct cmd_types_opts *o, const char *src, const char *out);

/*
 * The BTF of a kernel from its vmlinux (the .BTF section) or its image:
 * a compressed one (bzImage, vmlinuz: gzip, xz, bzip2, LZ4, zstd) is
 * decompressed first, a raw one (arm64's Image) searched for the blob.
 * 0, *btf (malloc'ed, raw BTF as /sys/kernel/btf/vmlinux has it) and
 * *size; the release the image names ("" when none) in release, also on
 * -ENOENT (no BTF in it: a vmlinux with only DWARF, which pahole encodes).
 */
int cmd_btf_extract(const char *image, void **btf, size_t *size, char *release,
		    size_t release_len);

#endif

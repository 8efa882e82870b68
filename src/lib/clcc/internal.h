/* SPDX-License-Identifier: MIT */
/*
 * The contract between a .so that surfcc writes (sogen.c) and the clcc
 * runtime that drives it (clcc.c).
 *
 * The .so exports:
 *   lbc_abi_version	const int, LBC_ABI_VERSION
 *   lbc_bpf_obj, lbc_bpf_obj_end	the BPF object's bytes
 *   lbc_map_types_json	const char[], what lbc_get_map_types() returns
 *   lbc_btf_min, lbc_btf_min_end	optional: the kernel BTF types the object's
 *			CO-RE relocations need (bpftool gen min_core_btf), valid
 *			for the kernel whose BTF has lbc_btf_size bytes and hash
 *			lbc_btf_hash (surf_bpf__hash_file); on that kernel the
 *			loader relocates against it and never reads the kernel's
 *			5 MB BTF
 *   lbc_rt_ctx, lbc_rt_fns	set by clcc_init(): the runtime's state and
 *			its functions, indexed by enum lbc_rt_fn
 *   lbc_bpf_init ... lbc_ksym_search	trampolines: lbc_X(args) calls
 *			lbc_rt_fns[LBC_RT_X](lbc_rt_ctx, args), or fails
 *			with -ENOSYS (NULL) when no runtime is bound.
 */
#ifndef SURF_BPF_INTERNAL_H
#define SURF_BPF_INTERNAL_H

#define LBC_ABI_VERSION 1

enum lbc_rt_fn {
	LBC_RT_INIT,
	LBC_RT_EXIT,
	LBC_RT_GET_MAPS_ID,
	LBC_RT_SET_EVENT_CB,
	LBC_RT_EVENT_LOOP,
	LBC_RT_MAP_LOOKUP_ELEM,
	LBC_RT_MAP_LOOKUP_ELEM_FLAGS,
	LBC_RT_MAP_LOOKUP_AND_DELETE_ELEM,
	LBC_RT_MAP_DELETE_ELEM,
	LBC_RT_MAP_UPDATE_ELEM,
	LBC_RT_MAP_GET_NEXT_KEY,
	LBC_RT_ATTACH_PERF_EVENT,
	LBC_RT_ATTACH_KPROBE,
	LBC_RT_ATTACH_KRETPROBE,
	LBC_RT_ATTACH_UPROBE,
	LBC_RT_ATTACH_URETPROBE,
	LBC_RT_ATTACH_TRACEPOINT,
	LBC_RT_ATTACH_RAW_TRACEPOINT,
	LBC_RT_ATTACH_CGROUP,
	LBC_RT_ATTACH_NETNS,
	LBC_RT_ATTACH_XDP,
	LBC_RT_KSYM_SEARCH,
	LBC_RT_NR
};

#include <stdint.h>

/* Write the C source of the .so: obj_path (and btf_path) .incbin'ed, json embedded. */
int surf_bpfcc__write_so_c(const char *path, const char *src_name, const char *obj_path,
			   const char *json, const char *btf_path, uint64_t btf_hash,
			   uint64_t btf_size);

int surf_bpf__hash_file(const char *path, uint64_t *out);

#endif

// SPDX-License-Identifier: MIT
/*
 * The C source of a surfcc .so: the BPF object pulled in with .incbin, the
 * map description, and one trampoline per coolbpf entry point (see
 * internal.h).  It is compiled with -nostdlib: it calls nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clcc/internal.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static const char so_head[] =
	"typedef void (*lbc_fn_t)(void);\n"
	"#define LBC_API __attribute__((visibility(\"default\")))\n"
	"struct clcc_ksym;\n"
	"LBC_API const int lbc_abi_version = " STR(LBC_ABI_VERSION) ";\n"
	"LBC_API void *lbc_rt_ctx;\n"
	"LBC_API const lbc_fn_t *lbc_rt_fns;\n"
	"#define RT(i, T) ((T)lbc_rt_fns[i])\n"
	"#define NOSYS (-38)\n\n";

/* name, return type, parameters, arguments, value without a runtime */
struct tramp {
	enum lbc_rt_fn idx;
	const char *name, *ret, *params, *args, *fail;
};

#define CB "void (*cb)(void *, int, void *, unsigned int), void (*lost)(void *, int, unsigned long long)"

static const struct tramp tramps[] = {
	{ LBC_RT_INIT, "lbc_bpf_init", "int", "int log_level, int attach", "log_level, attach", "NOSYS" },
	{ LBC_RT_EXIT, "lbc_bpf_exit", "void", "void", "", "" },
	{ LBC_RT_GET_MAPS_ID, "lbc_bpf_get_maps_id", "int", "char *name", "name", "-1" },
	{ LBC_RT_SET_EVENT_CB, "lbc_set_event_cb", "int", "int id, " CB, "id, cb, lost", "NOSYS" },
	{ LBC_RT_EVENT_LOOP, "lbc_event_loop", "int", "int id, int timeout", "id, timeout", "NOSYS" },
	{ LBC_RT_MAP_LOOKUP_ELEM, "lbc_map_lookup_elem", "int",
	  "int id, const void *key, void *value", "id, key, value", "NOSYS" },
	{ LBC_RT_MAP_LOOKUP_ELEM_FLAGS, "lbc_map_lookup_elem_flags", "int",
	  "int id, const void *key, void *value, unsigned long flags", "id, key, value, flags", "NOSYS" },
	{ LBC_RT_MAP_LOOKUP_AND_DELETE_ELEM, "lbc_map_lookup_and_delete_elem", "int",
	  "int id, const void *key, void *value", "id, key, value", "NOSYS" },
	{ LBC_RT_MAP_DELETE_ELEM, "lbc_map_delete_elem", "int", "int id, const void *key", "id, key",
	  "NOSYS" },
	{ LBC_RT_MAP_UPDATE_ELEM, "lbc_map_update_elem", "int", "int id, const void *key, void *value",
	  "id, key, value", "NOSYS" },
	{ LBC_RT_MAP_GET_NEXT_KEY, "lbc_map_get_next_key", "int",
	  "int id, const void *key, void *next", "id, key, next", "NOSYS" },
	{ LBC_RT_ATTACH_PERF_EVENT, "lbc_attach_perf_event", "int", "const char *func, int pfd",
	  "func, pfd", "NOSYS" },
	{ LBC_RT_ATTACH_KPROBE, "lbc_attach_kprobe", "int", "const char *func, const char *sym",
	  "func, sym", "NOSYS" },
	{ LBC_RT_ATTACH_KRETPROBE, "lbc_attach_kretprobe", "int", "const char *func, const char *sym",
	  "func, sym", "NOSYS" },
	{ LBC_RT_ATTACH_UPROBE, "lbc_attach_uprobe", "int",
	  "const char *func, int pid, const char *path, unsigned long off", "func, pid, path, off",
	  "NOSYS" },
	{ LBC_RT_ATTACH_URETPROBE, "lbc_attach_uretprobe", "int",
	  "const char *func, int pid, const char *path, unsigned long off", "func, pid, path, off",
	  "NOSYS" },
	{ LBC_RT_ATTACH_TRACEPOINT, "lbc_attach_tracepoint", "int",
	  "const char *func, const char *cat, const char *name", "func, cat, name", "NOSYS" },
	{ LBC_RT_ATTACH_RAW_TRACEPOINT, "lbc_attach_raw_tracepoint", "int",
	  "const char *func, const char *name", "func, name", "NOSYS" },
	{ LBC_RT_ATTACH_CGROUP, "lbc_attach_cgroup", "int", "const char *func, int fd", "func, fd",
	  "NOSYS" },
	{ LBC_RT_ATTACH_NETNS, "lbc_attach_netns", "int", "const char *func, int fd", "func, fd",
	  "NOSYS" },
	{ LBC_RT_ATTACH_XDP, "lbc_attach_xdp", "int", "const char *func, int ifindex",
	  "func, ifindex", "NOSYS" },
	{ LBC_RT_KSYM_SEARCH, "lbc_ksym_search", "struct clcc_ksym *", "unsigned long addr", "addr",
	  "(struct clcc_ksym *)0" },
};

/* s as the inside of a C string literal. */
static void put_c_string(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
}

/* s inside an assembler string inside a C string literal. */
static void put_asm_string(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			fputs("\\\\\\\"", f);	/* as: \" -> C: \\\" */
		else if (*s == '\\')
			fputs("\\\\\\\\", f);	/* as: \\ -> C: \\\\ */
		else
			fputc(*s, f);
	}
}

static void incbin(FILE *f, const char *sym, const char *path)
{
	fprintf(f, "__asm__(\n"
		"\t\".pushsection .rodata.%s, \\\"a\\\"\\n\"\n"
		"\t\".balign 8\\n\"\n"
		"\t\".globl %s\\n\"\n"
		"\t\".type %s, %%object\\n\"\n"
		"\t\"%s:\\n\"\n", sym, sym, sym, sym);
	if (path) {
		fputs("\t\".incbin \\\"", f);
		put_asm_string(f, path);
		fputs("\\\"\\n\"\n", f);
	}
	fprintf(f, "\t\".globl %s_end\\n\"\n"
		"\t\".type %s_end, %%object\\n\"\n"
		"\t\"%s_end:\\n\"\n"
		"\t\".byte 0\\n\"\n"
		"\t\".popsection\\n\");\n\n", sym, sym, sym);
}

int surf_bpfcc__write_so_c(const char *path, const char *src_name, const char *obj_path,
			   const char *json, const char *btf_path, uint64_t btf_hash,
			   uint64_t btf_size)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		return -errno;
	fputs("/* Generated by surfcc from \"", f);
	for (const char *s = src_name; *s; s++)
		if (*s != '*' && *s != '\n')
			fputc(*s, f);
	fputs("\": do not edit. */\n", f);
	fputs(so_head, f);

	incbin(f, "lbc_bpf_obj", obj_path);
	incbin(f, "lbc_btf_min", btf_path);
	fprintf(f, "LBC_API const unsigned long long lbc_btf_hash = 0x%llxULL;\n"
		"LBC_API const unsigned long long lbc_btf_size = %lluULL;\n\n",
		(unsigned long long)btf_hash, (unsigned long long)btf_size);

	fputs("LBC_API const char lbc_map_types_json[] = \"", f);
	put_c_string(f, json);
	fputs("\";\n\n", f);
	fputs("LBC_API const char *lbc_get_map_types(void)\n{\n\treturn lbc_map_types_json;\n}\n\n",
	      f);

	for (i = 0; i < sizeof(tramps) / sizeof(tramps[0]); i++) {
		const struct tramp *t = &tramps[i];
		int is_void = !strcmp(t->ret, "void");

		fprintf(f, "LBC_API %s %s(%s)\n{\n", t->ret, t->name, t->params);
		fprintf(f, "\tif (!lbc_rt_fns)\n\t\treturn %s;\n", t->fail);
		fprintf(f, "\t%sRT(%d, %s (*)(void *%s%s))(lbc_rt_ctx%s%s);\n}\n\n",
			is_void ? "" : "return ", (int)t->idx, t->ret,
			strcmp(t->params, "void") ? ", " : "", strcmp(t->params, "void") ? t->params : "",
			*t->args ? ", " : "", t->args);
	}
	if (ferror(f)) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) ? -errno : 0;
}

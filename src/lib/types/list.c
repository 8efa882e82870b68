// SPDX-License-Identifier: MIT
/* Listings for `surftrace -l`: function prototypes and struct layouts. */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <surf/types.h>

struct func_list {
	const char *glob;
	FILE *out;
	int count;
};

static int print_func(void *ctx, struct surf_typeview *view, const char *name, uint64_t proto)
{
	struct func_list *fl = ctx;
	char buf[2048];

	if (fnmatch(fl->glob, name, 0))
		return 0;
	if (surf_typeview__type_str(view, proto, name, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "%s(?)", name);
	if (surf_typeview__module(view))
		fprintf(fl->out, "%s;\t[%s]\n", buf, surf_typeview__module(view));
	else
		fprintf(fl->out, "%s;\n", buf);
	fl->count++;
	return 0;
}

int surf_types__print_funcs(struct surf_types *types, const char *glob, FILE *out)
{
	struct func_list fl = { glob, out, 0 };
	int ret = surf_types__for_each_func(types, print_func, &fl);

	return ret < 0 ? ret : fl.count;
}

static void indent(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++)
		fputc('\t', out);
}

static int print_members(struct surf_typeview *view, uint64_t id, uint64_t base_bits,
			 int depth, FILE *out)
{
	struct surf_type t, mt;
	struct surf_member m;
	char decl[1024];
	int ret;

	ret = surf_typeview__type(view, id, &t);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < t.vlen; i++) {
		uint64_t bits;

		ret = surf_typeview__member(view, id, i, &m);
		if (ret)
			return ret;
		bits = base_bits + m.bit_offset;
		if (surf_typeview__type(view, m.type, &mt))
			continue;
		if (!m.name && (mt.kind == SURF_TYPE_STRUCT || mt.kind == SURF_TYPE_UNION)) {
			/* Anonymous members are reached by their members' names: show them inline. */
			indent(out, depth);
			fprintf(out, "%s {\n", mt.kind == SURF_TYPE_UNION ? "union" : "struct");
			print_members(view, m.type, bits, depth + 1, out);
			indent(out, depth);
			fprintf(out, "};%*s/* %6" PRIu64 " %5" PRIu64 " */\n", 40 - depth * 8, "",
				bits / 8, mt.size);
			continue;
		}
		surf_typeview__type_str(view, m.type, m.name ? m.name : "", decl, sizeof(decl));
		indent(out, depth);
		if (m.bitfield_size) {
			int n = fprintf(out, "%s:%u;", decl, m.bitfield_size);

			fprintf(out, "%*s/* %6" PRIu64 ":%-2" PRIu64 " %3u bits */\n",
				n < 48 - depth * 8 ? 48 - depth * 8 - n : 1, "", bits / 8, bits % 8,
				m.bitfield_size);
		} else {
			int n = fprintf(out, "%s;", decl);

			fprintf(out, "%*s/* %6" PRIu64 " %5" PRIu64 " */\n",
				n < 48 - depth * 8 ? 48 - depth * 8 - n : 1, "", bits / 8, mt.size);
		}
	}
	return 0;
}

int surf_typeview__print_struct(struct surf_typeview *view, enum surf_type_kind kind,
				const char *name, FILE *out)
{
	struct surf_type t;
	uint64_t id;
	int ret, pad;

	ret = surf_typeview__find_type(view, name, kind, &id);
	if (ret)
		return ret;
	ret = surf_typeview__type(view, id, &t);
	if (ret)
		return ret;
	pad = 40 - (int)strlen(name);
	fprintf(out, "%s %s {%*s/* offset  size */\n", kind == SURF_TYPE_UNION ? "union" : "struct",
		name, pad > 0 ? pad : 1, "");
	ret = print_members(view, id, 0, 1, out);
	fprintf(out, "};%*s/* size %" PRIu64 " */\n", 46, "", t.size);
	return ret ? ret : 1;
}

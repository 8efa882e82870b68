// SPDX-License-Identifier: MIT
/*
 * Flame graphs as one self-contained SVG file: no fonts, scripts or styles
 * from anywhere else, so it opens offline in any browser.
 *
 * The root is at the bottom; a frame's width is its inclusive time and its
 * callees sit on it, left to right in the order they were first called.
 * Each frame carries its position as a fraction of the root (data-x, data-w)
 * and its depth (data-d): the script zooms by rescaling those, and searches
 * by name (data-n).  The tooltip is the frame's <title>.  Every frame is
 * written, however narrow, so that zooming shows it; only trees of more than
 * MAX_ALL_FRAMES nodes lose the frames narrower than a tenth of a pixel
 * (their time stays in their caller).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <surf/graph.h>

#include "sys/opts.h"
#include "graph/internal.h"

#define FRAME_H 16
#define ROW_H 17
#define MARGIN 10
#define TOP 76
#define CHAR_W 7.3	/* 12px monospace */
#define MIN_PX 0.1
#define MAX_ALL_FRAMES 10000

struct frame {
	const struct surf_graph_node *n;
	double x, w;			/* fractions of the root */
	unsigned int depth;
};

struct layout {
	struct frame *f;
	size_t n, cap;
	unsigned int max_depth;
	double min_w;
};

static int add_frame(struct layout *lo, const struct surf_graph_node *n, double x, double w,
		     unsigned int depth)
{
	if (lo->n == lo->cap) {
		size_t cap = lo->cap ? lo->cap * 2 : 256;
		struct frame *f = realloc(lo->f, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		lo->f = f;
		lo->cap = cap;
	}
	lo->f[lo->n++] = (struct frame){ .n = n, .x = x, .w = w, .depth = depth };
	if (depth > lo->max_depth)
		lo->max_depth = depth;
	return 0;
}

/* n and its callees; children adding up to more than n are squeezed into it. */
static int lay_out(struct layout *lo, const struct surf_graph_node *n, double x, double w,
		   unsigned int depth)
{
	uint64_t sum = 0;
	double scale;

	if (w < lo->min_w)
		return 0;
	if (add_frame(lo, n, x, w, depth))
		return -ENOMEM;
	for (const struct surf_graph_node *c = n->child; c; c = c->next)
		sum += c->time_ns;
	if (!sum || !n->time_ns)
		return 0;
	scale = w / (double)(sum > n->time_ns ? sum : n->time_ns);
	for (const struct surf_graph_node *c = n->child; c; c = c->next) {
		double cw = (double)c->time_ns * scale;

		if (lay_out(lo, c, x, cw, depth + 1))
			return -ENOMEM;
		x += cw;
	}
	return 0;
}

static size_t count_nodes(const struct surf_graph_node *n)
{
	size_t count = 0;

	for (; n; n = n->next)
		count += 1 + count_nodes(n->child);
	return count;
}

static void put_escaped(const char *s, size_t max, FILE *out)
{
	for (size_t i = 0; s[i] && i < max; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default:
			/* Control characters are not allowed in XML 1.0. */
			fputc((unsigned char)s[i] < 0x20 ? '?' : s[i], out);
		}
	}
}

/* Warm colours (reds, oranges, yellows), the same for a name every time. */
static void colour(const char *name, char *buf, size_t len)
{
	uint32_t h = 2166136261u;

	if (!strcmp(name, SURF_GRAPH_IRQ_NAME)) {
		snprintf(buf, len, "rgb(176,164,232)");
		return;
	}
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	/* Green always well below red: never drifts into yellow-green. */
	snprintf(buf, len, "rgb(%u,%u,%u)", 225 + h % 30, 90 + (h >> 8) % 120, 40 + (h >> 16) % 50);
}

static void percent(char *buf, size_t len, uint64_t part, uint64_t whole)
{
	snprintf(buf, len, "%.2f%%", whole ? 100.0 * (double)part / (double)whole : 100.0);
}

static void put_frame(const struct frame *f, const struct layout *lo, uint64_t root_ns,
		      unsigned int width, FILE *out)
{
	const struct surf_graph_node *n = f->n;
	const struct surf_graph_node *parent = n->parent ? n->parent : n;
	double px = f->w * (width - 2 * MARGIN), x = MARGIN + f->x * (width - 2 * MARGIN);
	unsigned int y = TOP + (lo->max_depth - f->depth) * ROW_H;
	long chars = (long)((px - 6) / CHAR_W);
	size_t len = strlen(n->name);
	char t[32], self[32], of_root[16], of_parent[16], fill[24];

	surf_graph__format_time(t, sizeof(t), n->time_ns);
	surf_graph__format_time(self, sizeof(self), surf_graph_node__self(n));
	percent(of_root, sizeof(of_root), n->time_ns, root_ns);
	percent(of_parent, sizeof(of_parent), n->time_ns, parent->time_ns);
	colour(n->name, fill, sizeof(fill));
	fprintf(out, "<g class=\"f\" data-x=\"%.9f\" data-w=\"%.9f\" data-d=\"%u\" data-n=\"",
		f->x, f->w, f->depth);
	put_escaped(n->name, len, out);
	fputs("\"><title>", out);
	put_escaped(n->name, len, out);
	fprintf(out, "\n%s, %s of %s, %s of its caller\nself %s, %" PRIu64 " call%s</title>", t,
		of_root, lo->f[0].n->name, of_parent, self, n->count, n->count == 1 ? "" : "s");
	fprintf(out, "<rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" height=\"%d\" rx=\"2\" "
		     "fill=\"%s\"/>",
		x, y, px > 1 ? px - 0.5 : px, FRAME_H, fill);
	fprintf(out, "<text x=\"%.2f\" y=\"%u\">", x + 3, y + 12);
	if (chars >= 3) {
		bool cut = (size_t)chars < len;

		put_escaped(n->name, cut ? (size_t)chars - 2 : len, out);
		if (cut)
			fputs("..", out);
	}
	fputs("</text></g>\n", out);
}

static const char style[] =
	"<style>\n"
	"text { font-family: \"DejaVu Sans Mono\", Menlo, Consolas, monospace; font-size: 12px;"
	" fill: #000; }\n"
	"#title { font-size: 17px; font-weight: bold; }\n"
	"#subtitle, #details, #matched { font-size: 12px; fill: #444; }\n"
	"#reset { cursor: pointer; fill: #06c; visibility: hidden; }\n"
	".f { cursor: pointer; }\n"
	".f text { pointer-events: none; }\n"
	".f:hover rect { stroke: #222; stroke-width: 0.8; }\n"
	".f.anc rect { opacity: 0.55; }\n"
	".f.m rect { fill: rgb(232,64,224); }\n"
	"input { font: 12px sans-serif; width: 100%; box-sizing: border-box; padding: 2px 4px;"
	" border: 1px solid #bbb; border-radius: 3px; }\n"
	"</style>\n";

/* Zoom on click, search as you type, details under the pointer. */
static const char script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"\"use strict\";\n"
	"var W, frames, details, matched, box, reset, rootName;\n"
	"function num(g, a) { return parseFloat(g.getAttribute(a)); }\n"
	"function label(g, px) {\n"
	"  var t = g.querySelector(\"text\"), name = g.getAttribute(\"data-n\");\n"
	"  var n = Math.floor((px - 6) / " "7.3" ");\n"
	"  t.textContent = n < 3 ? \"\" : name.length <= n ? name :\n"
	"    name.slice(0, n - 2) + \"..\";\n"
	"}\n"
	"function place(g, x, w) {\n"
	"  var r = g.querySelector(\"rect\"), t = g.querySelector(\"text\"), px = w * W;\n"
	"  r.setAttribute(\"x\", (10 + x * W).toFixed(2));\n"
	"  r.setAttribute(\"width\", (px > 1 ? px - 0.5 : px).toFixed(2));\n"
	"  t.setAttribute(\"x\", (13 + x * W).toFixed(2));\n"
	"  label(g, px);\n"
	"}\n"
	"function zoom(target) {\n"
	"  var x0 = 0, w0 = 1, d0 = 0, eps = 1e-9;\n"
	"  if (target) { x0 = num(target, \"data-x\"); w0 = num(target, \"data-w\");"
	" d0 = num(target, \"data-d\"); }\n"
	"  frames.forEach(function (g) {\n"
	"    var x = num(g, \"data-x\"), w = num(g, \"data-w\"), d = num(g, \"data-d\");\n"
	"    if (d >= d0 && x >= x0 - eps && x + w <= x0 + w0 + eps) {\n"
	"      g.style.display = \"\"; g.classList.remove(\"anc\");\n"
	"      place(g, (x - x0) / w0, w / w0);\n"
	"    } else if (d < d0 && x <= x0 + eps && x + w >= x0 + w0 - eps) {\n"
	"      g.style.display = \"\"; g.classList.add(\"anc\"); place(g, 0, 1);\n"
	"    } else {\n"
	"      g.style.display = \"none\";\n"
	"    }\n"
	"  });\n"
	"  reset.style.visibility = target ? \"visible\" : \"hidden\";\n"
	"}\n"
	"function search(term) {\n"
	"  var re = null, spans = [], total = 0, end = -1;\n"
	"  if (term) { try { re = new RegExp(term); } catch (e) { re = null; } }\n"
	"  frames.forEach(function (g) {\n"
	"    var n = g.getAttribute(\"data-n\");\n"
	"    var hit = !!term && (re ? re.test(n) : n.indexOf(term) >= 0);\n"
	"    g.classList.toggle(\"m\", hit);\n"
	"    if (hit) spans.push([num(g, \"data-x\"), num(g, \"data-x\") + num(g, \"data-w\")]);\n"
	"  });\n"
	"  spans.sort(function (a, b) { return a[0] - b[0]; });\n"
	"  spans.forEach(function (s) {\n"
	"    if (s[1] > end) { total += s[1] - Math.max(s[0], end); end = s[1]; }\n"
	"  });\n"
	"  matched.textContent = term ? \"matched: \" + (100 * total).toFixed(2) + \"% of \" +"
	" rootName : \"\";\n"
	"}\n"
	"function init() {\n"
	"  var svg = document.documentElement;\n"
	"  W = parseFloat(svg.getAttribute(\"width\")) - 20;\n"
	"  frames = Array.prototype.slice.call(document.querySelectorAll(\"g.f\"));\n"
	"  details = document.getElementById(\"details\");\n"
	"  matched = document.getElementById(\"matched\");\n"
	"  reset = document.getElementById(\"reset\");\n"
	"  box = document.getElementById(\"search\");\n"
	"  rootName = frames.length ? frames[0].getAttribute(\"data-n\") : \"\";\n"
	"  frames.forEach(function (g) {\n"
	"    var info = g.querySelector(\"title\").textContent.replace(/\\n/g, \"  \");\n"
	"    g.addEventListener(\"mouseover\", function () { details.textContent = info; });\n"
	"    g.addEventListener(\"mouseout\", function () { details.textContent = \"\"; });\n"
	"    g.addEventListener(\"click\", function () { zoom(g); });\n"
	"  });\n"
	"  reset.addEventListener(\"click\", function () { zoom(null); });\n"
	"  if (box) box.addEventListener(\"input\", function () { search(box.value); });\n"
	"  window.addEventListener(\"keydown\", function (e) {\n"
	"    if ((e.ctrlKey || e.metaKey) && e.key === \"f\" && box) {\n"
	"      e.preventDefault(); box.focus();\n"
	"    }"
	"    else if (e.key === \"Escape\" && box) { box.value = \"\"; search(\"\"); }\n"
	"  });\n"
	"}\n"
	"window.addEventListener(\"load\", init);\n"
	"]]></script>\n";

static void put_header(const struct surf_graph_svg_opts *o, unsigned int width, unsigned int height,
		       FILE *out)
{
	const char *title = o->title;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		     "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%u\" "
		     "height=\"%u\" viewBox=\"0 0 %u %u\">\n<title>", width, height, width, height);
	put_escaped(title, SIZE_MAX, out);
	fputs("</title>\n", out);
	fputs(style, out);
	fputs(script, out);
	fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fffaf0\"/>\n"
		     "<text id=\"title\" x=\"%u\" y=\"24\" text-anchor=\"middle\">", width / 2);
	put_escaped(title, SIZE_MAX, out);
	fprintf(out, "</text>\n<text id=\"subtitle\" x=\"%u\" y=\"43\" text-anchor=\"middle\">",
		width / 2);
	put_escaped(o->subtitle ? o->subtitle : "", SIZE_MAX, out);
	fprintf(out, "</text>\n<text id=\"reset\" x=\"%d\" y=\"64\">Reset zoom</text>\n"
		     "<text id=\"matched\" x=\"%u\" y=\"64\" text-anchor=\"end\"></text>\n"
		     "<foreignObject x=\"%u\" y=\"48\" width=\"250\" height=\"24\">"
		     "<input xmlns=\"http://www.w3.org/1999/xhtml\" id=\"search\" type=\"search\" "
		     "placeholder=\"search (regular expression)\"/></foreignObject>\n",
		MARGIN, width - 270, width - 260);
}

int surf_graph_tree__write_svg(const struct surf_graph_tree *t,
			       const struct surf_graph_svg_opts *opts, FILE *out)
{
	struct surf_graph_svg_opts o;
	struct layout lo = { 0 };
	unsigned int height;
	int ret;

	if (!OPTS_VALID(opts, struct surf_graph_svg_opts))
		return -EINVAL;
	OPTS_COPY(&o, opts);
	if (!o.width)
		o.width = 1200;
	if (o.width < 400)
		o.width = 400;
	if (!t->root)
		return -ENODATA;
	if (!o.title)
		o.title = t->root->name;
	if (count_nodes(t->root) > MAX_ALL_FRAMES)
		lo.min_w = MIN_PX / (o.width - 2 * MARGIN);
	ret = lay_out(&lo, t->root, 0, 1, 0);
	if (ret)
		goto out;
	height = TOP + (lo.max_depth + 1) * ROW_H + 30;
	put_header(&o, o.width, height, out);
	fputs("<g id=\"frames\">\n", out);
	for (size_t i = 0; i < lo.n; i++)
		put_frame(&lo.f[i], &lo, t->root->time_ns, o.width, out);
	fprintf(out, "</g>\n<text id=\"details\" x=\"%d\" y=\"%u\"> </text>\n</svg>\n", MARGIN,
		height - 10);
	fflush(out);
	ret = ferror(out) ? -EIO : 0;
out:
	free(lo.f);
	return ret;
}

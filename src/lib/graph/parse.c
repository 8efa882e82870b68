// SPDX-License-Identifier: MIT
/*
 * Reading function_graph's text, one line at a time.
 *
 * A call line is columns, each closed by '|', and then the function area:
 *
 *   [ABSTIME |] [CPU)] [TASK-PID |] [LATENCY |] [MARK] [DURATION] |  INDENT TEXT
 *
 * Which columns are there depends on the funcgraph-* options, so they are
 * recognised by their shape, not by position.  The last '|' before any
 * comment is the one that starts the function area; TEXT is indented by two
 * spaces and two more per nesting level.  Context switches, lost events and
 * interrupt markers have shapes of their own.  Anything else is BAD, with
 * the reason: a truncated line must never pass for a good one.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <surf/graph.h>

#define IRQ_ENTRY_MARK "==========>"
#define IRQ_EXIT_MARK "<=========="

static const char *skip_blanks(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const char *trim_end(const char *s, const char *end)
{
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end;
}

static bool blank(const char *s, const char *end)
{
	return skip_blanks(s, end) == end;
}

/* Decimal digits into *v; false on none or overflow. */
static bool parse_digits(const char **sp, const char *end, uint64_t *v)
{
	const char *s = *sp;
	uint64_t n = 0;

	if (s == end || !isdigit((unsigned char)*s))
		return false;
	while (s < end && isdigit((unsigned char)*s)) {
		if (n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s++ - '0');
	}
	*v = n;
	*sp = s;
	return true;
}

/* "12.345" in units of unit_ns, exactly: the fraction has at most 9 digits. */
static bool parse_decimal(const char **sp, const char *end, uint64_t unit_ns, uint64_t *ns)
{
	const char *s = *sp;
	uint64_t whole, frac = 0, scale = unit_ns;

	if (!parse_digits(&s, end, &whole) || whole > UINT64_MAX / unit_ns)
		return false;
	whole *= unit_ns;
	if (s < end && *s == '.') {
		s++;
		if (s == end || !isdigit((unsigned char)*s))
			return false;
		for (; s < end && isdigit((unsigned char)*s); s++) {
			scale /= 10;
			frac += (uint64_t)(*s - '0') * scale;
		}
	}
	*ns = whole + frac;
	*sp = s;
	return true;
}

static uint64_t unit_ns(const char *s, const char *end, const char **after)
{
	static const struct { const char *name; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].name);

		if ((size_t)(end - s) >= n && !memcmp(s, units[i].name, n)) {
			*after = s + n;
			return units[i].ns;
		}
	}
	return 0;
}

/*
 * The duration column: blank, or an overhead mark (+ ! # * @ $), the
 * number and its unit.  The kernel prints microseconds with up to three
 * decimals, fewer as the number grows ("$ 1236858 us").
 */
static bool parse_duration(const char *s, const char *end, struct surf_graph_line *l)
{
	const char *num, *num_end, *unit;
	uint64_t scale, ns;

	s = skip_blanks(s, end);
	end = trim_end(s, end);
	if (s == end)
		return true;
	if (strchr("+!#*@$", *s))
		s = skip_blanks(s + 1, end);
	num = s;
	while (s < end && (isdigit((unsigned char)*s) || *s == '.'))
		s++;
	num_end = s;
	scale = unit_ns(skip_blanks(s, end), end, &unit);
	if (!scale || unit != end || !parse_decimal(&num, num_end, scale, &ns) || num != num_end)
		return false;
	l->has_duration = true;
	l->duration_ns = ns;
	return true;
}

/* "comm-pid", the comm possibly with blanks or dashes of its own. */
static bool parse_task(const char *s, const char *end, int *pid, char *comm)
{
	const char *dash = NULL, *p;
	uint64_t v;

	s = skip_blanks(s, end);
	end = trim_end(s, end);
	for (p = s; p < end; p++)
		if (*p == '-')
			dash = p;
	if (!dash || dash == s)
		return false;
	p = dash + 1;
	if (!parse_digits(&p, end, &v) || p != end || v > 0x7fffffff)
		return false;
	*pid = (int)v;
	snprintf(comm, SURF_GRAPH_COMM_MAX, "%.*s", (int)(dash - s), s);
	return true;
}

/* "  4.954141 " of funcgraph-abstime: seconds with microseconds. */
static bool parse_abstime(const char *s, const char *end, struct surf_graph_line *l)
{
	uint64_t ns;

	s = skip_blanks(s, end);
	end = trim_end(s, end);
	if (!parse_decimal(&s, end, 1000000000, &ns) || s != end)
		return false;
	l->has_time = true;
	l->time_ns = ns;
	return true;
}

/* " 12) " of funcgraph-cpu; *sp moves past the ')'. */
static bool parse_cpu(const char **sp, const char *end, int *cpu)
{
	const char *s = skip_blanks(*sp, end);
	uint64_t v;

	if (!parse_digits(&s, end, &v) || s == end || *s != ')' || v > 0x7fffffff)
		return false;
	*cpu = (int)v;
	*sp = s + 1;
	return true;
}

/* latency-format's flags: "d..1." and the like. */
static bool latency_flags(const char *s, const char *end)
{
	s = skip_blanks(s, end);
	end = trim_end(s, end);
	if (end - s < 3 || end - s > 8)
		return false;
	for (; s < end; s++)
		if (!isalnum((unsigned char)*s) && *s != '.')
			return false;
	return true;
}

/* One column before the function area: abstime, "CPU)" + task, task or latency. */
static bool parse_column(const char *s, const char *end, bool first, struct surf_graph_line *l)
{
	if (blank(s, end))
		return true;
	if (first && parse_abstime(s, end, l))
		return true;
	if (parse_cpu(&s, end, &l->cpu) && blank(s, end))
		return true;
	if (parse_task(s, end, &l->pid, l->comm))
		return true;
	return latency_flags(s, end);
}

/* The columns in [s, end); the last one is the duration when with_duration. */
static bool parse_columns(const char *s, const char *end, bool with_duration,
			  struct surf_graph_line *l)
{
	bool first = true;

	while (s < end) {
		const char *bar = memchr(s, '|', (size_t)(end - s));
		const char *col_end = bar ? bar : end;

		if (with_duration && !bar) {
			/* Without a task column the CPU shares the duration's. */
			parse_cpu(&s, col_end, &l->cpu);
			return parse_duration(s, col_end, l);
		}
		if (!parse_column(s, col_end, first, l))
			return false;
		first = false;
		s = bar ? bar + 1 : end;
	}
	return true;
}

static void bad(struct surf_graph_line *l, const char *why)
{
	l->kind = SURF_GRAPH_LINE_BAD;
	l->why = why;
}

/* After the text: nothing, or one comment; a name found in it goes to name. */
static bool parse_tail(const char *s, const char *end, char *name)
{
	const char *close, *word;

	s = skip_blanks(s, end);
	if (s == end)
		return true;
	if (end - s < 2 || memcmp(s, "/*", 2))
		return false;
	close = end - s >= 4 ? strstr(s + 2, "*/") : NULL;
	if (!close || close >= end)
		return true;	/* a comment cut short: the line itself is whole */
	if (!name)
		return blank(close + 2, end);
	s = skip_blanks(s + 2, close);
	for (word = s; s < close && *s != ' ' && *s != '\t'; s++)
		;
	snprintf(name, SURF_GRAPH_NAME_MAX, "%.*s", (int)(s - word), word);
	return blank(close + 2, end);
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '$';
}

/* "name", "name.isra.0", "name [module]" or "0xffffffffc0a01234". */
static bool valid_name(const char *s, const char *end)
{
	const char *p = s;

	while (p < end && name_char(*p))
		p++;
	if (p == s)
		return false;
	if (p == end)
		return true;
	if (end - p < 4 || memcmp(p, " [", 2) || end[-1] != ']')
		return false;
	for (p += 2; p < end - 1; p++)
		if (!name_char(*p) && *p != '-')
			return false;
	return true;
}

/* The function area: "  " + 2 spaces a level + "name() {", "name();", "}" or a comment. */
static void parse_text(const char *s, const char *end, struct surf_graph_line *l)
{
	const char *text = skip_blanks(s, end), *name_end, *p;
	long indent = text - s;
	int parens = 0;

	if (text == end)
		return bad(l, "nothing after the last '|'");
	if (end - text >= 2 && !memcmp(text, "/*", 2)) {
		l->kind = SURF_GRAPH_LINE_COMMENT;
		return;
	}
	if (indent < 2 || indent % 2 || memchr(s, '\t', (size_t)(text - s)))
		return bad(l, "the indentation is not two spaces per level");
	l->depth = (int)(indent - 2) / 2;
	if (*text == '}') {
		if (!l->has_duration)
			return bad(l, "a '}' without a duration");
		if (!parse_tail(text + 1, end, l->name))
			return bad(l, "text after '}'");
		l->kind = SURF_GRAPH_LINE_EXIT;
		return;
	}
	name_end = memchr(text, '(', (size_t)(end - text));
	if (!name_end)
		return bad(l, "no '(' after the function name (truncated?)");
	if (!valid_name(text, trim_end(text, name_end)))
		return bad(l, "not a function name");
	for (p = name_end; p < end; p++) {
		parens += *p == '(' ? 1 : *p == ')' ? -1 : 0;
		if (!parens)
			break;
	}
	if (p == end)
		return bad(l, "no ')' after the arguments (truncated?)");
	p = skip_blanks(p + 1, end);
	if (p == end || (*p != '{' && *p != ';'))
		return bad(l, "neither '{' nor ';' after the call (truncated?)");
	l->kind = *p == '{' ? SURF_GRAPH_LINE_ENTRY : SURF_GRAPH_LINE_LEAF;
	if (!parse_tail(p + 1, end, NULL))
		return bad(l, "text after the call");
	if (l->kind == SURF_GRAPH_LINE_LEAF && !l->has_duration)
		return bad(l, "a call ending in ';' without a duration");
	if (l->kind == SURF_GRAPH_LINE_ENTRY && l->has_duration)
		return bad(l, "a call ending in '{' with a duration");
	snprintf(l->name, sizeof(l->name), "%.*s", (int)(trim_end(text, name_end) - text), text);
}

/* " 0)    bash-1    =>    cat-2   " */
static void parse_switch(const char *s, const char *arrow, const char *end,
			 struct surf_graph_line *l)
{
	const char *p = s;

	if (!parse_cpu(&p, arrow, &l->cpu))
		p = s;
	if (!parse_task(p, arrow, &l->pid, l->comm) ||
	    !parse_task(arrow + 2, end, &l->next_pid, l->next_comm))
		return bad(l, "a context switch line without two tasks");
	l->kind = SURF_GRAPH_LINE_SWITCH;
}

static bool parse_lost(const char *s, const char *end, struct surf_graph_line *l)
{
	uint64_t cpu, lost;

	if (end - s < 4 || memcmp(s, "CPU:", 4))
		return false;
	s += 4;
	if (!parse_digits(&s, end, &cpu) || cpu > 0x7fffffff)
		return false;
	s = skip_blanks(s, end);
	if (end - s < 7 || memcmp(s, "[LOST ", 6))
		return false;
	s += 6;
	if (!parse_digits(&s, end, &lost))
		return false;
	s = skip_blanks(s, end);
	if (end - s < 7 || memcmp(s, "EVENTS]", 7))
		return false;
	l->kind = SURF_GRAPH_LINE_LOST;
	l->cpu = (int)cpu;
	l->lost = lost;
	return true;
}

static void parse_header(const char *s, const char *end, struct surf_graph_line *l)
{
	static const char tag[] = "# tracer:";
	size_t n = sizeof(tag) - 1;

	l->kind = SURF_GRAPH_LINE_HEADER;
	if ((size_t)(end - s) > n && !memcmp(s, tag, n)) {
		s = skip_blanks(s + n, end);
		snprintf(l->name, sizeof(l->name), "%.*s", (int)(trim_end(s, end) - s), s);
	}
}

static const char *find(const char *s, const char *end, const char *what)
{
	size_t n = strlen(what);

	for (; (size_t)(end - s) >= n; s++)
		if (!memcmp(s, what, n))
			return s;
	return NULL;
}

void surf_graph_line__parse(const char *text, struct surf_graph_line *l)
{
	const char *end = text + strlen(text), *s, *limit, *sep, *mark;

	memset(l, 0, sizeof(*l));
	l->cpu = -1;
	l->pid = -1;
	l->next_pid = -1;
	while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	s = skip_blanks(text, end);
	if (s == end) {
		l->kind = SURF_GRAPH_LINE_EMPTY;
		return;
	}
	if (*s == '#')
		return parse_header(s, end, l);
	if (parse_lost(s, end, l))
		return;
	if (trim_end(s, end) - s >= 3 && strspn(s, "-") == (size_t)(trim_end(s, end) - s)) {
		l->kind = SURF_GRAPH_LINE_RULE;
		return;
	}
	/* Comments may hold anything, '|' included: look only before them. */
	limit = find(text, end, "/*");
	if (!limit)
		limit = end;
	mark = find(text, limit, IRQ_ENTRY_MARK);
	if (!mark)
		mark = find(text, limit, IRQ_EXIT_MARK);
	if (mark) {
		if (!parse_columns(text, mark, false, l))
			return bad(l, "an interrupt marker after unknown columns");
		l->kind = mark[0] == '=' ? SURF_GRAPH_LINE_IRQ_ENTRY : SURF_GRAPH_LINE_IRQ_EXIT;
		return;
	}
	for (sep = limit; sep > text && sep[-1] != '|'; sep--)
		;
	if (sep == text) {
		const char *arrow = find(text, end, "=>");

		if (arrow)
			return parse_switch(text, arrow, end, l);
		return bad(l, "no '|' column separator");
	}
	if (!parse_columns(text, sep - 1, true, l))
		return bad(l, "unknown columns before the function");
	parse_text(sep, end, l);
}

bool surf_graph__name_matches(const char *function, const char *name)
{
	size_t n = strlen(function);

	return !strncmp(function, name, n) && (name[n] == '\0' || name[n] == '.' || name[n] == ' ');
}

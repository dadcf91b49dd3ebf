// SPDX-License-Identifier: GPL-2.0
/*
 * Expectation tables: registry, lookup, conditions, Markdown (expect.h).
 * The lookup and the printer are pure (host unit tests use them); the
 * running guest's environment and the harness glue are in expect_run.c.
 */
#include "expect.h"

#include <stdlib.h>
#include <string.h>

static struct expect_table *tables, **tables_tail = &tables;
static struct suite_doc *suite_docs, **suite_docs_tail = &suite_docs;

void expect_register(struct expect_table *t)
{
	t->next = NULL;
	*tables_tail = t;
	tables_tail = &t->next;
}

const struct expect_table *expect_table_first(void)
{
	return tables;
}

const struct expect_table *expect_table_find(const char *name)
{
	for (const struct expect_table *t = tables; t; t = t->next)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

void suite_doc_register(struct suite_doc *d)
{
	d->next = NULL;
	*suite_docs_tail = d;
	suite_docs_tail = &d->next;
}

static void print_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '\t')
			fputs("\\t", out);
		else if (*s == '\\')
			fputs("\\\\", out);
		else
			fputc(*s, out);
	}
}

void suite_doc_print(FILE *out)
{
	for (const struct suite_doc *d = suite_docs; d; d = d->next) {
		fprintf(out, "%s\t", d->suite);
		print_escaped(out, d->title);
		fputc('\t', out);
		print_escaped(out, d->text);
		fputc('\n', out);
	}
}

/* ---- versions ------------------------------------------------------------ */

int expect_version_parse(const char *s, struct expect_version *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < 3; i++) {
		char *end;
		unsigned long n;

		if (*s < '0' || *s > '9')
			break;
		n = strtoul(s, &end, 10);
		out->v[i] = (unsigned int)n;
		out->known = true;
		s = end;
		if (*s != '.')
			break;
		s++;
	}
	return out->known ? 0 : -1;
}

static int version_cmp(const struct expect_version *a, const struct expect_version *b)
{
	for (int i = 0; i < 3; i++)
		if (a->v[i] != b->v[i])
			return a->v[i] < b->v[i] ? -1 : 1;
	return 0;
}

/* A bound of a range: "6.1" -> {6,1,0} and how many parts were given. */
static int parse_bound(const char *s, size_t len, struct expect_version *v, int *parts)
{
	char tmp[32];

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	for (size_t i = 0; i < len; i++)
		if ((tmp[i] < '0' || tmp[i] > '9') && tmp[i] != '.')
			return -1;
	if (expect_version_parse(tmp, v))
		return -1;
	*parts = 1;
	for (size_t i = 0; i < len; i++)
		*parts += tmp[i] == '.';
	return *parts > 3 ? -1 : 0;
}

int expect_version_in(const char *range, const struct expect_version *v)
{
	const char *dots = strstr(range, "..");
	struct expect_version lo, hi;
	int parts;

	if (!v->known)
		return -1;
	if (!dots) {
		/* "6.1": every 6.1.x, i.e. 6.1 <= v < 6.2. */
		if (parse_bound(range, strlen(range), &lo, &parts))
			return -1;
		hi = lo;
		hi.v[parts - 1]++;
		return version_cmp(v, &lo) >= 0 && version_cmp(v, &hi) < 0;
	}
	if (dots == range && !dots[2])
		return -1;
	if (dots > range) {
		if (parse_bound(range, (size_t)(dots - range), &lo, &parts))
			return -1;
		if (version_cmp(v, &lo) < 0)
			return 0;
	}
	if (dots[2]) {
		if (parse_bound(dots + 2, strlen(dots + 2), &hi, &parts))
			return -1;
		if (version_cmp(v, &hi) >= 0)
			return 0;
	}
	return 1;
}

/* ---- lookup ---------------------------------------------------------------- */

static int cond_count(const struct expect_cond *c)
{
	return !!c->kernel + !!c->xen + !!c->fact;
}

/* 1 holds, 0 not, -1 cannot be evaluated (message in why). */
static int cond_holds(const struct expect_cond *c, const struct expect_env *env, char *why,
		      size_t len)
{
	int r;

	if (c->kernel) {
		r = expect_version_in(c->kernel, &env->kernel);
		if (r < 0) {
			snprintf(why, len, "kernel condition \"%s\": %s", c->kernel,
				 env->kernel.known ? "not a version range" : "kernel version unknown");
			return -1;
		}
		if (!r)
			return 0;
	}
	if (c->xen) {
		r = expect_version_in(c->xen, &env->xen);
		if (r < 0) {
			snprintf(why, len, "Xen condition \"%s\": %s", c->xen,
				 env->xen.known ? "not a version range" : "Xen version unknown");
			return -1;
		}
		if (!r)
			return 0;
	}
	if (c->fact) {
		bool neg = c->fact[0] == '!';
		const char *name = c->fact + neg;

		r = env->fact ? env->fact(name, env->arg) : -1;
		if (r < 0) {
			snprintf(why, len, "fact \"%s\": unknown or cannot be probed", name);
			return -1;
		}
		if (r == neg)
			return 0;
	}
	return 1;
}

int expect_lookup(const struct expect_table *t, const char *row, const char *subject,
		  const struct expect_env *env, const struct expect_cell **out, char *why,
		  size_t len)
{
	const struct expect_cell *best = NULL;
	const struct expect_row *r;
	int best_n = -1;
	bool tie = false, any = false;

	*out = NULL;
	for (r = t->rows; r->name; r++)
		if (!strcmp(r->name, row))
			break;
	if (!r->name) {
		snprintf(why, len, "table %s has no row \"%s\"", t->name, row);
		return -1;
	}
	for (const struct expect_cell *c = r->cells; c->subject; c++) {
		int h, n;

		if (strcmp(c->subject, subject))
			continue;
		any = true;
		h = cond_holds(&c->when, env, why, len);
		if (h < 0)
			return -1;
		if (!h)
			continue;
		n = cond_count(&c->when);
		if (n > best_n) {
			best = c;
			best_n = n;
			tie = false;
		} else if (n == best_n) {
			tie = true;
		}
	}
	if (!best) {
		snprintf(why, len, "table %s: no expectation for %s/%s%s", t->name, row, subject,
			 any ? " whose condition holds here" : "");
		return -1;
	}
	if (tie) {
		snprintf(why, len,
			 "table %s: two expectations for %s/%s hold here with %d condition%s "
			 "each (make their conditions disjoint)",
			 t->name, row, subject, best_n, best_n == 1 ? "" : "s");
		return -1;
	}
	*out = best;
	return 0;
}

void expect_cond_str(const struct expect_cond *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	if (c->kernel)
		n += snprintf(buf + n, len - n, "kernel %s", c->kernel);
	if (c->xen && n < len)
		n += snprintf(buf + n, len - n, "%sXen %s", n ? ", " : "", c->xen);
	if (c->fact && n < len)
		snprintf(buf + n, len - n, "%s%s%s", n ? ", " : "", c->fact[0] == '!' ? "not " : "",
			 c->fact + (c->fact[0] == '!'));
}

/* ---- Markdown -------------------------------------------------------------- */

#define MAX_SUBJECTS 16

/* Subjects in the order they first appear in the table: the columns. */
static size_t subjects(const struct expect_table *t, const char *col[MAX_SUBJECTS])
{
	size_t n = 0;

	for (const struct expect_row *r = t->rows; r->name; r++)
		for (const struct expect_cell *c = r->cells; c->subject; c++) {
			size_t i;

			for (i = 0; i < n; i++)
				if (!strcmp(col[i], c->subject))
					break;
			if (i == n && n < MAX_SUBJECTS)
				col[n++] = c->subject;
		}
	return n;
}

/* A cell of the matrix: every entry of (row, subject), conditions shown. */
static size_t print_cell(const struct expect_row *r, const char *subject, FILE *out)
{
	size_t n = 0;

	for (const struct expect_cell *c = r->cells; c->subject; c++) {
		char cond[160];

		if (strcmp(c->subject, subject))
			continue;
		expect_cond_str(&c->when, cond, sizeof(cond));
		fprintf(out, "%s%s%s%s", n ? "<br>" : "", cond, cond[0] ? ": " : "", c->outcome);
		if (c->xfail)
			fprintf(out, " (XFAIL %s)", c->xfail);
		n++;
	}
	if (!n)
		fputs("?", out);
	return n != 0;
}

static bool same_claim(const struct expect_cell *a, const struct expect_cell *b)
{
#define SAME(x, y) ((!(x) && !(y)) || ((x) && (y) && !strcmp((x), (y))))
	return SAME(a->outcome, b->outcome) && SAME(a->reason, b->reason) &&
	       SAME(a->xfail, b->xfail) && SAME(a->when.kernel, b->when.kernel) &&
	       SAME(a->when.xen, b->when.xen) && SAME(a->when.fact, b->when.fact);
#undef SAME
}

static bool same_cells(const struct expect_row *a, const struct expect_row *b)
{
	const struct expect_cell *c = a->cells, *d = b->cells;

	for (; c->subject && d->subject; c++, d++)
		if (strcmp(c->subject, d->subject) || !same_claim(c, d))
			return false;
	return !c->subject && !d->subject;
}

/*
 * One row's reasons; cells making the same claim are merged into one line,
 * and a row whose cells all claim what an earlier row's do refers to it.
 */
static void print_row_reasons(const struct expect_row *rows, const struct expect_row *r,
			      FILE *out)
{
	fprintf(out, "- **%s** (`%s`) — %s\n", r->name, r->test, r->what);
	for (const struct expect_row *e = rows; e < r; e++)
		if (same_cells(r, e)) {
			fprintf(out, "  - every cell as **%s**\n", e->name);
			return;
		}
	for (const struct expect_cell *c = r->cells; c->subject; c++) {
		const struct expect_cell *d;
		char cond[160];

		for (d = r->cells; d < c; d++)
			if (same_claim(c, d))
				break;
		if (d < c)
			continue;
		fprintf(out, "  - %s", c->subject);
		for (d = c + 1; d->subject; d++)
			if (same_claim(c, d))
				fprintf(out, ", %s", d->subject);
		expect_cond_str(&c->when, cond, sizeof(cond));
		if (cond[0])
			fprintf(out, " (%s)", cond);
		fprintf(out, ": **%s**", c->outcome);
		if (c->xfail)
			fprintf(out, ", XFAIL %s", c->xfail);
		fprintf(out, " — %s\n", c->reason);
	}
}

void expect_print_md(const struct expect_table *t, FILE *out)
{
	const char *col[MAX_SUBJECTS];
	size_t ncol = subjects(t, col), cells = 0;

	fprintf(out, "# %s\n\n", t->title);
	if (t->intro)
		fprintf(out, "%s\n\n", t->intro);
	fputs("## Matrix\n\n", out);
	fprintf(out, "| %s |", t->row_label);
	for (size_t i = 0; i < ncol; i++)
		fprintf(out, " %s |", col[i]);
	fputs("\n|---|", out);
	for (size_t i = 0; i < ncol; i++)
		fputs("---|", out);
	fputc('\n', out);
	for (const struct expect_row *r = t->rows; r->name; r++) {
		fprintf(out, "| %s |", r->name);
		for (size_t i = 0; i < ncol; i++) {
			fputc(' ', out);
			cells += print_cell(r, col[i], out);
			fputs(" |", out);
		}
		fputc('\n', out);
	}
	fprintf(out, "\n%zu cells.\n\n## Per row\n\n", cells);
	for (const struct expect_row *r = t->rows; r->name; r++)
		print_row_reasons(t->rows, r, out);
	if (t->outro)
		fprintf(out, "\n%s\n", t->outro);
}

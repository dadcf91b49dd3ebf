// SPDX-License-Identifier: GPL-2.0
#include "matrix.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#include "report.h"

#define CHECK_MARK "\xE2\x9C\x93" /* U+2713 CHECK MARK */
#define CROSS_MARK "\xE2\x9C\x97" /* U+2717 BALLOT X */
#define EM_DASH	   "\xE2\x80\x94" /* U+2014: a cell never reported */

void matrix_init(struct matrix *m)
{
	memset(m, 0, sizeof(*m));
}

void matrix_free(struct matrix *m)
{
	for (size_t i = 0; i < m->nrows; i++)
		free(m->rows[i]);
	for (size_t i = 0; i < m->ncols; i++)
		free(m->cols[i]);
	free(m->cells);
	memset(m, 0, sizeof(*m));
}

/* Index of name on an axis, or -1. */
static long axis_find(char *const *axis, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(axis[i], name) == 0)
			return (long)i;
	return -1;
}

static size_t axis_add(char **axis, size_t *n, const char *name)
{
	axis[*n] = strdup(name);
	if (!axis[*n]) {
		fprintf(stderr, "gntlab-runner: out of memory\n");
		exit(2);
	}
	return (*n)++;
}

static struct matrix_cell *find_cell(const struct matrix *m, size_t row, size_t col)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->cells[i].row == row && m->cells[i].col == col)
			return &m->cells[i];
	return NULL;
}

enum matrix_add matrix_add(struct matrix *m, const struct matrix_line *l)
{
	long row = axis_find(m->rows, m->nrows, l->row);
	long col = axis_find(m->cols, m->ncols, l->col);
	struct matrix_cell *c;

	/* Neither axis grows for a cell that cannot be kept: a row of nothing
	 * but never-reported cells would only inflate the missing count. */
	if ((row < 0 && m->nrows == MATRIX_AXIS_MAX) || (col < 0 && m->ncols == MATRIX_AXIS_MAX)) {
		m->dropped++;
		return MATRIX_DROPPED;
	}
	if (row < 0)
		row = (long)axis_add(m->rows, &m->nrows, l->row);
	if (col < 0)
		col = (long)axis_add(m->cols, &m->ncols, l->col);
	c = find_cell(m, (size_t)row, (size_t)col);
	if (!c) {
		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 16;
			m->cells = xrealloc(m->cells, m->cap * sizeof(*m->cells));
		}
		c = &m->cells[m->n++];
		memset(c, 0, sizeof(*c));
		c->row = (size_t)row;
		c->col = (size_t)col;
	}
	snprintf(c->expected, sizeof(c->expected), "%s", l->expected);
	snprintf(c->observed, sizeof(c->observed), "%s", l->observed);
	return ++c->reports == 1 ? MATRIX_NEW : MATRIX_REPEATED;
}

const struct matrix_cell *matrix_cell_at(const struct matrix *m, size_t row, size_t col)
{
	return find_cell(m, row, col);
}

bool matrix_cell_matches(const struct matrix_cell *c)
{
	return strcmp(c->observed, c->expected) == 0;
}

struct matrix_counts matrix_count(const struct matrix *m)
{
	struct matrix_counts k = {0};

	for (size_t i = 0; i < m->n; i++) {
		if (matrix_cell_matches(&m->cells[i]))
			k.matched++;
		else
			k.mismatched++;
		if (m->cells[i].reports > 1)
			k.repeated++;
	}
	k.missing = m->nrows * m->ncols - m->n;
	return k;
}

void markdown_write_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			continue;
		if (strchr("\\`*_[]<>|&~", c))
			fputc('\\', f);
		fputc(c, f);
	}
}

static void write_counts(FILE *f, const struct matrix *m)
{
	struct matrix_counts k = matrix_count(m);

	fprintf(f, "matched: %zu, mismatched: %zu, missing: %zu", k.matched, k.mismatched,
		k.missing);
}

/* The notes under the table, as plain text lines (escaped by the caller's fn). */
static void write_notes(FILE *f, const struct matrix *m, void (*esc)(FILE *, const char *),
			const char *item, const char *end)
{
	if (m->dropped)
		fprintf(f, "%s%zu cell%s not shown: more than %d rows or columns%s", item,
			m->dropped, m->dropped == 1 ? "" : "s", MATRIX_AXIS_MAX, end);
	for (size_t i = 0; i < m->n; i++) {
		const struct matrix_cell *c = &m->cells[i];

		if (c->reports < 2)
			continue;
		fputs(item, f);
		esc(f, m->rows[c->row]);
		fputs(" / ", f);
		esc(f, m->cols[c->col]);
		fprintf(f, " was reported %u times; the latest report is shown%s", c->reports, end);
	}
}

int matrix_write_markdown(FILE *f, const struct matrix *m)
{
	fputs("# Behaviour matrix\n\n", f);
	if (m->n == 0 && m->dropped == 0) {
		fputs("No matrix cells were reported (no GNTLAB-MATRIX line in this run).\n\n", f);
		write_counts(f, m);
		fputc('\n', f);
		return ferror(f) ? -1 : 0;
	}
	fputs("Rows: GUP users; columns: mapping modes. Each cell is the observed outcome, "
	      "with " CHECK_MARK " if it is the expected one, " CROSS_MARK
	      " (expected X) if not; " EM_DASH " marks a cell that was never reported.\n\n",
	      f);
	fputs("| GUP user |", f);
	for (size_t j = 0; j < m->ncols; j++) {
		fputc(' ', f);
		markdown_write_escaped(f, m->cols[j]);
		fputs(" |", f);
	}
	fputs("\n| --- |", f);
	for (size_t j = 0; j < m->ncols; j++)
		fputs(" --- |", f);
	fputc('\n', f);
	for (size_t i = 0; i < m->nrows; i++) {
		fputs("| ", f);
		markdown_write_escaped(f, m->rows[i]);
		fputs(" |", f);
		for (size_t j = 0; j < m->ncols; j++) {
			const struct matrix_cell *c = matrix_cell_at(m, i, j);

			fputc(' ', f);
			if (!c) {
				fputs(EM_DASH, f);
			} else if (matrix_cell_matches(c)) {
				markdown_write_escaped(f, c->observed);
				fputs(" " CHECK_MARK, f);
			} else {
				markdown_write_escaped(f, c->observed);
				fputs(" " CROSS_MARK " (expected ", f);
				markdown_write_escaped(f, c->expected);
				fputc(')', f);
			}
			fputs(" |", f);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
	write_counts(f, m);
	fputc('\n', f);
	if (m->dropped || matrix_count(m).repeated) {
		fputc('\n', f);
		write_notes(f, m, markdown_write_escaped, "- ", "\n");
	}
	return ferror(f) ? -1 : 0;
}

static void html_escape(FILE *f, const char *s)
{
	xml_write_escaped(f, s, false);
}

int matrix_write_html(FILE *f, const struct matrix *m)
{
	fputs("<!DOCTYPE html>\n"
	      "<html lang=\"en\">\n"
	      "<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<title>gntlab behaviour matrix</title>\n"
	      "<style>\n"
	      "body { font-family: sans-serif; margin: 2em; }\n"
	      "table { border-collapse: collapse; }\n"
	      "th, td { border: 1px solid #999; padding: 0.3em 0.8em; text-align: left; }\n"
	      "thead th { background: #f0f0f0; }\n"
	      "td.match { background: #c8e6c9; }\n"
	      "td.mismatch { background: #ffcdd2; }\n"
	      "td.missing { background: #e0e0e0; color: #666; }\n"
	      "</style>\n"
	      "</head>\n"
	      "<body>\n"
	      "<h1>Behaviour matrix</h1>\n",
	      f);
	if (m->n == 0 && m->dropped == 0) {
		fputs("<p>No matrix cells were reported (no GNTLAB-MATRIX line in this run).</p>\n",
		      f);
	} else {
		fputs("<p>Rows: GUP users; columns: mapping modes. Each cell is the observed "
		      "outcome: green if it is the expected one, red (with the expected one) if "
		      "not, grey if the cell was never reported.</p>\n"
		      "<table>\n<thead><tr><th>GUP user</th>",
		      f);
		for (size_t j = 0; j < m->ncols; j++) {
			fputs("<th>", f);
			html_escape(f, m->cols[j]);
			fputs("</th>", f);
		}
		fputs("</tr></thead>\n<tbody>\n", f);
		for (size_t i = 0; i < m->nrows; i++) {
			fputs("<tr><th>", f);
			html_escape(f, m->rows[i]);
			fputs("</th>", f);
			for (size_t j = 0; j < m->ncols; j++) {
				const struct matrix_cell *c = matrix_cell_at(m, i, j);

				if (!c) {
					fputs("<td class=\"missing\">" EM_DASH "</td>", f);
				} else if (matrix_cell_matches(c)) {
					fputs("<td class=\"match\">", f);
					html_escape(f, c->observed);
					fputs(" " CHECK_MARK "</td>", f);
				} else {
					fputs("<td class=\"mismatch\">", f);
					html_escape(f, c->observed);
					fputs(" " CROSS_MARK " (expected ", f);
					html_escape(f, c->expected);
					fputs(")</td>", f);
				}
			}
			fputs("</tr>\n", f);
		}
		fputs("</tbody>\n</table>\n", f);
	}
	fputs("<p class=\"counts\">", f);
	write_counts(f, m);
	fputs("</p>\n", f);
	if (m->dropped || matrix_count(m).repeated) {
		fputs("<ul>\n", f);
		write_notes(f, m, html_escape, "<li>", "</li>\n");
		fputs("</ul>\n", f);
	}
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

int matrix_write_tsv(FILE *f, const struct matrix *m)
{
	fputs("# row\tcol\texpected\tobserved\treports\n", f);
	for (size_t i = 0; i < m->n; i++) {
		const struct matrix_cell *c = &m->cells[i];

		fprintf(f, "%s\t%s\t%s\t%s\t%u\n", m->rows[c->row], m->cols[c->col], c->expected,
			c->observed, c->reports);
	}
	return ferror(f) ? -1 : 0;
}

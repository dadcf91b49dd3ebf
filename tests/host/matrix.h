// SPDX-License-Identifier: GPL-2.0
/*
 * The behaviour matrix: which GUP user (row) gets which outcome from which
 * mapping mode (column), as the guest tests report it through dom0 in
 * GNTLAB-MATRIX lines. Written to matrix.md and matrix.html every run.
 *
 * The matrix is a report, not a verdict: a cell whose observed outcome is not
 * the expected one is also a failing test (the tests report it themselves), so
 * nothing here decides whether a run passes.
 */
#ifndef GNTLAB_HOST_MATRIX_H
#define GNTLAB_HOST_MATRIX_H

#include <stdbool.h>
#include <stdio.h>

#include "serial.h"

/* Rows and columns kept; cells beyond them are counted, not shown. */
#define MATRIX_AXIS_MAX 64

struct matrix_cell {
	size_t row, col; /* indexes into matrix.rows / matrix.cols */
	char expected[MATRIX_WORD_MAX + 1];
	char observed[MATRIX_WORD_MAX + 1];
	unsigned reports; /* how often it was reported; the latest report is kept */
};

struct matrix {
	char *rows[MATRIX_AXIS_MAX]; /* in the order first seen */
	size_t nrows;
	char *cols[MATRIX_AXIS_MAX];
	size_t ncols;
	struct matrix_cell *cells; /* in the order first reported */
	size_t n, cap;
	size_t dropped; /* cells not kept: their row or column was one too many */
};

struct matrix_counts {
	size_t matched;	   /* reported, observed == expected */
	size_t mismatched; /* reported, observed != expected */
	size_t missing;	   /* row and column known, cell never reported */
	size_t repeated;   /* cells reported more than once */
};

enum matrix_add {
	MATRIX_NEW,	 /* a cell reported for the first time */
	MATRIX_REPEATED, /* reported again: the latest report replaces the earlier */
	MATRIX_DROPPED,	 /* too many rows or columns */
};

void matrix_init(struct matrix *m);
void matrix_free(struct matrix *m);
enum matrix_add matrix_add(struct matrix *m, const struct matrix_line *l);
/* The cell at (row, col), or NULL if it was never reported. */
const struct matrix_cell *matrix_cell_at(const struct matrix *m, size_t row, size_t col);
bool matrix_cell_matches(const struct matrix_cell *c); /* exact, case-sensitive */
struct matrix_counts matrix_count(const struct matrix *m);

/*
 * Write s for Markdown text in a table cell: ASCII punctuation that Markdown
 * or a table would interpret (| * _ ` [ ] < > & ~ \) backslash-escaped,
 * control characters dropped.
 */
void markdown_write_escaped(FILE *f, const char *s);

/*
 * matrix.md (a GitHub/GitLab Markdown table) and matrix.html (a self-contained
 * page, cells green/red/grey). Both say so when no cell was reported.
 * Return 0, or -1 on a write error.
 */
int matrix_write_markdown(FILE *f, const struct matrix *m);
int matrix_write_html(FILE *f, const struct matrix *m);
/*
 * matrix.tsv, for programs (tools/matrix merges several runs): a comment
 * line naming the columns, then one line per reported cell in the order
 * first reported: row, column, expected, observed, times reported, separated
 * by a TAB (the words have no white space: serial_parse_matrix()).
 */
int matrix_write_tsv(FILE *f, const struct matrix *m);

#endif /* GNTLAB_HOST_MATRIX_H */

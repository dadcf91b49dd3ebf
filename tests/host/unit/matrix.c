// SPDX-License-Identifier: GPL-2.0
/* Unit tests of matrix.c: the behaviour matrix table and its Markdown and HTML. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/*
 * Table assembly: rows and columns in the order first seen, cells looked up
 * by both, a cell reported again replaced by the latest report, cells never
 * reported counted as missing; a flood of rows cannot grow the table.
 */
TEST(matrix, table)
{
	struct matrix m;
	struct matrix_counts k;
	const struct matrix_cell *c;
	char name[32];

	matrix_init(&m);
	k = matrix_count(&m);
	EXPECT_TRUE(k.matched == 0 && k.mismatched == 0 && k.missing == 0);
	EXPECT_EQ(ut_add_cell(&m, "gup-slow", "special", "EFAULT", "EFAULT"), MATRIX_NEW);
	EXPECT_EQ(ut_add_cell(&m, "odirect-read", "nohook", "ok", "EFAULT"), MATRIX_NEW);
	EXPECT_EQ(ut_add_cell(&m, "gup-slow", "nohook", "ok", "ok"), MATRIX_NEW);
	EXPECT_EQ(ut_add_cell(&m, "gup-slow", "special", "EFAULT", "ok"), MATRIX_REPEATED);
	EXPECT_EQ(m.nrows, 2);
	EXPECT_EQ(m.ncols, 2);
	EXPECT_STREQ(m.rows[0], "gup-slow");
	EXPECT_STREQ(m.rows[1], "odirect-read");
	EXPECT_STREQ(m.cols[0], "special");
	EXPECT_STREQ(m.cols[1], "nohook");
	c = matrix_cell_at(&m, 0, 0);
	EXPECT_TRUE(c && strcmp(c->observed, "ok") == 0 && c->reports == 2 &&
		    !matrix_cell_matches(c));
	c = matrix_cell_at(&m, 0, 1);
	EXPECT_TRUE(c && matrix_cell_matches(c));
	EXPECT_TRUE(matrix_cell_at(&m, 1, 0) == NULL); /* odirect-read/special: never reported */
	c = matrix_cell_at(&m, 1, 1);
	EXPECT_TRUE(c && strcmp(c->expected, "ok") == 0 && strcmp(c->observed, "EFAULT") == 0);
	k = matrix_count(&m);
	EXPECT_EQ(k.matched, 1);
	EXPECT_EQ(k.mismatched, 2);
	EXPECT_EQ(k.missing, 1);
	EXPECT_EQ(k.repeated, 1);
	/* Outcomes compare exactly: "efault" is not "EFAULT". */
	ut_add_cell(&m, "odirect-read", "special", "EFAULT", "efault");
	EXPECT_EQ(matrix_count(&m).mismatched, 3);
	EXPECT_EQ(matrix_count(&m).missing, 0);
	matrix_free(&m);

	/* Beyond MATRIX_AXIS_MAX rows: dropped and counted, neither axis grows. */
	matrix_init(&m);
	for (int i = 0; i < MATRIX_AXIS_MAX; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		EXPECT_EQ(ut_add_cell(&m, name, "special", "ok", "ok"), MATRIX_NEW);
	}
	EXPECT_EQ(ut_add_cell(&m, "one-too-many", "special", "ok", "ok"), MATRIX_DROPPED);
	EXPECT_EQ(ut_add_cell(&m, "one-too-many", "new-mode", "ok", "ok"), MATRIX_DROPPED);
	EXPECT_EQ(ut_add_cell(&m, "r0", "nohook", "ok", "ok"),
		  MATRIX_NEW); /* known row, new column */
	EXPECT_EQ(m.nrows, MATRIX_AXIS_MAX);
	EXPECT_EQ(m.ncols, 2);
	EXPECT_EQ(m.dropped, 2);
	EXPECT_EQ(matrix_count(&m).missing, MATRIX_AXIS_MAX - 1);
	matrix_free(&m);
}

/*
 * Markdown and HTML must show a cell's text, never let it act as markup: a
 * '|' would split a table cell, '<' open a tag, '&' start an entity.
 */
TEST(matrix, escaping)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct matrix m;
	char *out;

	markdown_write_escaped(f, "a|b*c_d`e<f>&g\\h[i]~j\x01\x1b-k.l");
	fclose(f);
	EXPECT_STREQ(buf, "a\\|b\\*c\\_d\\`e\\<f\\>\\&g\\\\h\\[i\\]\\~j-k.l");
	free(buf);

	matrix_init(&m);
	ut_add_cell(&m, "a|b<i>", "m&n", "<ok>", "'\"x\"'");
	out = UT_CAPTURE(matrix_write_markdown, &m);
	EXPECT_HAS(out, "| GUP user | m\\&n |\n| --- | --- |\n"
			"| a\\|b\\<i\\> | '\"x\"' \xE2\x9C\x97 (expected \\<ok\\>) |\n");
	free(out);
	out = UT_CAPTURE(matrix_write_html, &m);
	EXPECT_HAS(out, "<th>m&amp;n</th>");
	EXPECT_HAS(out, "<tr><th>a|b&lt;i&gt;</th><td class=\"mismatch\">&apos;&quot;x&quot;&apos; "
			"\xE2\x9C\x97 (expected &lt;ok&gt;)</td></tr>\n");
	EXPECT_LACKS(out, "<i>");
	free(out);
	matrix_free(&m);
}

/*
 * matrix.md byte for byte: header row of modes, one row per GUP user,
 * observed outcome with its mark, a dash for a cell never reported, the
 * counts, and a note for a cell reported twice.
 */
TEST(matrix, markdown)
{
	struct matrix m;
	char *out;

	matrix_init(&m);
	ut_add_cell(&m, "gup-slow", "special", "EFAULT", "EFAULT");
	ut_add_cell(&m, "gup-slow", "nohook", "ok", "ok");
	ut_add_cell(&m, "odirect-read", "special", "EFAULT", "ok");
	out = UT_CAPTURE(matrix_write_markdown, &m);
	EXPECT_TEXT(out,
		    "# Behaviour matrix\n\n"
		    "Rows: GUP users; columns: mapping modes. Each cell is the observed "
		    "outcome, with \xE2\x9C\x93 if it is the expected one, \xE2\x9C\x97 "
		    "(expected X) if not; \xE2\x80\x94 marks a cell that was never reported.\n\n"
		    "| GUP user | special | nohook |\n"
		    "| --- | --- | --- |\n"
		    "| gup-slow | EFAULT \xE2\x9C\x93 | ok \xE2\x9C\x93 |\n"
		    "| odirect-read | ok \xE2\x9C\x97 (expected EFAULT) | \xE2\x80\x94 |\n"
		    "\n"
		    "matched: 2, mismatched: 1, missing: 1\n");
	free(out);
	ut_add_cell(&m, "gup-slow", "nohook", "ok", "ok");
	out = UT_CAPTURE(matrix_write_markdown, &m);
	EXPECT_HAS(out, "matched: 2, mismatched: 1, missing: 1\n\n"
			"- gup-slow / nohook was reported 2 times; the latest report is shown\n");
	free(out);
	matrix_free(&m);

	/* Nothing reported: the file still says so, with zero counts. */
	matrix_init(&m);
	out = UT_CAPTURE(matrix_write_markdown, &m);
	EXPECT_TEXT(out, "# Behaviour matrix\n\n"
			 "No matrix cells were reported (no GNTLAB-MATRIX line in this run).\n\n"
			 "matched: 0, mismatched: 0, missing: 0\n");
	free(out);
	matrix_free(&m);
}

/* matrix.html: a whole page, no outside resources, one class per cell state. */
TEST(matrix, html)
{
	struct matrix m;
	char *out;

	matrix_init(&m);
	ut_add_cell(&m, "gup-slow", "special", "EFAULT", "EFAULT");
	ut_add_cell(&m, "odirect-read", "nohook", "ok", "SIGSEGV");
	out = UT_CAPTURE(matrix_write_html, &m);
	EXPECT_TRUE(strncmp(out,
			    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">",
			    60) == 0);
	EXPECT_HAS(out, "td.match { background: #c8e6c9; }");
	EXPECT_HAS(out, "td.mismatch { background: #ffcdd2; }");
	EXPECT_HAS(out, "td.missing { background: #e0e0e0;");
	EXPECT_HAS(out, "<thead><tr><th>GUP user</th><th>special</th><th>nohook</th></tr></thead>");
	EXPECT_HAS(out, "<tr><th>gup-slow</th><td class=\"match\">EFAULT \xE2\x9C\x93</td>"
			"<td class=\"missing\">\xE2\x80\x94</td></tr>\n");
	EXPECT_HAS(out, "<tr><th>odirect-read</th><td class=\"missing\">\xE2\x80\x94</td>"
			"<td class=\"mismatch\">SIGSEGV \xE2\x9C\x97 (expected ok)</td></tr>\n");
	EXPECT_HAS(out, "<p class=\"counts\">matched: 1, mismatched: 1, missing: 2</p>\n");
	EXPECT_LACKS(out, "src=");
	EXPECT_LACKS(out, "href=");
	EXPECT_TRUE(strlen(out) > 16 && strcmp(out + strlen(out) - 16, "</body>\n</html>\n") == 0);
	free(out);
	matrix_free(&m);

	matrix_init(&m);
	out = UT_CAPTURE(matrix_write_html, &m);
	EXPECT_HAS(out,
		   "<p>No matrix cells were reported (no GNTLAB-MATRIX line in this run).</p>");
	EXPECT_HAS(out, "<p class=\"counts\">matched: 0, mismatched: 0, missing: 0</p>\n");
	EXPECT_LACKS(out, "<table");
	free(out);
	matrix_free(&m);
}

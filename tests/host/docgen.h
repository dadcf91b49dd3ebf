/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gntlab-docgen: the test catalogue (docs/tests/<suite>.md) and the expectation
 * pages (docs/gup-matrix.md) generated from the test programs, so that a
 * description or an expected outcome is written once, in the code.
 *
 *   gntlab-docgen --out DIR [--check DOCS] [--prune]
 *                 [--tests FILE]... [--tests-as DOC=FILE]...
 *                 [--suites FILE]... [--append SUITE=FILE]... [--page PATH=FILE]...
 *
 * Inputs:
 *   --tests FILE       `prog --list --verbose`: one test a line,
 *                      "suite/name<TAB>description" (\n, \t, \\ escaped) or
 *                      just "suite/name" (written "(no description yet)").
 *                      Each suite gets DIR/tests/<suite>.md.
 *   --tests-as DOC=FILE  the same, but every suite of FILE goes into
 *                      DIR/tests/DOC.md, one "## suite" section each
 *                      (dom0's suites: DOC = dom0).
 *   --suites FILE      `gntlab-guest-tests --print-suites`: one suite a line,
 *                      "suite<TAB>title<TAB>text" (escaped as above): the
 *                      title and introduction of the suite's page (or of the
 *                      combined page DOC, or of its section).
 *   --append SUITE=FILE  Markdown (e.g. `--print-matrix=m2p`) added at the end
 *                      of SUITE's page, its headings one level down.
 *   --page PATH=FILE   Markdown written as DIR/PATH (docs/gup-matrix.md from
 *                      `--print-matrix=gup`).
 * Every generated file starts with the SPDX line and a "generated" note.
 *
 *   --check DOCS       after generating into DIR, compare each file with
 *                      DOCS/<same path>; every difference, and every
 *                      DOCS/tests/<suite>.md that nothing generates, is printed
 *                      as stale ("run make docs"); exit 1.
 *   --prune            remove DIR/tests/<suite>.md that nothing generated.
 *
 * Exit status: 0 written (and equal), 1 stale docs, 2 usage or I/O error.
 */
#ifndef GNTLAB_HOST_DOCGEN_H
#define GNTLAB_HOST_DOCGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct dg_test {
	char *name;  /* "suite/name" */
	char *suite; /* "suite" */
	char *doc;   /* Markdown, NULL: none yet */
	char *into;  /* page: tests/<into>.md */
};

struct dg_text {
	char *key;   /* suite, or page path */
	char *title; /* suites only */
	char *text;
};

struct docgen {
	struct dg_test *tests;
	size_t ntests;
	struct dg_text *suites, *appends, *pages;
	size_t nsuites, nappends, npages;
};

void docgen_init(struct docgen *g);
void docgen_free(struct docgen *g);

/* "a\\nb" -> "a\nb" (also \t and \\); a new string. */
char *docgen_unescape(const char *s);

/* Read a --list [--verbose] output; into NULL: each test into its suite's page. */
int docgen_read_tests(struct docgen *g, FILE *f, const char *path, const char *into, FILE *err);
int docgen_read_suites(struct docgen *g, FILE *f, const char *path, FILE *err);
void docgen_add_append(struct docgen *g, const char *suite, const char *markdown);
void docgen_add_page(struct docgen *g, const char *path, const char *markdown);

/* The pages' names ("tests/m2p.md", "gup-matrix.md"), n of them; free with free(). */
char **docgen_files(const struct docgen *g, size_t *n);
/* The content of one of those files; a new string, NULL if g has no such file. */
char *docgen_render(const struct docgen *g, const char *file);

/* Pages with tests lacking a description: "tests/dom0.md 12, ..." (new string). */
char *docgen_undocumented(const struct docgen *g, size_t *count);

int docgen_main(int argc, char **argv, FILE *out, FILE *err);

#endif /* GNTLAB_HOST_DOCGEN_H */

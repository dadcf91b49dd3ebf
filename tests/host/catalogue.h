// SPDX-License-Identifier: GPL-2.0
/*
 * Test catalogue check: every test the programs know is documented, and every
 * documented test exists.
 *
 *   gntlab-catalogue-check LIST_FILE DOC_FILE...
 *
 * LIST_FILE: one test name ("suite/name") per line, as `--list` prints them
 * ("-" reads standard input); blank lines are ignored.
 * DOC_FILEs: Markdown; a documented test is a level-3 heading that is the
 * test name exactly, optionally in backticks: "### map/ro-basic" or
 * "### `map/ro-basic`". Other "### " headings (with a space, or without a
 * '/') are ordinary headings; headings inside fenced code blocks do not count.
 *
 * Exit status: 0 both sets are equal, 1 a test is undocumented or a documented
 * test does not exist (each one printed), 2 usage or I/O error, a list line
 * that is not one word, or a list without any test (an empty catalogue proves
 * nothing).
 */
#ifndef GNTLAB_HOST_CATALOGUE_H
#define GNTLAB_HOST_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct catalogue_entry {
	char *name;
	char *where; /* "FILE:LINE" */
};

struct catalogue {
	struct catalogue_entry *v;
	size_t n, cap;
};

void catalogue_init(struct catalogue *c);
void catalogue_free(struct catalogue *c);
/* The entry named name, or NULL. */
const struct catalogue_entry *catalogue_find(const struct catalogue *c, const char *name);

/*
 * If line is a test heading, copy the test name (backticks removed) to name
 * and return true. A trailing newline or CR is ignored.
 */
bool catalogue_heading(const char *line, char *name, size_t size);

/*
 * Add the tests of a list (path names it in messages). Returns 0, or -1 with
 * a message on err (read error, a line that is not a single word).
 */
int catalogue_read_list(FILE *f, const char *path, struct catalogue *c, FILE *err);
/* Add the tests a Markdown document describes. Returns 0, or -1 on a read error. */
int catalogue_read_doc(FILE *f, const char *path, struct catalogue *c, FILE *err);

/*
 * Print each listed test missing from docs and each documented test missing
 * from tests, one per line on out. Returns how many it printed.
 */
size_t catalogue_compare(const struct catalogue *tests, const struct catalogue *docs, FILE *out);

/* The whole program; returns its exit status. */
int catalogue_main(int argc, char **argv, FILE *out, FILE *err);

#endif /* GNTLAB_HOST_CATALOGUE_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-catalogue-check: compare the tests that exist with the tests the
 * documentation describes (see catalogue.h for the formats).
 */
#include "catalogue.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_EQUAL   0
#define EXIT_DIFFER  1
#define EXIT_TROUBLE 2

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q) {
		fprintf(stderr, "gntlab-catalogue-check: out of memory\n");
		exit(EXIT_TROUBLE);
	}
	return q;
}

void catalogue_init(struct catalogue *c)
{
	memset(c, 0, sizeof(*c));
}

void catalogue_free(struct catalogue *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].where);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

const struct catalogue_entry *catalogue_find(const struct catalogue *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

/* Add name unless it is there already; a repeat is noted on err. */
static void add(struct catalogue *c, const char *name, const char *path, unsigned long line,
		FILE *err)
{
	const struct catalogue_entry *seen = catalogue_find(c, name);
	struct catalogue_entry *e;

	if (seen) {
		fprintf(err, "%s:%lu: note: %s again (first at %s)\n", path, line, name,
			seen->where);
		return;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	e = &c->v[c->n++];
	e->name = strdup(name);
	if (!e->name || asprintf(&e->where, "%s:%lu", path, line) < 0) {
		fprintf(stderr, "gntlab-catalogue-check: out of memory\n");
		exit(EXIT_TROUBLE);
	}
}

/* Strip the line terminator and trailing white space in place; return the length. */
static size_t rtrim(char *s)
{
	size_t len = strlen(s);

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return len;
}

static bool has_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (isspace((unsigned char)s[i]))
			return true;
	return false;
}

bool catalogue_heading(const char *line, char *name, size_t size)
{
	const char *text;
	size_t len;

	if (strncmp(line, "### ", 4) != 0)
		return false;
	text = line + 4;
	len = strlen(text);
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	if (len >= 2 && text[0] == '`' && text[len - 1] == '`') {
		text++;
		len -= 2;
	}
	/* A test name is one word "suite/name"; anything else is prose. */
	if (len == 0 || len >= size || has_space(text, len) || !memchr(text, '/', len) ||
	    memchr(text, '`', len))
		return false;
	memcpy(name, text, len);
	name[len] = '\0';
	return true;
}

int catalogue_read_list(FILE *f, const char *path, struct catalogue *c, FILE *err)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	int rc = 0;

	while (getline(&line, &cap, f) >= 0) {
		char *name = line;
		size_t len;

		lineno++;
		while (isspace((unsigned char)*name))
			name++;
		len = rtrim(name);
		if (len == 0)
			continue;
		if (has_space(name, len)) {
			fprintf(err,
				"%s:%lu: not a test name (one word per line expected): %.200s\n",
				path, lineno, name);
			rc = -1;
			break;
		}
		add(c, name, path, lineno, err);
	}
	if (ferror(f)) {
		fprintf(err, "%s: read error: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(line);
	return rc;
}

/* A fence line opens or closes a code block: at most 3 spaces, then ``` or ~~~. */
static char fence_char(const char *line, size_t *run)
{
	size_t indent = 0, n = 0;

	while (line[indent] == ' ' && indent < 4)
		indent++;
	if (indent > 3 || (line[indent] != '`' && line[indent] != '~'))
		return 0;
	while (line[indent + n] == line[indent])
		n++;
	if (n < 3)
		return 0;
	*run = n;
	return line[indent];
}

int catalogue_read_doc(FILE *f, const char *path, struct catalogue *c, FILE *err)
{
	char *line = NULL, *name = NULL;
	size_t cap = 0, name_size = 0;
	unsigned long lineno = 0;
	char fence = 0;
	size_t fence_run = 0;
	int rc = 0;

	while (getline(&line, &cap, f) >= 0) {
		size_t run = 0;
		char fc = fence_char(line, &run);

		lineno++;
		/* A fence closes only with the same character, at least as long. */
		if (fc && !fence) {
			fence = fc;
			fence_run = run;
			continue;
		}
		if (fence) {
			if (fc == fence && run >= fence_run)
				fence = 0;
			continue;
		}
		if (name_size < cap) {
			name_size = cap;
			name = xrealloc(name, name_size);
		}
		if (catalogue_heading(line, name, name_size))
			add(c, name, path, lineno, err);
	}
	if (ferror(f)) {
		fprintf(err, "%s: read error: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(line);
	free(name);
	return rc;
}

size_t catalogue_compare(const struct catalogue *tests, const struct catalogue *docs, FILE *out)
{
	size_t problems = 0;

	for (size_t i = 0; i < tests->n; i++)
		if (!catalogue_find(docs, tests->v[i].name)) {
			fprintf(out, "undocumented: %s (listed at %s)\n", tests->v[i].name,
				tests->v[i].where);
			problems++;
		}
	for (size_t i = 0; i < docs->n; i++)
		if (!catalogue_find(tests, docs->v[i].name)) {
			fprintf(out, "no such test: %s (documented at %s)\n", docs->v[i].name,
				docs->v[i].where);
			problems++;
		}
	return problems;
}

static int read_file(const char *path, bool is_list, struct catalogue *c, FILE *err)
{
	bool std = is_list && strcmp(path, "-") == 0;
	FILE *f = std ? stdin : fopen(path, "r");
	int rc;

	if (!f) {
		fprintf(err, "gntlab-catalogue-check: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	rc = is_list ? catalogue_read_list(f, std ? "<stdin>" : path, c, err)
		     : catalogue_read_doc(f, path, c, err);
	if (!std)
		fclose(f);
	return rc;
}

int catalogue_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct catalogue tests, docs;
	size_t problems;
	int rc = EXIT_TROUBLE;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs("usage: gntlab-catalogue-check LIST_FILE DOC_FILE...\n", out);
		return EXIT_EQUAL;
	}
	if (argc < 3) {
		fputs("usage: gntlab-catalogue-check LIST_FILE DOC_FILE...\n"
		      "  LIST_FILE: one test name per line ('-': standard input)\n"
		      "  DOC_FILE:  Markdown, one '### suite/name' heading per documented test\n",
		      err);
		return EXIT_TROUBLE;
	}
	catalogue_init(&tests);
	catalogue_init(&docs);
	if (read_file(argv[1], true, &tests, err) != 0)
		goto out;
	if (tests.n == 0) {
		fprintf(err, "gntlab-catalogue-check: %s lists no tests\n", argv[1]);
		goto out;
	}
	for (int i = 2; i < argc; i++)
		if (read_file(argv[i], false, &docs, err) != 0)
			goto out;
	problems = catalogue_compare(&tests, &docs, out);
	if (problems) {
		fprintf(err,
			"gntlab-catalogue-check: %zu problem%s: every test needs a '### "
			"suite/name' "
			"heading in the docs, and every such heading a test\n",
			problems, problems == 1 ? "" : "s");
		rc = EXIT_DIFFER;
	} else {
		fprintf(out, "catalogue: all %zu tests documented (%d doc file%s)\n", tests.n,
			argc - 2, argc == 3 ? "" : "s");
		rc = EXIT_EQUAL;
	}
out:
	catalogue_free(&tests);
	catalogue_free(&docs);
	return rc;
}

#ifndef GNTLAB_CATALOGUE_NO_MAIN
int main(int argc, char **argv)
{
	return catalogue_main(argc, argv, stdout, stderr);
}
#endif

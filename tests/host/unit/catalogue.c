// SPDX-License-Identifier: GPL-2.0
/* Unit tests of catalogue.c, and the gntlab-catalogue-check program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "unit.h"

static void check_heading(const char *line, const char *want)
{
	char name[64] = "";
	bool got = catalogue_heading(line, name, sizeof(name));

	EXPECT_EQ(got, want != NULL) TH_MSG("catalogue_heading(\"%s\")", line);
	if (got && want)
		EXPECT_STREQ(name, want) TH_MSG("catalogue_heading(\"%s\")", line);
}

/*
 * What counts as a documented test: "### suite/name", optionally in
 * backticks, and nothing else; prose headings are not tests.
 */
TEST(catalogue, headings)
{
	check_heading("### map/ro-basic", "map/ro-basic");
	check_heading("### `map/ro-basic`\n", "map/ro-basic");
	check_heading("### map/ro-basic  \r\n", "map/ro-basic");
	check_heading("### `m2p/lookup`\t\n", "m2p/lookup");
	/* Not test headings. */
	check_heading("#### map/ro-basic", NULL);
	check_heading("## map/ro-basic", NULL);
	check_heading("###map/ro-basic", NULL);
	check_heading(" ### map/ro-basic", NULL);
	check_heading("### Notes on mapping", NULL);
	check_heading("### GNTLAB_IOC_MAP", NULL);
	check_heading("### map/ro-basic (slow)", NULL);
	check_heading("### `map/ro-basic", NULL);
	check_heading("### ``", NULL);
	check_heading("### ", NULL);
	check_heading("text ### map/x", NULL);
	/* Longer than the buffer: refused, not cut. */
	check_heading("### map/0123456789012345678901234567890123456789012345678901234567890123",
		      NULL);
}

struct catrun {
	char *dir;
	char *out, *err;
	int rc;
};

/* Write list and docs (NULL-terminated) into a scratch folder, run catalogue_main. */
static void catalogue_run(struct catrun *cr, const char *list, const char *const *docs)
{
	char *argv[16], paths[16][4200];
	int argc = 0;
	size_t olen, elen;
	FILE *out, *err;

	memset(cr, 0, sizeof(*cr));
	cr->dir = ut_tmpdir("catalogue");
	argv[argc++] = "gntlab-catalogue-check";
	snprintf(paths[argc], sizeof(paths[argc]), "%s/tests.list", cr->dir);
	ut_write_file(paths[argc], list);
	argv[argc] = paths[argc];
	argc++;
	for (int i = 0; docs[i]; i++) {
		snprintf(paths[argc], sizeof(paths[argc]), "%s/doc%d.md", cr->dir, i + 1);
		ut_write_file(paths[argc], docs[i]);
		argv[argc] = paths[argc];
		argc++;
	}
	argv[argc] = NULL;
	out = open_memstream(&cr->out, &olen);
	err = open_memstream(&cr->err, &elen);
	cr->rc = catalogue_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	/* Kept with the scratch folder if the test fails. */
	snprintf(paths[0], sizeof(paths[0]), "%s/out.txt", cr->dir);
	ut_write_file(paths[0], cr->out);
	snprintf(paths[0], sizeof(paths[0]), "%s/err.txt", cr->dir);
	ut_write_file(paths[0], cr->err);
}

static void catalogue_done(struct catrun *cr)
{
	free(cr->dir);
	free(cr->out);
	free(cr->err);
}

/* Both sets equal: exit 0, across several files, CRLF, fences and prose. */
TEST(catalogue, equal)
{
	struct catrun cr;

	catalogue_run(&cr, "map/ro-basic\nmap/rw-basic\n\n  m2p/lookup  \r\n",
		      (const char *const[]){"# Mapping tests\r\n\r\n### map/ro-basic\r\n"
					    "Maps read-only.\r\n### `map/rw-basic`\r\n",
					    "## m2p\n### Notes on m2p\n### m2p/lookup\n"
					    "```sh\n### not/a-test (inside a fence)\n```\n",
					    NULL});
	EXPECT_EQ(cr.rc, 0);
	EXPECT_STREQ(cr.out, "catalogue: all 3 tests documented (2 doc files)\n");
	EXPECT_STREQ(cr.err, "");
	catalogue_done(&cr);

	/* Documented twice, listed twice: noted, still equal sets. */
	catalogue_run(&cr, "a/b\na/b\n", (const char *const[]){"### a/b\n### `a/b`\n", NULL});
	EXPECT_EQ(cr.rc, 0);
	EXPECT_HAS(cr.err, "tests.list:2: note: a/b again (first at ");
	EXPECT_HAS(cr.err, "doc1.md:2: note: a/b again (first at ");
	catalogue_done(&cr);
}

/* Each undocumented test and each documented ghost is printed; exit 1. */
TEST(catalogue, differ)
{
	struct catrun cr;

	catalogue_run(&cr, "map/ro-basic\nmap/new-test\nm2p/lookup\n",
		      (const char *const[]){"### map/ro-basic\n\n### map/renamed-away\n",
					    "### m2p/lookup\n~~~\n```\n### map/new-test\n~~~\n"
					    "### `m2p/gone`\n",
					    NULL});
	EXPECT_EQ(cr.rc, 1);
	EXPECT_HAS(cr.out, "undocumented: map/new-test (listed at ");
	EXPECT_HAS(cr.out, "/tests.list:2)\n");
	EXPECT_HAS(cr.out, "no such test: map/renamed-away (documented at ");
	EXPECT_HAS(cr.out, "/doc1.md:3)\n");
	EXPECT_HAS(cr.out, "no such test: m2p/gone (documented at ");
	EXPECT_HAS(cr.out, "/doc2.md:6)\n");
	/* The heading inside the ~~~ fence (with a ``` line in it) did not count. */
	EXPECT_LACKS(cr.out, "map/ro-basic");
	EXPECT_LACKS(cr.out, "m2p/lookup");
	EXPECT_HAS(cr.err, "3 problems");
	catalogue_done(&cr);

	/* Docs without a single test heading: every test is undocumented. */
	catalogue_run(&cr, "a/b\n", (const char *const[]){"# Nothing here\n", NULL});
	EXPECT_EQ(cr.rc, 1);
	EXPECT_HAS(cr.out, "undocumented: a/b");
	EXPECT_HAS(cr.err, "1 problem:");
	catalogue_done(&cr);
}

/* Usage and input errors: exit 2, with a reason, never 0. */
TEST(catalogue, errors)
{
	struct catrun cr;
	char *out = NULL, *err = NULL;
	size_t olen, elen;
	FILE *o = open_memstream(&out, &olen), *e = open_memstream(&err, &elen);

	EXPECT_EQ(catalogue_main(2, (char *[]){"gntlab-catalogue-check", "list", NULL}, o, e), 2);
	EXPECT_EQ(catalogue_main(3,
				 (char *[]){"gntlab-catalogue-check", "/nonexistent/list",
					    "/nonexistent/doc.md", NULL},
				 o, e),
		  2);
	fclose(o);
	fclose(e);
	EXPECT_HAS(err, "usage: gntlab-catalogue-check LIST_FILE DOC_FILE...");
	EXPECT_HAS(err, "cannot open /nonexistent/list: No such file or directory");
	EXPECT_TEXT(out, "");
	free(out);
	free(err);

	/* A doc file that cannot be read: no comparison on half the docs. */
	catalogue_run(&cr, "a/b\n", (const char *const[]){"### a/b\n", NULL});
	{
		char list[4200], *out2 = NULL, *err2 = NULL;
		size_t l1, l2;
		FILE *o2 = open_memstream(&out2, &l1), *e2 = open_memstream(&err2, &l2);

		snprintf(list, sizeof(list), "%s/tests.list", cr.dir);
		EXPECT_EQ(catalogue_main(4,
					 (char *[]){"gntlab-catalogue-check", list,
						    "/nonexistent/doc.md", list, NULL},
					 o2, e2),
			  2);
		fclose(o2);
		fclose(e2);
		EXPECT_HAS(err2, "cannot open /nonexistent/doc.md");
		EXPECT_STREQ(out2, "");
		free(out2);
		free(err2);
	}
	catalogue_done(&cr);
	catalogue_run(&cr, "a/b\n", (const char *const[]){NULL});
	EXPECT_EQ(cr.rc, 2); /* no doc file at all: usage */
	catalogue_done(&cr);

	/* TAP output instead of a list: refused, not compared. */
	catalogue_run(&cr, "TAP version 13\nok 1 - a/b\n",
		      (const char *const[]){"### a/b\n", NULL});
	EXPECT_EQ(cr.rc, 2);
	EXPECT_HAS(cr.err,
		   "tests.list:1: not a test name (one word per line expected): TAP version");
	EXPECT_STREQ(cr.out, "");
	catalogue_done(&cr);

	/* An empty list proves nothing. */
	catalogue_run(&cr, "\n\n", (const char *const[]){"# none\n", NULL});
	EXPECT_EQ(cr.rc, 2);
	EXPECT_HAS(cr.err, "lists no tests");
	catalogue_done(&cr);
}

/* Run the built program: exit 0 / 1 / 2 as catalogue_main says. */
static int run_catalogue(const char *const *args, const char *out_path)
{
	char *argv[16];
	int argc = 0;

	argv[argc++] = (char *)ut_catalogue;
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	return ut_wait_exit(ut_spawn(argv, out_path, NULL));
}

/* The built gntlab-catalogue-check. */
TEST_TIMEOUT(catalogue, program, 60)
{
	char list[4200], doc[4200], bad[4200], out[4200];
	char *dir, *text;

	ut_need_catalogue();
	dir = ut_tmpdir("catalogue-bin");

	snprintf(list, sizeof(list), "%s/tests.list", dir);
	snprintf(doc, sizeof(doc), "%s/tests.md", dir);
	snprintf(bad, sizeof(bad), "%s/stale.md", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	ut_write_file(list, "map/ro-basic\nm2p/lookup\n");
	ut_write_file(doc, "### `map/ro-basic`\n### m2p/lookup\n");
	ut_write_file(bad, "### map/ro-basic\n### map/removed\n");
	EXPECT_EQ(run_catalogue((const char *const[]){list, doc, NULL}, out), 0);
	EXPECT_EQ(run_catalogue((const char *const[]){list, bad, NULL}, out), 1);
	text = ut_slurp(out);
	EXPECT_HAS(text, "undocumented: m2p/lookup");
	EXPECT_HAS(text, "no such test: map/removed");
	free(text);
	EXPECT_EQ(run_catalogue((const char *const[]){list, NULL}, out), 2);
	EXPECT_EQ(run_catalogue((const char *const[]){list, "/nonexistent.md", NULL}, out), 2);
	free(dir);
}

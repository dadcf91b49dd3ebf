// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of gntlab-docgen (docgen.c): reading the programs' listings,
 * the pages it renders, and the stale-docs check of `make check`.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docgen.h"
#include "harness.h"

/* Run docgen_main on argv (NULL-terminated); stdout and stderr into *out, *err. */
static int run(const char *const *args, char **out, char **err)
{
	size_t lo, le, argc = 0;
	char *argv[32];
	FILE *o = open_memstream(out, &lo), *e = open_memstream(err, &le);
	int rc;

	ASSERT_NONNULL(o);
	ASSERT_NONNULL(e);
	argv[argc++] = "gntlab-docgen";
	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	rc = docgen_main((int)argc, argv, o, e);
	fclose(o);
	fclose(e);
	return rc;
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ASSERT_NONNULL(f) TH_MSG("%s", path);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *dir, const char *name)
{
	char path[512], *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int c;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	while ((c = fgetc(f)) != EOF) {
		if (len + 2 > cap)
			buf = realloc(buf, cap = cap ? cap * 2 : 256);
		buf[len++] = (char)c;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = 0;
	return buf;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove a scratch folder and free its name. */
static void done(char *dir)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static char *scratch(void)
{
	char *d = strdup("/tmp/gntlab-docgen-XXXXXX");

	ASSERT_NONNULL(mkdtemp(d));
	return d;
}

static void read_tests(struct docgen *g, const char *text, const char *into)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	ASSERT_NONNULL(f);
	ASSERT_EQ(docgen_read_tests(g, f, "list", into, stderr), 0);
	fclose(f);
}

TH_DOC(docgen, unescape, "`\\n`, `\\t` and `\\\\` of `--list --verbose` are undone.")
TEST(docgen, unescape)
{
	char *s = docgen_unescape("a\\nb\\tc\\\\n");

	ASSERT_STREQ(s, "a\nb\tc\\n");
	free(s);
}

TH_DOC(docgen, suite_page,
       "A suite's page: its title and intro from `--print-suites`, one section per test in "
       "list order, variants with one description merged into one section, a test without a "
       "description written \"(no description yet)\", and an appended table with its "
       "headings one level down.")
TEST(docgen, suite_page)
{
	struct docgen g;
	static char suites[] = "m2p\tm2p: what a mapping is\tIntro\\nline 2\n";
	FILE *s = fmemopen(suites, strlen(suites), "r");
	char **files, *page;
	size_t n;

	docgen_init(&g);
	read_tests(&g,
		   "m2p/special_inv\tSame doc\n"
		   "m2p/nohook_inv\tSame doc\n"
		   "m2p/solo\n"
		   "gup/fast\tProbe.\\nSecond line.\n",
		   NULL);
	ASSERT_NONNULL(s);
	ASSERT_EQ(docgen_read_suites(&g, s, "suites", stderr), 0);
	fclose(s);
	docgen_add_append(&g, "m2p", "# Table\n\n## Matrix\n```\n# not a heading\n```\n");
	files = docgen_files(&g, &n);
	ASSERT_EQ(n, 2);
	EXPECT_STREQ(files[0], "tests/m2p.md");
	EXPECT_STREQ(files[1], "tests/gup.md");
	page = docgen_render(&g, "tests/m2p.md");
	ASSERT_NONNULL(page);
	EXPECT_NONNULL(strstr(page, "<!-- SPDX-License-Identifier: GPL-2.0 -->\n"));
	EXPECT_NONNULL(strstr(page, "\n# m2p: what a mapping is\n\nIntro\nline 2\n"));
	EXPECT_NONNULL(strstr(page, "\n### m2p/special_inv, m2p/nohook_inv\nSame doc\n"));
	EXPECT_NONNULL(strstr(page, "\n### m2p/solo\n(no description yet)\n"));
	EXPECT_NONNULL(strstr(page, "\n## Table\n\n### Matrix\n```\n# not a heading\n```\n"));
	EXPECT_NULL(strstr(page, "gup/fast"));
	free(page);
	page = docgen_render(&g, "tests/gup.md");
	ASSERT_NONNULL(page);
	/* No suite description: the suite's name and a placeholder. */
	EXPECT_NONNULL(strstr(page, "\n# gup\n\n(no description yet)\n\n### gup/fast\nProbe.\n"
				    "Second line.\n"));
	free(page);
	EXPECT_NULL(docgen_render(&g, "tests/none.md"));
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	docgen_free(&g);
}

TH_DOC(docgen, combined_page,
       "`--tests-as dom0=FILE`: every suite of the listing goes into tests/dom0.md, one "
       "\"## suite\" section each.")
TEST(docgen, combined_page)
{
	struct docgen g;
	char *page;

	docgen_init(&g);
	read_tests(&g, "boot/libvirt\tConnects.\ngrant/create\n", "dom0");
	page = docgen_render(&g, "tests/dom0.md");
	ASSERT_NONNULL(page);
	EXPECT_NONNULL(strstr(page, "\n# dom0\n\n(no description yet)\n\n## boot\n\n"
				    "(no description yet)\n\n### boot/libvirt\nConnects.\n\n"
				    "## grant\n"));
	EXPECT_NULL(docgen_render(&g, "tests/boot.md"));
	free(page);
	docgen_free(&g);
}

TH_DOC(docgen, bad_lists,
       "A list line that is not a test name, or a name listed twice, is an error (exit 2), "
       "and so is an empty list: an empty catalogue proves nothing.")
TEST(docgen, bad_lists)
{
	char *dir = scratch(), list[300], out[300], *o, *e;
	struct docgen g;
	FILE *f, *null;

	docgen_init(&g);
	f = fmemopen("a/b\na/b\n", 8, "r");
	null = fopen("/dev/null", "w");
	ASSERT_NONNULL(null);
	EXPECT_EQ(docgen_read_tests(&g, f, "list", NULL, null), -1);
	fclose(null);
	fclose(f);
	docgen_free(&g);
	snprintf(list, sizeof(list), "%s/list", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	put(dir, "list", "not a name\n");
	EXPECT_EQ(run((const char *[]){ "--out", out, "--tests", list, NULL }, &o, &e), 2);
	EXPECT_NONNULL(strstr(e, "list:1: not \"suite/name[<TAB>description]\""));
	free(o);
	free(e);
	put(dir, "list", "\n");
	EXPECT_EQ(run((const char *[]){ "--out", out, "--tests", list, NULL }, &o, &e), 2);
	EXPECT_NONNULL(strstr(e, "no tests listed"));
	free(o);
	free(e);
	put(dir, "list", "a/b\n");
	EXPECT_EQ(run((const char *[]){ "--out", out, "--tests", list, "--append", "zz=/dev/null",
					NULL },
		      &o, &e),
		  2);
	EXPECT_NONNULL(strstr(e, "--append zz: no test of that suite"));
	free(o);
	free(e);
	done(dir);
}

TH_DOC(docgen, check_stale,
       "The `make check` path: generating into a scratch folder with `--check DOCS` passes "
       "when DOCS holds what `make docs` wrote, and fails (exit 1) naming the stale file and "
       "saying \"run make docs\" when one expectation or description changed, when a page is "
       "missing, or when DOCS holds a suite page nothing generates; `--prune` removes that "
       "page.")
TEST(docgen, check_stale)
{
	char *dir = scratch(), p[7][300], pg[400], *o, *e, *text;

	snprintf(p[0], 300, "%s/docs", dir);
	snprintf(p[1], 300, "%s/gen", dir);
	snprintf(p[2], 300, "%s/list", dir);
	snprintf(p[3], 300, "%s/matrix.md", dir);
	snprintf(p[4], 300, "%s/docs/tests/m2p.md", dir);
	snprintf(p[5], 300, "%s/docs/tests/old.md", dir);
	snprintf(p[6], 300, "%s/docs/gup-matrix.md", dir);
	put(dir, "list", "m2p/a\tDoc A.\ngup/b\n");
	put(dir, "matrix.md", "# Matrix\n\n| r | special |\n|---|---|\n| x | ok |\n");
	/* "make docs" */
	snprintf(pg, sizeof(pg), "gup-matrix.md=%s", p[3]);
	ASSERT_EQ(run((const char *[]){ "--out", p[0], "--prune", "--tests", p[2], "--page", pg,
					NULL },
		      &o, &e),
		  0)
		TH_MSG("%s", e);
	EXPECT_NONNULL(strstr(o, "docgen: 2 tests, 1 without a description (tests/gup.md 1)"));
	free(o);
	free(e);
	text = get(p[0], "gup-matrix.md");
	ASSERT_NONNULL(text);
	EXPECT_NONNULL(strstr(text, "Generated by gntlab-docgen"));
	EXPECT_NONNULL(strstr(text, "| x | ok |\n"));
	free(text);
	/* "make check" right after: equal. */
	EXPECT_EQ(run((const char *[]){ "--out", p[1], "--check", p[0], "--tests", p[2], "--page",
					pg, NULL },
		      &o, &e),
		  0)
		TH_MSG("%s%s", o, e);
	free(o);
	free(e);
	/* One expectation edited in code, docs not regenerated. */
	put(dir, "matrix.md", "# Matrix\n\n| r | special |\n|---|---|\n| x | EFAULT |\n");
	EXPECT_EQ(run((const char *[]){ "--out", p[1], "--check", p[0], "--tests", p[2], "--page",
					pg, NULL },
		      &o, &e),
		  1);
	EXPECT_NONNULL(strstr(o, p[6])) TH_MSG("%s", o);
	EXPECT_NONNULL(strstr(o, "is stale")) TH_MSG("%s", o);
	EXPECT_NONNULL(strstr(o, "run make docs")) TH_MSG("%s", o);
	EXPECT_NULL(strstr(o, p[4])) TH_MSG("m2p.md did not change: %s", o);
	free(o);
	free(e);
	/* A description edited; a page nothing generates; a page missing. */
	put(dir, "matrix.md", "# Matrix\n\n| r | special |\n|---|---|\n| x | ok |\n");
	put(dir, "list", "m2p/a\tDoc A, edited.\ngup/b\n");
	put(p[0], "tests/old.md", "# old\n");
	ASSERT_EQ(unlink(p[6]), 0);
	EXPECT_EQ(run((const char *[]){ "--out", p[1], "--check", p[0], "--tests", p[2], "--page",
					pg, NULL },
		      &o, &e),
		  1);
	EXPECT_NONNULL(strstr(o, p[4])) TH_MSG("%s", o);
	EXPECT_NONNULL(strstr(o, p[5])) TH_MSG("%s", o);
	EXPECT_NONNULL(strstr(o, p[6])) TH_MSG("%s", o);
	EXPECT_NONNULL(strstr(e, "3 stale docs")) TH_MSG("%s", e);
	free(o);
	free(e);
	/* make docs again: pruned, equal. */
	ASSERT_EQ(run((const char *[]){ "--out", p[0], "--prune", "--tests", p[2], "--page", pg,
					NULL },
		      &o, &e),
		  0);
	free(o);
	free(e);
	EXPECT_NE(access(p[5], F_OK), 0);
	EXPECT_EQ(run((const char *[]){ "--out", p[1], "--check", p[0], "--tests", p[2], "--page",
					pg, NULL },
		      &o, &e),
		  0);
	free(o);
	free(e);
	done(dir);
}

TH_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the guest suites' expectation tables (tests/guest/expect.*):
 * version ranges, the lookup (most specific cell wins; none or two is an
 * error), the Markdown, and the verdicts a cell gives inside a test (ERROR
 * for a hole in the table, XFAIL/XPASS for a cell with a reference).
 *
 * The "verdicts/" tests end in ERROR, FAIL, XFAIL and XPASS on purpose: they
 * run only with --verdict-demos, which expect/verdicts does and checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../guest/expect.h" /* not tests/host/expect.h (the runner's --expect list) */
#include "harness.h"

static struct expect_version ver(const char *s)
{
	struct expect_version v;

	expect_version_parse(s, &v);
	return v;
}

TH_DOC(expect, versions, "`uname -r` style versions and the range syntax of a condition.")
TEST(expect, versions)
{
	struct expect_version v;

	ASSERT_EQ(expect_version_parse("6.1.0-27-amd64", &v), 0);
	EXPECT_EQ(v.v[0], 6);
	EXPECT_EQ(v.v[1], 1);
	EXPECT_EQ(v.v[2], 0);
	ASSERT_EQ(expect_version_parse("4.17", &v), 0);
	EXPECT_EQ(v.v[1], 17);
	EXPECT_EQ(expect_version_parse("xen", &v), -1);
	EXPECT_FALSE(v.known);

	v = ver("6.1.112");
	EXPECT_EQ(expect_version_in("6.1", &v), 1);
	EXPECT_EQ(expect_version_in("6", &v), 1);
	EXPECT_EQ(expect_version_in("6.2", &v), 0);
	EXPECT_EQ(expect_version_in("6.1.112", &v), 1);
	EXPECT_EQ(expect_version_in("6.1.113", &v), 0);
	EXPECT_EQ(expect_version_in("..6.2", &v), 1);
	EXPECT_EQ(expect_version_in("..6.1", &v), 0);
	EXPECT_EQ(expect_version_in("6.1..", &v), 1);
	EXPECT_EQ(expect_version_in("6.2..6.18", &v), 0);
	v = ver("6.17.9");
	EXPECT_EQ(expect_version_in("6.2..6.18", &v), 1);
	v = ver("6.18");
	EXPECT_EQ(expect_version_in("6.2..6.18", &v), 0);
	EXPECT_EQ(expect_version_in("..", &v), -1);
	EXPECT_EQ(expect_version_in("a..6", &v), -1);
	EXPECT_EQ(expect_version_in("6.1.2.3", &v), -1);
	v.known = false;
	EXPECT_EQ(expect_version_in("6.1", &v), -1);
}

static int fact_stub(const char *name, void *arg)
{
	(void)arg;
	if (!strcmp(name, "param:gntlab.unmap_combined=1"))
		return 1;
	if (!strcmp(name, "path:/dev/xen/gntdev"))
		return 0;
	return -1;
}

static const struct expect_cell *get(const struct expect_table *t, const char *row,
				     const char *subject, const char *kernel, const char *xen,
				     char *why)
{
	struct expect_env env = { .kernel = ver(kernel), .fact = fact_stub };
	const struct expect_cell *c = NULL;

	if (xen)
		env.xen = ver(xen);
	why[0] = 0;
	if (expect_lookup(t, row, subject, &env, &c, why, 300))
		return NULL;
	return c;
}

static const struct expect_table table = {
	.name = "t",
	.title = "T: a test table",
	.row_label = "row",
	.intro = "Intro.",
	.outro = "Outro.",
	.rows = (const struct expect_row[]){
		{ "pin", "t/pin", "pin_user_pages().",
		  (const struct expect_cell[]){
			  { .subject = "special", "ok", "the hook" },
			  { .subject = "nohook", "EEXIST", "follow_pfn_pte()" },
			  { .subject = "nohook", "EFAULT", "before the -EEXIST cleanup",
			    .when = { .kernel = "..5.18" } },
			  { .subject = "nohook", "EIO", "a made-up fact wins over a range",
			    .when = { .kernel = "..5.18", .fact = "param:gntlab.unmap_combined=1" } },
			  { .subject = "pfnmap", "EFAULT", "check_vma_flags()" },
			  { .subject = "gntdev", "ok", "gntdev's own hook", .xfail = "BUG-7" },
			  { 0 } } },
		{ "pin-write", "t/pin_write", "the same, writing.",
		  (const struct expect_cell[]){
			  { .subject = "special", "ok", "the hook" },
			  { .subject = "nohook", "EEXIST", "follow_pfn_pte()" },
			  { .subject = "nohook", "EFAULT", "before the -EEXIST cleanup",
			    .when = { .kernel = "..5.18" } },
			  { .subject = "nohook", "EIO", "a made-up fact wins over a range",
			    .when = { .kernel = "..5.18", .fact = "param:gntlab.unmap_combined=1" } },
			  { .subject = "pfnmap", "EFAULT", "check_vma_flags()" },
			  { .subject = "gntdev", "ok", "gntdev's own hook", .xfail = "BUG-7" },
			  { 0 } } },
		{ "holes", "t/holes", "a table with mistakes.",
		  (const struct expect_cell[]){
			  { .subject = "twice", "ok", "one" },
			  { .subject = "twice", "EIO", "two" },
			  { .subject = "overlap", "ok", "6.x", .when = { .kernel = "6.." } },
			  { .subject = "overlap", "EIO", "6.1", .when = { .kernel = "6.1" } },
			  { .subject = "newonly", "ok", "7 and later", .when = { .kernel = "7.." } },
			  { .subject = "xen", "ok", "Xen 4.17", .when = { .xen = "4.17" } },
			  { .subject = "fact", "ok", "no such fact", .when = { .fact = "!unknown" } },
			  { .subject = "nogntdev", "ok", "no gntdev",
			    .when = { .fact = "!path:/dev/xen/gntdev" } },
			  { 0 } } },
		{ 0 } },
};

TH_DOC(expect, lookup,
       "The lookup takes, among the cells of (row, subject) whose condition holds, the one "
       "with the most conditions: an unconditioned cell is the default, a version range "
       "overrides it, a range plus a fact overrides both.")
TEST(expect, lookup)
{
	const struct expect_cell *c;
	char why[300];

	c = get(&table, "pin", "special", "6.1.0", NULL, why);
	ASSERT_NONNULL(c) TH_MSG("%s", why);
	EXPECT_STREQ(c->outcome, "ok");
	c = get(&table, "pin", "nohook", "6.1.0", NULL, why);
	ASSERT_NONNULL(c) TH_MSG("%s", why);
	EXPECT_STREQ(c->outcome, "EEXIST");
	c = get(&table, "pin", "nohook", "5.17.3", NULL, why);
	ASSERT_NONNULL(c) TH_MSG("%s", why);
	/* Both "..5.18" cells hold; the one with the fact too is more specific. */
	EXPECT_STREQ(c->outcome, "EIO");
	c = get(&table, "pin", "gntdev", "6.1.0", NULL, why);
	ASSERT_NONNULL(c) TH_MSG("%s", why);
	EXPECT_STREQ(c->xfail, "BUG-7");
	c = get(&table, "holes", "xen", "6.1", "4.17", why);
	ASSERT_NONNULL(c) TH_MSG("%s", why);
	c = get(&table, "holes", "nogntdev", "6.1", NULL, why);
	ASSERT_NONNULL(c) TH_MSG("%s", why);
}

TH_DOC(expect, lookup_errors,
       "No cell, two cells that hold with as many conditions, and a condition that cannot be "
       "evaluated (unknown Xen version, unknown fact) are errors with a message, never a "
       "default.")
TEST(expect, lookup_errors)
{
	char why[300];

	EXPECT_NULL(get(&table, "nosuchrow", "special", "6.1", NULL, why));
	EXPECT_NONNULL(strstr(why, "table t has no row \"nosuchrow\"")) TH_MSG("%s", why);
	EXPECT_NULL(get(&table, "pin", "newmode", "6.1", NULL, why));
	EXPECT_NONNULL(strstr(why, "no expectation for pin/newmode")) TH_MSG("%s", why);
	EXPECT_NULL(get(&table, "holes", "twice", "6.1", NULL, why));
	EXPECT_NONNULL(strstr(why, "two expectations for holes/twice")) TH_MSG("%s", why);
	EXPECT_NULL(get(&table, "holes", "overlap", "6.1.5", NULL, why));
	EXPECT_NONNULL(strstr(why, "two expectations for holes/overlap")) TH_MSG("%s", why);
	EXPECT_NONNULL(get(&table, "holes", "overlap", "6.2", NULL, why)) TH_MSG("%s", why);
	EXPECT_NULL(get(&table, "holes", "newonly", "6.1", NULL, why));
	EXPECT_NONNULL(strstr(why, "whose condition holds here")) TH_MSG("%s", why);
	EXPECT_NULL(get(&table, "holes", "xen", "6.1", NULL, why));
	EXPECT_NONNULL(strstr(why, "Xen version unknown")) TH_MSG("%s", why);
	EXPECT_NULL(get(&table, "holes", "fact", "6.1", NULL, why));
	EXPECT_NONNULL(strstr(why, "fact \"unknown\": unknown")) TH_MSG("%s", why);
}

TH_DOC(expect, markdown,
       "`--print-matrix`: the matrix shows every cell with its conditions and XFAIL "
       "references; per row, subjects making the same claim share a line, and a row whose "
       "cells equal an earlier row's refers to it.")
TEST(expect, markdown)
{
	char *md = NULL;
	size_t len;
	FILE *f = open_memstream(&md, &len);

	ASSERT_NONNULL(f);
	expect_print_md(&table, f);
	fclose(f);
	EXPECT_NONNULL(strstr(md, "# T: a test table\n\nIntro.\n\n## Matrix\n\n"
				  "| row | special | nohook | pfnmap | gntdev | twice |")) TH_MSG("%s", md);
	EXPECT_NONNULL(strstr(md, "| pin | ok | EEXIST<br>kernel ..5.18: EFAULT<br>kernel ..5.18, "
				  "param:gntlab.unmap_combined=1: EIO | EFAULT | ok (XFAIL BUG-7) |")) TH_MSG("%s", md);
	EXPECT_NONNULL(strstr(md, "| holes | ? | ? | ? | ? | ok<br>EIO |")) TH_MSG("%s", md);
	EXPECT_NONNULL(strstr(md, "- **pin** (`t/pin`) — pin_user_pages().\n"
				  "  - special: **ok** — the hook\n")) TH_MSG("%s", md);
	EXPECT_NONNULL(strstr(md, "  - gntdev: **ok**, XFAIL BUG-7 — gntdev's own hook\n")) TH_MSG("%s", md);
	EXPECT_NONNULL(strstr(md, "  - nohook (kernel ..5.18): **EFAULT** — before the")) TH_MSG("%s", md);
	EXPECT_NONNULL(strstr(md, "- **pin-write** (`t/pin_write`) — the same, writing.\n"
				  "  - every cell as **pin**\n")) TH_MSG("%s", md);
	EXPECT_NONNULL(strstr(md, "  - nogntdev (not path:/dev/xen/gntdev): **ok**")) TH_MSG("%s", md);
	EXPECT_NONNULL(strstr(md, "\nOutro.\n")) TH_MSG("%s", md);
	free(md);
}

static int always(void)
{
	return 1;
}
EXPECT_FACT("always", always)

TH_DOC(expect, facts_here,
       "The running system's facts: `path:`, `param:` (unknown module: cannot tell) and one "
       "defined with EXPECT_FACT; the kernel version comes from uname.")
TEST(expect, facts_here)
{
	const struct expect_env *env = expect_env_here();

	EXPECT_TRUE(env->kernel.known);
	EXPECT_EQ(env->fact("always", env->arg), 1);
	EXPECT_EQ(env->fact("path:/", env->arg), 1);
	EXPECT_EQ(env->fact("path:/nonexistent/x", env->arg), 0);
	EXPECT_EQ(env->fact("param:nosuchmodule.x=1", env->arg), -1);
	EXPECT_EQ(env->fact("nosuchfact", env->arg), -1);
}

/* ---- verdicts (run by expect/verdicts with --verdict-demos) ------------- */

TEST(verdicts, missing_cell)
{
	expect_get(&table, "pin", "newmode");
	TH_LOG("not reached: a missing cell must end the test");
}

static const struct expect_cell bug = { .subject = "gntdev", "ok", "reason", .xfail = "BUG-7" };
static const struct expect_cell plain = { .subject = "special", "ok", "reason" };

TEST(verdicts, xfail_mismatch)
{
	EXPECT_FALSE(expect_check(&bug, "pin", "EFAULT"));
}

TEST(verdicts, xfail_match)
{
	EXPECT_TRUE(expect_check(&bug, "pin", "ok"));
}

TEST(verdicts, mismatch)
{
	expect_check(&plain, "pin", "EFAULT");
}

TH_DOC(expect, verdicts,
       "Inside a test: a hole in the table is ERROR; a mismatch FAIL naming the cell and its "
       "reason; a cell with a reference makes a mismatch XFAIL (TAP `# TODO BUG-7`) and a "
       "match XPASS. Checked on the TAP of this program run with --verdict-demos.")
TEST(expect, verdicts)
{
	char buf[8192];
	size_t len = 0;
	ssize_t n;
	int p[2], st;
	pid_t pid;

	ASSERT_EQ(pipe(p), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		dup2(p[1], 1);
		close(p[0]);
		execl("/proc/self/exe", "unit-expect", "--verdict-demos", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (len < sizeof(buf) - 1 && (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	close(p[0]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1) TH_MSG("%s", buf);
	EXPECT_NONNULL(strstr(buf, " - verdicts/missing_cell # ERROR table t: no expectation for "
				   "pin/newmode\n")) TH_MSG("%s", buf);
	EXPECT_NONNULL(strstr(buf, " - verdicts/xfail_mismatch # TODO BUG-7 ")) TH_MSG("%s", buf);
	EXPECT_NONNULL(strstr(buf, " - verdicts/xfail_match # XPASS BUG-7 ")) TH_MSG("%s", buf);
	EXPECT_NONNULL(strstr(buf, "not ok 4 - verdicts/mismatch # ")) TH_MSG("%s", buf);
	EXPECT_NONNULL(strstr(buf, "pin/special (expected because: reason)")) TH_MSG("%s", buf);
	EXPECT_NULL(strstr(buf, "not reached")) TH_MSG("%s", buf);
}

int main(int argc, char **argv)
{
	char *demo[] = { argv[0], "--filter", "verdicts/*", NULL };
	char **args = malloc(sizeof(*args) * ((size_t)argc + 3));
	int n = 0;
	bool filtered = false;

	if (argc == 2 && !strcmp(argv[1], "--verdict-demos"))
		return th_main(3, demo);
	for (int i = 0; i < argc; i++) {
		filtered |= !strcmp(argv[i], "--filter");
		args[n++] = argv[i];
	}
	if (!filtered) {
		args[n++] = "--filter";
		args[n++] = "expect/*";
	}
	args[n] = NULL;
	return th_main(n, args);
}

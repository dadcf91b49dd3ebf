// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the merge tool (gmx.h) on the recorded results in
 * tools/matrix/testdata (run from the top directory: `make matrix-unit`,
 * part of `make unit`) and on results made up here.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "gmx.h"
#include "harness.h"

#define DATA "tools/matrix/testdata"

/* A version-conditioned entry, as a table for a newer kernel would have it. */
static struct expect_table unit_table = {
	.name = "unit-matrix",
	.title = "unit",
	.row_label = "row",
	.rows = (const struct expect_row[]){
		{ "unit-row", "unit/row", "a row whose outcome changed in 6.12",
		  (const struct expect_cell[]){
			  { .subject = "special", "EEXIST", "before 6.12: EEXIST" },
			  { .subject = "special", "ok", "from 6.12: ok", .when = { .kernel = "6.12.." } },
			  { 0 } } },
		{ 0 } } };
EXPECT_TABLE(unit_table)

static struct gmx_config made_up(const char *name, const char *kernel, const char *observed,
				 const char *expected)
{
	struct gmx_config c;

	memset(&c, 0, sizeof(c));
	c.name = gmx_strdup(name);
	c.dir = gmx_strdup(name);
	c.link = gmx_strdup(name);
	c.status = 0;
	c.state = S_RAN;
	c.kernel = gmx_strdup(kernel);
	c.verdict = gmx_strdup("PASS");
	c.tests = gmx_xalloc(NULL, sizeof(*c.tests));
	c.tests[0] = (struct gmx_test){ gmx_strdup("unit/row"), V_PASS, NULL };
	c.ntests = 1;
	c.counts[V_PASS] = 1;
	c.cells = gmx_xalloc(NULL, sizeof(*c.cells));
	c.cells[0] = (struct gmx_cell){ gmx_strdup("unit-row"), gmx_strdup("special"),
					gmx_strdup(expected), gmx_strdup(observed) };
	c.ncells = 1;
	return c;
}

TH_DOC(matrix, tap, "results.tap lines become verdicts with their messages (docs/results.md).")
TEST(matrix, tap)
{
	static const struct {
		const char *line, *name, *msg;
		enum gmx_verdict v;
	} cases[] = {
		{ "ok 1 - boot/dom0-setup\n", "boot/dom0-setup", NULL, V_PASS },
		{ "ok 2 - a/b # SKIP no gntdev\n", "a/b", "no gntdev", V_SKIP },
		{ "not ok 3 - a/c # why\n", "a/c", "why", V_FAIL },
		{ "not ok 4 - a/d # ERROR env\n", "a/d", "env", V_ERROR },
		{ "not ok 5 - a/e # missing: run stopped\n", "a/e", "missing: run stopped", V_ERROR },
		{ "not ok 6 - a/f # TODO XSA-1 why\n", "a/f", "XSA-1 why", V_XFAIL },
		{ "not ok 7 - a/g # XPASS XSA-1 why\n", "a/g", "XSA-1 why", V_XPASS },
	};
	char *name, *msg;
	enum gmx_verdict v;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_TRUE(gmx_parse_tap(cases[i].line, &name, &v, &msg));
		EXPECT_STREQ(name, cases[i].name);
		EXPECT_EQ(v, cases[i].v);
		if (cases[i].msg)
			EXPECT_STREQ(msg ? msg : "(null)", cases[i].msg);
		else
			EXPECT_NULL(msg);
		free(name);
		free(msg);
	}
	EXPECT_FALSE(gmx_parse_tap("# totals: pass 1\n", &name, &v, &msg));
	EXPECT_FALSE(gmx_parse_tap("1..3\n", &name, &v, &msg));
}

TH_DOC(matrix, recorded, "The recorded configurations: the ones that ran pass, the one that did "
			 "not boot and the one that left nothing are named failures with their "
			 "reason and log, and only the one SKIP differs.")
TEST(matrix, recorded)
{
	static const char *const names[] = { "bookworm", "bookworm-b", "no-boot", "not-built" };
	struct gmx_config cfg[4];
	struct gmx_merge m;
	char dir[256];

	for (size_t k = 0; k < 4; k++) {
		snprintf(dir, sizeof(dir), DATA "/%s", names[k]);
		gmx_load(&cfg[k], NULL, dir, DATA);
		EXPECT_STREQ(cfg[k].name, names[k]);
	}
	EXPECT_EQ(cfg[0].state, S_RAN);
	EXPECT_FALSE(gmx_config_failed(&cfg[0]));
	EXPECT_EQ(cfg[0].ntests, 130);
	EXPECT_EQ(cfg[0].ncells, 75);
	EXPECT_STREQ(cfg[0].kernel ? cfg[0].kernel : "", "6.1.0-57-amd64");
	EXPECT_STREQ(cfg[0].link, "bookworm");
	EXPECT_EQ(cfg[2].state, S_NO_BOOT);
	EXPECT_STREQ(cfg[2].log ? cfg[2].log : "", "serial.log");
	EXPECT_TRUE(cfg[2].why && strstr(cfg[2].why, "timeout/dom0-init"));
	EXPECT_EQ(cfg[3].state, S_NOT_RUN);
	EXPECT_STREQ(cfg[3].link, "not-built");
	gmx_merge(&m, cfg, 4);
	EXPECT_EQ(m.failed_cfgs, 2);
	EXPECT_EQ(m.differing_tests, 1);
	EXPECT_EQ(m.differing_cells, 0);
	EXPECT_EQ(m.unexplained, 0);
	EXPECT_FALSE(gmx_ok(&m));
	for (size_t i = 0; i < m.ntests; i++)
		if (m.tests[i].differs)
			EXPECT_STREQ(m.tests[i].name, "reverse/guest-revokes");
	gmx_merge_free(&m);
	for (size_t k = 0; k < 4; k++)
		gmx_config_free(&cfg[k]);
}

TH_DOC(matrix, exit_status, "A configuration whose tests passed but whose `make run` failed "
			   "(matrix-run.txt) is a failure, named with make's status and its log.")
TEST(matrix, exit_status)
{
	char tmpl[] = "/tmp/gntlab-matrix-unit-XXXXXX", path[300];
	struct gmx_config c;
	FILE *f;

	ASSERT_NONNULL(mkdtemp(tmpl));
	snprintf(path, sizeof(path), "cp " DATA "/bookworm/results.tap %s/", tmpl);
	ASSERT_EQ(system(path), 0);
	snprintf(path, sizeof(path), "%s/matrix-run.txt", tmpl);
	f = fopen(path, "w");
	ASSERT_NONNULL(f);
	fputs("config: late\nstatus: 2\nlog: run-output.txt\n", f);
	fclose(f);
	gmx_load(&c, NULL, tmpl, "/tmp");
	EXPECT_STREQ(c.name, "late");
	EXPECT_TRUE(gmx_config_failed(&c));
	EXPECT_STREQ(c.why ? c.why : "", "make run exited with status 2");
	EXPECT_STREQ(c.log ? c.log : "", "run-output.txt");
	gmx_config_free(&c);
	snprintf(path, sizeof(path), "rm -rf %s", tmpl);
	EXPECT_EQ(system(path), 0);
}

/* A results directory with these files ("name", "text", ...; NULL ends). */
static void make_dir(char *tmpl, ...)
{
	va_list ap;
	const char *name;
	char path[300];

	if (!mkdtemp(tmpl))
		abort();
	va_start(ap, tmpl);
	while ((name = va_arg(ap, const char *))) {
		const char *text = va_arg(ap, const char *);
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", tmpl, name);
		f = fopen(path, "w");
		if (!f)
			abort();
		fputs(text, f);
		fclose(f);
	}
	va_end(ap);
}

TH_DOC(matrix, versions, "The versions a configuration ran, as `make run` records them in "
			 "summary.txt (`xen:`, `guest-kernel:` with the package names), or "
			 "from manifest.txt's package lines with or without a role; the "
			 "kernel as `uname -r` says it, for the version conditions.")
TEST(matrix, versions)
{
	char a[] = "/tmp/gntlab-matrix-unit-XXXXXX", b[] = "/tmp/gntlab-matrix-unit-XXXXXX",
	     d[] = "/tmp/gntlab-matrix-unit-XXXXXX", cmd[400];
	struct gmx_config c;

	make_dir(a, "summary.txt",
		 "verdict: PASS\nconfig: g73\nxen: xen-hypervisor-4.17-amd64 4.17.7+13-g2-0+deb12u1\n"
		 "dom0-kernel: linux-image-6.1.0-57-amd64 6.1.192-3\n"
		 "guest-kernel: linux-image-7.3.4+deb13-amd64 7.3.4-1~bpo13+1\n",
		 NULL);
	gmx_load(&c, NULL, a, "/tmp");
	EXPECT_STREQ(c.name, "g73");
	EXPECT_STREQ(c.xen ? c.xen : "", "4.17.7+13-g2-0+deb12u1");
	EXPECT_STREQ(c.kernel ? c.kernel : "", "7.3.4+deb13-amd64");
	EXPECT_STREQ(c.dom0_kernel ? c.dom0_kernel : "", "6.1.0-57-amd64");
	gmx_config_free(&c);
	make_dir(b, "manifest.txt",
		 "config trixie xen=trixie dom0=trixie guest=trixie\n"
		 "xen xen-hypervisor-4.20-amd64 4.20.1-2 abc\n"
		 "dom0 linux-image-6.12.38+deb13-amd64 6.12.38-1 abc\n"
		 "guest linux-image-6.12.40+deb13-amd64 6.12.40-1 abc\n",
		 NULL);
	gmx_load(&c, NULL, b, "/tmp");
	EXPECT_STREQ(c.name, "trixie");
	EXPECT_STREQ(c.xen ? c.xen : "", "4.20.1-2");
	EXPECT_STREQ(c.kernel ? c.kernel : "", "6.12.40+deb13-amd64");
	EXPECT_STREQ(c.dom0_kernel ? c.dom0_kernel : "", "6.12.38+deb13-amd64");
	EXPECT_EQ(c.state, S_NOT_RUN);
	gmx_config_free(&c);
	make_dir(d, "manifest.txt",
		 "xen-hypervisor-4.17-amd64 4.17.7 abc\nlinux-image-6.1.0-57-amd64 6.1.192-3 abc\n",
		 NULL);
	gmx_load(&c, "named", d, "/tmp");
	EXPECT_STREQ(c.name, "named");
	EXPECT_STREQ(c.xen ? c.xen : "", "4.17.7");
	EXPECT_STREQ(c.kernel ? c.kernel : "", "6.1.0-57-amd64");
	EXPECT_STREQ(c.dom0_kernel ? c.dom0_kernel : "", "6.1.0-57-amd64");
	gmx_config_free(&c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s %s", a, b, d);
	EXPECT_EQ(system(cmd), 0);
}

TH_DOC(matrix, explained, "A cell that differs between kernels is explained by the "
			  "version-conditioned entry that expects it (its reason and condition "
			  "shown); a difference without an entry, or an observation that is not "
			  "the expectation, is a failure.")
TEST(matrix, explained)
{
	struct gmx_config cfg[2] = { made_up("old", "6.1.0-57-amd64", "EEXIST", "EEXIST"),
				     made_up("new", "6.12.48-amd64", "ok", "ok") };
	struct gmx_merge m;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	gmx_merge(&m, cfg, 2);
	ASSERT_EQ(m.ncells, 1);
	EXPECT_TRUE(m.cells[0].differs);
	EXPECT_FALSE(m.cells[0].unexplained);
	EXPECT_STREQ(m.cells[0].in[0].reason, "before 6.12: EEXIST");
	EXPECT_STREQ(m.cells[0].in[0].cond, "");
	EXPECT_STREQ(m.cells[0].in[1].reason, "from 6.12: ok");
	EXPECT_STREQ(m.cells[0].in[1].cond, "kernel 6.12..");
	EXPECT_TRUE(gmx_ok(&m));
	f = open_memstream(&buf, &len);
	ASSERT_NONNULL(f);
	EXPECT_EQ(gmx_write_md(f, &m), 0);
	fclose(f);
	EXPECT_TRUE(strstr(buf, "| unit-row **≠** | special | EEXIST ✓: before 6.12: EEXIST | "
				"ok ✓: [kernel 6.12..] from 6.12: ok |") != NULL);
	free(buf);
	gmx_merge_free(&m);
	/* The same outcome on 6.1 has no entry: not explained. */
	free(cfg[1].kernel);
	cfg[1].kernel = gmx_strdup("6.1.0-57-amd64");
	gmx_merge(&m, cfg, 2);
	EXPECT_TRUE(m.cells[0].unexplained);
	EXPECT_FALSE(gmx_ok(&m));
	gmx_merge_free(&m);
	/* Observed is not expected: a failure whatever the table says. */
	free(cfg[1].cells[0].observed);
	cfg[1].cells[0].observed = gmx_strdup("EFAULT");
	gmx_merge(&m, cfg, 2);
	EXPECT_TRUE(m.cells[0].unexplained);
	gmx_merge_free(&m);
	gmx_config_free(&cfg[0]);
	gmx_config_free(&cfg[1]);
}

TH_DOC(matrix, outputs, "index.html, index.md and index.json are the same for the same "
			"results (no time stamp), and the JSON names every configuration.")
TEST(matrix, outputs)
{
	struct gmx_config cfg[2] = { made_up("old", "6.1.0", "EEXIST", "EEXIST"),
				     made_up("new", "6.12.1", "ok", "ok") };
	int (*const fn[])(FILE *, const struct gmx_merge *) = { gmx_write_html, gmx_write_md,
								 gmx_write_json };
	struct gmx_merge m;

	gmx_merge(&m, cfg, 2);
	for (size_t i = 0; i < 3; i++) {
		char *a = NULL, *b = NULL;
		size_t la = 0, lb = 0;
		FILE *f = open_memstream(&a, &la), *g = open_memstream(&b, &lb);

		EXPECT_EQ(fn[i](f, &m), 0);
		EXPECT_EQ(fn[i](g, &m), 0);
		fclose(f);
		fclose(g);
		EXPECT_STREQ(a, b);
		if (i == 2)
			EXPECT_TRUE(strstr(a, "\"name\": \"old\"") && strstr(a, "\"name\": \"new\"") &&
				    strstr(a, "\"condition\": \"kernel 6.12..\""));
		if (i == 0)
			EXPECT_TRUE(strstr(a, "<tr class=\"differs\"><th>unit-row</th>") != NULL);
		free(a);
		free(b);
	}
	gmx_merge_free(&m);
	gmx_config_free(&cfg[0]);
	gmx_config_free(&cfg[1]);
}

TH_MAIN

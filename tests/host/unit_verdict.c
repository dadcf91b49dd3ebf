// SPDX-License-Identifier: GPL-2.0
/*
 * The runner's verdict model, under tests/harness: ERROR is not FAIL, XFAIL
 * carries its reference, XPASS fails the run (in results.tap, junit.xml and
 * summary.txt alike), and nothing missing goes unnoticed (--expect: the plan
 * up front, `# missing: <where>` at the end). The e2e/ tests drive the real
 * runner against fake-qemu.sh; `make -C tests/host check` sets
 * GNTLAB_RUNNER, GNTLAB_FAKE_QEMU, GNTLAB_JUNIT_XSD and GNTLAB_UNIT_TMP.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "expect.h"
#include "harness.h"
#include "report.h"
#include "serial.h"
#include "session.h"

#define EXPECT_HAS(hay, needle)                                                                    \
	EXPECT_NONNULL(strstr((hay), (needle))) TH_MSG("lacks \"%s\" in: %s", (needle), (hay))
#define EXPECT_LACKS(hay, needle)                                                                  \
	EXPECT_NULL(strstr((hay), (needle))) TH_MSG("has \"%s\" in: %s", (needle), (hay))

/* ---- helpers ------------------------------------------------------------ */

static char *capture(int (*writer)(FILE *, const struct results *), const struct results *r)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	ASSERT_NONNULL(f);
	ASSERT_EQ(writer(f, r), 0);
	fclose(f);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t len = 0;

	if (!f)
		return strdup("");
	if (getdelim(&s, &len, '\0', f) < 0) {
		free(s);
		s = strdup("");
	}
	fclose(f);
	return s;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ASSERT_NONNULL(f) TH_MSG("%s: %s", path, strerror(errno));
	fputs(text, f);
	ASSERT_EQ(fclose(f), 0);
}

/* A run with one test of each verdict, as dom0 would have reported them. */
static void each_verdict(struct results *r)
{
	struct test_case *t;

	results_init(r);
	results_add(r, "v/pass", TEST_PASS, "", 1.0, 0.5, false);
	results_add(r, "v/fail", TEST_FAIL, "mapping differs", 2.0, 0.5, false);
	results_add(r, "v/skip", TEST_SKIP, "no io_uring", 3.0, 0.5, false);
	results_add(r, "v/error", TEST_ERROR, "dom0 unreachable", 4.0, 0.5, false);
	t = results_add(r, "v/xfail", TEST_XFAIL, "unmap races", 5.0, 0.5, false);
	test_case_set_ref(t, "XSA-396");
	t = results_add(r, "w/xpass", TEST_XPASS, "should fail", 6.0, 0.5, false);
	test_case_set_ref(t, "commit:abc123");
	r->end_seen = true;
}

/* ---- the verdicts in the three files ------------------------------------ */

TH_DOC(verdict, tap_grammar,
       "The serial marker grammar of tests/markers.h parses into the six "
       "verdicts, with the reference of XFAIL/XPASS kept apart.")
TEST(verdict, tap_grammar)
{
	static const struct {
		const char *line;
		enum test_status status;
		const char *name, *ref, *reason;
	} cases[] = {
		{"ok a/b", TEST_PASS, "a/b", "", ""},
		{"ok a/b # SKIP no gntdev", TEST_SKIP, "a/b", "", "no gntdev"},
		{"not ok a/b # pattern mismatch", TEST_FAIL, "a/b", "", "pattern mismatch"},
		{"not ok a/b # ERROR dom0 unreachable", TEST_ERROR, "a/b", "", "dom0 unreachable"},
		{"not ok 7 - a/b # error: xenstore timeout", TEST_ERROR, "a/b", "",
		 "xenstore timeout"},
		{"not ok a/b # TODO XSA-396 unmap races", TEST_XFAIL, "a/b", "XSA-396",
		 "unmap races"},
		{"not ok a/b # TODO", TEST_XFAIL, "a/b", "", ""},
		{"not ok a/b # XPASS commit:abc passed", TEST_XPASS, "a/b", "commit:abc", "passed"},
		{"ok a/b # TODO https://x.org/7 passed", TEST_XPASS, "a/b", "https://x.org/7",
		 "passed"},
		{"ok a/b # ERROR is a comment of a pass", TEST_PASS, "a/b", "",
		 "ERROR is a comment of a pass"},
		{"not ok a/b # SKIP stays a failure", TEST_FAIL, "a/b", "", "SKIP stays a failure"},
		{"not ok a/b # Errors everywhere", TEST_FAIL, "a/b", "", "Errors everywhere"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tap_line t;

		ASSERT_TRUE(serial_parse_tap(cases[i].line, strlen(cases[i].line), &t))
		TH_MSG("%s", cases[i].line);
		EXPECT_EQ(t.status, cases[i].status) TH_MSG("%s", cases[i].line);
		EXPECT_STREQ(t.name, cases[i].name);
		EXPECT_STREQ(t.ref, cases[i].ref);
		EXPECT_STREQ(t.reason, cases[i].reason);
	}
}

TH_DOC(verdict, error_not_fail_in_tap,
       "results.tap: a FAIL is `# why`, an ERROR `# ERROR why`; the totals count each.")
TEST(verdict, error_not_fail_in_tap)
{
	struct results r;
	char *out;

	each_verdict(&r);
	out = capture(report_write_tap, &r);
	EXPECT_HAS(out, "ok 1 - v/pass\n");
	EXPECT_HAS(out, "not ok 2 - v/fail # mapping differs\n");
	EXPECT_HAS(out, "ok 3 - v/skip # SKIP no io_uring\n");
	EXPECT_HAS(out, "not ok 4 - v/error # ERROR dom0 unreachable\n");
	EXPECT_HAS(out, "# totals: pass 1, fail 1, skip 1, error 1, xfail 1, xpass 1, total 6\n");
	free(out);
	results_free(&r);
}

TH_DOC(verdict, error_not_fail_in_junit,
       "junit.xml: `errors=` counts an ERROR and `failures=` does not; it is an `<error>`.")
TEST(verdict, error_not_fail_in_junit)
{
	struct results r;
	char *out;

	each_verdict(&r);
	out = capture(report_write_junit, &r);
	/* failures: FAIL + XPASS; errors: ERROR; skipped: SKIP + XFAIL. */
	EXPECT_HAS(out, "<testsuites name=\"gntlab\" tests=\"6\" failures=\"2\" errors=\"1\" "
			"skipped=\"2\"");
	EXPECT_HAS(out, "<testsuite name=\"v\" tests=\"5\" failures=\"1\" errors=\"1\" "
			"skipped=\"2\"");
	EXPECT_HAS(out, "<testsuite name=\"w\" tests=\"1\" failures=\"1\" errors=\"0\" "
			"skipped=\"0\"");
	EXPECT_HAS(out, "name=\"error\" time=\"0.500\">\n"
			"      <error message=\"dom0 unreachable\" type=\"test\">dom0 "
			"unreachable</error>\n");
	EXPECT_HAS(out, "name=\"fail\" time=\"0.500\">\n"
			"      <failure message=\"mapping differs\" type=\"test\">");
	free(out);
	results_free(&r);
}

TH_DOC(verdict, error_not_fail_in_summary,
       "summary.txt counts each verdict on its own line and names an ERROR as such.")
TEST(verdict, error_not_fail_in_summary)
{
	struct results r;
	char *out;

	each_verdict(&r);
	out = capture(report_write_summary, &r);
	EXPECT_HAS(out, "verdict: FAIL\npass: 1\nfail: 1\nskip: 1\nerror: 1\nxfail: 1\nxpass: 1\n"
			"total: 6\n");
	EXPECT_HAS(out, "\nfailures:\n  v/fail: mapping differs\n  v/error: ERROR dom0 "
			"unreachable\n  w/xpass: XPASS commit:abc123 should fail\n");
	free(out);
	results_free(&r);

	/* An ERROR alone fails the run as a FAIL would. */
	results_init(&r);
	r.end_seen = true;
	results_add(&r, "v/pass", TEST_PASS, "", 1.0, 0.5, false);
	EXPECT_TRUE(results_passed(&r));
	results_add(&r, "v/error", TEST_ERROR, "xenstore timeout", 1.0, 0.5, false);
	EXPECT_FALSE(results_passed(&r));
	out = capture(report_write_summary, &r);
	EXPECT_HAS(out, "verdict: FAIL\npass: 1\nfail: 0\nskip: 0\nerror: 1\n");
	free(out);
	results_free(&r);
}

TH_DOC(verdict, xfail_with_ref_everywhere,
       "An XFAIL keeps its reference in results.tap (`# TODO ref why`), junit.xml "
       "(a skip, `XFAIL ref: why`) and summary.txt, and does not fail the run.")
TEST(verdict, xfail_with_ref_everywhere)
{
	struct results r;
	struct test_case *t;
	char *tap, *junit, *summary;

	results_init(&r);
	r.end_seen = true;
	results_add(&r, "m2p/special_invariants", TEST_PASS, "", 1.0, 0.5, false);
	t = results_add(&r, "gup/special_odirect", TEST_XFAIL, "pin of a special VMA", 2.0, 0.5,
			false);
	test_case_set_ref(t, "XSA-396");
	EXPECT_TRUE(results_passed(&r));
	tap = capture(report_write_tap, &r);
	junit = capture(report_write_junit, &r);
	summary = capture(report_write_summary, &r);
	EXPECT_HAS(tap, "not ok 2 - gup/special_odirect # TODO XSA-396 pin of a special VMA\n");
	EXPECT_HAS(junit, "failures=\"0\" errors=\"0\" skipped=\"1\"");
	EXPECT_HAS(junit, "<skipped message=\"XFAIL XSA-396: pin of a special VMA\"/>");
	EXPECT_HAS(summary, "verdict: PASS\npass: 1\nfail: 0\nskip: 0\nerror: 0\nxfail: 1\n");
	EXPECT_HAS(summary, "\nxfail (known bugs, by reference):\n"
			    "  gup/special_odirect: XSA-396 pin of a special VMA\n");
	EXPECT_LACKS(summary, "failures:");
	free(tap);
	free(junit);
	free(summary);
	results_free(&r);
}

TH_DOC(verdict, xpass_fails_the_run,
       "An XPASS (expected to fail, passed) fails the run and shows its reference.")
TEST(verdict, xpass_fails_the_run)
{
	struct results r;
	struct test_case *t;
	char *tap, *junit;

	results_init(&r);
	r.end_seen = true;
	t = results_add(&r, "gup/nohook_pin", TEST_XPASS, "expected EFAULT", 1.0, 0.5, false);
	test_case_set_ref(t, "commit:abc123");
	EXPECT_FALSE(results_passed(&r));
	EXPECT_TRUE(results_has_failure(&r));
	tap = capture(report_write_tap, &r);
	junit = capture(report_write_junit, &r);
	EXPECT_HAS(tap, "not ok 1 - gup/nohook_pin # XPASS commit:abc123 expected EFAULT\n");
	EXPECT_HAS(junit, "failures=\"1\" errors=\"0\" skipped=\"0\"");
	EXPECT_HAS(junit, "<failure message=\"XPASS commit:abc123: expected EFAULT\" "
			  "type=\"XPASS\">");
	free(tap);
	free(junit);
	results_free(&r);
}

TH_DOC(verdict, session_keeps_ref,
       "A GNTLAB-TAP line with a TODO reaches the results as XFAIL with its reference.")
TEST(verdict, session_keeps_ref)
{
	static const char *const lines[] = {
		"(XEN) d0v0 GNTLAB-TAP not ok gup/x # TODO XSA-396 known",
		"GNTLAB-TAP not ok gup/y # ERROR agent gone",
	};
	struct session_opts so = {0};
	struct session s;
	struct results r;

	results_init(&r);
	session_init(&s, &r, &so, 100.0);
	for (size_t i = 0; i < 2; i++)
		session_line(&s, lines[i], strlen(lines[i]), 101.0 + i);
	ASSERT_EQ(r.n, 2);
	EXPECT_EQ(r.tests[0].status, TEST_XFAIL);
	EXPECT_STREQ(r.tests[0].ref, "XSA-396");
	EXPECT_STREQ(r.tests[0].reason, "known");
	EXPECT_EQ(r.tests[1].status, TEST_ERROR);
	EXPECT_STREQ(r.tests[1].ref, "");
	session_free(&s);
	results_free(&r);
}

/* ---- the list: missing and unlisted tests --------------------------------- */

TH_DOC(expect, load_list,
       "The --expect file: names one a line; blank lines, comments, "
       "duplicates and `--list --verbose` descriptions are ignored.")
TEST(expect, load_list)
{
	char path[] = "/tmp/gntlab-expect.XXXXXX";
	struct expect_list e;
	int fd = mkstemp(path);

	ASSERT_GE(fd, 0);
	close(fd);
	write_file(path, "m2p/a\n\n# comment\n  m2p/b  \nm2p/a\ngup/c\tits description\\n\n");
	ASSERT_EQ(expect_load(&e, path, stderr), 0);
	EXPECT_EQ(e.n, 3);
	EXPECT_TRUE(expect_has(&e, "m2p/b"));
	EXPECT_TRUE(expect_has(&e, "gup/c"));
	EXPECT_FALSE(expect_has(&e, "gup/c\tits description\\n"));
	expect_free(&e);
	unlink(path);
	{
		char *msg = NULL;
		size_t size = 0;
		FILE *err = open_memstream(&msg, &size);

		ASSERT_NONNULL(err);
		EXPECT_EQ(expect_load(&e, path, err), -1);
		fclose(err);
		EXPECT_HAS(msg, "cannot read --expect");
		free(msg);
	}
}

/* A boot that reached the tests, reported two of four, then crashed. */
static void stopped_run(struct results *r, struct expect_list *e)
{
	results_init(r);
	phase_init(&r->phase, 1000.0);
	phase_reach(&r->phase, MS_DOM0_INIT, 1010.0);
	phase_reach(&r->phase, MS_DOM0_READY, 1020.0);
	phase_reach(&r->phase, MS_GUEST_READY, 1040.0);
	phase_reach(&r->phase, MS_TESTS, 1041.0);
	results_add(r, "m2p/special_invariants", TEST_PASS, "", 80.0, 1.0, false);
	results_add(r, "m2p/nohook_invariants", TEST_PASS, "", 82.0, 1.0, false);
	results_add(r, "crash/tests", TEST_FAIL, "'BUG: ' at serial.log line 9", 83.0, 1.0, true);
	r->crashed = true;
	phase_reach(&r->phase, MS_QEMU_EXIT, 1084.2);
	r->qemu_exited = true;
	memset(e, 0, sizeof(*e));
	snprintf(e->path, sizeof(e->path), "build/results-expected.txt");
	expect_add(e, "m2p/special_invariants");
	expect_add(e, "m2p/nohook_invariants");
	expect_add(e, "m2p/special_data_both_ways");
	expect_add(e, "m2p/nohook_data_both_ways");
}

TH_DOC(expect, missing_named_with_where,
       "Every listed test that never reported is an ERROR `# missing:` naming the phase, the "
       "last test that reported and the time, in results.tap, junit.xml and summary.txt.")
TEST(expect, missing_named_with_where)
{
	static const char where[] =
		"run stopped in phase tests after m2p/nohook_invariants (84.2 s, crash)";
	struct expect_list e;
	struct results r;
	char *tap, *junit, *summary, want[512];

	stopped_run(&r, &e);
	EXPECT_EQ(expect_apply(&e, &r), 2);
	ASSERT_EQ(r.n, 5);
	EXPECT_EQ(r.tests[3].status, TEST_ERROR);
	EXPECT_TRUE(r.tests[3].missing);
	EXPECT_EQ(results_count(&r).error, 2);
	EXPECT_EQ(results_count(&r).missing, 2);
	tap = capture(report_write_tap, &r);
	junit = capture(report_write_junit, &r);
	summary = capture(report_write_summary, &r);
	EXPECT_HAS(tap, "TAP version 13\n1..5\n# 4 tests selected (list: "
			"build/results-expected.txt), 2 missing\n");
	snprintf(want, sizeof(want), "not ok 4 - m2p/special_data_both_ways # missing: %s\n",
		 where);
	EXPECT_HAS(tap, want);
	snprintf(want, sizeof(want), "not ok 5 - m2p/nohook_data_both_ways # missing: %s\n", where);
	EXPECT_HAS(tap, want);
	EXPECT_HAS(junit, "tests=\"5\" failures=\"1\" errors=\"2\" skipped=\"0\"");
	snprintf(want, sizeof(want), "<error message=\"missing: %s\" type=\"missing\">", where);
	EXPECT_HAS(junit, want);
	EXPECT_HAS(summary, "error: 2\n");
	EXPECT_HAS(summary, "expected: 4 (list: build/results-expected.txt)\nmissing: 2\n");
	snprintf(want, sizeof(want),
		 "\nmissing (selected, never reported):\n"
		 "  m2p/special_data_both_ways: %s\n",
		 where);
	EXPECT_HAS(summary, want);
	free(tap);
	free(junit);
	free(summary);
	expect_free(&e);
	results_free(&r);
}

TH_DOC(expect, unlisted_is_error,
       "A test that reported but is not in the list is an ERROR (the list and the program "
       "disagree); the runner's own crash/ and timeout/ results are not held to the list.")
TEST(expect, unlisted_is_error)
{
	struct expect_list e;
	struct results r;

	stopped_run(&r, &e);
	results_add(&r, "m2p/surprise", TEST_PASS, "", 83.5, 0.5, false);
	expect_apply(&e, &r);
	EXPECT_EQ(r.tests[2].status, TEST_FAIL); /* crash/tests: the runner's own */
	EXPECT_EQ(r.tests[3].status, TEST_ERROR);
	EXPECT_STREQ(r.tests[3].reason, "reported but not listed by --list (reported PASS)");
	EXPECT_FALSE(r.tests[3].missing);
	EXPECT_FALSE(results_passed(&r));
	expect_free(&e);
	results_free(&r);
}

TH_DOC(expect, missing_names_its_suites_last,
       "When other programs went on after a suite's program stopped, a missing test also "
       "names the last result of its own suite: where that program stopped.")
TEST(expect, missing_names_its_suites_last)
{
	struct expect_list e;
	struct results r;

	stopped_run(&r, &e);
	results_add(&r, "program/gntlab-conductor", TEST_PASS, "", 83.9, 0.1, false);
	expect_apply(&e, &r);
	ASSERT_EQ(r.n, 6);
	EXPECT_STREQ(r.tests[4].name, "m2p/special_data_both_ways");
	EXPECT_STREQ(r.tests[4].reason,
		     "missing: run stopped in phase tests after program/gntlab-conductor (84.2 s, "
		     "crash); last of its suite: m2p/nohook_invariants");
	expect_free(&e);
	results_free(&r);
}

/* ---- end to end: the real runner against fake-qemu.sh -------------------- */

struct e2e {
	char dir[512], results[600], expect[600];
	int status;
	char *tap, *junit, *summary, *err;
};

static const char *need_env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v)
		SKIP("%s not set (make -C tests/host check sets it)", name);
	return v;
}

/* A scratch folder with stand-ins for Xen, the kernel, the initrd; the list. */
static void e2e_prepare(struct e2e *e, const char *name, const char *list)
{
	const char *tmp = getenv("GNTLAB_UNIT_TMP");
	char path[700];

	memset(e, 0, sizeof(*e));
	if (tmp && *tmp)
		mkdir(tmp, 0777);
	snprintf(e->dir, sizeof(e->dir), "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	ASSERT_NONNULL(mkdtemp(e->dir)) TH_MSG("%s: %s", e->dir, strerror(errno));
	snprintf(e->results, sizeof(e->results), "%s/results", e->dir);
	snprintf(e->expect, sizeof(e->expect), "%s/expected.txt", e->dir);
	for (size_t i = 0; i < 3; i++) {
		static const char *const files[] = {"xen", "vmlinuz", "initrd.gz"};

		snprintf(path, sizeof(path), "%s/%s", e->dir, files[i]);
		write_file(path, "stand-in\n");
	}
	if (list)
		write_file(e->expect, list);
}

static pid_t e2e_start(struct e2e *e, const char *scenario, const char *const *extra)
{
	const char *runner = need_env("GNTLAB_RUNNER"), *fake = need_env("GNTLAB_FAKE_QEMU");
	char xen[600], kernel[600], initrd[600], err[600];
	const char *argv[40] = {runner,	    "--xen",	     xen,    "--dom0-kernel",
				kernel,	    "--dom0-initrd", initrd, "--results",
				e->results, "--qemu",	     fake,   "--crash-grace",
				"0.5"};
	size_t argc = 13;
	pid_t pid;

	snprintf(xen, sizeof(xen), "%s/xen", e->dir);
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", e->dir);
	snprintf(initrd, sizeof(initrd), "%s/initrd.gz", e->dir);
	snprintf(err, sizeof(err), "%s/runner.err", e->dir);
	for (; extra && *extra && argc < 39; extra++)
		argv[argc++] = *extra;
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0666);

		dup2(fd, 1);
		dup2(fd, 2);
		setenv("GNTLAB_FAKE_SCENARIO", scenario, 1);
		execv(runner, (char **)argv);
		_exit(99);
	}
	return pid;
}

static void e2e_wait(struct e2e *e, pid_t pid)
{
	char path[700];
	int status = 0;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	e->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	snprintf(path, sizeof(path), "%s/results.tap", e->results);
	e->tap = slurp(path);
	snprintf(path, sizeof(path), "%s/junit.xml", e->results);
	e->junit = slurp(path);
	snprintf(path, sizeof(path), "%s/summary.txt", e->results);
	e->summary = slurp(path);
	snprintf(path, sizeof(path), "%s/runner.err", e->dir);
	e->err = slurp(path);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void e2e_free(struct e2e *e)
{
	nftw(e->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(e->tap);
	free(e->junit);
	free(e->summary);
	free(e->err);
}

/* junit.xml against tests/host/junit.xsd, when xmllint is there. */
static void check_schema(const struct e2e *e)
{
	const char *xsd = getenv("GNTLAB_JUNIT_XSD");
	char found[4096], cmd[8400];

	if (!xsd || !*xsd || !cli_find_program("xmllint", found, sizeof(found))) {
		TH_LOG("xmllint or GNTLAB_JUNIT_XSD missing: junit.xml not validated");
		return;
	}
	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s/junit.xml' 2>&1", xsd,
		 e->results);
	{
		FILE *p = popen(cmd, "r");
		char out[2048] = "";
		size_t n;

		ASSERT_NONNULL(p);
		n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = '\0';
		EXPECT_EQ(pclose(p), 0) TH_MSG("%s: %s", cmd, out);
	}
}

static const char m2p_list[] = "m2p/special_invariants\n"
			       "m2p/special_data_both_ways\n"
			       "m2p/special_readonly_grant\n"
			       "m2p/nohook_invariants\n"
			       "m2p/nohook_data_both_ways\n"
			       "m2p/nohook_readonly_grant\n";

TH_DOC(e2e, stops_after_third_result,
       "The guest test program stops after its third result and dom0 ends normally: the run "
       "exits non-zero and names every other listed test `not ok ... # missing`.")
TEST(e2e, stops_after_third_result)
{
	static const char *const missing[] = {"m2p/nohook_invariants", "m2p/nohook_data_both_ways",
					      "m2p/nohook_readonly_grant"};
	struct e2e e;
	char want[300];

	e2e_prepare(&e, "stops-early", m2p_list);
	e2e_wait(&e, e2e_start(&e, "stops-early", (const char *[]){"--expect", e.expect, NULL}));
	EXPECT_EQ(e.status, 1);
	EXPECT_HAS(e.err, "[runner] 6 tests selected (list: ");
	EXPECT_HAS(e.err, "[runner] 3 of 6 selected tests missing: run stopped in phase end after "
			  "m2p/special_readonly_grant (");
	EXPECT_HAS(e.tap, "TAP version 13\n1..6\n# 6 tests selected (list: ");
	EXPECT_HAS(e.tap, "ok 3 - m2p/special_readonly_grant\n");
	for (size_t i = 0; i < 3; i++) {
		snprintf(want, sizeof(want),
			 "not ok %zu - %s # missing: run stopped in phase end after "
			 "m2p/special_readonly_grant (",
			 i + 4, missing[i]);
		EXPECT_HAS(e.tap, want);
	}
	EXPECT_HAS(e.tap, "s, dom0 ended)\n# totals: pass 3, fail 0, skip 0, error 3, xfail 0, "
			  "xpass 0, total 6\n");
	EXPECT_HAS(e.junit, "errors=\"3\"");
	EXPECT_HAS(e.summary, "verdict: FAIL\n");
	EXPECT_HAS(e.summary, "missing: 3\n");
	check_schema(&e);
	e2e_free(&e);
}

TH_DOC(e2e, plan_announced_before_boot,
       "With --expect, results.tap holds the plan while the boot is still running; a run that "
       "then hangs names the tests it never reached, with the timeout as the cause.")
TEST(e2e, plan_announced_before_boot)
{
	char path[700], *early = NULL;
	struct e2e e;
	pid_t pid;

	e2e_prepare(&e, "plan", m2p_list);
	snprintf(path, sizeof(path), "%s/results.tap", e.results);
	/* "hang" reports one result, then parks until the phase timeout (2 s). */
	pid = e2e_start(&e, "hang",
			(const char *[]){"--expect", e.expect, "--timeout-phase", "2", NULL});
	for (int i = 0; i < 100 && !early; i++) {
		char *s = slurp(path);

		if (strstr(s, "1..6\n"))
			early = s;
		else
			free(s);
		usleep(20000);
	}
	/* The runner is still waiting for the guest: the plan came first. */
	EXPECT_EQ(waitpid(pid, NULL, WNOHANG), 0);
	ASSERT_NONNULL(early) TH_MSG("no plan in %s while the run was going", path);
	EXPECT_HAS(early, "TAP version 13\n1..6\n# 6 tests selected (list: ");
	EXPECT_LACKS(early, "ok 1 -");
	free(early);
	e2e_wait(&e, pid);
	EXPECT_EQ(e.status, 1);
	EXPECT_HAS(e.tap, "not ok 2 - timeout/tests-done # ");
	/* map/ro-basic is not in the list: the fake guest is not the real one. */
	EXPECT_HAS(e.tap, "not ok 1 - map/ro-basic # ERROR reported but not listed by --list");
	EXPECT_HAS(e.tap, "# missing: run stopped in phase tests after map/ro-basic (");
	EXPECT_HAS(e.tap, "s, timeout)\n");
	e2e_free(&e);
}

TH_DOC(e2e, every_verdict,
       "One run with each verdict: exit 1, every directive in results.tap, the counts in "
       "junit.xml (valid against junit.xsd) and summary.txt.")
TEST(e2e, every_verdict)
{
	struct e2e e;

	e2e_prepare(&e, "verdicts", NULL);
	e2e_wait(&e, e2e_start(&e, "verdicts", NULL));
	EXPECT_EQ(e.status, 1);
	EXPECT_HAS(e.tap, "ok 1 - v/pass\n"
			  "not ok 2 - v/fail # mapping differs at page 2\n"
			  "ok 3 - v/skip # SKIP no io_uring\n"
			  "# xenstore read of /local/domain/1/data timed out\n"
			  "not ok 4 - v/error # ERROR dom0 unreachable\n"
			  "not ok 5 - v/xfail # TODO XSA-396 unmap races with revoke\n"
			  "not ok 6 - v/xpass # XPASS commit:abc123 should fail on this kernel\n");
	EXPECT_HAS(e.junit, "tests=\"6\" failures=\"2\" errors=\"1\" skipped=\"2\"");
	EXPECT_HAS(e.summary, "pass: 1\nfail: 1\nskip: 1\nerror: 1\nxfail: 1\nxpass: 1\n");
	EXPECT_HAS(e.err, "gntlab-runner: FAIL: pass 1, fail 1, skip 1, error 1, xfail 1, "
			  "xpass 1, total 6");
	check_schema(&e);
	e2e_free(&e);
}

TH_DOC(e2e, unreadable_list,
       "An --expect file that cannot be read is a usage error (exit 2), "
       "before anything boots.")
TEST(e2e, unreadable_list)
{
	struct e2e e;

	e2e_prepare(&e, "nolist", NULL);
	e2e_wait(&e, e2e_start(&e, "pass", (const char *[]){"--expect", e.expect, NULL}));
	EXPECT_EQ(e.status, 2);
	EXPECT_HAS(e.err, "cannot read --expect");
	EXPECT_LACKS(e.err, "qemu started");
	e2e_free(&e);
}

TH_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * The runner's verdict model: ERROR is not FAIL, XFAIL carries its
 * reference, XPASS fails the run (in results.tap, junit.xml and summary.txt
 * alike), and nothing missing goes unnoticed (--expect: the plan up front,
 * `# missing: <where>` at the end). The e2e/ tests here drive the real
 * runner against fake-qemu.sh (unit.h's driver).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan.h"
#include "session.h"
#include "unit.h"

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
	out = UT_CAPTURE(report_write_tap, &r);
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
	out = UT_CAPTURE(report_write_junit, &r);
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
	out = UT_CAPTURE(report_write_summary, &r);
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
	out = UT_CAPTURE(report_write_summary, &r);
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
	tap = UT_CAPTURE(report_write_tap, &r);
	junit = UT_CAPTURE(report_write_junit, &r);
	summary = UT_CAPTURE(report_write_summary, &r);
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
	tap = UT_CAPTURE(report_write_tap, &r);
	junit = UT_CAPTURE(report_write_junit, &r);
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

TH_DOC(expect, load_list,
       "The --expect file: names one a line; blank lines, comments, "
       "duplicates and `--list --verbose` descriptions are ignored.")
TEST(expect, load_list)
{
	char *dir = ut_tmpdir("expect"), path[4200];
	struct expect_list e;

	snprintf(path, sizeof(path), "%s/list", dir);
	ut_write_file(path, "m2p/a\n\n# comment\n  m2p/b  \nm2p/a\ngup/c\tits description\\n\n");
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
	free(dir);
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
	tap = UT_CAPTURE(report_write_tap, &r);
	junit = UT_CAPTURE(report_write_junit, &r);
	summary = UT_CAPTURE(report_write_summary, &r);
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

/* An --expect file holding list, in its own scratch folder. Free it. */
static char *expect_file(const char *list)
{
	char *dir = ut_tmpdir("expect"), *path;

	if (asprintf(&path, "%s/expected.txt", dir) < 0)
		abort();
	ut_write_file(path, list);
	free(dir);
	return path;
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
TEST_TIMEOUT(e2e, stops_after_third_result, 60)
{
	static const char *const missing[] = {"m2p/nohook_invariants", "m2p/nohook_data_both_ways",
					      "m2p/nohook_readonly_grant"};
	struct e2e e;
	char want[300], path[4400], *list;

	ut_need_runner();
	list = expect_file(m2p_list);
	EXPECT_EQ(e2e_run(&e, "stops-early", "stops-early",
			  (const char *const[]){"--expect", list, NULL}),
		  1);
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
	snprintf(path, sizeof(path), "%s/junit.xml", e.results);
	ut_check_schema(path, true);
	e2e_free(&e);
	free(list);
}

TH_DOC(e2e, plan_announced_before_boot,
       "With --expect, results.tap holds the plan while the boot is still running; a run that "
       "then hangs names the tests it never reached, with the timeout as the cause.")
TEST_TIMEOUT(e2e, plan_announced_before_boot, 60)
{
	char path[4400], *early = NULL, *list;
	struct e2e e;
	pid_t pid;

	ut_need_runner();
	list = expect_file(m2p_list);
	/* "hang" reports one result, then parks until the phase timeout (2 s). */
	pid = e2e_start(&e, "plan", "hang",
			(const char *const[]){"--expect", list, "--timeout-phase", "2", NULL});
	snprintf(path, sizeof(path), "%s/results.tap", e.results);
	for (int i = 0; i < 100 && !early; i++) {
		char *s = ut_slurp(path);

		if (s && strstr(s, "1..6\n"))
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
	EXPECT_EQ(e2e_wait(&e, pid), 1);
	EXPECT_HAS(e.tap, "not ok 2 - timeout/tests-done # ");
	/* map/ro-basic is not in the list: the fake guest is not the real one. */
	EXPECT_HAS(e.tap, "not ok 1 - map/ro-basic # ERROR reported but not listed by --list");
	EXPECT_HAS(e.tap, "# missing: run stopped in phase tests after map/ro-basic (");
	EXPECT_HAS(e.tap, "s, timeout)\n");
	e2e_free(&e);
	free(list);
}

TH_DOC(e2e, every_verdict,
       "One run with each verdict: exit 1, every directive in results.tap, the counts in "
       "junit.xml (valid against junit.xsd) and summary.txt.")
TEST_TIMEOUT(e2e, every_verdict, 60)
{
	struct e2e e;
	char path[4400];

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "verdicts", "verdicts", NULL), 1);
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
	snprintf(path, sizeof(path), "%s/junit.xml", e.results);
	ut_check_schema(path, true);
	e2e_free(&e);
}

TH_DOC(e2e, unreadable_list,
       "An --expect file that cannot be read is a usage error (exit 2), "
       "before anything boots.")
TEST_TIMEOUT(e2e, unreadable_list, 60)
{
	struct e2e e;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "nolist", "pass",
			  (const char *const[]){"--expect", "/nonexistent/expected.txt", NULL}),
		  2);
	EXPECT_HAS(e.err, "cannot read --expect");
	EXPECT_LACKS(e.err, "qemu started");
	e2e_free(&e);
}

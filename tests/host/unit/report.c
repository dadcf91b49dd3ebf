// SPDX-License-Identifier: GPL-2.0
/* Unit tests of report.c: XML escaping, results.tap, junit.xml, summary.txt, verdicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static void check_xml(const char *in, bool attr, const char *want)
{
	char *got = xml_escape(in, attr);

	EXPECT_STREQ(got, want);
	free(got);
}

/*
 * junit.xml must stay well-formed whatever a console prints: entities, control
 * characters (not allowed in XML 1.0 at all), broken or overlong UTF-8.
 */
TEST(report, xml_escape)
{
	check_xml("a<b>&\"c'", false, "a&lt;b&gt;&amp;&quot;c&apos;");
	check_xml("tab\tnl\ncr\r", false, "tab\tnl\ncr&#13;");
	check_xml("tab\tnl\ncr\r", true, "tab&#9;nl&#10;cr&#13;");
	/* Control characters are not XML characters at all: gone. */
	check_xml("a\x01\x02\x1b[0mb\x7f", false, "a[0mb\x7f");
	/* Valid UTF-8 is kept; broken UTF-8 becomes U+FFFD. */
	check_xml("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", false,
		  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	check_xml("a\377b", false, "a\357\277\275b"); /* octal: a hex escape would eat the b */
	check_xml("trunc\xc3", false, "trunc\xef\xbf\xbd");
	/* An overlong '<' must not slip through as a raw '<'. */
	check_xml("\xc0\xbcx", false, "\xef\xbf\xbd\xef\xbf\xbdx");
	/* U+FFFE and a UTF-16 surrogate are not XML characters. */
	check_xml("\xef\xbf\xbe|\xed\xa0\x80", false,
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check_xml("", true, "");
}

TEST(report, tap_writer)
{
	struct results r;
	char *out;

	ut_sample_results(&r);
	out = UT_CAPTURE(report_write_tap, &r);
	EXPECT_TEXT(out, "TAP version 13\n"
			 "1..4\n"
			 "# mapping 4 refs\n"
			 "ok 1 - map/ro-basic\n"
			 "# got 0x00 <\n"
			 "not ok 2 - map/rw\\#1 # mismatch at page 3 <&>\n"
			 "ok 3 - m2p/lookup # SKIP needs 2 vcpus\n"
			 "ok 4 - plain\n"
			 "# totals: pass 2, fail 1, skip 1, error 0, xfail 0, xpass 0, total 4\n");
	free(out);
	results_free(&r);

	/* No tests at all: still a valid TAP document, with an empty plan. */
	results_init(&r);
	out = UT_CAPTURE(report_write_tap, &r);
	EXPECT_TEXT(out,
		    "TAP version 13\n1..0\n# totals: pass 0, fail 0, skip 0, error 0, xfail 0, "
		    "xpass 0, total 0\n");
	free(out);
	results_free(&r);
}

/*
 * junit.xml: one testsuite per suite prefix with correct counts, as GitLab and
 * Jenkins read them.
 */
TEST(report, junit_writer)
{
	struct results r;
	char *out;

	ut_sample_results(&r);
	out = UT_CAPTURE(report_write_junit, &r);
	EXPECT_TRUE(strncmp(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
	EXPECT_HAS(out, "<testsuites name=\"gntlab\" tests=\"4\" failures=\"1\" errors=\"0\" "
			"skipped=\"1\" time=\"3.250\">");
	EXPECT_HAS(out, "<testsuite name=\"map\" tests=\"2\" failures=\"1\" errors=\"0\" "
			"skipped=\"0\" time=\"2.500\">");
	EXPECT_HAS(out, "<testsuite name=\"m2p\" tests=\"1\" failures=\"0\" errors=\"0\" "
			"skipped=\"1\" time=\"0.250\">");
	EXPECT_HAS(out, "<testsuite name=\"default\" tests=\"1\" failures=\"0\"");
	EXPECT_HAS(out, "<testcase classname=\"gntlab.map\" name=\"ro-basic\" time=\"1.500\">\n"
			"      <system-out>mapping 4 refs\n</system-out>\n");
	EXPECT_HAS(out, "<testcase classname=\"gntlab.map\" name=\"rw#1\" time=\"1.000\">\n"
			"      <failure message=\"mismatch at&#10;page 3 &lt;&amp;&gt;\" "
			"type=\"test\">mismatch at\npage 3 &lt;&amp;&gt;</failure>\n"
			"      <system-out>got 0x00 &lt;\n</system-out>\n");
	EXPECT_HAS(out, "<testcase classname=\"gntlab.m2p\" name=\"lookup\" time=\"0.250\">\n"
			"      <skipped message=\"needs 2 vcpus\"/>\n    </testcase>");
	EXPECT_HAS(out, "<testcase classname=\"gntlab.default\" name=\"plain\"");
	EXPECT_LACKS(out, "\x01");
	/* Suites appear in the order of their first test, each exactly once. */
	EXPECT_TRUE(strstr(out, "name=\"map\"") < strstr(out, "name=\"m2p\""));
	EXPECT_TRUE(strstr(strstr(out, "<testsuite name=\"map\"") + 1, "<testsuite name=\"map\"") ==
		    NULL);
	EXPECT_TRUE(strstr(out, "</testsuites>\n") != NULL);
	free(out);
	results_free(&r);
}

/* summary.txt: counts, verdict, accelerator, milestones and phase durations. */
TEST(report, summary_writer)
{
	struct results r;
	char *out;

	ut_sample_results(&r);
	phase_init(&r.phase, 100.0);
	phase_reach(&r.phase, MS_XEN, 101.0);
	phase_reach(&r.phase, MS_LINUX, 103.5);
	phase_reach(&r.phase, MS_DOM0_INIT, 105.0);
	phase_reach(&r.phase, MS_DOM0_READY, 110.0);
	phase_reach(&r.phase, MS_GUEST_READY, 115.0);
	phase_reach(&r.phase, MS_TESTS, 115.5);
	phase_reach(&r.phase, MS_TESTS_DONE, 125.5);
	phase_reach(&r.phase, MS_END, 126.0);
	phase_reach(&r.phase, MS_QEMU_EXIT, 130.0);
	r.qemu_exited = true;
	snprintf(r.accel, sizeof(r.accel), "tcg");
	snprintf(r.accel_note, sizeof(r.accel_note), "kvm requested; fell back");
	snprintf(r.end_status, sizeof(r.end_status), "fail");
	out = UT_CAPTURE(report_write_summary, &r);
	EXPECT_HAS(
		out,
		"verdict: FAIL\npass: 2\nfail: 1\nskip: 1\nerror: 0\nxfail: 0\nxpass: 0\ntotal: 4\n"
		"accel: tcg\n"
		"accel-note: kvm requested; fell back\nend: fail\n");
	EXPECT_HAS(out, "qemu: exited with status 0\n");
	EXPECT_HAS(out, "  xen-start           1.0 s\n");
	EXPECT_HAS(out, "  guest-start         n/a\n");
	EXPECT_HAS(out, "  xen-boot            3.5 s\n");
	EXPECT_HAS(out, "  dom0-ready          6.5 s\n");
	EXPECT_HAS(out, "  guest-ready         5.0 s\n");
	EXPECT_HAS(out, "  tests              10.0 s\n");
	EXPECT_HAS(out, "  total              30.0 s\n");
	EXPECT_HAS(out, "failures:\n  map/rw#1: mismatch at page 3 <&>\n");
	free(out);
	results_free(&r);
}

TEST(report, summary_matrix)
{
	struct results r;
	char *out;

	ut_sample_results(&r);
	out = UT_CAPTURE(report_write_summary, &r);
	EXPECT_HAS(out, "matrix: no cells reported\n");
	EXPECT_LACKS(out, "matrix mismatches");
	free(out);
	ut_add_cell(&r.matrix, "gup-slow", "special", "EFAULT", "EFAULT");
	ut_add_cell(&r.matrix, "odirect-read", "nohook", "ok", "EFAULT");
	out = UT_CAPTURE(report_write_summary, &r);
	EXPECT_HAS(out, "matrix: 1 matched, 1 mismatched, 2 missing (matrix.md)\n");
	EXPECT_HAS(out,
		   "\nmatrix mismatches:\n  odirect-read / nohook: observed EFAULT, expected ok\n");
	free(out);
	results_free(&r);
}

/* XTF rule: "no verdict" is never a pass; skips alone are not failures. */
TEST(report, verdict)
{
	struct results r;

	results_init(&r);
	r.end_seen = true;
	EXPECT_FALSE(results_passed(&r)); /* no tests: never a pass */
	results_add(&r, "a/skipped", TEST_SKIP, "why", 0, 0, false);
	EXPECT_TRUE(results_passed(&r)); /* all skipped is not a failure */
	results_add(&r, "a/ok", TEST_PASS, "", 0, 0, false);
	EXPECT_TRUE(results_passed(&r));
	r.end_seen = false;
	EXPECT_FALSE(results_passed(&r));
	r.end_seen = true;
	r.timed_out = true;
	EXPECT_FALSE(results_passed(&r));
	r.timed_out = false;
	r.interrupted = true;
	EXPECT_FALSE(results_passed(&r));
	r.interrupted = false;
	results_add(&r, "a/bad", TEST_FAIL, "x", 0, 0, false);
	EXPECT_FALSE(results_passed(&r));
	results_free(&r);

	/* Only runner-made results (e.g. ok ones) do not count as reported tests. */
	results_init(&r);
	r.end_seen = true;
	results_add(&r, "runner/note", TEST_PASS, "", 0, 0, true);
	EXPECT_FALSE(results_passed(&r));
	EXPECT_EQ(results_count(&r).reported, 0);
	results_free(&r);
}

/* Diagnostics per test are bounded (the latest kept), and the drop is counted. */
TEST(report, excerpt_limit)
{
	struct excerpt a, b;
	char line[32];

	excerpt_init(&a, EXCERPT_MAX);
	for (int i = 0; i < EXCERPT_MAX + 50; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		excerpt_add(&a, line, strlen(line));
	}
	EXPECT_EQ(a.n, EXCERPT_MAX);
	EXPECT_EQ(a.dropped, 50);
	EXPECT_STREQ(a.lines[0], "line 50");
	EXPECT_STREQ(a.lines[EXCERPT_MAX - 1], "line 249");
	excerpt_init(&b, 3);
	excerpt_move(&b, &a);
	EXPECT_EQ(a.n, 0);
	EXPECT_EQ(b.n, 3);
	EXPECT_EQ(b.dropped, 50 + EXCERPT_MAX - 3);
	EXPECT_STREQ(b.lines[2], "line 249");
	excerpt_clear(&b);
	excerpt_clear(&a);
}

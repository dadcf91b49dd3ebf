// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the host runner, TAP 13 on stdout.
 *
 * Each test runs in its own forked child (as in kselftest), so a crash or a
 * hang costs one test, not the run. Checks inside a test are counted, not
 * fatal: every failed check prints what was expected and what came.
 *
 * The end-to-end tests run the real gntlab-runner against fake-qemu.sh, and
 * the real gntlab-catalogue-check:
 *   unit-tests --runner PATH --fake-qemu PATH --catalogue PATH --junit-xsd PATH
 *              --tmp DIR
 * Without them they are skipped (and say so).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "catalogue.h"
#include "cli.h"
#include "matrix.h"
#include "phase.h"
#include "report.h"
#include "serial.h"
#include "session.h"

static int check_failures;
static const char *runner_path, *fake_path, *tmp_root, *catalogue_path, *junit_xsd;
static const char *reuse_dir; /* run the next end-to-end test in this folder */

/* Skip conditions: why a test cannot run with these arguments, or NULL. */
static const char *need_runner(void)
{
	return runner_path && fake_path ? NULL : "needs --runner and --fake-qemu";
}

static const char *need_catalogue(void)
{
	return catalogue_path ? NULL : "needs --catalogue";
}

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static void check_(bool ok, const char *expr, const char *file, int line)
{
	if (ok)
		return;
	check_failures++;
	diag("%s:%d: check failed: %s", file, line, expr);
}

/* Show strings with their control characters, so a stray \r is visible. */
static void show(const char *label, const char *s)
{
	fputs("#   ", stdout);
	fputs(label, stdout);
	if (!s) {
		fputs("(null)\n", stdout);
		return;
	}
	fputc('"', stdout);
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\r')
			fputs("\\r", stdout);
		else if ((unsigned char)*s < 0x20)
			printf("\\x%02x", (unsigned char)*s);
		else
			fputc(*s, stdout);
	}
	fputs("\"\n", stdout);
}

static void check_str_(const char *got, const char *want, const char *expr, const char *file,
		       int line)
{
	if (got && want && strcmp(got, want) == 0)
		return;
	check_failures++;
	diag("%s:%d: %s", file, line, expr);
	show("got:  ", got);
	show("want: ", want);
}

static void check_int_(long long got, long long want, const char *expr, const char *file, int line)
{
	if (got == want)
		return;
	check_failures++;
	diag("%s:%d: %s is %lld, want %lld", file, line, expr, got, want);
}

static void check_contains_(const char *hay, const char *needle, bool want, const char *expr,
			    const char *file, int line)
{
	bool has = hay && strstr(hay, needle);

	if (has == want)
		return;
	check_failures++;
	diag("%s:%d: %s %s:", file, line, expr, want ? "lacks" : "has");
	show("needle: ", needle);
	if (hay && strlen(hay) < 4000)
		show("text: ", hay);
}

#define CHECK(c)	     check_(!!(c), #c, __FILE__, __LINE__)
#define CHECK_STR(got, want) check_str_((got), (want), #got, __FILE__, __LINE__)
#define CHECK_INT(got, want)                                                                       \
	check_int_((long long)(got), (long long)(want), #got, __FILE__, __LINE__)
#define CHECK_HAS(hay, needle)	 check_contains_((hay), (needle), true, #hay, __FILE__, __LINE__)
#define CHECK_LACKS(hay, needle) check_contains_((hay), (needle), false, #hay, __FILE__, __LINE__)

/* ---- line splitting ---- */

struct lines {
	char *v[64];
	size_t n;
};

static void collect(void *ctx, const char *line, size_t len)
{
	struct lines *l = ctx;

	CHECK(strlen(line) == len);
	if (l->n < 64)
		l->v[l->n++] = strndup(line, len);
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

static void feed(struct linebuf *lb, struct lines *l, const char *s)
{
	linebuf_feed(lb, s, strlen(s), collect, l);
}

/*
 * Serial consoles end lines with CRLF, LF, or redraw with a lone CR; a failure
 * here means markers would be glued to the text around them or lost.
 */
static void test_linebuf_terminators(void)
{
	struct linebuf *lb = malloc(sizeof(*lb));
	struct lines l = {0};

	linebuf_init(lb);
	feed(lb, &l, "a\r\nb\nc\rd\n\ne\r\r\n");
	CHECK_INT(l.n, 6);
	CHECK_STR(l.v[0], "a");
	CHECK_STR(l.v[1], "b");
	CHECK_STR(l.v[2], "c"); /* a lone CR starts a new line */
	CHECK_STR(l.v[3], "d");
	CHECK_STR(l.v[4], ""); /* an empty line stays a line */
	CHECK_STR(l.v[5], "e");
	lines_free(&l);
	free(lb);
}

/*
 * A read can end anywhere, even between the CR and LF of one line: a marker
 * split over two reads must still be one line.
 */
static void test_linebuf_partial(void)
{
	struct linebuf *lb = malloc(sizeof(*lb));
	struct lines l = {0};

	linebuf_init(lb);
	feed(lb, &l, "(XEN) GNTLAB-TA");
	CHECK_INT(l.n, 0);
	feed(lb, &l, "P ok x/y\r");
	CHECK_INT(l.n, 1);
	feed(lb, &l, "\n"); /* the LF of the CRLF split over two reads */
	CHECK_INT(l.n, 1);
	CHECK_STR(l.v[0], "(XEN) GNTLAB-TAP ok x/y");
	feed(lb, &l, "no newline at the end");
	CHECK_INT(l.n, 1);
	linebuf_flush(lb, collect, &l);
	CHECK_INT(l.n, 2);
	CHECK_STR(l.v[1], "no newline at the end");
	linebuf_flush(lb, collect, &l);
	CHECK_INT(l.n, 2);
	lines_free(&l);
	free(lb);
}

/*
 * NUL bytes (seen on serial lines after resets) must not cut a marker, and a
 * line that never ends must not grow without bound.
 */
static void test_linebuf_nul_and_long(void)
{
	struct linebuf *lb = malloc(sizeof(*lb));
	struct lines l = {0};
	size_t big = 2 * SERIAL_MAX_LINE + 100;
	char *s = malloc(big + 2);

	linebuf_init(lb);
	linebuf_feed(lb, "GNT\0LAB\0-END ok\n", 16, collect, &l);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.v[0], "GNTLAB-END ok");
	memset(s, 'x', big);
	s[big] = '\n';
	linebuf_feed(lb, s, big + 1, collect, &l);
	CHECK_INT(l.n, 4);
	CHECK_INT(strlen(l.v[1]), SERIAL_MAX_LINE);
	CHECK_INT(strlen(l.v[2]), SERIAL_MAX_LINE);
	CHECK_INT(strlen(l.v[3]), 100);
	lines_free(&l);
	free(s);
	free(lb);
}

/* ---- markers ---- */

static void check_marker(const char *line, enum marker_kind kind, const char *payload)
{
	struct marker m;
	bool found = serial_find_marker(line, &m);
	char *got;

	CHECK_INT(found, kind != MARK_NONE);
	CHECK_INT(m.kind, kind);
	if (!found || !payload)
		return;
	got = strndup(m.payload, m.payload_len);
	CHECK_STR(got, payload);
	free(got);
}

/*
 * The contract of tests/markers.h: a marker anywhere in a line, its payload
 * the rest of the line. Look-alike words must not count.
 */
static void test_marker_parsing(void)
{
	check_marker("GNTLAB-PHASE dom0-init", MARK_PHASE, "dom0-init");
	check_marker("(XEN) GNTLAB-PHASE tests  ", MARK_PHASE, "tests");
	check_marker("[   12.3] init: GNTLAB-TAP ok map/x # SKIP why", MARK_TAP,
		     "ok map/x # SKIP why");
	check_marker("(d1) noise GNTLAB-DIAG got 0x00 at 3", MARK_DIAG, "got 0x00 at 3");
	check_marker("GNTLAB-LOG guest1 hello world", MARK_LOG, "guest1 hello world");
	check_marker("GNTLAB-END ok", MARK_END, "ok");
	check_marker("GNTLAB-END", MARK_END, "");
	check_marker("xGNTLAB-END\tpass", MARK_END, "pass");
	/* Not markers: other words that start alike, or no marker at all. */
	check_marker("GNTLAB-TAPX ok a/b", MARK_NONE, NULL);
	check_marker("GNTLAB-PHASEdom0-init", MARK_NONE, NULL);
	check_marker("GNTLAB- nothing", MARK_NONE, NULL);
	check_marker("(XEN) Xen version 4.17", MARK_NONE, NULL);
	check_marker("", MARK_NONE, NULL);
	/* The first real marker wins, even after a false start. */
	check_marker("GNTLAB-FOO GNTLAB-TAP ok a/b", MARK_TAP, "ok a/b");
}

static void check_tap(const char *payload, bool valid, enum test_status st, const char *name,
		      const char *reason)
{
	struct tap_line t;
	bool got = serial_parse_tap(payload, strlen(payload), &t);

	CHECK_INT(got, valid);
	if (!got || !valid)
		return;
	CHECK_INT(t.status, st);
	CHECK_STR(t.name, name);
	CHECK_STR(t.reason, reason);
}

/*
 * GNTLAB-TAP payloads: ok/skip/fail with reasons, TAP numbering tolerated, and
 * nothing that is not a test line taken for one.
 */
static void test_tap_parsing(void)
{
	check_tap("ok map/ro-basic", true, TEST_PASS, "map/ro-basic", "");
	check_tap("not ok map/rw # pattern mismatch at page 3", true, TEST_FAIL, "map/rw",
		  "pattern mismatch at page 3");
	check_tap("ok m2p/x # SKIP needs 2 vcpus", true, TEST_SKIP, "m2p/x", "needs 2 vcpus");
	check_tap("ok m2p/x # skip: lower case", true, TEST_SKIP, "m2p/x", "lower case");
	check_tap("ok m2p/x #SKIP", true, TEST_SKIP, "m2p/x", "");
	check_tap("ok 3 - m2p/numbered", true, TEST_PASS, "m2p/numbered", "");
	check_tap("not ok 12 - a/b # why", true, TEST_FAIL, "a/b", "why");
	check_tap("ok a/b # a comment, not a skip", true, TEST_PASS, "a/b",
		  "a comment, not a skip");
	check_tap("ok a/b # Skipping is not SKIP", true, TEST_PASS, "a/b", "Skipping is not SKIP");
	/* A failure stays a failure even if it claims to be a skip. */
	check_tap("not ok a/b # SKIP no", true, TEST_FAIL, "a/b", "SKIP no");
	check_tap("not ok a/b", true, TEST_FAIL, "a/b", "");
	check_tap("  ok   a/b  ", true, TEST_PASS, "a/b", "");
	check_tap("ok", false, TEST_PASS, NULL, NULL);
	check_tap("not ok", false, TEST_PASS, NULL, NULL);
	check_tap("okay a/b", false, TEST_PASS, NULL, NULL);
	check_tap("nope a/b", false, TEST_PASS, NULL, NULL);
	check_tap("ok # SKIP nameless", false, TEST_PASS, NULL, NULL);
	check_tap("", false, TEST_PASS, NULL, NULL);
}

/*
 * GNTLAB-LOG goes to <domain>.log: the domain name comes from the guest and
 * must not be able to name a path outside the results folder, or serial.log.
 */
static void test_log_split_and_sanitize(void)
{
	const char *payload = "guest1   indented text";
	const char *dom, *text;
	size_t dlen, tlen;
	char out[72];

	CHECK(serial_split_log(payload, strlen(payload), &dom, &dlen, &text, &tlen));
	CHECK_INT(dlen, 6);
	CHECK(strncmp(dom, "guest1", 6) == 0);
	CHECK_INT(tlen, strlen("  indented text"));
	CHECK(!serial_split_log("   ", 3, &dom, &dlen, &text, &tlen));
	CHECK(serial_split_log("dom0", 4, &dom, &dlen, &text, &tlen));
	CHECK_INT(tlen, 0);

	CHECK_STR(serial_sanitize_domain("guest1", 6, out, sizeof(out)), "guest1");
	CHECK_STR(serial_sanitize_domain("dom-0_A", 7, out, sizeof(out)), "dom-0_A");
	CHECK_STR(serial_sanitize_domain("../etc/passwd", 13, out, sizeof(out)), "___etc_passwd");
	CHECK_STR(serial_sanitize_domain("a b\tc\xc3\xa9", 7, out, sizeof(out)), "a_b_c__");
	CHECK_STR(serial_sanitize_domain("", 0, out, sizeof(out)), "unknown");
	CHECK_STR(serial_sanitize_domain("serial", 6, out, sizeof(out)), "serial_");
	CHECK_STR(serial_sanitize_domain(
			  "0123456789012345678901234567890123456789012345678901234567890123456789",
			  70, out, sizeof(out)),
		  "0123456789012345678901234567890123456789012345678901234567890123");
	CHECK_STR(serial_sanitize_domain("abcdef", 6, out, 4), "abc");
}

/*
 * Crash detection: every listed pattern is found, also inside GNTLAB-LOG text;
 * words that merely contain one (DEBUG:, Oopsie) are not crashes.
 */
static void test_crash_patterns(void)
{
	static const struct {
		const char *line;
		const char *pattern; /* NULL: must not be a crash */
	} cases[] = {
		{"(XEN) ****************************************", NULL},
		{"(XEN) Panic on CPU 0:", "Panic on CPU"},
		{"[   3.1] Kernel panic - not syncing: VFS", "Kernel panic"},
		{"[   3.1] BUG: unable to handle page fault", "BUG: "},
		{"GNTLAB-LOG guest1 [ 1.0] BUG: Bad page state", "BUG: "},
		{"[ 1.0] Oops: 0000 [#1] SMP NOPTI", "Oops"},
		{"[ 1.0] Internal error: Oops - BUG", "Oops"},
		{"[ 1.0] WARNING: CPU: 1 PID: 7 at mm/x.c:3", "WARNING: CPU:"},
		{"[ 1.0] general protection fault, probably for non-canonical",
		 "general protection fault"},
		{"[ 1.0] BUG: Bad page map in process x", "BUG: "},
		{"[ 1.0] Bad page map in process agent pte:8000", "Bad page map"},
		{"[ 1.0] Bad rss-counter state mm:0000 type:MM_FILEPAGES val:-1",
		 "Bad rss-counter"},
		{"(XEN) domain_crash called from p2m.c:1234", "domain_crash"},
		{"(XEN) domain_crash_sync called from entry.S", "domain_crash"},
		{"(XEN) d1v0 domain_crash_sync", "domain_crash"},
		{"[ 1.0] Call Trace:", "Call Trace:"},
		{" Call Trace:", "Call Trace:"},
		/* Look-alikes that are not crashes. */
		{"[ 1.0] DEBUG: mapped 4 pages", NULL},
		{"[ 1.0] NOBUG: fine", NULL},
		{"[ 1.0] my_BUG: fine", NULL},
		{"[ 1.0] bug: lower case is not the kernel's BUG", NULL},
		{"[ 1.0] BUG without colon", NULL},
		{"[ 1.0] Oopsie daisy", NULL},
		{"[ 1.0] WARNING: something else", NULL},
		{"[ 1.0] kernel panic in lower case", NULL},
		{"[ 1.0] CPU panic", NULL},
		{"(XEN) my_domain_crash_counter=0", NULL},
		{"GNTLAB-TAP ok map/bad-page-map-regression", NULL},
		{"", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = serial_crash_pattern(cases[i].line);

		if (cases[i].pattern == NULL ? got == NULL
					     : got != NULL && strcmp(got, cases[i].pattern) == 0)
			continue;
		check_failures++;
		diag("crash pattern of \"%s\": got %s, want %s", cases[i].line, got ? got : "none",
		     cases[i].pattern ? cases[i].pattern : "none");
	}
}

/* The free-text milestones: Xen banner, dom0 kernel banner, KVM failure. */
static void test_milestone_lines(void)
{
	CHECK(serial_is_xen_start("(XEN) Xen version 4.17.5 (Debian 4.17.5)"));
	CHECK(!serial_is_xen_start("Xen version 4.17.5 without the prefix"));
	CHECK(!serial_is_xen_start("(XEN) Command line: console=com1"));
	CHECK(serial_is_linux_start("[    0.000000] Linux version 6.1.0-56-amd64"));
	CHECK(!serial_is_linux_start("[    0.000000] Command line: console=hvc0"));
	CHECK(serial_is_kvm_error("KVM internal error. Suberror: 1"));
	CHECK(!serial_is_kvm_error("KVM: enabled"));
}

static void check_matrix_line(const char *payload, bool valid, const char *row, const char *col,
			      const char *expected, const char *observed)
{
	struct matrix_line l;
	bool got = serial_parse_matrix(payload, strlen(payload), &l);

	CHECK_INT(got, valid);
	if (!got || !valid)
		return;
	CHECK_STR(l.row, row);
	CHECK_STR(l.col, col);
	CHECK_STR(l.expected, expected);
	CHECK_STR(l.observed, observed);
}

/*
 * GNTLAB-MATRIX: found anywhere in a line like the other markers, exactly four
 * single-word fields. A fifth word means an outcome with a space, which would
 * shift the fields: refused rather than misread.
 */
static void test_matrix_parsing(void)
{
	char longword[MATRIX_WORD_MAX + 40];

	check_marker("GNTLAB-MATRIX gup-slow special ok ok", MARK_MATRIX, "gup-slow special ok ok");
	check_marker("(XEN) d0v1 GNTLAB-MATRIX odirect-read pfnmap EFAULT ok ", MARK_MATRIX,
		     "odirect-read pfnmap EFAULT ok");
	check_marker("GNTLAB-MATRIXgup-slow special ok ok", MARK_NONE, NULL);
	check_marker("GNTLAB-MATRICES a b c d", MARK_NONE, NULL);

	check_matrix_line("gup-slow special EFAULT EFAULT", true, "gup-slow", "special", "EFAULT",
			  "EFAULT");
	check_matrix_line("  odirect-read\tnohook  ok   SIGSEGV  ", true, "odirect-read", "nohook",
			  "ok", "SIGSEGV");
	check_matrix_line("a<b c&d \"e\" 'f'", true, "a<b", "c&d", "\"e\"", "'f'");
	check_matrix_line("gup-slow special EFAULT", false, NULL, NULL, NULL, NULL);
	check_matrix_line("gup-slow special EFAULT bad address", false, NULL, NULL, NULL, NULL);
	check_matrix_line("", false, NULL, NULL, NULL, NULL);
	check_matrix_line("   ", false, NULL, NULL, NULL, NULL);

	/* A word of exactly the limit is kept whole; one more is refused. */
	memset(longword, 'x', MATRIX_WORD_MAX);
	snprintf(longword + MATRIX_WORD_MAX, sizeof(longword) - MATRIX_WORD_MAX, " pfnmap ok ok");
	{
		struct matrix_line l;

		CHECK(serial_parse_matrix(longword, strlen(longword), &l));
		CHECK_INT(strlen(l.row), MATRIX_WORD_MAX);
		CHECK_STR(l.col, "pfnmap");
	}
	memset(longword, 'x', MATRIX_WORD_MAX + 1);
	snprintf(longword + MATRIX_WORD_MAX + 1, sizeof(longword) - MATRIX_WORD_MAX - 1,
		 " pfnmap ok ok");
	check_matrix_line(longword, false, NULL, NULL, NULL, NULL);
}

/* ---- reports ---- */

static void check_xml(const char *in, bool attr, const char *want)
{
	char *got = xml_escape(in, attr);

	CHECK_STR(got, want);
	free(got);
}

/*
 * junit.xml must stay well-formed whatever a console prints: entities, control
 * characters (not allowed in XML 1.0 at all), broken or overlong UTF-8.
 */
static void test_xml_escape(void)
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

static char *capture(int (*writer)(FILE *, const struct results *), const struct results *r)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	CHECK_INT(writer(f, r), 0);
	fclose(f);
	return buf;
}

static void sample_results(struct results *r)
{
	struct test_case *t;

	results_init(r);
	t = results_add(r, "map/ro-basic", TEST_PASS, "", 10.0, 1.5, false);
	excerpt_add(&t->log, "mapping 4 refs", 14);
	t = results_add(r, "map/rw#1", TEST_FAIL, "mismatch at\npage 3 <&>", 11.0, 1.0, false);
	excerpt_add(&t->log, "got 0x00 \x01<", 12);
	results_add(r, "m2p/lookup", TEST_SKIP, "needs 2 vcpus", 12.0, 0.25, false);
	results_add(r, "plain", TEST_PASS, "", 12.5, 0.5, false);
	r->end_seen = true;
}

/*
 * results.tap, byte for byte: plan first, diagnostics before their test, SKIP
 * and failure reasons as directives, totals last.
 */
static void test_tap_writer(void)
{
	struct results r;
	char *out;

	sample_results(&r);
	out = capture(report_write_tap, &r);
	CHECK_STR(out, "TAP version 13\n"
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
	out = capture(report_write_tap, &r);
	CHECK_STR(out, "TAP version 13\n1..0\n# totals: pass 0, fail 0, skip 0, error 0, xfail 0, "
		       "xpass 0, total 0\n");
	free(out);
	results_free(&r);
}

/*
 * junit.xml: one testsuite per suite prefix with correct counts, as GitLab and
 * Jenkins read them.
 */
static void test_junit_writer(void)
{
	struct results r;
	char *out;

	sample_results(&r);
	out = capture(report_write_junit, &r);
	CHECK(strncmp(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
	CHECK_HAS(out, "<testsuites name=\"gntlab\" tests=\"4\" failures=\"1\" errors=\"0\" "
		       "skipped=\"1\" time=\"3.250\">");
	CHECK_HAS(out, "<testsuite name=\"map\" tests=\"2\" failures=\"1\" errors=\"0\" "
		       "skipped=\"0\" time=\"2.500\">");
	CHECK_HAS(out, "<testsuite name=\"m2p\" tests=\"1\" failures=\"0\" errors=\"0\" "
		       "skipped=\"1\" time=\"0.250\">");
	CHECK_HAS(out, "<testsuite name=\"default\" tests=\"1\" failures=\"0\"");
	CHECK_HAS(out, "<testcase classname=\"gntlab.map\" name=\"ro-basic\" time=\"1.500\">\n"
		       "      <system-out>mapping 4 refs\n</system-out>\n");
	CHECK_HAS(out, "<testcase classname=\"gntlab.map\" name=\"rw#1\" time=\"1.000\">\n"
		       "      <failure message=\"mismatch at&#10;page 3 &lt;&amp;&gt;\" "
		       "type=\"test\">mismatch at\npage 3 &lt;&amp;&gt;</failure>\n"
		       "      <system-out>got 0x00 &lt;\n</system-out>\n");
	CHECK_HAS(out, "<testcase classname=\"gntlab.m2p\" name=\"lookup\" time=\"0.250\">\n"
		       "      <skipped message=\"needs 2 vcpus\"/>\n    </testcase>");
	CHECK_HAS(out, "<testcase classname=\"gntlab.default\" name=\"plain\"");
	CHECK_LACKS(out, "\x01");
	/* Suites appear in the order of their first test, each exactly once. */
	CHECK(strstr(out, "name=\"map\"") < strstr(out, "name=\"m2p\""));
	CHECK(strstr(strstr(out, "<testsuite name=\"map\"") + 1, "<testsuite name=\"map\"") ==
	      NULL);
	CHECK(strstr(out, "</testsuites>\n") != NULL);
	free(out);
	results_free(&r);
}

/* summary.txt: counts, verdict, accelerator, milestones and phase durations. */
static void test_summary_writer(void)
{
	struct results r;
	char *out;

	sample_results(&r);
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
	out = capture(report_write_summary, &r);
	CHECK_HAS(out, "verdict: FAIL\npass: 2\nfail: 1\nskip: 1\nerror: 0\nxfail: 0\nxpass: 0\ntotal: 4\n"
		       "accel: tcg\n"
		       "accel-note: kvm requested; fell back\nend: fail\n");
	CHECK_HAS(out, "qemu: exited with status 0\n");
	CHECK_HAS(out, "  xen-start           1.0 s\n");
	CHECK_HAS(out, "  guest-start         n/a\n");
	CHECK_HAS(out, "  xen-boot            3.5 s\n");
	CHECK_HAS(out, "  dom0-ready          6.5 s\n");
	CHECK_HAS(out, "  guest-ready         5.0 s\n");
	CHECK_HAS(out, "  tests              10.0 s\n");
	CHECK_HAS(out, "  total              30.0 s\n");
	CHECK_HAS(out, "failures:\n  map/rw#1: mismatch at page 3 <&>\n");
	free(out);
	results_free(&r);
}

static enum matrix_add add_cell(struct matrix *m, const char *row, const char *col,
				const char *expected, const char *observed)
{
	struct matrix_line l;

	snprintf(l.row, sizeof(l.row), "%s", row);
	snprintf(l.col, sizeof(l.col), "%s", col);
	snprintf(l.expected, sizeof(l.expected), "%s", expected);
	snprintf(l.observed, sizeof(l.observed), "%s", observed);
	return matrix_add(m, &l);
}

static char *capture_matrix(int (*writer)(FILE *, const struct matrix *), const struct matrix *m)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	CHECK_INT(writer(f, m), 0);
	fclose(f);
	return buf;
}

/*
 * Table assembly: rows and columns in the order first seen, cells looked up
 * by both, a cell reported again replaced by the latest report, cells never
 * reported counted as missing; a flood of rows cannot grow the table.
 */
static void test_matrix_table(void)
{
	struct matrix m;
	struct matrix_counts k;
	const struct matrix_cell *c;
	char name[32];

	matrix_init(&m);
	k = matrix_count(&m);
	CHECK(k.matched == 0 && k.mismatched == 0 && k.missing == 0);
	CHECK_INT(add_cell(&m, "gup-slow", "special", "EFAULT", "EFAULT"), MATRIX_NEW);
	CHECK_INT(add_cell(&m, "odirect-read", "nohook", "ok", "EFAULT"), MATRIX_NEW);
	CHECK_INT(add_cell(&m, "gup-slow", "nohook", "ok", "ok"), MATRIX_NEW);
	CHECK_INT(add_cell(&m, "gup-slow", "special", "EFAULT", "ok"), MATRIX_REPEATED);
	CHECK_INT(m.nrows, 2);
	CHECK_INT(m.ncols, 2);
	CHECK_STR(m.rows[0], "gup-slow");
	CHECK_STR(m.rows[1], "odirect-read");
	CHECK_STR(m.cols[0], "special");
	CHECK_STR(m.cols[1], "nohook");
	c = matrix_cell_at(&m, 0, 0);
	CHECK(c && strcmp(c->observed, "ok") == 0 && c->reports == 2 && !matrix_cell_matches(c));
	c = matrix_cell_at(&m, 0, 1);
	CHECK(c && matrix_cell_matches(c));
	CHECK(matrix_cell_at(&m, 1, 0) == NULL); /* odirect-read/special: never reported */
	c = matrix_cell_at(&m, 1, 1);
	CHECK(c && strcmp(c->expected, "ok") == 0 && strcmp(c->observed, "EFAULT") == 0);
	k = matrix_count(&m);
	CHECK_INT(k.matched, 1);
	CHECK_INT(k.mismatched, 2);
	CHECK_INT(k.missing, 1);
	CHECK_INT(k.repeated, 1);
	/* Outcomes compare exactly: "efault" is not "EFAULT". */
	add_cell(&m, "odirect-read", "special", "EFAULT", "efault");
	CHECK_INT(matrix_count(&m).mismatched, 3);
	CHECK_INT(matrix_count(&m).missing, 0);
	matrix_free(&m);

	/* Beyond MATRIX_AXIS_MAX rows: dropped and counted, neither axis grows. */
	matrix_init(&m);
	for (int i = 0; i < MATRIX_AXIS_MAX; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		CHECK_INT(add_cell(&m, name, "special", "ok", "ok"), MATRIX_NEW);
	}
	CHECK_INT(add_cell(&m, "one-too-many", "special", "ok", "ok"), MATRIX_DROPPED);
	CHECK_INT(add_cell(&m, "one-too-many", "new-mode", "ok", "ok"), MATRIX_DROPPED);
	CHECK_INT(add_cell(&m, "r0", "nohook", "ok", "ok"), MATRIX_NEW); /* known row, new column */
	CHECK_INT(m.nrows, MATRIX_AXIS_MAX);
	CHECK_INT(m.ncols, 2);
	CHECK_INT(m.dropped, 2);
	CHECK_INT(matrix_count(&m).missing, MATRIX_AXIS_MAX - 1);
	matrix_free(&m);
}

/*
 * Markdown and HTML must show a cell's text, never let it act as markup: a
 * '|' would split a table cell, '<' open a tag, '&' start an entity.
 */
static void test_matrix_escaping(void)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct matrix m;
	char *out;

	markdown_write_escaped(f, "a|b*c_d`e<f>&g\\h[i]~j\x01\x1b-k.l");
	fclose(f);
	CHECK_STR(buf, "a\\|b\\*c\\_d\\`e\\<f\\>\\&g\\\\h\\[i\\]\\~j-k.l");
	free(buf);

	matrix_init(&m);
	add_cell(&m, "a|b<i>", "m&n", "<ok>", "'\"x\"'");
	out = capture_matrix(matrix_write_markdown, &m);
	CHECK_HAS(out, "| GUP user | m\\&n |\n| --- | --- |\n"
		       "| a\\|b\\<i\\> | '\"x\"' \xE2\x9C\x97 (expected \\<ok\\>) |\n");
	free(out);
	out = capture_matrix(matrix_write_html, &m);
	CHECK_HAS(out, "<th>m&amp;n</th>");
	CHECK_HAS(out, "<tr><th>a|b&lt;i&gt;</th><td class=\"mismatch\">&apos;&quot;x&quot;&apos; "
		       "\xE2\x9C\x97 (expected &lt;ok&gt;)</td></tr>\n");
	CHECK_LACKS(out, "<i>");
	free(out);
	matrix_free(&m);
}

/*
 * matrix.md byte for byte: header row of modes, one row per GUP user,
 * observed outcome with its mark, a dash for a cell never reported, the
 * counts, and a note for a cell reported twice.
 */
static void test_matrix_markdown(void)
{
	struct matrix m;
	char *out;

	matrix_init(&m);
	add_cell(&m, "gup-slow", "special", "EFAULT", "EFAULT");
	add_cell(&m, "gup-slow", "nohook", "ok", "ok");
	add_cell(&m, "odirect-read", "special", "EFAULT", "ok");
	out = capture_matrix(matrix_write_markdown, &m);
	CHECK_STR(out, "# Behaviour matrix\n\n"
		       "Rows: GUP users; columns: mapping modes. Each cell is the observed "
		       "outcome, with \xE2\x9C\x93 if it is the expected one, \xE2\x9C\x97 "
		       "(expected X) if not; \xE2\x80\x94 marks a cell that was never reported.\n\n"
		       "| GUP user | special | nohook |\n"
		       "| --- | --- | --- |\n"
		       "| gup-slow | EFAULT \xE2\x9C\x93 | ok \xE2\x9C\x93 |\n"
		       "| odirect-read | ok \xE2\x9C\x97 (expected EFAULT) | \xE2\x80\x94 |\n"
		       "\n"
		       "matched: 2, mismatched: 1, missing: 1\n");
	free(out);
	add_cell(&m, "gup-slow", "nohook", "ok", "ok");
	out = capture_matrix(matrix_write_markdown, &m);
	CHECK_HAS(out, "matched: 2, mismatched: 1, missing: 1\n\n"
		       "- gup-slow / nohook was reported 2 times; the latest report is shown\n");
	free(out);
	matrix_free(&m);

	/* Nothing reported: the file still says so, with zero counts. */
	matrix_init(&m);
	out = capture_matrix(matrix_write_markdown, &m);
	CHECK_STR(out, "# Behaviour matrix\n\n"
		       "No matrix cells were reported (no GNTLAB-MATRIX line in this run).\n\n"
		       "matched: 0, mismatched: 0, missing: 0\n");
	free(out);
	matrix_free(&m);
}

/* matrix.html: a whole page, no outside resources, one class per cell state. */
static void test_matrix_html(void)
{
	struct matrix m;
	char *out;

	matrix_init(&m);
	add_cell(&m, "gup-slow", "special", "EFAULT", "EFAULT");
	add_cell(&m, "odirect-read", "nohook", "ok", "SIGSEGV");
	out = capture_matrix(matrix_write_html, &m);
	CHECK(strncmp(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">",
		      60) == 0);
	CHECK_HAS(out, "td.match { background: #c8e6c9; }");
	CHECK_HAS(out, "td.mismatch { background: #ffcdd2; }");
	CHECK_HAS(out, "td.missing { background: #e0e0e0;");
	CHECK_HAS(out, "<thead><tr><th>GUP user</th><th>special</th><th>nohook</th></tr></thead>");
	CHECK_HAS(out, "<tr><th>gup-slow</th><td class=\"match\">EFAULT \xE2\x9C\x93</td>"
		       "<td class=\"missing\">\xE2\x80\x94</td></tr>\n");
	CHECK_HAS(out, "<tr><th>odirect-read</th><td class=\"missing\">\xE2\x80\x94</td>"
		       "<td class=\"mismatch\">SIGSEGV \xE2\x9C\x97 (expected ok)</td></tr>\n");
	CHECK_HAS(out, "<p class=\"counts\">matched: 1, mismatched: 1, missing: 2</p>\n");
	CHECK_LACKS(out, "src=");
	CHECK_LACKS(out, "href=");
	CHECK(strlen(out) > 16 && strcmp(out + strlen(out) - 16, "</body>\n</html>\n") == 0);
	free(out);
	matrix_free(&m);

	matrix_init(&m);
	out = capture_matrix(matrix_write_html, &m);
	CHECK_HAS(out, "<p>No matrix cells were reported (no GNTLAB-MATRIX line in this run).</p>");
	CHECK_HAS(out, "<p class=\"counts\">matched: 0, mismatched: 0, missing: 0</p>\n");
	CHECK_LACKS(out, "<table");
	free(out);
	matrix_free(&m);
}

/* summary.txt names the matrix counts and lists the mismatched cells. */
static void test_summary_matrix(void)
{
	struct results r;
	char *out;

	sample_results(&r);
	out = capture(report_write_summary, &r);
	CHECK_HAS(out, "matrix: no cells reported\n");
	CHECK_LACKS(out, "matrix mismatches");
	free(out);
	add_cell(&r.matrix, "gup-slow", "special", "EFAULT", "EFAULT");
	add_cell(&r.matrix, "odirect-read", "nohook", "ok", "EFAULT");
	out = capture(report_write_summary, &r);
	CHECK_HAS(out, "matrix: 1 matched, 1 mismatched, 2 missing (matrix.md)\n");
	CHECK_HAS(out,
		  "\nmatrix mismatches:\n  odirect-read / nohook: observed EFAULT, expected ok\n");
	free(out);
	results_free(&r);
}

/* XTF rule: "no verdict" is never a pass; skips alone are not failures. */
static void test_verdict(void)
{
	struct results r;

	results_init(&r);
	r.end_seen = true;
	CHECK(!results_passed(&r)); /* no tests: never a pass */
	results_add(&r, "a/skipped", TEST_SKIP, "why", 0, 0, false);
	CHECK(results_passed(&r)); /* all skipped is not a failure */
	results_add(&r, "a/ok", TEST_PASS, "", 0, 0, false);
	CHECK(results_passed(&r));
	r.end_seen = false;
	CHECK(!results_passed(&r));
	r.end_seen = true;
	r.timed_out = true;
	CHECK(!results_passed(&r));
	r.timed_out = false;
	r.interrupted = true;
	CHECK(!results_passed(&r));
	r.interrupted = false;
	results_add(&r, "a/bad", TEST_FAIL, "x", 0, 0, false);
	CHECK(!results_passed(&r));
	results_free(&r);

	/* Only runner-made results (e.g. ok ones) do not count as reported tests. */
	results_init(&r);
	r.end_seen = true;
	results_add(&r, "runner/note", TEST_PASS, "", 0, 0, true);
	CHECK(!results_passed(&r));
	CHECK_INT(results_count(&r).reported, 0);
	results_free(&r);
}

/* Diagnostics per test are bounded (the latest kept), and the drop is counted. */
static void test_excerpt_limit(void)
{
	struct excerpt a, b;
	char line[32];

	excerpt_init(&a, EXCERPT_MAX);
	for (int i = 0; i < EXCERPT_MAX + 50; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		excerpt_add(&a, line, strlen(line));
	}
	CHECK_INT(a.n, EXCERPT_MAX);
	CHECK_INT(a.dropped, 50);
	CHECK_STR(a.lines[0], "line 50");
	CHECK_STR(a.lines[EXCERPT_MAX - 1], "line 249");
	excerpt_init(&b, 3);
	excerpt_move(&b, &a);
	CHECK_INT(a.n, 0);
	CHECK_INT(b.n, 3);
	CHECK_INT(b.dropped, 50 + EXCERPT_MAX - 3);
	CHECK_STR(b.lines[2], "line 249");
	excerpt_clear(&b);
	excerpt_clear(&a);
}

/* ---- phases and timeouts ---- */

/* Phases may be skipped but not go back; the phase in progress names crashes. */
static void test_phase_bookkeeping(void)
{
	struct phase_state ps;

	CHECK_INT(milestone_from_phase("dom0-init", 9), MS_DOM0_INIT);
	CHECK_INT(milestone_from_phase("tests-done", 10), MS_TESTS_DONE);
	CHECK_INT(milestone_from_phase("tests", 5), MS_TESTS);
	CHECK_INT(milestone_from_phase("test", 4), -1);
	CHECK_INT(milestone_from_phase("end", 3), -1); /* GNTLAB-END is not a phase */

	phase_init(&ps, 50.0);
	CHECK_INT(phase_waiting_for(&ps), MS_DOM0_INIT);
	CHECK_STR(phase_in_progress(&ps), "boot");
	CHECK(phase_reach(&ps, MS_XEN, 51.0));
	CHECK_STR(phase_in_progress(&ps), "xen");
	CHECK(!phase_reach(&ps, MS_XEN, 52.0)); /* the first one counts */
	CHECK(ps.at[MS_XEN] == 51.0);
	phase_reach(&ps, MS_LINUX, 53.0);
	CHECK_STR(phase_in_progress(&ps), "dom0-kernel");
	CHECK_INT(phase_waiting_for(&ps), MS_DOM0_INIT); /* free-text milestones don't end boot */
	CHECK(ps.progress_at == 50.0);
	phase_reach(&ps, MS_DOM0_INIT, 55.0);
	CHECK_INT(phase_waiting_for(&ps), MS_DOM0_READY);
	CHECK_STR(phase_in_progress(&ps), "dom0-init");
	CHECK(ps.progress_at == 55.0);
	/* Skipping the guest phases is allowed... */
	phase_reach(&ps, MS_TESTS, 60.0);
	CHECK_INT(phase_waiting_for(&ps), MS_TESTS_DONE);
	CHECK_STR(phase_in_progress(&ps), "tests");
	/* ...going back is not: state and clock stay. */
	CHECK(phase_reach(&ps, MS_DOM0_READY, 61.0));
	CHECK_INT(phase_waiting_for(&ps), MS_TESTS_DONE);
	CHECK(ps.progress_at == 60.0);
	phase_progress(&ps, 62.0, "test result a/b");
	CHECK(ps.progress_at == 62.0);
	CHECK_STR(ps.progress_what, "test result a/b");
	phase_reach(&ps, MS_TESTS_DONE, 70.0);
	CHECK_INT(phase_waiting_for(&ps), MS_END);
	phase_reach(&ps, MS_END, 71.0);
	CHECK_INT(phase_waiting_for(&ps), MS_QEMU_EXIT);
	CHECK_STR(phase_in_progress(&ps), "end");
	CHECK(phase_span(&ps, MS_QEMU_START, MS_LINUX) == 3.0);
	CHECK(phase_span(&ps, MS_DOM0_READY, MS_GUEST_READY) < 0);
}

/*
 * Timeouts as a pure function of time: boot budget, per-phase budgets from
 * the previous milestone, per-test progress, total budget, exit after END.
 */
static void test_timeouts(void)
{
	struct timeouts to = {.boot = 120, .phase = 60, .total = 900, .after_end = 15};
	struct phase_state ps;
	double next = 0;
	char msg[512];

	phase_init(&ps, 1000.0);
	CHECK_INT(phase_timeout(&ps, &to, 1000.0, &next), TIMEOUT_NONE);
	CHECK(next == 1120.0);
	/* Xen and Linux starting do not extend the boot budget. */
	phase_reach(&ps, MS_XEN, 1010.0);
	phase_reach(&ps, MS_LINUX, 1100.0);
	CHECK_INT(phase_timeout(&ps, &to, 1119.9, &next), TIMEOUT_NONE);
	CHECK_INT(phase_timeout(&ps, &to, 1120.0, &next), TIMEOUT_PHASE);
	phase_timeout_message(&ps, &to, TIMEOUT_PHASE, 1120.0, msg, sizeof(msg));
	CHECK_STR(msg, "'GNTLAB-PHASE dom0-init' did not arrive within 120 s of QEMU start "
		       "(boot timeout)");

	/* Each later phase gets its own budget from the previous milestone. */
	phase_reach(&ps, MS_DOM0_INIT, 1110.0);
	CHECK_INT(phase_timeout(&ps, &to, 1169.9, &next), TIMEOUT_NONE);
	CHECK(next == 1170.0);
	CHECK_INT(phase_timeout(&ps, &to, 1170.0, NULL), TIMEOUT_PHASE);
	phase_timeout_message(&ps, &to, TIMEOUT_PHASE, 1170.0, msg, sizeof(msg));
	CHECK_STR(msg, "'GNTLAB-PHASE dom0-ready' did not arrive within 60 s of "
		       "'GNTLAB-PHASE dom0-init' (at 110.0 s)");
	phase_reach(&ps, MS_DOM0_READY, 1160.0);
	phase_reach(&ps, MS_TESTS, 1200.0);
	/* Test results keep the tests phase alive; silence does not. */
	phase_progress(&ps, 1250.0, "test result a/b");
	CHECK_INT(phase_timeout(&ps, &to, 1300.0, &next), TIMEOUT_NONE);
	CHECK(next == 1310.0);
	CHECK_INT(phase_timeout(&ps, &to, 1310.0, NULL), TIMEOUT_PHASE);
	phase_timeout_message(&ps, &to, TIMEOUT_PHASE, 1310.0, msg, sizeof(msg));
	CHECK_HAS(msg, "'GNTLAB-PHASE tests-done' did not arrive within 60 s of 'test result a/b'");

	/* The total budget wins when it is nearer. */
	phase_progress(&ps, 1880.0, "test result a/c");
	CHECK_INT(phase_timeout(&ps, &to, 1899.0, &next), TIMEOUT_NONE);
	CHECK(next == 1900.0);
	CHECK_INT(phase_timeout(&ps, &to, 1900.0, NULL), TIMEOUT_TOTAL);
	phase_timeout_message(&ps, &to, TIMEOUT_TOTAL, 1900.0, msg, sizeof(msg));
	CHECK_HAS(msg, "total timeout: 900 s elapsed while waiting for 'GNTLAB-PHASE tests-done'");

	/* After GNTLAB-END QEMU gets a short while to exit; then it is stopped. */
	phase_init(&ps, 0);
	phase_reach(&ps, MS_DOM0_INIT, 1.0);
	phase_reach(&ps, MS_END, 5.0);
	CHECK_INT(phase_timeout(&ps, &to, 19.9, &next), TIMEOUT_NONE);
	CHECK(next == 20.0);
	CHECK_INT(phase_timeout(&ps, &to, 20.0, NULL), TIMEOUT_AFTER_END);
}

/* ---- session: a transcript fed line by line ---- */

struct feeder {
	struct session s;
	struct results r;
	char *progress;
	size_t progress_len;
	FILE *pf;
	char *serial;
	size_t serial_len;
	FILE *sf;
};

static void feeder_start(struct feeder *fd, const char *logdir, bool watch_kvm)
{
	struct session_opts o = {0};

	memset(fd, 0, sizeof(*fd));
	fd->pf = open_memstream(&fd->progress, &fd->progress_len);
	fd->sf = open_memstream(&fd->serial, &fd->serial_len);
	o.progress = fd->pf;
	o.serial = fd->sf;
	o.logdir = logdir;
	o.watch_kvm = watch_kvm;
	results_init(&fd->r);
	session_init(&fd->s, &fd->r, &o, 100.0);
}

static void feed_at(struct feeder *fd, double t, const char *line)
{
	session_line(&fd->s, line, strlen(line), t);
}

static void feeder_end(struct feeder *fd)
{
	session_free(&fd->s);
	fclose(fd->pf);
	fclose(fd->sf);
	free(fd->progress);
	free(fd->serial);
	results_free(&fd->r);
}

static const struct test_case *find_test(const struct results *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->tests[i].name, name) == 0)
			return &r->tests[i];
	return NULL;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t size = 0;
	FILE *m;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &size);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

static char *make_tmpdir(const char *name)
{
	char *dir;

	if (asprintf(&dir, "%s/%s.XXXXXX", tmp_root ? tmp_root : "/tmp", name) < 0)
		abort();
	if (tmp_root)
		mkdir(tmp_root, 0777);
	if (!mkdtemp(dir)) {
		diag("mkdtemp %s: %s", dir, strerror(errno));
		abort();
	}
	return dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_rf(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * A whole boot fed line by line: milestones, tests with their diagnostics and
 * times, domain logs, progress lines, malformed TAP as a failure.
 */
static void test_session_transcript(void)
{
	struct feeder fd;
	const struct test_case *t;
	char *dir = make_tmpdir("session");
	char path[4200];
	char *log;

	feeder_start(&fd, dir, false);
	feed_at(&fd, 100.5, "(XEN) Xen version 4.17.5 (Debian)");
	feed_at(&fd, 103.0, "[    0.000000] Linux version 6.1.0-56-amd64");
	feed_at(&fd, 105.0, "[    2.000000] DEBUG: harmless");
	feed_at(&fd, 106.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 107.0, "GNTLAB-LOG dom0 xenstored started");
	feed_at(&fd, 108.0, "(XEN) GNTLAB-PHASE dom0-ready");
	feed_at(&fd, 109.0, "GNTLAB-PHASE guest-start");
	feed_at(&fd, 110.0, "GNTLAB-LOG guest/1 agent: ready");
	feed_at(&fd, 111.0, "GNTLAB-PHASE guest-ready");
	feed_at(&fd, 112.0, "GNTLAB-PHASE tests");
	feed_at(&fd, 112.5, "GNTLAB-DIAG mapping 4 refs");
	feed_at(&fd, 113.0, "GNTLAB-TAP ok map/ro");
	feed_at(&fd, 113.5, "GNTLAB-DIAG expected 0xab got 0x00");
	feed_at(&fd, 115.0, "noise GNTLAB-TAP not ok map/rw # mismatch");
	feed_at(&fd, 115.25, "GNTLAB-TAP ok m2p/x # SKIP no guest");
	feed_at(&fd, 116.0, "GNTLAB-PHASE something-new");
	feed_at(&fd, 117.0, "GNTLAB-TAP bogus");
	feed_at(&fd, 118.0, "GNTLAB-DIAG left over");
	feed_at(&fd, 119.0, "GNTLAB-PHASE tests-done");
	feed_at(&fd, 120.0, "GNTLAB-END ok");
	session_qemu_exit(&fd.s, 0, false, 121.0);
	session_finish(&fd.s, 121.0);
	fflush(fd.pf);
	fflush(fd.sf);

	CHECK_INT(fd.r.n, 4);
	CHECK(fd.r.end_seen);
	CHECK_STR(fd.r.end_status, "ok");
	CHECK(!fd.r.crashed);
	CHECK(fd.r.phase.at[MS_XEN] == 100.5);
	CHECK(fd.r.phase.at[MS_LINUX] == 103.0);
	CHECK(fd.r.phase.at[MS_DOM0_READY] == 108.0);
	CHECK(fd.r.phase.at[MS_END] == 120.0);
	CHECK(fd.r.phase.at[MS_QEMU_EXIT] == 121.0);
	t = find_test(&fd.r, "map/ro");
	CHECK(t && t->status == TEST_PASS && t->log.n == 1 &&
	      strcmp(t->log.lines[0], "mapping 4 refs") == 0);
	CHECK(t && fabs(t->time - 1.0) < 1e-9); /* since GNTLAB-PHASE tests */
	CHECK(t && fabs(t->at - 13.0) < 1e-9);
	t = find_test(&fd.r, "map/rw");
	CHECK(t && t->status == TEST_FAIL && strcmp(t->reason, "mismatch") == 0);
	CHECK(t && t->log.n == 1 && strcmp(t->log.lines[0], "expected 0xab got 0x00") == 0);
	CHECK(t && fabs(t->time - 2.0) < 1e-9); /* since the previous test */
	t = find_test(&fd.r, "m2p/x");
	CHECK(t && t->status == TEST_SKIP && strcmp(t->reason, "no guest") == 0);
	CHECK(t && t->log.n == 0);
	t = find_test(&fd.r, "protocol/malformed-tap");
	CHECK(t && t->status == TEST_FAIL && t->synthetic);
	CHECK(t && strstr(t->reason, "serial.log line 17") != NULL);
	CHECK_INT(fd.r.trailing.n, 1);
	CHECK(!results_passed(&fd.r)); /* map/rw failed */

	CHECK_HAS(fd.progress, "[   0.5s] xen started\n");
	CHECK_HAS(fd.progress, "[   3.0s] dom0 kernel started\n");
	CHECK_HAS(fd.progress, "[   8.0s] phase dom0-ready\n");
	CHECK_HAS(fd.progress, "[  13.0s] ok 1 map/ro\n");
	CHECK_HAS(fd.progress, "[  15.0s] not ok 2 map/rw # mismatch\n");
	CHECK_HAS(fd.progress, "ok 3 m2p/x # SKIP no guest\n");
	CHECK_HAS(fd.progress, "phase something-new (not a known phase)");
	CHECK_LACKS(fd.progress, "| "); /* not verbose */
	CHECK(strncmp(fd.serial, "(XEN) Xen version 4.17.5 (Debian)\n[    0.000000] Linux", 52) ==
	      0);
	CHECK_HAS(fd.serial, "GNTLAB-END ok\n");

	snprintf(path, sizeof(path), "%s/dom0.log", dir);
	log = slurp(path);
	CHECK_STR(log, "xenstored started\n");
	free(log);
	snprintf(path, sizeof(path), "%s/guest_1.log", dir);
	log = slurp(path);
	CHECK_STR(log, "agent: ready\n");
	free(log);
	feeder_end(&fd);
	if (!check_failures)
		rm_rf(dir);
	free(dir);
}

/*
 * A crash becomes one failing test named after the phase, quoting the line
 * and its serial.log line number, with what followed it as its log.
 */
static void test_session_crash(void)
{
	struct feeder fd;
	const struct test_case *t;

	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "(XEN) Xen version 4.17");
	feed_at(&fd, 102.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 103.0, "GNTLAB-PHASE dom0-ready");
	feed_at(&fd, 103.5, "GNTLAB-DIAG about to map");
	feed_at(&fd, 104.0, "GNTLAB-LOG guest1 [ 9.1] BUG: Bad page map in process agent");
	CHECK(fd.s.crashing);
	CHECK(fd.r.crashed);
	CHECK(fd.s.crash_at == 104.0);
	feed_at(&fd, 104.1, "GNTLAB-LOG guest1 [ 9.2] Call Trace:");
	feed_at(&fd, 104.2, "GNTLAB-LOG guest1 [ 9.3]  gntlab_map+0x12/0x40");
	session_qemu_exit(&fd.s, SIGTERM, true, 109.0);
	session_finish(&fd.s, 109.0);

	CHECK_INT(fd.r.n, 1); /* one crash, however many crash lines */
	t = find_test(&fd.r, "crash/dom0-ready");
	CHECK(t != NULL);
	if (t) {
		CHECK_INT(t->status, TEST_FAIL);
		CHECK_STR(t->reason, "'BUG: ' at serial.log line 5: GNTLAB-LOG guest1 [ 9.1] BUG: "
				     "Bad page map in process agent");
		/* The pending diagnostic, the crash line and what followed it. */
		CHECK_INT(t->log.n, 4);
		if (t->log.n == 4) {
			CHECK_STR(t->log.lines[0], "about to map");
			CHECK_HAS(t->log.lines[1], "BUG: Bad page map");
			CHECK_HAS(t->log.lines[3], "gntlab_map+0x12/0x40");
		}
	}
	/* No "ended early" on top of the crash, and no "no tests" either. */
	CHECK(find_test(&fd.r, "boot/ended-early") == NULL);
	CHECK(find_test(&fd.r, "tests/none-reported") == NULL);
	CHECK(!results_passed(&fd.r));
	feeder_end(&fd);

	/*
	 * A verdict quoting a kernel WARN (an after-test check) is a failure of
	 * its own, not a crash: the run goes on so the guest's log is relayed.
	 * The raw WARN relayed later still is a crash.
	 */
	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "(XEN) Xen version 4.17");
	feed_at(&fd, 102.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 103.0, "GNTLAB-PHASE tests");
	feed_at(&fd, 104.0, "GNTLAB-DIAG saw <4>[ 5.1] WARNING: CPU: 0 PID: 9 at lib/refcount.c:25");
	feed_at(&fd, 104.1, "GNTLAB-TAP not ok badinput/race # after-test check: guest kernel log: "
			    "WARNING: CPU: 0 PID: 9 at lib/refcount.c:25");
	CHECK(!fd.s.crashing);
	CHECK(!fd.r.crashed);
	t = find_test(&fd.r, "badinput/race");
	CHECK(t != NULL && t->status == TEST_FAIL);
	feed_at(&fd, 110.0, "GNTLAB-LOG guest [ 5.1] WARNING: CPU: 0 PID: 9 at lib/refcount.c:25");
	CHECK(fd.r.crashed);
	feeder_end(&fd);

	/* A crash before dom0 speaks is named after where the boot was. */
	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "(XEN) Xen version 4.17");
	feed_at(&fd, 102.0, "(XEN) Panic on CPU 0:");
	CHECK(find_test(&fd.r, "crash/xen") != NULL);
	feeder_end(&fd);
}

/*
 * The runner-made failures: timeout, QEMU ending early, no tests, a bad
 * GNTLAB-END status, interruption; and KVM failures only before dom0 speaks.
 */
static void test_session_timeout_and_early_end(void)
{
	struct timeouts to = {.boot = 120, .phase = 60, .total = 900, .after_end = 15};
	struct feeder fd;
	const struct test_case *t;

	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 102.0, "GNTLAB-PHASE dom0-ready");
	feed_at(&fd, 103.0, "waiting for libvirtd");
	CHECK_INT(phase_timeout(&fd.r.phase, &to, 162.0, NULL), TIMEOUT_PHASE);
	session_timeout(&fd.s, TIMEOUT_PHASE, &to, 162.0);
	session_qemu_exit(&fd.s, SIGTERM, true, 163.0);
	session_finish(&fd.s, 163.0);
	CHECK(fd.r.timed_out);
	t = find_test(&fd.r, "timeout/guest-start");
	CHECK(t != NULL);
	if (t) {
		CHECK_HAS(t->reason, "'GNTLAB-PHASE guest-start' did not arrive within 60 s of "
				     "'GNTLAB-PHASE dom0-ready'");
		CHECK_HAS(t->reason, "last serial line 3: waiting for libvirtd");
		CHECK(t->log.n >= 4);
	}
	CHECK_INT(fd.r.n, 1);
	CHECK(!results_passed(&fd.r));
	feeder_end(&fd);

	/* QEMU going away without GNTLAB-END. */
	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 102.0, "GNTLAB-TAP ok a/b");
	feed_at(&fd, 103.0, "qemu-system-x86_64: terminating on signal 15");
	session_qemu_exit(&fd.s, 1 << 8, false, 104.0);
	session_finish(&fd.s, 104.0);
	t = find_test(&fd.r, "boot/ended-early");
	CHECK(t != NULL);
	if (t) {
		CHECK_HAS(t->reason,
			  "QEMU exited (status 1) before GNTLAB-END; last phase: dom0-init");
		CHECK_HAS(t->reason, "qemu-system-x86_64: terminating on signal 15");
	}
	CHECK(!results_passed(&fd.r));
	feeder_end(&fd);

	/* Clean end but no tests: a failure, never a pass. */
	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 102.0, "GNTLAB-END ok");
	session_qemu_exit(&fd.s, 0, false, 104.0);
	session_finish(&fd.s, 104.0);
	CHECK(find_test(&fd.r, "tests/none-reported") != NULL);
	CHECK(!results_passed(&fd.r));
	feeder_end(&fd);

	/* dom0 says it failed though every test passed. */
	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-TAP ok a/b");
	feed_at(&fd, 102.0, "GNTLAB-END error: conductor lost the guest");
	session_qemu_exit(&fd.s, 0, false, 104.0);
	session_finish(&fd.s, 104.0);
	CHECK(find_test(&fd.r, "end/status") != NULL);
	CHECK(!results_passed(&fd.r));
	feeder_end(&fd);
	CHECK(session_end_status_ok("ok"));
	CHECK(session_end_status_ok("PASS 12 tests"));
	CHECK(session_end_status_ok("0"));
	CHECK(!session_end_status_ok("fail"));
	CHECK(!session_end_status_ok("1"));
	CHECK(!session_end_status_ok(""));

	/* Interrupted. */
	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-PHASE dom0-init");
	session_interrupted(&fd.s, SIGINT, 102.0);
	session_qemu_exit(&fd.s, SIGTERM, true, 102.5);
	session_finish(&fd.s, 103.0);
	t = find_test(&fd.r, "runner/interrupted");
	CHECK(t && strstr(t->reason, "signal 2") && strstr(t->reason, "GNTLAB-PHASE dom0-ready"));
	CHECK(fd.r.interrupted);
	CHECK_INT(fd.r.n, 1);
	feeder_end(&fd);

	/* KVM's internal error counts only before dom0 speaks. */
	feeder_start(&fd, NULL, true);
	feed_at(&fd, 100.1, "KVM internal error. Suberror: 1");
	CHECK(fd.s.kvm_failed);
	feeder_end(&fd);
	feeder_start(&fd, NULL, true);
	feed_at(&fd, 100.1, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 100.2, "GNTLAB-LOG dom0 KVM internal error in a log");
	CHECK(!fd.s.kvm_failed);
	feeder_end(&fd);
}

/* --verbose echoes the console; a test with very many diagnostics keeps 200. */
static void test_session_verbose_and_diag_limit(void)
{
	struct feeder fd;
	const struct test_case *t;
	char line[64];

	feeder_start(&fd, NULL, false);
	fd.s.opts.verbose = true;
	for (int i = 0; i < EXCERPT_MAX + 20; i++) {
		snprintf(line, sizeof(line), "GNTLAB-DIAG d%d", i);
		feed_at(&fd, 101.0, line);
	}
	feed_at(&fd, 102.0, "GNTLAB-TAP not ok a/b # many diags");
	fflush(fd.pf);
	t = find_test(&fd.r, "a/b");
	CHECK(t && t->log.n == EXCERPT_MAX && t->log.dropped == 20);
	CHECK(t && strcmp(t->log.lines[EXCERPT_MAX - 1], "d219") == 0);
	CHECK_HAS(fd.progress, "  | GNTLAB-DIAG d0\n");
	feeder_end(&fd);
}

/*
 * MATRIX lines fill the matrix wherever they appear; a mismatch is not a
 * failure of the run (the tests report their own), a malformed line is.
 */
static void test_session_matrix(void)
{
	struct feeder fd;
	const struct test_case *t;

	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-PHASE tests");
	feed_at(&fd, 101.5, "GNTLAB-DIAG before the cell");
	feed_at(&fd, 102.0, "GNTLAB-MATRIX gup-slow special EFAULT EFAULT");
	feed_at(&fd, 102.5, "(XEN) d0v0 GNTLAB-MATRIX odirect-read special EFAULT ok");
	feed_at(&fd, 103.0, "GNTLAB-TAP ok gup/slow-special");
	feed_at(&fd, 104.0, "GNTLAB-END ok");
	session_qemu_exit(&fd.s, 0, false, 105.0);
	session_finish(&fd.s, 105.0);
	fflush(fd.pf);
	CHECK_INT(fd.r.matrix.n, 2);
	CHECK_INT(fd.r.matrix.nrows, 2);
	CHECK_INT(fd.r.matrix.ncols, 1);
	CHECK_INT(matrix_count(&fd.r.matrix).mismatched, 1);
	CHECK_INT(fd.r.n, 1);
	CHECK(results_passed(&fd.r)); /* the matrix is a report, not a verdict */
	t = find_test(&fd.r, "gup/slow-special");
	/* A MATRIX line between a diagnostic and its test does not steal it. */
	CHECK(t && t->log.n == 1 && strcmp(t->log.lines[0], "before the cell") == 0);
	CHECK_HAS(fd.progress, "matrix odirect-read/special: ok, expected EFAULT\n");
	CHECK_LACKS(fd.progress, "matrix gup-slow/special");
	feeder_end(&fd);

	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-MATRIX gup-slow special EFAULT bad address");
	feed_at(&fd, 102.0, "GNTLAB-TAP ok gup/slow-special");
	CHECK_INT(fd.r.matrix.n, 0);
	t = find_test(&fd.r, "protocol/malformed-matrix");
	CHECK(t && t->status == TEST_FAIL && t->synthetic);
	CHECK(t && strstr(t->reason, "serial.log line 1: GNTLAB-MATRIX gup-slow special EFAULT "
				     "bad address") != NULL);
	feeder_end(&fd);
}

/* ---- command line ---- */

static int parse(struct config *cfg, char **errtext, const char *const *args)
{
	char *argv[64];
	int argc = 0, rc;
	size_t len = 0;
	FILE *err = open_memstream(errtext, &len);

	argv[argc++] = "gntlab-runner";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	rc = cli_parse(argc, argv, cfg, err);
	fclose(err);
	return rc;
}

static char *join_argv(char **argv)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	for (char **p = argv; p && *p; p++)
		fprintf(f, "%s[%s]", p == argv ? "" : " ", *p);
	fclose(f);
	return buf;
}

/* The QEMU command line the defaults make, argument by argument. */
static void test_cli_defaults_and_argv(void)
{
	static const char *const args[] = {"--xen",	 "/b/xen",	  "--dom0-kernel",
					   "/b/vmlinuz", "--dom0-initrd", "/b/initrd",
					   "--results",	 "/b/r",	  NULL};
	struct config cfg;
	char *err = NULL, *joined;
	char **argv;

	CHECK_INT(parse(&cfg, &err, args), 0);
	CHECK_STR(err, "");
	free(err);
	CHECK(cfg.to.boot == 120 && cfg.to.phase == 120 && cfg.to.total == 900);
	CHECK(cfg.crash_grace == 5);
	CHECK(!cfg.verbose);
	argv = cli_qemu_argv(&cfg, cfg.accel, stderr);
	joined = join_argv(argv);
	CHECK_STR(joined, "[qemu-system-x86_64] [-accel] [tcg] [-cpu] [Nehalem] [-m] [3072] [-smp] "
			  "[2] [-display] [none] [-vga] [none] [-monitor] [none] [-serial] [stdio] "
			  "[-no-reboot] [-kernel] [/b/xen] [-append] [console=com1 com1=115200 "
			  "dom0_mem=1536M,max:1536M loglvl=all guest_loglvl=all] [-initrd] "
			  "[/b/vmlinuz console=hvc0 earlyprintk=xen clocksource=xen,/b/initrd]");
	free(joined);
	cli_free_argv(argv);
}

/* Every option reaches the QEMU command line; --tests reaches dom0. */
static void test_cli_options(void)
{
	static const char *const args[] = {"--xen",	      "x",
					   "--dom0-kernel",   "k",
					   "--dom0-initrd",   "i",
					   "--results",	      "r",
					   "--xen-args",      "console=com1",
					   "--dom0-args",     "console=hvc0 quiet",
					   "--accel",	      "kvm",
					   "--cpu",	      "qemu64",
					   "--mem",	      "4096",
					   "--smp",	      "4",
					   "--qemu",	      "/opt/q",
					   "--timeout-boot",  "30",
					   "--timeout-phase", "2.5",
					   "--timeout-total", "60",
					   "--tests",	      "map/*",
					   "--verbose",	      NULL};
	struct config cfg;
	char *err = NULL, *joined;
	char **argv;

	CHECK_INT(parse(&cfg, &err, args), 0);
	free(err);
	CHECK(cfg.to.boot == 30 && cfg.to.phase == 2.5 && cfg.to.total == 60);
	CHECK(cfg.to.after_end == 2.5); /* never longer than a phase */
	CHECK(cfg.verbose);
	argv = cli_qemu_argv(&cfg, "kvm", stderr);
	joined = join_argv(argv);
	CHECK_STR(joined, "[/opt/q] [-accel] [kvm] [-cpu] [qemu64] [-m] [4096] [-smp] [4] "
			  "[-display] [none] [-vga] [none] [-monitor] [none] [-serial] [stdio] "
			  "[-no-reboot] [-kernel] [x] [-append] [console=com1] [-initrd] "
			  "[k console=hvc0 quiet gntlab.tests=map/*,i]");
	free(joined);
	cli_free_argv(argv);
}

static void check_usage_error(const char *const *args, const char *message)
{
	struct config cfg;
	char *err = NULL;

	CHECK_INT(parse(&cfg, &err, args), -1);
	CHECK_HAS(err, message);
	free(err);
}

/*
 * Usage errors are refused with a reason; a comma in dom0's command line
 * would silently cut it (QEMU module separator), the Xen one may have commas.
 */
static void test_cli_errors(void)
{
	struct config cfg;
	char *err = NULL;
	size_t len;
	FILE *f;

#define BASE "--xen", "x", "--dom0-kernel", "k", "--dom0-initrd", "i", "--results", "r"
	check_usage_error((const char *const[]){"--dom0-kernel", "k", "--dom0-initrd", "i",
						"--results", "r", NULL},
			  "--xen is required");
	check_usage_error((const char *const[]){BASE, "--accel", "hvf", NULL},
			  "--accel is tcg or kvm");
	check_usage_error((const char *const[]){BASE, "--mem", "lots", NULL},
			  "--mem wants a positive integer");
	check_usage_error((const char *const[]){BASE, "--smp", "0", NULL},
			  "--smp wants a positive integer");
	check_usage_error((const char *const[]){BASE, "--timeout-boot", "-1", NULL},
			  "--timeout-boot wants a positive number");
	check_usage_error((const char *const[]){BASE, "--bogus", NULL}, "--bogus");
	check_usage_error((const char *const[]){BASE, "extra", NULL},
			  "unexpected argument 'extra'");
	check_usage_error((const char *const[]){BASE, "--tests", "a b", NULL},
			  "no spaces or commas");
	check_usage_error((const char *const[]){BASE, "--tests", "a,b", NULL},
			  "no spaces or commas");
	check_usage_error((const char *const[]){BASE, "--xen", NULL}, "--xen");

	/* A comma in the dom0 command line would end the module: refused. */
	CHECK_INT(parse(&cfg, &err, (const char *const[]){BASE, "--dom0-args", "a=1,2", NULL}), 0);
	free(err);
	err = NULL;
	f = open_memstream(&err, &len);
	CHECK(cli_qemu_argv(&cfg, "tcg", f) == NULL);
	fclose(f);
	CHECK_HAS(err, "contains a comma");
	free(err);
	/* The Xen command line may have commas (dom0_mem=...,max:...). */
	CHECK_INT(parse(&cfg, &err, (const char *const[]){BASE, "--xen-args", "a=1,2", NULL}), 0);
	free(err);
	f = open_memstream(&err, &len);
	cli_free_argv(cli_qemu_argv(&cfg, "tcg", f));
	fclose(f);
	CHECK_STR(err, "");
	free(err);
#undef BASE
}

/* QEMU is looked up on PATH like a shell would, and must be executable. */
static void test_cli_find_program(void)
{
	char out[4096];
	const char *saved = getenv("PATH");
	char *copy = saved ? strdup(saved) : NULL;

	setenv("PATH", "/nonexistent:/bin:/usr/bin", 1);
	CHECK(cli_find_program("sh", out, sizeof(out)));
	CHECK(strcmp(out, "/bin/sh") == 0 || strcmp(out, "/usr/bin/sh") == 0);
	CHECK(!cli_find_program("gntlab-no-such-program", out, sizeof(out)));
	CHECK(cli_find_program("/bin/sh", out, sizeof(out)));
	CHECK(!cli_find_program("/etc/passwd", out, sizeof(out))); /* not executable */
	CHECK(!cli_find_program("/etc", out, sizeof(out)));	   /* not a file */
	if (copy)
		setenv("PATH", copy, 1);
	free(copy);
}

/* ---- end to end: gntlab-runner against fake-qemu.sh ---- */

struct e2e {
	char *dir; /* this test's scratch folder */
	char results[4200];
	char *tap, *junit, *summary, *serial, *err, *args;
	pid_t qemu_pid;
};

static char *e2e_file(struct e2e *e, const char *name)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/%s", e->results, name);
	return slurp(path);
}

static char *e2e_scratch(struct e2e *e, const char *name)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/%s", e->dir, name);
	return strdup(path);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

/* Start the runner; extra arguments after the defaults (later ones win). */
static pid_t e2e_start(struct e2e *e, const char *name, const char *scenario,
		       const char *const *extra)
{
	char *argv[80];
	int argc = 0;
	char *xen, *kernel, *initrd, *errpath, *argspath, *pidpath;
	pid_t pid;

	memset(e, 0, sizeof(*e));
	e->dir = reuse_dir ? strdup(reuse_dir) : make_tmpdir(name);
	snprintf(e->results, sizeof(e->results), "%s/results", e->dir);
	xen = e2e_scratch(e, "xen");
	kernel = e2e_scratch(e, "vmlinuz");
	initrd = e2e_scratch(e, "initrd.gz");
	errpath = e2e_scratch(e, "runner.err");
	argspath = e2e_scratch(e, "qemu.args");
	pidpath = e2e_scratch(e, "qemu.pid");
	write_file(xen, "xen\n");
	write_file(kernel, "kernel\n");
	write_file(initrd, "initrd\n");

	argv[argc++] = (char *)runner_path;
	argv[argc++] = "--xen";
	argv[argc++] = xen;
	argv[argc++] = "--dom0-kernel";
	argv[argc++] = kernel;
	argv[argc++] = "--dom0-initrd";
	argv[argc++] = initrd;
	argv[argc++] = "--results";
	argv[argc++] = e->results;
	argv[argc++] = "--qemu";
	argv[argc++] = (char *)fake_path;
	argv[argc++] = "--crash-grace";
	argv[argc++] = "0.5";
	for (; extra && *extra; extra++)
		argv[argc++] = (char *)*extra;
	argv[argc] = NULL;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0666);

		dup2(fd, 1);
		dup2(fd, 2);
		setenv("GNTLAB_FAKE_SCENARIO", scenario, 1);
		setenv("GNTLAB_FAKE_ARGS", argspath, 1);
		setenv("GNTLAB_FAKE_PIDFILE", pidpath, 1);
		execv(runner_path, argv);
		_exit(99);
	}
	free(xen);
	free(kernel);
	free(initrd);
	free(errpath);
	free(argspath);
	free(pidpath);
	return pid;
}

/* Wait for the runner and load what it wrote. Returns its exit code (or 128+sig). */
static int e2e_wait(struct e2e *e, pid_t pid)
{
	int status = 0;
	char *pidtext, *path;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	e->tap = e2e_file(e, "results.tap");
	e->junit = e2e_file(e, "junit.xml");
	e->summary = e2e_file(e, "summary.txt");
	e->serial = e2e_file(e, "serial.log");
	path = e2e_scratch(e, "runner.err");
	e->err = slurp(path);
	free(path);
	path = e2e_scratch(e, "qemu.args");
	e->args = slurp(path);
	free(path);
	path = e2e_scratch(e, "qemu.pid");
	pidtext = slurp(path);
	free(path);
	e->qemu_pid = pidtext ? (pid_t)atoi(pidtext) : 0;
	free(pidtext);
	if (check_failures == 0 && e->err && getenv("GNTLAB_UNIT_VERBOSE"))
		show("runner stderr: ", e->err);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int e2e_run(struct e2e *e, const char *name, const char *scenario, const char *const *extra)
{
	return e2e_wait(e, e2e_start(e, name, scenario, extra));
}

static void e2e_free(struct e2e *e)
{
	free(e->dir);
	free(e->tap);
	free(e->junit);
	free(e->summary);
	free(e->serial);
	free(e->err);
	free(e->args);
}

/* Is the process gone (or only a zombie nobody reaped yet)? */
static bool process_gone(pid_t pid)
{
	char path[64], *stat;
	bool zombie;

	if (pid <= 0)
		return false;
	if (kill(pid, 0) != 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	stat = slurp(path);
	zombie = stat && strstr(stat, ") Z ");
	free(stat);
	return !stat || zombie;
}

static bool wait_gone(pid_t pid, double seconds)
{
	for (int i = 0; i < (int)(seconds * 20); i++) {
		if (process_gone(pid))
			return true;
		usleep(50000);
	}
	return process_gone(pid);
}

static void check_xmllint(const char *results)
{
	char found[4096], cmd[4400];

	if (!cli_find_program("xmllint", found, sizeof(found))) {
		diag("xmllint not installed: junit.xml well-formedness not checked");
		return;
	}
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s/junit.xml'", results);
	CHECK_INT(system(cmd), 0);
}

/*
 * A failed test shows the end of the runner's stderr and keeps its folder
 * for a closer look; a passed one cleans up after itself.
 */
static void e2e_done(struct e2e *e)
{
	if (check_failures && e->err)
		show("runner stderr: ",
		     strlen(e->err) > 3000 ? e->err + strlen(e->err) - 3000 : e->err);
	if (check_failures)
		diag("kept %s", e->dir);
	else
		rm_rf(e->dir);
	e2e_free(e);
}

/* End to end against fake-qemu.sh: a passing run and every file it writes. */
static void test_e2e_pass(void)
{
	struct e2e e;

	CHECK_INT(e2e_run(&e, "pass", "pass", NULL), 0);
	CHECK_STR(e.tap, "TAP version 13\n"
			 "1..3\n"
			 "# mapping 4 refs from dom0\n"
			 "ok 1 - map/ro-basic\n"
			 "ok 2 - map/rw-basic\n"
			 "ok 3 - m2p/lookup # SKIP needs a PV guest with 2 vcpus\n"
			 "# totals: pass 2, fail 0, skip 1, error 0, xfail 0, xpass 0, total 3\n");
	CHECK_HAS(e.junit, "<testsuites name=\"gntlab\" tests=\"3\" failures=\"0\" errors=\"0\" "
			   "skipped=\"1\"");
	CHECK_HAS(e.junit, "<testsuite name=\"map\" tests=\"2\" failures=\"0\"");
	CHECK_HAS(e.junit, "<skipped message=\"needs a PV guest with 2 vcpus\"/>");
	CHECK_HAS(e.summary, "verdict: PASS\npass: 2\nfail: 0\nskip: 1\nerror: 0\nxfail: 0\nxpass: 0\n"
			     "total: 3\naccel: tcg\n");
	CHECK_HAS(e.summary, "end: ok\n");
	CHECK_HAS(e.summary, "qemu: exited with status 0\n");
	CHECK_LACKS(e.summary, " n/a\n"); /* every milestone was timed */
	/* QEMU's stderr is in the same stream as the console. */
	CHECK_HAS(e.serial, "qemu-system-x86_64: warning: fake QEMU (pass, accel tcg)\n");
	CHECK_HAS(e.serial, "(XEN) Xen version 4.17.5");
	CHECK_LACKS(e.serial, "\r");
	CHECK_HAS(e.err, "] xen started\n");
	CHECK_HAS(e.err, "] dom0 kernel started\n");
	CHECK_HAS(e.err, "] phase guest-ready\n");
	CHECK_HAS(e.err, "] ok 2 map/rw-basic\n");
	CHECK_HAS(e.err, "] qemu exited (status 0)\n");
	CHECK_HAS(e.err, "gntlab-runner: PASS: pass 2, fail 0, skip 1, error 0, xfail 0, xpass 0, total 3");
	CHECK_HAS(e.args, "-serial\nstdio\n-no-reboot\n-kernel\n");
	CHECK_HAS(e.args, "\n-append\nconsole=com1 com1=115200 dom0_mem=1536M,max:1536M loglvl=all "
			  "guest_loglvl=all\n-initrd\n");
	CHECK_HAS(e.args, "/vmlinuz console=hvc0 earlyprintk=xen clocksource=xen,");
	{
		char *dom0 = e2e_file(&e, "dom0.log"), *guest = e2e_file(&e, "guest1.log");

		CHECK_STR(dom0, "starting xenstored\n");
		CHECK_STR(guest, "[    0.000000] Linux version 6.1.0-56-amd64\n");
		free(dom0);
		free(guest);
	}
	{
		char *md = e2e_file(&e, "matrix.md"), *html = e2e_file(&e, "matrix.html");

		/* First-seen order: the (XEN)-prefixed cell counts, the mismatch
		 * is shown but does not fail the run. */
		CHECK_HAS(md, "| GUP user | special | nohook | pfnmap |\n"
			      "| --- | --- | --- | --- |\n"
			      "| gup-slow | EFAULT \xE2\x9C\x93 | ok \xE2\x9C\x93 | EFAULT "
			      "\xE2\x9C\x93 |\n"
			      "| odirect-read | ok \xE2\x9C\x97 (expected EFAULT) | \xE2\x80\x94 | "
			      "\xE2\x80\x94 |\n\n"
			      "matched: 3, mismatched: 1, missing: 2\n");
		CHECK_HAS(html, "<td class=\"mismatch\">ok \xE2\x9C\x97 (expected EFAULT)</td>");
		CHECK_HAS(html, "<p class=\"counts\">matched: 3, mismatched: 1, missing: 2</p>");
		free(md);
		free(html);
	}
	CHECK_HAS(e.summary, "matrix: 3 matched, 1 mismatched, 2 missing (matrix.md)\n");
	CHECK_HAS(e.summary, "matrix mismatches:\n  odirect-read / special: observed ok, "
			     "expected EFAULT\n");
	CHECK_HAS(e.err, "] matrix odirect-read/special: ok, expected EFAULT\n");
	check_xmllint(e.results);
	CHECK(wait_gone(e.qemu_pid, 1));
	e2e_done(&e);
}

/* A failing test: exit 1, its reason and diagnostics in TAP and JUnit. */
static void test_e2e_failing_test(void)
{
	struct e2e e;

	CHECK_INT(e2e_run(&e, "fail", "fail", NULL), 1);
	CHECK_HAS(e.tap, "1..2\nok 1 - map/ro-basic\n"
			 "# expected 0xab at page 3 offset 17, got 0x00\n"
			 "# second diag line <&>\n"
			 "not ok 2 - map/rw-basic # pattern mismatch at page 3\n"
			 "# totals: pass 1, fail 1, skip 0, error 0, xfail 0, xpass 0, total 2\n");
	CHECK_HAS(e.junit, "<failure message=\"pattern mismatch at page 3\" type=\"test\">");
	CHECK_HAS(e.junit, "<system-out>expected 0xab at page 3 offset 17, got 0x00\n"
			   "second diag line &lt;&amp;&gt;\n</system-out>");
	CHECK_HAS(e.summary, "verdict: FAIL\n");
	CHECK_HAS(e.summary, "end: fail\n");
	CHECK_HAS(e.err, "] not ok 2 map/rw-basic # pattern mismatch at page 3\n");
	/* No MATRIX line: both files are still written and say so. */
	{
		char *md = e2e_file(&e, "matrix.md"), *html = e2e_file(&e, "matrix.html");

		CHECK_HAS(md, "No matrix cells were reported");
		CHECK_HAS(html, "No matrix cells were reported");
		free(md);
		free(html);
	}
	CHECK_HAS(e.summary, "matrix: no cells reported\n");
	check_xmllint(e.results);
	e2e_done(&e);
}

/* Line number (1-based) of the first line of text containing needle. */
static long line_of(const char *text, const char *needle)
{
	const char *hit = text ? strstr(text, needle) : NULL;
	long n = 1;

	if (!hit)
		return -1;
	for (const char *p = text; p < hit; p++)
		n += *p == '\n';
	return n;
}

/*
 * A guest BUG: crash test with the right serial.log line, QEMU stopped after
 * the grace period.
 */
static void test_e2e_crash(void)
{
	struct e2e e;
	char want[128];
	long line;

	CHECK_INT(e2e_run(&e, "crash", "crash", NULL), 1);
	line = line_of(e.serial, "BUG: unable to handle page fault");
	CHECK(line > 0);
	snprintf(want, sizeof(want),
		 "not ok 2 - crash/tests # 'BUG: ' at serial.log line %ld: ", line);
	CHECK_HAS(e.tap, want);
	/* The grace period collected the lines after the crash into its log. */
	CHECK_HAS(e.tap, "# GNTLAB-LOG guest1 [   12.345710]  <TASK>\nnot ok 2 - crash/tests");
	CHECK_HAS(e.junit, "<testcase classname=\"gntlab.crash\" name=\"tests\"");
	CHECK_HAS(e.summary, "crashed: yes\n");
	CHECK_HAS(e.summary, "(stopped by runner)");
	CHECK_LACKS(e.tap, "ended-early");
	{
		char *guest = e2e_file(&e, "guest1.log");

		CHECK_HAS(guest, "Call Trace:\n");
		free(guest);
	}
	CHECK(wait_gone(e.qemu_pid, 1));
	check_xmllint(e.results);
	e2e_done(&e);
}

/* A hang after the first test: timeout naming the missing step. */
static void test_e2e_phase_timeout(void)
{
	static const char *const extra[] = {"--timeout-phase", "1", NULL};
	struct e2e e;

	CHECK_INT(e2e_run(&e, "hang", "hang", extra), 1);
	CHECK_HAS(e.tap, "not ok 2 - timeout/tests-done # 'GNTLAB-PHASE tests-done' did not arrive "
			 "within 1 s of 'test result map/ro-basic'");
	CHECK_HAS(e.tap, "last serial line 14: GNTLAB-TAP ok map/ro-basic");
	CHECK_HAS(e.summary, "timed-out: yes\n");
	CHECK_HAS(e.summary, "qemu: killed by signal 15 (stopped by runner)\n");
	CHECK(wait_gone(e.qemu_pid, 1));
	e2e_done(&e);
}

/* Xen starts but dom0 never speaks: boot timeout. */
static void test_e2e_boot_timeout(void)
{
	static const char *const extra[] = {"--timeout-boot", "1", NULL};
	struct e2e e;

	CHECK_INT(e2e_run(&e, "silent", "silent", extra), 1);
	CHECK_HAS(e.tap, "1..1\n");
	CHECK_HAS(e.tap, "not ok 1 - timeout/dom0-init # 'GNTLAB-PHASE dom0-init' did not arrive "
			 "within 1 s of QEMU start (boot timeout); last serial line 1: (XEN) Xen "
			 "version 4.17.5 (fake)");
	CHECK_HAS(e.summary, "  xen-start ");
	CHECK(wait_gone(e.qemu_pid, 1));
	e2e_done(&e);
}

/* The total budget ends a run whose phases are still within theirs. */
static void test_e2e_total_timeout(void)
{
	static const char *const extra[] = {"--timeout-total", "1", NULL};
	struct e2e e;

	CHECK_INT(e2e_run(&e, "total", "hang", extra), 1);
	CHECK_HAS(e.tap, "not ok 2 - timeout/tests-done # total timeout: 1 s elapsed");
	e2e_done(&e);
}

/* A QEMU that ignores SIGTERM is killed 3 s later. */
static void test_e2e_sigkill_escalation(void)
{
	static const char *const extra[] = {"--timeout-phase", "0.5", NULL};
	struct timespec a, b;
	struct e2e e;
	double took;

	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_INT(e2e_run(&e, "stubborn", "stubborn", extra), 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	CHECK_HAS(e.tap, "timeout/dom0-ready");
	/* SIGTERM was ignored: SIGKILL after the 3 s grace. */
	CHECK_HAS(e.summary, "qemu: killed by signal 9 (stopped by runner)\n");
	CHECK(took >= 3.0 && took < 10.0);
	CHECK(wait_gone(e.qemu_pid, 1));
	e2e_done(&e);
}

/* A console that never stops printing cannot starve the timeouts. */
static void test_e2e_flood(void)
{
	static const char *const extra[] = {"--timeout-phase", "1", NULL};
	struct timespec a, b;
	struct e2e e;
	double took;

	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_INT(e2e_run(&e, "flood", "flood", extra), 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	CHECK_HAS(e.tap, "not ok 1 - timeout/dom0-ready # ");
	CHECK(took < 5.0);
	CHECK(wait_gone(e.qemu_pid, 1));
	e2e_done(&e);
}

/* QEMU exiting before GNTLAB-END is a failure naming the last phase. */
static void test_e2e_ended_early(void)
{
	struct e2e e;

	CHECK_INT(e2e_run(&e, "early", "early-exit", NULL), 1);
	CHECK_HAS(e.tap, "not ok 1 - boot/ended-early # QEMU exited (status 1) before GNTLAB-END; "
			 "last phase: dom0-kernel, waiting for 'GNTLAB-PHASE dom0-init'");
	CHECK_HAS(e.tap, "fake fatal error");
	CHECK_HAS(e.summary, "end: not seen\n");
	CHECK_HAS(e.summary, "qemu: exited with status 1\n");
	e2e_done(&e);
}

/* A clean boot that reports no tests is a failure, never a pass. */
static void test_e2e_no_tests(void)
{
	struct e2e e;

	CHECK_INT(e2e_run(&e, "notests", "no-tests", NULL), 1);
	CHECK_HAS(e.tap, "1..1\nnot ok 1 - tests/none-reported # no test results were reported\n");
	CHECK_HAS(e.summary, "verdict: FAIL\n");
	e2e_done(&e);
}

/*
 * The serial noise of test_linebuf_* and test_marker_* through the real
 * pipe: CR redraws, NULs, split writes, a 40 KB line, odd domain names.
 */
static void test_e2e_noisy_stream(void)
{
	struct e2e e;

	CHECK_INT(e2e_run(&e, "noise", "noise", NULL), 0);
	CHECK_HAS(e.tap, "ok 1 - noise/nul-inside\n");
	CHECK_HAS(e.tap, "ok 2 - noise/split-write\n");
	CHECK_HAS(e.tap, "ok 3 - noise/after-long-line\n");
	CHECK_HAS(e.tap, "ok 4 - noise/behind-text # SKIP not here\n");
	CHECK_HAS(e.serial, "\nprogress 10%\nprogress 100%\nGNTLAB-PHASE dom0-init\n");
	CHECK_HAS(e.serial, "noise GNTLAB-TAP ok noise/split-write\n");
	CHECK_LACKS(e.serial, "\r");
	{
		char *evil = e2e_file(&e, "___evil_dom.log");

		CHECK_STR(evil, "name with spaces\n");
		free(evil);
	}
	e2e_done(&e);
}

/* Xen halting (QEMU stays up) after GNTLAB-END is not a failure. */
static void test_e2e_poweroff_after_end(void)
{
	static const char *const extra[] = {"--timeout-phase", "1", NULL};
	struct e2e e;

	/* Xen halts instead of exiting: QEMU is stopped, the run still passes. */
	CHECK_INT(e2e_run(&e, "poweroff", "poweroff", extra), 0);
	CHECK_HAS(e.tap, "1..1\nok 1 - map/ro-basic\n");
	CHECK_HAS(e.summary, "verdict: PASS\n");
	CHECK_HAS(e.summary, "(stopped by runner)");
	CHECK_HAS(e.err, "QEMU did not exit within 1 s of GNTLAB-END; stopped");
	CHECK(wait_gone(e.qemu_pid, 1));
	e2e_done(&e);
}

/* --accel kvm falls back to TCG once when KVM cannot run Xen. */
static void test_e2e_kvm_fallback(void)
{
	static const char *const extra[] = {"--accel", "kvm", NULL};
	struct e2e e;
	char *kvmlog;

	CHECK_INT(e2e_run(&e, "kvm", "kvm-error", extra), 0);
	CHECK_HAS(e.summary, "verdict: PASS\n");
	CHECK_HAS(e.summary, "accel: tcg\naccel-note: kvm requested; ");
	CHECK_HAS(e.args, "-accel\ntcg\n");
	CHECK_HAS(e.tap, "1..1\nok 1 - map/ro-basic\n");
	kvmlog = e2e_file(&e, "serial-kvm.log");
	if (kvmlog) {
		/* /dev/kvm was usable: the KVM attempt ran and failed. */
		CHECK_HAS(kvmlog, "KVM internal error. Suberror: 1\n");
		CHECK_HAS(e.err, "rerunning once with TCG");
		CHECK_HAS(e.summary, "reran with tcg (see serial-kvm.log)");
	} else {
		CHECK_HAS(e.summary, "/dev/kvm is not usable");
	}
	free(kvmlog);
	e2e_done(&e);
}

/* SIGTERM and SIGINT: QEMU stopped, results written, exit 130. */
static void test_e2e_interrupted(void)
{
	static const int sigs[] = {SIGTERM, SIGINT};

	for (size_t i = 0; i < 2; i++) {
		struct e2e e;
		pid_t pid = e2e_start(&e, sigs[i] == SIGTERM ? "sigterm" : "sigint", "hang", NULL);
		char *path = e2e_scratch(&e, "runner.err"), *err = NULL;

		/* Wait until the runner has seen the first test, then interrupt it. */
		for (int tries = 0; tries < 100; tries++) {
			free(err);
			err = slurp(path);
			if (err && strstr(err, "ok 1 map/ro-basic"))
				break;
			usleep(50000);
		}
		free(err);
		free(path);
		kill(pid, sigs[i]);
		CHECK_INT(e2e_wait(&e, pid), 130);
		CHECK_HAS(e.tap, "ok 1 - map/ro-basic\n");
		CHECK_HAS(e.tap, "not ok 2 - runner/interrupted # runner interrupted by signal");
		CHECK_HAS(e.summary, "interrupted: yes\n");
		CHECK(wait_gone(e.qemu_pid, 1));
		e2e_done(&e);
	}
}

/* QEMU never outlives the runner, even one killed with SIGKILL. */
static void test_e2e_runner_killed(void)
{
	struct e2e e;
	pid_t pid, qemu = 0;
	int status;
	char *path, *text = NULL;

	/* Adopt the orphaned fake QEMU, so its death can be observed here. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid = e2e_start(&e, "killed", "hang", NULL);
	path = e2e_scratch(&e, "qemu.pid");
	for (int tries = 0; tries < 100 && !qemu; tries++) {
		usleep(50000);
		free(text);
		text = slurp(path);
		qemu = text ? (pid_t)atoi(text) : 0;
	}
	free(text);
	free(path);
	CHECK(qemu > 0);
	usleep(200000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	/* PR_SET_PDEATHSIG: QEMU follows the runner. */
	if (qemu > 0) {
		bool reaped = false;

		for (int tries = 0; tries < 40 && !reaped; tries++) {
			if (waitpid(qemu, &status, WNOHANG) == qemu)
				reaped = true;
			else
				usleep(50000);
		}
		CHECK(reaped);
		CHECK(reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		if (!reaped)
			kill(qemu, SIGKILL);
	}
	e2e_done(&e);
}

/* Missing inputs, missing QEMU, bad arguments: exit 2 before QEMU starts. */
static void test_e2e_environment_errors(void)
{
	struct e2e e;

	/* A missing input file. */
	CHECK_INT(e2e_run(&e, "nofile", "pass",
			  (const char *const[]){"--xen", "/nonexistent/xen.gz", NULL}),
		  2);
	CHECK_HAS(e.err, "--xen /nonexistent/xen.gz: No such file or directory");
	CHECK(e.args == NULL); /* QEMU never started */
	CHECK(e.tap == NULL);
	e2e_done(&e);

	/* QEMU not on PATH. */
	CHECK_INT(e2e_run(&e, "noqemu", "pass",
			  (const char *const[]){"--qemu", "gntlab-no-such-qemu", NULL}),
		  2);
	CHECK_HAS(e.err, "QEMU 'gntlab-no-such-qemu' not found on PATH");
	e2e_done(&e);

	/* A comma in the dom0 command line. */
	CHECK_INT(e2e_run(&e, "comma", "pass",
			  (const char *const[]){"--dom0-args", "console=hvc0,115200", NULL}),
		  2);
	CHECK_HAS(e.err, "contains a comma");
	CHECK(e.args == NULL);
	e2e_done(&e);

	/* A usage error. */
	CHECK_INT(e2e_run(&e, "usage", "pass", (const char *const[]){"--smp", "many", NULL}), 2);
	CHECK_HAS(e.err, "--smp wants a positive integer");
	e2e_done(&e);
}

/* --tests and sizes reach QEMU; a rerun replaces only the runner's own files. */
static void test_e2e_filter_and_rerun(void)
{
	static const char *const extra[] = {"--tests", "map/*", "--mem", "2048",
					    "--smp",   "1",	NULL};
	struct e2e e;
	char path[4400], *stale;

	CHECK_INT(e2e_run(&e, "filter", "pass", extra), 0);
	CHECK_HAS(e.args, "-m\n2048\n-smp\n1\n");
	CHECK_HAS(e.args, "clocksource=xen gntlab.tests=map/*,");
	/* A second run into the same folder replaces the first one's files,
	 * and only those. */
	snprintf(path, sizeof(path), "%s/olddomain.log", e.results);
	write_file(path, "stale\n");
	snprintf(path, sizeof(path), "%s/notes.txt", e.results);
	write_file(path, "keep me\n");
	reuse_dir = strdup(e.dir);
	e2e_free(&e);
	CHECK_INT(e2e_run(&e, "filter", "fail", NULL), 1);
	free((char *)reuse_dir);
	reuse_dir = NULL;
	CHECK_HAS(e.tap, "not ok 2 - map/rw-basic");
	CHECK_LACKS(e.tap, "m2p/lookup");
	snprintf(path, sizeof(path), "%s/olddomain.log", e.results);
	stale = slurp(path);
	CHECK(stale == NULL);
	free(stale);
	snprintf(path, sizeof(path), "%s/notes.txt", e.results);
	stale = slurp(path);
	CHECK_STR(stale, "keep me\n");
	free(stale);
	e2e_done(&e);
}

/* ---- junit.xml against junit.xsd ---- */

/* xmllint --schema junit.xsd on path: its exit status, its output in *out. */
static int xmllint_schema(const char *path, char **out)
{
	char cmd[9000], chunk[512];
	size_t size = 0, n;
	FILE *p, *m = open_memstream(out, &size);
	int status;

	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s' 2>&1", junit_xsd, path);
	p = popen(cmd, "r");
	if (!p) {
		fclose(m);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		fwrite(chunk, 1, n, m);
	status = pclose(p);
	fclose(m);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void check_schema(const char *path, bool valid)
{
	char *out = NULL;
	int rc = xmllint_schema(path, &out);

	if ((rc == 0) != valid) {
		check_failures++;
		diag("xmllint --schema %s: status %d, want %s", path, rc,
		     valid ? "valid" : "rejected");
		show("xmllint: ", out);
	}
	free(out);
}

static const char *need_junit_schema(void)
{
	char found[4096];

	if (!junit_xsd)
		return "needs --junit-xsd";
	if (!cli_find_program("xmllint", found, sizeof(found)))
		return "xmllint not installed (apt-get install libxml2-utils): junit.xml not "
		       "validated against junit.xsd";
	return need_runner();
}

/*
 * junit.xml of fake runs (passes, a skip, a failure with diagnostics, a crash)
 * is valid against junit.xsd, the structure Jenkins and GitLab read; and the
 * schema is not vacuous: documents they would misread are rejected.
 */
static void test_e2e_junit_schema(void)
{
	static const char *const scenarios[] = {"pass", "fail", "crash"};
	// clang-format off
	static const char *const bad[] = {
		/* testcase without classname */
		"<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\" "
		"time=\"0\"><testcase name=\"x\" time=\"0\"/></testsuite></testsuites>",
		/* two verdicts for one test */
		"<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"1\" errors=\"0\" "
		"time=\"0\"><testcase name=\"x\" classname=\"a\" time=\"0\"><failure message=\"m\"/>"
		"<skipped/></testcase></testsuite></testsuites>",
		/* failure without its message */
		"<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"1\" errors=\"0\" "
		"time=\"0\"><testcase name=\"x\" classname=\"a\" time=\"0\"><failure/></testcase>"
		"</testsuite></testsuites>",
		/* a negative time, a count that is not a number */
		"<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\" "
		"time=\"-1.000\"><testcase name=\"x\" classname=\"a\" time=\"0\"/></testsuite>"
		"</testsuites>",
		"<testsuites><testsuite name=\"a\" tests=\"one\" failures=\"0\" errors=\"0\" "
		"time=\"0\"/></testsuites>",
		/* system-out before the verdict */
		"<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"1\" errors=\"0\" "
		"time=\"0\"><testcase name=\"x\" classname=\"a\" time=\"0\"><system-out>o"
		"</system-out><failure message=\"m\"/></testcase></testsuite></testsuites>",
		/* <testsuite> as the root */
		"<testsuite name=\"a\" tests=\"0\" failures=\"0\" errors=\"0\" time=\"0\"/>",
	};
	// clang-format on
	char *dir = make_tmpdir("junit-schema"), path[4400];

	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		struct e2e e;

		e2e_run(&e, scenarios[i], scenarios[i], NULL);
		CHECK(e.junit != NULL);
		snprintf(path, sizeof(path), "%s/junit.xml", e.results);
		check_schema(path, true);
		e2e_done(&e);
	}
	/* What the runner's own writer makes of odd input, straight from it. */
	{
		struct results r;
		char *out;

		sample_results(&r);
		out = capture(report_write_junit, &r);
		snprintf(path, sizeof(path), "%s/sample.xml", dir);
		write_file(path, out);
		check_schema(path, true);
		free(out);
		results_free(&r);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "%s/bad%zu.xml", dir, i);
		write_file(path, bad[i]);
		check_schema(path, false);
	}
	if (!check_failures)
		rm_rf(dir);
	free(dir);
}

/* ---- test catalogue ---- */

static void check_heading(const char *line, const char *want)
{
	char name[64] = "";
	bool got = catalogue_heading(line, name, sizeof(name));

	if (got == (want != NULL) && (!want || strcmp(name, want) == 0))
		return;
	check_failures++;
	diag("catalogue_heading: got %s \"%s\", want %s", got ? "yes" : "no", name,
	     want ? want : "no");
	show("line: ", line);
}

/*
 * What counts as a documented test: "### suite/name", optionally in
 * backticks, and nothing else; prose headings are not tests.
 */
static void test_catalogue_headings(void)
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
	cr->dir = make_tmpdir("catalogue");
	argv[argc++] = "gntlab-catalogue-check";
	snprintf(paths[argc], sizeof(paths[argc]), "%s/tests.list", cr->dir);
	write_file(paths[argc], list);
	argv[argc] = paths[argc];
	argc++;
	for (int i = 0; docs[i]; i++) {
		snprintf(paths[argc], sizeof(paths[argc]), "%s/doc%d.md", cr->dir, i + 1);
		write_file(paths[argc], docs[i]);
		argv[argc] = paths[argc];
		argc++;
	}
	argv[argc] = NULL;
	out = open_memstream(&cr->out, &olen);
	err = open_memstream(&cr->err, &elen);
	cr->rc = catalogue_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
}

static void catalogue_done(struct catrun *cr)
{
	if (check_failures) {
		show("out: ", cr->out);
		show("err: ", cr->err);
	}
	rm_rf(cr->dir);
	free(cr->dir);
	free(cr->out);
	free(cr->err);
}

/* Both sets equal: exit 0, across several files, CRLF, fences and prose. */
static void test_catalogue_equal(void)
{
	struct catrun cr;

	catalogue_run(&cr, "map/ro-basic\nmap/rw-basic\n\n  m2p/lookup  \r\n",
		      (const char *const[]){"# Mapping tests\r\n\r\n### map/ro-basic\r\n"
					    "Maps read-only.\r\n### `map/rw-basic`\r\n",
					    "## m2p\n### Notes on m2p\n### m2p/lookup\n"
					    "```sh\n### not/a-test (inside a fence)\n```\n",
					    NULL});
	CHECK_INT(cr.rc, 0);
	CHECK_STR(cr.out, "catalogue: all 3 tests documented (2 doc files)\n");
	CHECK_STR(cr.err, "");
	catalogue_done(&cr);

	/* Documented twice, listed twice: noted, still equal sets. */
	catalogue_run(&cr, "a/b\na/b\n", (const char *const[]){"### a/b\n### `a/b`\n", NULL});
	CHECK_INT(cr.rc, 0);
	CHECK_HAS(cr.err, "tests.list:2: note: a/b again (first at ");
	CHECK_HAS(cr.err, "doc1.md:2: note: a/b again (first at ");
	catalogue_done(&cr);
}

/* Each undocumented test and each documented ghost is printed; exit 1. */
static void test_catalogue_differ(void)
{
	struct catrun cr;

	catalogue_run(&cr, "map/ro-basic\nmap/new-test\nm2p/lookup\n",
		      (const char *const[]){"### map/ro-basic\n\n### map/renamed-away\n",
					    "### m2p/lookup\n~~~\n```\n### map/new-test\n~~~\n"
					    "### `m2p/gone`\n",
					    NULL});
	CHECK_INT(cr.rc, 1);
	CHECK_HAS(cr.out, "undocumented: map/new-test (listed at ");
	CHECK_HAS(cr.out, "/tests.list:2)\n");
	CHECK_HAS(cr.out, "no such test: map/renamed-away (documented at ");
	CHECK_HAS(cr.out, "/doc1.md:3)\n");
	CHECK_HAS(cr.out, "no such test: m2p/gone (documented at ");
	CHECK_HAS(cr.out, "/doc2.md:6)\n");
	/* The heading inside the ~~~ fence (with a ``` line in it) did not count. */
	CHECK_LACKS(cr.out, "map/ro-basic");
	CHECK_LACKS(cr.out, "m2p/lookup");
	CHECK_HAS(cr.err, "3 problems");
	catalogue_done(&cr);

	/* Docs without a single test heading: every test is undocumented. */
	catalogue_run(&cr, "a/b\n", (const char *const[]){"# Nothing here\n", NULL});
	CHECK_INT(cr.rc, 1);
	CHECK_HAS(cr.out, "undocumented: a/b");
	CHECK_HAS(cr.err, "1 problem:");
	catalogue_done(&cr);
}

/* Usage and input errors: exit 2, with a reason, never 0. */
static void test_catalogue_errors(void)
{
	struct catrun cr;
	char *out = NULL, *err = NULL;
	size_t olen, elen;
	FILE *o = open_memstream(&out, &olen), *e = open_memstream(&err, &elen);

	CHECK_INT(catalogue_main(2, (char *[]){"gntlab-catalogue-check", "list", NULL}, o, e), 2);
	CHECK_INT(catalogue_main(3,
				 (char *[]){"gntlab-catalogue-check", "/nonexistent/list",
					    "/nonexistent/doc.md", NULL},
				 o, e),
		  2);
	fclose(o);
	fclose(e);
	CHECK_HAS(err, "usage: gntlab-catalogue-check LIST_FILE DOC_FILE...");
	CHECK_HAS(err, "cannot open /nonexistent/list: No such file or directory");
	CHECK_STR(out, "");
	free(out);
	free(err);

	/* A doc file that cannot be read: no comparison on half the docs. */
	catalogue_run(&cr, "a/b\n", (const char *const[]){"### a/b\n", NULL});
	{
		char list[4200], *out2 = NULL, *err2 = NULL;
		size_t l1, l2;
		FILE *o2 = open_memstream(&out2, &l1), *e2 = open_memstream(&err2, &l2);

		snprintf(list, sizeof(list), "%s/tests.list", cr.dir);
		CHECK_INT(catalogue_main(4,
					 (char *[]){"gntlab-catalogue-check", list,
						    "/nonexistent/doc.md", list, NULL},
					 o2, e2),
			  2);
		fclose(o2);
		fclose(e2);
		CHECK_HAS(err2, "cannot open /nonexistent/doc.md");
		CHECK_STR(out2, "");
		free(out2);
		free(err2);
	}
	catalogue_done(&cr);
	catalogue_run(&cr, "a/b\n", (const char *const[]){NULL});
	CHECK_INT(cr.rc, 2); /* no doc file at all: usage */
	catalogue_done(&cr);

	/* TAP output instead of a list: refused, not compared. */
	catalogue_run(&cr, "TAP version 13\nok 1 - a/b\n",
		      (const char *const[]){"### a/b\n", NULL});
	CHECK_INT(cr.rc, 2);
	CHECK_HAS(cr.err,
		  "tests.list:1: not a test name (one word per line expected): TAP version");
	CHECK_STR(cr.out, "");
	catalogue_done(&cr);

	/* An empty list proves nothing. */
	catalogue_run(&cr, "\n\n", (const char *const[]){"# none\n", NULL});
	CHECK_INT(cr.rc, 2);
	CHECK_HAS(cr.err, "lists no tests");
	catalogue_done(&cr);
}

/* Run the built program: exit 0 / 1 / 2 as catalogue_main says. */
static int run_catalogue(const char *const *args, const char *out_path)
{
	char *argv[16];
	int argc = 0, status;
	pid_t pid;

	argv[argc++] = (char *)catalogue_path;
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);

		dup2(fd, 1);
		dup2(fd, 2);
		execv(catalogue_path, argv);
		_exit(99);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_e2e_catalogue_program(void)
{
	char *dir = make_tmpdir("catalogue-bin");
	char list[4200], doc[4200], bad[4200], out[4200];
	char *text;

	snprintf(list, sizeof(list), "%s/tests.list", dir);
	snprintf(doc, sizeof(doc), "%s/tests.md", dir);
	snprintf(bad, sizeof(bad), "%s/stale.md", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	write_file(list, "map/ro-basic\nm2p/lookup\n");
	write_file(doc, "### `map/ro-basic`\n### m2p/lookup\n");
	write_file(bad, "### map/ro-basic\n### map/removed\n");
	CHECK_INT(run_catalogue((const char *const[]){list, doc, NULL}, out), 0);
	CHECK_INT(run_catalogue((const char *const[]){list, bad, NULL}, out), 1);
	text = slurp(out);
	CHECK_HAS(text, "undocumented: m2p/lookup");
	CHECK_HAS(text, "no such test: map/removed");
	free(text);
	CHECK_INT(run_catalogue((const char *const[]){list, NULL}, out), 2);
	CHECK_INT(run_catalogue((const char *const[]){list, "/nonexistent.md", NULL}, out), 2);
	if (!check_failures)
		rm_rf(dir);
	free(dir);
}

/* ---- harness ---- */

struct utest {
	const char *name;
	void (*fn)(void);
	const char *(*skip)(void); /* why the test cannot run here, or NULL */
	int timeout;		   /* seconds */
};

/* The name is the function's, without "test_". */
// clang-format off
#define T(fn) {&#fn[5], fn, NULL, 30}
#define E(fn) {&#fn[5], fn, need_runner, 60}
#define N(fn, need) {&#fn[5], fn, need, 60}
// clang-format on

static const struct utest tests[] = {
	T(test_linebuf_terminators),
	T(test_linebuf_partial),
	T(test_linebuf_nul_and_long),
	T(test_marker_parsing),
	T(test_tap_parsing),
	T(test_log_split_and_sanitize),
	T(test_crash_patterns),
	T(test_milestone_lines),
	T(test_matrix_parsing),
	T(test_xml_escape),
	T(test_tap_writer),
	T(test_junit_writer),
	T(test_summary_writer),
	T(test_matrix_table),
	T(test_matrix_escaping),
	T(test_matrix_markdown),
	T(test_matrix_html),
	T(test_summary_matrix),
	T(test_verdict),
	T(test_excerpt_limit),
	T(test_phase_bookkeeping),
	T(test_timeouts),
	T(test_session_transcript),
	T(test_session_crash),
	T(test_session_timeout_and_early_end),
	T(test_session_verbose_and_diag_limit),
	T(test_session_matrix),
	T(test_cli_defaults_and_argv),
	T(test_cli_options),
	T(test_cli_errors),
	T(test_cli_find_program),
	E(test_e2e_pass),
	E(test_e2e_failing_test),
	E(test_e2e_crash),
	E(test_e2e_phase_timeout),
	E(test_e2e_boot_timeout),
	E(test_e2e_total_timeout),
	E(test_e2e_sigkill_escalation),
	E(test_e2e_flood),
	E(test_e2e_ended_early),
	E(test_e2e_no_tests),
	E(test_e2e_noisy_stream),
	E(test_e2e_poweroff_after_end),
	E(test_e2e_kvm_fallback),
	E(test_e2e_interrupted),
	E(test_e2e_runner_killed),
	E(test_e2e_environment_errors),
	E(test_e2e_filter_and_rerun),
	T(test_catalogue_headings),
	T(test_catalogue_equal),
	T(test_catalogue_differ),
	T(test_catalogue_errors),
	N(test_e2e_catalogue_program, need_catalogue),
	N(test_e2e_junit_schema, need_junit_schema),
};

static int run_test(const struct utest *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0); /* so a timeout can take the test's children too */
		alarm((unsigned)t->timeout);
		t->fn();
		fflush(stdout);
		_exit(check_failures ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	kill(-pid, SIGKILL);
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 0 ? 0 : 1;
	if (WIFSIGNALED(status))
		diag("%s: killed by signal %d%s", t->name, WTERMSIG(status),
		     WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	return 1;
}

int main(int argc, char **argv)
{
	size_t n = sizeof(tests) / sizeof(tests[0]);
	size_t pass = 0, fail = 0, skip = 0;
	const char *only = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runner") == 0 && i + 1 < argc)
			runner_path = argv[++i];
		else if (strcmp(argv[i], "--fake-qemu") == 0 && i + 1 < argc)
			fake_path = argv[++i];
		else if (strcmp(argv[i], "--junit-xsd") == 0 && i + 1 < argc)
			junit_xsd = argv[++i];
		else if (strcmp(argv[i], "--catalogue") == 0 && i + 1 < argc)
			catalogue_path = argv[++i];
		else if (strcmp(argv[i], "--tmp") == 0 && i + 1 < argc)
			tmp_root = argv[++i];
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: unit-tests [--runner PATH --fake-qemu PATH] "
					"[--catalogue PATH] "
					"[--tmp DIR] [--only SUBSTRING]\n");
			return 2;
		}
	}
	if (tmp_root && mkdir(tmp_root, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "unit-tests: cannot create %s: %s\n", tmp_root, strerror(errno));
		return 2;
	}

	printf("TAP version 13\n1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct utest *t = &tests[i];
		const char *why;

		if (only && !strstr(t->name, only)) {
			printf("ok %zu - %s # SKIP not selected by --only\n", i + 1, t->name);
			skip++;
			continue;
		}
		why = t->skip ? t->skip() : NULL;
		if (why) {
			printf("ok %zu - %s # SKIP %s\n", i + 1, t->name, why);
			skip++;
			continue;
		}
		if (run_test(t) == 0) {
			printf("ok %zu - %s\n", i + 1, t->name);
			pass++;
		} else {
			printf("not ok %zu - %s\n", i + 1, t->name);
			fail++;
		}
	}
	printf("# totals: pass %zu, fail %zu, skip %zu, total %zu\n", pass, fail, skip, n);
	return fail ? 1 : 0;
}

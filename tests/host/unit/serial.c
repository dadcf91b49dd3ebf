// SPDX-License-Identifier: GPL-2.0
/* Unit tests of serial.c: line splitting, markers, TAP and MATRIX payloads, crash lines. */

#include <stdlib.h>
#include <string.h>

#include "unit.h"

struct lines {
	char *v[64];
	size_t n;
};

static void collect(void *ctx, const char *line, size_t len)
{
	struct lines *l = ctx;

	EXPECT_TRUE(strlen(line) == len);
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
TEST(serial, linebuf_terminators)
{
	struct linebuf *lb = malloc(sizeof(*lb));
	struct lines l = {0};

	linebuf_init(lb);
	feed(lb, &l, "a\r\nb\nc\rd\n\ne\r\r\n");
	EXPECT_EQ(l.n, 6);
	EXPECT_STREQ(l.v[0], "a");
	EXPECT_STREQ(l.v[1], "b");
	EXPECT_STREQ(l.v[2], "c"); /* a lone CR starts a new line */
	EXPECT_STREQ(l.v[3], "d");
	EXPECT_STREQ(l.v[4], ""); /* an empty line stays a line */
	EXPECT_STREQ(l.v[5], "e");
	lines_free(&l);
	free(lb);
}

/*
 * A read can end anywhere, even between the CR and LF of one line: a marker
 * split over two reads must still be one line.
 */
TEST(serial, linebuf_partial)
{
	struct linebuf *lb = malloc(sizeof(*lb));
	struct lines l = {0};

	linebuf_init(lb);
	feed(lb, &l, "(XEN) GNTLAB-TA");
	EXPECT_EQ(l.n, 0);
	feed(lb, &l, "P ok x/y\r");
	EXPECT_EQ(l.n, 1);
	feed(lb, &l, "\n"); /* the LF of the CRLF split over two reads */
	EXPECT_EQ(l.n, 1);
	EXPECT_STREQ(l.v[0], "(XEN) GNTLAB-TAP ok x/y");
	feed(lb, &l, "no newline at the end");
	EXPECT_EQ(l.n, 1);
	linebuf_flush(lb, collect, &l);
	EXPECT_EQ(l.n, 2);
	EXPECT_STREQ(l.v[1], "no newline at the end");
	linebuf_flush(lb, collect, &l);
	EXPECT_EQ(l.n, 2);
	lines_free(&l);
	free(lb);
}

/*
 * NUL bytes (seen on serial lines after resets) must not cut a marker, and a
 * line that never ends must not grow without bound.
 */
TEST(serial, linebuf_nul_and_long)
{
	struct linebuf *lb = malloc(sizeof(*lb));
	struct lines l = {0};
	size_t big = 2 * SERIAL_MAX_LINE + 100;
	char *s = malloc(big + 2);

	linebuf_init(lb);
	linebuf_feed(lb, "GNT\0LAB\0-END ok\n", 16, collect, &l);
	EXPECT_EQ(l.n, 1);
	EXPECT_STREQ(l.v[0], "GNTLAB-END ok");
	memset(s, 'x', big);
	s[big] = '\n';
	linebuf_feed(lb, s, big + 1, collect, &l);
	EXPECT_EQ(l.n, 4);
	EXPECT_EQ(strlen(l.v[1]), SERIAL_MAX_LINE);
	EXPECT_EQ(strlen(l.v[2]), SERIAL_MAX_LINE);
	EXPECT_EQ(strlen(l.v[3]), 100);
	lines_free(&l);
	free(s);
	free(lb);
}

/*
 * Xen's console and dom0's kernel share the serial line with dom0's markers
 * and can write between two pieces of one marker line (seen in CI: Xen's 'g'
 * dump between "GNTLAB-TAP ok tools/share-bad-domid" and its CRLF, which
 * turned the test into "tools/share-bad-domid(XEN)"). The foreign line comes
 * out first, the marker whole once its rest has arrived.
 */
TEST(serial, linebuf_foreign_line_inside_marker)
{
	struct linebuf *lb = malloc(sizeof(*lb));
	struct lines l = {0};

	linebuf_init(lb);
	feed(lb, &l, "GNTLAB-TAP ok tools/share-bad-domid(XEN) -------- active --------"
		     "       -------- shared --------\r\n");
	EXPECT_EQ(l.n, 1);
	EXPECT_STREQ(l.v[0], "(XEN) -------- active --------       -------- shared --------");
	feed(lb, &l, "\r\n"); /* the marker's own line end */
	EXPECT_EQ(l.n, 2);
	EXPECT_STREQ(l.v[1], "GNTLAB-TAP ok tools/share-bad-domid");

	/* dom0's kernel (clocksource watchdog), LF-only line ends */
	feed(lb, &l, "GNTLAB-TAP ok a/b[   50.123456] clocksource: 'tsc' unstable\n\n");
	EXPECT_EQ(l.n, 4);
	EXPECT_STREQ(l.v[2], "[   50.123456] clocksource: 'tsc' unstable");
	EXPECT_STREQ(l.v[3], "GNTLAB-TAP ok a/b");

	/* several foreign lines, then the rest of the payload */
	feed(lb, &l, "GNTLAB-DIAG half (XEN) x1\r\n(XEN) x2\r\n[    1.000000] k\r\nand rest\r\n");
	EXPECT_EQ(l.n, 8);
	EXPECT_STREQ(l.v[4], "(XEN) x1");
	EXPECT_STREQ(l.v[5], "(XEN) x2");
	EXPECT_STREQ(l.v[6], "[    1.000000] k");
	EXPECT_STREQ(l.v[7], "GNTLAB-DIAG half and rest");

	/* a relayed log keeps its timestamps; Xen inside it is still taken out */
	feed(lb, &l, "GNTLAB-LOG guest [    1.234567] gntlab: loaded\r\n");
	EXPECT_EQ(l.n, 9);
	EXPECT_STREQ(l.v[8], "GNTLAB-LOG guest [    1.234567] gntlab: loaded");
	feed(lb, &l, "GNTLAB-LOG guest [    1.5] y(XEN) z\r\n\r\n");
	EXPECT_EQ(l.n, 11);
	EXPECT_STREQ(l.v[9], "(XEN) z");
	EXPECT_STREQ(l.v[10], "GNTLAB-LOG guest [    1.5] y");

	/* not a marker line: left alone; a timestamp needs six decimals */
	feed(lb, &l, "text(XEN) more\r\nGNTLAB-TAP ok c/d [1.5] e\r\n");
	EXPECT_EQ(l.n, 13);
	EXPECT_STREQ(l.v[11], "text(XEN) more");
	EXPECT_STREQ(l.v[12], "GNTLAB-TAP ok c/d [1.5] e");

	/* Xen relaying a guest's early console write (seen in a debug boot) */
	feed(lb, &l, "GNTLAB-TAP ok grant/publish(d1) about to get started...\r\n\r\n"
		     "GNTLAB-TAP ok x/y (d) (dz) (d12)no\r\n");
	EXPECT_EQ(l.n, 16);
	EXPECT_STREQ(l.v[13], "(d1) about to get started...");
	EXPECT_STREQ(l.v[14], "GNTLAB-TAP ok grant/publish");
	EXPECT_STREQ(l.v[15], "GNTLAB-TAP ok x/y (d) (dz) (d12)no");

	/* the stream ends while the marker waits: it still comes out */
	feed(lb, &l, "GNTLAB-END 0(XEN) bye\r\n");
	EXPECT_EQ(l.n, 17);
	linebuf_flush(lb, collect, &l);
	EXPECT_EQ(l.n, 18);
	EXPECT_STREQ(l.v[17], "GNTLAB-END 0");
	lines_free(&l);
	free(lb);
}

static void check_marker(const char *line, enum marker_kind kind, const char *payload)
{
	struct marker m;
	bool found = serial_find_marker(line, &m);
	char *got;

	EXPECT_EQ(found, kind != MARK_NONE);
	EXPECT_EQ(m.kind, kind);
	if (!found || !payload)
		return;
	got = strndup(m.payload, m.payload_len);
	EXPECT_STREQ(got, payload);
	free(got);
}

/*
 * The contract of tests/markers.h: a marker anywhere in a line, its payload
 * the rest of the line. Look-alike words must not count.
 */
TEST(serial, marker_parsing)
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

	EXPECT_EQ(got, valid);
	if (!got || !valid)
		return;
	EXPECT_EQ(t.status, st);
	EXPECT_STREQ(t.name, name);
	EXPECT_STREQ(t.reason, reason);
}

/*
 * GNTLAB-TAP payloads: ok/skip/fail with reasons, TAP numbering tolerated, and
 * nothing that is not a test line taken for one.
 */
TEST(serial, tap_parsing)
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
TEST(serial, log_split_and_sanitize)
{
	const char *payload = "guest1   indented text";
	const char *dom, *text;
	size_t dlen, tlen;
	char out[72];

	EXPECT_TRUE(serial_split_log(payload, strlen(payload), &dom, &dlen, &text, &tlen));
	EXPECT_EQ(dlen, 6);
	EXPECT_TRUE(strncmp(dom, "guest1", 6) == 0);
	EXPECT_EQ(tlen, strlen("  indented text"));
	EXPECT_FALSE(serial_split_log("   ", 3, &dom, &dlen, &text, &tlen));
	EXPECT_TRUE(serial_split_log("dom0", 4, &dom, &dlen, &text, &tlen));
	EXPECT_EQ(tlen, 0);

	EXPECT_STREQ(serial_sanitize_domain("guest1", 6, out, sizeof(out)), "guest1");
	EXPECT_STREQ(serial_sanitize_domain("dom-0_A", 7, out, sizeof(out)), "dom-0_A");
	EXPECT_STREQ(serial_sanitize_domain("../etc/passwd", 13, out, sizeof(out)),
		     "___etc_passwd");
	EXPECT_STREQ(serial_sanitize_domain("a b\tc\xc3\xa9", 7, out, sizeof(out)), "a_b_c__");
	EXPECT_STREQ(serial_sanitize_domain("", 0, out, sizeof(out)), "unknown");
	EXPECT_STREQ(serial_sanitize_domain("serial", 6, out, sizeof(out)), "serial_");
	EXPECT_STREQ(
		serial_sanitize_domain(
			"0123456789012345678901234567890123456789012345678901234567890123456789",
			70, out, sizeof(out)),
		"0123456789012345678901234567890123456789012345678901234567890123");
	EXPECT_STREQ(serial_sanitize_domain("abcdef", 6, out, 4), "abc");
}

/*
 * Crash detection: every listed pattern is found, also inside GNTLAB-LOG text;
 * words that merely contain one (DEBUG:, Oopsie) are not crashes.
 */
TEST(serial, crash_patterns)
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

		if (cases[i].pattern) {
			EXPECT_STREQ(got, cases[i].pattern) TH_MSG("line \"%s\"", cases[i].line);
		} else {
			EXPECT_NULL(got)
				TH_MSG("line \"%s\" is not a crash, got %s", cases[i].line, got);
		}
	}
}

/* The free-text milestones: Xen banner, dom0 kernel banner, KVM failure. */
TEST(serial, milestone_lines)
{
	EXPECT_TRUE(serial_is_xen_start("(XEN) Xen version 4.17.5 (Debian 4.17.5)"));
	EXPECT_FALSE(serial_is_xen_start("Xen version 4.17.5 without the prefix"));
	EXPECT_FALSE(serial_is_xen_start("(XEN) Command line: console=com1"));
	EXPECT_TRUE(serial_is_linux_start("[    0.000000] Linux version 6.1.0-56-amd64"));
	EXPECT_FALSE(serial_is_linux_start("[    0.000000] Command line: console=hvc0"));
	EXPECT_TRUE(serial_is_kvm_error("KVM internal error. Suberror: 1"));
	EXPECT_FALSE(serial_is_kvm_error("KVM: enabled"));
}

static void check_matrix_line(const char *payload, bool valid, const char *row, const char *col,
			      const char *expected, const char *observed)
{
	struct matrix_line l;
	bool got = serial_parse_matrix(payload, strlen(payload), &l);

	EXPECT_EQ(got, valid);
	if (!got || !valid)
		return;
	EXPECT_STREQ(l.row, row);
	EXPECT_STREQ(l.col, col);
	EXPECT_STREQ(l.expected, expected);
	EXPECT_STREQ(l.observed, observed);
}

/*
 * GNTLAB-MATRIX: found anywhere in a line like the other markers, exactly four
 * single-word fields. A fifth word means an outcome with a space, which would
 * shift the fields: refused rather than misread.
 */
TEST(serial, matrix_parsing)
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

		EXPECT_TRUE(serial_parse_matrix(longword, strlen(longword), &l));
		EXPECT_EQ(strlen(l.row), MATRIX_WORD_MAX);
		EXPECT_STREQ(l.col, "pfnmap");
	}
	memset(longword, 'x', MATRIX_WORD_MAX + 1);
	snprintf(longword + MATRIX_WORD_MAX + 1, sizeof(longword) - MATRIX_WORD_MAX - 1,
		 " pfnmap ok ok");
	check_matrix_line(longword, false, NULL, NULL, NULL, NULL);
}

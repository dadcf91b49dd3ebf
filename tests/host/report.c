// SPDX-License-Identifier: GPL-2.0
#include "report.h"
#include "xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void excerpt_init(struct excerpt *ex, size_t max)
{
	memset(ex, 0, sizeof(*ex));
	ex->max = max;
}

void excerpt_add(struct excerpt *ex, const char *line, size_t len)
{
	if (ex->max == 0)
		return;
	if (ex->n == ex->max) {
		free(ex->lines[0]);
		memmove(ex->lines, ex->lines + 1, (ex->n - 1) * sizeof(*ex->lines));
		ex->n--;
		ex->dropped++;
	}
	if (!ex->lines)
		ex->lines = xrealloc(NULL, ex->max * sizeof(*ex->lines));
	ex->lines[ex->n++] = xstrndup(line, len);
}

void excerpt_move(struct excerpt *dst, struct excerpt *src)
{
	dst->dropped += src->dropped;
	for (size_t i = 0; i < src->n; i++)
		excerpt_add(dst, src->lines[i], strlen(src->lines[i]));
	excerpt_clear(src);
}

void excerpt_clear(struct excerpt *ex)
{
	for (size_t i = 0; i < ex->n; i++)
		free(ex->lines[i]);
	free(ex->lines);
	ex->lines = NULL;
	ex->n = 0;
	ex->dropped = 0;
}

void results_init(struct results *r)
{
	memset(r, 0, sizeof(*r));
	excerpt_init(&r->trailing, EXCERPT_MAX);
	matrix_init(&r->matrix);
	phase_init(&r->phase, 0);
	snprintf(r->accel, sizeof(r->accel), "tcg");
}

void results_free(struct results *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->tests[i].name);
		free(r->tests[i].ref);
		free(r->tests[i].reason);
		excerpt_clear(&r->tests[i].log);
	}
	free(r->tests);
	excerpt_clear(&r->trailing);
	matrix_free(&r->matrix);
	memset(r, 0, sizeof(*r));
}

struct test_case *results_add(struct results *r, const char *name, enum test_status status,
			      const char *reason, double at, double time, bool synthetic)
{
	struct test_case *t;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->tests = xrealloc(r->tests, r->cap * sizeof(*r->tests));
	}
	t = &r->tests[r->n++];
	memset(t, 0, sizeof(*t));
	t->name = xstrndup(name, strlen(name));
	t->status = status;
	t->ref = xstrndup("", 0);
	t->reason = xstrndup(reason ? reason : "", reason ? strlen(reason) : 0);
	t->at = at;
	t->time = time < 0 ? 0 : time;
	t->synthetic = synthetic;
	excerpt_init(&t->log, EXCERPT_MAX);
	return t;
}

void test_case_set_ref(struct test_case *t, const char *ref)
{
	free(t->ref);
	t->ref = xstrndup(ref ? ref : "", ref ? strlen(ref) : 0);
}

struct counts results_count(const struct results *r)
{
	struct counts c = {0};
	size_t *by_status[TEST_STATUS_COUNT] = {&c.pass,  &c.fail,  &c.skip,
						&c.error, &c.xfail, &c.xpass};

	for (size_t i = 0; i < r->n; i++) {
		if ((unsigned int)r->tests[i].status < TEST_STATUS_COUNT)
			(*by_status[r->tests[i].status])++;
		c.missing += r->tests[i].missing;
		if (!r->tests[i].synthetic)
			c.reported++;
	}
	c.total = r->n;
	return c;
}

bool results_has_failure(const struct results *r)
{
	struct counts c = results_count(r);

	return c.fail || c.error || c.xpass;
}

bool results_passed(const struct results *r)
{
	struct counts c = results_count(r);

	return c.reported > 0 && !results_has_failure(r) && r->end_seen && !r->crashed &&
	       !r->timed_out && !r->interrupted;
}

void test_suite(const char *name, char *buf, size_t size)
{
	const char *slash = strchr(name, '/');

	if (!slash || slash == name)
		snprintf(buf, size, "default");
	else
		snprintf(buf, size, "%.*s", (int)(slash - name), name);
}

/* ---- XML ---- */

/* Length of the valid UTF-8 sequence at s encoding an XML 1.0 Char, else 0. */
static size_t utf8_xml_char(const unsigned char *s, uint32_t *cp_out)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80) {
		cp = s[0];
		len = 1;
	} else if ((s[0] & 0xE0) == 0xC0) {
		cp = s[0] & 0x1F;
		len = 2;
	} else if ((s[0] & 0xF0) == 0xE0) {
		cp = s[0] & 0x0F;
		len = 3;
	} else if ((s[0] & 0xF8) == 0xF0) {
		cp = s[0] & 0x07;
		len = 4;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL terminator */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms would smuggle '<' or NUL past a naive check. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
		return 0;
	if (cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
	    (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF)) {
		*cp_out = cp;
		return len;
	}
	return 0;
}

void xml_write_escaped(FILE *f, const char *s, bool attr)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		uint32_t cp = 0;
		size_t len = utf8_xml_char(p, &cp);

		if (len == 0) {
			/* ASCII control characters are dropped, broken UTF-8 made visible. */
			if (*p >= 0x80)
				fputs("\xEF\xBF\xBD", f);
			p++;
			continue;
		}
		switch (cp) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		case '\t':
		case '\n':
		case '\r':
			/* Attribute values are normalised by parsers; keep them as references. */
			if (attr)
				fprintf(f, "&#%u;", (unsigned)cp);
			else if (cp == '\r')
				fputs("&#13;", f);
			else
				fputc((int)cp, f);
			break;
		default:
			fwrite(p, 1, len, f);
			break;
		}
		p += len;
	}
}

char *xml_escape(const char *s, bool attr)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f) {
		fprintf(stderr, "gntlab-runner: out of memory\n");
		exit(2);
	}
	xml_write_escaped(f, s, attr);
	fclose(f);
	return buf;
}

/* ---- TAP ---- */

/*
 * One line of text: line breaks become spaces, other control characters go;
 * in a test name '#' is escaped (unescaped, it would start a directive).
 */
static void write_line_text(FILE *f, const char *s, bool escape_hash)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else if ((unsigned char)*s < 0x20 && *s != '\t')
			continue;
		else if (*s == '#' && escape_hash)
			fputs("\\#", f);
		else
			fputc(*s, f);
	}
}

static void tap_write_excerpt(FILE *f, const struct excerpt *ex)
{
	if (ex->dropped)
		fprintf(f, "# [%zu earlier lines dropped]\n", ex->dropped);
	for (size_t i = 0; i < ex->n; i++) {
		fputs("# ", f);
		write_line_text(f, ex->lines[i], false);
		fputc('\n', f);
	}
}

/* After the name: " # SKIP why", " # why", " # ERROR why", " # TODO ref why"... */
static void tap_write_directive(FILE *f, const struct test_case *t)
{
	static const char *const word[TEST_STATUS_COUNT] = {
		[TEST_SKIP] = "SKIP",
		[TEST_ERROR] = "ERROR",
		[TEST_XFAIL] = "TODO",
		[TEST_XPASS] = "XPASS",
	};
	const char *w = (unsigned int)t->status < TEST_STATUS_COUNT ? word[t->status] : NULL;

	if (t->status == TEST_PASS || (!w && !t->reason[0]))
		return;
	fputs(" #", f);
	/* A missing test says so in its own words: "# missing: where". */
	if (w && !t->missing)
		fprintf(f, " %s", w);
	if (t->status == TEST_XFAIL || t->status == TEST_XPASS) {
		fputc(' ', f);
		write_line_text(f, t->ref[0] ? t->ref : "-", false);
	}
	if (t->reason[0]) {
		fputc(' ', f);
		write_line_text(f, t->reason, false);
	}
}

int report_write_tap(FILE *f, const struct results *r)
{
	struct counts c = results_count(r);

	fprintf(f, "TAP version 13\n1..%zu\n", r->n);
	if (r->expected)
		fprintf(f, "# %zu tests selected (list: %s), %zu missing\n", r->expected,
			r->expect_path, c.missing);
	for (size_t i = 0; i < r->n; i++) {
		const struct test_case *t = &r->tests[i];

		tap_write_excerpt(f, &t->log);
		if (t->status == TEST_PASS && t->reason[0]) {
			fputs("# ", f);
			write_line_text(f, t->reason, false);
			fputc('\n', f);
		}
		fprintf(f, "%s %zu - ",
			t->status == TEST_PASS || t->status == TEST_SKIP ? "ok" : "not ok", i + 1);
		write_line_text(f, t->name, true);
		tap_write_directive(f, t);
		fputc('\n', f);
	}
	tap_write_excerpt(f, &r->trailing);
	fprintf(f,
		"# totals: pass %zu, fail %zu, skip %zu, error %zu, xfail %zu, xpass %zu, "
		"total %zu\n",
		c.pass, c.fail, c.skip, c.error, c.xfail, c.xpass, c.total);
	return ferror(f) ? -1 : 0;
}

/* ---- JUnit ---- */

/* <failure> for FAIL and XPASS, <error> for ERROR (and a missing test). */
static void junit_write_problem(FILE *f, const struct test_case *t)
{
	const char *elem = t->status == TEST_ERROR ? "error" : "failure";
	const char *type = t->status == TEST_XPASS ? "XPASS"
			   : t->missing		   ? "missing"
			   : t->synthetic	   ? "runner"
						   : "test";
	char *msg = NULL;

	if (t->status == TEST_XPASS) {
		if (asprintf(&msg, "XPASS %s: %s", t->ref, t->reason) < 0)
			msg = NULL;
	}
	fprintf(f, "      <%s message=\"", elem);
	xml_write_escaped(f, msg ? msg : t->reason, true);
	fprintf(f, "\" type=\"%s\">", type);
	xml_write_escaped(f, msg ? msg : t->reason, false);
	fprintf(f, "</%s>\n", elem);
	free(msg);
}

static void junit_write_case(FILE *f, const struct test_case *t, const char *suite)
{
	const char *name = t->name;
	const char *slash = strchr(name, '/');

	if (slash && slash != name)
		name = slash + 1;
	fputs("    <testcase classname=\"gntlab.", f);
	xml_write_escaped(f, suite, true);
	fputs("\" name=\"", f);
	xml_write_escaped(f, name, true);
	fprintf(f, "\" time=\"%.3f\">\n", t->time);
	switch (t->status) {
	case TEST_PASS:
		break;
	case TEST_SKIP:
		fputs("      <skipped message=\"", f);
		xml_write_escaped(f, t->reason, true);
		fputs("\"/>\n", f);
		break;
	case TEST_XFAIL:
		/* Known, named, expected: not a failure, so a skip with its reference. */
		fputs("      <skipped message=\"XFAIL ", f);
		xml_write_escaped(f, t->ref, true);
		fputs(": ", f);
		xml_write_escaped(f, t->reason, true);
		fputs("\"/>\n", f);
		break;
	case TEST_FAIL:
	case TEST_XPASS:
	case TEST_ERROR:
		junit_write_problem(f, t);
		break;
	}
	if (t->log.n || t->log.dropped || (t->status == TEST_PASS && t->reason[0])) {
		fputs("      <system-out>", f);
		if (t->log.dropped)
			fprintf(f, "[%zu earlier lines dropped]\n", t->log.dropped);
		for (size_t i = 0; i < t->log.n; i++) {
			xml_write_escaped(f, t->log.lines[i], false);
			fputc('\n', f);
		}
		if (t->status == TEST_PASS && t->reason[0]) {
			xml_write_escaped(f, t->reason, false);
			fputc('\n', f);
		}
		fputs("</system-out>\n", f);
	}
	fputs("    </testcase>\n", f);
}

int report_write_junit(FILE *f, const struct results *r)
{
	struct counts c = results_count(r);
	char(*suites)[TAP_NAME_MAX] = NULL;
	size_t nsuites = 0;
	double total_time = 0;

	suites = xrealloc(NULL, (r->n ? r->n : 1) * sizeof(*suites));
	for (size_t i = 0; i < r->n; i++) {
		char s[TAP_NAME_MAX];
		size_t j;

		test_suite(r->tests[i].name, s, sizeof(s));
		for (j = 0; j < nsuites; j++)
			if (strcmp(suites[j], s) == 0)
				break;
		if (j == nsuites)
			memcpy(suites[nsuites++], s, sizeof(s));
		total_time += r->tests[i].time;
	}

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	/* failures: FAIL, XPASS; errors: ERROR (missing too); skipped: SKIP, XFAIL. */
	fprintf(f,
		"<testsuites name=\"gntlab\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		"skipped=\"%zu\" time=\"%.3f\">\n",
		c.total, c.fail + c.xpass, c.error, c.skip + c.xfail, total_time);
	for (size_t j = 0; j < nsuites; j++) {
		size_t tests = 0, failures = 0, errors = 0, skipped = 0;
		double time = 0;

		for (size_t i = 0; i < r->n; i++) {
			char s[TAP_NAME_MAX];

			test_suite(r->tests[i].name, s, sizeof(s));
			if (strcmp(s, suites[j]) != 0)
				continue;
			tests++;
			failures +=
				r->tests[i].status == TEST_FAIL || r->tests[i].status == TEST_XPASS;
			errors += r->tests[i].status == TEST_ERROR;
			skipped +=
				r->tests[i].status == TEST_SKIP || r->tests[i].status == TEST_XFAIL;
			time += r->tests[i].time;
		}
		fputs("  <testsuite name=\"", f);
		xml_write_escaped(f, suites[j], true);
		fprintf(f,
			"\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
			"time=\"%.3f\">\n",
			tests, failures, errors, skipped, time);
		for (size_t i = 0; i < r->n; i++) {
			char s[TAP_NAME_MAX];

			test_suite(r->tests[i].name, s, sizeof(s));
			if (strcmp(s, suites[j]) == 0)
				junit_write_case(f, &r->tests[i], suites[j]);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	free(suites);
	return ferror(f) ? -1 : 0;
}

/* ---- summary ---- */

static void summary_time(FILE *f, const char *label, double v)
{
	if (v < 0)
		fprintf(f, "  %-14s %8s\n", label, "n/a");
	else
		fprintf(f, "  %-14s %8.1f s\n", label, v);
}

enum summary_which { SUMMARY_FAILED, SUMMARY_XFAIL, SUMMARY_MISSING };

/* One "heading:" section of summary.txt, "  name: reason" per test; none if empty. */
static void summary_list(FILE *f, const struct results *r, const char *heading,
			 enum summary_which which)
{
	bool any = false;

	for (size_t i = 0; i < r->n; i++) {
		const struct test_case *t = &r->tests[i];
		bool in = which == SUMMARY_MISSING ? t->missing
			  : which == SUMMARY_XFAIL ? t->status == TEST_XFAIL
						   : test_status_fails(t->status) && !t->missing;

		if (!in)
			continue;
		if (!any)
			fprintf(f, "\n%s:\n", heading);
		any = true;
		fprintf(f, "  %s: ", t->name);
		if (t->status == TEST_ERROR && !t->missing)
			fputs("ERROR ", f);
		if (t->status == TEST_XPASS)
			fputs("XPASS ", f);
		if (t->status == TEST_XFAIL || t->status == TEST_XPASS)
			fprintf(f, "%s ", t->ref[0] ? t->ref : "-");
		write_line_text(f,
				t->missing && !strncmp(t->reason, "missing: ", 9) ? t->reason + 9
										  : t->reason,
				false);
		fputc('\n', f);
	}
}

int report_write_summary(FILE *f, const struct results *r)
{
	struct counts c = results_count(r);
	struct matrix_counts mk = matrix_count(&r->matrix);
	const struct phase_state *ps = &r->phase;
	double t0 = ps->at[MS_QEMU_START];
	double total = ps->seen[MS_QEMU_EXIT] ? ps->at[MS_QEMU_EXIT] - t0 : r->finished_at - t0;

	fprintf(f, "verdict: %s\n", results_passed(r) ? "PASS" : "FAIL");
	fprintf(f, "pass: %zu\nfail: %zu\nskip: %zu\nerror: %zu\nxfail: %zu\nxpass: %zu\n", c.pass,
		c.fail, c.skip, c.error, c.xfail, c.xpass);
	fprintf(f, "total: %zu\n", c.total);
	if (r->expected)
		fprintf(f, "expected: %zu (list: %s)\nmissing: %zu\n", r->expected, r->expect_path,
			c.missing);
	fprintf(f, "accel: %s\n", r->accel);
	if (r->accel_note[0])
		fprintf(f, "accel-note: %s\n", r->accel_note);
	if (r->xen_cmdline[0])
		fprintf(f, "xen-cmdline: %s\n", r->xen_cmdline);
	if (r->dom0_cmdline[0])
		fprintf(f, "dom0-cmdline: %s\n", r->dom0_cmdline);
	if (r->guest_boot[0])
		fprintf(f, "guest-boot: %s\n", r->guest_boot);
	fprintf(f, "end: %s\n",
		r->end_seen ? (r->end_status[0] ? r->end_status : "(seen)") : "not seen");
	/* gntlab-runner --host (hostmode.h): the conductor is what ran instead of QEMU. */
	const char *proc = strcmp(r->accel, "host") == 0 ? "conductor" : "qemu";

	if (r->qemu_exited) {
		if (WIFEXITED(r->qemu_wstatus))
			fprintf(f, "%s: exited with status %d%s\n", proc,
				WEXITSTATUS(r->qemu_wstatus),
				r->qemu_stopped ? " (stopped by runner)" : "");
		else if (WIFSIGNALED(r->qemu_wstatus))
			fprintf(f, "%s: killed by signal %d%s\n", proc, WTERMSIG(r->qemu_wstatus),
				r->qemu_stopped ? " (stopped by runner)" : "");
	} else {
		fprintf(f, "%s: not run\n", proc);
	}
	if (r->crashed)
		fputs("crashed: yes\n", f);
	if (r->timed_out)
		fputs("timed-out: yes\n", f);
	if (r->interrupted)
		fputs("interrupted: yes\n", f);
	if (r->matrix.n || r->matrix.dropped)
		fprintf(f, "matrix: %zu matched, %zu mismatched, %zu missing (matrix.md)\n",
			mk.matched, mk.mismatched, mk.missing);
	else
		fputs("matrix: no cells reported\n", f);

	if (strcmp(proc, "qemu") == 0)
		fputs("\nmilestones (seconds since QEMU start):\n", f);
	else
		fputs("\nmilestones (seconds since the conductor's start; host mode, no boot):\n", f);
	for (int ms = 0; ms < MS_COUNT; ms++)
		summary_time(f, milestone_name(ms), ps->seen[ms] ? ps->at[ms] - t0 : -1);

	fputs("\nphases:\n", f);
	summary_time(f, "xen-boot", phase_span(ps, MS_QEMU_START, MS_LINUX));
	summary_time(f, "dom0-ready", phase_span(ps, MS_LINUX, MS_DOM0_READY));
	summary_time(f, "guest-ready", phase_span(ps, MS_DOM0_READY, MS_GUEST_READY));
	summary_time(f, "tests", phase_span(ps, MS_TESTS, MS_TESTS_DONE));
	summary_time(f, "total", total);
	fputs("  (xen-boot: QEMU start -> dom0 kernel; dom0-ready: dom0 kernel -> dom0-ready;\n"
	      "   guest-ready: dom0-ready -> guest-ready; tests: tests -> tests-done)\n",
	      f);

	/* FAIL, ERROR, XPASS: what failed the run; then the known bugs; then the gaps. */
	summary_list(f, r, "failures", SUMMARY_FAILED);
	summary_list(f, r, "xfail (known bugs, by reference)", SUMMARY_XFAIL);
	summary_list(f, r, "missing (selected, never reported)", SUMMARY_MISSING);
	/* The tests report these as failures too; listed here to be seen together. */
	if (mk.mismatched) {
		fputs("\nmatrix mismatches:\n", f);
		for (size_t i = 0; i < r->matrix.n; i++) {
			const struct matrix_cell *mc = &r->matrix.cells[i];

			if (matrix_cell_matches(mc))
				continue;
			fputs("  ", f);
			write_line_text(f, r->matrix.rows[mc->row], false);
			fputs(" / ", f);
			write_line_text(f, r->matrix.cols[mc->col], false);
			fputs(": observed ", f);
			write_line_text(f, mc->observed, false);
			fputs(", expected ", f);
			write_line_text(f, mc->expected, false);
			fputc('\n', f);
		}
	}
	return ferror(f) ? -1 : 0;
}

int report_write_matrix_md(FILE *f, const struct results *r)
{
	return matrix_write_markdown(f, &r->matrix);
}

int report_write_matrix_html(FILE *f, const struct results *r)
{
	return matrix_write_html(f, &r->matrix);
}

static int write_matrix_tsv(FILE *f, const struct results *r)
{
	return matrix_write_tsv(f, &r->matrix);
}

static int write_atomic(const char *dir, const char *name,
			int (*writer)(FILE *, const struct results *), const struct results *r)
{
	char path[4096], tmp[4200];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "gntlab-runner: cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	rc = writer(f, r);
	if (fclose(f) != 0 || rc != 0) {
		fprintf(stderr, "gntlab-runner: error writing %s\n", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "gntlab-runner: cannot rename %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

int report_write_dir(const char *dir, const struct results *r)
{
	int rc = 0;

	rc |= write_atomic(dir, "results.tap", report_write_tap, r);
	rc |= write_atomic(dir, "junit.xml", report_write_junit, r);
	rc |= write_atomic(dir, "summary.txt", report_write_summary, r);
	rc |= write_atomic(dir, "matrix.md", report_write_matrix_md, r);
	rc |= write_atomic(dir, "matrix.html", report_write_matrix_html, r);
	rc |= write_atomic(dir, "matrix.tsv", write_matrix_tsv, r);
	return rc ? -1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
#include "session.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

/* How much of a serial line a failure message quotes. */
#define QUOTE_MAX 300

static double rel(const struct session *s, double t)
{
	return t - s->res->phase.at[MS_QEMU_START];
}

static void say(struct session *s, double t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct session *s, double t, const char *fmt, ...)
{
	va_list ap;

	if (!s->opts.progress)
		return;
	fprintf(s->opts.progress, "[%6.1fs] ", rel(s, t));
	va_start(ap, fmt);
	vfprintf(s->opts.progress, fmt, ap);
	va_end(ap);
	fputc('\n', s->opts.progress);
	fflush(s->opts.progress);
}

static void on_report(const struct crash_report *r, void *arg);

void session_init(struct session *s, struct results *res, const struct session_opts *opts,
		  double t0)
{
	memset(s, 0, sizeof(*s));
	s->res = res;
	s->opts = *opts;
	excerpt_init(&s->pending, EXCERPT_MAX);
	excerpt_init(&s->recent, SESSION_RECENT);
	phase_init(&res->phase, t0);
	s->last_mark_at = t0;
	crash_scan_init(&s->scan, CRASH_CONSOLE, on_report, s);
}

void session_free(struct session *s)
{
	for (size_t i = 0; i < s->nlogs; i++)
		if (s->logs[i].f)
			fclose(s->logs[i].f);
	s->nlogs = 0;
	excerpt_clear(&s->pending);
	excerpt_clear(&s->recent);
}

static const char *last_line(const struct session *s)
{
	return s->recent.n ? s->recent.lines[s->recent.n - 1] : "";
}

/* Record a runner-made failure with the pending diagnostics as its log. */
static struct test_case *add_failure(struct session *s, const char *name, const char *msg, double t)
{
	struct test_case *tc;

	tc = results_add(s->res, name, TEST_FAIL, msg, rel(s, t), t - s->last_mark_at, true);
	excerpt_move(&tc->log, &s->pending);
	say(s, t, "not ok %zu %s # %s", s->res->n, name, msg);
	return tc;
}

static void add_context(struct session *s, struct test_case *tc)
{
	char hdr[64];

	snprintf(hdr, sizeof(hdr), "--- last %zu serial lines (up to line %lu) ---", s->recent.n,
		 s->lineno);
	excerpt_add(&tc->log, hdr, strlen(hdr));
	for (size_t i = 0; i < s->recent.n; i++)
		excerpt_add(&tc->log, s->recent.lines[i], strlen(s->recent.lines[i]));
}

static void domain_log(struct session *s, const char *dom, size_t dlen, const char *text,
		       size_t tlen)
{
	char name[72], path[4200];
	struct domain_log *dl = NULL;
	FILE *f;

	if (!s->opts.logdir)
		return;
	serial_sanitize_domain(dom, dlen, name, sizeof(name));
	for (size_t i = 0; i < s->nlogs; i++)
		if (strcmp(s->logs[i].name, name) == 0)
			dl = &s->logs[i];
	if (dl) {
		f = dl->f;
	} else {
		snprintf(path, sizeof(path), "%s/%s.log", s->opts.logdir, name);
		f = fopen(path, "a");
		if (!f) {
			if (s->opts.progress)
				fprintf(s->opts.progress, "gntlab-runner: cannot open %s: %s\n",
					path, strerror(errno));
			return;
		}
		if (s->nlogs < SESSION_LOG_FILES) {
			dl = &s->logs[s->nlogs++];
			snprintf(dl->name, sizeof(dl->name), "%s", name);
			dl->f = f;
		}
	}
	fwrite(text, 1, tlen, f);
	fputc('\n', f);
	/* `make demo` narrates to the person watching, as it happens. */
	if (strcmp(name, "demo") == 0 && s->opts.progress) {
		fprintf(s->opts.progress, "  %.*s\n", (int)tlen, text);
		fflush(s->opts.progress);
	}
	if (dl)
		fflush(f);
	else
		fclose(f);
}

static void on_crash(struct session *s, const char *pattern, const char *line,
		     unsigned long lineno, double t)
{
	char name[96], msg[QUOTE_MAX + 160];
	struct test_case *tc;

	s->res->crashed = true;
	s->crashing = true;
	s->crash_at = t;
	snprintf(name, sizeof(name), "crash/%s", phase_in_progress(&s->res->phase));
	snprintf(msg, sizeof(msg), "'%s' at serial.log line %lu: %.*s", pattern, lineno,
		 QUOTE_MAX, line);
	tc = add_failure(s, name, msg, t);
	excerpt_add(&tc->log, line, strlen(line));
	/* Decided at the report's end: the report is in the last lines. */
	if (lineno != s->lineno)
		add_context(s, tc);
	s->crash_idx = s->res->n - 1;
}

/*
 * A known kernel report on the console (tests/crash_patterns.c's
 * known_reports[]): not a crash of the run but an XFAIL with its reference,
 * crash/<phase> (crash/<phase>-N for a second one); the run goes on.
 */
static void on_known(struct session *s, const struct crash_report *r, unsigned long lineno)
{
	char name[96], msg[QUOTE_MAX + 400];
	const char *phase = phase_in_progress(&s->res->phase);
	struct test_case *tc;
	unsigned int n = 1;

	if (r->repeat) {
		say(s, s->now, "serial.log line %lu: known kernel report %s again (%s)", lineno,
		    r->known->id, r->known->ref);
		return;
	}
	for (size_t i = 0; i < s->res->n; i++)
		if (!strncmp(s->res->tests[i].name, "crash/", 6) &&
		    !strncmp(s->res->tests[i].name + 6, phase, strlen(phase)))
			n++;
	if (n == 1)
		snprintf(name, sizeof(name), "crash/%s", phase);
	else
		snprintf(name, sizeof(name), "crash/%s-%u", phase, n);
	snprintf(msg, sizeof(msg), "known kernel report %s at serial.log line %lu: %s", r->known->id,
		 lineno, r->known->title);
	tc = results_add(s->res, name, TEST_XFAIL, msg, rel(s, s->now), s->now - s->last_mark_at,
			 true);
	test_case_set_ref(tc, r->known->ref);
	add_context(s, tc);
	say(s, s->now, "not ok %zu %s # TODO %s %s", s->res->n, name, r->known->ref, msg);
}

static void on_report(const struct crash_report *r, void *arg)
{
	struct session *s = arg;
	/* A report read to its end was decided after its first line. */
	unsigned long lineno = r->line == s->scan.head ? s->report_lineno : s->lineno;

	if (r->kind == CRASH_KNOWN)
		on_known(s, r, lineno);
	else if (!s->crashing)
		on_crash(s, r->pattern->text, r->line, lineno, s->now);
}

static void on_phase(struct session *s, const struct marker *m, double t)
{
	int ms = milestone_from_phase(m->payload, m->payload_len);
	char what[PHASE_WHAT_MAX];
	int len = (int)(m->payload_len > 100 ? 100 : m->payload_len);

	s->last_mark_at = t;
	if (ms < 0) {
		snprintf(what, sizeof(what), "GNTLAB-PHASE %.*s", len, m->payload);
		phase_progress(&s->res->phase, t, what);
		say(s, t, "phase %.*s (not a known phase)", len, m->payload);
		return;
	}
	if (ms < (int)s->res->phase.last)
		say(s, t, "phase %.*s (out of order, after %s)", len, m->payload,
		    milestone_name(s->res->phase.last));
	else if (!phase_reach(&s->res->phase, ms, t))
		say(s, t, "phase %.*s (again)", len, m->payload);
	else
		say(s, t, "phase %.*s", len, m->payload);
}

static void on_tap(struct session *s, const struct marker *m, const char *line, double t)
{
	struct tap_line tap;
	struct test_case *tc;
	char what[PHASE_WHAT_MAX];

	if (!serial_parse_tap(m->payload, m->payload_len, &tap)) {
		char msg[QUOTE_MAX + 80];

		snprintf(msg, sizeof(msg), "malformed GNTLAB-TAP at serial.log line %lu: %.*s",
			 s->lineno, QUOTE_MAX, line);
		add_failure(s, "protocol/malformed-tap", msg, t);
		s->last_mark_at = t;
		return;
	}
	tc = results_add(s->res, tap.name, tap.status, tap.reason, rel(s, t), t - s->last_mark_at,
			 false);
	excerpt_move(&tc->log, &s->pending);
	s->last_mark_at = t;
	snprintf(what, sizeof(what), "test result %s", tap.name);
	phase_progress(&s->res->phase, t, what);
	test_case_set_ref(tc, tap.ref);
	switch (tap.status) {
	case TEST_PASS:
		say(s, t, "ok %zu %s", s->res->n, tap.name);
		break;
	case TEST_SKIP:
		say(s, t, "ok %zu %s # SKIP %s", s->res->n, tap.name, tap.reason);
		break;
	case TEST_FAIL:
		say(s, t, "not ok %zu %s%s%s", s->res->n, tap.name, tap.reason[0] ? " # " : "",
		    tap.reason);
		break;
	case TEST_ERROR:
		say(s, t, "not ok %zu %s # ERROR %s", s->res->n, tap.name, tap.reason);
		break;
	case TEST_XFAIL:
		say(s, t, "not ok %zu %s # TODO %s %s", s->res->n, tap.name, tap.ref, tap.reason);
		break;
	case TEST_XPASS:
		say(s, t, "not ok %zu %s # XPASS %s %s", s->res->n, tap.name, tap.ref, tap.reason);
		break;
	}
}

/*
 * A matrix cell. A malformed line is a protocol failure like a malformed TAP
 * line: a cell misread (an outcome with a space in it) would be a wrong
 * report, and silence would hide that dom0's reporter is broken.
 */
static void on_matrix(struct session *s, const struct marker *m, const char *line, double t)
{
	struct matrix_line ml;

	if (!serial_parse_matrix(m->payload, m->payload_len, &ml)) {
		char msg[QUOTE_MAX + 120];

		snprintf(msg, sizeof(msg),
			 "malformed GNTLAB-MATRIX (want 4 words: row col expected observed) at "
			 "serial.log line %lu: %.*s",
			 s->lineno, QUOTE_MAX, line);
		add_failure(s, "protocol/malformed-matrix", msg, t);
		return;
	}
	switch (matrix_add(&s->res->matrix, &ml)) {
	case MATRIX_DROPPED:
		say(s, t, "matrix %s/%s: not kept (more than %d rows or columns)", ml.row, ml.col,
		    MATRIX_AXIS_MAX);
		break;
	case MATRIX_NEW:
	case MATRIX_REPEATED:
		if (strcmp(ml.observed, ml.expected) != 0)
			say(s, t, "matrix %s/%s: %s, expected %s", ml.row, ml.col, ml.observed,
			    ml.expected);
		break;
	}
}

static void on_marker(struct session *s, const struct marker *m, const char *line, double t)
{
	const char *dom, *text;
	size_t dlen, tlen;

	s->dom0_spoke = true;
	switch (m->kind) {
	case MARK_PHASE:
		on_phase(s, m, t);
		break;
	case MARK_DIAG:
		excerpt_add(&s->pending, m->payload, m->payload_len);
		break;
	case MARK_TAP:
		on_tap(s, m, line, t);
		break;
	case MARK_LOG:
		if (serial_split_log(m->payload, m->payload_len, &dom, &dlen, &text, &tlen))
			domain_log(s, dom, dlen, text, tlen);
		break;
	case MARK_MATRIX:
		on_matrix(s, m, line, t);
		break;
	case MARK_END:
		if (!s->res->end_seen) {
			s->res->end_seen = true;
			snprintf(s->res->end_status, sizeof(s->res->end_status), "%.*s",
				 (int)m->payload_len, m->payload);
			phase_reach(&s->res->phase, MS_END, t);
			say(s, t, "end %s", s->res->end_status);
		}
		break;
	case MARK_NONE:
		break;
	}
}

void session_line(struct session *s, const char *line, size_t len, double t)
{
	struct marker m;
	bool has_marker;

	s->lineno++;
	if (s->opts.serial) {
		fwrite(line, 1, len, s->opts.serial);
		fputc('\n', s->opts.serial);
	}
	if (s->opts.verbose && s->opts.progress) {
		fprintf(s->opts.progress, "  | %s\n", line);
		fflush(s->opts.progress);
	}
	excerpt_add(&s->recent, line, len);
	/* What follows a crash is its best explanation: keep it with the crash. */
	if (s->crashing)
		excerpt_add(&s->res->tests[s->crash_idx].log, line, len);

	if (s->opts.watch_kvm && !s->dom0_spoke && !s->kvm_failed && serial_is_kvm_error(line)) {
		s->kvm_failed = true;
		snprintf(s->kvm_reason, sizeof(s->kvm_reason),
			 "KVM failed at serial.log line %lu: %.*s", s->lineno, 160, line);
		say(s, t, "%s", s->kvm_reason);
	}

	/*
	 * A test verdict or diagnostic that quotes a kernel log line (an
	 * after-test check saw a WARN) is already a failure of its own; only
	 * raw console output and relayed logs count as crashes, which stop the
	 * run. Otherwise the run would be cut before dom0 relays the guest's
	 * console, the best explanation of the WARN.
	 */
	has_marker = serial_find_marker(line, &m);
	if (!(has_marker && (m.kind == MARK_TAP || m.kind == MARK_DIAG))) {
		bool was_open = s->scan.open;

		s->now = t;
		crash_scan_line(&s->scan, line, len);
		if (s->scan.open && !was_open)
			s->report_lineno = s->lineno;
	}

	if (!s->res->phase.seen[MS_XEN] && serial_is_xen_start(line)) {
		phase_reach(&s->res->phase, MS_XEN, t);
		say(s, t, "xen started");
	}
	if (!s->res->phase.seen[MS_LINUX] && serial_is_linux_start(line)) {
		phase_reach(&s->res->phase, MS_LINUX, t);
		say(s, t, "dom0 kernel started");
	}
	if (has_marker)
		on_marker(s, &m, line, t);
}

void session_timeout(struct session *s, enum timeout_kind kind, const struct timeouts *to,
		     double now)
{
	char msg[1024], name[96];
	struct test_case *tc;
	size_t n;

	phase_timeout_message(&s->res->phase, to, kind, now, msg, sizeof(msg));
	if (kind == TIMEOUT_AFTER_END) {
		say(s, now, "%s", msg);
		return;
	}
	s->res->timed_out = true;
	n = strlen(msg);
	snprintf(msg + n, sizeof(msg) - n, "; last serial line %lu: %.*s", s->lineno, QUOTE_MAX,
		 last_line(s));
	snprintf(name, sizeof(name), "timeout/%s",
		 milestone_name(phase_waiting_for(&s->res->phase)));
	tc = add_failure(s, name, msg, now);
	add_context(s, tc);
}

void session_interrupted(struct session *s, int sig, double now)
{
	char msg[512];
	struct test_case *tc;

	s->res->interrupted = true;
	snprintf(msg, sizeof(msg),
		 "runner interrupted by signal %d (%s) in phase %s, waiting for '%s'; "
		 "last serial line %lu",
		 sig, strsignal(sig), phase_in_progress(&s->res->phase),
		 milestone_what(phase_waiting_for(&s->res->phase)), s->lineno);
	tc = add_failure(s, "runner/interrupted", msg, now);
	add_context(s, tc);
}

void session_qemu_exit(struct session *s, int wstatus, bool stopped, double t)
{
	struct results *r = s->res;
	char how[64], msg[1024];
	struct test_case *tc;

	r->qemu_exited = true;
	r->qemu_wstatus = wstatus;
	r->qemu_stopped = stopped;
	phase_reach(&r->phase, MS_QEMU_EXIT, t);
	if (WIFEXITED(wstatus))
		snprintf(how, sizeof(how), "status %d", WEXITSTATUS(wstatus));
	else if (WIFSIGNALED(wstatus))
		snprintf(how, sizeof(how), "signal %d", WTERMSIG(wstatus));
	else
		snprintf(how, sizeof(how), "wait status %#x", (unsigned)wstatus);
	say(s, t, "qemu exited (%s%s)", how, stopped ? ", stopped by runner" : "");

	/* A crash, timeout, interrupt or KVM failure already says why the end did
	 * not come. */
	if (r->end_seen || r->crashed || r->timed_out || r->interrupted || s->kvm_failed)
		return;
	snprintf(msg, sizeof(msg),
		 "QEMU exited (%s) before GNTLAB-END; last phase: %s, waiting for '%s'; "
		 "last serial line %lu: %.*s",
		 how, phase_in_progress(&r->phase), milestone_what(phase_waiting_for(&r->phase)),
		 s->lineno, QUOTE_MAX, last_line(s));
	tc = add_failure(s, "boot/ended-early", msg, t);
	add_context(s, tc);
}

bool session_end_status_ok(const char *status)
{
	static const char *const good[] = {"ok", "pass", "passed", "success", "done", "0"};
	size_t len = 0;

	while (status[len] && !isspace((unsigned char)status[len]))
		len++;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (strlen(good[i]) == len && strncasecmp(status, good[i], len) == 0)
			return true;
	return false;
}

void session_finish(struct session *s, double now)
{
	struct results *r = s->res;
	struct counts c;
	char msg[256];

	r->finished_at = now;
	/* A report the console ended inside: decided on what it had. */
	s->now = now;
	crash_scan_end(&s->scan);
	c = results_count(r);
	if (r->end_seen && !session_end_status_ok(r->end_status) && !results_has_failure(r)) {
		snprintf(msg, sizeof(msg), "dom0 ended with status '%.200s'", r->end_status);
		add_failure(s, "end/status", msg, now);
	}
	c = results_count(r);
	if (c.reported == 0 && !results_has_failure(r))
		add_failure(s, "tests/none-reported", "no test results were reported", now);
	excerpt_move(&r->trailing, &s->pending);
	for (size_t i = 0; i < s->nlogs; i++)
		if (s->logs[i].f)
			fclose(s->logs[i].f);
	s->nlogs = 0;
	if (s->opts.serial)
		fflush(s->opts.serial);
}

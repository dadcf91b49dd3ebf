// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the harness selftest program and holds it to the exact TAP it must
 * print: plan, every verdict and reason, every log line, totals, exit status,
 * what the reporter saw, --list, --filter/TH_FILTER and usage errors.
 * A failure here means the harness changed behaviour (or selftest.c changed
 * without this table). Usage: harness-selftest-check path/to/harness-selftest
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_LOG 4

/* One test of selftest.c, in definition order: its TAP line and log lines. */
static const struct expect {
	const char *name;
	const char *verdict; /* PASS FAIL SKIP ERROR XFAIL XPASS */
	const char *ref;     /* XFAIL/XPASS */
	const char *secs;    /* fnmatch pattern for the reported duration, NULL: any */
	const char *reason;  /* fnmatch pattern for the reason */
	const char *log[MAX_LOG];
} tests[] = {
#define T(name, v, ref, secs, reason, ...)                                                         \
	{                                                                                          \
		name, #v, ref, secs, reason,                                                       \
		{                                                                                  \
			__VA_ARGS__                                                                \
		}                                                                                  \
	}
	T("basic/pass", PASS, NULL, NULL, ""),
	T("basic/assert_stops", FAIL, NULL, NULL,
	  "selftest.c:*: ASSERT_EQ(x, 3) failed: x = 2 (0x2), 3 = 3 (0x3)",
	  "selftest.c:*: ASSERT_EQ(x, 3) failed: x = 2 (0x2), 3 = 3 (0x3)"),
	T("basic/assert_in_helper", FAIL, NULL, NULL,
	  "selftest.c:*: ASSERT_LT(i, 2) failed: i = 2 (0x2), 2 = 2 (0x2): page 2",
	  "selftest.c:*: ASSERT_LT(i, 2) failed: i = 2 (0x2), 2 = 2 (0x2): page 2"),
	T("basic/expect_continues", FAIL, NULL, NULL,
	  "selftest.c:*: EXPECT_EQ(1, 2) failed: 1 = 1 (0x1), 2 = 2 (0x2)",
	  "selftest.c:*: EXPECT_EQ(1, 2) failed: 1 = 1 (0x1), 2 = 2 (0x2)",
	  "selftest.c:*: EXPECT_STREQ(\"a\", *) failed: \"a\" = \"a\", * = NULL", "still running",
	  "second line"),
	T("basic/skip", SKIP, NULL, NULL, "no gntdev here"),
	T("basic/skip_after_expect", FAIL, NULL, NULL,
	  "selftest.c:*: EXPECT_TRUE(0) failed: 0 is false",
	  "selftest.c:*: EXPECT_TRUE(0) failed: 0 is false"),
	T("basic/exit_without_verdict", FAIL, NULL, NULL, "exited with status 0 without a verdict"),
	T("basic/assert_in_forked_child", FAIL, NULL, NULL,
	  "selftest.c:*: ASSERT_EQ(getpid(), 0) failed: getpid() = * (0x*), 0 = 0 (0x0): in the "
	  "forked child",
	  "selftest.c:*: ASSERT_EQ(getpid(), 0) failed: *: in the forked child", "parent went on"),
	T("timeout/default", FAIL, NULL, "1.[0-4]", "timed out after 1 s", "sleeping"),
	T("timeout/declared", FAIL, NULL, "2.[0-4]", "timed out after 2 s"),
	T("crash/segv", FAIL, NULL, NULL, "killed by SIGSEGV"),
	T("crash/expected_segv", PASS, NULL, NULL, "", "about to fault"),
	T("crash/expected_abort_missing", FAIL, NULL, NULL,
	  "expected SIGABRT, but the test returned"),
	T("crash/abort", FAIL, NULL, NULL, "killed by SIGABRT"),
	T("fixture/pass", PASS, NULL, NULL, "", "teardown refs=2"),
	T("fixture/assert_then_teardown", FAIL, NULL, NULL,
	  "selftest.c:*: ASSERT_EQ(self->refs, 4) failed: self->refs = 3 (0x3), 4 = 4 (0x4)",
	  "selftest.c:*: ASSERT_EQ(self->refs, 4) failed: *", "teardown refs=3"),
	T("fixture/skip_then_teardown", SKIP, NULL, NULL, "fixture skip", "teardown refs=6"),
	T("hooks/leak", FAIL, NULL, NULL, "after-test check: 1 grant still mapped"),
	T("hooks/leak_after_failure", FAIL, NULL, NULL,
	  "selftest.c:*: EXPECT_EQ(0, 1) failed: 0 = 0 (0x0), 1 = 1 (0x1); after-test check: 1 "
	  "grant still mapped",
	  "selftest.c:*: EXPECT_EQ(0, 1) failed: *"),
	T("verdict/error", ERROR, NULL, NULL, "dom0 unreachable: 110"),
	T("verdict/error_hook", ERROR, NULL, NULL, "xenstore read /local/domain/0: timed out"),
	T("verdict/fail_then_error", FAIL, NULL, NULL,
	  "selftest.c:*: EXPECT_EQ(1, 2) failed: 1 = 1 (0x1), 2 = 2 (0x2)",
	  "selftest.c:*: EXPECT_EQ(1, 2) failed: *"),
	T("verdict/xfail", XFAIL, "XSA-999", NULL,
	  "unmap races; selftest.c:*: ASSERT_EQ(1, 2) failed: 1 = 1 (0x1), 2 = 2 (0x2)",
	  "selftest.c:*: ASSERT_EQ(1, 2) failed: *"),
	T("verdict/xfail_crash", XFAIL, "https://example.org/bug/7", NULL,
	  "faults on purpose; killed by SIGSEGV"),
	T("verdict/xpass", XPASS, "commit:abc123", NULL, "should have failed"),
	T("verdict/xfail_not_taken", PASS, NULL, NULL, ""),
	T("verdict/xfail_skip", SKIP, NULL, NULL, "no backend"),
	T("verdict/xfail_error", ERROR, NULL, NULL, "xenstore gone"),
	T("hooks/leak_after_error", ERROR, NULL, NULL,
	  "dom0 gone; after-test check: 1 grant still mapped"),
	T("hooks/leak_xfail", XFAIL, "bug-1", NULL,
	  "leaks a grant; after-test check: 1 grant still mapped"),
	T("known/pass", XFAIL, "KR-1", NULL, "after-test check: a known kernel report"),
	T("known/fail", FAIL, NULL, NULL,
	  "selftest.c:*: EXPECT_EQ(1, 2) failed: 1 = 1 (0x1), 2 = 2 (0x2); after-test check: a "
	  "known kernel report",
	  "selftest.c:*: EXPECT_EQ(1, 2) failed: *"),
	T("known/skip", XFAIL, "KR-1", NULL,
	  "skipped: no backend; after-test check: a known kernel report"),
	T("known/xpass", XPASS, "bug-2", NULL,
	  "should have failed; after-test check: a known kernel report"),
	T("setup/good_runs", PASS, NULL, NULL, "", "teardown good"),
	T("setup/assert_runs", ERROR, NULL, NULL,
	  "setup: selftest.c:*: ASSERT_NE(variant->broken, 1) failed: variant->broken = 1 (0x1), "
	  "1 = 1 (0x1)"),
	T("setup/error_runs", ERROR, NULL, NULL, "setup: no error backend"),
	T("setup/good_logs", PASS, NULL, NULL, "", "body good", "teardown good"),
	T("setup/assert_logs", ERROR, NULL, NULL, "setup: selftest.c:*: ASSERT_NE(*) failed: *"),
	T("setup/error_logs", ERROR, NULL, NULL, "setup: no error backend"),
#undef T
};
#define NTESTS (sizeof(tests) / sizeof(tests[0]))

static const char *prog;
static char tmpdir[] = "/tmp/harness-check.XXXXXX";
static int checks, failures;

struct run {
	int status; /* exit status, or -1 */
	char *out, *err;
	char **lines; /* stdout split into lines */
	size_t nlines;
};

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "selftest_check: FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	failures++;
}

static bool check(bool ok, const char *what, const char *want, const char *got)
{
	checks++;
	if (!ok)
		fail("%s: expected '%s', got '%s'", what, want, got ? got : "(nothing)");
	return ok;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t len = 0;

	if (!f || getdelim(&s, &len, '\0', f) < 0) {
		free(s);
		s = strdup("");
	}
	if (f)
		fclose(f);
	return s;
}

/* Run the selftest with args and optional env (NAME=VALUE, or NAME to unset). */
static void run(struct run *r, const char *const *args, const char *const *env)
{
	char out[128], err[128];
	const char *argv[16] = {prog};
	double deadline;
	struct timespec ts;
	pid_t pid;
	int status;

	for (size_t i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	snprintf(err, sizeof(err), "%s/err", tmpdir);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(127);
		unsetenv("TH_FILTER");
		for (size_t i = 0; env && env[i]; i++) {
			if (strchr(env[i], '='))
				putenv((char *)env[i]);
			else
				unsetenv(env[i]);
		}
		execv(prog, (char **)argv);
		_exit(127);
	}
	/* A harness that stops honouring timeouts must not hang the check. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = (double)ts.tv_sec + 60;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if ((double)ts.tv_sec > deadline) {
			fail("%s did not finish within 60 s", prog);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(10000);
	}
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->out = slurp(out);
	r->err = slurp(err);
	r->lines = NULL;
	r->nlines = 0;
	for (char *p = r->out, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		r->lines = realloc(r->lines, (r->nlines + 1) * sizeof(*r->lines));
		if (!r->lines)
			exit(2);
		r->lines[r->nlines++] = p;
	}
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	free(r->lines);
}

static const char *line(const struct run *r, size_t i)
{
	return i < r->nlines ? r->lines[i] : NULL;
}

static void check_line(const struct run *r, size_t i, const char *pattern, const char *what)
{
	const char *got = line(r, i);

	check(got && !fnmatch(pattern, got, 0), what, pattern, got);
}

static void check_status(const struct run *r, int want, const char *what)
{
	char w[16], g[16];

	snprintf(w, sizeof(w), "%d", want);
	snprintf(g, sizeof(g), "%d", r->status);
	check(r->status == want, what, w, g);
}

static const char *const verdicts[] = {"PASS", "FAIL", "SKIP", "ERROR", "XFAIL", "XPASS"};
#define NVERDICTS (sizeof(verdicts) / sizeof(verdicts[0]))

static size_t verdict_index(const char *v)
{
	for (size_t i = 0; i < NVERDICTS; i++)
		if (!strcmp(verdicts[i], v))
			return i;
	return 0;
}

/* The TAP line a test must get after "N - name": " # SKIP why" and so on. */
static void tap_pattern(char *buf, size_t len, const struct expect *e, size_t k)
{
	static const char *const dir[] = {"", "", " # SKIP ", " # ERROR ", " # TODO ", " # XPASS "};
	size_t v = verdict_index(e->verdict);

	snprintf(buf, len, "%s %zu - %s%s%s%s%s", v == 0 || v == 2 ? "ok" : "not ok", k, e->name,
		 v == 1 ? " # " : dir[v], e->ref ? e->ref : "", e->ref ? " " : "", e->reason);
}

/*
 * The TAP of a run of the tests selected by sel[] (indexes into tests[]):
 * plan, per test its log lines then its verdict line, totals, nothing else.
 */
static void check_tap(const struct run *r, const size_t *sel, size_t n, const char *what)
{
	unsigned int count[NVERDICTS] = {0};
	char pat[512], desc[256];
	size_t i = 2;

	check_line(r, 0, "TAP version 13", what);
	snprintf(pat, sizeof(pat), "1..%zu", n);
	check_line(r, 1, pat, what);
	for (size_t k = 0; k < n; k++) {
		const struct expect *e = &tests[sel[k]];

		for (size_t l = 0; l < MAX_LOG && e->log[l]; l++, i++) {
			snprintf(pat, sizeof(pat), "# %s", e->log[l]);
			snprintf(desc, sizeof(desc), "%s: %s log line %zu", what, e->name, l + 1);
			check_line(r, i, pat, desc);
		}
		tap_pattern(pat, sizeof(pat), e, k + 1);
		snprintf(desc, sizeof(desc), "%s: %s verdict", what, e->name);
		check_line(r, i++, pat, desc);
		count[verdict_index(e->verdict)]++;
	}
	snprintf(pat, sizeof(pat), "# totals: pass %u fail %u skip %u error %u xfail %u xpass %u",
		 count[0], count[1], count[2], count[3], count[4], count[5]);
	check_line(r, i++, pat, what);
	snprintf(desc, sizeof(desc), "%s: stdout ends after totals", what);
	check(r->nlines == i, desc, "no more lines", line(r, i));
}

/* The reporter runs after the after-each hook: it sees the final verdict. */
static void check_reports(const struct run *r)
{
	char *save = NULL, *copy = strdup(r->err), *l = strtok_r(copy, "\n", &save);

	for (size_t k = 0; k < NTESTS; k++) {
		const struct expect *e = &tests[k];
		char pat[512];
		int nlog = 0;

		while (l && strncmp(l, "report ", 7))
			l = strtok_r(NULL, "\n", &save);
		while (nlog < MAX_LOG && e->log[nlog])
			nlog++;
		snprintf(pat, sizeof(pat), "report %s %s ref=%s log=%d s=%s reason=%s", e->name,
			 e->verdict, e->ref ? e->ref : "", nlog, e->secs ? e->secs : "*",
			 e->reason);
		check(l && !fnmatch(pat, l, 0), "reporter", pat, l);
		if (l)
			l = strtok_r(NULL, "\n", &save);
	}
	free(copy);
}

/* The sleeper forked by timeout/default must have died with its group. */
static void check_pidfile(const char *path)
{
	char *s = slurp(path), stat[64], *st;
	int pid = atoi(s);

	free(s);
	if (!check(pid > 0, "timeout/default pid file", "a pid", "none"))
		return;
	snprintf(stat, sizeof(stat), "/proc/%d/stat", pid);
	for (int tries = 0; tries < 100; tries++) {
		s = slurp(stat);
		st = strrchr(s, ')');
		if (!*s || (st && st[1] == ' ' && st[2] == 'Z')) {
			free(s);
			checks++;
			return;
		}
		free(s);
		usleep(10000);
	}
	fail("process %d forked by timeout/default outlived the test", pid);
}

static void check_exact(const struct run *r, size_t i, const char *want, const char *what)
{
	const char *got = line(r, i);

	check(got && !strcmp(want, got), what, want, got);
}

/* Fills sel with the indexes in tests[] of the NULL-terminated names. */
static size_t select_names(size_t *sel, ...)
{
	const char *name;
	size_t n = 0;
	va_list ap;

	va_start(ap, sel);
	while ((name = va_arg(ap, const char *))) {
		size_t k = 0;

		while (k < NTESTS && strcmp(tests[k].name, name))
			k++;
		if (k == NTESTS) {
			fail("selftest_check: no test %s in the table", name);
			k = 0;
		}
		sel[n++] = k;
	}
	va_end(ap);
	return n;
}

int main(int argc, char **argv)
{
	size_t all[NTESTS], sel[NTESTS], n;
	char pidfile[128], pidenv[160];
	struct run r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s path/to/harness-selftest\n", argv[0]);
		return 2;
	}
	prog = argv[1];
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	for (size_t i = 0; i < NTESTS; i++)
		all[i] = i;
	snprintf(pidfile, sizeof(pidfile), "%s/pid", tmpdir);
	snprintf(pidenv, sizeof(pidenv), "TH_SELFTEST_PIDFILE=%s", pidfile);

	run(&r, (const char *[]){"--timeout", "1", NULL}, (const char *[]){pidenv, NULL});
	check_status(&r, 1, "full run exit status");
	check_tap(&r, all, NTESTS, "full run");
	check(!strstr(r.out, "stray output"), "stray printf kept off stdout", "absent", "present");
	check(strstr(r.err, "stray output") != NULL, "stray printf on stderr", "present", "absent");
	/* Parent output buffered across fork would surface from the children. */
	check(!strstr(r.err, "TAP version"), "no TAP duplicated by a child", "absent", "present");
	check_reports(&r);
	check_pidfile(pidfile);
	run_free(&r);

	run(&r, (const char *[]){"--list", NULL}, NULL);
	check_status(&r, 0, "--list exit status");
	for (size_t i = 0; i < NTESTS; i++)
		check_line(&r, i, tests[i].name, "--list");
	check(r.nlines == NTESTS, "--list line count", "one per test", line(&r, NTESTS));
	run_free(&r);

	run(&r, (const char *[]){"--list", "--filter", "timeout/*", NULL}, NULL);
	check_line(&r, 0, "timeout/default", "--list --filter");
	check_line(&r, 1, "timeout/declared", "--list --filter");
	check(r.nlines == 2, "--list --filter line count", "2", r.out);
	run_free(&r);

	/* --exclude leaves out what it selects (the second guest runs it). */
	run(&r, (const char *[]){"--list", "--filter", "timeout/*", "--exclude", "timeout/default",
				 NULL}, NULL);
	check_line(&r, 0, "timeout/declared", "--list --exclude");
	check(r.nlines == 1, "--list --exclude line count", "1", r.out);
	run_free(&r);
	run(&r, (const char *[]){"--list", "--filter", "timeout/*", "--exclude", "", NULL}, NULL);
	check(r.nlines == 2, "--list --exclude '' line count", "2", r.out);
	run_free(&r);

	/* Selected tests keep definition order, not pattern order. */
	select_names(sel, "basic/pass", "crash/expected_segv", "fixture/skip_then_teardown", NULL);
	run(&r, (const char *[]){"--filter", "fixture/skip*,basic/pass,crash/expected_s*", NULL},
	    NULL);
	check_status(&r, 0, "--filter exit status (no failure)");
	check_tap(&r, sel, 3, "--filter");
	run_free(&r);

	n = select_names(sel, "hooks/leak", "hooks/leak_after_failure", "hooks/leak_after_error",
			 "hooks/leak_xfail", NULL);
	run(&r, (const char *[]){NULL}, (const char *[]){"TH_FILTER=hooks/*", NULL});
	check_status(&r, 1, "TH_FILTER exit status");
	check_tap(&r, sel, n, "TH_FILTER");
	run_free(&r);

	select_names(sel, "basic/skip", NULL);
	run(&r, (const char *[]){"--filter", "basic/skip", NULL},
	    (const char *[]){"TH_FILTER=hooks/*", NULL});
	check_status(&r, 0, "--filter over TH_FILTER exit status");
	check_tap(&r, sel, 1, "--filter over TH_FILTER");
	run_free(&r);

	run(&r, (const char *[]){"--filter", "no/such", NULL}, NULL);
	check_status(&r, 2, "filter matching nothing");
	check_tap(&r, sel, 0, "filter matching nothing");
	run_free(&r);

	/* XFAIL and SKIP do not fail a run; XPASS and ERROR each do. */
	n = select_names(sel, "basic/pass", "verdict/xfail", "verdict/xfail_skip", NULL);
	run(&r, (const char *[]){"--filter", "verdict/xfail+verdict/xfail_skip,basic/pass", NULL},
	    NULL);
	check_status(&r, 0, "XFAIL, SKIP and PASS exit status");
	check_tap(&r, sel, n, "XFAIL, SKIP and PASS");
	run_free(&r);
	select_names(sel, "verdict/xpass", NULL);
	run(&r, (const char *[]){"--filter", "verdict/xpass", NULL}, NULL);
	check_status(&r, 1, "XPASS exit status");
	check_tap(&r, sel, 1, "XPASS");
	run_free(&r);
	select_names(sel, "verdict/error", NULL);
	run(&r, (const char *[]){"--filter", "verdict/error", NULL}, NULL);
	check_status(&r, 1, "ERROR exit status");
	check_tap(&r, sel, 1, "ERROR");
	run_free(&r);

	/* A filter selects variants by their own names. */
	n = select_names(sel, "setup/good_runs", "setup/good_logs", NULL);
	run(&r, (const char *[]){"--filter", "setup/good_*", NULL}, NULL);
	check_status(&r, 0, "variant filter exit status");
	check_tap(&r, sel, n, "variant filter");
	run_free(&r);

	/* --list --verbose: name TAB doc, escaped onto one line; variants share it. */
	run(&r,
	    (const char *[]){"--list", "--verbose", "--filter",
			     "basic/pass,setup/*_runs,fixture/pass", NULL},
	    NULL);
	check_status(&r, 0, "--list --verbose exit status");
	check_exact(&r, 0, "basic/pass\tEvery check passes.\\nSecond\\tline \\\\ end",
		    "--list --verbose: escaped doc");
	check_exact(&r, 1, "fixture/pass\t", "--list --verbose: no doc");
	check_exact(&r, 2, "setup/good_runs\tRuns once per variant.", "--list --verbose: variant");
	check_exact(&r, 3, "setup/assert_runs\tRuns once per variant.",
		    "--list --verbose: variant");
	check_exact(&r, 4, "setup/error_runs\tRuns once per variant.", "--list --verbose: variant");
	check(r.nlines == 5, "--list --verbose line count", "5", r.out);
	check(strstr(r.err, ": TH_DOC(setup/renamed) documents no test\n") != NULL,
	      "a TH_DOC without its test is reported", "TH_DOC(setup/renamed) documents no test",
	      r.err);
	run_free(&r);

	/* th_error_hook outside a test: a message and status 2, no TAP. */
	run(&r, (const char *[]){NULL}, (const char *[]){"TH_SELFTEST_HOOK=1", NULL});
	check_status(&r, 2, "th_error_hook outside a test exit status");
	check(r.nlines == 0, "th_error_hook outside a test prints no TAP", "", r.out);
	check(strstr(r.err, "error: xenstore read /outside: timed out") != NULL,
	      "th_error_hook outside a test message", "error: xenstore read /outside: timed out",
	      r.err);
	run_free(&r);

	for (size_t i = 0; i < 4; i++) {
		static const char *const bad[][3] = {
			{"--bogus", NULL},
			{"--timeout", "x", NULL},
			{"extra", NULL},
			{"--verbose", NULL},
		};
		run(&r, (const char *const *)bad[i], NULL);
		check_status(&r, 2, "usage error exit status");
		check(r.nlines == 0, "usage error prints no TAP", "", r.out);
		run_free(&r);
	}

	unlink(pidfile);
	unlink(strcat(strcpy(pidfile, tmpdir), "/out"));
	unlink(strcat(strcpy(pidfile, tmpdir), "/err"));
	rmdir(tmpdir);
	printf("selftest_check: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}

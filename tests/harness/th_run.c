// SPDX-License-Identifier: GPL-2.0
/*
 * The parent side of the harness: select the tests (th_filter.h), expand
 * fixture variants, and run the tests one at a time: fork, child in its own
 * process group, read the child's records (th_private.h) from a pipe until
 * it exits or its timeout expires, then kill whatever is left of the group,
 * run the after-each check, decide the verdict and print TAP.
 */
#define _GNU_SOURCE
#include "th_filter.h"
#include "th_private.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TH_LOG_MAX (1 << 20)

int th_sigchld_pipe[2] = {-1, -1};

static void (*th_reporter)(const struct th_result *r, void *arg);
static void *th_reporter_arg;
static th_check_fn th_before, th_after;
static void *th_before_arg, *th_after_arg;

void th_set_reporter(void (*fn)(const struct th_result *r, void *arg), void *arg)
{
	th_reporter = fn;
	th_reporter_arg = arg;
}

void th_set_before_each(th_check_fn fn, void *arg)
{
	th_before = fn;
	th_before_arg = arg;
}

void th_set_after_each(th_check_fn fn, void *arg)
{
	th_after = fn;
	th_after_arg = arg;
}

struct th_buf {
	char *s;
	size_t len, cap;
};

static void buf_add(struct th_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s) {
			fprintf(stderr, "harness: out of memory\n");
			exit(2);
		}
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_adds(struct th_buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Reasons pile up: a failed check, then a crash, then a leak. */
static void reason_add(struct th_buf *b, const char *s)
{
	if (b->len)
		buf_adds(b, "; ");
	buf_adds(b, s);
}

static void th_on_sigchld(int sig)
{
	int saved = errno;

	(void)sig;
	if (write(th_sigchld_pipe[1], "", 1) < 0) {
		/* full pipe: a wakeup is already pending */
	}
	errno = saved;
}

static double th_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *th_signame(int sig)
{
	static char name[32];
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(name, sizeof(name), "SIG%s", abbrev);
	else
		snprintf(name, sizeof(name), "signal %d", sig);
	return name;
}

/* Read what is there; false at EOF or on error. */
static bool th_drain(int fd, struct th_buf *raw, bool *truncated)
{
	char chunk[4096];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0)
			return false;
		if (raw->len + (size_t)n <= TH_LOG_MAX)
			buf_add(raw, chunk, (size_t)n);
		else
			*truncated = true;
	}
}

/* What one run of a test child showed, before the after-each check. */
struct th_outcome {
	bool failed, errored, skipped, xfail;
	struct th_buf fail, error; /* reasons, "; "-joined */
	char skip[512];
	char ref[128], xwhy[512]; /* from XFAIL_IF */
};

static void th_run_one(const struct th_test *t, const void *variant, unsigned int deflt,
		       struct th_outcome *o, struct th_buf *log, double *seconds)
{
	unsigned int timeout = t->timeout ? t->timeout : deflt;
	struct th_buf raw = {0};
	bool open = true, exited = false, timed_out = false, truncated = false;
	char verdict = 0, line[600];
	int fds[2], status = 0;
	double start = th_now(), deadline = start + timeout;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		reason_add(&o->error, "harness: pipe failed");
		o->errored = true;
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		reason_add(&o->error, "harness: fork failed");
		o->errored = true;
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		th_child(t, variant, fds[1]);
	}
	/* Both sides set the group, so a kill right after fork still reaches it. */
	setpgid(pid, pid);
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);

	while (!exited) {
		struct pollfd pfd[2] = {{th_sigchld_pipe[0], POLLIN, 0}, {fds[0], POLLIN, 0}};
		double left = deadline - th_now();
		char sink[64];

		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			break;
		}
		if (left <= 0) {
			timed_out = true;
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		if (poll(pfd, open ? 2 : 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		while (read(th_sigchld_pipe[0], sink, sizeof(sink)) > 0)
			;
		if (open && (pfd[1].revents & (POLLIN | POLLHUP)))
			open = th_drain(fds[0], &raw, &truncated);
	}
	/* Nothing the test started outlives it (unless it left the group). */
	kill(-pid, SIGKILL);
	if (open)
		th_drain(fds[0], &raw, &truncated);
	close(fds[0]);
	*seconds = th_now() - start;

	for (char *p = raw.s, *nl; p && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		switch (*p) {
		case 'L':
			buf_adds(log, p + 1);
			buf_adds(log, "\n");
			break;
		case 'F':
			buf_adds(log, p + 1);
			buf_adds(log, "\n");
			if (!o->failed)
				reason_add(&o->fail, p + 1);
			o->failed = true;
			break;
		case 'E':
			if (!o->errored)
				reason_add(&o->error, p + 1);
			o->errored = true;
			break;
		case 'S':
			if (!o->skipped)
				snprintf(o->skip, sizeof(o->skip), "%s", p + 1);
			o->skipped = true;
			break;
		case 'X':
			if (!o->xfail) {
				size_t n = strcspn(p + 1, " ");

				snprintf(o->ref, sizeof(o->ref), "%.*s", (int)n, p + 1);
				snprintf(o->xwhy, sizeof(o->xwhy), "%s", p + 1 + n + !!p[1 + n]);
			}
			o->xfail = true;
			break;
		case 'V':
			verdict = p[1];
			break;
		}
	}
	free(raw.s);
	if (truncated)
		buf_adds(log, "(log truncated)\n");

	/* A crash, a hang or no verdict: the code under test may be what broke. */
	if (timed_out) {
		snprintf(line, sizeof(line), "timed out after %u s", timeout);
		reason_add(&o->fail, line);
		o->failed = true;
	} else if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) != t->signal) {
			snprintf(line, sizeof(line), "killed by %s", th_signame(WTERMSIG(status)));
			reason_add(&o->fail, line);
			o->failed = true;
		}
	} else if (!verdict) {
		snprintf(line, sizeof(line), "exited with status %d without a verdict",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		reason_add(&o->fail, line);
		o->failed = true;
	} else if (verdict == 'F') {
		o->failed = true;
	} else if (verdict == 'E') {
		o->errored = true;
	} else if (t->signal && verdict == 'P') {
		snprintf(line, sizeof(line), "expected %s, but the test returned",
			 th_signame(t->signal));
		reason_add(&o->fail, line);
		o->failed = true;
	}
}

/*
 * The most severe wins: FAIL (XFAIL when expected), ERROR, SKIP, PASS (XPASS
 * when a failure was expected). The reason goes to reason, "" for a pass.
 */
static enum th_verdict th_decide(struct th_outcome *o, struct th_buf *reason)
{
	if (o->failed && o->xfail) {
		buf_adds(reason, o->xwhy);
		reason_add(reason, o->fail.s);
		return TH_XFAIL;
	}
	if (o->failed) {
		buf_adds(reason, o->fail.s);
		return TH_FAIL;
	}
	if (o->errored) {
		buf_adds(reason, o->error.s);
		return TH_ERROR;
	}
	if (o->skipped) {
		buf_adds(reason, o->skip);
		return TH_SKIP;
	}
	if (o->xfail) {
		buf_adds(reason, o->xwhy);
		return TH_XPASS;
	}
	return TH_PASS;
}

/* Definition order within a file; files in the order they registered. */
static int th_order(const void *a, const void *b)
{
	const struct th_test *x = *(const struct th_test *const *)a;
	const struct th_test *y = *(const struct th_test *const *)b;
	unsigned int fx = x->seq, fy = y->seq;

	for (const struct th_test *t = th_head; t; t = t->next) {
		if (!strcmp(t->file, x->file) && t->seq < fx)
			fx = t->seq;
		if (!strcmp(t->file, y->file) && t->seq < fy)
			fy = t->seq;
	}
	if (fx != fy)
		return fx < fy ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One test to run: a test, or one variant of a TEST_F. */
struct th_inst {
	const struct th_test *t;
	const struct th_variant *v;
	char *name;
};

/* The selected tests in run order: each test, its variants in theirs. */
/* The run's filter, for th_run_names() (a forked test child keeps it). */
static const char *th_run_filter;

bool th_run_names(const char *name)
{
	return th_filter_names(th_run_filter, name);
}

static struct th_inst *th_select(const char *filter, const char *exclude, unsigned int *count)
{
	struct th_test **all = th_xmalloc((th_count + 1) * sizeof(*all));
	struct th_inst *sel = NULL;
	unsigned int n = 0, cap = 0, k = 0;

	for (struct th_test *t = th_head; t; t = t->next)
		all[k++] = t;
	qsort(all, k, sizeof(*all), th_order);
	for (unsigned int i = 0; i < k; i++) {
		const struct th_test *t = all[i];
		const struct th_variant *v = t->fixture ? t->fixture->variants : NULL;

		do {
			const char *slash = strchr(t->name, '/');
			char *name;

			if (v) {
				if (asprintf(&name, "%.*s/%s_%s", (int)(slash - t->name), t->name,
					     v->name, slash + 1) < 0)
					name = NULL;
			} else {
				name = strdup(t->name);
			}
			if (!name) {
				fprintf(stderr, "harness: out of memory\n");
				exit(2);
			}
			if (!th_filter_match(filter, name) ||
			    (exclude && *exclude && th_filter_match(exclude, name))) {
				free(name);
				continue;
			}
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				sel = realloc(sel, cap * sizeof(*sel));
				if (!sel) {
					fprintf(stderr, "harness: out of memory\n");
					exit(2);
				}
			}
			sel[n++] = (struct th_inst){t, v, name};
		} while (v && (v = v->next));
	}
	free(all);
	*count = n;
	return sel;
}

/* --list --verbose: "name<TAB>doc", the doc on one line (\n, \t, \\ escaped). */
static void th_print_doc(const struct th_test *t)
{
	const char *text = "";

	for (const struct th_doc *d = th_docs; d; d = d->next)
		if (!strcmp(d->name, t->name))
			text = d->text;
	putchar('\t');
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p == '\\')
			fputs("\\\\", stdout);
		else
			putchar(*p);
	}
}

/* A TH_DOC whose test was renamed or removed would document nothing: say so. */
static void th_check_docs(const char *prog)
{
	for (const struct th_doc *d = th_docs; d; d = d->next) {
		const struct th_test *t = th_head;

		while (t && strcmp(t->name, d->name))
			t = t->next;
		if (!t)
			fprintf(stderr, "%s: TH_DOC(%s) documents no test\n", prog, d->name);
	}
}

static void th_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [--list [--verbose]] [--filter PATTERNS] [--exclude PATTERNS]\n"
		"       [--timeout SECONDS]\n"
		"  --list       print the selected test names and exit\n"
		"  --verbose    with --list: name<TAB>description (newlines as \\n)\n"
		"  --filter P   patterns over suite/name, ',' or '+' separated (or $TH_FILTER)\n"
		"  --exclude P  leave out the tests these patterns select (another program\n"
		"               runs them: the conductor's second guest)\n"
		"  --timeout S  per-test timeout for tests that declare none (default 30)\n"
		"exit status: 0 no FAIL, ERROR or XPASS; 1 some; 2 usage error or no test "
		"selected\n",
		prog);
}

static void th_tap_lines(const char *prefix, const char *s)
{
	while (*s) {
		size_t len = strcspn(s, "\n");

		printf("%s%.*s\n", prefix, (int)len, s);
		s += len + (s[len] == '\n');
	}
}

static void th_tap_result(unsigned int i, const struct th_result *r)
{
	switch (r->verdict) {
	case TH_PASS:
		printf("ok %u - %s\n", i, r->name);
		break;
	case TH_SKIP:
		printf("ok %u - %s # SKIP %s\n", i, r->name, r->reason);
		break;
	case TH_FAIL:
		printf("not ok %u - %s # %s\n", i, r->name, r->reason);
		break;
	case TH_ERROR:
		printf("not ok %u - %s # ERROR %s\n", i, r->name, r->reason);
		break;
	case TH_XFAIL:
		printf("not ok %u - %s # TODO %s %s\n", i, r->name, r->ref, r->reason);
		break;
	case TH_XPASS:
		printf("not ok %u - %s # XPASS %s %s\n", i, r->name, r->ref, r->reason);
		break;
	}
	fflush(stdout);
}

/*
 * The after-each check saw a known problem ("REF what", TH_CHECK_XFAIL): a
 * test that passed or skipped becomes XFAIL (REF); a verdict of the test's
 * own (FAIL, ERROR, its XFAIL_IF) stands, with the problem noted.
 */
static void th_after_known(struct th_outcome *o, const char *msg)
{
	size_t n = strcspn(msg, " ");
	const char *what = msg + n + (msg[n] == ' ');

	if (o->failed || o->errored) {
		reason_add(o->failed ? &o->fail : &o->error, "after-test check: ");
		buf_adds(o->failed ? &o->fail : &o->error, what);
		return;
	}
	if (o->xfail) { /* XPASS: the test's own reference stays */
		size_t l = strlen(o->xwhy);

		snprintf(o->xwhy + l, sizeof(o->xwhy) - l, "; after-test check: %s", what);
		return;
	}
	o->failed = o->xfail = true;
	snprintf(o->ref, sizeof(o->ref), "%.*s", (int)(n ? n : 6), n ? msg : "no-ref");
	o->xwhy[0] = '\0';
	if (o->skipped) {
		reason_add(&o->fail, "skipped: ");
		buf_adds(&o->fail, o->skip);
	}
	reason_add(&o->fail, "after-test check: ");
	buf_adds(&o->fail, what);
}

/* Runs one selected test: before-each, the child, after-each, verdict. */
static enum th_verdict th_run_inst(const struct th_inst *in, unsigned int i, unsigned int timeout)
{
	struct th_outcome o = {0};
	struct th_buf reason = {0}, log = {0};
	struct th_result r = {.name = in->name};
	char msg[512] = "";
	int rc;

	buf_adds(&reason, "");
	buf_adds(&log, "");
	buf_adds(&o.fail, "");
	buf_adds(&o.error, "");
	if (th_before && th_before(in->name, msg, sizeof(msg), th_before_arg)) {
		/* The test did not run: its environment was not what it needs. */
		o.errored = true;
		reason_add(&o.error, "before-test check: ");
		buf_adds(&o.error, msg);
	} else {
		th_run_one(in->t, in->v ? in->v->data : NULL, timeout, &o, &log, &r.seconds);
		msg[0] = '\0';
		rc = th_after ? th_after(in->name, msg, sizeof(msg), th_after_arg) : 0;
		if (rc == TH_CHECK_XFAIL) {
			th_after_known(&o, msg);
		} else if (rc) {
			/*
			 * A leak is the code under test's failure, unless the test
			 * broke half-way (ERROR): then it may be the test's own.
			 */
			bool to_error = o.errored && !o.failed;
			struct th_buf *b = to_error ? &o.error : &o.fail;

			reason_add(b, "after-test check: ");
			buf_adds(b, msg);
			o.failed = o.failed || !to_error;
		}
	}
	r.verdict = th_decide(&o, &reason);
	for (char *p = reason.s; *p; p++)
		if (*p == '\n')
			*p = ' ';
	r.ref = r.verdict == TH_XFAIL || r.verdict == TH_XPASS ? o.ref : "";
	r.reason = reason.s;
	r.log = log.s;

	th_tap_lines("# ", log.s);
	th_tap_result(i, &r);
	if (th_reporter)
		th_reporter(&r, th_reporter_arg);
	free(reason.s);
	free(log.s);
	free(o.fail.s);
	free(o.error.s);
	return r.verdict;
}

int th_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"list", no_argument, NULL, 'l'},	  {"verbose", no_argument, NULL, 'v'},
		{"filter", required_argument, NULL, 'f'}, {"timeout", required_argument, NULL, 't'},
		{"exclude", required_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
	};
	const char *filter = getenv("TH_FILTER"), *exclude = NULL;
	unsigned int timeout = 30, n = 0, count[TH_XPASS + 1] = {0};
	bool list = false, verbose = false;
	struct th_inst *sel;
	struct sigaction sa, old_sa;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		long v;

		switch (c) {
		case 'l':
			list = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'f':
			filter = optarg;
			break;
		case 'x':
			exclude = optarg;
			break;
		case 't':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v <= 0 || v > 86400) {
				fprintf(stderr, "%s: bad --timeout '%s'\n", argv[0], optarg);
				return 2;
			}
			timeout = (unsigned int)v;
			break;
		case 'h':
			th_usage(stdout, argv[0]);
			return 0;
		default:
			th_usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind < argc || (verbose && !list)) {
		th_usage(stderr, argv[0]);
		return 2;
	}

	th_check_docs(argv[0]);
	th_run_filter = filter;
	sel = th_select(filter, exclude, &n);
	if (list) {
		for (unsigned int i = 0; i < n; i++) {
			fputs(sel[i].name, stdout);
			if (verbose)
				th_print_doc(sel[i].t);
			putchar('\n');
			free(sel[i].name);
		}
		free(sel);
		return 0;
	}

	if (pipe2(th_sigchld_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		perror("harness: pipe");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = th_on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, &old_sa);

	printf("TAP version 13\n1..%u\n", n);
	if (!n)
		fprintf(stderr, "%s: no test matches filter '%s'\n", argv[0], filter ? filter : "");

	for (unsigned int i = 0; i < n; i++) {
		count[th_run_inst(&sel[i], i + 1, timeout)]++;
		free(sel[i].name);
	}
	printf("# totals: pass %u fail %u skip %u error %u xfail %u xpass %u\n", count[TH_PASS],
	       count[TH_FAIL], count[TH_SKIP], count[TH_ERROR], count[TH_XFAIL], count[TH_XPASS]);
	fflush(stdout);
	sigaction(SIGCHLD, &old_sa, NULL);
	close(th_sigchld_pipe[0]);
	close(th_sigchld_pipe[1]);
	free(sel);
	return !n ? 2 : count[TH_FAIL] || count[TH_ERROR] || count[TH_XPASS] ? 1 : 0;
}

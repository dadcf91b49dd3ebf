// SPDX-License-Identifier: GPL-2.0
/*
 * The parent runs the tests one at a time: fork, child in its own process
 * group, read the child's records from a pipe until it exits or its timeout
 * expires, then kill whatever is left of the group, run the after-each check
 * and print TAP. The child never writes TAP itself, so a crash or a stray
 * printf cannot corrupt the stream.
 *
 * Child -> parent records, one line each (short, so each write is atomic):
 *   L<text>  TH_LOG line      F<text>  failed check   S<text>  skip reason
 *   V<P|F|S> the child's own verdict, written last. No V is never a pass.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TH_EXIT_PASS  0
#define TH_EXIT_FAIL  1
#define TH_EXIT_SKIP  4
#define TH_RECORD_MAX 1024
#define TH_LOG_MAX    (1 << 20)

static struct th_test *th_head, **th_tail = &th_head;
static unsigned int th_count;

static void (*th_reporter)(const struct th_result *r, void *arg);
static void *th_reporter_arg;
static th_check_fn th_before, th_after;
static void *th_before_arg, *th_after_arg;

/* The test being run; fd < 0 outside a test child. */
static struct {
	int fd;
	pid_t pid;
	jmp_buf *jb;
	bool failed, skipped;
	bool pending;
	char msg[TH_RECORD_MAX - 2];
} th_ctx = {.fd = -1};

static int th_sigchld_pipe[2] = {-1, -1};

void th_register(struct th_test *t)
{
	t->seq = th_count++;
	t->next = NULL;
	*th_tail = t;
	th_tail = &t->next;
}

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

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		fprintf(stderr, "harness: out of memory\n");
		exit(2);
	}
	return p;
}

/* ---- child side --------------------------------------------------------- */

static void th_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* One record per line of text; outside a test the text goes to stderr. */
static void th_send(char type, const char *text)
{
	char rec[TH_RECORD_MAX];

	for (;;) {
		size_t len = strcspn(text, "\n");
		size_t n = len < sizeof(rec) - 2 ? len : sizeof(rec) - 2;

		if (th_ctx.fd < 0) {
			fprintf(stderr, "# %.*s\n", (int)n, text);
		} else {
			rec[0] = type;
			memcpy(rec + 1, text, n);
			rec[n + 1] = '\n';
			th_write_all(th_ctx.fd, rec, n + 2);
		}
		text += len;
		if (*text != '\n' || !text[1])
			return;
		text++;
	}
}

void th_log(const char *fmt, ...)
{
	char buf[TH_RECORD_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	th_send('L', buf);
}

static void th_vappend(const char *fmt, va_list ap)
{
	size_t used = strlen(th_ctx.msg);

	vsnprintf(th_ctx.msg + used, sizeof(th_ctx.msg) - used, fmt, ap);
}

static void th_append(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	th_vappend(fmt, ap);
	va_end(ap);
}

/* Extra context for the failure being reported; a plain log line otherwise. */
void th_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (th_ctx.pending) {
		th_append(": ");
		th_vappend(fmt, ap);
	} else {
		char buf[TH_RECORD_MAX];

		vsnprintf(buf, sizeof(buf), fmt, ap);
		th_send('L', buf);
	}
	va_end(ap);
}

static void __attribute__((noreturn)) th_leave(int code)
{
	/*
	 * A process the test forked has no teardown of ours to jump to: its
	 * record is already in the pipe, so it just ends.
	 */
	if (th_ctx.fd >= 0 && getpid() != th_ctx.pid) {
		fflush(NULL);
		_exit(code);
	}
	if (th_ctx.fd >= 0 && th_ctx.jb)
		longjmp(*th_ctx.jb, 1);
	exit(code);
}

int th_bail(int is_assert)
{
	for (char *p = th_ctx.msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	th_send('F', th_ctx.msg);
	th_ctx.pending = false;
	th_ctx.failed = true;
	if (is_assert)
		th_leave(TH_EXIT_FAIL);
	return 0;
}

void th_skip(const char *file, int line, const char *fmt, ...)
{
	char buf[TH_RECORD_MAX];
	va_list ap;

	(void)file;
	(void)line;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	th_send('S', buf);
	th_ctx.skipped = true;
	th_leave(TH_EXIT_SKIP);
}

static void th_begin(const char *file, int line, int is_assert, const char *what)
{
	const char *base = strrchr(file, '/');

	th_ctx.msg[0] = '\0';
	th_ctx.pending = true;
	th_append("%s:%d: %s_%s(", base ? base + 1 : file, line, is_assert ? "ASSERT" : "EXPECT",
		  what);
}

static void th_append_int(const char *expr, unsigned long long v, bool neg)
{
	if (neg)
		th_append("%s = %lld (0x%llx)", expr, (long long)v, v);
	else
		th_append("%s = %llu (0x%llx)", expr, v, v);
}

int th_check_int(const char *file, int line, int is_assert, enum th_op op, const char *as,
		 const char *bs, unsigned long long a, int a_signed, unsigned long long b,
		 int b_signed)
{
	static const char *const names[] = {"EQ", "NE", "LT", "LE", "GT", "GE"};
	/* Outcomes each op accepts: 1 less, 2 equal, 4 greater. */
	static const unsigned char accept[] = {2, 5, 1, 3, 4, 6};
	bool an = a_signed && (long long)a < 0, bn = b_signed && (long long)b < 0;
	int cmp, ok;

	/* Compare the values as integers, not after C's usual conversions. */
	if (an != bn)
		cmp = an ? -1 : 1;
	else if (an)
		cmp = (long long)a < (long long)b ? -1 : (long long)a > (long long)b;
	else
		cmp = a < b ? -1 : a > b;
	ok = accept[op] & (1 << (cmp + 1));
	if (ok)
		return 0;
	th_begin(file, line, is_assert, names[op]);
	th_append("%s, %s) failed: ", as, bs);
	th_append_int(as, a, an);
	th_append(", ");
	th_append_int(bs, b, bn);
	return 1;
}

int th_check_bool(const char *file, int line, int is_assert, const char *what, const char *xs,
		  int value, int want)
{
	if (value == want)
		return 0;
	th_begin(file, line, is_assert, what);
	th_append("%s) failed: %s is %s", xs, xs, value ? "true" : "false");
	return 1;
}

int th_check_ptr(const char *file, int line, int is_assert, const char *what, const char *xs,
		 uintptr_t p, int want_null)
{
	if (!p == !!want_null)
		return 0;
	th_begin(file, line, is_assert, what);
	th_append("%s) failed: %s = %p", xs, xs, (void *)p);
	return 1;
}

int th_check_str(const char *file, int line, int is_assert, const char *as, const char *bs,
		 const char *a, const char *b)
{
	if (a && b && !strcmp(a, b))
		return 0;
	th_begin(file, line, is_assert, "STREQ");
	th_append("%s, %s) failed: %s = %s%s%s, %s = %s%s%s", as, bs, as, a ? "\"" : "",
		  a ? a : "NULL", a ? "\"" : "", bs, b ? "\"" : "", b ? b : "NULL", b ? "\"" : "");
	return 1;
}

static void __attribute__((noreturn)) th_child(const struct th_test *t, int fd)
{
	jmp_buf jb;
	void *volatile self = NULL;
	volatile bool setup_done = false;

	setpgid(0, 0);
	signal(SIGCHLD, SIG_DFL);
	close(th_sigchld_pipe[0]);
	close(th_sigchld_pipe[1]);
	/* stdout carries TAP: whatever the test prints goes to stderr. */
	dup2(STDERR_FILENO, STDOUT_FILENO);

	th_ctx.fd = fd;
	th_ctx.pid = getpid();
	th_ctx.jb = &jb;
	if (t->self_size) {
		self = xmalloc(t->self_size);
		memset(self, 0, t->self_size);
	}
	if (!setjmp(jb)) {
		if (t->setup)
			t->setup(self);
		setup_done = true;
		t->body(self);
	}
	if (setup_done && t->teardown && !setjmp(jb))
		t->teardown(self);

	th_send('V', th_ctx.failed ? "F" : th_ctx.skipped ? "S" : "P");
	fflush(NULL);
	_exit(th_ctx.failed ? TH_EXIT_FAIL : th_ctx.skipped ? TH_EXIT_SKIP : TH_EXIT_PASS);
}

/* ---- parent side -------------------------------------------------------- */

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

static void th_run_one(const struct th_test *t, unsigned int deflt, struct th_result *r,
		       struct th_buf *reason, struct th_buf *log)
{
	unsigned int timeout = t->timeout ? t->timeout : deflt;
	struct th_buf raw = {0};
	bool open = true, exited = false, timed_out = false, truncated = false;
	bool failed = false, skipped = false;
	char verdict = 0, msg[512] = "", line[600];
	int fds[2], status = 0;
	double start = th_now(), deadline = start + timeout;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		reason_add(reason, "harness: pipe failed");
		r->verdict = TH_FAIL;
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		reason_add(reason, "harness: fork failed");
		r->verdict = TH_FAIL;
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		th_child(t, fds[1]);
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
	r->seconds = th_now() - start;

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
			if (!failed)
				reason_add(reason, p + 1);
			failed = true;
			break;
		case 'S':
			if (!skipped)
				snprintf(msg, sizeof(msg), "%s", p + 1);
			skipped = true;
			break;
		case 'V':
			verdict = p[1];
			break;
		}
	}
	free(raw.s);
	if (truncated)
		buf_adds(log, "(log truncated)\n");

	if (timed_out) {
		snprintf(line, sizeof(line), "timed out after %u s", timeout);
		reason_add(reason, line);
		failed = true;
	} else if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) != t->signal) {
			snprintf(line, sizeof(line), "killed by %s", th_signame(WTERMSIG(status)));
			reason_add(reason, line);
			failed = true;
		}
	} else if (!verdict) {
		snprintf(line, sizeof(line), "exited with status %d without a verdict",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		reason_add(reason, line);
		failed = true;
	} else if (verdict == 'F') {
		failed = true;
	} else if (t->signal && verdict == 'P') {
		snprintf(line, sizeof(line), "expected %s, but the test returned",
			 th_signame(t->signal));
		reason_add(reason, line);
		failed = true;
	}
	if (failed) {
		r->verdict = TH_FAIL;
	} else if (skipped || verdict == 'S') {
		r->verdict = TH_SKIP;
		reason_add(reason, msg);
	} else {
		r->verdict = TH_PASS;
	}
}

static bool th_selected(const char *name, const char *filter)
{
	char *copy, *save = NULL;
	bool hit = false;

	if (!filter || !*filter)
		return true;
	copy = strdup(filter);
	if (!copy)
		return false;
	for (char *pat = strtok_r(copy, ",", &save); pat && !hit; pat = strtok_r(NULL, ",", &save))
		hit = fnmatch(pat, name, 0) == 0;
	free(copy);
	return hit;
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

static void th_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [--list] [--filter PATTERNS] [--timeout SECONDS]\n"
		"  --list       print the selected test names and exit\n"
		"  --filter P   comma-separated fnmatch patterns over suite/name (or $TH_FILTER)\n"
		"  --timeout S  per-test timeout for tests that declare none (default 30)\n"
		"exit status: 0 no failure, 1 a test failed, 2 usage error or no test selected\n",
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

int th_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"list", no_argument, NULL, 'l'},
		{"filter", required_argument, NULL, 'f'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *filter = getenv("TH_FILTER");
	unsigned int timeout = 30, n = 0, pass = 0, fail = 0, skip = 0;
	bool list = false;
	struct th_test **sel;
	struct sigaction sa, old_sa;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		long v;

		switch (c) {
		case 'l':
			list = true;
			break;
		case 'f':
			filter = optarg;
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
	if (optind < argc) {
		th_usage(stderr, argv[0]);
		return 2;
	}

	sel = xmalloc((th_count + 1) * sizeof(*sel));
	for (struct th_test *t = th_head; t; t = t->next)
		if (th_selected(t->name, filter))
			sel[n++] = t;
	qsort(sel, n, sizeof(*sel), th_order);
	if (list) {
		for (unsigned int i = 0; i < n; i++)
			printf("%s\n", sel[i]->name);
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
		struct th_test *t = sel[i];
		struct th_buf reason = {0}, log = {0};
		struct th_result r = {.name = t->name};
		char msg[512] = "";

		buf_adds(&reason, "");
		buf_adds(&log, "");
		if (th_before && th_before(t->name, msg, sizeof(msg), th_before_arg)) {
			r.verdict = TH_FAIL;
			reason_add(&reason, "before-test check: ");
			buf_adds(&reason, msg);
		} else {
			th_run_one(t, timeout, &r, &reason, &log);
			msg[0] = '\0';
			if (th_after && th_after(t->name, msg, sizeof(msg), th_after_arg)) {
				if (r.verdict != TH_FAIL)
					reason.len = 0;
				r.verdict = TH_FAIL;
				reason_add(&reason, "after-test check: ");
				buf_adds(&reason, msg);
			}
		}
		for (char *p = reason.s; *p; p++)
			if (*p == '\n')
				*p = ' ';
		r.reason = reason.s;
		r.log = log.s;

		th_tap_lines("# ", log.s);
		if (r.verdict == TH_PASS)
			printf("ok %u - %s\n", i + 1, t->name);
		else if (r.verdict == TH_SKIP)
			printf("ok %u - %s # SKIP %s\n", i + 1, t->name, reason.s);
		else
			printf("not ok %u - %s # %s\n", i + 1, t->name, reason.s);
		fflush(stdout);
		pass += r.verdict == TH_PASS;
		fail += r.verdict == TH_FAIL;
		skip += r.verdict == TH_SKIP;
		if (th_reporter)
			th_reporter(&r, th_reporter_arg);
		free(reason.s);
		free(log.s);
	}
	printf("# totals: pass %u fail %u skip %u\n", pass, fail, skip);
	fflush(stdout);
	sigaction(SIGCHLD, &old_sa, NULL);
	close(th_sigchld_pipe[0]);
	close(th_sigchld_pipe[1]);
	free(sel);
	return !n ? 2 : fail ? 1 : 0;
}

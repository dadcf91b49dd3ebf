// SPDX-License-Identifier: GPL-2.0
/*
 * Registration, and everything that runs inside a test child: checks, SKIP,
 * ERROR, XFAIL_IF, fixtures. The child never writes TAP itself: it sends
 * records to the parent (th_run.c) through a pipe (th_private.h), so a crash
 * or a stray printf cannot corrupt the stream.
 */
#define _GNU_SOURCE
#include "th_private.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct th_test *th_head;
static struct th_test **th_tail = &th_head;
unsigned int th_count;
struct th_doc *th_docs;

/* The test being run; fd < 0 outside a test child. */
static struct {
	int fd;
	pid_t pid;
	jmp_buf *jb;
	bool failed, skipped, errored;
	bool pending;
	bool in_setup; /* a failed check here is an ERROR, not a FAIL */
	char msg[TH_RECORD_MAX - 2];
} th_ctx = {.fd = -1};

void th_register(struct th_test *t)
{
	t->seq = th_count++;
	t->next = NULL;
	*th_tail = t;
	th_tail = &t->next;
}

/* Variants keep the order they are written in, whatever the constructors'. */
void th_register_variant(struct th_fixture_info *f, struct th_variant *v)
{
	struct th_variant **p = &f->variants;

	while (*p && (*p)->line <= v->line)
		p = &(*p)->next;
	v->next = *p;
	*p = v;
}

void th_register_doc(struct th_doc *d)
{
	d->next = th_docs;
	th_docs = d;
}

const char *th_verdict_name(enum th_verdict v)
{
	static const char *const names[] = {"PASS", "FAIL", "SKIP", "ERROR", "XFAIL", "XPASS"};

	return (unsigned int)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

void *th_xmalloc(size_t n)
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

static void th_flatten(char *s)
{
	for (; *s; s++)
		if (*s == '\n')
			*s = ' ';
}

/* A check failed: FAIL, or ERROR while the fixture is being set up. */
int th_bail(int is_assert)
{
	th_flatten(th_ctx.msg);
	if (th_ctx.in_setup) {
		char rec[TH_RECORD_MAX];

		snprintf(rec, sizeof(rec), "setup: %.*s", TH_RECORD_MAX - 16, th_ctx.msg);
		th_send('E', rec);
		th_ctx.errored = true;
	} else {
		th_send('F', th_ctx.msg);
		th_ctx.failed = true;
	}
	th_ctx.pending = false;
	if (is_assert)
		th_leave(th_ctx.in_setup ? TH_EXIT_ERROR : TH_EXIT_FAIL);
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
	th_flatten(buf);
	th_send('S', buf);
	th_ctx.skipped = true;
	th_leave(TH_EXIT_SKIP);
}

static void __attribute__((noreturn)) th_verror(const char *fmt, va_list ap)
{
	char buf[TH_RECORD_MAX - 16], rec[TH_RECORD_MAX];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	th_flatten(buf);
	if (th_ctx.fd < 0) {
		/* Not inside a harness test: the program itself cannot go on. */
		fflush(stdout);
		fprintf(stderr, "error: %s\n", buf);
		exit(2);
	}
	snprintf(rec, sizeof(rec), "%s%s", th_ctx.in_setup ? "setup: " : "", buf);
	th_send('E', rec);
	th_ctx.errored = true;
	th_leave(TH_EXIT_ERROR);
}

void th_error(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	(void)file;
	(void)line;
	va_start(ap, fmt);
	th_verror(fmt, ap);
}

void th_error_hook(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	th_verror(fmt, ap);
}

void th_xfail(const char *file, int line, const char *ref, const char *fmt, ...)
{
	char buf[TH_RECORD_MAX - 128], rec[TH_RECORD_MAX];
	size_t n = ref ? strcspn(ref, " \t\n") : 0;
	va_list ap;

	(void)file;
	(void)line;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	th_flatten(buf);
	if (n > 100)
		n = 100;
	snprintf(rec, sizeof(rec), "%.*s %s", (int)n, n ? ref : "-", buf);
	th_send('X', rec);
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

void th_child(const struct th_test *t, const void *variant, int fd)
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
		self = th_xmalloc(t->self_size);
		memset(self, 0, t->self_size);
	}
	if (!setjmp(jb)) {
		if (t->setup) {
			th_ctx.in_setup = true;
			t->setup(self, variant);
			th_ctx.in_setup = false;
		}
		setup_done = true;
		t->body(self, variant);
	}
	th_ctx.in_setup = false;
	if (setup_done && t->teardown && !setjmp(jb))
		t->teardown(self, variant);

	/* The most severe wins: FAIL, then ERROR, then SKIP. */
	th_send('V', th_ctx.failed ? "F" : th_ctx.errored ? "E" : th_ctx.skipped ? "S" : "P");
	fflush(NULL);
	_exit(th_ctx.failed    ? TH_EXIT_FAIL
	      : th_ctx.errored ? TH_EXIT_ERROR
	      : th_ctx.skipped ? TH_EXIT_SKIP
			       : TH_EXIT_PASS);
}

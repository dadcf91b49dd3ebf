// SPDX-License-Identifier: GPL-2.0
/*
 * The harness tested with itself: tests that pass, fail, skip, hang, crash,
 * leak, break (ERROR) and fail as expected (XFAIL/XPASS) on purpose, a
 * fixture with variants and documented tests. selftest_check.c runs this program and holds the
 * exact verdicts each one must get; a change here needs the same change there.
 */
#include "harness.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

TH_DOC(basic, pass, "Every check passes.\nSecond\tline \\ end")

TEST(basic, pass)
{
	unsigned long long big = UINT64_MAX;
	const char *s = "grant";
	int minus_one = -1;

	ASSERT_EQ(1 + 1, 2);
	ASSERT_NE(1, 2);
	ASSERT_LT(1, 2);
	ASSERT_LE(2, 2);
	ASSERT_GT(3, 2);
	ASSERT_GE(3, 3);
	/* Compared as integers, not after C's conversion of -1 to unsigned. */
	ASSERT_LT(minus_one, 1u);
	ASSERT_GT(big, 0);
	ASSERT_LT(minus_one, big);
	ASSERT_TRUE(s);
	ASSERT_FALSE(0);
	ASSERT_NULL(NULL);
	ASSERT_NONNULL(s);
	ASSERT_STREQ(s, "grant");
	EXPECT_EQ(2, 2);
	EXPECT_STREQ("a", "a");
	if (big)
		ASSERT_EQ(big, UINT64_MAX);
	else
		ASSERT_EQ(big, 0);
}

TEST(basic, assert_stops)
{
	int x = 2;

	ASSERT_EQ(x, 3);
	TH_LOG("unreachable after ASSERT");
}

static void map_grants(int count)
{
	for (int i = 0; i < count; i++)
		ASSERT_LT(i, 2) TH_MSG("page %d", i);
}

TEST(basic, assert_in_helper)
{
	map_grants(5);
	TH_LOG("unreachable after helper");
}

TEST(basic, expect_continues)
{
	EXPECT_EQ(1, 2);
	EXPECT_STREQ("a", NULL);
	TH_LOG("still running\nsecond line");
}

TEST(basic, skip)
{
	SKIP("no gntdev here");
	TH_LOG("unreachable after SKIP");
}

TEST(basic, skip_after_expect)
{
	EXPECT_TRUE(0);
	SKIP("too late");
}

TEST(basic, exit_without_verdict)
{
	printf("stray output must not reach TAP\n");
	exit(0);
}

/* A process the test forks shares its verdict. */
TEST(basic, assert_in_forked_child)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		ASSERT_EQ(getpid(), 0) TH_MSG("in the forked child");
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	TH_LOG("parent went on");
}

/* With --timeout 1. The forked sleeper must die with the test. */
TEST(timeout, default)
{
	const char *pidfile = getenv("TH_SELFTEST_PIDFILE");
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		ASSERT_NONNULL(f);
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
	TH_LOG("sleeping");
	sleep(30);
}

TEST_TIMEOUT(timeout, declared, 2)
{
	sleep(30);
}

TEST(crash, segv)
{
	volatile int *volatile p = NULL;

	*p = 1;
}

TEST_SIGNAL(crash, expected_segv, SIGSEGV)
{
	volatile int *volatile p = NULL;

	TH_LOG("about to fault");
	*p = 1;
}

TEST_SIGNAL(crash, expected_abort_missing, SIGABRT)
{
}

TEST(crash, abort)
{
	abort();
}

FIXTURE(grant)
{
	int refs;
	char *page;
};

FIXTURE_SETUP(grant)
{
	self->page = malloc(4096);
	ASSERT_NONNULL(self->page);
	self->refs = 1;
}

FIXTURE_TEARDOWN(grant)
{
	TH_LOG("teardown refs=%d", self->refs);
	free(self->page);
}

TEST_F(grant, fixture, pass)
{
	ASSERT_EQ(self->refs, 1);
	self->refs = 2;
}

TEST_F(grant, fixture, assert_then_teardown)
{
	self->refs = 3;
	ASSERT_EQ(self->refs, 4);
	self->refs = 5;
}

TEST_F(grant, fixture, skip_then_teardown)
{
	self->refs = 6;
	SKIP("fixture skip");
}

/* The after-each hook below reports a leak for every hooks/leak* test. */
TEST(hooks, leak)
{
}

TEST(hooks, leak_after_failure)
{
	EXPECT_EQ(0, 1);
}

static int leak_check(const char *name, char *msg, size_t len, void *arg)
{
	(void)arg;
	if (!strncmp(name, "known/", 6)) {
		snprintf(msg, len, "KR-1 a known kernel report");
		return TH_CHECK_XFAIL;
	}
	if (strncmp(name, "hooks/leak", 10))
		return 0;
	snprintf(msg, len, "1 grant still mapped");
	return 1;
}

/* ---- ERROR, XFAIL, XPASS ------------------------------------------------ */

/* Library code (a transport helper) that gives up on the environment. */
static int xenstore_read(const char *path)
{
	th_error_hook("xenstore read %s: timed out", path);
}

TEST(verdict, error)
{
	ERROR("dom0 unreachable: %d", 110);
	TH_LOG("unreachable after ERROR");
}

TEST(verdict, error_hook)
{
	ASSERT_EQ(xenstore_read("/local/domain/0"), 0);
}

/* The most severe wins: a failure already recorded stays a FAIL. */
TEST(verdict, fail_then_error)
{
	EXPECT_EQ(1, 2);
	ERROR("then the environment broke");
}

TEST(verdict, xfail)
{
	XFAIL_IF(1, "XSA-999", "unmap %s", "races");
	ASSERT_EQ(1, 2);
}

TEST(verdict, xfail_crash)
{
	volatile int *volatile p = NULL;

	XFAIL_IF(true, "https://example.org/bug/7", "faults on purpose");
	*p = 1;
}

TEST(verdict, xpass)
{
	XFAIL_IF(1 + 1 == 2, "commit:abc123", "should have failed");
}

TEST(verdict, xfail_not_taken)
{
	XFAIL_IF(0, "XSA-999", "not this time");
}

TEST(verdict, xfail_skip)
{
	XFAIL_IF(1, "XSA-999", "known");
	SKIP("no backend");
}

/* XFAIL_IF does not cover an ERROR: the environment is not the bug. */
TEST(verdict, xfail_error)
{
	XFAIL_IF(1, "XSA-999", "known");
	ERROR("xenstore gone");
}

TEST(hooks, leak_after_error)
{
	ERROR("dom0 gone");
}

TEST(hooks, leak_xfail)
{
	XFAIL_IF(1, "bug-1", "leaks a grant");
}

/* The after-each hook reports a known problem (TH_CHECK_XFAIL) for every known/ test. */
TEST(known, pass)
{
}

TEST(known, fail)
{
	EXPECT_EQ(1, 2);
}

TEST(known, skip)
{
	SKIP("no backend");
}

TEST(known, xpass)
{
	XFAIL_IF(1, "bug-2", "should have failed");
}

/* ---- a fixture with variants; setup that breaks is an ERROR ----------- */

FIXTURE(env)
{
	const char *subject;
};

FIXTURE_VARIANT(env)
{
	int broken; /* 0 fine, 1 ASSERT fails in setup, 2 ERROR in setup */
	const char *subject;
};

FIXTURE_VARIANT_ADD(env, good){
	.broken = 0,
	.subject = "good",
};

FIXTURE_VARIANT_ADD(env, assert){
	.broken = 1,
	.subject = "assert",
};

FIXTURE_VARIANT_ADD(env, error){
	.broken = 2,
	.subject = "error",
};

FIXTURE_SETUP(env)
{
	ASSERT_NE(variant->broken, 1);
	if (variant->broken == 2)
		ERROR("no %s backend", variant->subject);
	self->subject = variant->subject;
}

FIXTURE_TEARDOWN(env)
{
	TH_LOG("teardown %s", self->subject);
}

TH_DOC(setup, runs, "Runs once per variant.")
/* Documents nothing: the harness warns on stderr. */
TH_DOC(setup, renamed, "Stale.")

TEST_F(env, setup, runs)
{
	ASSERT_STREQ(self->subject, variant->subject);
}

TEST_F(env, setup, logs)
{
	TH_LOG("body %s", variant->subject);
}

static void report(const struct th_result *r, void *arg)
{
	int lines = 0;

	(void)arg;
	for (const char *p = r->log; *p; p++)
		lines += *p == '\n';
	fprintf(stderr, "report %s %s ref=%s log=%d s=%.1f reason=%s\n", r->name,
		th_verdict_name(r->verdict), r->ref, lines, r->seconds, r->reason);
}

int main(int argc, char **argv)
{
	/* th_error_hook outside any test: prints and exits 2. */
	if (getenv("TH_SELFTEST_HOOK"))
		xenstore_read("/outside");
	th_set_after_each(leak_check, NULL);
	th_set_reporter(report, NULL);
	return th_main(argc, argv);
}

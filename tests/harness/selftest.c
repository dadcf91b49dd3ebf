// SPDX-License-Identifier: GPL-2.0
/*
 * The harness tested with itself: tests that pass, fail, skip, hang, crash
 * and leak on purpose. selftest_check.c runs this program and holds the exact
 * verdicts each one must get; a change here needs the same change there.
 */
#include "harness.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
	if (strncmp(name, "hooks/leak", 10))
		return 0;
	snprintf(msg, len, "1 grant still mapped");
	return 1;
}

static void report(const struct th_result *r, void *arg)
{
	static const char *const names[] = {"PASS", "FAIL", "SKIP"};
	int lines = 0;

	(void)arg;
	for (const char *p = r->log; *p; p++)
		lines += *p == '\n';
	fprintf(stderr, "report %s %s log=%d s=%.1f reason=%s\n", r->name, names[r->verdict], lines,
		r->seconds, r->reason);
}

int main(int argc, char **argv)
{
	th_set_after_each(leak_check, NULL);
	th_set_reporter(report, NULL);
	return th_main(argc, argv);
}

// SPDX-License-Identifier: GPL-2.0
/* Unit tests of phase.c: milestones, phases and timeouts as a function of time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* Phases may be skipped but not go back; the phase in progress names crashes. */
TEST(phase, bookkeeping)
{
	struct phase_state ps;

	EXPECT_EQ(milestone_from_phase("dom0-init", 9), MS_DOM0_INIT);
	EXPECT_EQ(milestone_from_phase("tests-done", 10), MS_TESTS_DONE);
	EXPECT_EQ(milestone_from_phase("tests", 5), MS_TESTS);
	EXPECT_EQ(milestone_from_phase("test", 4), -1);
	EXPECT_EQ(milestone_from_phase("end", 3), -1); /* GNTLAB-END is not a phase */

	phase_init(&ps, 50.0);
	EXPECT_EQ(phase_waiting_for(&ps), MS_DOM0_INIT);
	EXPECT_STREQ(phase_in_progress(&ps), "boot");
	EXPECT_TRUE(phase_reach(&ps, MS_XEN, 51.0));
	EXPECT_STREQ(phase_in_progress(&ps), "xen");
	EXPECT_FALSE(phase_reach(&ps, MS_XEN, 52.0)); /* the first one counts */
	EXPECT_TRUE(ps.at[MS_XEN] == 51.0);
	phase_reach(&ps, MS_LINUX, 53.0);
	EXPECT_STREQ(phase_in_progress(&ps), "dom0-kernel");
	EXPECT_EQ(phase_waiting_for(&ps), MS_DOM0_INIT); /* free-text milestones don't end boot */
	EXPECT_TRUE(ps.progress_at == 50.0);
	phase_reach(&ps, MS_DOM0_INIT, 55.0);
	EXPECT_EQ(phase_waiting_for(&ps), MS_DOM0_READY);
	EXPECT_STREQ(phase_in_progress(&ps), "dom0-init");
	EXPECT_TRUE(ps.progress_at == 55.0);
	/* Skipping the guest phases is allowed... */
	phase_reach(&ps, MS_TESTS, 60.0);
	EXPECT_EQ(phase_waiting_for(&ps), MS_TESTS_DONE);
	EXPECT_STREQ(phase_in_progress(&ps), "tests");
	/* ...going back is not: state and clock stay. */
	EXPECT_TRUE(phase_reach(&ps, MS_DOM0_READY, 61.0));
	EXPECT_EQ(phase_waiting_for(&ps), MS_TESTS_DONE);
	EXPECT_TRUE(ps.progress_at == 60.0);
	phase_progress(&ps, 62.0, "test result a/b");
	EXPECT_TRUE(ps.progress_at == 62.0);
	EXPECT_STREQ(ps.progress_what, "test result a/b");
	phase_reach(&ps, MS_TESTS_DONE, 70.0);
	EXPECT_EQ(phase_waiting_for(&ps), MS_END);
	phase_reach(&ps, MS_END, 71.0);
	EXPECT_EQ(phase_waiting_for(&ps), MS_QEMU_EXIT);
	EXPECT_STREQ(phase_in_progress(&ps), "end");
	EXPECT_TRUE(phase_span(&ps, MS_QEMU_START, MS_LINUX) == 3.0);
	EXPECT_TRUE(phase_span(&ps, MS_DOM0_READY, MS_GUEST_READY) < 0);
}

/*
 * Timeouts as a pure function of time: boot budget, per-phase budgets from
 * the previous milestone, per-test progress, total budget, exit after END.
 */
TEST(phase, timeouts)
{
	struct timeouts to = {.boot = 120, .phase = 60, .total = 900, .after_end = 15};
	struct phase_state ps;
	double next = 0;
	char msg[512];

	phase_init(&ps, 1000.0);
	EXPECT_EQ(phase_timeout(&ps, &to, 1000.0, &next), TIMEOUT_NONE);
	EXPECT_TRUE(next == 1120.0);
	/* Xen and Linux starting do not extend the boot budget. */
	phase_reach(&ps, MS_XEN, 1010.0);
	phase_reach(&ps, MS_LINUX, 1100.0);
	EXPECT_EQ(phase_timeout(&ps, &to, 1119.9, &next), TIMEOUT_NONE);
	EXPECT_EQ(phase_timeout(&ps, &to, 1120.0, &next), TIMEOUT_PHASE);
	phase_timeout_message(&ps, &to, TIMEOUT_PHASE, 1120.0, msg, sizeof(msg));
	EXPECT_STREQ(msg, "'GNTLAB-PHASE dom0-init' did not arrive within 120 s of QEMU start "
			  "(boot timeout)");

	/* Each later phase gets its own budget from the previous milestone. */
	phase_reach(&ps, MS_DOM0_INIT, 1110.0);
	EXPECT_EQ(phase_timeout(&ps, &to, 1169.9, &next), TIMEOUT_NONE);
	EXPECT_TRUE(next == 1170.0);
	EXPECT_EQ(phase_timeout(&ps, &to, 1170.0, NULL), TIMEOUT_PHASE);
	phase_timeout_message(&ps, &to, TIMEOUT_PHASE, 1170.0, msg, sizeof(msg));
	EXPECT_STREQ(msg, "'GNTLAB-PHASE dom0-ready' did not arrive within 60 s of "
			  "'GNTLAB-PHASE dom0-init' (at 110.0 s)");
	phase_reach(&ps, MS_DOM0_READY, 1160.0);
	phase_reach(&ps, MS_TESTS, 1200.0);
	/* Test results keep the tests phase alive; silence does not. */
	phase_progress(&ps, 1250.0, "test result a/b");
	EXPECT_EQ(phase_timeout(&ps, &to, 1300.0, &next), TIMEOUT_NONE);
	EXPECT_TRUE(next == 1310.0);
	EXPECT_EQ(phase_timeout(&ps, &to, 1310.0, NULL), TIMEOUT_PHASE);
	phase_timeout_message(&ps, &to, TIMEOUT_PHASE, 1310.0, msg, sizeof(msg));
	EXPECT_HAS(msg,
		   "'GNTLAB-PHASE tests-done' did not arrive within 60 s of 'test result a/b'");

	/* The total budget wins when it is nearer. */
	phase_progress(&ps, 1880.0, "test result a/c");
	EXPECT_EQ(phase_timeout(&ps, &to, 1899.0, &next), TIMEOUT_NONE);
	EXPECT_TRUE(next == 1900.0);
	EXPECT_EQ(phase_timeout(&ps, &to, 1900.0, NULL), TIMEOUT_TOTAL);
	phase_timeout_message(&ps, &to, TIMEOUT_TOTAL, 1900.0, msg, sizeof(msg));
	EXPECT_HAS(msg, "total timeout: 900 s elapsed while waiting for 'GNTLAB-PHASE tests-done'");

	/* After GNTLAB-END QEMU gets a short while to exit; then it is stopped. */
	phase_init(&ps, 0);
	phase_reach(&ps, MS_DOM0_INIT, 1.0);
	phase_reach(&ps, MS_END, 5.0);
	EXPECT_EQ(phase_timeout(&ps, &to, 19.9, &next), TIMEOUT_NONE);
	EXPECT_TRUE(next == 20.0);
	EXPECT_EQ(phase_timeout(&ps, &to, 20.0, NULL), TIMEOUT_AFTER_END);
}

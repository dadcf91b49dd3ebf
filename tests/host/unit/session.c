// SPDX-License-Identifier: GPL-2.0
/* Unit tests of session.c: whole transcripts fed line by line. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "unit.h"

struct feeder {
	struct session s;
	struct results r;
	char *progress;
	size_t progress_len;
	FILE *pf;
	char *serial;
	size_t serial_len;
	FILE *sf;
};

static void feeder_start(struct feeder *fd, const char *logdir, bool watch_kvm)
{
	struct session_opts o = {0};

	memset(fd, 0, sizeof(*fd));
	fd->pf = open_memstream(&fd->progress, &fd->progress_len);
	fd->sf = open_memstream(&fd->serial, &fd->serial_len);
	o.progress = fd->pf;
	o.serial = fd->sf;
	o.logdir = logdir;
	o.watch_kvm = watch_kvm;
	results_init(&fd->r);
	session_init(&fd->s, &fd->r, &o, 100.0);
}

static void feed_at(struct feeder *fd, double t, const char *line)
{
	session_line(&fd->s, line, strlen(line), t);
}

static void feeder_end(struct feeder *fd)
{
	session_free(&fd->s);
	fclose(fd->pf);
	fclose(fd->sf);
	free(fd->progress);
	free(fd->serial);
	results_free(&fd->r);
}

static const struct test_case *find_test(const struct results *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->tests[i].name, name) == 0)
			return &r->tests[i];
	return NULL;
}

/*
 * A whole boot fed line by line: milestones, tests with their diagnostics and
 * times, domain logs, progress lines, malformed TAP as a failure.
 */
TEST(session, transcript)
{
	struct feeder fd;
	const struct test_case *t;
	char *dir = ut_tmpdir("session");
	char path[4200];
	char *log;

	feeder_start(&fd, dir, false);
	feed_at(&fd, 100.5, "(XEN) Xen version 4.17.5 (Debian)");
	feed_at(&fd, 103.0, "[    0.000000] Linux version 6.1.0-56-amd64");
	feed_at(&fd, 105.0, "[    2.000000] DEBUG: harmless");
	feed_at(&fd, 106.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 107.0, "GNTLAB-LOG dom0 xenstored started");
	feed_at(&fd, 108.0, "(XEN) GNTLAB-PHASE dom0-ready");
	feed_at(&fd, 109.0, "GNTLAB-PHASE guest-start");
	feed_at(&fd, 110.0, "GNTLAB-LOG guest/1 agent: ready");
	feed_at(&fd, 111.0, "GNTLAB-PHASE guest-ready");
	feed_at(&fd, 112.0, "GNTLAB-PHASE tests");
	feed_at(&fd, 112.5, "GNTLAB-DIAG mapping 4 refs");
	feed_at(&fd, 113.0, "GNTLAB-TAP ok map/ro");
	feed_at(&fd, 113.5, "GNTLAB-DIAG expected 0xab got 0x00");
	feed_at(&fd, 115.0, "noise GNTLAB-TAP not ok map/rw # mismatch");
	feed_at(&fd, 115.25, "GNTLAB-TAP ok m2p/x # SKIP no guest");
	feed_at(&fd, 116.0, "GNTLAB-PHASE something-new");
	feed_at(&fd, 117.0, "GNTLAB-TAP bogus");
	feed_at(&fd, 118.0, "GNTLAB-DIAG left over");
	feed_at(&fd, 119.0, "GNTLAB-PHASE tests-done");
	feed_at(&fd, 120.0, "GNTLAB-END ok");
	session_qemu_exit(&fd.s, 0, false, 121.0);
	session_finish(&fd.s, 121.0);
	fflush(fd.pf);
	fflush(fd.sf);

	EXPECT_EQ(fd.r.n, 4);
	EXPECT_TRUE(fd.r.end_seen);
	EXPECT_STREQ(fd.r.end_status, "ok");
	EXPECT_FALSE(fd.r.crashed);
	EXPECT_TRUE(fd.r.phase.at[MS_XEN] == 100.5);
	EXPECT_TRUE(fd.r.phase.at[MS_LINUX] == 103.0);
	EXPECT_TRUE(fd.r.phase.at[MS_DOM0_READY] == 108.0);
	EXPECT_TRUE(fd.r.phase.at[MS_END] == 120.0);
	EXPECT_TRUE(fd.r.phase.at[MS_QEMU_EXIT] == 121.0);
	t = find_test(&fd.r, "map/ro");
	EXPECT_TRUE(t && t->status == TEST_PASS && t->log.n == 1 &&
		    strcmp(t->log.lines[0], "mapping 4 refs") == 0);
	EXPECT_TRUE(t && fabs(t->time - 1.0) < 1e-9); /* since GNTLAB-PHASE tests */
	EXPECT_TRUE(t && fabs(t->at - 13.0) < 1e-9);
	t = find_test(&fd.r, "map/rw");
	EXPECT_TRUE(t && t->status == TEST_FAIL && strcmp(t->reason, "mismatch") == 0);
	EXPECT_TRUE(t && t->log.n == 1 && strcmp(t->log.lines[0], "expected 0xab got 0x00") == 0);
	EXPECT_TRUE(t && fabs(t->time - 2.0) < 1e-9); /* since the previous test */
	t = find_test(&fd.r, "m2p/x");
	EXPECT_TRUE(t && t->status == TEST_SKIP && strcmp(t->reason, "no guest") == 0);
	EXPECT_TRUE(t && t->log.n == 0);
	t = find_test(&fd.r, "protocol/malformed-tap");
	EXPECT_TRUE(t && t->status == TEST_FAIL && t->synthetic);
	EXPECT_TRUE(t && strstr(t->reason, "serial.log line 17") != NULL);
	EXPECT_EQ(fd.r.trailing.n, 1);
	EXPECT_FALSE(results_passed(&fd.r)); /* map/rw failed */

	EXPECT_HAS(fd.progress, "[   0.5s] xen started\n");
	EXPECT_HAS(fd.progress, "[   3.0s] dom0 kernel started\n");
	EXPECT_HAS(fd.progress, "[   8.0s] phase dom0-ready\n");
	EXPECT_HAS(fd.progress, "[  13.0s] ok 1 map/ro\n");
	EXPECT_HAS(fd.progress, "[  15.0s] not ok 2 map/rw # mismatch\n");
	EXPECT_HAS(fd.progress, "ok 3 m2p/x # SKIP no guest\n");
	EXPECT_HAS(fd.progress, "phase something-new (not a known phase)");
	EXPECT_LACKS(fd.progress, "| "); /* not verbose */
	EXPECT_TRUE(strncmp(fd.serial, "(XEN) Xen version 4.17.5 (Debian)\n[    0.000000] Linux",
			    52) == 0);
	EXPECT_HAS(fd.serial, "GNTLAB-END ok\n");

	snprintf(path, sizeof(path), "%s/dom0.log", dir);
	log = ut_slurp(path);
	EXPECT_STREQ(log, "xenstored started\n");
	free(log);
	snprintf(path, sizeof(path), "%s/guest_1.log", dir);
	log = ut_slurp(path);
	EXPECT_STREQ(log, "agent: ready\n");
	free(log);
	feeder_end(&fd);
	free(dir);
}

/*
 * A crash becomes one failing test named after the phase, quoting the line
 * and its serial.log line number, with what followed it as its log.
 */
TEST(session, crash)
{
	struct feeder fd;
	const struct test_case *t;

	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "(XEN) Xen version 4.17");
	feed_at(&fd, 102.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 103.0, "GNTLAB-PHASE dom0-ready");
	feed_at(&fd, 103.5, "GNTLAB-DIAG about to map");
	feed_at(&fd, 104.0, "GNTLAB-LOG guest1 [ 9.1] BUG: Bad page map in process agent");
	EXPECT_TRUE(fd.s.crashing);
	EXPECT_TRUE(fd.r.crashed);
	EXPECT_TRUE(fd.s.crash_at == 104.0);
	feed_at(&fd, 104.1, "GNTLAB-LOG guest1 [ 9.2] Call Trace:");
	feed_at(&fd, 104.2, "GNTLAB-LOG guest1 [ 9.3]  gntlab_map+0x12/0x40");
	session_qemu_exit(&fd.s, SIGTERM, true, 109.0);
	session_finish(&fd.s, 109.0);

	EXPECT_EQ(fd.r.n, 1); /* one crash, however many crash lines */
	t = find_test(&fd.r, "crash/dom0-ready");
	EXPECT_TRUE(t != NULL);
	if (t) {
		EXPECT_EQ(t->status, TEST_FAIL);
		EXPECT_STREQ(t->reason,
			     "'BUG: ' at serial.log line 5: GNTLAB-LOG guest1 [ 9.1] BUG: "
			     "Bad page map in process agent");
		/* The pending diagnostic, the crash line and what followed it. */
		EXPECT_EQ(t->log.n, 4);
		if (t->log.n == 4) {
			EXPECT_STREQ(t->log.lines[0], "about to map");
			EXPECT_HAS(t->log.lines[1], "BUG: Bad page map");
			EXPECT_HAS(t->log.lines[3], "gntlab_map+0x12/0x40");
		}
	}
	/* No "ended early" on top of the crash, and no "no tests" either. */
	EXPECT_TRUE(find_test(&fd.r, "boot/ended-early") == NULL);
	EXPECT_TRUE(find_test(&fd.r, "tests/none-reported") == NULL);
	EXPECT_FALSE(results_passed(&fd.r));
	feeder_end(&fd);

	/*
	 * A verdict quoting a kernel WARN (an after-test check) is a failure of
	 * its own, not a crash: the run goes on so the guest's log is relayed.
	 * The raw WARN relayed later still is a crash.
	 */
	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "(XEN) Xen version 4.17");
	feed_at(&fd, 102.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 103.0, "GNTLAB-PHASE tests");
	feed_at(&fd, 104.0,
		"GNTLAB-DIAG saw <4>[ 5.1] WARNING: CPU: 0 PID: 9 at lib/refcount.c:25");
	feed_at(&fd, 104.1,
		"GNTLAB-TAP not ok badinput/race # after-test check: guest kernel log: "
		"WARNING: CPU: 0 PID: 9 at lib/refcount.c:25");
	EXPECT_FALSE(fd.s.crashing);
	EXPECT_FALSE(fd.r.crashed);
	t = find_test(&fd.r, "badinput/race");
	EXPECT_TRUE(t != NULL && t->status == TEST_FAIL);
	feed_at(&fd, 110.0, "GNTLAB-LOG guest [ 5.1] WARNING: CPU: 0 PID: 9 at lib/refcount.c:25");
	EXPECT_TRUE(fd.r.crashed);
	feeder_end(&fd);

	/* A crash before dom0 speaks is named after where the boot was. */
	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "(XEN) Xen version 4.17");
	feed_at(&fd, 102.0, "(XEN) Panic on CPU 0:");
	EXPECT_TRUE(find_test(&fd.r, "crash/xen") != NULL);
	feeder_end(&fd);
}

/* A lockdep report relayed from the guest: fn() takes lock under mmap_lock. */
static void feed_lockdep(struct feeder *fd, double t, const char *lock, const char *fn)
{
	char l1[200], l2[200];
	const char *lines[] = {
		"GNTLAB-LOG guest [   22.995454] WARNING: possible circular locking dependency "
		"detected",
		"GNTLAB-LOG guest [   22.995956] 6.1.192-gntlab-debug #1 Tainted: G           O",
		l1,
		"GNTLAB-LOG guest [   22.998902] ffff888000059508 (&mm->mmap_lock){++++}-{3:3}, at: "
		"vm_mmap_pgoff+0x6c/0x140",
		"(XEN) grant_table.c:1234:d0v1 Bad ref 99999",
		"GNTLAB-LOG guest [   23.001309]        _copy_to_user+0x1e/0x80",
		"GNTLAB-LOG guest [   23.001431]        gntdev_ioctl+0x6c3/0xa60 [xen_gntdev]",
		l2,
		"GNTLAB-LOG guest [   23.022626] Call Trace:",
		"GNTLAB-LOG guest [   23.023035]  <TASK>",
		"GNTLAB-LOG guest [   23.049527]  </TASK>",
	};

	snprintf(l1, sizeof(l1),
		 "GNTLAB-LOG guest [   22.997141] ffff88800388d078 (%s){+.+.}-{3:3}, at: "
		 "%s+0x55/0x2a1 [xen_gntdev]", lock, fn);
	snprintf(l2, sizeof(l2), "GNTLAB-LOG guest [   23.007407]        %s+0x55/0x2a1", fn);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		feed_at(fd, t + 0.01 * (double)i, lines[i]);
}

/*
 * A known kernel report on the console (tests/crash_patterns.c) is an XFAIL
 * crash/<phase> with its reference, and the run goes on; the guest's closing
 * dmesg quoting its headline again adds nothing. The same report with
 * another chain is a crash, quoting its first line and that line's number.
 */
TEST(session, known_kernel_report)
{
	struct feeder fd;
	const struct test_case *t;

	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "(XEN) Xen version 4.17");
	feed_at(&fd, 102.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 103.0, "GNTLAB-PHASE tests-done");
	feed_lockdep(&fd, 104.0, "&priv->lock#2", "gntdev_mmap");
	feed_at(&fd, 105.0, "GNTLAB-LOG guest gntlab guest dmesg: [   22.995454] WARNING: possible "
			    "circular locking dependency detected");
	session_finish(&fd.s, 106.0);
	EXPECT_FALSE(fd.s.crashing);
	EXPECT_FALSE(fd.r.crashed);
	/* One crash/ entry (and tests/none-reported: this transcript has no tests). */
	EXPECT_TRUE(find_test(&fd.r, "crash/tests-done-2") == NULL);
	t = find_test(&fd.r, "crash/tests-done");
	ASSERT_NONNULL(t);
	EXPECT_EQ(t->status, TEST_XFAIL);
	EXPECT_HAS(t->ref, "lore.kernel.org/");
	EXPECT_HAS(t->reason, "known kernel report gntdev-map-ioctl-copy-to-user-under-lock at "
			      "serial.log line 4:");
	EXPECT_TRUE(t->synthetic);
	EXPECT_HAS(fd.progress, "known kernel report gntdev-map-ioctl-copy-to-user-under-lock again");
	feeder_end(&fd);

	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "(XEN) Xen version 4.17");
	feed_at(&fd, 102.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 103.0, "GNTLAB-PHASE tests-done");
	feed_lockdep(&fd, 104.0, "&map->lock", "gntlab_mmap");
	EXPECT_TRUE(fd.s.crashing);
	EXPECT_TRUE(fd.r.crashed);
	t = find_test(&fd.r, "crash/tests-done");
	ASSERT_NONNULL(t);
	EXPECT_EQ(t->status, TEST_FAIL);
	EXPECT_HAS(t->reason, "'WARNING: possible circular locking' at serial.log line 4: "
			      "GNTLAB-LOG guest [   22.995454] WARNING: possible circular locking");
	feeder_end(&fd);
}

/*
 * The runner-made failures: timeout, QEMU ending early, no tests, a bad
 * GNTLAB-END status, interruption; and KVM failures only before dom0 speaks.
 */
TEST(session, timeout_and_early_end)
{
	struct timeouts to = {.boot = 120, .phase = 60, .total = 900, .after_end = 15};
	struct feeder fd;
	const struct test_case *t;

	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 102.0, "GNTLAB-PHASE dom0-ready");
	feed_at(&fd, 103.0, "waiting for libvirtd");
	EXPECT_EQ(phase_timeout(&fd.r.phase, &to, 162.0, NULL), TIMEOUT_PHASE);
	session_timeout(&fd.s, TIMEOUT_PHASE, &to, 162.0);
	session_qemu_exit(&fd.s, SIGTERM, true, 163.0);
	session_finish(&fd.s, 163.0);
	EXPECT_TRUE(fd.r.timed_out);
	t = find_test(&fd.r, "timeout/guest-start");
	EXPECT_TRUE(t != NULL);
	if (t) {
		EXPECT_HAS(t->reason, "'GNTLAB-PHASE guest-start' did not arrive within 60 s of "
				      "'GNTLAB-PHASE dom0-ready'");
		EXPECT_HAS(t->reason, "last serial line 3: waiting for libvirtd");
		EXPECT_TRUE(t->log.n >= 4);
	}
	EXPECT_EQ(fd.r.n, 1);
	EXPECT_FALSE(results_passed(&fd.r));
	feeder_end(&fd);

	/* QEMU going away without GNTLAB-END. */
	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 102.0, "GNTLAB-TAP ok a/b");
	feed_at(&fd, 103.0, "qemu-system-x86_64: terminating on signal 15");
	session_qemu_exit(&fd.s, 1 << 8, false, 104.0);
	session_finish(&fd.s, 104.0);
	t = find_test(&fd.r, "boot/ended-early");
	EXPECT_TRUE(t != NULL);
	if (t) {
		EXPECT_HAS(t->reason,
			   "QEMU exited (status 1) before GNTLAB-END; last phase: dom0-init");
		EXPECT_HAS(t->reason, "qemu-system-x86_64: terminating on signal 15");
	}
	EXPECT_FALSE(results_passed(&fd.r));
	feeder_end(&fd);

	/* Clean end but no tests: a failure, never a pass. */
	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 102.0, "GNTLAB-END ok");
	session_qemu_exit(&fd.s, 0, false, 104.0);
	session_finish(&fd.s, 104.0);
	EXPECT_TRUE(find_test(&fd.r, "tests/none-reported") != NULL);
	EXPECT_FALSE(results_passed(&fd.r));
	feeder_end(&fd);

	/* dom0 says it failed though every test passed. */
	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-TAP ok a/b");
	feed_at(&fd, 102.0, "GNTLAB-END error: conductor lost the guest");
	session_qemu_exit(&fd.s, 0, false, 104.0);
	session_finish(&fd.s, 104.0);
	EXPECT_TRUE(find_test(&fd.r, "end/status") != NULL);
	EXPECT_FALSE(results_passed(&fd.r));
	feeder_end(&fd);
	EXPECT_TRUE(session_end_status_ok("ok"));
	EXPECT_TRUE(session_end_status_ok("PASS 12 tests"));
	EXPECT_TRUE(session_end_status_ok("0"));
	EXPECT_FALSE(session_end_status_ok("fail"));
	EXPECT_FALSE(session_end_status_ok("1"));
	EXPECT_FALSE(session_end_status_ok(""));

	/* Interrupted. */
	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-PHASE dom0-init");
	session_interrupted(&fd.s, SIGINT, 102.0);
	session_qemu_exit(&fd.s, SIGTERM, true, 102.5);
	session_finish(&fd.s, 103.0);
	t = find_test(&fd.r, "runner/interrupted");
	EXPECT_TRUE(t && strstr(t->reason, "signal 2") &&
		    strstr(t->reason, "GNTLAB-PHASE dom0-ready"));
	EXPECT_TRUE(fd.r.interrupted);
	EXPECT_EQ(fd.r.n, 1);
	feeder_end(&fd);

	/* KVM's internal error counts only before dom0 speaks. */
	feeder_start(&fd, NULL, true);
	feed_at(&fd, 100.1, "KVM internal error. Suberror: 1");
	EXPECT_TRUE(fd.s.kvm_failed);
	feeder_end(&fd);
	feeder_start(&fd, NULL, true);
	feed_at(&fd, 100.1, "GNTLAB-PHASE dom0-init");
	feed_at(&fd, 100.2, "GNTLAB-LOG dom0 KVM internal error in a log");
	EXPECT_FALSE(fd.s.kvm_failed);
	feeder_end(&fd);
}

/* --verbose echoes the console; a test with very many diagnostics keeps 200. */
TEST(session, verbose_and_diag_limit)
{
	struct feeder fd;
	const struct test_case *t;
	char line[64];

	feeder_start(&fd, NULL, false);
	fd.s.opts.verbose = true;
	for (int i = 0; i < EXCERPT_MAX + 20; i++) {
		snprintf(line, sizeof(line), "GNTLAB-DIAG d%d", i);
		feed_at(&fd, 101.0, line);
	}
	feed_at(&fd, 102.0, "GNTLAB-TAP not ok a/b # many diags");
	fflush(fd.pf);
	t = find_test(&fd.r, "a/b");
	EXPECT_TRUE(t && t->log.n == EXCERPT_MAX && t->log.dropped == 20);
	EXPECT_TRUE(t && strcmp(t->log.lines[EXCERPT_MAX - 1], "d219") == 0);
	EXPECT_HAS(fd.progress, "  | GNTLAB-DIAG d0\n");
	feeder_end(&fd);
}

/*
 * MATRIX lines fill the matrix wherever they appear; a mismatch is not a
 * failure of the run (the tests report their own), a malformed line is.
 */
TEST(session, matrix)
{
	struct feeder fd;
	const struct test_case *t;

	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-PHASE tests");
	feed_at(&fd, 101.5, "GNTLAB-DIAG before the cell");
	feed_at(&fd, 102.0, "GNTLAB-MATRIX gup-slow special EFAULT EFAULT");
	feed_at(&fd, 102.5, "(XEN) d0v0 GNTLAB-MATRIX odirect-read special EFAULT ok");
	feed_at(&fd, 103.0, "GNTLAB-TAP ok gup/slow-special");
	feed_at(&fd, 104.0, "GNTLAB-END ok");
	session_qemu_exit(&fd.s, 0, false, 105.0);
	session_finish(&fd.s, 105.0);
	fflush(fd.pf);
	EXPECT_EQ(fd.r.matrix.n, 2);
	EXPECT_EQ(fd.r.matrix.nrows, 2);
	EXPECT_EQ(fd.r.matrix.ncols, 1);
	EXPECT_EQ(matrix_count(&fd.r.matrix).mismatched, 1);
	EXPECT_EQ(fd.r.n, 1);
	EXPECT_TRUE(results_passed(&fd.r)); /* the matrix is a report, not a verdict */
	t = find_test(&fd.r, "gup/slow-special");
	/* A MATRIX line between a diagnostic and its test does not steal it. */
	EXPECT_TRUE(t && t->log.n == 1 && strcmp(t->log.lines[0], "before the cell") == 0);
	EXPECT_HAS(fd.progress, "matrix odirect-read/special: ok, expected EFAULT\n");
	EXPECT_LACKS(fd.progress, "matrix gup-slow/special");
	feeder_end(&fd);

	feeder_start(&fd, NULL, false);
	feed_at(&fd, 101.0, "GNTLAB-MATRIX gup-slow special EFAULT bad address");
	feed_at(&fd, 102.0, "GNTLAB-TAP ok gup/slow-special");
	EXPECT_EQ(fd.r.matrix.n, 0);
	t = find_test(&fd.r, "protocol/malformed-matrix");
	EXPECT_TRUE(t && t->status == TEST_FAIL && t->synthetic);
	EXPECT_TRUE(t &&
		    strstr(t->reason, "serial.log line 1: GNTLAB-MATRIX gup-slow special EFAULT "
				      "bad address") != NULL);
	feeder_end(&fd);
}

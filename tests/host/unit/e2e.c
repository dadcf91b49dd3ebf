// SPDX-License-Identifier: GPL-2.0
/* End to end: the real gntlab-runner against fake-qemu.sh. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

TEST_TIMEOUT(e2e, pass, 60)
{
	struct e2e e;
	char *dom0, *guest, *md, *html;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "pass", "pass", NULL), 0);
	EXPECT_TEXT(e.tap,
		    "TAP version 13\n"
		    "1..3\n"
		    "# mapping 4 refs from dom0\n"
		    "ok 1 - map/ro-basic\n"
		    "ok 2 - map/rw-basic\n"
		    "ok 3 - m2p/lookup # SKIP needs a PV guest with 2 vcpus\n"
		    "# totals: pass 2, fail 0, skip 1, error 0, xfail 0, xpass 0, total 3\n");
	EXPECT_HAS(e.junit, "<testsuites name=\"gntlab\" tests=\"3\" failures=\"0\" errors=\"0\" "
			    "skipped=\"1\"");
	EXPECT_HAS(e.junit, "<testsuite name=\"map\" tests=\"2\" failures=\"0\"");
	EXPECT_HAS(e.junit, "<skipped message=\"needs a PV guest with 2 vcpus\"/>");
	EXPECT_HAS(e.summary,
		   "verdict: PASS\npass: 2\nfail: 0\nskip: 1\nerror: 0\nxfail: 0\nxpass: 0\n"
		   "total: 3\naccel: tcg\n");
	EXPECT_HAS(e.summary, "end: ok\n");
	EXPECT_HAS(e.summary, "qemu: exited with status 0\n");
	EXPECT_LACKS(e.summary, " n/a\n"); /* every milestone was timed */
	/* QEMU's stderr is in the same stream as the console. */
	EXPECT_HAS(e.serial, "qemu-system-x86_64: warning: fake QEMU (pass, accel tcg)\n");
	EXPECT_HAS(e.serial, "(XEN) Xen version 4.17.5");
	EXPECT_LACKS(e.serial, "\r");
	EXPECT_HAS(e.err, "] xen started\n");
	EXPECT_HAS(e.err, "] dom0 kernel started\n");
	EXPECT_HAS(e.err, "] phase guest-ready\n");
	EXPECT_HAS(e.err, "] ok 2 map/rw-basic\n");
	EXPECT_HAS(e.err, "] qemu exited (status 0)\n");
	EXPECT_HAS(e.err, "gntlab-runner: PASS: pass 2, fail 0, skip 1, error 0, xfail 0, xpass 0, "
			  "total 3");
	EXPECT_HAS(e.args, "-serial\nstdio\n-no-reboot\n-kernel\n");
	EXPECT_HAS(e.args,
		   "\n-append\nconsole=com1 com1=115200 dom0_mem=1536M,max:1536M loglvl=all "
		   "guest_loglvl=all xpti=no\n-initrd\n");
	EXPECT_HAS(e.args, "/vmlinuz console=hvc0 earlyprintk=xen clocksource=xen tsc=reliable gntlab.ready=");
	dom0 = e2e_file(&e, "dom0.log");
	guest = e2e_file(&e, "guest1.log");
	EXPECT_STREQ(dom0, "starting xenstored\n");
	EXPECT_STREQ(guest, "[    0.000000] Linux version 6.1.0-56-amd64\n");
	free(dom0);
	free(guest);
	md = e2e_file(&e, "matrix.md");
	html = e2e_file(&e, "matrix.html");
	/* First-seen order: the (XEN)-prefixed cell counts, the mismatch
	 * is shown but does not fail the run. */
	EXPECT_HAS(md, "| GUP user | special | nohook | pfnmap |\n"
		       "| --- | --- | --- | --- |\n"
		       "| gup-slow | EFAULT \xE2\x9C\x93 | ok \xE2\x9C\x93 | EFAULT "
		       "\xE2\x9C\x93 |\n"
		       "| odirect-read | ok \xE2\x9C\x97 (expected EFAULT) | \xE2\x80\x94 | "
		       "\xE2\x80\x94 |\n\n"
		       "matched: 3, mismatched: 1, missing: 2\n");
	EXPECT_HAS(html, "<td class=\"mismatch\">ok \xE2\x9C\x97 (expected EFAULT)</td>");
	EXPECT_HAS(html, "<p class=\"counts\">matched: 3, mismatched: 1, missing: 2</p>");
	free(md);
	free(html);
	md = e2e_file(&e, "matrix.tsv");
	EXPECT_STREQ(md, "# row\tcol\texpected\tobserved\treports\n"
			 "gup-slow\tspecial\tEFAULT\tEFAULT\t1\n"
			 "gup-slow\tnohook\tok\tok\t1\n"
			 "odirect-read\tspecial\tEFAULT\tok\t1\n"
			 "gup-slow\tpfnmap\tEFAULT\tEFAULT\t1\n");
	free(md);
	EXPECT_HAS(e.summary, "matrix: 3 matched, 1 mismatched, 2 missing (matrix.md)\n");
	EXPECT_HAS(e.summary, "matrix mismatches:\n  odirect-read / special: observed ok, "
			      "expected EFAULT\n");
	EXPECT_HAS(e.err, "] matrix odirect-read/special: ok, expected EFAULT\n");
	e2e_check_xmllint(e.results);
	EXPECT_TRUE(ut_wait_gone(e.qemu_pid, 1));
	e2e_free(&e);
}

/* A failing test: exit 1, its reason and diagnostics in TAP and JUnit. */
TEST_TIMEOUT(e2e, failing_test, 60)
{
	struct e2e e;
	char *md, *html;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "fail", "fail", NULL), 1);
	EXPECT_HAS(e.tap, "1..2\nok 1 - map/ro-basic\n"
			  "# expected 0xab at page 3 offset 17, got 0x00\n"
			  "# second diag line <&>\n"
			  "not ok 2 - map/rw-basic # pattern mismatch at page 3\n"
			  "# totals: pass 1, fail 1, skip 0, error 0, xfail 0, xpass 0, total 2\n");
	EXPECT_HAS(e.junit, "<failure message=\"pattern mismatch at page 3\" type=\"test\">");
	EXPECT_HAS(e.junit, "<system-out>expected 0xab at page 3 offset 17, got 0x00\n"
			    "second diag line &lt;&amp;&gt;\n</system-out>");
	EXPECT_HAS(e.summary, "verdict: FAIL\n");
	EXPECT_HAS(e.summary, "end: fail\n");
	EXPECT_HAS(e.err, "] not ok 2 map/rw-basic # pattern mismatch at page 3\n");
	/* No MATRIX line: both files are still written and say so. */
	md = e2e_file(&e, "matrix.md");
	html = e2e_file(&e, "matrix.html");
	EXPECT_HAS(md, "No matrix cells were reported");
	EXPECT_HAS(html, "No matrix cells were reported");
	free(md);
	free(html);
	EXPECT_HAS(e.summary, "matrix: no cells reported\n");
	e2e_check_xmllint(e.results);
	e2e_free(&e);
}

/* Line number (1-based) of the first line of text containing needle. */
static long line_of(const char *text, const char *needle)
{
	const char *hit = text ? strstr(text, needle) : NULL;
	long n = 1;

	if (!hit)
		return -1;
	for (const char *p = text; p < hit; p++)
		n += *p == '\n';
	return n;
}

/*
 * A guest BUG: crash test with the right serial.log line, QEMU stopped after
 * the grace period.
 */
TEST_TIMEOUT(e2e, crash, 60)
{
	struct e2e e;
	char *guest;
	char want[128];
	long line;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "crash", "crash", NULL), 1);
	line = line_of(e.serial, "BUG: unable to handle page fault");
	EXPECT_TRUE(line > 0);
	snprintf(want, sizeof(want),
		 "not ok 2 - crash/tests # 'BUG: ' at serial.log line %ld: ", line);
	EXPECT_HAS(e.tap, want);
	/* The grace period collected the lines after the crash into its log. */
	EXPECT_HAS(e.tap, "# GNTLAB-LOG guest1 [   12.345710]  <TASK>\nnot ok 2 - crash/tests");
	EXPECT_HAS(e.junit, "<testcase classname=\"gntlab.crash\" name=\"tests\"");
	EXPECT_HAS(e.summary, "crashed: yes\n");
	EXPECT_HAS(e.summary, "(stopped by runner)");
	EXPECT_LACKS(e.tap, "ended-early");
	guest = e2e_file(&e, "guest1.log");
	EXPECT_HAS(guest, "Call Trace:\n");
	free(guest);
	EXPECT_TRUE(ut_wait_gone(e.qemu_pid, 1));
	e2e_check_xmllint(e.results);
	e2e_free(&e);
}

/*
 * A guest that does not come up (its kernel panics): dom0 names the step,
 * and the guest's console and libxl's log of it are in the results; the
 * panic relayed is a crash of the guest; the summary says what ran.
 */
TEST_TIMEOUT(e2e, guest_down, 60)
{
	struct e2e e;
	char *guest, *libxl;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "guest-down", "guest-down", NULL), 1);
	EXPECT_HAS(e.tap, "not ok 2 - boot/guest-agent-ready # ERROR the guest domain gntlab-guest1 "
			  "ended after 3 s");
	EXPECT_HAS(e.tap, "Kernel panic - not syncing");
	guest = e2e_file(&e, "guest.log");
	libxl = e2e_file(&e, "guest-libxl.log");
	EXPECT_HAS(guest, "Kernel panic - not syncing: No working init found.\n");
	EXPECT_HAS(libxl, "Domain 1 has shut down, reason code 3\n");
	EXPECT_HAS(e.summary, "guest-boot: gntlab-guest1: kernel=/opt/gntlab/guest/kernel "
			      "initrd=/opt/gntlab/guest/initrd.cpio.gz cmdline='console=hvc0' ");
	EXPECT_HAS(e.summary, "xen-cmdline: console=com1 ");
	EXPECT_HAS(e.summary, "dom0-cmdline: console=hvc0 ");
	EXPECT_HAS(e.summary, " gntlab.ready=90\n");
	EXPECT_LACKS(e.summary, "timed-out: yes");
	free(guest);
	free(libxl);
	e2e_check_xmllint(e.results);
	e2e_free(&e);
}

/* A hang after the first test: timeout naming the missing step. */
TEST_TIMEOUT(e2e, phase_timeout, 60)
{
	static const char *const extra[] = {"--timeout-phase", "1", NULL};
	struct e2e e;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "hang", "hang", extra), 1);
	EXPECT_HAS(e.tap,
		   "not ok 2 - timeout/tests-done # 'GNTLAB-PHASE tests-done' did not arrive "
		   "within 1 s of 'test result map/ro-basic'");
	EXPECT_HAS(e.tap, "last serial line 15: GNTLAB-TAP ok map/ro-basic");
	EXPECT_HAS(e.summary, "timed-out: yes\n");
	EXPECT_HAS(e.summary, "qemu: killed by signal 15 (stopped by runner)\n");
	EXPECT_TRUE(ut_wait_gone(e.qemu_pid, 1));
	e2e_free(&e);
}

/* Xen starts but dom0 never speaks: boot timeout. */
TEST_TIMEOUT(e2e, boot_timeout, 60)
{
	static const char *const extra[] = {"--timeout-boot", "1", NULL};
	struct e2e e;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "silent", "silent", extra), 1);
	EXPECT_HAS(e.tap, "1..1\n");
	EXPECT_HAS(e.tap, "not ok 1 - timeout/dom0-init # 'GNTLAB-PHASE dom0-init' did not arrive "
			  "within 1 s of QEMU start (boot timeout); last serial line 1: (XEN) Xen "
			  "version 4.17.5 (fake)");
	EXPECT_HAS(e.summary, "  xen-start ");
	EXPECT_TRUE(ut_wait_gone(e.qemu_pid, 1));
	e2e_free(&e);
}

/* The total budget ends a run whose phases are still within theirs. */
TEST_TIMEOUT(e2e, total_timeout, 60)
{
	static const char *const extra[] = {"--timeout-total", "1", NULL};
	struct e2e e;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "total", "hang", extra), 1);
	EXPECT_HAS(e.tap, "not ok 2 - timeout/tests-done # total timeout: 1 s elapsed");
	e2e_free(&e);
}

/* A QEMU that ignores SIGTERM is killed 3 s later. */
TEST_TIMEOUT(e2e, sigkill_escalation, 60)
{
	static const char *const extra[] = {"--timeout-phase", "0.5", NULL};
	struct e2e e;
	double took;

	ut_need_runner();
	took = ut_now();
	EXPECT_EQ(e2e_run(&e, "stubborn", "stubborn", extra), 1);
	took = ut_now() - took;
	EXPECT_HAS(e.tap, "timeout/dom0-ready");
	/* SIGTERM was ignored: SIGKILL after the 3 s grace. */
	EXPECT_HAS(e.summary, "qemu: killed by signal 9 (stopped by runner)\n");
	EXPECT_TRUE(took >= 3.0 && took < 10.0);
	EXPECT_TRUE(ut_wait_gone(e.qemu_pid, 1));
	e2e_free(&e);
}

/* A console that never stops printing cannot starve the timeouts. */
TEST_TIMEOUT(e2e, flood, 60)
{
	static const char *const extra[] = {"--timeout-phase", "1", NULL};
	struct e2e e;
	double took;

	ut_need_runner();
	took = ut_now();
	EXPECT_EQ(e2e_run(&e, "flood", "flood", extra), 1);
	took = ut_now() - took;
	EXPECT_HAS(e.tap, "not ok 1 - timeout/dom0-ready # ");
	EXPECT_TRUE(took < 5.0);
	EXPECT_TRUE(ut_wait_gone(e.qemu_pid, 1));
	e2e_free(&e);
}

/* QEMU exiting before GNTLAB-END is a failure naming the last phase. */
TEST_TIMEOUT(e2e, ended_early, 60)
{
	struct e2e e;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "early", "early-exit", NULL), 1);
	EXPECT_HAS(e.tap, "not ok 1 - boot/ended-early # QEMU exited (status 1) before GNTLAB-END; "
			  "last phase: dom0-kernel, waiting for 'GNTLAB-PHASE dom0-init'");
	EXPECT_HAS(e.tap, "fake fatal error");
	EXPECT_HAS(e.summary, "end: not seen\n");
	EXPECT_HAS(e.summary, "qemu: exited with status 1\n");
	e2e_free(&e);
}

/* A clean boot that reports no tests is a failure, never a pass. */
TEST_TIMEOUT(e2e, no_tests, 60)
{
	struct e2e e;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "notests", "no-tests", NULL), 1);
	EXPECT_HAS(e.tap, "1..1\nnot ok 1 - tests/none-reported # no test results were reported\n");
	EXPECT_HAS(e.summary, "verdict: FAIL\n");
	e2e_free(&e);
}

/*
 * The serial noise of test_linebuf_* and test_marker_* through the real
 * pipe: CR redraws, NULs, split writes, a 40 KB line, odd domain names.
 */
TEST_TIMEOUT(e2e, noisy_stream, 60)
{
	struct e2e e;
	char *evil;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "noise", "noise", NULL), 0);
	EXPECT_HAS(e.tap, "ok 1 - noise/nul-inside\n");
	EXPECT_HAS(e.tap, "ok 2 - noise/split-write\n");
	EXPECT_HAS(e.tap, "ok 3 - noise/after-long-line\n");
	EXPECT_HAS(e.tap, "ok 4 - noise/behind-text # SKIP not here\n");
	EXPECT_HAS(e.serial, "\nprogress 10%\nprogress 100%\nGNTLAB-PHASE dom0-init\n");
	EXPECT_HAS(e.serial, "noise GNTLAB-TAP ok noise/split-write\n");
	EXPECT_LACKS(e.serial, "\r");
	evil = e2e_file(&e, "___evil_dom.log");
	EXPECT_STREQ(evil, "name with spaces\n");
	free(evil);
	e2e_free(&e);
}

/* Xen halting (QEMU stays up) after GNTLAB-END is not a failure. */
TEST_TIMEOUT(e2e, poweroff_after_end, 60)
{
	static const char *const extra[] = {"--timeout-phase", "1", NULL};
	struct e2e e;

	ut_need_runner();
	/* Xen halts instead of exiting: QEMU is stopped, the run still passes. */
	EXPECT_EQ(e2e_run(&e, "poweroff", "poweroff", extra), 0);
	EXPECT_HAS(e.tap, "1..1\nok 1 - map/ro-basic\n");
	EXPECT_HAS(e.summary, "verdict: PASS\n");
	EXPECT_HAS(e.summary, "(stopped by runner)");
	EXPECT_HAS(e.err, "QEMU did not exit within 1 s of GNTLAB-END; stopped");
	EXPECT_TRUE(ut_wait_gone(e.qemu_pid, 1));
	e2e_free(&e);
}

/* --accel kvm falls back to TCG once when KVM cannot run Xen. */
TEST_TIMEOUT(e2e, kvm_fallback, 60)
{
	static const char *const extra[] = {"--accel", "kvm", NULL};
	struct e2e e;
	char *kvmlog;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "kvm", "kvm-error", extra), 0);
	EXPECT_HAS(e.summary, "verdict: PASS\n");
	EXPECT_HAS(e.summary, "accel: tcg\naccel-note: kvm requested; ");
	EXPECT_HAS(e.args, "-accel\ntcg\n");
	EXPECT_HAS(e.tap, "1..1\nok 1 - map/ro-basic\n");
	kvmlog = e2e_file(&e, "serial-kvm.log");
	if (kvmlog) {
		/* /dev/kvm was usable: the KVM attempt ran and failed. */
		EXPECT_HAS(kvmlog, "KVM internal error. Suberror: 1\n");
		EXPECT_HAS(e.err, "rerunning once with TCG");
		EXPECT_HAS(e.summary, "reran with tcg (see serial-kvm.log)");
	} else {
		EXPECT_HAS(e.summary, "/dev/kvm is not usable");
	}
	free(kvmlog);
	e2e_free(&e);
}

/* SIGTERM and SIGINT: QEMU stopped, results written, exit 130. */
TEST_TIMEOUT(e2e, interrupted, 60)
{
	static const int sigs[] = {SIGTERM, SIGINT};

	ut_need_runner();
	for (size_t i = 0; i < 2; i++) {
		struct e2e e;
		pid_t pid = e2e_start(&e, sigs[i] == SIGTERM ? "sigterm" : "sigint", "hang", NULL);
		char *path = e2e_scratch(&e, "runner.err"), *err = NULL;

		/* Wait until the runner has seen the first test, then interrupt it. */
		for (int tries = 0; tries < 100; tries++) {
			free(err);
			err = ut_slurp(path);
			if (err && strstr(err, "ok 1 map/ro-basic"))
				break;
			usleep(50000);
		}
		free(err);
		free(path);
		kill(pid, sigs[i]);
		EXPECT_EQ(e2e_wait(&e, pid), 130);
		EXPECT_HAS(e.tap, "ok 1 - map/ro-basic\n");
		EXPECT_HAS(e.tap, "not ok 2 - runner/interrupted # runner interrupted by signal");
		EXPECT_HAS(e.summary, "interrupted: yes\n");
		EXPECT_TRUE(ut_wait_gone(e.qemu_pid, 1));
		e2e_free(&e);
	}
}

/* QEMU never outlives the runner, even one killed with SIGKILL. */
TEST_TIMEOUT(e2e, runner_killed, 60)
{
	struct e2e e;
	pid_t pid, qemu = 0;
	int status;
	char *path, *text = NULL;

	ut_need_runner();
	/* Adopt the orphaned fake QEMU, so its death can be observed here. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid = e2e_start(&e, "killed", "hang", NULL);
	path = e2e_scratch(&e, "qemu.pid");
	for (int tries = 0; tries < 100 && !qemu; tries++) {
		usleep(50000);
		free(text);
		text = ut_slurp(path);
		qemu = text ? (pid_t)atoi(text) : 0;
	}
	free(text);
	free(path);
	EXPECT_TRUE(qemu > 0);
	usleep(200000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	/* PR_SET_PDEATHSIG: QEMU follows the runner. */
	if (qemu > 0) {
		bool reaped = false;

		for (int tries = 0; tries < 40 && !reaped; tries++) {
			if (waitpid(qemu, &status, WNOHANG) == qemu)
				reaped = true;
			else
				usleep(50000);
		}
		EXPECT_TRUE(reaped);
		EXPECT_TRUE(reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		if (!reaped)
			kill(qemu, SIGKILL);
	}
	e2e_free(&e);
}

/* Missing inputs, missing QEMU, bad arguments: exit 2 before QEMU starts. */
TEST_TIMEOUT(e2e, environment_errors, 60)
{
	struct e2e e;

	ut_need_runner();
	/* A missing input file. */
	EXPECT_EQ(e2e_run(&e, "nofile", "pass",
			  (const char *const[]){"--xen", "/nonexistent/xen.gz", NULL}),
		  2);
	EXPECT_HAS(e.err, "--xen /nonexistent/xen.gz: No such file or directory");
	EXPECT_TRUE(e.args == NULL); /* QEMU never started */
	EXPECT_TRUE(e.tap == NULL);
	e2e_free(&e);

	/* QEMU not on PATH. */
	EXPECT_EQ(e2e_run(&e, "noqemu", "pass",
			  (const char *const[]){"--qemu", "gntlab-no-such-qemu", NULL}),
		  2);
	EXPECT_HAS(e.err, "QEMU 'gntlab-no-such-qemu' not found on PATH");
	e2e_free(&e);

	/* A comma in the dom0 command line. */
	EXPECT_EQ(e2e_run(&e, "comma", "pass",
			  (const char *const[]){"--dom0-args", "console=hvc0,115200", NULL}),
		  2);
	EXPECT_HAS(e.err, "contains a comma");
	EXPECT_TRUE(e.args == NULL);
	e2e_free(&e);

	/* A usage error. */
	EXPECT_EQ(e2e_run(&e, "usage", "pass", (const char *const[]){"--smp", "many", NULL}), 2);
	EXPECT_HAS(e.err, "--smp wants a positive integer");
	e2e_free(&e);
}

/* --tests and sizes reach QEMU; a rerun replaces only the runner's own files. */
TEST_TIMEOUT(e2e, filter_and_rerun, 60)
{
	static const char *const extra[] = {"--tests", "map/*", "--mem", "2048",
					    "--smp",   "1",	NULL};
	struct e2e e;
	char path[4400], *stale;

	ut_need_runner();
	EXPECT_EQ(e2e_run(&e, "filter", "pass", extra), 0);
	EXPECT_HAS(e.args, "-m\n2048\n-smp\n1\n");
	EXPECT_HAS(e.args, "clocksource=xen tsc=reliable gntlab.ready=");
	EXPECT_HAS(e.args, " gntlab.tests=map/*,");
	/* A second run into the same folder replaces the first one's files,
	 * and only those. */
	snprintf(path, sizeof(path), "%s/olddomain.log", e.results);
	ut_write_file(path, "stale\n");
	snprintf(path, sizeof(path), "%s/notes.txt", e.results);
	ut_write_file(path, "keep me\n");
	EXPECT_EQ(e2e_rerun(&e, "fail", NULL), 1);
	EXPECT_HAS(e.tap, "not ok 2 - map/rw-basic");
	EXPECT_LACKS(e.tap, "m2p/lookup");
	snprintf(path, sizeof(path), "%s/olddomain.log", e.results);
	stale = ut_slurp(path);
	EXPECT_TRUE(stale == NULL);
	free(stale);
	snprintf(path, sizeof(path), "%s/notes.txt", e.results);
	stale = ut_slurp(path);
	EXPECT_STREQ(stale, "keep me\n");
	free(stale);
	e2e_free(&e);
}

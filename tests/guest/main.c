// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-guest-tests: the guest-side suites (tests/guest/suite_*.c) under
 * the harness. Every result is relayed to dom0, which prints it on the
 * serial console; after every test a leak check runs in both domains:
 * the module's counters back to zero, no WARN/BUG/"Bad page" in the guest
 * kernel log (a known kernel report alone makes the test XFAIL), and Xen
 * listing none of dom0's grants as mapped by us.
 *
 * Documentation options (no module, no dom0: they run on the host too, for
 * `make docs`):
 *   --list [--verbose]     the tests (the harness's listing)
 *   --print-matrix[=NAME]  expectation table NAME (default gup) as Markdown
 *   --print-suites         "suite<TAB>title<TAB>text" per suite (SUITE_DOC)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "gt.h"
#include "harness.h"
#include "dom0_client.h"
#include "../crash_patterns.h"

static int stats_fd = -1;
static bool log_was_bad;
/* Time the harness spends around the tests (reported at the end). */
static long long checks_ns, relay_ns, klog_ns, dom0_check_ns;
static unsigned int ntests, nrelays;

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const char *verdict_word(enum th_verdict v)
{
	switch (v) {
	case TH_PASS:
		return "ok";
	case TH_FAIL:
		return "fail";
	case TH_SKIP:
		return "skip";
	case TH_XFAIL:
		return "xfail";
	case TH_XPASS:
		return "xpass";
	case TH_ERROR:
		break;
	}
	return "error";
}

static void relay(const struct th_result *r, void *arg)
{
	long long t0 = mono_ns();
	unsigned int sent = 0;
	char why[800];

	(void)arg;
	ntests++;
	/* XFAIL/XPASS: the reason starts with the reference (one word). */
	if (r->verdict == TH_XFAIL || r->verdict == TH_XPASS)
		snprintf(why, sizeof(why), "%s %s", r->ref && *r->ref ? r->ref : "unnamed",
			 r->reason);
	else
		snprintf(why, sizeof(why), "%s", r->reason);
	/* The log lines and the verdict in one request (dom0_report()). */
	dom0_report(verdict_word(r->verdict), r->name, why, r->log, &sent);
	nrelays += sent;
	relay_ns += mono_ns() - t0;
}

/*
 * The kernel log records added since the last call (/dev/kmsg, read to its
 * end without blocking), judged against the crash patterns and the known
 * kernel reports (tests/crash_patterns.h). Reading only what is new keeps
 * the check cheap whatever the log's size (the whole log, scanned after
 * every test, grew with the run).
 */
static int kmsg_fd = -1;

static void kmsg_new_judge(struct crash_verdict *v)
{
	static char rec[8192];
	struct crash_scan scan;

	crash_verdict_init(v);
	crash_scan_init(&scan, CRASH_KLOG, crash_verdict_add, v);
	for (;;) {
		ssize_t n = read(kmsg_fd, rec, sizeof(rec) - 1);
		char *msg, *nl;

		if (n < 0 && errno == EPIPE)	/* records overwritten: go on */
			continue;
		if (n <= 0)
			break;		/* EAGAIN: nothing more */
		rec[n] = '\0';
		msg = strchr(rec, ';');	/* "prio,seq,usec,flags;text\n KEY=val..." */
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		crash_scan_line(&scan, msg, strlen(msg));
	}
	crash_scan_end(&scan);
}

/*
 * A known kernel report alone (not gntlab's bug) makes the test XFAIL with
 * the report's reference; the message names it in words the console scan
 * does not take for a crash.
 */
static int after_each_checks(char *msg, size_t len)
{
	char line[300], why[400], known[400] = "";
	long long t0, t1;
	int rc;

	if (gt_wait_counters_zero(stats_fd, 5000, msg, len))
		return 1;
	/* A bad kernel log line fails the first test after it appeared (once). */
	t0 = mono_ns();
	if (kmsg_fd >= 0) {
		struct crash_verdict v;

		kmsg_new_judge(&v);
		if (v.unknown) {
			snprintf(msg, len, "guest kernel log: %s", v.line);
			return 1;
		}
		if (v.known)
			snprintf(known, sizeof(known), "%s guest kernel log: known kernel report %s: %s",
				 v.first_known->ref, v.first_known->id, v.first_known->title);
	} else if (!log_was_bad && gt_kernel_log_bad(line, sizeof(line))) {
		log_was_bad = true;
		snprintf(msg, len, "guest kernel log: %s", line);
		return 1;
	}
	t1 = mono_ns();
	klog_ns += t1 - t0;
	rc = dom0_leakcheck(why, sizeof(why));
	dom0_check_ns += mono_ns() - t1;
	if (rc) {
		snprintf(msg, len, "dom0/Xen leak check: %s", why);
		return 1;
	}
	if (known[0]) {
		snprintf(msg, len, "%s", known);
		return TH_CHECK_XFAIL;
	}
	return 0;
}

static int after_each(const char *name, char *msg, size_t len, void *arg)
{
	long long t0 = mono_ns();
	int rc = after_each_checks(msg, len);

	(void)name;
	(void)arg;
	checks_ns += mono_ns() - t0;
	return rc;
}

static int print_matrix(const char *name)
{
	const struct expect_table *t = expect_table_find(name);

	if (!t) {
		fprintf(stderr, "no expectation table \"%s\"; there are:", name);
		for (t = expect_table_first(); t; t = t->next)
			fprintf(stderr, " %s", t->name);
		fputc('\n', stderr);
		return 2;
	}
	expect_print_md(t, stdout);
	return fflush(stdout) ? 2 : 0;
}

int main(int argc, char **argv)
{
	char line[300];
	int rc;

	/* Listing and docs need neither the module nor dom0 (work on the host too). */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--list"))
			return th_main(argc, argv);
		if (!strcmp(argv[i], "--print-matrix"))
			return print_matrix("gup");
		if (!strncmp(argv[i], "--print-matrix=", 15))
			return print_matrix(argv[i] + 15);
		if (!strcmp(argv[i], "--print-suites")) {
			suite_doc_print(stdout);
			return fflush(stdout) ? 2 : 0;
		}
	}
	stats_fd = gt_open();
	if (stats_fd < 0) {
		perror("open " GNTLAB_DEVICE);
		return 2;
	}
	log_was_bad = gt_kernel_log_bad(line, sizeof(line));
	if (log_was_bad)
		dom0_diag("guest kernel log already bad before the suites: %s", line);
	/* Requests through a granted page + event channel, not xenstore. */
	if (dom0_channel_open(line, sizeof(line)))
		dom0_diag("request channel not set up, requests go through xenstore: %s", line);
	/* From here on, only what each test adds (kmsg_new_bad()). */
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0 && lseek(kmsg_fd, 0, SEEK_END) < 0) {
		close(kmsg_fd);
		kmsg_fd = -1;
	}
	th_set_reporter(relay, NULL);
	th_set_after_each(after_each, NULL);
	rc = th_main(argc, argv);
	/* Where the time went besides the tests themselves (slow-run triage). */
	if (ntests)
		dom0_diag("harness overhead: %u tests, leak checks %.1f s (kernel log %.1f s, "
			  "dom0 %.1f s), result relays %.1f s (%u requests)",
			  ntests, (double)checks_ns / 1e9, (double)klog_ns / 1e9,
			  (double)dom0_check_ns / 1e9, (double)relay_ns / 1e9, nrelays);
	return rc;
}

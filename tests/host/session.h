// SPDX-License-Identifier: GPL-2.0
/*
 * One boot, as seen from the serial line: each line is logged, classified
 * and turned into milestones, test results and domain logs; crashes, timeouts
 * and an early end become failing tests. No processes here: the runner feeds
 * lines and clock readings, so the unit tests can do the same.
 */
#ifndef GNTLAB_HOST_SESSION_H
#define GNTLAB_HOST_SESSION_H

#include <stdbool.h>
#include <stdio.h>

#include "phase.h"
#include "../crash_patterns.h"
#include "report.h"

#define SESSION_RECENT	  30 /* serial lines kept as context for timeouts */
#define SESSION_LOG_FILES 32 /* domain logs kept open at once */

struct session_opts {
	FILE *progress;	    /* milestone and test lines; NULL for none */
	bool verbose;	    /* also echo every serial line to progress */
	FILE *serial;	    /* serial.log; NULL for none */
	const char *logdir; /* where <domain>.log files go; NULL for none */
	bool watch_kvm;	    /* look for KVM failures before dom0 speaks */
};

struct domain_log {
	char name[72];
	FILE *f;
};

struct session {
	struct results *res;
	struct session_opts opts;
	struct excerpt pending; /* GNTLAB-DIAG lines waiting for their test */
	struct excerpt recent;	/* the last serial lines */
	unsigned long lineno;	/* line number in serial.log of the last line */
	double last_mark_at;	/* previous TAP or phase marker: start of a test's time */
	bool crashing;
	double crash_at;
	size_t crash_idx; /* index of the crash test in res */
	bool dom0_spoke;  /* a GNTLAB marker was seen */
	bool kvm_failed;  /* KVM could not run this: rerun with TCG */
	char kvm_reason[256];
	struct domain_log logs[SESSION_LOG_FILES];
	size_t nlogs;
	/* The console's crash reports, known ones told apart (crash_patterns.h). */
	struct crash_scan scan;
	unsigned long report_lineno; /* serial.log line of the report being read */
	double now;		     /* time of the line being scanned */
};

/* res must be initialised; its clock origin (QEMU start) is t0. */
void session_init(struct session *s, struct results *res, const struct session_opts *opts,
		  double t0);
void session_line(struct session *s, const char *line, size_t len, double t);
/* A timeout expired (kind from phase_timeout): record it. */
void session_timeout(struct session *s, enum timeout_kind kind, const struct timeouts *to,
		     double now);
void session_interrupted(struct session *s, int sig, double now);
/* QEMU is gone; stopped = the runner killed it. */
void session_qemu_exit(struct session *s, int wstatus, bool stopped, double t);
/* Close the books: missing tests, unclaimed diagnostics, GNTLAB-END status. */
void session_finish(struct session *s, double now);
void session_free(struct session *s);

/* Does a GNTLAB-END status say dom0 was content? ("ok", "pass", "0", ...) */
bool session_end_status_ok(const char *status);

#endif /* GNTLAB_HOST_SESSION_H */

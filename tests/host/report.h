// SPDX-License-Identifier: GPL-2.0
/*
 * What a run found, and the files it is written to: results.tap (TAP 13),
 * junit.xml (as GitLab and Jenkins read it), summary.txt, and the behaviour
 * matrix (matrix.md, matrix.html; see matrix.h).
 *
 * Verdicts follow XTF: "no verdict" is never a pass. A run passes only if at
 * least one test reported, none is FAIL, ERROR or XPASS (a missing test is an
 * ERROR), nothing crashed or timed out, and dom0 said GNTLAB-END.
 */
#ifndef GNTLAB_HOST_REPORT_H
#define GNTLAB_HOST_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "matrix.h"
#include "phase.h"
#include "serial.h"

/* At most this many diagnostic lines are kept per test (the latest ones). */
#define EXCERPT_MAX 200

struct excerpt {
	char **lines;
	size_t n;
	size_t dropped; /* older lines dropped to stay within max */
	size_t max;
};

void excerpt_init(struct excerpt *ex, size_t max);
void excerpt_add(struct excerpt *ex, const char *line, size_t len);
/* Append all of src to dst (each dst keeps its own limit), leaving src empty. */
void excerpt_move(struct excerpt *dst, struct excerpt *src);
void excerpt_clear(struct excerpt *ex);

struct test_case {
	char *name; /* "suite/name" */
	enum test_status status;
	char *ref;	    /* XFAIL/XPASS: the known bug's reference; "" otherwise */
	char *reason;	    /* failure or skip reason, comment of a pass; never NULL */
	double at;	    /* when it was reported, seconds since QEMU start */
	double time;	    /* since the previous test or phase marker */
	bool synthetic;	    /* recorded by the runner (crash, timeout...), not by a test */
	bool missing;	    /* expected (--expect) but never reported: an ERROR */
	struct excerpt log; /* GNTLAB-DIAG lines (or serial context) that came with it */
};

struct results {
	struct test_case *tests;
	size_t n, cap;
	struct excerpt trailing; /* diagnostics no test claimed */
	struct matrix matrix;	 /* GNTLAB-MATRIX cells */

	struct phase_state phase;
	char accel[16];	      /* accelerator actually used */
	char accel_note[256]; /* e.g. why KVM fell back to TCG */
	bool end_seen;
	char end_status[128]; /* payload of GNTLAB-END */
	bool qemu_exited;
	int qemu_wstatus;  /* waitpid status */
	bool qemu_stopped; /* stopped by the runner */
	bool crashed, timed_out, interrupted;
	/* --expect: how many tests the list named (0: no list) and its path. */
	size_t expected;
	char expect_path[256];
	double finished_at; /* runner's end of the run, seconds since QEMU start */
	/* What ran (summary.txt): Xen's and dom0's command lines, and what
	 * dom0 booted the guest with (its "run" log: kernel, initrd, cmdline). */
	char xen_cmdline[1024];
	char dom0_cmdline[1024];
	char guest_boot[1024];
};

struct counts {
	size_t pass, fail, skip, error, xfail, xpass, total;
	size_t missing;	 /* of error: expected tests that never reported */
	size_t reported; /* tests that dom0 reported, not runner-made */
};

void results_init(struct results *r);
void results_free(struct results *r);
struct test_case *results_add(struct results *r, const char *name, enum test_status status,
			      const char *reason, double at, double time, bool synthetic);
/* The reference of an XFAIL/XPASS (copied). */
void test_case_set_ref(struct test_case *t, const char *ref);
struct counts results_count(const struct results *r);
bool results_passed(const struct results *r);
/* Any FAIL, ERROR or XPASS? */
bool results_has_failure(const struct results *r);

/* The suite of a test name: text before the first '/', or "default". */
void test_suite(const char *name, char *buf, size_t size);

/*
 * XML-escape s: & < > " ' as entities; in attributes also TAB/LF/CR as
 * character references; other control characters dropped; invalid UTF-8 (and
 * code points XML 1.0 forbids) replaced by U+FFFD.
 */
void xml_write_escaped(FILE *f, const char *s, bool attr);
char *xml_escape(const char *s, bool attr); /* malloc'd, caller frees */

int report_write_tap(FILE *f, const struct results *r);
int report_write_junit(FILE *f, const struct results *r);
int report_write_summary(FILE *f, const struct results *r);
int report_write_matrix_md(FILE *f, const struct results *r);
int report_write_matrix_html(FILE *f, const struct results *r);
/*
 * Write results.tap, junit.xml, summary.txt, matrix.md, matrix.html and matrix.tsv into
 * dir (each replaced atomically). Returns 0, or -1 with a message on stderr.
 */
int report_write_dir(const char *dir, const struct results *r);

#endif /* GNTLAB_HOST_REPORT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the host unit tests (one file per unit in this folder,
 * all under tests/harness): the checks the harness lacks (substring, text
 * with a readable difference), capture of a writer's output, scratch
 * folders, and the end-to-end driver that runs the real gntlab-runner
 * against fake-qemu.sh.
 *
 *   unit-tests [--runner PATH --fake-qemu PATH]
 *              [--junit-xsd PATH] [--tmp DIR] [harness options: --filter ...]
 *
 * Tests needing a path that was not given SKIP and say so.
 */
#ifndef GNTLAB_HOST_UNIT_H
#define GNTLAB_HOST_UNIT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "harness.h"
#include "matrix.h"
#include "report.h"

/* From the command line; NULL when not given. */
extern const char *ut_runner, *ut_fake_qemu, *ut_junit_xsd;

/* SKIP the test unless the paths it needs were given (and xmllint exists). */
void ut_need_runner(void);
void ut_need_junit_schema(void);

/* ---- checks ---------------------------------------------------------------- */

int ut_check_has(const char *file, int line, int is_assert, const char *expr, const char *hay,
		 const char *needle, bool want);
int ut_check_text(const char *file, int line, int is_assert, const char *expr, const char *got,
		  const char *want);

/* hay (a string, NULL fails) contains / does not contain needle. */
#define EXPECT_HAS(hay, needle)                                                                    \
	TH_ON_FAIL(ut_check_has(__FILE__, __LINE__, 0, #hay, (hay), (needle), true), 0)
#define EXPECT_LACKS(hay, needle)                                                                  \
	TH_ON_FAIL(ut_check_has(__FILE__, __LINE__, 0, #hay, (hay), (needle), false), 0)
/*
 * EXPECT_STREQ for long multi-line text: the message quotes both strings
 * around their first difference, control characters made visible.
 */
#define EXPECT_TEXT(got, want)                                                                     \
	TH_ON_FAIL(ut_check_text(__FILE__, __LINE__, 0, #got, (got), (want)), 0)

/* ---- output capture and files -------------------------------------------- */

/* A memory stream (one at a time); closing it returns what was written. Free it. */
FILE *ut_capture_open(void);
char *ut_capture_close(FILE *f);
/* What writer(FILE *, arg) printed, checking that it returned 0. Free it. */
#define UT_CAPTURE(writer, arg)                                                                    \
	({                                                                                         \
		FILE *ut_f_ = ut_capture_open();                                                   \
		EXPECT_EQ((writer)(ut_f_, (arg)), 0) TH_MSG("%s", #writer);                        \
		ut_capture_close(ut_f_);                                                           \
	})

char *ut_slurp(const char *path); /* the whole file, NULL if unreadable */
void ut_write_file(const char *path, const char *text);
/*
 * A new folder "<name>.XXXXXX" inside this test's scratch folder. The whole
 * scratch folder is removed after a passing test and kept (and named) after
 * a failing one.
 */
char *ut_tmpdir(const char *name);
void ut_rm_rf(const char *dir);

/*
 * Start argv[0] with stdout and stderr into out_path and env ("NAME=value",
 * NULL-terminated, may be NULL) added to its environment.
 */
pid_t ut_spawn(char *const argv[], const char *out_path, const char *const *env);
int ut_wait_exit(pid_t pid); /* its exit code, or 128 + the signal that killed it */
double ut_now(void);	     /* CLOCK_MONOTONIC, in seconds */

/* ---- fixtures shared by several units -------------------------------------- */

/* Four tests: a pass with a diagnostic, a failure with XML-hostile text, a skip, a plain pass. */
void ut_sample_results(struct results *r);
enum matrix_add ut_add_cell(struct matrix *m, const char *row, const char *col,
			    const char *expected, const char *observed);

/* ---- end to end: gntlab-runner against fake-qemu.sh ----------------------- */

struct e2e {
	char *dir; /* this run's scratch folder */
	char results[4200];
	char *tap, *junit, *summary, *serial, *err, *args; /* NULL: not written */
	pid_t qemu_pid;
};

/* Start the runner on scenario; extra arguments after the defaults (later ones win). */
pid_t e2e_start(struct e2e *e, const char *name, const char *scenario, const char *const *extra);
/* Wait for it and load what it wrote. Returns its exit code (or 128+signal). */
int e2e_wait(struct e2e *e, pid_t pid);
int e2e_run(struct e2e *e, const char *name, const char *scenario, const char *const *extra);
/* Run again in the same folder (what the first run wrote is freed). */
int e2e_rerun(struct e2e *e, const char *scenario, const char *const *extra);
char *e2e_file(struct e2e *e, const char *name);    /* a results file; free it */
char *e2e_scratch(struct e2e *e, const char *name); /* a path in the run's folder; free it */
void e2e_free(struct e2e *e);
/* junit.xml is well-formed (a log line, no check, if xmllint is missing). */
void e2e_check_xmllint(const char *results);
/* path is (valid) / is not (!valid) a junit.xml as junit.xsd describes (a log line if no xmllint).
 */
void ut_check_schema(const char *path, bool valid);
/* Is the process gone (or an unreaped zombie) within seconds? */
bool ut_wait_gone(pid_t pid, double seconds);

#endif

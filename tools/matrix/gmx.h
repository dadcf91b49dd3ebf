/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gntlab-matrix: merge the results of several configurations (one results
 * directory each, as `make run CONFIG=<name> RESULTS=<dir>` writes it) into
 * one index: per test and per GUP cell, the outcome in each configuration;
 * where configurations differ, the reason (docs/matrix.md).
 *
 *   load.c   a results directory -> struct gmx_config
 *   merge.c  the union of tests and cells, what differs and why
 *   write.c  index.html, index.md, index.json
 */
#ifndef GNTLAB_MATRIX_GMX_H
#define GNTLAB_MATRIX_GMX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The verdicts of docs/results.md, plus "not run" (no result in a config). */
enum gmx_verdict { V_NONE, V_PASS, V_FAIL, V_SKIP, V_ERROR, V_XFAIL, V_XPASS };
const char *gmx_verdict_name(enum gmx_verdict v);
bool gmx_verdict_fails(enum gmx_verdict v);

struct gmx_test {
	char *name;
	enum gmx_verdict v;
	char *msg; /* the TAP directive's text (why, reference), or NULL */
};

struct gmx_cell {
	char *row, *col, *expected, *observed;
};

/* How far a configuration got. */
enum gmx_state {
	S_RAN,	    /* results written, the tests reported */
	S_NO_BOOT,  /* the runner ran but no test reported: it did not boot */
	S_NOT_RUN,  /* no results at all (the build failed, or no run) */
};

struct gmx_config {
	char *name;
	char *dir;  /* as given */
	char *link; /* dir relative to the output directory, for links */
	enum gmx_state state;
	char *verdict; /* summary.txt's verdict: PASS or FAIL; NULL if none */
	char *why;     /* a failed configuration: the reason in one line */
	char *log;     /* the log that explains a failure (relative to dir) */
	int status;    /* matrix-run.txt's status (make's exit), -1 unknown */
	char *xen, *kernel, *dom0_kernel; /* versions, NULL if unknown */
	char *total;   /* summary.txt's "total" phase ("105.2 s"), NULL if none */
	size_t counts[7]; /* per verdict, from results.tap */
	struct gmx_test *tests;
	size_t ntests;
	struct gmx_cell *cells;
	size_t ncells;
};

/* Read one configuration's results. name may be NULL (then summary.txt's
 * or manifest.txt's "config:", else the directory's last component). */
void gmx_load(struct gmx_config *c, const char *name, const char *dir, const char *outdir);
void gmx_config_free(struct gmx_config *c);
bool gmx_config_failed(const struct gmx_config *c);

/* One TAP line of results.tap; false if it is not a test line. */
bool gmx_parse_tap(const char *line, char **name, enum gmx_verdict *v, char **msg);
/* dir relative to base (both existing directories), or dir itself. */
char *gmx_relpath(const char *dir, const char *base);

/* ---- merged view ---- */

struct gmx_test_row {
	const char *name;
	bool differs;
	bool failed; /* a failing verdict in some configuration */
	const struct gmx_test **in; /* per configuration, NULL: not run there */
};

/* Why one configuration's cell is what it is. */
struct gmx_why {
	const struct gmx_cell *cell; /* NULL: not reported there */
	bool match;		     /* observed == expected */
	const char *reason;	     /* the expectation's reason, or NULL */
	char cond[160];		     /* its condition ("kernel 6.12.."), "" if none */
	const char *xfail;	     /* its reference, if it is a known bug */
};

struct gmx_cell_row {
	const char *row, *col;
	bool differs;	  /* observed differs between configurations */
	bool unexplained; /* some configuration's observation is not its expectation */
	struct gmx_why *in; /* per configuration */
};

struct gmx_merge {
	struct gmx_config *cfg;
	size_t ncfg;
	struct gmx_test_row *tests;
	size_t ntests;
	struct gmx_cell_row *cells;
	size_t ncells;
	size_t failed_cfgs, differing_tests, differing_cells, unexplained;
};

void gmx_merge(struct gmx_merge *m, struct gmx_config *cfg, size_t ncfg);
void gmx_merge_free(struct gmx_merge *m);
/* true when every configuration passed and every difference is explained. */
bool gmx_ok(const struct gmx_merge *m);

int gmx_write_html(FILE *f, const struct gmx_merge *m);
int gmx_write_md(FILE *f, const struct gmx_merge *m);
int gmx_write_json(FILE *f, const struct gmx_merge *m);
/* Configurations and differences only, no links (docs/matrix.md). */
int gmx_write_doc(FILE *f, const struct gmx_merge *m);

void *gmx_xalloc(void *p, size_t n);
char *gmx_strdup(const char *s);

#endif /* GNTLAB_MATRIX_GMX_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Nothing missing goes unnoticed: the list of tests a run should report
 * (runner --expect FILE, computed on the host from the programs' --list
 * before booting), and what the runner makes of it at the end:
 *   - every listed test that did not report is added as an ERROR,
 *     `not ok <name> # missing: run stopped in phase <p> after <last> (<t> s, <why>)`,
 *     plus `; last of its suite: <name>` when its suite's program stopped
 *     earlier than the others;
 *   - a test that reported but is not listed (other than the runner's own
 *     crash/, timeout/... results) becomes an ERROR "reported but not
 *     listed by --list": the list and the program disagree.
 */
#ifndef GNTLAB_HOST_EXPECT_H
#define GNTLAB_HOST_EXPECT_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

struct expect_list {
	char **names; /* in list order, no duplicates */
	size_t n, cap;
	char path[256];
};

/*
 * Read FILE: one test name per line; blank lines and lines starting with '#'
 * are ignored, and so is anything from a TAB on (so `--list --verbose`
 * output works too). Returns 0, or -1 with the reason in err.
 */
int expect_load(struct expect_list *e, const char *path, FILE *err);
void expect_add(struct expect_list *e, const char *name);
bool expect_has(const struct expect_list *e, const char *name);
void expect_free(struct expect_list *e);

/*
 * Where the run stopped, for a missing test: "run stopped in phase tests
 * after m2p/special_invariants (84.2 s, crash)".
 */
void expect_where(const struct results *r, char *buf, size_t size);

/*
 * Hold the results to the list (after session_finish): mark unlisted
 * results, add the missing ones, record the list in r. Returns how many
 * were missing.
 */
size_t expect_apply(const struct expect_list *e, struct results *r);

#endif /* GNTLAB_HOST_EXPECT_H */

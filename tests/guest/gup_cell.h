/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gup suite's cells, shared by its two files (suite_gup.c: the GUP
 * users; suite_gup_vma.c: mlock, madvise, mprotect, core dump). Inside
 * harness tests only.
 */
#ifndef GNTLAB_GUP_CELL_H
#define GNTLAB_GUP_CELL_H

#include <stdbool.h>
#include <stdint.h>

#include "gt_subject.h"

/* One cell: the row's one-page share of dom0, mapped by one subject. */
struct gup_cell {
	int fd;			/* /dev/gntlab (the probes, the module's modes) */
	uint32_t mode;		/* the subject: a module mode or GT_SUBJ_GNTDEV */
	uint32_t seed;		/* what dom0's page holds when the cell starts */
	struct dom0_share *share;
	struct gt_smap map;
};

typedef const char *(*cell_fn)(struct gup_cell *c, void *arg);

/* The errno's name ("EFAULT"), a signal's ("SIGBUS"). */
const char *errname(int e);
const char *signame(int sig);
/*
 * Run `fn` once per subject on one page of dom0 and report every cell
 * against gup_expect (suite_gup.c).
 */
void run_row(const char *row, bool readonly, uint32_t seed, cell_fn fn, void *arg);
/* dom0's page / the mapping still hold pattern(seed). */
void expect_dom0_holds(struct gup_cell *c, uint32_t seed);
void expect_mapping_holds(struct gup_cell *c, uint32_t seed);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between the two halves of the harness: harness.c (registration and
 * everything that runs inside a test child) and th_run.c (the parent: select,
 * fork, collect, report). Not for test programs.
 *
 * Child -> parent records, one line each (short, so each write is atomic):
 *   L<text>  TH_LOG line        F<text>  failed check
 *   S<text>  skip reason        E<text>  ERROR reason (also a check failed
 *                                        in setup, as "setup: ...")
 *   X<ref> <text>  XFAIL_IF held: a failure is expected (ref names the bug)
 *   V<P|F|S|E> the child's own verdict, written last. No V is never a pass.
 */
#ifndef GNTLAB_TH_PRIVATE_H
#define GNTLAB_TH_PRIVATE_H

#include "harness.h"

#include <stddef.h>

#define TH_EXIT_PASS  0
#define TH_EXIT_FAIL  1
#define TH_EXIT_ERROR 3
#define TH_EXIT_SKIP  4
#define TH_RECORD_MAX 1024

extern struct th_test *th_head;
extern unsigned int th_count;
extern struct th_doc *th_docs;
extern int th_sigchld_pipe[2];

void *th_xmalloc(size_t n);

/* Runs one test (one variant) in the current, freshly forked process. */
void th_child(const struct th_test *t, const void *variant, int fd) __attribute__((noreturn));

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random input to the kernel's gntdev from several threads (fuzz_gntdev.c):
 * the engine of gntdev_badinput/fuzz and of `make soak`.
 */
#ifndef GNTLAB_FUZZ_GNTDEV_H
#define GNTLAB_FUZZ_GNTDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "dom0_client.h"

#define FUZZ_GNTDEV_MAX_THREADS 8
#define FUZZ_GNTDEV_ERRNO_MAX 134	/* errnos counted: 1..133 */

struct fuzz_gntdev_opts {
	unsigned int threads;	/* 0 = 4 */
	unsigned long goal;	/* run until this many calls ... */
	double min_s, max_s;	/* ... and at least min_s, at most max_s seconds */
	/* Every 5 s (may be NULL): progress, and dom0's deadline moves. */
	void (*tick)(unsigned long calls, double seconds, void *arg);
	void *arg;
};

struct fuzz_gntdev_result {
	int done;		/* the fuzz process ended (else: killed, threads logged) */
	int status;		/* its wait status */
	double seconds;
	unsigned long calls, ok, copies, mmaps, mmap_ok;
	unsigned long bad_errno, bad_success;	/* must stay 0 */
	unsigned long first_bad;		/* cmd nr << 8 | errno */
	unsigned long errnos[FUZZ_GNTDEV_ERRNO_MAX];	/* refusals by errno */
};

/* Inside a harness test: fuzz gntdev against dom0's share `s` in a child. */
void fuzz_gntdev_run(const struct dom0_share *s, const struct fuzz_gntdev_opts *o,
		     struct fuzz_gntdev_result *res);

#endif

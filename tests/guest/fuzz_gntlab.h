/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random input to /dev/gntlab from several threads (fuzz_gntlab.c): the
 * engine of the fuzz suite's bounded run and of `make soak`.
 */
#ifndef GNTLAB_FUZZ_GNTLAB_H
#define GNTLAB_FUZZ_GNTLAB_H

#include <stdbool.h>
#include <stdint.h>

#include "dom0_client.h"

#define FUZZ_GNTLAB_MAX_THREADS 8
#define FUZZ_GNTLAB_ERRNO_MAX 134	/* errnos counted: 1..133 */

struct fuzz_gntlab_opts {
	unsigned int threads;	/* 0 = 4 */
	unsigned long goal;	/* run until this many calls ... */
	double min_s, max_s;	/* ... and at least min_s, at most max_s seconds */
	bool fork_exit;		/* also race fork, exit and kill -9 of children */
	uint64_t seed;		/* mixed into the time-based seed */
	/* Every 5 s (may be NULL): progress, and dom0's deadline moves. */
	void (*tick)(unsigned long calls, double seconds, void *arg);
	void *arg;
};

struct fuzz_gntlab_stats {
	uint64_t seed;
	double seconds;
	unsigned long calls, ok, mmaps, mmap_ok, forks;
	unsigned long wrong_errno, bad_success;	/* must stay 0 */
	int first_bad_cmd, first_bad_errno;
	unsigned long errnos[FUZZ_GNTLAB_ERRNO_MAX];	/* refusals by errno */
};

/*
 * Inside a harness test (ASSERTs if setting up fails): fuzz against dom0's
 * share `s` (mostly its refs), then close every fd and mapping of the run.
 */
void fuzz_gntlab_run(const struct dom0_share *s, const struct fuzz_gntlab_opts *o,
		     struct fuzz_gntlab_stats *st);

#endif

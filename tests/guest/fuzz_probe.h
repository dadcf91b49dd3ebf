/* SPDX-License-Identifier: GPL-2.0 */
/* The probe fuzz engine (fuzz_probe.c): probe/fuzz and soak/ioctls_probes. */
#ifndef GNTLAB_FUZZ_PROBE_H
#define GNTLAB_FUZZ_PROBE_H

struct probe_fuzz_opts {
	unsigned long goal;	/* probes to make (and at least min_s seconds) */
	int min_s, max_s;	/* max_s: stop there even short of the goal (a failure) */
	/* Every 5 s from the controlling thread (progress, dom0's deadline). */
	void (*tick)(unsigned long calls, double seconds, void *arg);
	void *arg;
};

struct probe_fuzz_result {
	unsigned long calls;
	double seconds;
	unsigned long mismatches;	/* answers that broke a baseline or the format */
};

/*
 * Runs the probers and the mapper, then asserts (in the calling test) every
 * check of probe/fuzz: baselines kept, mapper never failed, the goal
 * reached, refcounts and module counters back, nothing left mapped in Xen.
 */
void probe_fuzz_run(const struct probe_fuzz_opts *o, struct probe_fuzz_result *res);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gntlab-benchreport: what the program's files share. benchreport.c reads
 * the options and runs the steps; benchreport_input.c reads what `make
 * bench` collected into a struct report; benchreport_stats.c has the
 * arithmetic; benchreport_output.c writes the JSON, the Markdown and the
 * gnuplot inputs.
 */
#ifndef GNTLAB_BENCHREPORT_H
#define GNTLAB_BENCHREPORT_H

#include <stdbool.h>
#include <stdio.h>

#define MAXREC 4096		/* measurements read from bench.log */
#define MAXREP 16		/* repetitions of one measurement */
#define MAXBOOT 16		/* `make run`s of bench-boot; image builds */
#define MAXTESTS 256		/* tests timed in those runs */
#define MAXNOTE (MAXREC / 8)	/* notes from the guest */

/* Variants measured by tests/guest/bench.c (its impl_name[]). */
enum { I_SPECIAL, I_NOHOOK, I_PFNMAP, I_GNTDEV, NIMPL };
#define NBATCH 4
#define NSIZE 4
#define NPHASE 5
#define NMS 11
/* Counts of tests/guest/bench.c's "count" records (bench_count.h). */
enum { C_CYCLES, C_MAP_CALLS, C_MAP_ENTRIES, C_UNMAP_CALLS, C_UNMAP_ENTRIES,
       C_XEN_FLUSHES, C_MC_CALLS, C_MC_OPS, C_TLB_MULTI, C_TLB_ONE, C_PT_ALLOC,
       C_PT_RELEASE, C_LOST, C_COMPLETE, NCOUNT };
extern const char *const count_keys[NCOUNT];
extern const char *const impls[NIMPL];
extern const unsigned int batches[NBATCH];	/* throughput batch sizes */
extern const unsigned int sizes[NSIZE];		/* scaling map sizes */
extern const char *const phase_keys[NPHASE];	/* "ns_map", ... */
extern const char *const milestones[NMS];	/* summary.txt milestones */

/* Median, min and max of n values. */
struct dist {
	int n;
	double median, min, max;
};

/* Throughput of one variant at one batch size. */
struct tput {
	double pps[MAXREP];		/* pages/s per rep (index = rep) */
	double cyc[MAXREP];		/* median cycle ns per rep (0 = none) */
	bool have[MAXREP];
	double phase_ns[NPHASE];	/* summed over reps */
	double pages;			/* pages mapped over reps */
	double bad, errs;
};

/* One `make run` (or the bench boot): its summary.txt. */
struct boot {
	char dir[256];
	double ms[NMS];	/* seconds since QEMU start, < 0 if missing */
	char verdict[32];
	int pass, fail, skip;
};

/* One test's junit.xml time in each run. */
struct testtime {
	char name[128];
	double t[MAXBOOT];
	int n;
};

/* Everything read, ready to write. */
struct report {
	int nrec;				/* measurements read */
	char env[1024], done[256];		/* the env and done records */
	char note[MAXNOTE][256];
	int nnote;
	/* 1. throughput */
	struct tput tp[NIMPL][NBATCH];
	int maxrep;
	/* 2. scaling: per variant, per size, per rep */
	double sc_ns[NIMPL][NSIZE][MAXREP], sc_mem[NIMPL][NSIZE][MAXREP];
	double sc_ph[NIMPL][NSIZE][NPHASE];	/* summed over reps */
	int sc_n[NIMPL][NSIZE];
	/* counts: per variant, per batch size (the last record wins) */
	double cnt[NIMPL][NBATCH][NCOUNT];
	bool have_cnt[NIMPL][NBATCH];
	/* 3. boot to verdict: full runs, and bare boots (`make smoke`) beside them */
	struct boot boots[MAXBOOT], benchboot, bares[MAXBOOT];
	int nboot, nbare;
	struct testtime tests[MAXTESTS];
	int ntests;
	char label[MAXBOOT][64];		/* image builds */
	double build_s[MAXBOOT];
	int nbuild;
};

/*
 * benchreport_input.c. read_bench_log() returns -1 when the file cannot be
 * read; the others leave what they cannot read empty.
 */
int read_bench_log(const char *path, struct report *r);
void read_summary(const char *path, struct boot *b);
void read_junit(const char *path, struct report *r);
void read_builds(const char *path, struct report *r);

/* benchreport_stats.c */
struct dist stats(const double *v, int n);
double fit(const double *x, const double *y, int n, double *icpt);
struct dist ratios(const struct tput *a, const struct tput *b, bool by_cycle);

/* benchreport_output.c: <out>.json, <out>.md, <out>-*.dat, <out>.gp */
int write_report(const struct report *r, const char *out);
/* benchreport_counts.c: the counts section (JSON, Markdown) and its criterion */
bool write_counts(const struct report *r, FILE *jf, FILE *mf);
int write_gnuplot(const char *out);

#endif /* GNTLAB_BENCHREPORT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gntlab-soakreport: soak.json and soak.md from what `make soak` collected
 * (docs/soak.md). soak_parse.c reads soak.log (the run's GNTLAB-LOG soak
 * records, dom0-tools/soak.h) and results.tap into a struct soak;
 * soak_write.c writes the JSON and the Markdown; soakreport.c is main.
 */
#ifndef GNTLAB_SOAKREPORT_H
#define GNTLAB_SOAKREPORT_H

#include <stdbool.h>
#include <stdio.h>

#define SOAK_MAXRATE 4096	/* rate samples kept */
#define SOAK_MAXERR 64		/* distinct (phase, errno) pairs */
#define SOAK_MAXV 64		/* soak/ verdicts */
#define SOAK_MAXMEM 16		/* mem records (baseline, after-*, end) */

/* dom0's and Xen's memory at one record; -1 = not known. */
struct soak_memrec {
	char phase[32];
	double t;
	long d0_free_kb, d0_avail_kb, d0_slab_kb;
	long long xen_free_kb;
	long grants_of_d0, grants_by_d0, dying;	/* after-* records */
};

struct soak_rate {
	char phase[32];
	double t;		/* dom0's uptime */
	double seconds;		/* since the phase began */
	unsigned long count;
	long g_free_kb, d0_avail_kb;
	long long xen_free_kb;
};

struct soak_err {
	char phase[32];
	char name[32];		/* EINVAL, ... */
	unsigned long count;
};

struct soak_verdict {
	char name[96];
	char verdict[8];	/* ok, fail, skip, error, xfail, xpass, missing */
	char why[200];
};

/* The guest's module counters left non-zero, as a soak/ test reported them. */
struct soak_modleak {
	char test[96];		/* the first test that reported it */
	long maps, grants_user, grants_kernel, pages, deferred;
	int reports;		/* tests that reported counters not zero */
};

struct soak {
	/* asked (the start record); -1 if missing */
	long ask_ioctls, ask_cycles, ask_destroys, ask_seconds;
	/* done */
	unsigned long calls_gntlab, calls_gntdev, forks, cycles, destroys, destroy_failed,
		no_bringup;
	unsigned long probes;	/* soak/ioctls_probes: not in the ioctls' total */
	double sec_gntlab, sec_gntdev, sec_probes, sec_cycles, sec_destroys, sec_total;
	unsigned long destroy_s_n;
	double destroy_s_sum, bringup_s_sum;
	double trend_first_kb, trend_last_kb;	/* guest MemFree, cycles; < 0: none */
	double d0_destroy_first_kb, d0_destroy_last_kb;	/* dom0 MemAvailable */
	struct soak_memrec mem[SOAK_MAXMEM];
	int nmem;
	struct soak_rate rate[SOAK_MAXRATE];
	int nrate;
	struct soak_err err[SOAK_MAXERR];
	int nerr;
	struct soak_verdict v[SOAK_MAXV];
	int nv;
	struct soak_modleak modleak;	/* reports == 0: none */
	int bad_lines;		/* records that could not be read */
};

void soak_init(struct soak *s);
/* One soak.log line (the record; a "GNTLAB-LOG soak " prefix is skipped). */
void soak_parse_line(struct soak *s, const char *line);
/* One results.tap line; only soak/ tests are kept. */
void soak_parse_tap(struct soak *s, const char *line);
/* Files: 0, or -1 with a message naming the file on stderr. */
int soak_read_log(struct soak *s, const char *path);
int soak_read_tap(struct soak *s, const char *path);

/*
 * Leaks found: grant entries left, dying domains, memory past its slack,
 * and what the guest's module counters held when a soak/ test found them
 * not zero (maps + grants + pages + deferred, the largest such report).
 */
unsigned long soak_leaks(const struct soak *s);
/* Verdicts that fail (fail, error, xpass, missing). */
int soak_failed(const struct soak *s);

void soak_write_json(const struct soak *s, FILE *f);
void soak_write_md(const struct soak *s, FILE *f);

#endif

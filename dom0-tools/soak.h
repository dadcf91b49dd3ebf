/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `make soak` in dom0 (docs/soak.md): the records of soak.log and the
 * memory they carry. Every record is one line
 *     GNTLAB-LOG soak <record> key=value ... t=<s> d0_free_kb=<n> ...
 * (dom0 appends its uptime and the memory figures); tools/soak/ reads them.
 * The scenario itself is scen_soak (scen_soak.c, soak_destroy.c).
 */
#ifndef GNTLAB_SOAK_H
#define GNTLAB_SOAK_H

#include <stdbool.h>
#include <xenctrl.h>

struct soak_mem {
	double t;		/* dom0 uptime, s */
	long d0_free_kb;	/* /proc/meminfo MemFree */
	long d0_avail_kb;	/* MemAvailable */
	long d0_slab_kb;	/* Slab */
	long long xen_free_kb;	/* xc_physinfo free_pages * 4 */
};

/* Read them now (fields that cannot be read are -1). */
void soak_mem_read(xc_interface *xc, struct soak_mem *m);
/* Print one record with dom0's time and memory appended. */
void soak_log(xc_interface *xc, const char *record);
void soak_logf(xc_interface *xc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The scale (gntlab.soak= on dom0's command line), and the clock of the run. */
struct soak_params {
	unsigned long ioctls, cycles, destroys, seconds;
};
extern struct soak_params soak_p;
double soak_elapsed(void);

struct scen_env;
struct step_res;
/* soak_destroy.c: the destroy cycles (a step of scen_soak). */
void soak_destroy_cycles(struct scen_env *e, struct step_res *r);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Subjects: what a suite maps dom0's grants with. Our module's three modes
 * (special, nohook, pfnmap: /dev/gntlab, gtmap.h) and the kernel's own
 * driver (gntdev: /dev/xen/gntdev, gntdev_map.h). The names are the keys of
 * the expectation tables (expect.h), the variant names and the matrix
 * columns. Used inside harness tests (m2p, gup).
 */
#ifndef GNTLAB_GT_SUBJECT_H
#define GNTLAB_GT_SUBJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "gntdev_map.h"
#include "gt.h"

/* Subjects 0..GNTLAB_MODE_COUNT-1 are the module's modes; then gntdev. */
enum { GT_SUBJ_GNTDEV = GNTLAB_MODE_COUNT, GT_SUBJ_COUNT };

extern const char *const gt_subject_name[GT_SUBJ_COUNT];

static inline bool gt_subject_is_gntdev(uint32_t subj)
{
	return subj == GT_SUBJ_GNTDEV;
}

/* dom0's share mapped by one subject. */
struct gt_smap {
	uint32_t subj;
	uint8_t *addr;		/* the mapping (NULL: none) */
	size_t len;
	struct gt_map gt;	/* module subjects */
	int gdfd;		/* gntdev: its own /dev/xen/gntdev fd, else -1 */
	struct gd_map gd;	/* gntdev */
};

/* Why the subject cannot run here (NULL: it can): gntdev's node missing. */
const char *gt_subject_unavailable(uint32_t subj);
/*
 * Map every ref of `s` with the subject: the module through gtfd in mode
 * `subj`; gntdev through a fresh /dev/xen/gntdev fd (MAP_GRANT_REF + mmap
 * MAP_SHARED, PROT_READ only if readonly). 0 or errno; *m is reset first.
 */
int gt_smap_map(int gtfd, uint32_t subj, const struct dom0_share *s, bool readonly,
		struct gt_smap *m);
/* munmap + unmap (+ close gntdev's fd); safe on any state; 0 or errno. */
int gt_smap_unmap(struct gt_smap *m);
/*
 * The module's introspection of addr (root): GNTLAB_IOC_INTROSPECT inside a
 * module map, GNTLAB_IOC_INTROSPECT_ANY for gntdev's (another driver's
 * mapping). 0 or errno; EOPNOTSUPP when the module lacks INTROSPECT_ANY.
 */
int gt_smap_introspect(int gtfd, const struct gt_smap *m, const void *addr,
		       struct gntlab_introspect *in);
/* The module's GUP probe at addr (GUP_PROBE_ANY for gntdev when present). */
int gt_smap_gup(int gtfd, const struct gt_smap *m, const void *addr, uint32_t kind, bool write,
		struct gntlab_gup_probe *p);

#endif

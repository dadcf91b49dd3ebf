/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest test suites (tests/guest/suite_*.c): mapping
 * dom0's shares through /dev/gntlab, introspection, GUP probes, and the
 * module's counters.
 */
#ifndef GNTLAB_GT_H
#define GNTLAB_GT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gntlab.h"
#include "peer.h"

#define GT_PAGE 4096u

struct gt_map {
	int fd;			/* /dev/gntlab fd the map belongs to */
	uint8_t *addr;		/* NULL if not mmapped */
	size_t len;
	uint64_t index;		/* mmap offset */
	uint32_t count;
	bool reserved;		/* GNTLAB_IOC_MAP done, not yet UNMAPped */
};

extern const char *const gt_mode_name[GNTLAB_MODE_COUNT];

/* open(/dev/gntlab); -1 with errno on failure. */
int gt_open(void);
/* GNTLAB_IOC_MAP of every ref of `s`; returns 0 or errno. */
int gt_reserve(int fd, const struct peer_share *s, uint32_t mode, bool readonly,
	       struct gt_map *m);
/* mmap the reserved map; returns 0 or errno. prot as for mmap(). */
int gt_mmap(struct gt_map *m, int prot, int flags);
/* reserve + mmap (MAP_SHARED, read/write unless readonly); 0 or errno. */
int gt_map(int fd, const struct peer_share *s, uint32_t mode, bool readonly,
	   struct gt_map *m);
/* munmap (if mapped) + GNTLAB_IOC_UNMAP (if reserved); 0 or errno. */
int gt_unmap(struct gt_map *m);
/* Wait (<= timeout_ms) for every live counter of the module to be zero. */
int gt_wait_counters_zero(int fd, int timeout_ms, char *why, size_t len);
int gt_stats(int fd, struct gntlab_stats *st);
int gt_introspect(int fd, const void *addr, struct gntlab_introspect *in);
int gt_gup(int fd, const void *addr, uint32_t kind, bool write,
	   struct gntlab_gup_probe *p);
/* Did the guest kernel log a WARN/BUG/Oops/"Bad page" line? */
bool gt_kernel_log_bad(char *line, size_t len);

#endif

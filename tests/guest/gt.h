/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest test suites (tests/guest/suite_*.c): mapping
 * dom0's shares (struct peer_share) through /dev/gntlab on top of gtmap.h,
 * the module's counters, the kernel log.
 */
#ifndef GNTLAB_GT_H
#define GNTLAB_GT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gntlab.h"
#include "gtmap.h"
#include "peer.h"

extern const char *const gt_mode_name[GNTLAB_MODE_COUNT];

/* GNTLAB_IOC_MAP of every ref of `s`; returns 0 or errno. */
int gt_reserve(int fd, const struct peer_share *s, uint32_t mode, bool readonly,
	       struct gt_map *m);
/* reserve + mmap (MAP_SHARED, read/write unless readonly); 0 or errno. */
int gt_map(int fd, const struct peer_share *s, uint32_t mode, bool readonly,
	   struct gt_map *m);
/* Wait (<= timeout_ms) for every live counter of the module to be zero;
 * -1 with the reason in `why` if they are not. */
int gt_wait_counters_zero(int fd, int timeout_ms, char *why, size_t len);
/* Did the guest kernel log a WARN/BUG/Oops/"Bad page" line? */
bool gt_kernel_log_bad(char *line, size_t len);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: pte_offset_map_lock() is a function (a static inline around
 * __pte_offset_map_lock() in 6.5+, out of line in 7.x), not the macro of
 * 6.1; whether the out-of-line one is exported:
 * HAVE_EXPORT_PTE_OFFSET_MAP_LOCK (Module.symvers).
 */
#include <linux/mm.h>

const void *probe_sym = pte_offset_map_lock;

// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: pte_offset_map_lock() is a function of its own (7.x), not the
 * macro of 6.1 nor the wrapper of __pte_offset_map_lock() of 6.5+; whether
 * it is exported: HAVE_EXPORT_PTE_OFFSET_MAP_LOCK (Module.symvers).
 */
#include <linux/mm.h>

const void *probe_sym = pte_offset_map_lock;

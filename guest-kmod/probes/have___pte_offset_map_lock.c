// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: pte_offset_map_lock() is an out-of-line __pte_offset_map_lock()
 * (Linux 6.5+, "mm/pgtable: add rcu_read_lock() and rcu_read_unlock()s"
 * series), which Debian's kernels do not export to modules (configure.sh
 * checks the export in Module.symvers: HAVE_EXPORT___PTE_OFFSET_MAP_LOCK).
 */
#include <linux/mm.h>

const void *probe_sym = __pte_offset_map_lock;

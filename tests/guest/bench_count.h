/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counting what a map/unmap cycle asks of Xen, in the guest, with the
 * kernel's tracing (tracefs; no perf needed): counts, not times, so they do
 * not move with the shared machine's load (docs/bench.md, "Counts").
 *
 * Kprobe events on the guest kernel's gnttab_map_refs() and
 * gnttab_unmap_refs() (one GNTTABOP hypercall for the ops, a second one for
 * the kernel-half ops when that pointer is not NULL, `count` entries each:
 * drivers/xen/grant-table.c, arch/x86/xen/p2m.c) and on the module's
 * gntlab_user_unmap_run() (its one direct GNTTABOP_unmap_grant_ref
 * hypercall); the tracepoints xen:xen_mc_flush (each flush of a non-empty
 * multicall batch is one hypercall: a single op or HYPERVISOR_multicall),
 * xen:xen_mmu_flush_tlb_multi and xen:xen_mmu_flush_tlb_one_user (the
 * guest's TLB flush requests), xen:xen_mmu_alloc_ptpage and
 * xen:xen_mmu_release_ptpage (page-table pages). Xen 4.17 itself flushes
 * the TLB after every group of up to 32 ops of an unmap hypercall
 * (GNTTAB_UNMAP_BATCH_SIZE): counted from the unmap hypercalls' sizes.
 * A stacktrace trigger on xen:xen_mc_flush names each flush's task and
 * caller: the context switches of other tasks (the idle task, the RCU
 * thread), which come with any window as often as it is long, are kept
 * apart (mc_other) instead of being counted as the cycle's.
 */
#ifndef GNTLAB_BENCH_COUNT_H
#define GNTLAB_BENCH_COUNT_H

#include <stdbool.h>
#include <stddef.h>

#define BENCH_COUNT_MC_BY 8

struct bench_counts {
	unsigned long map_calls, map_entries;	  /* GNTTABOP_map_grant_ref */
	unsigned long unmap_calls, unmap_entries; /* GNTTABOP_unmap_grant_ref */
	unsigned long xen_unmap_flushes;	  /* ceil(entries / 32) per unmap call */
	unsigned long mc_calls, mc_ops;		  /* non-empty multicall flushes, their ops */
	unsigned long mc_other;			  /* not counted: other tasks' context switches */
	unsigned long tlb_multi, tlb_one;	  /* guest TLB flush requests */
	unsigned long pt_alloc, pt_release;	  /* page-table pages */
	unsigned long lost;			  /* trace lines lost (buffer overrun) */
	/* The multicall flushes by task and caller ("comm:function", the
	 * first frame of the event's stack outside the multicall code), the
	 * most frequent first; empty without the stacktrace trigger. */
	struct {
		char who[64];
		unsigned long n;
	} mc_by[BENCH_COUNT_MC_BY];
	unsigned int mc_by_n;
};

/*
 * Set up the probes. Returns 0 (why[] names any tracepoint missing, counted
 * as 0), or -1 with why[] saying what is missing;
 * *ours_complete is false when the module's own unmap hypercall cannot be
 * probed (then ours' unmap counts miss it).
 */
int bench_count_setup(char *why, size_t len, bool *ours_complete);
/* Start counting (clears the trace). */
void bench_count_begin(void);
/* Stop and add up what was traced since bench_count_begin(). */
int bench_count_end(struct bench_counts *c);
/* Remove the probes. */
void bench_count_teardown(void);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab: the grant hypercalls of a map, in batches: mapping both halves of
 * every grant (for mmap, gntlab_mmap.c), and their teardown.
 *
 * Each grant of a map is mapped twice while the map is mmapped:
 *  - at the user PTE (GNTMAP_contains_pte, host_addr = machine address of the
 *    PTE), the "user half";
 *  - at the kernel linear address of a ballooned page (GNTMAP_host_map), the
 *    "kernel half", which also makes gnttab_map_refs() point the page's p2m
 *    entry at the foreign frame and mark the page PageForeign.
 *
 * Teardown is split along the same line. The user half is unmapped as soon
 * as the core mm announces that the PTE goes away (mmu interval notifier),
 * because the core would otherwise clear a PTE that Xen still counts as a
 * grant mapping. The kernel half is unmapped only once nobody but us holds
 * a reference to the page; see gntlab_kernel_sweep(). Two strategies, chosen
 * by the size of the range (gntlab_unmap_va_range(); docs/module.md,
 * "Teardown" and "Parameters"):
 *  - the split unmap, as gntdev: the user halves in one hypercall per
 *    contiguous run of mapped pages, then the kernel halves of the pages
 *    nobody else holds (gntlab_user_unmap(), gntlab_kernel_sweep());
 *  - the one-pass unmap, for ranges of up to GNTLAB_ONEPASS_MAX pages: both
 *    halves of every page nobody else holds in one hypercall
 *    (gntlab_unmap_combined()).
 * The map's last reference (gntlab_map_put()) and its delayed work
 * (gntlab_unmap_work()) finish what waits and free the map.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include "gntlab_priv.h"
#include "gntlab_compat.h"

/* Status value no GNTST_* code uses: "Xen did not process this op". */
#define GNTLAB_ST_UNSET		1

/* Retry delays of the deferred kernel unmap: 5 ms, 10 ms, ... up to 1 s. */
#define GNTLAB_RETRY_STEP_MS	5
#define GNTLAB_RETRY_MAX_MS	1000
/* Say so in the log when a page is still referenced after this many tries. */
#define GNTLAB_RETRY_WARN_AGE	100

/* Translate a GNTST_* status into the errno returned to user space. */
static int gntlab_status_errno(s16 status)
{
	switch (status) {
	case GNTST_okay:
		return 0;
	case GNTST_bad_domain:
		return -ESRCH;
	case GNTST_bad_gntref:
		return -ENOENT;
	case GNTST_bad_handle:
	case GNTST_bad_copy_arg:
		return -EINVAL;
	case GNTST_bad_virt_addr:
	case GNTST_bad_dev_addr:
	case GNTST_bad_page:
		return -EFAULT;
	case GNTST_no_device_space:
	case GNTST_no_space:
		return -ENOSPC;
	case GNTST_permission_denied:
		return -EACCES;
	case GNTST_address_too_big:
		return -E2BIG;
	case GNTST_eagain:
		return -EAGAIN;
	default:	/* GNTST_general_error, GNTLAB_ST_UNSET, unknown */
		return -EIO;
	}
}

bool gntlab_user_mapped(struct gntlab_grant_map *map, unsigned int idx)
{
	return READ_ONCE(map->unmap_ops[idx].handle) != INVALID_GRANT_HANDLE;
}

bool gntlab_kernel_mapped(struct gntlab_grant_map *map, unsigned int idx)
{
	return READ_ONCE(map->kunmap_ops[idx].handle) != INVALID_GRANT_HANDLE;
}

/* ------------------------------------------------------------------ */
/* Unmapping */

/*
 * Clear the notify byte through the kernel alias if it lies in pages
 * [first, last) whose grants are about to be unmapped. Called with
 * map->lock held, before any of those grants is unmapped.
 */
static void gntlab_notify_clear(struct gntlab_grant_map *map,
				unsigned int first, unsigned int last)
{
	unsigned long pg;
	u8 *p;

	if (!(map->notify_action & GNTLAB_NOTIFY_CLEAR_BYTE))
		return;
	pg = map->notify_offset >> PAGE_SHIFT;
	if (pg < first || pg >= last || !gntlab_user_mapped(map, pg))
		return;
	map->notify_action &= ~GNTLAB_NOTIFY_CLEAR_BYTE;
	if (map->kalias_ro || !gntlab_kernel_mapped(map, pg)) {
		pr_warn_ratelimited("unmap notify byte not cleared: page not writable\n");
		return;
	}
	p = page_address(map->pages[pg]);
	WRITE_ONCE(p[offset_in_page(map->notify_offset)], 0);
	/* Visible to the peer before the unmap and before the event. */
	smp_wmb();
}

/*
 * Account for Xen's answer to the user-half unmap op of page i (status in
 * map->unmap_ops[i], rc of the hypercall) and invalidate its handle: from
 * here on find_special_page() no longer returns the page. Counter changes
 * are summed in *t and applied once per batch (gntlab_tally_apply()).
 */
struct gntlab_tally {
	long user_unmapped, kernel_unmapped, deferred, errors;
};

static void gntlab_tally_apply(const struct gntlab_tally *t)
{
	if (t->user_unmapped)
		atomic64_sub(t->user_unmapped, &gntlab_stats.live_grants_user);
	if (t->kernel_unmapped)
		atomic64_sub(t->kernel_unmapped, &gntlab_stats.live_grants_kernel);
	if (t->deferred)
		atomic64_add(t->deferred, &gntlab_stats.deferred_unmaps);
	if (t->errors)
		atomic64_add(t->errors, &gntlab_stats.unmap_errors);
}

static void gntlab_user_unmapped(struct gntlab_grant_map *map, unsigned int i,
				 int rc, struct gntlab_tally *t)
{
	s16 status = map->unmap_ops[i].status;

	WRITE_ONCE(map->unmap_ops[i].handle, INVALID_GRANT_HANDLE);
	if (!rc && status == GNTST_okay) {
		t->user_unmapped++;
	} else {
		/* Xen still maps the grant at that PTE: keep the page. */
		map->state[i] |= GNTLAB_PG_LEAKED;
		t->errors++;
		pr_err_ratelimited("user unmap of page %u failed: rc %d status %d\n",
				   i, rc, status);
	}
}

/* Same for the kernel half (status in map->kunmap_ops[i]). */
static void gntlab_kernel_unmapped(struct gntlab_grant_map *map, unsigned int i,
				   struct gntlab_tally *t)
{
	WRITE_ONCE(map->kunmap_ops[i].handle, INVALID_GRANT_HANDLE);
	if (map->kunmap_ops[i].status == GNTST_okay) {
		t->kernel_unmapped++;
	} else {
		map->state[i] |= GNTLAB_PG_LEAKED;
		t->errors++;
		pr_err_ratelimited("kernel unmap of page %u failed: status %d\n",
				   i, map->kunmap_ops[i].status);
	}
}

/* Queue the kernel half of page i for gntlab_kernel_sweep(), if mapped. */
static void gntlab_kernel_defer(struct gntlab_grant_map *map, unsigned int i,
				struct gntlab_tally *t)
{
	if (gntlab_kernel_mapped(map, i) &&
	    !(map->state[i] & GNTLAB_PG_KPENDING)) {
		map->state[i] |= GNTLAB_PG_KPENDING;
		map->pending++;
		t->deferred++;
	}
}

/*
 * Unmap the user half of pages [start, start + n), all mapped, in one
 * hypercall with the ops kept in map->unmap_ops (Xen writes only their
 * status), and queue their kernel half. map->lock held.
 */
static void gntlab_user_unmap_run(struct gntlab_grant_map *map,
				  unsigned int start, unsigned int n)
{
	struct gntlab_tally t = { 0 };
	unsigned int i;
	int rc;

	for (i = start; i < start + n; i++)
		map->unmap_ops[i].status = GNTLAB_ST_UNSET;
	rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref,
				       map->unmap_ops + start, n);
	for (i = start; i < start + n; i++) {
		gntlab_user_unmapped(map, i, rc, &t);
		gntlab_kernel_defer(map, i, &t);
	}
	gntlab_tally_apply(&t);
}

/*
 * Unmap the user half of the grants of pages [first, last), one hypercall
 * per contiguous run of mapped pages, and queue their kernel half. Xen 4.17
 * flushes the TLB after every group of up to 32 unmap ops of a hypercall
 * (GNTTAB_UNMAP_BATCH_SIZE): the first version's hypercalls of 16 ops cost
 * a flush and a hypercall entry per 16 pages (docs/bench.md, change 1).
 * Called with map->lock held, while the PTEs still exist (from the notifier
 * before the core zaps them, or on the mmap error path). Returns how many
 * grants were handed to Xen.
 */
static unsigned int gntlab_user_unmap(struct gntlab_grant_map *map,
				      unsigned int first, unsigned int last)
{
	unsigned int i = first, start, total = 0;

	gntlab_notify_clear(map, first, last);

	while (i < last) {
		if (!gntlab_user_mapped(map, i)) {
			i++;
			continue;
		}
		start = i;
		while (i < last && gntlab_user_mapped(map, i))
			i++;
		gntlab_user_unmap_run(map, start, i - start);
		total += i - start;
	}
	return total;
}

/* Unmap the kernel half of pages [start, start + n). map->lock held. */
static void gntlab_kernel_unmap_run(struct gntlab_grant_map *map,
				    unsigned int start, unsigned int n)
{
	struct gntlab_tally t = { 0 };
	unsigned int i;

	for (i = start; i < start + n; i++)
		map->kunmap_ops[i].status = GNTLAB_ST_UNSET;

	/*
	 * gnttab_unmap_refs() unmaps these ops, clears PageForeign and puts
	 * the p2m entries back to INVALID_P2M_ENTRY. It returns -EINVAL when
	 * a p2m entry was not foreign, which is expected for pages whose
	 * user half failed to map (set_foreign_p2m_mapping() skipped them):
	 * the per-op status is what tells whether Xen unmapped.
	 */
	gnttab_unmap_refs(map->kunmap_ops + start, NULL, map->pages + start, n);

	for (i = start; i < start + n; i++) {
		map->state[i] &= ~GNTLAB_PG_KPENDING;
		map->pending--;
		t.deferred--;
		gntlab_kernel_unmapped(map, i, &t);
	}
	gntlab_tally_apply(&t);
}

static bool gntlab_sweepable(struct gntlab_grant_map *map, unsigned int i)
{
	return (map->state[i] & GNTLAB_PG_KPENDING) &&
	       page_count(map->pages[i]) == 1;
}

/*
 * Unmap the kernel half of every pending page that nobody else references.
 * Called with map->lock held.
 *
 * Why wait for the references (the semantics of gnttab_unmap_refs_async()
 * and _sync(), which check page_count() > 1 the same way): a reference on
 * one of our pages was taken by get_user_pages() through
 * find_special_page() (O_DIRECT, vmsplice, /proc/PID/mem, ...). Its holder
 * reaches the data through page_address() (the kernel alias) or through
 * page_to_pfn() -> p2m -> the foreign frame (DMA). Unmapping the kernel
 * half would pull both from under it: kernel accesses would fault on an
 * unmapped alias and device I/O would go to a frame that is no longer ours.
 * So the kernel half stays until page_count() is back to our own single
 * reference, retried from unmap_work with a growing delay. The user half
 * does not have to wait: nobody reaches the page through the user PTE once
 * it is gone, and it must go before the core clears the PTE.
 *
 * This is done here rather than with gnttab_unmap_refs_async() because the
 * notifier can be asked for any sub-range of the map (partial munmap,
 * madvise) while an earlier sub-range still waits, and each async request
 * would need its own allocation inside the notifier.
 */
static void gntlab_kernel_sweep(struct gntlab_grant_map *map)
{
	unsigned int i = 0, start;

	while (map->pending && i < map->count) {
		if (!gntlab_sweepable(map, i)) {
			i++;
			continue;
		}
		start = i;
		while (i < map->count && gntlab_sweepable(map, i))
			i++;
		gntlab_kernel_unmap_run(map, start, i - start);
	}
}

static void gntlab_queue_work(struct gntlab_grant_map *map)
{
	if (map->work_queued || !map->pending)
		return;
	map->work_queued = true;
	map->age = 0;
	queue_delayed_work(gntlab_wq, &map->unmap_work,
			   msecs_to_jiffies(GNTLAB_RETRY_STEP_MS));
}

void gntlab_unmap_work(struct work_struct *work)
{
	struct gntlab_grant_map *map =
		container_of(to_delayed_work(work), struct gntlab_grant_map,
			     unmap_work);
	unsigned int delay;
	bool free_now = false;

	mutex_lock(&map->lock);
	gntlab_kernel_sweep(map);
	if (map->pending) {
		if (map->age < UINT_MAX)
			map->age++;
		if (map->age == GNTLAB_RETRY_WARN_AGE)
			pr_warn("%u pages still referenced, kernel unmap deferred\n",
				map->pending);
		delay = min_t(unsigned long,
			      (unsigned long)GNTLAB_RETRY_STEP_MS * (map->age + 1),
			      GNTLAB_RETRY_MAX_MS);
		queue_delayed_work(gntlab_wq, &map->unmap_work,
				   msecs_to_jiffies(delay));
	} else {
		map->work_queued = false;
		free_now = map->dead;
	}
	mutex_unlock(&map->lock);

	if (free_now)
		gntlab_map_free(map);
}

/*
 * Take and drop every PTE lock of user range [start, end) of mm: one page
 * per page table, since a PTE lock covers a whole page table.
 */
static void gntlab_ptl_barrier(struct mm_struct *mm, unsigned long start,
			       unsigned long end)
{
	unsigned long addr, next;

	for (addr = start; addr < end; addr = next) {
		next = pmd_addr_end(addr, end);
		gntlab_ptl_barrier_at(mm, addr);
	}
}

/*
 * One-pass unmap of the user halves mapped in pages [first, last), and of
 * the kernel halves of those pages that nobody else references, in one
 * hypercall. Called with map->lock held while the PTEs still exist, for at
 * most GNTLAB_ONEPASS_MAX pages (the size of uk_ops). Pages that are
 * referenced keep their kernel half, queued for gntlab_kernel_sweep() as in
 * the split unmap.
 */
static void gntlab_unmap_combined(struct gntlab_grant_map *map,
				  struct mm_struct *mm,
				  unsigned int first, unsigned int last)
{
	struct gntlab_tally t = { 0 };
	unsigned int i, j = 0, start, n = 0;

	gntlab_notify_clear(map, first, last);
	for (i = first; i < last; i++) {
		if (!gntlab_user_mapped(map, i))
			continue;
		WRITE_ONCE(map->state[i], map->state[i] | GNTLAB_PG_UGOING);
		n++;
	}
	if (!n)
		return;
	/*
	 * get_user_pages() reads the PTE, calls find_special_page() and
	 * takes its page reference all under the PTE lock. After one pass
	 * through the locks, every GUP that found one of these pages holds
	 * its reference, and no new one can find them: page_count() below
	 * is final.
	 */
	gntlab_ptl_barrier(mm, map->vm_start + ((unsigned long)first << PAGE_SHIFT),
			   map->vm_start + ((unsigned long)last << PAGE_SHIFT));

	for (i = first; i < last; i++) {
		if (!(map->state[i] & GNTLAB_PG_UGOING) ||
		    !gntlab_kernel_mapped(map, i) ||
		    (map->state[i] & GNTLAB_PG_KPENDING) ||
		    page_count(map->pages[i]) != 1)
			continue;
		map->state[i] |= GNTLAB_PG_BOTH;
		map->uk_ops[j] = map->unmap_ops[i];
		map->uk_ops[j].status = GNTLAB_ST_UNSET;
		map->uk_pages[j++] = map->pages[i];
		map->uk_ops[j] = map->kunmap_ops[i];
		map->uk_ops[j].status = GNTLAB_ST_UNSET;
		map->uk_pages[j++] = map->pages[i];
	}
	if (j) {
		/*
		 * gnttab_unmap_refs() clears PageForeign and the p2m entry of
		 * every page listed; each is listed twice, and the second
		 * time its p2m entry is no longer foreign, hence -EINVAL. The
		 * per-op status is what says whether Xen unmapped; a failed
		 * hypercall leaves GNTLAB_ST_UNSET there.
		 */
		gnttab_unmap_refs(map->uk_ops, NULL, map->uk_pages, j);
		j = 0;
		for (i = first; i < last; i++) {
			if (!(map->state[i] & GNTLAB_PG_BOTH))
				continue;
			map->unmap_ops[i].status = map->uk_ops[j++].status;
			map->kunmap_ops[i].status = map->uk_ops[j++].status;
			gntlab_user_unmapped(map, i, 0, &t);
			gntlab_kernel_unmapped(map, i, &t);
			map->state[i] &= ~(GNTLAB_PG_BOTH | GNTLAB_PG_UGOING);
		}
	}

	gntlab_tally_apply(&t);

	/*
	 * The rest (pages someone else holds): user half only, in contiguous
	 * runs of unmap_ops, their kernel half queued, as in the split unmap.
	 * UGOING stays until the handles are invalid, so that no GUP finds
	 * these pages after the barrier above.
	 */
	for (i = first; i < last;) {
		if (!(map->state[i] & GNTLAB_PG_UGOING)) {
			i++;
			continue;
		}
		for (start = i; i < last && (map->state[i] & GNTLAB_PG_UGOING); i++)
			;
		gntlab_user_unmap_run(map, start, i - start);
		for (j = start; j < i; j++)
			map->state[j] &= ~GNTLAB_PG_UGOING;
	}
}

/*
 * Unmap whatever is mapped of the map in user range [start, end) of mm.
 * Called with map->lock held and the page tables of the range in place.
 */
void gntlab_unmap_va_range(struct gntlab_grant_map *map, struct mm_struct *mm,
			   unsigned long start, unsigned long end)
{
	unsigned long map_end = map->vm_start +
				((unsigned long)map->count << PAGE_SHIFT);
	unsigned long s, e;
	unsigned int first, last;

	if (!map->mmap_done || mm != map->mm ||
	    start >= map_end || end <= map->vm_start)
		return;
	s = max(start, map->vm_start) & PAGE_MASK;
	e = min(end, map_end);
	first = (s - map->vm_start) >> PAGE_SHIFT;
	last = (e - map->vm_start + PAGE_SIZE - 1) >> PAGE_SHIFT;

	if (last - first <= GNTLAB_ONEPASS_MAX) {
		gntlab_unmap_combined(map, mm, first, last);
	} else if (gntlab_user_unmap(map, first, last)) {
		/*
		 * Split unmap. get_user_pages() reads the PTE, calls
		 * find_special_page() and takes its page reference all under
		 * the PTE lock. Xen cleared the PTEs without that lock, so a
		 * GUP may have read a PTE just before and not yet taken its
		 * reference. Taking and dropping each PTE lock of the range
		 * waits for such a GUP; after it, page_count() below sees
		 * every reference.
		 */
		gntlab_ptl_barrier(mm, map->vm_start + ((unsigned long)first << PAGE_SHIFT),
				   map->vm_start + ((unsigned long)last << PAGE_SHIFT));
	}
	gntlab_kernel_sweep(map);
	gntlab_queue_work(map);
}


/*
 * Drop a reference. The last one (index and all VMAs gone) hands the map
 * to unmap_work if kernel halves still wait for page references, or frees
 * it at once.
 */
void gntlab_map_put(struct gntlab_grant_map *map)
{
	unsigned int i;
	bool free_now;

	if (!refcount_dec_and_test(&map->users))
		return;

	mutex_lock(&map->lock);
	map->dead = true;
	for (i = 0; i < map->count; i++) {
		/*
		 * Every VMA range was invalidated before its VMA closed, so no
		 * user half can be left; if one is, its PTE is gone and it
		 * cannot be unmapped any more: keep the page.
		 */
		if (gntlab_user_mapped(map, i)) {
			pr_err("page %u still mapped at a user PTE at release\n", i);
			WRITE_ONCE(map->unmap_ops[i].handle, INVALID_GRANT_HANDLE);
			map->state[i] |= GNTLAB_PG_LEAKED;
			atomic64_inc(&gntlab_stats.unmap_errors);
		}
		if (gntlab_kernel_mapped(map, i) &&
		    !(map->state[i] & GNTLAB_PG_KPENDING)) {
			map->state[i] |= GNTLAB_PG_KPENDING;
			map->pending++;
			atomic64_inc(&gntlab_stats.deferred_unmaps);
		}
	}
	gntlab_kernel_sweep(map);
	gntlab_queue_work(map);
	free_now = !map->work_queued;
	mutex_unlock(&map->lock);

	if (free_now)
		gntlab_map_free(map);
}


/* ------------------------------------------------------------------ */
/* Mapping */

/*
 * Fault injection point (gntlab_priv.h): gnttab_map_refs() fails when the
 * hypercall does or when set_foreign_p2m_mapping() cannot allocate a p2m
 * page. An injected failure skips the call: nothing is mapped, every
 * status stays GNTLAB_ST_UNSET.
 */
static GNTLAB_FI_POINT int gntlab_map_refs(struct gntlab_grant_map *map)
{
	if (gntlab_should_fail(GNTLAB_FI_MAP_REFS))
		return -ENOMEM;
	return gnttab_map_refs(map->map_ops, map->kmap_ops, map->pages,
			       map->count);
}
ALLOW_ERROR_INJECTION(gntlab_map_refs, ERRNO);

/*
 * Map both halves of every grant. On any failure, unmap exactly the halves
 * that did map (XSA-361: the kernel-half status counts as much as the user
 * one) and return an errno from the first failing status.
 * Called with map->lock held; the user PTE ops are already built.
 */
int gntlab_map_grants(struct gntlab_grant_map *map)
{
	u32 kflags = GNTMAP_host_map | (map->kalias_ro ? GNTMAP_readonly : 0);
	unsigned int i, failed = 0, u_mapped = 0, k_mapped = 0;
	int rc, err = 0;
	bool u_ok, k_ok;

	for (i = 0; i < map->count; i++) {
		unsigned long kaddr = (unsigned long)page_address(map->pages[i]);

		gnttab_set_map_op(&map->kmap_ops[i], kaddr, kflags,
				  map->grants[i].ref, map->grants[i].domid);
		gnttab_set_unmap_op(&map->kunmap_ops[i], kaddr, kflags,
				    INVALID_GRANT_HANDLE);
		map->map_ops[i].status = GNTLAB_ST_UNSET;
		map->map_ops[i].handle = INVALID_GRANT_HANDLE;
		map->kmap_ops[i].status = GNTLAB_ST_UNSET;
		map->kmap_ops[i].handle = INVALID_GRANT_HANDLE;
	}

	rc = gntlab_map_refs(map);

	for (i = 0; i < map->count; i++) {
		u_ok = map->map_ops[i].status == GNTST_okay;
		k_ok = map->kmap_ops[i].status == GNTST_okay;
		if (u_ok) {
			WRITE_ONCE(map->unmap_ops[i].handle,
				   map->map_ops[i].handle);
			u_mapped++;
		}
		if (k_ok) {
			WRITE_ONCE(map->kunmap_ops[i].handle,
				   map->kmap_ops[i].handle);
			k_mapped++;
		}
		if (u_ok && k_ok)
			continue;
		failed++;
		if (!err)
			err = gntlab_status_errno(u_ok ? map->kmap_ops[i].status :
						  map->map_ops[i].status);
	}
	atomic64_add(u_mapped, &gntlab_stats.live_grants_user);
	atomic64_add(k_mapped, &gntlab_stats.live_grants_kernel);
	if (!failed && !rc)
		return 0;

	if (!failed)	/* every status okay but a hypercall failed */
		failed = map->count;
	atomic64_add(failed, &gntlab_stats.map_errors);
	pr_debug("mapping %u grants: %u failed, rc %d, first error %d\n",
		 map->count, failed, rc, err);

	/*
	 * Undo. Nobody else can hold a page reference yet (the mmap lock is
	 * held for writing, GUP-fast ignores special PTEs), so the kernel
	 * halves go at once. A page whose user half mapped but kernel half
	 * did not is PageForeign without a foreign p2m entry: clear the flag.
	 */
	gntlab_user_unmap(map, 0, map->count);
	for (i = 0; i < map->count; i++) {
		if (gntlab_kernel_mapped(map, i) &&
		    !(map->state[i] & GNTLAB_PG_KPENDING)) {
			map->state[i] |= GNTLAB_PG_KPENDING;
			map->pending++;
			atomic64_inc(&gntlab_stats.deferred_unmaps);
		}
	}
	gntlab_kernel_sweep(map);
	gntlab_queue_work(map);
	for (i = 0; i < map->count; i++) {
		if (!gntlab_kernel_mapped(map, i) &&
		    !(map->state[i] & GNTLAB_PG_LEAKED))
			ClearPageForeign(map->pages[i]);
	}

	if (err)
		return err;
	return rc < 0 ? rc : -EIO;
}

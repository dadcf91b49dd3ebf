// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab: grant maps, their mapping into a user VMA (the PV way: Xen writes
 * the user PTEs) and their teardown.
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
 * a reference to the page; see gntlab_kernel_sweep().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <xen/events.h>
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include "gntlab_priv.h"

/* Status value no GNTST_* code uses: "Xen did not process this op". */
#define GNTLAB_ST_UNSET		1
/*
 * Most user-half unmap ops handed to Xen in one hypercall; 0 = a whole
 * contiguous run of mapped pages at once (as gntdev does). Xen 4.17 flushes
 * the TLB after every group of up to 32 unmap ops of one hypercall
 * (GNTTAB_UNMAP_BATCH_SIZE), so the old fixed on-stack batch of 16 cost one
 * flush and one hypercall entry per 16 pages; under emulation both cost far
 * more than the ops themselves (`make bench`, docs/bench.md, measures 16
 * against whole runs). Writable at run time so both can be measured in one
 * boot.
 */
static unsigned int user_unmap_batch;
module_param(user_unmap_batch, uint, 0644);
MODULE_PARM_DESC(user_unmap_batch,
		 "Max user-half unmap ops per hypercall, 0 = whole contiguous runs (default 0)");
/*
 * One-pass unmap (default) of ranges of up to GNTLAB_ONEPASS_MAX pages: in
 * the notifier, hide the user halves from find_special_page(), pass through
 * the PTE locks once, then give Xen the user and the kernel unmap ops of
 * every page nobody else references in a single hypercall. Xen 4.17
 * flushes the TLB once per group of up to 32 unmap ops of a hypercall, so
 * up to 16 pages this halves the flushes and the hypercalls of the split
 * unmap (user halves, then kernel halves), which is what gntdev does.
 * Beyond 16 pages both take the same number of flushes and `make bench`
 * measured the one-pass unmap slower (staging the ops of a large range
 * costs more than one hypercall entry): larger ranges use the split unmap.
 * N restores the split unmap everywhere, so that `make bench` measures
 * both in one boot.
 */
#define GNTLAB_ONEPASS_MAX	16
static bool unmap_combined = true;
module_param(unmap_combined, bool, 0644);
MODULE_PARM_DESC(unmap_combined,
		 "Unmap user and kernel halves in one hypercall when possible (default Y)");
/* Retry delays of the deferred kernel unmap: 5 ms, 10 ms, ... up to 1 s. */
#define GNTLAB_RETRY_STEP_MS	5
#define GNTLAB_RETRY_MAX_MS	1000
/* Say so in the log when a page is still referenced after this many tries. */
#define GNTLAB_RETRY_WARN_AGE	100

static const struct vm_operations_struct gntlab_vmops_special;
static const struct vm_operations_struct gntlab_vmops_nohook;
static const struct vm_operations_struct gntlab_vmops_pfnmap;
static const struct mmu_interval_notifier_ops gntlab_mn_ops;

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
/* Ballooned pages kept between maps */

/*
 * Up to page_cache_pages (default 4096, at most GNTLAB_CACHE_CAP) of the
 * ballooned pages freed by one map are kept for the next one, instead of
 * going back to the kernel's pool of unpopulated pages and coming out of
 * it again: gnttab_alloc_pages() and gnttab_free_pages() take the pool's
 * lock and touch every page (private flag, p2m entry check) on each map and
 * unmap, about a microsecond per page under emulation (`make bench`).
 * A page is kept only in the state gnttab_alloc_pages() hands out: not
 * foreign (its kernel half unmapped, p2m entry invalid), nobody else
 * holding it. 0 disables the cache (`make bench` measures both); the pages
 * go back to the pool when the module is unloaded.
 */
#define GNTLAB_CACHE_CAP	16384
static unsigned int page_cache_pages = 4096;
module_param(page_cache_pages, uint, 0644);
MODULE_PARM_DESC(page_cache_pages,
		 "Ballooned pages kept between maps, 0..16384 (default 4096)");
static DEFINE_SPINLOCK(gntlab_cache_lock);
static struct page **gntlab_cache;
static unsigned int gntlab_cache_n;

static unsigned int gntlab_cache_limit(void)
{
	return gntlab_cache ? min_t(unsigned int, READ_ONCE(page_cache_pages),
				    GNTLAB_CACHE_CAP) : 0;
}

/* Return `count` pages to the cache or, beyond its limit, to the pool. */
static void gntlab_pages_put(unsigned int count, struct page **pages)
{
	unsigned int lim = gntlab_cache_limit(), i, n = 0, nfree = 0;

	spin_lock(&gntlab_cache_lock);
	for (i = 0; i < count; i++) {
		struct page *page = pages[i];

		if (gntlab_cache_n < lim && !PageForeign(page) &&
		    page_count(page) == 1) {
			gntlab_cache[gntlab_cache_n++] = page;
			n++;
		} else {
			pages[nfree++] = page;
		}
	}
	spin_unlock(&gntlab_cache_lock);
	if (nfree)
		gnttab_free_pages(nfree, pages);
}

/* Fill pages[0, count) from the cache, then from the pool. */
static int gntlab_pages_get(unsigned int count, struct page **pages)
{
	unsigned int n = 0;

	if (gntlab_cache_limit()) {
		spin_lock(&gntlab_cache_lock);
		n = min(count, gntlab_cache_n);
		gntlab_cache_n -= n;
		memcpy(pages, gntlab_cache + gntlab_cache_n, n * sizeof(*pages));
		spin_unlock(&gntlab_cache_lock);
	}
	if (n < count && gnttab_alloc_pages(count - n, pages + n)) {
		gntlab_pages_put(n, pages);
		return -ENOMEM;
	}
	return 0;
}

unsigned int gntlab_cached_pages(void)
{
	return READ_ONCE(gntlab_cache_n);
}

int gntlab_cache_init(void)
{
	gntlab_cache = kvmalloc_array(GNTLAB_CACHE_CAP, sizeof(*gntlab_cache),
				      GFP_KERNEL);
	return gntlab_cache ? 0 : -ENOMEM;
}

/* Module unload: no map is left; everything kept goes back to the pool. */
void gntlab_cache_exit(void)
{
	if (gntlab_cache_n)
		gnttab_free_pages(gntlab_cache_n, gntlab_cache);
	gntlab_cache_n = 0;
	kvfree(gntlab_cache);
	gntlab_cache = NULL;
}

/* ------------------------------------------------------------------ */
/* Map objects */

/*
 * One allocation per map (default) of up to GNTLAB_SINGLE_MAX bytes (maps
 * of up to ~1000 pages, ~130 bytes a page): the map and all its per-page
 * arrays in a single kmalloc(), instead of a kzalloc() and nine
 * kvcalloc(). A map of one page
 * was ten allocations and ten frees per map/unmap cycle, a cost of the
 * same order as the hypercalls under emulation. Larger maps, or when the
 * page allocator has no such block at hand (no retry, no warning), keep
 * separate arrays: one vmalloc()ed block of ~200 bytes per page was
 * measured slower at 4096 pages than separate arrays. N restores the
 * separate allocations everywhere, so that `make bench` measures both in
 * one boot.
 */
#define GNTLAB_SINGLE_MAX	(32 * PAGE_SIZE)
static bool map_alloc_single = true;
module_param(map_alloc_single, bool, 0644);
MODULE_PARM_DESC(map_alloc_single,
		 "Allocate a map and its per-page arrays at once (default Y)");

static void gntlab_map_free_arrays(struct gntlab_grant_map *map)
{
	if (map->single) {
		kfree(map);
		return;
	}
	kvfree(map->grants);
	kvfree(map->pages);
	kvfree(map->state);
	kvfree(map->map_ops);
	kvfree(map->kmap_ops);
	kvfree(map->unmap_ops);
	kvfree(map->kunmap_ops);
	kvfree(map->uk_ops);
	kvfree(map->uk_pages);
	kfree(map);
}

static void gntlab_unmap_work(struct work_struct *work);

/*
 * Lay the per-page arrays of a map of n pages out after the map at base,
 * or with base NULL only size them. Returns the size of the whole block.
 */
static size_t gntlab_layout(struct gntlab_grant_map *map, char *base, size_t n)
{
	size_t nuk = 2 * min_t(size_t, n, GNTLAB_ONEPASS_MAX);
	size_t off = ALIGN(sizeof(*map), 8);

#define GNTLAB_CARVE(field, nr) do {					\
		if (base)						\
			map->field = (void *)(base + off);		\
		off += (nr) * sizeof(*map->field);			\
	} while (0)
	GNTLAB_CARVE(map_ops, n);
	GNTLAB_CARVE(kmap_ops, n);
	GNTLAB_CARVE(unmap_ops, n);
	GNTLAB_CARVE(kunmap_ops, n);
	GNTLAB_CARVE(uk_ops, nuk);
	GNTLAB_CARVE(pages, n);
	GNTLAB_CARVE(uk_pages, nuk);
	GNTLAB_CARVE(grants, n);
	GNTLAB_CARVE(state, n);
#undef GNTLAB_CARVE
	return off;
}

/*
 * The map and its arrays in one block, the arrays in decreasing order of
 * alignment after the map. Only the map and state[] are zeroed: every op
 * is written before Xen or anyone else reads it (handles just below,
 * the rest by mmap), grants[] by the MAP ioctl, pages[] by
 * gnttab_alloc_pages(). Returns NULL when the block would be larger than
 * GNTLAB_SINGLE_MAX or is not at hand (the caller allocates the arrays one
 * by one).
 */
static struct gntlab_grant_map *gntlab_map_alloc_single(unsigned int count)
{
	size_t size = gntlab_layout(NULL, NULL, count);
	struct gntlab_grant_map *map;

	if (size > GNTLAB_SINGLE_MAX)
		return NULL;	/* separate arrays */
	map = kmalloc(size, GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);
	if (!map)
		return NULL;	/* separate arrays, which can fall back to vmalloc */
	memset(map, 0, sizeof(*map));
	map->single = true;
	gntlab_layout(map, (char *)map, count);
	memset(map->state, 0, count * sizeof(*map->state));
	return map;
}

struct gntlab_grant_map *gntlab_map_alloc(unsigned int count,
					  unsigned int mode, bool readonly)
{
	struct gntlab_grant_map *map;
	unsigned int i;

	if (atomic64_add_return(count, &gntlab_stats.pages_held) >
	    gntlab_max_total_grants) {
		atomic64_sub(count, &gntlab_stats.pages_held);
		return ERR_PTR(-ENOSPC);
	}

	if (READ_ONCE(map_alloc_single)) {
		map = gntlab_map_alloc_single(count);
		if (map)
			goto arrays_done;
	}
	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		goto err_unaccount;
	/* As in gntlab_map_alloc_single(), only state[] needs zeroing. */
	map->grants = kvmalloc_array(count, sizeof(*map->grants), GFP_KERNEL);
	map->pages = kvmalloc_array(count, sizeof(*map->pages), GFP_KERNEL);
	map->state = kvcalloc(count, sizeof(*map->state), GFP_KERNEL);
	map->map_ops = kvmalloc_array(count, sizeof(*map->map_ops), GFP_KERNEL);
	map->kmap_ops = kvmalloc_array(count, sizeof(*map->kmap_ops), GFP_KERNEL);
	map->unmap_ops = kvmalloc_array(count, sizeof(*map->unmap_ops), GFP_KERNEL);
	map->kunmap_ops = kvmalloc_array(count, sizeof(*map->kunmap_ops),
					 GFP_KERNEL);
	map->uk_ops = kvmalloc_array(min_t(unsigned int, count, GNTLAB_ONEPASS_MAX),
				     2 * sizeof(*map->uk_ops), GFP_KERNEL);
	map->uk_pages = kvmalloc_array(min_t(unsigned int, count, GNTLAB_ONEPASS_MAX),
				       2 * sizeof(*map->uk_pages),
				       GFP_KERNEL);
	if (!map->grants || !map->pages || !map->state || !map->map_ops ||
	    !map->kmap_ops || !map->unmap_ops || !map->kunmap_ops ||
	    !map->uk_ops || !map->uk_pages)
		goto err_free;

arrays_done:
	if (gntlab_pages_get(count, map->pages))
		goto err_free;

	for (i = 0; i < count; i++) {
		map->map_ops[i].handle = INVALID_GRANT_HANDLE;
		map->kmap_ops[i].handle = INVALID_GRANT_HANDLE;
		map->unmap_ops[i].handle = INVALID_GRANT_HANDLE;
		map->kunmap_ops[i].handle = INVALID_GRANT_HANDLE;
	}
	map->count = count;
	map->mode = mode;
	map->readonly = readonly;
	refcount_set(&map->users, 1);
	mutex_init(&map->lock);
	INIT_LIST_HEAD(&map->node);
	INIT_DELAYED_WORK(&map->unmap_work, gntlab_unmap_work);

	/*
	 * A map can outlive its file (deferred kernel unmap), and its work
	 * item runs module code: keep the module until the map is freed.
	 */
	__module_get(THIS_MODULE);
	atomic64_inc(&gntlab_stats.live_maps);
	return map;

err_free:
	gntlab_map_free_arrays(map);
err_unaccount:
	atomic64_sub(count, &gntlab_stats.pages_held);
	return ERR_PTR(-ENOMEM);
}

/*
 * Last step of a map's life: every grant is unmapped (or was refused by Xen
 * and is marked leaked). Signal the peer, give the pages back, free.
 */
static void gntlab_map_free(struct gntlab_grant_map *map)
{
	unsigned int i, nfree = 0;

	/*
	 * The byte was cleared (if asked) before the grant was unmapped, and
	 * the unmap hypercalls order that store before this event.
	 */
	if (map->notify_action & GNTLAB_NOTIFY_SEND_EVENT) {
		notify_remote_via_evtchn(map->notify_port);
		evtchn_put(map->notify_port);
	}

	/* A page Xen refused to unmap may still be in use: never reuse it. */
	for (i = 0; i < map->count; i++) {
		if (map->state[i] & GNTLAB_PG_LEAKED)
			continue;
		map->pages[nfree++] = map->pages[i];
	}
	if (nfree)
		gntlab_pages_put(nfree, map->pages);
	if (nfree != map->count)
		pr_err("map of %u pages freed, %u pages kept (unmap refused by Xen)\n",
		       map->count, map->count - nfree);

	atomic64_sub(nfree, &gntlab_stats.pages_held);
	atomic64_dec(&gntlab_stats.live_maps);
	mutex_destroy(&map->lock);
	gntlab_map_free_arrays(map);
	module_put(THIS_MODULE);
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
 * Unmap the user half of pages [start, start + n), all mapped, with the ops
 * kept in map->unmap_ops (Xen writes only their status).
 */
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
 * Unmap the user half of the grants of pages [first, last) and queue their
 * kernel half. Called with map->lock held, while the PTEs still exist (from
 * the notifier before the core zaps them, or on the mmap error path).
 * Returns how many grants were handed to Xen.
 */
static unsigned int gntlab_user_unmap(struct gntlab_grant_map *map,
				      unsigned int first, unsigned int last)
{
	unsigned int batch = READ_ONCE(user_unmap_batch);
	unsigned int i = first, start, total = 0;

	gntlab_notify_clear(map, first, last);

	while (i < last) {
		if (!gntlab_user_mapped(map, i)) {
			i++;
			continue;
		}
		start = i;
		while (i < last && gntlab_user_mapped(map, i) &&
		       (!batch || i - start < batch))
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

static void gntlab_unmap_work(struct work_struct *work)
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

static int gntlab_ptl_barrier_cb(pte_t *pte, unsigned long addr, void *data)
{
	return 0;
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
		apply_to_existing_page_range(mm, addr, PAGE_SIZE,
					     gntlab_ptl_barrier_cb, NULL);
	}
}

/*
 * One-pass unmap of the user halves mapped in pages [first, last), and of
 * the kernel halves of those pages that nobody else references, in one
 * hypercall (unmap_combined). Called with map->lock held while the PTEs
 * still exist, for at most GNTLAB_ONEPASS_MAX pages (the size of uk_ops). Pages that are referenced keep their kernel half, queued
 * for gntlab_kernel_sweep() as in the split unmap.
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
static void gntlab_unmap_va_range(struct gntlab_grant_map *map,
				  struct mm_struct *mm,
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

	if (READ_ONCE(unmap_combined) && last - first <= GNTLAB_ONEPASS_MAX) {
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

static bool gntlab_invalidate(struct mmu_interval_notifier *mn,
			      const struct mmu_notifier_range *range,
			      unsigned long cur_seq)
{
	struct gntlab_grant_map *map =
		container_of(mn, struct gntlab_grant_map, notifier);

	/* Only the OOM reaper cannot sleep; it will skip this VMA. */
	if (!mmu_notifier_range_blockable(range))
		return false;

	mutex_lock(&map->lock);
	mmu_interval_set_seq(mn, cur_seq);
	gntlab_unmap_va_range(map, mn->mm, range->start, range->end);
	mutex_unlock(&map->lock);
	return true;
}

static const struct mmu_interval_notifier_ops gntlab_mn_ops = {
	.invalidate = gntlab_invalidate,
};

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

static int gntlab_find_pte_cb(pte_t *pte, unsigned long addr, void *data)
{
	struct gntlab_grant_map *map = data;
	unsigned long idx = (addr - map->vm_start) >> PAGE_SHIFT;
	u32 flags = GNTMAP_host_map | GNTMAP_application_map |
		    GNTMAP_contains_pte | (1 << _GNTMAP_guest_avail0);
	u64 maddr;

	if (WARN_ON_ONCE(idx >= map->count))
		return -EINVAL;
	/* The VMA is brand new: a PTE already in place is not ours. */
	if (!pte_none(*pte))
		return -EBUSY;
	/*
	 * _GNTMAP_guest_avail0 makes Xen set PTE bit 9, _PAGE_SPECIAL on
	 * x86: GUP-fast stays away and vm_normal_page() asks
	 * find_special_page() (special mode) or gives up (other modes).
	 */
	if (map->kalias_ro)
		flags |= GNTMAP_readonly;
	maddr = arbitrary_virt_to_machine(pte).maddr;
	gnttab_set_map_op(&map->map_ops[idx], maddr, flags,
			  map->grants[idx].ref, map->grants[idx].domid);
	gnttab_set_unmap_op(&map->unmap_ops[idx], maddr, flags,
			    INVALID_GRANT_HANDLE);
	return 0;
}

/*
 * Map both halves of every grant. On any failure, unmap exactly the halves
 * that did map (XSA-361: the kernel-half status counts as much as the user
 * one) and return an errno from the first failing status.
 * Called with map->lock held; the user PTE ops are already built.
 */
static int gntlab_map_grants(struct gntlab_grant_map *map)
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

	rc = gnttab_map_refs(map->map_ops, map->kmap_ops, map->pages,
			     map->count);

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

static bool gntlab_any_leaked(struct gntlab_grant_map *map)
{
	unsigned int i;

	for (i = 0; i < map->count; i++)
		if (map->state[i] & GNTLAB_PG_LEAKED)
			return true;
	return false;
}

/*
 * mmap of a reserved map. Called with the mmap lock held for writing, so
 * nothing else can touch the new VMA's PTEs while we build them.
 */
int gntlab_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct gntlab_file *priv = filp->private_data;
	unsigned long npages = vma_pages(vma);
	unsigned long size = vma->vm_end - vma->vm_start;
	struct gntlab_grant_map *map;
	int err;

	/* A private writable mapping would COW grant PTEs. */
	if ((vma->vm_flags & VM_WRITE) && !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (!npages || npages > UINT_MAX)
		return -EINVAL;

	/* Takes a reference that becomes the VMA's on success. */
	map = gntlab_find_map_get(priv, vma->vm_pgoff, npages);
	if (!map)
		return -EINVAL;

	mutex_lock(&map->lock);
	if (map->mmap_claimed ||
	    (map->readonly && (vma->vm_flags & VM_WRITE))) {
		mutex_unlock(&map->lock);
		gntlab_map_put(map);
		return -EINVAL;
	}
	map->mmap_claimed = true;
	map->kalias_ro = map->readonly || !(vma->vm_flags & VM_WRITE);
	map->vm_start = vma->vm_start;
	map->mm = vma->vm_mm;
	mutex_unlock(&map->lock);

	/*
	 * VM_DONTCOPY: a child must not inherit PTEs that Xen wrote for this
	 * mm. VM_WIPEONFORK backs it up should user space clear VM_DONTCOPY
	 * with MADV_DOFORK (not refused for VM_MIXEDMAP): fork then skips
	 * copying the PTEs of the VMA.
	 * No VM_MAYWRITE when the grants are mapped read-only or the mapping
	 * is private: mprotect() cannot make it writable and FOLL_FORCE
	 * cannot COW a grant PTE.
	 */
	vma->vm_flags |= VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP |
			 VM_WIPEONFORK;
	if (map->kalias_ro || !(vma->vm_flags & VM_SHARED))
		vma->vm_flags &= ~VM_MAYWRITE;
	switch (map->mode) {
	case GNTLAB_MODE_SPECIAL:
		vma->vm_flags |= VM_MIXEDMAP;
		vma->vm_ops = &gntlab_vmops_special;
		break;
	case GNTLAB_MODE_NOHOOK:
		vma->vm_flags |= VM_MIXEDMAP;
		vma->vm_ops = &gntlab_vmops_nohook;
		break;
	default:
		vma->vm_flags |= VM_PFNMAP | VM_IO;
		vma->vm_ops = &gntlab_vmops_pfnmap;
		break;
	}
	vma->vm_private_data = map;

	/*
	 * The notifier keeps the PTE machine addresses handed to Xen from
	 * going stale: it unmaps the user halves before the core changes or
	 * frees the PTEs (munmap, exit, mprotect, madvise, mremap).
	 */
	err = mmu_interval_notifier_insert_locked(&map->notifier, vma->vm_mm,
						  vma->vm_start, size,
						  &gntlab_mn_ops);
	if (err)
		goto err_unclaim;
	/* Wait out an invalidation that was running when we inserted. */
	mmu_interval_read_begin(&map->notifier);

	/*
	 * Build the user ops from the PTE addresses, allocating the page
	 * tables. Not under map->lock, which the notifier takes and which
	 * must not be held across allocations; the mmap lock keeps every
	 * other user of map_ops/unmap_ops away until mmap_done is set.
	 */
	err = apply_to_page_range(vma->vm_mm, vma->vm_start, size,
				  gntlab_find_pte_cb, map);

	mutex_lock(&map->lock);
	map->notifier_live = true;
	if (!err)
		err = gntlab_map_grants(map);
	if (err) {
		map->notifier_live = false;
		mutex_unlock(&map->lock);
		mmu_interval_notifier_remove(&map->notifier);
		goto err_unclaim;
	}
	map->mmap_done = true;
	map->vmas = 1;
	mutex_unlock(&map->lock);
	return 0;

err_unclaim:
	/*
	 * The core frees the VMA without calling ->close; make sure a close
	 * would find nothing anyway. The map can be mmapped again unless
	 * Xen refused to unmap part of it.
	 */
	vma->vm_private_data = NULL;
	mutex_lock(&map->lock);
	map->mm = NULL;
	map->vm_start = 0;
	if (!map->pending && !gntlab_any_leaked(map))
		map->mmap_claimed = false;
	mutex_unlock(&map->lock);
	gntlab_map_put(map);
	return err;
}

/* ------------------------------------------------------------------ */
/* VMA operations */

static void gntlab_vma_open(struct vm_area_struct *vma)
{
	struct gntlab_grant_map *map = vma->vm_private_data;

	/*
	 * VMA split (partial munmap, mprotect of part) or, if user space
	 * undid VM_DONTCOPY, fork. Each VMA holds a reference.
	 */
	if (!map)
		return;
	mutex_lock(&map->lock);
	map->vmas++;
	mutex_unlock(&map->lock);
	refcount_inc(&map->users);
}

static void gntlab_vma_close(struct vm_area_struct *vma)
{
	struct gntlab_grant_map *map = vma->vm_private_data;
	bool remove = false;

	if (!map)
		return;

	mutex_lock(&map->lock);
	/*
	 * Normally the notifier unmapped this range before the PTEs went
	 * away and this finds nothing. mmap_region()'s error path closes a
	 * VMA before zapping it, though, without invalidating first.
	 */
	gntlab_unmap_va_range(map, vma->vm_mm, vma->vm_start, vma->vm_end);
	if (!WARN_ON_ONCE(!map->vmas))
		map->vmas--;
	if (!map->vmas && map->notifier_live) {
		map->notifier_live = false;
		remove = true;
	}
	mutex_unlock(&map->lock);

	/* Not under map->lock: removal waits for running invalidations. */
	if (remove)
		mmu_interval_notifier_remove(&map->notifier);
	vma->vm_private_data = NULL;
	gntlab_map_put(map);
}

/*
 * The core mm cannot find the page behind a PV grant PTE (the M2P of a
 * foreign frame points into the granter), so tell it. Runs under the PTE
 * lock, without map->lock.
 */
static struct page *gntlab_find_special_page(struct vm_area_struct *vma,
					     unsigned long addr)
{
	struct gntlab_grant_map *map = vma->vm_private_data;
	unsigned long idx;

	if (!map || vma->vm_mm != map->mm || addr < map->vm_start)
		return NULL;
	idx = (addr - map->vm_start) >> PAGE_SHIFT;
	if (idx >= map->count || !gntlab_user_mapped(map, idx) ||
	    (READ_ONCE(map->state[idx]) & GNTLAB_PG_UGOING))
		return NULL;
	return map->pages[idx];
}

static const struct vm_operations_struct gntlab_vmops_special = {
	.open = gntlab_vma_open,
	.close = gntlab_vma_close,
	.find_special_page = gntlab_find_special_page,
};

/* Same as special mode, minus the hook: the point of the mode. */
static const struct vm_operations_struct gntlab_vmops_nohook = {
	.open = gntlab_vma_open,
	.close = gntlab_vma_close,
};

static const struct vm_operations_struct gntlab_vmops_pfnmap = {
	.open = gntlab_vma_open,
	.close = gntlab_vma_close,
};

/*
 * The map behind a VMA, if the VMA is one of ours (and belongs to filp,
 * unless filp is NULL). Caller holds the mmap lock.
 */
struct gntlab_grant_map *gntlab_vma_to_map(struct file *filp,
					   struct vm_area_struct *vma)
{
	struct gntlab_grant_map *map;

	if (vma->vm_ops != &gntlab_vmops_special &&
	    vma->vm_ops != &gntlab_vmops_nohook &&
	    vma->vm_ops != &gntlab_vmops_pfnmap)
		return NULL;
	if (filp && vma->vm_file != filp)
		return NULL;
	map = vma->vm_private_data;
	if (!map || map->mm != vma->vm_mm)
		return NULL;
	return map;
}

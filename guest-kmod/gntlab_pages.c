// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab: the memory behind a map. A grant map is one object with nine
 * per-page arrays (the grant refs, the pages, the map and unmap ops of both
 * halves, the one-pass staging, the per-page state) and `count` ballooned
 * pages, whose kernel linear addresses receive the kernel halves of the
 * grants (see gntlab_grant.c). Here: allocating and freeing both, and the
 * cache of ballooned pages kept between maps (upstream's counterparts are
 * gntdev_alloc_map()/gntdev_free_map() and grant-table.c's
 * gnttab_alloc_pages()/gnttab_free_pages()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <xen/events.h>
#include <xen/grant_table.h>

#include "gntlab_priv.h"

/* ------------------------------------------------------------------ */
/* Ballooned pages kept between maps */

/*
 * Up to GNTLAB_CACHE_PAGES of the ballooned pages freed by maps are kept
 * for the next ones, instead of going back to the kernel's pool of
 * unpopulated pages and coming out of it again: gnttab_alloc_pages() and
 * gnttab_free_pages() take the pool's lock and touch every page (private
 * flag, p2m entry check) on each map and unmap, about a microsecond per
 * page under emulation (docs/bench.md, change 6). A page is kept only in
 * the state gnttab_alloc_pages() hands out: not foreign (its kernel half
 * unmapped, p2m entry invalid), nobody else holding it. Every page a map
 * takes beyond what the cache holds, and every page freed while it is
 * full, goes through the pool as before; the cache goes back to the pool
 * when the module is unloaded.
 */
#define GNTLAB_CACHE_PAGES	4096
static DEFINE_SPINLOCK(gntlab_cache_lock);
static struct page **gntlab_cache;	/* GNTLAB_CACHE_PAGES entries */
static unsigned int gntlab_cache_n;	/* entries in use */

/* Return `count` pages to the cache or, once it is full, to the pool. */
static void gntlab_pages_put(unsigned int count, struct page **pages)
{
	unsigned int i, nfree = 0;

	spin_lock(&gntlab_cache_lock);
	for (i = 0; i < count; i++) {
		struct page *page = pages[i];

		if (gntlab_cache_n < GNTLAB_CACHE_PAGES && !PageForeign(page) &&
		    page_count(page) == 1)
			gntlab_cache[gntlab_cache_n++] = page;
		else
			pages[nfree++] = page;
	}
	spin_unlock(&gntlab_cache_lock);
	if (nfree)
		gnttab_free_pages(nfree, pages);
}

/* Fault injection point (gntlab_priv.h): pages from the kernel's pool. */
static GNTLAB_FI_POINT int gntlab_alloc_pool_pages(int nr, struct page **pages)
{
	if (gntlab_should_fail(GNTLAB_FI_POOL_PAGES))
		return -ENOMEM;
	return gnttab_alloc_pages(nr, pages);
}
ALLOW_ERROR_INJECTION(gntlab_alloc_pool_pages, ERRNO);

/* Fill pages[0, count) from the cache, then from the pool. */
static int gntlab_pages_get(unsigned int count, struct page **pages)
{
	unsigned int n;

	spin_lock(&gntlab_cache_lock);
	n = min(count, gntlab_cache_n);
	gntlab_cache_n -= n;
	memcpy(pages, gntlab_cache + gntlab_cache_n, n * sizeof(*pages));
	spin_unlock(&gntlab_cache_lock);
	if (n < count && gntlab_alloc_pool_pages(count - n, pages + n)) {
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
	gntlab_cache = kvmalloc_array(GNTLAB_CACHE_PAGES, sizeof(*gntlab_cache),
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
 * A map of up to GNTLAB_SINGLE_MAX bytes (maps of up to ~1000 pages, ~130
 * bytes a page) is one kmalloc(): the map and all its per-page arrays in
 * one block, instead of a kzalloc() and nine kvmalloc(). A map of one page
 * was ten allocations and ten frees per map/unmap cycle, a cost of the
 * same order as the hypercalls under emulation (docs/bench.md, change 3).
 * Larger maps, or when the page allocator has no such block at hand (no
 * retry, no warning), get separate arrays: one vmalloc()ed block of ~200
 * bytes per page was measured slower at 4096 pages than separate arrays.
 */
#define GNTLAB_SINGLE_MAX	(32 * PAGE_SIZE)

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
static GNTLAB_FI_POINT struct gntlab_grant_map *
gntlab_map_alloc_single(unsigned int count)
{
	size_t size = gntlab_layout(NULL, NULL, count);
	struct gntlab_grant_map *map;

	if (gntlab_should_fail(GNTLAB_FI_MAP_SINGLE))
		return NULL;

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
/* A fault injection point (gntlab_priv.h) whose failure is absorbed. */
ALLOW_ERROR_INJECTION(gntlab_map_alloc_single, NULL);

/* Fault injection points (gntlab_priv.h): the separate map and arrays. */
static GNTLAB_FI_POINT struct gntlab_grant_map *gntlab_alloc_map_struct(void)
{
	if (gntlab_should_fail(GNTLAB_FI_MAP_STRUCT))
		return NULL;
	return kzalloc(sizeof(struct gntlab_grant_map), GFP_KERNEL);
}
ALLOW_ERROR_INJECTION(gntlab_alloc_map_struct, NULL);

static GNTLAB_FI_POINT void *gntlab_alloc_array(size_t n, size_t size,
						bool zero)
{
	if (gntlab_should_fail(GNTLAB_FI_ARRAY))
		return NULL;
	if (zero)
		return kvcalloc(n, size, GFP_KERNEL);
	return kvmalloc_array(n, size, GFP_KERNEL);
}
ALLOW_ERROR_INJECTION(gntlab_alloc_array, NULL);

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

	map = gntlab_map_alloc_single(count);
	if (map)
		goto arrays_done;
	map = gntlab_alloc_map_struct();
	if (!map)
		goto err_unaccount;
	/* As in gntlab_map_alloc_single(), only state[] needs zeroing. */
	map->grants = gntlab_alloc_array(count, sizeof(*map->grants), false);
	map->pages = gntlab_alloc_array(count, sizeof(*map->pages), false);
	map->state = gntlab_alloc_array(count, sizeof(*map->state), true);
	map->map_ops = gntlab_alloc_array(count, sizeof(*map->map_ops), false);
	map->kmap_ops = gntlab_alloc_array(count, sizeof(*map->kmap_ops), false);
	map->unmap_ops = gntlab_alloc_array(count, sizeof(*map->unmap_ops), false);
	map->kunmap_ops = gntlab_alloc_array(count, sizeof(*map->kunmap_ops),
					     false);
	map->uk_ops = gntlab_alloc_array(min_t(unsigned int, count, GNTLAB_ONEPASS_MAX),
					 2 * sizeof(*map->uk_ops), false);
	map->uk_pages = gntlab_alloc_array(min_t(unsigned int, count, GNTLAB_ONEPASS_MAX),
					   2 * sizeof(*map->uk_pages), false);
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
void gntlab_map_free(struct gntlab_grant_map *map)
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

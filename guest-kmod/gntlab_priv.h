/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gntlab: definitions shared by the module's C files (not user ABI; the ABI
 * is gntlab.h). The locking rules are described at the top of gntlab_main.c.
 */
#ifndef GNTLAB_PRIV_H
#define GNTLAB_PRIV_H

#include <linux/atomic.h>
#include <linux/error-injection.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>

#include <xen/grant_table.h>

#include "gntlab.h"

/*
 * Fault injection points (docs/faultinject.md). Every allocation the module
 * makes on behalf of a user call goes through a small function that
 *  - asks gntlab_should_fail(its point) first: the module's own fault
 *    attribute, /sys/kernel/debug/gntlab/fail/ (CONFIG_FAULT_INJECTION_
 *    DEBUG_FS; the standard knobs plus `point`, the one point armed, and
 *    `points`, their names), checked in the caller's context, so that the
 *    task filter (make-it-fail) works; the faultinj suite uses this;
 *  - is marked ALLOW_ERROR_INJECTION(fn, NULL or ERRNO), so that the
 *    kernel's fail_function or a BPF override can target it by name. The
 *    marker needs the function out of line and unaltered by the compiler
 *    (no inlining, no constprop/ISRA clone that its callers would call
 *    instead): GNTLAB_FI_POINT.
 * Kernels without these options (Debian's) get neither: the check is a
 * constant false, the marker empty, the function an ordinary static one.
 */
#ifdef CONFIG_FUNCTION_ERROR_INJECTION
#define GNTLAB_FI_POINT noinline __noipa
#else
#define GNTLAB_FI_POINT
#endif

/* The points, in the order of gntlab_fi_names[] (gntlab_main.c). */
enum gntlab_fi {
	GNTLAB_FI_ALLOC_FILE,
	GNTLAB_FI_MAP_SINGLE,
	GNTLAB_FI_MAP_STRUCT,
	GNTLAB_FI_ARRAY,
	GNTLAB_FI_POOL_PAGES,
	GNTLAB_FI_NOTIFIER,
	GNTLAB_FI_PTE,
	GNTLAB_FI_MAP_REFS,
	GNTLAB_FI_COUNT
};

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
bool gntlab_should_fail(enum gntlab_fi point);
#else
static inline bool gntlab_should_fail(enum gntlab_fi point)
{
	return false;
}
#endif

/* One open /dev/gntlab. */
struct gntlab_file {
	struct mutex lock;		/* protects maps */
	struct list_head maps;		/* reserved maps, sorted by pgoff */
};

/*
 * Largest range (in pages) unmapped by the one-pass unmap, which gives Xen
 * both halves of each page in one hypercall (gntlab_grant.c); also the size
 * of a map's staging arrays uk_ops/uk_pages (2 entries per page).
 */
#define GNTLAB_ONEPASS_MAX	16

/* Per-page state bits (struct gntlab_grant_map.state[i]). */
#define GNTLAB_PG_KPENDING	0x01	/* kernel alias unmap still to do */
#define GNTLAB_PG_LEAKED	0x02	/* Xen refused an unmap: never free */
/*
 * The user half is being unmapped (one-pass unmap, map->lock held):
 * find_special_page() no longer hands out the page.
 */
#define GNTLAB_PG_UGOING	0x04
/* Both halves go to Xen in the one-pass unmap's combined hypercall. */
#define GNTLAB_PG_BOTH		0x08

struct gntlab_grant_map {
	struct list_head node;		/* gntlab_file.maps, while indexed */
	/*
	 * One reference while the map is indexed in its file (dropped by
	 * GNTLAB_IOC_UNMAP or close(fd)) and one per VMA using it.
	 */
	refcount_t users;

	/* Fixed at creation. */
	unsigned long pgoff;		/* mmap offset in pages */
	unsigned int count;
	unsigned int mode;		/* enum gntlab_mode */
	bool readonly;			/* GNTLAB_MAP_READONLY */
	bool single;			/* map + arrays in one block */
	struct gntlab_grant_ref *grants;
	struct page **pages;

	/* Everything below is protected by lock. */
	struct mutex lock;
	bool mmap_claimed;		/* an mmap owns (or owned) the map */
	bool mmap_done;			/* that mmap succeeded */
	bool kalias_ro;			/* grants mapped read-only */
	bool dead;			/* users reached zero */
	bool work_queued;		/* unmap_work is scheduled or running */
	bool notifier_live;		/* notifier is inserted */
	unsigned int vmas;		/* VMAs pointing at the map */
	unsigned int pending;		/* pages with GNTLAB_PG_KPENDING */
	unsigned int age;		/* retries of unmap_work */
	/*
	 * vm_start and mm are set by mmap under the mmap lock held for
	 * writing and read under the mmap lock or the PTE lock.
	 */
	unsigned long vm_start;		/* user address of page 0 */
	struct mm_struct *mm;		/* mm of the mapping (not counted) */
	struct mmu_interval_notifier notifier;
	struct delayed_work unmap_work;
	u8 *state;			/* GNTLAB_PG_* per page */
	/* Grant operations; handle == INVALID_GRANT_HANDLE when not mapped. */
	struct gnttab_map_grant_ref *map_ops;
	struct gnttab_map_grant_ref *kmap_ops;
	struct gnttab_unmap_grant_ref *unmap_ops;
	struct gnttab_unmap_grant_ref *kunmap_ops;
	/*
	 * Staging for the one-pass unmap: the user and kernel unmap ops of
	 * each page side by side (2 per page) and each page twice, so one
	 * gnttab_unmap_refs() call takes both halves of a range of up to
	 * GNTLAB_ONEPASS_MAX pages (2 * min(count, that) entries).
	 */
	struct gnttab_unmap_grant_ref *uk_ops;
	struct page **uk_pages;

	/* Unmap notification (GNTLAB_IOC_SET_UNMAP_NOTIFY). */
	u32 notify_action;
	unsigned long notify_offset;	/* byte offset inside the map */
	u32 notify_port;
};

/* Module-wide counters (see struct gntlab_stats). */
struct gntlab_counters {
	atomic64_t live_maps;
	atomic64_t live_grants_user;
	atomic64_t live_grants_kernel;
	atomic64_t pages_held;
	atomic64_t deferred_unmaps;
	atomic64_t map_errors;
	atomic64_t unmap_errors;
};

extern struct gntlab_counters gntlab_stats;
extern unsigned int gntlab_max_total_grants;
extern struct workqueue_struct *gntlab_wq;

/* gntlab_pages.c: map objects and their ballooned pages */
struct gntlab_grant_map *gntlab_map_alloc(unsigned int count,
					  unsigned int mode, bool readonly);
void gntlab_map_free(struct gntlab_grant_map *map);
int gntlab_cache_init(void);
void gntlab_cache_exit(void);
unsigned int gntlab_cached_pages(void);

/* gntlab_grant.c: map and unmap hypercalls, teardown, last reference */
bool gntlab_user_mapped(struct gntlab_grant_map *map, unsigned int idx);
bool gntlab_kernel_mapped(struct gntlab_grant_map *map, unsigned int idx);
int gntlab_map_grants(struct gntlab_grant_map *map);
void gntlab_unmap_va_range(struct gntlab_grant_map *map, struct mm_struct *mm,
			   unsigned long start, unsigned long end);
void gntlab_unmap_work(struct work_struct *work);
void gntlab_map_put(struct gntlab_grant_map *map);

/* gntlab_mmap.c: mmap, the notifier, VMA operations */
int gntlab_mmap(struct file *filp, struct vm_area_struct *vma);
struct gntlab_grant_map *gntlab_vma_to_map(struct file *filp,
					   struct vm_area_struct *vma);

/* gntlab_main.c */
struct gntlab_grant_map *gntlab_find_map_get(struct gntlab_file *priv,
				       unsigned long pgoff, unsigned int count);

/* gntlab_probe.c */
long gntlab_ioctl_introspect(struct file *filp, void __user *arg);
long gntlab_ioctl_gup_probe(struct file *filp, void __user *arg);
long gntlab_ioctl_introspect_any(struct file *filp, void __user *arg);
long gntlab_ioctl_gup_probe_any(struct file *filp, void __user *arg);

#endif /* GNTLAB_PRIV_H */

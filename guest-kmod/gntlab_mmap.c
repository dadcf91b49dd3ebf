// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab: mmap of a reserved map (the PV way: Xen writes the user PTEs; the
 * hypercalls are in gntlab_grant.c), the mmu interval notifier that unmaps
 * the grants before the core mm changes or frees their PTEs, and the VMA
 * operations of the three modes: open/close (VMA split, fork, munmap) and
 * find_special_page, the hook that lets the core find the page behind a
 * grant PTE (upstream: gntdev_mmap(), gntdev_vmops, gntdev_mmu_ops).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>

#include <xen/grant_table.h>
#include <xen/page.h>
#include <asm/xen/page.h>

#include "gntlab_priv.h"
#include "gntlab_compat.h"

static const struct vm_operations_struct gntlab_vmops_special;
static const struct vm_operations_struct gntlab_vmops_nohook;
static const struct vm_operations_struct gntlab_vmops_pfnmap;

/* ------------------------------------------------------------------ */
/* The notifier */

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

/* ------------------------------------------------------------------ */
/* Mapping */

/*
 * A fault injection point (gntlab_priv.h): failing it at the n-th page
 * stands for apply_to_page_range() failing there (a page table it could
 * not allocate).
 */
static GNTLAB_FI_POINT int gntlab_find_pte_cb(pte_t *pte, unsigned long addr,
					      void *data)
{
	struct gntlab_grant_map *map = data;
	unsigned long idx = (addr - map->vm_start) >> PAGE_SHIFT;
	u32 flags = GNTMAP_host_map | GNTMAP_application_map |
		    GNTMAP_contains_pte | (1 << _GNTMAP_guest_avail0);
	u64 maddr;

	if (gntlab_should_fail(GNTLAB_FI_PTE))
		return -ENOMEM;
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

ALLOW_ERROR_INJECTION(gntlab_find_pte_cb, ERRNO);

/*
 * Fault injection point (gntlab_priv.h): the first notifier of an mm
 * allocates the mm's notifier state.
 */
static GNTLAB_FI_POINT int gntlab_notifier_insert(struct gntlab_grant_map *map,
						  struct vm_area_struct *vma)
{
	if (gntlab_should_fail(GNTLAB_FI_NOTIFIER))
		return -ENOMEM;
	return mmu_interval_notifier_insert_locked(&map->notifier, vma->vm_mm,
						   vma->vm_start,
						   vma->vm_end - vma->vm_start,
						   &gntlab_mn_ops);
}
ALLOW_ERROR_INJECTION(gntlab_notifier_insert, ERRNO);

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
	gntlab_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP |
				 VM_WIPEONFORK);
	if (map->kalias_ro || !(vma->vm_flags & VM_SHARED))
		gntlab_vm_flags_clear(vma, VM_MAYWRITE);
	switch (map->mode) {
	case GNTLAB_MODE_SPECIAL:
		/* The map ioctl refused the mode when there is no hook. */
		gntlab_vm_flags_set(vma, VM_MIXEDMAP);
		vma->vm_ops = &gntlab_vmops_special;
		break;
	case GNTLAB_MODE_NOHOOK:
		gntlab_vm_flags_set(vma, VM_MIXEDMAP);
		vma->vm_ops = &gntlab_vmops_nohook;
		break;
	default:
		gntlab_vm_flags_set(vma, VM_PFNMAP | VM_IO);
		vma->vm_ops = &gntlab_vmops_pfnmap;
		break;
	}
	vma->vm_private_data = map;

	/*
	 * The notifier keeps the PTE machine addresses handed to Xen from
	 * going stale: it unmaps the user halves before the core changes or
	 * frees the PTEs (munmap, exit, mprotect, madvise, mremap).
	 */
	err = gntlab_notifier_insert(map, vma);
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

#if GNTLAB_HAVE_PAGE_HOOK
/*
 * The core mm cannot find the page behind a PV grant PTE (the M2P of a
 * foreign frame points into the granter), so tell it: the kernel's
 * find_special_page, or find_normal_page since 6.18 (gntlab_compat.h).
 * Runs under the PTE lock, without map->lock.
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
#endif

/* Without a page hook (gntlab_compat.h) no map ever gets these. */
static const struct vm_operations_struct gntlab_vmops_special = {
	.open = gntlab_vma_open,
	.close = gntlab_vma_close,
#if GNTLAB_HAVE_PAGE_HOOK
	GNTLAB_VMOPS_PAGE_HOOK(gntlab_find_special_page),
#endif
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

/*
 * The modes this build supports, for tests and people to read:
 * /sys/module/gntlab/parameters/modes, e.g. "special nohook pfnmap
 * hook=find_special_page". A mode absent here is refused by the map ioctl
 * with -EOPNOTSUPP; the tests SKIP its variants with that reason.
 */
static int gntlab_modes_get(char *buf, const struct kernel_param *kp)
{
	static const char *const names[GNTLAB_MODE_COUNT] = {
		[GNTLAB_MODE_SPECIAL] = "special",
		[GNTLAB_MODE_NOHOOK] = "nohook",
		[GNTLAB_MODE_PFNMAP] = "pfnmap",
	};
	int len = 0;
	unsigned int m;

	for (m = 0; m < GNTLAB_MODE_COUNT; m++)
		if (gntlab_mode_supported(m))
			len += scnprintf(buf + len, PAGE_SIZE - len, "%s ",
					 names[m]);
	len += scnprintf(buf + len, PAGE_SIZE - len, "hook=%s\n",
			 GNTLAB_PAGE_HOOK_NAME);
	return len;
}

static const struct kernel_param_ops gntlab_modes_ops = {
	.get = gntlab_modes_get,
};
module_param_cb(modes, &gntlab_modes_ops, NULL, 0444);
MODULE_PARM_DESC(modes, "mapping modes this build supports, and the page hook it uses");

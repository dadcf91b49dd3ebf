/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gntlab: what differs between the kernels the module builds against,
 * decided by guest-kmod/configure.sh's header probes (gntlab_config.h),
 * never by a version number.
 *
 * - The page hook of the VMA operations: find_special_page (up to 6.17),
 *   find_normal_page (6.18+, only with CONFIG_FIND_NORMAL_PAGE), or none.
 *   Without one, the `special` mode cannot exist: GNTLAB_HAVE_PAGE_HOOK is
 *   0, the map ioctl refuses the mode with -EOPNOTSUPP and
 *   /sys/module/gntlab/parameters/modes does not list it.
 * - vm_flags_set()/vm_flags_clear() (6.3+) against writing vma->vm_flags.
 * - the vmas argument of get_user_pages() and its siblings (gone in 6.5).
 * - PTE locking of a user page table: pte_offset_map_lock() became the
 *   out-of-line __pte_offset_map_lock() (6.5), then a function (7.x), not
 *   exported, and
 *   apply_to_existing_page_range() lost its export (7.x); without the
 *   exports, the same steps with the inline helpers (pte_lockptr()).
 */
#ifndef GNTLAB_COMPAT_H
#define GNTLAB_COMPAT_H

#include <linux/mm.h>
#include <linux/rcupdate.h>

#include "gntlab.h"
#include "gntlab_config.h"

#if HAVE_FIND_NORMAL_PAGE
#define GNTLAB_HAVE_PAGE_HOOK 1
#define GNTLAB_PAGE_HOOK_NAME "find_normal_page"
#define GNTLAB_VMOPS_PAGE_HOOK(fn) .find_normal_page = (fn)
#define gntlab_vma_page_hook(vma) \
	((vma)->vm_ops ? (vma)->vm_ops->find_normal_page : NULL)
#elif HAVE_FIND_SPECIAL_PAGE
#define GNTLAB_HAVE_PAGE_HOOK 1
#define GNTLAB_PAGE_HOOK_NAME "find_special_page"
#define GNTLAB_VMOPS_PAGE_HOOK(fn) .find_special_page = (fn)
#define gntlab_vma_page_hook(vma) \
	((vma)->vm_ops ? (vma)->vm_ops->find_special_page : NULL)
#else
#define GNTLAB_HAVE_PAGE_HOOK 0
#define GNTLAB_PAGE_HOOK_NAME "none"
#define gntlab_vma_page_hook(vma) \
	((struct page *(*)(struct vm_area_struct *, unsigned long))NULL)
#endif

static inline void gntlab_vm_flags_set(struct vm_area_struct *vma,
				       unsigned long flags)
{
#if HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void gntlab_vm_flags_clear(struct vm_area_struct *vma,
					 unsigned long flags)
{
#if HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

#if HAVE_GUP_VMAS_ARG
#define gntlab_get_user_pages(start, n, flags, pages) \
	get_user_pages(start, n, flags, pages, NULL)
#define gntlab_pin_user_pages(start, n, flags, pages) \
	pin_user_pages(start, n, flags, pages, NULL)
#define gntlab_get_user_pages_remote(mm, start, n, flags, pages, locked) \
	get_user_pages_remote(mm, start, n, flags, pages, NULL, locked)
#else
#define gntlab_get_user_pages(start, n, flags, pages) \
	get_user_pages(start, n, flags, pages)
#define gntlab_pin_user_pages(start, n, flags, pages) \
	pin_user_pages(start, n, flags, pages)
#define gntlab_get_user_pages_remote(mm, start, n, flags, pages, locked) \
	get_user_pages_remote(mm, start, n, flags, pages, locked)
#endif

#if (HAVE___PTE_OFFSET_MAP_LOCK && !HAVE_EXPORT___PTE_OFFSET_MAP_LOCK) || \
	(HAVE_PTE_OFFSET_MAP_LOCK_FUNC && !HAVE_EXPORT_PTE_OFFSET_MAP_LOCK)
/*
 * pte_offset_map_lock() without __pte_offset_map_lock(): lock the page
 * table's PTE lock, then check that the PMD still points at that page
 * table (khugepaged may retract it without the mmap lock). x86-64 has no
 * HIGHPTE: the page table is mapped in the direct map. NULL: no table.
 */
static inline pte_t *gntlab_pte_offset_map_lock(struct mm_struct *mm,
						pmd_t *pmd, unsigned long addr,
						spinlock_t **ptlp)
{
	pmd_t pmdval;
	spinlock_t *ptl;

	/* As the kernel's: a retracted page table is freed after RCU. */
	rcu_read_lock();
	pmdval = pmdp_get_lockless(pmd);
	if (pmd_none(pmdval) || pmd_bad(pmdval) || pmd_trans_huge(pmdval))
		goto none;
	ptl = pte_lockptr(mm, &pmdval);
	spin_lock(ptl);
	if (!pmd_same(pmdval, pmdp_get_lockless(pmd))) {
		spin_unlock(ptl);
		goto none;
	}
	*ptlp = ptl;
	return pte_offset_kernel(&pmdval, addr);
none:
	rcu_read_unlock();
	return NULL;
}

static inline void gntlab_pte_unmap_unlock(pte_t *ptep, spinlock_t *ptl)
{
	spin_unlock(ptl);
	rcu_read_unlock();
}
#else
#define gntlab_pte_offset_map_lock(mm, pmd, addr, ptlp) \
	pte_offset_map_lock(mm, pmd, addr, ptlp)
#define gntlab_pte_unmap_unlock(ptep, ptl) pte_unmap_unlock(ptep, ptl)
#endif

/*
 * A per-CPU workqueue, the old default: 7.x WARNs unless the flags say
 * WQ_PERCPU or WQ_UNBOUND.
 */
#if HAVE_WQ_PERCPU
#define GNTLAB_WQ_PERCPU WQ_PERCPU
#else
#define GNTLAB_WQ_PERCPU 0
#endif

/* pmd_devmap() went with pte_devmap() (6.17). */
#if HAVE_PTE_DEVMAP
#define gntlab_pmd_devmap(pmd) pmd_devmap(pmd)
#else
#define gntlab_pmd_devmap(pmd) false
#endif

/* The PMD entry of addr in mm (mmap lock held), NULL above a missing level. */
static inline pmd_t *gntlab_user_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;

	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_bad(*pud))
		return NULL;
	return pmd_offset(pud, addr);
}

#if HAVE_EXPORT_APPLY_TO_EXISTING_PAGE_RANGE
static inline int gntlab_ptl_barrier_cb(pte_t *pte, unsigned long addr,
					void *data)
{
	return 0;
}

/* Take and drop the PTE lock of the page table mapping addr, if any. */
static inline void gntlab_ptl_barrier_at(struct mm_struct *mm,
					 unsigned long addr)
{
	apply_to_existing_page_range(mm, addr, PAGE_SIZE,
				     gntlab_ptl_barrier_cb, NULL);
}
#else
static inline void gntlab_ptl_barrier_at(struct mm_struct *mm,
					 unsigned long addr)
{
	pmd_t *pmd = gntlab_user_pmd(mm, addr);
	spinlock_t *ptl;
	pmd_t pmdval;
	pte_t *ptep;

	if (!pmd)
		return;
	pmdval = READ_ONCE(*pmd);
	if (pmd_none(pmdval) || pmd_bad(pmdval) || pmd_trans_huge(pmdval))
		return;
	ptep = gntlab_pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (ptep)
		gntlab_pte_unmap_unlock(ptep, ptl);
}
#endif

/* Whether this build supports a mapping mode (enum gntlab_mode). */
static inline bool gntlab_mode_supported(unsigned int mode)
{
	return mode != GNTLAB_MODE_SPECIAL || GNTLAB_HAVE_PAGE_HOOK;
}

#endif

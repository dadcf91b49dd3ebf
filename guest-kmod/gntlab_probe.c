// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab: root-only probes that look at a grant mapping from inside the
 * kernel: what the page tables, the M2P and the p2m hold for one page
 * (GNTLAB_IOC_INTROSPECT), and what each get_user_pages() flavour makes of
 * it (GNTLAB_IOC_GUP_PROBE).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include <xen/grant_table.h>
#include <xen/page.h>
#include <asm/pgtable.h>
#include <asm/xen/page.h>

#include "gntlab_priv.h"
#include "gntlab_compat.h"

/*
 * Two flavours of each probe: the original commands accept only addresses
 * inside our own maps (introspection) or report same_page 0 elsewhere
 * (GUP); the _ANY commands (issue #11 item 3) take any user address of the
 * calling process, so that another driver's mapping (the kernel's gntdev)
 * gets the same facts. Safety rules for an address that is not ours: the
 * address must lie inside a VMA found under the mmap lock (then its page
 * tables cannot be freed under us), the PTE is read and every fact about
 * the page behind it gathered under the PTE lock (the page stays mapped,
 * or, for a find_special_page() page, stays owned by the VMA's driver
 * while we hold the mmap lock), and no page reference is taken at all.
 */
#define GNTLAB_NONE	(~0ULL)

/*
 * Map and lock the PTE of addr in mm, or NULL when no 4K page table maps
 * addr. Caller holds the mmap lock and found addr inside a VMA (so the
 * page table cannot be freed under us); gntlab_pte_unmap_unlock() when
 * done.
 */
static pte_t *gntlab_lock_user_pte(struct mm_struct *mm, unsigned long addr,
				   spinlock_t **ptl)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd, pmdval;

	pgd = pgd_offset(mm, addr);
	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_bad(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	pmdval = READ_ONCE(*pmd);
	/* No THP in a PV guest, but never treat a leaf pmd as a table. */
	if (pmd_none(pmdval) || pmd_bad(pmdval) || pmd_trans_huge(pmdval) ||
	    gntlab_pmd_devmap(pmdval))
		return NULL;
	return gntlab_pte_offset_map_lock(mm, pmd, addr, ptl);
}

/*
 * Read the PTE mapping addr in mm, under its PTE lock. Caller holds the
 * mmap lock. Returns -ENOENT when no 4K page table maps addr.
 */
static int gntlab_read_user_pte(struct mm_struct *mm, unsigned long addr,
				pte_t *out)
{
	spinlock_t *ptl;
	pte_t *ptep;

	ptep = gntlab_lock_user_pte(mm, addr, &ptl);
	if (!ptep)
		return -ENOENT;
	*out = *ptep;
	gntlab_pte_unmap_unlock(ptep, ptl);
	return 0;
}

/*
 * What vm_normal_page(vma, addr, pte) returns. The function is not
 * exported to modules in 6.1, so this follows its x86 (pte_special)
 * branch step by step and reports that it did (GNTLAB_NORMAL_PAGE_MODELLED).
 */
static struct page *gntlab_normal_page(struct vm_area_struct *vma,
				       unsigned long addr, pte_t pte)
{
	unsigned long pfn;

	if (!pte_present(pte))
		return NULL;
	if (pte_special(pte)) {
		struct page *(*hook)(struct vm_area_struct *, unsigned long) =
			gntlab_vma_page_hook(vma);

		if (hook)
			return hook(vma, addr);
		/* VM_PFNMAP / VM_MIXEDMAP, zero page, devmap: no page */
		return NULL;
	}
	/* Not special: the core converts the PTE through the M2P. */
	pfn = pte_pfn(pte);
	if (!pfn_valid(pfn))
		return NULL;
	return pfn_to_page(pfn);
}

static void gntlab_fill_kernel_alias(struct gntlab_introspect *io,
				     struct page *page)
{
	unsigned int level;
	pte_t *kpte;
	pteval_t raw;

	io->kernel_alias_pte = 0;
	io->kernel_alias_mfn = GNTLAB_NONE;
	kpte = lookup_address((unsigned long)page_address(page), &level);
	if (!kpte)
		return;
	raw = native_pte_val(*kpte);
	io->kernel_alias_pte = raw;
	if (level == PG_LEVEL_4K && (raw & _PAGE_PRESENT))
		io->kernel_alias_mfn = pte_mfn(*kpte);
}

/* The PTE facts: raw bits, MFN, its M2P entry and mfn_to_pfn(). */
static void gntlab_fill_pte(struct gntlab_introspect *io, pte_t pte)
{
	pteval_t raw = native_pte_val(pte);
	unsigned long mfn, m2p;

	io->pte = raw;
	io->pte_mfn = GNTLAB_NONE;
	io->m2p = GNTLAB_NONE;
	io->mfn_to_pfn = GNTLAB_NONE;
	if (raw & _PAGE_PRESENT) {
		io->bits |= GNTLAB_PTE_PRESENT;
		mfn = pte_mfn(pte);
		io->pte_mfn = mfn;
		/* The M2P has holes: read it the fault-tolerant way. */
		if (mfn < machine_to_phys_nr &&
		    !xen_safe_read_ulong(&machine_to_phys_mapping[mfn], &m2p))
			io->m2p = m2p;
		/* Also fault-tolerant (and ~0 when the entry is not ours). */
		io->mfn_to_pfn = mfn_to_pfn(mfn);
	}
	if (raw & _PAGE_RW)
		io->bits |= GNTLAB_PTE_RW;
	if (raw & _PAGE_USER)
		io->bits |= GNTLAB_PTE_USER;
	if (raw & _PAGE_SPECIAL)
		io->bits |= GNTLAB_PTE_SPECIAL;
}

/*
 * The facts about "the page": its pfn, p2m entry, PageForeign, refcount
 * and kernel alias. The caller guarantees the page cannot be freed
 * meanwhile (map page held by the map; other pages: PTE lock / mmap lock).
 */
static void gntlab_fill_page(struct gntlab_introspect *io, struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	io->page_pfn = pfn;
	io->pfn_to_mfn = pfn_to_mfn(pfn);
	io->p2m_raw = __pfn_to_mfn(pfn);
	if (io->p2m_raw != INVALID_P2M_ENTRY &&
	    (io->p2m_raw & FOREIGN_FRAME_BIT))
		io->bits |= GNTLAB_P2M_FOREIGN;
	if (PageForeign(page))
		io->bits |= GNTLAB_PAGE_FOREIGN;
	io->page_count = page_count(page);
	io->bits |= GNTLAB_PAGE_COUNT_VALID;
	gntlab_fill_kernel_alias(io, page);
}

/* Introspection of page idx of one of our maps (the version 1 answer). */
static void gntlab_introspect_map(struct gntlab_introspect *io,
				  struct mm_struct *mm,
				  struct vm_area_struct *vma,
				  struct gntlab_grant_map *map,
				  unsigned long addr, unsigned long idx)
{
	struct page *page = map->pages[idx], *np;
	pte_t pte;

	mutex_lock(&map->lock);
	if (gntlab_read_user_pte(mm, addr, &pte))
		pte = __pte(0);
	else
		io->bits |= GNTLAB_PTE_TABLE;
	gntlab_fill_pte(io, pte);
	/* The map holds its pages until it is freed, after the VMA is gone. */
	gntlab_fill_page(io, page);

	io->bits |= GNTLAB_NORMAL_PAGE_MODELLED;
	np = gntlab_normal_page(vma, addr, pte);
	io->normal_page_pfn = GNTLAB_NONE;
	if (np) {
		io->bits |= GNTLAB_NORMAL_PAGE_FOUND;
		io->normal_page_pfn = page_to_pfn(np);
		if (np == page)
			io->bits |= GNTLAB_NORMAL_PAGE_IS_MAP;
	}
	if (gntlab_user_mapped(map, idx))
		io->bits |= GNTLAB_GRANT_MAPPED;

	io->vm_flags = vma->vm_flags;
	io->mode = map->mode;
	io->domid = map->grants[idx].domid;
	io->ref = map->grants[idx].ref;
	io->page_index = idx;
	mutex_unlock(&map->lock);
}

/*
 * Introspection of an address inside a VMA that is not one of our maps.
 * Everything is gathered under the PTE lock and no page reference is
 * taken: a page behind a present PTE stays mapped (so allocated) while we
 * hold the lock, and a page handed out by another driver's
 * find_special_page() belongs to that driver's VMA, which cannot go away
 * while we hold the mmap lock.
 */
static int gntlab_introspect_other(struct gntlab_introspect *io,
				   struct mm_struct *mm,
				   struct vm_area_struct *vma,
				   unsigned long addr)
{
	struct page *np;
	spinlock_t *ptl;
	pte_t *ptep, pte;

	/* Leaf pmd/pud entries: not walked. None in a PV guest anyway. */
	if (is_vm_hugetlb_page(vma))
		return -EOPNOTSUPP;

	io->bits |= GNTLAB_NOT_OUR_MAP | GNTLAB_NORMAL_PAGE_MODELLED;
	io->mode = GNTLAB_INTROSPECT_NA;
	io->domid = GNTLAB_INTROSPECT_NA;
	io->ref = GNTLAB_INTROSPECT_NA;
	io->page_index = GNTLAB_INTROSPECT_NA;
	io->vm_flags = vma->vm_flags;
	io->page_pfn = GNTLAB_NONE;
	io->pfn_to_mfn = GNTLAB_NONE;
	io->p2m_raw = GNTLAB_NONE;
	io->normal_page_pfn = GNTLAB_NONE;
	io->kernel_alias_mfn = GNTLAB_NONE;

	ptep = gntlab_lock_user_pte(mm, addr, &ptl);
	if (!ptep) {
		gntlab_fill_pte(io, __pte(0));
		return 0;
	}
	io->bits |= GNTLAB_PTE_TABLE;
	pte = ptep_get(ptep);
	gntlab_fill_pte(io, pte);
	/* As the core calls vm_normal_page(): under the PTE lock. */
	np = gntlab_normal_page(vma, addr, pte);
	if (np) {
		io->bits |= GNTLAB_NORMAL_PAGE_FOUND;
		io->normal_page_pfn = page_to_pfn(np);
		gntlab_fill_page(io, np);
	}
	gntlab_pte_unmap_unlock(ptep, ptl);
	return 0;
}

static long gntlab_introspect(struct file *filp, void __user *arg, bool any)
{
	struct gntlab_introspect io;
	struct mm_struct *mm = current->mm;
	struct gntlab_grant_map *map;
	struct vm_area_struct *vma;
	unsigned long addr, idx;
	int err = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&io, arg, sizeof(io)))
		return -EFAULT;
	if (io.version != GNTLAB_INTROSPECT_VERSION ||
	    io.size != sizeof(io) || io.pad)
		return -EINVAL;
	if (!mm)
		return -EINVAL;
	addr = io.addr;
	/* Kernel and non-canonical addresses are no user address at all. */
	if (any && (io.addr >= TASK_SIZE || addr != io.addr))
		return -EFAULT;
	/* Clear every OUT field. */
	memset(&io, 0, sizeof(io));
	io.version = GNTLAB_INTROSPECT_VERSION;
	io.size = sizeof(io);
	io.addr = addr;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = vma_lookup(mm, addr);
	if (!vma) {
		err = any ? -ENOENT : -EINVAL;
		goto out_unlock_mm;
	}
	/* Ours: a map of this fd, or with _ANY, of any fd of this process. */
	map = gntlab_vma_to_map(any ? NULL : filp, vma);
	if (map && addr >= map->vm_start) {
		idx = (addr - map->vm_start) >> PAGE_SHIFT;
		if (idx < map->count) {
			gntlab_introspect_map(&io, mm, vma, map, addr, idx);
			goto out_unlock_mm;
		}
	}
	if (any)
		err = gntlab_introspect_other(&io, mm, vma, addr);
	else
		err = -EINVAL;

out_unlock_mm:
	mmap_read_unlock(mm);
	if (!err && copy_to_user(arg, &io, sizeof(io)))
		err = -EFAULT;
	return err;
}

long gntlab_ioctl_introspect(struct file *filp, void __user *arg)
{
	return gntlab_introspect(filp, arg, false);
}

long gntlab_ioctl_introspect_any(struct file *filp, void __user *arg)
{
	return gntlab_introspect(filp, arg, true);
}

/*
 * Is page the backing page of the gntlab map page at addr? 1 yes, 0 no,
 * -1 when addr is not inside one of this process's gntlab maps.
 */
static int gntlab_is_map_page(struct mm_struct *mm, unsigned long addr,
			      struct page *page)
{
	struct gntlab_grant_map *map;
	struct vm_area_struct *vma;
	unsigned long idx;
	int same = -1;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma) {
		map = gntlab_vma_to_map(NULL, vma);
		if (map && addr >= map->vm_start) {
			idx = (addr - map->vm_start) >> PAGE_SHIFT;
			if (idx < map->count)
				same = page && map->pages[idx] == page;
		}
	}
	mmap_read_unlock(mm);
	return same;
}

static long gntlab_gup_probe(void __user *arg, bool any)
{
	struct gntlab_gup_probe io;
	struct mm_struct *mm = current->mm;
	struct page *page = NULL;
	unsigned int flags;
	unsigned long addr;
	bool pinned = false;
	long ret;
	int same;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&io, arg, sizeof(io)))
		return -EFAULT;
	if (io.kind >= GNTLAB_GUP_COUNT || io.write > 1)
		return -EINVAL;
	if (!mm)
		return -EINVAL;
	addr = untagged_addr(io.addr);
	flags = io.write ? FOLL_WRITE : 0;

	/* The GUP functions check the range themselves (access_ok, VMAs). */
	switch (io.kind) {
	case GNTLAB_GUP_FAST_ONLY:
		ret = get_user_pages_fast_only(addr, 1, flags, &page);
		break;
	case GNTLAB_GUP_FAST:
		ret = get_user_pages_fast(addr, 1, flags, &page);
		break;
	case GNTLAB_GUP_SLOW:
		if (mmap_read_lock_killable(mm))
			return -EINTR;
		ret = gntlab_get_user_pages(addr, 1, flags, &page);
		mmap_read_unlock(mm);
		break;
	case GNTLAB_GUP_REMOTE:
		if (mmap_read_lock_killable(mm))
			return -EINTR;
		ret = gntlab_get_user_pages_remote(mm, addr, 1, flags,
						   &page, NULL);
		mmap_read_unlock(mm);
		break;
	case GNTLAB_GUP_PIN:
	case GNTLAB_GUP_PIN_LONGTERM:
		if (io.kind == GNTLAB_GUP_PIN_LONGTERM)
			flags |= FOLL_LONGTERM;
		if (mmap_read_lock_killable(mm))
			return -EINTR;
		ret = gntlab_pin_user_pages(addr, 1, flags, &page);
		mmap_read_unlock(mm);
		pinned = true;
		break;
	default:
		return -EINVAL;
	}

	io.ret = ret;
	io.page_pfn = GNTLAB_NONE;
	if (ret <= 0)
		page = NULL;
	if (page)
		io.page_pfn = page_to_pfn(page);
	/* Compared while we still hold the reference: the page cannot move. */
	same = (page || any) ? gntlab_is_map_page(mm, addr, page) : 0;
	if (page) {
		/* Give back exactly what the probe took. */
		if (pinned)
			unpin_user_page(page);
		else
			put_page(page);
	}
	if (same < 0)
		io.same_page = any ? GNTLAB_SAME_PAGE_NA : 0;
	else
		io.same_page = same;
	if (copy_to_user(arg, &io, sizeof(io)))
		return -EFAULT;
	return 0;
}

long gntlab_ioctl_gup_probe(struct file *filp, void __user *arg)
{
	return gntlab_gup_probe(arg, false);
}

long gntlab_ioctl_gup_probe_any(struct file *filp, void __user *arg)
{
	return gntlab_gup_probe(arg, true);
}

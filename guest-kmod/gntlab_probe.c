// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab: root-only probes that look at a grant mapping from inside the
 * kernel: what the page tables, the M2P and the p2m hold for one page
 * (GNTLAB_IOC_INTROSPECT), and what each get_user_pages() flavour makes of
 * it (GNTLAB_IOC_GUP_PROBE).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
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

#define GNTLAB_NONE	(~0ULL)

/*
 * Read the PTE mapping addr in mm, under its PTE lock. Caller holds the
 * mmap lock. Returns -ENOENT when no 4K page table maps addr.
 */
static int gntlab_read_user_pte(struct mm_struct *mm, unsigned long addr,
				pte_t *out)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd, pmdval;
	pte_t *ptep;
	spinlock_t *ptl;

	pgd = pgd_offset(mm, addr);
	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return -ENOENT;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return -ENOENT;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_bad(*pud))
		return -ENOENT;
	pmd = pmd_offset(pud, addr);
	pmdval = READ_ONCE(*pmd);
	if (pmd_none(pmdval) || pmd_bad(pmdval) || pmd_trans_huge(pmdval))
		return -ENOENT;
	ptep = gntlab_pte_offset_map_lock(mm, pmd, addr, &ptl);
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

long gntlab_ioctl_introspect(struct file *filp, void __user *arg)
{
	struct gntlab_introspect io;
	struct mm_struct *mm = current->mm;
	struct gntlab_grant_map *map;
	struct vm_area_struct *vma;
	struct page *page, *np;
	unsigned long addr, idx, mfn, pfn, m2p;
	pteval_t raw = 0;
	pte_t pte;
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
	/* Clear every OUT field. */
	memset(&io, 0, sizeof(io));
	io.version = GNTLAB_INTROSPECT_VERSION;
	io.size = sizeof(io);
	io.addr = addr;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = find_vma(mm, addr);
	if (!vma || addr < vma->vm_start) {
		err = -EINVAL;
		goto out_unlock_mm;
	}
	map = gntlab_vma_to_map(filp, vma);
	if (!map || addr < map->vm_start) {
		err = -EINVAL;
		goto out_unlock_mm;
	}
	idx = (addr - map->vm_start) >> PAGE_SHIFT;
	if (idx >= map->count) {
		err = -EINVAL;
		goto out_unlock_mm;
	}
	page = map->pages[idx];

	mutex_lock(&map->lock);
	if (gntlab_read_user_pte(mm, addr, &pte))
		pte = __pte(0);
	raw = native_pte_val(pte);
	io.pte = raw;
	io.pte_mfn = GNTLAB_NONE;
	io.m2p = GNTLAB_NONE;
	io.mfn_to_pfn = GNTLAB_NONE;
	if (raw & _PAGE_PRESENT) {
		io.bits |= GNTLAB_PTE_PRESENT;
		mfn = pte_mfn(pte);
		io.pte_mfn = mfn;
		/* The M2P has holes: read it the fault-tolerant way. */
		if (mfn < machine_to_phys_nr &&
		    !xen_safe_read_ulong(&machine_to_phys_mapping[mfn], &m2p))
			io.m2p = m2p;
		io.mfn_to_pfn = mfn_to_pfn(mfn);
	}
	if (raw & _PAGE_RW)
		io.bits |= GNTLAB_PTE_RW;
	if (raw & _PAGE_USER)
		io.bits |= GNTLAB_PTE_USER;
	if (raw & _PAGE_SPECIAL)
		io.bits |= GNTLAB_PTE_SPECIAL;

	pfn = page_to_pfn(page);
	io.page_pfn = pfn;
	io.pfn_to_mfn = pfn_to_mfn(pfn);
	io.p2m_raw = __pfn_to_mfn(pfn);
	if (io.p2m_raw != INVALID_P2M_ENTRY &&
	    (io.p2m_raw & FOREIGN_FRAME_BIT))
		io.bits |= GNTLAB_P2M_FOREIGN;
	if (PageForeign(page))
		io.bits |= GNTLAB_PAGE_FOREIGN;

	io.bits |= GNTLAB_NORMAL_PAGE_MODELLED;
	np = gntlab_normal_page(vma, addr, pte);
	io.normal_page_pfn = GNTLAB_NONE;
	if (np) {
		io.bits |= GNTLAB_NORMAL_PAGE_FOUND;
		io.normal_page_pfn = page_to_pfn(np);
		if (np == page)
			io.bits |= GNTLAB_NORMAL_PAGE_IS_MAP;
	}
	if (gntlab_user_mapped(map, idx))
		io.bits |= GNTLAB_GRANT_MAPPED;

	gntlab_fill_kernel_alias(&io, page);
	io.vm_flags = vma->vm_flags;
	io.mode = map->mode;
	io.domid = map->grants[idx].domid;
	io.ref = map->grants[idx].ref;
	io.page_index = idx;
	mutex_unlock(&map->lock);

out_unlock_mm:
	mmap_read_unlock(mm);
	if (!err && copy_to_user(arg, &io, sizeof(io)))
		err = -EFAULT;
	return err;
}

/* Is page the backing page of the gntlab map page at addr? */
static bool gntlab_is_map_page(struct mm_struct *mm, unsigned long addr,
			       struct page *page)
{
	struct gntlab_grant_map *map;
	struct vm_area_struct *vma;
	unsigned long idx;
	bool same = false;

	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	if (vma && addr >= vma->vm_start) {
		map = gntlab_vma_to_map(NULL, vma);
		if (map && addr >= map->vm_start) {
			idx = (addr - map->vm_start) >> PAGE_SHIFT;
			same = idx < map->count && map->pages[idx] == page;
		}
	}
	mmap_read_unlock(mm);
	return same;
}

long gntlab_ioctl_gup_probe(struct file *filp, void __user *arg)
{
	struct gntlab_gup_probe io;
	struct mm_struct *mm = current->mm;
	struct page *page = NULL;
	unsigned int flags;
	unsigned long addr;
	bool pinned = false;
	long ret;

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
	io.same_page = 0;
	io.page_pfn = GNTLAB_NONE;
	if (ret > 0 && page) {
		io.page_pfn = page_to_pfn(page);
		io.same_page = gntlab_is_map_page(mm, addr, page);
		/* Give back exactly what the probe took. */
		if (pinned)
			unpin_user_page(page);
		else
			put_page(page);
	}
	if (copy_to_user(arg, &io, sizeof(io)))
		return -EFAULT;
	return 0;
}

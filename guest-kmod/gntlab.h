/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gntlab: ioctl ABI of the guest grant-mapping module (/dev/gntlab).
 *
 * One header, included by the module and by every user-space program that
 * talks to it; never restate these definitions elsewhere.
 *
 * Flow (mirrors /dev/xen/gntdev):
 *   1. GNTLAB_IOC_MAP with a list of (domid, gref): the module reserves a
 *      map and returns its mmap offset in .index (nothing is mapped yet).
 *   2. mmap(NULL, count * PAGE_SIZE, prot, MAP_SHARED, fd, index): the grants
 *      are mapped into the user VMA (Xen writes the user PTEs) and into the
 *      kernel alias.
 *   3. munmap() or exit unmaps the grants; GNTLAB_IOC_UNMAP releases the map.
 *
 * All structures have explicit padding that must be zero on input, so the
 * ABI is the same for 32- and 64-bit user space and can grow.
 */
#ifndef GNTLAB_H
#define GNTLAB_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define GNTLAB_DEVICE "/dev/gntlab"
#define GNTLAB_ABI_VERSION 1
#define GNTLAB_IOC_MAGIC 'G'

/* Mapping modes, chosen per map (see docs/module.md). */
enum gntlab_mode {
	/* VM_MIXEDMAP + find_special_page (upstream gntdev's PV contract). */
	GNTLAB_MODE_SPECIAL = 0,
	/* VM_MIXEDMAP, special PTEs, no find_special_page hook. */
	GNTLAB_MODE_NOHOOK = 1,
	/* VM_PFNMAP | VM_IO, no hook. */
	GNTLAB_MODE_PFNMAP = 2,
	GNTLAB_MODE_COUNT
};

/* gntlab_map.flags */
#define GNTLAB_MAP_READONLY (1u << 0)
#define GNTLAB_MAP_FLAGS_ALL (GNTLAB_MAP_READONLY)

struct gntlab_grant_ref {
	__u32 domid;
	__u32 ref;
};

struct gntlab_map {
	__u32 count;	/* IN: number of grants, 1..max_grants */
	__u32 flags;	/* IN: GNTLAB_MAP_* */
	__u32 mode;	/* IN: enum gntlab_mode */
	__u32 pad;	/* IN: must be 0 */
	__u64 refs;	/* IN: user pointer to struct gntlab_grant_ref[count] */
	__u64 index;	/* OUT: offset to pass to mmap() */
};
#define GNTLAB_IOC_MAP _IOWR(GNTLAB_IOC_MAGIC, 1, struct gntlab_map)

struct gntlab_unmap {
	__u64 index;	/* IN: .index returned by GNTLAB_IOC_MAP */
	__u32 count;	/* IN: must equal the map's count */
	__u32 pad;	/* IN: must be 0 */
};
#define GNTLAB_IOC_UNMAP _IOW(GNTLAB_IOC_MAGIC, 2, struct gntlab_unmap)

/* Unmap notification, as gntdev's IOCTL_GNTDEV_SET_UNMAP_NOTIFY. */
#define GNTLAB_NOTIFY_CLEAR_BYTE (1u << 0)
#define GNTLAB_NOTIFY_SEND_EVENT (1u << 1)
struct gntlab_unmap_notify {
	__u64 index;	/* IN: mmap offset of the byte to clear (map index + byte) */
	__u32 action;	/* IN: GNTLAB_NOTIFY_* */
	__u32 event_channel_port; /* IN: port to signal, if SEND_EVENT */
};
#define GNTLAB_IOC_SET_UNMAP_NOTIFY \
	_IOW(GNTLAB_IOC_MAGIC, 3, struct gntlab_unmap_notify)

/* Module-wide accounting; every field returns to 0 after teardown. */
struct gntlab_stats {
	__u64 live_maps;		/* maps reserved and not yet released */
	__u64 live_grants_user;		/* grants mapped at a user PTE */
	__u64 live_grants_kernel;	/* grants mapped at the kernel alias */
	__u64 pages_held;		/* ballooned pages held by maps */
	__u64 deferred_unmaps;		/* async unmaps in flight */
	__u64 map_errors;		/* total failed grant maps (never reset) */
	__u64 unmap_errors;		/* total failed grant unmaps (never reset) */
};
#define GNTLAB_IOC_STATS _IOR(GNTLAB_IOC_MAGIC, 4, struct gntlab_stats)

/* Introspection of one user address inside one of our maps (root only). */
#define GNTLAB_INTROSPECT_VERSION 1

/* gntlab_introspect.bits */
#define GNTLAB_PTE_PRESENT	(1u << 0)
#define GNTLAB_PTE_RW		(1u << 1)
#define GNTLAB_PTE_USER		(1u << 2)
#define GNTLAB_PTE_SPECIAL	(1u << 3)
#define GNTLAB_P2M_FOREIGN	(1u << 4)	/* p2m_raw has FOREIGN_FRAME_BIT */
#define GNTLAB_PAGE_FOREIGN	(1u << 5)	/* PageForeign(map page) */
#define GNTLAB_NORMAL_PAGE_FOUND (1u << 6)	/* vm_normal_page() != NULL */
#define GNTLAB_NORMAL_PAGE_IS_MAP (1u << 7)	/* ... and == map page */
#define GNTLAB_GRANT_MAPPED	(1u << 8)	/* grant currently mapped */
/*
 * ABI addition: vm_normal_page() is not exported to modules in 6.1, so the
 * module evaluates its x86 logic (pte_special -> find_special_page hook ->
 * VM_PFNMAP/VM_MIXEDMAP -> NULL; else pte_pfn) and sets this bit to say so.
 */
#define GNTLAB_NORMAL_PAGE_MODELLED (1u << 9)
/*
 * ABI addition (issue #11 item 3, introspection of any mapping):
 * GNTLAB_NOT_OUR_MAP: the address is not inside a gntlab map of this
 * process (only GNTLAB_IOC_INTROSPECT_ANY answers for such addresses).
 * The map-only fields are then not applicable: mode, domid, ref and
 * page_index are GNTLAB_INTROSPECT_NA, GNTLAB_GRANT_MAPPED and
 * GNTLAB_NORMAL_PAGE_IS_MAP are never set, and "the page" (page_pfn,
 * pfn_to_mfn, p2m_raw, GNTLAB_P2M_FOREIGN, GNTLAB_PAGE_FOREIGN,
 * kernel_alias_*, page_count) is the page vm_normal_page() returns
 * (e.g. gntdev's page through its find_special_page hook); with no such
 * page, page_pfn/pfn_to_mfn/p2m_raw/kernel_alias_mfn are ~0 and
 * kernel_alias_pte/page_count 0. All of it is read under the PTE lock,
 * without taking a page reference.
 */
#define GNTLAB_NOT_OUR_MAP	(1u << 10)
/* page_count holds page_count() of "the page" (no reference of ours in it). */
#define GNTLAB_PAGE_COUNT_VALID	(1u << 11)
/* A 4K page table covers addr: pte is the entry read from it (else 0). */
#define GNTLAB_PTE_TABLE	(1u << 12)

/* mode/domid/ref/page_index when GNTLAB_NOT_OUR_MAP is set. */
#define GNTLAB_INTROSPECT_NA	0xffffffffu

struct gntlab_introspect {
	__u32 version;		/* IN: GNTLAB_INTROSPECT_VERSION */
	__u32 size;		/* IN: sizeof(struct gntlab_introspect) */
	__u64 addr;		/* IN: user virtual address inside a map */
	/* OUT */
	__u64 pte;		/* raw user PTE value (machine format) */
	__u64 pte_mfn;		/* MFN held by the user PTE */
	__u64 m2p;		/* raw machine_to_phys_mapping[pte_mfn] */
	__u64 mfn_to_pfn;	/* mfn_to_pfn(pte_mfn), ~0 if not ours */
	__u64 page_pfn;		/* pfn of the map's backing page */
	__u64 pfn_to_mfn;	/* pfn_to_mfn(page_pfn) */
	__u64 p2m_raw;		/* raw p2m entry of page_pfn */
	__u64 normal_page_pfn;	/* pfn of vm_normal_page(), ~0 if NULL */
	__u64 kernel_alias_pte;	/* raw PTE of the kernel alias */
	__u64 kernel_alias_mfn;	/* MFN of the kernel alias */
	__u64 vm_flags;		/* the VMA's vm_flags */
	__u32 bits;		/* GNTLAB_PTE_* / GNTLAB_P2M_* / ... */
	__u32 mode;		/* enum gntlab_mode of the map */
	__u32 domid;		/* grant's domid */
	__u32 ref;		/* grant reference */
	__u32 page_index;	/* index of the page inside the map */
	union {
		__u32 pad;	/* IN: must be 0 */
		__u32 page_count; /* OUT: see GNTLAB_PAGE_COUNT_VALID */
	};
};
/*
 * GNTLAB_IOC_INTROSPECT: only addresses inside a mapping of one of this
 * fd's maps; any other address is EINVAL (unchanged since version 1).
 */
#define GNTLAB_IOC_INTROSPECT \
	_IOWR(GNTLAB_IOC_MAGIC, 5, struct gntlab_introspect)
/*
 * GNTLAB_IOC_INTROSPECT_ANY (issue #11 item 3): the same struct and the
 * same answers for an address inside one of this process's gntlab maps
 * (of any fd), and, for ANY other user address of the calling process
 * (another driver's mapping such as the kernel's /dev/xen/gntdev, anon,
 * file, vDSO/vvar, PROT_NONE), the PTE/M2P/P2M/vm_normal_page() facts
 * with GNTLAB_NOT_OUR_MAP set (see above). Read only, root only.
 * Errors: EPERM without CAP_SYS_ADMIN; EINVAL for a bad version/size/pad;
 * EFAULT for addr >= TASK_SIZE (kernel, non-canonical) or a bad argument
 * pointer; ENOENT when no VMA covers addr (holes, address 0);
 * EOPNOTSUPP for a hugetlb VMA. A VMA without a page table or PTE at addr
 * (guard page, untouched memory) is success with GNTLAB_PTE_PRESENT clear.
 */
#define GNTLAB_IOC_INTROSPECT_ANY \
	_IOWR(GNTLAB_IOC_MAGIC, 8, struct gntlab_introspect)

/* GUP probes, run from inside the module on a user address (root only). */
enum gntlab_gup_kind {
	GNTLAB_GUP_FAST_ONLY = 0,	/* get_user_pages_fast_only() */
	GNTLAB_GUP_FAST = 1,		/* get_user_pages_fast() */
	GNTLAB_GUP_SLOW = 2,		/* get_user_pages() */
	GNTLAB_GUP_REMOTE = 3,		/* get_user_pages_remote() */
	GNTLAB_GUP_PIN = 4,		/* pin_user_pages() */
	GNTLAB_GUP_PIN_LONGTERM = 5,	/* pin_user_pages(FOLL_LONGTERM) */
	GNTLAB_GUP_COUNT
};

struct gntlab_gup_probe {
	__u64 addr;	/* IN: user address */
	__u32 kind;	/* IN: enum gntlab_gup_kind */
	__u32 write;	/* IN: 1 = FOLL_WRITE */
	__s32 ret;	/* OUT: pages returned (>= 0) or -errno */
	__u32 same_page; /* OUT: 1 if the page returned is the map's page */
	__u64 page_pfn;	/* OUT: pfn of the page returned, ~0 if none */
};
/* .same_page from GNTLAB_IOC_GUP_PROBE_ANY for an address outside our maps */
#define GNTLAB_SAME_PAGE_NA	2u
/*
 * GNTLAB_IOC_GUP_PROBE runs the GUP flavour on any address already;
 * .same_page is 0 whenever the address is not in one of our maps.
 */
#define GNTLAB_IOC_GUP_PROBE \
	_IOWR(GNTLAB_IOC_MAGIC, 6, struct gntlab_gup_probe)
/*
 * GNTLAB_IOC_GUP_PROBE_ANY (issue #11 item 3): the same probe, for any
 * address of the calling process, but .same_page is GNTLAB_SAME_PAGE_NA
 * (not applicable) unless the address lies in one of this process's
 * gntlab maps, where it is 0/1 as above. Compare .page_pfn with
 * GNTLAB_IOC_INTROSPECT_ANY's normal_page_pfn for another driver's map.
 * Every reference or pin the probe takes is dropped before it returns.
 */
#define GNTLAB_IOC_GUP_PROBE_ANY \
	_IOWR(GNTLAB_IOC_MAGIC, 9, struct gntlab_gup_probe)

#endif /* GNTLAB_H */

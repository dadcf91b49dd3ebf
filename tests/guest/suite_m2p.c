// SPDX-License-Identifier: GPL-2.0
/*
 * m2p: what a PV grant mapping looks like to Xen, to the guest's P2M/M2P and
 * to the core mm, in each mapping mode (see docs/tests.md).
 *
 * A PV PTE holds a machine frame. For a foreign frame, the M2P entry holds
 * the *granter's* PFN, so mfn_to_pfn() cannot find the guest's page: the
 * core mm needs find_special_page to get the right struct page.
 */
#include <string.h>
#include <sys/mman.h>

#include "gt.h"
#include "harness.h"

#define NPAGES 4
#define INVALID_PFN (~0ULL)

struct m2p_fix {
	int fd;
	struct peer_share share;
	struct gt_map map;
};

static void setup_mapped(struct m2p_fix *f, uint32_t mode, bool readonly, uint32_t seed)
{
	f->fd = gt_open();
	ASSERT_GE(f->fd, 0);
	ASSERT_EQ(peer_share(NPAGES, !readonly, seed, &f->share), 0);
	ASSERT_EQ(gt_map(f->fd, &f->share, mode, readonly, &f->map), 0);
}

/* Checks common to every mode while the grants are mapped. */
static void check_invariants(struct m2p_fix *f, uint32_t mode)
{
	for (uint32_t i = 0; i < NPAGES; i++) {
		struct gntlab_introspect in;
		uint64_t dom0_pfn, grant_mfn;

		ASSERT_EQ(gt_introspect(f->fd, f->map.addr + i * GT_PAGE, &in), 0);
		TH_LOG("%s page %u: pte %#llx mfn %#llx m2p %#llx mfn_to_pfn %#llx pfn %#llx p2m %#llx bits %#x",
		       gt_mode_name[mode], i, (unsigned long long)in.pte,
		       (unsigned long long)in.pte_mfn, (unsigned long long)in.m2p,
		       (unsigned long long)in.mfn_to_pfn, (unsigned long long)in.page_pfn,
		       (unsigned long long)in.p2m_raw, in.bits);
		ASSERT_EQ(in.mode, mode);
		ASSERT_EQ(in.page_index, i);
		ASSERT_EQ(in.ref, f->share.ref[i]);
		ASSERT_EQ(in.domid, 0);
		/* Xen wrote the PTE: present, user, and bit 9 (guest_avail0 = special). */
		ASSERT_TRUE(in.bits & GNTLAB_PTE_PRESENT);
		ASSERT_TRUE(in.bits & GNTLAB_PTE_USER);
		ASSERT_TRUE(in.bits & GNTLAB_PTE_SPECIAL);
		ASSERT_TRUE(in.bits & GNTLAB_GRANT_MAPPED);
		/* The P2M of the backing page points at the foreign frame. */
		ASSERT_EQ(in.pfn_to_mfn, in.pte_mfn);
		ASSERT_TRUE(in.bits & GNTLAB_P2M_FOREIGN);
		ASSERT_TRUE(in.bits & GNTLAB_PAGE_FOREIGN);
		/* ... but the M2P does not point back: it holds dom0's PFN. */
		ASSERT_NE(in.mfn_to_pfn, in.page_pfn);
		ASSERT_EQ(peer_frames(&f->share, i, &dom0_pfn, &grant_mfn), 0);
		ASSERT_EQ(in.m2p, dom0_pfn);
		ASSERT_EQ(grant_mfn, in.pte_mfn);
		/* The kernel alias maps the same frame. */
		ASSERT_EQ(in.kernel_alias_mfn, in.pte_mfn);
		/* What the core mm finds behind the PTE depends on the mode. */
		if (mode == GNTLAB_MODE_SPECIAL) {
			ASSERT_TRUE(in.bits & GNTLAB_NORMAL_PAGE_FOUND);
			ASSERT_TRUE(in.bits & GNTLAB_NORMAL_PAGE_IS_MAP);
			ASSERT_EQ(in.normal_page_pfn, in.page_pfn);
		} else {
			ASSERT_FALSE(in.bits & GNTLAB_NORMAL_PAGE_FOUND);
		}
	}
	ASSERT_EQ(peer_active(&f->share), NPAGES);
}

static void check_data_both_ways(struct m2p_fix *f, uint32_t seed)
{
	char why[256];

	for (uint32_t i = 0; i < NPAGES; i++)
		ASSERT_EQ(gntlab_pattern_check(f->map.addr + i * GT_PAGE, seed, i, 0, GT_PAGE), -1)
			;
	for (uint32_t i = 0; i < NPAGES; i++)
		gntlab_pattern_fill(f->map.addr + i * GT_PAGE + GT_PAGE / 2, seed + 1, i,
				    GT_PAGE / 2, GT_PAGE / 2);
	ASSERT_EQ(peer_check(&f->share, seed + 1, GT_PAGE / 2, GT_PAGE / 2, why, sizeof(why)), 0);
	/* dom0 writes again; the guest sees it at once through the same frame. */
	ASSERT_EQ(peer_fill(&f->share, seed + 2), 0);
	for (uint32_t i = 0; i < NPAGES; i++)
		ASSERT_EQ(gntlab_pattern_check(f->map.addr + i * GT_PAGE, seed + 2, i, 0, GT_PAGE), -1);
}

static void check_after_unmap(struct m2p_fix *f)
{
	struct gntlab_introspect in;

	ASSERT_EQ(gt_unmap(&f->map), 0);
	/* The address is no longer one of ours. */
	ASSERT_NE(gt_introspect(f->fd, f->map.addr ? f->map.addr : (void *)4096, &in), 0);
	ASSERT_EQ(peer_active(&f->share), 0);
	ASSERT_EQ(peer_unshare(&f->share), 0);
}

#define MODE_TESTS(m, M)                                                       \
	TEST(m2p, m##_invariants)                                              \
	{                                                                      \
		struct m2p_fix f;                                              \
		setup_mapped(&f, M, false, 0x100 + M);                         \
		check_invariants(&f, M);                                       \
		check_after_unmap(&f);                                         \
	}                                                                      \
	TEST(m2p, m##_data_both_ways)                                          \
	{                                                                      \
		struct m2p_fix f;                                              \
		setup_mapped(&f, M, false, 0x200 + M);                         \
		check_data_both_ways(&f, 0x200 + M);                           \
		check_after_unmap(&f);                                         \
	}                                                                      \
	TEST(m2p, m##_readonly_grant)                                          \
	{                                                                      \
		struct m2p_fix f;                                              \
		struct gntlab_introspect in;                                   \
		setup_mapped(&f, M, true, 0x300 + M);                          \
		ASSERT_EQ(gt_introspect(f.fd, f.map.addr, &in), 0);            \
		ASSERT_FALSE(in.bits & GNTLAB_PTE_RW);                         \
		ASSERT_EQ(gntlab_pattern_check(f.map.addr, 0x300 + M, 0, 0,   \
					       GT_PAGE), -1);                  \
		check_after_unmap(&f);                                         \
	}

MODE_TESTS(special, GNTLAB_MODE_SPECIAL)
MODE_TESTS(nohook, GNTLAB_MODE_NOHOOK)
MODE_TESTS(pfnmap, GNTLAB_MODE_PFNMAP)

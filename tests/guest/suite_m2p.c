// SPDX-License-Identifier: GPL-2.0
/*
 * m2p: what a PV grant mapping looks like to Xen, to the guest's P2M/M2P and
 * to the core mm, in each mapping mode (one variant per mode; SUITE_DOC
 * below). What differs per mode is in the table m2p_expect.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "expect.h"
#include "gt.h"
#include "gt_subject.h"
#include "harness.h"

SUITE_DOC(m2p, "m2p: what a PV grant mapping is, to Xen, the P2M/M2P and the core mm",
	  "Guest suite `tests/guest/suite_m2p.c`. Each test has dom0 share pages (gntalloc), "
	  "maps them with one subject (one variant of the test per subject): /dev/gntlab in one "
	  "of the module's modes, or the kernel's own `/dev/xen/gntdev` through its ioctls "
	  "(`gntdev`), and reads the module's introspection for every page "
	  "(GNTLAB_IOC_INTROSPECT; for gntdev's mapping, which is not the module's, "
	  "GNTLAB_IOC_INTROSPECT_ANY: \"the page\" is then what `vm_normal_page()` finds, "
	  "and the map-only fields — mode, ref, index, the grant-mapped bit — do not apply); dom0 "
	  "supplies its own PFN of each page (`/proc/self/pagemap`) and the MFN in its grant "
	  "entry (Xen's `g` dump). What differs per mode is in the expectation table at the end "
	  "of this page.\n"
	  "\n"
	  "Invariants checked in every mode, while mapped:\n"
	  "- the user PTE was written by Xen: present, user, and bit 9 set — the "
	  "`_GNTMAP_guest_avail0` flag of the map op lands in `_PAGE_SPECIAL`;\n"
	  "- `pfn_to_mfn(page_pfn) == pte_mfn`, and the raw P2M entry has `FOREIGN_FRAME_BIT` "
	  "(set by `set_foreign_p2m_mapping()` in `gnttab_map_refs()`), and `PageForeign(page)`;\n"
	  "- the M2P does **not** point back: `mfn_to_pfn(pte_mfn) != page_pfn`, and the raw "
	  "`machine_to_phys_mapping[pte_mfn]` equals **dom0's** PFN of the page — the M2P "
	  "belongs to the granter;\n"
	  "- the MFN in dom0's grant entry (Xen's view) equals the PTE's MFN;\n"
	  "- the kernel alias (`kmap_ops`) maps the same MFN (gntdev maps one too: "
	  "`gntdev_map_grant_pages()` fills `kmap_ops` when `use_ptemod`);\n"
	  "- Xen lists every ref as active.\n"
	  "\n"
	  "Observed difference with the reference notes: `mfn_to_pfn(foreign mfn)` does not "
	  "return `~0` here but the MFN itself. In 6.1, "
	  "`arch/x86/include/asm/xen/page.h:mfn_to_pfn()` first computes `pfn = m2p[mfn]` "
	  "(dom0's PFN), finds that the local P2M does not map it back (→ `~0`), and then falls "
	  "back to the identity case: if `__pfn_to_mfn(mfn) == IDENTITY_FRAME(mfn)` it returns "
	  "`mfn`. The guest has 256 MiB (PFNs < 0x10000) and the foreign MFNs are far above, "
	  "where the P2M lookup of a PFN beyond the guest's end yields an identity entry. Either "
	  "way `pte_pfn()` cannot find the map's page, which is what the test asserts.")

#define R_SPECIAL                                                                                  \
	"Xen writes the PTE (`GNTTABOP_map_grant_ref` with `GNTMAP_contains_pte`); the module "   \
	"passes `_GNTMAP_guest_avail0`, which is bit 9, `_PAGE_SPECIAL` to Linux. Guards "         \
	"GUP-fast: a non-special grant PTE would be turned into a wrong struct page through the "  \
	"granter's M2P"
#define R_READONLY "`GNTMAP_readonly`: Xen writes the PTE without `_PAGE_RW`"
#define R_GD_SPECIAL                                                                               \
	"gntdev's `find_grant_ptes()` (drivers/xen/gntdev.c, `use_ptemod` in a PV guest) builds "  \
	"the map op with `GNTMAP_application_map | GNTMAP_contains_pte | "                         \
	"(1 << _GNTMAP_guest_avail0)`: Xen writes the PTE, bit 9 set, as for gntlab"
#define R_GD_READONLY                                                                              \
	"`gntdev_mmap()` adds `GNTMAP_readonly` to `map->flags` when the VMA has no `VM_WRITE`; " \
	"Xen writes the PTE without `_PAGE_RW`"
#define R_MAYWRITE                                                                                 \
	"`gntlab_mmap()` clears `VM_MAYWRITE` when the grants or the mapping are read-only, so "   \
	"`mprotect()` can never ask for a writable PTE"

/* What differs, or may differ, between subjects: one row per observable. */
static struct expect_table m2p_expect = {
	.name = "m2p",
	.title = "m2p: expected outcomes per subject",
	.row_label = "observable",
	.intro = "Looked up by `tests/guest/suite_m2p.c` for each page of the mapping "
		 "(table `m2p_expect` in that file).",
	.rows = (const struct expect_row[]){
		{ "pte-special", "m2p/invariants",
		  "bit 9 (`_PAGE_SPECIAL`) of the user PTE: `set` or `clear`.",
		  (const struct expect_cell[]){
			  { .subject = "special", "set", R_SPECIAL },
			  { .subject = "nohook", "set", R_SPECIAL },
			  { .subject = "pfnmap", "set", R_SPECIAL },
			  { .subject = "gntdev", "set", R_GD_SPECIAL },
			  { 0 } } },
		{ "vm_normal_page", "m2p/invariants",
		  "what the core mm finds behind the PTE: `vm_normal_page()` (modelled step by "
		  "step by the module, since 6.1 does not export it) gives `map-page` (the map's "
		  "own page), `other-page`, or `NULL`.",
		  (const struct expect_cell[]){
			  { .subject = "special", "map-page",
			    "a special PTE in a `VM_MIXEDMAP` VMA: `vm_normal_page()` returns "
			    "`vma->vm_ops->find_special_page()`, the map's page" },
			  { .subject = "nohook", "NULL",
			    "a special PTE in a `VM_MIXEDMAP` VMA without the hook has no struct "
			    "page for the core mm: exactly what the hook exists for (seeds: "
			    "\"mm: provide a find_special_page vma operation\")" },
			  { .subject = "pfnmap", "NULL", "a special PTE in a `VM_PFNMAP` VMA" },
			  { .subject = "gntdev", "map-page",
			    "a special PTE in gntdev's `VM_MIXEDMAP` VMA: `vm_normal_page()` returns "
			    "`gntdev_vma_find_special_page()`, `map->pages[i]`, the page whose P2M "
			    "entry holds the foreign frame (checked: its `pfn_to_mfn` is the PTE's MFN)" },
			  { 0 } } },
		{ "wipeonfork", "m2p/invariants",
		  "`VM_WIPEONFORK` in the VMA's flags: `set` or `clear`.",
		  (const struct expect_cell[]){
			  { .subject = "special", "set", "`gntlab_mmap()` sets it on every map VMA" },
			  { .subject = "nohook", "set", "`gntlab_mmap()` sets it on every map VMA" },
			  { .subject = "pfnmap", "set", "`gntlab_mmap()` sets it on every map VMA" },
			  { .subject = "gntdev", "clear",
			    "**differs from special**: `gntdev_mmap()` sets `VM_DONTCOPY` (when "
			    "`use_ptemod`) but not `VM_WIPEONFORK`; with `VM_DONTCOPY` a child gets no "
			    "copy of the VMA anyway (`dup_mmap()` skips it), so the flag changes nothing "
			    "a fork can see" },
			  { 0 } } },
		{ "pte-rw-readonly", "m2p/readonly_grant",
		  "the RW bit of the user PTE of a read-only grant mapped read-only.",
		  (const struct expect_cell[]){
			  { .subject = "special", "clear", R_READONLY },
			  { .subject = "nohook", "clear", R_READONLY },
			  { .subject = "pfnmap", "clear", R_READONLY },
			  { .subject = "gntdev", "clear", R_GD_READONLY },
			  { 0 } } },
		{ "maywrite-readonly", "m2p/readonly_grant",
		  "`VM_MAYWRITE` in the flags of the VMA of a read-only grant mapped read-only: "
		  "`set` or `clear` (whether `mprotect()` may add `PROT_WRITE`).",
		  (const struct expect_cell[]){
			  { .subject = "special", "clear", R_MAYWRITE },
			  { .subject = "nohook", "clear", R_MAYWRITE },
			  { .subject = "pfnmap", "clear", R_MAYWRITE },
			  { .subject = "gntdev", "set",
			    "**differs from special**: `gntdev_mmap()` refuses only a `VM_WRITE` VMA on "
			    "a read-only map and leaves `VM_MAYWRITE` (a `MAP_SHARED` mapping of an fd "
			    "opened `O_RDWR`); gup row `mprotect-rw-on-ro` shows the consequence" },
			  { 0 } } },
		{ 0 } },
};
EXPECT_TABLE(m2p_expect)

#define NPAGES 4

/* The fixture's type, as kselftest's FIXTURE_DATA (the harness lacks it so far). */
#ifndef FIXTURE_DATA
#define FIXTURE_DATA(fix) struct th_fixture_##fix
#endif

FIXTURE(m2p)
{
	int fd;
	bool shared;
	struct dom0_share share;
	struct gt_smap map;
};

FIXTURE_VARIANT(m2p)
{
	uint32_t mode;		/* the subject: a module mode or GT_SUBJ_GNTDEV */
};
FIXTURE_VARIANT_ADD(m2p, special) { .mode = GNTLAB_MODE_SPECIAL };
FIXTURE_VARIANT_ADD(m2p, nohook) { .mode = GNTLAB_MODE_NOHOOK };
FIXTURE_VARIANT_ADD(m2p, pfnmap) { .mode = GNTLAB_MODE_PFNMAP };
FIXTURE_VARIANT_ADD(m2p, gntdev) { .mode = GT_SUBJ_GNTDEV };

#define VMF_MAYWRITE 0x20u		/* VM_MAYWRITE (include/linux/mm.h, 6.1) */
#define VMF_WIPEONFORK 0x02000000u	/* VM_WIPEONFORK */

FIXTURE_SETUP(m2p)
{
	const char *why = gt_subject_unavailable(variant->mode);

	self->fd = -1;
	self->map.gdfd = -1;
	if (why)
		SKIP("%s", why);
	self->fd = gt_open();
	ASSERT_GE(self->fd, 0);
}

/* Whatever the test left: the mapping, dom0's share, the fd. */
FIXTURE_TEARDOWN(m2p)
{
	gt_smap_unmap(&self->map);
	if (self->shared)
		dom0_unshare(&self->share);
	if (self->fd >= 0)
		close(self->fd);
}

static const char *subject(const FIXTURE_VARIANT(m2p) *v)
{
	return gt_subject_name[v->mode];
}

/* The module's introspection of page i, any subject; SKIP if it cannot answer. */
static void introspect(FIXTURE_DATA(m2p) *f, uint32_t i, struct gntlab_introspect *in)
{
	int rc = gt_smap_introspect(f->fd, &f->map, f->map.addr + i * GT_PAGE, in);

	if (gt_subject_is_gntdev(f->map.subj) && (rc == EOPNOTSUPP || rc == ENOTTY))
		SKIP("the module has no GNTLAB_IOC_INTROSPECT_ANY (gntdev's mapping is not its own)");
	ASSERT_EQ(rc, 0) TH_MSG("introspect page %u: %s", i, strerror(rc));
}

static void map_share(FIXTURE_DATA(m2p) *f, uint32_t mode, bool readonly, uint32_t seed)
{
	ASSERT_EQ(dom0_share(NPAGES, !readonly, seed, &f->share), 0);
	f->shared = true;
	ASSERT_EQ(gt_smap_map(f->fd, mode, &f->share, readonly, &f->map), 0)
		TH_MSG("%s", gt_subject_name[mode]);
}

/* What vm_normal_page() found behind the PTE, as one word. */
static const char *normal_page(const struct gntlab_introspect *in)
{
	if (!(in->bits & GNTLAB_NORMAL_PAGE_FOUND))
		return "NULL";
	if ((in->bits & GNTLAB_NORMAL_PAGE_IS_MAP) && in->normal_page_pfn == in->page_pfn)
		return "map-page";
#ifdef GNTLAB_NOT_OUR_MAP
	/* Another driver's map: "the page" is vm_normal_page()'s; it is the
	 * map's page if its P2M entry holds the PTE's foreign frame. */
	if ((in->bits & GNTLAB_NOT_OUR_MAP) && in->normal_page_pfn == in->page_pfn &&
	    in->pfn_to_mfn == in->pte_mfn && (in->bits & GNTLAB_PAGE_FOREIGN))
		return "map-page";
#endif
	return "other-page";
}

/* Checks common to every mode while the grants are mapped; the rest from m2p_expect. */
static void check_invariants(FIXTURE_DATA(m2p) *f, const FIXTURE_VARIANT(m2p) *v)
{
	const struct expect_cell *special = expect_get(&m2p_expect, "pte-special", subject(v));
	const struct expect_cell *normal = expect_get(&m2p_expect, "vm_normal_page", subject(v));
	const struct expect_cell *wof = expect_get(&m2p_expect, "wipeonfork", subject(v));
	uint32_t mode = v->mode;
	bool ours = !gt_subject_is_gntdev(mode);

	for (uint32_t i = 0; i < NPAGES; i++) {
		struct gntlab_introspect in;
		uint64_t dom0_pfn, grant_mfn;

		introspect(f, i, &in);
		TH_LOG("%s page %u: pte %#llx mfn %#llx m2p %#llx mfn_to_pfn %#llx pfn %#llx p2m %#llx bits %#x vm_flags %#llx",
		       subject(v), i, (unsigned long long)in.pte,
		       (unsigned long long)in.pte_mfn, (unsigned long long)in.m2p,
		       (unsigned long long)in.mfn_to_pfn, (unsigned long long)in.page_pfn,
		       (unsigned long long)in.p2m_raw, in.bits, (unsigned long long)in.vm_flags);
		if (ours) {
			ASSERT_EQ(in.mode, mode);
			ASSERT_EQ(in.page_index, i);
			ASSERT_EQ(in.ref, f->share.ref[i]);
			ASSERT_EQ(in.domid, 0);
			ASSERT_TRUE(in.bits & GNTLAB_GRANT_MAPPED);
		}
		/* Xen wrote the PTE: present, user, and bit 9 (guest_avail0 = special). */
		ASSERT_TRUE(in.bits & GNTLAB_PTE_PRESENT);
		ASSERT_TRUE(in.bits & GNTLAB_PTE_USER);
		expect_check(special, "pte-special", in.bits & GNTLAB_PTE_SPECIAL ? "set" : "clear");
		expect_check(wof, "wipeonfork", in.vm_flags & VMF_WIPEONFORK ? "set" : "clear");
		/* The P2M of the backing page points at the foreign frame. */
		ASSERT_EQ(in.pfn_to_mfn, in.pte_mfn);
		ASSERT_TRUE(in.bits & GNTLAB_P2M_FOREIGN);
		ASSERT_TRUE(in.bits & GNTLAB_PAGE_FOREIGN);
		/* ... but the M2P does not point back: it holds dom0's PFN. */
		ASSERT_NE(in.mfn_to_pfn, in.page_pfn);
		ASSERT_EQ(dom0_frames(&f->share, i, &dom0_pfn, &grant_mfn), 0);
		ASSERT_EQ(in.m2p, dom0_pfn);
		ASSERT_EQ(grant_mfn, in.pte_mfn);
		/* The kernel alias maps the same frame. */
		ASSERT_EQ(in.kernel_alias_mfn, in.pte_mfn);
		/* What the core mm finds behind the PTE depends on the mode. */
		expect_check(normal, "vm_normal_page", normal_page(&in));
	}
	ASSERT_EQ(dom0_active(&f->share), NPAGES);
}

static void check_data_both_ways(FIXTURE_DATA(m2p) *f, uint32_t seed)
{
	char why[256];

	for (uint32_t i = 0; i < NPAGES; i++)
		ASSERT_EQ(gntlab_pattern_check(f->map.addr + i * GT_PAGE, seed, i, 0, GT_PAGE), -1);
	for (uint32_t i = 0; i < NPAGES; i++)
		gntlab_pattern_fill(f->map.addr + i * GT_PAGE + GT_PAGE / 2, seed + 1, i,
				    GT_PAGE / 2, GT_PAGE / 2);
	ASSERT_EQ(dom0_check(&f->share, seed + 1, GT_PAGE / 2, GT_PAGE / 2, why, sizeof(why)), 0)
		TH_MSG("%s", why);
	/* dom0 writes again; the guest sees it at once through the same frame. */
	ASSERT_EQ(dom0_fill(&f->share, seed + 2), 0);
	for (uint32_t i = 0; i < NPAGES; i++)
		ASSERT_EQ(gntlab_pattern_check(f->map.addr + i * GT_PAGE, seed + 2, i, 0, GT_PAGE), -1);
}

static void check_after_unmap(FIXTURE_DATA(m2p) *f)
{
	struct gntlab_introspect in;
	void *addr = f->map.addr;
	struct gt_smap gone = f->map;

	ASSERT_EQ(gt_smap_unmap(&f->map), 0);
	/* The address is no longer one of ours (gntdev: no VMA is left there). */
	ASSERT_NE(gt_smap_introspect(f->fd, &gone, addr ? addr : (void *)4096, &in), 0);
	ASSERT_EQ(dom0_active(&f->share), 0);
	f->shared = false;
	ASSERT_EQ(dom0_unshare(&f->share), 0);
}

TH_DOC(m2p, invariants,
       "The invariants above on every page while mapped, the subject's PTE special bit, what "
       "`vm_normal_page()` finds and the VMA's `VM_WIPEONFORK` (table rows `pte-special`, "
       "`vm_normal_page`, `wipeonfork`). After unmap: "
       "the address is no longer introspectable and Xen lists nothing.")
TEST_F(m2p, m2p, invariants)
{
	map_share(self, variant->mode, false, 0x100 + variant->mode);
	check_invariants(self, variant);
	check_after_unmap(self);
}

TH_DOC(m2p, data_both_ways,
       "The guest reads dom0's pattern in all pages, writes a reply that dom0 reads in its "
       "own pages, then dom0 rewrites and the guest sees the new data immediately (one frame, "
       "no copy). Data access through the PTE does not depend on the mode.")
TEST_F(m2p, m2p, data_both_ways)
{
	map_share(self, variant->mode, false, 0x200 + variant->mode);
	check_data_both_ways(self, 0x200 + variant->mode);
	check_after_unmap(self);
}

TH_DOC(m2p, readonly_grant,
       "A read-only grant mapped read-only: the PTE's RW bit (table row `pte-rw-readonly`), "
       "the VMA's `VM_MAYWRITE` (row `maywrite-readonly`) and the pattern reads back intact.")
TEST_F(m2p, m2p, readonly_grant)
{
	const struct expect_cell *rw = expect_get(&m2p_expect, "pte-rw-readonly", subject(variant));
	const struct expect_cell *mw = expect_get(&m2p_expect, "maywrite-readonly", subject(variant));
	struct gntlab_introspect in;

	map_share(self, variant->mode, true, 0x300 + variant->mode);
	introspect(self, 0, &in);
	expect_check(rw, "pte-rw-readonly", in.bits & GNTLAB_PTE_RW ? "set" : "clear");
	expect_check(mw, "maywrite-readonly", in.vm_flags & VMF_MAYWRITE ? "set" : "clear");
	ASSERT_EQ(gntlab_pattern_check(self->map.addr, 0x300 + variant->mode, 0, 0, GT_PAGE), -1);
	check_after_unmap(self);
}

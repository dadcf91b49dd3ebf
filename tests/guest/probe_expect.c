// SPDX-License-Identifier: GPL-2.0
/*
 * The probe suite's table (tests/guest/suite_probe.c looks it up).
 * Where the probe suite's outcomes differ between kernel releases (the
 * refusals are in gup_refused_expect): each cell conditioned on the release
 * that changed it, with the commit subject.
 */
#include "expect.h"

struct expect_table probe_expect = {
	.name = "probe",
	.title = "probe: outcomes that depend on the kernel release",
	.row_label = "case",
	.intro = "Looked up by `probe/file_mapping`, `probe/vdso_vvar` (table `probe_expect`, "
		 "`tests/guest/probe_expect.c`); the refusals (no mapping, no access, kernel "
		 "addresses) come from the table `gup_refused` (docs/tests/badinput.md). Outcomes: "
		 "`1pages` the page, `0pages` none; `same-page` the pin returned the mapped page and "
		 "the PTE still maps it, `copy` the pin returned a new page that now replaces it "
		 "in the page table.",
	.rows = (const struct expect_row[]){
		{ "vdso-fast-only", "probe/vdso_vvar",
		  "`get_user_pages_fast_only()` (read) on the vDSO's first page: a kernel-image "
		  "page installed by `install_special_mapping()`, whose folio has no "
		  "`mapping`.",
		  (const struct expect_cell[]){
			  { .subject = "fast-only", "1pages",
			    "GUP-fast takes any normal page behind a present, readable PTE (6.1's "
			    "secretmem check, `page_is_secretmem()`, passes a page without mapping)" },
			  { .subject = "fast-only", "0pages",
			    "from 6.10 `gup_fast_folio_allowed()` gives up on an order-0 folio "
			    "without `mapping` when CONFIG_SECRETMEM=y (\"mm: merge "
			    "folio_is_secretmem() and folio_fast_pin_allowed() into "
			    "gup_fast_folio_allowed()\", Linux 6.10), and fast-only never falls "
			    "back; \"mm/gup: fix GUP-fast fallback for NULL-mapping order-0 "
			    "folios\" takes it again (in Debian's 7.3.4, not in 7.2.12 or 6.12.118)",
			    .when = { .kernel = "6.10..7.3" } },
			  { 0 } } },
		{ "vvar-vma", "probe/vdso_vvar",
		  "the `[vvar]` VMA's flags (`VM_IO`, `VM_PFNMAP`, `VM_MIXEDMAP`).",
		  (const struct expect_cell[]){
			  { .subject = "vvar", "io-pfnmap",
			    "x86's own vvar mapping (`arch/x86/entry/vdso/vma.c`, `vvar_fault()` → "
			    "`vmf_insert_pfn()`): a `VM_IO | VM_PFNMAP` VMA, which the test then "
			    "probes" },
			  { .subject = "vvar", "mixedmap",
			    "the generic vDSO datastore (`lib/vdso/datastore.c`) maps struct pages "
			    "(`vmf->page`) into a `VM_MIXEDMAP` VMA, and \"vdso/datastore: Allow "
			    "prefaulting by mlockall()\" dropped its `VM_IO` (in 7.3.4's source; "
			    "7.2.12 still has `VM_IO | VM_MIXEDMAP`): no `VM_IO | VM_PFNMAP` mapping "
			    "is left to probe, the test ends there",
			    .when = { .kernel = "7.3.." } },
			  { 0 } } },
		{ "cow-longterm-pin", "probe/file_mapping",
		  "`pin_user_pages(FOLL_LONGTERM)` (read) of a page in a private mapping that may "
		  "become writable (VM_MAYWRITE without VM_SHARED: a `MAP_PRIVATE` `PROT_READ` map "
		  "of a file opened read/write, the vDSO), then the PTE read again.",
		  (const struct expect_cell[]){
			  { .subject = "pin-longterm", "same-page",
			    "6.1's `gup_must_unshare()` unshares only anonymous pages: the pin "
			    "takes the page-cache (or vDSO) page itself" },
			  { .subject = "pin-longterm", "copy",
			    "from 6.2 a R/O long-term pin in a COW mapping breaks COW early "
			    "(`gup_must_unshare()`: `FAULT_FLAG_UNSHARE` for a non-anonymous page "
			    "in an `is_cow_mapping()` VMA; \"mm/gup: reliable R/O long-term "
			    "pinning in COW mappings\", Linux 6.2): the pin gets an exclusive "
			    "anonymous copy, which the PTE now maps",
			    .when = { .kernel = "6.2.." } },
			  { 0 } } },
		{ 0 } },
};
EXPECT_TABLE(probe_expect)

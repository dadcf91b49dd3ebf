// SPDX-License-Identifier: GPL-2.0
/*
 * The gup suite's expectations (tests/guest/suite_gup.c): the GUP matrix,
 * one row per user of get_user_pages(), one column per subject, every cell
 * with its reason. docs/gup-matrix.md is generated from this table
 * (`gntlab-guest-tests --print-matrix=gup`, `make docs`).
 */
#include "expect.h"

#define SUBJECTS_INTRO                                                                             \
	"Columns are the subjects: the three modes of `guest-kmod/gntlab.h`, and the\n"            \
	"kernel's own driver `drivers/xen/gntdev.c` (Linux 6.1, a PV guest: `use_ptemod`),\n"    \
	"mapped through its ioctl ABI (`tests/guest/gntdev_map.h`):\n"                            \
	"\n"                                                                                       \
	"| subject | VMA flags | `find_special_page` |\n"                                        \
	"|---|---|---|\n"                                                                          \
	"| special | `VM_MIXEDMAP` | the map's page (as gntdev) |\n"                               \
	"| nohook | `VM_MIXEDMAP` | none |\n"                                                      \
	"| pfnmap | `VM_PFNMAP \\| VM_IO` | none |\n"                                              \
	"| gntdev | `VM_MIXEDMAP` | `gntdev_vma_find_special_page()`: `map->pages[i]` |\n"         \
	"\n"                                                                                       \
	"In all four the PTE is written by Xen with `_PAGE_SPECIAL` (bit 9 =\n"                    \
	"`_GNTMAP_guest_avail0`: gntlab's map op and gntdev's `find_grant_ptes()` both\n"         \
	"pass it). gntlab's VMAs have `VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP |\n"              \
	"VM_WIPEONFORK`, and no `VM_MAYWRITE` when mapped read-only; `gntdev_mmap()` sets\n"        \
	"`VM_DONTEXPAND | VM_DONTDUMP | VM_MIXEDMAP`, `VM_DONTCOPY` (`use_ptemod`), and\n"         \
	"leaves `VM_MAYWRITE` alone. Outcomes: `ok`; an errno name; a signal name;\n"              \
	"`0pages` (GUP returned 0 pages); `excluded` (the VMA is left out of core\n"               \
	"dumps)."

static const char intro[] =
	"The outcome each cell is *expected* to have on the guest's Linux 6.1\n"
	"(Debian 6.1.0), with the code path that produces it. The table is data in\n"
	"`tests/guest/gup_expect.c`; the suite `tests/guest/suite_gup.c`\n"
	"(catalogue: [tests/gup.md](tests/gup.md)) looks every cell up there, runs\n"
	"it, and reports it on the serial line as\n"
	"\n"
	"    GNTLAB-MATRIX <row> <mode> <expected> <observed>\n"
	"\n"
	"(`tests/markers.h`); the host side turns those lines into\n"
	"`build/results/matrix.md`. A cell whose observation differs from its\n"
	"expectation fails its test (or is XFAIL when the cell names a known bug).\n"
	"\n" SUBJECTS_INTRO;

static const char outro[] =
	"Observed on the real system (Xen 4.17, guest 6.1.0 PV, TCG): every cell as\n"
	"above.\n"
	"\n"
	"## The three GUP outcomes, and where they come from (mm/gup.c, mm/memory.c)\n"
	"\n"
	"- **GUP-fast** (`lockless_pages_from_mm()` → `gup_pte_range()`): a PTE with\n"
	"  `pte_special()` (and not `pte_devmap()`) ends the walk. So the fast walk\n"
	"  never takes a grant page, in any mode: `get_user_pages_fast_only()`\n"
	"  returns **0 pages**; `get_user_pages_fast()` / `pin_user_pages_fast()`\n"
	"  fall back to the slow path (`__gup_longterm_unlocked()`), whose error they\n"
	"  return as is when no page was taken.\n"
	"- **GUP-slow** (`__get_user_pages()`): first `check_vma_flags()`, which\n"
	"  refuses `VM_IO | VM_PFNMAP` with **-EFAULT** (pfnmap column). Then\n"
	"  `follow_page_mask()` → `follow_page_pte()` → `vm_normal_page()`: for a\n"
	"  special PTE it returns `vma->vm_ops->find_special_page()` if the VMA has\n"
	"  it (special: the map's page, referenced by `try_grab_page()`; **ok**),\n"
	"  else NULL for `VM_MIXEDMAP` (nohook). With NULL, `follow_page_pte()`\n"
	"  calls `follow_pfn_pte()`, which returns **-EEXIST** (\"proper page table\n"
	"  entry exists, but no corresponding struct page\"), and `__get_user_pages()`\n"
	"  returns -EEXIST whenever the caller asked for pages (`pages != NULL`;\n"
	"  without pages, as in mlock's populate, the page is just skipped). Before\n"
	"  5.18 `follow_pfn_pte()` returned -EFAULT for `FOLL_GET | FOLL_PIN`; the\n"
	"  change came with \"mm/gup: follow_pfn_pte(): -EEXIST cleanup\" (J. Hubbard,\n"
	"  2022), so on 6.1 it is -EEXIST.\n"
	"- `pte_pfn()` of a grant PTE cannot be used as a fallback: the M2P of a\n"
	"  foreign MFN belongs to the granter (see docs/tests/m2p.md). This is why\n"
	"  the hook exists.\n"
	"\n"
	"## Compared with the reference notes (grant-mapping-facts.md)\n"
	"\n"
	"The notes' table agrees with every cell it covers: O_DIRECT\n"
	"(works/EEXIST/EFAULT), process_vm (works/EFAULT/EFAULT), `/proc/PID/mem`\n"
	"(works/EIO/EIO), vmsplice (works/EEXIST/EFAULT), io_uring\n"
	"(EOPNOTSUPP/EEXIST/EFAULT). The question left open in the brief — does\n"
	"6.1's `follow_page_pte()` give -EFAULT or -EEXIST for a special PTE without\n"
	"a page? — is answered by the code (`follow_pfn_pte()` returns -EEXIST\n"
	"regardless of `FOLL_GET`/`FOLL_PIN` since 5.18) and by the run (probes\n"
	"return -17).";

/* Reasons shared by several cells. */
#define R_FAST_ONLY                                                                                \
	"`gup_pte_range()` stops at a special PTE and there is no slow fallback. Guards the "      \
	"special bit Xen writes: without it GUP-fast would turn the MFN into a wrong struct "      \
	"page through the granter's M2P"
#define R_HOOK                                                                                     \
	"slow path: `vm_normal_page()` returns `find_special_page()`, the map's page "            \
	"(`try_grab_page()`)"
#define R_EEXIST                                                                                   \
	"slow path: `vm_normal_page()` is NULL (`VM_MIXEDMAP`, no hook), `follow_pfn_pte()` "     \
	"gives -EEXIST, returned because the caller wants pages"
#define R_MADV_ZAP                                                                                 \
	"`zap_page_range()` runs the mmu notifier, where gntlab unmaps the grant (both halves: "  \
	"Xen then lists it inactive); the next access faults: `do_pte_missing()` → `do_fault()` " \
	"on a VMA without `->fault` → `VM_FAULT_SIGBUS`"
#define R_NO_ACCESS                                                                                \
	"GUP fails; the fallback `vma->vm_ops->access` does not exist in gntlab, nothing is "     \
	"copied and `mem_rw()` returns -EIO"
#define R_PVM_EFAULT "`process_vm_rw_single_vec()` turns any pin result ≤ 0 (here -EEXIST) into -EFAULT"
#define R_EFAULT "slow path: `check_vma_flags()` refuses `VM_IO | VM_PFNMAP`"
/* The kernel's gntdev (drivers/xen/gntdev.c, 6.1, PV: use_ptemod). */
#define R_GD_FAST_ONLY                                                                             \
	"`find_grant_ptes()` passes `_GNTMAP_guest_avail0`: Xen's PTE has `_PAGE_SPECIAL`, "      \
	"so `gup_pte_range()` stops there as for gntlab"
#define R_GD_HOOK                                                                                  \
	"slow path: `vm_normal_page()` returns `gntdev_vma_find_special_page()`, "                \
	"`map->pages[i]` (`try_grab_page()`); `VM_MIXEDMAP` passes `check_vma_flags()`. The "     \
	"same path as gntlab's special mode"
#define R_GD_KALIAS                                                                                \
	"as for special: GUP returns `map->pages[i]`, and the copy goes through its kernel alias, " \
	"which `gntdev_map_grant_pages()` maps to the foreign frame (`kmap_ops`, `use_ptemod`)"

#define GUP_CELLS_GD(gd_reason)                                                                    \
	((const struct expect_cell[]){ { .subject = "special", "ok", R_HOOK },                     \
				       { .subject = "nohook", "EEXIST", R_EEXIST },                \
				       { .subject = "pfnmap", "EFAULT", R_EFAULT },                \
				       { .subject = "gntdev", "ok", gd_reason },                   \
				       { 0 } })
#define GUP_CELLS GUP_CELLS_GD(R_GD_HOOK)
#define SAME3_GD(outcome, reason, gd_outcome, gd_reason)                                           \
	((const struct expect_cell[]){ { .subject = "special", outcome, reason },                  \
				       { .subject = "nohook", outcome, reason },                   \
				       { .subject = "pfnmap", outcome, reason },                   \
				       { .subject = "gntdev", gd_outcome, gd_reason },             \
				       { 0 } })

static const struct expect_row rows[] = {
	{ "gup-fast-only", "gup/fast_only", "module probe `get_user_pages_fast_only()`.",
	  SAME3_GD("0pages", R_FAST_ONLY, "0pages", R_GD_FAST_ONLY) },
	{ "gup-fast-only-write", "gup/fast_only_write", "the same with `FOLL_WRITE`.",
	  SAME3_GD("0pages", R_FAST_ONLY, "0pages", R_GD_FAST_ONLY) },
	{ "gup-fast", "gup/fast",
	  "module probe `get_user_pages_fast()`: the fast walk takes nothing (special PTE), "
	  "the slow fallback decides. Where it works, the page returned must be the map's page "
	  "(`same_page`, and its pfn equals the introspected `page_pfn`).",
	  GUP_CELLS },
	{ "gup-fast-write", "gup/fast_write", "the same with `FOLL_WRITE`.", GUP_CELLS },
	{ "gup-slow", "gup/slow", "module probe `get_user_pages()` under the mmap lock.",
	  GUP_CELLS },
	{ "gup-slow-write", "gup/slow_write", "the same with `FOLL_WRITE`.", GUP_CELLS },
	{ "gup-remote", "gup/remote",
	  "module probe `get_user_pages_remote(current->mm)` (`FOLL_REMOTE`): the same path; "
	  "`find_special_page()` checks `vma->vm_mm`, which is the mapping's mm.",
	  GUP_CELLS },
	{ "gup-remote-write", "gup/remote_write", "the same with `FOLL_WRITE`.", GUP_CELLS },
	{ "pin", "gup/pin", "module probe `pin_user_pages()` (`FOLL_PIN`): the same path.",
	  GUP_CELLS },
	{ "pin-write", "gup/pin_write", "the same with `FOLL_WRITE`.", GUP_CELLS },
	{ "pin-longterm", "gup/pin_longterm",
	  "module probe `pin_user_pages(FOLL_LONGTERM)`: `__gup_longterm_locked()` then "
	  "`check_and_migrate_movable_pages()`, which keeps the page: a ballooned page "
	  "(`decrease_reservation()` with `GFP_USER`) is neither `ZONE_MOVABLE` nor CMA, so "
	  "it is long-term pinnable. gntdev's pages come from the same `gnttab_alloc_pages()` "
	  "(`gntdev_alloc_map()`).",
	  GUP_CELLS },
	{ "pin-longterm-write", "gup/pin_longterm_write", "the same with `FOLL_WRITE`.",
	  GUP_CELLS },
	{ "odirect-read", "gup/odirect_read",
	  "O_DIRECT read from `/dev/ram0` (brd) into the mapping: `blkdev_direct_IO()` → "
	  "`bio_iov_iter_get_pages()` → `iov_iter_get_pages2()` → `get_user_pages_fast()` "
	  "(`FOLL_WRITE`); the GUP error reaches read() unchanged. brd copies with "
	  "`memcpy_{to,from}_page()`, i.e. through the grant's kernel alias, so the data really "
	  "moves between the disk and dom0's frame.",
	  GUP_CELLS_GD(R_GD_KALIAS) },
	{ "odirect-write", "gup/odirect_write",
	  "O_DIRECT write from the mapping to `/dev/ram0`: the same GUP, without `FOLL_WRITE`.",
	  GUP_CELLS_GD(R_GD_KALIAS) },
	{ "process_vm_readv", "gup/process_vm_readv",
	  "`process_vm_readv()` with the mapping as the *remote* iovec: "
	  "`process_vm_rw_single_vec()` → `pin_user_pages_remote()`.",
	  (const struct expect_cell[]){
		  { .subject = "special", "ok", R_HOOK },
		  { .subject = "nohook", "EFAULT",
		    R_PVM_EFAULT },
		  { .subject = "pfnmap", "EFAULT", R_EFAULT },
		  { .subject = "gntdev", "ok", R_GD_KALIAS },
		  { 0 } } },
	{ "process_vm_writev", "gup/process_vm_writev",
	  "`process_vm_writev()` onto the mapping: the same path with `FOLL_WRITE`.",
	  (const struct expect_cell[]){
		  { .subject = "special", "ok", R_HOOK },
		  { .subject = "nohook", "EFAULT",
		    R_PVM_EFAULT },
		  { .subject = "pfnmap", "EFAULT", R_EFAULT },
		  { .subject = "gntdev", "ok", R_GD_KALIAS },
		  { 0 } } },
	{ "proc-mem-read", "gup/proc_mem_read",
	  "`/proc/self/mem`: `mem_rw()` → `access_remote_vm()` → `__access_remote_vm()` → "
	  "`get_user_pages_remote(FOLL_FORCE)`. In special mode the copy goes through "
	  "`kmap(page)` (the kernel alias).",
	  (const struct expect_cell[]){
		  { .subject = "special", "ok", R_HOOK },
		  { .subject = "nohook", "EIO",
		    R_NO_ACCESS },
		  { .subject = "pfnmap", "EIO",
		    R_NO_ACCESS },
		  { .subject = "gntdev", "ok",
		    R_GD_KALIAS " (`kmap()`); gntdev has no `->access` either, none is needed" },
		  { 0 } } },
	{ "proc-mem-write", "gup/proc_mem_write",
	  "`/proc/self/mem` write: the same with `FOLL_WRITE` (the VMA is writable).",
	  (const struct expect_cell[]){
		  { .subject = "special", "ok", R_HOOK },
		  { .subject = "nohook", "EIO",
		    R_NO_ACCESS },
		  { .subject = "pfnmap", "EIO",
		    R_NO_ACCESS },
		  { .subject = "gntdev", "ok",
		    R_GD_KALIAS " (`kmap()`); gntdev has no `->access` either, none is needed" },
		  { 0 } } },
	{ "ptrace-peekdata", "gup/ptrace_peekdata",
	  "`PTRACE_PEEKDATA`: `generic_ptrace_peekdata()` → `ptrace_access_vm()` → "
	  "`__access_remote_vm(FOLL_FORCE)`.",
	  (const struct expect_cell[]){
		  { .subject = "special", "ok", R_HOOK },
		  { .subject = "nohook", "EIO", "GUP fails: a short copy is -EIO" },
		  { .subject = "pfnmap", "EIO", "GUP fails: a short copy is -EIO" },
		  { .subject = "gntdev", "ok", R_GD_KALIAS },
		  { 0 } } },
	{ "vmsplice", "gup/vmsplice",
	  "`vmsplice()` into a pipe: `vmsplice_to_pipe()` → `iter_to_pipe()` → "
	  "`iov_iter_get_pages2()` → `get_user_pages_fast()`; the error as is. In special mode "
	  "the pipe holds a reference to the map's page until read.",
	  GUP_CELLS_GD(R_GD_KALIAS) },
	{ "io_uring-register", "gup/io_uring_register",
	  "`IORING_REGISTER_BUFFERS`: `io_sqe_buffer_register()` → `io_pin_pages()` → "
	  "`pin_user_pages(FOLL_WRITE | FOLL_LONGTERM)`.",
	  (const struct expect_cell[]){
		  { .subject = "special", "EOPNOTSUPP",
		    "the pin works, then 6.1 refuses every file-backed VMA that is not shmem or "
		    "hugetlbfs (pages unpinned)" },
		  { .subject = "special", "ok",
		    "from 6.5 io_uring no longer checks the VMA (\"io_uring: rsrc: delegate VMA "
		    "file-backed check to GUP\", Linux 6.5); GUP's own check "
		    "(`writable_file_mapping_allowed()`) lets a char device's mapping pin: the "
		    "buffer registers (seen on 6.12 and 7.3)",
		    .when = { .kernel = "6.5.." } },
		  { .subject = "nohook", "EEXIST", R_EEXIST },
		  { .subject = "pfnmap", "EFAULT", R_EFAULT },
		  { .subject = "gntdev", "EOPNOTSUPP",
		    "as special: `io_pin_pages()` pins `map->pages[i]`, then the VMA's file is "
		    "`/dev/xen/gntdev`, neither shmem nor hugetlbfs" },
		  { .subject = "gntdev", "ok",
		    "as special from 6.5 (\"io_uring: rsrc: delegate VMA file-backed check to "
		    "GUP\", Linux 6.5): no VMA check left in io_uring",
		    .when = { .kernel = "6.5.." } },
		  { 0 } } },
	{ "mlock", "gup/mlock",
	  "`mlock()`: `mlock_fixup()` does not set `VM_LOCKED` on `VM_SPECIAL` VMAs "
	  "(`VM_DONTEXPAND` is set in every mode; smaps shows no `lo`); `__mm_populate()` skips "
	  "`VM_IO | VM_PFNMAP` VMAs and runs `populate_vma_page_range()` → "
	  "`__get_user_pages(pages = NULL)` on the others.",
	  (const struct expect_cell[]){
		  { .subject = "special", "ok", "populate takes the map's page" },
		  { .subject = "nohook", "ok", "populate without pages: -EEXIST only skips the page" },
		  { .subject = "pfnmap", "ok", "`__mm_populate()` skips `VM_IO | VM_PFNMAP`" },
		  { .subject = "gntdev", "ok",
		    "`VM_DONTEXPAND | VM_MIXEDMAP` are `VM_SPECIAL`: no `VM_LOCKED`; populate takes "
		    "`map->pages[i]` through `find_special_page()`" },
		  { 0 } } },
	{ "madv-dontneed", "gup/madv_dontneed",
	  "`madvise(MADV_DONTNEED)`, then a read of the page.",
	  (const struct expect_cell[]){
		  { .subject = "special", "SIGBUS", R_MADV_ZAP },
		  { .subject = "nohook", "SIGBUS", R_MADV_ZAP },
		  { .subject = "pfnmap", "EINVAL",
		    "`madvise_dontneed_free_valid_vma()` refuses `VM_PFNMAP`; the grant stays" },
		  { .subject = "gntdev", "SIGBUS",
		    "`zap_page_range()` runs gntdev's mmu interval notifier, `gntdev_invalidate()` → "
		    "`unmap_grant_pages()`: Xen clears the PTE (`GNTMAP_contains_pte`) and the kernel "
		    "alias (`kunmap_ops`), the grant goes inactive; the next access: `do_fault()`, "
		    "`gntdev_vmops` has no `->fault` → `VM_FAULT_SIGBUS`" },
		  { 0 } } },
	{ "mprotect-rw-on-ro", "gup/mprotect_rw_on_ro",
	  "`mprotect(PROT_READ | PROT_WRITE)` of a read-only grant mapped `PROT_READ`.",
	  SAME3_GD("EACCES",
		   "gntlab's mmap clears `VM_MAYWRITE`, so `do_mprotect_pkey()` refuses `VM_WRITE` "
		   "before any change (grant still mapped). Without that, a write fault would reach "
		   "a PTE that Xen keeps read-only",
		   "unmapped",
		   "**differs from special**: `gntdev_mmap()` refuses `VM_WRITE` only at mmap time "
		   "(`-EINVAL` on a `GNTMAP_readonly` map) and leaves `VM_MAYWRITE` set (a "
		   "`MAP_SHARED` mapping of an fd opened `O_RDWR`), so `mprotect()` succeeds. Its "
		   "`change_pmd_range()` then invokes the mmu notifier "
		   "(`MMU_NOTIFY_PROTECTION_VMA`) and `gntdev_invalidate()`, which does not look at "
		   "the event, unmaps the grant (`unmap_grant_pages()`: Xen clears the PTE): the "
		   "mprotect silently drops the mapping, Xen lists the grant inactive and the next "
		   "access is `VM_FAULT_SIGBUS` (no `->fault`). Observed on the first run") },
	{ "coredump", "gup/coredump", "core-dump exclusion, observed in `/proc/self/smaps`.",
	  SAME3_GD("excluded",
		   "`VM_DONTDUMP` (smaps `dd`): `vma_dump_size()` returns 0 for the VMA, so a dump "
		   "never calls `get_dump_page()` (GUP with `FOLL_DUMP`) on the grant",
		   "excluded", "`gntdev_mmap()` sets `VM_DONTDUMP` too") },
	{ 0 }
};

struct expect_table gup_expect = {
	.name = "gup",
	.title = "The GUP matrix: users of get_user_pages() × subjects (gntlab's modes, gntdev)",
	.row_label = "row (GUP user)",
	.intro = intro,
	.outro = outro,
	.rows = rows,
};
EXPECT_TABLE(gup_expect)

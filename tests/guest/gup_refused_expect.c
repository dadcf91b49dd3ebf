// SPDX-License-Identifier: GPL-2.0
/*
 * What each GUP flavour of the probe ioctls returns where GUP is refused: an
 * address no user mapping covers, or one whose VMA or PTE refuses the
 * access. The columns are the flavours (GNTLAB_GUP_*, gup_flavour_name[]),
 * the rows classes of address (gup_refused_row()). The fast flavours'
 * answers moved between kernel releases; each such cell is conditioned on
 * the release that changed it, with the commit subject. Looked up by
 * badinput/gup_probe_bad_input and the probe suite (gt_gup_refused()).
 */
#include "expect.h"

/* In GNTLAB_GUP_* order (guest-kmod/gntlab.h; gt.c checks the count). */
const char *const gup_flavour_name[GUP_FLAVOURS] = {
	"fast-only", "fast", "slow", "remote", "pin", "pin-longterm",
};

/* x86-64, 4-level paging: the last user page ends below TASK_SIZE_MAX + 4096 = 2^47. */
#define GUP_TASK_SIZE_MAX 0x7ffffffff000ull

const char *gup_refused_row(unsigned long long addr)
{
	if (addr + 4096 < addr)
		return "top-page";
	if (addr >= GUP_TASK_SIZE_MAX)
		return "beyond-user";
	return "user-hole";
}
#define R_BI_NOVMA                                                                                 \
	"`__get_user_pages()` finds no VMA that allows the access (none; or "                      \
	"`check_vma_flags()`: no access, no VM_WRITE for a write, VM_IO | VM_PFNMAP) → -EFAULT"
#define R_BI_FALLBACK                                                                              \
	"GUP-fast finds no usable PTE and falls back to the slow path: " R_BI_NOVMA
#define R_BI_KSLOW                                                                                 \
	"`__get_user_pages()`: no VMA at or above `TASK_SIZE_MAX` (the vsyscall address goes "    \
	"through `get_gate_page()`, which has no page to give) → -EFAULT"
#define R_BI_RANGE                                                                                 \
	"the fast path's range check → -EFAULT (6.1: `access_ok()` in "                           \
	"`internal_get_user_pages_fast()`; 6.12: also `end > TASK_SIZE_MAX`; 7.3: that "          \
	"comparison alone, in `gup_fast_fallback()`)"
#define R_BI_CLAMP                                                                                 \
	"6.3 dropped the clamp (\"mm/gup: make get_user_pages_fast_only() return the common "     \
	"return value\", Linux 6.3): the fast path's errors reach the caller"
#define R_BI_OVERFLOW                                                                              \
	"`start + len` wraps: from 6.5 the overflow check returns -EOVERFLOW (\"mm/gup: do not "   \
	"return 0 from pin_user_pages_fast() for bad args\", Linux 6.5)"

struct expect_table gup_refused_expect = {
	.name = "gup_refused",
	.title = "gup_refused: what each GUP flavour returns where GUP is refused",
	.row_label = "address",
	.intro = "Looked up by `badinput/gup_probe_bad_input` and the `probe` suite (table "
		 "`gup_refused_expect` in `tests/guest/gup_refused_expect.c`), once per address, "
		 "flavour and read/write: `.ret` of `GNTLAB_IOC_GUP_PROBE` / `_ANY` (`0pages`: 0 "
		 "pages, no error). The columns are the GUP flavours of the probe (`gntlab.h`, "
		 "`GNTLAB_GUP_*`); the row is chosen by address: the top page, at or above "
		 "`TASK_SIZE_MAX`, or a user address.",
	.rows = (const struct expect_row[]){
		{ "user-hole", "badinput/gup_probe_bad_input",
		  "user addresses where GUP is refused: no mapping (0, 1, 4095), no access "
		  "(PROT_NONE), a write to a read-only mapping, a VM_IO | VM_PFNMAP mapping (vvar).",
		  (const struct expect_cell[]){
			  { .subject = "fast-only", "0pages",
			    "`get_user_pages_fast_only()` walks the page tables without faulting and "
			    "never falls back: no usable PTE (none, not writable for a write, special), "
			    "0 pages" },
			  { .subject = "fast", "EFAULT", R_BI_FALLBACK },
			  { .subject = "slow", "EFAULT", R_BI_NOVMA },
			  { .subject = "remote", "EFAULT", R_BI_NOVMA },
			  { .subject = "pin", "EFAULT", R_BI_NOVMA },
			  { .subject = "pin-longterm", "EFAULT", R_BI_NOVMA },
			  { 0 } } },
		{ "beyond-user", "badinput/gup_probe_bad_input",
		  "at or above `TASK_SIZE_MAX` (0x7ffffffff000): the page below 2^47, the first "
		  "non-canonical address, the kernel's direct map, its text, the vsyscall page.",
		  (const struct expect_cell[]){
			  { .subject = "fast-only", "0pages",
			    "before 6.3 `get_user_pages_fast_only()` turned every error of "
			    "`internal_get_user_pages_fast()` (here `access_ok()`'s -EFAULT) into 0: "
			    "\"not allowed to return negative values\"" },
			  { .subject = "fast-only", "EFAULT", R_BI_CLAMP ": " R_BI_RANGE,
			    .when = { .kernel = "6.3.." } },
			  { .subject = "fast", "EFAULT", R_BI_RANGE },
			  { .subject = "slow", "EFAULT", R_BI_KSLOW },
			  { .subject = "remote", "EFAULT", R_BI_KSLOW },
			  { .subject = "pin", "EFAULT", R_BI_KSLOW },
			  { .subject = "pin-longterm", "EFAULT", R_BI_KSLOW },
			  { 0 } } },
		{ "top-page", "badinput/gup_probe_bad_input",
		  "the last page, 0xfffffffffffff000: `start + len` wraps to 0.",
		  (const struct expect_cell[]){
			  { .subject = "fast-only", "0pages",
			    "`check_add_overflow()` comes first in `internal_get_user_pages_fast()` "
			    "and returns 0 before any range check" },
			  { .subject = "fast-only", "EOVERFLOW", R_BI_OVERFLOW "; " R_BI_CLAMP,
			    .when = { .kernel = "6.5.." } },
			  { .subject = "fast", "0pages",
			    "`check_add_overflow()` comes first in `internal_get_user_pages_fast()` "
			    "and returns 0 before any range check (seen on the first boot)" },
			  { .subject = "fast", "EOVERFLOW", R_BI_OVERFLOW, .when = { .kernel = "6.5.." } },
			  { .subject = "slow", "EFAULT", R_BI_KSLOW },
			  { .subject = "remote", "EFAULT", R_BI_KSLOW },
			  { .subject = "pin", "EFAULT", R_BI_KSLOW },
			  { .subject = "pin-longterm", "EFAULT", R_BI_KSLOW },
			  { 0 } } },
		{ 0 } },
};
EXPECT_TABLE(gup_refused_expect)



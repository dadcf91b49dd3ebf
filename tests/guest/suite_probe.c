// SPDX-License-Identifier: GPL-2.0
/*
 * probe: the module's probes (GNTLAB_IOC_INTROSPECT_ANY, GNTLAB_IOC_GUP_PROBE_ANY)
 * on every kind of user address, not only our own maps (issue #11 item 3):
 * what each kind must give, and that nothing bad happens on any of them.
 * The fuzz over all kinds at once is in suite_probe_fuzz.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "expect.h"
#include "gntdev_map.h"
#include "gt.h"
#include "harness.h"
#include "probe_util.h"

SUITE_DOC(probe, "probe: introspection and GUP probes on any user address",
	  "Guest suite `tests/guest/suite_probe.c` (and `suite_probe_fuzz.c`). The module's\n"
	  "`GNTLAB_IOC_INTROSPECT_ANY` and `GNTLAB_IOC_GUP_PROBE_ANY` (guest-kmod/gntlab.h)\n"
	  "take any user address of the calling process, so that another driver's mapping —\n"
	  "the kernel's own gntdev — gets the same facts as our maps: raw PTE bits, MFN, the\n"
	  "M2P entry, `mfn_to_pfn()`, the P2M entry, what `vm_normal_page()` returns (the\n"
	  "module models it: 6.1 does not export it), `PageForeign`, the kernel alias, the\n"
	  "page's refcount, and the six in-kernel GUP flavours. Outside our maps the\n"
	  "map-only fields are marked not applicable (`GNTLAB_NOT_OUR_MAP`,\n"
	  "`GNTLAB_INTROSPECT_NA`, `same_page == GNTLAB_SAME_PAGE_NA`) and \"the page\" is\n"
	  "the one `vm_normal_page()` returns. Each test takes one kind of address (anonymous,\n"
	  "unmapped, PROT_NONE, file, kernel, 0, non-canonical, vDSO/vvar, VM_IO, our map,\n"
	  "a gntdev map) and asserts its errno or its facts; GUP probes never leave a\n"
	  "reference behind (the page's refcount before and after). The usual after-test\n"
	  "check (module counters zero, clean kernel log, nothing of dom0 mapped) runs too.")

/*
 * A page on the LRU has one more reference per per-CPU LRU batch entry
 * (lru_add, folio_activate after a FOLL_TOUCH GUP): not a leak. The tests
 * drain every batch (pu_drain_lru) before each reading and then compare
 * exactly; pages off the LRU (grant pages) need no drain.
 */
static uint32_t lru_count(int fd, const void *addr)
{
	struct gntlab_introspect in;

	ASSERT_EQ(pu_drain_lru(addr), 0) TH_MSG("move_pages: %s", strerror(errno));
	ASSERT_EQ(gt_introspect_any(fd, addr, &in), 0);
	ASSERT_TRUE(in.bits & GNTLAB_PAGE_COUNT_VALID);
	return in.page_count;
}


/*
 * A R/O long-term pin of pfn's page at addr, in a private mapping that may
 * become writable: the table's cow-longterm-pin row says what it takes.
 */
static void longterm_pin_cow(int fd, const void *addr, uint64_t pfn)
{
	struct gntlab_gup_probe p;
	struct gntlab_introspect after;
	const char *seen = "other";

	ASSERT_EQ(gt_gup_any(fd, addr, GNTLAB_GUP_PIN_LONGTERM, false, &p), 0);
	ASSERT_EQ(p.ret, 1) TH_MSG("%p", addr);
	ASSERT_EQ(gt_introspect_any(fd, addr, &after), 0);
	if (p.page_pfn == pfn && after.page_pfn == pfn)
		seen = "same-page";
	else if (p.page_pfn != pfn && after.page_pfn == p.page_pfn)
		seen = "copy";
	TH_LOG("long-term pin at %p: pfn %#llx, the PTE's before %#llx, after %#llx", addr,
	       (unsigned long long)p.page_pfn, (unsigned long long)pfn,
	       (unsigned long long)after.page_pfn);
	expect_check(expect_get(&probe_expect, "cow-longterm-pin", "pin-longterm"),
		     "cow-longterm-pin", seen);
}

/* The [vvar] VMA's kind, as the table's vvar-vma row writes it. */
static const char *vvar_kind(uint64_t vm_flags)
{
	bool io = vm_flags & PU_VM_IO, pfn = vm_flags & PU_VM_PFNMAP,
	     mixed = vm_flags & PU_VM_MIXEDMAP;

	if (io && pfn && !mixed)
		return "io-pfnmap";
	if (mixed && !pfn)
		return io ? "io-mixedmap" : "mixedmap";
	return "other";
}

/* ret[k][w] of gup_all(): not checked there (the caller checks it on its own). */
#define PU_GUP_SKIP 2

static int probe_fd(void)
{
	int fd = gt_open();

	ASSERT_GE(fd, 0) TH_MSG("open %s: %s", GNTLAB_DEVICE, strerror(errno));
	return fd;
}

/* Fields that make sense only for our maps are marked not applicable. */
static void assert_not_ours(const struct gntlab_introspect *in)
{
	ASSERT_TRUE(in->bits & GNTLAB_NOT_OUR_MAP);
	ASSERT_EQ(in->mode, GNTLAB_INTROSPECT_NA);
	ASSERT_EQ(in->domid, GNTLAB_INTROSPECT_NA);
	ASSERT_EQ(in->ref, GNTLAB_INTROSPECT_NA);
	ASSERT_EQ(in->page_index, GNTLAB_INTROSPECT_NA);
	ASSERT_FALSE(in->bits & (GNTLAB_GRANT_MAPPED | GNTLAB_NORMAL_PAGE_IS_MAP));
	ASSERT_TRUE(in->bits & GNTLAB_NORMAL_PAGE_MODELLED);
	/* "The page" is vm_normal_page()'s, or none. */
	if (in->bits & GNTLAB_NORMAL_PAGE_FOUND) {
		ASSERT_EQ(in->page_pfn, in->normal_page_pfn);
		ASSERT_TRUE(in->bits & GNTLAB_PAGE_COUNT_VALID);
	} else {
		ASSERT_EQ(in->page_pfn, PU_NONE);
		ASSERT_EQ(in->normal_page_pfn, PU_NONE);
		ASSERT_EQ(in->kernel_alias_mfn, PU_NONE);
		ASSERT_FALSE(in->bits & GNTLAB_PAGE_COUNT_VALID);
	}
}

static void introspect_log(const char *what, const struct gntlab_introspect *in)
{
	char s[400];

	pu_str(in, s, sizeof(s));
	TH_LOG("%s: %s", what, s);
}

/* A page of our own RAM behind a normal PTE: the M2P points back. */
static void assert_local_page(const struct gntlab_introspect *in, const void *addr)
{
	uint64_t pm = 0;

	ASSERT_TRUE(in->bits & GNTLAB_PTE_PRESENT);
	ASSERT_TRUE(in->bits & GNTLAB_PTE_USER);
	ASSERT_FALSE(in->bits & GNTLAB_PTE_SPECIAL);
	ASSERT_TRUE(in->bits & GNTLAB_NORMAL_PAGE_FOUND);
	ASSERT_EQ(in->m2p, in->page_pfn);
	ASSERT_EQ(in->mfn_to_pfn, in->page_pfn);
	ASSERT_EQ(in->pfn_to_mfn, in->pte_mfn);
	ASSERT_FALSE(in->bits & (GNTLAB_P2M_FOREIGN | GNTLAB_PAGE_FOREIGN));
	ASSERT_EQ(in->kernel_alias_mfn, in->pte_mfn);
	ASSERT_GE(in->page_count, 1);
	/* The kernel's own pagemap agrees on the pfn. */
	ASSERT_EQ(pu_pagemap_pfn(addr, &pm), 0);
	ASSERT_EQ(pm, in->page_pfn);
}

/*
 * Every GUP flavour, read and write, at addr through GUP_PROBE_ANY: ret[kind][write]
 * expected (1 means the page of pfn `pfn`); same_page is not applicable outside our maps.
 */
static void gup_all(int fd, const void *addr, const int ret[GNTLAB_GUP_COUNT][2], uint64_t pfn)
{
	struct gntlab_gup_probe p;

	for (uint32_t k = 0; k < GNTLAB_GUP_COUNT; k++) {
		for (int w = 0; w < 2; w++) {
			if (ret[k][w] == PU_GUP_SKIP)
				continue;
			ASSERT_EQ(gt_gup_any(fd, addr, k, w, &p), 0);
			ASSERT_EQ(p.ret, ret[k][w]) TH_MSG("%p kind %u write %d", addr, k, w);
			ASSERT_EQ(p.page_pfn, p.ret == 1 ? pfn : PU_NONE)
				TH_MSG("%p kind %u write %d", addr, k, w);
			ASSERT_EQ(p.same_page, GNTLAB_SAME_PAGE_NA);
		}
	}
}

static void gup_all_refused(int fd, const void *addr, bool write_only)
{
	int ret[GNTLAB_GUP_COUNT][2];

	for (uint32_t k = 0; k < GNTLAB_GUP_COUNT; k++) {
		ret[k][0] = write_only ? 1 : pu_gup_refused((uintptr_t)addr, k);
		ret[k][1] = pu_gup_refused((uintptr_t)addr, k);
	}
	gup_all(fd, addr, ret, PU_NONE);
}

static void gup_all_ok(int fd, const void *addr, uint64_t pfn)
{
	int ret[GNTLAB_GUP_COUNT][2];

	for (uint32_t k = 0; k < GNTLAB_GUP_COUNT; k++)
		ret[k][0] = ret[k][1] = 1;
	gup_all(fd, addr, ret, pfn);
}

/* page_count after probes vs before: equal, or within the LRU batch reference. */
static void assert_count_kept(uint32_t before, uint32_t after, int slack, const char *what)
{
	TH_LOG("%s: page_count %u before, %u after the probes", what, before, after);
	ASSERT_TRUE((int64_t)after - before <= slack && (int64_t)before - after <= slack)
		TH_MSG("%s: page_count %u -> %u", what, before, after);
}

TH_DOC(probe, anon_page,
       "A private anonymous page we wrote: `INTROSPECT_ANY` succeeds with\n"
       "`GNTLAB_NOT_OUR_MAP` and the map-only fields not applicable; the PTE is present,\n"
       "user, RW, not special; `vm_normal_page()` finds the page, whose pfn\n"
       "`/proc/self/pagemap` confirms; our own RAM: `m2p == mfn_to_pfn == page_pfn`,\n"
       "`pfn_to_mfn(page_pfn) == pte_mfn`, no FOREIGN_FRAME, not PageForeign, the kernel\n"
       "alias maps the same MFN, `vm_flags` has VM_READ|VM_WRITE and not VM_SHARED. All\n"
       "six GUP flavours, read and write, return that page (1 page, same pfn,\n"
       "`same_page` not applicable); the page's refcount is exactly unchanged\n"
       "afterwards (both readings after draining every CPU's LRU batches with a\n"
       "no-op `move_pages()`) and its mapcount (`/proc/kpagecount`) stays 1.")
TEST(probe, anon_page)
{
	struct gntlab_introspect in, after;
	uint32_t before;
	int fd = probe_fd();
	uint8_t *p = mmap(NULL, 2 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, 0x5a, GT_PAGE);
	ASSERT_EQ(gt_introspect_any(fd, p + 123, &in), 0);
	introspect_log("anon", &in);
	assert_not_ours(&in);
	assert_local_page(&in, p);
	ASSERT_TRUE(in.bits & GNTLAB_PTE_RW);
	ASSERT_TRUE(in.bits & GNTLAB_PTE_TABLE);
	ASSERT_EQ(in.vm_flags & (PU_VM_READ | PU_VM_WRITE | PU_VM_SHARED), PU_VM_READ | PU_VM_WRITE);
	ASSERT_EQ(pu_kpagecount(in.page_pfn), 1);
	/* The old command still refuses what is not one of this fd's maps. */
	ASSERT_EQ(gt_introspect(fd, p, &after), EINVAL);

	before = lru_count(fd, p);
	gup_all_ok(fd, p + 7, in.page_pfn);
	ASSERT_EQ(gt_introspect_any(fd, p, &after), 0);
	ASSERT_TRUE(pu_same_facts(&in, &after));
	assert_count_kept(before, lru_count(fd, p), 0, "anon page");
	ASSERT_EQ(pu_kpagecount(in.page_pfn), 1);
	ASSERT_EQ(memcmp(p, (uint8_t[GT_PAGE]){ [0 ... GT_PAGE - 1] = 0x5a }, GT_PAGE), 0);
	ASSERT_EQ(munmap(p, 2 * GT_PAGE), 0);
	close(fd);
}

TH_DOC(probe, anon_untouched_and_zero_page,
       "A private anonymous page never touched: success, PTE not present, no page\n"
       "(`page_pfn` ~0, no refcount). After a read, the shared zero page: present,\n"
       "read-only, special (x86 maps the zero page with `pte_mkspecial`), so\n"
       "`vm_normal_page()` returns NULL. Read GUP there returns the zero page (its pfn\n"
       "as pagemap reports it) and a write GUP breaks COW, leaving a private page of\n"
       "our own behind the PTE.")
TEST(probe, anon_untouched_and_zero_page)
{
	struct gntlab_introspect in;
	struct gntlab_gup_probe g;
	int fd = probe_fd();
	uint64_t zero_pfn = 0;
	uint8_t *p = mmap(NULL, GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(gt_introspect_any(fd, p, &in), 0);
	introspect_log("untouched", &in);
	assert_not_ours(&in);
	ASSERT_FALSE(in.bits & GNTLAB_PTE_PRESENT);
	ASSERT_EQ(in.pte_mfn, PU_NONE);
	ASSERT_FALSE(in.bits & GNTLAB_NORMAL_PAGE_FOUND);

	ASSERT_EQ(*(volatile uint8_t *)p, 0);
	ASSERT_EQ(gt_introspect_any(fd, p, &in), 0);
	introspect_log("zero page", &in);
	assert_not_ours(&in);
	ASSERT_TRUE(in.bits & GNTLAB_PTE_PRESENT);
	ASSERT_FALSE(in.bits & GNTLAB_PTE_RW);
	ASSERT_TRUE(in.bits & GNTLAB_PTE_SPECIAL);
	ASSERT_FALSE(in.bits & GNTLAB_NORMAL_PAGE_FOUND);
	ASSERT_EQ(in.m2p, in.mfn_to_pfn) TH_MSG("the zero page is our own frame");
	ASSERT_EQ(pu_pagemap_pfn(p, &zero_pfn), 0);
	ASSERT_EQ(in.mfn_to_pfn, zero_pfn);

	ASSERT_EQ(gt_gup_any(fd, p, GNTLAB_GUP_SLOW, false, &g), 0);
	ASSERT_EQ(g.ret, 1);
	ASSERT_EQ(g.page_pfn, zero_pfn);
	ASSERT_EQ(g.same_page, GNTLAB_SAME_PAGE_NA);
	ASSERT_EQ(gt_gup_any(fd, p, GNTLAB_GUP_SLOW, true, &g), 0);
	ASSERT_EQ(g.ret, 1);
	ASSERT_NE(g.page_pfn, zero_pfn);
	ASSERT_EQ(gt_introspect_any(fd, p, &in), 0);
	ASSERT_FALSE(in.bits & GNTLAB_PTE_SPECIAL);
	ASSERT_EQ(in.page_pfn, g.page_pfn);
	ASSERT_EQ(munmap(p, GT_PAGE), 0);
	close(fd);
}

TH_DOC(probe, unmapped_addresses,
       "Addresses no VMA covers: a hole punched between two mappings, address 0 (below\n"
       "`mmap_min_addr`), 0x7fffffffe000 (or the first unmapped page below it in steps\n"
       "of 16 pages, should the stack sit at the top): `INTROSPECT_ANY` is\n"
       "**ENOENT**, the old `INTROSPECT` **EINVAL**. GUP: the ioctl succeeds, `.ret`\n"
       "-EFAULT (`get_user_pages_fast_only()`: 0 pages), no page, `same_page` not\n"
       "applicable.")
TEST(probe, unmapped_addresses)
{
	struct gntlab_introspect in;
	int fd = probe_fd();
	uint8_t *p = mmap(NULL, 3 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	const void *addr[3];

	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, 1, 3 * GT_PAGE);
	ASSERT_EQ(munmap(p + GT_PAGE, GT_PAGE), 0);
	addr[0] = p + GT_PAGE + 100;
	addr[1] = NULL;
	addr[2] = (const void *)(uintptr_t)0x7fffffffe000ull;
	/* Below the stack unless randomisation put the stack at the very top. */
	while (pu_mapped((uintptr_t)addr[2]))
		addr[2] = (const uint8_t *)addr[2] - 16 * GT_PAGE;
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(gt_introspect_any(fd, addr[i], &in), ENOENT) TH_MSG("%p", addr[i]);
		ASSERT_EQ(gt_introspect(fd, addr[i], &in), EINVAL) TH_MSG("%p", addr[i]);
		gup_all_refused(fd, addr[i], false);
	}
	/* The neighbours are still there and still ordinary pages. */
	ASSERT_EQ(gt_introspect_any(fd, p, &in), 0);
	assert_local_page(&in, p);
	ASSERT_EQ(gt_introspect_any(fd, p + 2 * GT_PAGE, &in), 0);
	assert_local_page(&in, p + 2 * GT_PAGE);
	ASSERT_EQ(munmap(p, 3 * GT_PAGE), 0);
	close(fd);
}

TH_DOC(probe, kernel_and_noncanonical,
       "Kernel addresses (direct map, text, the vsyscall page), the first\n"
       "non-canonical address 0x0000800000000000, ~0, and 0x7ffffffff000, the page\n"
       "below 2^47 that `TASK_SIZE_MAX` leaves out of user space: `INTROSPECT_ANY` is\n"
       "**EFAULT** (rejected before the mmap lock: `addr >= TASK_SIZE`). GUP: `.ret` as\n"
       "the table `gup_refused` gives on the running kernel (docs/tests/badinput.md):\n"
       "-EFAULT; fast-only 0 pages before 6.3 and -EFAULT from 6.3; the top page,\n"
       "whose `start + len` wraps, 0 pages (fast, fast-only) before 6.5, -EOVERFLOW from 6.5.")
TEST(probe, kernel_and_noncanonical)
{
	static const uint64_t bad[] = {
		GT_KADDR_DIRECTMAP, GT_KADDR_TEXT, GT_KADDR_VSYSCALL, GT_NONCANONICAL,
		0x7ffffffff000ull, ~0ull & ~4095ull, ~0ull,
	};
	struct gntlab_introspect in;
	int fd = probe_fd();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const void *a = (const void *)(uintptr_t)bad[i];

		ASSERT_EQ(gt_introspect_any(fd, a, &in), EFAULT) TH_MSG("%p", a);
		if (bad[i] != ~0ull)
			gup_all_refused(fd, a, false);
	}
	close(fd);
}

TH_DOC(probe, guard_page,
       "A PROT_NONE guard page (a VMA without access): never touched, success with no\n"
       "PTE present and `vm_flags` without VM_READ/VM_WRITE. A page written, then made\n"
       "PROT_NONE: the raw PTE loses `_PAGE_PRESENT` (it becomes a PROT_NONE entry,\n"
       "which Xen PV keeps in pfn form), and `vm_normal_page()` still finds the page\n"
       "(`pte_present()` counts `_PAGE_PROTNONE`), the pfn pagemap gave before. Every GUP\n"
       "flavour is refused on both (`.ret` -EFAULT, fast-only 0 pages).")
TEST(probe, guard_page)
{
	struct gntlab_introspect in;
	int fd = probe_fd();
	uint64_t pfn = 0;
	uint8_t *p = mmap(NULL, 2 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	p[GT_PAGE] = 1;
	ASSERT_EQ(pu_pagemap_pfn(p + GT_PAGE, &pfn), 0);
	ASSERT_EQ(mprotect(p, 2 * GT_PAGE, PROT_NONE), 0);

	ASSERT_EQ(gt_introspect_any(fd, p, &in), 0);
	introspect_log("guard, never touched", &in);
	assert_not_ours(&in);
	ASSERT_FALSE(in.bits & GNTLAB_PTE_PRESENT);
	ASSERT_FALSE(in.bits & GNTLAB_NORMAL_PAGE_FOUND);
	ASSERT_EQ(in.vm_flags & (PU_VM_READ | PU_VM_WRITE), 0);
	gup_all_refused(fd, p, false);

	ASSERT_EQ(gt_introspect_any(fd, p + GT_PAGE, &in), 0);
	introspect_log("guard, written then PROT_NONE", &in);
	assert_not_ours(&in);
	ASSERT_FALSE(in.bits & GNTLAB_PTE_PRESENT);
	ASSERT_NE(in.pte, 0);
	ASSERT_TRUE(in.bits & GNTLAB_NORMAL_PAGE_FOUND);
	ASSERT_EQ(in.normal_page_pfn, pfn);
	gup_all_refused(fd, p + GT_PAGE, false);
	ASSERT_EQ(munmap(p, 2 * GT_PAGE), 0);
	close(fd);
}

/* A file of two pages in the guest's root fs (the initramfs), unlinked. */
static int temp_file(void)
{
	char path[] = "/tmp/gntlab-probe-XXXXXX", alt[] = "/gntlab-probe-XXXXXX";
	uint8_t page[GT_PAGE];
	int fd = mkstemp(path);

	if (fd < 0) {
		fd = mkstemp(alt);
		ASSERT_GE(fd, 0) TH_MSG("mkstemp: %s", strerror(errno));
		unlink(alt);
	} else {
		unlink(path);
	}
	memset(page, 0xc3, sizeof(page));
	ASSERT_EQ(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
	ASSERT_EQ(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
	return fd;
}

TH_DOC(probe, file_mapping,
       "A shared read/write mapping of a file in the guest's root fs, touched: a\n"
       "page-cache page of our own RAM (as for anonymous memory: present, not\n"
       "special, M2P points back, pagemap agrees), `vm_flags` with VM_SHARED, refcount\n"
       "at least 2 (page cache + mapping). Every GUP flavour, read and write, returns\n"
       "that page; the refcount is exactly unchanged afterwards (LRU batches drained\n"
       "before both readings; the first boot saw +2 without the drain). A\n"
       "private read-only mapping of the same file: read GUP gives the same page-cache\n"
       "page, write GUP is refused (-EFAULT, fast-only 0: no FOLL_FORCE); the read\n"
       "long-term pin, last, takes the page-cache page on 6.1 and an anonymous copy that\n"
       "replaces it in the page table from 6.2 (table `probe` below: the file was\n"
       "opened read/write, so the private map is a COW mapping).")
TEST(probe, file_mapping)
{
	struct gntlab_introspect in, after, ro_in;
	int ret[GNTLAB_GUP_COUNT][2];
	uint32_t before;
	int fd = probe_fd(), file = temp_file();
	uint8_t *p = mmap(NULL, 2 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
	uint8_t *ro = mmap(NULL, 2 * GT_PAGE, PROT_READ, MAP_PRIVATE, file, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_TRUE(ro != MAP_FAILED);
	p[GT_PAGE + 1] = 0x3c;
	ASSERT_EQ(gt_introspect_any(fd, p + GT_PAGE, &in), 0);
	introspect_log("file", &in);
	assert_not_ours(&in);
	assert_local_page(&in, p + GT_PAGE);
	ASSERT_TRUE(in.vm_flags & PU_VM_SHARED);
	ASSERT_GE(in.page_count, 2);
	before = lru_count(fd, p + GT_PAGE);
	gup_all_ok(fd, p + GT_PAGE + 5, in.page_pfn);
	ASSERT_EQ(gt_introspect_any(fd, p + GT_PAGE, &after), 0);
	ASSERT_TRUE(pu_same_facts(&in, &after));
	assert_count_kept(before, lru_count(fd, p + GT_PAGE), 0, "file page");

	ASSERT_EQ(ro[GT_PAGE + 1], 0x3c);
	ASSERT_EQ(gt_introspect_any(fd, ro + GT_PAGE, &ro_in), 0);
	assert_not_ours(&ro_in);
	ASSERT_EQ(ro_in.page_pfn, in.page_pfn) TH_MSG("the same page-cache page");
	ASSERT_FALSE(ro_in.bits & GNTLAB_PTE_RW);
	for (uint32_t k = 0; k < GNTLAB_GUP_COUNT; k++) {
		ret[k][0] = 1;
		ret[k][1] = pu_gup_refused((uintptr_t)ro, k);
	}
	ret[GNTLAB_GUP_PIN_LONGTERM][0] = PU_GUP_SKIP; /* last: it may replace the page */
	gup_all(fd, ro + GT_PAGE, ret, in.page_pfn);
	longterm_pin_cow(fd, ro + GT_PAGE, in.page_pfn);
	ASSERT_EQ(munmap(p, 2 * GT_PAGE), 0);
	ASSERT_EQ(munmap(ro, 2 * GT_PAGE), 0);
	close(file);
	close(fd);
}

TH_DOC(probe, vdso_vvar,
       "Mappings of another kernel component. The vDSO (its first page read first): pages installed by\n"
       "`install_special_mapping()` behind normal PTEs, so `vm_normal_page()` finds\n"
       "the page (our own frame, M2P points back); read GUP returns it (fast-only:\n"
       "0 pages on 6.10..7.3, and the long-term pin an anonymous copy from 6.2: table\n"
       "`probe` below), write GUP is refused (no VM_WRITE). The vvar area: a `VM_PFNMAP | VM_IO` VMA whose first page\n"
       "(`__vvar_page`, read here first) is inserted by `vmf_insert_pfn()`: present,\n"
       "special, `vm_normal_page()` NULL, no page facts; every GUP flavour refused\n"
       "(`check_vma_flags()`: VM_IO/VM_PFNMAP → -EFAULT; fast-only 0 pages). From 7.3\n"
       "the vvar area is a `VM_MIXEDMAP` VMA of struct pages (table `probe`, row\n"
       "`vvar-vma`) and the test ends after checking that.")
TEST(probe, vdso_vvar)
{
	struct gntlab_introspect in;
	int ret[GNTLAB_GUP_COUNT][2];
	int fd = probe_fd();
	uintptr_t s = 0, e = 0;

	ASSERT_EQ(pu_find_vma("[vdso]", &s, &e), 0) TH_MSG("no [vdso] in /proc/self/maps");
	/* Its first page (the ELF header) is not necessarily mapped yet. */
	(void)*(volatile uint8_t *)s;
	ASSERT_EQ(gt_introspect_any(fd, (void *)s, &in), 0);
	introspect_log("vdso", &in);
	assert_not_ours(&in);
	ASSERT_TRUE(in.bits & GNTLAB_PTE_PRESENT);
	ASSERT_FALSE(in.bits & GNTLAB_PTE_SPECIAL);
	ASSERT_TRUE(in.bits & GNTLAB_NORMAL_PAGE_FOUND);
	ASSERT_EQ(in.m2p, in.page_pfn);
	ASSERT_FALSE(in.vm_flags & (PU_VM_WRITE | PU_VM_IO | PU_VM_PFNMAP));
	for (uint32_t k = 0; k < GNTLAB_GUP_COUNT; k++) {
		ret[k][0] = 1;
		ret[k][1] = pu_gup_refused(s, k);
	}
	ret[GNTLAB_GUP_FAST_ONLY][0] = PU_GUP_SKIP;
	ret[GNTLAB_GUP_PIN_LONGTERM][0] = PU_GUP_SKIP; /* last: it may replace the page */
	gup_all(fd, (void *)s, ret, in.page_pfn);
	{
		struct gntlab_gup_probe p;
		char word[32];

		ASSERT_EQ(gt_gup_any(fd, (void *)s, GNTLAB_GUP_FAST_ONLY, false, &p), 0);
		expect_check(expect_get(&probe_expect, "vdso-fast-only", "fast-only"),
			     "vdso-fast-only", gt_gup_ret_word(p.ret, word, sizeof(word)));
		ASSERT_EQ(p.page_pfn, p.ret == 1 ? in.page_pfn : PU_NONE);
	}
	longterm_pin_cow(fd, (void *)s, in.page_pfn);

	ASSERT_EQ(pu_find_vma("[vvar]", &s, &e), 0) TH_MSG("no [vvar] in /proc/self/maps");
	(void)*(volatile uint8_t *)s;
	ASSERT_EQ(gt_introspect_any(fd, (void *)s, &in), 0);
	introspect_log("vvar", &in);
	assert_not_ours(&in);
	expect_check(expect_get(&probe_expect, "vvar-vma", "vvar"), "vvar-vma",
		     vvar_kind(in.vm_flags));
	if (!(in.vm_flags & PU_VM_PFNMAP)) {
		/* No VM_IO | VM_PFNMAP mapping left in the vDSO to probe. */
		TH_LOG("[vvar] is %s here: its GUP answers are not the subject of this test",
		       vvar_kind(in.vm_flags));
		close(fd);
		return;
	}
	ASSERT_EQ(in.vm_flags & (PU_VM_IO | PU_VM_PFNMAP), PU_VM_IO | PU_VM_PFNMAP);
	ASSERT_TRUE(in.bits & GNTLAB_PTE_PRESENT);
	ASSERT_TRUE(in.bits & GNTLAB_PTE_SPECIAL);
	ASSERT_FALSE(in.bits & GNTLAB_NORMAL_PAGE_FOUND);
	gup_all_refused(fd, (void *)s, false);
	/* The other vvar pages, present or not: no page, no fault, no GUP. */
	for (uintptr_t a = s + GT_PAGE; a < e; a += GT_PAGE) {
		ASSERT_EQ(gt_introspect_any(fd, (void *)a, &in), 0);
		assert_not_ours(&in);
		ASSERT_FALSE(in.bits & GNTLAB_NORMAL_PAGE_FOUND);
		gup_all_refused(fd, (void *)a, false);
	}
	close(fd);
}

/* "PV", "HVM", "PVH" from /sys/hypervisor/guest_type, or "" */
static void guest_type(char *buf, size_t len)
{
	FILE *f = fopen("/sys/hypervisor/guest_type", "r");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
}

TH_DOC(probe, vm_io_devmem,
       "A VM_IO mapping of another driver reachable from user space: `/dev/mem`\n"
       "page 0 (allowed below 1 MiB with STRICT_DEVMEM), mapped by\n"
       "`remap_pfn_range()`: `VM_IO | VM_PFNMAP`, special PTEs, `vm_normal_page()`\n"
       "NULL, every GUP flavour refused. **SKIP in a Xen PV guest**: there Xen refuses\n"
       "the PTE (`mmu_update` -EINVAL) and Linux WARNs in `xen_mc_flush()` from\n"
       "`remap_pfn_range()`, then in `untrack_pfn()` at munmap (seen on the first\n"
       "boot: a root-only kernel WARN that is not the module's). The vvar area\n"
       "(`vdso_vvar`) is the VM_IO | VM_PFNMAP mapping covered in PV; our own pfnmap\n"
       "mode is another (`own_map`). SKIP also without `/dev/mem` or when the mmap is\n"
       "refused.")
TEST(probe, vm_io_devmem)
{
	struct gntlab_introspect in;
	int fd = probe_fd(), mem;
	char type[32];
	void *p;

	guest_type(type, sizeof(type));
	if (!strcmp(type, "PV"))
		SKIP("Xen PV guest: mmap of /dev/mem makes Xen refuse the PTE and Linux WARN in "
		     "xen_mc_flush (first boot); VM_IO is covered by vvar");
	mem = open("/dev/mem", O_RDONLY | O_CLOEXEC);
	if (mem < 0)
		SKIP("open /dev/mem: %s", strerror(errno));
	p = mmap(NULL, GT_PAGE, PROT_READ, MAP_SHARED, mem, 0);
	if (p == MAP_FAILED) {
		int e = errno;

		close(mem);
		SKIP("mmap of /dev/mem page 0: %s", strerror(e));
	}
	ASSERT_EQ(gt_introspect_any(fd, p, &in), 0);
	introspect_log("/dev/mem page 0", &in);
	assert_not_ours(&in);
	ASSERT_EQ(in.vm_flags & (PU_VM_IO | PU_VM_PFNMAP), PU_VM_IO | PU_VM_PFNMAP);
	if (in.bits & GNTLAB_PTE_PRESENT)
		ASSERT_TRUE(in.bits & GNTLAB_PTE_SPECIAL);
	ASSERT_FALSE(in.bits & GNTLAB_NORMAL_PAGE_FOUND);
	gup_all_refused(fd, p, false);
	ASSERT_EQ(munmap(p, GT_PAGE), 0);
	close(mem);
	close(fd);
}

TH_DOC(probe, own_map,
       "Our own map, in each mode (special, nohook, pfnmap), 2 pages of dom0: for every\n"
       "page `INTROSPECT_ANY` gives byte for byte what `INTROSPECT` gives (today's\n"
       "answer: not `GNTLAB_NOT_OUR_MAP`, mode, domid 0, ref, index), through the\n"
       "map's fd and through another fd of the process (where the old command is\n"
       "EINVAL); `GUP_PROBE_ANY` gives what `GUP_PROBE` gives, `same_page` 0/1 as\n"
       "before (never not-applicable), for every flavour, read and write. The map\n"
       "page's refcount (off the LRU) is exactly unchanged after the GUPs.")
TEST(probe, own_map)
{
	int other = probe_fd();

	for (uint32_t mode = 0; mode < GNTLAB_MODE_COUNT; mode++) {
		struct gt_shared t;

		gt_share_map(&t, 2, 0x7100 + mode, mode);
		for (uint32_t i = 0; i < 2; i++) {
			struct gntlab_introspect a, b, c;
			uint8_t *addr = t.map.addr + i * GT_PAGE + 9;

			ASSERT_EQ(gt_introspect(t.fd, addr, &a), 0);
			ASSERT_EQ(gt_introspect_any(t.fd, addr, &b), 0);
			ASSERT_EQ(gt_introspect(other, addr, &c), EINVAL);
			ASSERT_EQ(gt_introspect_any(other, addr, &c), 0);
			introspect_log(gt_mode_name[mode], &b);
			ASSERT_EQ(memcmp(&a, &b, sizeof(a)), 0) TH_MSG("%s page %u", gt_mode_name[mode], i);
			ASSERT_EQ(memcmp(&a, &c, sizeof(a)), 0) TH_MSG("%s page %u", gt_mode_name[mode], i);
			ASSERT_FALSE(b.bits & GNTLAB_NOT_OUR_MAP);
			ASSERT_EQ(b.mode, mode);
			ASSERT_EQ(b.domid, 0);
			ASSERT_EQ(b.ref, t.share.ref[i]);
			ASSERT_EQ(b.page_index, i);
			ASSERT_TRUE(b.bits & GNTLAB_GRANT_MAPPED);
			ASSERT_TRUE(b.bits & GNTLAB_PAGE_COUNT_VALID);
			for (uint32_t k = 0; k < GNTLAB_GUP_COUNT; k++) {
				for (int w = 0; w < 2; w++) {
					struct gntlab_gup_probe g1, g2;

					ASSERT_EQ(gt_gup(t.fd, addr, k, w, &g1), 0);
					ASSERT_EQ(gt_gup_any(other, addr, k, w, &g2), 0);
					ASSERT_EQ(g1.ret, g2.ret) TH_MSG("kind %u write %d", k, w);
					ASSERT_EQ(g1.page_pfn, g2.page_pfn);
					ASSERT_EQ(g1.same_page, g2.same_page);
					ASSERT_TRUE(g2.same_page <= 1);
				}
			}
			ASSERT_EQ(gt_introspect_any(t.fd, addr, &c), 0);
			assert_count_kept(b.page_count, c.page_count, 0, gt_mode_name[mode]);
		}
		ASSERT_EQ(gt_unmap(&t.map), 0);
		ASSERT_EQ(dom0_unshare(&t.share), 0);
		gt_assert_zero(t.fd);
		close(t.fd);
	}
	close(other);
}

TH_DOC(probe, gntdev_map,
       "dom0 shares 2 pages; the guest maps them through the kernel's own\n"
       "`/dev/xen/gntdev` (tests/guest/gntdev_map.h, read/write, MAP_SHARED). For each\n"
       "page `INTROSPECT_ANY` gives the facts our special mode gives: not our map\n"
       "(map-only fields not applicable), PTE present, user, RW and special (gntdev's\n"
       "`GNTMAP_contains_pte` map with `_GNTMAP_guest_avail0`), `vm_flags` with\n"
       "VM_MIXEDMAP; `vm_normal_page()` returns gntdev's page (its\n"
       "`find_special_page` hook), `pfn_to_mfn(page) == pte_mfn`, FOREIGN_FRAME in the\n"
       "P2M, PageForeign; the M2P holds **dom0's** PFN (dom0's pagemap) and\n"
       "`mfn_to_pfn(pte_mfn) != page_pfn`; dom0's grant entry names the PTE's MFN; the\n"
       "kernel alias maps it too. GUP probes: where one returns a page it is gntdev's\n"
       "page (the GUP matrix of gntdev is the gup suite's); the page's refcount\n"
       "(ballooned, off the LRU) is exactly unchanged afterwards. SKIP without gntdev.")
TEST(probe, gntdev_map)
{
	struct dom0_share s;
	struct gd_map m;
	int fd = probe_fd(), gd;

	if (!gd_available())
		SKIP("no %s in the guest", GD_DEVICE);
	gd = gd_open();
	ASSERT_GE(gd, 0) TH_MSG("open %s: %s", GD_DEVICE, strerror(errno));
	ASSERT_EQ(dom0_share(2, true, 0x7200, &s), 0);
	ASSERT_EQ(gd_map_refs(gd, s.domid, s.ref, 2, false, &m), 0);
	gt_assert_pages(m.addr, 0x7200, 0, 2);
	for (uint32_t i = 0; i < 2; i++) {
		struct gntlab_introspect in, after;
		uint64_t dom0_pfn, grant_mfn;
		uint8_t *addr = m.addr + i * GT_PAGE;

		ASSERT_EQ(gt_introspect_any(fd, addr, &in), 0);
		introspect_log("gntdev", &in);
		assert_not_ours(&in);
		ASSERT_EQ(gt_introspect(fd, addr, &after), EINVAL);
		ASSERT_TRUE(in.bits & GNTLAB_PTE_PRESENT);
		ASSERT_TRUE(in.bits & GNTLAB_PTE_USER);
		ASSERT_TRUE(in.bits & GNTLAB_PTE_RW);
		ASSERT_TRUE(in.bits & GNTLAB_PTE_SPECIAL);
		ASSERT_TRUE(in.vm_flags & PU_VM_MIXEDMAP);
		ASSERT_TRUE(in.bits & GNTLAB_NORMAL_PAGE_FOUND) TH_MSG("gntdev's find_special_page");
		ASSERT_EQ(in.pfn_to_mfn, in.pte_mfn);
		ASSERT_TRUE(in.bits & GNTLAB_P2M_FOREIGN);
		ASSERT_TRUE(in.bits & GNTLAB_PAGE_FOREIGN);
		ASSERT_NE(in.mfn_to_pfn, in.page_pfn);
		ASSERT_EQ(dom0_frames(&s, i, &dom0_pfn, &grant_mfn), 0);
		ASSERT_EQ(in.m2p, dom0_pfn);
		ASSERT_EQ(grant_mfn, in.pte_mfn);
		ASSERT_EQ(in.kernel_alias_mfn, in.pte_mfn);
		for (uint32_t k = 0; k < GNTLAB_GUP_COUNT; k++) {
			for (int w = 0; w < 2; w++) {
				struct gntlab_gup_probe g;

				ASSERT_EQ(gt_gup_any(fd, addr, k, w, &g), 0);
				TH_LOG("gntdev page %u kind %u write %d: ret %d pfn %#llx", i, k, w,
				       g.ret, (unsigned long long)g.page_pfn);
				ASSERT_EQ(g.same_page, GNTLAB_SAME_PAGE_NA);
				if (g.ret == 1)
					ASSERT_EQ(g.page_pfn, in.page_pfn);
				else
					ASSERT_EQ(g.page_pfn, PU_NONE);
			}
		}
		ASSERT_EQ(gt_introspect_any(fd, addr, &after), 0);
		ASSERT_TRUE(pu_same_facts(&in, &after));
		assert_count_kept(in.page_count, after.page_count, 0, "gntdev page");
	}
	ASSERT_EQ(dom0_active(&s), 2);
	ASSERT_EQ(gd_unmap(&m), 0);
	close(gd);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd);
}

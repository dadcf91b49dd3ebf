// SPDX-License-Identifier: GPL-2.0
/*
 * badinput, part 2: what is done wrong to a reserved map (mmap geometry and
 * protection, GNTLAB_IOC_UNMAP, unmap notify, stores through read-only
 * mappings) and bad input to the probes. Part 1 and the suite's description:
 * suite_badinput.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "expect.h"
#include "gt.h"
#include "harness.h"

/* ---- mmap of reserved maps (gntlab_mmap) ---- */

struct one_map {
	int fd;
	struct dom0_share s;
	struct gntlab_grant_ref g[4];
	uint64_t index;
};

static void one_map_setup(struct one_map *o, bool writable, bool readonly, uint32_t seed)
{
	o->fd = gt_open();
	ASSERT_GE(o->fd, 0);
	ASSERT_EQ(dom0_share(4, writable, seed, &o->s), 0);
	gt_grefs(o->g, o->s.domid, o->s.ref, o->s.count);
	ASSERT_EQ(gt_ioc_map(o->fd, o->g, 4, 0, readonly ? GNTLAB_MAP_READONLY : 0, &o->index), 0);
}

TH_DOC(badinput, mmap_bad_geometry,
	"A reserved 4-page map; mmap of 5 pages, 3 pages, 1 byte, an offset inside\n"
	"the map, right past it, far past it, and an offset not page-aligned (the\n"
	"core refuses that one): all **EINVAL**, nothing mapped, and none of them uses\n"
	"the map up (the correct mmap afterwards works and shows dom0's data).");
TEST(badinput, mmap_bad_geometry)
{
	const int rw = PROT_READ | PROT_WRITE;
	struct one_map o;
	void *a = NULL;

	one_map_setup(&o, true, false, 0xbd10);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 5 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 3 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 1, rw, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index + GT_PAGE, 3 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index + 4 * GT_PAGE, 4 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index + (1ull << 30), 4 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index + 123, 4 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(dom0_active(&o.s), 0);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, rw, MAP_SHARED, &a), 0);
	ASSERT_EQ(dom0_active(&o.s), 4);
	ASSERT_EQ(gntlab_pattern_check(a, 0xbd10, 0, 0, GT_PAGE), -1);
	ASSERT_EQ(munmap(a, 4 * GT_PAGE), 0);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(dom0_active(&o.s), 0);
	ASSERT_EQ(dom0_unshare(&o.s), 0);
	gt_assert_zero(o.fd);
	close(o.fd);
}

TH_DOC(badinput, mmap_twice,
	"A map is mmapped once: a second mmap while the first lives is **EINVAL**\n"
	"(as gntdev) and leaves the first intact (data, 4 refs active); after munmap\n"
	"a new mmap is still **EINVAL** (gntlab-specific, documented in\n"
	"`docs/module.md`; gntdev would allow it).");
TEST(badinput, mmap_twice)
{
	const int rw = PROT_READ | PROT_WRITE;
	struct one_map o;
	void *a = NULL;

	one_map_setup(&o, true, false, 0xbd11);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, rw, MAP_SHARED, &a), 0);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, PROT_READ, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(dom0_active(&o.s), 4);
	for (uint32_t i = 0; i < 4; i++)
		ASSERT_EQ(gntlab_pattern_check((uint8_t *)a + i * GT_PAGE, 0xbd11, i, 0, GT_PAGE), -1);
	ASSERT_EQ(munmap(a, 4 * GT_PAGE), 0);
	ASSERT_EQ(dom0_active(&o.s), 0);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(dom0_active(&o.s), 0);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(dom0_unshare(&o.s), 0);
	gt_assert_zero(o.fd);
	close(o.fd);
}

TH_DOC(badinput, mmap_bad_prot,
	"Writable `MAP_PRIVATE` (the core would COW a grant PTE): **EINVAL**, as\n"
	"gntdev. `PROT_WRITE` mmap of a `GNTLAB_MAP_READONLY` map: **EINVAL**, as\n"
	"gntdev. A `PROT_READ` mapping (of a read-only map or of a writable one)\n"
	"cannot be upgraded: `mprotect(PROT_WRITE)` is **EACCES** (`VM_MAYWRITE`\n"
	"cleared by the module).");
TEST(badinput, mmap_bad_prot)
{
	struct one_map o, r;
	void *a = NULL;

	one_map_setup(&o, true, false, 0xbd12);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, NULL), EINVAL);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, PROT_WRITE, MAP_PRIVATE, NULL), EINVAL);
	ASSERT_EQ(dom0_active(&o.s), 0);
	/* Not used up: the proper mmap still works. */
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, PROT_READ, MAP_SHARED, &a), 0);
	ASSERT_EQ(mprotect(a, 4 * GT_PAGE, PROT_READ | PROT_WRITE), -1);
	ASSERT_EQ(errno, EACCES);
	ASSERT_EQ(gntlab_pattern_check(a, 0xbd12, 0, 0, GT_PAGE), -1);
	ASSERT_EQ(munmap(a, 4 * GT_PAGE), 0);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);

	one_map_setup(&r, true, true, 0xbd13);
	ASSERT_EQ(gt_mmap_at(r.fd, r.index, 4 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(gt_mmap_at(r.fd, r.index, 4 * GT_PAGE, PROT_WRITE, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(dom0_active(&r.s), 0);
	ASSERT_EQ(gt_mmap_at(r.fd, r.index, 4 * GT_PAGE, PROT_READ, MAP_SHARED, &a), 0);
	ASSERT_EQ(mprotect(a, GT_PAGE, PROT_READ | PROT_WRITE), -1);
	ASSERT_EQ(errno, EACCES);
	ASSERT_EQ(munmap(a, 4 * GT_PAGE), 0);
	ASSERT_EQ(gt_ioc_unmap(r.fd, r.index, 4), 0);
	ASSERT_EQ(dom0_unshare(&o.s), 0);
	ASSERT_EQ(dom0_unshare(&r.s), 0);
	gt_assert_zero(o.fd);
	close(o.fd);
	close(r.fd);
}

TH_DOC(badinput, mmap_after_unmap,
	"After `GNTLAB_IOC_UNMAP` the offset names no map: mmap is **EINVAL** and\n"
	"maps nothing.");
TEST(badinput, mmap_after_unmap)
{
	struct one_map o;

	one_map_setup(&o, true, false, 0xbd14);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, PROT_READ, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(dom0_active(&o.s), 0);
	ASSERT_EQ(dom0_unshare(&o.s), 0);
	gt_assert_zero(o.fd);
	close(o.fd);
}

TH_DOC(badinput, unmap_bad_input,
	"Another offset (next page, past the map, the top of the space) or another\n"
	"count (3, 5, 0xffffffff): **ENOENT**; unaligned index, count 0, non-zero pad:\n"
	"**EINVAL**; NULL or kernel argument: **EFAULT**. None of these drops the map\n"
	"(`live_maps` still 1); the right call works, a second one is **ENOENT**.");
TEST(badinput, unmap_bad_input)
{
	struct gntlab_unmap u;
	struct one_map o;
	struct gntlab_stats st;

	one_map_setup(&o, true, false, 0xbd15);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index + GT_PAGE, 4), ENOENT);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index + 4 * GT_PAGE, 4), ENOENT);
	ASSERT_EQ(gt_ioc_unmap(o.fd, ~0ull & ~(uint64_t)(GT_PAGE - 1), 4), ENOENT);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 3), ENOENT);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 5), ENOENT);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 0xffffffffu), ENOENT);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index + 1, 4), EINVAL);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 0), EINVAL);
	u = (struct gntlab_unmap){ .index = o.index, .count = 4, .pad = 1 };
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_UNMAP, &u), EINVAL);
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_UNMAP, NULL), EFAULT);
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_UNMAP, (void *)(uintptr_t)GT_KADDR_TEXT), EFAULT);
	ASSERT_EQ(gt_stats(o.fd, &st), 0);
	ASSERT_EQ(st.live_maps, 1) TH_MSG("a refused UNMAP dropped the map");
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), ENOENT);
	ASSERT_EQ(dom0_unshare(&o.s), 0);
	gt_assert_zero(o.fd);
	close(o.fd);
}

TH_DOC(badinput, notify_bad_input,
	"`GNTLAB_IOC_SET_UNMAP_NOTIFY`: unknown action bit → **EINVAL**; offset in no\n"
	"map → **ENOENT**; CLEAR_BYTE on a read-only map → **EINVAL**; SEND_EVENT\n"
	"with a port never bound through `/dev/xen/evtchn`: port 0 (no irq) →\n"
	"**ENOENT**, port 0xffffffff (beyond the channel limit) → **EINVAL**, both\n"
	"from `evtchn_get()`; NULL argument → **EFAULT**. No port reference may be\n"
	"left behind (the maps unmap and free normally).");
TEST(badinput, notify_bad_input)
{
	struct gntlab_unmap_notify n;
	struct one_map o, r;

	one_map_setup(&o, true, false, 0xbd16);
	one_map_setup(&r, true, true, 0xbd17);
	n = (struct gntlab_unmap_notify){ .index = o.index, .action = 1u << 2 };
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, &n), EINVAL);
	n = (struct gntlab_unmap_notify){ .index = o.index + 4 * GT_PAGE,
					  .action = GNTLAB_NOTIFY_CLEAR_BYTE };
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, &n), ENOENT);
	n = (struct gntlab_unmap_notify){ .index = r.index, .action = GNTLAB_NOTIFY_CLEAR_BYTE };
	ASSERT_EQ(gt_ioctl(r.fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, &n), EINVAL);
	n = (struct gntlab_unmap_notify){ .index = o.index, .action = GNTLAB_NOTIFY_SEND_EVENT,
					  .event_channel_port = 0 };
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, &n), ENOENT);
	n.event_channel_port = 0xffffffffu;
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, &n), EINVAL);
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, NULL), EFAULT);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(gt_ioc_unmap(r.fd, r.index, 4), 0);
	ASSERT_EQ(dom0_unshare(&o.s), 0);
	ASSERT_EQ(dom0_unshare(&r.s), 0);
	gt_assert_zero(o.fd);
	close(o.fd);
	close(r.fd);
}

/* ---- writes through read-only grant mappings ---- */

TH_DOC(badinput, write_readonly_grant,
	"dom0 grants read-only and the page is mapped `GNTLAB_MAP_READONLY`; a read\n"
	"shows the pattern, a store must kill the process with **SIGSEGV** (Xen wrote\n"
	"the PTE without `_PAGE_RW`; there is no fault handler). Exit then tears the\n"
	"mapping down; the leak check verifies nothing remained.");
TEST_SIGNAL(badinput, write_readonly_grant, SIGSEGV)
{
	struct dom0_share s;
	struct gt_map m;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(dom0_share(1, false, 0xbd20, &s), 0);
	ASSERT_EQ(gt_map(fd, &s, GNTLAB_MODE_SPECIAL, true, &m), 0);
	ASSERT_EQ(gntlab_pattern_check(m.addr, 0xbd20, 0, 0, GT_PAGE), -1);
	*(volatile uint8_t *)m.addr = 0x5a;
	TH_LOG("store to a read-only grant mapping did not fault");
}

TH_DOC(badinput, write_prot_read_mapping,
	"A writable grant mmapped `PROT_READ` is mapped read-only (`kalias_ro`): a\n"
	"store is **SIGSEGV** too.");
TEST_SIGNAL(badinput, write_prot_read_mapping, SIGSEGV)
{
	struct dom0_share s;
	struct gt_map m;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(dom0_share(1, true, 0xbd21, &s), 0);
	ASSERT_EQ(gt_reserve(fd, &s, GNTLAB_MODE_SPECIAL, false, &m), 0);
	ASSERT_EQ(gt_mmap(&m, PROT_READ, MAP_SHARED), 0);
	ASSERT_EQ(gntlab_pattern_check(m.addr, 0xbd21, 0, 0, GT_PAGE), -1);
	*(volatile uint8_t *)(m.addr + 100) = 0x5a;
	TH_LOG("store to a PROT_READ grant mapping did not fault");
}

/* ---- probes (gntlab_probe.c) ---- */

TH_DOC(badinput, introspect_bad_input,
	"`GNTLAB_IOC_INTROSPECT`: version 0 or 2, size ±8, pad 1 → **EINVAL**;\n"
	"addresses not inside a mapping of one of this fd's maps (NULL, our stack,\n"
	"one byte before / right after the mapping, another fd's mapping, kernel\n"
	"text, vsyscall page, non-canonical, and the old address after munmap) →\n"
	"**EINVAL**; NULL or kernel argument → **EFAULT**; a valid argument in a\n"
	"read-only page → **EFAULT** (copy-out). An unaligned address inside the\n"
	"mapping works and reports the page it lies in.");
TEST(badinput, introspect_bad_input)
{
	struct gntlab_introspect in, *ro;
	struct one_map o, other;
	uint8_t *a = NULL, *b = NULL;
	int local;

	one_map_setup(&o, true, false, 0xbd30);
	one_map_setup(&other, true, false, 0xbd31);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, (void **)&a), 0);
	ASSERT_EQ(gt_mmap_at(other.fd, other.index, 4 * GT_PAGE, PROT_READ, MAP_SHARED, (void **)&b), 0);

	ASSERT_EQ(gt_introspect(o.fd, a, &in), 0);
	ASSERT_EQ(gt_introspect(o.fd, a + GT_PAGE + 123, &in), 0);
	ASSERT_EQ(in.page_index, 1);
	ASSERT_EQ(gt_introspect(o.fd, a + 4 * GT_PAGE - 1, &in), 0);
	ASSERT_EQ(in.page_index, 3);

	ASSERT_EQ(gt_introspect(o.fd, NULL, &in), EINVAL);
	ASSERT_EQ(gt_introspect(o.fd, &local, &in), EINVAL);
	ASSERT_EQ(gt_introspect(o.fd, a + 4 * GT_PAGE, &in), EINVAL);
	ASSERT_EQ(gt_introspect(o.fd, a - 1, &in), EINVAL);
	ASSERT_EQ(gt_introspect(o.fd, b, &in), EINVAL) TH_MSG("another fd's mapping");
	ASSERT_EQ(gt_introspect(o.fd, (void *)(uintptr_t)GT_KADDR_TEXT, &in), EINVAL);
	ASSERT_EQ(gt_introspect(o.fd, (void *)(uintptr_t)GT_KADDR_VSYSCALL, &in), EINVAL);
	ASSERT_EQ(gt_introspect(o.fd, (void *)(uintptr_t)GT_NONCANONICAL, &in), EINVAL);

	for (int v = 0; v < 4; v++) {
		memset(&in, 0, sizeof(in));
		in.version = GNTLAB_INTROSPECT_VERSION;
		in.size = sizeof(in);
		in.addr = (uint64_t)(uintptr_t)a;
		if (v == 0)
			in.version = 0;
		if (v == 1)
			in.version = 2;
		if (v == 2)
			in.size = sizeof(in) - 8;
		if (v == 3)
			in.pad = 1;
		ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_INTROSPECT, &in), EINVAL) TH_MSG("variant %d", v);
	}
	in.pad = 0;
	in.size = sizeof(in) + 8;
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_INTROSPECT, &in), EINVAL);
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_INTROSPECT, NULL), EFAULT);
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_INTROSPECT, (void *)(uintptr_t)GT_KADDR_DIRECTMAP), EFAULT);
	ro = gt_guarded(GT_PAGE);
	memset(ro, 0, sizeof(*ro));
	ro->version = GNTLAB_INTROSPECT_VERSION;
	ro->size = sizeof(*ro);
	ro->addr = (uint64_t)(uintptr_t)a;
	ASSERT_EQ(mprotect(ro, GT_PAGE, PROT_READ), 0);
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_INTROSPECT, ro), EFAULT);

	ASSERT_EQ(munmap(a, 4 * GT_PAGE), 0);
	ASSERT_EQ(munmap(b, 4 * GT_PAGE), 0);
	/* Gone: the address is no longer one of ours. */
	ASSERT_EQ(gt_introspect(o.fd, a, &in), EINVAL);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(gt_ioc_unmap(other.fd, other.index, 4), 0);
	ASSERT_EQ(dom0_unshare(&o.s), 0);
	ASSERT_EQ(dom0_unshare(&other.s), 0);
	gt_assert_zero(o.fd);
	close(o.fd);
	close(other.fd);
}

TH_DOC(badinput, gup_probe_bad_input,
	"`GNTLAB_IOC_GUP_PROBE`: kind 6 or 0xffffffff, write 2 → **EINVAL**; NULL\n"
	"argument, or a read-only one (copy-out) → **EFAULT**. Addresses no user\n"
	"mapping covers (0, 1, 4095, a PROT_NONE range; kernel direct map / text /\n"
	"vsyscall, non-canonical, the page below 2^47 that `TASK_SIZE_MAX` leaves out;\n"
	"the top page), for every GUP flavour, read and write: the ioctl succeeds, no\n"
	"page, and `.ret` is what the table `gup_refused` below gives on that kernel\n"
	"(-EFAULT mostly; `get_user_pages_fast_only()` reports 0 pages where it cannot\n"
	"fault, and before 6.3 for every error; the top page's `start + len` wraps: 0\n"
	"before 6.5, -EOVERFLOW from 6.5). A write GUP on a read-only grant mapping\n"
	"fails (fast-only: 0 pages, the others -EFAULT); a read GUP (`get_user_pages()`)\n"
	"at an unaligned address inside it returns the map's page.");
TEST(badinput, gup_probe_bad_input)
{
	uint8_t *none = gt_hole(1 << 16);
	const struct {
		uint64_t addr;
		const char *row; /* of gup_refused_expect */
	} bad[] = {
		{ 0, "user-hole" },
		{ 1, "user-hole" },
		{ 4095, "user-hole" },
		{ (uint64_t)(uintptr_t)(none + 8192), "user-hole" },
		{ 0x7ffffffff000ull, "beyond-user" },
		{ GT_KADDR_DIRECTMAP, "beyond-user" },
		{ GT_KADDR_TEXT, "beyond-user" },
		{ GT_KADDR_VSYSCALL, "beyond-user" },
		{ GT_NONCANONICAL, "beyond-user" },
		{ ~0ull & ~4095ull, "top-page" },
	};
	struct gntlab_gup_probe p, *ro;
	struct one_map o;
	uint8_t *a = NULL;

	one_map_setup(&o, true, true, 0xbd32);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, PROT_READ, MAP_SHARED, (void **)&a), 0);

	p = (struct gntlab_gup_probe){ .addr = (uint64_t)(uintptr_t)a, .kind = GNTLAB_GUP_COUNT };
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_GUP_PROBE, &p), EINVAL);
	p.kind = 0xffffffffu;
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_GUP_PROBE, &p), EINVAL);
	p.kind = GNTLAB_GUP_SLOW;
	p.write = 2;
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_GUP_PROBE, &p), EINVAL);
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_GUP_PROBE, NULL), EFAULT);
	ro = gt_guarded(GT_PAGE);
	*ro = (struct gntlab_gup_probe){ .addr = (uint64_t)(uintptr_t)a, .kind = GNTLAB_GUP_SLOW };
	ASSERT_EQ(mprotect(ro, GT_PAGE, PROT_READ), 0);
	ASSERT_EQ(gt_ioctl(o.fd, GNTLAB_IOC_GUP_PROBE, ro), EFAULT);

	/* Every address, flavour and direction, each against its table cell. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (uint32_t k = 0; k < GNTLAB_GUP_COUNT; k++) {
			const struct expect_cell *c =
				expect_get(&gup_refused_expect, bad[i].row, gt_gup_flavour(k));

			for (int w = 0; w < 2; w++) {
				char word[32], row[96];

				ASSERT_EQ(gt_gup(o.fd, (void *)(uintptr_t)bad[i].addr, k, w, &p), 0);
				snprintf(row, sizeof(row), "%s (%#llx, %s)", bad[i].row,
					 (unsigned long long)bad[i].addr, w ? "write" : "read");
				expect_check(c, row, gt_gup_ret_word(p.ret, word, sizeof(word)));
				EXPECT_EQ(p.page_pfn, ~0ull) TH_MSG("%s", row);
			}
		}
	}
	/* Read-only grant mapping: no write GUP; a read GUP finds the page. */
	for (uint32_t k = 0; k < GNTLAB_GUP_COUNT; k++) {
		ASSERT_EQ(gt_gup(o.fd, a + GT_PAGE + 7, k, true, &p), 0);
		ASSERT_EQ(p.ret, k == GNTLAB_GUP_FAST_ONLY ? 0 : -EFAULT) TH_MSG("kind %u", k);
	}
	ASSERT_EQ(gt_gup(o.fd, a + GT_PAGE + 7, GNTLAB_GUP_SLOW, false, &p), 0);
	ASSERT_EQ(p.ret, 1);
	ASSERT_EQ(p.same_page, 1);

	ASSERT_EQ(munmap(a, 4 * GT_PAGE), 0);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(dom0_unshare(&o.s), 0);
	gt_assert_zero(o.fd);
	close(o.fd);
}

/* Drop CAP_SYS_ADMIN from the effective set of this process. */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	return (int)syscall(SYS_capset, &h, d);
}

TH_DOC(badinput, probes_need_cap_sys_admin,
	"With `CAP_SYS_ADMIN` dropped from the effective set, both probes are\n"
	"**EPERM** (checked before the argument is read: a NULL argument is EPERM\n"
	"too); `GNTLAB_IOC_STATS` still works.");
TEST(badinput, probes_need_cap_sys_admin)
{
	struct gntlab_introspect in;
	struct gntlab_gup_probe p;
	int local = 0, fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(drop_sys_admin(), 0) TH_MSG("capset: %s", strerror(errno));
	ASSERT_EQ(gt_introspect(fd, &local, &in), EPERM);
	ASSERT_EQ(gt_gup(fd, &local, GNTLAB_GUP_SLOW, false, &p), EPERM);
	ASSERT_EQ(gt_ioctl(fd, GNTLAB_IOC_GUP_PROBE, NULL), EPERM);
	/* The unprivileged ioctls still work. */
	ASSERT_EQ(gt_stats(fd, &(struct gntlab_stats){ 0 }), 0);
	close(fd);
}


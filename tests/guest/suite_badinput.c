// SPDX-License-Identifier: GPL-2.0
/*
 * badinput: what /dev/gntlab does with input that is wrong, part 1: grants
 * Xen refuses, GNTLAB_IOC_MAP's argument checks, ioctl numbers. Part 2, what
 * is done wrong to a reserved map, is suite_badinput_maps.c; random input is
 * the fuzz suite (suite_fuzz.c). The suite's description is SUITE_DOC below,
 * each test's its TH_DOC.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "gt.h"
#include "harness.h"

SUITE_DOC(badinput, "badinput: wrong input to /dev/gntlab",
	"Guest suite `tests/guest/suite_badinput.c` (grants, `GNTLAB_IOC_MAP`, ioctl\n"
	"numbers) and `tests/guest/suite_badinput_maps.c` (mmap, `GNTLAB_IOC_UNMAP`,\n"
	"unmap notify, stores, probes). Random input is the `fuzz` suite.\n"
	"\n"
	"Every refusal must carry the errno that `docs/module.md` documents, leave\n"
	"nothing mapped in Xen and nothing held by the module, and never oops. Besides\n"
	"what each test asserts, the harness's after-test check verifies the module\n"
	"counters are back to zero, the guest kernel log has no WARN/BUG/Oops/\"Bad\n"
	"page\", and Xen lists no grant of dom0 as mapped by the guest.\n"
	"\n"
	"Grant failures reach user space as the errno of the first failing GNTST\n"
	"status (`gntlab_status_errno()`): `bad_gntref` → ENOENT, `bad_domain` →\n"
	"ESRCH, `general_error` → EIO (table in `docs/module.md`). A failing grant is\n"
	"only seen at `mmap()`: `GNTLAB_IOC_MAP` reserves without looking at refs.\n"
	"\n"
	"Observed on the first boots: bad ref → ENOENT, absent domid / DOMID_SELF /\n"
	"DOMID_INVALID / 0xffff → ESRCH, ref 0, own domid, revoked grant, write map of\n"
	"a read-only grant → EIO, as derived from Xen's `map_grant_ref()`.");

static uint64_t map_errors(int fd)
{
	struct gntlab_stats st;

	ASSERT_EQ(gt_stats(fd, &st), 0);
	return st.map_errors;
}

/*
 * Reserve `g`, check that mmap fails with `want` (twice: a failed mmap
 * releases its claim, so a retry must fail the same way rather than with
 * "already mmapped"), and that the failure mapped nothing and held nothing.
 */
static void expect_mmap_fails(int fd, const struct gntlab_grant_ref *g, uint32_t count,
			      bool readonly, int want, const char *what)
{
	int prot = PROT_READ | (readonly ? 0 : PROT_WRITE);
	uint64_t index = 0, before = map_errors(fd);
	struct gntlab_stats st;
	int rc;

	ASSERT_EQ(gt_ioc_map(fd, g, count, GNTLAB_MODE_SPECIAL,
			     readonly ? GNTLAB_MAP_READONLY : 0, &index), 0)
		TH_MSG("%s: MAP", what);
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = gt_mmap_at(fd, index, count * (size_t)GT_PAGE, prot, MAP_SHARED, NULL);
		TH_LOG("%s: mmap attempt %d -> %s", what, attempt, rc ? strerror(rc) : "ok");
		ASSERT_EQ(rc, want) TH_MSG("%s: got %s, want %s", what, strerror(rc), strerror(want));
		/* Undone at once: no reference could be held on the pages. */
		ASSERT_EQ(gt_stats(fd, &st), 0);
		ASSERT_EQ(st.live_grants_user, 0) TH_MSG("%s", what);
		ASSERT_EQ(st.live_grants_kernel, 0) TH_MSG("%s", what);
	}
	ASSERT_GE(map_errors(fd) - before, 2) TH_MSG("%s: map_errors not counted", what);
	ASSERT_EQ(gt_ioc_unmap(fd, index, count), 0) TH_MSG("%s: UNMAP", what);
	gt_assert_zero(fd);
}

/* ---- grants Xen refuses: the mmap fails with the GNTST-derived errno ---- */

TH_DOC(badinput, bad_grant_ref,
	"Refs Xen cannot map, each reserved (MAP succeeds) and mmapped twice:\n"
	"ref 1<<30 and 0xffffffff (beyond dom0's grant table: `GNTST_bad_gntref`,\n"
	"**ENOENT**), ref 0 (a reserved entry dom0 never granted us: the entry's\n"
	"flags/domid check in Xen's `_set_status_v1()` fails, `GNTST_general_error`,\n"
	"**EIO**). The second mmap must fail the same way (a failed mmap releases its\n"
	"claim, it is not \"already mmapped\"), no live grant may remain after either\n"
	"attempt, `map_errors` grows, UNMAP then succeeds and the counters return to\n"
	"zero. Guards the status → errno translation and the mmap error path.");
TEST(badinput, bad_grant_ref)
{
	struct gntlab_grant_ref g = { .domid = 0 };
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	g.ref = GT_BAD_REF;
	expect_mmap_fails(fd, &g, 1, false, ENOENT, "ref 1<<30");
	g.ref = 0xffffffffu;
	expect_mmap_fails(fd, &g, 1, true, ENOENT, "ref 0xffffffff");
	g.ref = 0;
	expect_mmap_fails(fd, &g, 1, false, EIO, "ref 0 (reserved)");
	close(fd);
}

TH_DOC(badinput, bad_domid,
	"A valid dom0 ref named with a domid that is no domain: an unused id\n"
	"(0x7fe0), DOMID_SELF (0x7ff0), DOMID_INVALID (0x7ff4), 0xffff:\n"
	"`rcu_lock_domain_by_id()` finds nothing → `GNTST_bad_domain` → **ESRCH** at\n"
	"mmap. Domids above 16 bits (0x10000, 0x7fff0000, 0xffffffff) would be\n"
	"truncated by `domid_t` into another domid: **EINVAL** at MAP. dom0's page\n"
	"is never listed as mapped.");
TEST(badinput, bad_domid)
{
	static const uint32_t absent[] = { GT_DOMID_ABSENT, GT_DOMID_SELF, GT_DOMID_INVALID, 0xffff };
	static const uint32_t wide[] = { 0x10000, 0x7fff0000, 0xffffffff };
	struct gntlab_grant_ref g;
	struct dom0_share s;
	char what[64];
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(dom0_share(1, true, 0xbd01, &s), 0);
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		g.domid = absent[i];
		g.ref = s.ref[0];
		snprintf(what, sizeof(what), "domid %#x", absent[i]);
		expect_mmap_fails(fd, &g, 1, false, ESRCH, what);
	}
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++) {
		g.domid = wide[i];
		ASSERT_EQ(gt_ioc_map(fd, &g, 1, GNTLAB_MODE_SPECIAL, 0, NULL), EINVAL)
			TH_MSG("domid %#x", wide[i]);
	}
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd);
}

TH_DOC(badinput, own_domid,
	"The guest's own domid (read from xenstore) with ref 1 (the xenstore entry,\n"
	"granted to dom0) and ref 100 (unused): none of our entries grants access to\n"
	"ourselves, so the entry check fails: **EIO**. Skipped if the domid cannot be\n"
	"read.");
TEST(badinput, own_domid)
{
	struct gntlab_grant_ref g;
	uint32_t self;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	if (gt_own_domid(&self))
		SKIP("cannot read our domid from xenstore");
	TH_LOG("guest domid %u", self);
	ASSERT_NE(self, 0);
	g.domid = self;
	g.ref = 1;	/* GNTTAB_RESERVED_XENSTORE: granted to dom0 */
	expect_mmap_fails(fd, &g, 1, false, EIO, "own domid, ref 1");
	g.ref = 100;
	expect_mmap_fails(fd, &g, 1, true, EIO, "own domid, ref 100");
	close(fd);
}

TH_DOC(badinput, revoked_grant,
	"dom0 shares two pages, then unshares them (gntalloc ends foreign access,\n"
	"clearing the entries); mapping the old refs, read-write and read-only, fails\n"
	"with **EIO** (`GNTST_general_error`) and leaves nothing.");
TEST(badinput, revoked_grant)
{
	struct gntlab_grant_ref g[2];
	struct dom0_share s;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(dom0_share(2, true, 0xbd02, &s), 0);
	gt_grefs(g, s.domid, s.ref, s.count);
	ASSERT_EQ(dom0_unshare(&s), 0);
	expect_mmap_fails(fd, g, 2, false, EIO, "revoked rw");
	expect_mmap_fails(fd, g, 2, true, EIO, "revoked ro");
	close(fd);
}

TH_DOC(badinput, rw_map_of_ro_grant,
	"dom0 grants read-only; a map without `GNTLAB_MAP_READONLY` asks Xen to\n"
	"write-pin a read-only entry, which it refuses with `GNTST_general_error`:\n"
	"**EIO**, nothing mapped. The same refs then map read-only and hold dom0's\n"
	"pattern.");
TEST(badinput, rw_map_of_ro_grant)
{
	struct gntlab_grant_ref g[2];
	struct dom0_share s;
	struct gt_map m;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(dom0_share(2, false, 0xbd03, &s), 0);
	gt_grefs(g, s.domid, s.ref, s.count);
	expect_mmap_fails(fd, g, 2, false, EIO, "rw map of ro grant");
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(gt_map(fd, &s, GNTLAB_MODE_SPECIAL, true, &m), 0);
	ASSERT_EQ(gntlab_pattern_check(m.addr, 0xbd03, 0, 0, GT_PAGE), -1);
	ASSERT_EQ(gt_unmap(&m), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd);
}

TH_DOC(badinput, xsa361_partial_batch,
	"XSA-361 regression: a batch of 8 where one entry is bad (ref 1<<30 at\n"
	"positions 4, 0 and 7; an absent domid at 3; ref 0 at 5). The whole mmap\n"
	"fails with that entry's errno (ENOENT / ESRCH / EIO), and **right after**\n"
	"the failure: Xen lists none of the 7 good refs as mapped (`dom0_active` = 0),\n"
	"the module has no live user or kernel grant and nothing deferred, and\n"
	"`map_errors` grew by exactly 1 (the one failed slot). Then the 8 good refs\n"
	"map normally with the right data, and unmap to zero. Guards\n"
	"`gntlab_map_grants()`'s undo of exactly the halves that mapped; the XSA\n"
	"fixed gntdev's leaked or mis-unmapped good entries after a partial failure.");
TEST(badinput, xsa361_partial_batch)
{
	static const struct {
		uint32_t pos, domid, ref;
		int want;
	} cases[] = {
		{ 4, 0, GT_BAD_REF, ENOENT },
		{ 0, 0, GT_BAD_REF, ENOENT },
		{ 7, 0, GT_BAD_REF, ENOENT },
		{ 3, GT_DOMID_ABSENT, 0, ESRCH },
		{ 5, 0, 0, EIO },
	};
	struct gntlab_grant_ref g[8];
	struct gntlab_stats st;
	struct dom0_share s;
	struct gt_map m;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(dom0_share(8, true, 0xbd04, &s), 0);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint64_t index = 0, before = map_errors(fd);
		int rc;

		gt_grefs(g, s.domid, s.ref, s.count);
		g[cases[c].pos].domid = cases[c].domid;
		if (cases[c].ref || cases[c].domid == 0)
			g[cases[c].pos].ref = cases[c].ref;
		ASSERT_EQ(gt_ioc_map(fd, g, 8, GNTLAB_MODE_SPECIAL, 0, &index), 0);
		rc = gt_mmap_at(fd, index, 8 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, NULL);
		TH_LOG("bad entry %u (d%u ref %#x): mmap -> %s", cases[c].pos, cases[c].domid,
		       g[cases[c].pos].ref, rc ? strerror(rc) : "ok");
		ASSERT_EQ(rc, cases[c].want) TH_MSG("case %zu", c);
		/* Right after the failure: nothing of the good refs mapped. */
		ASSERT_EQ(dom0_active(&s), 0) TH_MSG("case %zu: good refs left mapped", c);
		ASSERT_EQ(gt_stats(fd, &st), 0);
		ASSERT_EQ(st.live_grants_user, 0) TH_MSG("case %zu", c);
		ASSERT_EQ(st.live_grants_kernel, 0) TH_MSG("case %zu", c);
		ASSERT_EQ(st.deferred_unmaps, 0) TH_MSG("case %zu", c);
		ASSERT_EQ(st.map_errors - before, 1) TH_MSG("case %zu: failed slots", c);
		ASSERT_EQ(gt_ioc_unmap(fd, index, 8), 0);
		gt_assert_zero(fd);
	}
	/* The good refs are intact and map. */
	ASSERT_EQ(gt_map(fd, &s, GNTLAB_MODE_SPECIAL, false, &m), 0);
	ASSERT_EQ(dom0_active(&s), 8);
	for (uint32_t i = 0; i < 8; i++)
		ASSERT_EQ(gntlab_pattern_check(m.addr + i * GT_PAGE, 0xbd04, i, 0, GT_PAGE), -1);
	ASSERT_EQ(gt_unmap(&m), 0);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	gt_assert_zero(fd);
	close(fd);
}

/* ---- GNTLAB_IOC_MAP argument checks (gntlab_ioctl_map) ---- */

TH_DOC(badinput, map_bad_count,
	"`count` 0, `max_grants` + 1 (read from\n"
	"`/sys/module/gntlab/parameters/max_grants`, 65536 assumed if absent), and\n"
	"values whose `count * 8` overflows 32 bits (0x20000000, 0x80000000,\n"
	"0xffffffff): **EINVAL** before anything is allocated.");
TEST(badinput, map_bad_count)
{
	static const uint32_t big[] = { 0x80000000u, 0xffffffffu, 0x20000000u };
	struct gntlab_grant_ref *g = gt_guarded(sizeof(*g));
	uint32_t maxg = gt_max_grants();
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	TH_LOG("max_grants %u", maxg);
	ASSERT_EQ(gt_ioc_map(fd, g, 0, 0, 0, NULL), EINVAL);
	ASSERT_EQ(gt_ioc_map(fd, g, maxg + 1, 0, 0, NULL), EINVAL);
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		if (big[i] > maxg)
			ASSERT_EQ(gt_ioc_map(fd, g, big[i], 0, 0, NULL), EINVAL) TH_MSG("count %#x", big[i]);
	close(fd);
}

TH_DOC(badinput, map_max_count_short_refs,
	"`count` = `max_grants` with a one-entry ref array before a guard page. The\n"
	"module (like gntdev) allocates the ballooned pages before copying the refs,\n"
	"so the result is **ENOMEM** (that many pages cannot be ballooned in a\n"
	"256 MiB guest) or **EFAULT** (the copy); the observed errno is logged. The\n"
	"counters must be zero afterwards.\n"
	"\n"
	"Observed: `count` = 65536 with a one-entry ref array is EFAULT, not ENOMEM:\n"
	"the guest kernel allocates the ballooned pages from unpopulated address space\n"
	"without consuming RAM, so the copy of the refs is what fails.");
TEST(badinput, map_max_count_short_refs)
{
	struct gntlab_grant_ref *g = gt_guarded(sizeof(*g));
	uint32_t maxg = gt_max_grants();
	int fd = gt_open(), rc;

	ASSERT_GE(fd, 0);
	rc = gt_ioc_map(fd, g, maxg, 0, 0, NULL);
	TH_LOG("MAP count %u, 1-entry ref array -> %s", maxg, rc ? strerror(rc) : "ok");
	ASSERT_TRUE(rc == ENOMEM || rc == EFAULT) TH_MSG("got %s", strerror(rc));
	gt_assert_zero(fd);
	close(fd);
}

TH_DOC(badinput, map_bad_flags_mode_pad,
	"Unknown flag bits (1<<1, 1<<31, all), `mode` ≥ `GNTLAB_MODE_COUNT` (the\n"
	"count itself, 0x100, 0xffffffff) and a non-zero `pad`: **EINVAL**.\n"
	"Refusing unknown bits today is what lets the ABI grow.");
TEST(badinput, map_bad_flags_mode_pad)
{
	static const uint32_t flags[] = { 1u << 1, 1u << 31, 0xffffffffu };
	static const uint32_t modes[] = { GNTLAB_MODE_COUNT, 0x100, 0xffffffffu };
	struct gntlab_grant_ref g = { 0, 1 };
	struct gntlab_map req;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	for (size_t i = 0; i < 3; i++) {
		ASSERT_EQ(gt_ioc_map(fd, &g, 1, 0, flags[i], NULL), EINVAL) TH_MSG("flags %#x", flags[i]);
		ASSERT_EQ(gt_ioc_map(fd, &g, 1, modes[i], 0, NULL), EINVAL) TH_MSG("mode %#x", modes[i]);
	}
	memset(&req, 0, sizeof(req));
	req.count = 1;
	req.refs = (uint64_t)(uintptr_t)&g;
	for (uint32_t pad = 1; pad; pad <<= 8) {
		req.pad = pad;
		ASSERT_EQ(gt_ioctl(fd, GNTLAB_IOC_MAP, &req), EINVAL) TH_MSG("pad %#x", pad);
	}
	gt_assert_zero(fd);
	close(fd);
}

TH_DOC(badinput, map_bad_pointers,
	"The ioctl argument and the `refs` pointer set to NULL, 16, kernel addresses\n"
	"(direct map, text, vsyscall page), non-canonical, ~0 and an inaccessible\n"
	"range: **EFAULT**. A ref array whose second entry lies in a guard page:\n"
	"**EFAULT**. An argument in a read-only page: the copy-in works, writing\n"
	"`.index` back fails: **EFAULT**, and the map reserved meanwhile must be gone\n"
	"(`live_maps`, `pages_held` 0; the next MAP gets offset 0 again).");
TEST(badinput, map_bad_pointers)
{
	uint8_t *none = gt_hole(1 << 20);
	const uint64_t bad[] = {
		0, 16, GT_KADDR_DIRECTMAP, GT_KADDR_TEXT, GT_KADDR_VSYSCALL, GT_NONCANONICAL,
		~0ull, (uint64_t)(uintptr_t)(none + 4096),
	};
	struct gntlab_grant_ref *g2 = gt_guarded(sizeof(*g2));
	struct gntlab_map *ro;
	struct gntlab_stats st;
	uint64_t index = 1;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	g2->domid = 0;
	g2->ref = 1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(gt_ioctl(fd, GNTLAB_IOC_MAP, (void *)(uintptr_t)bad[i]), EFAULT)
			TH_MSG("arg %#llx", (unsigned long long)bad[i]);
		ASSERT_EQ(gt_ioc_map(fd, (void *)(uintptr_t)bad[i], 1, 0, 0, NULL), EFAULT)
			TH_MSG("refs %#llx", (unsigned long long)bad[i]);
	}
	/* One valid entry, a second one in the guard page. */
	ASSERT_EQ(gt_ioc_map(fd, g2, 1, 0, 0, NULL), 0);
	ASSERT_EQ(gt_ioc_map(fd, g2, 2, 0, 0, NULL), EFAULT);
	/* Drop the successful one. */
	close(fd);
	fd = gt_open();
	ASSERT_GE(fd, 0);

	ro = mmap(NULL, GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
	ro->count = 1;
	ro->refs = (uint64_t)(uintptr_t)g2;
	ASSERT_EQ(mprotect(ro, GT_PAGE, PROT_READ), 0);
	ASSERT_EQ(gt_ioctl(fd, GNTLAB_IOC_MAP, ro), EFAULT);
	ASSERT_EQ(gt_stats(fd, &st), 0);
	ASSERT_EQ(st.live_maps, 0) TH_MSG("map reserved by the failed MAP still alive");
	ASSERT_EQ(st.pages_held, 0);
	/* The failed MAP's offsets are free again: the next map gets 0. */
	ASSERT_EQ(gt_ioc_map(fd, g2, 1, 0, 0, &index), 0);
	ASSERT_EQ(index, 0);
	ASSERT_EQ(gt_ioc_unmap(fd, index, 1), 0);
	gt_assert_zero(fd);
	close(fd);
}

TH_DOC(badinput, unknown_ioctl,
	"Unknown numbers (`_IO('G', 0)`, nr 7, 99, 255, other magics, 0xdeadbeef)\n"
	"and each real command with another encoded size (±8, 0, maximum), the other\n"
	"direction, or no direction: **ENOTTY**. `gntlab_ioctl()` must match whole\n"
	"command words so an ABI mismatch cannot be misread as a valid call.");
TEST(badinput, unknown_ioctl)
{
	static const unsigned long known[] = {
		GNTLAB_IOC_MAP, GNTLAB_IOC_UNMAP, GNTLAB_IOC_SET_UNMAP_NOTIFY,
		GNTLAB_IOC_STATS, GNTLAB_IOC_INTROSPECT, GNTLAB_IOC_GUP_PROBE,
		GNTLAB_IOC_INTROSPECT_ANY, GNTLAB_IOC_GUP_PROBE_ANY,
	};
	const unsigned long unknown[] = {
		_IO('G', 0), _IO('G', 7), _IOWR('G', 99, struct gntlab_map), _IO('G', 255),
		_IOWR('H', 1, struct gntlab_map), _IOR('g', 4, struct gntlab_stats), 0xdeadbeefUL,
	};
	uint8_t *buf = gt_guarded(1 << 14);
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	memset(buf, 0, 1 << 14);
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		ASSERT_EQ(gt_ioctl(fd, unknown[i], buf), ENOTTY) TH_MSG("cmd %#lx", unknown[i]);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		unsigned long c = known[i], nr = _IOC_NR(c), dir = _IOC_DIR(c), sz = _IOC_SIZE(c);
		const unsigned long variants[] = {
			_IOC(dir, 'G', nr, sz + 8), _IOC(dir, 'G', nr, sz - 8),
			_IOC(dir, 'G', nr, 0), _IOC(dir, 'G', nr, (1u << 14) - 1),
			_IOC(dir ^ _IOC_READ, 'G', nr, sz), _IOC(_IOC_NONE, 'G', nr, 0),
		};

		for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++)
			ASSERT_EQ(gt_ioctl(fd, variants[v], buf), ENOTTY)
				TH_MSG("cmd %#lx (variant %zu of %#lx)", variants[v], v, c);
	}
	gt_assert_zero(fd);
	close(fd);
}

struct copyout_race {
	int fd;
	struct gntlab_map *ro_arg;	/* valid MAP arguments in a read-only page */
	uint8_t *big;
	size_t big_len;
	atomic_bool stop;
	atomic_ulong maps, efaults, other, unmaps_won, mprotects;
};

static void *race_unmapper(void *arg)
{
	struct copyout_race *r = arg;
	struct gntlab_unmap u = { .index = 0, .count = 1 };

	while (!atomic_load(&r->stop))
		if (!ioctl(r->fd, GNTLAB_IOC_UNMAP, &u))
			atomic_fetch_add(&r->unmaps_won, 1);
	return NULL;
}

static void *race_locker(void *arg)
{
	struct copyout_race *r = arg;

	/* Holds the mmap lock for writing, long, over and over. */
	for (int i = 0; !atomic_load(&r->stop); i++) {
		mprotect(r->big, r->big_len, i & 1 ? PROT_READ : PROT_READ | PROT_WRITE);
		atomic_fetch_add(&r->mprotects, 1);
	}
	return NULL;
}

TH_DOC(badinput, map_copyout_unmap_race,
	"A MAP whose argument sits in a read-only page: the copy-in works, the map is\n"
	"listed in the fd, and the copy-out of `.index` fails. While it is listed,\n"
	"another thread's `GNTLAB_IOC_UNMAP` of offset 0 can find it and drop the\n"
	"index reference; the failure path must not drop it a second time (refcount\n"
	"underflow → use after free). A third thread keeps the mmap lock write-held\n"
	"(mprotect of a populated 16 MiB range) so the faulting copy-out sleeps in\n"
	"the page-fault handler while the UNMAP runs. Until UNMAP has won the race\n"
	"(found the map listed and dropped it while MAP's copy-out failed) 300 times,\n"
	"at most 30 s; every MAP must be EFAULT, UNMAP must have won at least 300\n"
	"times (else the race was not exercised), and the counters must be zero after\n"
	"close. A double put shows as a `refcount_t: underflow` WARN (after-test log\n"
	"check). Until issue #14 the test ran 4 s (~1,000 wins in a full run), which\n"
	"asserted no number of wins.\n"
	"\n"
	"Module bug found by this test: `GNTLAB_IOC_MAP`'s copy-out failure path\n"
	"dropped the index reference even when a concurrent `GNTLAB_IOC_UNMAP` had\n"
	"already unlisted the map and dropped it (use after free). The test hit it 273\n"
	"times in 10 s on the unfixed module (refcount_t underflow WARN in the guest\n"
	"log); fixed in `gntlab_ioctl_map()` (MAP holds its own reference across the\n"
	"copy-out; the index reference is dropped only if the map was still listed).\n"
	"\n"
	"A second window in the same place showed up once the guest got two vCPUs\n"
	"(the test then really runs UNMAP on another CPU): MAP took its own\n"
	"reference only *after* listing the map, so an UNMAP on the other CPU could\n"
	"find it, unlist it and drop the last reference first; MAP's `refcount_inc`\n"
	"then hit a freed map (`refcount_t: addition on 0; use-after-free`,\n"
	"lib/refcount.c:25, seen once in a 4 s run). Fixed by taking MAP's reference\n"
	"before the map is listed. After the fix, a full run: UNMAP won the race 1667\n"
	"times in 4 s, no WARN.");
/*
 * A count of race wins, not a time: the unfixed module's use after free
 * showed up 273 times in 10 s (as a WARN; each win is one chance of it).
 */
#define RACE_WINS 300
#define RACE_MAX_S 30
TEST_TIMEOUT(badinput, map_copyout_unmap_race, 60)
{
	struct copyout_race r;
	struct gntlab_grant_ref g = { 0, 1 };
	pthread_t tu, tl;
	time_t end;

	memset(&r, 0, sizeof(r));
	r.fd = gt_open();
	ASSERT_GE(r.fd, 0);
	r.ro_arg = mmap(NULL, GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(r.ro_arg != MAP_FAILED);
	*r.ro_arg = (struct gntlab_map){ .count = 1, .refs = (uint64_t)(uintptr_t)&g };
	ASSERT_EQ(mprotect(r.ro_arg, GT_PAGE, PROT_READ), 0);
	r.big_len = 16u << 20;
	r.big = mmap(NULL, r.big_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(r.big != MAP_FAILED);
	memset(r.big, 1, r.big_len);
	ASSERT_EQ(pthread_create(&tu, NULL, race_unmapper, &r), 0);
	ASSERT_EQ(pthread_create(&tl, NULL, race_locker, &r), 0);
	end = time(NULL) + RACE_MAX_S;
	while (atomic_load(&r.unmaps_won) < RACE_WINS && time(NULL) < end) {
		int rc = gt_ioctl(r.fd, GNTLAB_IOC_MAP, r.ro_arg);

		atomic_fetch_add(&r.maps, 1);
		atomic_fetch_add(rc == EFAULT ? &r.efaults : &r.other, 1);
	}
	atomic_store(&r.stop, true);
	pthread_join(tu, NULL);
	pthread_join(tl, NULL);
	TH_LOG("%lu MAPs (%lu EFAULT, %lu other), UNMAP won the race %lu times, %lu mprotects",
	       atomic_load(&r.maps), atomic_load(&r.efaults), atomic_load(&r.other),
	       atomic_load(&r.unmaps_won), atomic_load(&r.mprotects));
	ASSERT_EQ(atomic_load(&r.other), 0);
	EXPECT_GE(atomic_load(&r.unmaps_won), RACE_WINS) TH_MSG("in %d s", RACE_MAX_S);
	close(r.fd);
	r.fd = gt_open();
	gt_assert_zero(r.fd);
	close(r.fd);
}


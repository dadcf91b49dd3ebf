// SPDX-License-Identifier: GPL-2.0
/*
 * badinput: what /dev/gntlab does with input that is wrong (see
 * docs/tests/badinput.md). Every refusal must come back as the errno that
 * docs/module.md promises, leave nothing mapped in Xen and nothing held by
 * the module (the harness's after-test leak check verifies the counters,
 * the kernel log and Xen's grant list), and never oops.
 *
 * Grant failures reach user space through the GNTST status of the failing
 * op, translated by gntlab_status_errno(): bad_gntref -> ENOENT,
 * bad_domain -> ESRCH, general_error -> EIO, ...
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "gt.h"
#include "harness.h"

/* No dom0 grant table is anywhere near this big (GNTST_bad_gntref). */
#define BAD_REF (1u << 30)
/* A domid below DOMID_FIRST_RESERVED that no toolstack hands out here. */
#define DOMID_ABSENT 0x7fe0u
#define DOMID_SELF_VAL 0x7ff0u
#define DOMID_INVALID_VAL 0x7ff4u
/* Addresses no user pointer may reach. */
#define KADDR_DIRECTMAP 0xffff888000000000ull
#define KADDR_TEXT 0xffffffff81000000ull
#define KADDR_VSYSCALL 0xffffffffff600000ull
#define NONCANONICAL 0x0000800000000000ull

/* ------------------------------------------------------------------ */
/* helpers */

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static uint32_t read_max_grants(void)
{
	FILE *f = fopen("/sys/module/gntlab/parameters/max_grants", "r");
	unsigned int v = 0;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 0;
		fclose(f);
	}
	if (!v) {
		TH_LOG("no /sys/module/gntlab/parameters/max_grants: assuming 65536");
		v = 65536;
	}
	return v;
}

/* The guest's own domid, from xenstore (relative "domid" key). */
static int own_domid(uint32_t *domid)
{
	struct xs_handle *h = xs_open(0);
	unsigned int len;
	char *v;

	if (!h)
		return -1;
	v = xs_read(h, XBT_NULL, "domid", &len);
	xs_close(h);
	if (!v)
		return -1;
	*domid = (uint32_t)strtoul(v, NULL, 10);
	free(v);
	return 0;
}

/* `len` bytes whose end touches a PROT_NONE page. */
static void *guarded(size_t len)
{
	size_t span = (len + GT_PAGE - 1) / GT_PAGE * GT_PAGE;
	uint8_t *p = mmap(NULL, span + GT_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(mprotect(p + span, GT_PAGE, PROT_NONE), 0);
	return p + span - len;
}

/* A reserved, never accessible range: pointers into it always fault. */
static void *hole(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	return p;
}

static uint64_t map_errors(int fd)
{
	struct gntlab_stats st;

	ASSERT_EQ(gt_stats(fd, &st), 0);
	return st.map_errors;
}

static void assert_counters_zero(int fd)
{
	char why[300];

	ASSERT_EQ(gt_wait_counters_zero(fd, 5000, why, sizeof(why)), 0) TH_MSG("%s", why);
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
	assert_counters_zero(fd);
}

/* ------------------------------------------------------------------ */
/* Grants Xen refuses: the mmap fails with the GNTST-derived errno. */

/*
 * A ref beyond the granter's grant table: Xen's map_grant_ref() fails the
 * op with GNTST_bad_gntref (ENOENT); ref 0 is a reserved entry dom0 never
 * grants to us, so the entry's flags/domid check fails with
 * GNTST_general_error (EIO). The MAP reservation does not look at refs.
 */
TEST(badinput, bad_grant_ref)
{
	struct gntlab_grant_ref g = { .domid = 0 };
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	g.ref = BAD_REF;
	expect_mmap_fails(fd, &g, 1, false, ENOENT, "ref 1<<30");
	g.ref = 0xffffffffu;
	expect_mmap_fails(fd, &g, 1, true, ENOENT, "ref 0xffffffff");
	g.ref = 0;
	expect_mmap_fails(fd, &g, 1, false, EIO, "ref 0 (reserved)");
	close(fd);
}

/*
 * Domids that name no domain (an unused id, DOMID_SELF, DOMID_INVALID,
 * 65535): rcu_lock_domain_by_id() finds nothing -> GNTST_bad_domain ->
 * ESRCH. A domid above 16 bits would be truncated by domid_t: MAP itself
 * refuses it (EINVAL).
 */
TEST(badinput, bad_domid)
{
	static const uint32_t absent[] = { DOMID_ABSENT, DOMID_SELF_VAL, DOMID_INVALID_VAL, 0xffff };
	static const uint32_t wide[] = { 0x10000, 0x7fff0000, 0xffffffff };
	struct gntlab_grant_ref g;
	struct peer_share s;
	char what[64];
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(peer_share(1, true, 0xbd01, &s), 0);
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
	ASSERT_EQ(peer_active(&s), 0);
	ASSERT_EQ(peer_unshare(&s), 0);
	close(fd);
}

/*
 * The guest's own domid: a domain may name itself, but none of its own
 * entries grants access to itself (the toolstack's reserved entries name
 * dom0), so the entry check fails: GNTST_general_error -> EIO.
 */
TEST(badinput, own_domid)
{
	struct gntlab_grant_ref g;
	uint32_t self;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	if (own_domid(&self))
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

/*
 * A grant dom0 revoked (shared, then unshared: gntalloc ended foreign
 * access, clearing the entry) must not map: GNTST_general_error -> EIO.
 */
TEST(badinput, revoked_grant)
{
	struct gntlab_grant_ref g[2];
	struct peer_share s;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(peer_share(2, true, 0xbd02, &s), 0);
	gt_grefs(g, s.domid, s.ref, s.count);
	ASSERT_EQ(peer_unshare(&s), 0);
	expect_mmap_fails(fd, g, 2, false, EIO, "revoked rw");
	expect_mmap_fails(fd, g, 2, true, EIO, "revoked ro");
	close(fd);
}

/*
 * A read-only grant mapped without GNTLAB_MAP_READONLY: Xen refuses to
 * write-pin a read-only entry (GNTST_general_error -> EIO); the same
 * grant mapped read-only works.
 */
TEST(badinput, rw_map_of_ro_grant)
{
	struct gntlab_grant_ref g[2];
	struct peer_share s;
	struct gt_map m;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(peer_share(2, false, 0xbd03, &s), 0);
	gt_grefs(g, s.domid, s.ref, s.count);
	expect_mmap_fails(fd, g, 2, false, EIO, "rw map of ro grant");
	ASSERT_EQ(peer_active(&s), 0);
	ASSERT_EQ(gt_map(fd, &s, GNTLAB_MODE_SPECIAL, true, &m), 0);
	ASSERT_EQ(gntlab_pattern_check(m.addr, 0xbd03, 0, 0, GT_PAGE), -1);
	ASSERT_EQ(gt_unmap(&m), 0);
	ASSERT_EQ(peer_unshare(&s), 0);
	close(fd);
}

/*
 * XSA-361: one bad entry in a batch of good ones. The whole mmap must fail
 * with the bad entry's errno, and every good entry that Xen mapped (both
 * the user PTE and the kernel alias) must be unmapped before mmap returns:
 * Xen lists none of the share as mapped right after the failure, the
 * module counts no live grant, and map_errors grows by exactly the failed
 * slots. The good refs then map normally (nothing left half-mapped).
 */
TEST(badinput, xsa361_partial_batch)
{
	static const struct {
		uint32_t pos, domid, ref;
		int want;
	} cases[] = {
		{ 4, 0, BAD_REF, ENOENT },
		{ 0, 0, BAD_REF, ENOENT },
		{ 7, 0, BAD_REF, ENOENT },
		{ 3, DOMID_ABSENT, 0, ESRCH },
		{ 5, 0, 0, EIO },
	};
	struct gntlab_grant_ref g[8];
	struct gntlab_stats st;
	struct peer_share s;
	struct gt_map m;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(peer_share(8, true, 0xbd04, &s), 0);
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
		ASSERT_EQ(peer_active(&s), 0) TH_MSG("case %zu: good refs left mapped", c);
		ASSERT_EQ(gt_stats(fd, &st), 0);
		ASSERT_EQ(st.live_grants_user, 0) TH_MSG("case %zu", c);
		ASSERT_EQ(st.live_grants_kernel, 0) TH_MSG("case %zu", c);
		ASSERT_EQ(st.deferred_unmaps, 0) TH_MSG("case %zu", c);
		ASSERT_EQ(st.map_errors - before, 1) TH_MSG("case %zu: failed slots", c);
		ASSERT_EQ(gt_ioc_unmap(fd, index, 8), 0);
		assert_counters_zero(fd);
	}
	/* The good refs are intact and map. */
	ASSERT_EQ(gt_map(fd, &s, GNTLAB_MODE_SPECIAL, false, &m), 0);
	ASSERT_EQ(peer_active(&s), 8);
	for (uint32_t i = 0; i < 8; i++)
		ASSERT_EQ(gntlab_pattern_check(m.addr + i * GT_PAGE, 0xbd04, i, 0, GT_PAGE), -1);
	ASSERT_EQ(gt_unmap(&m), 0);
	ASSERT_EQ(peer_active(&s), 0);
	ASSERT_EQ(peer_unshare(&s), 0);
	assert_counters_zero(fd);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* GNTLAB_IOC_MAP argument checks (gntlab_ioctl_map) */

/* count must be 1..max_grants: 0, max_grants + 1 and values whose
 * count * sizeof(ref) would overflow 32 bits are EINVAL before any
 * allocation. */
TEST(badinput, map_bad_count)
{
	static const uint32_t big[] = { 0x80000000u, 0xffffffffu, 0x20000000u };
	struct gntlab_grant_ref *g = guarded(sizeof(*g));
	uint32_t maxg = read_max_grants();
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

/*
 * count == max_grants with a ref array far too short: the module
 * allocates the ballooned pages before copying refs (as gntdev does), so
 * the outcome is ENOMEM (not that many pages to balloon) or EFAULT (the
 * copy); either way nothing may stay held. Observed outcome is logged.
 */
TEST(badinput, map_max_count_short_refs)
{
	struct gntlab_grant_ref *g = guarded(sizeof(*g));
	uint32_t maxg = read_max_grants();
	int fd = gt_open(), rc;

	ASSERT_GE(fd, 0);
	rc = gt_ioc_map(fd, g, maxg, 0, 0, NULL);
	TH_LOG("MAP count %u, 1-entry ref array -> %s", maxg, rc ? strerror(rc) : "ok");
	ASSERT_TRUE(rc == ENOMEM || rc == EFAULT) TH_MSG("got %s", strerror(rc));
	assert_counters_zero(fd);
	close(fd);
}

/* Unknown flag bits, mode >= GNTLAB_MODE_COUNT and a non-zero pad are
 * EINVAL: the ABI can only grow if unknown input is refused today. */
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
		ASSERT_EQ(xioctl(fd, GNTLAB_IOC_MAP, &req), EINVAL) TH_MSG("pad %#x", pad);
	}
	assert_counters_zero(fd);
	close(fd);
}

/*
 * Bad user pointers, for the ioctl argument and for the ref array: NULL,
 * kernel addresses, non-canonical, an inaccessible range, and an array
 * that runs into a guard page. All EFAULT (copy_from_user), nothing held.
 * The argument in a read-only page reads fine but .index cannot be
 * written back: EFAULT, and the map reserved meanwhile must be dropped.
 */
TEST(badinput, map_bad_pointers)
{
	uint8_t *none = hole(1 << 20);
	const uint64_t bad[] = {
		0, 16, KADDR_DIRECTMAP, KADDR_TEXT, KADDR_VSYSCALL, NONCANONICAL,
		~0ull, (uint64_t)(uintptr_t)(none + 4096),
	};
	struct gntlab_grant_ref *g2 = guarded(sizeof(*g2));
	struct gntlab_map *ro;
	struct gntlab_stats st;
	uint64_t index = 1;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	g2->domid = 0;
	g2->ref = 1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(xioctl(fd, GNTLAB_IOC_MAP, (void *)(uintptr_t)bad[i]), EFAULT)
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
	ASSERT_EQ(xioctl(fd, GNTLAB_IOC_MAP, ro), EFAULT);
	ASSERT_EQ(gt_stats(fd, &st), 0);
	ASSERT_EQ(st.live_maps, 0) TH_MSG("map reserved by the failed MAP still alive");
	ASSERT_EQ(st.pages_held, 0);
	/* The failed MAP's offsets are free again: the next map gets 0. */
	ASSERT_EQ(gt_ioc_map(fd, g2, 1, 0, 0, &index), 0);
	ASSERT_EQ(index, 0);
	ASSERT_EQ(gt_ioc_unmap(fd, index, 1), 0);
	assert_counters_zero(fd);
	close(fd);
}

/*
 * Unknown ioctl numbers, and the known numbers with another size or
 * direction encoded (an ABI mismatch), are ENOTTY: the switch in
 * gntlab_ioctl() matches whole command words, as it must.
 */
TEST(badinput, unknown_ioctl)
{
	static const unsigned long known[] = {
		GNTLAB_IOC_MAP, GNTLAB_IOC_UNMAP, GNTLAB_IOC_SET_UNMAP_NOTIFY,
		GNTLAB_IOC_STATS, GNTLAB_IOC_INTROSPECT, GNTLAB_IOC_GUP_PROBE,
	};
	const unsigned long unknown[] = {
		_IO('G', 0), _IO('G', 7), _IOWR('G', 99, struct gntlab_map), _IO('G', 255),
		_IOWR('H', 1, struct gntlab_map), _IOR('g', 4, struct gntlab_stats), 0xdeadbeefUL,
	};
	uint8_t *buf = guarded(1 << 14);
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	memset(buf, 0, 1 << 14);
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		ASSERT_EQ(xioctl(fd, unknown[i], buf), ENOTTY) TH_MSG("cmd %#lx", unknown[i]);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		unsigned long c = known[i], nr = _IOC_NR(c), dir = _IOC_DIR(c), sz = _IOC_SIZE(c);
		const unsigned long variants[] = {
			_IOC(dir, 'G', nr, sz + 8), _IOC(dir, 'G', nr, sz - 8),
			_IOC(dir, 'G', nr, 0), _IOC(dir, 'G', nr, (1u << 14) - 1),
			_IOC(dir ^ _IOC_READ, 'G', nr, sz), _IOC(_IOC_NONE, 'G', nr, 0),
		};

		for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++)
			ASSERT_EQ(xioctl(fd, variants[v], buf), ENOTTY)
				TH_MSG("cmd %#lx (variant %zu of %#lx)", variants[v], v, c);
	}
	assert_counters_zero(fd);
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

/*
 * The copy-out of .index fails after the map was listed in the fd (argument
 * in a read-only page). Meanwhile the map is findable: another thread's
 * GNTLAB_IOC_UNMAP of offset 0 can drop the index reference first. The
 * failure path must then not drop it a second time (a refcount underflow,
 * use after free). To widen the window, a third thread keeps the mmap lock
 * write-held (mprotect of a large populated range), so the faulting
 * copy_to_user() sleeps in the fault handler while the UNMAP runs. How
 * often the UNMAP won is logged; a double put shows up as a refcount WARN
 * in the kernel log (after-test check) or as counters that do not return
 * to zero.
 */
TEST_TIMEOUT(badinput, map_copyout_unmap_race, 40)
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
	/* ~4 s: enough for tens of lost races on the unfixed module. */
	end = time(NULL) + 4;
	while (time(NULL) < end) {
		int rc = xioctl(r.fd, GNTLAB_IOC_MAP, r.ro_arg);

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
	close(r.fd);
	r.fd = gt_open();
	assert_counters_zero(r.fd);
	close(r.fd);
}

/* ------------------------------------------------------------------ */
/* mmap of reserved maps (gntlab_mmap) */

struct one_map {
	int fd;
	struct peer_share s;
	struct gntlab_grant_ref g[4];
	uint64_t index;
};

static void one_map_setup(struct one_map *o, bool writable, bool readonly, uint32_t seed)
{
	o->fd = gt_open();
	ASSERT_GE(o->fd, 0);
	ASSERT_EQ(peer_share(4, writable, seed, &o->s), 0);
	gt_grefs(o->g, o->s.domid, o->s.ref, o->s.count);
	ASSERT_EQ(gt_ioc_map(o->fd, o->g, 4, 0, readonly ? GNTLAB_MAP_READONLY : 0, &o->index), 0);
}

/*
 * mmap must name exactly one reserved map: a length bigger or smaller than
 * count pages, an offset inside a map or past every map, and an offset
 * that is not page-aligned are EINVAL, and none of them uses up the map
 * (the correct mmap still works afterwards).
 */
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
	ASSERT_EQ(peer_active(&o.s), 0);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, rw, MAP_SHARED, &a), 0);
	ASSERT_EQ(peer_active(&o.s), 4);
	ASSERT_EQ(gntlab_pattern_check(a, 0xbd10, 0, 0, GT_PAGE), -1);
	ASSERT_EQ(munmap(a, 4 * GT_PAGE), 0);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(peer_active(&o.s), 0);
	ASSERT_EQ(peer_unshare(&o.s), 0);
	assert_counters_zero(o.fd);
	close(o.fd);
}

/*
 * A map is mmapped once (docs/module.md; gntdev refuses a second mmap
 * while the first lives, gntlab also after it is gone): EINVAL, and the
 * first mapping is untouched by the refused attempt.
 */
TEST(badinput, mmap_twice)
{
	const int rw = PROT_READ | PROT_WRITE;
	struct one_map o;
	void *a = NULL;

	one_map_setup(&o, true, false, 0xbd11);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, rw, MAP_SHARED, &a), 0);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, PROT_READ, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(peer_active(&o.s), 4);
	for (uint32_t i = 0; i < 4; i++)
		ASSERT_EQ(gntlab_pattern_check((uint8_t *)a + i * GT_PAGE, 0xbd11, i, 0, GT_PAGE), -1);
	ASSERT_EQ(munmap(a, 4 * GT_PAGE), 0);
	ASSERT_EQ(peer_active(&o.s), 0);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(peer_active(&o.s), 0);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(peer_unshare(&o.s), 0);
	assert_counters_zero(o.fd);
	close(o.fd);
}

/*
 * Writable MAP_PRIVATE would let the core COW a grant PTE: EINVAL (as
 * gntdev). PROT_WRITE on a GNTLAB_MAP_READONLY map: EINVAL (as gntdev's
 * writable mapping of a read-only map). A read-only mapping cannot be made
 * writable later: mprotect(PROT_WRITE) is EACCES (VM_MAYWRITE cleared).
 */
TEST(badinput, mmap_bad_prot)
{
	struct one_map o, r;
	void *a = NULL;

	one_map_setup(&o, true, false, 0xbd12);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, NULL), EINVAL);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, PROT_WRITE, MAP_PRIVATE, NULL), EINVAL);
	ASSERT_EQ(peer_active(&o.s), 0);
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
	ASSERT_EQ(peer_active(&r.s), 0);
	ASSERT_EQ(gt_mmap_at(r.fd, r.index, 4 * GT_PAGE, PROT_READ, MAP_SHARED, &a), 0);
	ASSERT_EQ(mprotect(a, GT_PAGE, PROT_READ | PROT_WRITE), -1);
	ASSERT_EQ(errno, EACCES);
	ASSERT_EQ(munmap(a, 4 * GT_PAGE), 0);
	ASSERT_EQ(gt_ioc_unmap(r.fd, r.index, 4), 0);
	ASSERT_EQ(peer_unshare(&o.s), 0);
	ASSERT_EQ(peer_unshare(&r.s), 0);
	assert_counters_zero(o.fd);
	close(o.fd);
	close(r.fd);
}

/* After GNTLAB_IOC_UNMAP the offset names no map: mmap is EINVAL and
 * maps nothing. */
TEST(badinput, mmap_after_unmap)
{
	struct one_map o;

	one_map_setup(&o, true, false, 0xbd14);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, PROT_READ, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(peer_active(&o.s), 0);
	ASSERT_EQ(peer_unshare(&o.s), 0);
	assert_counters_zero(o.fd);
	close(o.fd);
}

/*
 * GNTLAB_IOC_UNMAP must name a map exactly: another offset or another
 * count is ENOENT, an unaligned index, count 0 or a non-zero pad EINVAL, a
 * bad pointer EFAULT; none of these drops the map. The right call works
 * once; the second is ENOENT.
 */
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
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_UNMAP, &u), EINVAL);
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_UNMAP, NULL), EFAULT);
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_UNMAP, (void *)(uintptr_t)KADDR_TEXT), EFAULT);
	ASSERT_EQ(gt_stats(o.fd, &st), 0);
	ASSERT_EQ(st.live_maps, 1) TH_MSG("a refused UNMAP dropped the map");
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), ENOENT);
	ASSERT_EQ(peer_unshare(&o.s), 0);
	assert_counters_zero(o.fd);
	close(o.fd);
}

/*
 * GNTLAB_IOC_SET_UNMAP_NOTIFY: unknown action bits EINVAL, an offset in no
 * map ENOENT, CLEAR_BYTE on a read-only map EINVAL, a port this process
 * never bound is refused by evtchn_get() (port 0: no irq, ENOENT; a port
 * beyond the channel limit: EINVAL). Nothing may stay referenced.
 */
TEST(badinput, notify_bad_input)
{
	struct gntlab_unmap_notify n;
	struct one_map o, r;

	one_map_setup(&o, true, false, 0xbd16);
	one_map_setup(&r, true, true, 0xbd17);
	n = (struct gntlab_unmap_notify){ .index = o.index, .action = 1u << 2 };
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, &n), EINVAL);
	n = (struct gntlab_unmap_notify){ .index = o.index + 4 * GT_PAGE,
					  .action = GNTLAB_NOTIFY_CLEAR_BYTE };
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, &n), ENOENT);
	n = (struct gntlab_unmap_notify){ .index = r.index, .action = GNTLAB_NOTIFY_CLEAR_BYTE };
	ASSERT_EQ(xioctl(r.fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, &n), EINVAL);
	n = (struct gntlab_unmap_notify){ .index = o.index, .action = GNTLAB_NOTIFY_SEND_EVENT,
					  .event_channel_port = 0 };
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, &n), ENOENT);
	n.event_channel_port = 0xffffffffu;
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, &n), EINVAL);
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, NULL), EFAULT);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(gt_ioc_unmap(r.fd, r.index, 4), 0);
	ASSERT_EQ(peer_unshare(&o.s), 0);
	ASSERT_EQ(peer_unshare(&r.s), 0);
	assert_counters_zero(o.fd);
	close(o.fd);
	close(r.fd);
}

/* ------------------------------------------------------------------ */
/* Writes through read-only grant mappings */

/*
 * dom0 grants read-only, the map is GNTLAB_MAP_READONLY: Xen wrote the PTE
 * without _PAGE_RW, so a store faults and, there being no fault handler
 * that could make it writable, the process gets SIGSEGV. Exit then tears
 * the mapping down (the leak check verifies nothing stays mapped).
 */
TEST_SIGNAL(badinput, write_readonly_grant, SIGSEGV)
{
	struct peer_share s;
	struct gt_map m;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(peer_share(1, false, 0xbd20, &s), 0);
	ASSERT_EQ(gt_map(fd, &s, GNTLAB_MODE_SPECIAL, true, &m), 0);
	ASSERT_EQ(gntlab_pattern_check(m.addr, 0xbd20, 0, 0, GT_PAGE), -1);
	*(volatile uint8_t *)m.addr = 0x5a;
	TH_LOG("store to a read-only grant mapping did not fault");
}

/* A writable grant mmapped PROT_READ is mapped read-only (kalias_ro): a
 * store is SIGSEGV too. */
TEST_SIGNAL(badinput, write_prot_read_mapping, SIGSEGV)
{
	struct peer_share s;
	struct gt_map m;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(peer_share(1, true, 0xbd21, &s), 0);
	ASSERT_EQ(gt_reserve(fd, &s, GNTLAB_MODE_SPECIAL, false, &m), 0);
	ASSERT_EQ(gt_mmap(&m, PROT_READ, MAP_SHARED), 0);
	ASSERT_EQ(gntlab_pattern_check(m.addr, 0xbd21, 0, 0, GT_PAGE), -1);
	*(volatile uint8_t *)(m.addr + 100) = 0x5a;
	TH_LOG("store to a PROT_READ grant mapping did not fault");
}

/* ------------------------------------------------------------------ */
/* Probes (gntlab_probe.c) */

/*
 * GNTLAB_IOC_INTROSPECT accepts only version 1, its own size and pad 0
 * (EINVAL), and only addresses inside a mapping of one of this fd's maps
 * (EINVAL for NULL, our stack, kernel and non-canonical addresses, one
 * past the end, another fd's mapping). An unaligned address inside a page
 * is that page. A bad or read-only argument is EFAULT.
 */
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
	ASSERT_EQ(gt_introspect(o.fd, (void *)(uintptr_t)KADDR_TEXT, &in), EINVAL);
	ASSERT_EQ(gt_introspect(o.fd, (void *)(uintptr_t)KADDR_VSYSCALL, &in), EINVAL);
	ASSERT_EQ(gt_introspect(o.fd, (void *)(uintptr_t)NONCANONICAL, &in), EINVAL);

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
		ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_INTROSPECT, &in), EINVAL) TH_MSG("variant %d", v);
	}
	in.pad = 0;
	in.size = sizeof(in) + 8;
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_INTROSPECT, &in), EINVAL);
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_INTROSPECT, NULL), EFAULT);
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_INTROSPECT, (void *)(uintptr_t)KADDR_DIRECTMAP), EFAULT);
	ro = guarded(GT_PAGE);
	memset(ro, 0, sizeof(*ro));
	ro->version = GNTLAB_INTROSPECT_VERSION;
	ro->size = sizeof(*ro);
	ro->addr = (uint64_t)(uintptr_t)a;
	ASSERT_EQ(mprotect(ro, GT_PAGE, PROT_READ), 0);
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_INTROSPECT, ro), EFAULT);

	ASSERT_EQ(munmap(a, 4 * GT_PAGE), 0);
	ASSERT_EQ(munmap(b, 4 * GT_PAGE), 0);
	/* Gone: the address is no longer one of ours. */
	ASSERT_EQ(gt_introspect(o.fd, a, &in), EINVAL);
	ASSERT_EQ(gt_ioc_unmap(o.fd, o.index, 4), 0);
	ASSERT_EQ(gt_ioc_unmap(other.fd, other.index, 4), 0);
	ASSERT_EQ(peer_unshare(&o.s), 0);
	ASSERT_EQ(peer_unshare(&other.s), 0);
	assert_counters_zero(o.fd);
	close(o.fd);
	close(other.fd);
}

/*
 * What a GUP flavour returns for an address no mapping covers:
 * get_user_pages_fast_only() never reports an error (0 pages), and
 * get_user_pages_fast() returns 0 too when start + length wraps (its
 * check_add_overflow() comes before access_ok()); everything else -EFAULT.
 */
static int gup_bad_ret(uint64_t addr, uint32_t kind)
{
	if (kind == GNTLAB_GUP_FAST_ONLY)
		return 0;
	if (kind == GNTLAB_GUP_FAST && addr + GT_PAGE < addr)
		return 0;
	return -EFAULT;
}

/*
 * GNTLAB_IOC_GUP_PROBE: kind >= 6 or write > 1 is EINVAL, a bad argument
 * EFAULT. Addresses no user mapping covers (NULL, kernel, vsyscall,
 * non-canonical, PROT_NONE) make every GUP flavour fail with -EFAULT in
 * .ret (get_user_pages_fast_only() returns 0 pages instead), and the ioctl
 * itself succeeds. A write GUP on a read-only grant mapping fails the
 * same way; an unaligned address inside the mapping finds the map's page.
 */
TEST(badinput, gup_probe_bad_input)
{
	uint8_t *none = hole(1 << 16);
	const uint64_t bad[] = {
		0, 1, 4095, KADDR_DIRECTMAP, KADDR_TEXT, KADDR_VSYSCALL, NONCANONICAL,
		~0ull & ~4095ull, (uint64_t)(uintptr_t)(none + 8192),
	};
	struct gntlab_gup_probe p, *ro;
	struct one_map o;
	uint8_t *a = NULL;

	one_map_setup(&o, true, true, 0xbd32);
	ASSERT_EQ(gt_mmap_at(o.fd, o.index, 4 * GT_PAGE, PROT_READ, MAP_SHARED, (void **)&a), 0);

	p = (struct gntlab_gup_probe){ .addr = (uint64_t)(uintptr_t)a, .kind = GNTLAB_GUP_COUNT };
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_GUP_PROBE, &p), EINVAL);
	p.kind = 0xffffffffu;
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_GUP_PROBE, &p), EINVAL);
	p.kind = GNTLAB_GUP_SLOW;
	p.write = 2;
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_GUP_PROBE, &p), EINVAL);
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_GUP_PROBE, NULL), EFAULT);
	ro = guarded(GT_PAGE);
	*ro = (struct gntlab_gup_probe){ .addr = (uint64_t)(uintptr_t)a, .kind = GNTLAB_GUP_SLOW };
	ASSERT_EQ(mprotect(ro, GT_PAGE, PROT_READ), 0);
	ASSERT_EQ(xioctl(o.fd, GNTLAB_IOC_GUP_PROBE, ro), EFAULT);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (uint32_t k = 0; k < GNTLAB_GUP_COUNT; k++) {
			for (int w = 0; w < 2; w++) {
				ASSERT_EQ(gt_gup(o.fd, (void *)(uintptr_t)bad[i], k, w, &p), 0);
				ASSERT_EQ(p.ret, gup_bad_ret(bad[i], k))
					TH_MSG("addr %#llx kind %u write %d",
					       (unsigned long long)bad[i], k, w);
				ASSERT_EQ(p.page_pfn, ~0ull);
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
	ASSERT_EQ(peer_unshare(&o.s), 0);
	assert_counters_zero(o.fd);
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

/* The probes expose machine frames and take page references: root only
 * (capable(CAP_SYS_ADMIN)), EPERM otherwise, checked before anything. */
TEST(badinput, probes_need_cap_sys_admin)
{
	struct gntlab_introspect in;
	struct gntlab_gup_probe p;
	int local = 0, fd = gt_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(drop_sys_admin(), 0) TH_MSG("capset: %s", strerror(errno));
	ASSERT_EQ(gt_introspect(fd, &local, &in), EPERM);
	ASSERT_EQ(gt_gup(fd, &local, GNTLAB_GUP_SLOW, false, &p), EPERM);
	ASSERT_EQ(xioctl(fd, GNTLAB_IOC_GUP_PROBE, NULL), EPERM);
	/* The unprivileged ioctls still work. */
	ASSERT_EQ(gt_stats(fd, &(struct gntlab_stats){ 0 }), 0);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Random ioctl fuzz */

#define FUZZ_THREADS 4
#define FUZZ_MIN_S 5	/* and until FUZZ_GOAL calls */
#define FUZZ_MAX_S 45
#define FUZZ_GOAL 100000
#define FUZZ_SCRATCH (64 * 1024)
#define FUZZ_HOLE (1 << 20)
#define FUZZ_MAPS 16
#define FUZZ_VMAS 8
#define FUZZ_PAGES_CAP 2048	/* pages one thread keeps reserved */

struct fuzz_map {
	int fd;
	uint64_t index;
	uint32_t count;
};

struct fuzz_vma {
	uint8_t *addr;
	size_t len;
};

struct fuzz_shared {
	int fd;				/* used by every thread, closed at the end */
	uint32_t max_grants, self;
	const struct peer_share *share;
	uint8_t *hole;
	atomic_bool stop;
	atomic_ulong calls;
	atomic_ulong ok, mmaps, mmap_ok, wrong_errno, bad_success;
	atomic_int first_bad_cmd, first_bad_errno;
};

struct fuzz_thread {
	pthread_t tid;
	struct fuzz_shared *sh;
	uint64_t rng;
	int fds[2];
	uint8_t *scratch;		/* FUZZ_SCRATCH bytes, guard page after */
	uint8_t *ro;			/* a read-only page of junk */
	/* Ref arrays; never handed out as a struct pointer (its domids would
	 * read as counts of tens of thousands of pages). */
	struct gntlab_grant_ref *refs;
	struct fuzz_map maps[FUZZ_MAPS];
	unsigned int nmaps;
	uint32_t pages;
	struct fuzz_vma vmas[FUZZ_VMAS];
	unsigned int nvmas;
};

static uint64_t rnd(struct fuzz_thread *t)
{
	/* xorshift64* */
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545f4914f6cdd1dull;
}

static uint32_t below(struct fuzz_thread *t, uint32_t n)
{
	return (uint32_t)(rnd(t) % n);
}

/*
 * A pointer the kernel may be handed: into our scratch buffer (possibly
 * straddling its guard page), the read-only page, or addresses that must
 * fault. Never anything else of ours, so OUT ioctls cannot corrupt us.
 */
static uint64_t fuzz_ptr(struct fuzz_thread *t)
{
	switch (below(t, 10)) {
	case 0:
		return below(t, 4096);
	case 1: {
		static const uint64_t k[] = { KADDR_DIRECTMAP, KADDR_TEXT, KADDR_VSYSCALL,
					      NONCANONICAL, ~0ull, 1ull << 63 };
		return k[below(t, 6)] + below(t, 4096);
	}
	case 2:
		return (uint64_t)(uintptr_t)(t->sh->hole + below(t, FUZZ_HOLE));
	case 3:
		return (uint64_t)(uintptr_t)(t->scratch + FUZZ_SCRATCH - below(t, 64));
	case 4:
		return (uint64_t)(uintptr_t)(t->ro + below(t, GT_PAGE - 64));
	default:
		return (uint64_t)(uintptr_t)(t->scratch + below(t, FUZZ_SCRATCH - 128));
	}
}

static uint32_t fuzz_count(struct fuzz_thread *t)
{
	uint32_t r = below(t, 1000);

	if (r < 600)
		return 1 + below(t, 8);
	if (r < 950)
		return 9 + below(t, 56);
	if (r < 955)
		return 1024;
	switch (below(t, 6)) {
	case 0:
		return 0;
	case 1:
		return t->sh->max_grants + 1;
	case 2:
		return 0xffffffffu;
	case 3:
		return 0x80000000u;
	case 4:
		return 0x20000000u;
	default:
		return (uint32_t)rnd(t) | 0x10000000u;
	}
}

/* A ref array in the scratch buffer: mostly dom0's shared refs. */
static uint64_t fuzz_refs(struct fuzz_thread *t, uint32_t count)
{
	struct gntlab_grant_ref *g = t->refs;
	uint32_t n = count < 2048 ? count : 2048;
	const struct peer_share *s = t->sh->share;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = below(t, 100);

		g[i].domid = r < 80 ? 0 : r < 85 ? t->sh->self : r < 90 ? DOMID_SELF_VAL :
			     r < 95 ? below(t, 0x8000) : (uint32_t)rnd(t);
		r = below(t, 100);
		g[i].ref = r < 60 ? s->ref[below(t, s->count)] : r < 90 ? below(t, 64) :
			   (uint32_t)rnd(t);
	}
	if (below(t, 10) == 0)
		return fuzz_ptr(t);
	return (uint64_t)(uintptr_t)g;
}

static int fuzz_fd(struct fuzz_thread *t)
{
	uint32_t r = below(t, 10);

	return r < 4 ? t->sh->fd : t->fds[r & 1];
}

static void fuzz_forget_fd(struct fuzz_thread *t, int fd)
{
	for (unsigned int i = 0; i < t->nmaps;) {
		if (t->maps[i].fd == fd) {
			t->pages -= t->maps[i].count;
			t->maps[i] = t->maps[--t->nmaps];
		} else {
			i++;
		}
	}
}

static void fuzz_drop_map(struct fuzz_thread *t, unsigned int i)
{
	struct gntlab_unmap u = { .index = t->maps[i].index, .count = t->maps[i].count };

	ioctl(t->maps[i].fd, GNTLAB_IOC_UNMAP, &u);
	atomic_fetch_add(&t->sh->calls, 1);
	t->pages -= t->maps[i].count;
	t->maps[i] = t->maps[--t->nmaps];
}

static void fuzz_note_map(struct fuzz_thread *t, int fd, uint64_t index, uint32_t count)
{
	while (t->nmaps && (t->nmaps == FUZZ_MAPS || t->pages + count > FUZZ_PAGES_CAP))
		fuzz_drop_map(t, below(t, t->nmaps));
	t->maps[t->nmaps++] = (struct fuzz_map){ fd, index, count };
	t->pages += count;
}

/* An address for the probes: inside one of our mappings, or anywhere. */
static uint64_t fuzz_probe_addr(struct fuzz_thread *t)
{
	if (t->nvmas && below(t, 2)) {
		struct fuzz_vma *v = &t->vmas[below(t, t->nvmas)];

		return (uint64_t)(uintptr_t)(v->addr + below(t, (uint32_t)v->len + 64));
	}
	return fuzz_ptr(t);
}

/* Valid command word, random contents. Returns the command. */
static unsigned long fuzz_valid_cmd(struct fuzz_thread *t, void *arg, int *fd)
{
	uint32_t r = below(t, 100);

	memset(arg, 0, 64);
	if (r < 30) {
		struct gntlab_map *m = arg;
		uint32_t f = below(t, 20);

		m->count = fuzz_count(t);
		m->flags = f < 10 ? 0 : f < 18 ? GNTLAB_MAP_READONLY : (uint32_t)rnd(t);
		m->mode = below(t, 20) ? below(t, 3) : (uint32_t)rnd(t);
		m->pad = below(t, 30) ? 0 : (uint32_t)rnd(t);
		m->refs = fuzz_refs(t, m->count);
		return GNTLAB_IOC_MAP;
	}
	if (r < 50) {
		struct gntlab_unmap *u = arg;

		if (t->nmaps && below(t, 3)) {
			struct fuzz_map *m = &t->maps[below(t, t->nmaps)];

			*fd = m->fd;
			u->index = m->index + (below(t, 8) ? 0 : GT_PAGE * below(t, 3));
			u->count = m->count + (below(t, 8) ? 0 : below(t, 3) - 1);
		} else {
			u->index = below(t, 2) ? (uint64_t)below(t, 256) * GT_PAGE : rnd(t);
			u->count = below(t, 2) ? 1 + below(t, 64) : (uint32_t)rnd(t);
		}
		u->pad = below(t, 20) ? 0 : (uint32_t)rnd(t);
		return GNTLAB_IOC_UNMAP;
	}
	if (r < 60) {
		struct gntlab_unmap_notify *n = arg;

		n->index = t->nmaps ? t->maps[below(t, t->nmaps)].index + below(t, 8192) : rnd(t);
		/* Only ports we never bound: evtchn_get() refuses them. */
		n->action = below(t, 10) ? below(t, 4) : (uint32_t)rnd(t);
		n->event_channel_port = below(t, 2) ? below(t, 64) : (uint32_t)rnd(t);
		return GNTLAB_IOC_SET_UNMAP_NOTIFY;
	}
	if (r < 70)
		return GNTLAB_IOC_STATS;
	if (r < 85) {
		struct gntlab_introspect *in = arg;

		in->version = below(t, 10) ? GNTLAB_INTROSPECT_VERSION : (uint32_t)rnd(t);
		in->size = below(t, 10) ? sizeof(*in) : below(t, 512);
		in->pad = below(t, 20) ? 0 : 1;
		in->addr = fuzz_probe_addr(t);
		return GNTLAB_IOC_INTROSPECT;
	}
	{
		struct gntlab_gup_probe *p = arg;

		p->addr = fuzz_probe_addr(t);
		p->kind = below(t, 8);
		p->write = below(t, 10) ? below(t, 2) : (uint32_t)rnd(t);
		return GNTLAB_IOC_GUP_PROBE;
	}
}

static bool fuzz_errno_allowed(unsigned long cmd, int e)
{
	switch (cmd) {
	case GNTLAB_IOC_MAP:
		return e == EFAULT || e == EINVAL || e == ENOSPC || e == ENOMEM;
	case GNTLAB_IOC_UNMAP:
		return e == EFAULT || e == EINVAL || e == ENOENT;
	case GNTLAB_IOC_SET_UNMAP_NOTIFY:
		return e == EFAULT || e == EINVAL || e == ENOENT;
	case GNTLAB_IOC_STATS:
		return e == EFAULT;
	case GNTLAB_IOC_INTROSPECT:
	case GNTLAB_IOC_GUP_PROBE:
		return e == EFAULT || e == EINVAL || e == EINTR;
	default:
		return e == ENOTTY;
	}
}

static bool fuzz_is_valid_cmd(unsigned long cmd)
{
	return cmd == GNTLAB_IOC_MAP || cmd == GNTLAB_IOC_UNMAP ||
	       cmd == GNTLAB_IOC_SET_UNMAP_NOTIFY || cmd == GNTLAB_IOC_STATS ||
	       cmd == GNTLAB_IOC_INTROSPECT || cmd == GNTLAB_IOC_GUP_PROBE;
}

static void fuzz_bad(struct fuzz_thread *t, unsigned long cmd, int e, bool success)
{
	int none = 0;

	atomic_fetch_add(success ? &t->sh->bad_success : &t->sh->wrong_errno, 1);
	if (atomic_compare_exchange_strong(&t->sh->first_bad_cmd, &none, (int)cmd))
		atomic_store(&t->sh->first_bad_errno, e);
}

static void fuzz_ioctl(struct fuzz_thread *t)
{
	uint8_t *slot = t->scratch + below(t, 64) * 8;
	unsigned long cmd;
	uint64_t arg;
	int fd = fuzz_fd(t), rc, e;
	uint32_t r = below(t, 100);
	bool fixed_arg = false;

	if (r < 45) {
		/* Our magic, random direction/number/size. */
		uint32_t nr = below(t, 5) ? below(t, 16) : below(t, 256);
		uint32_t sz = below(t, 2) ? (uint32_t[]){ 16, 24, 32, 56, 120, 128 }[below(t, 6)]
					  : below(t, 1u << 14);

		cmd = _IOC(below(t, 4), GNTLAB_IOC_MAGIC, nr, sz);
		arg = below(t, 2) ? (uint64_t)(uintptr_t)slot : fuzz_ptr(t);
		for (unsigned int i = 0; i < 128; i += 8)
			*(uint64_t *)(slot + i) = below(t, 2) ? rnd(t) : below(t, 16);
	} else if (r < 50) {
		/* Any command word; not checked (the VFS has its own). */
		cmd = (uint32_t)rnd(t);
		if (_IOC_TYPE(cmd) != GNTLAB_IOC_MAGIC) {
			arg = fuzz_ptr(t);
			rc = ioctl(fd, cmd, (void *)(uintptr_t)arg);
			atomic_fetch_add(&t->sh->calls, 1);
			return;
		}
		arg = fuzz_ptr(t);
	} else {
		cmd = fuzz_valid_cmd(t, slot, &fd);
		arg = below(t, 8) ? (uint64_t)(uintptr_t)slot : fuzz_ptr(t);
		fixed_arg = arg == (uint64_t)(uintptr_t)slot;
	}
	rc = ioctl(fd, cmd, (void *)(uintptr_t)arg);
	e = rc ? errno : 0;
	atomic_fetch_add(&t->sh->calls, 1);
	if (!rc) {
		atomic_fetch_add(&t->sh->ok, 1);
		if (!fuzz_is_valid_cmd(cmd))
			fuzz_bad(t, cmd, 0, true);
		else if (cmd == GNTLAB_IOC_MAP && fixed_arg)
			fuzz_note_map(t, fd, ((struct gntlab_map *)slot)->index,
				      ((struct gntlab_map *)slot)->count);
		else if (cmd == GNTLAB_IOC_MAP)
			/* Reserved through a pointer we did not read back: close drops it. */
			(void)0;
		return;
	}
	if (!fuzz_errno_allowed(cmd, e))
		fuzz_bad(t, cmd, e, false);
}

static void fuzz_mem(struct fuzz_thread *t)
{
	uint32_t r = below(t, 100);

	if (r < 45 && t->nvmas < FUZZ_VMAS) {
		/* mmap a reserved map, or something near it. */
		int prot = (int)below(t, 4) & (PROT_READ | PROT_WRITE);
		int flags = (below(t, 8) ? MAP_SHARED : MAP_PRIVATE) | (below(t, 5) ? 0 : MAP_POPULATE);
		uint64_t off;
		size_t len;
		int fd;
		void *a;

		if (t->nmaps && below(t, 5)) {
			struct fuzz_map *m = &t->maps[below(t, t->nmaps)];

			fd = m->fd;
			off = m->index + (below(t, 10) ? 0 : GT_PAGE * below(t, 2));
			len = (size_t)m->count * GT_PAGE + (below(t, 10) ? 0 : GT_PAGE);
		} else {
			fd = fuzz_fd(t);
			off = (uint64_t)below(t, 64) * GT_PAGE;
			len = (1 + below(t, 16)) * (size_t)GT_PAGE;
		}
		atomic_fetch_add(&t->sh->mmaps, 1);
		a = mmap(NULL, len, prot, flags, fd, (off_t)off);
		if (a != MAP_FAILED) {
			atomic_fetch_add(&t->sh->mmap_ok, 1);
			t->vmas[t->nvmas++] = (struct fuzz_vma){ a, len };
		}
		return;
	}
	if (!t->nvmas)
		return;
	{
		unsigned int i = below(t, t->nvmas);
		struct fuzz_vma *v = &t->vmas[i];
		uint32_t pages = (uint32_t)(v->len / GT_PAGE);
		uint32_t first = below(t, pages), n = 1 + below(t, pages - first);
		uint8_t *s = v->addr + (size_t)first * GT_PAGE;

		if (r < 70) {
			/* Only whole mappings: a hole could be reused by someone else. */
			munmap(v->addr, v->len);
			t->vmas[i] = t->vmas[--t->nvmas];
		} else if (r < 85) {
			static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE };

			mprotect(s, (size_t)n * GT_PAGE, prots[below(t, 3)]);
		} else {
			static const int adv[] = { MADV_DONTNEED, MADV_WILLNEED, MADV_DOFORK,
						   MADV_DONTFORK, MADV_COLD, MADV_PAGEOUT };

			madvise(s, (size_t)n * GT_PAGE, adv[below(t, 6)]);
		}
	}
}

static void *fuzz_run(void *arg)
{
	struct fuzz_thread *t = arg;
	unsigned long iter = 0;

	while (!atomic_load_explicit(&t->sh->stop, memory_order_relaxed)) {
		uint32_t r = below(t, 1000);

		if (r < 880) {
			fuzz_ioctl(t);
		} else if (r < 998) {
			fuzz_mem(t);
		} else {
			/* Recycle one private fd: close drops its maps (VMAs keep theirs). */
			int k = (int)below(t, 2), fd = gt_open();

			if (fd >= 0) {
				fuzz_forget_fd(t, t->fds[k]);
				close(t->fds[k]);
				t->fds[k] = fd;
			}
		}
		iter++;
	}
	for (unsigned int i = 0; i < t->nvmas; i++)
		munmap(t->vmas[i].addr, t->vmas[i].len);
	t->nvmas = 0;
	close(t->fds[0]);
	close(t->fds[1]);
	(void)iter;
	return NULL;
}

/*
 * Random ioctls from several threads against the module: mostly command
 * words with our magic and random direction/number/size, plus the real
 * commands with random contents (refs, domids, counts, user pointers
 * that are NULL, kernel, non-canonical, inaccessible, straddling a guard
 * page or read-only), interleaved with mmap/munmap/mprotect/madvise of
 * the maps and fd recycling. The kernel must survive (no oops/WARN: the
 * after-test log check), every refusal must carry an errno the module
 * documents for that command (unknown commands: ENOTTY, never success),
 * and once every fd and mapping is gone the counters must return to zero.
 */
TEST_TIMEOUT(badinput, fuzz_ioctl, 75)
{
	struct fuzz_thread th[FUZZ_THREADS];
	struct fuzz_shared sh;
	struct peer_share s;
	struct timespec t0, now;
	double el = 0;
	int stats_fd = gt_open();

	ASSERT_GE(stats_fd, 0);
	memset(&sh, 0, sizeof(sh));
	ASSERT_EQ(peer_share(16, true, 0xbd40, &s), 0);
	sh.share = &s;
	sh.max_grants = read_max_grants();
	if (own_domid(&sh.self))
		sh.self = 1;
	sh.hole = hole(FUZZ_HOLE);
	sh.fd = gt_open();
	ASSERT_GE(sh.fd, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < FUZZ_THREADS; i++) {
		struct fuzz_thread *t = &th[i];

		memset(t, 0, sizeof(*t));
		t->sh = &sh;
		t->rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1) ^ (uint64_t)t0.tv_nsec;
		t->scratch = guarded(FUZZ_SCRATCH);
		t->refs = guarded(2048 * sizeof(*t->refs));
		t->ro = mmap(NULL, GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_TRUE(t->ro != MAP_FAILED);
		for (unsigned int k = 0; k < GT_PAGE; k++)
			t->ro[k] = (uint8_t)rnd(t);
		ASSERT_EQ(mprotect(t->ro, GT_PAGE, PROT_READ), 0);
		t->fds[0] = gt_open();
		t->fds[1] = gt_open();
		ASSERT_GE(t->fds[0], 0);
		ASSERT_GE(t->fds[1], 0);
	}
	TH_LOG("seed %#lx, %d threads, max_grants %u, our domid %u",
	       (unsigned long)t0.tv_nsec, FUZZ_THREADS, sh.max_grants, sh.self);
	for (int i = 0; i < FUZZ_THREADS; i++)
		ASSERT_EQ(pthread_create(&th[i].tid, NULL, fuzz_run, &th[i]), 0);

	for (int tick = 0;; tick++) {
		unsigned long calls;

		sleep(1);
		clock_gettime(CLOCK_MONOTONIC, &now);
		el = (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
		calls = atomic_load(&sh.calls);
		/* Keeps dom0's per-request deadline moving and shows progress. */
		if (tick % 5 == 4)
			peer_diag("badinput/fuzz_ioctl: %lu ioctls after %.0f s", calls, el);
		if ((el >= FUZZ_MIN_S && calls >= FUZZ_GOAL) || el >= FUZZ_MAX_S)
			break;
	}
	atomic_store(&sh.stop, true);
	for (int i = 0; i < FUZZ_THREADS; i++)
		pthread_join(th[i].tid, NULL);
	close(sh.fd);

	TH_LOG("%lu ioctls in %.1f s (%.0f/s), %lu succeeded; %lu mmaps, %lu succeeded",
	       atomic_load(&sh.calls), el, atomic_load(&sh.calls) / el, atomic_load(&sh.ok),
	       atomic_load(&sh.mmaps), atomic_load(&sh.mmap_ok));
	TH_LOG("undocumented errnos %lu, unknown commands that succeeded %lu (first cmd %#x errno %d)",
	       atomic_load(&sh.wrong_errno), atomic_load(&sh.bad_success),
	       (unsigned int)atomic_load(&sh.first_bad_cmd), atomic_load(&sh.first_bad_errno));
	assert_counters_zero(stats_fd);
	ASSERT_EQ(peer_active(&s), 0);
	ASSERT_EQ(peer_unshare(&s), 0);
	ASSERT_EQ(atomic_load(&sh.bad_success), 0);
	ASSERT_EQ(atomic_load(&sh.wrong_errno), 0);
	ASSERT_GE(atomic_load(&sh.calls), FUZZ_GOAL);
	close(stats_fd);
}

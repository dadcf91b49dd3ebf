// SPDX-License-Identifier: GPL-2.0
/*
 * The engine of probe/fuzz (suite_probe_fuzz.c) and of make soak's
 * soak/ioctls_probes (soak_ioctls.c): the _ANY probes on random addresses
 * of every kind from several threads, while another thread maps and unmaps
 * grants (our module and the kernel's gntdev) and anonymous memory under
 * them; every stable target must keep its baseline answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "gntdev_map.h"
#include "gt.h"
#include "harness.h"
#include "fuzz_probe.h"
#include "probe_util.h"

#define PF_THREADS 3	/* probing threads, plus one mapper */
#define PF_CHURN_PAGES 2
#define PF_GD_REGION ((PF_CHURN_PAGES + 1) * GT_PAGE)

enum pf_kind {
	PK_ANON, PK_FILE, PK_GUARD, PK_HOLE, PK_KERNEL, PK_ZERO, PK_NONCANON, PK_VDSO, PK_VVAR,
	PK_OURS, PK_GNTDEV, PK_CHURN_OURS, PK_CHURN_GNTDEV, PK_CHURN_ANON, PK_RANDOM_USER,
	PK_RANDOM, PK_COUNT
};
static const char *const pk_name[PK_COUNT] = {
	"anon", "file", "guard", "hole", "kernel", "zero", "noncanonical", "vdso", "vvar",
	"ours", "gntdev", "churn-ours", "churn-gntdev", "churn-anon", "random-user", "random-any",
};

/* One address the probes aim at; stable ones have a baseline to match. */
struct pf_target {
	enum pf_kind kind;
	uintptr_t addr;
	int rc;				/* INTROSPECT_ANY's errno at the baseline */
	struct gntlab_introspect base;
	int gup_ret[GNTLAB_GUP_COUNT][2];
	uint64_t gup_pfn[GNTLAB_GUP_COUNT][2];
};

#define PF_TARGETS 24

/* A mapping the mapper publishes while it exists. */
struct pf_churn {
	_Atomic uintptr_t addr;		/* 0 while not mapped */
	_Atomic uintptr_t last;		/* the previous address (stale probes) */
};

struct pf_shared {
	int fd;
	/* The gntdev churn lives only here: a reserved range (PROT_NONE when
	 * gntdev is not mapped there), so no other mapping reuses its address
	 * and no GUP probe ever reaches it (see the TH_DOC). */
	uint8_t *gd_region;
	atomic_bool stop;
	struct pf_target t[PF_TARGETS];
	unsigned int nt;
	struct pf_churn churn[3];	/* ours, gntdev, anon */
	/* counts */
	atomic_ulong calls, intro, gup, old;
	atomic_ulong by_kind[PK_COUNT];
	atomic_ulong rc_ok, rc_enoent, rc_efault, rc_einval, rc_other;
	atomic_ulong gup_page, gup_zero, gup_efault, gup_other_err;
	atomic_ulong mismatch;
	atomic_ulong cycles[3], map_fail;
	pthread_mutex_t lock;
	char first_mismatch[512];
};

struct pf_thread {
	pthread_t tid;
	struct pf_shared *sh;
	uint64_t rng;
};

static uint64_t rnd(struct pf_thread *t)
{
	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 7;
	t->rng ^= t->rng << 17;
	return t->rng;
}

static uint32_t below(struct pf_thread *t, uint32_t n)
{
	return (uint32_t)(rnd(t) % n);
}

static void pf_mismatch(struct pf_shared *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void pf_mismatch(struct pf_shared *sh, const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&sh->mismatch, 1))
		return;
	pthread_mutex_lock(&sh->lock);
	va_start(ap, fmt);
	vsnprintf(sh->first_mismatch, sizeof(sh->first_mismatch), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&sh->lock);
}

static void pf_count_rc(struct pf_shared *sh, int rc)
{
	atomic_fetch_add(rc == 0 ? &sh->rc_ok : rc == ENOENT ? &sh->rc_enoent :
			 rc == EFAULT ? &sh->rc_efault : rc == EINVAL ? &sh->rc_einval :
			 &sh->rc_other, 1);
}

/* An address of the target's kind, and the stable target it is (or NULL). */
static uintptr_t pf_pick(struct pf_thread *t, enum pf_kind *kind, struct pf_target **st)
{
	struct pf_shared *sh = t->sh;
	uint32_t r = below(t, sh->nt + 5);

	*st = NULL;
	if (r < sh->nt) {
		*st = &sh->t[r];
		*kind = (*st)->kind;
		/* Anywhere in the page, except for the exact edge cases. */
		if ((*st)->kind == PK_KERNEL || (*st)->kind == PK_ZERO ||
		    (*st)->kind == PK_NONCANON)
			return (*st)->addr;
		return (*st)->addr + below(t, GT_PAGE);
	}
	r -= sh->nt;
	if (r < 3) {
		struct pf_churn *c = &sh->churn[r];
		uintptr_t a = atomic_load(&c->addr);

		*kind = (enum pf_kind)(PK_CHURN_OURS + r);
		if (r == 1)
			return (uintptr_t)sh->gd_region + below(t, PF_GD_REGION);
		if (!a || below(t, 4) == 0)
			a = atomic_load(&c->last);
		return a + below(t, (PF_CHURN_PAGES + 1) * GT_PAGE);
	}
	if (r == 3) {
		*kind = PK_RANDOM_USER;
		return (uintptr_t)(rnd(t) & ((1ull << 47) - 1));
	}
	*kind = PK_RANDOM;
	return (uintptr_t)rnd(t);
}

static void pf_introspect(struct pf_thread *t, uintptr_t a, struct pf_target *st, bool old)
{
	struct pf_shared *sh = t->sh;
	struct gntlab_introspect in;
	int rc = old ? gt_introspect(sh->fd, (void *)a, &in) : gt_introspect_any(sh->fd, (void *)a, &in);

	pf_count_rc(sh, rc);
	if (old) {
		if (rc && rc != EINVAL && rc != EINTR)
			pf_mismatch(sh, "INTROSPECT %#lx: errno %d", (unsigned long)a, rc);
		else if (!rc && (in.bits & GNTLAB_NOT_OUR_MAP))
			pf_mismatch(sh, "INTROSPECT %#lx: not-our-map answer", (unsigned long)a);
		return;
	}
	if (rc == EINTR)
		return;
	if (st) {
		if (rc != st->rc)
			pf_mismatch(sh, "%s %#lx: errno %d, baseline %d", pk_name[st->kind],
				    (unsigned long)a, rc, st->rc);
		else if (!rc && !pu_same_facts(&in, &st->base))
			pf_mismatch(sh, "%s %#lx: facts changed (bits %#x, was %#x; pfn %#llx, was %#llx)",
				    pk_name[st->kind], (unsigned long)a, in.bits, st->base.bits,
				    (unsigned long long)in.page_pfn,
				    (unsigned long long)st->base.page_pfn);
		return;
	}
	if (rc && rc != ENOENT && rc != EFAULT && rc != EOPNOTSUPP) {
		pf_mismatch(sh, "INTROSPECT_ANY %#lx: errno %d", (unsigned long)a, rc);
		return;
	}
	if (rc)
		return;
	if (in.bits & GNTLAB_NOT_OUR_MAP) {
		if (in.mode != GNTLAB_INTROSPECT_NA || in.page_index != GNTLAB_INTROSPECT_NA ||
		    (in.bits & (GNTLAB_GRANT_MAPPED | GNTLAB_NORMAL_PAGE_IS_MAP)) ||
		    (!!(in.bits & GNTLAB_NORMAL_PAGE_FOUND) != (in.page_pfn != PU_NONE)))
			pf_mismatch(sh, "INTROSPECT_ANY %#lx: not-our-map fields bits %#x mode %#x",
				    (unsigned long)a, in.bits, in.mode);
	} else if (in.mode >= GNTLAB_MODE_COUNT || in.page_index >= PF_CHURN_PAGES + 2) {
		pf_mismatch(sh, "INTROSPECT_ANY %#lx: our map with mode %u index %u",
			    (unsigned long)a, in.mode, in.page_index);
	}
}

static void pf_gup(struct pf_thread *t, uintptr_t a, struct pf_target *st, bool old)
{
	struct pf_shared *sh = t->sh;
	uint32_t kind = below(t, GNTLAB_GUP_COUNT);
	int w = (int)below(t, 2), rc;
	struct gntlab_gup_probe g;

	if (a >= (uintptr_t)sh->gd_region && a < (uintptr_t)sh->gd_region + PF_GD_REGION)
		return;

	rc = old ? gt_gup(sh->fd, (void *)a, kind, w, &g) : gt_gup_any(sh->fd, (void *)a, kind, w, &g);
	if (rc) {
		if (rc != EINTR)
			pf_mismatch(sh, "GUP %#lx kind %u: ioctl errno %d", (unsigned long)a, kind, rc);
		return;
	}
	atomic_fetch_add(g.ret == 1 ? &sh->gup_page : g.ret == 0 ? &sh->gup_zero :
			 g.ret == -EFAULT ? &sh->gup_efault : &sh->gup_other_err, 1);
	if (g.ret > 1 || (g.ret == 1) != (g.page_pfn != PU_NONE) || g.same_page > 2 ||
	    (old && g.same_page > 1))
		pf_mismatch(sh, "GUP %#lx kind %u write %d: ret %d pfn %#llx same_page %u",
			    (unsigned long)a, kind, w, g.ret, (unsigned long long)g.page_pfn,
			    g.same_page);
	else if (st && !old && (g.ret != st->gup_ret[kind][w] || g.page_pfn != st->gup_pfn[kind][w]))
		pf_mismatch(sh, "%s %#lx kind %u write %d: ret %d pfn %#llx, baseline %d %#llx",
			    pk_name[st->kind], (unsigned long)a, kind, w, g.ret,
			    (unsigned long long)g.page_pfn, st->gup_ret[kind][w],
			    (unsigned long long)st->gup_pfn[kind][w]);
}

static void *pf_prober(void *arg)
{
	struct pf_thread *t = arg;
	struct pf_shared *sh = t->sh;

	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		struct pf_target *st;
		enum pf_kind kind;
		uintptr_t a = pf_pick(t, &kind, &st);
		uint32_t r = below(t, 100);

		atomic_fetch_add(&sh->by_kind[kind], 1);
		atomic_fetch_add(&sh->calls, 1);
		if (r < 5 && kind != PK_CHURN_GNTDEV) {
			atomic_fetch_add(&sh->old, 1);
			if (r < 3)
				pf_introspect(t, a, st, true);
			else
				pf_gup(t, a, st, true);
		} else if (r < 60) {
			atomic_fetch_add(&sh->intro, 1);
			pf_introspect(t, a, st, false);
		} else if (kind == PK_CHURN_GNTDEV) {
			/* See the TH_DOC: no GUP on a gntdev mapping being unmapped. */
			atomic_fetch_add(&sh->intro, 1);
			pf_introspect(t, a, st, false);
		} else {
			atomic_fetch_add(&sh->gup, 1);
			pf_gup(t, a, st, false);
		}
	}
	return NULL;
}

struct pf_mapper {
	struct pf_shared *sh;
	struct pf_thread rng;
	int fd, gd;			/* gd < 0: no gntdev */
	const struct dom0_share *ours, *gntdev;
};

static void pf_publish(struct pf_churn *c, void *addr)
{
	if (addr) {
		atomic_store(&c->addr, (uintptr_t)addr);
	} else {
		atomic_store(&c->last, atomic_load(&c->addr));
		atomic_store(&c->addr, 0);
	}
}

static void *pf_mapper_run(void *arg)
{
	struct pf_mapper *m = arg;
	struct pf_shared *sh = m->sh;

	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		uint32_t r = below(&m->rng, 3), nap = below(&m->rng, 3000);

		if (r == 0) {
			struct gt_map gm;

			if (gt_map(m->fd, m->ours, below(&m->rng, GNTLAB_MODE_COUNT), false, &gm)) {
				atomic_fetch_add(&sh->map_fail, 1);
				continue;
			}
			pf_publish(&sh->churn[0], gm.addr);
			usleep(nap);
			pf_publish(&sh->churn[0], NULL);
			if (gt_unmap(&gm))
				atomic_fetch_add(&sh->map_fail, 1);
		} else if (r == 1 && m->gd >= 0) {
			const size_t len = PF_CHURN_PAGES * GT_PAGE;
			struct gd_map dm;
			void *a;

			if (gd_reserve_refs(m->gd, m->gntdev->domid, m->gntdev->ref, PF_CHURN_PAGES,
					    &dm)) {
				atomic_fetch_add(&sh->map_fail, 1);
				continue;
			}
			/* Over the reservation, and back: the range is never free. */
			a = mmap(sh->gd_region, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
				 m->gd, (off_t)dm.index);
			if (a == MAP_FAILED) {
				atomic_fetch_add(&sh->map_fail, 1);
				gd_release(&dm);
				continue;
			}
			pf_publish(&sh->churn[1], a);
			usleep(nap);
			pf_publish(&sh->churn[1], NULL);
			if (mmap(sh->gd_region, len, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED ||
			    gd_release(&dm))
				atomic_fetch_add(&sh->map_fail, 1);
		} else if (r == 2) {
			uint8_t *p = mmap(NULL, PF_CHURN_PAGES * GT_PAGE, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED) {
				atomic_fetch_add(&sh->map_fail, 1);
				continue;
			}
			memset(p, 0x11, PF_CHURN_PAGES * GT_PAGE);
			pf_publish(&sh->churn[2], p);
			usleep(nap);
			pf_publish(&sh->churn[2], NULL);
			munmap(p, PF_CHURN_PAGES * GT_PAGE);
		} else {
			continue;
		}
		atomic_fetch_add(&sh->cycles[r], 1);
	}
	return NULL;
}

/*
 * Record the baseline of a stable target (its facts and every GUP flavour),
 * after one pass of every flavour: from 6.2 the first R/O long-term pin of a
 * page in a private mapping that may become writable (the vDSO, a private
 * file map) replaces it with an exclusive anonymous copy (table probe,
 * cow-longterm-pin); later pins keep that copy.
 */
static void pf_add_target(struct pf_shared *sh, enum pf_kind kind, uintptr_t addr)
{
	struct pf_target *t = &sh->t[sh->nt++];

	ASSERT_LE(sh->nt, PF_TARGETS);
	t->kind = kind;
	t->addr = addr;
	for (uint32_t k = 0; k < GNTLAB_GUP_COUNT; k++) {
		struct gntlab_gup_probe g;

		ASSERT_EQ(gt_gup_any(sh->fd, (void *)addr, k, false, &g), 0);
	}
	t->rc = gt_introspect_any(sh->fd, (void *)addr, &t->base);
	for (uint32_t k = 0; k < GNTLAB_GUP_COUNT; k++) {
		for (int w = 0; w < 2; w++) {
			struct gntlab_gup_probe g;

			ASSERT_EQ(gt_gup_any(sh->fd, (void *)addr, k, w, &g), 0);
			t->gup_ret[k][w] = g.ret;
			t->gup_pfn[k][w] = g.page_pfn;
		}
	}
}

/* page_count of a stable target's page, via the introspection (after
 * draining the LRU batches, whose references are not leaks). */
static uint32_t pf_count(struct pf_shared *sh, uintptr_t addr, bool lru)
{
	struct gntlab_introspect in;

	if (lru)
		ASSERT_EQ(pu_drain_lru((void *)addr), 0) TH_MSG("move_pages: %s", strerror(errno));
	ASSERT_EQ(gt_introspect_any(sh->fd, (void *)addr, &in), 0);
	ASSERT_TRUE(in.bits & GNTLAB_PAGE_COUNT_VALID);
	return in.page_count;
}

static bool pf_same_live(const struct gntlab_stats *a, const struct gntlab_stats *b)
{
	return a->live_maps == b->live_maps && a->live_grants_user == b->live_grants_user &&
	       a->live_grants_kernel == b->live_grants_kernel && a->pages_held == b->pages_held &&
	       a->deferred_unmaps == b->deferred_unmaps;
}

void probe_fuzz_run(const struct probe_fuzz_opts *o, struct probe_fuzz_result *res)
{
	static struct pf_shared sh;
	struct pf_thread th[PF_THREADS];
	struct dom0_share s_ours, s_gd, s_churn_ours, s_churn_gd;
	struct gntlab_stats st0, st1;
	struct gt_map ours;
	struct gd_map gdm = { .fd = -1 };
	struct pf_mapper mp;
	struct timespec t0, now;
	uint32_t c_ours[2], c_gd[2] = { 0, 0 }, c_anon, c_file;
	int64_t kc_anon;
	unsigned int klog0 = gt_kernel_log_bad_count();
	uintptr_t vs = 0, ve, vvs = 0, vve;
	int file, gd = -1;
	uint8_t *anon, *fmap, *guard, *hole;
	double el = 0;
	char line[256];

	memset(&sh, 0, sizeof(sh));
	pthread_mutex_init(&sh.lock, NULL);
	sh.gd_region = mmap(NULL, PF_GD_REGION, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_TRUE(sh.gd_region != MAP_FAILED);
	sh.fd = gt_open();
	ASSERT_GE(sh.fd, 0);

	/* The stable targets. */
	anon = mmap(NULL, GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(anon != MAP_FAILED);
	memset(anon, 0x5a, GT_PAGE);
	{
		char path[] = "/tmp/gntlab-pf-XXXXXX";
		uint8_t page[GT_PAGE];

		file = mkstemp(path);
		if (file < 0) {
			strcpy(path, "/gntlab-pf-XXXXXX");
			file = mkstemp(path);
		}
		ASSERT_GE(file, 0) TH_MSG("mkstemp: %s", strerror(errno));
		unlink(path);
		memset(page, 0xc3, sizeof(page));
		ASSERT_EQ(write(file, page, sizeof(page)), (ssize_t)sizeof(page));
	}
	fmap = mmap(NULL, GT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
	ASSERT_TRUE(fmap != MAP_FAILED);
	fmap[0] = 1;
	guard = mmap(NULL, GT_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(guard != MAP_FAILED);
	hole = mmap(NULL, 3 * GT_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(hole != MAP_FAILED);
	ASSERT_EQ(munmap(hole + GT_PAGE, GT_PAGE), 0);
	ASSERT_EQ(pu_find_vma("[vdso]", &vs, &ve), 0);
	ASSERT_EQ(pu_find_vma("[vvar]", &vvs, &vve), 0);
	(void)*(volatile uint8_t *)vvs;

	ASSERT_EQ(dom0_share(2, true, 0x7300, &s_ours), 0);
	ASSERT_EQ(dom0_share(PF_CHURN_PAGES, true, 0x7301, &s_churn_ours), 0);
	ASSERT_EQ(gt_map(sh.fd, &s_ours, GNTLAB_MODE_SPECIAL, false, &ours), 0);
	if (gd_available()) {
		gd = gd_open();
		ASSERT_GE(gd, 0) TH_MSG("open %s: %s", GD_DEVICE, strerror(errno));
		ASSERT_EQ(dom0_share(2, true, 0x7302, &s_gd), 0);
		ASSERT_EQ(dom0_share(PF_CHURN_PAGES, true, 0x7303, &s_churn_gd), 0);
		ASSERT_EQ(gd_map_refs(gd, s_gd.domid, s_gd.ref, 2, false, &gdm), 0);
	} else {
		TH_LOG("no %s: no gntdev targets", GD_DEVICE);
	}

	pf_add_target(&sh, PK_ANON, (uintptr_t)anon);
	pf_add_target(&sh, PK_FILE, (uintptr_t)fmap);
	pf_add_target(&sh, PK_GUARD, (uintptr_t)guard);
	pf_add_target(&sh, PK_HOLE, (uintptr_t)(hole + GT_PAGE));
	pf_add_target(&sh, PK_KERNEL, GT_KADDR_TEXT);
	pf_add_target(&sh, PK_KERNEL, GT_KADDR_DIRECTMAP);
	pf_add_target(&sh, PK_KERNEL, GT_KADDR_VSYSCALL);
	pf_add_target(&sh, PK_ZERO, 0);
	pf_add_target(&sh, PK_NONCANON, GT_NONCANONICAL);
	pf_add_target(&sh, PK_VDSO, vs);
	pf_add_target(&sh, PK_VVAR, vvs);
	pf_add_target(&sh, PK_OURS, (uintptr_t)ours.addr);
	pf_add_target(&sh, PK_OURS, (uintptr_t)ours.addr + GT_PAGE);
	if (gd >= 0) {
		pf_add_target(&sh, PK_GNTDEV, (uintptr_t)gdm.addr);
		pf_add_target(&sh, PK_GNTDEV, (uintptr_t)gdm.addr + GT_PAGE);
	}
	/* The baselines themselves, checked once. */
	ASSERT_EQ(sh.t[0].rc, 0);
	ASSERT_EQ(sh.t[2].rc, 0);
	ASSERT_EQ(sh.t[3].rc, ENOENT);
	ASSERT_EQ(sh.t[4].rc, EFAULT);
	ASSERT_EQ(sh.t[7].rc, ENOENT);
	ASSERT_EQ(sh.t[8].rc, EFAULT);
	ASSERT_FALSE(sh.t[11].base.bits & GNTLAB_NOT_OUR_MAP);
	if (gd >= 0)
		ASSERT_TRUE(sh.t[13].base.bits & GNTLAB_NORMAL_PAGE_FOUND);

	c_anon = pf_count(&sh, (uintptr_t)anon, true);
	c_file = pf_count(&sh, (uintptr_t)fmap, true);
	kc_anon = pu_kpagecount(sh.t[0].base.page_pfn);
	for (int i = 0; i < 2; i++) {
		c_ours[i] = pf_count(&sh, (uintptr_t)ours.addr + i * GT_PAGE, false);
		if (gd >= 0)
			c_gd[i] = pf_count(&sh, (uintptr_t)gdm.addr + i * GT_PAGE, false);
	}
	ASSERT_EQ(gt_stats(sh.fd, &st0), 0);

	mp = (struct pf_mapper){ .sh = &sh, .fd = gt_open(), .gd = -1, .ours = &s_churn_ours,
				 .gntdev = &s_churn_gd };
	ASSERT_GE(mp.fd, 0);
	if (gd >= 0) {
		mp.gd = gd_open();
		ASSERT_GE(mp.gd, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	mp.rng.rng = 0x2545f4914f6cdd1dull ^ (uint64_t)t0.tv_nsec;
	TH_LOG("seed %#lx, %d probing threads + 1 mapper, %u stable targets, %d..%d s, goal %lu",
	       (unsigned long)t0.tv_nsec, PF_THREADS, sh.nt, o->min_s, o->max_s, o->goal);
	pthread_t mapper;
	ASSERT_EQ(pthread_create(&mapper, NULL, pf_mapper_run, &mp), 0);
	for (int i = 0; i < PF_THREADS; i++) {
		th[i] = (struct pf_thread){ .sh = &sh,
					    .rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1) ^
						   (uint64_t)t0.tv_nsec };
		ASSERT_EQ(pthread_create(&th[i].tid, NULL, pf_prober, &th[i]), 0);
	}
	for (int tick = 0; (el < o->min_s || atomic_load(&sh.calls) < o->goal) && el < o->max_s;
	     tick++) {
		usleep(100 * 1000);
		clock_gettime(CLOCK_MONOTONIC, &now);
		el = (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
		/* Keeps dom0's per-request deadline moving and shows progress. */
		if (tick % 50 == 49 && o->tick)
			o->tick(atomic_load(&sh.calls), el, o->arg);
	}
	atomic_store(&sh.stop, true);
	for (int i = 0; i < PF_THREADS; i++)
		pthread_join(th[i].tid, NULL);
	pthread_join(mapper, NULL);

	TH_LOG("%lu probes in %.1f s (%.0f/s): INTROSPECT_ANY %lu, GUP_PROBE_ANY %lu, old commands %lu",
	       atomic_load(&sh.calls), el, atomic_load(&sh.calls) / el, atomic_load(&sh.intro),
	       atomic_load(&sh.gup), atomic_load(&sh.old));
	for (int k = 0; k < PK_COUNT; k++)
		TH_LOG("  kind %-13s %lu", pk_name[k], atomic_load(&sh.by_kind[k]));
	TH_LOG("introspect results: ok %lu, ENOENT %lu, EFAULT %lu, EINVAL (old) %lu, other %lu",
	       atomic_load(&sh.rc_ok), atomic_load(&sh.rc_enoent), atomic_load(&sh.rc_efault),
	       atomic_load(&sh.rc_einval), atomic_load(&sh.rc_other));
	TH_LOG("GUP results: 1 page %lu, 0 pages %lu, -EFAULT %lu, other errors %lu",
	       atomic_load(&sh.gup_page), atomic_load(&sh.gup_zero), atomic_load(&sh.gup_efault),
	       atomic_load(&sh.gup_other_err));
	TH_LOG("mapper cycles: ours %lu, gntdev %lu, anon %lu; failures %lu",
	       atomic_load(&sh.cycles[0]), atomic_load(&sh.cycles[1]), atomic_load(&sh.cycles[2]),
	       atomic_load(&sh.map_fail));
	EXPECT_EQ(atomic_load(&sh.mismatch), 0) TH_MSG("first: %s", sh.first_mismatch);
	EXPECT_EQ(atomic_load(&sh.map_fail), 0);
	EXPECT_GT(atomic_load(&sh.cycles[0]), 0);
	if (gd >= 0)
		EXPECT_GT(atomic_load(&sh.cycles[1]), 0);
	EXPECT_GE(atomic_load(&sh.calls), o->goal) TH_MSG("in %.1f s (at most %d)", el, o->max_s);
	res->calls = atomic_load(&sh.calls);
	res->seconds = el;
	res->mismatches = atomic_load(&sh.mismatch);

	/* Refcounts of the known pages. */
	for (int i = 0; i < 2; i++) {
		uint32_t c = pf_count(&sh, (uintptr_t)ours.addr + i * GT_PAGE, false);

		TH_LOG("our map page %d: page_count %u before, %u after", i, c_ours[i], c);
		EXPECT_EQ(c, c_ours[i]);
		if (gd >= 0) {
			c = pf_count(&sh, (uintptr_t)gdm.addr + i * GT_PAGE, false);
			TH_LOG("gntdev page %d: page_count %u before, %u after", i, c_gd[i], c);
			EXPECT_EQ(c, c_gd[i]);
		}
	}
	{
		uint32_t ca = pf_count(&sh, (uintptr_t)anon, true), cf = pf_count(&sh, (uintptr_t)fmap, true);
		int64_t kc = pu_kpagecount(sh.t[0].base.page_pfn);

		TH_LOG("anon page: page_count %u -> %u, kpagecount %lld -> %lld; file page: %u -> %u",
		       c_anon, ca, (long long)kc_anon, (long long)kc, c_file, cf);
		EXPECT_EQ(ca, c_anon);
		EXPECT_EQ(cf, c_file);
		EXPECT_EQ(kc, kc_anon);
	}

	/* The module: back to where it was, then to zero. */
	for (int waited = 0;; waited += 20) {
		ASSERT_EQ(gt_stats(sh.fd, &st1), 0);
		if (pf_same_live(&st0, &st1) || waited >= 5000)
			break;
		usleep(20 * 1000);
	}
	EXPECT_TRUE(pf_same_live(&st0, &st1));
	EXPECT_EQ(st1.map_errors, st0.map_errors);
	EXPECT_EQ(st1.unmap_errors, st0.unmap_errors);
	ASSERT_EQ(gt_unmap(&ours), 0);
	close(mp.fd);
	if (gd >= 0) {
		ASSERT_EQ(gd_unmap(&gdm), 0);
		close(mp.gd);
		close(gd);
	}
	gt_assert_zero(sh.fd);
	EXPECT_EQ(dom0_active(&s_ours), 0);
	EXPECT_EQ(dom0_active(&s_churn_ours), 0);
	ASSERT_EQ(dom0_unshare(&s_ours), 0);
	ASSERT_EQ(dom0_unshare(&s_churn_ours), 0);
	if (gd >= 0) {
		EXPECT_EQ(dom0_active(&s_gd), 0);
		EXPECT_EQ(dom0_active(&s_churn_gd), 0);
		ASSERT_EQ(dom0_unshare(&s_gd), 0);
		ASSERT_EQ(dom0_unshare(&s_churn_gd), 0);
	}
	munmap(anon, GT_PAGE);
	munmap(fmap, GT_PAGE);
	munmap(guard, GT_PAGE);
	munmap(hole, 3 * GT_PAGE);
	munmap(sh.gd_region, PF_GD_REGION);
	close(file);
	close(sh.fd);
	if (gt_kernel_log_bad(line, sizeof(line)))
		TH_LOG("kernel log: %s", line);
	EXPECT_EQ(gt_kernel_log_bad_count(), klog0);
}

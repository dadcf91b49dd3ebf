// SPDX-License-Identifier: GPL-2.0
/*
 * `make soak`, phase 2 in the guest: SOAK_CYCLES map -> use -> teardown
 * cycles over a pool of dom0's pages, each with a random subject (the
 * module's three modes, the kernel's gntdev), size, protection and way of
 * ending; after every cycle the module's counters must be back to zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gt_subject.h"
#include "harness.h"
#include "soak.h"

#define POOL 64			/* pages dom0 shares for the whole phase */
#define MAXPAGES 16		/* pages one cycle maps at most */
#define SEED 0x50a30000u
#define ERRNO_MAX 134

enum way {
	W_MUNMAP,	/* munmap, then release */
	W_PARTIAL,	/* munmap page by page in random order, then release */
	W_MREMAP,	/* mremap to half or double, then unmap what is there */
	W_FORK,		/* a child inherits (or not) and touches it, exits */
	W_KILL,		/* the mapping process is killed at a random moment */
	W_CLOSE,	/* close the fd while mapped, then munmap */
	W_REVOKE,	/* dom0 revokes its grant while mapped */
	W_COUNT
};
static const char *const way_name[W_COUNT] = {
	"munmap", "partial", "mremap", "fork", "kill", "close", "revoke",
};

static uint64_t rng;

static uint32_t below(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) % n);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A slice of the pool as a share of its own (the pattern's page numbers stay the pool's). */
static void slice(const struct dom0_share *pool, uint32_t first, uint32_t n,
		  struct dom0_share *out)
{
	*out = *pool;
	out->count = n;
	memmove(out->ref, pool->ref + first, n * sizeof(out->ref[0]));
}

/* Use: the first bytes of every page hold the pattern; write the second half. */
static int use(uint8_t *a, uint32_t first, uint32_t n, bool ro)
{
	for (uint32_t k = 0; k < n; k++) {
		uint8_t *p = a + (size_t)k * GT_PAGE;

		if (gntlab_pattern_check(p, SEED, first + k, 0, 64) != -1)
			return -1;
		if (!ro)
			p[GT_PAGE / 2 + below(GT_PAGE / 2)] = (uint8_t)k;
	}
	return 0;
}

/* Forget the mapping (its VMA is gone already) so that unmap only releases. */
static void forget_vma(struct gt_smap *m)
{
	m->addr = NULL;
	m->gt.addr = NULL;
	m->gd.addr = NULL;
}

struct tally {
	unsigned long way[W_COUNT], subj[GT_SUBJ_COUNT], pages;
	unsigned long map_errnos[ERRNO_MAX], mremap_ok, mremap_refused, kill_before_map;
	unsigned long bad_use;
};

/* One cycle; 0, or an errno of a map that should have worked. */
static int cycle(int gtfd, const struct dom0_share *pool, uint32_t subj, enum way w,
		 struct tally *t)
{
	uint32_t n = 1 + below(MAXPAGES), first = below(POOL - n + 1);
	bool ro = below(8) == 0 && w != W_REVOKE;
	struct dom0_share s, rs;
	struct gt_smap m;
	int rc, fd = gtfd;
	pid_t pid;

	slice(pool, first, n, &s);
	if (w == W_KILL) {
		/* The child maps and uses it until killed; when is up to chance. */
		pid = fork();
		if (pid < 0)
			return errno;
		if (pid == 0) {
			int cfd = gt_open();

			if (gt_smap_map(cfd, subj, &s, ro, &m))
				_exit(1);
			for (;;)
				use(m.addr, first, n, ro);
		}
		usleep(below(3000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 0;
	}
	if (w == W_REVOKE) {
		/* A share of its own: dom0 revokes it while we map it. */
		n = 1 + below(4);
		if (dom0_share(n, true, SEED, &rs))
			return EIO;
		first = 0;
		s = rs;
	}
	if (w == W_CLOSE && !gt_subject_is_gntdev(subj))
		fd = gt_open();
	rc = gt_smap_map(fd, subj, &s, ro, &m);
	if (rc) {
		if (fd != gtfd)
			close(fd);
		if (w == W_REVOKE)
			dom0_unshare(&rs);
		return rc;
	}
	if (use(m.addr, first, n, ro))
		t->bad_use++;
	switch (w) {
	case W_PARTIAL: {
		uint32_t order[MAXPAGES];

		for (uint32_t k = 0; k < n; k++)
			order[k] = k;
		for (uint32_t k = n; k > 1; k--) {
			uint32_t j = below(k), x = order[k - 1];

			order[k - 1] = order[j];
			order[j] = x;
		}
		for (uint32_t k = 0; k < n; k++)
			munmap(m.addr + (size_t)order[k] * GT_PAGE, GT_PAGE);
		forget_vma(&m);
		break;
	}
	case W_MREMAP: {
		size_t nl = below(2) || n == 1 ? m.len * 2 : (n / 2) * (size_t)GT_PAGE;
		void *na = mremap(m.addr, m.len, nl, MREMAP_MAYMOVE);

		if (na == MAP_FAILED) {
			t->mremap_refused++;
		} else {
			t->mremap_ok++;
			m.addr = m.gt.addr = m.gd.addr = na;
			m.len = m.gt.len = m.gd.len = nl;
			/* Touch only what was mapped before; a grown tail may fault. */
		}
		munmap(m.addr, m.len);
		forget_vma(&m);
		break;
	}
	case W_FORK:
		pid = fork();
		if (pid == 0) {
			volatile uint8_t *p = m.addr;

			(void)*p;	/* VM_DONTCOPY: the child faults; fine */
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		if (use(m.addr, first, n, ro))
			t->bad_use++;
		break;
	case W_CLOSE:
		if (gt_subject_is_gntdev(subj)) {
			close(m.gdfd);
			m.gdfd = -1;
			munmap(m.addr, m.len);
			forget_vma(&m);
			return 0;
		}
		close(fd);
		munmap(m.addr, m.len);
		return 0;
	case W_REVOKE:
		dom0_unshare(&rs);
		/* The page stays (deferred free): still readable here. */
		if (use(m.addr, first, n, ro))
			t->bad_use++;
		break;
	default:
		break;
	}
	rc = gt_smap_unmap(&m);
	if (fd != gtfd)
		close(fd);
	t->pages += n;
	return rc == ENOENT ? 0 : rc;	/* a moved/partial VMA may have released it */
}

TH_DOC(soak, cycles,
	"SOAK_CYCLES cycles over a pool of 64 pages dom0 shares: each maps 1-16 random\n"
	"consecutive pages (one in eight read-only) with a random subject (`special`,\n"
	"`nohook`, `pfnmap`, or the kernel's `gntdev` when present), checks dom0's pattern\n"
	"and writes, then ends one of seven ways: munmap; partial munmaps page by page in\n"
	"random order; mremap to double or half the size; fork (the child touches it and\n"
	"exits); kill -9 of a child that maps and uses it, at a random 0-3 ms after fork;\n"
	"close of the fd while mapped; dom0 revoking a share of its own while mapped (one\n"
	"cycle in fifty). After every cycle the module's counters must be zero within 5 s.\n"
	"Every 100 cycles the rate and the guest's MemFree go to soak.log, with dom0's\n"
	"memory. Asserted: no valid map refused, every page read dom0's pattern, counters\n"
	"zero after each cycle (the failure names the cycle, its subject and its way), the\n"
	"count reached within the time bound, and no slow leak: the guest's MemFree over\n"
	"the last thousand cycles is within 4 MiB of the first thousand (mean of the\n"
	"samples; only with at least 3000 cycles).");
TEST_TIMEOUT(soak, cycles, 7200)
{
	static struct tally t;
	static long samples[100000 / 100 + 2];
	unsigned long goal = soak_env("CYCLES", 200), i, nsamples = 0, failed = 0;
	double bound = soak_env("SECONDS", 600) * 0.9, t0 = mono();
	bool gntdev = gd_available();
	struct dom0_share pool;
	char why[300];
	int gtfd = gt_open();

	if (!goal)
		SKIP("SOAK_CYCLES is 0");
	ASSERT_GE(gtfd, 0);
	rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)t0 ^ (uint64_t)getpid();
	TH_LOG("seed %#llx, %lu cycles, gntdev %s", (unsigned long long)rng, goal,
	       gntdev ? "yes" : "absent");
	ASSERT_EQ(dom0_share(POOL, true, SEED, &pool), 0);
	for (i = 0; i < goal && mono() - t0 < bound; i++) {
		uint32_t subj = below(gntdev ? GT_SUBJ_COUNT : GNTLAB_MODE_COUNT);
		enum way w = below(50) == 0 ? W_REVOKE : (enum way)below(W_REVOKE);
		int rc = cycle(gtfd, &pool, subj, w, &t);

		t.way[w]++;
		t.subj[subj]++;
		if (rc) {
			failed++;
			if (rc > 0 && rc < ERRNO_MAX)
				t.map_errnos[rc]++;
			if (failed == 1)
				TH_LOG("cycle %lu (%s, %s): %s", i, gt_subject_name[subj],
				       way_name[w], strerror(rc));
		}
		ASSERT_EQ(gt_wait_counters_zero(gtfd, 5000, why, sizeof(why)), 0)
			TH_MSG("after cycle %lu (%s, %s): %s", i, gt_subject_name[subj],
			       way_name[w], why);
		if (i % 100 == 99) {
			long kb = soak_guest_free_kb();

			if (nsamples < sizeof(samples) / sizeof(samples[0]))
				samples[nsamples++] = kb;
			soak_record("rate phase=cycles count=%lu seconds=%.1f g_free_kb=%ld", i + 1,
				    mono() - t0, kb);
		}
	}
	ASSERT_EQ(dom0_active(&pool), 0);
	ASSERT_EQ(dom0_unshare(&pool), 0);
	soak_record_errnos("cycles", t.map_errnos, ERRNO_MAX);
	soak_record("summary phase=cycles count=%lu seconds=%.1f failed=%lu bad_use=%lu pages=%lu "
		    "munmap=%lu partial=%lu mremap=%lu fork=%lu kill=%lu close=%lu revoke=%lu "
		    "special=%lu nohook=%lu pfnmap=%lu gntdev=%lu mremap_ok=%lu goal=%lu "
		    "g_free_kb=%ld", i, mono() - t0, failed, t.bad_use, t.pages, t.way[W_MUNMAP],
		    t.way[W_PARTIAL], t.way[W_MREMAP], t.way[W_FORK], t.way[W_KILL], t.way[W_CLOSE],
		    t.way[W_REVOKE], t.subj[0], t.subj[1], t.subj[2],
		    gntdev ? t.subj[GT_SUBJ_GNTDEV] : 0, t.mremap_ok, goal, soak_guest_free_kb());
	TH_LOG("%lu cycles in %.1f s, %lu failed, %lu pages; mremap: %lu moved, %lu refused", i,
	       mono() - t0, failed, t.pages, t.mremap_ok, t.mremap_refused);
	EXPECT_EQ(failed, 0);
	EXPECT_EQ(t.bad_use, 0) TH_MSG("pages that did not read dom0's pattern");
	EXPECT_GE(i, goal) TH_MSG("the time bound (%.0f s) came first", bound);
	if (nsamples >= 30) {
		double a = 0, b = 0;

		for (unsigned long k = 0; k < 10; k++) {
			a += samples[k] / 10.0;
			b += samples[nsamples - 10 + k] / 10.0;
		}
		soak_record("trend phase=cycles first_kb=%.0f last_kb=%.0f samples=%lu", a, b,
			    nsamples);
		EXPECT_LE(a - b, 4096.0) TH_MSG("guest MemFree fell %.0f KiB from the first thousand "
					       "cycles to the last: a slow leak", a - b);
	}
	close(gtfd);
}

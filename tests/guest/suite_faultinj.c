// SPDX-License-Identifier: GPL-2.0
/*
 * faultinj: allocation failures injected into each of the module's own
 * allocation points (the module's fault attribute, restricted to the test's task) while
 * maps, mmaps and unmaps run. The suite's description is SUITE_DOC below,
 * each test's its TH_DOC; the knobs are in faultinj.c; the design and the
 * numbers are in docs/faultinject.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.h"
#include "faultinj.h"
#include "gt.h"
#include "harness.h"

SUITE_DOC(faultinj, "faultinj: allocation failures in the module's own paths",
	"Guest suite `tests/guest/suite_faultinj.c` (knobs: `tests/guest/faultinj.c`;\n"
	"design and numbers: `docs/faultinject.md`). Needs gntlab.ko built for a\n"
	"kernel with `CONFIG_FAULT_INJECTION_DEBUG_FS` (the debug profile: `make\n"
	"faultinject`); elsewhere every test SKIPs with that reason.\n"
	"\n"
	"Every allocation the module makes for a user call goes through a small\n"
	"function that asks the module's fault attribute first\n"
	"(`/sys/kernel/debug/gntlab/fail/`, the kernel's standard knobs plus\n"
	"`point`) and is marked `ALLOW_ERROR_INJECTION` (guest-kmod,\n"
	"`GNTLAB_FI_POINT`). Each `<point>_sweep` test arms one of them,\n"
	"restricted to the test's own task (`task-filter` +\n"
	"`/proc/thread-self/make-it-fail`), and runs a fixed list of scenarios\n"
	"(open/close; MAP/UNMAP of 1 page, of 2048 pages (separate arrays), of more\n"
	"pages than the module's page cache holds; MAP, mmap, touch, fork, partial\n"
	"and full munmap, UNMAP of 1 to 17 real dom0 grants in each mode) once per\n"
	"call of the point: run n fails the point's n-th call (`space` = n,\n"
	"`times` = 1), until a run in which the point is called fewer than n times.\n"
	"\n"
	"Each run must end in one of two ways: the failure surfaces as exactly one\n"
	"failed step, at the stage and with the errno the point's table allows\n"
	"(e.g. `ENOMEM` at MAP), and that step then succeeds when redone without\n"
	"injection; or, for a point whose failure the module absorbs (the one-block\n"
	"map falls back to separate arrays), no step fails. Every run reads back\n"
	"what it mapped (dom0's pattern), and after every run the module's counters\n"
	"are zero; after a failed MAP the module's page cache holds what it held\n"
	"before. The number of calls of the point per scenario is checked against\n"
	"what the code does (e.g. 9 arrays, one PTE per page), every point must have\n"
	"been failed at least once, and the runner's after-test check (counters,\n"
	"kernel log with no WARN/BUG, Xen's grant list) runs after each test.\n"
	"Each test logs `faultinj point <fn>: injected N` and where they surfaced.");

enum fi_stage { FS_NONE, FS_OPEN, FS_MAP, FS_MMAP, FS_FORK, FS_MUNMAP, FS_UNMAP, FS_COUNT };
static const char *const fs_name[FS_COUNT] = {
	"none", "open", "MAP", "mmap", "fork", "munmap", "UNMAP",
};
#define FS_BIT(s) (1u << (s))

/* One injection point of the module (guest-kmod, ALLOW_ERROR_INJECTION). */
struct fi_point {
	const char *fn;
	const char *type;	/* its ALLOW_ERROR_INJECTION type */
	unsigned int stages;	/* FS_BIT()s where it may surface; 0: absorbed */
	int err;		/* the errno it must surface as */
	/* Calls per run of a scenario (below); -1: depends on the page cache. */
	int (*calls)(const struct fi_point *p, int scen);
};

enum fi_kind { SC_OPEN, SC_RESERVE, SC_MAP };
struct fi_scen {
	const char *name;
	enum fi_kind kind;
	uint32_t count;		/* 0: more than the page cache holds (>= 2048) */
	uint32_t mode;
	bool readonly;
};

/* Maps above ~1000 pages get separate arrays (gntlab_pages.c). */
#define FI_BIG 2048u
#define FI_SHARE 17u
static const struct fi_scen scens[] = {
	{ "open", SC_OPEN, 0, 0, false },
	{ "reserve-1", SC_RESERVE, 1, GNTLAB_MODE_SPECIAL, false },
	{ "reserve-2048", SC_RESERVE, FI_BIG, GNTLAB_MODE_NOHOOK, false },
	{ "reserve-beyond-cache", SC_RESERVE, 0, GNTLAB_MODE_PFNMAP, true },
	{ "map-special-1", SC_MAP, 1, GNTLAB_MODE_SPECIAL, false },
	{ "map-nohook-16-ro", SC_MAP, 16, GNTLAB_MODE_NOHOOK, true },
	{ "map-pfnmap-17", SC_MAP, 17, GNTLAB_MODE_PFNMAP, false },
	{ "map-special-17-ro", SC_MAP, 17, GNTLAB_MODE_SPECIAL, true },
};
#define NSCEN (sizeof(scens) / sizeof(scens[0]))

static bool sc_big(int s)
{
	return scens[s].kind == SC_RESERVE && (scens[s].count == 0 || scens[s].count >= FI_BIG);
}

static int calls_open(const struct fi_point *p, int s)
{
	(void)p;
	(void)s;
	return 1;
}

static int calls_map(const struct fi_point *p, int s)
{
	(void)p;
	return scens[s].kind != SC_OPEN;
}

static int calls_big(const struct fi_point *p, int s)
{
	return sc_big(s) ? (strstr(p->fn, "array") ? 9 : 1) : 0;
}

static int calls_pool(const struct fi_point *p, int s)
{
	(void)p;
	if (scens[s].kind == SC_OPEN)
		return 0;
	return scens[s].kind == SC_RESERVE && scens[s].count == 0 ? 1 : -1;
}

static int calls_mmap(const struct fi_point *p, int s)
{
	if (scens[s].kind != SC_MAP)
		return 0;
	return strstr(p->fn, "pte") ? (int)scens[s].count : 1;
}

static const struct fi_point points[] = {
	{ "gntlab_alloc_file", "NULL", FS_BIT(FS_OPEN), ENOMEM, calls_open },
	{ "gntlab_map_alloc_single", "NULL", 0, 0, calls_map },
	{ "gntlab_alloc_map_struct", "NULL", FS_BIT(FS_MAP), ENOMEM, calls_big },
	{ "gntlab_alloc_array", "NULL", FS_BIT(FS_MAP), ENOMEM, calls_big },
	{ "gntlab_alloc_pool_pages", "ERRNO", FS_BIT(FS_MAP), ENOMEM, calls_pool },
	{ "gntlab_notifier_insert", "ERRNO", FS_BIT(FS_MMAP), ENOMEM, calls_mmap },
	{ "gntlab_find_pte_cb", "ERRNO", FS_BIT(FS_MMAP), ENOMEM, calls_mmap },
	/* Skipped, nothing is mapped: every status is "not processed", EIO. */
	{ "gntlab_map_refs", "ERRNO", FS_BIT(FS_MMAP), EIO, calls_mmap },
};
#define NPOINTS (sizeof(points) / sizeof(points[0]))

/* A run's failed steps. */
struct fi_run {
	unsigned int failed;
	enum fi_stage stage;	/* the first one */
	int err;
	long cached_before;
};

/* The module's page cache (debugfs "cached_pages"); -1 if unreadable. */
static long cached_pages(void)
{
	FILE *f = fopen(FI_DEBUGFS "/gntlab/stats", "re");
	char line[128];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "cached_pages %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* A step failed: stop injecting, record it, check what a failed MAP left. */
static void fi_failed(struct fi_run *r, enum fi_stage st, int err)
{
	fi_task(false);
	if (!r->failed++) {
		r->stage = st;
		r->err = err;
	}
	TH_LOG("  %s failed: %s", fs_name[st], strerror(err));
	if (st == FS_MAP && r->cached_before >= 0)
		ASSERT_EQ(cached_pages(), r->cached_before)
			TH_MSG("the page cache after a failed MAP (pages lost or kept)");
}

/* Run `expr` (0 or an errno); on failure record it and redo it uninjected. */
#define FI_STEP(r, st, expr)                                                                       \
	do {                                                                                       \
		int rc_ = (expr);                                                                  \
		if (rc_) {                                                                         \
			fi_failed((r), (st), rc_);                                                 \
			rc_ = (expr);                                                              \
			ASSERT_EQ(rc_, 0) TH_MSG("%s again, without injection: %s", fs_name[st],   \
						 strerror(rc_));                                   \
		}                                                                                  \
	} while (0)

static int fi_open(int *fd)
{
	*fd = gt_open();
	return *fd < 0 ? errno : 0;
}

static int fi_fork(void)
{
	int pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	return gt_wait_child(pid) == 0 ? 0 : ECHILD;
}

static int fi_munmap(void *addr, size_t len)
{
	return munmap(addr, len) ? errno : 0;
}

/*
 * One run of scenario `sc` with the point armed (make-it-fail on): open,
 * MAP, mmap, read the data back (and write a byte), fork, munmap the last
 * page then the rest, UNMAP, close. A failed step is redone without
 * injection, so every run goes to the end.
 */
static void fi_run(const struct fi_scen *sc, const struct dom0_share *sh,
		   struct gntlab_grant_ref *g, uint32_t count, struct fi_run *r)
{
	uint32_t flags = sc->readonly ? GNTLAB_MAP_READONLY : 0;
	int prot = PROT_READ | (sc->readonly ? 0 : PROT_WRITE);
	size_t len = (size_t)count * GT_PAGE;
	uint64_t index = 0;
	uint8_t *a = NULL;
	int fd = -1;

	fi_task(true);
	FI_STEP(r, FS_OPEN, fi_open(&fd));
	if (sc->kind != SC_OPEN) {
		FI_STEP(r, FS_MAP, gt_ioc_map(fd, g, count, sc->mode, flags, &index));
		if (sc->kind == SC_MAP) {
			FI_STEP(r, FS_MMAP,
				gt_mmap_at(fd, index, len, prot, MAP_SHARED, (void **)&a));
			for (uint32_t i = 0; i < count; i++)
				ASSERT_EQ(gntlab_pattern_check(a + (size_t)i * GT_PAGE, sh->seed, i,
							       0, GT_PAGE), -1)
					TH_MSG("page %u of %s", i, sc->name);
			if (!sc->readonly) {
				uint8_t b = a[len - 1];

				a[len - 1] = (uint8_t)~b;
				ASSERT_EQ(a[len - 1], (uint8_t)~b);
				a[len - 1] = b;
			}
			FI_STEP(r, FS_FORK, fi_fork());
			if (count > 1)
				FI_STEP(r, FS_MUNMAP, fi_munmap(a + len - GT_PAGE, GT_PAGE));
			FI_STEP(r, FS_MUNMAP, fi_munmap(a, count > 1 ? len - GT_PAGE : len));
		}
		FI_STEP(r, FS_UNMAP, gt_ioc_unmap(fd, index, count));
	}
	fi_task(false);
	close(fd);
}

FIXTURE(fi)
{
	int fd;			/* for the counters, never armed */
	struct dom0_share share;
	bool shared;
	struct gntlab_grant_ref *g;
};

FIXTURE_VARIANT(fi)
{
	const struct fi_point *p;
};

FIXTURE_VARIANT_ADD(fi, open_file) { .p = &points[0] };
FIXTURE_VARIANT_ADD(fi, map_single) { .p = &points[1] };
FIXTURE_VARIANT_ADD(fi, map_struct) { .p = &points[2] };
FIXTURE_VARIANT_ADD(fi, map_arrays) { .p = &points[3] };
FIXTURE_VARIANT_ADD(fi, pool_pages) { .p = &points[4] };
FIXTURE_VARIANT_ADD(fi, mmap_notifier) { .p = &points[5] };
FIXTURE_VARIANT_ADD(fi, mmap_pte_walk) { .p = &points[6] };
FIXTURE_VARIANT_ADD(fi, mmap_map_refs) { .p = &points[7] };

#define FI_SKIP_WHY "no " FI_DIR " (gntlab.ko built for a kernel without " \
	"CONFIG_FAULT_INJECTION_DEBUG_FS; `make faultinject` boots the debug profile's)"

FIXTURE_SETUP(fi)
{
	(void)variant;
	if (!fi_available())
		SKIP(FI_SKIP_WHY);
	self->fd = gt_open();
	ASSERT_GE(self->fd, 0) TH_MSG("open %s: %s", GNTLAB_DEVICE, strerror(errno));
	/* Refs for the big reservations (never mmapped: their values do not matter). */
	self->g = calloc(4096 + FI_BIG, sizeof(*self->g));
	ASSERT_NONNULL(self->g);
	ASSERT_EQ(dom0_share(FI_SHARE, true, 0xf1a0, &self->share), 0);
	self->shared = true;
}

FIXTURE_TEARDOWN(fi)
{
	(void)variant;
	fi_task(false);
	fi_reset();
	if (self->shared) {
		EXPECT_EQ(dom0_active(&self->share), 0);
		EXPECT_EQ(dom0_unshare(&self->share), 0);
	}
	free(self->g);
	close(self->fd);
}

TH_DOC(faultinj, mechanism,
	"The module's fault attribute itself, before the sweeps rely on it:\n"
	"point `gntlab_alloc_file`, armed for the first call. Without\n"
	"`make-it-fail` on this thread, `open(\"/dev/gntlab\")` must succeed and\n"
	"nothing be injected (`times` still 1: the task filter holds); with it,\n"
	"the open must fail with ENOMEM and `times` read 0; the next open, nothing\n"
	"armed, must succeed. Logs the knobs as read back.");
TEST(faultinj, mechanism)
{
	char d[400];
	bool fired;
	int fd, err;

	if (!fi_available())
		SKIP(FI_SKIP_WHY);
	fi_target("gntlab_alloc_file");
	/* Another task's call (here: this one without make-it-fail) passes. */
	fi_arm(1);
	fd = gt_open();
	err = errno;
	fired = fi_disarm();
	EXPECT_GE(fd, 0) TH_MSG("open without make-it-fail: %s", strerror(err));
	EXPECT_FALSE(fired) TH_MSG("injected into a task without make-it-fail");
	if (fd >= 0)
		close(fd);
	fi_arm(1);
	fi_task(true);
	fi_describe(d, sizeof(d));
	fd = gt_open();
	err = errno;
	fi_task(false);
	fired = fi_disarm();
	TH_LOG("armed: %s", d);
	TH_LOG("open -> %s, injected %d", fd < 0 ? strerror(err) : "ok", fired);
	fi_reset();
	if (fd >= 0)
		close(fd);
	EXPECT_TRUE(fired);
	EXPECT_LT(fd, 0);
	EXPECT_EQ(err, ENOMEM);
	fd = gt_open();
	ASSERT_GE(fd, 0) TH_MSG("open without injection: %s", strerror(errno));
	close(fd);
}

TH_DOC(faultinj, points_listed,
	"The module lists every point the sweeps use in\n"
	"`/sys/kernel/debug/gntlab/fail/points`, and, where the kernel has\n"
	"`CONFIG_FUNCTION_ERROR_INJECTION`, its list of injectable functions\n"
	"(`/sys/kernel/debug/error_injection/list`) names each with the type its\n"
	"callers check (`gntlab_alloc_file [gntlab]` NULL, ...\n"
	"`gntlab_map_refs [gntlab]` ERRNO): a point or marker lost in a\n"
	"refactoring fails here rather than silently never firing.");
TEST(faultinj, points_listed)
{
	static char buf[1 << 16];
	size_t n = 0;
	FILE *f;

	if (!fi_available())
		SKIP(FI_SKIP_WHY);
	for (unsigned int i = 0; i < NPOINTS; i++)
		EXPECT_TRUE(fi_has_point(points[i].fn)) TH_MSG("%s not in " FI_DIR "/points",
								points[i].fn);
	f = fopen(FI_INJECTABLE, "re");
	if (!f) {
		TH_LOG("no %s (no CONFIG_FUNCTION_ERROR_INJECTION): markers not checked",
		       FI_INJECTABLE);
		return;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (unsigned int i = 0; i < NPOINTS; i++) {
		char want[160];

		snprintf(want, sizeof(want), "%s [gntlab]\t%s\n", points[i].fn, points[i].type);
		EXPECT_NONNULL(strstr(buf, want)) TH_MSG("%s not listed as %s", points[i].fn,
							 points[i].type);
	}
}

TH_DOC(faultinj, sweep,
	"One variant per injection point of the module (`<point>_sweep`):\n"
	"`open_file` (`gntlab_alloc_file`, the fd's state: open fails ENOMEM),\n"
	"`map_single` (`gntlab_map_alloc_single`, the one-block map: absorbed, the\n"
	"map falls back to separate arrays and everything must work),\n"
	"`map_struct` / `map_arrays` (`gntlab_alloc_map_struct`, `gntlab_alloc_array`:\n"
	"the separate map and its 9 arrays; MAP fails ENOMEM), `pool_pages`\n"
	"(`gntlab_alloc_pool_pages`, `gnttab_alloc_pages()` beyond the page cache; MAP\n"
	"fails ENOMEM and the cached pages it took go back), `mmap_notifier`\n"
	"(`gntlab_notifier_insert`, the mm's notifier state; mmap ENOMEM),\n"
	"`mmap_pte_walk` (`gntlab_find_pte_cb`, failed at each page in turn as if a\n"
	"page table could not be allocated there; mmap ENOMEM), `mmap_map_refs`\n"
	"(`gntlab_map_refs`, `gnttab_map_refs()` failing before it mapped anything;\n"
	"mmap EIO, every status unprocessed). Each runs every scenario once per call\n"
	"of its point (the suite's description); expected: every injected failure\n"
	"surfaces as one failed step with the point's errno at the point's stage\n"
	"(none for `map_single`), the step succeeds when redone, the data reads\n"
	"right, the counters are zero after each run, Xen lists none of dom0's refs\n"
	"mapped after each scenario, the calls per scenario are what the code makes,\n"
	"and the point was failed at least once.");
TEST_F_TIMEOUT(fi, faultinj, sweep, 180)
{
	const struct fi_point *p = variant->p;
	unsigned int total = 0, by[FS_COUNT] = { 0 }, absorbed = 0;
	char where[200] = "";
	int len = 0;

	fi_target(p->fn);
	for (unsigned int s = 0; s < NSCEN; s++) {
		const struct fi_scen *sc = &scens[s];
		int want = p->calls(p, (int)s);
		unsigned int n, calls = 0;

		for (n = 1; n <= 64; n++) {
			struct fi_run r = { .stage = FS_NONE };
			uint32_t count = sc->count;
			char why[300];
			bool fired;

			r.cached_before = cached_pages();
			ASSERT_GE(r.cached_before, 0) TH_MSG("no cached_pages in gntlab's debugfs stats");
			/* More than the cache holds: exactly one gnttab_alloc_pages(). */
			if (sc->kind == SC_RESERVE && count == 0)
				count = (uint32_t)r.cached_before + 16 > FI_BIG ?
					(uint32_t)r.cached_before + 16 : FI_BIG;
			if (sc->kind == SC_MAP)
				gt_grefs(self->g, self->share.domid, self->share.ref, count);
			else
				memset(self->g, 0, (size_t)count * sizeof(*self->g));
			fi_arm(n);
			fi_run(sc, &self->share, self->g, count, &r);
			fired = fi_disarm();
			ASSERT_EQ(gt_wait_counters_zero(self->fd, 5000, why, sizeof(why)), 0)
				TH_MSG("%s, call %u failed: %s", sc->name, n, why);
			if (!fired) {
				ASSERT_EQ(r.failed, 0)
					TH_MSG("%s: %s failed (%s) with nothing injected", sc->name,
					       fs_name[r.stage], strerror(r.err));
				break;
			}
			calls++;
			if (!p->stages) {
				ASSERT_EQ(r.failed, 0)
					TH_MSG("%s, call %u: an absorbed failure surfaced at %s: %s",
					       sc->name, n, fs_name[r.stage], strerror(r.err));
				absorbed++;
				continue;
			}
			ASSERT_EQ(r.failed, 1) TH_MSG("%s, call %u: injected, %u steps failed",
						      sc->name, n, r.failed);
			ASSERT_TRUE(p->stages & FS_BIT(r.stage))
				TH_MSG("%s, call %u: surfaced at %s", sc->name, n, fs_name[r.stage]);
			ASSERT_EQ(r.err, p->err) TH_MSG("%s, call %u: %s, want %s", sc->name, n,
							strerror(r.err), strerror(p->err));
			by[r.stage]++;
		}
		ASSERT_LE(n, 64) TH_MSG("%s: the point was called more than 64 times", sc->name);
		TH_LOG("%s: %u calls, each failed in turn", sc->name, calls);
		if (want >= 0)
			EXPECT_EQ(calls, want) TH_MSG("calls of %s in %s", p->fn, sc->name);
		if (sc->kind == SC_MAP)
			ASSERT_EQ(dom0_active(&self->share), 0) TH_MSG("after %s", sc->name);
		total += calls;
	}
	for (int st = 0; st < FS_COUNT; st++)
		if (by[st])
			len += snprintf(where + len, sizeof(where) - (size_t)len, "%s%s %s x%u",
					len ? ", " : "", fs_name[st], strerrorname_np(p->err), by[st]);
	if (absorbed)
		snprintf(where + len, sizeof(where) - (size_t)len, "%sabsorbed x%u",
			 len ? ", " : "", absorbed);
	TH_LOG("faultinj point %s: injected %u (%s)", p->fn, total, where);
	ASSERT_GT(total, 0) TH_MSG("%s was never called: marker or path lost", p->fn);
	gt_assert_peer(&self->share, 0xf1a0, 0, GT_PAGE);
}

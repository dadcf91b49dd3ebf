// SPDX-License-Identifier: GPL-2.0
/*
 * The random-input engine against /dev/gntlab: several threads issue random
 * ioctls (command words of our magic, random words, the real commands with
 * random contents), mmaps, munmaps, mprotects, madvises and fd recycling,
 * optionally racing fork and exit of children sharing the mappings. Used by
 * the fuzz suite (suite_fuzz.c, bounded) and `make soak` (soak_ioctls.c).
 * What each command may return is one table, fuzz_errno_allowed().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_gntlab.h"
#include "gt.h"
#include "harness.h"

#define FUZZ_ERRNO_MAX FUZZ_GNTLAB_ERRNO_MAX

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
	const struct dom0_share *share;
	uint8_t *hole;
	atomic_bool stop;
	atomic_ulong calls;
	atomic_ulong ok, mmaps, mmap_ok, wrong_errno, bad_success;
	atomic_int first_bad_cmd, first_bad_errno;
	atomic_ulong forks;
	atomic_ulong errnos[FUZZ_ERRNO_MAX];
	bool fork_exit;
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
		static const uint64_t k[] = { GT_KADDR_DIRECTMAP, GT_KADDR_TEXT, GT_KADDR_VSYSCALL,
					      GT_NONCANONICAL, ~0ull, 1ull << 63 };
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
	const struct dom0_share *s = t->sh->share;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = below(t, 100);

		g[i].domid = r < 80 ? 0 : r < 85 ? t->sh->self : r < 90 ? GT_DOMID_SELF :
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
	gt_ioc_unmap(t->maps[i].fd, t->maps[i].index, t->maps[i].count);
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
		m->mode = below(t, 20) ? below(t, GNTLAB_MODE_COUNT) : (uint32_t)rnd(t);
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
	case GNTLAB_IOC_GUP_PROBE_ANY:
		return e == EFAULT || e == EINVAL || e == EINTR;
	case GNTLAB_IOC_INTROSPECT_ANY:
		return e == EFAULT || e == EINVAL || e == EINTR || e == ENOENT ||
		       e == EOPNOTSUPP;
	default:
		return e == ENOTTY;
	}
}

static bool fuzz_is_valid_cmd(unsigned long cmd)
{
	return cmd == GNTLAB_IOC_MAP || cmd == GNTLAB_IOC_UNMAP ||
	       cmd == GNTLAB_IOC_SET_UNMAP_NOTIFY || cmd == GNTLAB_IOC_STATS ||
	       cmd == GNTLAB_IOC_INTROSPECT || cmd == GNTLAB_IOC_GUP_PROBE ||
	       cmd == GNTLAB_IOC_INTROSPECT_ANY || cmd == GNTLAB_IOC_GUP_PROBE_ANY;
}

static void fuzz_bad(struct fuzz_thread *t, unsigned long cmd, int e, bool success)
{
	int none = 0;

	atomic_fetch_add(success ? &t->sh->bad_success : &t->sh->wrong_errno, 1);
	if (atomic_compare_exchange_strong(&t->sh->first_bad_cmd, &none, (int)cmd))
		atomic_store(&t->sh->first_bad_errno, e);
}

static void fuzz_one_ioctl(struct fuzz_thread *t)
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
	if (e > 0 && e < FUZZ_ERRNO_MAX)
		atomic_fetch_add_explicit(&t->sh->errnos[e], 1, memory_order_relaxed);
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

/*
 * A child that shares this thread's mappings (those fork copies) touches
 * one, makes an ioctl on an inherited fd and exits, or is killed with
 * SIGKILL at a random moment: exit and fork race the other threads.
 */
static void fuzz_fork(struct fuzz_thread *t)
{
	uint32_t wait_us = below(t, 2000);
	bool kill_it = below(t, 2);
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		if (t->nvmas) {
			struct fuzz_vma *v = &t->vmas[below(t, t->nvmas)];
			volatile uint8_t *p = v->addr + below(t, (uint32_t)v->len);

			(void)*p;	/* may fault: the child dies, which is fine */
		}
		if (t->nmaps)
			gt_ioc_unmap(t->maps[0].fd, t->maps[0].index, t->maps[0].count);
		if (kill_it)
			pause();
		_exit(0);
	}
	atomic_fetch_add(&t->sh->forks, 1);
	if (kill_it) {
		usleep(wait_us);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static void *fuzz_run(void *arg)
{
	struct fuzz_thread *t = arg;
	unsigned long iter = 0;

	while (!atomic_load_explicit(&t->sh->stop, memory_order_relaxed)) {
		uint32_t r = below(t, 1000);

		if (t->sh->fork_exit && r == 879) {
			fuzz_fork(t);
		} else if (r < 880) {
			fuzz_one_ioctl(t);
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

void fuzz_gntlab_run(const struct dom0_share *s, const struct fuzz_gntlab_opts *o,
		     struct fuzz_gntlab_stats *st)
{
	static struct fuzz_thread th[FUZZ_GNTLAB_MAX_THREADS];
	static struct fuzz_shared sh;
	unsigned int nth = o->threads ? o->threads : 4;
	struct timespec t0, now;
	double el = 0;

	ASSERT_LE(nth, FUZZ_GNTLAB_MAX_THREADS);
	memset(&sh, 0, sizeof(sh));
	sh.share = s;
	sh.fork_exit = o->fork_exit;
	sh.max_grants = gt_max_grants();
	if (gt_own_domid(&sh.self))
		sh.self = 1;
	sh.hole = gt_hole(FUZZ_HOLE);
	sh.fd = gt_open();
	ASSERT_GE(sh.fd, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st->seed = (uint64_t)t0.tv_nsec ^ o->seed;
	for (unsigned int i = 0; i < nth; i++) {
		struct fuzz_thread *t = &th[i];

		memset(t, 0, sizeof(*t));
		t->sh = &sh;
		t->rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1) ^ st->seed;
		t->scratch = gt_guarded(FUZZ_SCRATCH);
		t->refs = gt_guarded(2048 * sizeof(*t->refs));
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
	TH_LOG("seed %#llx, %u threads, max_grants %u, our domid %u%s",
	       (unsigned long long)st->seed, nth, sh.max_grants, sh.self,
	       o->fork_exit ? ", racing fork/exit/kill -9" : "");
	for (unsigned int i = 0; i < nth; i++)
		ASSERT_EQ(pthread_create(&th[i].tid, NULL, fuzz_run, &th[i]), 0);

	/* Ticks of 100 ms: the run ends within 0.1 s of reaching its goal. */
	for (int tick = 0;; tick++) {
		unsigned long calls;

		usleep(100 * 1000);
		clock_gettime(CLOCK_MONOTONIC, &now);
		el = (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
		calls = atomic_load(&sh.calls);
		/* Keeps dom0's per-request deadline moving and shows progress. */
		if (tick % 50 == 49 && o->tick)
			o->tick(calls, el, o->arg);
		if ((el >= o->min_s && calls >= o->goal) || el >= o->max_s)
			break;
	}
	atomic_store(&sh.stop, true);
	for (unsigned int i = 0; i < nth; i++) {
		pthread_join(th[i].tid, NULL);
		munmap(th[i].ro, GT_PAGE);
	}
	close(sh.fd);
	st->seconds = el;
	st->calls = atomic_load(&sh.calls);
	st->ok = atomic_load(&sh.ok);
	st->mmaps = atomic_load(&sh.mmaps);
	st->mmap_ok = atomic_load(&sh.mmap_ok);
	st->forks = atomic_load(&sh.forks);
	st->wrong_errno = atomic_load(&sh.wrong_errno);
	st->bad_success = atomic_load(&sh.bad_success);
	st->first_bad_cmd = atomic_load(&sh.first_bad_cmd);
	st->first_bad_errno = atomic_load(&sh.first_bad_errno);
	for (int e = 0; e < FUZZ_ERRNO_MAX; e++)
		st->errnos[e] = atomic_load(&sh.errnos[e]);
}

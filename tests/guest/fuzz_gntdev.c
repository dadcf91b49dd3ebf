// SPDX-License-Identifier: GPL-2.0
/*
 * The random-input engine against the kernel's gntdev (/dev/xen/gntdev):
 * several threads issue its ioctls with random arguments, racing mmap,
 * munmap and fd recycling, in a child process (a thread stuck in the
 * kernel cannot hide the verdict). Used by gntdev_badinput/fuzz
 * (suite_gntdev_badinput_fuzz.c) and `make soak` (soak_ioctls.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_gntdev.h"
#include "gntdev_map.h"
#include "gt.h"
#include "harness.h"

#define GF_SCRATCH (64 * 1024)
#define GF_MAPS 8
#define GF_VMAS 4

struct gf_shared {
	int fd;				/* one fd every thread uses */
	const struct dom0_share *share;
	uint8_t *hole;
	atomic_bool stop;
	atomic_ulong calls, ok, mmaps, mmap_ok, copies, bad_errno, bad_success;
	atomic_ulong first_bad;		/* cmd << 8 | errno of the first bad result */
	atomic_ulong errnos[FUZZ_GNTDEV_ERRNO_MAX];
	unsigned int threads;
	double min_s, max_s;
	unsigned long goal;
};

struct gf_map {
	int fd;
	uint64_t index;
	uint32_t count;
};

struct gf_thread {
	pthread_t tid;
	struct gf_shared *sh;
	uint64_t rng;
	int own_fd;
	uint8_t *scratch;		/* GF_SCRATCH bytes before a guard page */
	struct gf_map maps[GF_MAPS];
	unsigned int nmaps;
	struct { uint8_t *addr; size_t len; } vmas[GF_VMAS];
	unsigned int nvmas;
};

static uint64_t rnd(struct gf_thread *t)
{
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545f4914f6cdd1dull;
}

static uint32_t below(struct gf_thread *t, uint32_t n)
{
	return (uint32_t)(rnd(t) % n);
}

/* An argument pointer: the scratch buffer (maybe at its guard page) or one that faults. */
static void *gf_ptr(struct gf_thread *t)
{
	static const uint64_t k[] = { 0, GT_KADDR_DIRECTMAP, GT_KADDR_TEXT, GT_NONCANONICAL };

	switch (below(t, 8)) {
	case 0:
		return (void *)(uintptr_t)(k[below(t, 4)] + below(t, 4096));
	case 1:
		return t->sh->hole + below(t, 1 << 20);
	case 2:
		return t->scratch + GF_SCRATCH - below(t, 32);
	default:
		return t->scratch + below(t, GF_SCRATCH / 2);
	}
}

/* gd_ioctl(), counting refusals by errno. */
static int gf_ioctl(struct gf_thread *t, int fd, unsigned long cmd, void *arg)
{
	int e = gd_ioctl(fd, cmd, arg);

	if (e > 0 && e < FUZZ_GNTDEV_ERRNO_MAX)
		atomic_fetch_add_explicit(&t->sh->errnos[e], 1, memory_order_relaxed);
	return e;
}

static int gf_fd(struct gf_thread *t)
{
	return below(t, 2) ? t->sh->fd : t->own_fd;
}

static void gf_grant(struct gf_thread *t, struct ioctl_gntdev_grant_ref *g)
{
	const struct dom0_share *s = t->sh->share;
	uint32_t r = below(t, 100);

	g->domid = r < 85 ? 0 : r < 90 ? GT_DOMID_SELF : r < 95 ? below(t, 0x8000) : (uint32_t)rnd(t);
	r = below(t, 100);
	g->ref = r < 80 ? s->ref[below(t, s->count)] : r < 90 ? below(t, 16) : (uint32_t)rnd(t);
}

static void gf_bad(struct gf_thread *t, unsigned long cmd, int e)
{
	unsigned long none = 0;

	atomic_fetch_add(e ? &t->sh->bad_errno : &t->sh->bad_success, 1);
	atomic_compare_exchange_strong(&t->sh->first_bad, &none, (cmd & 0xff) << 8 | (unsigned)e);
}

static void gf_forget_fd(struct gf_thread *t, int fd)
{
	for (unsigned int i = 0; i < t->nmaps;)
		if (t->maps[i].fd == fd)
			t->maps[i] = t->maps[--t->nmaps];
		else
			i++;
}

static void gf_map(struct gf_thread *t)
{
	struct ioctl_gntdev_map_grant_ref *r = (void *)t->scratch;
	uint32_t c = below(t, 20) ? 1 + below(t, 8) : (uint32_t[]){ 0, 0x10001, 0x80000000u }[below(t, 3)];
	int fd = gf_fd(t), e;

	r->count = c;
	for (uint32_t i = 0; i < c && i < 8; i++)
		gf_grant(t, &r->refs[i]);
	e = gf_ioctl(t, fd, IOCTL_GNTDEV_MAP_GRANT_REF, below(t, 10) ? (void *)r : gf_ptr(t));
	if (!e && r->count == c && c <= 8 && (void *)r == (void *)t->scratch) {
		if (t->nmaps == GF_MAPS) {
			gd_ioc_unmap(t->maps[0].fd, t->maps[0].index, t->maps[0].count);
			t->maps[0] = t->maps[--t->nmaps];
		}
		t->maps[t->nmaps++] = (struct gf_map){ fd, r->index, c };
	}
	if (e && e != EFAULT && e != EINVAL && e != ENOMEM)
		gf_bad(t, IOCTL_GNTDEV_MAP_GRANT_REF, e);
}

static void gf_mmap(struct gf_thread *t)
{
	struct gf_map *m;
	uint64_t off;
	size_t len;
	void *a;

	if (!t->nmaps || t->nvmas == GF_VMAS)
		return;
	m = &t->maps[below(t, t->nmaps)];
	off = m->index + (below(t, 8) ? 0 : GT_PAGE * below(t, 3));
	len = (size_t)(m->count + (below(t, 8) ? 0 : below(t, 3))) * GT_PAGE;
	atomic_fetch_add(&t->sh->mmaps, 1);
	/* Only shared writable mmaps (or private ones gntdev refuses): a read-only
	 * one with CLEAR_BYTE armed is the hazard of notify_clear_byte_readonly. */
	a = mmap(NULL, len ? len : GT_PAGE, PROT_READ | PROT_WRITE,
		 below(t, 10) ? MAP_SHARED : MAP_PRIVATE, m->fd, (off_t)off);
	if (a != MAP_FAILED) {
		atomic_fetch_add(&t->sh->mmap_ok, 1);
		t->vmas[t->nvmas].addr = a;
		t->vmas[t->nvmas++].len = len ? len : GT_PAGE;
	}
}

static void gf_munmap(struct gf_thread *t)
{
	unsigned int i;

	if (!t->nvmas)
		return;
	i = below(t, t->nvmas);
	munmap(t->vmas[i].addr, t->vmas[i].len);
	t->vmas[i] = t->vmas[--t->nvmas];
}

static void gf_other(struct gf_thread *t)
{
	uint8_t *a = t->scratch + 4096;
	unsigned long cmd;
	void *arg = a;
	int e, fd = gf_fd(t);
	uint32_t r = below(t, 100);

	memset(a, 0, 256);
	if (r < 30) {
		struct ioctl_gntdev_unmap_grant_ref *u = (void *)a;

		cmd = IOCTL_GNTDEV_UNMAP_GRANT_REF;
		if (t->nmaps && below(t, 2)) {
			unsigned int i = below(t, t->nmaps);

			fd = t->maps[i].fd;
			u->index = t->maps[i].index + (below(t, 8) ? 0 : below(t, 3000));
			u->count = below(t, 8) ? t->maps[i].count : below(t, 3);
			t->maps[i] = t->maps[--t->nmaps];
		} else {
			u->index = (uint64_t)below(t, 64) * GT_PAGE;
			u->count = below(t, 4) ? 1 + below(t, 8) : (uint32_t)rnd(t);
		}
	} else if (r < 45) {
		struct ioctl_gntdev_get_offset_for_vaddr *o = (void *)a;

		cmd = IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR;
		o->vaddr = t->nvmas && below(t, 2) ?
			(uint64_t)(uintptr_t)t->vmas[below(t, t->nvmas)].addr + below(t, 8192) :
			(uint64_t)(uintptr_t)gf_ptr(t);
	} else if (r < 60) {
		struct ioctl_gntdev_unmap_notify *n = (void *)a;

		cmd = IOCTL_GNTDEV_SET_UNMAP_NOTIFY;
		n->index = t->nmaps ? t->maps[below(t, t->nmaps)].index + below(t, 8192) : rnd(t);
		/* Never CLEAR_BYTE: armed on a map whose mmap then fails part-way it is
		 * the hazard of notify_clear_byte_failed_map. Other bits: EINVAL. */
		n->action = below(t, 10) ? below(t, 2) * UNMAP_NOTIFY_SEND_EVENT
					 : (uint32_t)rnd(t) | 4;
		n->event_channel_port = below(t, 2) ? below(t, 64) : (uint32_t)rnd(t);
	} else if (r < 90) {
		struct ioctl_gntdev_grant_copy *c = (void *)a;
		struct gntdev_grant_copy_segment *seg = (void *)(a + 64);
		unsigned int n = 1 + below(t, 4);

		cmd = IOCTL_GNTDEV_GRANT_COPY;
		c->count = below(t, 20) ? n : (unsigned int)rnd(t);
		c->segments = below(t, 10) ? seg : gf_ptr(t);
		for (unsigned int i = 0; i < n; i++) {
			struct ioctl_gntdev_grant_ref g;

			seg[i].flags = below(t, 8) ? (below(t, 2) ? GNTCOPY_source_gref : GNTCOPY_dest_gref)
						    : below(t, 4);
			seg[i].len = below(t, 4) ? below(t, 4097) : (uint16_t)rnd(t);
			gf_grant(t, &g);
			/* Local side: our scratch (never a grant mapping) or a faulting pointer. */
			if (seg[i].flags & GNTCOPY_source_gref) {
				seg[i].source.foreign.ref = g.ref;
				seg[i].source.foreign.domid = (domid_t)g.domid;
				seg[i].source.foreign.offset = below(t, 4) ? 0 : below(t, 8192);
			} else {
				seg[i].source.virt = below(t, 6) ? t->scratch + 8192 + below(t, 16384) : gf_ptr(t);
			}
			if (seg[i].flags & GNTCOPY_dest_gref) {
				seg[i].dest.foreign.ref = g.ref;
				seg[i].dest.foreign.domid = (domid_t)g.domid;
				seg[i].dest.foreign.offset = below(t, 4) ? 0 : below(t, 8192);
			} else {
				seg[i].dest.virt = below(t, 6) ? t->scratch + 32768 + below(t, 16384) : gf_ptr(t);
			}
		}
		atomic_fetch_add(&t->sh->copies, 1);
	} else {
		/* Random numbers of 'G', but never SET_UNMAP_NOTIFY (see above). */
		cmd = _IOC(below(t, 4), 'G', below(t, 16), below(t, 64));
		if (cmd == IOCTL_GNTDEV_SET_UNMAP_NOTIFY)
			cmd++;
		arg = below(t, 2) ? (void *)a : gf_ptr(t);
		for (unsigned int i = 0; i < 64; i += 8)
			*(uint64_t *)(a + i) = rnd(t);
	}
	if (below(t, 10) == 0)	/* a pointer that faults (scratch could arm CLEAR_BYTE) */
		arg = (uint8_t *)t->sh->hole + below(t, 1 << 20);
	e = gf_ioctl(t, fd, cmd, arg);
	if (!e) {
		atomic_fetch_add(&t->sh->ok, 1);
		if (cmd != IOCTL_GNTDEV_UNMAP_GRANT_REF && cmd != IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR &&
		    cmd != IOCTL_GNTDEV_SET_UNMAP_NOTIFY && cmd != IOCTL_GNTDEV_GRANT_COPY &&
		    cmd != IOCTL_GNTDEV_MAP_GRANT_REF)
			gf_bad(t, cmd, 0);
		return;
	}
	switch (cmd) {
	case IOCTL_GNTDEV_UNMAP_GRANT_REF:
		if (e != EFAULT && e != ENOENT)
			gf_bad(t, cmd, e);
		break;
	case IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR:
	case IOCTL_GNTDEV_GRANT_COPY:
	case IOCTL_GNTDEV_SET_UNMAP_NOTIFY:
	case IOCTL_GNTDEV_MAP_GRANT_REF:
		if (e != EFAULT && e != EINVAL && e != ENOENT && e != ENOMEM)
			gf_bad(t, cmd, e);
		break;
	default:
		if (e != ENOTTY)
			gf_bad(t, cmd, e);
	}
}

static void *gf_run(void *arg)
{
	struct gf_thread *t = arg;

	while (!atomic_load_explicit(&t->sh->stop, memory_order_relaxed)) {
		uint32_t r = below(t, 1000);

		if (r < 300)
			gf_map(t);
		else if (r < 900)
			gf_other(t);
		else if (r < 950)
			gf_mmap(t);
		else if (r < 995)
			gf_munmap(t);
		else {
			int fd = gd_open();

			if (fd >= 0) {
				gf_forget_fd(t, t->own_fd);
				close(t->own_fd);
				t->own_fd = fd;
			}
			continue;
		}
		atomic_fetch_add_explicit(&t->sh->calls, 1, memory_order_relaxed);
	}
	while (t->nvmas)
		gf_munmap(t);
	close(t->own_fd);
	return NULL;
}

/* Threads of a stuck process: "tid state wchan" of each, for the log. */
static void log_threads(pid_t pid)
{
	char path[96], line[256], w[64];
	FILE *f;

	for (int tid = pid; tid < pid + 64; tid++) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
		snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", pid, tid);
		f = fopen(path, "re");
		w[0] = 0;
		if (f) {
			if (!fgets(w, sizeof(w), f))
				w[0] = 0;
			fclose(f);
		}
		TH_LOG("stuck thread: %.80s wchan %s", line, w);
	}
}

/* The fuzz run itself, in a child: a thread stuck in the kernel cannot hide the verdict. */
static void gf_child(struct gf_shared *sh)
{
	static struct gf_thread th[FUZZ_GNTDEV_MAX_THREADS];
	struct timespec t0, now;
	double el;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0; i < sh->threads; i++) {
		memset(&th[i], 0, sizeof(th[i]));
		th[i].sh = sh;
		th[i].rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1) ^ (uint64_t)t0.tv_nsec;
		th[i].scratch = gt_guarded(GF_SCRATCH);
		th[i].own_fd = gd_open();
		if (th[i].own_fd < 0 || pthread_create(&th[i].tid, NULL, gf_run, &th[i]))
			_exit(2);
	}
	do {
		usleep(200 * 1000);
		clock_gettime(CLOCK_MONOTONIC, &now);
		el = (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
	} while ((el < sh->min_s || atomic_load(&sh->calls) < sh->goal) && el < sh->max_s);
	atomic_store(&sh->stop, true);
	for (unsigned int i = 0; i < sh->threads; i++)
		pthread_join(th[i].tid, NULL);
	close(sh->fd);
	_exit(0);
}

void fuzz_gntdev_run(const struct dom0_share *s, const struct fuzz_gntdev_opts *o,
		     struct fuzz_gntdev_result *res)
{
	struct gf_shared *sh;
	int st = 0, done = 0;
	double waited = 0;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	sh->share = s;
	sh->threads = o->threads ? o->threads : 4;
	ASSERT_LE(sh->threads, FUZZ_GNTDEV_MAX_THREADS);
	sh->min_s = o->min_s;
	sh->max_s = o->max_s;
	sh->goal = o->goal;
	sh->hole = gt_hole(1 << 20);
	sh->fd = gd_open();
	ASSERT_GE(sh->fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		gf_child(sh);
	close(sh->fd);
	TH_LOG("%u threads for %.0f..%.0f s (goal %lu calls) in process %d", sh->threads,
	       o->min_s, o->max_s, o->goal, (int)pid);
	/* The child's own bound, then 20 s for its threads to come back. */
	for (int tick = 0; !done && waited < o->max_s + 20; tick++) {
		done = waitpid(pid, &st, WNOHANG) == pid;
		if (!done) {
			usleep(100 * 1000);
			waited += 0.1;
			if (tick % 50 == 49 && o->tick)
				o->tick(atomic_load(&sh->calls), waited, o->arg);
		}
	}
	if (!done) {
		log_threads(pid);
		kill(pid, SIGKILL);
	}
	res->done = done;
	res->status = st;
	res->seconds = waited;
	res->calls = atomic_load(&sh->calls);
	res->ok = atomic_load(&sh->ok);
	res->copies = atomic_load(&sh->copies);
	res->mmaps = atomic_load(&sh->mmaps);
	res->mmap_ok = atomic_load(&sh->mmap_ok);
	res->bad_errno = atomic_load(&sh->bad_errno);
	res->bad_success = atomic_load(&sh->bad_success);
	res->first_bad = atomic_load(&sh->first_bad);
	for (int e = 0; e < FUZZ_GNTDEV_ERRNO_MAX; e++)
		res->errnos[e] = atomic_load(&sh->errnos[e]);
	munmap(sh, sizeof(*sh));
}

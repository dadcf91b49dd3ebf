// SPDX-License-Identifier: GPL-2.0
/*
 * teardown: every way a grant mapping of /dev/gntlab can end, checked from
 * the guest (module counters, kernel log, the mapping itself) and from dom0
 * and Xen (the granter's pages, Xen's list of mapped grants). See
 * docs/tests/teardown.md.
 *
 * The user half of a grant (the PTE Xen wrote) must be unmapped by the
 * module's mmu interval notifier before the core mm zaps the PTE: a grant
 * PTE cleared by the core is an implicit unmap (release Xen: a leaked
 * grant; debug Xen: #GP), and in special mode zap_pte_range() would ask
 * find_special_page() for a page whose reference and mapcount the mapping
 * never took ("Bad page map"). The kernel half (the kernel alias) waits for
 * extra page references (GUP) before it goes.
 *
 * Besides the checks in each test, the suite runner's leak check after every
 * test asserts module counters zero, a clean kernel log and Xen listing no
 * grant of dom0 mapped by the guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdint.h>
#include <xen/xen.h>	/* domid_t, for xen/sys/evtchn.h */
#include <xen/sys/evtchn.h>

#include "../crash_patterns.h"
#include "gt.h"
#include "harness.h"

#define ZERO_MS 5000
/* vm_flags bits (include/linux/mm.h, 6.1), for the log only. */
#define VMF_DONTCOPY 0x00020000ULL
#define VMF_WIPEONFORK 0x02000000ULL

struct td {
	int fd;
	struct peer_share share;
	struct gt_map map;
};

static void wait_zero(int fd)
{
	char why[300];

	ASSERT_EQ(gt_wait_counters_zero(fd, ZERO_MS, why, sizeof(why)), 0) TH_MSG("%s", why);
}

static void get_stats(int fd, struct gntlab_stats *st)
{
	ASSERT_EQ(gt_stats(fd, st), 0);
}

static void expect_pages(const uint8_t *addr, uint32_t seed, uint32_t first, uint32_t n)
{
	for (uint32_t i = first; i < first + n; i++)
		ASSERT_EQ(gntlab_pattern_check(addr + (size_t)i * GT_PAGE, seed, i, 0, GT_PAGE), -1)
			TH_MSG("page %u", i);
}

static void peer_intact(const struct peer_share *s, uint32_t seed, uint32_t off, uint32_t len)
{
	char why[256];

	ASSERT_EQ(peer_check(s, seed, off, len, why, sizeof(why)), 0) TH_MSG("dom0: %s", why);
}

/* dom0 shares `count` writable pages with pattern(seed); map them (special mode). */
static void td_map(struct td *t, uint32_t count, uint32_t seed)
{
	t->fd = gt_open();
	ASSERT_GE(t->fd, 0) TH_MSG("open %s: %s", GNTLAB_DEVICE, strerror(errno));
	ASSERT_EQ(peer_share(count, true, seed, &t->share), 0);
	ASSERT_EQ(gt_map(t->fd, &t->share, GNTLAB_MODE_SPECIAL, false, &t->map), 0);
	expect_pages(t->map.addr, seed, 0, count);
	ASSERT_EQ(peer_active(&t->share), count);
}

/* Count the kernel log's crash-pattern lines (to compare before/after). */
static unsigned int klog_bad_lines(void)
{
	static char buf[1 << 18];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (unsigned int)crash_count(buf, CRASH_KLOG);
}

/* An offset in page `page` whose pattern byte is not 0 (so clearing shows). */
static uint32_t nonzero_offset(uint32_t seed, uint32_t page)
{
	uint32_t off = 100;

	while (!gntlab_pattern_byte(seed, page, off))
		off++;
	return off;
}

static int wait_child(pid_t pid)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

static const char *status_str(int st, char *buf, size_t len)
{
	if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by %s", strsignal(WTERMSIG(st)));
	else
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	return buf;
}

/*
 * Full munmap: the notifier unmaps both halves at once (no extra page
 * reference), Xen lists nothing mapped before GNTLAB_IOC_UNMAP, and the map
 * itself goes with the index.
 */
TEST(teardown, munmap_full)
{
	struct gntlab_stats st;
	struct td t;

	td_map(&t, 4, 0x7e01);
	get_stats(t.fd, &st);
	EXPECT_EQ(st.live_grants_user, 4);
	EXPECT_EQ(st.live_grants_kernel, 4);
	ASSERT_EQ(munmap(t.map.addr, t.map.len), 0);
	t.map.addr = NULL;
	get_stats(t.fd, &st);
	TH_LOG("after munmap: maps %llu user %llu kernel %llu deferred %llu pages %llu",
	       (unsigned long long)st.live_maps, (unsigned long long)st.live_grants_user,
	       (unsigned long long)st.live_grants_kernel,
	       (unsigned long long)st.deferred_unmaps, (unsigned long long)st.pages_held);
	EXPECT_EQ(st.live_grants_user, 0);
	EXPECT_EQ(st.live_grants_kernel, 0);
	EXPECT_EQ(st.live_maps, 1);	/* the index still holds the map */
	ASSERT_EQ(peer_active(&t.share), 0);
	ASSERT_EQ(gt_unmap(&t.map), 0);
	wait_zero(t.fd);
	peer_intact(&t.share, 0x7e01, 0, GT_PAGE);
	ASSERT_EQ(peer_unshare(&t.share), 0);
}

/*
 * Regression, gntdev "Accommodate VMA splitting" (6.1-rc1): munmap of the
 * middle page of a 3-page mapping splits the VMA (->open for the new VMA,
 * the notifier for the middle range only). Before the fix gntdev unmapped
 * by whole map and the core zapped grant PTEs itself: "Bad page map".
 * Each page comes from its own share, so dom0/Xen can tell exactly which
 * ref went inactive.
 */
TEST(teardown, vma_split_accommodate)
{
	struct peer_share s[3], all;
	struct gntlab_introspect in;
	struct gntlab_gup_probe gp;
	struct gntlab_stats st;
	unsigned int bad0 = klog_bad_lines();
	struct gt_map m;
	uint8_t *a;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	memset(&all, 0, sizeof(all));
	for (int k = 0; k < 3; k++) {
		ASSERT_EQ(peer_share(1, true, 0x7e10 + k, &s[k]), 0);
		all.domid = s[k].domid;
		all.ref[all.count++] = s[k].ref[0];
	}
	ASSERT_EQ(gt_map(fd, &all, GNTLAB_MODE_SPECIAL, false, &m), 0);
	a = m.addr;
	/* Page k of the mapping is page 0 of share k. */
	for (int k = 0; k < 3; k++)
		ASSERT_EQ(gntlab_pattern_check(a + k * GT_PAGE, 0x7e10 + k, 0, 0, GT_PAGE), -1)
			TH_MSG("page %d", k);

	ASSERT_EQ(munmap(a + GT_PAGE, GT_PAGE), 0);
	EXPECT_EQ(klog_bad_lines(), bad0) TH_MSG("new WARN/BUG/Bad page lines after partial munmap");
	for (int k = 0; k < 3; k += 2) {
		ASSERT_EQ(gntlab_pattern_check(a + k * GT_PAGE, 0x7e10 + k, 0, 0, GT_PAGE), -1)
			TH_MSG("page %d after the split", k);
		ASSERT_EQ(gt_introspect(fd, a + k * GT_PAGE, &in), 0);
		EXPECT_TRUE(in.bits & GNTLAB_GRANT_MAPPED);
		EXPECT_EQ(in.page_index, k);
	}
	/* The middle address is no longer in any VMA of ours. */
	EXPECT_NE(gt_introspect(fd, a + GT_PAGE, &in), 0);
	ASSERT_EQ(peer_active(&s[0]), 1);
	ASSERT_EQ(peer_active(&s[1]), 0);
	ASSERT_EQ(peer_active(&s[2]), 1);
	get_stats(fd, &st);
	EXPECT_EQ(st.live_grants_user, 2);
	EXPECT_EQ(st.live_grants_kernel, 2);
	EXPECT_EQ(st.deferred_unmaps, 0);
	EXPECT_EQ(st.pages_held, 3);
	/* The hook still finds the right page in the split-off tail VMA. */
	ASSERT_EQ(gt_gup(fd, a + 2 * GT_PAGE, GNTLAB_GUP_SLOW, false, &gp), 0);
	EXPECT_EQ(gp.ret, 1);
	EXPECT_EQ(gp.same_page, 1);
	/* Both remaining pieces still write through to dom0. */
	gntlab_pattern_fill(a, 0x7e20, 0, 0, GT_PAGE);
	gntlab_pattern_fill(a + 2 * GT_PAGE, 0x7e22, 0, 0, GT_PAGE);
	peer_intact(&s[0], 0x7e20, 0, GT_PAGE);
	peer_intact(&s[2], 0x7e22, 0, GT_PAGE);
	peer_intact(&s[1], 0x7e11, 0, GT_PAGE);

	/* Unmap the rest (the hole in between is fine for munmap). */
	ASSERT_EQ(gt_unmap(&m), 0);
	wait_zero(fd);
	EXPECT_EQ(klog_bad_lines(), bad0);
	for (int k = 0; k < 3; k++) {
		ASSERT_EQ(peer_active(&s[k]), 0) TH_MSG("share %d", k);
		ASSERT_EQ(peer_unshare(&s[k]), 0);
	}
}

/*
 * close(fd) before munmap: the VMA holds the file (and a map reference),
 * so the mapping keeps working; the map is released after the munmap
 * (gntdev: gntdev_release only drops the index, the VMA's reference keeps
 * the map).
 */
TEST(teardown, close_before_munmap)
{
	struct gntlab_stats st;
	struct td t;
	int sfd = gt_open();

	ASSERT_GE(sfd, 0);
	td_map(&t, 2, 0x7e30);
	ASSERT_EQ(close(t.fd), 0);
	t.map.reserved = false;		/* the index went with the fd */
	expect_pages(t.map.addr, 0x7e30, 0, 2);
	gntlab_pattern_fill(t.map.addr + GT_PAGE / 2, 0x7e31, 0, GT_PAGE / 2, GT_PAGE / 2);
	gntlab_pattern_fill(t.map.addr + GT_PAGE + GT_PAGE / 2, 0x7e31, 1, GT_PAGE / 2,
			    GT_PAGE / 2);
	peer_intact(&t.share, 0x7e31, GT_PAGE / 2, GT_PAGE / 2);
	get_stats(sfd, &st);
	EXPECT_EQ(st.live_maps, 1);
	EXPECT_EQ(st.live_grants_user, 2);
	ASSERT_EQ(peer_active(&t.share), 2);
	ASSERT_EQ(munmap(t.map.addr, t.map.len), 0);
	wait_zero(sfd);
	ASSERT_EQ(peer_active(&t.share), 0);
	ASSERT_EQ(peer_unshare(&t.share), 0);
	close(sfd);
}

/*
 * Process exit with a live mapping (no munmap, no close): exit_mmap() ->
 * mmu_notifier_release() runs the interval notifier, which must unmap the
 * grants before the PTEs are zapped; the file release frees the map.
 */
TEST(teardown, exit_with_live_mapping)
{
	struct peer_share s;
	int ready[2], go[2], fd = gt_open();
	char c = 0, buf[64];
	pid_t pid;
	int st;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(peer_share(3, true, 0x7e40, &s), 0);
	ASSERT_EQ(pipe(ready), 0);
	ASSERT_EQ(pipe(go), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct gt_map m;
		int cfd = gt_open();

		if (cfd < 0 || gt_map(cfd, &s, GNTLAB_MODE_SPECIAL, false, &m))
			_exit(2);
		for (uint32_t i = 0; i < 3; i++)
			if (gntlab_pattern_check(m.addr + i * GT_PAGE, 0x7e40, i, 0, GT_PAGE) != -1)
				_exit(3);
		if (write(ready[1], "m", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(4);
		_exit(0);	/* mapping, reservation and fd all still live */
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(read(ready[0], &c, 1), 1) TH_MSG("child did not map");
	ASSERT_EQ(peer_active(&s), 3);
	ASSERT_EQ(write(go[1], "x", 1), 1);
	st = wait_child(pid);
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_MSG("child: %s",
								  status_str(st, buf, sizeof(buf)));
	wait_zero(fd);
	ASSERT_EQ(peer_active(&s), 0);
	peer_intact(&s, 0x7e40, 0, GT_PAGE);
	ASSERT_EQ(peer_unshare(&s), 0);
}

/*
 * SIGKILL while a process is reading and writing the mapping: the same
 * exit path as above, entered asynchronously (the process may be in the
 * middle of a fault or a store). Nothing may stay mapped.
 */
TEST(teardown, sigkill_mid_use)
{
	struct peer_share s;
	int ready[2], fd = gt_open();
	char c = 0, buf[64];
	pid_t pid;
	int st;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(peer_share(4, true, 0x7e50, &s), 0);
	ASSERT_EQ(pipe(ready), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct gt_map m;
		volatile uint32_t sum = 0;
		int cfd = gt_open();

		if (cfd < 0 || gt_map(cfd, &s, GNTLAB_MODE_SPECIAL, false, &m))
			_exit(2);
		if (write(ready[1], "m", 1) != 1)
			_exit(4);
		for (uint32_t seed = 0x7e51;; seed++)
			for (uint32_t i = 0; i < 4; i++) {
				volatile uint8_t *p = m.addr + i * GT_PAGE;

				for (uint32_t j = 0; j < GT_PAGE / 2; j++)
					sum += p[j];
				gntlab_pattern_fill(m.addr + i * GT_PAGE + GT_PAGE / 2, seed, i,
						    GT_PAGE / 2, GT_PAGE / 2);
			}
	}
	close(ready[1]);
	ASSERT_EQ(read(ready[0], &c, 1), 1) TH_MSG("child did not map");
	usleep(200 * 1000);
	ASSERT_EQ(peer_active(&s), 4);
	ASSERT_EQ(kill(pid, SIGKILL), 0);
	st = wait_child(pid);
	ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_MSG("child: %s", status_str(st, buf, sizeof(buf)));
	wait_zero(fd);
	ASSERT_EQ(peer_active(&s), 0);
	/* The half the child only read is untouched. */
	peer_intact(&s, 0x7e50, 0, GT_PAGE / 2);
	ASSERT_EQ(peer_unshare(&s), 0);
}

/*
 * fork: VM_DONTCOPY (gntdev sets it in PV) keeps the VMA out of the child,
 * which therefore gets SIGSEGV at the address; the parent's mapping is
 * untouched (dup_mmap() skips the VMA, no ->open, no PTE copy).
 */
TEST(teardown, fork_dontcopy)
{
	struct gntlab_introspect in;
	struct gntlab_stats st;
	char buf[64];
	struct td t;
	pid_t pid;
	int ws;

	td_map(&t, 2, 0x7e60);
	ASSERT_EQ(gt_introspect(t.fd, t.map.addr, &in), 0);
	TH_LOG("vm_flags %#llx", (unsigned long long)in.vm_flags);
	EXPECT_TRUE(in.vm_flags & VMF_DONTCOPY);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		volatile uint8_t x = t.map.addr[0];

		_exit(x == gntlab_pattern_byte(0x7e60, 0, 0) ? 10 : 11);
	}
	ws = wait_child(pid);
	TH_LOG("child touching the address: %s", status_str(ws, buf, sizeof(buf)));
	ASSERT_TRUE(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGSEGV)
		TH_MSG("child: %s", status_str(ws, buf, sizeof(buf)));
	expect_pages(t.map.addr, 0x7e60, 0, 2);
	ASSERT_EQ(peer_active(&t.share), 2);
	get_stats(t.fd, &st);
	EXPECT_EQ(st.live_grants_user, 2);
	ASSERT_EQ(gt_unmap(&t.map), 0);
	wait_zero(t.fd);
	ASSERT_EQ(peer_active(&t.share), 0);
	ASSERT_EQ(peer_unshare(&t.share), 0);
}

/*
 * MADV_DOFORK clears VM_DONTCOPY (madvise refuses it only for VM_IO), so the
 * VMA is copied by fork. Open question: what the child sees. The module
 * also sets VM_WIPEONFORK, for which dup_mmap() skips copy_page_range():
 * expected an empty VMA in the child (SIGBUS on touch, no fault handler).
 * Recorded, not asserted; asserted: the parent's mapping is intact, nothing
 * crashes, nothing leaks.
 */
TEST(teardown, madv_dofork)
{
	struct gntlab_introspect in;
	char buf[64], line[160];
	int p[2], rc, err, ws;
	uint8_t rep[3] = { 0 };
	struct td t;
	pid_t pid;

	td_map(&t, 2, 0x7e70);
	rc = madvise(t.map.addr, t.map.len, MADV_DOFORK);
	err = errno;
	ASSERT_EQ(gt_introspect(t.fd, t.map.addr, &in), 0);
	TH_LOG("madvise(MADV_DOFORK) = %d (%s), vm_flags now %#llx (DONTCOPY %d, WIPEONFORK %d)",
	       rc, rc ? strerror(err) : "ok", (unsigned long long)in.vm_flags,
	       !!(in.vm_flags & VMF_DONTCOPY), !!(in.vm_flags & VMF_WIPEONFORK));
	ASSERT_EQ(pipe(p), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		FILE *f = fopen("/proc/self/maps", "r");
		char want[32];

		/* rep[0]: the child has a VMA at the address; rep[1..2]: what it read. */
		snprintf(want, sizeof(want), "%lx-", (unsigned long)t.map.addr);
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, want, strlen(want)))
				rep[0] = 1;
		if (write(p[1], rep, 1) != 1)
			_exit(4);
		rep[1] = t.map.addr[0];
		rep[2] = t.map.addr[GT_PAGE];
		if (write(p[1], rep + 1, 2) != 2)
			_exit(4);
		_exit(0);
	}
	close(p[1]);
	rc = (int)read(p[0], rep, 1);
	ASSERT_EQ(rc, 1) TH_MSG("child reported nothing");
	rc = (int)read(p[0], rep + 1, 2);
	ws = wait_child(pid);
	if (rc == 2)
		TH_LOG("child: VMA %s, read %#x %#x (grant data would be %#x %#x): %s",
		       rep[0] ? "present" : "absent", rep[1], rep[2],
		       gntlab_pattern_byte(0x7e70, 0, 0), gntlab_pattern_byte(0x7e70, 1, 0),
		       status_str(ws, buf, sizeof(buf)));
	else
		TH_LOG("child: VMA %s, touching it: %s", rep[0] ? "present" : "absent",
		       status_str(ws, buf, sizeof(buf)));
	expect_pages(t.map.addr, 0x7e70, 0, 2);
	ASSERT_EQ(peer_active(&t.share), 2);
	ASSERT_EQ(gt_unmap(&t.map), 0);
	wait_zero(t.fd);
	ASSERT_EQ(peer_active(&t.share), 0);
	ASSERT_EQ(peer_unshare(&t.share), 0);
}

/*
 * mremap growing the mapping: VM_DONTEXPAND makes vma_to_resize() refuse
 * with EFAULT (with or without MREMAP_MAYMOVE), before anything is touched.
 * The mapping must be unaffected.
 */
TEST(teardown, mremap_grow)
{
	struct td t;
	void *r;
	int err;

	td_map(&t, 2, 0x7e80);
	r = mremap(t.map.addr, t.map.len, t.map.len + GT_PAGE, 0);
	err = errno;
	TH_LOG("mremap grow in place: %s", r == MAP_FAILED ? strerror(err) : "succeeded");
	ASSERT_TRUE(r == MAP_FAILED);
	EXPECT_EQ(err, EFAULT);
	r = mremap(t.map.addr, t.map.len, 4 * t.map.len, MREMAP_MAYMOVE);
	err = errno;
	TH_LOG("mremap grow, may move: %s", r == MAP_FAILED ? strerror(err) : "succeeded");
	ASSERT_TRUE(r == MAP_FAILED);
	EXPECT_EQ(err, EFAULT);
	expect_pages(t.map.addr, 0x7e80, 0, 2);
	ASSERT_EQ(peer_active(&t.share), 2);
	ASSERT_EQ(gt_unmap(&t.map), 0);
	wait_zero(t.fd);
	ASSERT_EQ(peer_active(&t.share), 0);
	ASSERT_EQ(peer_unshare(&t.share), 0);
}

static sigjmp_buf touch_jmp;

static void touch_handler(int sig)
{
	siglongjmp(touch_jmp, sig);
}

/* Read one byte; returns 0 and the value, or the signal it raised. */
static int touch(const volatile uint8_t *p, uint8_t *val)
{
	struct sigaction sa = { .sa_handler = touch_handler }, old_bus, old_segv;
	int sig;

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(touch_jmp, 1);
	if (!sig)
		*val = *p;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig;
}

/*
 * mremap moving the mapping (same size, MREMAP_FIXED): move_vma() runs the
 * notifier over the old range (move_page_tables), so the grants are
 * unmapped and the PTEs Xen wrote are never moved; the new VMA has no
 * PTEs and no fault handler. Recorded: whether the move is allowed and
 * what a touch of the new address gives. Asserted: no grant stays mapped
 * behind the module's back (Xen's count agrees with the module's), the
 * data is not stale, nothing leaks.
 */
TEST(teardown, mremap_move)
{
	struct gntlab_stats st;
	struct td t;
	uint8_t v = 0;
	void *dst, *r;
	int err, sig;
	long active;

	td_map(&t, 2, 0x7e90);
	dst = mmap(NULL, t.map.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(dst != MAP_FAILED);
	r = mremap(t.map.addr, t.map.len, t.map.len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	err = errno;
	TH_LOG("mremap move: %s", r == MAP_FAILED ? strerror(err) : "succeeded");
	get_stats(t.fd, &st);
	active = peer_active(&t.share);
	TH_LOG("after: module user %llu kernel %llu, Xen active %ld",
	       (unsigned long long)st.live_grants_user,
	       (unsigned long long)st.live_grants_kernel, active);
	/* Whatever happened, Xen and the module agree on what is mapped. */
	EXPECT_EQ(active, st.live_grants_user);
	if (r == MAP_FAILED) {
		munmap(dst, t.map.len);
		expect_pages(t.map.addr, 0x7e90, 0, 2);
		EXPECT_EQ(active, 2);
	} else {
		t.map.addr = r;
		EXPECT_EQ(active, 0);
		sig = touch(t.map.addr, &v);
		TH_LOG("touching the moved mapping: %s",
		       sig ? strsignal(sig) : "read a byte");
		/* A read that succeeds must not return the old grant's data. */
		if (!sig)
			EXPECT_NE(v, gntlab_pattern_byte(0x7e90, 0, 0));
	}
	ASSERT_EQ(gt_unmap(&t.map), 0);
	wait_zero(t.fd);
	ASSERT_EQ(peer_active(&t.share), 0);
	peer_intact(&t.share, 0x7e90, 0, GT_PAGE);
	ASSERT_EQ(peer_unshare(&t.share), 0);
}

/*
 * mremap shrinking the mapping: a munmap of the tail (do_vmi_munmap with a
 * VMA split), so the notifier unmaps exactly the tail pages.
 */
TEST(teardown, mremap_shrink)
{
	struct gntlab_stats st;
	struct td t;
	void *r;

	td_map(&t, 3, 0x7ea0);
	r = mremap(t.map.addr, t.map.len, GT_PAGE, 0);
	ASSERT_TRUE(r == t.map.addr) TH_MSG("mremap shrink: %s", strerror(errno));
	expect_pages(t.map.addr, 0x7ea0, 0, 1);
	ASSERT_EQ(peer_active(&t.share), 1);
	get_stats(t.fd, &st);
	EXPECT_EQ(st.live_grants_user, 1);
	EXPECT_EQ(st.live_grants_kernel, 1);
	ASSERT_EQ(gt_unmap(&t.map), 0);	/* munmap of the full length is fine */
	wait_zero(t.fd);
	ASSERT_EQ(peer_active(&t.share), 0);
	ASSERT_EQ(peer_unshare(&t.share), 0);
}

/*
 * A GUP reference held across munmap: vmsplice() takes a reference on the
 * page through find_special_page() (GUP-slow) and the pipe keeps it. munmap
 * must still unmap the user half at once (the PTE goes), but the kernel
 * half must stay until the pipe lets go of the page (the rule of
 * gnttab_unmap_refs_async(): page_count() > 1 -> wait): the pipe reads the
 * frame through the kernel alias. Xen keeps listing that one grant. After
 * the pipe is drained everything returns to zero.
 */
TEST(teardown, gup_vmsplice_deferred)
{
	struct gntlab_stats st;
	uint8_t buf[GT_PAGE];
	int p[2];
	struct iovec iov;
	struct td t;
	ssize_t n;

	td_map(&t, 2, 0x7eb0);
	ASSERT_EQ(pipe(p), 0);
	iov.iov_base = t.map.addr;
	iov.iov_len = GT_PAGE;
	n = vmsplice(p[1], &iov, 1, 0);
	ASSERT_EQ(n, GT_PAGE) TH_MSG("vmsplice: %s", strerror(errno));
	ASSERT_EQ(gt_unmap(&t.map), 0);
	get_stats(t.fd, &st);
	TH_LOG("page in the pipe: maps %llu user %llu kernel %llu deferred %llu pages %llu",
	       (unsigned long long)st.live_maps, (unsigned long long)st.live_grants_user,
	       (unsigned long long)st.live_grants_kernel,
	       (unsigned long long)st.deferred_unmaps, (unsigned long long)st.pages_held);
	EXPECT_EQ(st.live_grants_user, 0);
	EXPECT_EQ(st.live_grants_kernel, 1);
	EXPECT_EQ(st.deferred_unmaps, 1);
	EXPECT_EQ(st.live_maps, 1);
	ASSERT_EQ(peer_active(&t.share), 1);
	/* Still held a while later: the module waits, it does not give up. */
	usleep(500 * 1000);
	get_stats(t.fd, &st);
	EXPECT_EQ(st.live_grants_kernel, 1);
	EXPECT_EQ(st.deferred_unmaps, 1);
	ASSERT_EQ(peer_active(&t.share), 1);
	/* The pipe reads the granted frame through the kernel alias. */
	ASSERT_EQ(read(p[0], buf, sizeof(buf)), (ssize_t)sizeof(buf));
	EXPECT_EQ(gntlab_pattern_check(buf, 0x7eb0, 0, 0, GT_PAGE), -1);
	close(p[0]);
	close(p[1]);
	wait_zero(t.fd);
	ASSERT_EQ(peer_active(&t.share), 0);
	ASSERT_EQ(peer_unshare(&t.share), 0);
}

/*
 * The granter revokes while the guest maps: xengntshr_unshare() ->
 * gntalloc -> gnttab_end_foreign_access(), which finds the grant in use
 * (GTF_reading/GTF_writing) and defers freeing the page (the XSA-396
 * design) instead of freeing a page the guest still maps. The guest keeps
 * reading the data; once it unmaps, Xen lists nothing. Recorded: whether
 * the revoked ref can still be mapped again meanwhile (the grant entry
 * stays valid until the deferred end_foreign_access succeeds).
 */
TEST(teardown, granter_revokes_while_mapped)
{
	char why[300];
	struct gt_map again;
	unsigned int n = 0;
	struct td t;
	int rc;

	td_map(&t, 2, 0x7ec0);
	ASSERT_EQ(peer_unshare(&t.share), 0);
	expect_pages(t.map.addr, 0x7ec0, 0, 2);
	gntlab_pattern_fill(t.map.addr, 0x7ec1, 0, 0, GT_PAGE);
	expect_pages(t.map.addr, 0x7ec1, 0, 1);
	/* The share record is gone in dom0; ask Xen through the leak check. */
	rc = peer_leakcheck(why, sizeof(why));
	TH_LOG("while mapped after revoke: leakcheck rc %d: %s", rc, why);
	ASSERT_EQ(rc, 1);
	ASSERT_EQ(sscanf(why, "Xen lists %u", &n), 1);
	ASSERT_EQ(n, 2);
	rc = gt_map(t.fd, &t.share, GNTLAB_MODE_SPECIAL, true, &again);
	TH_LOG("mapping the revoked refs again: %s", rc ? strerror(rc) : "mapped");
	if (!rc) {
		TH_LOG("  and it reads %s", gntlab_pattern_check(again.addr, 0x7ec1, 0, 0,
								   GT_PAGE) == -1 ?
						    "the data written after the revoke" :
						    "something else");
		ASSERT_EQ(gt_unmap(&again), 0);
	}
	ASSERT_EQ(gt_unmap(&t.map), 0);
	wait_zero(t.fd);
	ASSERT_EQ(peer_leakcheck(why, sizeof(why)), 0) TH_MSG("%s", why);
}

static void set_notify(int fd, const struct gt_map *m, uint32_t byte, uint32_t action,
		       uint32_t port)
{
	struct gntlab_unmap_notify n = {
		.index = m->index + byte, .action = action, .event_channel_port = port,
	};

	ASSERT_EQ(ioctl(fd, GNTLAB_IOC_SET_UNMAP_NOTIFY, &n), 0)
		TH_MSG("SET_UNMAP_NOTIFY: %s", strerror(errno));
}

/*
 * Unmap notify, CLEAR_BYTE (gntdev's UNMAP_NOTIFY_CLEAR_BYTE, the
 * libvchan "other side is gone" signal): when the page holding the byte is
 * unmapped, the byte is zeroed in the granter's page first; every other
 * byte of the pages is untouched.
 */
TEST(teardown, unmap_notify_clear_byte)
{
	uint32_t off = nonzero_offset(0x7ed0, 1);
	struct td t;

	td_map(&t, 2, 0x7ed0);
	set_notify(t.fd, &t.map, GT_PAGE + off, GNTLAB_NOTIFY_CLEAR_BYTE, 0);
	ASSERT_EQ(peer_byte(&t.share, 1, off), gntlab_pattern_byte(0x7ed0, 1, off));
	ASSERT_EQ(munmap(t.map.addr, t.map.len), 0);
	t.map.addr = NULL;
	/* Cleared when the page was unmapped, not only when the map is freed. */
	ASSERT_EQ(peer_byte(&t.share, 1, off), 0);
	ASSERT_EQ(peer_active(&t.share), 0);
	ASSERT_EQ(gt_unmap(&t.map), 0);
	wait_zero(t.fd);
	ASSERT_EQ(peer_byte(&t.share, 1, off), 0);
	ASSERT_EQ(peer_byte(&t.share, 0, off), gntlab_pattern_byte(0x7ed0, 0, off));
	peer_intact(&t.share, 0x7ed0, 0, off);
	peer_intact(&t.share, 0x7ed0, off + 1, GT_PAGE - off - 1);
	ASSERT_EQ(peer_unshare(&t.share), 0);
}

/* An unbound event channel port of ours that dom0 may bind; -1 to skip. */
static int evtchn_for_dom0(int *efd, uint32_t *port)
{
	struct ioctl_evtchn_bind_unbound_port b = { .remote_domain = 0 };
	char text[128];
	int rc;

	*efd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC);
	if (*efd < 0)
		return -1;
	rc = ioctl(*efd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);
	ASSERT_GT(rc, 0) TH_MSG("IOCTL_EVTCHN_BIND_UNBOUND_PORT: %s", strerror(errno));
	*port = (uint32_t)rc;
	ASSERT_EQ(peer_evtchn_bind(*port, text, sizeof(text)), 0) TH_MSG("%s", text);
	TH_LOG("guest port %u, dom0 port %s", *port, text);
	return 0;
}

/*
 * Unmap notify with SEND_EVENT, plain case: IOC_UNMAP first, then munmap
 * frees the map. dom0 must get the event, and at the moment it sees it the
 * byte must already be 0 and Xen must list none of the refs as mapped
 * (so the granter can end foreign access at once).
 */
TEST(teardown, unmap_notify_event)
{
	uint32_t off = nonzero_offset(0x7ee0, 1), port;
	struct peer_evtchn_event ev;
	struct gntlab_unmap u;
	struct td t;
	int efd;

	if (evtchn_for_dom0(&efd, &port))
		SKIP("/dev/xen/evtchn: %s", strerror(errno));
	td_map(&t, 2, 0x7ee0);
	set_notify(t.fd, &t.map, GT_PAGE + off,
		   GNTLAB_NOTIFY_CLEAR_BYTE | GNTLAB_NOTIFY_SEND_EVENT, port);
	u = (struct gntlab_unmap){ .index = t.map.index, .count = t.map.count };
	ASSERT_EQ(ioctl(t.fd, GNTLAB_IOC_UNMAP, &u), 0);
	t.map.reserved = false;
	ASSERT_EQ(peer_evtchn_wait(200, NULL, 0, 0, &ev), 0);
	EXPECT_EQ(ev.fired, 0) TH_MSG("event while still mmapped");
	ASSERT_EQ(munmap(t.map.addr, t.map.len), 0);
	t.map.addr = NULL;
	ASSERT_EQ(peer_evtchn_wait(5000, &t.share, 1, off, &ev), 0);
	TH_LOG("event: fired %d after %ld ms, byte then %d, Xen active then %ld", ev.fired,
	       ev.waited_ms, ev.byte, ev.active);
	ASSERT_EQ(ev.fired, 1);
	EXPECT_EQ(ev.byte, 0);
	EXPECT_EQ(ev.active, 0);
	wait_zero(t.fd);
	EXPECT_EQ(peer_evtchn_close(), 0);
	close(efd);
	ASSERT_EQ(peer_unshare(&t.share), 0);
}

/*
 * Regression, unmap-notify order (gntdev sent the event before the grants
 * were unmapped, so the granter's end_foreign_access raced the mapping):
 * the event may go only once no grant of the map is mapped any more. A
 * vmsplice'd page keeps its kernel half mapped after munmap + IOC_UNMAP,
 * so the event must wait for the pipe to be drained: dom0 must see no
 * event before, and when it arrives, the byte 0 and nothing mapped.
 */
TEST(teardown, unmap_notify_order)
{
	uint32_t off = nonzero_offset(0x7ef0, 0), port;
	struct peer_evtchn_event ev;
	uint8_t buf[GT_PAGE];
	struct iovec iov;
	struct td t;
	int efd, p[2];

	if (evtchn_for_dom0(&efd, &port))
		SKIP("/dev/xen/evtchn: %s", strerror(errno));
	td_map(&t, 2, 0x7ef0);
	set_notify(t.fd, &t.map, off, GNTLAB_NOTIFY_CLEAR_BYTE | GNTLAB_NOTIFY_SEND_EVENT,
		   port);
	ASSERT_EQ(pipe(p), 0);
	iov.iov_base = t.map.addr;
	iov.iov_len = GT_PAGE;
	ASSERT_EQ(vmsplice(p[1], &iov, 1, 0), GT_PAGE) TH_MSG("vmsplice: %s", strerror(errno));
	ASSERT_EQ(gt_unmap(&t.map), 0);
	/* The byte went with the user half; the kernel half of page 0 waits. */
	ASSERT_EQ(peer_byte(&t.share, 0, off), 0);
	ASSERT_EQ(peer_evtchn_wait(500, &t.share, 0, off, &ev), 0);
	TH_LOG("page held by the pipe: event fired %d, Xen active %ld", ev.fired,
	       peer_active(&t.share));
	ASSERT_EQ(ev.fired, 0) TH_MSG("event sent while page 0 was still mapped");
	ASSERT_EQ(peer_active(&t.share), 1);
	ASSERT_EQ(read(p[0], buf, sizeof(buf)), (ssize_t)sizeof(buf));
	/* The pipe saw the cleared byte (same frame), the rest intact. */
	EXPECT_EQ(buf[off], 0);
	EXPECT_EQ(gntlab_pattern_check(buf, 0x7ef0, 0, 0, off), -1);
	close(p[0]);
	close(p[1]);
	ASSERT_EQ(peer_evtchn_wait(5000, &t.share, 0, off, &ev), 0);
	TH_LOG("after draining: fired %d after %ld ms, byte then %d, Xen active then %ld",
	       ev.fired, ev.waited_ms, ev.byte, ev.active);
	ASSERT_EQ(ev.fired, 1);
	EXPECT_EQ(ev.byte, 0);
	EXPECT_EQ(ev.active, 0);
	wait_zero(t.fd);
	EXPECT_EQ(peer_evtchn_close(), 0);
	close(efd);
	ASSERT_EQ(peer_unshare(&t.share), 0);
}

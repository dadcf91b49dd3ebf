// SPDX-License-Identifier: GPL-2.0
/*
 * teardown: every way a grant mapping of /dev/gntlab can end, checked from
 * the guest (module counters, kernel log, the mapping itself) and from dom0
 * and Xen (the granter's pages, Xen's list of mapped grants). The unmap
 * notification tests are in suite_teardown_notify.c. The suite's description
 * is SUITE_DOC below, each test's its TH_DOC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>	/* vmsplice */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.h"
#include "../crash_patterns.h"
#include "gt.h"
#include "harness.h"

/* vm_flags bits (include/linux/mm.h, 6.1), for the log only. */
#define VMF_DONTCOPY 0x00020000ULL
#define VMF_WIPEONFORK 0x02000000ULL

SUITE_DOC(teardown, "teardown: every way a grant mapping ends",
	"Guest suite `tests/guest/suite_teardown.c` (the unmap-notify tests:\n"
	"`tests/guest/suite_teardown_notify.c`). Each test has dom0 share\n"
	"writable pages (gntalloc, filled with `pattern(seed)`), maps them through\n"
	"`/dev/gntlab` in `special` mode (VM_MIXEDMAP + `find_special_page`, the\n"
	"upstream gntdev contract), ends the mapping one way, and checks the result\n"
	"from three sides:\n"
	"\n"
	"- the guest: the module's counters (`GNTLAB_IOC_STATS`), what the remaining\n"
	"  mapping reads, the kernel log;\n"
	"- dom0: the bytes of its own pages (`check`, and the new `byte` request);\n"
	"- Xen: how many refs of the share it lists as mapped (`active`, from the\n"
	"  hypervisor's `g` dump; it counts both the user PTE and the kernel alias\n"
	"  mapping of a grant).\n"
	"\n"
	"After every test the runner's leak check also runs (counters zero within\n"
	"5 s, no WARN/BUG/\"Bad page\" in the guest log, Xen listing no grant of dom0\n"
	"mapped by the guest).\n"
	"\n"
	"Background (docs/module.md): each grant is mapped twice, at the user PTE\n"
	"(Xen writes it, special bit set) and at the kernel alias of a ballooned\n"
	"page. The module's mmu interval notifier unmaps the user half before the\n"
	"core zaps the PTE: a grant PTE cleared by the core is an implicit unmap\n"
	"(release Xen: a leaked grant; debug Xen: #GP), and in special mode\n"
	"`zap_pte_range()` would ask `find_special_page()` for a page whose reference\n"
	"and mapcount the mapping never took (\"Bad page map\"). The kernel half is\n"
	"unmapped only when nobody else holds a reference to the page (GUP): it\n"
	"waits for extra page references before it goes.\n"
	"\n"
	"For the unmap-notify tests dom0 got three new requests\n"
	"(served by `dom0-tools/guest_requests.c`, verbs in `dom0-tools/gntlab_proto.c`):\n"
	"`byte <id> <page> <off>`, `evtchn-bind <guest port>` (libxenevtchn,\n"
	"interdomain bind to a port the guest allocated with\n"
	"`IOCTL_EVTCHN_BIND_UNBOUND_PORT`), `evtchn-wait <ms> [<id> <page> <off>]`\n"
	"(on the event's arrival dom0 first reads the byte and Xen's count of mapped\n"
	"refs) and `evtchn-close`.\n"
	"\n"
	"Observed while writing them: Xen's `evtchn_bind_interdomain()` marks the\n"
	"binder's new port pending on purpose (\"we may have lost notifications on\n"
	"the remote unbound port\"), so dom0 sees one event right after binding that\n"
	"the guest never sent. `evtchn-bind` consumes it; without that, every\n"
	"\"no event yet\" check fails.");

static void get_stats(int fd, struct gntlab_stats *st)
{
	ASSERT_EQ(gt_stats(fd, st), 0);
}

TH_DOC(teardown, munmap_full,
	"A full munmap of a 4-page mapping, with the map's index still reserved.\n"
	"Expected: right after munmap the module counts no user and no kernel grant\n"
	"(no extra page reference, so both halves go at once), one live map (the\n"
	"index), and Xen lists none of the refs; after `GNTLAB_IOC_UNMAP` all\n"
	"counters are zero and dom0's data is intact. Guards the notifier path\n"
	"(`gntlab_invalidate` → `gntlab_user_unmap`) for the common case.");
TEST(teardown, munmap_full)
{
	struct gntlab_stats st;
	struct gt_shared t;

	gt_share_map(&t, 4, 0x7e01, GNTLAB_MODE_SPECIAL);
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
	ASSERT_EQ(dom0_active(&t.share), 0);
	ASSERT_EQ(gt_unmap(&t.map), 0);
	gt_assert_zero(t.fd);
	gt_assert_peer(&t.share, 0x7e01, 0, GT_PAGE);
	ASSERT_EQ(dom0_unshare(&t.share), 0);
}

TH_DOC(teardown, vma_split_accommodate,
	"Regression for gntdev's \"Accommodate VMA splitting\" (6.1-rc1). Three pages,\n"
	"each from its own 1-page share so Xen's count tells exactly which ref is\n"
	"mapped. munmap of the middle page splits the VMA (`__split_vma` → `->open`)\n"
	"and the notifier fires for the middle page only. Expected: no new\n"
	"WARN/BUG/\"Bad page map\" line in the kernel log; pages 0 and 2 still read\n"
	"their own share's pattern and still write through to dom0; introspection\n"
	"shows them mapped with their page index; the middle address is no longer\n"
	"ours; Xen lists share 0 and 2 mapped and share 1 not; the module counts 2\n"
	"user + 2 kernel grants, 3 pages held; GUP-slow on the split-off tail still\n"
	"gets the map's page through `find_special_page`. Then the rest is unmapped\n"
	"and everything goes to zero. Before the fix, gntdev unmapped per whole map\n"
	"and the core zapped grant PTEs itself, asking `find_special_page` for a\n"
	"page whose mapcount was never taken (\"Bad page map\").");
TEST(teardown, vma_split_accommodate)
{
	struct dom0_share s[3], all;
	struct gntlab_introspect in;
	struct gntlab_gup_probe gp;
	struct gntlab_stats st;
	unsigned int bad0 = gt_kernel_log_bad_count();
	struct gt_map m;
	uint8_t *a;
	int fd = gt_open();

	ASSERT_GE(fd, 0);
	memset(&all, 0, sizeof(all));
	for (int k = 0; k < 3; k++) {
		ASSERT_EQ(dom0_share(1, true, 0x7e10 + k, &s[k]), 0);
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
	EXPECT_EQ(gt_kernel_log_bad_count(), bad0) TH_MSG("new WARN/BUG/Bad page lines after partial munmap");
	for (int k = 0; k < 3; k += 2) {
		ASSERT_EQ(gntlab_pattern_check(a + k * GT_PAGE, 0x7e10 + k, 0, 0, GT_PAGE), -1)
			TH_MSG("page %d after the split", k);
		ASSERT_EQ(gt_introspect(fd, a + k * GT_PAGE, &in), 0);
		EXPECT_TRUE(in.bits & GNTLAB_GRANT_MAPPED);
		EXPECT_EQ(in.page_index, k);
	}
	/* The middle address is no longer in any VMA of ours. */
	EXPECT_NE(gt_introspect(fd, a + GT_PAGE, &in), 0);
	ASSERT_EQ(dom0_active(&s[0]), 1);
	ASSERT_EQ(dom0_active(&s[1]), 0);
	ASSERT_EQ(dom0_active(&s[2]), 1);
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
	gt_assert_peer(&s[0], 0x7e20, 0, GT_PAGE);
	gt_assert_peer(&s[2], 0x7e22, 0, GT_PAGE);
	gt_assert_peer(&s[1], 0x7e11, 0, GT_PAGE);

	/* Unmap the rest (the hole in between is fine for munmap). */
	ASSERT_EQ(gt_unmap(&m), 0);
	gt_assert_zero(fd);
	EXPECT_EQ(gt_kernel_log_bad_count(), bad0);
	for (int k = 0; k < 3; k++) {
		ASSERT_EQ(dom0_active(&s[k]), 0) TH_MSG("share %d", k);
		ASSERT_EQ(dom0_unshare(&s[k]), 0);
	}
}

TH_DOC(teardown, close_before_munmap,
	"close(fd) while mapped. The VMA holds the file and a reference to the map,\n"
	"so the mapping keeps reading and writing through to dom0, the map stays\n"
	"live (`live_maps` 1, Xen lists the refs), and it is released by the later\n"
	"munmap (counters zero, Xen lists nothing). As gntdev: release drops only\n"
	"the index.");
TEST(teardown, close_before_munmap)
{
	struct gntlab_stats st;
	struct gt_shared t;
	int sfd = gt_open();

	ASSERT_GE(sfd, 0);
	gt_share_map(&t, 2, 0x7e30, GNTLAB_MODE_SPECIAL);
	ASSERT_EQ(close(t.fd), 0);
	t.map.reserved = false;		/* the index went with the fd */
	gt_assert_pages(t.map.addr, 0x7e30, 0, 2);
	gntlab_pattern_fill(t.map.addr + GT_PAGE / 2, 0x7e31, 0, GT_PAGE / 2, GT_PAGE / 2);
	gntlab_pattern_fill(t.map.addr + GT_PAGE + GT_PAGE / 2, 0x7e31, 1, GT_PAGE / 2,
			    GT_PAGE / 2);
	gt_assert_peer(&t.share, 0x7e31, GT_PAGE / 2, GT_PAGE / 2);
	get_stats(sfd, &st);
	EXPECT_EQ(st.live_maps, 1);
	EXPECT_EQ(st.live_grants_user, 2);
	ASSERT_EQ(dom0_active(&t.share), 2);
	ASSERT_EQ(munmap(t.map.addr, t.map.len), 0);
	gt_assert_zero(sfd);
	ASSERT_EQ(dom0_active(&t.share), 0);
	ASSERT_EQ(dom0_unshare(&t.share), 0);
	close(sfd);
}

TH_DOC(teardown, exit_with_live_mapping,
	"A child maps a share and exits without munmap, `GNTLAB_IOC_UNMAP` or close.\n"
	"`exit_mmap()` → `mmu_notifier_release()` runs the interval notifier\n"
	"(blockable) before the PTEs are zapped, then the file release drops the\n"
	"index. Expected: Xen lists the refs while the child lives; after it exits,\n"
	"the module's counters go to zero, Xen lists nothing, dom0's data intact.");
TEST(teardown, exit_with_live_mapping)
{
	struct dom0_share s;
	int ready[2], go[2], fd = gt_open();
	char c = 0, buf[64];
	pid_t pid;
	int st;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(dom0_share(3, true, 0x7e40, &s), 0);
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
	ASSERT_EQ(dom0_active(&s), 3);
	ASSERT_EQ(write(go[1], "x", 1), 1);
	st = gt_wait_child(pid);
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_MSG("child: %s",
								  gt_status_str(st, buf, sizeof(buf)));
	gt_assert_zero(fd);
	ASSERT_EQ(dom0_active(&s), 0);
	gt_assert_peer(&s, 0x7e40, 0, GT_PAGE);
	ASSERT_EQ(dom0_unshare(&s), 0);
}

TH_DOC(teardown, sigkill_mid_use,
	"Same exit path entered asynchronously: a child reads the first half and\n"
	"writes the second half of 4 mapped pages in a loop and is SIGKILLed.\n"
	"Expected: the child dies of SIGKILL, counters zero, Xen lists nothing, the\n"
	"half the child only read is intact in dom0.");
TEST(teardown, sigkill_mid_use)
{
	struct dom0_share s;
	int ready[2], fd = gt_open();
	char c = 0, buf[64];
	pid_t pid;
	int st;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(dom0_share(4, true, 0x7e50, &s), 0);
	ASSERT_EQ(pipe(ready), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct gt_map m;
		int cfd = gt_open();

		if (cfd < 0 || gt_map(cfd, &s, GNTLAB_MODE_SPECIAL, false, &m))
			_exit(2);
		if (write(ready[1], "m", 1) != 1)
			_exit(4);
		gt_churn_forever(m.addr, 4, 0x7e50);
	}
	close(ready[1]);
	ASSERT_EQ(read(ready[0], &c, 1), 1) TH_MSG("child did not map");
	usleep(200 * 1000);
	ASSERT_EQ(dom0_active(&s), 4);
	ASSERT_EQ(kill(pid, SIGKILL), 0);
	st = gt_wait_child(pid);
	ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_MSG("child: %s", gt_status_str(st, buf, sizeof(buf)));
	gt_assert_zero(fd);
	ASSERT_EQ(dom0_active(&s), 0);
	/* The half the child only read is untouched. */
	gt_assert_peer(&s, 0x7e50, 0, GT_PAGE / 2);
	ASSERT_EQ(dom0_unshare(&s), 0);
}

TH_DOC(teardown, fork_dontcopy,
	"`VM_DONTCOPY` (gntdev sets it in PV) keeps the VMA out of a forked child:\n"
	"`dup_mmap()` skips it. Expected: `vm_flags` has VM_DONTCOPY; the child\n"
	"dies of SIGSEGV touching the address; the parent's mapping still reads the\n"
	"pattern, Xen lists both refs, the module counts 2 user grants.\n"
	"Observed: `vm_flags 0x1e0600fb`, child killed by SIGSEGV.");
TEST(teardown, fork_dontcopy)
{
	struct gntlab_introspect in;
	struct gntlab_stats st;
	char buf[64];
	struct gt_shared t;
	pid_t pid;
	int ws;

	gt_share_map(&t, 2, 0x7e60, GNTLAB_MODE_SPECIAL);
	ASSERT_EQ(gt_introspect(t.fd, t.map.addr, &in), 0);
	TH_LOG("vm_flags %#llx", (unsigned long long)in.vm_flags);
	EXPECT_TRUE(in.vm_flags & VMF_DONTCOPY);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		volatile uint8_t x = t.map.addr[0];

		_exit(x == gntlab_pattern_byte(0x7e60, 0, 0) ? 10 : 11);
	}
	ws = gt_wait_child(pid);
	TH_LOG("child touching the address: %s", gt_status_str(ws, buf, sizeof(buf)));
	ASSERT_TRUE(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGSEGV)
		TH_MSG("child: %s", gt_status_str(ws, buf, sizeof(buf)));
	gt_assert_pages(t.map.addr, 0x7e60, 0, 2);
	ASSERT_EQ(dom0_active(&t.share), 2);
	get_stats(t.fd, &st);
	EXPECT_EQ(st.live_grants_user, 2);
	ASSERT_EQ(gt_unmap(&t.map), 0);
	gt_assert_zero(t.fd);
	ASSERT_EQ(dom0_active(&t.share), 0);
	ASSERT_EQ(dom0_unshare(&t.share), 0);
}

TH_DOC(teardown, madv_dofork,
	"Open question from the reference notes: `MADV_DOFORK` clears VM_DONTCOPY\n"
	"(`madvise_behavior()` refuses it only for VM_IO), so fork copies the VMA.\n"
	"The module also sets `VM_WIPEONFORK`, for which `dup_mmap()` calls `->open`\n"
	"but skips `copy_page_range()`: the child should get an empty VMA, and a\n"
	"touch faults into `do_fault()` without a `->fault` handler → SIGBUS.\n"
	"Recorded (TH_LOG), not asserted: madvise's result, the VMA flags after it,\n"
	"whether the child has the VMA, and what a touch gives (or what it reads).\n"
	"Asserted: the parent's mapping intact, Xen lists both refs, and after\n"
	"unmap nothing is left (including the child's VMA reference to the map).\n"
	"Observed: madvise succeeds, flags `0x1e0400fb` (DONTCOPY cleared,\n"
	"WIPEONFORK kept); the child has the VMA and dies of SIGBUS on touch — as\n"
	"the module documentation predicts. No grant PTE reaches the child.");
TEST(teardown, madv_dofork)
{
	struct gntlab_introspect in;
	char buf[64], line[160];
	int p[2], rc, err, ws;
	uint8_t rep[3] = { 0 };
	struct gt_shared t;
	pid_t pid;

	gt_share_map(&t, 2, 0x7e70, GNTLAB_MODE_SPECIAL);
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
	ws = gt_wait_child(pid);
	if (rc == 2)
		TH_LOG("child: VMA %s, read %#x %#x (grant data would be %#x %#x): %s",
		       rep[0] ? "present" : "absent", rep[1], rep[2],
		       gntlab_pattern_byte(0x7e70, 0, 0), gntlab_pattern_byte(0x7e70, 1, 0),
		       gt_status_str(ws, buf, sizeof(buf)));
	else
		TH_LOG("child: VMA %s, touching it: %s", rep[0] ? "present" : "absent",
		       gt_status_str(ws, buf, sizeof(buf)));
	gt_assert_pages(t.map.addr, 0x7e70, 0, 2);
	ASSERT_EQ(dom0_active(&t.share), 2);
	ASSERT_EQ(gt_unmap(&t.map), 0);
	gt_assert_zero(t.fd);
	ASSERT_EQ(dom0_active(&t.share), 0);
	ASSERT_EQ(dom0_unshare(&t.share), 0);
}

TH_DOC(teardown, mremap_grow,
	"mremap growing the mapping, in place and with MREMAP_MAYMOVE.\n"
	"`vma_to_resize()` refuses any growth of a `VM_DONTEXPAND` VMA with EFAULT\n"
	"before touching anything. Expected and observed: EFAULT both times; the\n"
	"mapping still reads the pattern and Xen lists both refs.");
TEST(teardown, mremap_grow)
{
	struct gt_shared t;
	void *r;
	int err;

	gt_share_map(&t, 2, 0x7e80, GNTLAB_MODE_SPECIAL);
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
	gt_assert_pages(t.map.addr, 0x7e80, 0, 2);
	ASSERT_EQ(dom0_active(&t.share), 2);
	ASSERT_EQ(gt_unmap(&t.map), 0);
	gt_assert_zero(t.fd);
	ASSERT_EQ(dom0_active(&t.share), 0);
	ASSERT_EQ(dom0_unshare(&t.share), 0);
}

TH_DOC(teardown, mremap_move,
	"mremap moving the mapping (same size, MREMAP_MAYMOVE | MREMAP_FIXED onto a\n"
	"reserved range). Recorded: whether the move is allowed and what touching\n"
	"the new address gives. Asserted in either case: the module's count of user\n"
	"grants equals Xen's count of mapped refs (no grant stays mapped behind the\n"
	"module's back); if the move succeeded, Xen lists nothing (`move_page_tables()`\n"
	"runs the notifier over the old range with MMU_NOTIFY_UNMAP, so the grants\n"
	"are unmapped and the PTEs Xen wrote are never moved) and a successful read\n"
	"of the new address does not return the old grant's data; if it failed, the\n"
	"mapping is intact. Observed: the move succeeds, the grants are unmapped, the\n"
	"new VMA is empty and a touch gives SIGBUS (no `->fault` handler), as\n"
	"docs/module.md says. gntdev behaves the same way: a moved grant mapping is\n"
	"a dead mapping.");
TEST(teardown, mremap_move)
{
	struct gntlab_stats st;
	struct gt_shared t;
	uint8_t v = 0;
	void *dst, *r;
	int err, sig;
	long active;

	gt_share_map(&t, 2, 0x7e90, GNTLAB_MODE_SPECIAL);
	dst = mmap(NULL, t.map.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(dst != MAP_FAILED);
	r = mremap(t.map.addr, t.map.len, t.map.len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	err = errno;
	TH_LOG("mremap move: %s", r == MAP_FAILED ? strerror(err) : "succeeded");
	get_stats(t.fd, &st);
	active = dom0_active(&t.share);
	TH_LOG("after: module user %llu kernel %llu, Xen active %ld",
	       (unsigned long long)st.live_grants_user,
	       (unsigned long long)st.live_grants_kernel, active);
	/* Whatever happened, Xen and the module agree on what is mapped. */
	EXPECT_EQ(active, st.live_grants_user);
	if (r == MAP_FAILED) {
		munmap(dst, t.map.len);
		gt_assert_pages(t.map.addr, 0x7e90, 0, 2);
		EXPECT_EQ(active, 2);
	} else {
		t.map.addr = r;
		EXPECT_EQ(active, 0);
		sig = gt_touch(t.map.addr, &v);
		TH_LOG("touching the moved mapping: %s",
		       sig ? strsignal(sig) : "read a byte");
		/* A read that succeeds must not return the old grant's data. */
		if (!sig)
			EXPECT_NE(v, gntlab_pattern_byte(0x7e90, 0, 0));
	}
	ASSERT_EQ(gt_unmap(&t.map), 0);
	gt_assert_zero(t.fd);
	ASSERT_EQ(dom0_active(&t.share), 0);
	gt_assert_peer(&t.share, 0x7e90, 0, GT_PAGE);
	ASSERT_EQ(dom0_unshare(&t.share), 0);
}

TH_DOC(teardown, mremap_shrink,
	"mremap shrinking 3 pages to 1: the core unmaps the tail (a VMA split plus\n"
	"munmap), the notifier unmaps exactly those two pages. Expected and\n"
	"observed: page 0 still reads the pattern, Xen lists 1 ref, the module\n"
	"counts 1 user + 1 kernel grant; after full unmap everything is zero.");
TEST(teardown, mremap_shrink)
{
	struct gntlab_stats st;
	struct gt_shared t;
	void *r;

	gt_share_map(&t, 3, 0x7ea0, GNTLAB_MODE_SPECIAL);
	r = mremap(t.map.addr, t.map.len, GT_PAGE, 0);
	ASSERT_TRUE(r == t.map.addr) TH_MSG("mremap shrink: %s", strerror(errno));
	gt_assert_pages(t.map.addr, 0x7ea0, 0, 1);
	ASSERT_EQ(dom0_active(&t.share), 1);
	get_stats(t.fd, &st);
	EXPECT_EQ(st.live_grants_user, 1);
	EXPECT_EQ(st.live_grants_kernel, 1);
	ASSERT_EQ(gt_unmap(&t.map), 0);	/* munmap of the full length is fine */
	gt_assert_zero(t.fd);
	ASSERT_EQ(dom0_active(&t.share), 0);
	ASSERT_EQ(dom0_unshare(&t.share), 0);
}

TH_DOC(teardown, gup_vmsplice_deferred,
	"A GUP reference held across munmap. `vmsplice()` of page 0 into a pipe\n"
	"takes a page reference through GUP-slow → `vm_normal_page()` →\n"
	"`find_special_page()` (GUP-fast refuses special PTEs), and the pipe keeps\n"
	"it. Then munmap + `GNTLAB_IOC_UNMAP`. Expected: the user halves are\n"
	"unmapped at once (the PTEs are going), page 1's kernel half too, but page\n"
	"0's kernel half stays (`gnttab_unmap_refs_async()`'s rule: `page_count() >\n"
	"1` → wait), because the pipe reads the frame through the kernel alias.\n"
	"Observed right after: maps 1, user 0, kernel 1, deferred 1, pages 2; Xen\n"
	"lists exactly 1 ref; still so 500 ms later; the pipe then reads dom0's\n"
	"pattern; after the pipe is drained and closed the delayed work unmaps the\n"
	"kernel half and everything is zero, Xen lists nothing.");
TEST(teardown, gup_vmsplice_deferred)
{
	struct gntlab_stats st;
	uint8_t buf[GT_PAGE];
	int p[2];
	struct iovec iov;
	struct gt_shared t;
	ssize_t n;

	gt_share_map(&t, 2, 0x7eb0, GNTLAB_MODE_SPECIAL);
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
	ASSERT_EQ(dom0_active(&t.share), 1);
	/* Still held a while later: the module waits, it does not give up. */
	usleep(500 * 1000);
	get_stats(t.fd, &st);
	EXPECT_EQ(st.live_grants_kernel, 1);
	EXPECT_EQ(st.deferred_unmaps, 1);
	ASSERT_EQ(dom0_active(&t.share), 1);
	/* The pipe reads the granted frame through the kernel alias. */
	ASSERT_EQ(read(p[0], buf, sizeof(buf)), (ssize_t)sizeof(buf));
	EXPECT_EQ(gntlab_pattern_check(buf, 0x7eb0, 0, 0, GT_PAGE), -1);
	close(p[0]);
	close(p[1]);
	gt_assert_zero(t.fd);
	ASSERT_EQ(dom0_active(&t.share), 0);
	ASSERT_EQ(dom0_unshare(&t.share), 0);
}

TH_DOC(teardown, granter_revokes_while_mapped,
	"dom0 revokes (`xengntshr_unshare`) while the guest maps. gntalloc's\n"
	"`gnttab_end_foreign_access()` finds the entry in use (GTF_reading /\n"
	"GTF_writing) and defers freeing the page (the XSA-396 design: never give\n"
	"back a page a foreign domain still maps). Expected: the guest keeps reading\n"
	"and writing the data; Xen lists both grants mapped by the guest (the dom0\n"
	"share record is gone, so the test asks through the leak-check request,\n"
	"which reports Xen's count); after the guest unmaps, Xen lists nothing.\n"
	"Recorded: whether the revoked refs can be mapped again meanwhile.\n"
	"Observed: yes — they map and read the data the guest wrote after the\n"
	"revoke. This follows from the code: the failed end-foreign-access leaves\n"
	"the grant entry (GTF_permit_access) in place until a deferred retry\n"
	"succeeds, so the ref stays mappable; whoever maps it again delays the free\n"
	"further. (dom0's \"g.e. ... still pending\" line would only appear after\n"
	"about 60 s; not waited for.)");
TEST(teardown, granter_revokes_while_mapped)
{
	char why[300];
	struct gt_map again;
	unsigned int n = 0;
	struct gt_shared t;
	int rc;

	gt_share_map(&t, 2, 0x7ec0, GNTLAB_MODE_SPECIAL);
	ASSERT_EQ(dom0_unshare(&t.share), 0);
	gt_assert_pages(t.map.addr, 0x7ec0, 0, 2);
	gntlab_pattern_fill(t.map.addr, 0x7ec1, 0, 0, GT_PAGE);
	gt_assert_pages(t.map.addr, 0x7ec1, 0, 1);
	/* The share record is gone in dom0; ask Xen through the leak check. */
	rc = dom0_leakcheck(why, sizeof(why));
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
	gt_assert_zero(t.fd);
	ASSERT_EQ(dom0_leakcheck(why, sizeof(why)), 0) TH_MSG("%s", why);
}


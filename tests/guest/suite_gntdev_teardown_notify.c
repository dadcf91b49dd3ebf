// SPDX-License-Identifier: GPL-2.0
/*
 * gntdev_teardown, part 2: the unmap notification of the kernel's gntdev
 * (IOCTL_GNTDEV_SET_UNMAP_NOTIFY), the granter revoking while mapped, and
 * where "guest destroyed while mapped" is tested. The suite's description
 * and part 1: suite_gntdev_teardown.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "gntdev_map.h"	/* first: <xen/xen.h> gives domid_t to evtchn.h */
#include <xen/sys/evtchn.h>

#include "gt.h"
#include "harness.h"

static void share_map(int *fd, struct dom0_share *s, struct gd_map *m, uint32_t n, uint32_t seed)
{
	if (!gd_available())
		SKIP("no %s (xen-gntdev not loaded)", GD_DEVICE);
	*fd = gd_open();
	ASSERT_GE(*fd, 0) TH_MSG("open %s: %s", GD_DEVICE, strerror(errno));
	ASSERT_EQ(dom0_share(n, true, seed, s), 0);
	ASSERT_EQ(gd_map_refs(*fd, s->domid, s->ref, n, false, m), 0);
	gt_assert_pages(m->addr, seed, 0, n);
	ASSERT_EQ(dom0_active(s), n);
}

/* An offset in page `page` whose pattern byte is not 0 (so clearing shows). */
static uint32_t nonzero_offset(uint32_t seed, uint32_t page)
{
	uint32_t off = 100;

	while (!gntlab_pattern_byte(seed, page, off))
		off++;
	return off;
}

TH_DOC(gntdev_teardown, unmap_notify_clear_byte,
	"`IOCTL_GNTDEV_SET_UNMAP_NOTIFY` with `UNMAP_NOTIFY_CLEAR_BYTE` at an offset\n"
	"of page 1 where the pattern is not 0. `__unmap_grant_pages()` clears the\n"
	"byte through the kernel alias just before it unmaps the range holding it.\n"
	"Expected: dom0 reads the pattern byte before; right after munmap (the\n"
	"offset still reserved) the byte is 0 in dom0's page and Xen lists\n"
	"nothing; every other byte of both pages is untouched.");
TEST(gntdev_teardown, unmap_notify_clear_byte)
{
	uint32_t off = nonzero_offset(0x6f00, 1);
	struct dom0_share s;
	struct gd_map m;
	int fd;

	share_map(&fd, &s, &m, 2, 0x6f00);
	ASSERT_EQ(gd_ioc_unmap_notify(fd, m.index + GT_PAGE + off, UNMAP_NOTIFY_CLEAR_BYTE, 0), 0);
	ASSERT_EQ(dom0_byte(&s, 1, off), gntlab_pattern_byte(0x6f00, 1, off));
	ASSERT_EQ(gd_munmap(&m), 0);
	ASSERT_EQ(dom0_byte(&s, 1, off), 0);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(gd_release(&m), 0);
	ASSERT_EQ(dom0_byte(&s, 0, off), gntlab_pattern_byte(0x6f00, 0, off));
	gt_assert_peer(&s, 0x6f00, 0, off);
	gt_assert_peer(&s, 0x6f00, off + 1, GT_PAGE - off - 1);
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd);
}

TH_DOC(gntdev_teardown, unmap_notify_event,
	"`UNMAP_NOTIFY_CLEAR_BYTE | UNMAP_NOTIFY_SEND_EVENT` on a port the guest\n"
	"allocated for dom0 and dom0 bound. gntdev sends the event in\n"
	"`gntdev_put_map()` when the map's last reference goes, after the async\n"
	"unmap's completion dropped its own. The unmap ioctl first (the VMA still\n"
	"holds the map: no event), then munmap. Expected: no event while mmapped;\n"
	"then the event arrives, and when it does the byte is already 0 and Xen\n"
	"lists none of the refs.");
TEST(gntdev_teardown, unmap_notify_event)
{
	struct ioctl_evtchn_bind_unbound_port b = { .remote_domain = 0 };
	uint32_t off = nonzero_offset(0x6f10, 1), port;
	struct dom0_evtchn_event ev;
	struct dom0_share s;
	struct gd_map m;
	char text[128];
	int fd, efd, rc;

	efd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC);
	if (efd < 0)
		SKIP("/dev/xen/evtchn: %s", strerror(errno));
	share_map(&fd, &s, &m, 2, 0x6f10);
	rc = ioctl(efd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);
	ASSERT_GT(rc, 0) TH_MSG("IOCTL_EVTCHN_BIND_UNBOUND_PORT: %s", strerror(errno));
	port = (uint32_t)rc;
	ASSERT_EQ(dom0_evtchn_bind(port, text, sizeof(text)), 0) TH_MSG("%s", text);
	ASSERT_EQ(gd_ioc_unmap_notify(fd, m.index + GT_PAGE + off,
				      UNMAP_NOTIFY_CLEAR_BYTE | UNMAP_NOTIFY_SEND_EVENT, port), 0);
	ASSERT_EQ(gd_release(&m), 0);
	ASSERT_EQ(dom0_evtchn_wait(200, NULL, 0, 0, &ev), 0);
	EXPECT_EQ(ev.fired, 0) TH_MSG("event while still mmapped");
	ASSERT_EQ(gd_munmap(&m), 0);
	ASSERT_EQ(dom0_evtchn_wait(5000, &s, 1, off, &ev), 0);
	TH_LOG("event: fired %d after %ld ms, byte then %d, Xen active then %ld", ev.fired,
	       ev.waited_ms, ev.byte, ev.active);
	ASSERT_EQ(ev.fired, 1);
	EXPECT_EQ(ev.byte, 0);
	EXPECT_EQ(ev.active, 0);
	EXPECT_EQ(dom0_evtchn_close(), 0);
	close(efd);
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd);
}

TH_DOC(gntdev_teardown, granter_revokes_while_mapped,
	"dom0 revokes (`xengntshr_unshare`) while the guest maps through gntdev;\n"
	"gntalloc's `gnttab_end_foreign_access()` finds the entries in use and\n"
	"defers the free (XSA-396). Expected: the guest keeps reading and writing;\n"
	"Xen lists both grants mapped by the guest (asked through the leak-check\n"
	"request, the share record being gone); after the guest unmaps, nothing.");
TEST(gntdev_teardown, granter_revokes_while_mapped)
{
	struct dom0_share s;
	struct gd_map m;
	unsigned int n = 0;
	char why[300];
	int fd, rc = -1;

	share_map(&fd, &s, &m, 2, 0x6f20);
	ASSERT_EQ(dom0_unshare(&s), 0);
	gt_assert_pages(m.addr, 0x6f20, 0, 2);
	gntlab_pattern_fill(m.addr, 0x6f21, 0, 0, GT_PAGE);
	gt_assert_pages(m.addr, 0x6f21, 0, 1);
	rc = dom0_leakcheck(why, sizeof(why));
	TH_LOG("while mapped after revoke: leakcheck rc %d: %s", rc, why);
	ASSERT_EQ(rc, 1);
	ASSERT_EQ(sscanf(why, "Xen lists %u", &n), 1);
	ASSERT_EQ(n, 2);
	ASSERT_EQ(gd_unmap(&m), 0);
	for (int i = 0; i < 50 && (rc = dom0_leakcheck(why, sizeof(why))) != 0; i++)
		usleep(100 * 1000);
	ASSERT_EQ(rc, 0) TH_MSG("%s", why);
	close(fd);
}

TH_DOC(gntdev_teardown, guest_destroyed_while_mapped,
	"Not run here, on purpose: a destroyed guest's driver does not run any more,\n"
	"so which driver wrote the grant PTEs does not matter; Xen alone releases a\n"
	"dying domain's maptrack entries (`gnttab_release_mappings()`). dom0's\n"
	"`multi/destroy-while-mapped`, `multi/destroy-drops-guest-mappings`,\n"
	"`multi/dom0-revokes-after-destroy` and\n"
	"`multi/destroyed-guest-kept-while-dom0-maps` test it (a second guest\n"
	"destroyed through libvirt with grants mapped both ways). Always a SKIP\n"
	"pointing there.");
TEST(gntdev_teardown, guest_destroyed_while_mapped)
{
	SKIP("covered by dom0's multi/destroy-while-mapped and the multi/* tests after it");
}

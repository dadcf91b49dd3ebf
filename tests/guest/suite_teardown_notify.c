// SPDX-License-Identifier: GPL-2.0
/*
 * teardown, unmap notification (GNTLAB_IOC_SET_UNMAP_NOTIFY, gntdev's
 * IOCTL_GNTDEV_SET_UNMAP_NOTIFY): the byte cleared and the event sent when a
 * map's grants go, and in which order. The rest of the suite and its
 * description: suite_teardown.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>
#include <xen/xen.h>	/* domid_t, for xen/sys/evtchn.h */
#include <xen/sys/evtchn.h>

#include "gt.h"
#include "harness.h"

/* An offset in page `page` whose pattern byte is not 0 (so clearing shows). */
static uint32_t nonzero_offset(uint32_t seed, uint32_t page)
{
	uint32_t off = 100;

	while (!gntlab_pattern_byte(seed, page, off))
		off++;
	return off;
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

TH_DOC(teardown, unmap_notify_clear_byte,
	"`GNTLAB_IOC_SET_UNMAP_NOTIFY` with CLEAR_BYTE (gntdev's\n"
	"UNMAP_NOTIFY_CLEAR_BYTE, libvchan's \"other end gone\" flag) at an offset of\n"
	"page 1 where the pattern is not 0. Expected and observed: dom0 reads the\n"
	"pattern byte before; right after munmap (before `GNTLAB_IOC_UNMAP`) the\n"
	"byte is 0 in dom0's page — it is cleared through the kernel alias just\n"
	"before the page's grants are unmapped — and Xen lists nothing; every other\n"
	"byte of both pages (and the same offset of page 0) is untouched.");
TEST(teardown, unmap_notify_clear_byte)
{
	uint32_t off = nonzero_offset(0x7ed0, 1);
	struct gt_shared t;

	gt_share_map(&t, 2, 0x7ed0, GNTLAB_MODE_SPECIAL);
	set_notify(t.fd, &t.map, GT_PAGE + off, GNTLAB_NOTIFY_CLEAR_BYTE, 0);
	ASSERT_EQ(dom0_byte(&t.share, 1, off), gntlab_pattern_byte(0x7ed0, 1, off));
	ASSERT_EQ(munmap(t.map.addr, t.map.len), 0);
	t.map.addr = NULL;
	/* Cleared when the page was unmapped, not only when the map is freed. */
	ASSERT_EQ(dom0_byte(&t.share, 1, off), 0);
	ASSERT_EQ(dom0_active(&t.share), 0);
	ASSERT_EQ(gt_unmap(&t.map), 0);
	gt_assert_zero(t.fd);
	ASSERT_EQ(dom0_byte(&t.share, 1, off), 0);
	ASSERT_EQ(dom0_byte(&t.share, 0, off), gntlab_pattern_byte(0x7ed0, 0, off));
	gt_assert_peer(&t.share, 0x7ed0, 0, off);
	gt_assert_peer(&t.share, 0x7ed0, off + 1, GT_PAGE - off - 1);
	ASSERT_EQ(dom0_unshare(&t.share), 0);
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
	ASSERT_EQ(dom0_evtchn_bind(*port, text, sizeof(text)), 0) TH_MSG("%s", text);
	TH_LOG("guest port %u, dom0 port %s", *port, text);
	return 0;
}

TH_DOC(teardown, unmap_notify_event,
	"CLEAR_BYTE + SEND_EVENT on a port the guest allocated for dom0 and dom0\n"
	"bound. `GNTLAB_IOC_UNMAP` first (the VMA still holds the map, so no event\n"
	"yet), then munmap frees the map. Expected: no event while still mmapped;\n"
	"then dom0 gets the event, and when it arrives the byte is already 0 and\n"
	"Xen lists none of the refs mapped (the granter may end foreign access at\n"
	"once).");
TEST(teardown, unmap_notify_event)
{
	uint32_t off = nonzero_offset(0x7ee0, 1), port;
	struct dom0_evtchn_event ev;
	struct gt_shared t;
	int efd;

	if (evtchn_for_dom0(&efd, &port))
		SKIP("/dev/xen/evtchn: %s", strerror(errno));
	gt_share_map(&t, 2, 0x7ee0, GNTLAB_MODE_SPECIAL);
	set_notify(t.fd, &t.map, GT_PAGE + off,
		   GNTLAB_NOTIFY_CLEAR_BYTE | GNTLAB_NOTIFY_SEND_EVENT, port);
	ASSERT_EQ(gt_release(&t.map), 0);	/* IOC_UNMAP; the VMA keeps the map */
	ASSERT_EQ(dom0_evtchn_wait(200, NULL, 0, 0, &ev), 0);
	EXPECT_EQ(ev.fired, 0) TH_MSG("event while still mmapped");
	ASSERT_EQ(munmap(t.map.addr, t.map.len), 0);
	t.map.addr = NULL;
	ASSERT_EQ(dom0_evtchn_wait(5000, &t.share, 1, off, &ev), 0);
	TH_LOG("event: fired %d after %ld ms, byte then %d, Xen active then %ld", ev.fired,
	       ev.waited_ms, ev.byte, ev.active);
	ASSERT_EQ(ev.fired, 1);
	EXPECT_EQ(ev.byte, 0);
	EXPECT_EQ(ev.active, 0);
	gt_assert_zero(t.fd);
	EXPECT_EQ(dom0_evtchn_close(), 0);
	close(efd);
	ASSERT_EQ(dom0_unshare(&t.share), 0);
}

TH_DOC(teardown, unmap_notify_order,
	"Regression for the unmap-notify order (gntdev sent the event before the\n"
	"grants were unmapped, so the granter's end-foreign-access raced the\n"
	"mapping). The event may be sent only once no grant of the map is mapped.\n"
	"Page 0 (the one holding the byte) is vmsplice'd into a pipe, then munmap +\n"
	"`GNTLAB_IOC_UNMAP`: the byte is cleared with the user half, but page 0's\n"
	"kernel half stays mapped for the pipe. Expected: the byte is 0 in dom0, no\n"
	"event arrives within 500 ms, Xen lists 1 ref; the pipe reads the frame\n"
	"(with the cleared byte); after the pipe is drained, the event arrives, and\n"
	"at that moment the byte is 0 and Xen lists nothing. A module that signals\n"
	"at munmap or at `GNTLAB_IOC_UNMAP` fails at the \"no event\" step.");
TEST(teardown, unmap_notify_order)
{
	uint32_t off = nonzero_offset(0x7ef0, 0), port;
	struct dom0_evtchn_event ev;
	uint8_t buf[GT_PAGE];
	struct iovec iov;
	struct gt_shared t;
	int efd, p[2];

	if (evtchn_for_dom0(&efd, &port))
		SKIP("/dev/xen/evtchn: %s", strerror(errno));
	gt_share_map(&t, 2, 0x7ef0, GNTLAB_MODE_SPECIAL);
	set_notify(t.fd, &t.map, off, GNTLAB_NOTIFY_CLEAR_BYTE | GNTLAB_NOTIFY_SEND_EVENT,
		   port);
	ASSERT_EQ(pipe(p), 0);
	iov.iov_base = t.map.addr;
	iov.iov_len = GT_PAGE;
	ASSERT_EQ(vmsplice(p[1], &iov, 1, 0), GT_PAGE) TH_MSG("vmsplice: %s", strerror(errno));
	ASSERT_EQ(gt_unmap(&t.map), 0);
	/* The byte went with the user half; the kernel half of page 0 waits. */
	ASSERT_EQ(dom0_byte(&t.share, 0, off), 0);
	ASSERT_EQ(dom0_evtchn_wait(500, &t.share, 0, off, &ev), 0);
	TH_LOG("page held by the pipe: event fired %d, Xen active %ld", ev.fired,
	       dom0_active(&t.share));
	ASSERT_EQ(ev.fired, 0) TH_MSG("event sent while page 0 was still mapped");
	ASSERT_EQ(dom0_active(&t.share), 1);
	ASSERT_EQ(read(p[0], buf, sizeof(buf)), (ssize_t)sizeof(buf));
	/* The pipe saw the cleared byte (same frame), the rest intact. */
	EXPECT_EQ(buf[off], 0);
	EXPECT_EQ(gntlab_pattern_check(buf, 0x7ef0, 0, 0, off), -1);
	close(p[0]);
	close(p[1]);
	ASSERT_EQ(dom0_evtchn_wait(5000, &t.share, 0, off, &ev), 0);
	TH_LOG("after draining: fired %d after %ld ms, byte then %d, Xen active then %ld",
	       ev.fired, ev.waited_ms, ev.byte, ev.active);
	ASSERT_EQ(ev.fired, 1);
	EXPECT_EQ(ev.byte, 0);
	EXPECT_EQ(ev.active, 0);
	gt_assert_zero(t.fd);
	EXPECT_EQ(dom0_evtchn_close(), 0);
	close(efd);
	ASSERT_EQ(dom0_unshare(&t.share), 0);
}

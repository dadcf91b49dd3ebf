// SPDX-License-Identifier: GPL-2.0
/*
 * gntcopy: IOCTL_GNTDEV_GRANT_COPY of the kernel's gntdev (GNTTABOP_copy):
 * copies to and from dom0's grants, verified on both sides, and bad
 * segments, each status checked against Xen's code and documentation (the
 * table gntcopy_expect).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "expect.h"
#include "gntdev_map.h"
#include "gt.h"
#include "harness.h"

SUITE_DOC(gntcopy, "gntcopy: grant copy through the kernel's gntdev (GNTTABOP_copy)",
	"Guest suite `tests/guest/suite_gntcopy.c`: `IOCTL_GNTDEV_GRANT_COPY` of\n"
	"`/dev/xen/gntdev` (Linux 6.1 `gntdev_ioctl_grant_copy()`), which turns each\n"
	"segment into one `GNTTABOP_copy` op per local page it touches (batches of\n"
	"16) and reports, per segment, the first failing op's `GNTST_*` status. dom0\n"
	"shares pages filled with `pattern(seed)`; the guest copies from them into its\n"
	"own memory and from its memory into them, and dom0 checks its bytes\n"
	"(`dom0_check`).\n"
	"\n"
	"Two kinds of failure, asserted separately:\n"
	"\n"
	"- a segment Xen refuses: the ioctl returns 0 and the segment's `status` is\n"
	"  Xen's `GNTST_*` code (the other segments are copied). The expected codes\n"
	"  are rows of the table below, each with the Xen 4.17 code path\n"
	"  (`xen/common/grant_table.c`: `gnttab_copy_lock_domain()`,\n"
	"  `acquire_grant_for_copy()`, `_set_status_v1()`, `gnttab_copy_buf()`) and\n"
	"  what `xen/include/public/grant_table.h` says of the code;\n"
	"- a segment gntdev refuses before Xen sees it (both sides local, a grant\n"
	"  side crossing its page, a bad pointer): the ioctl fails (EINVAL, EFAULT).\n"
	"\n"
	"Observed on the first boots, as the code says, and different from what a reader of\n"
	"the public header may expect: a\n"
	"read-only grant as the destination is `GNTST_general_error` (-1), not\n"
	"`GNTST_permission_denied` (-8): Xen refuses to write-pin a read-only entry\n"
	"in `_set_status_v1()` with the general error, as it does for a map;\n"
	"`permission_denied` is only for a frame (not a grant) of another domain, or\n"
	"an XSM refusal, neither reachable through gntdev (it always names local\n"
	"memory as `DOMID_SELF`). `GNTST_bad_copy_arg` (-10) is not reachable either:\n"
	"gntdev refuses a grant side crossing its page itself, and splits local\n"
	"sides at page boundaries.");

static struct expect_table gntcopy_expect = {
	.name = "gntcopy",
	.title = "gntcopy: expected segment status and ioctl result",
	.row_label = "segment",
	.intro = "Looked up by `tests/guest/suite_gntcopy.c` (table `gntcopy_expect`). A status "
		 "is the segment's `GNTST_*` value with the ioctl returning 0; an errno is the "
		 "ioctl's own failure.",
	.rows = (const struct expect_row[]){
		{ "good", "gntcopy/bad_segments",
		  "a valid segment in the same call as the bad ones.",
		  (const struct expect_cell[]){
			  { .subject = "gntdev", "0",
			    "`GNTST_okay`; Xen's `gnttab_copy()` goes on after a failed op" },
			  { 0 } } },
		{ "wrong-domid", "gntcopy/bad_segments",
		  "a grant side naming domid 0x7fe0 (no such domain) or DOMID_INVALID.",
		  (const struct expect_cell[]){
			  { .subject = "gntdev", "-2",
			    "`GNTST_bad_domain` (\"Unrecognsed domain id\"): "
			    "`gnttab_copy_lock_domain()`, `rcu_lock_domain_by_any_id()` finds none" },
			  { 0 } } },
		{ "bad-ref", "gntcopy/bad_segments",
		  "a grant side naming ref 1<<30 of dom0.",
		  (const struct expect_cell[]){
			  { .subject = "gntdev", "-3",
			    "`GNTST_bad_gntref` (\"Unrecognised or inappropriate gntref\"): "
			    "`acquire_grant_for_copy()`, `gref >= nr_grant_entries()`" },
			  { 0 } } },
		{ "ref-not-granted", "gntcopy/bad_segments",
		  "dom0's ref 0 (an entry not granted to us) as the source.",
		  (const struct expect_cell[]){
			  { .subject = "gntdev", "-1",
			    "`GNTST_general_error`: `_set_status_v1()`, the entry's flags or domid "
			    "do not grant us access (\"Bad flags ... or dom\")" },
			  { 0 } } },
		{ "ro-grant-as-dest", "gntcopy/bad_segments",
		  "a grant dom0 made read-only as the destination.",
		  (const struct expect_cell[]){
			  { .subject = "gntdev", "-1",
			    "`GNTST_general_error`, not `GNTST_permission_denied`: "
			    "`acquire_grant_for_copy(readonly = false)` → `_set_status_v1()` "
			    "\"Attempt to write-pin a r/o grant entry\"" },
			  { 0 } } },
		{ "revoked", "gntcopy/bad_segments",
		  "a ref dom0 shared and then revoked, as the source.",
		  (const struct expect_cell[]){
			  { .subject = "gntdev", "-1",
			    "`GNTST_general_error`: the entry is no longer `GTF_permit_access`" },
			  { 0 } } },
		{ "offset-crosses-page", "gntcopy/malformed_segments",
		  "a grant side with offset 4000 and length 200.",
		  (const struct expect_cell[]){
			  { .subject = "gntdev", "EINVAL",
			    "`gntdev_grant_copy_seg()`: `offset + len > XEN_PAGE_SIZE` for a grant "
			    "side; Xen's `GNTST_bad_copy_arg` (\"copy arguments cross page "
			    "boundary\") is never reached" },
			  { 0 } } },
		{ "length-over-page", "gntcopy/malformed_segments",
		  "a grant side with offset 0 and length 5000.",
		  (const struct expect_cell[]){
			  { .subject = "gntdev", "EINVAL", "the same check in `gntdev_grant_copy_seg()`" },
			  { 0 } } },
		{ "local-to-local", "gntcopy/malformed_segments",
		  "neither `GNTCOPY_source_gref` nor `GNTCOPY_dest_gref`.",
		  (const struct expect_cell[]){
			  { .subject = "gntdev", "EINVAL",
			    "`gntdev_grant_copy_seg()` refuses local → local copies" },
			  { 0 } } },
		{ "earlier-segment", "gntcopy/malformed_segments",
		  "a valid segment before a malformed one in the same call: its status and "
		  "whether its data arrived.",
		  (const struct expect_cell[]){
			  { .subject = "gntdev", "status0-not-copied",
			    "`gntdev_grant_copy_seg()` writes `GNTST_okay` into a segment's status "
			    "before batching its ops; on the malformed segment "
			    "`gntdev_ioctl_grant_copy()` drops the batch (`gntdev_put_pages`) without "
			    "issuing it, leaving the earlier status at 0 for a copy that never "
			    "happened (the ioctl's error is the only signal)" },
			  { 0 } } },
		{ 0 } },
};
EXPECT_TABLE(gntcopy_expect)

static const char *want(const char *row)
{
	return expect_get(&gntcopy_expect, row, "gntdev")->outcome;
}

static void check_status(const char *row, int16_t status)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", status);
	expect_check(expect_get(&gntcopy_expect, row, "gntdev"), row, v);
}

static void check_errno(const char *row, int e)
{
	expect_check(expect_get(&gntcopy_expect, row, "gntdev"), row, e ? strerrorname_np(e) : "ok");
}

/* Segment: dom0's grant (ref, off) -> local buffer. */
static struct gntdev_grant_copy_segment from_grant(uint32_t domid, uint32_t ref, uint16_t off,
						   void *dst, uint16_t len)
{
	struct gntdev_grant_copy_segment s = { .len = len, .flags = GNTCOPY_source_gref,
					       .status = 99 };

	s.source.foreign.ref = ref;
	s.source.foreign.domid = (domid_t)domid;
	s.source.foreign.offset = off;
	s.dest.virt = dst;
	return s;
}

/* Segment: local buffer -> dom0's grant (ref, off). */
static struct gntdev_grant_copy_segment to_grant(const void *src, uint32_t domid, uint32_t ref,
						 uint16_t off, uint16_t len)
{
	struct gntdev_grant_copy_segment s = { .len = len, .flags = GNTCOPY_dest_gref,
					       .status = 99 };

	s.source.virt = (void *)src;
	s.dest.foreign.ref = ref;
	s.dest.foreign.domid = (domid_t)domid;
	s.dest.foreign.offset = off;
	return s;
}

/* Does buf hold pattern(seed) of (page, off .. off+len)? */
static bool holds(const uint8_t *buf, uint32_t seed, uint32_t page, uint32_t off, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (buf[i] != gntlab_pattern_byte(seed, page, off + i))
			return false;
	return true;
}

TH_DOC(gntcopy, from_dom0,
	"Copies out of dom0's grants (2 writable pages, `pattern(seed)`): page 0\n"
	"whole into a page-aligned buffer; page 1's bytes [100, 1100) into a\n"
	"buffer that straddles a page boundary (gntdev splits the segment into two\n"
	"ops); page 0's last byte alone. Expected: the ioctl returns 0, every status\n"
	"is 0, the bytes equal dom0's pattern at the same places, dom0's pages are\n"
	"unchanged, and Xen lists nothing mapped (a copy pins only during the\n"
	"hypercall).");
TEST(gntcopy, from_dom0)
{
	struct gntdev_grant_copy_segment seg[3];
	struct dom0_share s;
	uint8_t *buf, one = 0;
	int fd = gt_gntdev_open();

	buf = mmap(NULL, 3 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(buf != MAP_FAILED);
	memset(buf, 0xee, 3 * GT_PAGE);
	ASSERT_EQ(dom0_share(2, true, 0xc001, &s), 0);
	seg[0] = from_grant(s.domid, s.ref[0], 0, buf, GT_PAGE);
	seg[1] = from_grant(s.domid, s.ref[1], 100, buf + 2 * GT_PAGE - 500, 1000);
	seg[2] = from_grant(s.domid, s.ref[0], GT_PAGE - 1, &one, 1);
	ASSERT_EQ(gd_ioc_grant_copy(fd, seg, 3), 0);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(seg[i].status, 0) TH_MSG("segment %d", i);
	EXPECT_TRUE(holds(buf, 0xc001, 0, 0, GT_PAGE));
	EXPECT_TRUE(holds(buf + 2 * GT_PAGE - 500, 0xc001, 1, 100, 1000));
	EXPECT_EQ(one, gntlab_pattern_byte(0xc001, 0, GT_PAGE - 1));
	EXPECT_EQ(buf[2 * GT_PAGE - 501], 0xee);
	EXPECT_EQ(buf[2 * GT_PAGE + 500], 0xee);
	gt_assert_peer(&s, 0xc001, 0, GT_PAGE);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	munmap(buf, 3 * GT_PAGE);
	close(fd);
}

TH_DOC(gntcopy, to_dom0,
	"Copies into dom0's grants: `pattern(seed2)` of pages 0 and 1 at [512, 3584)\n"
	"from a local buffer (the second one straddling a page boundary), then one\n"
	"grant-to-grant segment (both sides dom0's refs: a third page of the share\n"
	"to page 0's [0, 512)). Expected: status 0 everywhere; dom0 reads\n"
	"`pattern(seed2)` in [512, 3584) of both pages and its old pattern around\n"
	"it on page 1; page 0's [0, 512) holds page 2's bytes.");
TEST(gntcopy, to_dom0)
{
	struct gntdev_grant_copy_segment seg[3];
	struct dom0_share s;
	uint8_t *buf;
	int fd = gt_gntdev_open();

	buf = mmap(NULL, 3 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(buf != MAP_FAILED);
	ASSERT_EQ(dom0_share(3, true, 0xc010, &s), 0);
	gntlab_pattern_fill(buf, 0xc011, 0, 512, 3072);
	gntlab_pattern_fill(buf + GT_PAGE + 2048, 0xc011, 1, 512, 3072);
	seg[0] = to_grant(buf, s.domid, s.ref[0], 512, 3072);
	seg[1] = to_grant(buf + GT_PAGE + 2048, s.domid, s.ref[1], 512, 3072);
	seg[2] = (struct gntdev_grant_copy_segment){ .len = 512, .status = 99,
		.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref };
	seg[2].source.foreign.ref = s.ref[2];
	seg[2].source.foreign.domid = 0;
	seg[2].dest.foreign.ref = s.ref[0];
	seg[2].dest.foreign.domid = 0;
	ASSERT_EQ(gd_ioc_grant_copy(fd, seg, 3), 0);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(seg[i].status, 0) TH_MSG("segment %d", i);
	for (uint32_t p = 0; p < 2; p++)
		for (uint32_t off = 512; off < 3584; off += 511) {
			int v = dom0_byte(&s, p, off);

			ASSERT_EQ(v, gntlab_pattern_byte(0xc011, p, off)) TH_MSG("page %u off %u", p, off);
		}
	ASSERT_EQ(dom0_byte(&s, 1, 100), gntlab_pattern_byte(0xc010, 1, 100));
	ASSERT_EQ(dom0_byte(&s, 1, 4000), gntlab_pattern_byte(0xc010, 1, 4000));
	for (uint32_t off = 0; off < 512; off += 73)
		ASSERT_EQ(dom0_byte(&s, 0, off), gntlab_pattern_byte(0xc010, 2, off)) TH_MSG("off %u", off);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	munmap(buf, 3 * GT_PAGE);
	close(fd);
}

TH_DOC(gntcopy, bad_segments,
	"One call with good and bad segments, each copying 64 bytes out of a grant\n"
	"(or into one): good; domid 0x7fe0; DOMID_INVALID; ref 1<<30; dom0's ref 0;\n"
	"a read-only grant as the destination; a revoked ref; good again. Expected:\n"
	"the ioctl returns 0, each status as its table row says, both good segments\n"
	"copied dom0's bytes, and the read-only grant's page is unchanged in dom0.");
TEST(gntcopy, bad_segments)
{
	struct gntdev_grant_copy_segment seg[8];
	struct dom0_share s, ro, gone;
	uint8_t buf[8][64];
	int fd = gt_gntdev_open();

	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(dom0_share(1, true, 0xc020, &s), 0);
	ASSERT_EQ(dom0_share(1, false, 0xc021, &ro), 0);
	ASSERT_EQ(dom0_share(1, true, 0xc022, &gone), 0);
	ASSERT_EQ(dom0_unshare(&gone), 0);
	gntlab_pattern_fill(buf[5], 0xc02f, 0, 0, 64);
	seg[0] = from_grant(0, s.ref[0], 0, buf[0], 64);
	seg[1] = from_grant(GT_DOMID_ABSENT, s.ref[0], 0, buf[1], 64);
	seg[2] = from_grant(GT_DOMID_INVALID, s.ref[0], 0, buf[2], 64);
	seg[3] = from_grant(0, GT_BAD_REF, 0, buf[3], 64);
	seg[4] = from_grant(0, 0, 0, buf[4], 64);
	seg[5] = to_grant(buf[5], 0, ro.ref[0], 0, 64);
	seg[6] = from_grant(0, gone.ref[0], 0, buf[6], 64);
	seg[7] = from_grant(0, s.ref[0], 64, buf[7], 64);
	ASSERT_EQ(gd_ioc_grant_copy(fd, seg, 8), 0);
	for (int i = 0; i < 8; i++)
		TH_LOG("segment %d: status %d", i, seg[i].status);
	check_status("good", seg[0].status);
	check_status("wrong-domid", seg[1].status);
	check_status("wrong-domid", seg[2].status);
	check_status("bad-ref", seg[3].status);
	check_status("ref-not-granted", seg[4].status);
	check_status("ro-grant-as-dest", seg[5].status);
	check_status("revoked", seg[6].status);
	check_status("good", seg[7].status);
	EXPECT_TRUE(holds(buf[0], 0xc020, 0, 0, 64));
	EXPECT_TRUE(holds(buf[7], 0xc020, 0, 64, 64));
	gt_assert_peer(&ro, 0xc021, 0, GT_PAGE);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	ASSERT_EQ(dom0_unshare(&ro), 0);
	close(fd);
}

TH_DOC(gntcopy, malformed_segments,
	"Segments gntdev refuses itself, each alone after a valid segment copying\n"
	"dom0's page into a buffer: a grant side with offset 4000 and length 200,\n"
	"offset 0 and length 5000, both sides local: the ioctl's result is the\n"
	"table's row; the valid segment before it is row `earlier-segment` (its\n"
	"status, and whether its bytes arrived). Then the argument errors: count 0\n"
	"→ 0 (nothing done); a NULL or kernel `segments` pointer → **EFAULT**; a\n"
	"local source in an inaccessible range or a local destination on a\n"
	"read-only page (`pin_user_pages_fast()` fails) → **EFAULT**; a length-0\n"
	"segment → 0 with status 0. Xen lists nothing mapped afterwards.");
TEST(gntcopy, malformed_segments)
{
	struct gntdev_grant_copy_segment seg[2];
	struct ioctl_gntdev_grant_copy c;
	static const struct {
		const char *row;
		uint16_t off, len, flags;
	} bad[] = {
		{ "offset-crosses-page", 4000, 200, GNTCOPY_source_gref },
		{ "length-over-page", 0, 5000, GNTCOPY_source_gref },
		{ "local-to-local", 0, 64, 0 },
	};
	uint8_t buf[GT_PAGE], dst[256], *ro, *hole;
	struct dom0_share s;
	int fd = gt_gntdev_open(), rc;

	ASSERT_EQ(dom0_share(1, true, 0xc030, &s), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(buf, 0, 256);
		seg[0] = from_grant(0, s.ref[0], 0, buf, 256);
		seg[1] = from_grant(0, s.ref[0], bad[i].off, dst, bad[i].len);
		seg[1].flags = bad[i].flags;
		if (!bad[i].flags)
			seg[1].source.virt = buf + 1024;
		rc = gd_ioc_grant_copy(fd, seg, 2);
		TH_LOG("%s: ioctl %s, earlier segment status %d, its bytes %s", bad[i].row,
		       rc ? strerror(rc) : "ok", seg[0].status,
		       holds(buf, 0xc030, 0, 0, 256) ? "copied" : "not copied");
		check_errno(bad[i].row, rc);
		if (rc) {
			char obs[32];

			snprintf(obs, sizeof(obs), "status%d-%s", seg[0].status,
				 holds(buf, 0xc030, 0, 0, 256) ? "copied" : "not-copied");
			expect_check(expect_get(&gntcopy_expect, "earlier-segment", "gntdev"),
				     "earlier-segment", obs);
		}
	}
	EXPECT_EQ(gd_ioc_grant_copy(fd, seg, 0), 0);
	c = (struct ioctl_gntdev_grant_copy){ .count = 1, .segments = NULL };
	EXPECT_EQ(gd_ioctl(fd, IOCTL_GNTDEV_GRANT_COPY, &c), EFAULT);
	c.segments = (void *)(uintptr_t)GT_KADDR_DIRECTMAP;
	EXPECT_EQ(gd_ioctl(fd, IOCTL_GNTDEV_GRANT_COPY, &c), EFAULT);
	hole = gt_hole(GT_PAGE);
	seg[0] = to_grant(hole, 0, s.ref[0], 0, 64);
	EXPECT_EQ(gd_ioc_grant_copy(fd, seg, 1), EFAULT);
	ro = mmap(NULL, GT_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
	seg[0] = from_grant(0, s.ref[0], 0, ro, 64);
	EXPECT_EQ(gd_ioc_grant_copy(fd, seg, 1), EFAULT);
	seg[0] = from_grant(0, s.ref[0], 0, buf, 0);
	EXPECT_EQ(gd_ioc_grant_copy(fd, seg, 1), 0);
	EXPECT_EQ(seg[0].status, 0);
	gt_assert_peer(&s, 0xc030, 0, GT_PAGE);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	TH_LOG("expected for a grant side crossing its page: %s", want("offset-crosses-page"));
	munmap(ro, GT_PAGE);
	close(fd);
}

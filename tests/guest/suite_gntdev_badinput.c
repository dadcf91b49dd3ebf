// SPDX-License-Identifier: GPL-2.0
/*
 * gntdev_badinput: wrong input to the kernel's own /dev/xen/gntdev
 * (drivers/xen/gntdev.c) through its ioctl ABI (gntdev_map.h): grants Xen
 * refuses, counts, mmap geometry and protections, ioctl arguments. The
 * bounded multi-thread fuzz run is suite_gntdev_badinput_fuzz.c. What
 * differs from our module's special mode is in the table gntdev_badinput_expect.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.h"
#include "gntdev_map.h"
#include "gt.h"
#include "harness.h"

SUITE_DOC(gntdev_badinput, "gntdev_badinput: wrong input to the kernel's gntdev",
	"Guest suites `tests/guest/suite_gntdev_badinput.c` and\n"
	"`tests/guest/suite_gntdev_badinput_fuzz.c`: the `badinput` suite's wrong input,\n"
	"given to the kernel's own `/dev/xen/gntdev` (Linux 6.1 `drivers/xen/gntdev.c`,\n"
	"subject `gntdev`) through its ioctl ABI (`tests/guest/gntdev_map.h`), and a\n"
	"bounded multi-thread fuzz run of its ioctls with racing mmap/munmap.\n"
	"\n"
	"gntdev reports every grant Xen refuses at mmap as **EINVAL**\n"
	"(`gntdev_map_grant_pages()`: any status other than `GNTST_okay` → `-EINVAL`),\n"
	"where our module passes Xen's status on (`ENOENT`, `ESRCH`, `EIO`); a map whose\n"
	"mmap failed can never be mmapped again (`in_use` stays 1). Those and the other\n"
	"differences from the `special` mode are rows of the table below, each with\n"
	"gntdev's code path. Every refusal must leave nothing mapped in Xen\n"
	"(`dom0_active`) and no WARN/BUG/Oops/\"Bad page\" in the guest kernel log;\n"
	"the harness's leak check runs after every test as well.\n"
	"\n"
	"Two tests are **hazards** to the guest kernel and run only when the filter\n"
	"names them exactly (`gntdev_badinput/notify_clear_byte_readonly`,\n"
	"`gntdev_badinput/notify_clear_byte_failed_map`); otherwise they do their\n"
	"harmless part and SKIP saying so.");

#define R_GD_EINVAL                                                                                \
	"`gntdev_map_grant_pages()` turns any status other than `GNTST_okay` into `-EINVAL`; "    \
	"`gntdev_mmap()` returns it"

static struct expect_table gntdev_badinput_expect = {
	.name = "gntdev_badinput",
	.title = "gntdev_badinput: where gntdev differs from the special mode",
	.row_label = "input",
	.intro = "Looked up by `tests/guest/suite_gntdev_badinput.c` (table "
		 "`gntdev_badinput_expect`); the `special` cells are what the `badinput` suite "
		 "observes on `/dev/gntlab`, for comparison.",
	.rows = (const struct expect_row[]){
		{ "bad-ref", "gntdev_badinput/bad_grant_ref",
		  "mmap of a reserved map whose ref is beyond dom0's table (1<<30, 0xffffffff): "
		  "Xen's `GNTST_bad_gntref`.",
		  (const struct expect_cell[]){
			  { .subject = "special", "ENOENT", "`gntlab_status_errno()`" },
			  { .subject = "gntdev", "EINVAL", R_GD_EINVAL },
			  { 0 } } },
		{ "ref-not-granted", "gntdev_badinput/bad_grant_ref",
		  "mmap of dom0's ref 0 (an entry never granted to us): `GNTST_general_error`.",
		  (const struct expect_cell[]){
			  { .subject = "special", "EIO", "`gntlab_status_errno()`" },
			  { .subject = "gntdev", "EINVAL", R_GD_EINVAL },
			  { 0 } } },
		{ "mmap-retry-after-failure", "gntdev_badinput/bad_grant_ref",
		  "a second mmap of the same map after the first failed.",
		  (const struct expect_cell[]){
			  { .subject = "special", "same",
			    "a failed mmap releases its claim: the retry fails with the same "
			    "errno (`badinput/bad_grant_ref`)" },
			  { .subject = "gntdev", "EINVAL",
			    "`gntdev_mmap()` took `in_use` before mapping and its error path never "
			    "gives it back: the map is dead, `gntdev_find_map_index` finds it but "
			    "`atomic_add_unless(&map->in_use, 1, 1)` fails" },
			  { 0 } } },
		{ "bad-domid", "gntdev_badinput/bad_domid",
		  "a valid dom0 ref named with a domid that is no domain (0x7fe0, DOMID_SELF, "
		  "DOMID_INVALID, 0xffff): `GNTST_bad_domain`.",
		  (const struct expect_cell[]){
			  { .subject = "special", "ESRCH", "`gntlab_status_errno()`" },
			  { .subject = "gntdev", "EINVAL", R_GD_EINVAL },
			  { 0 } } },
		{ "domid-above-16-bits", "gntdev_badinput/bad_domid",
		  "dom0's ref named with domid 0x10000 or 0x7fff0000 (dom0's id plus bits "
		  "above `domid_t`).",
		  (const struct expect_cell[]){
			  { .subject = "special", "EINVAL",
			    "`GNTLAB_IOC_MAP` refuses domids above 16 bits" },
			  { .subject = "gntdev", "mapped",
			    "`struct ioctl_gntdev_grant_ref.domid` is 32 bits; gntdev never checks it "
			    "and `gnttab_set_map_op()` takes a `domid_t`: the upper bits are dropped "
			    "and dom0's grant is mapped" },
			  { 0 } } },
		{ "rw-map-of-ro-grant", "gntdev_badinput/rw_map_of_ro_grant",
		  "`PROT_READ | PROT_WRITE` mmap of a grant dom0 made read-only.",
		  (const struct expect_cell[]){
			  { .subject = "special", "EIO",
			    "Xen refuses to write-pin a read-only entry (`GNTST_general_error`)" },
			  { .subject = "gntdev", "EINVAL",
			    "the same Xen refusal, through " R_GD_EINVAL },
			  { 0 } } },
		{ "set-max-grants", "gntdev_badinput/counts",
		  "`IOCTL_GNTDEV_SET_MAX_GRANTS` (still in the uapi header).",
		  (const struct expect_cell[]){
			  { .subject = "gntdev", "ENOTTY",
			    "6.1's `gntdev_ioctl()` has no case for it (the per-file limit is gone; "
			    "the module parameter `limit` bounds one request): `-ENOIOCTLCMD`" },
			  { 0 } } },
		{ "unmap-count-0", "gntdev_badinput/unmap_bad_input",
		  "`IOCTL_GNTDEV_UNMAP_GRANT_REF` of a live map's offset with count 0.",
		  (const struct expect_cell[]){
			  { .subject = "special", "EINVAL", "`GNTLAB_IOC_UNMAP` checks the count" },
			  { .subject = "gntdev", "ok",
			    "`gntdev_find_map_index()` compares the count only when it is non-zero: "
			    "the map at that offset is removed" },
			  { 0 } } },
		{ "unmap-unaligned-index", "gntdev_badinput/unmap_bad_input",
		  "`IOCTL_GNTDEV_UNMAP_GRANT_REF` of a live map's offset + 123.",
		  (const struct expect_cell[]){
			  { .subject = "special", "EINVAL", "`GNTLAB_IOC_UNMAP` checks the alignment" },
			  { .subject = "gntdev", "ok",
			    "the index is `op.index >> PAGE_SHIFT`: the low bits are dropped and the "
			    "map is removed" },
			  { 0 } } },
		{ "notify-port-0", "gntdev_badinput/notify_bad_input",
		  "`SET_UNMAP_NOTIFY` with `SEND_EVENT` on port 0 (never bound).",
		  (const struct expect_cell[]){
			  { .subject = "special", "ENOENT", "`evtchn_get()`'s errno" },
			  { .subject = "gntdev", "EINVAL",
			    "`gntdev_ioctl_notify()` returns `-EINVAL` for any `evtchn_get()` failure" },
			  { 0 } } },
		{ "offset-for-vaddr-in-hole", "gntdev_badinput/offset_for_vaddr",
		  "`IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR` of an unmapped address just below a gntdev "
		  "mapping.",
		  (const struct expect_cell[]){
			  { .subject = "gntdev", "found",
			    "`find_vma()` returns the first VMA ending above the address and gntdev "
			    "does not check `vm_start <= vaddr`: the mapping above answers" },
			  { 0 } } },
		{ "notify-clear-byte-readonly", "gntdev_badinput/notify_clear_byte_readonly",
		  "`SET_UNMAP_NOTIFY` with `CLEAR_BYTE` before the map is mmapped, then a "
		  "`PROT_READ` mmap (a read-only grant mapping), then munmap.",
		  (const struct expect_cell[]){
			  { .subject = "special", "EINVAL",
			    "`GNTLAB_IOC_SET_UNMAP_NOTIFY` knows the map's read-only flag at "
			    "reservation (`badinput/notify_bad_input`)" },
			  { .subject = "gntdev", "accepted",
			    "`map->flags` is 0 until `gntdev_mmap()`, so `gntdev_ioctl_notify()`'s "
			    "read-only check cannot refuse, and `gntdev_mmap()` does not look at the "
			    "notify: at munmap `__unmap_grant_pages()` writes the byte through the "
			    "kernel alias Xen mapped read-only" },
			  { 0 } } },
		{ 0 } },
};
EXPECT_TABLE(gntdev_badinput_expect)

static void check_row(const char *row, const char *observed)
{
	expect_check(expect_get(&gntdev_badinput_expect, row, "gntdev"), row, observed);
}

static const char *err_word(int e)
{
	return e ? strerrorname_np(e) : "ok";
}

/*
 * Reserve g[0..count), mmap it (read-only or not): must fail as `row` says,
 * leave nothing mapped (Xen's count of `s`, if given) and no new kernel log
 * line; a retry is the table's mmap-retry-after-failure; then unmap.
 */
static void expect_mmap_fails(int fd, const struct ioctl_gntdev_grant_ref *g, uint32_t count,
			      bool readonly, const struct dom0_share *s, const char *row,
			      const char *what)
{
	int prot = PROT_READ | (readonly ? 0 : PROT_WRITE);
	unsigned int bad0 = gt_kernel_log_bad_count();
	uint64_t index = 0;
	int rc;

	ASSERT_EQ(gd_ioc_map(fd, g, count, &index), 0) TH_MSG("%s: MAP_GRANT_REF", what);
	rc = gd_mmap_at(fd, index, count * (size_t)GT_PAGE, prot, MAP_SHARED, NULL);
	TH_LOG("%s: mmap -> %s", what, err_word(rc));
	check_row(row, err_word(rc));
	if (s)
		ASSERT_EQ(dom0_active(s), 0) TH_MSG("%s: left mapped after the failure", what);
	rc = gd_mmap_at(fd, index, count * (size_t)GT_PAGE, prot, MAP_SHARED, NULL);
	check_row("mmap-retry-after-failure", err_word(rc));
	ASSERT_EQ(gd_ioc_unmap(fd, index, count), 0) TH_MSG("%s: UNMAP_GRANT_REF", what);
	EXPECT_EQ(gt_kernel_log_bad_count(), bad0) TH_MSG("%s: new kernel log lines", what);
}

TH_DOC(gntdev_badinput, bad_grant_ref,
	"Refs Xen cannot map, each reserved (`MAP_GRANT_REF` does not look at refs)\n"
	"and mmapped twice: 1<<30 and 0xffffffff (`GNTST_bad_gntref`, table row\n"
	"`bad-ref`), dom0's ref 0 (never granted to us, `GNTST_general_error`, row\n"
	"`ref-not-granted`); the retry is row `mmap-retry-after-failure`. No new\n"
	"kernel log line, the unmap ioctl then succeeds.");
TEST(gntdev_badinput, bad_grant_ref)
{
	struct ioctl_gntdev_grant_ref g = { .domid = 0 };
	int fd = gt_gntdev_open();

	g.ref = GT_BAD_REF;
	expect_mmap_fails(fd, &g, 1, false, NULL, "bad-ref", "ref 1<<30");
	g.ref = 0xffffffffu;
	expect_mmap_fails(fd, &g, 1, true, NULL, "bad-ref", "ref 0xffffffff");
	g.ref = 0;
	expect_mmap_fails(fd, &g, 1, false, NULL, "ref-not-granted", "ref 0");
	close(fd);
}

TH_DOC(gntdev_badinput, bad_domid,
	"A valid dom0 ref with a domid that is no domain (0x7fe0, DOMID_SELF,\n"
	"DOMID_INVALID, 0xffff): row `bad-domid`, nothing mapped. Then domids with\n"
	"bits above `domid_t` whose low 16 bits are dom0's (0x10000, 0x7fff0000):\n"
	"row `domid-above-16-bits`; when gntdev maps them the mapping must show\n"
	"dom0's pattern and Xen must list the ref mapped (it *is* dom0's grant),\n"
	"and unmap cleanly.");
TEST(gntdev_badinput, bad_domid)
{
	static const uint32_t absent[] = { GT_DOMID_ABSENT, GT_DOMID_SELF, GT_DOMID_INVALID, 0xffff };
	static const uint32_t wide[] = { 0x10000, 0x7fff0000 };
	struct ioctl_gntdev_grant_ref g;
	struct dom0_share s;
	struct gd_map m;
	char what[64];
	int fd = gt_gntdev_open(), rc;

	ASSERT_EQ(dom0_share(1, true, 0xbe01, &s), 0);
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		g.domid = absent[i];
		g.ref = s.ref[0];
		snprintf(what, sizeof(what), "domid %#x", absent[i]);
		expect_mmap_fails(fd, &g, 1, false, &s, "bad-domid", what);
	}
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++) {
		g.domid = wide[i];
		g.ref = s.ref[0];
		rc = gd_map_grefs(fd, &g, 1, false, &m);
		TH_LOG("domid %#x: %s", wide[i], rc ? strerror(rc) : "mapped");
		check_row("domid-above-16-bits", rc ? err_word(rc) : "mapped");
		if (!rc) {
			EXPECT_EQ(gntlab_pattern_check(m.addr, 0xbe01, 0, 0, GT_PAGE), -1);
			EXPECT_EQ(dom0_active(&s), 1);
			ASSERT_EQ(gd_unmap(&m), 0);
		}
		ASSERT_EQ(dom0_active(&s), 0);
	}
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd);
}

TH_DOC(gntdev_badinput, rw_map_of_ro_grant,
	"dom0 grants read-only; a `PROT_READ | PROT_WRITE` mmap asks Xen to\n"
	"write-pin it: row `rw-map-of-ro-grant`, nothing mapped. A new reservation\n"
	"of the same refs mmapped `PROT_READ` maps read-only and reads dom0's\n"
	"pattern. A writable `MAP_PRIVATE` mmap is **EINVAL** before anything else\n"
	"(`gntdev_mmap()`: `VM_WRITE` without `VM_SHARED`) and does not use the map\n"
	"up: the proper mmap afterwards works.");
TEST(gntdev_badinput, rw_map_of_ro_grant)
{
	struct ioctl_gntdev_grant_ref g[2];
	struct dom0_share s;
	struct gd_map m;
	int fd = gt_gntdev_open();

	ASSERT_EQ(dom0_share(2, false, 0xbe03, &s), 0);
	gd_grefs(g, s.domid, s.ref, 2);
	expect_mmap_fails(fd, g, 2, false, &s, "rw-map-of-ro-grant", "rw map of ro grant");
	ASSERT_EQ(gd_reserve_grefs(fd, g, 2, &m), 0);
	ASSERT_EQ(gd_mmap_at(fd, m.index, 2 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, NULL),
		  EINVAL);
	ASSERT_EQ(gd_mmap_at(fd, m.index, 2 * GT_PAGE, PROT_WRITE, MAP_PRIVATE, NULL), EINVAL);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(gd_mmap(&m, PROT_READ, MAP_SHARED), 0);
	ASSERT_EQ(dom0_active(&s), 2);
	ASSERT_EQ(gntlab_pattern_check(m.addr + GT_PAGE, 0xbe03, 1, 0, GT_PAGE), -1);
	ASSERT_EQ(gd_unmap(&m), 0);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd);
}

TH_DOC(gntdev_badinput, xsa361_partial_batch,
	"XSA-361 style: a batch of 8 refs with one bad entry (ref 1<<30 at positions\n"
	"4, 0 and 7; an absent domid at 3; ref 0 at 5), each a new reservation. The\n"
	"mmap fails (**EINVAL**) and **right after** Xen lists none of the 7 good refs\n"
	"mapped: `gntdev_mmap()`'s error path `unmap_grant_pages(map, 0, count)`\n"
	"unmaps exactly the entries whose handle is valid. No new kernel log line\n"
	"(`__unmap_grant_pages_done()` WARNs on a failed unmap of a valid handle).\n"
	"Then the 8 good refs map with the right data and unmap to nothing.");
TEST(gntdev_badinput, xsa361_partial_batch)
{
	static const struct {
		uint32_t pos, domid, ref;
	} cases[] = {
		{ 4, 0, GT_BAD_REF }, { 0, 0, GT_BAD_REF }, { 7, 0, GT_BAD_REF },
		{ 3, GT_DOMID_ABSENT, 0 }, { 5, 0, 0 },
	};
	unsigned int bad0 = gt_kernel_log_bad_count();
	struct ioctl_gntdev_grant_ref g[8];
	struct dom0_share s;
	struct gd_map m;
	int fd = gt_gntdev_open();

	ASSERT_EQ(dom0_share(8, true, 0xbe04, &s), 0);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint64_t index = 0;
		int rc;

		gd_grefs(g, s.domid, s.ref, 8);
		g[cases[c].pos].domid = cases[c].domid;
		if (cases[c].domid == 0)
			g[cases[c].pos].ref = cases[c].ref;
		ASSERT_EQ(gd_ioc_map(fd, g, 8, &index), 0);
		rc = gd_mmap_at(fd, index, 8 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, NULL);
		TH_LOG("bad entry %u: mmap -> %s", cases[c].pos, err_word(rc));
		ASSERT_EQ(rc, EINVAL) TH_MSG("case %zu", c);
		ASSERT_EQ(dom0_active(&s), 0) TH_MSG("case %zu: good refs left mapped", c);
		ASSERT_EQ(gd_ioc_unmap(fd, index, 8), 0);
		EXPECT_EQ(gt_kernel_log_bad_count(), bad0) TH_MSG("case %zu", c);
	}
	ASSERT_EQ(gd_map_refs(fd, s.domid, s.ref, 8, false, &m), 0);
	ASSERT_EQ(dom0_active(&s), 8);
	for (uint32_t i = 0; i < 8; i++)
		ASSERT_EQ(gntlab_pattern_check(m.addr + i * GT_PAGE, 0xbe04, i, 0, GT_PAGE), -1);
	ASSERT_EQ(gd_unmap(&m), 0);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd);
}

#define LIMIT_PARAM "/sys/module/xen_gntdev/parameters/limit"

static long read_limit(void)
{
	FILE *f = fopen(LIMIT_PARAM, "re");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_limit(long v)
{
	FILE *f = fopen(LIMIT_PARAM, "we");
	int rc;

	if (!f)
		return errno;
	rc = fprintf(f, "%ld\n", v) < 0;
	return fclose(f) || rc ? EIO : 0;
}

/* MAP_GRANT_REF with `count` and a one-entry array (the kernel checks count first). */
static int map_count(int fd, uint32_t count)
{
	struct ioctl_gntdev_map_grant_ref r = { .count = count };

	return gd_ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, &r);
}

TH_DOC(gntdev_badinput, counts,
	"`MAP_GRANT_REF` counts: 0, the module parameter `limit` + 1 (read from\n"
	"`" LIMIT_PARAM "`, 65536 by default), 0x80000000 and 0xffffffff:\n"
	"**EINVAL** (`gntdev_test_page_count()`) before anything is allocated.\n"
	"`IOCTL_GNTDEV_SET_MAX_GRANTS` is row `set-max-grants`. Then `limit` is\n"
	"lowered to 4 through sysfs (root, mode 0644): 5 refs are **EINVAL**, 4 are\n"
	"reserved; the old value is written back.");
TEST(gntdev_badinput, counts)
{
	struct ioctl_gntdev_grant_ref g[5];
	struct ioctl_gntdev_set_max_grants mg = { .count = 4 };
	struct dom0_share s;
	uint64_t index = 0;
	long limit = read_limit();
	int fd = gt_gntdev_open(), rc;

	TH_LOG("limit %ld", limit);
	ASSERT_GT(limit, 0) TH_MSG("cannot read %s", LIMIT_PARAM);
	EXPECT_EQ(map_count(fd, 0), EINVAL);
	EXPECT_EQ(map_count(fd, (uint32_t)limit + 1), EINVAL);
	EXPECT_EQ(map_count(fd, 0x80000000u), EINVAL);
	EXPECT_EQ(map_count(fd, 0xffffffffu), EINVAL);
	check_row("set-max-grants", err_word(gd_ioctl(fd, IOCTL_GNTDEV_SET_MAX_GRANTS, &mg)));
	ASSERT_EQ(dom0_share(5, true, 0xbe05, &s), 0);
	gd_grefs(g, s.domid, s.ref, 5);
	ASSERT_EQ(write_limit(4), 0);
	rc = gd_ioc_map(fd, g, 5, &index);
	EXPECT_EQ(rc, EINVAL) TH_MSG("5 refs over limit 4");
	if (!rc)
		gd_ioc_unmap(fd, index, 5);
	rc = gd_ioc_map(fd, g, 4, &index);
	EXPECT_EQ(rc, 0) TH_MSG("4 refs at limit 4");
	ASSERT_EQ(write_limit(limit), 0);
	ASSERT_EQ(read_limit(), limit);
	if (!rc)
		ASSERT_EQ(gd_ioc_unmap(fd, index, 4), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd);
}

TH_DOC(gntdev_badinput, mmap_bad_geometry,
	"A reserved 4-page map; mmap of 5 pages, 3 pages, 1 byte, the map's offset\n"
	"+ 1 page, right past it, an offset `MAP_GRANT_REF` never returned (1<<30),\n"
	"an unaligned offset, and the right offset on another gntdev fd: all\n"
	"**EINVAL** (`gntdev_find_map_index(priv, vm_pgoff, vma_pages)` wants both\n"
	"exactly, before the map is claimed), nothing mapped; the proper mmap\n"
	"afterwards works and shows dom0's data.");
TEST(gntdev_badinput, mmap_bad_geometry)
{
	const int rw = PROT_READ | PROT_WRITE;
	struct dom0_share s;
	struct gd_map m;
	int fd = gt_gntdev_open(), fd2 = gd_open();

	ASSERT_GE(fd2, 0);
	ASSERT_EQ(dom0_share(4, true, 0xbe10, &s), 0);
	ASSERT_EQ(gd_reserve_refs(fd, s.domid, s.ref, 4, &m), 0);
	EXPECT_EQ(gd_mmap_at(fd, m.index, 5 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	EXPECT_EQ(gd_mmap_at(fd, m.index, 3 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	EXPECT_EQ(gd_mmap_at(fd, m.index, 1, rw, MAP_SHARED, NULL), EINVAL);
	EXPECT_EQ(gd_mmap_at(fd, m.index + GT_PAGE, 3 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	EXPECT_EQ(gd_mmap_at(fd, m.index + 4 * GT_PAGE, 4 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	EXPECT_EQ(gd_mmap_at(fd, m.index + (1ull << 30), 4 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	EXPECT_EQ(gd_mmap_at(fd, m.index + 123, 4 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	EXPECT_EQ(gd_mmap_at(fd2, m.index, 4 * GT_PAGE, rw, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(gd_mmap(&m, rw, MAP_SHARED), 0);
	ASSERT_EQ(dom0_active(&s), 4);
	ASSERT_EQ(gntlab_pattern_check(m.addr + 3 * GT_PAGE, 0xbe10, 3, 0, GT_PAGE), -1);
	/* A second mmap of a live map: in_use is taken. */
	EXPECT_EQ(gd_mmap_at(fd, m.index, 4 * GT_PAGE, PROT_READ, MAP_SHARED, NULL), EINVAL);
	ASSERT_EQ(gd_unmap(&m), 0);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd2);
	close(fd);
}

TH_DOC(gntdev_badinput, bad_ioctls,
	"Wrong ioctls and arguments: numbers 4..6 and 13..15 of gntdev's `'G'` and the\n"
	"dma-buf numbers 9..12 (Debian's 6.1 has no `CONFIG_XEN_GNTDEV_DMABUF`):\n"
	"**ENOTTY**; NULL, a kernel address and a non-canonical address as the\n"
	"argument of each of the five real commands: **EFAULT**; a `MAP_GRANT_REF`\n"
	"whose ref array runs into a guard page (count 2, one ref): **EFAULT** after\n"
	"the map was allocated (`gntdev_put_map`); a `MAP_GRANT_REF` on a read-only\n"
	"page (the index cannot be written back): **EFAULT**, and the map it added is\n"
	"removed again (its offset cannot be mmapped or unmapped).");
TEST(gntdev_badinput, bad_ioctls)
{
	static const unsigned long real[] = {
		IOCTL_GNTDEV_MAP_GRANT_REF, IOCTL_GNTDEV_UNMAP_GRANT_REF,
		IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR, IOCTL_GNTDEV_SET_UNMAP_NOTIFY,
		IOCTL_GNTDEV_GRANT_COPY,
	};
	static const unsigned int unknown[] = { 4, 5, 6, 9, 10, 11, 12, 13, 14, 15 };
	const uint64_t bad[] = { 0, GT_KADDR_DIRECTMAP, GT_KADDR_TEXT, GT_NONCANONICAL };
	size_t head = offsetof(struct ioctl_gntdev_map_grant_ref, refs);
	struct ioctl_gntdev_map_grant_ref *r;
	struct dom0_share s;
	uint8_t *ro;
	int fd = gt_gntdev_open();
	char buf[64] = { 0 };

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		EXPECT_EQ(gd_ioctl(fd, _IOC(_IOC_NONE, 'G', unknown[i], 16), buf), ENOTTY)
			TH_MSG("nr %u", unknown[i]);
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++)
		for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
			EXPECT_EQ(gd_ioctl(fd, real[i], (void *)(uintptr_t)bad[k]), EFAULT)
				TH_MSG("cmd %#lx arg %#llx", real[i], (unsigned long long)bad[k]);
	ASSERT_EQ(dom0_share(2, true, 0xbe20, &s), 0);
	/* count 2, but only one ref before the guard page */
	r = gt_guarded(head + sizeof(r->refs[0]));
	r->count = 2;
	r->refs[0].domid = s.domid;
	r->refs[0].ref = s.ref[0];
	EXPECT_EQ(gd_ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, r), EFAULT);
	/* A complete request on a read-only page: the index cannot be copied out. */
	ro = mmap(NULL, GT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
	r = (struct ioctl_gntdev_map_grant_ref *)ro;
	r->count = 1;
	r->refs[0].domid = s.domid;
	r->refs[0].ref = s.ref[1];
	ASSERT_EQ(mprotect(ro, GT_PAGE, PROT_READ), 0);
	EXPECT_EQ(gd_ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, r), EFAULT);
	/* The first map of an fd gets offset 0: it must be gone again. */
	EXPECT_EQ(gd_mmap_at(fd, 0, GT_PAGE, PROT_READ, MAP_SHARED, NULL), EINVAL);
	EXPECT_EQ(gd_ioc_unmap(fd, 0, 1), ENOENT);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	munmap(ro, GT_PAGE);
	close(fd);
}

TH_DOC(gntdev_badinput, unmap_bad_input,
	"`IOCTL_GNTDEV_UNMAP_GRANT_REF` of a reserved 4-page map: another offset (next\n"
	"page, past the map, 1<<40) or another count (3, 5, 0xffffffff): **ENOENT**,\n"
	"the map stays (the right call later works, a second is **ENOENT**). Count 0\n"
	"and an unaligned offset are rows `unmap-count-0` and\n"
	"`unmap-unaligned-index` (each on a new map).");
TEST(gntdev_badinput, unmap_bad_input)
{
	struct dom0_share s;
	uint64_t index = 0;
	struct ioctl_gntdev_grant_ref g[4];
	int fd = gt_gntdev_open(), rc;

	ASSERT_EQ(dom0_share(4, true, 0xbe30, &s), 0);
	gd_grefs(g, s.domid, s.ref, 4);
	ASSERT_EQ(gd_ioc_map(fd, g, 4, &index), 0);
	EXPECT_EQ(gd_ioc_unmap(fd, index + GT_PAGE, 4), ENOENT);
	EXPECT_EQ(gd_ioc_unmap(fd, index + 4 * GT_PAGE, 4), ENOENT);
	EXPECT_EQ(gd_ioc_unmap(fd, index + (1ull << 40), 4), ENOENT);
	EXPECT_EQ(gd_ioc_unmap(fd, index, 3), ENOENT);
	EXPECT_EQ(gd_ioc_unmap(fd, index, 5), ENOENT);
	EXPECT_EQ(gd_ioc_unmap(fd, index, 0xffffffffu), ENOENT);
	EXPECT_EQ(gd_ioc_unmap(fd, index, 4), 0);
	EXPECT_EQ(gd_ioc_unmap(fd, index, 4), ENOENT);

	ASSERT_EQ(gd_ioc_map(fd, g, 4, &index), 0);
	rc = gd_ioc_unmap(fd, index, 0);
	check_row("unmap-count-0", err_word(rc));
	if (rc)
		ASSERT_EQ(gd_ioc_unmap(fd, index, 4), 0);
	else
		EXPECT_EQ(gd_ioc_unmap(fd, index, 4), ENOENT) TH_MSG("count 0 removed the map");

	ASSERT_EQ(gd_ioc_map(fd, g, 4, &index), 0);
	rc = gd_ioc_unmap(fd, index + 123, 4);
	check_row("unmap-unaligned-index", err_word(rc));
	if (rc)
		ASSERT_EQ(gd_ioc_unmap(fd, index, 4), 0);
	else
		EXPECT_EQ(gd_ioc_unmap(fd, index, 4), ENOENT);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd);
}

TH_DOC(gntdev_badinput, notify_bad_input,
	"`IOCTL_GNTDEV_SET_UNMAP_NOTIFY` on a reserved writable map and on a\n"
	"read-only mmapped one: unknown action bit → **EINVAL**; offset in no map →\n"
	"**ENOENT**; `CLEAR_BYTE` on the read-only *mmapped* map → **EINVAL**\n"
	"(`map->flags` has `GNTMAP_readonly` once mmapped); `SEND_EVENT` with port 0\n"
	"→ row `notify-port-0`, port 0xffffffff → **EINVAL**. Nothing is left held:\n"
	"both maps unmap normally.");
TEST(gntdev_badinput, notify_bad_input)
{
	struct dom0_share s;
	struct gd_map w, r;
	int fd = gt_gntdev_open();

	ASSERT_EQ(dom0_share(2, true, 0xbe40, &s), 0);
	ASSERT_EQ(gd_reserve_refs(fd, s.domid, s.ref, 1, &w), 0);
	ASSERT_EQ(gd_map_refs(fd, s.domid, s.ref + 1, 1, true, &r), 0);
	EXPECT_EQ(gd_ioc_unmap_notify(fd, w.index, 1u << 2, 0), EINVAL);
	EXPECT_EQ(gd_ioc_unmap_notify(fd, w.index + (1ull << 30), UNMAP_NOTIFY_CLEAR_BYTE, 0),
		  ENOENT);
	EXPECT_EQ(gd_ioc_unmap_notify(fd, r.index + 5, UNMAP_NOTIFY_CLEAR_BYTE, 0), EINVAL);
	check_row("notify-port-0", err_word(gd_ioc_unmap_notify(fd, w.index,
								 UNMAP_NOTIFY_SEND_EVENT, 0)));
	EXPECT_EQ(gd_ioc_unmap_notify(fd, w.index, UNMAP_NOTIFY_SEND_EVENT, 0xffffffffu), EINVAL);
	ASSERT_EQ(gd_unmap(&w), 0);
	ASSERT_EQ(gd_unmap(&r), 0);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd);
}

TH_DOC(gntdev_badinput, offset_for_vaddr,
	"`IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR`: at the mapping's start and inside it →\n"
	"the map's offset and count; on an anonymous mapping → **EINVAL**; on an\n"
	"unmapped address right below the gntdev mapping (a one-page hole made for\n"
	"it) → row `offset-for-vaddr-in-hole`.");
TEST(gntdev_badinput, offset_for_vaddr)
{
	struct dom0_share s;
	uint32_t count = 0;
	uint64_t off = 0;
	uint8_t *area, *anon;
	void *a = NULL;
	struct gd_map m;
	int fd = gt_gntdev_open(), rc;

	ASSERT_EQ(dom0_share(2, true, 0xbe50, &s), 0);
	ASSERT_EQ(gd_reserve_refs(fd, s.domid, s.ref, 2, &m), 0);
	/* [hole][gntdev 2 pages] at a place of our choosing */
	area = mmap(NULL, 3 * GT_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(area != MAP_FAILED);
	a = mmap(area + GT_PAGE, 2 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 (off_t)m.index);
	ASSERT_TRUE(a == area + GT_PAGE) TH_MSG("mmap: %s", strerror(errno));
	m.addr = a;
	ASSERT_EQ(munmap(area, GT_PAGE), 0);
	ASSERT_EQ(gd_ioc_offset_for_vaddr(fd, a, &off, &count), 0);
	EXPECT_EQ(off, m.index);
	EXPECT_EQ(count, 2);
	ASSERT_EQ(gd_ioc_offset_for_vaddr(fd, (uint8_t *)a + GT_PAGE + 7, &off, &count), 0);
	EXPECT_EQ(off, m.index);
	anon = mmap(NULL, GT_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(anon != MAP_FAILED);
	EXPECT_EQ(gd_ioc_offset_for_vaddr(fd, anon, &off, &count), EINVAL);
	munmap(anon, GT_PAGE);
	off = ~0ull;
	rc = gd_ioc_offset_for_vaddr(fd, area + 100, &off, &count);
	TH_LOG("hole below the mapping: %s, offset %#llx", err_word(rc), (unsigned long long)off);
	check_row("offset-for-vaddr-in-hole", rc ? err_word(rc) : off == m.index ? "found" : "other");
	ASSERT_EQ(gd_unmap(&m), 0);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	close(fd);
}

TH_DOC(gntdev_badinput, notify_clear_byte_readonly,
	"`SET_UNMAP_NOTIFY` with `CLEAR_BYTE` on a reserved, not yet mmapped map:\n"
	"row `notify-clear-byte-readonly` (gntdev cannot know yet that the mapping\n"
	"will be read-only). Always checked: the ioctl's answer; then the map is\n"
	"unmapped without ever being mmapped (nothing to clear).\n"
	"\n"
	"**Hazard** (runs only when the filter names this test exactly): a\n"
	"`PROT_READ` mmap of that map, then munmap. From the 6.1 code\n"
	"`__unmap_grant_pages()` then stores 0 through the kernel alias of the page,\n"
	"which Xen mapped read-only (`GNTMAP_readonly` in the kmap op): a kernel\n"
	"write fault in the mmu notifier. Recorded: whether the process survived,\n"
	"new kernel log lines, Xen's count, dom0's byte. Observed in the opt-in boot\n"
	"(6.1.192 on Xen 4.17): \"BUG: unable to handle page fault ... supervisor\n"
	"write access in kernel mode ... permissions violation\", Oops in\n"
	"`unmap_grant_pages()` called from `gntdev_invalidate()`; the test times out\n"
	"and the grants stay mapped in Xen.");
TEST(gntdev_badinput, notify_clear_byte_readonly)
{
	unsigned int bad0 = gt_kernel_log_bad_count();
	struct dom0_share s;
	struct gd_map m;
	pid_t pid;
	int fd = gt_gntdev_open(), rc, st = 0;

	ASSERT_EQ(dom0_share(1, true, 0xbe60, &s), 0);
	ASSERT_EQ(gd_reserve_refs(fd, s.domid, s.ref, 1, &m), 0);
	rc = gd_ioc_unmap_notify(fd, m.index + 64, UNMAP_NOTIFY_CLEAR_BYTE, 0);
	check_row("notify-clear-byte-readonly", rc ? err_word(rc) : "accepted");
	if (!th_run_names("gntdev_badinput/notify_clear_byte_readonly")) {
		ASSERT_EQ(gd_release(&m), 0);
		ASSERT_EQ(dom0_active(&s), 0);
		ASSERT_EQ(dom0_unshare(&s), 0);
		SKIP("read-only mmap + munmap with the byte armed not attempted: a hazard to the "
		     "guest kernel (a store through a read-only kernel alias); run it with "
		     "TESTS=gntdev_badinput/notify_clear_byte_readonly");
	}
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (gd_mmap(&m, PROT_READ, MAP_SHARED))
			_exit(2);
		_exit(munmap(m.addr, m.len) ? 3 : 0);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	TH_LOG("child: %s %d; new kernel log lines %u; Xen lists %ld; dom0 byte %d (pattern %d)",
	       WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
	       gt_kernel_log_bad_count() - bad0, dom0_active(&s), dom0_byte(&s, 0, 64),
	       gntlab_pattern_byte(0xbe60, 0, 64));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(gt_kernel_log_bad_count(), bad0);
	ASSERT_EQ(gd_release(&m), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
}

TH_DOC(gntdev_badinput, notify_clear_byte_failed_map,
	"`SET_UNMAP_NOTIFY` with `CLEAR_BYTE` in page 1 of a reserved 2-ref map\n"
	"whose second ref is bad (1<<30). Always checked: the ioctl accepts it\n"
	"(nothing is mapped yet); then the map is unmapped without an mmap.\n"
	"\n"
	"**Hazard** (runs only when the filter names this test exactly): the mmap.\n"
	"From the 6.1 code it fails (EINVAL) after page 0 was mapped, and its error\n"
	"path `unmap_grant_pages(map, 0, 2)` → `__unmap_grant_pages()` clears the\n"
	"armed byte through the kernel alias of page 1, whose grant never mapped:\n"
	"an unpopulated page (`gnttab_alloc_pages()` → `xen_alloc_unpopulated_pages()`,\n"
	"whose PV P2M entries are invalid, so its linear-map PTE is not present): a\n"
	"kernel write fault inside `mmap()`, with the mmap lock held. Done in a\n"
	"child; recorded: what mmap returned (if it returned within 5 s), new\n"
	"kernel log lines, Xen's count; asserted: no new kernel log line. Observed\n"
	"in the opt-in boot (6.1.192 on Xen 4.17): \"BUG: unable to handle page\n"
	"fault ... not-present page\", Oops in `unmap_grant_pages()` called from\n"
	"`gntdev_mmap()`; the mmap never returns and page 0's grant stays mapped.");
TEST(gntdev_badinput, notify_clear_byte_failed_map)
{
	unsigned int bad0 = gt_kernel_log_bad_count();
	struct ioctl_gntdev_grant_ref g[2];
	struct dom0_share s;
	char line[300] = "";
	uint64_t index = 0;
	pid_t pid;
	int fd = gt_gntdev_open(), st = 0, done = 0;

	ASSERT_EQ(dom0_share(1, true, 0xbe61, &s), 0);
	g[0] = (struct ioctl_gntdev_grant_ref){ .domid = s.domid, .ref = s.ref[0] };
	g[1] = (struct ioctl_gntdev_grant_ref){ .domid = s.domid, .ref = GT_BAD_REF };
	ASSERT_EQ(gd_ioc_map(fd, g, 2, &index), 0);
	ASSERT_EQ(gd_ioc_unmap_notify(fd, index + GT_PAGE + 64, UNMAP_NOTIFY_CLEAR_BYTE, 0), 0);
	if (!th_run_names("gntdev_badinput/notify_clear_byte_failed_map")) {
		ASSERT_EQ(gd_ioc_unmap(fd, index, 2), 0);
		ASSERT_EQ(dom0_active(&s), 0);
		ASSERT_EQ(dom0_unshare(&s), 0);
		SKIP("mmap with the byte armed on a failing entry not attempted: a hazard to the "
		     "guest kernel (a store through an unmapped kernel alias); run it with "
		     "TESTS=gntdev_badinput/notify_clear_byte_failed_map");
	}
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(gd_mmap_at(fd, index, 2 * GT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, NULL));
	for (int i = 0; i < 50 && !done; i++) {
		done = waitpid(pid, &st, WNOHANG) == pid;
		if (!done)
			usleep(100 * 1000);
	}
	if (gt_kernel_log_bad_count() != bad0)
		gt_kernel_log_bad(line, sizeof(line));
	TH_LOG("child: %s %d; new kernel log lines %u (%s); Xen lists %ld",
	       !done ? "still running after 5 s" : WIFSIGNALED(st) ? "signal" : "mmap errno",
	       !done ? 0 : WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
	       gt_kernel_log_bad_count() - bad0, line, dom0_active(&s));
	EXPECT_TRUE(done && WIFEXITED(st) && WEXITSTATUS(st) == EINVAL);
	EXPECT_EQ(gt_kernel_log_bad_count(), bad0);
	EXPECT_EQ(gd_ioc_unmap(fd, index, 2), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
}

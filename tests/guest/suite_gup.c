// SPDX-License-Identifier: GPL-2.0
/*
 * gup: what every user of get_user_pages() makes of a PV grant mapping, in
 * each mapping mode (SUITE_DOC below). Every cell's expected outcome and
 * its reason are data in gup_expect.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.h"
#include "gt.h"
#include "gt_subject.h"
#include "gup_cell.h"
#include "harness.h"

SUITE_DOC(gup, "gup: users of get_user_pages() on a grant mapping, per subject",
	  "Guest suite `tests/guest/suite_gup.c`. Expected matrix, with the kernel code path of "
	  "every cell: [../gup-matrix.md](../gup-matrix.md) (generated from "
	  "`tests/guest/gup_expect.c`).\n"
	  "\n"
	  "How a row test works: dom0 shares one page (pattern(seed)); for each subject (the "
	  "module's modes special, nohook, pfnmap through /dev/gntlab, then the kernel's own "
	  "driver through /dev/xen/gntdev's ioctls, `gntdev`) the test maps it (dom0 refills the "
	  "page with a new pattern first), runs one GUP user on the mapping, turns the result "
	  "into one word "
	  "(`ok`, an errno name, a signal name, `0pages`, `excluded`), reports the cell with "
	  "`dom0_matrix(row, mode, expected, observed)` (dom0 prints `GNTLAB-MATRIX`) and checks "
	  "it against the cell's entry in the table. Every cell is reported even when one "
	  "differs; a cell without an entry is an ERROR. Where the user succeeds, the data is "
	  "checked to have moved through dom0's frame (dom0 checks its page with `dom0_check`, "
	  "or the guest checks what it read against dom0's pattern); where it fails, the test "
	  "checks that nothing was written (dom0's page unchanged, the disk unchanged).\n"
	  "\n"
	  "The after-test leak check (module counters zero, clean kernel log, Xen listing "
	  "nothing mapped) runs after every test, including those that took page references "
	  "(O_DIRECT, vmsplice, /proc/PID/mem, pins).")

#define RAM_DEV "/dev/ram0"
/* 4096-aligned, in the second half of the 16 MiB brd disk. */
#define RAM_OFF (8ull << 20)

static uint8_t buf[GT_PAGE] __attribute__((aligned(4096)));

const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "EUNKNOWN";
}

const char *signame(int sig)
{
	static char name[32];
	const char *a = sigabbrev_np(sig);

	snprintf(name, sizeof(name), "SIG%s", a ? a : "UNKNOWN");
	return name;
}

/* Report one cell to dom0's matrix and check it against its expectation. */
static void report_cell(const char *row, const struct expect_cell *e, const char *observed)
{
	EXPECT_EQ(dom0_matrix(row, e->subject, e->outcome, observed), 0);
	expect_check(e, row, observed);
}

/*
 * Run `fn` once per subject (the module's modes, then the kernel's gntdev)
 * on one page of dom0 (a read-only grant and a PROT_READ mapping if
 * `readonly`), refilled with a new pattern before each subject, and report
 * each cell against its entry in gup_expect. A subject that cannot run here
 * (gntdev's node missing) ends the test as SKIP after the others.
 */
void run_row(const char *row, bool readonly, uint32_t seed, cell_fn fn, void *arg)
{
	const struct expect_cell *expected[GT_SUBJ_COUNT];
	const char *unavailable = NULL;
	struct dom0_share share;
	int fd;

	/* Every cell's expectation first: a hole in the table is an ERROR. */
	for (uint32_t subj = 0; subj < GT_SUBJ_COUNT; subj++)
		expected[subj] = expect_get(&gup_expect, row, gt_subject_name[subj]);
	fd = gt_open();

	ASSERT_GE(fd, 0) TH_MSG("open %s: %s", GNTLAB_DEVICE, strerror(errno));
	ASSERT_EQ(dom0_share(1, !readonly, seed, &share), 0);
	for (uint32_t subj = 0; subj < GT_SUBJ_COUNT; subj++) {
		struct gup_cell c = { .fd = fd, .mode = subj, .seed = seed + subj,
				      .share = &share };
		const char *observed;

		if (gt_subject_unavailable(subj)) {
			unavailable = gt_subject_unavailable(subj);
			continue;
		}
		if (subj)
			ASSERT_EQ(dom0_fill(&share, c.seed), 0);
		ASSERT_EQ(gt_smap_map(fd, subj, &share, readonly, &c.map), 0)
			TH_MSG("subject %s", gt_subject_name[subj]);
		observed = fn(&c, arg);
		report_cell(row, expected[subj], observed);
		EXPECT_EQ(gt_smap_unmap(&c.map), 0);
	}
	EXPECT_EQ(dom0_unshare(&share), 0);
	close(fd);
	if (unavailable)
		SKIP("gntdev column not run: %s", unavailable);
}

/* dom0's page still holds pattern(seed): nothing wrote through the grant. */
void expect_dom0_holds(struct gup_cell *c, uint32_t seed)
{
	char why[256] = "";

	EXPECT_EQ(dom0_check(c->share, seed, 0, GT_PAGE, why, sizeof(why)), 0)
		TH_MSG("%s mode: %s", gt_subject_name[c->mode], why);
}

void expect_mapping_holds(struct gup_cell *c, uint32_t seed)
{
	EXPECT_EQ(gntlab_pattern_check(c->map.addr, seed, 0, 0, GT_PAGE), -1)
		TH_MSG("%s mode", gt_subject_name[c->mode]);
}

/* ---- module GUP probes (GNTLAB_IOC_GUP_PROBE) ---------------------------- */

struct probe_arg {
	uint32_t kind;
	bool write;
};

static const char *probe_cell(struct gup_cell *c, void *arg)
{
	const struct probe_arg *p = arg;
	struct gntlab_introspect in;
	struct gntlab_gup_probe g;
	int rc;

	ASSERT_EQ(gt_smap_gup(c->fd, &c->map, c->map.addr, p->kind, p->write, &g), 0);
	TH_LOG("%s kind %u write %d: ret %d same_page %u pfn %#llx", gt_subject_name[c->mode],
	       p->kind, p->write, g.ret, g.same_page, (unsigned long long)g.page_pfn);
	if (g.ret < 0)
		return errname(-g.ret);
	if (g.ret == 0)
		return "0pages";
	/*
	 * The page GUP returns must be the map's page, nothing else: for the
	 * module the introspected page_pfn (and same_page); for gntdev, which
	 * the module does not own, the page vm_normal_page() finds
	 * (find_special_page: gntdev's map->pages[i]), which must back the
	 * PTE's frame.
	 */
	rc = gt_smap_introspect(c->fd, &c->map, c->map.addr, &in);
	if (gt_subject_is_gntdev(c->mode)) {
		if (rc == EOPNOTSUPP || rc == ENOTTY)
			SKIP("the module has no GNTLAB_IOC_INTROSPECT_ANY: gntdev's page unknown");
		ASSERT_EQ(rc, 0);
		EXPECT_EQ(g.page_pfn, in.normal_page_pfn);
		EXPECT_EQ(in.pfn_to_mfn, in.pte_mfn);
		return g.page_pfn == in.normal_page_pfn && in.pfn_to_mfn == in.pte_mfn ?
			       "ok" : "wrongpage";
	}
	ASSERT_EQ(rc, 0);
	EXPECT_EQ(g.page_pfn, in.page_pfn);
	return g.same_page ? "ok" : "wrongpage";
}

#define PROBE_ROW(name, row, k, w, doc)                                                        \
	TH_DOC(gup, name, doc " Matrix row `" row "`.")                                            \
	TEST(gup, name)                                                                            \
	{                                                                                          \
		struct probe_arg a = { .kind = k, .write = w };                                    \
		run_row(row, false, 0x1000 + (k << 4) + (w << 8), probe_cell, &a);                 \
	}

#define PROBE_DOC(what)                                                                            \
	"Module probe (`GNTLAB_IOC_GUP_PROBE`) `" what "` on a one-page mapping, in each mode. "   \
	"Where it returns a page, the page must be the map's own (`same_page`, and its pfn "      \
	"equals the introspected `page_pfn`); pins are released and the leak check finds the "    \
	"counters at zero."
#define PROBE_WRITE_DOC "The same probe with `FOLL_WRITE`, on a writable grant."

PROBE_ROW(fast_only, "gup-fast-only", GNTLAB_GUP_FAST_ONLY, 0,
	  PROBE_DOC("get_user_pages_fast_only()"))
PROBE_ROW(fast_only_write, "gup-fast-only-write", GNTLAB_GUP_FAST_ONLY, 1, PROBE_WRITE_DOC)
PROBE_ROW(fast, "gup-fast", GNTLAB_GUP_FAST, 0, PROBE_DOC("get_user_pages_fast()"))
PROBE_ROW(fast_write, "gup-fast-write", GNTLAB_GUP_FAST, 1, PROBE_WRITE_DOC)
PROBE_ROW(slow, "gup-slow", GNTLAB_GUP_SLOW, 0, PROBE_DOC("get_user_pages()"))
PROBE_ROW(slow_write, "gup-slow-write", GNTLAB_GUP_SLOW, 1, PROBE_WRITE_DOC)
PROBE_ROW(remote, "gup-remote", GNTLAB_GUP_REMOTE, 0,
	  PROBE_DOC("get_user_pages_remote(current->mm)"))
PROBE_ROW(remote_write, "gup-remote-write", GNTLAB_GUP_REMOTE, 1, PROBE_WRITE_DOC)
PROBE_ROW(pin, "pin", GNTLAB_GUP_PIN, 0, PROBE_DOC("pin_user_pages()"))
PROBE_ROW(pin_write, "pin-write", GNTLAB_GUP_PIN, 1, PROBE_WRITE_DOC)
PROBE_ROW(pin_longterm, "pin-longterm", GNTLAB_GUP_PIN_LONGTERM, 0,
	  PROBE_DOC("pin_user_pages(FOLL_LONGTERM)"))
PROBE_ROW(pin_longterm_write, "pin-longterm-write", GNTLAB_GUP_PIN_LONGTERM, 1, PROBE_WRITE_DOC)

/* ---- O_DIRECT against a real block device (brd) -------------------------- */

static int open_ramdisk(void)
{
	int fd = open(RAM_DEV, O_RDWR | O_DIRECT | O_CLOEXEC);
	off_t size;

	if (fd < 0 && errno == ENOENT)
		SKIP(RAM_DEV " is missing (brd not loaded)");
	ASSERT_GE(fd, 0) TH_MSG("open %s: %s", RAM_DEV, strerror(errno));
	size = lseek(fd, 0, SEEK_END);
	if (size < (off_t)(RAM_OFF + GT_PAGE))
		SKIP(RAM_DEV " has %lld bytes, need %llu", (long long)size, RAM_OFF + GT_PAGE);
	return fd;
}

/* Store pattern(seed) (or zeros if seed is 0) on the disk, from a plain buffer. */
static void disk_store(int dev, uint32_t seed)
{
	if (seed)
		gntlab_pattern_fill(buf, seed, 0, 0, GT_PAGE);
	else
		memset(buf, 0, GT_PAGE);
	ASSERT_EQ(pwrite(dev, buf, GT_PAGE, RAM_OFF), GT_PAGE) TH_MSG("%s", strerror(errno));
}

static const char *odirect_read_cell(struct gup_cell *c, void *arg)
{
	int dev = *(int *)arg;
	uint32_t disk_seed = c->seed ^ 0xd15c;
	char why[256] = "";
	ssize_t n;
	int e;

	disk_store(dev, disk_seed);
	n = pread(dev, c->map.addr, GT_PAGE, RAM_OFF);
	e = errno;
	if (n < 0) {
		expect_dom0_holds(c, c->seed);
		return errname(e);
	}
	if (n != GT_PAGE)
		return "short";
	/* The device's data landed in dom0's page, through the kernel alias. */
	EXPECT_EQ(dom0_check(c->share, disk_seed, 0, GT_PAGE, why, sizeof(why)), 0)
		TH_MSG("%s", why);
	expect_mapping_holds(c, disk_seed);
	return "ok";
}

static const char *odirect_write_cell(struct gup_cell *c, void *arg)
{
	int dev = *(int *)arg;
	ssize_t n;
	int e;

	disk_store(dev, 0);
	n = pwrite(dev, c->map.addr, GT_PAGE, RAM_OFF);
	e = errno;
	ASSERT_EQ(pread(dev, buf, GT_PAGE, RAM_OFF), GT_PAGE) TH_MSG("%s", strerror(errno));
	if (n < 0) {
		for (uint32_t i = 0; i < GT_PAGE; i++)
			ASSERT_EQ(buf[i], 0) TH_MSG("failed write changed the disk at %u", i);
		return errname(e);
	}
	if (n != GT_PAGE)
		return "short";
	/* dom0's data reached the disk. */
	EXPECT_EQ(gntlab_pattern_check(buf, c->seed, 0, 0, GT_PAGE), -1);
	return "ok";
}

TH_DOC(gup, odirect_read,
       "`/dev/ram0` (brd) opened `O_DIRECT`; a pattern is first written to the disk "
       "(4096-aligned offset 8 MiB) from a plain aligned buffer, then read with O_DIRECT into "
       "the mapping. Where it works, dom0 must find the disk's data in its own page "
       "(`dom0_check`) and the mapping must read it too; on failure dom0's page is unchanged. "
       "SKIP if `/dev/ram0` is missing or too small. Matrix row `odirect-read`.")
TEST(gup, odirect_read)
{
	int dev = open_ramdisk();

	run_row("odirect-read", false, 0x2000, odirect_read_cell, &dev);
	close(dev);
}

TH_DOC(gup, odirect_write,
       "O_DIRECT write from the mapping to `/dev/ram0` (disk zeroed first), read back with a "
       "plain buffer. Where it works the disk holds dom0's pattern; on failure it is still "
       "zero. SKIP as `gup/odirect_read`. Matrix row `odirect-write`.")
TEST(gup, odirect_write)
{
	int dev = open_ramdisk();

	run_row("odirect-write", false, 0x2100, odirect_write_cell, &dev);
	close(dev);
}

/* ---- process_vm_readv/writev, /proc/PID/mem, ptrace --------------------- */

static const char *pvm_read_cell(struct gup_cell *c, void *arg)
{
	struct iovec l = { buf, GT_PAGE }, r = { c->map.addr, GT_PAGE };
	ssize_t n;

	(void)arg;
	memset(buf, 0, GT_PAGE);
	n = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	if (n < 0)
		return errname(errno);
	if (n != GT_PAGE)
		return "short";
	EXPECT_EQ(gntlab_pattern_check(buf, c->seed, 0, 0, GT_PAGE), -1);
	return "ok";
}

static const char *pvm_write_cell(struct gup_cell *c, void *arg)
{
	struct iovec l = { buf, GT_PAGE }, r = { c->map.addr, GT_PAGE };
	ssize_t n;

	(void)arg;
	gntlab_pattern_fill(buf, c->seed + 0x80, 0, 0, GT_PAGE);
	n = process_vm_writev(getpid(), &l, 1, &r, 1, 0);
	if (n < 0) {
		int e = errno;

		expect_dom0_holds(c, c->seed);
		return errname(e);
	}
	if (n != GT_PAGE)
		return "short";
	expect_dom0_holds(c, c->seed + 0x80);
	return "ok";
}

TH_DOC(gup, process_vm_readv,
       "`process_vm_readv(getpid())` with the mapping as the remote iovec (the local side is "
       "an ordinary copy). Where it works, the buffer holds dom0's pattern. Matrix row "
       "`process_vm_readv`.")
TEST(gup, process_vm_readv)
{
	run_row("process_vm_readv", false, 0x2200, pvm_read_cell, NULL);
}

TH_DOC(gup, process_vm_writev,
       "`process_vm_writev()` onto the mapping. Where it works, dom0 finds the new pattern in "
       "its page; on failure its page is unchanged. Matrix row `process_vm_writev`.")
TEST(gup, process_vm_writev)
{
	run_row("process_vm_writev", false, 0x2300, pvm_write_cell, NULL);
}

static const char *proc_mem_read_cell(struct gup_cell *c, void *arg)
{
	int mem = *(int *)arg;
	ssize_t n;

	memset(buf, 0, GT_PAGE);
	n = pread(mem, buf, GT_PAGE, (off_t)(uintptr_t)c->map.addr);
	if (n < 0)
		return errname(errno);
	if (n != GT_PAGE)
		return "short";
	EXPECT_EQ(gntlab_pattern_check(buf, c->seed, 0, 0, GT_PAGE), -1);
	return "ok";
}

static const char *proc_mem_write_cell(struct gup_cell *c, void *arg)
{
	int mem = *(int *)arg;
	ssize_t n;

	gntlab_pattern_fill(buf, c->seed + 0x80, 0, 0, GT_PAGE);
	n = pwrite(mem, buf, GT_PAGE, (off_t)(uintptr_t)c->map.addr);
	if (n < 0) {
		int e = errno;

		expect_dom0_holds(c, c->seed);
		return errname(e);
	}
	if (n != GT_PAGE)
		return "short";
	expect_dom0_holds(c, c->seed + 0x80);
	return "ok";
}

static int open_proc_mem(void)
{
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);

	ASSERT_GE(fd, 0) TH_MSG("open /proc/self/mem: %s", strerror(errno));
	return fd;
}

TH_DOC(gup, proc_mem_read,
       "`pread(/proc/self/mem)` at the mapping's address. Where it works, the buffer holds "
       "dom0's pattern. Matrix row `proc-mem-read`.")
TEST(gup, proc_mem_read)
{
	int mem = open_proc_mem();

	run_row("proc-mem-read", false, 0x2400, proc_mem_read_cell, &mem);
	close(mem);
}

TH_DOC(gup, proc_mem_write,
       "`pwrite(/proc/self/mem)` at the mapping's address. Where it works, dom0 sees the data "
       "(written through `kmap()` of the map's page, the kernel alias); on failure its page is "
       "unchanged. Matrix row `proc-mem-write`.")
TEST(gup, proc_mem_write)
{
	int mem = open_proc_mem();

	run_row("proc-mem-write", false, 0x2500, proc_mem_write_cell, &mem);
	close(mem);
}

struct peek_result {
	int stage;	/* 4 = PEEKDATA was issued */
	int err;
	long word;
};

/* In a forked child: seize the parent, stop it, peek at addr, let it go. */
static void peek_parent(pid_t parent, const void *addr, int out)
{
	struct peek_result r = { 0 };
	int st;

	if (ptrace(PTRACE_SEIZE, parent, 0, 0)) {
		r.stage = 1;
		r.err = errno;
		goto out;
	}
	if (ptrace(PTRACE_INTERRUPT, parent, 0, 0)) {
		r.stage = 2;
		r.err = errno;
		goto out;
	}
	if (waitpid(parent, &st, __WALL) != parent) {
		r.stage = 3;
		r.err = errno;
		goto out;
	}
	errno = 0;
	r.word = ptrace(PTRACE_PEEKDATA, parent, addr, 0);
	r.err = errno;
	r.stage = 4;
	ptrace(PTRACE_DETACH, parent, 0, 0);
out:
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(0);
}

static const char *peek_cell(struct gup_cell *c, void *arg)
{
	struct peek_result r;
	long want;
	int p[2], st;
	pid_t child;
	ssize_t n;

	(void)arg;
	ASSERT_EQ(pipe(p), 0);
	child = fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		close(p[0]);
		peek_parent(getppid(), c->map.addr, p[1]);
	}
	close(p[1]);
	/* The read is interrupted by the ptrace stop and restarted. */
	do
		n = read(p[0], &r, sizeof(r));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	ASSERT_EQ(waitpid(child, &st, 0), child);
	ASSERT_EQ(n, sizeof(r));
	if (r.stage == 1 && r.err == EPERM)
		SKIP("PTRACE_SEIZE of the test process: EPERM (ptrace restricted)");
	ASSERT_EQ(r.stage, 4) TH_MSG("tracer failed at step %d: %s", r.stage, strerror(r.err));
	if (r.err)
		return errname(r.err);
	memcpy(&want, c->map.addr, sizeof(want));
	EXPECT_EQ(r.word, want);
	return "ok";
}

TH_DOC(gup, ptrace_peekdata,
       "A forked child seizes the test process (`PTRACE_SEIZE` + `PTRACE_INTERRUPT`; the "
       "mapping is `VM_DONTCOPY`, so its owner must be the tracee) and peeks one word of the "
       "mapping; where that works the word equals what the mapping holds. SKIP if ptrace is "
       "refused (EPERM). Matrix row `ptrace-peekdata`.")
TEST(gup, ptrace_peekdata)
{
	run_row("ptrace-peekdata", false, 0x2600, peek_cell, NULL);
}

/* ---- vmsplice, io_uring ---------------------------------------------------- */

static const char *vmsplice_cell(struct gup_cell *c, void *arg)
{
	struct iovec iov = { c->map.addr, GT_PAGE };
	ssize_t n;
	int p[2], e;

	(void)arg;
	ASSERT_EQ(pipe(p), 0);
	n = vmsplice(p[1], &iov, 1, 0);
	e = errno;
	if (n > 0) {
		/* Drain: the pipe holds a reference on the map's page. */
		memset(buf, 0, GT_PAGE);
		EXPECT_EQ(read(p[0], buf, GT_PAGE), n);
		EXPECT_EQ(gntlab_pattern_check(buf, c->seed, 0, 0, (size_t)n), -1);
	}
	close(p[0]);
	close(p[1]);
	if (n < 0)
		return errname(e);
	return n == GT_PAGE ? "ok" : "short";
}

TH_DOC(gup, vmsplice,
       "`vmsplice()` of the mapping into a pipe, then the pipe is read (drained before "
       "unmapping, since the pipe holds a page reference). Where it works the pipe yields "
       "dom0's pattern. Matrix row `vmsplice`.")
TEST(gup, vmsplice)
{
	run_row("vmsplice", false, 0x2700, vmsplice_cell, NULL);
}

TH_DOC(gup, vmsplice_unmap_before_drain,
       "Special mode only; not a matrix cell. vmsplice the page, then munmap and "
       "`GNTLAB_IOC_UNMAP` while the pipe still holds the reference. Expected: the munmap "
       "returns (no wait on the pipe); the module then has 0 user grants, 1 kernel grant and 1 "
       "deferred unmap, and Xen still lists the ref as mapped; dom0 rewrites its page and "
       "reading the pipe yields dom0's *new* pattern (the pipe references the live granted "
       "frame through the kernel alias); after the read the counters return to zero and Xen "
       "lists nothing. Guards the split teardown of docs/module.md (gntdev would unmap both "
       "halves async; a kernel-half unmap while a reference is held would let the pipe read a "
       "frame that is no longer ours).")
TEST(gup, vmsplice_unmap_before_drain)
{
	struct gntlab_stats st;
	struct dom0_share share;
	struct gt_map map;
	struct iovec iov;
	char why[256] = "";
	int fd, p[2];

	fd = gt_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(dom0_share(1, true, 0x2800, &share), 0);
	ASSERT_EQ(gt_map(fd, &share, GNTLAB_MODE_SPECIAL, false, &map), 0);
	ASSERT_EQ(pipe(p), 0);
	iov.iov_base = map.addr;
	iov.iov_len = GT_PAGE;
	ASSERT_EQ(vmsplice(p[1], &iov, 1, 0), GT_PAGE);
	ASSERT_EQ(gt_unmap(&map), 0);

	ASSERT_EQ(gt_stats(fd, &st), 0);
	TH_LOG("after munmap with the pipe full: grants user %llu kernel %llu deferred %llu",
	       (unsigned long long)st.live_grants_user,
	       (unsigned long long)st.live_grants_kernel,
	       (unsigned long long)st.deferred_unmaps);
	EXPECT_EQ(st.live_grants_user, 0);
	EXPECT_EQ(st.live_grants_kernel, 1);
	EXPECT_EQ(st.deferred_unmaps, 1);
	EXPECT_EQ(dom0_active(&share), 1);

	/* dom0 writes the frame after our munmap; the pipe sees it. */
	ASSERT_EQ(dom0_fill(&share, 0x2801), 0);
	memset(buf, 0, GT_PAGE);
	ASSERT_EQ(read(p[0], buf, GT_PAGE), GT_PAGE);
	EXPECT_EQ(gntlab_pattern_check(buf, 0x2801, 0, 0, GT_PAGE), -1);
	close(p[0]);
	close(p[1]);

	/* Reference dropped: the kernel half goes, Xen lists nothing mapped. */
	EXPECT_EQ(gt_wait_counters_zero(fd, 5000, why, sizeof(why)), 0) TH_MSG("%s", why);
	EXPECT_EQ(dom0_active(&share), 0);
	EXPECT_EQ(dom0_unshare(&share), 0);
	close(fd);
}

static const char *uring_cell(struct gup_cell *c, void *arg)
{
	int ring = *(int *)arg;
	struct iovec iov = { c->map.addr, GT_PAGE };

	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS, &iov, 1) < 0)
		return errname(errno);
	EXPECT_EQ(syscall(__NR_io_uring_register, ring, IORING_UNREGISTER_BUFFERS, NULL, 0), 0);
	return "ok";
}

TH_DOC(gup, io_uring_register,
       "Raw `io_uring_setup` + `io_uring_register(IORING_REGISTER_BUFFERS)` of the mapping, "
       "unregistered again where it works. SKIP if `io_uring_setup` fails with ENOSYS or "
       "EPERM. Matrix row `io_uring-register`.")
TEST(gup, io_uring_register)
{
	struct io_uring_params prm;
	int ring;

	memset(&prm, 0, sizeof(prm));
	ring = syscall(__NR_io_uring_setup, 4, &prm);
	if (ring < 0 && (errno == ENOSYS || errno == EPERM))
		SKIP("io_uring_setup: %s", strerror(errno));
	ASSERT_GE(ring, 0) TH_MSG("io_uring_setup: %s", strerror(errno));
	run_row("io_uring-register", false, 0x2900, uring_cell, &ring);
	close(ring);
}

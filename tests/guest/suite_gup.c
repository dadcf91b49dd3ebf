// SPDX-License-Identifier: GPL-2.0
/*
 * gup: what every user of get_user_pages() makes of a PV grant mapping, in
 * each mapping mode (docs/tests/gup.md, docs/gup-matrix.md).
 *
 * A grant PTE is *special* (Xen sets _GNTMAP_guest_avail0 = bit 9 =
 * _PAGE_SPECIAL) and its MFN does not lead back to a local page through the
 * M2P, so the core mm finds a struct page only through
 * vm_ops->find_special_page (vm_normal_page(), mm/memory.c). Linux 6.1:
 *   - GUP-fast (gup_pte_range) bails on pte_special: 0 pages;
 *   - GUP-slow: check_vma_flags() refuses VM_IO | VM_PFNMAP (-EFAULT);
 *     with VM_MIXEDMAP, follow_page_pte() asks vm_normal_page(): the hook
 *     gives the map's page (works), without it NULL -> follow_pfn_pte()
 *     -> -EEXIST, which __get_user_pages() returns when the caller wants
 *     pages (since 5.18, "mm/gup: follow_pfn_pte(): -EEXIST cleanup").
 * Each row test runs one GUP user against the three modes, reports every
 * cell as GNTLAB-MATRIX <row> <mode> <expected> <observed> and expects the
 * observed outcome to be the constant derived from that code reading.
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

#include "gt.h"
#include "harness.h"

#define RAM_DEV "/dev/ram0"
/* 4096-aligned, in the second half of the 16 MiB brd disk. */
#define RAM_OFF (8ull << 20)

static uint8_t buf[GT_PAGE] __attribute__((aligned(4096)));

/* One cell: the row's one-page share of dom0, mapped in one mode. */
struct gup_cell {
	int fd;
	uint32_t mode;
	uint32_t seed;		/* what dom0's page holds when the cell starts */
	struct peer_share *share;
	struct gt_map map;
};

typedef const char *(*cell_fn)(struct gup_cell *c, void *arg);

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "EUNKNOWN";
}

static const char *signame(int sig)
{
	static char name[32];
	const char *a = sigabbrev_np(sig);

	snprintf(name, sizeof(name), "SIG%s", a ? a : "UNKNOWN");
	return name;
}

/* Report one cell to dom0's matrix and check it against its expectation. */
static void report_cell(const char *row, uint32_t mode, const char *expected,
			const char *observed)
{
	EXPECT_EQ(peer_matrix(row, gt_mode_name[mode], expected, observed), 0);
	EXPECT_STREQ(observed, expected) TH_MSG("cell %s/%s", row, gt_mode_name[mode]);
}

/*
 * Run `fn` once per mode on one page of dom0 (a read-only grant and a
 * PROT_READ mapping if `readonly`), refilled with a new pattern before each
 * mode, and report each cell. `expected` is indexed by mode.
 */
static void run_row(const char *row, const char *const expected[GNTLAB_MODE_COUNT],
		    bool readonly, uint32_t seed, cell_fn fn, void *arg)
{
	struct peer_share share;
	int fd = gt_open();

	ASSERT_GE(fd, 0) TH_MSG("open %s: %s", GNTLAB_DEVICE, strerror(errno));
	ASSERT_EQ(peer_share(1, !readonly, seed, &share), 0);
	for (uint32_t mode = 0; mode < GNTLAB_MODE_COUNT; mode++) {
		struct gup_cell c = { .fd = fd, .mode = mode, .seed = seed + mode,
				      .share = &share };
		const char *observed;

		if (mode)
			ASSERT_EQ(peer_fill(&share, c.seed), 0);
		ASSERT_EQ(gt_map(fd, &share, mode, readonly, &c.map), 0)
			TH_MSG("mode %s", gt_mode_name[mode]);
		observed = fn(&c, arg);
		report_cell(row, mode, expected[mode], observed);
		EXPECT_EQ(gt_unmap(&c.map), 0);
	}
	EXPECT_EQ(peer_unshare(&share), 0);
	close(fd);
}

/* dom0's page still holds pattern(seed): nothing wrote through the grant. */
static void expect_dom0_holds(struct gup_cell *c, uint32_t seed)
{
	char why[256] = "";

	EXPECT_EQ(peer_check(c->share, seed, 0, GT_PAGE, why, sizeof(why)), 0)
		TH_MSG("%s mode: %s", gt_mode_name[c->mode], why);
}

static void expect_mapping_holds(struct gup_cell *c, uint32_t seed)
{
	EXPECT_EQ(gntlab_pattern_check(c->map.addr, seed, 0, 0, GT_PAGE), -1)
		TH_MSG("%s mode", gt_mode_name[c->mode]);
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

	ASSERT_EQ(gt_gup(c->fd, c->map.addr, p->kind, p->write, &g), 0);
	TH_LOG("%s kind %u write %d: ret %d same_page %u pfn %#llx", gt_mode_name[c->mode],
	       p->kind, p->write, g.ret, g.same_page, (unsigned long long)g.page_pfn);
	if (g.ret < 0)
		return errname(-g.ret);
	if (g.ret == 0)
		return "0pages";
	/* The page GUP returns must be the map's page, nothing else. */
	ASSERT_EQ(gt_introspect(c->fd, c->map.addr, &in), 0);
	EXPECT_EQ(g.page_pfn, in.page_pfn);
	return g.same_page ? "ok" : "wrongpage";
}

#define PROBE_ROW(name, row, k, w, e_special, e_nohook, e_pfnmap)                \
	TEST(gup, name)                                                        \
	{                                                                      \
		static const char *const exp[] = { e_special, e_nohook, e_pfnmap }; \
		struct probe_arg a = { .kind = k, .write = w };                \
		run_row(row, exp, false, 0x1000 + (k << 4) + (w << 8), probe_cell, &a); \
	}

/*
 * get_user_pages_fast_only(): gup_pte_range() gives up on a special PTE
 * and there is no slow fallback: 0 pages in every mode. Guards the
 * special bit that Xen writes (_GNTMAP_guest_avail0): without it GUP-fast
 * would turn the MFN into a wrong struct page through the M2P.
 */
PROBE_ROW(fast_only, "gup-fast-only", GNTLAB_GUP_FAST_ONLY, 0, "0pages", "0pages", "0pages")
PROBE_ROW(fast_only_write, "gup-fast-only-write", GNTLAB_GUP_FAST_ONLY, 1, "0pages", "0pages",
	  "0pages")
/*
 * get_user_pages_fast(): the fast part gets nothing (special PTE), the
 * slow fallback decides: find_special_page (special), -EEXIST from
 * follow_pfn_pte (nohook), -EFAULT from check_vma_flags (pfnmap).
 */
PROBE_ROW(fast, "gup-fast", GNTLAB_GUP_FAST, 0, "ok", "EEXIST", "EFAULT")
PROBE_ROW(fast_write, "gup-fast-write", GNTLAB_GUP_FAST, 1, "ok", "EEXIST", "EFAULT")
/* get_user_pages(): __get_user_pages -> follow_page_pte -> vm_normal_page. */
PROBE_ROW(slow, "gup-slow", GNTLAB_GUP_SLOW, 0, "ok", "EEXIST", "EFAULT")
PROBE_ROW(slow_write, "gup-slow-write", GNTLAB_GUP_SLOW, 1, "ok", "EEXIST", "EFAULT")
/* get_user_pages_remote(): same path with FOLL_REMOTE. */
PROBE_ROW(remote, "gup-remote", GNTLAB_GUP_REMOTE, 0, "ok", "EEXIST", "EFAULT")
PROBE_ROW(remote_write, "gup-remote-write", GNTLAB_GUP_REMOTE, 1, "ok", "EEXIST", "EFAULT")
/* pin_user_pages(): FOLL_PIN on the same path (GUP_PIN_COUNTING_BIAS). */
PROBE_ROW(pin, "pin", GNTLAB_GUP_PIN, 0, "ok", "EEXIST", "EFAULT")
PROBE_ROW(pin_write, "pin-write", GNTLAB_GUP_PIN, 1, "ok", "EEXIST", "EFAULT")
/*
 * pin_user_pages(FOLL_LONGTERM): check_and_migrate_movable_pages() keeps
 * the ballooned page (not ZONE_MOVABLE, not CMA), so special mode pins.
 */
PROBE_ROW(pin_longterm, "pin-longterm", GNTLAB_GUP_PIN_LONGTERM, 0, "ok", "EEXIST", "EFAULT")
PROBE_ROW(pin_longterm_write, "pin-longterm-write", GNTLAB_GUP_PIN_LONGTERM, 1, "ok", "EEXIST",
	  "EFAULT")

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
	EXPECT_EQ(peer_check(c->share, disk_seed, 0, GT_PAGE, why, sizeof(why)), 0)
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

/*
 * O_DIRECT read into the mapping: blkdev direct I/O takes the pages with
 * iov_iter_get_pages2() -> get_user_pages_fast(FOLL_WRITE); the error is
 * returned as is by read(). brd then copies into the page through
 * page_address(), i.e. the kernel alias of the grant.
 */
TEST(gup, odirect_read)
{
	static const char *const exp[] = { "ok", "EEXIST", "EFAULT" };
	int dev = open_ramdisk();

	run_row("odirect-read", exp, false, 0x2000, odirect_read_cell, &dev);
	close(dev);
}

/* O_DIRECT write from the mapping: the same GUP, without FOLL_WRITE. */
TEST(gup, odirect_write)
{
	static const char *const exp[] = { "ok", "EEXIST", "EFAULT" };
	int dev = open_ramdisk();

	run_row("odirect-write", exp, false, 0x2100, odirect_write_cell, &dev);
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

/*
 * process_vm_readv on the mapping as the *remote* side (the local side is
 * a plain copy_to_user): process_vm_rw_single_vec() ->
 * pin_user_pages_remote(); any failure (EEXIST or EFAULT) becomes -EFAULT.
 */
TEST(gup, process_vm_readv)
{
	static const char *const exp[] = { "ok", "EFAULT", "EFAULT" };

	run_row("process_vm_readv", exp, false, 0x2200, pvm_read_cell, NULL);
}

/* process_vm_writev onto the mapping: the same path with FOLL_WRITE. */
TEST(gup, process_vm_writev)
{
	static const char *const exp[] = { "ok", "EFAULT", "EFAULT" };

	run_row("process_vm_writev", exp, false, 0x2300, pvm_write_cell, NULL);
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

/*
 * /proc/self/mem read: mem_rw() -> access_remote_vm() ->
 * get_user_pages_remote(FOLL_FORCE); on failure the fallback is
 * vma->vm_ops->access, which gntlab does not have, so nothing is copied
 * and mem_rw() returns -EIO.
 */
TEST(gup, proc_mem_read)
{
	static const char *const exp[] = { "ok", "EIO", "EIO" };
	int mem = open_proc_mem();

	run_row("proc-mem-read", exp, false, 0x2400, proc_mem_read_cell, &mem);
	close(mem);
}

/* /proc/self/mem write: the same with FOLL_WRITE (VMA is writable). */
TEST(gup, proc_mem_write)
{
	static const char *const exp[] = { "ok", "EIO", "EIO" };
	int mem = open_proc_mem();

	run_row("proc-mem-write", exp, false, 0x2500, proc_mem_write_cell, &mem);
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

/*
 * PTRACE_PEEKDATA from a tracer (a forked child tracing the test process,
 * which owns the mapping: VM_DONTCOPY keeps it out of children):
 * generic_ptrace_peekdata() -> ptrace_access_vm() -> __access_remote_vm();
 * anything but a full word copied is -EIO.
 */
TEST(gup, ptrace_peekdata)
{
	static const char *const exp[] = { "ok", "EIO", "EIO" };

	run_row("ptrace-peekdata", exp, false, 0x2600, peek_cell, NULL);
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

/*
 * vmsplice of the mapping into a pipe: vmsplice_to_pipe() -> iter_to_pipe()
 * -> iov_iter_get_pages2() -> get_user_pages_fast(); the GUP error is
 * returned as is.
 */
TEST(gup, vmsplice)
{
	static const char *const exp[] = { "ok", "EEXIST", "EFAULT" };

	run_row("vmsplice", exp, false, 0x2700, vmsplice_cell, NULL);
}

/*
 * The pipe's page reference outlives munmap: the module unmaps the user
 * half at once and keeps the kernel half (and Xen's grant) until the
 * reference is gone, so the pipe still reads the granted frame, including
 * what dom0 writes after the munmap. Guards the split teardown of
 * docs/module.md (gntdev would unmap both halves async; a kernel-half
 * unmap with the reference held would let the pipe read a frame no longer
 * ours).
 */
TEST(gup, vmsplice_unmap_before_drain)
{
	struct gntlab_stats st;
	struct peer_share share;
	struct gt_map map;
	struct iovec iov;
	char why[256] = "";
	int fd, p[2];

	fd = gt_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(peer_share(1, true, 0x2800, &share), 0);
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
	EXPECT_EQ(peer_active(&share), 1);

	/* dom0 writes the frame after our munmap; the pipe sees it. */
	ASSERT_EQ(peer_fill(&share, 0x2801), 0);
	memset(buf, 0, GT_PAGE);
	ASSERT_EQ(read(p[0], buf, GT_PAGE), GT_PAGE);
	EXPECT_EQ(gntlab_pattern_check(buf, 0x2801, 0, 0, GT_PAGE), -1);
	close(p[0]);
	close(p[1]);

	/* Reference dropped: the kernel half goes, Xen lists nothing mapped. */
	EXPECT_EQ(gt_wait_counters_zero(fd, 5000, why, sizeof(why)), 0) TH_MSG("%s", why);
	EXPECT_EQ(peer_active(&share), 0);
	EXPECT_EQ(peer_unshare(&share), 0);
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

/*
 * io_uring fixed buffers: io_sqe_buffer_register() -> io_pin_pages() ->
 * pin_user_pages(FOLL_WRITE | FOLL_LONGTERM); when that works, 6.1 refuses
 * any file-backed VMA that is not shmem or hugetlbfs (-EOPNOTSUPP), else
 * it returns the pin error.
 */
TEST(gup, io_uring_register)
{
	static const char *const exp[] = { "EOPNOTSUPP", "EEXIST", "EFAULT" };
	struct io_uring_params prm;
	int ring;

	memset(&prm, 0, sizeof(prm));
	ring = syscall(__NR_io_uring_setup, 4, &prm);
	if (ring < 0 && (errno == ENOSYS || errno == EPERM))
		SKIP("io_uring_setup: %s", strerror(errno));
	ASSERT_GE(ring, 0) TH_MSG("io_uring_setup: %s", strerror(errno));
	run_row("io_uring-register", exp, false, 0x2900, uring_cell, &ring);
	close(ring);
}

/* ---- mlock, madvise, mprotect, core dump ------------------------------------ */

/* The VmFlags of the VMA that starts at addr, from /proc/self/smaps. */
static void vma_flags(const void *addr, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	bool in = false;

	ASSERT_NONNULL(f) TH_MSG("/proc/self/smaps: %s", strerror(errno));
	out[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		/* A VMA header: "start-end perms offset dev inode path". */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = start == (unsigned long)(uintptr_t)addr;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(out, len, "%s", line + 8);
			out[strcspn(out, "\n")] = 0;
			break;
		}
	}
	fclose(f);
	ASSERT_NE(out[0], 0) TH_MSG("no VmFlags for %p in /proc/self/smaps", addr);
}

static bool has_vmflag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = flags; *p;) {
		p += strspn(p, " ");
		if (!strncmp(p, flag, n) && (p[n] == ' ' || !p[n]))
			return true;
		p += strcspn(p, " ");
	}
	return false;
}

static const char *mlock_cell(struct gup_cell *c, void *arg)
{
	char flags[512];
	int e;

	(void)arg;
	if (mlock(c->map.addr, GT_PAGE)) {
		e = errno;
		return errname(e);
	}
	vma_flags(c->map.addr, flags, sizeof(flags));
	TH_LOG("%s after mlock: VmFlags%s", gt_mode_name[c->mode], flags);
	/* VM_SPECIAL VMAs are never marked VM_LOCKED (mlock_fixup). */
	EXPECT_FALSE(has_vmflag(flags, "lo"));
	expect_mapping_holds(c, c->seed);
	EXPECT_EQ(peer_active(c->share), 1);
	EXPECT_EQ(munlock(c->map.addr, GT_PAGE), 0);
	return "ok";
}

/*
 * mlock: mlock_fixup() leaves VM_SPECIAL VMAs (VM_DONTEXPAND is set in every
 * mode) without VM_LOCKED; __mm_populate() skips VM_IO | VM_PFNMAP and runs
 * __get_user_pages(pages = NULL) on the rest, where -EEXIST (nohook) only
 * skips the page. So mlock succeeds and changes nothing.
 */
TEST(gup, mlock)
{
	static const char *const exp[] = { "ok", "ok", "ok" };

	run_row("mlock", exp, false, 0x2a00, mlock_cell, NULL);
}

static sigjmp_buf touch_jb;

static void touch_handler(int sig)
{
	siglongjmp(touch_jb, sig);
}

/* Read one byte at p; returns 0, or the signal the read raised. */
static int touch_read(const volatile uint8_t *p, uint8_t *val)
{
	struct sigaction sa, obus, osegv;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = touch_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	sig = sigsetjmp(touch_jb, 1);
	if (!sig)
		*val = *p;
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return sig;
}

static long wait_active(const struct peer_share *s, long want)
{
	long n = -1;

	for (int i = 0; i < 50; i++) {
		n = peer_active(s);
		if (n == want)
			break;
		usleep(20 * 1000);
	}
	return n;
}

static const char *madv_cell(struct gup_cell *c, void *arg)
{
	uint8_t v = 0;
	int e, sig;

	(void)arg;
	if (madvise(c->map.addr, GT_PAGE, MADV_DONTNEED)) {
		e = errno;
		/* Refused before any invalidation: the grant stays mapped. */
		expect_mapping_holds(c, c->seed);
		EXPECT_EQ(peer_active(c->share), 1);
		return errname(e);
	}
	/* The notifier unmapped the grant before the zap (both halves). */
	EXPECT_EQ(wait_active(c->share, 0), 0);
	sig = touch_read(c->map.addr, &v);
	if (!sig) {
		TH_LOG("%s: read after MADV_DONTNEED gave %#x", gt_mode_name[c->mode], v);
		return "ok";
	}
	return signame(sig);
}

/*
 * MADV_DONTNEED then touch: madvise_dontneed_free_valid_vma() refuses
 * VM_PFNMAP (-EINVAL). Elsewhere the notifier unmaps the grant, the PTE is
 * zapped, and the next access faults into do_fault() on a VMA without
 * ->fault: SIGBUS (the grant is gone for good, as in gntdev).
 */
TEST(gup, madv_dontneed)
{
	static const char *const exp[] = { "SIGBUS", "SIGBUS", "EINVAL" };

	run_row("madv-dontneed", exp, false, 0x2b00, madv_cell, NULL);
}

static const char *mprotect_cell(struct gup_cell *c, void *arg)
{
	int e;

	(void)arg;
	if (!mprotect(c->map.addr, GT_PAGE, PROT_READ | PROT_WRITE))
		return "ok";
	e = errno;
	/* Refused before any change: still mapped, still readable. */
	expect_mapping_holds(c, c->seed);
	EXPECT_EQ(peer_active(c->share), 1);
	return errname(e);
}

/*
 * mprotect(PROT_WRITE) on a read-only grant: gntlab's mmap clears
 * VM_MAYWRITE, so do_mprotect_pkey() refuses VM_WRITE without VM_MAYWRITE
 * with -EACCES before touching the VMA. Without that, a write fault would
 * reach a PTE that Xen keeps read-only.
 */
TEST(gup, mprotect_rw_on_ro)
{
	static const char *const exp[] = { "EACCES", "EACCES", "EACCES" };

	run_row("mprotect-rw-on-ro", exp, true, 0x2c00, mprotect_cell, NULL);
}

static const char *coredump_cell(struct gup_cell *c, void *arg)
{
	char flags[512];

	(void)arg;
	vma_flags(c->map.addr, flags, sizeof(flags));
	TH_LOG("%s VmFlags%s", gt_mode_name[c->mode], flags);
	return has_vmflag(flags, "dd") ? "excluded" : "dumped";
}

/*
 * Core dump exclusion: every mode sets VM_DONTDUMP ("dd" in smaps
 * VmFlags), which vma_dump_size() honours, so a core dump never reads the
 * grant (get_dump_page() would otherwise go through GUP with FOLL_DUMP).
 */
TEST(gup, coredump)
{
	static const char *const exp[] = { "excluded", "excluded", "excluded" };

	run_row("coredump", exp, false, 0x2d00, coredump_cell, NULL);
}

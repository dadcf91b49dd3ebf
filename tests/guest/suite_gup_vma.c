// SPDX-License-Identifier: GPL-2.0
/*
 * gup, continued: what mlock, madvise, mprotect and the core-dump filter make
 * of a grant mapping, per subject (matrix rows of gup_expect.c; the suite's
 * intro is in suite_gup.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "expect.h"
#include "gt.h"
#include "gup_cell.h"
#include "harness.h"

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
	TH_LOG("%s after mlock: VmFlags%s", gt_subject_name[c->mode], flags);
	/* VM_SPECIAL VMAs are never marked VM_LOCKED (mlock_fixup). */
	EXPECT_FALSE(has_vmflag(flags, "lo"));
	expect_mapping_holds(c, c->seed);
	EXPECT_EQ(dom0_active(c->share), 1);
	EXPECT_EQ(munlock(c->map.addr, GT_PAGE), 0);
	return "ok";
}

TH_DOC(gup, mlock,
       "`mlock()` of the mapping; where it works, smaps VmFlags show no `lo` afterwards "
       "(`VM_SPECIAL` VMAs are never `VM_LOCKED`), the data and the grant stay (Xen lists it) "
       "and munlock succeeds. Matrix row `mlock`.")
TEST(gup, mlock)
{
	run_row("mlock", false, 0x2a00, mlock_cell, NULL);
}

static long wait_active(const struct dom0_share *s, long want)
{
	long n = -1;

	for (int i = 0; i < 50; i++) {
		n = dom0_active(s);
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
		EXPECT_EQ(dom0_active(c->share), 1);
		return errname(e);
	}
	/* The notifier unmapped the grant before the zap (both halves). */
	EXPECT_EQ(wait_active(c->share, 0), 0);
	sig = gt_touch(c->map.addr, &v);
	if (!sig) {
		TH_LOG("%s: read after MADV_DONTNEED gave %#x", gt_subject_name[c->mode], v);
		return "ok";
	}
	return signame(sig);
}

TH_DOC(gup, madv_dontneed,
       "`madvise(MADV_DONTNEED)` then a read of the page, with SIGBUS/SIGSEGV caught. Where "
       "madvise works, Xen must list the grant inactive within 1 s (the notifier unmapped "
       "both halves) before the read; where it is refused, the grant is still mapped and "
       "readable. Matrix row `madv-dontneed`.")
TEST(gup, madv_dontneed)
{
	run_row("madv-dontneed", false, 0x2b00, madv_cell, NULL);
}

static const char *mprotect_cell(struct gup_cell *c, void *arg)
{
	struct gntlab_introspect in;
	uint8_t v = 0;
	int e, sig;

	(void)arg;
	if (mprotect(c->map.addr, GT_PAGE, PROT_READ | PROT_WRITE)) {
		e = errno;
		/* Refused before any change: still mapped, still readable. */
		expect_mapping_holds(c, c->seed);
		EXPECT_EQ(dom0_active(c->share), 1);
		return errname(e);
	}
	/* The VMA is writable now. Is the grant still there (read, caught)? */
	sig = gt_touch(c->map.addr, &v);
	if (sig) {
		TH_LOG("%s: read after mprotect raised %s", gt_subject_name[c->mode], signame(sig));
		/* Gone: Xen must list the grant inactive. */
		EXPECT_EQ(wait_active(c->share, 0), 0);
		return "unmapped";
	}
	/* Still mapped: read-only, as Xen keeps a read-only grant's PTE. */
	expect_mapping_holds(c, c->seed);
	EXPECT_EQ(dom0_active(c->share), 1);
	if (!gt_smap_introspect(c->fd, &c->map, c->map.addr, &in)) {
		TH_LOG("%s after mprotect: pte %#llx", gt_subject_name[c->mode],
		       (unsigned long long)in.pte);
		EXPECT_FALSE(in.bits & GNTLAB_PTE_RW);
	}
	return "ok";
}

TH_DOC(gup, mprotect_rw_on_ro,
       "Read-only grant mapped `PROT_READ`; `mprotect(PROT_READ|PROT_WRITE)`. Where it is "
       "refused, the mapping is untouched (data readable, Xen still lists the grant). Where it "
       "works (gntdev), the page is read with SIGBUS/SIGSEGV caught: a signal means the grant "
       "is gone (`unmapped`; Xen must then list it inactive within 1 s), a read means it is "
       "still mapped (`ok`: data intact, Xen lists it, the PTE has no RW). Nothing writes. "
       "Matrix row `mprotect-rw-on-ro`.")
TEST(gup, mprotect_rw_on_ro)
{
	run_row("mprotect-rw-on-ro", true, 0x2c00, mprotect_cell, NULL);
}

static const char *coredump_cell(struct gup_cell *c, void *arg)
{
	char flags[512];

	(void)arg;
	vma_flags(c->map.addr, flags, sizeof(flags));
	TH_LOG("%s VmFlags%s", gt_subject_name[c->mode], flags);
	return has_vmflag(flags, "dd") ? "excluded" : "dumped";
}

TH_DOC(gup, coredump,
       "Core-dump exclusion: the smaps VmFlags of the mapping contain `dd` (`VM_DONTDUMP`) or "
       "not. No real core dump is written: the flag is the observable. Matrix row `coredump`.")
TEST(gup, coredump)
{
	run_row("coredump", false, 0x2d00, coredump_cell, NULL);
}

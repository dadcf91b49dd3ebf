/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest test suites (tests/guest/suite_*.c): mapping
 * dom0's shares (struct dom0_share) through /dev/gntlab on top of gtmap.h,
 * the module's counters, the kernel log, and what the bad-input suites
 * (badinput, fuzz) hand the module. The gt_assert_* and memory helpers are
 * for use inside a harness test (they end it on failure).
 */
#ifndef GNTLAB_GT_H
#define GNTLAB_GT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gntlab.h"
#include "gtmap.h"
#include "dom0_client.h"

extern const char *const gt_mode_name[GNTLAB_MODE_COUNT];

/* GNTLAB_IOC_MAP of every ref of `s`; returns 0 or errno. */
int gt_reserve(int fd, const struct dom0_share *s, uint32_t mode, bool readonly,
	       struct gt_map *m);
/* reserve + mmap (MAP_SHARED, read/write unless readonly); 0 or errno. */
int gt_map(int fd, const struct dom0_share *s, uint32_t mode, bool readonly,
	   struct gt_map *m);
/* Wait (<= timeout_ms) for every live counter of the module to be zero;
 * -1 with the reason in `why` if they are not. */
int gt_wait_counters_zero(int fd, int timeout_ms, char *why, size_t len);
/* Inside a test: ASSERT that the module's counters are zero within 5 s. */
void gt_assert_zero(int fd);
/* Inside a test: pages [first, first + n) at addr hold pattern(seed). */
void gt_assert_pages(const uint8_t *addr, uint32_t seed, uint32_t first, uint32_t n);
/* Inside a test: dom0's pages of `s` hold pattern(seed) in [off, off + len). */
void gt_assert_peer(const struct dom0_share *s, uint32_t seed, uint32_t off, uint32_t len);

/* A share of dom0 mapped here, what most lifecycle tests start from. */
struct gt_shared {
	int fd;
	struct dom0_share share;
	struct gt_map map;
};
/*
 * Inside a test: open /dev/gntlab, have dom0 share `count` writable pages
 * holding pattern(seed), map them read/write in `mode`, and ASSERT that they
 * read the pattern and that Xen lists all of them mapped.
 */
void gt_share_map(struct gt_shared *t, uint32_t count, uint32_t seed, uint32_t mode);

/* Did the guest kernel log a WARN/BUG/Oops/"Bad page" report that is not a
 * known kernel report (tests/crash_patterns.h)? Its first line goes to `line`. */
bool gt_kernel_log_bad(char *line, size_t len);
/* How many such reports the kernel log holds (to compare before/after); a
 * known report does not count: the after-test check makes it an XFAIL. */
unsigned int gt_kernel_log_bad_count(void);
/* The kernel's /dev/xen/gntdev opened for a test (SKIP if it is absent). */
int gt_gntdev_open(void);

/* ---- for the bad-input suites ---------------------------------------------- */

/* No dom0 grant table is anywhere near this big (GNTST_bad_gntref). */
#define GT_BAD_REF (1u << 30)
/* A domid below DOMID_FIRST_RESERVED that no toolstack hands out here. */
#define GT_DOMID_ABSENT 0x7fe0u
#define GT_DOMID_SELF 0x7ff0u
#define GT_DOMID_INVALID 0x7ff4u
/* Addresses no user pointer may reach. */
#define GT_KADDR_DIRECTMAP 0xffff888000000000ull
#define GT_KADDR_TEXT 0xffffffff81000000ull
#define GT_KADDR_VSYSCALL 0xffffffffff600000ull
#define GT_NONCANONICAL 0x0000800000000000ull

/* The module's max_grants parameter (65536, logged, if it cannot be read). */
uint32_t gt_max_grants(void);
/* The guest's own domid, from xenstore; -1 if it cannot be read. */
int gt_own_domid(uint32_t *domid);
/* Inside a test: `len` writable bytes whose end touches a PROT_NONE page. */
void *gt_guarded(size_t len);
/* Inside a test: a reserved, never accessible range (pointers into it fault). */
void *gt_hole(size_t len);

/* waitpid() through EINTR; the wait status. */
int gt_wait_child(int pid);
/* "exit N" or "killed by <signal>" for a wait status, in buf. */
const char *gt_status_str(int st, char *buf, size_t len);
/*
 * Read one byte at p: 0 and *val, or the signal (SIGBUS/SIGSEGV) the read
 * raised (caught; the handlers before the call are restored).
 */
int gt_touch(const volatile uint8_t *p, uint8_t *val);
/*
 * A child's busy use of a mapping until it is killed: over and over, read
 * the first half of each of `pages` pages and write dom0's pattern (seed
 * seed0 + 1, + 2, ...) into the second half. Never returns.
 */
void gt_churn_forever(uint8_t *addr, uint32_t pages, uint32_t seed0) __attribute__((noreturn));

/* A GUP flavour's name (GNTLAB_GUP_*, the columns of gup_refused_expect). */
const char *gt_gup_flavour(uint32_t kind);
/* A probe's .ret as the expectation tables write it: "1pages", "0pages", "EFAULT". */
const char *gt_gup_ret_word(long long ret, char *buf, size_t len);
/*
 * Inside a test: the .ret GUP flavour `kind` gives where GUP is refused at
 * addr on this kernel (0 or -errno), from gup_refused_expect; ERROR when the
 * table has no cell.
 */
int gt_gup_refused(uint64_t addr, uint32_t kind);

#endif
